/* test_xlsx_out — the workbook read back with openpyxl: sheets, merges, values, formats. */
#include "form.h"
#include "period.h"
#include "read_date.h"
#include "rejects.h"
#include "xlsx_out.h"
#include "xlsx_zip.h"

#include "testutil.h"

#include <criterion/criterion.h>
#include <minizip/unzip.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "form_fixture.h"

static reject_log *fx_rejects(void)
{
    reject_log *log = rejects_new();
    rejects_add(log, "cases.csv", 5, "so_tien_phai_thi_hanh", "12,5", 4, REJ_MONEY_FRACTION, NULL);
    rejects_add(log, "events.csv", 9, "", "xong", 4, WARN_AFTER_TERMINAL, "việc V001");
    rejects_sort(log);
    return log;
}

static period fx_period(void)
{
    period p;
    cr_assert(period_months(2026, 10, 1, 10, &p));
    return p;
}

static const char fx_manifest[] = "{\n  \"tool\": \"thongke\"\n}\n";

/* Writes the fixture workbook into a fresh folder; returns its path (malloc'd). */
static char *fx_write(const char *name, time_t created, const char *unit)
{
    char *dir = tu_tempdir();
    cr_assert_not_null(dir);
    size_t n = strlen(dir) + strlen(name) + 2;
    char *path = malloc(n);
    snprintf(path, n, "%s/%s", dir, name);
    form_set *fs = fx_set();
    reject_log *log = fx_rejects();
    xlsx_report r = {0};
    r.forms = fs;
    r.per = fx_period();
    r.unit_name = unit;
    r.rejects = log;
    r.manifest_json = fx_manifest;
    r.created = created;
    thk_buf err = {0};
    int rc = xlsx_out_write(path, &r, &err);
    cr_assert_eq(rc, 0, "xlsx_out_write: %s", err.data ? err.data : "");
    buf_free(&err);
    form_set_free(fs);
    rejects_free(log);
    free(dir);
    return path;
}

/* The inspector's output for a workbook, with a leading newline so every line is "\n...\n". */
static char *inspect(const char *path)
{
    const char *root = getenv("THONGKE_ROOT");
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s/tests/tools/xlsx_inspect.py' '%s'",
             root && *root ? root : ".", path);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    thk_buf b = {0};
    buf_putc(&b, '\n');
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
        buf_append(&b, chunk, n);
    int st = pclose(p);
    cr_assert_eq(st, 0, "xlsx_inspect.py failed (status %d) on %s", st, path);
    return b.data;
}

/* True when the inspector printed exactly this line. */
static bool has(const char *out, const char *line)
{
    size_t n = strlen(line);
    char *needle = malloc(n + 3);
    needle[0] = '\n';
    memcpy(needle + 1, line, n);
    needle[n + 1] = '\n';
    needle[n + 2] = '\0';
    bool ok = strstr(out, needle) != NULL;
    free(needle);
    return ok;
}

/* Asserts every line of a table is present. */
#define expect_lines(out, ...)                                                                    \
    do {                                                                                          \
        static const char *const lines_[] = {__VA_ARGS__};                                        \
        for (size_t i_ = 0; i_ < sizeof lines_ / sizeof lines_[0]; i_++)                          \
            cr_expect(has(out, lines_[i_]), "missing line: %s", lines_[i_]);                      \
    } while (0)

static char *fx_inspect(void)
{
    char *path = fx_write("bao-cao.xlsx", 0, "Cục THADS tỉnh Gia Lai");
    char *out = inspect(path);
    free(path);
    return out;
}

/* Writes report r as <name> in a fresh folder; returns the inspector's output. */
static char *fx_inspect_report(const xlsx_report *r, const char *name)
{
    char *dir = tu_tempdir();
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    thk_buf err = {0};
    cr_assert_eq(xlsx_out_write(path, r, &err), 0, "%s", err.data ? err.data : "");
    buf_free(&err);
    free(dir);
    return inspect(path);
}

/* Writes fs (owned, freed here) as <name> for `unit`; returns the inspector's output. */
static char *fx_inspect_set(form_set *fs, const char *name, const char *unit)
{
    xlsx_report r = {0};
    r.forms = fs;
    r.per = fx_period();
    r.unit_name = unit;
    char *out = fx_inspect_report(&r, name);
    form_set_free(fs);
    return out;
}

