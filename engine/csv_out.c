/* csv_out — RFC 4180 writers for cells.csv and rejects.csv, streamed to disk in large blocks. */
#include "csv_out.h"

#include "read_date.h"
#include "strpool.h"
#include "read_csv.h"
#include "read_text.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CSV_OUT_BLOCK 65536

/* Nonzero when one of the 8 bytes of w equals the byte repeated in rep (exact: the borrow of
 * the subtraction only ever marks bytes above a zero byte). */
static inline uint64_t csv_has_byte(uint64_t w, uint64_t rep)
{
    uint64_t x = w ^ rep;
    return (x - 0x0101010101010101ULL) & ~x & 0x8080808080808080ULL;
}

bool csv_needs_quote(const char *s, size_t n, char delim, unsigned flags)
{
    if (!s)
        n = 0;
    if (flags & CSV_QUOTE_FORCE)
        return true;
    if (n && (flags & CSV_QUOTE_BLANKS) &&
        (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        return true;
    /* eight bytes at a time: cases.csv quotes every text field it writes through here */
    const uint64_t ones = 0x0101010101010101ULL;
    const uint64_t d = ones * (unsigned char)delim, qu = ones * '"', cr = ones * '\r',
                   lf = ones * '\n';
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (csv_has_byte(w, d) | csv_has_byte(w, qu) | csv_has_byte(w, cr) | csv_has_byte(w, lf))
            return true;
    }
    for (; i < n; i++)
        if (s[i] == delim || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
            return true;
    return false;
}

void csv_quote(thk_buf *b, const char *s, size_t n, char delim, unsigned flags)
{
    if (!s)
        n = 0;
    if (!csv_needs_quote(s, n, delim, flags)) {
        if (n)
            buf_append(b, s, n);
        return;
    }
    buf_reserve(b, n + 3);
    buf_putc(b, '"');
    size_t from = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '"') {
            buf_append(b, s + from, i + 1 - from); /* the quote itself, then once more */
            buf_putc(b, '"');
            from = i + 1;
        }
    buf_append(b, s + from, n - from);
    buf_putc(b, '"');
}

void csv_out_field(thk_buf *b, const char *s, size_t n, bool last)
{
    csv_quote(b, s, n, ',', CSV_QUOTE_BLANKS);
    buf_putc(b, last ? '\n' : ',');
}

void csv_out_str(thk_buf *b, const char *s, bool last)
{
    csv_out_field(b, s, s ? strlen(s) : 0, last);
}

void csv_out_int(thk_buf *b, int64_t v, bool last)
{
    buf_put_int(b, v); /* cases.csv writes four amounts a case */
    buf_putc(b, last ? '\n' : ',');
}

/* The cells.csv text of one value. */
static void csv_out_value(thk_buf *b, const form_table *t, size_t r, size_t c, bool last)
{
    const form_cell *cell = form_cell_at(t, r, c);
    char tmp[32];
    switch (t->cols[c].kind) {
    case FORM_KIND_RATE:
        form_rate_format(cell, tmp);
        csv_out_str(b, tmp, last);
        break;
    case FORM_KIND_TEXT:
        csv_out_str(b, t->texts ? t->texts[r * t->ncols + c] : NULL, last);
        break;
    case FORM_KIND_DATE:
        if (cell->empty || cell->v == THK_DATE_NONE || cell->v < INT32_MIN || cell->v > INT32_MAX) {
            csv_out_field(b, "", 0, last);
        } else {
            char iso[11];
            date_format_iso((thk_date)cell->v, iso);
            csv_out_str(b, iso, last);
        }
        break;
    default: /* counts and money (đồng) */
        if (cell->empty)
            csv_out_field(b, "", 0, last);
        else
            csv_out_int(b, cell->v, last);
        break;
    }
}

/* Appends the cells of table t to b, calling flush (when not NULL) after every row. */
static int csv_out_table(thk_buf *b, const form_table *t, csv_out_file *f)
{
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            csv_out_str(b, t->id, false);
            csv_out_str(b, t->rows[r].key, false);
            csv_out_str(b, t->cols[c].code, false);
            csv_out_value(b, t, r, c, true);
        }
        if (f && csv_out_flush_some(f))
            return THK_EXIT_OUTPUT;
    }
    return 0;
}

