/* Line summaries straight from MuPDF's structured text (issue 17).

   page_lines(stext, ctx) walks the fz_stext_page of a PyMuPDF TextPage and returns, per text
   block, (top, lines): `top` is the largest span size of the block and each line is
   (text, sizes, bold, markers, bbox, rotated), exactly what miner.extract.layout's
   dict_lines() makes of page.get_text("dict") for the same text page. Spans are split the way
   PyMuPDF's dict builder splits them (size, flags, char flags, colour, font name, bidi level),
   characters outside the media box are dropped the same way, and span flags, character boxes
   (ascender/descender corrections) and the raw-unicode-escape of the text follow PyMuPDF
   1.26-1.28's JM_make_spanlist / JM_char_quad. The per-span rules are those of layout's
   _line_text. It returns None for a page holding blocks other than text and images, so that
   the caller reads that page through the dictionary. tests/test_extract_native.py checks the
   two paths give the same output on every page of the corpus. */

#include "_stext.h"

static span *spans_new(spans *s)
{
    if (s->n == s->cap) {
        Py_ssize_t cap = s->cap ? 2 * s->cap : 32;
        span *p = PyMem_Realloc(s->p, cap * sizeof(span));
        if (!p) {
            PyErr_NoMemory();
            return NULL;
        }
        s->p = p;
        s->cap = cap;
    }
    return &s->p[s->n++];
}

/* PyMuPDF's detect_super_script: raised above the line's first character. */
static int superscript(fz_stext_line *line, fz_stext_char *ch)
{
    if (line->wmode == 0 && line->dir.x == 1 && line->dir.y == 0)
        return ch->origin.y < line->first_char->origin.y - ch->size * 0.1f;
    return 0;
}

/* The spans of one line, as PyMuPDF's dict builder splits them; returns the line's box. */
static int line_spans(fz_context *ctx, fz_stext_line *line, fz_rect tp_rect, ubuf *raw,
                      spans *sp, fz_rect *line_rect, font_info *fi)
{
    int infinite = fz_is_infinite_rect(tp_rect);
    float size = -1;
    int flags = -1, char_flags = -1, bidi = -1;
    uint32_t argb = 0;
    const char *font = "";
    fz_rect span_rect = fz_empty_rect;
    span *cur = NULL;
    raw->n = 0;
    sp->n = 0;
    *line_rect = fz_empty_rect;
    for (fz_stext_char *ch = line->first_char; ch; ch = ch->next) {
        stx_font_lookup(ctx, ch->font, fi);
        fz_rect r = stx_char_bbox(ctx, line, ch, fi);
        if (!rects_overlap(tp_rect, r) && !infinite)
            continue;
        int f = superscript(line, ch) + fi->flags;
        int cf = ch->flags & ~FZ_STEXT_SYNTHETIC;
        const char *name = fi->name;
        if (ch->size != size || f != flags || cf != char_flags || ch->argb != argb ||
            (name != font && strcmp(name, font) != 0) || ch->bidi != bidi || cur == NULL) {
            if (cur) {
                cur->end = raw->n;
                *line_rect = fz_union_rect(*line_rect, span_rect);
            }
            if (!(cur = spans_new(sp)))
                return -1;
            size = ch->size;
            flags = f;
            char_flags = cf;
            argb = ch->argb;
            font = name;
            bidi = ch->bidi;
            cur->start = raw->n;
            cur->size = ch->size;
            cur->flags = f;
            cur->origin_y = ch->origin.y;
            span_rect = r;
        }
        span_rect = fz_union_rect(span_rect, r);
        if (stx_put_rune(raw, ch->c) < 0)
            return -1;
    }
    if (cur) {
        cur->end = raw->n;
        if (fz_is_empty_rect(span_rect))
            sp->n--; /* PyMuPDF keeps the last span only when its box is not empty */
        else
            *line_rect = fz_union_rect(*line_rect, span_rect);
    }
    return 0;
}