Test(xlsx_out, sheets_come_in_set_order_then_rejects_then_a_hidden_manifest)
{
    char *out = fx_inspect();
    expect_lines(out, "sheet\t0\tTH\tvisible", "sheet\t1\tB01\tvisible",
                 "sheet\t2\tB01-CHV\tvisible", "sheet\t3\tL1\tvisible",
                 "sheet\t4\tDòng bị loại\tvisible", "sheet\t5\tmanifest\thidden");
    cr_expect(strstr(out, "sheet\t6\t") == NULL);
    expect_lines(out, "cell\tmanifest\tA1\ts\t{\tGeneral\t-",
                 "cell\tmanifest\tA2\ts\t  \"tool\": \"thongke\"\tGeneral\t-",
                 "cell\tmanifest\tA3\ts\t}\tGeneral\t-");
    free(out);
}

Test(xlsx_out, header_merges_follow_the_groups_and_row_fields_span_all_header_rows)
{
    char *out = fx_inspect();
    expect_lines(out,
                 /* row field and ungrouped columns merged down rows 8–10 */
                 "merge\tB01\tA8:A10", "merge\tB01\tB8:B10", "merge\tB01\tH8:H10",
                 "merge\tB01\tI8:I10",
                 /* "Trong đó" over two columns, their labels merged down */
                 "merge\tB01\tC8:D8", "merge\tB01\tC9:C10", "merge\tB01\tD9:D10",
                 /* "Có điều kiện" over three columns, "Chia ra" nested under it */
                 "merge\tB01\tE8:G8", "merge\tB01\tE9:E10", "merge\tB01\tF9:G9",
                 "cell\tB01\tA8\ts\tĐơn vị\tGeneral\tb", "cell\tB01\tC8\ts\tTrong đó\tGeneral\tb",
                 "cell\tB01\tE8\ts\tCó điều kiện thi hành\tGeneral\tb",
                 "cell\tB01\tF9\ts\tChia ra\tGeneral\tb",
                 "cell\tB01\tF10\ts\tThi hành xong\tGeneral\tb",
                 "cell\tB01\tG10\ts\tĐình chỉ\tGeneral\tb",
                 "cell\tB01\tC9\ts\tNăm trước chuyển sang\tGeneral\tb");
    /* The innermost labels of "Chia ra" are single cells, not merged. */
    cr_expect(strstr(out, "merge\tB01\tF10") == NULL);
    cr_expect(strstr(out, "merge\tB01\tG10") == NULL);
    /* Two row fields: both merged down their single header row are single cells. */
    expect_lines(out, "cell\tB01-CHV\tA8\ts\tĐơn vị\tGeneral\tb",
                 "cell\tB01-CHV\tB8\ts\tChấp hành viên\tGeneral\tb");
    free(out);
}

Test(xlsx_out, a_row_of_column_numbers_gives_row_fields_letters_and_figures_numbers)
{
    char *out = fx_inspect();
    expect_lines(out, "cell\tB01\tA11\ts\tA\tGeneral\t-", "cell\tB01\tB11\ts\t1\tGeneral\t-",
                 "cell\tB01\tI11\ts\t8\tGeneral\t-", "cell\tB01-CHV\tA9\ts\tA\tGeneral\t-",
                 "cell\tB01-CHV\tB9\ts\tB\tGeneral\t-", "cell\tB01-CHV\tC9\ts\t1\tGeneral\t-");
    free(out);
}

Test(xlsx_out, money_is_in_thousands_half_up_counts_and_rates_are_numbers_with_formats)
{
    char *out = fx_inspect();
    expect_lines(out, "cell\tB01\tH12\tn\t1235\t#,##0\t-", /* 1 234 500 đ */
                 "cell\tB01\tH13\tn\t1234\t#,##0\t-",       /* 1 234 499 đ */
                 "cell\tB01\tH15\tn\t2469\t#,##0\tb",       /* 2 468 999 đ */
                 "cell\tB01\tB12\tn\t100\t#,##0\t-", "cell\tB01\tB14\tn\t0\t#,##0\t-",
                 "cell\tB01\tI12\tn\t83.75\t0.00\t-", "cell\tB01\tI13\tn\t85\t0.00\t-",
                 "cell\tB01\tI15\tn\t84.17\t0.00\tb", "cell\tTH\tF12\tn\t-10\t#,##0\t-");
    /* An empty rate (zero denominator) is a blank cell, not 0. */
    cr_expect(strstr(out, "cell\tB01\tI14\t") == NULL);
    cr_expect(strstr(out, "cell\tTH\tC12\t") == NULL);
    free(out);
}

