/* rejects — an append-only log of rejected rows and warnings (rare: strings copied one by one). */
#include "rejects.h"

#include <stdlib.h>
#include <string.h>

struct reject_log {
    reject_entry *v;
    size_t n, cap;
    char **files; /* distinct file names, in order of first appearance */
    size_t nfiles;
};

reject_log *rejects_new(void)
{
    return thk_xcalloc(1, sizeof(reject_log));
}

void rejects_free(reject_log *log)
{
    if (!log)
        return;
    for (size_t i = 0; i < log->n; i++) {
        free((char *)log->v[i].column);
        free((char *)log->v[i].value);
        free((char *)log->v[i].detail);
    }
    for (size_t i = 0; i < log->nfiles; i++)
        free(log->files[i]);
    free(log->files);
    free(log->v);
    free(log);
}

static const char *rejects_file(reject_log *log, const char *file)
{
    for (size_t i = 0; i < log->nfiles; i++)
        if (strcmp(log->files[i], file) == 0)
            return log->files[i];
    log->files = thk_xrealloc(log->files, (log->nfiles + 1) * sizeof *log->files);
    log->files[log->nfiles] = thk_xstrdup(file);
    return log->files[log->nfiles++];
}

/* Copies a raw value, showing bytes that are not valid UTF-8 as \xNN so the log stays text. */
static char *rejects_copy_value(const char *s, size_t n)
{
    thk_buf b = {0};
    buf_reserve(&b, n);
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        bool ok = len > 0 && i + len <= n && (len == 1 || c >= 0xC2);
        for (size_t k = 1; ok && k < len; k++)
            ok = ((unsigned char)s[i + k] & 0xC0) == 0x80;
        if (ok && c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            ok = false;
        if (ok) {
            buf_append(&b, s + i, len);
            i += len;
        } else {
            buf_printf(&b, "\\x%02X", c);
            i++;
        }
    }
    if (!b.data)
        return thk_xstrdup("");
    return b.data;
}

void rejects_add(reject_log *log, const char *file, uint32_t line, const char *column,
                 const char *value, size_t vlen, thk_reject code, const char *detail)
{
    if (log->n == log->cap) {
        log->cap = log->cap ? log->cap * 2 : 64;
        log->v = thk_xrealloc(log->v, log->cap * sizeof *log->v);
    }
    reject_entry *e = &log->v[log->n++];
    e->file = rejects_file(log, file ? file : "");
    e->line = line;
    e->column = thk_xstrdup(column ? column : "");
    e->value = rejects_copy_value(value ? value : "", value ? vlen : 0);
    e->detail = thk_xstrdup(detail ? detail : "");
    e->code = code;
    e->cell = 0;
}

void rejects_add_cell(reject_log *log, const char *file, uint32_t line, uint32_t cell,
                      const char *column, const char *value, size_t vlen, thk_reject code,
                      const char *detail)
{
    rejects_add(log, file, line, column, value, vlen, code, detail);
    log->v[log->n - 1].cell = cell;
}

void rejects_where(const reject_entry *e, thk_buf *out)
{
    buf_clear(out);
    buf_printf(out, "%s", e->file ? e->file : "");
    if (!e->cell)
        return;
    char letters[8];
    size_t n = 0;
    for (uint32_t c = e->cell; c && n < sizeof letters; c = (c - 1) / 26)
        letters[n++] = (char)('A' + (c - 1) % 26);
    buf_putc(out, '!');
    while (n)
        buf_putc(out, letters[--n]);
    buf_printf(out, "%u", e->line);
}

size_t rejects_count(const reject_log *log)
{
    return log->n;
}

const reject_entry *rejects_get(const reject_log *log, size_t i)
{
    return i < log->n ? &log->v[i] : NULL;
}

size_t rejects_count_severity(const reject_log *log, const char *file, char severity)
{
    size_t k = 0;
    for (size_t i = 0; i < log->n; i++)
        if ((!file || strcmp(log->v[i].file, file) == 0) &&
            thk_reject_severity(log->v[i].code) == severity)
            k++;
    return k;
}

void rejects_message(const reject_entry *e, thk_buf *out)
{
    buf_clear(out);
    buf_append(out, thk_reject_message(e->code), strlen(thk_reject_message(e->code)));
    if (e->detail && e->detail[0]) {
        buf_append(out, ": ", 2);
        buf_append(out, e->detail, strlen(e->detail));
    }
}

static size_t rejects_file_rank(const reject_log *log, const char *file)
{
    for (size_t i = 0; i < log->nfiles; i++)
        if (log->files[i] == file)
            return i;
    return log->nfiles;
}

static const reject_log *rejects_sort_log; /* qsort has no context argument */

static int rejects_cmp(const void *a, const void *b)
{
    const reject_entry *x = a, *y = b;
    size_t fx = rejects_file_rank(rejects_sort_log, x->file);
    size_t fy = rejects_file_rank(rejects_sort_log, y->file);
    if (fx != fy)
        return fx < fy ? -1 : 1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->code != y->code)
        return x->code < y->code ? -1 : 1;
    int c = strcmp(x->column, y->column);
    if (c)
        return c;
    return strcmp(x->detail, y->detail);
}

void rejects_sort(reject_log *log)
{
    rejects_sort_log = log;
    if (log->n > 1)
        qsort(log->v, log->n, sizeof *log->v, rejects_cmp);
    rejects_sort_log = NULL;
}

void rejects_append(reject_log *to, const reject_log *from)
{
    for (size_t i = 0; i < rejects_count(from); i++) {
        const reject_entry *e = rejects_get(from, i);
        rejects_add_cell(to, e->file, e->line, e->cell, e->column, e->value, strlen(e->value),
                         e->code, e->detail);
    }
}
