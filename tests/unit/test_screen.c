/* Screens (thẩm tra): the construct's compile errors, the Hidiroglou–Berthelot scoring on a
 * hand-built table, and the real binary's checks.csv, checks-cases.csv, --strict-checks and
 * --baseline on the sample. */
#include "testutil.h"

#include "agg.h"
#include "rule_compile.h"
#include "screen.h"

#include <criterion/criterion.h>
#include <math.h>

static const char *const screen_form =
    "version \"t\"\n"
    "form F \"F\" {\n"
    "  rows ma_don_vi total \"T\"\n"
    "  column v \"v\" = count()\n"
    "  column r \"r\" = count()\n"
    "  column s \"s\" = count()\n"
    "  column p \"p\" = percent(v, r)\n"
    "}\n";

/* Compiles screen_form followed by `extra`; NULL with the diagnostics in *diag on error. */
static rule_set *screen_rules(const char *extra, thk_buf *diag)
{
    thk_buf t = {0};
    buf_printf(&t, "%s%s", screen_form, extra);
    rule_set *rs = rule_set_load_text("t.rules", t.data, diag);
    buf_free(&t);
    return rs;
}

static void screen_rejects(const char *extra, const char *want)
{
    thk_buf diag = {0};
    rule_set *rs = screen_rules(extra, &diag);
    cr_expect_null(rs, "compiled: %s", extra);
    cr_expect(diag.data && strstr(diag.data, want), "want '%s' in: %s", want,
              diag.data ? diag.data : "");
    rule_set_free(rs);
    buf_free(&diag);
}

Test(screen, compile_errors_name_what_is_wrong)
{
    screen_rejects("screen a \"A\" { compare v with r in G }", "biểu không có: 'G'");
    screen_rejects("screen a \"A\" { compare v with x in F }", "biểu F không có cột 'x'");
    screen_rejects("screen a \"A\" { compare v with p in F }", "không cùng loại");
    screen_rejects("screen a \"A\" { compare v with r size p in F }", "cột quy mô 'p' là tỷ lệ");
    screen_rejects("screen a \"A\" { severity warning }", "cần 'where'");
    screen_rejects("screen a \"A\" { where true compare v with r in F }", "có cả 'where' và 'compare'");
    screen_rejects("screen a \"A\" { severity fatal where true }", "severity là 'warning' hoặc");
    screen_rejects("screen a \"A\" { where true hb z = 1 }", "tham số không có: 'z'");
    screen_rejects("screen a \"A\" { compare v with r in F hb u = 150% }", "0 <= u <= 1");
    screen_rejects("screen a \"A\" { where true }\nscreen a \"B\" { where true }",
                   "phép thẩm tra 'a' khai hai lần");
    screen_rejects("screen a \"A\" { where nope }", "nope");
}

/* A table F shaped like the compiled form: rows U1..Un then the total, columns v r s p. */
static void screen_table_fill(form_table *t, size_t n, const int64_t *v, const int64_t *r)
{
    memset(t, 0, sizeof *t);
    t->id = strdup("F");
    t->nrowfields = 1;
    t->rowfield_labels = calloc(1, sizeof *t->rowfield_labels);
    t->ncols = 4;
    t->cols = calloc(4, sizeof *t->cols);
    static const char *const codes[] = {"v", "r", "s", "p"};
    for (size_t c = 0; c < 4; c++) {
        t->cols[c].code = strdup(codes[c]);
        t->cols[c].label = strdup(codes[c]);
        t->cols[c].group = -1;
        t->cols[c].kind = c == 3 ? FORM_KIND_RATE : FORM_KIND_COUNT;
    }
    t->nrows = n + 1;
    t->rows = calloc(n + 1, sizeof *t->rows);
    t->cells = calloc((n + 1) * 4, sizeof *t->cells);
    for (size_t i = 0; i <= n; i++) {
        char key[32];
        snprintf(key, sizeof key, i < n ? "U%zu" : "*", i + 1);
        t->rows[i].key = strdup(key);
        t->rows[i].kind = i < n ? FORM_ROW_DATA : FORM_ROW_TOTAL;
        if (i < n) {
            form_cell_at(t, i, 0)->v = v[i];
            form_cell_at(t, i, 1)->v = r[i];
            form_cell_at(t, i, 2)->v = 100;
        }
    }
}

