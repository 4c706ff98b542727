/* Exit codes of the real binary, each produced by a real situation (cli.md). */
#include "testutil.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <sys/file.h>

/* Runs `thongke ARGS...` (NULL-terminated) and returns its exit code; stderr into *err_text. */
static int thk(char **err_text, ...)
{
    char *argv[64];
    int argc = 0;
    argv[argc++] = (char *)tu_bin();
    va_list ap;
    va_start(ap, err_text);
    char *a;
    while ((a = va_arg(ap, char *)) != NULL && argc < 63)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    char *tmp = tu_tempdir();
    char errp[512];
    snprintf(errp, sizeof errp, "%s/stderr", tmp);
    int rc = tu_run(argv, NULL, errp, NULL);
    if (err_text)
        *err_text = tu_read(errp, NULL);
    free(tmp);
    return rc;
}

static char *sample_dir(void)
{
    static char dir[4096];
    snprintf(dir, sizeof dir, "%s/input/sample", tu_root());
    return dir;
}

static char *rules_path(void)
{
    static char p[4096];
    snprintf(p, sizeof p, "%s/rules/thads.rules", tu_root());
    return p;
}

Test(cli, help_exits_0_and_lists_the_exit_codes)
{
    char *tmp = tu_tempdir(), out[512];
    snprintf(out, sizeof out, "%s/help", tmp);
    char *argv[] = {(char *)tu_bin(), "--help", NULL};
    cr_assert_eq(tu_run(argv, out, NULL, NULL), 0);
    char *t = tu_read(out, NULL);
    cr_assert(strstr(t, "report") && strstr(t, "Mã thoát") && strstr(t, "5  kiểm tra"), "%s", t);
    free(t);
    free(tmp);
}

/* Every subcommand answers --help with exit 0 (codes did not). */
Test(cli, every_command_has_help)
{
    static const char *const cmds[] = {"report", "check", "merge", "diff", "sample", "codes"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        char *e;
        int rc = thk(&e, cmds[i], "--help", NULL);
        cr_expect_eq(rc, 0, "%s --help: %s", cmds[i], e);
        free(e);
    }
}

Test(cli, a_bad_command_or_option_exits_1)
{
    char *e;
    cr_assert_eq(thk(&e, "bogus", NULL), 1);
    free(e);
    cr_assert_eq(thk(&e, "report", "--year", "2026", "--months", "13", NULL), 1);
    cr_assert(strstr(e, "--months") != NULL, "%s", e);
    free(e);
    cr_assert_eq(thk(&e, "report", "--year", "2026", NULL), 1);
    free(e);
    cr_assert_eq(thk(&e, "report", "--year", "2026", "--months", "12", "--nonsense", NULL), 1);
    free(e);
    cr_assert_eq(thk(&e, "report", "--from", "01/03/2026", NULL), 1);
    free(e);
}

Test(cli, a_broken_rule_file_exits_2_before_reading_input)
{
    char *tmp = tu_tempdir();
    char *rules = tu_write_str(tmp, "bad.rules", "let x = \nform B01 \"t\" { column a \"A\" = }\n");
    char out[512];
    snprintf(out, sizeof out, "%s/out", tmp);
    char *e;
    int rc = thk(&e, "report", "--year", "2026", "--months", "12", "--rules", rules, "--input",
                 "/nonexistent", "--out", out, NULL);
    cr_assert_eq(rc, 2, "%s", e);
    cr_assert(strstr(e, "bad.rules:") != NULL, "%s", e);
    cr_assert(strstr(e, "/nonexistent") == NULL, "input must not be read: %s", e);
    free(e);
    free(rules);
    free(tmp);
}

Test(cli, a_missing_input_folder_exits_3_naming_the_file)
{
    char *tmp = tu_tempdir(), out[512];
    snprintf(out, sizeof out, "%s/out", tmp);
    char *e;
    int rc = thk(&e, "report", "--year", "2026", "--months", "12", "--rules", rules_path(),
                 "--input", "/nonexistent-thongke", "--out", out, NULL);
    cr_assert_eq(rc, 3, "%s", e);
    cr_assert(strstr(e, "/nonexistent-thongke/cases.csv") != NULL, "%s", e);
    free(e);
    free(tmp);
}

