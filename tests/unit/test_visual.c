/* The printed workbook, as a superior sees it: the sample's report converted to PDF by
 * LibreOffice (tests/tools/xlsx_pages.py). Every form's table fits on its first page with its
 * total row, a form by unit takes at most two pages (the table, its chart), a form by officer
 * is followed by one chart per unit, and no text is wider than its column unless it wraps in a
 * row tall enough. Skipped where soffice or pdftotext is not
 * installed (.ci/run installs both). */
#include "testutil.h"

#include <criterion/criterion.h>

static bool vis_have(const char *prog)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", prog);
    return system(cmd) == 0;
}

Test(visual, the_sample_workbook_prints_every_form_on_its_pages_without_overflow)
{
    if (!(vis_have("soffice") || vis_have("libreoffice")) || !vis_have("pdftotext"))
        cr_skip_test("soffice or pdftotext is not installed");
    char *tmp = tu_tempdir();
    char out[4200], in[4096], rules[4096], errp[4300], pdf[4300], log[4300];
    snprintf(out, sizeof out, "%s/run", tmp);
    snprintf(in, sizeof in, "%s/input/sample", tu_root());
    snprintf(rules, sizeof rules, "%s/rules/thads.rules", tu_root());
    snprintf(errp, sizeof errp, "%s/report.err", tmp);
    char *argv[] = {(char *)tu_bin(), "report", "--year", "2026", "--months", "12", "--input", in,
                    "--rules", rules, "--out", out, "--quiet", "--unit-name",
                    "Thi hành án dân sự tỉnh Đắk Lắk", NULL};
    cr_assert_eq(tu_run(argv, NULL, errp, NULL), 0);
    snprintf(pdf, sizeof pdf, "%s/pdf", tmp);
    mkdir(pdf, 0755);
    snprintf(log, sizeof log, "%s/pages.txt", tmp);
    char tool[4096], book[4300];
    snprintf(tool, sizeof tool, "%s/tests/tools/xlsx_pages.py", tu_root());
    snprintf(book, sizeof book, "%s/bao-cao-12-thang-2026.xlsx", out);
    char *targv[] = {"/usr/bin/python3", tool, book, pdf, NULL};
    int rc = tu_run(targv, log, log, NULL);
    char *text = tu_read(log, NULL);
    cr_expect_eq(rc, 0, "%s", text ? text : "");
    /* a form by unit takes its two pages (the table, its chart), one without a chart one page,
     * a form by officer its table and then a ranked chart per unit (8 units: 4 more pages) */
    cr_expect(text && strstr(text, "\nB01           2 pages"), "%s", text ? text : "");
    cr_expect(text && strstr(text, "\nB01-HT        1 page "), "%s", text ? text : "");
    cr_expect(text && strstr(text, "\nB01-CHV       5 pages"), "%s", text ? text : "");
    free(text);
    free(tmp);
}
