/* test_diff_e2e — the real binary: `report` on input/sample under a rule file, the same export
 * with two or one cases moved by added events, `report` again, `diff --csv`: diff must name
 * exactly the cases that moved, by the definitions of the rule file the runs used (one where
 * "có điều kiện" is defined otherwise than in the shipped rules, and the campaign rules). */
#include <criterion/criterion.h>

#include "testutil.h"

#include <sys/stat.h>

/* Locals freed when they go out of scope (a GCC/Clang extension), so ASan sees no leaks. */
static void de_free(char **p)
{
    free(*p);
}
#define AUTO_STR __attribute__((cleanup(de_free))) char *

/* Copies file `from` to `to`, appending `extra` (may be NULL). */
static void de_copy(const char *from, const char *to, const char *extra)
{
    size_t n = 0;
    char *t = tu_read(from, &n);
    cr_assert_not_null(t, "cannot read %s", from);
    FILE *f = fopen(to, "wb");
    cr_assert_not_null(f, "cannot write %s", to);
    fwrite(t, 1, n, f);
    if (extra)
        fputs(extra, f);
    fclose(f);
    free(t);
}

static void de_path(char *out, size_t n, const char *dir, const char *name)
{
    snprintf(out, n, "%s/%s", dir, name);
}

/* `thongke report` of the period (6 arguments) on folder `in` under `rules` into `out`. */
static void de_report(const char *in, const char *rules, const char *out, const char *period[6])
{
    char log[4200];
    snprintf(log, sizeof log, "%s.log", out);
    char *argv[] = {(char *)tu_bin(), "report", (char *)period[0], (char *)period[1],
                    (char *)period[2], (char *)period[3], (char *)period[4], (char *)period[5],
                    "--input", (char *)in, "--rules", (char *)rules, "--out", (char *)out,
                    "--quiet", NULL};
    int rc = tu_run(argv, NULL, log, NULL);
    AUTO_STR text = tu_read(log, NULL);
    cr_assert_eq(rc, 0, "report failed: %s", text ? text : "");
}

/* The first case of cases.csv in `run` whose state is `state` (and unit is not `not_unit`):
 * its ma_viec and unit into id and unit. */
static void de_pick(const char *run, const char *state, const char *not_unit, char *id,
                    char *unit)
{
    char p[4200];
    de_path(p, sizeof p, run, "cases.csv");
    AUTO_STR text = tu_read(p, NULL);
    cr_assert_not_null(text);
    for (char *line = strchr(text, '\n') + 1; *line; line = strchr(line, '\n') + 1) {
        char f[5][128];
        const char *q = line;
        for (int k = 0; k < 5; k++) {
            size_t n = strcspn(q, ",\n");
            snprintf(f[k], sizeof f[k], "%.*s", (int)n, q);
            q += n + (q[n] == ',');
        }
        if (strcmp(f[4], state) == 0 && (!not_unit || strcmp(f[1], not_unit) != 0)) {
            strcpy(id, f[0]);
            strcpy(unit, f[1]);
            return;
        }
    }
    cr_assert_fail("no case in state %s in %s", state, run);
}

/* Runs diff --csv old new; returns its output. */
static char *de_diff(const char *old, const char *nw, const char *dir)
{
    char out[4200];
    de_path(out, sizeof out, dir, "diff.csv");
    char *argv[] = {(char *)tu_bin(), "diff", "--csv", (char *)old, (char *)nw, NULL};
    int rc = tu_run(argv, out, NULL, NULL);
    cr_assert_eq(rc, 1, "the runs differ");
    return tu_read(out, NULL);
}

/* Every line of the diff names one of the moved cases (ma_viec never another, never empty
 * unless `cannot` names the column, a column that reads last year's figures). */
static void de_only(const char *csv, const char *const *moved, size_t nmoved, const char *cannot)
{
    const char *line = strchr(csv, '\n') + 1;
    size_t n = 0;
    for (; *line; line = strchr(line, '\n') + 1, n++) {
        char f[5][256];
        const char *q = line;
        for (int k = 0; k < 5; k++) {
            size_t len = strcspn(q, ",\n");
            snprintf(f[k], sizeof f[k], "%.*s", (int)len, q);
            q += len + (q[len] == ',');
        }
        if (!*f[3]) {
            cr_assert(cannot && strstr(f[2], cannot), "a cell with no case named: %.200s", line);
            continue;
        }
        bool known = false;
        for (size_t i = 0; i < nmoved; i++)
            known = known || strcmp(f[3], moved[i]) == 0;
        cr_assert(known, "a case that did not move is named: %.200s", line);
    }
    cr_assert_gt(n, 0);
}

