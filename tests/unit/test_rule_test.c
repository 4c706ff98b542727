/* test_rule_test — `thongke check`: exit codes, output, independent files, the samples behind
 * the shadowed-alternative heuristic, and the shipped rules passing their own tests. */
#include <criterion/criterion.h>

#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rule_map.h"
#include "rule_test.h"

/* Writes text to a new temporary file and returns its path (static storage per slot). */
static const char *tmp_rules(int slot, const char *text)
{
    static char paths[4][4096];
    snprintf(paths[slot], sizeof paths[slot], "%s/rule_test_%d_XXXXXX", tu_tmpbase(), slot);
    int fd = mkstemp(paths[slot]);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return paths[slot];
}

/* Runs check_main with stdout and stderr captured into out/err (caller frees). */
static int run_check(int argc, const char **argv, char **out, char **err)
{
    char opath[4096], epath[4096];
    snprintf(opath, sizeof opath, "%s/rule_test_out_XXXXXX", tu_tmpbase());
    snprintf(epath, sizeof epath, "%s/rule_test_err_XXXXXX", tu_tmpbase());
    int ofd = mkstemp(opath), efd = mkstemp(epath);
    cr_assert(ofd >= 0 && efd >= 0);
    fflush(stdout);
    fflush(stderr);
    int so = dup(1), se = dup(2);
    dup2(ofd, 1);
    dup2(efd, 2);
    int rc = check_main(argc, (char **)argv);
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    for (int k = 0; k < 2; k++) {
        int fd = k ? efd : ofd;
        off_t n = lseek(fd, 0, SEEK_END);
        char *b = calloc((size_t)n + 1, 1);
        lseek(fd, 0, SEEK_SET);
        cr_assert_eq(read(fd, b, (size_t)n), n);
        close(fd);
        *(k ? err : out) = b;
    }
    unlink(opath);
    unlink(epath);
    return rc;
}

static const char *const GOOD = "map su_kien { xong = /xong/i }\n"
                                "let chua_xong = state = dang_thi_hanh\n"
                                "form B01 \"v\" { rows ma_don_vi column n \"n\" = count(chua_xong) }\n"
                                "test \"một\" {\n  period 12 thang 2026\n"
                                "  case ma_viec=A ma_don_vi=X ngay_thu_ly=01/11/2025 "
                                "ngay_quyet_dinh=01/11/2025 so_tien_phai_thi_hanh=0\n"
                                "  expect B01[X].n = 1\n}\n";

Test(rule_test, passing_tests_exit_0_with_a_summary)
{
    const char *argv[] = {"check", tmp_rules(0, GOOD)};
    char *out, *err;
    cr_expect_eq(run_check(2, argv, &out, &err), 0);
    cr_expect(strncmp(out, "ĐẠT một\nđộ phủ:\n", 19) == 0, "%s", out);
    cr_expect(strstr(out, "let chua_xong (") && strstr(out, ") chưa bao giờ sai trong các test"),
              "%s", out);
    cr_expect(strstr(out, "\n1 đạt, 0 không đạt\n") != NULL, "%s", out);
    cr_expect_str_eq(err, "");
    free(out);
    free(err);
}

Test(rule_test, a_failing_test_exits_1)
{
    char text[2048];
    snprintf(text, sizeof text, "%s", GOOD);
    char *p = strstr(text, "B01[X].n = 1");
    p[11] = '7';
    const char *argv[] = {"check", "--quiet", tmp_rules(0, text)};
    char *out, *err;
    cr_expect_eq(run_check(3, argv, &out, &err), 1);
    cr_expect_str_eq(out, "KHÔNG ĐẠT một\n  B01[X].n: mong đợi 7, được 1\n0 đạt, 1 không đạt\n");
    free(out);
    free(err);
}