Test(xlsx_out, top_blocks_title_period_measure_and_footer_follow_the_paper_form)
{
    char *out = fx_inspect();
    expect_lines(out, "merge\tB01\tA1:D1", "merge\tB01\tE1:I1", "merge\tB01\tA4:I4",
                 "merge\tB01\tA5:I5", "merge\tB01\tA6:I6",
                 "cell\tB01\tA1\ts\tĐơn vị báo cáo: Cục THADS tỉnh Gia Lai\tGeneral\tb",
                 "cell\tB01\tA2\ts\tĐơn vị nhận báo cáo: Cục Quản lý THADS\tGeneral\tb",
                 "cell\tB01\tE1\ts\tBiểu số B01/TK-THA\tGeneral\tb",
                 "cell\tB01\tE2\ts\tBan hành kèm theo Thông tư 05/2024/TT-BTP\tGeneral\t-",
                 "cell\tB01\tA4\ts\tKẾT QUẢ THI HÀNH ÁN DÂN SỰ TÍNH BẰNG VIỆC\tGeneral\tb",
                 "cell\tB01\tA5\ts\tKỳ báo cáo: 10 tháng, từ 01/10/2025 đến 31/07/2026\tGeneral\t-",
                 "cell\tB01\tA6\ts\tĐơn vị tính: việc; tiền: 1.000 đồng\tGeneral\t-",
                 "cell\tB01\tE17\ts\tGia Lai, ngày …… tháng …… năm ……\tGeneral\t-",
                 "cell\tB01\tA18\ts\tNgười lập biểu\tGeneral\tb",
                 "cell\tB01\tE18\ts\tThủ trưởng đơn vị\tGeneral\tb",
                 "cell\tB01\tA19\ts\t(Ký, ghi rõ họ tên)\tGeneral\t-",
                 "cell\tB01\tE19\ts\t(Ký tên, đóng dấu)\tGeneral\t-");
    /* A table without a form code has no right-hand block. */
    cr_expect(strstr(out, "cell\tB01-CHV\tC1\t") == NULL);
    cr_expect(strstr(out, "Ban hành kèm theo") != NULL);
    free(out);
}

Test(xlsx_out, panes_freeze_below_the_header_and_pages_fit_one_a4_landscape_width)
{
    char *out = fx_inspect();
    expect_lines(out, "freeze\tB01\tB12", "freeze\tB01-CHV\tC10", "freeze\tTH\tB11",
                 "freeze\tL1\tA9", "freeze\tDòng bị loại\tA6",
                 "print\tB01\tlandscape\t9\t1\t0", "print\tL1\tlandscape\t9\t1\t0",
                 "width\tB01\tH\t12.71", "width\tB01\tA\t25.71");
    free(out);
}

Test(xlsx_out, subtotal_and_total_rows_are_bold_and_labelled)
{
    char *out = fx_inspect();
    expect_lines(out, "cell\tB01-CHV\tA12\ts\tChi cục 1\tGeneral\tb",
                 "cell\tB01-CHV\tB12\ts\tCộng\tGeneral\tb", "cell\tB01-CHV\tC12\tn\t15\t#,##0\tb",
                 "merge\tB01-CHV\tA13:B13", "cell\tB01-CHV\tA13\ts\tTổng cộng\tGeneral\tb",
                 "cell\tB01-CHV\tB11\ts\tTrần, Thị Bình\tGeneral\t-",
                 "cell\tB01\tA13\ts\tChi cục \"KV2\", Gia Lai\tGeneral\t-",
                 "cell\tB01\tA15\ts\tTổng cộng\tGeneral\tb");
    free(out);
}

Test(xlsx_out, rate_columns_with_targets_get_red_and_green_rules_and_a_bar_chart)
{
    char *out = fx_inspect();
    expect_lines(out, "cf\tTH\tB11:B13\texpression\tAND(ISNUMBER(B11),B11<84.50)\tFFFFC7CE",
                 "cf\tTH\tB11:B13\texpression\tAND(ISNUMBER(B11),B11>=84.50)\tFFC6EFCE",
                 "cf\tTH\tC11:C13\texpression\tAND(ISNUMBER(C11),C11<40.00)\tFFFFC7CE",
                 "cf\tTH\tC11:C13\texpression\tAND(ISNUMBER(C11),C11>=40.00)\tFFC6EFCE",
                 "chart\tTH\tbarChart\tcol\t2\tTỷ lệ xong về việc (%) theo đơn vị, so với chỉ tiêu",
                 "series\tTH\t0\tTH!$A$24:$A$25\tTH!$B$24:$B$25\tTH!$B$23",
                 "series\tTH\t1\tTH!$A$24:$A$25\tTH!$C$24:$C$25\tTH!$C$23",
                 /* the chart's data: data rows only, the target beside each */
                 "cell\tTH\tA24\ts\tChi cục THADS khu vực 1\tGeneral\t-",
                 "cell\tTH\tB24\tn\t83.88\t0.00\t-", "cell\tTH\tC24\tn\t84.5\t0.00\t-",
                 "cell\tTH\tA25\ts\tChi cục THADS khu vực 2\tGeneral\t-",
                 "cell\tTH\tC25\tn\t84.5\t0.00\t-");
    cr_expect(strstr(out, "cell\tTH\tA26\t") == NULL, "the total row is not charted");
    /* Only one chart per sheet (the first target column); none where no column has a target. */
    cr_expect(strstr(out, "chart\tB01-CHV") == NULL);
    cr_expect(strstr(out, "cf\tB01-CHV") == NULL);
    free(out);
}