static const char *const csv_out_cells_columns[4] = {"form", "row", "column", "value"};
static const char *const csv_out_accs_columns[4] = {"form", "row", "acc", "value"};
static const char *const csv_out_labels_columns[4] = {"form", "row", "level", "label"};
static const char *const csv_out_lists_columns[2] = {"list", "rank"};
static const char csv_out_rejects_header[] = "file,line,column,value,severity,code,message\n";

void csv_out_cells_header(thk_buf *b)
{
    for (size_t k = 0; k < 4; k++)
        csv_out_str(b, csv_out_cells_columns[k], k == 3);
}

void csv_out_cells(const form_set *fs, thk_buf *out)
{
    csv_out_cells_header(out);
    for (size_t i = 0; i < fs->ntables; i++)
        if (!fs->tables[i].is_list)
            csv_out_table(out, &fs->tables[i], NULL);
}

void csv_out_accs_header(thk_buf *b)
{
    for (size_t k = 0; k < 4; k++)
        csv_out_str(b, csv_out_accs_columns[k], k == 3);
}

void csv_out_acc_line(thk_buf *b, const char *form, const char *row, const char *acc, int64_t v)
{
    csv_out_str(b, form, false);
    csv_out_str(b, row, false);
    csv_out_str(b, acc, false);
    csv_out_int(b, v, true);
}

void csv_out_accs(const form_set *fs, thk_buf *out)
{
    csv_out_accs_header(out);
    for (size_t i = 0; i < fs->ntables; i++) {
        const form_table *t = &fs->tables[i];
        if (t->is_list || !t->accs)
            continue;
        for (size_t r = 0; r < t->nrows; r++) {
            if (t->rows[r].kind != FORM_ROW_DATA)
                continue;
            for (size_t a = 0; a < t->naccs; a++) {
                int64_t v = t->accs[r * t->naccs + a];
                if (v)
                    csv_out_acc_line(out, t->id, t->rows[r].key, t->acc_names[a], v);
            }
        }
    }
}

/* A text field of rejects.csv: copied when it is valid UTF-8, else with every invalid byte
 * written as \xHH (text_escape_invalid), so rejects.csv itself is always valid UTF-8. */
static void csv_out_text(thk_buf *b, const char *s, size_t n, thk_buf *tmp, bool last)
{
    if (!s || text_utf8_invalid_at(s, n) < 0) {
        csv_out_field(b, s, n, last);
        return;
    }
    buf_clear(tmp);
    text_escape_invalid(tmp, s, n);
    csv_out_field(b, tmp->data, tmp->len, last);
}

static void csv_out_reject_line(thk_buf *b, const reject_entry *e, thk_buf *msg)
{
    char sev[2] = {thk_reject_severity(e->code), '\0'};
    thk_buf tmp = {0}, where = {0};
    rejects_where(e, &where);
    csv_out_text(b, where.data, where.len, &tmp, false);
    buf_free(&where);
    csv_out_int(b, e->line, false);
    csv_out_text(b, e->column, e->column ? strlen(e->column) : 0, &tmp, false);
    csv_out_text(b, e->value, e->value ? strlen(e->value) : 0, &tmp, false);
    csv_out_str(b, sev, false);
    csv_out_str(b, thk_reject_code(e->code), false);
    rejects_message(e, msg);
    csv_out_text(b, msg->data, msg->len, &tmp, true);
    buf_free(&tmp);
}

void csv_out_bom(thk_buf *b)
{
    buf_append(b, "\xEF\xBB\xBF", 3);
}

void csv_out_rejects(const reject_log *log, thk_buf *out)
{
    thk_buf msg = {0};
    csv_out_bom(out);
    buf_append(out, csv_out_rejects_header, sizeof csv_out_rejects_header - 1);
    size_t n = log ? rejects_count(log) : 0;
    for (size_t i = 0; i < n; i++)
        csv_out_reject_line(out, rejects_get(log, i), &msg);
    buf_free(&msg);
}

