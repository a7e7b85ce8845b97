/* Character boxes of the _stext walker: PyMuPDF's JM_char_quad and the font facts it uses. */

#include "_stext.h"

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


void stx_font_lookup(fz_context *ctx, fz_font *font, font_info *fi)
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

/* PyMuPDF's JM_char_quad: recompute the quad when the font's ascender/descender look wrong. */
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

fz_rect stx_char_bbox(fz_context *ctx, fz_stext_line *line, fz_stext_char *ch,
                      const font_info *fi)
{
    fz_rect r = fz_rect_from_quad(char_quad(ctx, line, ch, fi));
    if (line->wmode && r.y1 < r.y0 + ch->size)
        r.y0 = r.y1 - ch->size;
    return r;
}
