/* test_xlsx_rows — rows formatted by xlsx_rows are the bytes libxlsxwriter writes: cell by cell
 * against the installed library's own constant-memory output, and whole workbooks with long
 * lists written three ways (library calls, one thread, two threads). */
#include "form.h"
#include "period.h"
#include "xlsx_out.h"
#include "xlsx_rows.h"

#include "testutil.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "form_fixture.h"

/* What the library wrote into a constant-memory sheet's temporary file so far. */
static char *sheet_bytes(lxw_worksheet *ws, size_t *n)
{
    lxw_worksheet_write_single_row(ws);
    cr_assert(fflush(ws->optimize_tmpfile) == 0);
    long end = ftell(ws->optimize_tmpfile);
    cr_assert(end >= 0);
    char *data = malloc((size_t)end + 1);
    rewind(ws->optimize_tmpfile);
    cr_assert_eq(fread(data, 1, (size_t)end, ws->optimize_tmpfile), (size_t)end);
    data[end] = '\0';
    *n = (size_t)end;
    return data;
}


enum { K_STR, K_INT, K_NUM, K_BLANK };
typedef struct {
    uint32_t row;
    uint16_t col;
    int kind;
    int fmt; /* 0: no format, 1 or 2: one of two formats */
    const char *s;
    int64_t i;
    double d;
    double height; /* for the row's first cell: 0 none, else worksheet_set_row */
} cell_case;

static const cell_case cases[] = {
    {0, 0, K_STR, 1, "plain", 0, 0, 0},
    {0, 1, K_STR, 2, " lead", 0, 0, 0},
    {0, 2, K_STR, 1, "trail ", 0, 0, 0},
    {0, 3, K_STR, 0, "no format", 0, 0, 0},
    {0, 25, K_STR, 1, "tab\tinside", 0, 0, 0},
    {0, 26, K_STR, 1, "\tlead tab", 0, 0, 0},
    {1, 0, K_STR, 1, "line\nbreak\n", 0, 0, 30},
    {1, 1, K_STR, 1, "a&b<c>d\"e'f&amp;", 0, 0, 0},
    {1, 2, K_STR, 2, "ctl\x01\x02\x0b\x0c\x0d\x1f end", 0, 0, 0},
    {1, 3, K_STR, 1, "\r", 0, 0, 0},
    {1, 4, K_STR, 1, "_x0041_ literal", 0, 0, 0},
    {1, 5, K_STR, 1, "Cộng hòa xã hội chủ nghĩa Việt Nam", 0, 0, 0},
    {1, 6, K_STR, 1, " ", 0, 0, 0},
    {1, 7, K_STR, 1, "&", 0, 0, 0},
    {1, 8, K_STR, 1, "x\x7f", 0, 0, 0},
    {2, 0, K_INT, 1, NULL, 0, 0, 0},
    {2, 1, K_INT, 2, NULL, -1, 0, 0},
    {2, 2, K_INT, 1, NULL, 123456789, 0, 0},
    {2, 3, K_INT, 1, NULL, INT64_C(9007199254740992), 0, 0},
    {2, 4, K_INT, 1, NULL, -INT64_C(9007199254740992), 0, 0},
    {2, 5, K_INT, 0, NULL, 46000, 0, 0},
    {2, 6, K_NUM, 1, NULL, 0, 12.34, 0},
    {2, 7, K_NUM, 1, NULL, 0, 0.1, 0},
    {2, 8, K_NUM, 2, NULL, 0, 1e20, 0},
    {2, 9, K_NUM, 1, NULL, 0, -0.5, 0},
    {2, 10, K_NUM, 1, NULL, 0, 1.0 / 3.0, 0},
    {2, 11, K_NUM, 0, NULL, 0, 100.0, 0},
    {3, 0, K_BLANK, 1, NULL, 0, 0, 22.5},
    {3, 1, K_BLANK, 2, NULL, 0, 0, 0},
    {3, 701, K_STR, 1, "ZZ", 0, 0, 0},
    {3, 702, K_STR, 1, "AAA", 0, 0, 0},
    {4, 0, K_STR, 1, "after a tall row", 0, 0, 15},
    {5, 0, K_INT, 1, NULL, 7, 0, 0},
    {1048575, 16383, K_STR, 1, "XFD1048576", 0, 0, 0},
};

/* Every kind of cell, row height, escape and cell name, through the library and through
 * xlsx_rows: the same bytes. */
