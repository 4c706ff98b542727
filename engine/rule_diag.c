/* rule_diag — collected rule-file errors with the source line and a caret excerpt. */
#include "rule_diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rule_diag_init(rule_diag *d, thk_buf *out)
{
    memset(d, 0, sizeof *d);
    d->out = out;
}

void rule_diag_free(rule_diag *d)
{
    for (size_t i = 0; i < d->npending; i++)
        free(d->pending[i].text);
    free(d->pending);
    d->pending = NULL;
    d->npending = d->pending_cap = 0;
    for (size_t i = 0; i < d->nsrc; i++) {
        free(d->src[i].name);
        free(d->src[i].text);
    }
    free(d->src);
    d->src = NULL;
    d->nsrc = d->cap = 0;
}

int rule_diag_add_source(rule_diag *d, const char *name, char *text, size_t len)
{
    if (d->nsrc == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 8;
        d->src = thk_xrealloc(d->src, d->cap * sizeof *d->src);
    }
    d->src[d->nsrc] = (rule_src){thk_xstrdup(name), text, len, -1, 0};
    return (int)d->nsrc++;
}

void rule_diag_set_parent(rule_diag *d, int file, int parent, uint32_t off)
{
    if (file >= 0 && (size_t)file < d->nsrc) {
        d->src[file].parent = parent;
        d->src[file].parent_off = off;
    }
}

const rule_src *rule_diag_source(const rule_diag *d, int file)
{
    return file >= 0 && (size_t)file < d->nsrc ? &d->src[file] : NULL;
}

/* True for a byte that starts a UTF-8 sequence (or is ASCII / stray). */
static bool diag_lead(unsigned char c)
{
    return (c & 0xC0) != 0x80;
}

rule_loc rule_diag_loc(const rule_diag *d, int file, size_t off, size_t len)
{
    rule_loc l = {file, 1, 1, (uint32_t)off, (uint32_t)len};
    const rule_src *s = rule_diag_source(d, file);
    if (!s)
        return l;
    if (off > s->len)
        off = s->len;
    size_t ls = 0;
    for (size_t i = 0; i < off; i++)
        if (s->text[i] == '\n') {
            l.line++;
            ls = i + 1;
        }
    uint32_t col = 1;
    for (size_t i = ls; i < off; i++)
        if (diag_lead((unsigned char)s->text[i]))
            col++;
    l.col = col;
    l.off = (uint32_t)off;
    return l;
}

void rule_diag_where(const rule_diag *d, rule_loc loc, char *out, size_t outsz)
{
    const rule_src *s = rule_diag_source(d, loc.file);
    snprintf(out, outsz, "%s:%u:%u", s ? s->name : "?", loc.line, loc.col);
}

/* Steps i back (dir -1) or forward (+1) to the first byte of a code point within [lo, hi]. */
static size_t diag_boundary(const rule_src *s, size_t i, size_t lo, size_t hi, int dir)
{
    while (i > lo && i < hi && !diag_lead((unsigned char)s->text[i]))
        i = dir < 0 ? i - 1 : i + 1;
    return i;
}

/* Appends the source line of loc and a caret line: '^' under the first code point of the
 * token, '~' under the rest of it (up to the end of the line); tabs are kept so the caret
 * lines up. A line longer than DIAG_WIDE bytes (a generated one-line rule file) is cut to a
 * window around the token, marked with "..." on the cut sides. */
#define DIAG_WIDE 200
static void diag_excerpt(thk_buf *out, const rule_src *s, rule_loc loc)
{
    size_t off = loc.off <= s->len ? loc.off : s->len;
    size_t ls = off, le = off;
    while (ls > 0 && s->text[ls - 1] != '\n')
        ls--;
    while (le < s->len && s->text[le] != '\n')
        le++;
    size_t shown = le;
    if (shown > ls && s->text[shown - 1] == '\r')
        shown--;
    size_t from = ls, to = shown;
    if (to - from > DIAG_WIDE) {
        if (off - from > DIAG_WIDE / 2)
            from = diag_boundary(s, off - DIAG_WIDE / 2, ls, off, -1);
        if (to - from > DIAG_WIDE)
            to = diag_boundary(s, from + DIAG_WIDE, off, shown, +1);
    }
    if (from > ls)
        buf_append(out, "...", 3);
    buf_append(out, s->text + from, to - from);
    if (to < shown)
        buf_append(out, "...", 3);
    buf_putc(out, '\n');
    if (from > ls)
        buf_append(out, "   ", 3);
    for (size_t i = from; i < off; i++) {
        unsigned char c = (unsigned char)s->text[i];
        if (c == '\t')
            buf_putc(out, '\t');
        else if (diag_lead(c))
            buf_putc(out, ' ');
    }
    buf_putc(out, '^');
    size_t end = off + loc.len;
    if (end > to)
        end = to;
    for (size_t i = off + 1; i < end; i++)
        if (diag_lead((unsigned char)s->text[i]))
            buf_putc(out, '~');
    buf_putc(out, '\n');
}

