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

static inline int moderate(float v)
{
    return v > -1e37f && v < 1e37f; /* false for NaN and infinities too */
}

/* The glyph box of a character of a horizontal-mode line, in the line's frame with the origin
   at 0 (PyMuPDF's correction): top at asc and bottom at dsc (negated when the quad does not
   point up), the left edge at least 0, a zero-width glyph widened to its advance. 0 when that
   widened edge is not a moderate value. */
static int glyph_box(fz_context *ctx, fz_quad *q, fz_stext_char *ch, float asc, float dsc,
                     float fsize, int up)
{
    if (up) {
        q->ul.y = asc;
        q->ur.y = asc;
        q->ll.y = dsc;
        q->lr.y = dsc;
    } else {
        q->ul.y = -asc;
        q->ur.y = -asc;
        q->ll.y = -dsc;
        q->lr.y = -dsc;
    }
    if (q->ll.x < 0) {
        q->ll.x = 0;
        q->ul.x = 0;
    }
    float cwidth = q->lr.x - q->ll.x;
    if (cwidth < FLT_EPSILON) {
        int glyph = fz_encode_character(ctx, ch->font, ch->c);
        if (glyph) {
            float fwidth = fz_advance_glyph(ctx, ch->font, glyph, 0); /* wmode 0 */
            q->lr.x = q->ll.x + fwidth * fsize;
            q->ur.x = q->lr.x;
            return moderate(q->lr.x);
        }
    }
    return 1;
}

/* char_quad below for a horizontal line (dir (1, 0)), without its four transforms: there the
   rotations are the identity and the translations subtract and add the origin, so with
   moderate finite values (no overflow, no NaN) every coordinate comes out the same, up to the
   sign of a zero, which no comparison sees. 0 means: take the general path. */
static int horizontal_quad(fz_context *ctx, fz_stext_char *ch, float asc, float dsc,
                           float fsize, fz_quad *out)
{
    fz_quad q = ch->quad;
    float ox = ch->origin.x, oy = ch->origin.y;
    if (!(moderate(ox) && moderate(oy) && moderate(q.ul.x) && moderate(q.ul.y) &&
          moderate(q.ur.x) && moderate(q.ur.y) && moderate(q.ll.x) && moderate(q.ll.y) &&
          moderate(q.lr.x) && moderate(q.lr.y) && moderate(asc) && moderate(dsc)))
        return 0;
    q.ul.x -= ox;
    q.ur.x -= ox;
    q.ll.x -= ox;
    q.lr.x -= ox;
    if (!glyph_box(ctx, &q, ch, asc, dsc, fsize, q.ul.y - oy > 0))
        return 0;
    q.ul.x += ox;
    q.ur.x += ox;
    q.ll.x += ox;
    q.lr.x += ox;
    q.ul.y += oy;
    q.ur.y += oy;
    q.ll.y += oy;
    q.lr.y += oy;
    *out = q;
    return 1;
}

static fz_quad char_quad(fz_context *ctx, fz_stext_line *line, fz_stext_char *ch,
                         const font_info *fi)
{
    if (line->wmode)
        return ch->quad;
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
    if (c == 1 && s == 0) {
        fz_quad fast;
        if (horizontal_quad(ctx, ch, asc, dsc, fsize, &fast))
            return fast;
    }
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
    glyph_box(ctx, &quad, ch, asc, dsc, fsize, c == 1 && quad.ul.y > 0);
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

/* What layout reads of one line besides its box: _line_text's results, and what decides
   whether the line is read at all (dict_lines' _skipped) or may be a heading. */
typedef struct {
    PyObject *text, *sizes, *markers;
    int bold, blank, maybe_heading;
    Py_ssize_t ndigits; /* length of the stripped text when it is all digits, else -1 */
    double max_size;    /* max(sizes) */
    double dominant;    /* max(sizes, key=sizes.__getitem__): the first of the most used */
} summary;

static char heading_words[32][32];
static int n_heading_words = 0;
static double margin_number_pt = 6.5;

/* Non-ASCII text, or ASCII text whose lower case holds one of the heading words (so the
   caller's casefolded regex can only match where this says 1). */
static int maybe_heading(const Py_UCS4 *p, Py_ssize_t n)
{
    for (Py_ssize_t i = 0; i < n; i++)
        if (p[i] >= 128)
            return 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        for (int k = 0; k < n_heading_words; k++) {
            const char *w = heading_words[k];
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

static void summary_clear(summary *sm)
{
    Py_CLEAR(sm->text);
    Py_CLEAR(sm->sizes);
    Py_CLEAR(sm->markers);
}

/* layout._line_text over the spans of one line, into sm (0, or -1 with a Python error). */
static int line_summary(const Py_UCS4 *raw, spans *sp, ubuf *text, summary *sm)
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
    summary_clear(sm);
    return -1;
}

/* dict_lines' _skipped: a blank line, or a margin line number (by the block's largest type). */
static int skipped(const summary *sm, double top)
{
    if (sm->ndigits < 0)
        return sm->blank;
    if (sm->ndigits > 4 || PyDict_GET_SIZE(sm->sizes) == 0)
        return 0;
    return sm->max_size <= margin_number_pt || sm->max_size < 0.6 * top;
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
        if (line_summary(raw->p, sp, text, &pl[n].sm) < 0)
            goto fail;
        pl[n].box = box;
        pl[n].rotated = fabs((double)line->dir.y) > 0.5;
        n++;
    }
    if (!(lines = PyList_New(0)))
        goto fail;
    for (Py_ssize_t i = 0; i < n; i++) {
        summary *sm = &pl[i].sm;
        if (skipped(sm, top))
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
        summary_clear(&pl[i].sm);
    PyMem_Free(pl);
    return lines;
fail:
    for (Py_ssize_t i = 0; i < n; i++)
        summary_clear(&pl[i].sm);
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
        ligatures[n].from = (Py_UCS4)cp;
        ligatures[n].n = (int)len;
        for (Py_ssize_t i = 0; i < len; i++)
            ligatures[n].to[i] = PyUnicode_READ_CHAR(value, i);
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
        memcpy(heading_words[i], w, len + 1);
    }
    n_ligatures = n;
    n_heading_words = (int)nw;
    margin_number_pt = margin;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"page_lines", page_lines, METH_VARARGS,
     "page_lines(stext_page_address, context_address) -> [[line, ...] per block] or None"},
    {"anchor_texts", anchor_texts, METH_VARARGS,
     "anchor_texts(stext_page_address, context_address, rects) -> [anchor text per rect]"},
    {"word_list", word_list, METH_VARARGS, "word_list(stext_page_address, context_address)"},
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