/* u = 0 makes E the plain score s. Ratios 1,1,1,1,1,3: r_M = 1, s = 0 for five units and
 * 3/1 - 1 = 2 for U6. E sorted 0,0,0,0,0,2: Q1 = M = Q3 = 0 (type 7: h = 5 × 0.75 = 3.75,
 * between two zeros), so both spreads are max(0, |0.05 × 0|) = 0 and the bounds are 0 and 0:
 * only U6 (E = 2 > 0) is flagged, with threshold 0. A unit with a zero reference (U7) is not
 * scored. */
Test(screen, hidiroglou_berthelot_flags_the_unit_that_moved_and_only_it)
{
    thk_buf diag = {0};
    rule_set *rs = screen_rules("screen moved \"Biến động\" { severity error\n"
                                "  compare v with r size s in F\n  hb u = 0%, a = 5%, c = 2 }\n",
                                &diag);
    cr_assert_not_null(rs, "%s", diag.data ? diag.data : "");
    int64_t v[7] = {100, 100, 100, 100, 100, 300, 50}, r[7] = {100, 100, 100, 100, 100, 100, 0};
    form_set fs = {0};
    form_table t;
    screen_table_fill(&t, 7, v, r);
    fs.tables = &t;
    fs.ntables = 1;
    screen_result res;
    screen_run(rs, &fs, NULL, NULL, &res);
    cr_assert_eq(res.n, 1, "findings: %zu", res.n);
    cr_expect_str_eq(res.flags[0].unit, "U6");
    cr_expect_str_eq(res.flags[0].chv, "");
    cr_expect_str_eq(res.flags[0].value, "300");
    cr_expect_str_eq(res.flags[0].reference, "100");
    cr_expect_str_eq(res.flags[0].score, "2.0000");
    cr_expect_str_eq(res.flags[0].threshold, "0.0000");
    cr_expect_str_eq(res.flags[0].compared, "cung_ky");
    cr_expect_eq(res.nerror, 1);
    screen_result_free(&res);

    /* fewer than four scored units: no population, no finding */
    form_table t3;
    screen_table_fill(&t3, 3, (int64_t[]){100, 100, 900}, (int64_t[]){100, 100, 100});
    fs.tables = &t3;
    screen_run(rs, &fs, NULL, NULL, &res);
    cr_expect_eq(res.n, 0);
    screen_result_free(&res);
    form_table_clear(&t);
    form_table_clear(&t3);
    rule_set_free(rs);
    buf_free(&diag);
}

/* With spread: ratios 0.9 1.0 1.0 1.1 1.2 2.0, u = 0. r_M (type 7 median of six sorted values)
 * = (1.0 + 1.1) / 2 = 1.05. s: 0.9 → 1 - 1.05/0.9 = -0.1667,
 * 1.0 → -0.05, 1.1 → 1.1/1.05 - 1 = 0.0476, 1.2 → 0.1429, 2.0 → 0.9048. Sorted E:
 * -0.1667 -0.05 -0.05 0.0476 0.1429 0.9048; Q1 (h = 1.25) = -0.05, M (h = 2.5) = -0.0012,
 * Q3 (h = 3.75) = 0.1190. d_low = max(0.0488, 0.00006) = 0.0488, d_high = 0.1202; c = 3:
 * bounds -0.1476 and 0.3595: the 2.0 unit (0.9048) and the 0.9 unit (-0.1667) are flagged. */
