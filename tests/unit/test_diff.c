/* test_diff — diff of two hand-made run folders: changed cells, the cases behind them, exit codes. */
#include <criterion/criterion.h>

#include "diff.h"
#include "run_fixture.h"
#include "testutil.h"

/* Locals freed when they go out of scope (a GCC/Clang extension), so ASan sees no leaks. */
static void td_free(char **p)
{
    free(*p);
}
#define AUTO_STR __attribute__((cleanup(td_free))) char *
#define AUTO_BUF __attribute__((cleanup(buf_free))) thk_buf

#define CASES_HEADER                                                                              \
    "ma_viec,ma_don_vi,carried,new,state,terminal_date,B,collected,reduced,remaining,flags\n"
#define CASES_HEADER_LV                                                                           \
    "ma_viec,ma_don_vi,carried,new,state,terminal_date,B,collected,reduced,remaining,flags,"     \
    "loai_an\n"

/* A run folder holding cells.csv and, when given, cases.csv, computed (its manifest says) by
 * tests/data/diff/diff.rules for the 12 months of 2026. */
static char *td_run(const char *cells, const char *cases)
{
    char *d = tu_tempdir();
    cr_assert_not_null(d);
    free(tu_write_str(d, "cells.csv", cells));
    if (cases)
        free(tu_write_str(d, "cases.csv", cases));
    thk_buf rules = {0}, m = {0};
    buf_printf(&rules, "%s/tests/data/diff/diff.rules", tu_root());
    manifest_rule rule = {.path = rules.data, .version = "diff test rules 1"};
    cr_assert_eq(sha256_file(rules.data, rule.sha256, NULL, NULL), 0);
    manifest_info mi = {.tool_version = THK_VERSION, .rules = &rule, .nrules = 1};
    cr_assert(period_months(2026, 12, 1, 10, &mi.per));
    manifest_render(&mi, &m);
    free(tu_write(d, "manifest.json", m.data, m.len));
    buf_free(&m);
    buf_free(&rules);
    rf_seal(d);
    return d;
}

/* Runs diff_runs and returns its output (malloc'd) and code. */
static char *td_diff(const char *a, const char *b, diff_opts o, int *rc, thk_buf *err)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert_not_null(f);
    *rc = diff_runs(a, b, &o, f, err);
    fclose(f);
    return text;
}

static const char *base_cells = "form,row,column,value\n"
                                "B01,GL-KV01,thu_ly,3\n"
                                "B01,GL-KV01,xong,1\n"
                                "B01,GL-KV01,ty_le,50.00\n"
                                "B01,*,thu_ly,3\n"
                                "B01,*,xong,1\n"
                                "B01,*,ty_le,50.00\n";

static const char *base_cases = CASES_HEADER
    "V1,GL-KV01,1,0,xong,2026-01-05,100,100,0,0,\n"
    "V2,GL-KV01,0,1,dang_thi_hanh,,200,0,0,200,tin_dung\n"
    "V3,GL-KV01,0,1,chua_co_dk,,300,0,0,300,\n";

Test(diff, identical_runs_exit_0_and_print_nothing)
{
    AUTO_STR a = td_run(base_cells, base_cases), *b = td_run(base_cells, base_cases);
    int rc;
    AUTO_BUF err = {0};
    AUTO_STR out = td_diff(a, b, (diff_opts){0}, &rc, &err);
    cr_assert_eq(rc, 0);
    cr_assert_str_empty(out);
}

