/* test_rule_eval — each operator and builtin on real loaded cases: null semantics, calendar
 * arithmetic around 29/02, pattern flags, maps over extra columns, overflow. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "load.h"
#include "read_date.h"
#include "rule_eval.h"

#define RULES_HEAD                                                                               \
    "map su_kien { xac_minh_co_dk = /có điều kiện/ia hoan_c = /điểm c/ia thu_tien = /thu/ia "    \
    "xong = /xong/ia }\n"                                                                        \
    "columns cases { ly_do = \"Lý do\" }\n"                                                      \
    "map ly_do { khach_quan = /tranh\\s*chấp/ia khac = /.+/ }\n"

typedef struct {
    rule_set *rs;
    model *m;
    reject_log *rej;
    period p;
} evfix;

static const char *const CASES =
    "ma_viec,ma_don_vi,ten_don_vi,chap_hanh_vien,ngay_thu_ly,ngay_quyet_dinh,nhom_viec,"
    "so_tien_phai_thi_hanh,Lý do\n"
    "T1,U1,Đơn vị 1,,01/11/2025,29/02/2024,\"Tín dụng, ngân hàng\",1000000,Đang tranh chấp\n"
    "T2,U1,,Nguyễn Văn An,01/10/2024,31/01/2025,Cấp dưỡng,900000000000000000,\n"
    "T3,U2,Đơn vị 2,Trần B,05/12/2025,05/12/2025,,0,khác\n";
static const char *const EVENTS = "ma_viec,ngay,su_kien,so_tien,ghi_chu\n"
                                  "T1,10/12/2025,Hoãn theo điểm c,,chờ tòa\n"
                                  "T1,11/12/2025,Thu tiền,400000,\n"
                                  "T2,01/11/2024,Xac minh co dieu kien,,\n"
                                  "T3,06/12/2025,Thi hành xong,,\n";

static void ev_open(evfix *f, const char *lets, int y1, int m1, int d1, int y2, int m2, int d2)
{
    memset(f, 0, sizeof *f);
    char text[8192];
    snprintf(text, sizeof text, "%s%s", RULES_HEAD, lets);
    thk_buf diag = {0}, err = {0};
    f->rs = rule_set_load_text("t.rules", text, &diag);
    cr_assert_not_null(f->rs, "%s", diag.data);
    buf_free(&diag);
    f->m = model_new();
    f->rej = rejects_new();
    load_opts o = {0};
    rule_set_fill_load_opts(f->rs, &o);
    o.rejects = f->rej;
    load_stats st;
    cr_assert_eq(load_memory(f->m, LOAD_CASES, "cases.csv", CASES, strlen(CASES), &o, &st, &err),
                 0, "%s", err.data);
    cr_assert_eq(load_memory(f->m, LOAD_EVENTS, "events.csv", EVENTS, strlen(EVENTS), &o, &st,
                             &err), 0, "%s", err.data);
    cr_assert_eq(rejects_count(f->rej), 0, "rows were rejected");
    model_finish(f->m);
    buf_free(&err);
    cr_assert(period_custom(date_from_ymd(y1, m1, d1), date_from_ymd(y2, m2, d2), 1, 10, &f->p));
    for (size_t i = 0; i < f->rs->nextras; i++)
        for (size_t j = 0; j < f->m->case_extra.ncols; j++)
            if (strcmp(f->m->case_extra.names[j], f->rs->extras[i].key) == 0)
                f->rs->extras[i].mcol = (int)j;
}

static void ev_close(evfix *f)
{
    rule_set_free(f->rs);
    model_free(f->m);
    rejects_free(f->rej);
}

/* The value of let `name` for case `ma_viec` (which must be in scope). */
static rule_val ev_let(evfix *f, const char *name, const char *ma_viec, int *err)
{
    uint32_t ci = model_case_find(f->m, ma_viec, strlen(ma_viec));
    cr_assert_neq(ci, UINT32_MAX);
    replay_facts facts;
    replay_case(f->m, &f->m->cases[ci], f->p.S, f->p.E, &facts, NULL, NULL);
    cr_assert(facts.in_scope, "%s not in scope", ma_viec);
    rule_val slots[64];
    rule_eval_ctx x = {0};
    x.rs = f->rs;
    x.m = f->m;
    x.c = &f->m->cases[ci];
    x.row = ci;
    x.f = &facts;
    x.S = f->p.S;
    x.E = f->p.E;
    x.year = f->p.year;
    x.slots = slots;
    cr_assert_lt(f->rs->nslots[RCTX_CASE], 64);
    rule_eval_lets(&x, RCTX_CASE, true);
    if (err)
        *err = x.err;
    for (size_t i = 0; i < f->rs->nlets; i++) {
        const rule_letdef *l = &f->rs->lets[i];
        if (strcmp(l->ast->name, name) != 0)
            continue;
        if (l->slot[RCTX_CASE] >= 0)
            return slots[l->slot[RCTX_CASE]];
        rule_val v;
        rule_eval(&x, l->node[RCTX_CASE], &v);
        return v;
    }
    cr_assert_fail("no let %s", name);
    return (rule_val){0};
}

