/* test_agg — forms and lists computed from loaded exports: unit rows, subtotals, totals, fixed
 * rows, rates, checks, overflow, prior(), pattern limits, lists, THAHC forms, cases.csv flags. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agg.h"
#include "rule_test.h"
#include "load.h"
#include "read_date.h"
#include "read_money.h"
#include "testutil.h"

#define SU_KIEN                                                                                  \
    "map su_kien {\n"                                                                            \
    "  xac_minh_chua_co_dk = /chưa có điều kiện/i\n"                                             \
    "  xac_minh_co_dk = /có điều kiện/i\n"                                                       \
    "  thu_tien = /thu tiền/i\n"                                                                 \
    "  dinh_chi = /đình chỉ/i\n"                                                                 \
    "  xong = /xong/i\n"                                                                         \
    "}\n"

static const char *const CASE_HEAD =
    "ma_viec,ma_don_vi,ten_don_vi,chap_hanh_vien,ngay_thu_ly,ngay_quyet_dinh,nhom_viec,"
    "so_tien_phai_thi_hanh\n";

/* When set, run() gives the rule set a twin first, so rule_compute splits the forms between
 * two threads. */
static bool run_twin;

typedef struct {
    rule_set *rs;
    model *m;
    reject_log *rej;
    form_set *s;
    int status;
    thk_buf err;
    period p;
} afix;

/* Compiles rules, loads the CSV bodies (cases without their header), computes 12 tháng of
 * `year` (or the window when months == 0). */
static void run(afix *f, const char *rules, const char *cases, const char *events,
                const char *thahc, int year, int months)
{
    memset(f, 0, sizeof *f);
    char text[16384];
    snprintf(text, sizeof text, "%s%s", SU_KIEN, rules);
    thk_buf diag = {0};
    f->rs = rule_set_load_text("t.rules", text, &diag);
    cr_assert_not_null(f->rs, "%s", diag.data);
    buf_free(&diag);
    f->m = model_new();
    f->rej = rejects_new();
    load_opts o = {0};
    rule_set_fill_load_opts(f->rs, &o);
    o.rejects = f->rej;
    load_stats st;
    thk_buf csv = {0};
    buf_printf(&csv, "%s%s", CASE_HEAD, cases);
    cr_assert_eq(load_memory(f->m, LOAD_CASES, "cases.csv", csv.data, csv.len, &o, &st, &f->err),
                 0, "%s", f->err.data);
    buf_clear(&csv);
    buf_printf(&csv, "ma_viec,ngay,su_kien,so_tien,ghi_chu\n%s", events ? events : "");
    cr_assert_eq(load_memory(f->m, LOAD_EVENTS, "events.csv", csv.data, csv.len, &o, &st,
                             &f->err), 0, "%s", f->err.data);
    if (thahc) {
        buf_clear(&csv);
        buf_printf(&csv, "ma_ban_an,ma_don_vi,ten_don_vi,ngay_thu_ly,ngay_xong,"
                         "cap_phai_thi_hanh\n%s", thahc);
        cr_assert_eq(load_memory(f->m, LOAD_THAHC, "thahc.csv", csv.data, csv.len, &o, &st,
                                 &f->err), 0, "%s", f->err.data);
    }
    buf_free(&csv);
    model_finish(f->m);
    cr_assert(period_months(year, months, 1, 10, &f->p));
    if (run_twin)
        rule_set_threads(f->rs, 2);
    f->s = rule_compute(f->rs, f->m, &f->p, f->rej, &f->err, &f->status);
}

static void done(afix *f)
{
    form_set_free(f->s);
    rule_set_free(f->rs);
    model_free(f->m);
    rejects_free(f->rej);
    buf_free(&f->err);
}

static const form_table *tab(afix *f, const char *id)
{
    cr_assert_not_null(f->s, "compute failed (%d): %s", f->status, f->err.data);
    const form_table *t = agg_find_table(f->s, id);
    cr_assert_not_null(t, "no table %s", id);
    return t;
}

static const form_cell *cell(afix *f, const char *id, const char *row, const char *col)
{
    const form_table *t = tab(f, id);
    long r = agg_find_row(t, row), c = agg_find_col(t, col);
    cr_assert_geq(r, 0, "%s: no row %s", id, row);
    cr_assert_geq(c, 0, "%s: no column %s", id, col);
    return form_cell_at(t, (size_t)r, (size_t)c);
}

static int64_t val(afix *f, const char *id, const char *row, const char *col)
{
    const form_cell *c = cell(f, id, row, col);
    cr_expect(!c->empty, "%s[%s].%s is empty", id, row, col);
    return c->v;
}

/* The row keys of a table joined with spaces. */
static void keys(afix *f, const char *id, char *out, size_t n)
{
    const form_table *t = tab(f, id);
    size_t at = 0;
    out[0] = '\0';
    for (size_t i = 0; i < t->nrows && at + 1 < n; i++)
        at += (size_t)snprintf(out + at, n - at, "%s%s", i ? " " : "", t->rows[i].key);
}

#define B01                                                                                      \
    "form B01 \"việc\" { rows ma_don_vi label ten_don_vi header \"Đơn vị\" total \"Tổng cộng\"\n" \
    "  column thu_ly \"a\" = chuyen_sang + moi\n"                                                \
    "  column chuyen_sang \"b\" = count(carried)\n"                                              \
    "  column moi \"c\" = count(new)\n"                                                          \
    "  column xong \"d\" = count(state = xong)\n"                                                \
    "  column ty_le \"e\" = percent(xong, thu_ly)\n"                                             \
    "  column tien \"f\" = sum(collected)\n"                                                     \
    "  check thu_ly = chuyen_sang + moi\n"                                                       \
    "}\n"

Test(agg, every_unit_gets_a_row_even_with_nothing_in_scope)
{
    afix f;
    run(&f, B01,
        "T1,U2,Đơn vị 2,,01/11/2025,01/11/2025,,1000\n"
        "T2,U1,Đơn vị 1,,01/11/2026,01/11/2026,,1000\n" /* accepted after E: out of scope */
        "T3,U3,,,01/01/2024,01/01/2024,,1000\n",         /* closed before S */
        "T3,01/02/2025,Thi hành xong,,\nT1,02/11/2025,Thu tiền,400,\n", NULL, 2026, 12);
    char k[256];
    keys(&f, "B01", k, sizeof k);
    cr_expect_str_eq(k, "U1 U2 U3 *");
    const form_table *t = tab(&f, "B01");
    cr_expect_str_eq(t->rowfield_labels[0], "Đơn vị");
    cr_expect_str_eq(t->rows[0].labels[0], "Đơn vị 1");
    cr_expect_str_eq(t->rows[2].labels[0], "U3"); /* no name: the code */
    cr_expect_str_eq(t->rows[3].labels[0], "Tổng cộng");
    cr_expect_eq(t->rows[3].kind, FORM_ROW_TOTAL);
    cr_expect_eq(val(&f, "B01", "U1", "thu_ly"), 0);
    cr_expect(cell(&f, "B01", "U1", "ty_le")->empty, "a zero denominator gives an empty rate");
    cr_expect_eq(val(&f, "B01", "U2", "moi"), 1);
    cr_expect_eq(val(&f, "B01", "U2", "tien"), 400);
    cr_expect_eq(val(&f, "B01", "*", "thu_ly"), 1);
    cr_expect_eq(f.m->units[0].seen, MODEL_SEEN_CASES);
    done(&f);
}