Test(cli, a_missing_required_column_exits_3)
{
    char *tmp = tu_tempdir(), out[512];
    snprintf(out, sizeof out, "%s/out", tmp);
    free(tu_write_str(tmp, "cases.csv", "ma_viec,ma_don_vi,ngay_thu_ly\nV1,U,01/01/2026\n"));
    free(tu_write_str(tmp, "events.csv", "ma_viec,ngay,su_kien\n"));
    char *e;
    int rc = thk(&e, "report", "--year", "2026", "--months", "12", "--rules", rules_path(),
                 "--input", tmp, "--out", out, NULL);
    cr_assert_eq(rc, 3, "%s", e);
    cr_assert(strstr(e, "ngay_quyet_dinh") != NULL, "%s", e);
    free(e);
    free(tmp);
}

static char *bad_row_input(void)
{
    char *tmp = tu_tempdir();
    free(tu_write_str(tmp, "cases.csv",
                      "ma_viec,ma_don_vi,ngay_thu_ly,ngay_quyet_dinh,so_tien_phai_thi_hanh\n"
                      "V1,U,01/11/2025,01/11/2025,100\nV2,U,31/02/2025,01/11/2025,100\n"
                      "V3,U,01/11/2025,01/11/2025,100\nV4,U,01/11/2025,01/11/2025,100\n"));
    free(tu_write_str(tmp, "events.csv", "ma_viec,ngay,su_kien,so_tien\n"));
    return tmp;
}

Test(cli, strict_with_a_bad_row_exits_3_and_publishes_nothing)
{
    char *in = bad_row_input(), out[512];
    snprintf(out, sizeof out, "%s/out", in);
    char *e;
    int rc = thk(&e, "report", "--year", "2026", "--months", "12", "--rules", rules_path(),
                 "--input", in, "--out", out, "--strict", NULL);
    cr_assert_eq(rc, 3, "%s", e);
    cr_assert(access(out, F_OK) != 0, "nothing published");
    free(e);
    rc = thk(&e, "report", "--year", "2026", "--months", "12", "--rules", rules_path(), "--input",
             in, "--out", out, "--max-reject-pct", "25", NULL);
    cr_assert_eq(rc, 0, "without --strict the bad row is only rejected: %s", e);
    free(e);
    free(in);
}

Test(cli, max_reject_pct_exits_3_only_above_the_threshold)
{
    char *in = bad_row_input(), out[512];
    snprintf(out, sizeof out, "%s/out", in);
    char *e;
    /* 1 of 4 rows = 25 % */
    int rc = thk(&e, "report", "--year", "2026", "--months", "12", "--rules", rules_path(),
                 "--input", in, "--out", out, "--max-reject-pct", "20", NULL);
    cr_assert_eq(rc, 3, "%s", e);
    free(e);
    rc = thk(&e, "report", "--year", "2026", "--months", "12", "--rules", rules_path(), "--input",
             in, "--out", out, "--max-reject-pct", "25", NULL);
    cr_assert_eq(rc, 0, "%s", e);
    free(e);
    free(in);
}

Test(cli, an_unwritable_output_folder_exits_4)
{
    char *e;
    int rc = thk(&e, "report", "--year", "2026", "--months", "12", "--rules", rules_path(),
                 "--input", sample_dir(), "--out", "/proc/thongke/out", NULL);
    cr_assert_eq(rc, 4, "%s", e);
    free(e);
}

Test(cli, a_held_lock_exits_4_naming_the_holder)
{
    char *tmp = tu_tempdir(), out[512], lock[512];
    snprintf(out, sizeof out, "%s/r", tmp);
    snprintf(lock, sizeof lock, "%s/.r.lock", tmp);
    int fd = open(lock, O_RDWR | O_CREAT, 0644);
    cr_assert(fd >= 0);
    cr_assert_eq(flock(fd, LOCK_EX), 0);
    cr_assert_eq(write(fd, "4242\n", 5), 5);
    char *e;
    int rc = thk(&e, "report", "--year", "2026", "--months", "12", "--rules", rules_path(),
                 "--input", sample_dir(), "--out", out, NULL);
    cr_assert_eq(rc, 4, "%s", e);
    cr_assert(strstr(e, "4242") != NULL, "%s", e);
    cr_assert(access(out, F_OK) != 0);
    free(e);
    close(fd);
    free(tmp);
}