static void expect_bool(evfix *f, const char *name, const char *ma_viec, bool want)
{
    rule_val v = ev_let(f, name, ma_viec, NULL);
    cr_expect(!v.null, "%s(%s) is null", name, ma_viec);
    cr_expect_eq(v.i != 0, want, "%s(%s) = %lld, want %d", name, ma_viec, (long long)v.i, want);
}

Test(rule_eval, boolean_operators_comparisons_and_in)
{
    evfix f;
    ev_open(&f,
            "let a = new and not carried\n"
            "let b = carried or state = xong\n"
            "let c = state in (hoan_c, khac)\n"
            "let d = ma_don_vi < \"U2\" and ma_don_vi >= \"U1\"\n"
            "let e = so_tien_phai_thi_hanh > 999_999 and remaining != 0\n"
            "let g = ngay_thu_ly <= 01/11/2025 and ngay_thu_ly > 31/10/2025\n"
            "let h = condition = co_dk\n"
            "let i = suspension = hoan_c\n",
            2025, 10, 1, 2026, 9, 30);
    expect_bool(&f, "a", "T1", true);
    expect_bool(&f, "a", "T2", false);
    expect_bool(&f, "b", "T2", true);
    expect_bool(&f, "b", "T3", true);
    expect_bool(&f, "b", "T1", false);
    expect_bool(&f, "c", "T1", true);
    expect_bool(&f, "c", "T3", false);
    expect_bool(&f, "d", "T1", true);
    expect_bool(&f, "d", "T3", false);
    expect_bool(&f, "e", "T1", true);
    expect_bool(&f, "e", "T3", false);
    expect_bool(&f, "g", "T1", true);
    expect_bool(&f, "g", "T2", false);
    expect_bool(&f, "h", "T2", true);
    expect_bool(&f, "h", "T1", false);
    expect_bool(&f, "i", "T1", true);
    ev_close(&f);
}

Test(rule_eval, null_fields_make_every_comparison_false)
{
    evfix f;
    ev_open(&f,
            "let eq = chap_hanh_vien = \"x\"\n"
            "let ne = chap_hanh_vien != \"x\"\n"
            "let no = not (chap_hanh_vien = \"x\")\n"
            "let em = empty(chap_hanh_vien)\n"
            "let td = terminal_date < E or terminal_date >= E\n"
            "let shifted = terminal_date + 1 day\n"
            "let y = years(terminal_date)\n"
            "let inn = nhom_viec in (\"a\", \"b\")\n"
            "let m = nhom_viec ~ /.*/\n"
            "let bt = between(terminal_date, S, E)\n"
            "let ct = contains(nhom_viec, \"\")\n",
            2025, 10, 1, 2026, 9, 30);
    expect_bool(&f, "eq", "T1", false);
    expect_bool(&f, "ne", "T1", false);
    expect_bool(&f, "no", "T1", true);
    expect_bool(&f, "em", "T1", true);
    expect_bool(&f, "em", "T2", false);
    expect_bool(&f, "td", "T1", false);
    expect_bool(&f, "td", "T3", true);
    cr_expect(ev_let(&f, "shifted", "T1", NULL).null);
    cr_expect_eq(ev_let(&f, "shifted", "T3", NULL).i, date_from_ymd(2025, 12, 7));
    cr_expect(ev_let(&f, "y", "T1", NULL).null);
    expect_bool(&f, "inn", "T3", false);
    expect_bool(&f, "m", "T3", false);
    expect_bool(&f, "m", "T1", true);
    expect_bool(&f, "bt", "T1", false);
    expect_bool(&f, "bt", "T3", true);
    expect_bool(&f, "ct", "T3", false);
    ev_close(&f);
}