typedef struct {
    summary sm;
    fz_rect box;
    int rotated;
} pending_line;

static PyObject *text_block(fz_context *ctx, fz_stext_block *block, fz_rect tp_rect, ubuf *raw,
                            ubuf *text, spans *sp, font_info *fi)
{
    int infinite = fz_is_infinite_rect(tp_rect);
    PyObject *lines = NULL;
    pending_line *pl = NULL;
    Py_ssize_t n = 0, cap = 0;
    double top = 0.0;
    int have_top = 0;
    for (fz_stext_line *line = block->u.t.first_line; line; line = line->next) {
        if (fz_is_empty_rect(fz_intersect_rect(tp_rect, line->bbox)) && !infinite)
            continue;
        fz_rect box;
        if (line_spans(ctx, line, tp_rect, raw, sp, &box, fi) < 0)
            goto fail;
        for (Py_ssize_t i = 0; i < sp->n; i++) {
            if (!have_top || sp->p[i].size > top) {
                top = sp->p[i].size;
                have_top = 1;
            }
        }
        if (n == cap) {
            Py_ssize_t c = cap ? 2 * cap : 16;
            pending_line *p = PyMem_Realloc(pl, c * sizeof(pending_line));
            if (!p) {
                PyErr_NoMemory();
                goto fail;
            }
            pl = p;
            cap = c;
        }
        if (stx_line_summary(raw->p, sp, text, &pl[n].sm) < 0)
            goto fail;
        pl[n].box = box;
        pl[n].rotated = fabs((double)line->dir.y) > 0.5;
        n++;
    }
    if (!(lines = PyList_New(0)))
        goto fail;
    for (Py_ssize_t i = 0; i < n; i++) {
        summary *sm = &pl[i].sm;
        if (stx_skipped(sm, top))
            continue;
        fz_rect box = pl[i].box;
        PyObject *item = Py_BuildValue(
            "(OOOO(dddd)OdO)", sm->text, sm->sizes, sm->bold ? Py_True : Py_False, sm->markers,
            (double)box.x0, (double)box.y0, (double)box.x1, (double)box.y1,
            pl[i].rotated ? Py_True : Py_False, sm->dominant,
            sm->maybe_heading ? Py_True : Py_False);
        if (!item || PyList_Append(lines, item) < 0) {
            Py_XDECREF(item);
            goto fail;
        }
        Py_DECREF(item);
    }
    for (Py_ssize_t i = 0; i < n; i++)
        stx_summary_clear(&pl[i].sm);
    PyMem_Free(pl);
    return lines;
fail:
    for (Py_ssize_t i = 0; i < n; i++)
        stx_summary_clear(&pl[i].sm);
    PyMem_Free(pl);
    Py_XDECREF(lines);
    return NULL;
}

static PyObject *page_lines(PyObject *self, PyObject *args)
{
    unsigned long long page_addr, ctx_addr;
    if (!PyArg_ParseTuple(args, "KK", &page_addr, &ctx_addr))
        return NULL;
    fz_stext_page *page = (fz_stext_page *)(uintptr_t)page_addr;
    fz_context *ctx = (fz_context *)(uintptr_t)ctx_addr;
    if (!page || !ctx) {
        PyErr_SetString(PyExc_ValueError, "null text page or context");
        return NULL;
    }
    for (fz_stext_block *block = page->first_block; block; block = block->next)
        if (block->type != FZ_STEXT_BLOCK_TEXT && block->type != FZ_STEXT_BLOCK_IMAGE)
            Py_RETURN_NONE;
    fz_rect tp_rect = page->mediabox;
    int infinite = fz_is_infinite_rect(tp_rect);
    ubuf raw = {0}, text = {0};
    spans sp = {0};
    font_info fi = {0};
    PyObject *volatile out = PyList_New(0);
    volatile int failed = 0;
    if (!out)
        return NULL;
    fz_try(ctx)
    {
        for (fz_stext_block *block = page->first_block; block; block = block->next) {
            if (block->type != FZ_STEXT_BLOCK_TEXT)
                continue;
            if (!infinite && fz_is_empty_rect(fz_intersect_rect(tp_rect, block->bbox)))
                continue;
            PyObject *item = text_block(ctx, block, tp_rect, &raw, &text, &sp, &fi);
            if (!item || PyList_Append(out, item) < 0) {
                Py_XDECREF(item);
                failed = 1;
                break;
            }
            Py_DECREF(item);
        }
    }
    fz_catch(ctx)
    {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_RuntimeError, "MuPDF: %s", fz_caught_message(ctx));
        failed = 1;
    }
    PyMem_Free(raw.p);
    PyMem_Free(text.p);
    PyMem_Free(sp.p);
    if (failed) {
        Py_DECREF(out);
        return NULL;
    }
    return out;
}