Test(cli, the_readme_reject_catalogue_is_the_one_the_binary_prints)
{
    char *tmp = tu_tempdir(), out[512], readme[4096];
    snprintf(out, sizeof out, "%s/codes", tmp);
    snprintf(readme, sizeof readme, "%s/README.md", tu_root());
    char *argv[] = {(char *)tu_bin(), "codes", NULL};
    cr_assert_eq(tu_run(argv, out, NULL, NULL), 0);
    char *codes = tu_read(out, NULL), *doc = tu_read(readme, NULL);
    cr_assert_not_null(doc);
    char *begin = strstr(doc, "<!-- codes:begin -->\n"), *end = strstr(doc, "<!-- codes:end -->");
    cr_assert(begin && end && end > begin);
    begin += strlen("<!-- codes:begin -->\n");
    *end = '\0';
    cr_assert_str_eq(begin, codes, "regenerate the README table with ./thongke codes");
    free(codes);
    free(doc);
    free(tmp);
}

Test(cli, every_shipped_rule_file_passes_thongke_check)
{
    static const char *const files[] = {"thads.rules", "dot-cao-diem.rules", "thads-maps.rules"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/rules/%s", tu_root(), files[i]);
        char *e;
        int rc = thk(&e, "check", path, NULL);
        cr_expect_eq(rc, 0, "%s: %s", files[i], e);
        free(e);
    }
}

/* The test rule files of merge and diff compute what their own `test` blocks say by hand (a
 * custom form with rates over aggregates and money in millions: no C knows them). */
Test(cli, the_test_rule_files_pass_their_own_tests)
{
    static const char *const files[] = {"merge/custom.rules", "merge/mini.rules",
                                        "diff/diff.rules"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/tests/data/%s", tu_root(), files[i]);
        char *e;
        int rc = thk(&e, "check", path, NULL);
        cr_expect_eq(rc, 0, "%s: %s", files[i], e);
        free(e);
    }
}

Test(cli, the_manifest_records_identities_and_year_to_year_continuity)
{
    char *tmp = tu_tempdir(), out[512], mpath[600];
    snprintf(out, sizeof out, "%s/out", tmp);
    char *e;
    int rc = thk(&e, "report", "--year", "2026", "--months", "12", "--rules", rules_path(),
                 "--input", sample_dir(), "--out", out, NULL);
    cr_assert_eq(rc, 0, "%s", e);
    free(e);
    snprintf(mpath, sizeof mpath, "%s/manifest.json", out);
    char *m = tu_read(mpath, NULL);
    cr_assert_not_null(m);
    cr_assert(strstr(m, "\"identities_verified\": 0,") == NULL, "identities were counted");
    cr_assert(strstr(m, "\"B01: chuyen_sang = chuyen_ky_sau năm trước (trừ chuyển sổ theo dõi "
                        "riêng)\", \"ok\": true") != NULL, "%s", m);
    cr_assert(strstr(m, "\"B02: chuyen_sang = chuyen_ky_sau năm trước (trừ chuyển sổ theo dõi "
                        "riêng)\", \"ok\": true") != NULL, "%s", m);
    free(m);
    free(tmp);
}