Test(xlsx_out, lists_show_money_in_dong_dates_as_dates_and_have_an_autofilter)
{
    char *out = fx_inspect();
    expect_lines(out, "cell\tL1\tD8\ts\tPhải thi hành (đồng)\tGeneral\tb",
                 "cell\tL1\tC8\ts\tNgày quyết định\tGeneral\tb",
                 "cell\tL1\tA9\ts\tV001\tGeneral\t-",
                 "cell\tL1\tC9\td\t2019-03-15\tdd/mm/yyyy\t-",
                 "cell\tL1\tD9\tn\t25000000000\t#,##0\t-", "cell\tL1\tF10\tn\t6\t#,##0\t-",
                 "autofilter\tL1\tA8:F10", "freeze\tL1\tA9");
    cr_expect(strstr(out, "cell\tL1\tC10\t") == NULL, "an empty date is blank");
    cr_expect(strstr(out, "cell\tL1\tA11\t") == NULL, "lists have no footer");
    free(out);
}

Test(xlsx_out, rejects_sheet_lists_file_line_column_value_code_and_explanation)
{
    char *out = fx_inspect();
    char expl[512];
    snprintf(expl, sizeof expl, "cell\tDòng bị loại\tG7\ts\t%s: việc V001\tGeneral\t-",
             thk_reject_message(WARN_AFTER_TERMINAL));
    cr_expect(has(out, expl), "missing %s", expl);
    expect_lines(out, "cell\tDòng bị loại\tA5\ts\tTệp\tGeneral\tb",
                 "cell\tDòng bị loại\tG5\ts\tGiải thích\tGeneral\tb",
                 "cell\tDòng bị loại\tA6\ts\tcases.csv\tGeneral\t-",
                 "cell\tDòng bị loại\tB6\tn\t5\t0\t-",
                 "cell\tDòng bị loại\tC6\ts\tso_tien_phai_thi_hanh\tGeneral\t-",
                 "cell\tDòng bị loại\tD6\ts\t12,5\tGeneral\t-",
                 "cell\tDòng bị loại\tE6\ts\tLoại bỏ\tGeneral\t-",
                 "cell\tDòng bị loại\tF6\ts\tmoney_fraction\tGeneral\t-",
                 "cell\tDòng bị loại\tE7\ts\tCảnh báo\tGeneral\t-",
                 "cell\tDòng bị loại\tD7\ts\txong\tGeneral\t-",
                 "cell\tDòng bị loại\tA3\ts\tTổng số: 1 dòng bị loại, 1 cảnh báo (danh sách đầy đủ: "
                 "rejects.csv)\tGeneral\t-",
                 "autofilter\tDòng bị loại\tA5:G7");
    free(out);
}

Test(xlsx_out, creation_time_is_the_period_end_unless_one_is_given)
{
    char *a = fx_write("a.xlsx", 0, NULL);
    char *oa = inspect(a);
    cr_expect(has(oa, "props\tcreated\t2026-07-31T00:00:00"));
    char *b = fx_write("b.xlsx", 1700000000, NULL);
    char *ob = inspect(b);
    cr_expect(has(ob, "props\tcreated\t2023-11-14T22:13:20"));
    free(a);
    free(oa);
    free(b);
    free(ob);
}

Test(xlsx_out, two_writes_of_the_same_input_give_identical_bytes)
{
    char *a = fx_write("a.xlsx", 0, "Cục THADS tỉnh Gia Lai");
    sleep(1); /* a wall-clock leak would show as a different second */
    char *b = fx_write("b.xlsx", 0, "Cục THADS tỉnh Gia Lai");
    size_t na = 0, nb = 0;
    char *da = tu_read(a, &na), *db = tu_read(b, &nb);
    cr_assert_not_null(da);
    cr_assert_not_null(db);
    cr_expect_gt(na, 1000u);
    cr_expect_eq(na, nb);
    cr_expect(na == nb && memcmp(da, db, na) == 0, "the two workbooks differ");
    free(a);
    free(b);
    free(da);
    free(db);
}