Test(diff, a_changed_count_cell_lists_the_case_that_entered_it)
{
    const char *nc = "form,row,column,value\n"
                     "B01,GL-KV01,thu_ly,3\n"
                     "B01,GL-KV01,xong,2\n"
                     "B01,GL-KV01,ty_le,50.00\n"
                     "B01,*,thu_ly,3\n"
                     "B01,*,xong,2\n"
                     "B01,*,ty_le,50.00\n";
    const char *ncases = CASES_HEADER
        "V1,GL-KV01,1,0,xong,2026-01-05,100,100,0,0,\n"
        "V2,GL-KV01,0,1,xong,2026-03-01,200,200,0,0,tin_dung\n"
        "V3,GL-KV01,0,1,chua_co_dk,,300,0,0,300,\n";
    AUTO_STR a = td_run(base_cells, base_cases), *b = td_run(nc, ncases);
    int rc;
    AUTO_BUF err = {0};
    AUTO_STR out = td_diff(a, b, (diff_opts){0}, &rc, &err);
    cr_assert_eq(rc, 1);
    cr_assert(strstr(out, "form\trow\tcolumn\told\tnew\tchange\n"
                          "B01\tGL-KV01\txong\t1\t2\t+1\n"
                          "B01\t*\txong\t1\t2\t+1\n"),
              "%s", out);
    cr_assert(strstr(out, "B01[GL-KV01].xong: 1 → 2 (+1)\n"
                          "  + V2 (state xong) [state dang_thi_hanh→xong, terminal_date -→"
                          "2026-03-01, collected 0→200, remaining 200→0]\n"),
              "%s", out);
    cr_assert(strstr(out, "B01[*].xong: 1 → 2 (+1)\n  + V2 (state xong)"), "%s", out);
    cr_assert_null(strstr(out, "V1"), "an unchanged case is never listed: %s", out);
    cr_assert(strstr(out, "# 2 ô thay đổi; 1 việc khác nhau"), "%s", out);
}

Test(diff, a_case_moving_between_states_leaves_one_cell_and_enters_the_other)
{
    const char *oc = "form,row,column,value\nB01,GL-KV01,xong,1\nB01,GL-KV01,dinh_chi,0\n";
    const char *nc = "form,row,column,value\nB01,GL-KV01,xong,0\nB01,GL-KV01,dinh_chi,1\n";
    const char *ocases = CASES_HEADER "V1,GL-KV01,1,0,xong,2026-01-05,100,100,0,0,\n";
    const char *ncases = CASES_HEADER "V1,GL-KV01,1,0,dinh_chi,2026-01-05,100,100,0,0,\n";
    AUTO_STR a = td_run(oc, ocases), *b = td_run(nc, ncases);
    int rc;
    AUTO_BUF err = {0};
    AUTO_STR out = td_diff(a, b, (diff_opts){0}, &rc, &err);
    cr_assert_eq(rc, 1);
    cr_assert(strstr(out, "B01[GL-KV01].xong: 1 → 0 (-1)\n"
                          "  - V1 (state xong) [state xong→dinh_chi]\n"),
              "%s", out);
    cr_assert(strstr(out, "B01[GL-KV01].dinh_chi: 0 → 1 (+1)\n"
                          "  + V1 (state dinh_chi) [state xong→dinh_chi]\n"),
              "%s", out);
}

Test(diff, a_rate_change_is_shown_with_two_decimals)
{
    const char *oc = "form,row,column,value\nB01,GL-KV01,ty_le,50.00\nB01,*,ty_le,\n";
    const char *nc = "form,row,column,value\nB01,GL-KV01,ty_le,66.67\nB01,*,ty_le,10.00\n";
    AUTO_STR a = td_run(oc, base_cases), *b = td_run(nc, base_cases);
    int rc;
    AUTO_BUF err = {0};
    AUTO_STR out = td_diff(a, b, (diff_opts){0}, &rc, &err);
    cr_assert_eq(rc, 1);
    cr_assert(strstr(out, "B01\tGL-KV01\tty_le\t50.00\t66.67\t+16.67\n"), "%s", out);
    cr_assert(strstr(out, "B01\t*\tty_le\t\t10.00\t\n"), "empty rate: no change: %s", out);
    free(out);
    out = td_diff(b, a, (diff_opts){0}, &rc, &err);
    cr_assert(strstr(out, "B01\tGL-KV01\tty_le\t66.67\t50.00\t-16.67\n"), "%s", out);
}

Test(diff, cells_in_only_one_run_are_listed_new_first_then_old_only)
{
    const char *oc = "form,row,column,value\nB01,GL-KV01,thu_ly,3\nB01,GL-KV09,thu_ly,4\n";
    const char *nc = "form,row,column,value\nB01,GL-KV01,thu_ly,3\nB01,GL-KV02,thu_ly,5\n";
    const char *ncases = CASES_HEADER "V1,GL-KV02,1,0,xong,,1,1,0,0,\n";
    const char *ocases = CASES_HEADER "V9,GL-KV09,1,0,xong,,1,1,0,0,\n";
    AUTO_STR a = td_run(oc, ocases), *b = td_run(nc, ncases);
    int rc;
    AUTO_BUF err = {0};
    AUTO_STR out = td_diff(a, b, (diff_opts){0}, &rc, &err);
    cr_assert_eq(rc, 1);
    cr_assert(strstr(out, "change\nB01\tGL-KV02\tthu_ly\t-\t5\t\nB01\tGL-KV09\tthu_ly\t4\t-\t\n"),
              "%s", out);
    cr_assert(strstr(out, "  + V1 (state xong) [chỉ ở lần chạy mới]\n"), "%s",
              out);
    cr_assert(strstr(out, "  - V9 (state xong) [chỉ ở lần chạy cũ]\n"), "%s",
              out);
}