Test(cli, a_column_format_from_the_rules_reaches_the_workbook)
{
    char *tmp = tu_tempdir(), rules[4400], out[512], xlsx[600], cmd[5200];
    snprintf(rules, sizeof rules,
             "version \"format test\"\ninclude \"%s/rules/thads-maps.rules\"\n"
             "form B01 \"B01\" {\n  measure count\n"
             "  rows ma_don_vi label ten_don_vi total \"Tổng cộng\"\n"
             "  column thu_ly \"Tổng số thụ lý\" format \"#,##0.0\" = count()\n}\n",
             tu_root());
    char *rp = tu_write_str(tmp, "f.rules", rules);
    snprintf(out, sizeof out, "%s/out", tmp);
    char *e;
    int rc = thk(&e, "report", "--year", "2026", "--months", "12", "--rules", rp, "--input",
                 sample_dir(), "--out", out, NULL);
    cr_assert_eq(rc, 0, "%s", e);
    free(e);
    snprintf(xlsx, sizeof xlsx, "%s/bao-cao-12-thang-2026.xlsx", out);
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 '%s/tests/tools/xlsx_inspect.py' '%s' | grep -c '^cell.B01.B1[0-9].n.[0-9]*.#,##0\\.0'",
             tu_root(), xlsx);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    int n = 0;
    cr_assert_eq(fscanf(p, "%d", &n), 1);
    pclose(p);
    cr_assert_geq(n, 8, "every unit row of B01 uses the rule's format (%d rows)", n);

    /* an empty format is a rule error with its position */
    char *bad = tu_write_str(tmp, "bad.rules", "form B01 \"B01\" {\n  column a \"A\" format \"\" = count()\n}\n");
    rc = thk(&e, "check", bad, NULL);
    cr_assert_eq(rc, 2, "%s", e);
    cr_assert(strstr(e, "bad.rules:2:") && strstr(e, "định dạng số"), "%s", e);
    free(e);
    free(bad);
    free(rp);
    free(tmp);
}

/* Copies input/sample into dir, dropping the first "Thi hành xong" event dated in 2026;
 * returns its ma_viec (malloc'd). */
static char *copy_sample_without_one_xong(const char *dir)
{
    char path[4200];
    const char *files[] = {"cases.csv", "thahc.csv"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", sample_dir(), files[i]);
        size_t n = 0;
        char *t = tu_read(path, &n);
        cr_assert_not_null(t);
        free(tu_write(dir, files[i], t, n));
        free(t);
    }
    snprintf(path, sizeof path, "%s/events.csv", sample_dir());
    size_t n = 0;
    char *ev = tu_read(path, &n);
    cr_assert_not_null(ev);
    char *hit = strstr(ev, "/2026,Thi hành xong,");
    cr_assert_not_null(hit, "the sample has a xong in 2026");
    char *start = hit;
    while (start > ev && start[-1] != '\n')
        start--;
    char *end = strchr(hit, '\n') + 1;
    char *id = strndup(start, (size_t)(strchr(start, ',') - start));
    memmove(start, end, n - (size_t)(end - ev) + 1);
    free(tu_write_str(dir, "events.csv", ev));
    free(ev);
    return id;
}

Test(cli, diff_names_the_case_behind_an_injected_correction)
{
    char *tmp = tu_tempdir(), a[512], b[512], in[512], outp[600];
    snprintf(a, sizeof a, "%s/a", tmp);
    snprintf(b, sizeof b, "%s/b", tmp);
    snprintf(in, sizeof in, "%s/in", tmp);
    mkdir(in, 0755);
    char *id = copy_sample_without_one_xong(in);
    char *e;
    cr_assert_eq(thk(&e, "report", "--year", "2026", "--months", "12", "--rules", rules_path(),
                     "--input", sample_dir(), "--out", a, NULL), 0, "%s", e);
    free(e);
    cr_assert_eq(thk(&e, "report", "--year", "2026", "--months", "12", "--rules", rules_path(),
                     "--input", in, "--out", b, NULL), 0, "%s", e);
    free(e);
    snprintf(outp, sizeof outp, "%s/diff.txt", tmp);
    char *argv[] = {(char *)tu_bin(), "diff", a, b, NULL};
    cr_assert_eq(tu_run(argv, outp, NULL, NULL), 1, "the runs differ");
    char *d = tu_read(outp, NULL);
    cr_assert(strstr(d, id) != NULL, "diff names %s:\n%.2000s", id, d);
    cr_assert(strstr(d, "B01") != NULL);
    free(d);
    char *same[] = {(char *)tu_bin(), "diff", a, a, NULL};
    cr_assert_eq(tu_run(same, NULL, NULL, NULL), 0, "a run is identical to itself");
    free(id);
    free(tmp);
}