Test(screen, the_bounds_follow_the_quartiles_of_the_scores)
{
    thk_buf diag = {0};
    rule_set *rs = screen_rules("screen moved \"Biến động\" { compare v with r in F\n"
                                "  hb u = 0%, a = 5%, c = 3 }\n", &diag);
    cr_assert_not_null(rs, "%s", diag.data ? diag.data : "");
    int64_t v[6] = {90, 100, 100, 110, 120, 200}, r[6] = {100, 100, 100, 100, 100, 100};
    form_set fs = {0};
    form_table t;
    screen_table_fill(&t, 6, v, r);
    fs.tables = &t;
    fs.ntables = 1;
    screen_result res;
    screen_run(rs, &fs, NULL, NULL, &res);
    cr_assert_eq(res.n, 2, "findings: %zu", res.n);
    cr_expect_str_eq(res.flags[0].unit, "U1");
    cr_expect_str_eq(res.flags[0].score, "-0.1667");
    cr_expect_str_eq(res.flags[0].threshold, "-0.1476");
    cr_expect_str_eq(res.flags[1].unit, "U6");
    cr_expect_str_eq(res.flags[1].score, "0.9048");
    cr_expect_str_eq(res.flags[1].threshold, "0.3595");
    cr_expect_eq(res.nerror, 0, "severity defaults to warning");
    screen_result_free(&res);
    form_table_clear(&t);
    rule_set_free(rs);
    buf_free(&diag);
}

/* ---- the real binary ------------------------------------------------------------------------ */

static int screen_thk(const char *errp, const char *const *args)
{
    char *argv[40];
    int argc = 0;
    argv[argc++] = (char *)tu_bin();
    for (; *args && argc < 39; args++)
        argv[argc++] = (char *)*args;
    argv[argc] = NULL;
    return tu_run(argv, NULL, errp, NULL);
}

static char *screen_report(const char *tmp, const char *name, const char *rules,
                           const char *extra1, const char *extra2, int *rc)
{
    char in[4096], out[4096], errp[4096];
    snprintf(in, sizeof in, "%s/input/sample", tu_root());
    snprintf(out, sizeof out, "%s/%s", tmp, name);
    snprintf(errp, sizeof errp, "%s/%s.err", tmp, name);
    const char *args[] = {"report", "--year", "2026", "--months", "12", "--input", in, "--rules",
                          rules, "--out", out, "--quiet", extra1, extra2, NULL};
    *rc = screen_thk(errp, args);
    return strdup(out);
}

static char *screen_file(const char *dir, const char *name)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return tu_read(p, NULL);
}

Test(screen, the_report_publishes_checks_and_the_cases_behind_them)
{
    char *tmp = tu_tempdir();
    char rules[4096];
    snprintf(rules, sizeof rules, "%s/rules/thads.rules", tu_root());
    int rc;
    char *out = screen_report(tmp, "a", rules, NULL, NULL, &rc);
    cr_assert_eq(rc, 0);
    char *checks = screen_file(out, "checks.csv");
    char *cases = screen_file(out, "checks-cases.csv");
    cr_assert_not_null(checks);
    cr_assert_not_null(cases);
    static const char want_checks[] = "\xEF\xBB\xBFscreen,ma_don_vi,chap_hanh_vien,measure,value,"
                                      "reference,score,threshold,severity,message,";
    static const char want_cases[] = "\xEF\xBB\xBFscreen,ma_viec,ma_don_vi,chap_hanh_vien,";
    cr_expect(strncmp(checks, want_checks, strlen(want_checks)) == 0, "%.120s", checks);
    cr_expect(strncmp(cases, want_cases, strlen(want_cases)) == 0, "%.80s", cases);
    /* every case line belongs to a shipped screen id; each case screen's per-unit counts in
     * checks.csv add up to its lines in checks-cases.csv */
    static const char *const ids[] = {"chuyen_chua_co_dk_sat_ky", "xac_minh_lai_qua_han",
                                       "xac_minh_lan_dau_cham", "viec_khong_bien_dong"};
    for (size_t k = 0; k < 4; k++) {
        size_t lines = 0, counted = 0;
        char pre[64];
        snprintf(pre, sizeof pre, "\n%s,", ids[k]);
        for (const char *p = strstr(cases, pre); p; p = strstr(p + 1, pre))
            lines++;
        for (const char *p = strstr(checks, pre); p; p = strstr(p + 1, pre)) {
            /* unit-level line: empty chap_hanh_vien → ",," after the unit */
            const char *unit_end = strchr(p + strlen(pre), ',');
            if (unit_end && unit_end[1] == ',') {
                const char *v = strstr(unit_end, ",so_viec,");
                cr_assert_not_null(v);
                counted += strtoul(v + 9, NULL, 10);
            }
        }
        cr_expect_gt(lines, 0, "%s selects no case on the sample", ids[k]);
        cr_expect_eq(lines, counted, "%s: %zu lines, units count %zu", ids[k], lines, counted);
    }
    cr_expect_not_null(strstr(checks, "\nbien_dong_"), "no comparison finding on the sample");
    free(checks);
    free(cases);
    free(out);
    free(tmp);
}