Test(agg, totals_sum_the_rows_and_recompute_rates_from_exact_totals)
{
    afix f;
    run(&f, B01,
        "A1,U1,,,01/11/2025,01/11/2025,,0\nA2,U1,,,01/11/2025,01/11/2025,,0\n"
        "A3,U1,,,01/11/2025,01/11/2025,,0\nB1,U2,,,01/11/2025,01/11/2025,,0\n"
        "B2,U2,,,01/09/2025,01/09/2025,,0\n",
        "A1,02/11/2025,xong,,\nB1,02/11/2025,xong,,\nB2,02/11/2025,xong,,\n", NULL, 2026, 12);
    cr_expect_eq(val(&f, "B01", "U1", "ty_le"), 3333);
    cr_expect_eq(val(&f, "B01", "U2", "ty_le"), 10000);
    cr_expect_eq(val(&f, "B01", "*", "ty_le"), 6000); /* 3 of 5, not 33.33 + 100 */
    cr_expect_eq(val(&f, "B01", "*", "chuyen_sang"), 1);
    cr_expect_eq(val(&f, "B01", "*", "thu_ly"), 5);
    done(&f);
}

Test(agg, nested_rows_get_subtotals_after_each_group)
{
    afix f;
    run(&f,
        "form C \"chv\" { rows ma_don_vi label ten_don_vi, chap_hanh_vien subtotal total \"Cộng\"\n"
        "  column n \"n\" = count() column tien \"t\" = sum(so_tien_phai_thi_hanh) }\n",
        "T1,U1,Một,Bình,01/11/2025,01/11/2025,,10\n"
        "T2,U1,Một,An,01/11/2025,01/11/2025,,20\n"
        "T3,U1,Một,Bình,01/11/2025,01/11/2025,,30\n"
        "T4,U2,Hai,,01/11/2025,01/11/2025,,40\n"
        "T5,U3,Ba,Cường,01/11/2026,01/11/2026,,50\n",
        NULL, NULL, 2026, 12);
    char k[256];
    keys(&f, "C", k, sizeof k);
    cr_expect_str_eq(k, "U1|An U1|Bình U1|* U2| U2|* U3|* *");
    cr_expect_eq(val(&f, "C", "U1|Bình", "n"), 2);
    cr_expect_eq(val(&f, "C", "U1|*", "n"), 3);
    cr_expect_eq(val(&f, "C", "U1|*", "tien"), 60);
    cr_expect_eq(val(&f, "C", "U3|*", "n"), 0);
    cr_expect_eq(val(&f, "C", "*", "tien"), 100);
    const form_table *t = tab(&f, "C");
    cr_expect_str_eq(t->rows[3].labels[1], "(trống)");
    cr_expect_str_eq(t->rows[2].labels[0], "Một");
    cr_expect_str_eq(t->rows[2].labels[1], "");
    cr_expect_eq(t->rows[2].kind, FORM_ROW_SUBTOTAL);
    done(&f);
}

Test(agg, fixed_rows_are_always_present_in_their_order)
{
    afix f;
    run(&f,
        "form S \"state\" { rows state fixed (dang_thi_hanh \"Đang\", xong \"Xong\", uy_thac) "
        "total \"Tổng\"\n  column n \"n\" = count() }\n",
        "T1,U1,,,01/11/2025,01/11/2025,,0\nT2,U1,,,01/11/2025,01/11/2025,,0\n"
        "T3,U1,,,01/11/2025,01/11/2025,,0\n",
        "T2,05/11/2025,Xác minh: chưa có điều kiện,,\nT3,05/11/2025,Đình chỉ,,\n", NULL, 2026, 12);
    char k[256];
    keys(&f, "S", k, sizeof k);
    cr_expect_str_eq(k, "dang_thi_hanh xong uy_thac chua_co_dk dinh_chi *");
    cr_expect_eq(val(&f, "S", "xong", "n"), 0);
    cr_expect_eq(val(&f, "S", "dinh_chi", "n"), 1);
    const form_table *t = tab(&f, "S");
    cr_expect_str_eq(t->rows[0].labels[0], "Đang");
    cr_expect_str_eq(t->rows[2].labels[0], "uy_thac");
    done(&f);
}

Test(agg, a_complete_level_repeats_under_every_group)
{
    afix f;
    run(&f,
        "form H \"ht\" { rows state fixed (xong, dang_thi_hanh), ma_don_vi subtotal\n"
        "  column n \"n\" = count() }\n",
        "T1,U1,,,01/11/2025,01/11/2025,,0\nT2,U2,,,01/11/2025,01/11/2025,,0\n",
        "T1,05/11/2025,xong,,\n", NULL, 2026, 12);
    char k[256];
    keys(&f, "H", k, sizeof k);
    cr_expect_str_eq(k, "xong|U1 xong|U2 xong|* dang_thi_hanh|U1 dang_thi_hanh|U2 "
                        "dang_thi_hanh|*");
    cr_expect_eq(val(&f, "H", "xong|U1", "n"), 1);
    cr_expect_eq(val(&f, "H", "xong|U2", "n"), 0);
    cr_expect_eq(val(&f, "H", "dang_thi_hanh|*", "n"), 1);
    done(&f);
}

Test(agg, a_form_without_rows_has_one_total_row)
{
    afix f;
    run(&f, "form K \"k\" { column n \"n\" = count() }\n",
        "T1,U1,,,01/11/2025,01/11/2025,,0\nT2,U2,,,01/11/2025,01/11/2025,,0\n", NULL, NULL,
        2026, 12);
    char k[64];
    keys(&f, "K", k, sizeof k);
    cr_expect_str_eq(k, "*");
    cr_expect_eq(val(&f, "K", "*", "n"), 2);
    done(&f);
}

Test(agg, a_failed_check_is_status_5_naming_form_row_and_values)
{
    afix f;
    run(&f,
        "form B \"b\" { rows ma_don_vi total \"T\" column a \"a\" = count() "
        "column b \"b\" = count(new) check a = b }\n",
        "T1,U1,,,01/11/2025,01/11/2025,,0\nT2,U1,,,01/01/2025,01/01/2025,,0\n", NULL, NULL, 2026,
        12);
    cr_expect_null(f.s);
    cr_expect_eq(f.status, THK_EXIT_CHECK);
    cr_expect(strstr(f.err.data, "biểu B, dòng U1: đẳng thức kiểm tra không đúng: a = b: 2 ≠ 1") !=
                  NULL,
              "%s", f.err.data);
    cr_expect(strstr(f.err.data, "dòng *:") != NULL, "%s", f.err.data);
    done(&f);
}

Test(agg, a_sum_that_overflows_names_form_row_and_column)
{
    thk_buf cases = {0};
    for (int i = 0; i < 11; i++)
        buf_printf(&cases, "T%d,U1,,,01/11/2025,01/11/2025,,900000000000000000\n", i);
    afix f;
    run(&f, "form M \"m\" { rows ma_don_vi column n \"n\" = count() column tien \"t\" = sum(O) }\n",
        cases.data, NULL, NULL, 2026, 12);
    cr_expect_null(f.s);
    cr_expect_eq(f.status, THK_EXIT_INPUT);
    cr_expect(strstr(f.err.data, "biểu M, dòng U1, cột tien: tổng vượt giới hạn") != NULL, "%s",
              f.err.data);
    buf_free(&cases);
    done(&f);
}