Test(diff, money_cells_list_the_cases_whose_money_changed)
{
    const char *oc = "form,row,column,value\nB02,GL-KV01,xong,100\n";
    const char *nc = "form,row,column,value\nB02,GL-KV01,xong,150\n";
    const char *ocases = CASES_HEADER "V1,GL-KV01,1,0,dang_thi_hanh,,200,100,0,100,\n"
                                      "V2,GL-KV01,1,0,dang_thi_hanh,,50,0,0,50,\n";
    const char *ncases = CASES_HEADER "V1,GL-KV01,1,0,dang_thi_hanh,,200,150,0,50,\n"
                                      "V2,GL-KV01,1,0,dang_thi_hanh,,50,0,0,50,\n";
    AUTO_STR a = td_run(oc, ocases), *b = td_run(nc, ncases);
    int rc;
    AUTO_BUF err = {0};
    AUTO_STR out = td_diff(a, b, (diff_opts){0}, &rc, &err);
    cr_assert_eq(rc, 1);
    cr_assert(strstr(out, "B02[GL-KV01].xong: 100 → 150 (+50)\n"
                          "  ~ V1 collected 100→150, remaining 100→50\n"),
              "%s", out);
    cr_assert_null(strstr(out, "V2"), "%s", out);
}

Test(diff, a_column_named_after_a_flag_uses_that_flag)
{
    const char *oc = "form,row,column,value\nB04,GL-KV01,qua_5_nam,0\n";
    const char *nc = "form,row,column,value\nB04,GL-KV01,qua_5_nam,1\n";
    const char *ocases = CASES_HEADER "V1,GL-KV01,1,0,dang_thi_hanh,,1,0,0,1,tin_dung\n"
                                      "V2,GL-KV01,1,0,dang_thi_hanh,,1,0,0,1,\n";
    const char *ncases = CASES_HEADER "V1,GL-KV01,1,0,dang_thi_hanh,,1,0,0,1,tin_dung;qua_5_nam\n"
                                      "V2,GL-KV01,1,0,dang_thi_hanh,,1,0,0,1,lon\n";
    AUTO_STR a = td_run(oc, ocases), *b = td_run(nc, ncases);
    int rc;
    AUTO_BUF err = {0};
    AUTO_STR out = td_diff(a, b, (diff_opts){0}, &rc, &err);
    cr_assert_eq(rc, 1);
    cr_assert(strstr(out, "  + V1 (state dang_thi_hanh) [flags tin_dung→tin_dung;qua_5_nam]\n"),
              "%s", out);
    cr_assert_null(strstr(out, "V2"), "V2 did not gain the flag: %s", out);
}

Test(diff, a_column_reading_what_cases_csv_does_not_publish_names_no_case)
{
    const char *oc = "form,row,column,value\nTH,GL-KV01,ghi_chu,1\nB09,GL-KV01,x,1\n";
    const char *nc = "form,row,column,value\nTH,GL-KV01,ghi_chu,2\nB09,GL-KV01,x,2\n";
    const char *ocases = CASES_HEADER "V1,GL-KV01,1,0,dang_thi_hanh,,1,0,0,1,\n";
    const char *ncases = CASES_HEADER "V1,GL-KV01,1,0,khac,,1,0,0,1,\n";
    AUTO_STR a = td_run(oc, ocases), *b = td_run(nc, ncases);
    int rc;
    AUTO_BUF err = {0};
    AUTO_STR out = td_diff(a, b, (diff_opts){0}, &rc, &err);
    cr_assert_eq(rc, 1);
    cr_assert(strstr(out, "TH[GL-KV01].ghi_chu: 1 → 2 (+1)\n  (không lần được việc: cột này đọc "
                          "một dữ kiện của việc mà cases.csv không ghi"),
              "%s", out);
    cr_assert(strstr(out, "B09[GL-KV01].x: 1 → 2 (+1)\n  (không lần được việc: quy tắc của lần "
                          "chạy không có cột này"),
              "%s", out);
    cr_assert_null(strstr(out, "V1"), "%s", out);
}

