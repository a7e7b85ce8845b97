/* Span text and line summaries of the _stext walker: the characters as PyMuPDF decodes them,
   layout's ligature table, _line_text and dict_lines' _skipped, under the rules configure sets. */

#include "_stext.h"

ligature stx_ligatures[64];
int stx_n_ligatures = 0;
char stx_heading_words[32][32];
int stx_n_heading_words = 0;
double stx_margin_number_pt = 6.5;

static int put_hex(ubuf *b, unsigned v)
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 12; i >= 0; i -= 4)
        if (ubuf_put(b, (Py_UCS4)hex[(v >> i) & 15]) < 0)
            return -1;
    return 0;
}

/* The character as PyMuPDF's JM_append_rune + raw-unicode-escape decoding turn it out. */
int stx_put_rune(ubuf *b, int c)
{
    if (c >= 0xd800 && c <= 0xdfff)
        return ubuf_put(b, 0xfffd);
    if (c >= 0 && c <= 0x10ffff)
        return ubuf_put(b, (Py_UCS4)c);
    if (c > 0x10ffff)
        return ubuf_put(b, 0xfffd); /* "\U%08x" out of range: replaced */
    /* "\u%04x" of a negative int prints 8 digits: an escape of the top 4, then 4 letters */
    unsigned u = (unsigned)c;
    if (ubuf_put(b, (Py_UCS4)(u >> 16)) < 0)
        return -1;
    return put_hex(b, u & 0xffff);
}

/* The translated text of one span (layout's _LIGATURES, for non-ASCII spans only). */
static int put_translated(ubuf *out, const Py_UCS4 *s, Py_ssize_t n)
{
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = s[i];
        int done = 0;
        if (c >= 128) {
            for (int k = 0; k < stx_n_ligatures; k++) {
                if (stx_ligatures[k].from == c) {
                    for (int j = 0; j < stx_ligatures[k].n; j++)
                        if (ubuf_put(out, stx_ligatures[k].to[j]) < 0)
                            return -1;
                    done = 1;
                    break;
                }
            }
        }
        if (!done && ubuf_put(out, c) < 0)
            return -1;
    }
    return 0;
}

static int is_mark(Py_UCS4 c)
{
    return (c >= '0' && c <= '9') || c == '*' || c == 0x2020 || c == 0x2021 || c == 0xa7 ||
           c == 0xb6 || c == 0x2217 || Py_UNICODE_ISDIGIT(c);
}

/* Non-ASCII text, or ASCII text whose lower case holds one of the heading words (so the
   caller's casefolded regex can only match where this says 1). */
static int maybe_heading(const Py_UCS4 *p, Py_ssize_t n)
{
    for (Py_ssize_t i = 0; i < n; i++)
        if (p[i] >= 128)
            return 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        for (int k = 0; k < stx_n_heading_words; k++) {
            const char *w = stx_heading_words[k];
            Py_ssize_t j = 0;
            while (w[j] && i + j < n) {
                Py_UCS4 c = p[i + j];
                if (c >= 'A' && c <= 'Z')
                    c += 32;
                if (c != (Py_UCS4)(unsigned char)w[j])
                    break;
                j++;
            }
            if (!w[j])
                return 1;
        }
    }
    return 0;
}

void stx_summary_clear(summary *sm)
{
    Py_CLEAR(sm->text);
    Py_CLEAR(sm->sizes);
    Py_CLEAR(sm->markers);
}