Test(agg, a_total_that_overflows_is_reported_on_the_total_row)
{
    thk_buf cases = {0};
    for (int i = 0; i < 11; i++)
        buf_printf(&cases, "T%d,U%d,,,01/11/2025,01/11/2025,,900000000000000000\n", i, i);
    afix f;
    run(&f, "form M \"m\" { rows ma_don_vi total \"T\" column tien \"t\" = sum(O) }\n",
        cases.data, NULL, NULL, 2026, 12);
    cr_expect_null(f.s);
    cr_expect_eq(f.status, THK_EXIT_INPUT);
    cr_expect(strstr(f.err.data, "biểu M, dòng *, cột tien") != NULL, "%s", f.err.data);
    buf_free(&cases);
    done(&f);
}

Test(agg, prior_counts_the_same_window_last_year)
{
    afix f;
    run(&f,
        "form TH \"th\" { rows ma_don_vi total \"T\"\n"
        "  column xong \"x\" = count(state = xong)\n"
        "  column xong_ck \"y\" = prior(count(state = xong))\n"
        "  column tang \"z\" = xong - xong_ck\n"
        "  column thu_ly_ck \"w\" = prior(thu_ly)\n"
        "  column thu_ly \"v\" = count()\n}\n",
        "T1,U1,,,01/11/2024,01/11/2024,,0\nT2,U1,,,01/11/2025,01/11/2025,,0\n",
        "T1,01/12/2024,xong,,\nT2,01/12/2025,xong,,\n", NULL, 2026, 12);
    cr_expect_eq(val(&f, "TH", "U1", "xong"), 1);
    cr_expect_eq(val(&f, "TH", "U1", "xong_ck"), 1);
    cr_expect_eq(val(&f, "TH", "U1", "tang"), 0);
    cr_expect_eq(val(&f, "TH", "U1", "thu_ly"), 1);     /* T1 closed before this S */
    cr_expect_eq(val(&f, "TH", "U1", "thu_ly_ck"), 1);  /* T2 not yet accepted last year */
    cr_expect_str_eq(f.s->tables[0].id, "TH");
    done(&f);
}

Test(agg, replay_warnings_go_to_the_log_for_the_main_period_only)
{
    afix f;
    run(&f,
        "form TH \"th\" { column a \"a\" = count() column b \"b\" = prior(count()) }\n",
        "T1,U1,,,01/11/2025,01/11/2025,,1000\n",
        "T1,02/11/2025,Thu tiền,1500,\n", NULL, 2026, 12);
    cr_assert_not_null(f.s, "%s", f.err.data);
    cr_assert_eq(rejects_count(f.rej), 1);
    const reject_entry *e = rejects_get(f.rej, 0);
    cr_expect_eq(e->code, WARN_OVERPAYMENT);
    cr_expect_str_eq(e->file, "events.csv");
    cr_expect_eq(e->line, 2);
    cr_expect_str_eq(e->column, "so_tien");
    cr_expect_str_eq(e->value, "1500");
    cr_expect_str_eq(e->detail, "vượt 500 đồng");
    done(&f);
}

Test(agg, a_pattern_limit_rejects_that_case_and_only_that_case)
{
    thk_buf cases = {0};
    buf_printf(&cases, "T1,U1,,,01/11/2025,01/11/2025,");
    for (int i = 0; i < 5000; i++)
        buf_putc(&cases, 'a');
    buf_printf(&cases, "b,0\nT2,U1,,,01/11/2025,01/11/2025,aaa,0\n");
    afix f;
    run(&f,
        "let slow = nhom_viec ~ /^(a+)+$/\n"
        "form P \"p\" { rows ma_don_vi column n \"n\" = count() column s \"s\" = count(slow) }\n",
        cases.data, NULL, NULL, 2026, 12);
    cr_assert_not_null(f.s, "%s", f.err.data);
    cr_expect_eq(val(&f, "P", "U1", "n"), 1);
    cr_expect_eq(val(&f, "P", "U1", "s"), 1);
    cr_assert_eq(rejects_count(f.rej), 1);
    const reject_entry *e = rejects_get(f.rej, 0);
    cr_expect_eq(e->code, REJ_PATTERN_LIMIT);
    cr_expect_str_eq(e->file, "cases.csv");
    cr_expect_eq(e->line, 2);
    cr_expect(strstr(e->detail, "/^(a+)+$/ (t.rules:") != NULL, "%s", e->detail);
    cr_expect_eq(strlen(e->value), 200);
    buf_free(&cases);
    done(&f);
}

Test(agg, lists_filter_order_limit_and_show_typed_cells)
{
    afix f;
    run(&f,
        "let con = remaining > 0\n"
        "let age = years(ngay_quyet_dinh)\n"
        "list L3 \"top\" { where con order by ma_don_vi, remaining desc limit 2 per ma_don_vi\n"
        "  show ma_viec \"Mã\", ma_don_vi, ngay_quyet_dinh, remaining, age, state, con }\n",
        "A1,U1,,,01/11/2025,01/11/2020,,100\nA2,U1,,,01/11/2025,01/11/2025,,300\n"
        "A3,U1,,,01/11/2025,01/11/2025,,300\nA4,U1,,,01/11/2025,01/11/2025,,50\n"
        "B1,U2,,,01/11/2025,01/11/2025,,0\nB2,U2,,,01/11/2025,01/11/2025,,7\n",
        NULL, NULL, 2026, 12);
    const form_table *t = tab(&f, "L3");
    cr_expect(t->is_list);
    cr_assert_eq(t->nrows, 3);
    cr_expect_str_eq(t->rows[0].key, "A2"); /* 300, tie broken by ma_viec */
    cr_expect_str_eq(t->rows[1].key, "A3");
    cr_expect_str_eq(t->rows[2].key, "B2");
    cr_expect_str_eq(t->cols[0].label, "Mã");
    cr_expect_str_eq(t->cols[1].label, "ma_don_vi");
    cr_expect_eq(t->cols[0].kind, FORM_KIND_TEXT);
    cr_expect_eq(t->cols[2].kind, FORM_KIND_DATE);
    cr_expect_eq(t->cols[3].kind, FORM_KIND_MONEY);
    cr_expect_eq(t->cols[4].kind, FORM_KIND_COUNT);
    cr_expect_eq(t->cols[5].kind, FORM_KIND_TEXT);
    cr_expect_str_eq(t->texts[0 * 7 + 0], "A2");
    cr_expect_eq(form_cell_at(t, 0, 2)->v, date_from_ymd(2025, 11, 1));
    cr_expect_eq(form_cell_at(t, 0, 3)->v, 300);
    cr_expect_eq(form_cell_at(t, 0, 4)->v, 0);
    cr_expect_str_eq(t->texts[0 * 7 + 5], "dang_thi_hanh");
    cr_expect_str_eq(t->texts[0 * 7 + 6], "true");
    done(&f);
}

/* The levels of cap_phai_thi_hanh are the rule file's: a map with other levels and a form
 * with those fixed rows, no C involved. */