Test(diff, limit_caps_cells_and_cases)
{
    const char *oc = "form,row,column,value\nB01,*,thu_ly,0\nB01,*,moi,0\nB01,*,xong,0\n";
    const char *nc = "form,row,column,value\nB01,*,thu_ly,3\nB01,*,moi,3\nB01,*,xong,0\n";
    const char *ncases = CASES_HEADER "A1,X,0,1,khac,,1,0,0,1,\nA2,X,0,1,khac,,1,0,0,1,\n"
                                      "A3,Y,0,1,khac,,1,0,0,1,\n";
    AUTO_STR a = td_run(oc, CASES_HEADER), *b = td_run(nc, ncases);
    int rc;
    AUTO_BUF err = {0};
    AUTO_STR out = td_diff(a, b, (diff_opts){.limit = 1}, &rc, &err);
    cr_assert_eq(rc, 1);
    cr_assert(strstr(out, "B01\t*\tthu_ly\t0\t3\t+3\n… và 1 ô khác\n"), "%s",
              out);
    cr_assert(strstr(out, "  + A1 (state khac) [chỉ ở lần chạy mới]\n"
                          "  … và 2 việc khác\n"),
              "%s", out);
    cr_assert_null(strstr(out, "B01[*].moi"), "%s", out);
}

Test(diff, quiet_prints_nothing_and_does_not_need_cases)
{
    AUTO_STR a = td_run(base_cells, NULL);
    AUTO_STR b = td_run("form,row,column,value\nB01,*,thu_ly,4\n", NULL);
    int rc;
    AUTO_BUF err = {0};
    AUTO_STR out = td_diff(a, b, (diff_opts){.quiet = true}, &rc, &err);
    cr_assert_eq(rc, 1);
    cr_assert_str_empty(out);
}

Test(diff, a_missing_folder_or_file_exits_3_naming_it)
{
    AUTO_STR a = td_run(base_cells, base_cases);
    int rc;
    AUTO_BUF err = {0};
    AUTO_STR out = td_diff(a, "/nonexistent/run", (diff_opts){0}, &rc, &err);
    cr_assert_eq(rc, 3);
    cr_assert(strstr(err.data, "/nonexistent/run"), "%s", err.data);
    cr_assert_str_empty(out);
    free(out);

    AUTO_STR b = tu_tempdir();
    buf_clear(&err);
    out = td_diff(a, b, (diff_opts){0}, &rc, &err);
    cr_assert_eq(rc, 3, "a folder without manifest.json is not a run");
    cr_assert(strstr(err.data, "manifest.json"), "%s", err.data);
    free(out);

    /* cells differ but NEW has no cases.csv: the cells are listed, the missing drill-down said */
    free(b);
    b = td_run("form,row,column,value\nB01,*,thu_ly,4\n", NULL);
    buf_clear(&err);
    out = td_diff(a, b, (diff_opts){0}, &rc, &err);
    cr_assert_eq(rc, 1);
    cr_assert(strstr(out, "cases.csv"), "%s", out);
    buf_free(&err);
}

Test(diff, equal_cells_without_cases_do_not_claim_identity)
{
    AUTO_STR a = td_run(base_cells, base_cases), *b = td_run(base_cells, NULL);
    int rc;
    AUTO_BUF err = {0};
    AUTO_STR out = td_diff(a, b, (diff_opts){0}, &rc, &err);
    cr_assert_eq(rc, 1, "identity not established is not 'identical'");
    cr_assert(strstr(out, "cases.csv") && strstr(out, b), "%s", out);
}

Test(diff, equal_cells_with_different_cases_are_different)
{
    const char *moved = CASES_HEADER "V1,GL-KV01,1,0,xong,2026-01-05,100,100,0,0,\n"
                                     "V2,GL-KV01,0,1,dang_thi_hanh,,200,0,0,200,tin_dung\n"
                                     "V4,GL-KV01,0,1,chua_co_dk,,300,0,0,300,\n";
    AUTO_STR a = td_run(base_cells, base_cases), *b = td_run(base_cells, moved);
    int rc;
    AUTO_BUF err = {0};
    AUTO_STR out = td_diff(a, b, (diff_opts){0}, &rc, &err);
    cr_assert_eq(rc, 1);
    cr_assert(strstr(out, "cases.csv"), "%s", out);
}

