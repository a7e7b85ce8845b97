/* What the units of the _stext module share (private: not installed, not a public API).

   _stext.c           the module: spans of a line, text blocks, page_lines, configure, init
   _stext_geometry.c  character boxes as PyMuPDF's JM_char_quad makes them, font lookup
   _stext_text.c      span text, line summaries as layout's _line_text, the configured rules
   _stext_words.c     words as extractWORDS, anchor texts as PageWords.anchor_text

   Functions and globals used by more than one unit carry the stx_ prefix; the module is built
   with -fvisibility=hidden (native_build), so only PyInit__stext is exported. */

#ifndef MINER_STEXT_H
#define MINER_STEXT_H

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

/* Set by configure (_stext.c), defined in _stext_text.c. */
extern ligature stx_ligatures[64];
extern int stx_n_ligatures;
extern char stx_heading_words[32][32];
extern int stx_n_heading_words;
extern double stx_margin_number_pt;

/* Growable UCS4 buffer. */
typedef struct {
    Py_UCS4 *p;
    Py_ssize_t n, cap;
} ubuf;

/* In the header, inline: every unit appends characters one at a time. */
static inline int ubuf_put(ubuf *b, Py_UCS4 c)
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

/* What the walker reads of a font, looked up once per run of characters in that font. */
typedef struct {
    fz_font *font;
    float asc, dsc;
    int flags; /* italic, serif, monospaced, bold as PyMuPDF's span flags */
    const char *name;
} font_info;

/* What layout reads of one line besides its box: _line_text's results, and what decides
   whether the line is read at all (dict_lines' _skipped) or may be a heading. */
typedef struct {
    PyObject *text, *sizes, *markers;
    int bold, blank, maybe_heading;
    Py_ssize_t ndigits; /* length of the stripped text when it is all digits, else -1 */
    double max_size;    /* max(sizes) */
    double dominant;    /* max(sizes, key=sizes.__getitem__): the first of the most used */
} summary;

/* _stext_geometry.c */
void stx_font_lookup(fz_context *ctx, fz_font *font, font_info *fi);
fz_rect stx_char_bbox(fz_context *ctx, fz_stext_line *line, fz_stext_char *ch,
                      const font_info *fi);

/* In the header, inline: both walks test every character. */
static inline int rects_overlap(fz_rect a, fz_rect b)
{
    return !(a.x0 >= b.x1 || a.y0 >= b.y1 || a.x1 <= b.x0 || a.y1 <= b.y0);
}

/* _stext_text.c */
int stx_put_rune(ubuf *b, int c);
int stx_line_summary(const Py_UCS4 *raw, spans *sp, ubuf *text, summary *sm);
void stx_summary_clear(summary *sm);
int stx_skipped(const summary *sm, double top);

/* _stext_words.c */
PyObject *stx_anchor_texts(PyObject *self, PyObject *args);
PyObject *stx_word_list(PyObject *self, PyObject *args);

#endif