Test(rule_test, a_rule_error_exits_2_before_running_any_test)
{
    const char *argv[] = {"check", tmp_rules(0, GOOD), tmp_rules(1, "let x = nope\n")};
    char *out, *err;
    cr_expect_eq(run_check(3, argv, &out, &err), 2);
    cr_expect_str_eq(out, "");
    cr_expect(strstr(err, ": lỗi: tên không có: 'nope'") != NULL, "%s", err);
    free(out);
    free(err);
}

Test(rule_test, usage_errors_exit_1_and_help_exits_0)
{
    char *out, *err;
    const char *none[] = {"check"};
    cr_expect_eq(run_check(1, none, &out, &err), 1);
    cr_expect(strstr(err, "Cách dùng: thongke check") != NULL);
    free(out);
    free(err);
    const char *bad[] = {"check", "--frob", "x.rules"};
    cr_expect_eq(run_check(3, bad, &out, &err), 1);
    cr_expect(strstr(err, "tùy chọn không có '--frob'") != NULL);
    free(out);
    free(err);
    const char *help[] = {"check", "--help"};
    cr_expect_eq(run_check(2, help, &out, &err), 0);
    cr_expect(strstr(out, "Cách dùng: thongke check") != NULL);
    free(out);
    free(err);
}

Test(rule_test, each_file_is_its_own_rule_set)
{
    /* the same let name in both files is fine: they are compiled separately */
    const char *argv[] = {"check", "-q", tmp_rules(0, GOOD), tmp_rules(1, GOOD)};
    char *out, *err;
    cr_expect_eq(run_check(4, argv, &out, &err), 0, "%s", err);
    cr_expect_str_eq(out, "2 đạt, 0 không đạt\n");
    free(out);
    free(err);
}

Test(rule_test, samples_strip_regex_syntax)
{
    static const struct {
        const char *pat;
        unsigned flags;
        const char *want; /* samples joined by '|', or NULL: no sample */
    } cases[] = {
        {"hoãn", 0, "hoãn"},
        {"tạm\\s*đình\\s*chỉ", 0, "tạmđìnhchỉ"},
        {"thi\\s+hành", 0, "thi hành"},
        {"(thi\\s*hành|tha)\\s*xong", 0, "thihànhxong"},
        {"^đình chỉ$|dinh chi", 0, "đình chỉ|dinh chi"},
        {"(?:ủy|uỷ) thác", 0, "ủy thác"},
        {"x[aă]c minh", 0, "xac minh"},
        {"a{2,3}b?c", 0, "aac"},
        {"\\bcấp\\s*dưỡng\\b", 0, "cấpdưỡng"},
        {"thu tiền # comment", RULE_PAT_X, "thutiền"},
        {"\\.\\d", 0, ".0"},
        {"(?=x)y", 0, NULL},
        {"[^a]b", 0, NULL},
        {"\\p{L}", 0, NULL},
    };
    thk_buf b = {0};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = rule_test_samples(cases[i].pat, cases[i].flags, &b);
        if (!cases[i].want) {
            cr_expect_eq(n, 0, "%s gave %zu samples", cases[i].pat, n);
            continue;
        }
        char joined[256] = {0};
        const char *s = b.data;
        for (size_t k = 0; k < n; k++) {
            strcat(joined, k ? "|" : "");
            strcat(joined, s);
            s += strlen(s) + 1;
        }
        cr_expect_str_eq(joined, cases[i].want, "%s", cases[i].pat);
    }
    buf_free(&b);
}

Test(rule_test, the_shipped_rules_pass_their_own_tests)
{
    const char *root = getenv("THONGKE_ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/rules/thads.rules", root && *root ? root : ".");
    if (access(path, R_OK) != 0)
        cr_skip_test("no %s", path);
    const char *argv[] = {"check", "--quiet", path};
    char *out, *err;
    int rc = run_check(3, argv, &out, &err);
    cr_expect_eq(rc, 0, "%s%s", err, out);
    cr_expect(strstr(out, " đạt, 0 không đạt\n") != NULL, "%s", out);
    free(out);
    free(err);
}
