/* test_continuity — the year-to-year check is declared in the rules (`continuity`, issue "One
 * source of meaning" 6) and checked from there: its names reach the manifest, a definition
 * that does not hold on the data stops the run (exit 5) naming the check and the unit, and
 * rules without one publish with no continuity check. The real binary on the bundled sample. */
#include "testutil.h"
#include "thk.h"

#include <criterion/criterion.h>

/* `report --year 2026 --months 12` on the sample with a rule file made of the shipped maps, one
 * count form and `extra`; stderr to dir/err; returns the exit status. */
static int ct_run(const char *dir, const char *extra)
{
    thk_buf r = {0};
    buf_printf(&r,
               "version \"continuity test\"\ninclude \"%s/rules/thads-maps.rules\"\n"
               "form B01 \"B01\" {\n  rows ma_don_vi total \"Tổng cộng\"\n"
               "  column thu_ly \"Tổng số thụ lý\" = count()\n}\n%s",
               tu_root(), extra);
    char *rules = tu_write(dir, "c.rules", r.data, r.len);
    char in[4200], out[4200], err[4200];
    snprintf(in, sizeof in, "%s/input/sample", tu_root());
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(err, sizeof err, "%s/err", dir);
    char *argv[] = {(char *)tu_bin(), "report", "--year", "2026", "--months", "12", "--rules",
                    rules, "--input", in, "--out", out, NULL};
    int rc = tu_run(argv, NULL, err, NULL);
    free(rules);
    buf_free(&r);
    return rc;
}

static char *ct_file(const char *dir, const char *rel)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    return tu_read(p, NULL);
}

#define CT_FORWARD "not state in (xong, dinh_chi, uy_thac, thu_hoi, chuyen_so_rieng)"

Test(continuity, the_rules_name_the_checks_and_say_what_carries_forward)
{
    char *dir = tu_tempdir();
    int rc = ct_run(dir, "continuity \"việc chuyển sang\" {\n  previous = " CT_FORWARD
                         "\n  current = carried\n}\n"
                         "continuity \"tiền chuyển sang\" {\n  previous = " CT_FORWARD
                         " value remaining\n  current = carried value B\n}\n");
    char *e = ct_file(dir, "err");
    cr_assert_eq(rc, 0, "%s", e);
    cr_assert(strstr(e, "liên tục giữa hai năm (2 kiểm tra của quy tắc): đúng"), "%s", e);
    char *m = ct_file(dir, "out/manifest.json");
    cr_assert(strstr(m, "{\"name\": \"việc chuyển sang\", \"ok\": true, \"detail\": \"\"}") &&
                  strstr(m, "{\"name\": \"tiền chuyển sang\", \"ok\": true, \"detail\": \"\"}"),
              "%s", m);
    cr_assert_null(strstr(m, "B01: chuyen_sang"), "a name the rules did not give");
    free(m);
    free(e);
    free(dir);
}

/* Forgetting that ủy thác, thu hồi and chuyển sổ riêng leave the stock: the sample has such
 * cases, so what last year hands over is more than what this year takes over. */
Test(continuity, a_definition_that_does_not_hold_stops_the_run_naming_it)
{
    char *dir = tu_tempdir();
    int rc = ct_run(dir, "continuity \"sai định nghĩa\" {\n  previous = not state in (xong, "
                         "dinh_chi)\n  current = carried\n}\n");
    cr_assert_eq(rc, 5);
    char *e = ct_file(dir, "err");
    cr_assert(strstr(e, "sai định nghĩa: đơn vị ") && strstr(e, "năm 2025 chuyển kỳ sau") &&
                  strstr(e, "năm 2026 chuyển sang"),
              "%s", e);
    free(e);
    char out[4200];
    snprintf(out, sizeof out, "%s/out/manifest.json", dir);
    cr_assert_null(tu_read(out, NULL), "nothing is published when the check fails");
    free(dir);
}

Test(continuity, rules_without_one_publish_without_the_check)
{
    char *dir = tu_tempdir();
    cr_assert_eq(ct_run(dir, ""), 0);
    char *m = ct_file(dir, "out/manifest.json");
    cr_assert(strstr(m, "\"continuity\": [\n    ]") || strstr(m, "\"continuity\": []"), "%s", m);
    char *e = ct_file(dir, "err");
    cr_assert(strstr(e, "quy tắc không khai báo (continuity)"), "%s", e);
    free(e);
    free(m);
    free(dir);
}