/* configure(ligatures, heading_words, margin_number_pt): layout's str.maketrans table, the
   ASCII words every section heading holds (lower case), the largest margin-number size. */
static PyObject *configure(PyObject *self, PyObject *args)
{
    PyObject *table, *words;
    double margin;
    if (!PyArg_ParseTuple(args, "O!O!d", &PyDict_Type, &table, &PyTuple_Type, &words, &margin))
        return NULL;
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    int n = 0;
    while (PyDict_Next(table, &pos, &key, &value)) {
        long cp = PyLong_AsLong(key);
        if (cp == -1 && PyErr_Occurred())
            return NULL;
        Py_ssize_t len = value == Py_None ? 0 : PyUnicode_GetLength(value);
        if (len < 0)
            return NULL;
        if (n >= 64 || len > 4 || cp < 128) {
            PyErr_SetString(PyExc_ValueError, "at most 64 non-ASCII entries of <= 4 characters");
            return NULL;
        }
        stx_ligatures[n].from = (Py_UCS4)cp;
        stx_ligatures[n].n = (int)len;
        for (Py_ssize_t i = 0; i < len; i++)
            stx_ligatures[n].to[i] = PyUnicode_READ_CHAR(value, i);
        n++;
    }
    Py_ssize_t nw = PyTuple_GET_SIZE(words);
    if (nw > 32) {
        PyErr_SetString(PyExc_ValueError, "at most 32 heading words");
        return NULL;
    }
    for (Py_ssize_t i = 0; i < nw; i++) {
        Py_ssize_t len;
        const char *w = PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(words, i), &len);
        if (!w)
            return NULL;
        if (len == 0 || len > 31) {
            PyErr_SetString(PyExc_ValueError, "heading words of 1-31 ASCII letters");
            return NULL;
        }
        for (Py_ssize_t j = 0; j < len; j++)
            if ((unsigned char)w[j] >= 128 || (w[j] >= 'A' && w[j] <= 'Z')) {
                PyErr_SetString(PyExc_ValueError, "heading words must be lower-case ASCII");
                return NULL;
            }
        memcpy(stx_heading_words[i], w, len + 1);
    }
    stx_n_ligatures = n;
    stx_n_heading_words = (int)nw;
    stx_margin_number_pt = margin;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"page_lines", page_lines, METH_VARARGS,
     "page_lines(stext_page_address, context_address) -> [[line, ...] per block] or None"},
    {"anchor_texts", stx_anchor_texts, METH_VARARGS,
     "anchor_texts(stext_page_address, context_address, rects) -> [anchor text per rect]"},
    {"word_list", stx_word_list, METH_VARARGS, "word_list(stext_page_address, context_address)"},
    {"configure", configure, METH_VARARGS,
     "configure(ligatures, heading_words, margin_number_pt): layout's rules the walker applies"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_stext", NULL, -1, methods};

PyMODINIT_FUNC PyInit__stext(void)
{
    PyObject *m = PyModule_Create(&module);
    if (m && PyModule_AddStringConstant(m, "MUPDF_VERSION", FZ_VERSION) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