/* layout._line_text over the spans of one line, into sm (0, or -1 with a Python error). */
int stx_line_summary(const Py_UCS4 *raw, spans *sp, ubuf *text, summary *sm)
{
    double keys[64];
    Py_ssize_t counts[64], nkeys = 0;
    memset(sm, 0, sizeof(*sm));
    sm->ndigits = -1;
    sm->blank = 1;
    text->n = 0;
    if (!(sm->markers = PyList_New(0)))
        return -1;
    int bold = 1, prev_sup = 0;
    ubuf t = {0};
    if (sp->n > 0) {
        span *main = &sp->p[0];
        for (Py_ssize_t i = 1; i < sp->n; i++)
            if (sp->p[i].size > main->size)
                main = &sp->p[i];
        double small = 0.85 * (double)main->size;
        double raised = (double)main->origin_y - 0.5;
        for (Py_ssize_t i = 0; i < sp->n; i++) {
            span *s = &sp->p[i];
            t.n = 0;
            if (put_translated(&t, raw + s->start, s->end - s->start) < 0)
                goto fail;
            Py_ssize_t a = 0, b = t.n;
            while (a < b && Py_UNICODE_ISSPACE(t.p[a]))
                a++;
            while (b > a && Py_UNICODE_ISSPACE(t.p[b - 1]))
                b--;
            Py_ssize_t nshort = b - a;
            int sup = 0;
            if (nshort > 0 && nshort <= 3) {
                sup = (s->flags & SUPERSCRIPT) != 0;
                if (!sup && !((double)s->size >= small || (double)s->origin_y >= raised)) {
                    sup = 1;
                    for (Py_ssize_t j = a; j < b; j++)
                        if (!is_mark(t.p[j]))
                            sup = 0;
                }
            }
            int last_alnum = text->n > 0 && Py_UNICODE_ISALNUM(text->p[text->n - 1]);
            int first_alnum = t.n > 0 && Py_UNICODE_ISALNUM(t.p[0]);
            Py_ssize_t end = text->n; /* len("".join(parts)) before this span */
            int spaced = (sup && last_alnum) || (prev_sup && first_alnum);
            if (spaced && ubuf_put(text, ' ') < 0)
                goto fail;
            if (sup) {
                PyObject *m = Py_BuildValue(
                    "(Nn)", PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, t.p + a, nshort),
                    end);
                if (!m || PyList_Append(sm->markers, m) < 0) {
                    Py_XDECREF(m);
                    goto fail;
                }
                Py_DECREF(m);
            }
            prev_sup = sup;
            for (Py_ssize_t j = 0; j < t.n; j++)
                if (ubuf_put(text, t.p[j]) < 0)
                    goto fail;
            if (nshort) {
                /* sizes[round(size * 2) / 2] += len(t), the space put before a marker included */
                double key = nearbyint((double)s->size * 2) / 2;
                Py_ssize_t k = 0;
                while (k < nkeys && keys[k] != key)
                    k++;
                if (k == nkeys) {
                    if (nkeys == 64) {
                        PyErr_SetString(PyExc_ValueError, "more than 64 type sizes in a line");
                        goto fail;
                    }
                    keys[nkeys] = key;
                    counts[nkeys++] = 0;
                }
                counts[k] += t.n + spaced;
                bold = bold && (s->flags & BOLD);
            }
        }
    }
    PyMem_Free(t.p);
    t.p = NULL;
    Py_ssize_t a = 0, b = text->n;
    while (a < b && Py_UNICODE_ISSPACE(text->p[a]))
        a++;
    while (b > a && Py_UNICODE_ISSPACE(text->p[b - 1]))
        b--;
    sm->blank = a == b;
    if (!sm->blank) {
        sm->ndigits = b - a;
        for (Py_ssize_t j = a; j < b; j++)
            if (!Py_UNICODE_ISDIGIT(text->p[j])) {
                sm->ndigits = -1;
                break;
            }
    }
    sm->bold = bold && !sm->blank;
    if (!(sm->sizes = PyDict_New()))
        goto fail;
    Py_ssize_t best = -1;
    for (Py_ssize_t k = 0; k < nkeys; k++) {
        PyObject *key = PyFloat_FromDouble(keys[k]);
        PyObject *v = key ? PyLong_FromSsize_t(counts[k]) : NULL;
        int rc = v ? PyDict_SetItem(sm->sizes, key, v) : -1;
        Py_XDECREF(key);
        Py_XDECREF(v);
        if (rc < 0)
            goto fail;
        if (k == 0 || keys[k] > sm->max_size)
            sm->max_size = keys[k];
        if (best < 0 || counts[k] > counts[best])
            best = k;
    }
    sm->dominant = best >= 0 ? keys[best] : 0.0;
    sm->maybe_heading = !sm->blank && maybe_heading(text->p, text->n);
    if (!(sm->text = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, text->p, text->n)))
        goto fail;
    return 0;
fail:
    PyMem_Free(t.p);
    stx_summary_clear(sm);
    return -1;
}

/* dict_lines' _skipped: a blank line, or a margin line number (by the block's largest type). */
int stx_skipped(const summary *sm, double top)
{
    if (sm->ndigits < 0)
        return sm->blank;
    if (sm->ndigits > 4 || PyDict_GET_SIZE(sm->sizes) == 0)
        return 0;
    return sm->max_size <= stx_margin_number_pt || sm->max_size < 0.6 * top;
}