static bool diag_count(rule_diag *d)
{
    if (d->muted) {
        d->nmuted++;
        return false;
    }
    d->nerrors++;
    return true;
}

static void diag_push(rule_diag *d, int file, uint32_t off, thk_buf *text)
{
    if (d->npending == d->pending_cap) {
        d->pending_cap = d->pending_cap ? d->pending_cap * 2 : 16;
        d->pending = thk_xrealloc(d->pending, d->pending_cap * sizeof *d->pending);
    }
    d->pending[d->npending] = (rule_diag_entry){file, off, d->npending, text->data};
    d->npending++;
    *text = (thk_buf){0};
}

void rule_diag_error(rule_diag *d, rule_loc loc, const char *fmt, ...)
{
    if (!diag_count(d))
        return;
    const rule_src *s = rule_diag_source(d, loc.file);
    thk_buf t = {0};
    buf_printf(&t, "%s:%u:%u: lỗi: ", s ? s->name : "?", loc.line, loc.col);
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    buf_printf(&t, "%s\n", msg);
    if (s)
        diag_excerpt(&t, s, loc);
    diag_push(d, s ? loc.file : -1, loc.off, &t);
}

void rule_diag_error_file(rule_diag *d, const char *name, const char *fmt, ...)
{
    if (!diag_count(d))
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    thk_buf t = {0};
    buf_printf(&t, "%s: lỗi: %s\n", name, msg);
    diag_push(d, -1, 0, &t);
}

/* The include chain of a position, root first: files[i] at offsets offs[i]. */
static size_t diag_chain(const rule_diag *d, int file, uint32_t off, int *files, uint32_t *offs)
{
    int f[64];
    uint32_t o[64];
    size_t n = 0;
    while (file >= 0 && n < 64) {
        f[n] = file;
        o[n] = off;
        n++;
        off = d->src[file].parent_off;
        file = d->src[file].parent;
    }
    for (size_t i = 0; i < n; i++) {
        files[i] = f[n - 1 - i];
        offs[i] = o[n - 1 - i];
    }
    return n;
}

static const rule_diag *diag_sorting; /* qsort has no context argument */

static int diag_entry_cmp(const void *a, const void *b)
{
    const rule_diag_entry *x = a, *y = b;
    if ((x->file < 0) != (y->file < 0))
        return x->file < 0 ? -1 : 1;
    if (x->file >= 0) {
        int fx[64], fy[64];
        uint32_t ox[64], oy[64];
        size_t nx = diag_chain(diag_sorting, x->file, x->off, fx, ox);
        size_t ny = diag_chain(diag_sorting, y->file, y->off, fy, oy);
        for (size_t i = 0; i < nx && i < ny; i++) {
            if (fx[i] != fy[i])
                return fx[i] < fy[i] ? -1 : 1;
            if (ox[i] != oy[i])
                return ox[i] < oy[i] ? -1 : 1;
        }
        if (nx != ny)
            return nx < ny ? -1 : 1;
    }
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void rule_diag_flush(rule_diag *d)
{
    if (d->npending == 0) /* nothing to show; qsort(NULL, 0, ...) would be undefined */
        return;
    diag_sorting = d;
    qsort(d->pending, d->npending, sizeof *d->pending, diag_entry_cmp);
    for (size_t i = 0; i < d->npending; i++) {
        if (i < RULE_DIAG_MAX && d->out)
            buf_printf(d->out, "%s", d->pending[i].text);
        free(d->pending[i].text);
    }
    if (d->npending > RULE_DIAG_MAX && d->out)
        buf_printf(d->out, "lỗi: còn %zu lỗi nữa không hiện\n", d->npending - RULE_DIAG_MAX);
    d->npending = 0;
}