Test(cli, progress_is_shown_only_on_request_when_stderr_is_not_a_terminal)
{
    char *tmp = tu_tempdir(), out[512];
    snprintf(out, sizeof out, "%s/out", tmp);
    char *e;
    cr_assert_eq(thk(&e, "report", "--year", "2026", "--months", "12", "--rules", rules_path(),
                     "--input", sample_dir(), "--out", out, NULL), 0);
    cr_assert(strstr(e, "MB/s") == NULL, "no progress line on a pipe: %s", e);
    free(e);
    cr_assert_eq(thk(&e, "report", "--year", "2026", "--months", "12", "--rules", rules_path(),
                     "--input", sample_dir(), "--out", out, "--progress", NULL), 0);
    cr_assert(strstr(e, "MB/s") && strstr(e, "dòng") && strstr(e, "%"), "%s", e);
    free(e);
    free(tmp);
}

/* Writes the lines of input/sample/NAME whose first field starts with `prefix` (plus the
 * header) into dir/NAME. */
static void split_sample_file(const char *dir, const char *name, const char *prefix)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", sample_dir(), name);
    char *t = tu_read(path, NULL);
    cr_assert_not_null(t);
    size_t cap = strlen(t) + 1, n = 0;
    char *o = malloc(cap);
    bool header = true;
    for (char *line = t; *line;) {
        char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) + 1 : strlen(line);
        if (header || strncmp(line, prefix, strlen(prefix)) == 0) {
            memcpy(o + n, line, len);
            n += len;
        }
        header = false;
        line += len;
    }
    free(tu_write(dir, name, o, n));
    free(o);
    free(t);
}

Test(cli, merge_recomputes_a_rate_the_rules_define_and_equals_the_whole_run)
{
    char *tmp = tu_tempdir(), rules[4400], dir[3][512], out[3][600], merged[600];
    snprintf(rules, sizeof rules,
             "version \"merge formulas\"\ninclude \"%s/rules/thads-maps.rules\"\n"
             "form X \"X\" {\n  measure count\n"
             "  rows ma_don_vi label ten_don_vi total \"Tổng cộng\"\n"
             "  column tat_ca \"Tất cả\" = count()\n"
             "  column cu \"Năm trước chuyển sang\" = count(carried)\n"
             "  column ty_le_cu \"Tỷ lệ cũ\" = percent(cu, tat_ca)\n}\n",
             tu_root());
    char *rp = tu_write_str(tmp, "x.rules", rules);
    const char *prefix[2] = {"DL-", "GL-"};
    for (int i = 0; i < 2; i++) {
        snprintf(dir[i], sizeof dir[i], "%s/in%d", tmp, i);
        mkdir(dir[i], 0755);
        split_sample_file(dir[i], "cases.csv", prefix[i]);
        split_sample_file(dir[i], "events.csv", prefix[i]);
    }
    for (int i = 0; i < 3; i++) {
        snprintf(out[i], sizeof out[i], "%s/out%d", tmp, i);
        char *e;
        int rc = thk(&e, "report", "--year", "2026", "--months", "12", "--rules", rp, "--input",
                     i < 2 ? dir[i] : sample_dir(), "--out", out[i], "--format", "csv", NULL);
        cr_assert_eq(rc, 0, "%s", e);
        free(e);
    }
    snprintf(merged, sizeof merged, "%s/merged", tmp);
    char *e;
    int rc = thk(&e, "merge", "--out", merged, out[0], out[1], NULL);
    cr_assert_eq(rc, 0, "the rate's formula comes from the rules the runs used: %s", e);
    free(e);
    char *argv[] = {(char *)tu_bin(), "diff", merged, out[2], NULL};
    cr_assert_eq(tu_run(argv, NULL, NULL, NULL), 0, "merged cells equal the whole run's");
    free(rp);
    free(tmp);
}