Test(xlsx_rows, cells_are_the_library_bytes)
{
    char *dir = tu_tempdir();
    char path[512];
    snprintf(path, sizeof path, "%s/cells.xlsx", dir);
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = dir};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    cr_assert_not_null(wb);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "S");
    cr_assert(xlsx_rows_supported(ws));
    lxw_format *f[3] = {NULL, workbook_add_format(wb), workbook_add_format(wb)};
    format_set_bold(f[1]);
    format_set_num_format(f[2], "#,##0");
    int32_t style[3] = {0, lxw_format_get_xf_index(f[1]), lxw_format_get_xf_index(f[2])};
    cr_assert(style[1] > 0 && style[2] > style[1]);

    thk_buf mine = {0};
    size_t n = sizeof cases / sizeof cases[0];
    for (size_t k = 0; k < n; k++) {
        const cell_case *c = &cases[k];
        bool first = k == 0 || cases[k - 1].row != c->row;
        bool last = k + 1 == n || cases[k + 1].row != c->row;
        if (first && c->height > 0)
            cr_assert_eq(worksheet_set_row(ws, c->row, c->height, NULL), LXW_NO_ERROR);
        if (first)
            xlsx_rows_open(&mine, c->row, c->height > 0 ? c->height : LXW_DEF_ROW_HEIGHT);
        char col[4];
        xlsx_rows_col_name(col, c->col);
        switch (c->kind) {
        case K_STR:
            cr_assert_eq(worksheet_write_string(ws, c->row, c->col, c->s, f[c->fmt]), 0);
            xlsx_rows_string(&mine, col, c->row, style[c->fmt], c->s);
            break;
        case K_INT:
            cr_assert_eq(worksheet_write_number(ws, c->row, c->col, (double)c->i, f[c->fmt]), 0);
            xlsx_rows_int(&mine, col, c->row, style[c->fmt], c->i);
            break;
        case K_NUM:
            cr_assert_eq(worksheet_write_number(ws, c->row, c->col, c->d, f[c->fmt]), 0);
            xlsx_rows_number(&mine, col, c->row, style[c->fmt], c->d);
            break;
        default:
            cr_assert_eq(worksheet_write_blank(ws, c->row, c->col, f[c->fmt]), 0);
            xlsx_rows_blank(&mine, col, c->row, style[c->fmt]);
            break;
        }
        if (last)
            xlsx_rows_close(&mine);
    }
    size_t len;
    char *lib = sheet_bytes(ws, &len);
    buf_append(&mine, "", 1);
    cr_assert_eq(len, mine.len - 1, "library %zu bytes, xlsx_rows %zu:\n%s\n---\n%s", len,
                 mine.len - 1, lib, mine.data);
    cr_assert_str_eq(mine.data, lib);
    /* the escapes really happened (the comparison is not of two empty files) */
    cr_assert_not_null(strstr(lib, "_x0001_"));
    cr_assert_not_null(strstr(lib, "xml:space=\"preserve\""));
    cr_assert_not_null(strstr(lib, "ht=\"22.5\" customHeight=\"1\""));
    cr_assert_not_null(strstr(lib, "<c r=\"XFD1048576\""));
    free(lib);
    buf_free(&mine);
    lxw_workbook_free(wb);
    free(dir);
}

Test(xlsx_rows, cell_names_are_the_library_names)
{
    char col[4], lib[LXW_MAX_CELL_NAME_LENGTH], want[64];
    thk_buf mine = {0};
    for (uint32_t c = 0; c < LXW_COL_MAX; c++) {
        uint32_t row = c * 64u;
        xlsx_rows_col_name(col, (uint16_t)c);
        buf_clear(&mine);
        xlsx_rows_blank(&mine, col, row, 1);
        lxw_rowcol_to_cell(lib, row, (lxw_col_t)c);
        snprintf(want, sizeof want, "<c r=\"%s\" s=\"1\"/>", lib);
        cr_assert_str_eq(mine.data, want);
    }
    buf_free(&mine);
}

/* A list of `n` rows that touches every path of the list writer: texts needing escapes or
 * several lines, invalid UTF-8, empty cells, a subtotal row, numbers beyond 2^53, rates. */