Test(screen, strict_checks_exits_6_on_an_error_finding_and_still_publishes)
{
    char *tmp = tu_tempdir();
    char rules[4096], maps[4096];
    snprintf(maps, sizeof maps, "%s/rules/thads-maps.rules", tu_root());
    thk_buf t = {0};
    buf_printf(&t, "version \"strict\"\ninclude \"%s\"\n"
                   "screen moi \"Việc mới\" { severity error\n  where new\n }\n", maps);
    char *rp = tu_write_str(tmp, "strict.rules", t.data);
    snprintf(rules, sizeof rules, "%s", rp);
    int rc;
    char *out = screen_report(tmp, "s", rules, "--strict-checks", NULL, &rc);
    cr_expect_eq(rc, 6, "exit %d", rc);
    char *checks = screen_file(out, "checks.csv");
    cr_expect_not_null(checks, "published despite the finding");
    cr_expect(checks && strstr(checks, "\nmoi,") && strstr(checks, ",error,"));
    free(out);
    out = screen_report(tmp, "w", rules, NULL, NULL, &rc);
    cr_expect_eq(rc, 0, "without --strict-checks the finding does not fail the run");
    free(checks);
    free(out);
    free(rp);
    buf_free(&t);
    free(tmp);
}

Test(screen, a_baseline_equal_to_the_run_flags_nothing_against_it)
{
    char *tmp = tu_tempdir();
    char rules[4096];
    snprintf(rules, sizeof rules, "%s/rules/thads.rules", tu_root());
    int rc;
    char *base = screen_report(tmp, "base", rules, NULL, NULL, &rc);
    cr_assert_eq(rc, 0);
    char *out = screen_report(tmp, "again", rules, "--baseline", base, &rc);
    cr_assert_eq(rc, 0);
    char *checks = screen_file(out, "checks.csv");
    cr_assert_not_null(checks);
    /* every ratio to the baseline is 1: no score departs from the others */
    cr_expect_null(strstr(checks, ",ky_goc,"), "%s", checks);
    free(checks);
    free(out);
    char missing[4200];
    snprintf(missing, sizeof missing, "%s/nope", tmp);
    out = screen_report(tmp, "bad", rules, "--baseline", missing, &rc);
    cr_expect_eq(rc, 3, "an unreadable baseline is an input error, exit %d", rc);
    free(out);
    free(base);
    free(tmp);
}

/* ---- planted anomalies (thongke sample --plant-anomalies) ---------------------------------- */

static void screen_sample(const char *dir, bool plant)
{
    char out[4200];
    snprintf(out, sizeof out, "%s", dir);
    const char *args[] = {"sample", "--out", out, "--cases", "20000", "--profile", "backlog",
                          plant ? "--plant-anomalies" : NULL, NULL};
    cr_assert_eq(screen_thk(NULL, args), 0);
}

/* True when text has a line starting with `a,b,` (b may be "" for a unit-level line). */
static bool screen_has_line(const char *text, const char *a, const char *b)
{
    char pre[512];
    snprintf(pre, sizeof pre, "\n%s,%s,", a, b);
    return strstr(text, pre) != NULL;
}