/* diff says loudly when the runs differ by period or by rules, not only by data. */
Test(cli, diff_warns_when_periods_or_rules_differ)
{
    char *tmp = tu_tempdir(), a[512], b[512], c[512], rules2[4400];
    snprintf(a, sizeof a, "%s/a", tmp);
    snprintf(b, sizeof b, "%s/b", tmp);
    snprintf(c, sizeof c, "%s/c", tmp);
    char *e;
    cr_assert_eq(thk(&e, "report", "--year", "2026", "--months", "10", "--rules", rules_path(),
                     "--input", sample_dir(), "--out", a, NULL), 0, "%s", e);
    free(e);
    cr_assert_eq(thk(&e, "report", "--year", "2026", "--months", "12", "--rules", rules_path(),
                     "--input", sample_dir(), "--out", b, NULL), 0, "%s", e);
    free(e);
    cr_assert_eq(thk(&e, "diff", a, b, NULL), 1);
    cr_assert(e && strstr(e, "CẢNH BÁO: hai lần chạy khác kỳ báo cáo (01/10/2025–31/07/2026 và "
                             "01/10/2025–30/09/2026)"), "%s", e);
    cr_assert_null(strstr(e, "quy tắc khác nhau"), "%s", e);
    free(e);
    /* the same period under a rule file that differs by one comment */
    size_t n = 0;
    char *r = tu_read(rules_path(), &n);
    snprintf(rules2, sizeof rules2, "%s/rules", tmp);
    mkdir(rules2, 0755);
    free(tu_write(rules2, "thads.rules", r, n));
    free(r);
    char maps[4400];
    static const char *const included[] = {"thads-maps.rules", "tham-tra.rules"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(maps, sizeof maps, "%s/rules/%s", tu_root(), included[i]);
        r = tu_read(maps, &n);
        free(tu_write(rules2, included[i], r, n));
        free(r);
    }
    snprintf(rules2 + strlen(rules2), sizeof rules2 - strlen(rules2), "/thads.rules");
    FILE *f = fopen(rules2, "a");
    cr_assert_not_null(f);
    fputs("# một dòng ghi chú\n", f);
    fclose(f);
    cr_assert_eq(thk(&e, "report", "--year", "2026", "--months", "12", "--rules", rules2,
                     "--input", sample_dir(), "--out", c, NULL), 0, "%s", e);
    free(e);
    /* the figures and cases are equal (exit 0), but the reader is told the rules were not */
    cr_assert_eq(thk(&e, "diff", b, c, NULL), 0);
    cr_assert(e && strstr(e, "CẢNH BÁO: hai lần chạy dùng quy tắc khác nhau"), "%s", e);
    free(e);
    free(tmp);
}

/* The printed forms a superior adds up (issue "totals that add up on paper"): the workbook read
 * back with openpyxl, every money form's total equals the sum of its shown rows and the rules'
 * identities hold on shown values (B02's four, the campaign's money balance). */
Test(cli, printed_money_adds_up_in_the_workbook_read_back)
{
    static const struct {
        const char *rules, *period[6], *xlsx;
        const char *ids[4];
    } runs[] = {
        {"thads.rules", {"--year", "2026", "--months", "12", "--quiet", "--quiet"},
         "bao-cao-12-thang-2026.xlsx",
         {"B02:6=7+14+15", "B02:1=2+3", "B02:7=8+9+10+11+12+13", "B02:17=18+14+15"}},
        {"dot-cao-diem.rules", {"--year", "2026", "--from", "01/03/2026", "--to", "31/05/2026"},
         "bao-cao-2026-03-01-den-2026-05-31.xlsx", {"DCD:2=4+6", NULL, NULL, NULL}},
    };
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        char *tmp = tu_tempdir(), out[4200], rules[4200], xlsx[4400], tool[4200], log[4300];
        snprintf(out, sizeof out, "%s/out", tmp);
        snprintf(rules, sizeof rules, "%s/rules/%s", tu_root(), runs[i].rules);
        char *e;
        int rc = thk(&e, "report", runs[i].period[0], runs[i].period[1], runs[i].period[2],
                     runs[i].period[3], runs[i].period[4], runs[i].period[5], "--rules", rules,
                     "--input", sample_dir(), "--out", out, NULL);
        cr_assert_eq(rc, 0, "%s", e);
        free(e);
        snprintf(xlsx, sizeof xlsx, "%s/%s", out, runs[i].xlsx);
        snprintf(tool, sizeof tool, "%s/tests/tools/xlsx_sums.py", tu_root());
        snprintf(log, sizeof log, "%s/sums.txt", tmp);
        char *argv[] = {"/usr/bin/python3", tool, xlsx, (char *)runs[i].ids[0],
                        (char *)runs[i].ids[1], (char *)runs[i].ids[2], (char *)runs[i].ids[3],
                        NULL};
        rc = tu_run(argv, log, log, NULL);
        char *text = tu_read(log, NULL);
        cr_expect_eq(rc, 0, "%s: %s", runs[i].rules, text ? text : "");
        cr_expect(text && strstr(text, "\nOK ") && !strstr(text, "OK 0"), "%s", text);
        free(text);
        free(tmp);
    }
}