Test(agg, the_levels_of_cap_phai_thi_hanh_are_the_rules_own)
{
    const char *rules = "map cap_phai_thi_hanh { trung_uong = /\\bbộ\\b/i dia_phuong = /.*/ }\n"
                        "form C \"c\" { source thahc rows cap_phai_thi_hanh fixed (trung_uong "
                        "\"Trung ương\", dia_phuong \"Địa phương\") total \"T\" column tong "
                        "\"t\" = count() }\n";
    afix f;
    run(&f, rules, "T1,U1,,,01/11/2025,01/11/2025,,0\n", NULL,
        "BA1,U9,Chín,01/11/2025,,Bộ Tài chính\n"
        "BA2,U9,Chín,01/11/2025,,UBND xã Y\n"
        "BA3,U9,Chín,01/11/2025,,UBND tỉnh Z\n",
        2026, 12);
    char k[128];
    keys(&f, "C", k, sizeof k);
    cr_expect_str_eq(k, "trung_uong dia_phuong *");
    cr_expect_eq(val(&f, "C", "trung_uong", "tong"), 1);
    cr_expect_eq(val(&f, "C", "dia_phuong", "tong"), 2);
    done(&f);
}

Test(agg, thahc_forms_use_thahc_units_and_are_left_out_without_thahc)
{
    const char *rules = "map cap_phai_thi_hanh { tinh = /tỉnh/i xa = /xã/i khac = /.*/ }\n"
                        "form B03 \"b\" { source thahc rows ma_don_vi total \"T\"\n"
                        "  column tong \"t\" = count() column xong \"x\" = count(ngay_xong <= E) }\n"
                        "form B03_CAP \"c\" { source thahc rows cap_phai_thi_hanh fixed (tinh, xa, "
                        "khac) total \"T\" column tong \"t\" = count() }\n"
                        "form B01 \"a\" { rows ma_don_vi column n \"n\" = count() }\n";
    afix f;
    run(&f, rules, "T1,U1,,,01/11/2025,01/11/2025,,0\n", NULL,
        "BA1,U9,Chín,01/11/2025,02/11/2025,UBND tỉnh X\n"
        "BA2,U9,Chín,01/11/2024,01/01/2025,UBND xã Y\n", /* finished before S */
        2026, 12);
    char k[128];
    keys(&f, "B03", k, sizeof k);
    cr_expect_str_eq(k, "U9 *");
    keys(&f, "B01", k, sizeof k);
    cr_expect_str_eq(k, "U1");
    cr_expect_eq(val(&f, "B03", "U9", "tong"), 1);
    cr_expect_eq(val(&f, "B03", "U9", "xong"), 1);
    cr_expect_eq(val(&f, "B03-CAP", "tinh", "tong"), 1);
    cr_expect_eq(val(&f, "B03_CAP", "xa", "tong"), 0);
    done(&f);
    run(&f, rules, "T1,U1,,,01/11/2025,01/11/2025,,0\n", NULL, NULL, 2026, 12);
    cr_expect_eq(f.s->ntables, 1);
    cr_expect_null(agg_find_table(f.s, "B03"));
    done(&f);
}

typedef struct {
    char got[512];
    size_t n;
} flagsink;

static void on_case(void *ctx, const model *m, uint32_t ci, const replay_facts *fa,
                    const char *flags, const char *keys)
{
    flagsink *s = ctx;
    (void)fa;
    size_t at = strlen(s->got);
    snprintf(s->got + at, sizeof s->got - at, "%s:%s%s%s ", model_str(m, m->cases[ci].ma_viec),
             flags, *keys ? "/" : "", keys);
    s->n++;
}

Test(agg, each_counted_case_reports_its_true_flags)
{
    const char *rules = "let moi = new\nlet lon = O >= 100\nlet unused = carried\n"
                        "let tien = O + 1\n"
                        "form F \"f\" { rows ma_don_vi column a \"a\" = count(moi) "
                        "column b \"b\" = count(lon) column c \"c\" = sum(tien) }\n";
    const char *cases = "T1,U1,,,01/11/2025,01/11/2025,,100\nT2,U1,,,01/11/2024,01/11/2024,,5\n"
                        "T3,U1,,,01/11/2027,01/11/2027,,5\n";
    afix f;
    memset(&f, 0, sizeof f);
    flagsink sink = {{0}, 0};
    /* first compile to register the callback, then run through the fixture */
    run(&f, rules, cases, NULL, NULL, 2026, 12);
    rule_set_on_case(f.rs, on_case, &sink);
    int status;
    form_set *s = rule_compute(f.rs, f.m, &f.p, NULL, &f.err, &status);
    cr_assert_not_null(s);
    form_set_free(s);
    cr_expect_str_eq(sink.got, "T1:moi;lon T2: ");
    memset(&sink, 0, sizeof sink);
    cr_expect_eq(rule_each_case(f.rs, f.m, &f.p, on_case, &sink, &f.err), 0);
    cr_expect_str_eq(sink.got, "T1:moi;lon T2: ");
    done(&f);
}

/* Row keys other than the unit reach the callback as the text of the case's row: the first
 * key of every form, in order of first appearance, whatever form computes it. */
Test(agg, each_counted_case_reports_its_row_keys)
{
    const char *rules = "form F \"f\" { rows ma_don_vi, chap_hanh_vien column a \"a\" = count() }\n"
                        "form G \"g\" { rows nhom_viec column a \"a\" = count() }\n"
                        "form H \"h\" { rows chap_hanh_vien column a \"a\" = count() }\n";
    afix f;
    memset(&f, 0, sizeof f);
    run(&f, rules, "T1,U1,,Trần B,01/11/2025,01/11/2025,Dân sự,100\n"
                   "T2,U1,,,01/11/2025,01/11/2025,hình sự,5\n", NULL, NULL, 2026, 12);
    const char *names[4];
    cr_assert_eq(rule_set_case_keys(f.rs, names, 4), 2);
    cr_expect_str_eq(names[0], "chap_hanh_vien");
    cr_expect_str_eq(names[1], "nhom_viec");
    flagsink sink = {{0}, 0};
    cr_expect_eq(rule_each_case(f.rs, f.m, &f.p, on_case, &sink, &f.err), 0);
    /* keys are NUL-separated: the sink shows the first and the callback's pointer arithmetic
       is checked through cases.csv (test_e2e) */
    cr_expect_str_eq(sink.got, "T1:/Trần B T2: ");
    done(&f);
}

Test(agg, lookups_treat_underscore_and_hyphen_alike)
{
    afix f;
    run(&f, "form B01_CHV \"a\" { rows ma_don_vi column n \"n\" = count() }\n",
        "T1,U1,,,01/11/2025,01/11/2025,,0\n", NULL, NULL, 2026, 12);
    cr_expect_not_null(agg_find_table(f.s, "B01_CHV"));
    cr_expect_not_null(agg_find_table(f.s, "B01-CHV"));
    cr_expect_str_eq(f.s->tables[0].id, "B01-CHV");
    cr_expect_eq(agg_find_row(&f.s->tables[0], "nope"), -1);
    cr_expect_eq(agg_find_col(&f.s->tables[0], "nope"), -1);
    done(&f);
}

/* ---- two threads ----------------------------------------------------------------------- */