Test(rule_eval, patterns_fold_case_and_accents_only_when_asked)
{
    evfix f;
    ev_open(&f,
            "let plain = nhom_viec ~ /tín dụng/\n"
            "let i = nhom_viec ~ /TÍN DỤNG/i\n"
            "let a = nhom_viec ~ /tin dung/a\n"
            "let ia = nhom_viec ~ /TIN\\s+DUNG/ia\n"
            "let x = nhom_viec ~ /tín \\s dụng  # a comment/ix\n"
            "let note = last_note ~ /chờ\\s*tòa/\n"
            "let ct = contains(nhom_viec, \"ngân\")\n",
            2025, 10, 1, 2026, 9, 30);
    expect_bool(&f, "plain", "T1", false); /* "Tín" is capitalised */
    expect_bool(&f, "i", "T1", true);
    expect_bool(&f, "a", "T1", false);
    expect_bool(&f, "ia", "T1", true);
    expect_bool(&f, "x", "T1", true);
    expect_bool(&f, "note", "T1", true);
    expect_bool(&f, "ct", "T1", true);
    expect_bool(&f, "ct", "T2", false);
    ev_close(&f);
}

Test(rule_eval, extra_columns_and_maps_over_them)
{
    evfix f;
    ev_open(&f,
            "let kq = ly_do = khach_quan\n"
            "let kh = ly_do = khac\n"
            "let em = empty(ly_do)\n",
            2025, 10, 1, 2026, 9, 30);
    expect_bool(&f, "kq", "T1", true);
    expect_bool(&f, "kh", "T1", false);
    expect_bool(&f, "kh", "T3", true);
    expect_bool(&f, "em", "T2", true);
    ev_close(&f);
}

/* ngay_quyet_dinh of T1 is 29/02/2024: one year later is 28/02/2025. */
Test(rule_eval, older_and_years_around_the_29th_of_february)
{
    static const struct {
        int y, m, d;
        bool older1;
        int years;
    } cut[] = {
        {2025, 2, 27, false, 0},
        {2025, 2, 28, false, 1}, /* the anniversary itself: not yet "before E" */
        {2025, 3, 1, true, 1},
        {2028, 2, 28, true, 3},
        {2028, 2, 29, true, 4},
    };
    for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++) {
        evfix f;
        ev_open(&f,
                "let o1 = older(ngay_quyet_dinh, 1 year)\n"
                "let y = years(ngay_quyet_dinh)\n"
                "let m12 = older(ngay_quyet_dinh, 12 months)\n",
                2024, 10, 1, cut[i].y, cut[i].m, cut[i].d);
        /* T2 (thụ lý 01/10/2024) is the case in scope for every cut-off; use its neighbour
         * T1's decision date through a case in scope: T1 is new only from 01/11/2025 */
        evfix *g = &f;
        uint32_t ci = model_case_find(g->m, "T2", 2);
        g->m->cases[ci].ngay_quyet_dinh = date_from_ymd(2024, 2, 29);
        expect_bool(g, "o1", "T2", cut[i].older1);
        expect_bool(g, "m12", "T2", cut[i].older1);
        rule_val y = ev_let(g, "y", "T2", NULL);
        cr_expect_eq(y.i, cut[i].years, "E=%d/%d/%d: years %lld", cut[i].d, cut[i].m, cut[i].y,
                     (long long)y.i);
        ev_close(&f);
    }
}

