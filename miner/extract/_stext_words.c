/* Words and link anchor texts of the _stext walker: PyMuPDF's extractWORDS and
   PageWords.anchor_text over the text page. */

#include "_stext.h"

/* One word as PyMuPDF's extractWORDS makes it: box, block and line number, text. */
typedef struct {
    fz_rect box;
    int block, line;
    Py_ssize_t start, end;
} word;

typedef struct {
    word *p;
    Py_ssize_t n, cap;
} words;

static int words_add(words *w, fz_rect box, int block, int line, Py_ssize_t start,
                     Py_ssize_t end)
{
    if (w->n == w->cap) {
        Py_ssize_t cap = w->cap ? 2 * w->cap : 256;
        word *p = PyMem_Realloc(w->p, cap * sizeof(word));
        if (!p) {
            PyErr_NoMemory();
            return -1;
        }
        w->p = p;
        w->cap = cap;
    }
    w->p[w->n++] = (word){box, block, line, start, end};
    return 0;
}

static int word_delimiter(int c)
{
    return c <= 32 || c == 160 || (c >= 0x202a && c <= 0x202e);
}

/* The words of a text page, in page order (extractWORDS without extra delimiters). */
static int page_words(fz_context *ctx, fz_stext_page *page, ubuf *text, words *out)
{
    fz_rect tp_rect = page->mediabox;
    int infinite = fz_is_infinite_rect(tp_rect);
    int block_n = -1, last_rtl = 0;
    font_info fi = {0};
    fz_rect wbox = fz_empty_rect;
    for (fz_stext_block *block = page->first_block; block; block = block->next) {
        block_n++;
        if (block->type != FZ_STEXT_BLOCK_TEXT)
            continue;
        int line_n = -1;
        wbox = fz_empty_rect; /* not reset between lines of a block: as PyMuPDF does */
        for (fz_stext_line *line = block->u.t.first_line; line; line = line->next) {
            line_n++;
            Py_ssize_t start = text->n;
            for (fz_stext_char *ch = line->first_char; ch; ch = ch->next) {
                stx_font_lookup(ctx, ch->font, &fi);
                fz_rect r = stx_char_bbox(ctx, line, ch, &fi);
                if (!rects_overlap(tp_rect, r) && !infinite)
                    continue;
                if (text->n == start && ch->c == 0x200d)
                    continue; /* a zero width joiner starts no word */
                int delim = word_delimiter(ch->c);
                int rtl = ch->c >= 0x590 && ch->c <= 0x900;
                if (delim || rtl != last_rtl) {
                    if (text->n == start && delim)
                        continue;
                    if (!fz_is_empty_rect(wbox)) {
                        if (words_add(out, wbox, block_n, line_n, start, text->n) < 0)
                            return -1;
                        wbox = fz_empty_rect;
                    }
                    start = text->n;
                    if (delim)
                        continue;
                }
                if (stx_put_rune(text, ch->c) < 0)
                    return -1;
                last_rtl = rtl;
                wbox = fz_union_rect(wbox, r);
            }
            if (text->n > start && !fz_is_empty_rect(wbox)) {
                if (words_add(out, wbox, block_n, line_n, start, text->n) < 0)
                    return -1;
                wbox = fz_empty_rect;
            }
        }
    }
    return 0;
}

/* PageWords.anchor_text: the first line of words whose centre lies in the rect. */
static PyObject *anchor(const ubuf *text, const words *w, double x0, double y0, double x1,
                        double y1, Py_ssize_t *pick, ubuf *out)
{
    Py_ssize_t n = 0;
    for (Py_ssize_t i = 0; i < w->n; i++) {
        const word *wd = &w->p[i];
        double cy = ((double)wd->box.y0 + (double)wd->box.y1) / 2;
        double cx = ((double)wd->box.x0 + (double)wd->box.x1) / 2;
        if (y0 <= cy && cy <= y1 && x0 <= cx && cx <= x1)
            pick[n++] = i;
    }
    out->n = 0;
    if (n == 0)
        return PyUnicode_FromStringAndSize("", 0);
    /* lines in order of their first word; the first one whose top word is highest */
    int best_block = 0, best_line = 0, found = 0;
    double best_y = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        const word *wd = &w->p[pick[k]];
        int seen = 0;
        for (Py_ssize_t j = 0; j < k && !seen; j++)
            seen = w->p[pick[j]].block == wd->block && w->p[pick[j]].line == wd->line;
        if (seen)
            continue;
        double top = wd->box.y0;
        for (Py_ssize_t j = k + 1; j < n; j++) {
            const word *o = &w->p[pick[j]];
            if (o->block == wd->block && o->line == wd->line && (double)o->box.y0 < top)
                top = o->box.y0;
        }
        if (!found || top < best_y) {
            best_y = top;
            best_block = wd->block;
            best_line = wd->line;
            found = 1;
        }
    }
    Py_ssize_t m = 0;
    for (Py_ssize_t k = 0; k < n; k++)
        if (w->p[pick[k]].block == best_block && w->p[pick[k]].line == best_line)
            pick[m++] = pick[k];
    for (Py_ssize_t k = 1; k < m; k++) { /* stable insertion sort by left edge */
        Py_ssize_t v = pick[k], j = k;
        while (j > 0 && (double)w->p[pick[j - 1]].box.x0 > (double)w->p[v].box.x0) {
            pick[j] = pick[j - 1];
            j--;
        }
        pick[j] = v;
    }
    for (Py_ssize_t k = 0; k < m && out->n < 120; k++) {
        const word *wd = &w->p[pick[k]];
        if (k && ubuf_put(out, ' ') < 0)
            return NULL;
        for (Py_ssize_t j = wd->start; j < wd->end; j++)
            if (ubuf_put(out, text->p[j]) < 0)
                return NULL;
    }
    return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out->p, out->n < 120 ? out->n : 120);
}