/* The header's reporting unit and the place of the date line: --unit-name and --place, else
 * the data's province-level unit when the data holds one province; several provinces leave
 * the generic header and say so. */
Test(cli, the_reporting_unit_and_place_come_from_options_or_from_one_province)
{
    char *tmp = tu_tempdir(), dir[600], out[700], xlsx[800], tool[4200], ins[800];
    snprintf(dir, sizeof dir, "%s/dl", tmp);
    mkdir(dir, 0755);
    split_sample_file(dir, "cases.csv", "DL-");
    split_sample_file(dir, "events.csv", "DL-");
    snprintf(out, sizeof out, "%s/out1", tmp);
    char *e;
    int rc = thk(&e, "report", "--year", "2026", "--months", "12", "--input", dir, "--out", out,
                 NULL);
    cr_assert_eq(rc, 0, "%s", e);
    cr_expect(strstr(e, "đơn vị báo cáo lấy từ dữ liệu: Thi hành án dân sự tỉnh Đắk Lắk"), "%s",
              e);
    free(e);
    snprintf(out, sizeof out, "%s/out2", tmp);
    rc = thk(&e, "report", "--year", "2026", "--months", "12", "--out", out, "--input",
             sample_dir(), NULL);
    cr_assert_eq(rc, 0, "%s", e);
    cr_expect(strstr(e, "cảnh báo: đầu biểu ghi \"THADS tỉnh ...\""), "%s", e);
    free(e);
    snprintf(out, sizeof out, "%s/out3", tmp);
    rc = thk(&e, "report", "--year", "2026", "--months", "12", "--input", dir, "--out", out,
             "--unit-name", "Thi hành án dân sự tỉnh Đắk Lắk", "--place", "Buôn Ma Thuột",
             "--sign-date", "15/10/2026", NULL);
    cr_assert_eq(rc, 0, "%s", e);
    free(e);
    snprintf(xlsx, sizeof xlsx, "%s/bao-cao-12-thang-2026.xlsx", out);
    snprintf(tool, sizeof tool, "%s/tests/tools/xlsx_inspect.py", tu_root());
    snprintf(ins, sizeof ins, "%s/inspect.txt", tmp);
    char *argv[] = {"/usr/bin/python3", tool, xlsx, NULL};
    cr_assert_eq(tu_run(argv, ins, NULL, NULL), 0);
    char *text = tu_read(ins, NULL);
    cr_expect(text && strstr(text, "\tBuôn Ma Thuột, ngày 15 tháng 10 năm 2026\t"), "place");
    cr_expect(text && strstr(text, "\tĐơn vị báo cáo: Thi hành án dân sự tỉnh Đắk Lắk\t"), "unit");
    free(text);
    free(tmp);
}

/* Lists read like the forms: their form number, unit of measure and signature footer, and
 * Vietnamese labels instead of the rules' codes. */