Test(diff_e2e, a_rule_file_defining_co_dk_otherwise_names_the_cases_by_its_definition)
{
    if (access(tu_bin(), X_OK) != 0)
        cr_skip_test("no binary at %s (THONGKE_BIN)", tu_bin());
    AUTO_STR root = tu_tempdir();
    char rules_dir[4200], rules[4300], in[4200], old[4200], nw[4200], p[4300], q[4300];
    de_path(rules_dir, sizeof rules_dir, root, "rules");
    de_path(in, sizeof in, root, "in");
    de_path(old, sizeof old, root, "old");
    de_path(nw, sizeof nw, root, "new");
    cr_assert_eq(mkdir(rules_dir, 0777), 0);
    cr_assert_eq(mkdir(in, 0777), 0);
    /* thads.rules with hoãn điểm c left out of "có điều kiện" (TH, B05, B06 count tt_co_dk) */
    snprintf(p, sizeof p, "%s/rules/thads.rules", tu_root());
    AUTO_STR text = tu_read(p, NULL);
    const char *shipped = "let tt_co_dk         = tt_xong or tt_dinh_chi or tt_dang_thi_hanh "
                          "or tt_hoan_c or tt_khac";
    char *at = strstr(text, shipped);
    cr_assert_not_null(at, "the shipped definition of tt_co_dk moved");
    de_path(rules, sizeof rules, rules_dir, "thads.rules");
    FILE *f = fopen(rules, "wb");
    fprintf(f, "%.*slet tt_co_dk = tt_xong or tt_dinh_chi or tt_dang_thi_hanh or tt_khac%s",
            (int)(at - text), text, at + strlen(shipped));
    fclose(f);
    static const char *const included[] = {"thads-maps.rules", "tham-tra.rules"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(p, sizeof p, "%s/rules/%s", tu_root(), included[i]);
        de_path(q, sizeof q, rules_dir, included[i]);
        de_copy(p, q, NULL);
    }
    static const char *const files[] = {"cases.csv", "events.csv", "thahc.csv"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/input/sample/%s", tu_root(), files[i]);
        de_path(q, sizeof q, in, files[i]);
        de_copy(p, q, NULL);
    }
    const char *period[6] = {"--year", "2026", "--months", "12", "--quiet", "--quiet"};
    de_report(in, rules, old, period);

    /* A: hoãn điểm c → đang thi hành (enters "có điều kiện" of this rule file);
     * B, in another unit: đang thi hành → hoãn điểm c (leaves it) */
    char a[128], ua[128], b[128], ub[128];
    de_pick(old, "hoan_c", NULL, a, ua);
    de_pick(old, "dang_thi_hanh", ua, b, ub);
    char extra[1024];
    snprintf(extra, sizeof extra,
             "%s,30/09/2026,Tiếp tục thi hành án,,\n"
             "%s,30/09/2026,Hoãn thi hành án theo điểm c khoản 1 Điều 48,,\n",
             a, b);
    snprintf(p, sizeof p, "%s/input/sample/events.csv", tu_root());
    de_path(q, sizeof q, in, "events.csv");
    de_copy(p, q, extra);
    de_report(in, rules, nw, period);

    AUTO_STR csv = de_diff(old, nw, root);
    char want[1024];
    snprintf(want, sizeof want, "\nTH,%s,co_dk,%s,+\n", ua, a);
    cr_assert(strstr(csv, want), "TH[%s].co_dk names %s entering: %s", ua, a, csv);
    snprintf(want, sizeof want, "\nTH,%s,co_dk,%s,-\n", ub, b);
    cr_assert(strstr(csv, want), "TH[%s].co_dk names %s leaving: %s", ub, b, csv);
    snprintf(want, sizeof want, "\nB01,%s,hoan_c,%s,-\n", ua, a);
    cr_assert(strstr(csv, want), "%s", csv);
    snprintf(want, sizeof want, "\nB01,%s,dang_thi_hanh,%s,-\n", ub, b);
    cr_assert(strstr(csv, want), "%s", csv);
    const char *moved[] = {a, b};
    de_only(csv, moved, 2, "tang_giam");
}