Test(screen, every_planted_case_is_found_and_none_without_planting)
{
    char *tmp = tu_tempdir();
    char with[4200], without[4200], rules[4096];
    snprintf(with, sizeof with, "%s/with", tmp);
    snprintf(without, sizeof without, "%s/without", tmp);
    snprintf(rules, sizeof rules, "%s/rules/thads.rules", tu_root());
    screen_sample(with, true);
    screen_sample(without, false);
    int rc;
    char in[4300], out[4300], errp[4300];
    char *runs[2];
    for (int k = 0; k < 2; k++) {
        snprintf(in, sizeof in, "%s", k ? without : with);
        snprintf(out, sizeof out, "%s/report-%d", tmp, k);
        snprintf(errp, sizeof errp, "%s/report-%d.err", tmp, k);
        const char *args[] = {"report", "--year", "2026", "--months", "12", "--input", in,
                              "--rules", rules, "--out", out, "--quiet", NULL};
        rc = screen_thk(errp, args);
        cr_assert_eq(rc, 0);
        runs[k] = strdup(out);
    }
    char *planted = screen_file(with, "planted.csv");
    char *cases_with = screen_file(runs[0], "checks-cases.csv");
    char *cases_without = screen_file(runs[1], "checks-cases.csv");
    char *checks_with = screen_file(runs[0], "checks.csv");
    char *checks_without = screen_file(runs[1], "checks.csv");
    cr_assert(planted && cases_with && cases_without && checks_with && checks_without);
    size_t n = 0, kinds = 0;
    char sat_ky_unit[64] = "";
    char *save = NULL;
    for (char *line = strtok_r(planted, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "screen,", 7) == 0)
            continue;
        char screen[64], ma[128], unit[64];
        cr_assert_eq(sscanf(line, "%63[^,],%127[^,],%63s", screen, ma, unit), 3, "%s", line);
        cr_expect(screen_has_line(cases_with, screen, ma), "planted %s %s not found", screen, ma);
        cr_expect(!screen_has_line(cases_without, screen, ma),
                  "%s %s flagged without planting", screen, ma);
        if (strcmp(screen, "chuyen_chua_co_dk_sat_ky") == 0 && !sat_ky_unit[0])
            snprintf(sat_ky_unit, sizeof sat_ky_unit, "%s", unit), kinds++;
        n++;
    }
    cr_expect_gt(n, 100, "only %zu planted cases", n);
    cr_assert(kinds == 1, "no unit moved cases to chưa có điều kiện");
    /* the unit that moved its cases stands out against last year; without planting no unit does */
    cr_expect(screen_has_line(checks_with, "bien_dong_chua_co_dk", sat_ky_unit),
              "unit %s not flagged by bien_dong_chua_co_dk", sat_ky_unit);
    char pre[128];
    snprintf(pre, sizeof pre, "\nbien_dong_chua_co_dk,%s,,", sat_ky_unit);
    cr_expect_not_null(strstr(checks_with, pre), "the finding is on the unit's own line");
    cr_expect_null(strstr(checks_without, pre), "unit %s flagged without planting", sat_ky_unit);
    free(planted);
    free(cases_with);
    free(cases_without);
    free(checks_with);
    free(checks_without);
    free(runs[0]);
    free(runs[1]);
    free(tmp);
}

/* ---- ranking rows (`order by` in a form): the per-officer view ---------------------------- */

Test(screen, a_form_ranks_by_an_unknown_column_is_an_error)
{
    thk_buf diag = {0};
    rule_set *rs = rule_set_load_text("t.rules",
                                      "version \"t\"\nform F \"F\" {\n  rows ma_don_vi\n"
                                      "  order by nope desc\n  column v \"v\" = count()\n}\n",
                                      &diag);
    cr_expect_null(rs);
    cr_expect(diag.data && strstr(diag.data, "biểu F không có cột 'nope' để xếp hạng dòng"),
              "%s", diag.data ? diag.data : "");
    rule_set_free(rs);
    buf_free(&diag);
}

/* TT-CHV ranks each unit's officers by completion rate, highest first, empty rates last; the
 * unit's subtotal follows its officers. Read back from cells.csv (rows in sheet order). */