/* data deflated raw at `level` as minizip does (window 2^15, memory level 8, default
 * strategy); returns the compressed size and whether it equals `want` byte for byte */
static bool deflates_to(const unsigned char *data, size_t n, int level, const unsigned char *want,
                        size_t want_n)
{
    z_stream z = {0};
    cr_assert_eq(deflateInit2(&z, level, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    uLong cap = deflateBound(&z, (uLong)n);
    unsigned char *out = malloc(cap);
    z.next_in = (unsigned char *)data;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    cr_assert_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
    bool same = z.total_out == want_n && memcmp(out, want, want_n) == 0;
    deflateEnd(&z);
    free(out);
    return same;
}

/* The entry under the cursor, raw (as stored) or inflated; malloc'd, size in *n. */
static unsigned char *zip_entry(unzFile uf, int raw, size_t *n)
{
    int method = 0, level = 0;
    cr_assert_eq(unzOpenCurrentFile2(uf, &method, &level, raw), UNZ_OK);
    cr_assert_eq(method, Z_DEFLATED);
    thk_buf b = {0};
    char chunk[65536];
    int got;
    while ((got = unzReadCurrentFile(uf, chunk, sizeof chunk)) > 0)
        buf_append(&b, chunk, (size_t)got);
    cr_assert_geq(got, 0);
    unzCloseCurrentFile(uf);
    *n = b.len;
    return (unsigned char *)(b.data ? b.data : calloc(1, 1));
}

/* issue 15: every part is packed from a temporary file with xlsx_zip's large buffer (made
 * by the program's lxw_tmpfile inside workbook_close), one buffer a part; the workbook still
 * reads back whole (the inspector's tests check the contents). */
Test(xlsx_out, every_part_is_packed_through_a_large_buffer)
{
    unsigned long before = xlsx_zip_buffered();
    char *path = fx_write("bo-dem.xlsx", 0, "Cục THADS tỉnh Gia Lai");
    unsigned long buffered = xlsx_zip_buffered() - before;
    unzFile uf = unzOpen64(path);
    cr_assert_not_null(uf);
    unz_global_info64 gi;
    cr_assert_eq(unzGetGlobalInfo64(uf, &gi), UNZ_OK);
    unzClose(uf);
    cr_expect_eq(buffered, (unsigned long)gi.number_entry,
                 "%lu of %lu parts had the large buffer", buffered,
                 (unsigned long)gi.number_entry);
    free(path);
}

/* issue 15: the parts are deflated at the level measured for the workbook (xlsx_zip.h), not
 * libxlsxwriter's default 6; the test fails when its call does not reach xlsx_zip. */
Test(xlsx_out, every_part_is_deflated_at_the_measured_level)
{
    unsigned long before = xlsx_zip_entries();
    char *path = fx_write("muc-nen.xlsx", 0, "Cục THADS tỉnh Gia Lai");
    cr_expect_gt(xlsx_zip_entries(), before, "libxlsxwriter did not open its parts through xlsx_zip");
    unzFile uf = unzOpen64(path);
    cr_assert_not_null(uf);
    int parts = 0, unlike_default = 0;
    for (int rc = unzGoToFirstFile(uf); rc == UNZ_OK; rc = unzGoToNextFile(uf)) {
        char name[256];
        cr_assert_eq(unzGetCurrentFileInfo64(uf, NULL, name, sizeof name, NULL, 0, NULL, 0),
                     UNZ_OK);
        size_t nraw = 0, nplain = 0;
        unsigned char *raw = zip_entry(uf, 1, &nraw);
        unsigned char *plain = zip_entry(uf, 0, &nplain);
        cr_expect(deflates_to(plain, nplain, XLSX_ZIP_LEVEL, raw, nraw),
                  "%s is not deflated at level %d", name, XLSX_ZIP_LEVEL);
        unlike_default += !deflates_to(plain, nplain, Z_DEFAULT_COMPRESSION, raw, nraw);
        parts++;
        free(raw);
        free(plain);
    }
    unzClose(uf);
    cr_expect_geq(parts, 8);
    /* the check can tell the levels apart: some part differs from its level-6 deflation */
    cr_expect_gt(unlike_default, 0);
    free(path);
}

Test(xlsx_out, default_unit_and_receiver_leave_the_place_as_dots)
{
    char *p = fx_write("x.xlsx", 0, NULL);
    char *out = inspect(p);
    expect_lines(out, "cell\tB01\tA1\ts\tĐơn vị báo cáo: THADS tỉnh ...\tGeneral\tb",
                 "cell\tB01\tA2\ts\tĐơn vị nhận báo cáo: Cục Quản lý THADS\tGeneral\tb",
                 "cell\tB01\tE17\ts\t……………, ngày …… tháng …… năm ……\tGeneral\t-");
    free(p);
    free(out);
}

Test(xlsx_out, sheet_names_are_made_valid_short_and_unique)
{
    form_set *fs = thk_xcalloc(1, sizeof *fs);
    static const char *const ids[] = {"B[01]:x/y*?\\", "Danh sách việc có điều kiện quá năm năm",
                                      "TH", "th", "'trích'", "Dòng bị loại", "manifest"};
    static const char *const unit[] = {"Đơn vị"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        form_table *t = fx_table(fs, ids[i], "T", NULL, NULL, false, 1, unit, 1, 1);
        fx_col(t, 0, "n", "Số", FORM_KIND_COUNT, -1, NULL);
        fx_row(t, 0, "*", FORM_ROW_TOTAL, (const char *const[]){"Tổng cộng"},
               (const int64_t[]){1});
    }
    char *out = fx_inspect_set(fs, "names.xlsx", NULL);
    expect_lines(out, "sheet\t0\tB-01--x-y---\tvisible",
                 "sheet\t1\tDanh sách việc có điều kiện quá\tvisible",
                 "sheet\t2\tTH\tvisible", "sheet\t3\tth~2\tvisible", "sheet\t4\ttrích\tvisible",
                 "sheet\t5\tDòng bị loại\tvisible", "sheet\t6\tmanifest\tvisible",
                 "sheet\t7\tDòng bị loại~2\tvisible", "sheet\t8\tmanifest~2\thidden",
                 "cell\tDòng bị loại~2\tA6\ts\tKhông có dòng nào bị loại hoặc cảnh báo.\tGeneral\t-");
    free(out);
}

Test(xlsx_out, an_empty_list_says_so_and_huge_amounts_stay_exact_as_text)
{
    form_set *fs = thk_xcalloc(1, sizeof *fs);
    form_table *e = fx_table(fs, "L2", "DANH SÁCH RỖNG", NULL, NULL, true, 0, NULL, 2, 0);
    fx_col(e, 0, "ma_viec", "Mã việc", FORM_KIND_TEXT, -1, NULL);
    fx_col(e, 1, "con_lai", "Còn lại", FORM_KIND_MONEY, -1, NULL);
    form_table *h = fx_table(fs, "L3", "DANH SÁCH", NULL, NULL, true, 0, NULL, 2, 1);
    fx_col(h, 0, "ma_viec", "Mã việc", FORM_KIND_TEXT, -1, NULL);
    fx_col(h, 1, "con_lai", "Còn lại (đồng)", FORM_KIND_MONEY, -1, NULL);
    fx_row(h, 0, "V9", FORM_ROW_DATA, NULL, (const int64_t[]){EMPTY, 900000000000000001LL});
    fx_text(h, 0, 0, "V9");
    char *out = fx_inspect_set(fs, "lists.xlsx", NULL);
    expect_lines(out, "merge\tL2\tA9:B9", "cell\tL2\tA9\ts\tKhông có dòng nào.\tGeneral\t-",
                 "cell\tL3\tB8\ts\tCòn lại (đồng)\tGeneral\tb",
                 "cell\tL3\tB9\ts\t900000000000000001\t#,##0\t-");
    cr_expect(strstr(out, "autofilter\tL2") == NULL);
    free(out);
}

Test(xlsx_out, an_unwritable_path_is_an_output_error_naming_it)
{
    form_set *fs = fx_set();
    xlsx_report r = {0};
    r.forms = fs;
    r.per = fx_period();
    thk_buf err = {0};
    int rc = xlsx_out_write("/nonexistent-thongke-dir/x.xlsx", &r, &err);
    cr_expect_eq(rc, THK_EXIT_OUTPUT);
    cr_assert_not_null(err.data);
    cr_expect(strstr(err.data, "/nonexistent-thongke-dir/x.xlsx") != NULL, "%s", err.data);
    buf_clear(&err);
    rc = xlsx_out_write("/dev/full", &r, &err);
    cr_expect_eq(rc, THK_EXIT_OUTPUT, "writing to a full disk must fail");
    buf_free(&err);
    form_set_free(fs);
}

Test(xlsx_out, a_long_reject_log_is_cut_at_the_cap_with_a_pointer_to_rejects_csv)
{
    reject_log *log = rejects_new();
    for (uint32_t i = 0; i < 5; i++)
        rejects_add(log, "cases.csv", 2 + i, "ma_viec", "-", 1, REJ_REQUIRED, NULL);
    form_set fs = {0};
    xlsx_report r = {.forms = &fs, .per = fx_period(), .rejects = log, .max_reject_rows = 2};
    char *out = fx_inspect_report(&r, "cap.xlsx");
    expect_lines(out, "sheet\t0\tDòng bị loại\tvisible", "sheet\t1\tmanifest\thidden",
                 "cell\tDòng bị loại\tB6\tn\t2\t0\t-", "cell\tDòng bị loại\tB7\tn\t3\t0\t-",
                 "cell\tDòng bị loại\tA8\ts\t… còn 3 dòng nữa, xem rejects.csv\tGeneral\t-",
                 "cell\tDòng bị loại\tA3\ts\tTổng số: 5 dòng bị loại, 0 cảnh báo (danh sách đầy "
                 "đủ: rejects.csv)\tGeneral\t-",
                 "autofilter\tDòng bị loại\tA5:G7");
    cr_expect(strstr(out, "cell\tDòng bị loại\tB8\t") == NULL);
    rejects_free(log);
    free(out);
}

Test(xlsx_out, odd_shapes_one_column_forms_and_grouped_lists_still_give_valid_sheets)
{
    form_set *fs = thk_xcalloc(1, sizeof *fs);
    /* A form with no row fields and a single column, with a form code and no rows. */
    form_table *one = fx_table(fs, "X1", "MỘT CỘT", "Biểu số X", NULL, false, 0, NULL, 1, 0);
    fx_col(one, 0, "n", "Số", FORM_KIND_COUNT, -1, NULL);
    /* A list whose columns are grouped: written in memory with merged headers. */
    form_table *g = fx_table(fs, "LG", "DANH SÁCH NHÓM", NULL, NULL, true, 0, NULL, 2, 1);
    fx_group(g, "Tiền", -1);
    fx_col(g, 0, "phai", "Phải thi hành", FORM_KIND_MONEY, 0, NULL);
    fx_col(g, 1, "con", "Còn lại", FORM_KIND_MONEY, 0, NULL);
    fx_row(g, 0, "V1", FORM_ROW_DATA, NULL, (const int64_t[]){2500, 1500});
    /* Labels missing entirely: the key stands in. */
    static const char *const rf[] = {"Đơn vị"};
    form_table *k = fx_table(fs, "K", "KHÓA", NULL, NULL, false, 1, rf, 1, 1);
    fx_col(k, 0, "n", "Số", FORM_KIND_COUNT, -1, NULL);
    k->rows[0].key = thk_xstrdup("GL-KV09");
    form_cell_at(k, 0, 0)->v = 3;
    char *out = fx_inspect_set(fs, "odd.xlsx", NULL);
    expect_lines(out, "sheet\t0\tX1\tvisible", "cell\tX1\tA8\ts\tSố\tGeneral\tb",
                 "cell\tX1\tA10\ts\tKhông có dòng nào.\tGeneral\t-",
                 "merge\tLG\tA8:B8", "cell\tLG\tA8\ts\tTiền\tGeneral\tb",
                 "cell\tLG\tA9\ts\tPhải thi hành (đồng)\tGeneral\tb",
                 "cell\tLG\tA10\tn\t2500\t#,##0\t-", "autofilter\tLG\tA9:B10",
                 "cell\tK\tA10\ts\tGL-KV09\tGeneral\t-", "cell\tK\tB10\tn\t3\t#,##0\t-");
    free(out);
}

/* The workbook shows what the rules' workbook block says: money in the form's scale (đồng,
 * triệu đồng), no basis line when none is given, the signature labels as written. */
Test(xlsx_out, scale_basis_and_signatures_come_from_the_rules)
{
    form_set *fs = thk_xcalloc(1, sizeof *fs);
    fs->sign[0] = thk_xstrdup("Người tổng hợp");
    fs->sign[2] = thk_xstrdup("Cục trưởng");
    static const char *const rf[] = {"Đơn vị"};
    form_table *d = fx_table(fs, "D", "ĐỒNG", "Biểu D", NULL, false, 1, rf, 2, 1);
    d->scale = 1;
    fx_col(d, 0, "n", "Số việc", FORM_KIND_COUNT, -1, NULL);
    fx_col(d, 1, "tien", "Tiền", FORM_KIND_MONEY, -1, NULL);
    fx_row(d, 0, "KV1", FORM_ROW_DATA, (const char *const[]){"KV1"}, (const int64_t[]){7, 2500499});
    form_table *m = fx_table(fs, "M", "TRIỆU", "Biểu M", NULL, false, 1, rf, 2, 1);
    m->scale = 1000000;
    fx_col(m, 0, "n", "Số việc", FORM_KIND_COUNT, -1, NULL);
    fx_col(m, 1, "tien", "Tiền", FORM_KIND_MONEY, -1, NULL);
    fx_row(m, 0, "KV1", FORM_ROW_DATA, (const char *const[]){"KV1"},
           (const int64_t[]){7, -2500000});
    char *out = fx_inspect_set(fs, "scale.xlsx", "Cục THADS tỉnh Gia Lai");
    expect_lines(out, "cell\tD\tC10\tn\t2500499\t#,##0\t-", /* in đồng, not rounded */
                 "cell\tM\tC10\tn\t-3\t#,##0\t-",            /* −2.5 triệu: half away from 0 */
                 "cell\tD\tA13\ts\tNgười tổng hợp\tGeneral\tb",
                 "cell\tD\tB13\ts\tCục trưởng\tGeneral\tb");
    cr_expect(strstr(out, "Ban hành kèm theo") == NULL, "a basis line without a basis");
    cr_expect(strstr(out, "Thủ trưởng đơn vị") == NULL);
    free(out);
}

/* Bytes that are not UTF-8 show in the workbook as in rejects.csv (\xHH), not as U+FFFD. */
Test(xlsx_out, invalid_bytes_read_as_in_rejects_csv)
{
    reject_log *log = rejects_new();
    rejects_add(log, "cases.csv", 9, "ten_don_vi", "Th\xED\xA0\x80i", 6, REJ_UTF8, NULL);
    form_set fs = {0};
    xlsx_report r = {.forms = &fs, .per = fx_period(), .rejects = log};
    char *out = fx_inspect_report(&r, "bytes.xlsx");
    expect_lines(out, "cell\tDòng bị loại\tD6\ts\tTh\\\\xED\\\\xA0\\\\x80i\tGeneral\t-");
    cr_expect_null(strstr(out, "\xEF\xBF\xBD"), "U+FFFD in the workbook");
    rejects_free(log);
    free(out);
}

/* manifest_wait: the hidden sheet takes the text the caller hands over late, on another thread
 * (the run hashes its CSV files meanwhile); no text stops the workbook with a message. */
typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int state; /* 0 not asked, 1 asked, 2 answered */
    const char *answer;
} fx_gate;

static const char *fx_wait(void *ctx)
{
    fx_gate *g = ctx;
    pthread_mutex_lock(&g->mu);
    g->state = 1;
    pthread_cond_broadcast(&g->cv);
    while (g->state != 2)
        pthread_cond_wait(&g->cv, &g->mu);
    const char *a = g->answer;
    pthread_mutex_unlock(&g->mu);
    return a;
}

typedef struct {
    xlsx_report r;
    char path[512];
    thk_buf err;
    int rc;
} fx_job;

static void *fx_job_run(void *arg)
{
    fx_job *j = arg;
    j->rc = xlsx_out_write(j->path, &j->r, &j->err);
    return NULL;
}

Test(xlsx_out, the_manifest_can_come_late_and_none_stops_the_workbook)
{
    for (int stop = 0; stop < 2; stop++) {
        fx_gate g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, NULL};
        fx_job j = {0};
        form_set *fs = fx_set();
        j.r.forms = fs;
        j.r.per = fx_period();
        j.r.manifest_wait = fx_wait;
        j.r.manifest_ctx = &g;
        char *dir = tu_tempdir();
        snprintf(j.path, sizeof j.path, "%s/late.xlsx", dir);
        pthread_t t;
        cr_assert_eq(pthread_create(&t, NULL, fx_job_run, &j), 0);
        pthread_mutex_lock(&g.mu);
        while (g.state != 1) /* the sheets are made; it now waits for the manifest */
            pthread_cond_wait(&g.cv, &g.mu);
        g.answer = stop ? NULL : fx_manifest;
        g.state = 2;
        pthread_cond_broadcast(&g.cv);
        pthread_mutex_unlock(&g.mu);
        pthread_join(t, NULL);
        if (stop) {
            cr_expect_eq(j.rc, THK_EXIT_OUTPUT);
            cr_expect(j.err.data && strstr(j.err.data, "không được ghi xong") != NULL, "%s",
                      j.err.data ? j.err.data : "");
        } else {
            cr_assert_eq(j.rc, 0, "%s", j.err.data ? j.err.data : "");
            char *out = inspect(j.path);
            expect_lines(out, "cell\tmanifest\tA2\ts\t  \"tool\": \"thongke\"\tGeneral\t-");
            free(out);
        }
        buf_free(&j.err);
        form_set_free(fs);
        free(dir);
    }
}