Test(diff_e2e, the_campaign_rules_name_the_case_that_was_settled)
{
    if (access(tu_bin(), X_OK) != 0)
        cr_skip_test("no binary at %s (THONGKE_BIN)", tu_bin());
    AUTO_STR root = tu_tempdir();
    char rules[4300], in[4200], old[4200], nw[4200], p[4300], q[4300];
    snprintf(rules, sizeof rules, "%s/rules/dot-cao-diem.rules", tu_root());
    de_path(in, sizeof in, root, "in");
    de_path(old, sizeof old, root, "old");
    de_path(nw, sizeof nw, root, "new");
    cr_assert_eq(mkdir(in, 0777), 0);
    static const char *const files[] = {"cases.csv", "events.csv", "thahc.csv"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/input/sample/%s", tu_root(), files[i]);
        de_path(q, sizeof q, in, files[i]);
        de_copy(p, q, NULL);
    }
    const char *period[6] = {"--year", "2026", "--from", "01/03/2026", "--to", "31/05/2026"};
    de_report(in, rules, old, period);
    /* a backlog case still being enforced at the end of the campaign: settled on its last day */
    char a[128], ua[128];
    char cp[4300];
    de_path(cp, sizeof cp, old, "cases.csv");
    AUTO_STR cases = tu_read(cp, NULL);
    a[0] = '\0';
    for (char *line = strchr(cases, '\n') + 1; *line && !a[0]; line = strchr(line, '\n') + 1) {
        char one[1024];
        snprintf(one, sizeof one, "%.*s", (int)strcspn(line, "\n"), line);
        if (strstr(one, ",dang_thi_hanh,") && strstr(one, "ton_chua_xong"))
            sscanf(one, "%127[^,],%127[^,]", a, ua);
    }
    cr_assert(a[0], "no backlog case being enforced in the sample");
    char extra[512];
    snprintf(extra, sizeof extra, "%s,31/05/2026,Thi hành xong,,\n", a);
    snprintf(p, sizeof p, "%s/input/sample/events.csv", tu_root());
    de_path(q, sizeof q, in, "events.csv");
    de_copy(p, q, extra);
    de_report(in, rules, nw, period);

    AUTO_STR csv = de_diff(old, nw, root);
    char want[1024];
    snprintf(want, sizeof want, "\nDCD,%s,xong_viec,%s,+\n", ua, a);
    cr_assert(strstr(csv, want), "%s", csv);
    snprintf(want, sizeof want, "\nDCD,%s,con_viec,%s,-\n", ua, a);
    cr_assert(strstr(csv, want), "%s", csv);
    snprintf(want, sizeof want, "\nDCD,%s,ty_le_viec,%s,~\n", ua, a);
    cr_assert(strstr(csv, want), "%s", csv);
    const char *moved[] = {a};
    de_only(csv, moved, 1, NULL);
}

/* The field `name` of case `id`'s line in run's cases.csv, into out. */
static void de_field(const char *run, const char *id, const char *name, char *out, size_t n)
{
    char p[4200];
    de_path(p, sizeof p, run, "cases.csv");
    AUTO_STR text = tu_read(p, NULL);
    cr_assert_not_null(text);
    int col = -1, k = 0;
    for (const char *h = text; *h && *h != '\n'; k++) {
        size_t len = strcspn(h, ",\n");
        if (len == strlen(name) && strncmp(h, name, len) == 0)
            col = k;
        h += len + (h[len] == ',');
    }
    cr_assert_geq(col, 0, "no column %s in %s", name, p);
    char want[160];
    snprintf(want, sizeof want, "\n%s,", id);
    const char *line = strstr(text, want);
    cr_assert_not_null(line, "no case %s", id);
    line++;
    for (k = 0; k < col; k++)
        line += strcspn(line, ",\n") + 1;
    size_t len = strcspn(line, ",\n");
    snprintf(out, n, "%.*s", (int)len, line);
}

/* tests/data/merge/custom.rules: forms by Chấp hành viên and by loại việc, its own "có điều
 * kiện" (hoãn điểm c is not), money in millions: the case that leaves hoãn điểm c enters them. */
