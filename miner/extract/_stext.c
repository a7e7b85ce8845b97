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

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <float.h>
#include <math.h>
#include <string.h>

#include "mupdf/fitz.h"

#define SUPERSCRIPT 1
#define BOLD 16

typedef struct {
    Py_UCS4 from;
    Py_UCS4 to[4];
    int n;
} ligature;

static ligature ligatures[64];
static int n_ligatures = 0;

/* Growable UCS4 buffer. */
typedef struct {
    Py_UCS4 *p;
    Py_ssize_t n, cap;
} ubuf;

static int ubuf_put(ubuf *b, Py_UCS4 c)
{
    if (b->n == b->cap) {
        Py_ssize_t cap = b->cap ? 2 * b->cap : 256;
        Py_UCS4 *p = PyMem_Realloc(b->p, cap * sizeof(Py_UCS4));
        if (!p) {
            PyErr_NoMemory();
            return -1;
        }
        b->p = p;
        b->cap = cap;
    }
    b->p[b->n++] = c;
    return 0;
}

/* One span of a line: where its text sits in the line's raw buffer, its style, its origin. */
typedef struct {
    Py_ssize_t start, end;
    float size, origin_y;
    int flags;
} span;

typedef struct {
    span *p;
    Py_ssize_t n, cap;
} spans;

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

/* fz_transform_point and fz_transform_quad of MuPDF's geometry.c, inlined (the quad
   corrections below ran them 4 times per character): the same float operations in the same
   order, the same checks for NaN and infinite quads, so the same bits. */
static inline fz_point point_xform(fz_point p, fz_matrix m)
{
    fz_point r;
    r.x = p.x * m.a + p.y * m.c + m.e;
    r.y = p.x * m.b + p.y * m.d + m.f;
    return r;
}

static inline fz_quad quad_xform(fz_quad q, fz_matrix m)
{
    if (isnan(q.ll.x) || isnan(q.ll.y) || isnan(q.ul.x) || isnan(q.ul.y) || isnan(q.lr.x) ||
        isnan(q.lr.y) || isnan(q.ur.x) || isnan(q.ur.y))
        return q;
    if (isinf(q.ll.x) && isinf(q.ll.y) && isinf(q.ul.x) && isinf(q.ul.y) && isinf(q.lr.x) &&
        isinf(q.lr.y) && isinf(q.ur.x) && isinf(q.ur.y) && fz_is_infinite_quad(q))
        return q;
    q.ul = point_xform(q.ul, m);
    q.ur = point_xform(q.ur, m);
    q.ll = point_xform(q.ll, m);
    q.lr = point_xform(q.lr, m);
    return q;
}

/* PyMuPDF's JM_char_quad: recompute the quad when the font's ascender/descender look wrong. */
/* What the walker reads of a font, looked up once per run of characters in that font. */
typedef struct {
    fz_font *font;
    float asc, dsc;
    int flags; /* italic, serif, monospaced, bold as PyMuPDF's span flags */
    const char *name;
} font_info;

static void font_lookup(fz_context *ctx, fz_font *font, font_info *fi)
{
    if (fi->font == font && font)
        return;
    fi->font = font;
    fi->asc = fz_font_ascender(ctx, font);
    fi->dsc = fz_font_descender(ctx, font);
    fi->flags = fz_font_is_italic(ctx, font) * 2 + fz_font_is_serif(ctx, font) * 4 +
                fz_font_is_monospaced(ctx, font) * 8 + fz_font_is_bold(ctx, font) * 16;
    const char *name = fz_font_name(ctx, font);
    const char *s = strchr(name, '+');
    fi->name = (s && s - name == 6) ? s + 1 : name;
}