static form_set *long_list(size_t n)
{
    form_set *fs = thk_xcalloc(1, sizeof *fs);
    static const char *const rf[] = {"Đơn vị", "Chấp hành viên"};
    form_table *t = fx_table(fs, "L9", "DANH SÁCH DÀI", NULL, NULL, true, 2, rf, 6, n);
    fx_col(t, 0, "ten", "Người phải thi hành án", FORM_KIND_TEXT, -1, NULL);
    fx_col(t, 1, "ngay", "Ngày", FORM_KIND_DATE, -1, NULL);
    fx_col(t, 2, "tien", "Phải thi hành", FORM_KIND_MONEY, -1, NULL);
    fx_col(t, 3, "ty_le", "Tỷ lệ (%)", FORM_KIND_RATE, -1, NULL);
    fx_col(t, 4, "so", "Số việc", FORM_KIND_COUNT, -1, NULL);
    fx_col(t, 5, "so_dinh_dang", "Có định dạng", FORM_KIND_COUNT, -1, NULL);
    t->cols[5].format = thk_xstrdup("0.0");
    static const char *const texts[] = {
        "Nguyễn Văn An", " Trần Thị Bình ", "Công ty A&B <TNHH>", "ctl\x01\x1f",
        "bad \xff\xfe utf8", "", ("Một tên rất dài để ô phải xuống dòng ở cột này, "
        "dài hơn nữa cho chắc chắn rằng nó cần ba dòng hoặc hơn thế nữa trong bảng tính")};
    for (size_t r = 0; r < n; r++) {
        char unit[32], officer[32], key[80];
        snprintf(unit, sizeof unit, "KV%02zu", r / 1000);
        if (r % 97 == 3)
            officer[0] = '\0';
        else
            snprintf(officer, sizeof officer, "CHV %zu", r % 50);
        snprintf(key, sizeof key, "%s|%zu", unit, r);
        bool sub = r % 1000 == 999;
        int64_t money = r % 11 == 0 ? INT64_C(9007199254740993) + (int64_t)r : (int64_t)r * 1001;
        int64_t v[6] = {0, r % 13 == 0 ? EMPTY : 17970 + (int64_t)r,
                        r % 17 == 0 ? EMPTY : (r % 2 ? -money : money),
                        r % 7 == 0 ? EMPTY : (int64_t)(r % 10001), (int64_t)r, (int64_t)r % 5};
        fx_row(t, r, key, sub ? FORM_ROW_SUBTOTAL : FORM_ROW_DATA,
               (const char *const[]){unit, sub ? "" : officer}, v);
        if (r % 19 != 5)
            fx_text(t, r, 0, texts[r % (sizeof texts / sizeof texts[0])]);
    }
    return fs;
}

static char *write_book(const form_set *fs, int threads, bool by_library, size_t *n)
{
    char *dir = tu_tempdir();
    char path[512];
    snprintf(path, sizeof path, "%s/bao-cao.xlsx", dir);
    xlsx_report r = {0};
    r.forms = fs;
    cr_assert(period_months(2026, 12, 1, 12, &r.per));
    r.unit_name = "Cục THADS tỉnh Gia Lai";
    r.threads = threads;
    r.rows_by_library = by_library;
    thk_buf err = {0};
    cr_assert_eq(xlsx_out_write(path, &r, &err), 0, "%s", err.data ? err.data : "");
    buf_free(&err);
    char *data = tu_read(path, n);
    cr_assert_not_null(data);
    free(dir);
    return data;
}

/* 9,000 rows (two chunks on two threads, then a short pair): the workbook's bytes are the same
 * through the library's calls, through xlsx_rows on one thread and on two. */
Test(xlsx_rows, long_list_same_bytes_three_ways)
{
    form_set *fs = long_list(9000);
    size_t n0, n1, n2;
    unsigned long before = xlsx_rows_handed();
    char *lib = write_book(fs, 1, true, &n0);
    cr_assert_eq(xlsx_rows_handed(), before, "the library path used xlsx_rows");
    char *one = write_book(fs, 1, false, &n1);
    cr_assert_eq(xlsx_rows_handed(), before + 9000);
    char *two = write_book(fs, 2, false, &n2);
    cr_assert_eq(xlsx_rows_handed(), before + 18000);
    cr_assert_eq(n1, n0);
    cr_assert_eq(n2, n0);
    cr_assert(memcmp(one, lib, n0) == 0, "one thread differs from the library");
    cr_assert(memcmp(two, lib, n0) == 0, "two threads differ from the library");
    free(lib);
    free(one);
    free(two);
    form_set_free(fs);
}

/* A merged total row (two row fields) is outside xlsx_rows: the library writes that list. */
Test(xlsx_rows, merged_total_goes_through_the_library)
{
    form_set *fs = long_list(50);
    fs->tables[0].rows[49].kind = FORM_ROW_TOTAL;
    size_t n0, n1;
    unsigned long before = xlsx_rows_handed();
    char *lib = write_book(fs, 2, true, &n0);
    char *mine = write_book(fs, 2, false, &n1);
    cr_assert_eq(xlsx_rows_handed(), before);
    cr_assert_eq(n1, n0);
    cr_assert(memcmp(mine, lib, n0) == 0);
    free(lib);
    free(mine);
    form_set_free(fs);
}

/* The writer tests' fixture (forms, a subtotal under two row fields, a list with dates and
 * money beyond 2^53): the same bytes either way, and only the list went through xlsx_rows. */
Test(xlsx_rows, fixture_same_bytes)
{
    form_set *fs = fx_set();
    size_t n0, n1;
    unsigned long before = xlsx_rows_handed();
    char *lib = write_book(fs, 2, true, &n0);
    char *mine = write_book(fs, 2, false, &n1);
    cr_assert_eq(xlsx_rows_handed(), before + 2, "the two rows of L1");
    cr_assert_eq(n1, n0);
    cr_assert(memcmp(mine, lib, n0) == 0);
    free(lib);
    free(mine);
    form_set_free(fs);
}