Test(diff, a_forged_cells_file_is_refused)
{
    AUTO_STR a = td_run(base_cells, base_cases), *b = td_run(base_cells, base_cases);
    free(tu_write_str(b, "cells.csv", "form,row,column,value\nB01,*,thu_ly,999\n"));
    int rc;
    AUTO_BUF err = {0};
    free(td_diff(a, b, (diff_opts){0}, &rc, &err));
    cr_assert_eq(rc, 3);
    cr_assert(strstr(err.data, "cells.csv") && strstr(err.data, "SHA-256"), "%s", err.data);
}

Test(diff, a_bad_header_or_duplicate_cell_is_an_input_error)
{
    AUTO_STR a = td_run(base_cells, base_cases);
    AUTO_STR b = td_run("form,row,col,value\nB01,*,thu_ly,4\n", base_cases);
    int rc;
    AUTO_BUF err = {0};
    AUTO_STR out = td_diff(a, b, (diff_opts){0}, &rc, &err);
    cr_assert_eq(rc, 3);
    cr_assert(strstr(err.data, "form,row,column,value"), "%s", err.data);
    free(out);
    free(b);
    b = td_run("form,row,column,value\nB01,*,thu_ly,4\nB01,*,thu_ly,5\n", base_cases);
    buf_clear(&err);
    out = td_diff(a, b, (diff_opts){0}, &rc, &err);
    cr_assert_eq(rc, 3);
    cr_assert(strstr(err.data, "B01[*].thu_ly"), "%s", err.data);
    buf_free(&err);
}

Test(diff, values_parse_as_integers_or_rates)
{
    int64_t v;
    cr_assert(diff_value_int("-42", &v) && v == -42);
    cr_assert(diff_value_int("900000000000000000", &v) && v == 900000000000000000LL);
    cr_assert(!diff_value_int("", &v));
    cr_assert(!diff_value_int("1.00", &v));
    cr_assert(!diff_value_int("99999999999999999999", &v));
    cr_assert(diff_value_rate("83.88", &v) && v == 8388);
    cr_assert(diff_value_rate("-0.50", &v) && v == -50);
    cr_assert(!diff_value_rate("83.8", &v));
    cr_assert(!diff_value_rate("", &v));
    cr_assert(!diff_value_rate("83", &v));
}

Test(diff, main_returns_usage_and_help_codes)
{
    char *help[] = {"diff", "--help", NULL};
    cr_assert_eq(diff_main(2, help), 0);
    char *one[] = {"diff", "/tmp", NULL};
    cr_assert_eq(diff_main(2, one), 2, "usage errors are 2: 1 means different");
    char *bad[] = {"diff", "--limit", "x", "/a", "/b", NULL};
    cr_assert_eq(diff_main(5, bad), 2);
    char *unknown[] = {"diff", "--nope", "/a", "/b", NULL};
    cr_assert_eq(diff_main(4, unknown), 2);
    AUTO_STR a = td_run(base_cells, base_cases), *b = td_run(base_cells, base_cases);
    char *same[] = {"diff", a, b, "--quiet", NULL};
    cr_assert_eq(diff_main(4, same), 0);
    char *missing[] = {"diff", a, "/nonexistent/x", NULL};
    cr_assert_eq(diff_main(3, missing), 3);
}