struct csv_out_file {
    FILE *fp;
    char *path;
    thk_buf buf;
    int error; /* first errno seen, 0 while all is well */
};

csv_out_file *csv_out_open(const char *path, thk_buf *err)
{
    FILE *fp = fopen(path, "wb");
    if (!fp) {
        buf_printf(err, "%s: không tạo được tệp: %s", path, strerror(errno));
        return NULL;
    }
    csv_out_file *f = thk_xcalloc(1, sizeof *f);
    f->fp = fp;
    f->path = thk_xstrdup(path);
    buf_reserve(&f->buf, CSV_OUT_BLOCK + 4096);
    return f;
}

thk_buf *csv_out_buffer(csv_out_file *f)
{
    return &f->buf;
}

static void csv_out_drain(csv_out_file *f)
{
    if (f->buf.len && !f->error) {
        errno = 0;
        if (fwrite(f->buf.data, 1, f->buf.len, f->fp) != f->buf.len)
            f->error = errno ? errno : EIO;
    }
    buf_clear(&f->buf);
}

int csv_out_flush_some(csv_out_file *f)
{
    if (f->buf.len >= CSV_OUT_BLOCK)
        csv_out_drain(f);
    return f->error ? THK_EXIT_OUTPUT : 0;
}

int csv_out_close(csv_out_file *f, thk_buf *err)
{
    if (!f)
        return 0;
    csv_out_drain(f);
    errno = 0;
    if (fflush(f->fp) != 0 && !f->error)
        f->error = errno ? errno : EIO;
    if (ferror(f->fp) && !f->error)
        f->error = EIO;
    errno = 0;
    if (fclose(f->fp) != 0 && !f->error)
        f->error = errno ? errno : EIO;
    int rc = 0;
    if (f->error) {
        buf_printf(err, "%s: lỗi ghi tệp: %s", f->path, strerror(f->error));
        rc = THK_EXIT_OUTPUT;
    }
    buf_free(&f->buf);
    free(f->path);
    free(f);
    return rc;
}

int csv_out_write_cells(const char *path, const form_set *fs, thk_buf *err)
{
    csv_out_file *f = csv_out_open(path, err);
    if (!f)
        return THK_EXIT_OUTPUT;
    csv_out_cells_header(&f->buf);
    for (size_t i = 0; i < fs->ntables; i++)
        if (!fs->tables[i].is_list && csv_out_table(&f->buf, &fs->tables[i], f))
            break;
    return csv_out_close(f, err);
}

int csv_out_write_rejects(const char *path, const reject_log *log, thk_buf *err)
{
    csv_out_file *f = csv_out_open(path, err);
    if (!f)
        return THK_EXIT_OUTPUT;
    thk_buf msg = {0};
    csv_out_bom(&f->buf);
    buf_append(&f->buf, csv_out_rejects_header, sizeof csv_out_rejects_header - 1);
    size_t n = log ? rejects_count(log) : 0;
    for (size_t i = 0; i < n; i++) {
        csv_out_reject_line(&f->buf, rejects_get(log, i), &msg);
        if (csv_out_flush_some(f))
            break;
    }
    buf_free(&msg);
    return csv_out_close(f, err);
}

/* ---- cases.csv ------------------------------------------------------------------------ */

const char *const csv_out_cases_columns[CSV_CASE__N] = {
    "ma_viec", "ma_don_vi", "carried",   "new",       "state", "terminal_date",
    "B",       "collected", "reduced", "remaining", "flags"};

/* A key column's name is shown unless it repeats one of the fixed columns. */
static bool csv_out_key_shown(const char *const *fixed, size_t nfixed, const char *name)
{
    for (size_t k = 0; k < nfixed; k++)
        if (strcmp(fixed[k], name) == 0)
            return false;
    return true;
}