/* Every table of s as text: id, row keys and labels, each cell's value or emptiness. */
static void tables_text(const form_set *s, thk_buf *out)
{
    for (size_t i = 0; i < s->ntables; i++) {
        const form_table *t = &s->tables[i];
        buf_printf(out, "%s %zux%zu\n", t->id, t->nrows, t->ncols);
        for (size_t r = 0; r < t->nrows; r++) {
            buf_printf(out, " %s", t->rows[r].key);
            for (size_t l = 0; l < t->nrowfields; l++)
                buf_printf(out, " [%s]", t->rows[r].labels && t->rows[r].labels[l]
                                             ? t->rows[r].labels[l] : "");
            buf_putc(out, ':');
            for (size_t c = 0; c < t->ncols; c++) {
                const form_cell *x = form_cell_at(t, r, c);
                if (x->empty)
                    buf_printf(out, " -");
                else
                    buf_printf(out, " %lld", (long long)x->v);
            }
            buf_putc(out, '\n');
        }
    }
}

/* Rules over every kind of row key (unit, enum, text with a label that varies from case to
 * case), prior(), a check, and a list. */
#define MANY_FORMS                                                                               \
    B01                                                                                          \
    "form TH \"th\" { rows ma_don_vi total \"T\"\n"                                              \
    "  column xong \"x\" = count(state = xong)\n"                                                \
    "  column truoc \"y\" = prior(count(state = xong))\n"                                        \
    "}\n"                                                                                        \
    "form G \"g\" { rows nhom_viec label chap_hanh_vien, state total \"T\"\n"                    \
    "  column n \"n\" = count()\n"                                                               \
    "  column t \"t\" = sum(collected)\n"                                                        \
    "  column p \"p\" = prior(count())\n"                                                        \
    "}\n"                                                                                        \
    "list L \"l\" { where collected > 0 order by collected desc\n"                                \
    "  show ma_viec, collected, nhom_viec }\n"

/* n cases in three units, sorted by date as exports are, some with events; a case's CHV
 * changes along the file, so a group's label depends on which case is seen first. */
static void many_cases(size_t n, thk_buf *cases, thk_buf *events)
{
    for (size_t i = 0; i < n; i++) {
        int year = 2021 + (int)(i * 6 / n); /* 2021 .. 2026 */
        buf_printf(cases, "K%06zu,U%zu,Đơn vị %zu,CHV %zu,%02zu/%02zu/%d,%02zu/%02zu/%d,Nhóm %zu,%zu\n",
                   i, i % 3, i % 3, (i / 1000) % 7, i % 28 + 1, i % 12 + 1, year, i % 28 + 1,
                   i % 12 + 1, year, i % 4, 1000 * (i % 50));
        if (i % 3 == 0)
            buf_printf(events, "K%06zu,15/%02zu/%d,Thu tiền,%zu,\n", i, i % 12 + 1, year + 1,
                       500 * (i % 7) + 100);
        if (i % 5 == 0)
            buf_printf(events, "K%06zu,20/%02zu/%d,xong,,\n", i, i % 12 + 1, year + 1);
    }
}

typedef struct {
    thk_buf seq;
    size_t n;
    const rule_set *rs;
} casesink;

static void sink_case(void *ctx, const model *m, uint32_t ci, const replay_facts *fa,
                      const char *flags, const char *keys)
{
    casesink *s = ctx;
    buf_printf(&s->seq, "%s %d %lld %s", model_str(m, m->cases[ci].ma_viec), fa->state,
               (long long)fa->remaining, flags);
    for (size_t k = 0; k < rule_set_case_keys(s->rs, NULL, 0); k++) {
        buf_printf(&s->seq, " [%s]", keys);
        keys += strlen(keys) + 1;
    }
    buf_putc(&s->seq, '\n');
    s->n++;
}

/* rule_set_case_rows: the rows made on the computing threads reach emit in case order, and
 * are what the ordered rule_case_fn calls would have written, with one thread and with two. */
static void fmt_case(const void *ctx, const model *m, uint32_t ci, const replay_facts *fa,
                     const char *flags, const char *keys, thk_buf *out)
{
    (void)ctx;
    buf_printf(out, "%s %d %lld %s [%s]\n", model_str(m, m->cases[ci].ma_viec), fa->state,
               (long long)fa->remaining, flags, keys);
}

static void emit_rows(void *ctx, const char *bytes, size_t len)
{
    casesink *s = ctx;
    buf_append(&s->seq, bytes, len);
    s->n++;
}

static void ref_case(void *ctx, const model *m, uint32_t ci, const replay_facts *fa,
                     const char *flags, const char *keys)
{
    casesink *s = ctx;
    fmt_case(NULL, m, ci, fa, flags, keys, &s->seq);
}

Test(agg, rows_made_on_the_computing_threads_arrive_in_case_order)
{
    thk_buf cases = {0}, events = {0};
    many_cases(3 * 4096 + 123, &cases, &events);
    casesink ref = {{0}, 0, NULL};
    for (int twin = 0; twin < 2; twin++) {
        afix f;
        run_twin = twin;
        run(&f, MANY_FORMS, cases.data, events.data, NULL, 2026, 12);
        run_twin = false;
        int st;
        if (!twin) { /* the reference: the ordered calls, one thread */
            rule_set_on_case(f.rs, ref_case, &ref);
            form_set_free(rule_compute(f.rs, f.m, &f.p, NULL, &f.err, &st));
            rule_set_on_case(f.rs, NULL, NULL);
        }
        casesink got = {{0}, 0, NULL};
        rule_set_case_rows(f.rs, fmt_case, emit_rows, &got);
        form_set *x = rule_compute(f.rs, f.m, &f.p, NULL, &f.err, &st);
        cr_assert_not_null(x, "%s", f.err.data);
        form_set_free(x);
        cr_assert_gt(ref.seq.len, 0);
        cr_expect_str_eq(got.seq.data, ref.seq.data, "twin=%d", twin);
        if (twin)
            cr_expect_leq(got.n, 4, "two runs hand over whole chunks: %zu calls", got.n);
        buf_free(&got.seq);
        done(&f);
    }
    buf_free(&ref.seq);
    buf_free(&cases);
    buf_free(&events);
}

/* The calls slower than the computing (a busy disk under cases.csv): the runs finish chunks
 * ahead of them, up to the held limit, and wait there; 14 chunks go round the held slots
 * several times, and the rows still arrive whole and in case order. */
static void emit_rows_slowly(void *ctx, const char *bytes, size_t len)
{
    struct timespec ts = {0, 3 * 1000 * 1000};
    nanosleep(&ts, NULL);
    emit_rows(ctx, bytes, len);
}

Test(agg, rows_arrive_in_case_order_when_the_calls_are_slow)
{
    thk_buf cases = {0}, events = {0};
    many_cases(14 * 4096 + 77, &cases, &events);
    afix f;
    run(&f, MANY_FORMS, cases.data, events.data, NULL, 2026, 12);
    int st;
    casesink ref = {{0}, 0, NULL}, got = {{0}, 0, NULL};
    rule_set_on_case(f.rs, ref_case, &ref);
    form_set_free(rule_compute(f.rs, f.m, &f.p, NULL, &f.err, &st));
    rule_set_on_case(f.rs, NULL, NULL);
    done(&f);
    run_twin = true;
    run(&f, MANY_FORMS, cases.data, events.data, NULL, 2026, 12);
    run_twin = false;
    rule_set_case_rows(f.rs, fmt_case, emit_rows_slowly, &got);
    form_set *x = rule_compute(f.rs, f.m, &f.p, NULL, &f.err, &st);
    cr_assert_not_null(x, "%s", f.err.data);
    form_set_free(x);
    cr_assert_gt(got.n, 8, "the chunks went round the held slots: %zu calls", got.n);
    cr_expect_str_eq(got.seq.data, ref.seq.data);
    buf_free(&got.seq);
    buf_free(&ref.seq);
    done(&f);
    buf_free(&cases);
    buf_free(&events);
}