static fz_quad char_quad(fz_context *ctx, fz_stext_line *line, fz_stext_char *ch,
                         const font_info *fi)
{
    if (line->wmode)
        return ch->quad;
    fz_font *font = ch->font;
    float asc = fi->asc;
    float dsc = fi->dsc;
    float fsize = ch->size;
    float asc_dsc = asc - dsc + FLT_EPSILON;
    if (asc_dsc >= 1)
        return ch->quad;
    if (asc < 1e-3) {
        dsc = -0.1f;
        asc = 0.9f;
        asc_dsc = 1.0f;
    }
    if (asc_dsc < 1) {
        dsc = dsc / asc_dsc;
        asc = asc / asc_dsc;
    }
    asc_dsc = asc - dsc;
    asc = asc * fsize / asc_dsc;
    dsc = dsc * fsize / asc_dsc;
    float c = line->dir.x, s = line->dir.y;
    fz_matrix trm1 = fz_make_matrix(c, -s, s, c, 0, 0);
    fz_matrix trm2 = fz_make_matrix(c, s, -s, c, 0, 0);
    if (c == -1) {
        trm1.d = 1;
        trm2.d = 1;
    }
    fz_matrix xlate1 = fz_make_matrix(1, 0, 0, 1, -ch->origin.x, -ch->origin.y);
    fz_matrix xlate2 = fz_make_matrix(1, 0, 0, 1, ch->origin.x, ch->origin.y);
    fz_quad quad = quad_xform(ch->quad, xlate1);
    quad = quad_xform(quad, trm1);
    if (c == 1 && quad.ul.y > 0) {
        quad.ul.y = asc;
        quad.ur.y = asc;
        quad.ll.y = dsc;
        quad.lr.y = dsc;
    } else {
        quad.ul.y = -asc;
        quad.ur.y = -asc;
        quad.ll.y = -dsc;
        quad.lr.y = -dsc;
    }
    if (quad.ll.x < 0) {
        quad.ll.x = 0;
        quad.ul.x = 0;
    }
    float cwidth = quad.lr.x - quad.ll.x;
    if (cwidth < FLT_EPSILON) {
        int glyph = fz_encode_character(ctx, font, ch->c);
        if (glyph) {
            float fwidth = fz_advance_glyph(ctx, font, glyph, line->wmode);
            quad.lr.x = quad.ll.x + fwidth * fsize;
            quad.ur.x = quad.lr.x;
        }
    }
    quad = quad_xform(quad, trm2);
    return quad_xform(quad, xlate2);
}

static fz_rect char_bbox(fz_context *ctx, fz_stext_line *line, fz_stext_char *ch,
                         const font_info *fi)
{
    fz_rect r = fz_rect_from_quad(char_quad(ctx, line, ch, fi));
    if (line->wmode && r.y1 < r.y0 + ch->size)
        r.y0 = r.y1 - ch->size;
    return r;
}

static int rects_overlap(fz_rect a, fz_rect b)
{
    return !(a.x0 >= b.x1 || a.y0 >= b.y1 || a.x1 <= b.x0 || a.y1 <= b.y0);
}

/* PyMuPDF's detect_super_script: raised above the line's first character. */
static int superscript(fz_stext_line *line, fz_stext_char *ch)
{
    if (line->wmode == 0 && line->dir.x == 1 && line->dir.y == 0)
        return ch->origin.y < line->first_char->origin.y - ch->size * 0.1f;
    return 0;
}

static int put_hex(ubuf *b, unsigned v)
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 12; i >= 0; i -= 4)
        if (ubuf_put(b, (Py_UCS4)hex[(v >> i) & 15]) < 0)
            return -1;
    return 0;
}

