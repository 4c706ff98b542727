/* test_rule_limits — hostile rule files (issue "Hardening" 13, 14): chains of 20,000 operands
 * and lets nested 2,000 deep are refused with a located message (exit 2), never a crash; wide
 * files (20,000 lets, an in() of 100,000 items, a 300 kB line) compile, and a diagnostic on a
 * long line shows a window around the error, not the whole line. Timings are in
 * tests/tools/bench_rules.sh, not here. */
#include <criterion/criterion.h>

#include "testutil.h"
#include "rule_compile.h"

#include <stdio.h>
#include <string.h>

/* n operands joined by op: "state = xong OP state = xong OP ..." (or "1 + 1 + ..."). */
static void lim_chain(thk_buf *b, const char *operand, const char *op, size_t n)
{
    for (size_t i = 0; i < n; i++)
        buf_printf(b, "%s%s", i ? op : "", operand);
}

/* Compiles `version "x"` then the rule text in *body (freed here); returns the diagnostics
 * (caller frees) and whether it compiled, keeping the rule set in *keep when asked. */
static char *lim_compile(thk_buf *body, bool *ok, rule_set **keep)
{
    thk_buf text = {0}, diag = {0};
    buf_printf(&text, "version \"x\"\n%s", body->data ? body->data : "");
    buf_free(body);
    rule_set *rs = rule_set_load_text("t.rules", text.data, &diag);
    buf_free(&text);
    *ok = rs != NULL;
    if (keep)
        *keep = rs;
    else
        rule_set_free(rs);
    buf_append(&diag, "", 0);
    return diag.data;
}

Test(rule_limits, a_chain_of_20000_and_operands_is_refused_at_its_start)
{
    thk_buf b = {0};
    buf_printf(&b, "let a = ");
    lim_chain(&b, "state = xong", " and ", 20000);
    buf_printf(&b, "\n");
    bool ok;
    char *d = lim_compile(&b, &ok, NULL);
    cr_assert_not(ok);
    cr_assert(strstr(d, "t.rules:2:9: lỗi: biểu thức quá dài: hơn 1000 phép toán"),
              "%.500s", d);
    /* the excerpt is a window around the start, not the 300 kB line */
    cr_assert_lt(strlen(d), 1000, "diagnostic of %zu bytes", strlen(d));
    free(d);
}

Test(rule_limits, chains_of_or_and_plus_are_refused_too)
{
    const char *shapes[][2] = {{"state = xong", " or "}, {"1", " + "}, {"2", " - "}};
    for (size_t k = 0; k < 3; k++) {
        thk_buf b = {0};
        buf_printf(&b, "let x = 0\nlet a = ");
        lim_chain(&b, shapes[k][0], shapes[k][1], 20000);
        buf_printf(&b, "\n");
        bool ok;
        char *d = lim_compile(&b, &ok, NULL);
        cr_assert_not(ok, "%s chain compiled", shapes[k][1]);
        cr_assert(strstr(d, "t.rules:3:9: lỗi: biểu thức quá dài"), "%.400s", d);
        free(d);
    }
}

Test(rule_limits, a_chain_just_under_the_limit_compiles)
{
    thk_buf b = {0};
    buf_printf(&b, "let a = ");
    lim_chain(&b, "state = xong", " or ", 900);
    buf_printf(&b, "\n");
    bool ok;
    char *d = lim_compile(&b, &ok, NULL);
    cr_assert(ok, "%.400s", d);
    free(d);
}

Test(rule_limits, lets_nested_2000_deep_are_refused_naming_the_outer_let)
{
    thk_buf b = {0};
    buf_printf(&b, "let l0 = state = xong\n");
    for (int i = 1; i < 2000; i++)
        buf_printf(&b, "let l%d = l%d or state = xong\n", i, i - 1);
    buf_printf(&b, "form F \"f\" {\n  source cases\n  measure count\n"
                   "  rows ma_don_vi header \"Đơn vị\" total \"Tổng\"\n"
                   "  column a \"a\" = count(l1999)\n}\n");
    bool ok;
    char *d = lim_compile(&b, &ok, NULL);
    cr_assert_not(ok);
    cr_assert(strstr(d, "lỗi: biểu thức lồng quá sâu: hơn 1000 tầng") &&
                  strstr(d, "qua let 'l1999'"),
              "%.600s", d);
    free(d);
}

Test(rule_limits, twenty_thousand_lets_and_a_wide_in_compile)
{
    thk_buf b = {0};
    for (int i = 0; i < 20000; i++)
        buf_printf(&b, "let l%d = state = xong or new\n", i);
    buf_printf(&b, "let many = ma_viec in (");
    for (int i = 0; i < 100000; i++)
        buf_printf(&b, "%s\"v%d\"", i ? ", " : "", i);
    buf_printf(&b, ")\nform F \"f\" {\n  source cases\n  measure count\n"
                   "  rows ma_don_vi header \"Đơn vị\" total \"Tổng\"\n"
                   "  column a \"a\" = count(l19999 and many)\n"
                   "  column b \"b\" = count(l0)\n}\n");
    bool ok;
    rule_set *rs = NULL;
    char *d = lim_compile(&b, &ok, &rs);
    cr_assert(ok, "%.600s", d);
    cr_assert_eq(rs->nlets, 20001);
    rule_set_free(rs);
    free(d);
}