/* Two runs over alternate chunks give what one run gives: every table cell for cell with its
 * labels, the verified identities, the warnings, and the callback's cases in order. */
Test(agg, two_threads_compute_the_same_tables_as_one)
{
    thk_buf cases = {0}, events = {0};
    many_cases(3 * 4096 + 123, &cases, &events);
    afix one, two;
    run(&one, MANY_FORMS, cases.data, events.data, NULL, 2026, 12);
    run_twin = true;
    run(&two, MANY_FORMS, cases.data, events.data, NULL, 2026, 12);
    run_twin = false;
    cr_assert_not_null(one.s, "%s", one.err.data);
    cr_assert_not_null(two.s, "%s", two.err.data);
    thk_buf a = {0}, b = {0};
    tables_text(one.s, &a);
    tables_text(two.s, &b);
    cr_expect_str_eq(b.data, a.data);
    cr_expect(strstr(a.data, "G ") != NULL && strstr(a.data, "[CHV ") != NULL, "%s", a.data);
    cr_expect_gt(one.s->identities_verified, 0);
    cr_expect_eq(two.s->identities_verified, one.s->identities_verified);
    cr_expect_eq(rejects_count(two.rej), rejects_count(one.rej));
    /* the callback: every in-scope case, in order, from either thread */
    casesink s1 = {{0}, 0, one.rs}, s2 = {{0}, 0, two.rs};
    int st;
    rule_set_on_case(one.rs, sink_case, &s1);
    form_set *x = rule_compute(one.rs, one.m, &one.p, NULL, &one.err, &st);
    form_set_free(x);
    rule_set_on_case(two.rs, sink_case, &s2);
    x = rule_compute(two.rs, two.m, &two.p, NULL, &two.err, &st);
    form_set_free(x);
    cr_expect_gt(s1.n, 4096);
    cr_expect(strstr(s1.seq.data, " [") != NULL, "keys reach the callback: %.200s", s1.seq.data);
    cr_expect_eq(s2.n, s1.n);
    cr_expect_str_eq(s2.seq.data, s1.seq.data);
    buf_free(&s1.seq);
    buf_free(&s2.seq);
    buf_free(&a);
    buf_free(&b);
    buf_free(&cases);
    buf_free(&events);
    done(&one);
    done(&two);
}

/* rule_set_on_aggregated: called once, after the last case's row and before the tables are
 * built, and nothing after it reads the model's rows: a hook that gives them back
 * (model_release_rows, as a report does) leaves every table, label and list cell as it was,
 * with one thread and with two. */
typedef struct {
    model *m;
    casesink *rows; /* the case rows seen so far, to check the hook comes after the last */
    size_t rows_at_hook;
    int calls;
} agg_hook;

static void release_rows(void *ctx)
{
    agg_hook *h = ctx;
    h->calls++;
    h->rows_at_hook = h->rows->n;
    model_release_rows(h->m);
}

Test(agg, the_rows_given_back_before_the_build_change_no_table)
{
    thk_buf cases = {0}, events = {0};
    many_cases(3 * 4096 + 123, &cases, &events);
    for (int twin = 0; twin < 2; twin++) {
        afix ref, f;
        run_twin = twin;
        run(&ref, MANY_FORMS, cases.data, events.data, NULL, 2026, 12);
        run(&f, MANY_FORMS, cases.data, events.data, NULL, 2026, 12);
        run_twin = false;
        cr_assert_not_null(ref.s, "%s", ref.err.data);
        form_set_free(f.s);
        casesink rows = {{0}, 0, f.rs};
        agg_hook h = {f.m, &rows, 0, 0};
        rule_set_on_case(f.rs, sink_case, &rows);
        rule_set_on_aggregated(f.rs, release_rows, &h);
        size_t ncases = f.m->ncases;
        f.s = rule_compute(f.rs, f.m, &f.p, f.rej, &f.err, &f.status);
        cr_assert_not_null(f.s, "%s", f.err.data);
        cr_expect_eq(h.calls, 1);
        cr_expect_gt(rows.n, 4096);
        cr_expect_eq(h.rows_at_hook, rows.n, "the hook came before the last case's row");
        cr_expect_eq(f.m->ncases, 0, "the hook gave the rows back (%zu cases before)", ncases);
        cr_expect_null(f.m->cases);
        cr_expect_null(f.m->events);
        thk_buf a = {0}, b = {0};
        tables_text(ref.s, &a);
        tables_text(f.s, &b);
        cr_expect(strstr(a.data, "L ") != NULL, "the list is compared too: %.200s", a.data);
        cr_expect_str_eq(b.data, a.data, "twin=%d", twin);
        cr_expect_eq(f.s->identities_verified, ref.s->identities_verified);
        /* unit codes and names are still there for the workbook and the manifest */
        cr_expect_eq(f.m->nunits, ref.m->nunits);
        cr_expect_str_eq(model_str(f.m, f.m->units[0].code), model_str(ref.m, ref.m->units[0].code));
        buf_free(&rows.seq);
        buf_free(&a);
        buf_free(&b);
        done(&ref);
        done(&f);
    }
    buf_free(&cases);
    buf_free(&events);
}

/* A `limit N [per K]` list keeps only each group's best N while computing (issue 15: memory
 * bounded by groups × N): its rows are exactly the first N per group of the same list without
 * a limit, with one thread and with two (whose kept rows compete when the runs are added). */
Test(agg, a_limited_list_keeps_what_a_full_sort_and_cut_keeps)
{
    thk_buf cases = {0}, events = {0};
    many_cases(3 * 4096 + 123, &cases, &events);
    const char *rules =
        "list ALL \"all\" { where remaining > 0 order by ma_don_vi, remaining desc\n"
        "  show ma_viec, ma_don_vi, remaining }\n"
        "list PER \"per\" { where remaining > 0 order by ma_don_vi, remaining desc\n"
        "  limit 7 per ma_don_vi show ma_viec, ma_don_vi, remaining }\n"
        "list ONE \"one\" { where remaining > 0 order by remaining\n"
        "  limit 1 per chap_hanh_vien show ma_viec, chap_hanh_vien, remaining }\n";
    for (int twin = 0; twin < 2; twin++) {
        afix f;
        run_twin = twin;
        run(&f, rules, cases.data, events.data, NULL, 2026, 12);
        run_twin = false;
        const form_table *all = tab(&f, "ALL");
        const form_table *per = tab(&f, "PER");
        cr_assert_gt(all->nrows, 3 * 7 * 10, "many candidates per unit");
        /* expected: the first 7 of each unit in ALL's order */
        size_t k = 0, seen = 0;
        for (size_t i = 0; i < all->nrows; i++) {
            if (i > 0 && strcmp(all->texts[i * 3 + 1], all->texts[(i - 1) * 3 + 1]) != 0)
                seen = 0;
            if (seen++ >= 7)
                continue;
            cr_assert_lt(k, per->nrows, "twin=%d", twin);
            cr_expect_str_eq(per->rows[k].key, all->rows[i].key, "twin=%d row %zu", twin, k);
            k++;
        }
        cr_expect_eq(per->nrows, k, "twin=%d", twin);
        cr_expect_eq(k, 21);
        cr_expect_eq(tab(&f, "ONE")->nrows, 7, "one per officer (CHV 0..6), twin=%d", twin);
        done(&f);
    }
    buf_free(&cases);
    buf_free(&events);
}