/* The character as PyMuPDF's JM_append_rune + raw-unicode-escape decoding turn it out. */
static int put_rune(ubuf *b, int c)
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
            for (int k = 0; k < n_ligatures; k++) {
                if (ligatures[k].from == c) {
                    for (int j = 0; j < ligatures[k].n; j++)
                        if (ubuf_put(out, ligatures[k].to[j]) < 0)
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

/* Add n characters of size key to the line's ordered {size: chars} dict. */
static int add_size(PyObject *sizes, double key, Py_ssize_t n)
{
    PyObject *k = PyFloat_FromDouble(key);
    if (!k)
        return -1;
    PyObject *old = PyDict_GetItemWithError(sizes, k);
    Py_ssize_t have = 0;
    if (old)
        have = PyLong_AsSsize_t(old);
    else if (PyErr_Occurred()) {
        Py_DECREF(k);
        return -1;
    }
    PyObject *v = PyLong_FromSsize_t(have + n);
    int rc = v ? PyDict_SetItem(sizes, k, v) : -1;
    Py_XDECREF(v);
    Py_DECREF(k);
    return rc;
}

/* layout._line_text over the spans of one line: (text, sizes, bold, markers). */
static PyObject *line_summary(const Py_UCS4 *raw, spans *sp, ubuf *text)
{
    PyObject *sizes = PyDict_New(), *markers = PyList_New(0), *out = NULL;
    if (!sizes || !markers)
        goto fail;
    text->n = 0;
    if (sp->n == 0) {
        out = Py_BuildValue("(sOOO)", "", sizes, Py_False, markers);
        goto done;
    }
    span *main = &sp->p[0];
    for (Py_ssize_t i = 1; i < sp->n; i++)
        if (sp->p[i].size > main->size)
            main = &sp->p[i];
    double small = 0.85 * (double)main->size;
    double raised = (double)main->origin_y - 0.5;
    int bold = 1, prev_sup = 0;
    ubuf t = {0};
    for (Py_ssize_t i = 0; i < sp->n; i++) {
        span *s = &sp->p[i];
        t.n = 0;
        if (put_translated(&t, raw + s->start, s->end - s->start) < 0)
            goto fail_t;
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
            goto fail_t;
        if (sup) {
            PyObject *m = Py_BuildValue(
                "(Nn)", PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, t.p + a, nshort), end);
            if (!m || PyList_Append(markers, m) < 0) {
                Py_XDECREF(m);
                goto fail_t;
            }
            Py_DECREF(m);
        }
        prev_sup = sup;
        for (Py_ssize_t j = 0; j < t.n; j++)
            if (ubuf_put(text, t.p[j]) < 0)
                goto fail_t;
        if (nshort) {
            /* len(t), the space put before a marker included */
            if (add_size(sizes, nearbyint((double)s->size * 2) / 2, t.n + spaced) < 0)
                goto fail_t;
            bold = bold && (s->flags & BOLD);
        }
    }
    PyMem_Free(t.p);
    t.p = NULL;
    int blank = 1;
    for (Py_ssize_t j = 0; j < text->n && blank; j++)
        if (!Py_UNICODE_ISSPACE(text->p[j]))
            blank = 0;
    PyObject *str = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, text->p, text->n);
    if (!str)
        goto fail;
    out = Py_BuildValue("(NOOO)", str, sizes, (bold && !blank) ? Py_True : Py_False, markers);
    goto done;
fail_t:
    PyMem_Free(t.p);
fail:
done:
    Py_XDECREF(sizes);
    Py_XDECREF(markers);
    return out;
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
        font_lookup(ctx, ch->font, fi);
        fz_rect r = char_bbox(ctx, line, ch, fi);
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
        if (put_rune(raw, ch->c) < 0)
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

static PyObject *text_block(fz_context *ctx, fz_stext_block *block, fz_rect tp_rect, ubuf *raw,
                            ubuf *text, spans *sp, font_info *fi)
{
    int infinite = fz_is_infinite_rect(tp_rect);
    PyObject *lines = PyList_New(0);
    if (!lines)
        return NULL;
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
        PyObject *summary = line_summary(raw->p, sp, text);
        if (!summary)
            goto fail;
        PyObject *item = Py_BuildValue(
            "(OOOO(dddd)O)", PyTuple_GET_ITEM(summary, 0), PyTuple_GET_ITEM(summary, 1),
            PyTuple_GET_ITEM(summary, 2), PyTuple_GET_ITEM(summary, 3), (double)box.x0,
            (double)box.y0, (double)box.x1, (double)box.y1,
            fabs((double)line->dir.y) > 0.5 ? Py_True : Py_False);
        Py_DECREF(summary);
        if (!item || PyList_Append(lines, item) < 0) {
            Py_XDECREF(item);
            goto fail;
        }
        Py_DECREF(item);
    }
    return Py_BuildValue("(dN)", top, lines);
fail:
    Py_DECREF(lines);
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
                font_lookup(ctx, ch->font, &fi);
                fz_rect r = char_bbox(ctx, line, ch, &fi);
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
                if (put_rune(text, ch->c) < 0)
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

static PyObject *anchor_texts(PyObject *self, PyObject *args)
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
static PyObject *word_list(PyObject *self, PyObject *args)
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

/* set_ligatures({codepoint: replacement str}) — layout's str.maketrans table. */
static PyObject *set_ligatures(PyObject *self, PyObject *table)
{
    if (!PyDict_Check(table)) {
        PyErr_SetString(PyExc_TypeError, "a dict of code points");
        return NULL;
    }
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
        ligatures[n].from = (Py_UCS4)cp;
        ligatures[n].n = (int)len;
        for (Py_ssize_t i = 0; i < len; i++)
            ligatures[n].to[i] = PyUnicode_READ_CHAR(value, i);
        n++;
    }
    n_ligatures = n;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"page_lines", page_lines, METH_VARARGS,
     "page_lines(stext_page_address, context_address) -> [(top, lines)] or None"},
    {"anchor_texts", anchor_texts, METH_VARARGS,
     "anchor_texts(stext_page_address, context_address, rects) -> [anchor text per rect]"},
    {"word_list", word_list, METH_VARARGS, "word_list(stext_page_address, context_address)"},
    {"set_ligatures", set_ligatures, METH_O, "set_ligatures(table): the str.maketrans table"},
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
