/* read_xls — .xls (BIFF8) rows as reader_records via libfreexl. */
#include "read_xls.h"

#include "sha256.h"

#include <freexl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool xls_number_text(double v, thk_buf *out, bool *fraction)
{
    buf_clear(out);
    *fraction = false;
    if (!isfinite(v))
        return false;
    if (v == floor(v) && fabs(v) < 9007199254740992.0) { /* 2^53: every integer exact */
        buf_printf(out, "%lld", (long long)v);
        return true;
    }
    /* the shortest text that reads back as the same double */
    char t[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(t, sizeof t, "%.*g", prec, v);
        if (strtod(t, NULL) == v)
            break;
    }
    buf_printf(out, "%s", t);
    *fraction = v != floor(v);
    return true;
}

typedef struct {
    const char **fields;
    size_t *lens;
    bool *frac;
    thk_buf text;
    size_t *at;
} xls_row;

int xls_run_file(const char *path, const reader_opts *opts, reader_fn fn, void *ctx,
                 reader_stats *stats, thk_buf *err)
{
    reader_stats dummy;
    if (!stats)
        stats = &dummy;
    memset(stats, 0, sizeof *stats);
    snprintf(stats->encoding, sizeof stats->encoding, "xls");
    stats->delimiter = ',';
    if (sha256_file(path, stats->sha256, &stats->bytes, err) != 0)
        return -1;
    if (opts && opts->progress_bytes)
        atomic_fetch_add(opts->progress_bytes, stats->bytes);
    const void *h = NULL;
    int r = freexl_open(path, &h);
    if (r != FREEXL_OK) {
        buf_printf(err,
                   "%s: tệp Excel 97-2003 (.xls) hỏng hoặc không đọc được (freexl: lỗi %d); hãy "
                   "mở bằng Excel và lưu thành .xlsx",
                   path, r);
        if (h)
            freexl_close(h);
        return -1;
    }
    unsigned info = 0;
    if (freexl_get_info(h, FREEXL_BIFF_PASSWORD, &info) == FREEXL_OK &&
        info == FREEXL_BIFF_OBFUSCATED) {
        buf_printf(err, "%s: tệp .xls có mật khẩu; hãy bỏ mật khẩu rồi lưu lại", path);
        freexl_close(h);
        return -1;
    }
    unsigned nsheets = 0;
    freexl_get_info(h, FREEXL_BIFF_SHEET_COUNT, &nsheets);
    xls_row row = {0};
    row.fields = thk_xmalloc(READER_MAX_FIELDS * sizeof *row.fields);
    row.lens = thk_xmalloc(READER_MAX_FIELDS * sizeof *row.lens);
    row.frac = thk_xmalloc(READER_MAX_FIELDS * sizeof *row.frac);
    row.at = thk_xmalloc(READER_MAX_FIELDS * sizeof *row.at);
    thk_buf num = {0}, read = {0};
    buf_printf(&read, "xls:");
    uint32_t line_base = 0;
    int rc = 0;
    for (unsigned s = 0; s < nsheets && s < 65536 && rc == 0; s++) {
        const char *name = NULL;
        unsigned rows = 0;
        unsigned short cols = 0;
        if (freexl_get_worksheet_name(h, (unsigned short)s, &name) != FREEXL_OK || !name)
            name = "?";
        if (freexl_select_active_worksheet(h, (unsigned short)s) != FREEXL_OK ||
            freexl_worksheet_dimensions(h, &rows, &cols) != FREEXL_OK) {
            buf_printf(err, "%s: không đọc được trang tính '%s' (tệp hỏng)", path, name);
            rc = -1;
            break;
        }
        bool had_rows = false;
        for (unsigned rr = 0; rr < rows && rc == 0; rr++) {
            size_t nf = 0;
            bool too_many = false;
            buf_clear(&row.text);
            for (unsigned c = 0; c < cols; c++) {
                FreeXL_CellValue v;
                if (freexl_get_cell_value(h, rr, (unsigned short)c, &v) != FREEXL_OK)
                    continue;
                bool frac = false;
                buf_clear(&num);
                switch (v.type) {
                case FREEXL_CELL_INT:
                    buf_printf(&num, "%d", v.value.int_value);
                    break;
                case FREEXL_CELL_DOUBLE:
                    xls_number_text(v.value.double_value, &num, &frac);
                    break;
                case FREEXL_CELL_DATE:
                case FREEXL_CELL_DATETIME:
                    if (v.value.text_value) /* the day; a time after it does not change it */
                        buf_append(&num, v.value.text_value, strnlen(v.value.text_value, 10));
                    break;
                case FREEXL_CELL_TEXT:
                case FREEXL_CELL_SST_TEXT:
                case FREEXL_CELL_TIME:
                    if (v.value.text_value)
                        buf_printf(&num, "%s", v.value.text_value);
                    break;
                default:
                    break;
                }
                if (!num.len)
                    continue;
                if (c >= READER_MAX_FIELDS) {
                    too_many = true;
                    continue;
                }
                while (nf < c) { /* empty cells before this one */
                    row.at[nf] = SIZE_MAX;
                    row.lens[nf] = 0;
                    row.frac[nf++] = false;
                }
                row.at[nf] = row.text.len;
                row.lens[nf] = num.len;
                row.frac[nf++] = frac;
                buf_append(&row.text, num.data, num.len);
                buf_putc(&row.text, '\0');
            }
            if (nf == 0 && !too_many)
                continue;
            for (size_t i = 0; i < nf; i++)
                row.fields[i] = row.at[i] == SIZE_MAX ? "" : row.text.data + row.at[i];
            reader_record rec = reader_sheet_record(row.fields, row.lens, nf, row.frac,
                                                    line_base + rr + 1, name, rr + 1, too_many);
            had_rows = true;
            if (opts && opts->progress_rows)
                atomic_fetch_add(opts->progress_rows, 1);
            rc = fn(ctx, &rec);
        }
        if (had_rows && read.len < 150)
            buf_printf(&read, "%s%s", read.len > 4 ? ", " : " ", name);
        line_base += rows;
    }
    stats->lines = line_base;
    snprintf(stats->encoding, sizeof stats->encoding, "%s", read.data);
    freexl_close(h);
    free(row.fields);
    free(row.lens);
    free(row.frac);
    free(row.at);
    buf_free(&row.text);
    buf_free(&num);
    buf_free(&read);
    return rc;
}