Test(screen, officers_are_ranked_within_their_unit_by_completion_rate)
{
    char *tmp = tu_tempdir();
    char rules[4096];
    snprintf(rules, sizeof rules, "%s/rules/thads.rules", tu_root());
    int rc;
    char *out = screen_report(tmp, "rank", rules, NULL, NULL, &rc);
    cr_assert_eq(rc, 0);
    char *cells = screen_file(out, "cells.csv");
    cr_assert_not_null(cells);
    char prev_unit[128] = "";
    long prev = -1;
    bool prev_empty = false;
    size_t rows = 0, units = 0;
    const char *pre = "\nTT-CHV,";
    for (const char *p = strstr(cells, pre); p; p = strstr(p + 1, pre)) {
        const char *key = p + strlen(pre);
        const char *comma = strchr(key, ',');
        if (!comma || strncmp(comma, ",ty_le_viec,", 12) != 0)
            continue;
        const char *bar = memchr(key, '|', (size_t)(comma - key));
        if (!bar || bar[1] == '*')
            continue; /* the total and the units' subtotals */
        char unit[128];
        snprintf(unit, sizeof unit, "%.*s", (int)(bar - key), key);
        const char *v = comma + 12;
        bool empty = *v == '\n';
        long val = empty ? -1 : lround(strtod(v, NULL) * 100);
        if (strcmp(unit, prev_unit) != 0) {
            snprintf(prev_unit, sizeof prev_unit, "%s", unit);
            units++;
        } else {
            cr_expect(!prev_empty || empty, "%s: a rate after an empty one", unit);
            cr_expect(empty || prev_empty || val <= prev, "%s: %ld after %ld", unit, val, prev);
        }
        prev = val;
        prev_empty = empty;
        rows++;
    }
    cr_expect_gt(rows, 20);
    cr_expect_gt(units, 3);
    free(cells);
    free(out);
    free(tmp);
}

/* A case screen's hits are counted by (screen, unit, officer) as they come (issue 15: one entry
 * a case was 96 MB at 10M backlog cases): 90,000 cases in 3 units × 4 officers × 2 screens,
 * interleaved, keep 24 entries, and the findings count every case once per unit and officer. */
Test(screen, case_hits_are_counted_per_unit_and_officer_not_kept_per_case)
{
    thk_buf diag = {0};
    rule_set *rs = screen_rules("screen a \"A\" { where true show ma_viec \"m\" }\n"
                                "screen b \"B\" { where true show ma_viec \"m\" }\n",
                                &diag);
    cr_assert_not_null(rs, "%s", diag.data ? diag.data : "");
    static const char *const units[] = {"U1", "U2", "U3"};
    static const char *const chvs[] = {"CHV A", "CHV B", "CHV C", "CHV D"};
    screen_hits h = {0};
    size_t want[2][3][4] = {{{0}}};
    for (size_t i = 0; i < 90000; i++) {
        size_t s = i % 2, u = (i / 2) % 3, k = (i * 7 / 5) % 4;
        screen_hits_add(&h, s, units[u], chvs[k]);
        want[s][u][k]++;
    }
    cr_assert_eq(h.n, 24, "one entry per (screen, unit, officer), not per case");
    form_set fs = {0};
    screen_result out = {0};
    screen_run(rs, &fs, &h, NULL, &out);
    cr_assert_eq(out.ncases, 90000);
    size_t seen = 0;
    for (size_t f = 0; f < out.n; f++) {
        const screen_flag *x = &out.flags[f];
        if (strcmp(x->measure, "so_viec") != 0)
            continue;
        size_t u = (size_t)(x->unit[1] - '1'), total = 0;
        for (size_t k = 0; k < 4; k++)
            if (!*x->chv || strcmp(x->chv, chvs[k]) == 0)
                total += want[x->screen][u][k];
        /* the unit's own line (no officer) counts all its officers' cases */
        cr_assert_eq(x->ncases, (int64_t)total, "screen %zu unit %s officer '%s'", x->screen,
                     x->unit, x->chv);
        seen++;
    }
    cr_assert_eq(seen, 2 * 3 * 5, "a unit line and four officer lines per unit and screen");
    screen_result_free(&out);
    screen_hits_free(&h);
    rule_set_free(rs);
    buf_free(&diag);
}