/* The header: the fixed columns, then the shown keys. */
static void csv_out_keyed_header(thk_buf *b, const char *const *fixed, size_t nfixed,
                                 const char *const *keys, const bool *shown, size_t nkeys)
{
    size_t last = nfixed - 1;
    for (size_t k = 0; k < nkeys; k++)
        if (shown[k])
            last = nfixed + k;
    for (size_t k = 0; k < nfixed; k++)
        csv_out_str(b, fixed[k], k == last);
    for (size_t k = 0; k < nkeys; k++)
        if (shown[k])
            csv_out_str(b, keys[k], nfixed + k == last);
}

/* The last fixed field (flags), then the shown keys of block `keys`. */
static void csv_out_keyed_tail(thk_buf *b, const char *flags, const char *keys, const bool *shown,
                               size_t nkeys)
{
    bool more = false;
    for (size_t k = 0; k < nkeys; k++)
        more = more || shown[k];
    csv_out_str(b, flags, !more);
    size_t left = 0;
    for (size_t k = 0; k < nkeys; k++)
        left += shown[k];
    for (size_t k = 0; k < nkeys; k++) {
        if (shown[k])
            csv_out_str(b, keys, --left == 0);
        keys += strlen(keys) + 1;
    }
}

bool csv_out_case_key_shown(const char *name)
{
    return csv_out_key_shown(csv_out_cases_columns, CSV_CASE__N, name);
}

void csv_out_cases_header(thk_buf *b, const char *const *keys, const bool *shown, size_t nkeys)
{
    csv_out_keyed_header(b, csv_out_cases_columns, CSV_CASE__N, keys, shown, nkeys);
}

void csv_out_case_row(thk_buf *b, const char *ma_viec, const char *unit, const replay_facts *f,
                      const char *flags, const char *keys, const bool *shown, size_t nkeys)
{
    char d[11];
    csv_out_str(b, ma_viec, false);
    csv_out_str(b, unit, false);
    csv_out_int(b, f->carried, false);
    csv_out_int(b, f->is_new, false);
    csv_out_str(b, replay_state_name(f->state), false);
    date_format(f->terminal_date, d);
    csv_out_str(b, d, false);
    csv_out_int(b, f->B, false);
    csv_out_int(b, f->collected, false);
    csv_out_int(b, f->reduced, false);
    csv_out_int(b, f->remaining, false);
    csv_out_keyed_tail(b, flags, keys, shown, nkeys);
}

const char *const csv_out_thahc_columns[CSV_THAHC__N] = {
    "ma_ban_an", "ma_don_vi",      "ngay_thu_ly",       "ngay_qd_buoc", "ngay_xong",
    "ngay_huy_hoan_tdc", "ngay_kien_nghi", "cap_phai_thi_hanh", "cells", "flags"};

bool csv_out_thahc_key_shown(const char *name)
{
    return csv_out_key_shown(csv_out_thahc_columns, CSV_THAHC__N, name);
}

void csv_out_thahc_header(thk_buf *b, const char *const *keys, const bool *shown, size_t nkeys)
{
    csv_out_keyed_header(b, csv_out_thahc_columns, CSV_THAHC__N, keys, shown, nkeys);
}

void csv_out_thahc_row(thk_buf *b, const char *ma_ban_an, const char *unit, const model_thahc *t,
                       const char *cap, const char *cells, const char *flags, const char *keys,
                       const bool *shown, size_t nkeys)
{
    const thk_date dates[] = {t->ngay_thu_ly, t->ngay_qd_buoc, t->ngay_xong, t->ngay_huy_hoan_tdc,
                              t->ngay_kien_nghi};
    csv_out_str(b, ma_ban_an, false);
    csv_out_str(b, unit, false);
    for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
        char d[11];
        date_format(dates[i], d);
        csv_out_str(b, d, false);
    }
    csv_out_str(b, cap, false);
    csv_out_str(b, cells, false);
    csv_out_keyed_tail(b, flags, keys, shown, nkeys);
}

/* ---- reading our own outputs back (diff, merge) ------------------------------------------ */

typedef struct {
    const char *path;
    strpool *pool;
    cells_lines *out;
    thk_buf *err;
    bool header;
    const char *const *columns; /* the header: cells.csv's or accumulators.csv's */
} cells_read_ctx;