Test(diff_e2e, a_rule_file_written_for_the_test_names_its_cases)
{
    if (access(tu_bin(), X_OK) != 0)
        cr_skip_test("no binary at %s (THONGKE_BIN)", tu_bin());
    AUTO_STR root = tu_tempdir();
    char rules[4300], in[4200], old[4200], nw[4200], p[4300], q[4300];
    snprintf(rules, sizeof rules, "%s/tests/data/merge/custom.rules", tu_root());
    de_path(in, sizeof in, root, "in");
    de_path(old, sizeof old, root, "old");
    de_path(nw, sizeof nw, root, "new");
    cr_assert_eq(mkdir(in, 0777), 0);
    static const char *const files[] = {"cases.csv", "events.csv", "thahc.csv"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/input/sample/%s", tu_root(), files[i]);
        de_path(q, sizeof q, in, files[i]);
        de_copy(p, q, NULL);
    }
    const char *period[6] = {"--year", "2026", "--months", "12", "--quiet", "--quiet"};
    de_report(in, rules, old, period);
    char a[128], ua[128], chv[256], loai[128];
    de_pick(old, "hoan_c", NULL, a, ua);
    de_field(old, a, "chap_hanh_vien", chv, sizeof chv);
    de_field(old, a, "loai_an", loai, sizeof loai);
    char extra[512];
    snprintf(extra, sizeof extra, "%s,30/09/2026,Tiếp tục thi hành án,,\n", a);
    snprintf(p, sizeof p, "%s/input/sample/events.csv", tu_root());
    de_path(q, sizeof q, in, "events.csv");
    de_copy(p, q, extra);
    de_report(in, rules, nw, period);

    AUTO_STR csv = de_diff(old, nw, root);
    char want[1024];
    snprintf(want, sizeof want, "\nKQ,%s|%s,dk,%s,+\n", ua, chv, a);
    cr_assert(strstr(csv, want), "%s in: %s", want, csv);
    snprintf(want, sizeof want, "\nKQ,%s|%s,chua_dk,%s,-\n", ua, chv, a);
    cr_assert(strstr(csv, want), "%s in: %s", want, csv);
    snprintf(want, sizeof want, "\nTIEN,%s,con_lai,%s,+\n", loai, a);
    cr_assert(strstr(csv, want), "%s in: %s", want, csv);
    const char *moved[] = {a};
    de_only(csv, moved, 1, "tang");
}


/* THAHC forms (B03, B03-CAP of the shipped rules) are traced through thahc-cases.csv: a
 * judgment added to thahc.csv is named in the cells it entered. */
Test(diff_e2e, an_added_administrative_judgment_is_named_in_the_thahc_forms)
{
    if (access(tu_bin(), X_OK) != 0)
        cr_skip_test("no binary at %s (THONGKE_BIN)", tu_bin());
    AUTO_STR root = tu_tempdir();
    char rules[4300], in[4200], old[4200], nw[4200], p[4300], q[4300];
    snprintf(rules, sizeof rules, "%s/rules/thads.rules", tu_root());
    de_path(in, sizeof in, root, "in");
    de_path(old, sizeof old, root, "old");
    de_path(nw, sizeof nw, root, "new");
    cr_assert_eq(mkdir(in, 0777), 0);
    static const char *const files[] = {"cases.csv", "events.csv", "thahc.csv"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/input/sample/%s", tu_root(), files[i]);
        de_path(q, sizeof q, in, files[i]);
        de_copy(p, q, NULL);
    }
    const char *period[6] = {"--year", "2026", "--months", "12", "--quiet", "--quiet"};
    de_report(in, rules, old, period);
    const char *added = "DL-KV02-HC-2026-09999,DL-KV02,,1/2026/HC-ST,Tòa án nhân dân tỉnh Đắk "
                        "Lắk,UBND xã Ea Tiêu,Hủy quyết định,UBND xã Ea Tiêu,01/02/2026,,"
                        "15/03/2026,,\n";
    snprintf(p, sizeof p, "%s/input/sample/thahc.csv", tu_root());
    de_path(q, sizeof q, in, "thahc.csv");
    de_copy(p, q, added);
    de_report(in, rules, nw, period);

    AUTO_STR csv = de_diff(old, nw, root);
    static const char *const want[] = {
        "\nB03,DL-KV02,tong,DL-KV02-HC-2026-09999,+\n",
        "\nB03,DL-KV02,phat_sinh,DL-KV02-HC-2026-09999,+\n",
        "\nB03,DL-KV02,xong,DL-KV02-HC-2026-09999,+\n",
        "\nB03-CAP,xa,tong,DL-KV02-HC-2026-09999,+\n",
        "\nB03,*,xong,DL-KV02-HC-2026-09999,+\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_assert(strstr(csv, want[i]), "%s in: %s", want[i], csv);
    const char *moved[] = {"DL-KV02-HC-2026-09999"};
    de_only(csv, moved, 1, NULL);
}