Test(rule_limits, an_unknown_name_late_on_a_long_line_is_shown_in_a_window)
{
    thk_buf b = {0};
    buf_printf(&b, "let a = ma_viec in (");
    for (int i = 0; i < 30000; i++)
        buf_printf(&b, "\"v%d\", ", i);
    buf_printf(&b, "\"last\") and khong_co\n");
    bool ok;
    char *d = lim_compile(&b, &ok, NULL);
    cr_assert_not(ok);
    cr_assert(strstr(d, "tên không có: 'khong_co'"), "%.600s", d);
    /* "...", some context, the name; the caret line lines up under it */
    const char *ex = strchr(d, '\n');
    cr_assert_not_null(ex);
    cr_assert(strncmp(ex + 1, "...", 3) == 0, "%.600s", d);
    const char *nl = strchr(ex + 1, '\n');
    cr_assert_not_null(nl);
    const char *name = strstr(ex + 1, "khong_co");
    const char *caret = strchr(nl + 1, '^');
    cr_assert(name && caret && name < nl);
    cr_assert_eq(caret - (nl + 1), name - (ex + 1), "caret not under the name:\n%s", ex + 1);
    cr_assert_lt(strlen(d), 1000);
    free(d);
}

/* The binary: exit 2 and a located message for the chain, no signal. */
Test(rule_limits, thongke_check_exits_2_on_a_20000_operand_chain)
{
    char *dir = tu_tempdir();
    thk_buf b = {0};
    buf_printf(&b, "version \"x\"\nlet a = ");
    lim_chain(&b, "new", " and ", 20000);
    buf_printf(&b, "\n");
    char *path = tu_write(dir, "chain.rules", b.data, b.len);
    char err[4200];
    snprintf(err, sizeof err, "%s/err", dir);
    char *argv[] = {(char *)tu_bin(), "check", path, NULL};
    cr_assert_eq(tu_run(argv, NULL, err, NULL), 2);
    char *e = tu_read(err, NULL);
    cr_assert(e && strstr(e, "chain.rules:2:9: lỗi: biểu thức quá dài"), "%.400s", e);
    free(e);
    free(path);
    free(dir);
    buf_free(&b);
}

/* Evaluated on every case of the sample: a 900-operand chain and lets 300 deep give the same
 * count as the plain expression (check a = b holds, exit 0), under the sanitizers' stacks too. */
Test(rule_limits, deep_but_legal_expressions_evaluate_on_the_sample)
{
    char *dir = tu_tempdir();
    char maps[4200];
    snprintf(maps, sizeof maps, "%s/rules/thads-maps.rules", tu_root());
    size_t mlen = 0;
    char *mtext = tu_read(maps, &mlen);
    cr_assert_not_null(mtext);
    free(tu_write(dir, "thads-maps.rules", mtext, mlen));
    free(mtext);
    thk_buf b = {0};
    buf_printf(&b, "version \"x\"\ninclude \"thads-maps.rules\"\nlet deep = ");
    lim_chain(&b, "state = xong", " or ", 900);
    buf_printf(&b, "\nlet l0 = state = xong\n");
    for (int i = 1; i < 300; i++)
        buf_printf(&b, "let l%d = l%d or state = xong\n", i, i - 1);
    buf_printf(&b, "form F \"f\" {\n  source cases\n  measure count\n"
                   "  rows ma_don_vi header \"Đơn vị\" total \"Tổng\"\n"
                   "  column a \"a\" = count(deep)\n"
                   "  column b \"b\" = count(state = xong)\n"
                   "  column c \"c\" = count(l299)\n"
                   "  check a = b\n  check c = b\n}\n");
    char *rules = tu_write(dir, "deep.rules", b.data, b.len);
    char in[4200], out[4200], err[4200];
    snprintf(in, sizeof in, "%s/input/sample", tu_root());
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(err, sizeof err, "%s/err", dir);
    char *argv[] = {(char *)tu_bin(), "report", "--year", "2026", "--months", "12",
                    "--rules", rules, "--input", in, "--out", out, NULL};
    int rc = tu_run(argv, NULL, err, NULL);
    char *e = tu_read(err, NULL);
    cr_assert_eq(rc, 0, "exit %d: %.600s", rc, e ? e : "");
    free(e);
    char cells[4300];
    snprintf(cells, sizeof cells, "%s/cells.csv", out);
    char *c = tu_read(cells, NULL);
    cr_assert(c && strstr(c, "F,"), "no F cells");
    free(c);
    free(rules);
    free(dir);
    buf_free(&b);
}