Test(cli, lists_are_printed_like_forms_with_labels_and_charts_are_legible)
{
    char *tmp = tu_tempdir(), out[700], xlsx[800], tool[4200], ins[800];
    snprintf(out, sizeof out, "%s/out", tmp);
    char *e;
    int rc = thk(&e, "report", "--year", "2026", "--months", "12", "--input", sample_dir(),
                 "--out", out, "--quiet", NULL);
    cr_assert_eq(rc, 0, "%s", e);
    free(e);
    snprintf(xlsx, sizeof xlsx, "%s/bao-cao-12-thang-2026.xlsx", out);
    snprintf(tool, sizeof tool, "%s/tests/tools/xlsx_inspect.py", tu_root());
    snprintf(ins, sizeof ins, "%s/inspect.txt", tmp);
    char *argv[] = {"/usr/bin/python3", tool, xlsx, NULL};
    cr_assert_eq(tu_run(argv, ins, NULL, NULL), 0);
    char *text = tu_read(ins, NULL);
    cr_assert_not_null(text);
    static const char *const want[] = {"\tDanh sách L3/TK-THA\t", "\tĐơn vị tính: đồng\t",
                                       "\tĐang thi hành\t", "\tDân sự\t"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char line[256];
        snprintf(line, sizeof line, "cell\tL3\t");
        const char *p = text;
        bool found = false;
        while (!found && (p = strstr(p, line)) != NULL) {
            const char *nl = strchr(p, '\n');
            size_t n = nl ? (size_t)(nl - p) : strlen(p);
            char one[1024];
            snprintf(one, sizeof one, "%.*s", (int)n, p);
            found = strstr(one, want[i]) != NULL;
            p += n;
        }
        cr_expect(found, "L3 shows %s", want[i]);
    }
    cr_expect(strstr(text, "cell\tL3\t") && strstr(text, "\tNgười lập biểu\t"), "footer");
    cr_expect_null(strstr(text, "\tdang_thi_hanh\t"), "no state code is printed");
    /* charts for forms by unit, and per unit for forms by officer, titled with what they show */
    cr_expect(strstr(text, "chart\tB01-CHV\tbarChart\tbar\t2\tPhòng Thi hành án dân sự khu vực 1 - "
                           "Đắk Lắk: Tỷ lệ thi hành xong (%) về việc"),
              "one ranked chart of a unit's officers");
    cr_expect_null(strstr(text, "chart\tB01-HT"));
    cr_expect_null(strstr(text, "chart\tB01-LV"));
    cr_expect(strstr(text, "chart\tB01\tbarChart\tcol\t2\tTỷ lệ thi hành xong (%) về việc"), "B01");
    cr_expect(strstr(text, "chart\tB02\tbarChart\tcol\t2\tTỷ lệ thi hành xong (%) về tiền"), "B02");
    cr_expect(strstr(text, "chart\tB05\tbarChart\tcol\t2\tVề việc — Tỷ lệ (%)"), "B05");
    free(text);
    free(tmp);
}

/* thahc-cases.csv names, for each judgment, the B03/B03-CAP columns it counts in. */
Test(cli, each_judgment_lists_the_thahc_columns_it_counts_in)
{
    char *tmp = tu_tempdir(), out[700], path[800];
    snprintf(out, sizeof out, "%s/out", tmp);
    char *e;
    int rc = thk(&e, "report", "--year", "2026", "--months", "12", "--input", sample_dir(),
                 "--out", out, "--quiet", "--format", "csv", NULL);
    cr_assert_eq(rc, 0, "%s", e);
    free(e);
    snprintf(path, sizeof path, "%s/thahc-cases.csv", out);
    char *t = tu_read(path, NULL);
    cr_assert_not_null(t);
    cr_expect(strncmp(t, "\xEF\xBB\xBFma_ban_an,", 13) == 0, "a BOM, then the header");
    /* settled 17/09/2026, within the year; taken on 19/11/2025 and still open */
    const char *a = strstr(t, "\nGL-TINH-HC-2026-00007,"), *b = strstr(t, "\nDL-KV02-HC-2025-00001,");
    cr_assert(a && b, "%s", t);
    char la[512], lb[512];
    snprintf(la, sizeof la, "%.*s", (int)strcspn(a + 1, "\n"), a + 1);
    snprintf(lb, sizeof lb, "%.*s", (int)strcspn(b + 1, "\n"), b + 1);
    cr_expect(strstr(la, "B03.xong") && strstr(la, "B03-CAP.xong") && strstr(la, "B03.phat_sinh"),
              "%s", la);
    cr_expect(!strstr(lb, "B03.xong") && strstr(lb, "B03.dang_thi_hanh"), "%s", lb);
    free(t);
    free(tmp);
}