/* Computes `rules` over cases and events with one thread, then two; dump(f, out) checks a
 * run's tables and describes them, and the two descriptions must be equal. */
typedef void (*agg_dump_fn)(afix *f, thk_buf *out);

static void same_on_one_and_two_threads(const char *rules, const thk_buf *cases,
                                        const thk_buf *events, agg_dump_fn dump)
{
    thk_buf first = {0};
    for (int twin = 0; twin < 2; twin++) {
        afix f;
        run_twin = twin;
        run(&f, rules, cases->data, events->data, NULL, 2026, 12);
        run_twin = false;
        cr_assert_eq(f.status, 0, "%s", f.err.data);
        thk_buf seen = {0};
        dump(&f, &seen);
        if (twin == 0)
            buf_append(&first, seen.data, seen.len);
        else
            cr_assert(seen.len == first.len && memcmp(seen.data, first.data, seen.len) == 0,
                      "two threads give the one thread's tables");
        buf_free(&seen);
        done(&f);
    }
    buf_free(&first);
}

static void dump_packed(afix *f, thk_buf *seen)
{
    const form_table *all = tab(f, "ALL"), *top = tab(f, "TOP");
    cr_assert_gt(all->nrows, 1000);
    size_t big = 0;
    for (size_t i = 0; i < all->nrows; i++) {
        int64_t rem = form_cell_at(all, i, 4)->v;
        const char *hang = all->texts[i * 5 + 1], *ghi = all->texts[i * 5 + 2];
        cr_assert_str_eq(hang, rem > 30000 ? "lớn" : "nhỏ", "row %zu", i);
        cr_assert_str_eq(ghi, rem > 45000 ? "rất lớn" : "", "row %zu", i);
        cr_assert(form_cell_at(all, i, 2)->empty == (rem <= 45000), "an empty text is null");
        if (i > 0 && strcmp(all->texts[(i - 1) * 5 + 1], hang) == 0)
            cr_assert_geq(form_cell_at(all, i - 1, 4)->v, rem, "remaining desc in a rank");
        big += rem > 45000;
        buf_printf(seen, "%s|%s|%s|%s|%lld\n", all->rows[i].key, hang, ghi,
                   all->texts[i * 5 + 3], (long long)rem);
    }
    cr_assert_gt(big, 0);
    cr_assert_str_eq(all->texts[0 * 5 + 1], "lớn", "the constant \"lớn\" sorts first");
    cr_assert_eq(top->nrows, 15, "5 per unit, 3 units");
    for (size_t i = 0; i < top->nrows; i++)
        buf_printf(seen, "%s|%s|%s\n", top->rows[i].key, top->texts[i * 5 + 1],
                   top->texts[i * 5 + 3]);
}

/* List entries are kept packed while computing (issue 15: L1 keeps most old cases): a text
 * value is its string id, or a rule constant, and a null is a bit. A list that orders by a
 * constant text and shows constants, empty values and money gives the same rows with one
 * thread and two, with a limit and without, and every cell as evaluated. */
Test(agg, packed_list_entries_keep_constants_nulls_and_order)
{
    thk_buf cases = {0}, events = {0};
    many_cases(3 * 4096 + 77, &cases, &events);
    same_on_one_and_two_threads(
        "let hang = if(remaining > 30000, \"lớn\", \"nhỏ\")\n"
        "let ghi = if(remaining > 45000, \"rất lớn\", \"\")\n"
        "list ALL \"all\" { where remaining > 0 order by hang, remaining desc\n"
        "  show ma_viec, hang, ghi, chap_hanh_vien, remaining }\n"
        "list TOP \"top\" { where remaining > 0 order by hang, remaining desc\n"
        "  limit 5 per ma_don_vi show ma_viec, hang, ghi, ma_don_vi, remaining }\n",
        &cases, &events, dump_packed);
    buf_free(&cases);
    buf_free(&events);
}

static void dump_long(afix *f, thk_buf *seen)
{
    const form_table *all = tab(f, "ALL");
    cr_assert_geq(all->nrows, 2 * 8192, "both halves are long lists");
    for (size_t i = 0; i < all->nrows; i++) {
        buf_printf(seen, "%s", all->rows[i].key);
        for (size_t c = 0; c < all->ncols; c++) {
            const form_cell *x = form_cell_at(all, i, c);
            const char *tx = all->texts[i * all->ncols + c];
            buf_printf(seen, "|%s%lld:%s", x->empty ? "-" : "", (long long)x->v,
                       tx ? tx : "(none)");
        }
        buf_putc(seen, '\n');
        if (i > 0) {
            int u = strcmp(all->texts[(i - 1) * all->ncols + 1], all->texts[i * all->ncols + 1]);
            cr_assert_leq(u, 0, "row %zu: ordered by unit", i);
            if (u == 0)
                cr_assert_geq(form_cell_at(all, i - 1, 4)->v, form_cell_at(all, i, 4)->v,
                              "row %zu: remaining desc within a unit", i);
        }
    }
}

/* A list of 8192 rows or more is unpacked, sorted and made into rows in two halves on two
 * threads (issue 15: L1 keeps every case over five years, 0.28 s of one thread at 1M cases).
 * Its table is the one thread's, cell by cell and text by text, across the halves' seam
 * (texts repeated from the row above, a unit's name, are the case at the seam). */
Test(agg, a_long_list_built_on_two_threads_is_the_one_threads_table)
{
    thk_buf cases = {0}, events = {0};
    many_cases(30011, &cases, &events);
    same_on_one_and_two_threads("list ALL \"all\" { where true order by ma_don_vi, remaining desc\n"
                                "  show ma_viec, ten_don_vi, chap_hanh_vien, state, remaining,\n"
                                "       ngay_thu_ly }\n",
                                &cases, &events, dump_long);
    buf_free(&cases);
    buf_free(&events);
}

/* A failed check reaches the caller with its message whichever thread computed the rows. */
Test(agg, a_failed_check_with_two_threads_is_status_5_with_its_message)
{
    thk_buf cases = {0}, events = {0};
    many_cases(2 * 4096 + 10, &cases, &events);
    afix f;
    run_twin = true;
    run(&f,
        "form B \"b\" { rows ma_don_vi total \"T\" column a \"a\" = count() "
        "column b \"b\" = count(new) check a = b }\n",
        cases.data, events.data, NULL, 2026, 12);
    run_twin = false;
    cr_expect_null(f.s);
    cr_expect_eq(f.status, THK_EXIT_CHECK);
    cr_expect(strstr(f.err.data, "biểu B, dòng U0: đẳng thức kiểm tra không đúng") != NULL, "%s",
              f.err.data);
    buf_free(&cases);
    buf_free(&events);
    done(&f);
}

