/* xlsx_rows — rows of a constant-memory sheet as the XML libxlsxwriter writes (see header).
 * Each function below names the libxlsxwriter 1.1.4 code whose output it reproduces. */
#include "xlsx_rows.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#define XR_LIT(b, s) buf_append((b), (s), sizeof(s) - 1)

static atomic_ulong xr_handed;

unsigned long xlsx_rows_handed(void)
{
    return atomic_load(&xr_handed);
}

bool xlsx_rows_supported(const lxw_worksheet *ws)
{
    return ws && ws->optimize && ws->optimize_row && ws->optimize_tmpfile &&
           ws->file == ws->optimize_tmpfile && ws->default_row_height == LXW_DEF_ROW_HEIGHT &&
           ws->excel_version != 2010;
}

/* worksheet.c _write_row with spans NULL, no row format, not hidden, level 0: the height goes
 * in when it is not the default, followed by customHeight. */
void xlsx_rows_open(thk_buf *b, uint32_t row, double height)
{
    XR_LIT(b, "<row r=\"");
    buf_put_int(b, (int64_t)row + 1);
    if (height != LXW_DEF_ROW_HEIGHT) {
        char h[64];
        int n = snprintf(h, sizeof h, "\" ht=\"%.16G\" customHeight=\"1", height);
        buf_append(b, h, (size_t)n);
    }
    XR_LIT(b, "\">");
}

void xlsx_rows_close(thk_buf *b)
{
    XR_LIT(b, "</row>");
}

/* utility.c lxw_col_to_name: base 26 without a zero, most significant letter first. */
void xlsx_rows_col_name(char *out, uint16_t col)
{
    char rev[4];
    size_t n = 0;
    for (unsigned c = (unsigned)col + 1; c && n < sizeof rev; c = (c - 1) / 26) {
        unsigned rem = c % 26;
        rev[n++] = (char)('A' + (rem ? rem : 26) - 1);
    }
    size_t k = 0;
    while (n)
        out[k++] = rev[--n];
    out[k] = '\0';
}

/* utility.c lxw_rowcol_to_cell: the cell's name is the column's letters, then row + 1. */
static void xr_cell_open(thk_buf *b, const char *col, uint32_t row, int32_t style)
{
    XR_LIT(b, "<c r=\"");
    buf_append(b, col, strlen(col));
    buf_put_int(b, (int64_t)row + 1);
    if (style) {
        XR_LIT(b, "\" s=\"");
        buf_put_int(b, style);
    }
    buf_putc(b, '"');
}

/* worksheet_write_string escapes control characters (xmlwriter.c
 * lxw_escape_control_characters: 0x01–0x08 and 0x0B–0x1F as _xHHHH_; in 1.1.4
 * lxw_has_control_characters is true for every string, so every string goes through it), then
 * _write_inline_string_cell escapes & < > (lxw_escape_data) and keeps a leading or trailing
 * space (isspace of the escaped text's first or last byte) with xml:space="preserve". */
void xlsx_rows_string(thk_buf *b, const char *col, uint32_t row, int32_t style, const char *s)
{
    xr_cell_open(b, col, row, style);
    XR_LIT(b, " t=\"inlineStr\"><is><t");
    size_t mark = b->len;
    XR_LIT(b, " xml:space=\"preserve\">"); /* dropped below when not needed */
    size_t start = b->len;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if (c >= 0x20 && c != '&' && c != '<' && c != '>') {
            const unsigned char *q = p;
            while (q[1] >= 0x20 && q[1] != '&' && q[1] != '<' && q[1] != '>')
                q++;
            buf_append(b, p, (size_t)(q - p) + 1);
            p = q;
        } else if (c == '&') {
            XR_LIT(b, "&amp;");
        } else if (c == '<') {
            XR_LIT(b, "&lt;");
        } else if (c == '>') {
            XR_LIT(b, "&gt;");
        } else if (c == '\t' || c == '\n') {
            buf_putc(b, (char)c);
        } else {
            char e[8];
            snprintf(e, sizeof e, "_x%04X_", (unsigned)c);
            buf_append(b, e, 7);
        }
    }
    size_t n = b->len - start;
    bool keep = n && (isspace((unsigned char)b->data[start]) ||
                      isspace((unsigned char)b->data[b->len - 1]));
    if (!keep) {
        memmove(b->data + mark + 1, b->data + start, n);
        b->data[mark] = '>';
        b->len = mark + 1 + n;
    }
    XR_LIT(b, "</t></is></c>");
}

/* _write_number_cell prints "%.16G": an integer below 2^53 in magnitude is its digits. */
void xlsx_rows_int(thk_buf *b, const char *col, uint32_t row, int32_t style, int64_t v)
{
    xr_cell_open(b, col, row, style);
    XR_LIT(b, "><v>");
    buf_put_int(b, v);
    XR_LIT(b, "</v></c>");
}

void xlsx_rows_number(thk_buf *b, const char *col, uint32_t row, int32_t style, double v)
{
    char d[48];
    int n = snprintf(d, sizeof d, "%.16G", v);
    xr_cell_open(b, col, row, style);
    XR_LIT(b, "><v>");
    buf_append(b, d, (size_t)n);
    XR_LIT(b, "</v></c>");
}

/* _write_cell for a blank cell with a format: an empty tag. */
void xlsx_rows_blank(thk_buf *b, const char *col, uint32_t row, int32_t style)
{
    xr_cell_open(b, col, row, style);
    XR_LIT(b, "/>");
}

void xlsx_rows_begin(lxw_worksheet *ws)
{
    lxw_worksheet_write_single_row(ws);
}

lxw_error xlsx_rows_put(lxw_worksheet *ws, const thk_buf *b)
{
    if (b->len && fwrite(b->data, 1, b->len, ws->file) != b->len)
        return LXW_ERROR_CREATING_TMPFILE;
    return LXW_NO_ERROR;
}

/* _check_dimensions for the cells written; then the row libxlsxwriter holds (emptied by
 * xlsx_rows_begin, untouched since) becomes row `last`, so the next must come after it. */
void xlsx_rows_end(lxw_worksheet *ws, uint32_t first, uint32_t last, uint16_t first_col,
                   uint16_t last_col)
{
    if (first < ws->dim_rowmin)
        ws->dim_rowmin = first;
    if (last > ws->dim_rowmax)
        ws->dim_rowmax = last;
    if (first_col < ws->dim_colmin)
        ws->dim_colmin = first_col;
    if (last_col > ws->dim_colmax)
        ws->dim_colmax = last_col;
    atomic_fetch_add(&xr_handed, (unsigned long)(last - first) + 1);
    ws->optimize_row->row_num = last;
}