static int csv_out_cells_record(void *vctx, const reader_record *rec)
{
    cells_read_ctx *c = vctx;
    if (!c->header) {
        bool ok = rec->nfields == 4;
        for (size_t i = 0; ok && i < 4; i++)
            ok = strcmp(rec->fields[i], c->columns[i]) == 0;
        if (!ok) {
            const char *const *h = c->columns;
            buf_printf(c->err,
                       "%s: dòng %" PRIu32 ": tiêu đề phải là %s,%s,%s,%s", c->path,
                       rec->line, h[0], h[1], h[2], h[3]);
            return THK_EXIT_INPUT;
        }
        c->header = true;
        return 0;
    }
    if (rec->nfields != 4) {
        buf_printf(c->err, "%s: dòng %" PRIu32 ": có %zu trường, cần 4",
                   c->path, rec->line, rec->nfields);
        return THK_EXIT_INPUT;
    }
    cells_lines *o = c->out;
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 1024;
        o->cells = thk_xrealloc(o->cells, o->cap * sizeof *o->cells);
    }
    cells_line *d = &o->cells[o->n++];
    d->form = strpool_intern(c->pool, rec->fields[0], rec->lens[0]);
    d->row = strpool_intern(c->pool, rec->fields[1], rec->lens[1]);
    d->column = strpool_intern(c->pool, rec->fields[2], rec->lens[2]);
    d->value = strpool_intern(c->pool, rec->fields[3], rec->lens[3]);
    return 0;
}

int csv_out_read(const char *path, reader_fn fn, void *ctx, const bool *header,
                         thk_buf *err)
{
    reader_opts ro = {.encoding = NULL, .delimiter = ','};
    reader_stats st;
    if (reader_run_file(path, &ro, fn, ctx, &st, err) != 0)
        return THK_EXIT_INPUT;
    if (!*header) {
        buf_printf(err, "%s: tệp rỗng, thiếu dòng tiêu đề", path);
        return THK_EXIT_INPUT;
    }
    return 0;
}

int csv_out_cells_read(const char *path, strpool *pool, cells_lines *out, thk_buf *err)
{
    cells_read_ctx c = {path, pool, out, err, false, csv_out_cells_columns};
    return csv_out_read(path, csv_out_cells_record, &c, &c.header, err);
}

int csv_out_accs_read(const char *path, strpool *pool, cells_lines *out, thk_buf *err)
{
    cells_read_ctx c = {path, pool, out, err, false, csv_out_accs_columns};
    return csv_out_read(path, csv_out_cells_record, &c, &c.header, err);
}

int csv_out_labels_read(const char *path, strpool *pool, cells_lines *out, thk_buf *err)
{
    cells_read_ctx c = {path, pool, out, err, false, csv_out_labels_columns};
    return csv_out_read(path, csv_out_cells_record, &c, &c.header, err);
}

/* lists.csv read back: a line (list, rank, column, value) for every non-empty field. */
typedef struct {
    const char *path;
    strpool *pool;
    cells_lines *out;
    thk_buf *err;
    bool header;
    uint32_t *names; /* pool ids of the header's fields */
    size_t nfields;
    const char *c0, *c1; /* the header's first fields; c1 NULL: no rank (the record's number) */
    size_t nrec;
} lists_read_ctx;

