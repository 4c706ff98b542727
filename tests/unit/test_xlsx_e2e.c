/* End-to-end: the sample export as CSV and as .xlsx written by another program (openpyxl: real
 * dates and numbers, everything as text, title rows over sheets split in chunks, the 1904 date
 * system in test_xlsx.c) gives byte-identical cells.csv and cases.csv; planted bad cells are rejected at their
 * sheet and cell; an .xlsx named cases.csv is read as a workbook. */
#include "testutil.h"

#include <criterion/criterion.h>

static void run_ok(const char *input, const char *out)
{
    char log[4200];
    snprintf(log, sizeof log, "%s.log", out);
    char *argv[] = {(char *)tu_bin(), "report", "--year", "2026", "--months", "10", "--input",
                    (char *)input, "--out", (char *)out, NULL};
    int rc = tu_run(argv, NULL, log, NULL);
    char *text = tu_read(log, NULL);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, text ? text : "");
    free(text);
}

/* input/sample's three files converted by tests/tools/csv2xlsx.py MODE into dir. */
static void convert(const char *mode, const char *dir, const char *const *names)
{
    static const char *const stems[] = {"cases", "events", "thahc"};
    for (size_t i = 0; i < 3; i++) {
        char tool[2048], src[2048], dst[4096];
        snprintf(tool, sizeof tool, "%s/tests/tools/csv2xlsx.py", tu_root());
        snprintf(src, sizeof src, "%s/input/sample/%s.csv", tu_root(), stems[i]);
        snprintf(dst, sizeof dst, "%s/%s", dir, names ? names[i] : stems[i]);
        if (!names)
            strcat(dst, ".xlsx");
        char *argv[] = {"/usr/bin/python3", tool, (char *)mode, src, dst, "1000", NULL};
        cr_assert_eq(tu_run(argv, NULL, NULL, NULL), 0, "csv2xlsx %s %s", mode, stems[i]);
    }
}

static void expect_same(const char *a, const char *b, const char *name, const char *what)
{
    char pa[4096], pb[4096];
    snprintf(pa, sizeof pa, "%s/%s", a, name);
    snprintf(pb, sizeof pb, "%s/%s", b, name);
    size_t la = 0, lb = 0;
    char *x = tu_read(pa, &la), *y = tu_read(pb, &lb);
    cr_assert_not_null(x, "%s", pa);
    cr_assert_not_null(y, "%s", pb);
    cr_expect(la == lb && memcmp(x, y, la) == 0, "%s: %s differs from the CSV run's", what,
              name);
    free(x);
    free(y);
}

Test(xlsx_e2e, the_same_export_as_csv_and_as_workbooks_gives_identical_outputs)
{
    char *tmp = tu_tempdir();
    char csv_out[2048], in[2048];
    snprintf(in, sizeof in, "%s/input/sample", tu_root());
    snprintf(csv_out, sizeof csv_out, "%s/out-csv", tmp);
    run_ok(in, csv_out);
    static const char *const modes[] = {"typed", "text", "title"}; /* 1904: test_xlsx.c */
    for (size_t m = 0; m < 3; m++) {
        char dir[2048], out[2048];
        snprintf(dir, sizeof dir, "%s/in-%s", tmp, modes[m]);
        snprintf(out, sizeof out, "%s/out-%s", tmp, modes[m]);
        cr_assert_eq(mkdir(dir, 0777), 0);
        convert(modes[m], dir, NULL);
        run_ok(dir, out);
        expect_same(csv_out, out, "cells.csv", modes[m]);
        expect_same(csv_out, out, "cases.csv", modes[m]);
        expect_same(csv_out, out, "thahc-cases.csv", modes[m]);
        expect_same(csv_out, out, "rejects.csv", modes[m]);
    }
    free(tmp);
}

Test(xlsx_e2e, planted_bad_cells_are_rejected_at_their_sheet_and_cell)
{
    char *tmp = tu_tempdir();
    char dir[2048], out[2048], rej[4096];
    snprintf(dir, sizeof dir, "%s/in", tmp);
    snprintf(out, sizeof out, "%s/out", tmp);
    cr_assert_eq(mkdir(dir, 0777), 0);
    /* a workbook named cases.csv is read as a workbook: its content decides */
    static const char *const names[] = {"cases.csv", "events.xlsx", "thahc.xlsx"};
    convert("plant", dir, names);
    run_ok(dir, out);
    snprintf(rej, sizeof rej, "%s/rejects.csv", out);
    char *text = tu_read(rej, NULL);
    cr_assert_not_null(text);
    cr_expect(strstr(text, "cases.csv:Sheet1!K17,17,so_tien_phai_thi_hanh,12.5,E,money_fraction"),
              "%s", text);
    cr_expect(strstr(text, "cases.csv:Sheet1!F20,20,ngay_thu_ly,31/02/2020,E,"), "%s", text);
    free(text);
    free(tmp);
}

Test(xlsx_e2e, the_same_export_as_xls_gives_identical_outputs)
{
    char *tmp = tu_tempdir();
    char csv_in[2048], xls_in[2048], a[2048], b[2048];
    snprintf(csv_in, sizeof csv_in, "%s/tests/e2e/0001-hand-computed", tu_root());
    snprintf(xls_in, sizeof xls_in, "%s/tests/data/xls", tu_root());
    snprintf(a, sizeof a, "%s/out-csv", tmp);
    snprintf(b, sizeof b, "%s/out-xls", tmp);
    char log[4200];
    snprintf(log, sizeof log, "%s.log", b);
    for (int k = 0; k < 2; k++) {
        char *argv[] = {(char *)tu_bin(), "report", "--year", "2026", "--months", "12",
                        "--input", k ? xls_in : csv_in, "--out", k ? b : a, NULL};
        cr_assert_eq(tu_run(argv, NULL, log, NULL), 0);
    }
    expect_same(a, b, "cells.csv", "xls");
    expect_same(a, b, "cases.csv", "xls");
    expect_same(a, b, "rejects.csv", "xls");
    char man[4200];
    snprintf(man, sizeof man, "%s/manifest.json", b);
    char *text = tu_read(man, NULL);
    cr_assert_not_null(text);
    cr_expect(strstr(text, "\"encoding\": \"xls: Sheet1\""), "%s", text);
    free(text);
    free(tmp);
}