PyObject *stx_anchor_texts(PyObject *self, PyObject *args)
{
    unsigned long long page_addr, ctx_addr;
    PyObject *rects;
    if (!PyArg_ParseTuple(args, "KKO", &page_addr, &ctx_addr, &rects))
        return NULL;
    fz_stext_page *page = (fz_stext_page *)(uintptr_t)page_addr;
    fz_context *ctx = (fz_context *)(uintptr_t)ctx_addr;
    PyObject *seq = PySequence_Fast(rects, "rects must be a sequence");
    if (!seq)
        return NULL;
    ubuf text = {0}, out = {0};
    words w = {0};
    Py_ssize_t *pick = NULL;
    PyObject *volatile result = NULL;
    volatile int failed = 0;
    fz_try(ctx)
    {
        if (page_words(ctx, page, &text, &w) < 0)
            failed = 1;
    }
    fz_catch(ctx)
    {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_RuntimeError, "MuPDF: %s", fz_caught_message(ctx));
        failed = 1;
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    if (!failed && !(pick = PyMem_Malloc((w.n + 1) * sizeof(Py_ssize_t)))) {
        PyErr_NoMemory();
        failed = 1;
    }
    if (!failed && !(result = PyList_New(n)))
        failed = 1;
    for (Py_ssize_t i = 0; !failed && i < n; i++) {
        double x0, y0, x1, y1;
        if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(seq, i), "dddd", &x0, &y0, &x1, &y1)) {
            failed = 1;
            break;
        }
        PyObject *a = anchor(&text, &w, x0, y0, x1, y1, pick, &out);
        if (!a) {
            failed = 1;
            break;
        }
        PyList_SET_ITEM(result, i, a);
    }
    Py_DECREF(seq);
    PyMem_Free(text.p);
    PyMem_Free(out.p);
    PyMem_Free(w.p);
    PyMem_Free(pick);
    if (failed) {
        Py_XDECREF(result);
        return NULL;
    }
    return result;
}

/* word_list(stext, ctx): the words as extractWORDS's (x0, y0, x1, y1, text, block, line, n)
   tuples, for the tests' comparison with PyMuPDF. */
PyObject *stx_word_list(PyObject *self, PyObject *args)
{
    unsigned long long page_addr, ctx_addr;
    if (!PyArg_ParseTuple(args, "KK", &page_addr, &ctx_addr))
        return NULL;
    fz_context *ctx = (fz_context *)(uintptr_t)ctx_addr;
    ubuf text = {0};
    words w = {0};
    volatile int failed = 0;
    fz_try(ctx)
    {
        if (page_words(ctx, (fz_stext_page *)(uintptr_t)page_addr, &text, &w) < 0)
            failed = 1;
    }
    fz_catch(ctx)
    {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_RuntimeError, "MuPDF: %s", fz_caught_message(ctx));
        failed = 1;
    }
    PyObject *out = failed ? NULL : PyList_New(0);
    int word_n = 0;
    for (Py_ssize_t i = 0; out && i < w.n; i++) {
        word *wd = &w.p[i];
        if (i && (wd->block != w.p[i - 1].block || wd->line != w.p[i - 1].line))
            word_n = 0;
        PyObject *t = Py_BuildValue(
            "(ffffNiii)", wd->box.x0, wd->box.y0, wd->box.x1, wd->box.y1,
            PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, text.p + wd->start,
                                      wd->end - wd->start),
            wd->block, wd->line, word_n++);
        if (!t || PyList_Append(out, t) < 0) {
            Py_XDECREF(t);
            Py_CLEAR(out);
        } else
            Py_DECREF(t);
    }
    PyMem_Free(text.p);
    PyMem_Free(w.p);
    return out;
}