static int csv_out_lists_record(void *vctx, const reader_record *rec)
{
    lists_read_ctx *c = vctx;
    if (!c->header) {
        if (rec->nfields < 2 || strcmp(rec->fields[0], c->c0) != 0 ||
            (c->c1 && strcmp(rec->fields[1], c->c1) != 0)) {
            buf_printf(c->err, "%s: dòng %" PRIu32 ": tiêu đề phải bắt đầu bằng %s%s%s", c->path,
                       rec->line, c->c0, c->c1 ? "," : "", c->c1 ? c->c1 : "");
            return THK_EXIT_INPUT;
        }
        c->nfields = rec->nfields;
        c->names = thk_xcalloc(rec->nfields + 1, sizeof *c->names);
        for (size_t i = 0; i < rec->nfields; i++)
            c->names[i] = strpool_intern(c->pool, rec->fields[i], rec->lens[i]);
        c->header = true;
        return 0;
    }
    if (rec->nfields != c->nfields) {
        buf_printf(c->err, "%s: dòng %" PRIu32 ": có %zu trường, tiêu đề có %zu", c->path,
                   rec->line, rec->nfields, c->nfields);
        return THK_EXIT_INPUT;
    }
    cells_lines *o = c->out;
    uint32_t list = strpool_intern(c->pool, rec->fields[0], rec->lens[0]);
    uint32_t rank;
    if (c->c1) {
        rank = strpool_intern(c->pool, rec->fields[1], rec->lens[1]);
    } else {
        char num[24];
        int len = snprintf(num, sizeof num, "%zu", ++c->nrec);
        rank = strpool_intern(c->pool, num, (size_t)len);
    }
    for (size_t i = c->c1 ? 2 : 1; i < rec->nfields; i++) {
        if (rec->lens[i] == 0)
            continue;
        if (o->n == o->cap) {
            o->cap = o->cap ? o->cap * 2 : 1024;
            o->cells = thk_xrealloc(o->cells, o->cap * sizeof *o->cells);
        }
        o->cells[o->n++] = (cells_line){list, rank, c->names[i],
                                        strpool_intern(c->pool, rec->fields[i], rec->lens[i])};
    }
    return 0;
}

int csv_out_lists_read(const char *path, strpool *pool, cells_lines *out, thk_buf *err)
{
    lists_read_ctx c = {path, pool, out, err, false, NULL, 0, csv_out_lists_columns[0],
                        csv_out_lists_columns[1], 0};
    int rc = csv_out_read(path, csv_out_lists_record, &c, &c.header, err);
    free(c.names);
    return rc;
}

int csv_out_screen_cases_read(const char *path, strpool *pool, cells_lines *out, thk_buf *err)
{
    lists_read_ctx c = {path, pool, out, err, false, NULL, 0, "screen", NULL, 0};
    int rc = csv_out_read(path, csv_out_lists_record, &c, &c.header, err);
    free(c.names);
    return rc;
}

int csv_out_write_labels(const char *path, const form_set *fs, thk_buf *err)
{
    csv_out_file *f = csv_out_open(path, err);
    if (!f)
        return THK_EXIT_OUTPUT;
    thk_buf *b = &f->buf;
    for (size_t k = 0; k < 4; k++)
        csv_out_str(b, csv_out_labels_columns[k], k == 3);
    for (size_t i = 0; i < fs->ntables; i++) {
        const form_table *t = &fs->tables[i];
        for (size_t r = 0; !t->is_list && r < t->nrows; r++) {
            if (t->rows[r].kind != FORM_ROW_DATA || !t->rows[r].labels)
                continue;
            for (size_t l = 0; l < t->nrowfields; l++) {
                csv_out_str(b, t->id, false);
                csv_out_str(b, t->rows[r].key, false);
                csv_out_int(b, (int64_t)l, false);
                csv_out_str(b, t->rows[r].labels[l], true);
            }
            if (csv_out_flush_some(f))
                break;
        }
    }
    return csv_out_close(f, err);
}

/* One line per row of the list tables among tables[0..n): the table's id (column c0), the
 * row's rank from 1 (column c1; none when c1 is NULL), then the union of the tables' shown
 * columns, first appearance first, empty where a table has no such column. */