Test(diff, b05_cells_only_count_the_cases_of_its_flag)
{
    const char *oc = "form,row,column,value\nB05,GL-KV01,thu_ly,1\n";
    const char *nc = "form,row,column,value\nB05,GL-KV01,thu_ly,2\n";
    const char *ocases = CASES_HEADER "V1,GL-KV01,1,0,khac,,1,0,0,1,tin_dung\n"
                                      "V2,GL-KV01,1,0,khac,,1,0,0,1,\n"
                                      "V3,GL-KV01,1,0,khac,,1,0,0,1,\n";
    const char *ncases = CASES_HEADER "V1,GL-KV01,1,0,khac,,1,0,0,1,tin_dung\n"
                                      "V2,GL-KV01,1,0,khac,,1,0,0,1,tin_dung\n"
                                      "V3,GL-KV01,1,0,xong,,1,1,0,0,\n";
    AUTO_STR a = td_run(oc, ocases), *b = td_run(nc, ncases);
    int rc;
    AUTO_BUF err = {0};
    AUTO_STR out = td_diff(a, b, (diff_opts){0}, &rc, &err);
    cr_assert_eq(rc, 1);
    cr_assert(strstr(out, "B05[GL-KV01].thu_ly: 1 → 2 (+1)\n"
                          "  + V2 (state khac) [flags -→tin_dung]\n\n"),
              "%s", out);
    cr_assert_null(strstr(out, "V3"), "V3 is not a credit case: %s", out);
}

/* Rows by another key than the unit: the key is a column of cases.csv (the rules' row keys);
 * a run whose cases.csv lacks it cannot name the cases. */
Test(diff, rows_by_another_key_are_traced_through_its_cases_csv_column)
{
    const char *oc = "form,row,column,value\nB01_LV,dan_su,thu_ly,1\nB01_LV,khac,thu_ly,1\n";
    const char *nc = "form,row,column,value\nB01_LV,dan_su,thu_ly,2\nB01_LV,khac,thu_ly,0\n";
    const char *ocases = CASES_HEADER_LV "V1,GL-KV01,1,0,khac,,1,0,0,1,,dan_su\n"
                                         "V2,GL-KV01,1,0,khac,,1,0,0,1,,khac\n";
    const char *ncases = CASES_HEADER_LV "V1,GL-KV01,1,0,khac,,1,0,0,1,,dan_su\n"
                                         "V2,GL-KV01,1,0,khac,,1,0,0,1,,dan_su\n";
    AUTO_STR a = td_run(oc, ocases), *b = td_run(nc, ncases);
    int rc;
    AUTO_BUF err = {0};
    AUTO_STR out = td_diff(a, b, (diff_opts){0}, &rc, &err);
    cr_assert_eq(rc, 1);
    cr_assert(strstr(out, "B01_LV[dan_su].thu_ly: 1 → 2 (+1)\n  + V2 (state khac) [loai_an "
                          "khac→dan_su]\n\n"),
              "%s", out);
    cr_assert(strstr(out, "B01_LV[khac].thu_ly: 1 → 0 (-1)\n  - V2 (state khac)"), "%s", out);
    /* without the column */
    AUTO_STR c = td_run(oc, CASES_HEADER "V1,GL-KV01,1,0,khac,,1,0,0,1,\n");
    free(out);
    out = td_diff(c, b, (diff_opts){0}, &rc, &err);
    cr_assert(strstr(out, "B01_LV[dan_su].thu_ly: 1 → 2 (+1)\n  (không lần được việc: cases.csv "
                          "của lần chạy không ghi khóa dòng của biểu này"),
              "%s", out);
}

/* --csv: one line per (cell, case) for machines, and a line with no case for a cell whose
 * cases cannot be named. */
Test(diff, csv_lists_each_cell_and_case_for_machines)
{
    const char *oc = "form,row,column,value\nB01,GL-KV01,xong,1\nB01,GL-KV01,dinh_chi,0\n"
                     "B01_LV,dan_su,thu_ly,1\n";
    const char *nc = "form,row,column,value\nB01,GL-KV01,xong,0\nB01,GL-KV01,dinh_chi,1\n"
                     "B01_LV,dan_su,thu_ly,2\n";
    const char *ocases = CASES_HEADER "V1,GL-KV01,1,0,xong,2026-01-05,100,100,0,0,\n";
    const char *ncases = CASES_HEADER "V1,GL-KV01,1,0,dinh_chi,2026-01-05,100,100,0,0,\n";
    AUTO_STR a = td_run(oc, ocases), *b = td_run(nc, ncases);
    int rc;
    AUTO_BUF err = {0};
    AUTO_STR out = td_diff(a, b, (diff_opts){.csv = true}, &rc, &err);
    cr_assert_eq(rc, 1);
    cr_assert_str_eq(out, "form,row,column,ma_viec,movement\n"
                          "B01,GL-KV01,xong,V1,-\n"
                          "B01,GL-KV01,dinh_chi,V1,+\n"
                          "B01_LV,dan_su,thu_ly,,\n");
}