/* Sums that fit in each thread's chunks but not together overflow when the runs are added;
 * an overflow inside the second thread alone stops it too: status 3, naming form, row and
 * column either way. */
Test(agg, an_overflow_with_two_threads_is_status_3_naming_the_form)
{
    for (int alone = 0; alone < 2; alone++) {
        thk_buf cases = {0};
        for (int i = 0; i < 2 * 4096 + 10; i++) {
            /* chunk 0 (cases 0..4095) runs on the first thread, chunk 1 on the second; six
             * times 9e17 fits in int64, twelve do not */
            bool big = alone ? (i >= 4096 && i < 4096 + 11) : (i % 4096 < 6);
            buf_printf(&cases, "T%05d,U1,,,01/11/2025,01/11/2025,,%s\n", i,
                       big ? "900000000000000000" : "0");
        }
        afix f;
        run_twin = true;
        run(&f, "form M \"m\" { rows ma_don_vi column tien \"t\" = sum(O) }\n", cases.data, NULL,
            NULL, 2026, 12);
        run_twin = false;
        cr_expect_null(f.s, "alone=%d", alone);
        cr_expect_eq(f.status, THK_EXIT_INPUT, "alone=%d", alone);
        cr_expect(strstr(f.err.data, "biểu M, dòng U1, cột tien: tổng vượt giới hạn") != NULL,
                  "alone=%d: %s", alone, f.err.data);
        buf_free(&cases);
        done(&f);
    }
}


/* Money shown in thousands (display.h): each unit owes 1.000 đ, has paid 500 and owes 500.
 * Rounded on their own, 1 ≠ 1 + 1; balanced, one of the halves goes down in every row, the
 * identity holds, the total is the sum of the shown rows, and every figure stays within one
 * thousand of its exact value. */
Test(agg, money_shown_in_thousands_adds_up_and_keeps_the_identities)
{
    const char *rules = "workbook { money_scale = 1000 }\n"
                        "form M \"m\" { measure money rows ma_don_vi total \"T\"\n"
                        "  column phai \"a\" = sum(B)\n"
                        "  column thu \"b\" = sum(collected)\n"
                        "  column con \"c\" = sum(remaining)\n"
                        "  column dem \"d\" = count()\n"
                        "  check phai = thu + con }\n";
    const char *cases = "T1,U1,,,01/11/2025,01/11/2025,,1000\n"
                        "T2,U2,,,01/11/2025,01/11/2025,,1000\n"
                        "T3,U3,,,01/11/2025,01/11/2025,,1000\n";
    const char *events = "T1,01/12/2025,Thu tiền,500,\nT2,01/12/2025,Thu tiền,500,\n"
                         "T3,01/12/2025,Thu tiền,500,\n";
    afix f;
    run(&f, rules, cases, events, NULL, 2026, 12);
    const form_table *t = tab(&f, "M");
    cr_assert_not_null(t->shown);
    cr_assert_eq(f.s->display_unbalanced, 0);
    int64_t sum[3] = {0, 0, 0};
    for (size_t r = 0; r < t->nrows; r++) {
        const form_cell *v = t->shown + r * t->ncols, *x = t->cells + r * t->ncols;
        cr_expect_eq(v[0].v, v[1].v + v[2].v, "row %s: %lld != %lld + %lld", t->rows[r].key,
                     (long long)v[0].v, (long long)v[1].v, (long long)v[2].v);
        cr_expect_eq(v[3].v, x[3].v, "counts are shown exact");
        if (t->rows[r].kind == FORM_ROW_DATA) {
            for (int c = 0; c < 3; c++) {
                int64_t err = v[c].v * 1000 - x[c].v;
                cr_expect(err > -1000 && err < 1000, "within one unit: %lld", (long long)err);
                sum[c] += v[c].v;
            }
        } else {
            for (int c = 0; c < 3; c++)
                cr_expect_eq(v[c].v, sum[c], "the total is the sum of the shown rows");
        }
    }
    /* rounded on their own the rows would say 1 = 1 + 1 */
    cr_expect_eq(money_scale(500, 1000) * 2, 2);
    done(&f);
}

/* A list shows an enum value by the rules' label for it; a form's rows by an enum too. */
Test(agg, lists_and_rows_show_enum_values_by_their_labels)
{
    const char *rules = "labels state { dang_thi_hanh \"Đang thi hành\" }\n"
                        "form F \"f\" { rows state total \"T\" column n \"n\" = count() }\n"
                        "list L \"l\" { where true order by ma_viec show ma_viec \"Mã\", "
                        "state \"Tình trạng\" }\n";
    afix f;
    run(&f, rules, "T1,U1,,,01/11/2025,01/11/2025,,100\n", NULL, NULL, 2026, 12);
    const form_table *l = tab(&f, "L");
    cr_assert_eq(l->nrows, 1);
    cr_expect_str_eq(l->texts[1], "Đang thi hành");
    const form_table *t = tab(&f, "F");
    cr_expect_str_eq(t->rows[0].key, "dang_thi_hanh", "keys stay codes");
    cr_expect_str_eq(t->rows[0].labels[0], "Đang thi hành");
    done(&f);
}

/* Last year's replay evaluates only the lets forms with prior() read (rule_set.prior_lets): a
 * let reached through another let, only from a prior aggregate, must still be evaluated there.
 * C1 closed (xong) on 01/06/2025: last year's window 01/10/2024–30/09/2025 counts it through
 * xong_nam -> da_xong; this year it is out of scope (closed before S). A let used only this
 * year (mo) is not needed last year and the figures do not change. */
Test(agg, prior_figures_read_lets_through_other_lets)
{
    const char *text =
        "version \"t\"\n"
        "map su_kien {\n  xong = /xong/i\n  khac = /.*/\n}\n"
        "let da_xong = state = xong\n"
        "let xong_nam = da_xong and not carried\n"
        "let mo = state = dang_thi_hanh\n"
        "form F \"F\" {\n  rows ma_don_vi\n"
        "  column truoc \"Năm trước\" = prior(count(xong_nam))\n"
        "  column nay \"Năm nay\" = count(mo)\n}\n"
        "test \"prior\" {\n  period 12 thang 2026\n"
        "  case ma_viec=C1 ma_don_vi=U ngay_thu_ly=01/11/2024 ngay_quyet_dinh=01/11/2024 "
        "so_tien_phai_thi_hanh=1\n"
        "  event C1 01/06/2025 \"Thi hành xong\"\n"
        "  case ma_viec=C2 ma_don_vi=U ngay_thu_ly=01/11/2025 ngay_quyet_dinh=01/11/2025 "
        "so_tien_phai_thi_hanh=1\n"
        "  expect F[U].truoc = 1, F[U].nay = 1\n}\n";
    thk_buf diag = {0}, why = {0};
    rule_set *rs = rule_set_load_text("t.rules", text, &diag);
    cr_assert_not_null(rs, "%s", diag.data ? diag.data : "");
    cr_expect(rule_test_run(rs, 0, &why), "%s", why.data ? why.data : "");
    rule_set_free(rs);
    buf_free(&diag);
    buf_free(&why);
}