static int csv_out_write_rows(const char *path, const form_table *tables, size_t n,
                              const char *c0, const char *c1, bool bom, thk_buf *err)
{
    csv_out_file *f = csv_out_open(path, err);
    if (!f)
        return THK_EXIT_OUTPUT;
    thk_buf *b = &f->buf;
    if (bom)
        csv_out_bom(b);
    size_t cap = 0, nn = 0;
    for (size_t i = 0; i < n; i++)
        cap += tables[i].is_list ? tables[i].ncols : 0;
    const char **names = thk_xcalloc(cap + 1, sizeof *names);
    for (size_t i = 0; i < n; i++)
        for (size_t c = 0; tables[i].is_list && c < tables[i].ncols; c++) {
            const char *code = tables[i].cols[c].code;
            size_t k = 0;
            while (k < nn && strcmp(names[k], code) != 0)
                k++;
            if (k == nn)
                names[nn++] = code;
        }
    csv_out_str(b, c0, nn == 0 && !c1);
    if (c1)
        csv_out_str(b, c1, nn == 0);
    for (size_t k = 0; k < nn; k++)
        csv_out_str(b, names[k], k + 1 == nn);
    int *colof = thk_xcalloc(nn + 1, sizeof *colof);
    for (size_t i = 0; i < n; i++) {
        const form_table *t = &tables[i];
        if (!t->is_list)
            continue;
        for (size_t k = 0; k < nn; k++) {
            colof[k] = -1;
            for (size_t c = 0; c < t->ncols && colof[k] < 0; c++)
                if (strcmp(t->cols[c].code, names[k]) == 0)
                    colof[k] = (int)c;
        }
        for (size_t r = 0; r < t->nrows; r++) {
            csv_out_str(b, t->id, nn == 0 && !c1);
            if (c1)
                csv_out_int(b, (int64_t)r + 1, nn == 0);
            for (size_t k = 0; k < nn; k++) {
                if (colof[k] >= 0)
                    csv_out_value(b, t, r, (size_t)colof[k], k + 1 == nn);
                else
                    csv_out_field(b, "", 0, k + 1 == nn);
            }
            if (csv_out_flush_some(f))
                break;
        }
    }
    free(colof);
    free(names);
    return csv_out_close(f, err);
}

int csv_out_write_lists(const char *path, const form_set *fs, thk_buf *err)
{
    return csv_out_write_rows(path, fs->tables, fs->ntables, csv_out_lists_columns[0],
                              csv_out_lists_columns[1], false, err);
}


int csv_out_write_accs(const char *path, const form_set *fs, thk_buf *err)
{
    csv_out_file *f = csv_out_open(path, err);
    if (!f)
        return THK_EXIT_OUTPUT;
    csv_out_accs(fs, &f->buf);
    return csv_out_close(f, err);
}

void csv_out_cells_free(cells_lines *c)
{
    if (!c)
        return;
    free(c->cells);
    *c = (cells_lines){0};
}

/* ---- rejects.csv read back (a merge's workbook) ----------------------------------------- */

typedef struct {
    const char *path;
    reject_log *log;
    thk_buf *err;
    bool header;
} rejects_read_ctx;

static int csv_out_rejects_record(void *vctx, const reader_record *rec)
{
    rejects_read_ctx *c = vctx;
    if (!c->header) {
        c->header = true;
        return 0;
    }
    int code = -1;
    for (int k = 0; rec->nfields == 7 && k < REJ__COUNT && code < 0; k++)
        if (strcmp(thk_reject_code((thk_reject)k), rec->fields[5]) == 0)
            code = k;
    char *end;
    unsigned long line = rec->nfields == 7 ? strtoul(rec->fields[1], &end, 10) : 0;
    if (code < 0 || line > UINT32_MAX) {
        buf_printf(c->err, "%s: dòng %" PRIu32 ": không phải một dòng của rejects.csv", c->path,
                   rec->line);
        return THK_EXIT_INPUT;
    }
    /* the message is the catalogue text, then ": detail" */
    const char *msg = rec->fields[6], *cat = thk_reject_message((thk_reject)code);
    size_t n = strlen(cat);
    const char *detail = strncmp(msg, cat, n) == 0 && strncmp(msg + n, ": ", 2) == 0 ? msg + n + 2
                                                                                      : NULL;
    rejects_add(c->log, rec->fields[0], (uint32_t)line, rec->fields[2], rec->fields[3],
                rec->lens[3], (thk_reject)code, detail);
    return 0;
}

int csv_out_rejects_read(const char *path, reject_log *log, thk_buf *err)
{
    rejects_read_ctx c = {path, log, err, false};
    return csv_out_read(path, csv_out_rejects_record, &c, &c.header, err);
}