Test(rule_eval, date_arithmetic_clamps_to_the_end_of_the_month)
{
    evfix f;
    ev_open(&f,
            "let a = ngay_quyet_dinh + 1 month\n"
            "let b = ngay_quyet_dinh - 1 month\n"
            "let c = 1 year + ngay_quyet_dinh\n"
            "let d = ngay_quyet_dinh - 31 days\n",
            2025, 10, 1, 2026, 9, 30);
    /* T2: ngay_quyet_dinh 31/01/2025 */
    cr_expect_eq(ev_let(&f, "a", "T2", NULL).i, date_from_ymd(2025, 2, 28));
    cr_expect_eq(ev_let(&f, "b", "T2", NULL).i, date_from_ymd(2024, 12, 31));
    cr_expect_eq(ev_let(&f, "c", "T2", NULL).i, date_from_ymd(2026, 1, 31));
    cr_expect_eq(ev_let(&f, "d", "T2", NULL).i, date_from_ymd(2024, 12, 31));
    ev_close(&f);
}

Test(rule_eval, money_arithmetic_overflow_gives_null_and_an_error)
{
    evfix f;
    ev_open(&f,
            "let s2 = so_tien_phai_thi_hanh + so_tien_phai_thi_hanh\n"
            "let s4 = s2 + s2\n"
            "let s8 = s4 + s4\n"
            "let s16 = s8 + s8\n",
            2025, 10, 1, 2026, 9, 30);
    int err = 0;
    rule_val v = ev_let(&f, "s8", "T2", &err);
    cr_expect_eq(v.i, 7200000000000000000LL);
    cr_expect_eq(err & RULE_EVAL_OVERFLOW, RULE_EVAL_OVERFLOW);
    v = ev_let(&f, "s16", "T2", NULL);
    cr_expect(v.null);
    ev_close(&f);
}

Test(rule_eval, a_let_overflow_stops_rule_compute_naming_the_row)
{
    evfix f;
    ev_open(&f,
            "let s2 = so_tien_phai_thi_hanh + so_tien_phai_thi_hanh\n"
            "let s16 = s2 + s2 + s2 + s2 + s2 + s2 + s2 + s2\n"
            "form F \"f\" { rows ma_don_vi column n \"n\" = sum(s16) }\n",
            2025, 10, 1, 2026, 9, 30);
    thk_buf err = {0};
    int status = 0;
    form_set *s = rule_compute(f.rs, f.m, &f.p, NULL, &err, &status);
    cr_expect_null(s);
    cr_expect_eq(status, THK_EXIT_INPUT);
    cr_expect(strstr(err.data, "cases.csv dòng 3") != NULL, "%s", err.data);
    buf_free(&err);
    ev_close(&f);
}

Test(rule_eval, values_as_text)
{
    rule_set *rs = rule_set_load_text("t.rules", "let a = 1\n", NULL);
    cr_assert_not_null(rs);
    thk_buf b = {0};
    rule_val v = {date_from_ymd(2026, 9, 30), NULL, 0, 0, 0};
    rule_val_text(rs, &v, RT_DATE, 0, &b);
    cr_expect_str_eq(b.data, "30/09/2026");
    v.i = ST_HOAN_TDC;
    rule_val_text(rs, &v, RT_ENUM, RULE_DOM_STATE, &b);
    cr_expect_str_eq(b.data, "hoan_tdc");
    v.i = 3;
    rule_val_text(rs, &v, RT_ENUM, RULE_DOM_SUSPENSION, &b);
    cr_expect_str_eq(b.data, "tam_dinh_chi");
    v.i = -3450;
    rule_val_text(rs, &v, RT_RATE, 0, &b);
    cr_expect_str_eq(b.data, "-34.50");
    v.i = 1;
    rule_val_text(rs, &v, RT_BOOL, 0, &b);
    cr_expect_str_eq(b.data, "true");
    v.null = 1;
    rule_val_text(rs, &v, RT_INT, 0, &b);
    cr_expect_str_eq(b.data, "");
    buf_free(&b);
    rule_set_free(rs);
}
