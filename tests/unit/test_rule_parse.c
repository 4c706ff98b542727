/* test_rule_parse — the syntax tree of expressions and items; error recovery; includes. */
#include <criterion/criterion.h>

#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "read_date.h"
#include "rule_parse.h"

typedef struct {
    rule_diag d;
    thk_buf out;
    rule_ast *ast;
} pfix;

static void pf_init(pfix *f)
{
    memset(f, 0, sizeof *f);
    rule_diag_init(&f->d, &f->out);
}

static void pf_free(pfix *f)
{
    rule_ast_free(f->ast);
    rule_diag_free(&f->d);
    buf_free(&f->out);
}

/* The dump of expression text, or "ERROR" */
static void dump_expr(const char *text, char *out, size_t n)
{
    pfix f;
    pf_init(&f);
    f.ast = rule_ast_new();
    rule_expr *e = rule_parse_expr_text(&f.d, f.ast, "e.rules", text);
    thk_buf b = {0};
    if (e)
        rule_ast_dump(e, &b);
    snprintf(out, n, "%s", e ? b.data : "ERROR");
    buf_free(&b);
    pf_free(&f);
}

static void parse_text(pfix *f, const char *text)
{
    pf_init(f);
    f->ast = rule_parse_text(&f->d, "t.rules", text, strlen(text));
    rule_diag_flush(&f->d);
}

Test(rule_parse, expressions_follow_the_precedence_of_the_grammar)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"a or b and not c = 1", "(or a (and b (not (= c 1))))"},
        {"a - b + c", "(+ (- a b) c)"},
        {"- - 5", "(neg (neg 5))"},
        {"not not x", "(not (not x))"},
        {"x + 1 >= y - 2", "(>= (+ x 1) (- y 2))"},
        {"state in (xong, dinh_chi)", "(in state xong dinh_chi)"},
        {"nhom_viec ~ /tín\\s*dụng/ia", "(~ nhom_viec /tín\\s*dụng/ia)"},
        {"sum(remaining where lon)", "(sum remaining where lon)"},
        {"count()", "(count)"},
        {"percent(xong + dinh_chi, co_dk)", "(percent (+ xong dinh_chi) co_dk)"},
        {"older(ngay_quyet_dinh, 5 years)", "(older ngay_quyet_dinh 5years)"},
        {"(a or b) and c", "(and (or a b) c)"},
        {"x != \"Hà Nội\"", "(!= x \"Hà Nội\")"},
        {"target(ty_le_viec)", "(target ty_le_viec)"},
        {"v = 84.50%", "(= v 8450%)"},
        {"empty(x) or null = y", "(or (empty x) (= null y))"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char got[256];
        dump_expr(cases[i].in, got, sizeof got);
        cr_expect_str_eq(got, cases[i].out, "%s", cases[i].in);
    }
}

Test(rule_parse, malformed_expressions_are_rejected)
{
    static const char *const bad[] = {"a = b = c", "a +", "(a", "count", "x ~ y", "/p/",
                                      "f(a where b, c)", "1 2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char got[256];
        dump_expr(bad[i], got, sizeof got);
        cr_expect_str_eq(got, "ERROR", "%s parsed as %s", bad[i], got);
    }
}

Test(rule_parse, a_chained_comparison_says_so)
{
    pfix f;
    pf_init(&f);
    f.ast = rule_ast_new();
    cr_expect_null(rule_parse_expr_text(&f.d, f.ast, "e.rules", "a < b < c"));
    rule_diag_flush(&f.d);
    cr_expect(strstr(f.out.data, "e.rules:1:7: lỗi: không nối các phép so sánh liền nhau được") != NULL,
              "%s", f.out.data);
    pf_free(&f);
}

Test(rule_parse, declarations_become_items)
{
    pfix f;
    parse_text(&f, "version \"v1\"\n"
                   "period { year_start = 01/07 }\n"
                   "columns cases { ngay_quyet_dinh = \"Ngày ra QĐ THA\", \"Ngay QD\" ly_do = \"Lý do\" }\n"
                   "map su_kien { xong = /xong/i  hoan_c = /hoãn.*điểm\\s*c/ia }\n"
                   "let lon = so_tien_phai_thi_hanh >= 20_000_000_000\n"
                   "target ty_le_viec = 84.50% \"Chỉ tiêu\"\n");
    cr_assert_eq(f.d.nerrors, 0, "%s", f.out.data);
    rule_ast *a = f.ast;
    cr_assert_eq(a->nversions, 1);
    cr_expect_str_eq(a->versions[0].text, "v1");
    cr_assert_eq(a->nsettings, 1);
    cr_expect_eq(a->settings[0].day, 1);
    cr_expect_eq(a->settings[0].month, 7);
    cr_assert_eq(a->naliases, 2);
    cr_expect_str_eq(a->aliases[0].column, "ngay_quyet_dinh");
    cr_expect_eq(a->aliases[0].naliases, 2);
    cr_expect_str_eq(a->aliases[0].aliases[1].text, "Ngay QD");
    cr_expect_str_eq(a->aliases[1].column, "ly_do");
    cr_assert_eq(a->nmaps, 1);
    cr_assert_eq(a->maps[0].nalts, 2);
    cr_expect_str_eq(a->maps[0].alts[1].value, "hoan_c");
    cr_expect_str_eq(a->maps[0].alts[1].pat, "hoãn.*điểm\\s*c");
    cr_expect_eq(a->maps[0].alts[1].flags, 3u);
    cr_assert_eq(a->nlets, 1);
    cr_expect_str_eq(a->lets[0].name, "lon");
    cr_assert_eq(a->ntargets, 1);
    cr_expect_eq(a->targets[0].v, 8450);
    cr_expect_str_eq(a->targets[0].label, "Chỉ tiêu");
    pf_free(&f);
}

Test(rule_parse, a_form_keeps_rows_columns_groups_and_checks)
{
    pfix f;
    parse_text(&f, "form B03_CAP \"Theo cấp\" {\n"
                   "  code \"Biểu B03\" subtitle \"Đơn vị tính: việc\" measure count source thahc\n"
                   "  where ngay_thu_ly <= E\n"
                   "  rows cap_phai_thi_hanh label ten header \"Cấp\" fixed (tinh \"Tỉnh\", xa, khac)"
                   ", ma_don_vi subtotal total \"Tổng cộng\"\n"
                   "  column tong \"Tổng\" width 9 = a + b\n"
                   "  group \"Ngoài\" { column a \"A\" = count(x) group \"Trong\" { column b \"B\" target t = count() } }\n"
                   "  check tong = a + b\n"
                   "}\n");
    cr_assert_eq(f.d.nerrors, 0, "%s", f.out.data);
    cr_assert_eq(f.ast->nforms, 1);
    const rule_form_ast *fm = &f.ast->forms[0];
    cr_expect_str_eq(fm->id, "B03_CAP");
    cr_expect_eq(fm->source, RULE_SOURCE_THAHC);
    cr_expect_str_eq(fm->code, "Biểu B03");
    cr_expect_not_null(fm->where);
    cr_assert_eq(fm->nrows, 2);
    cr_expect_str_eq(fm->rows[0].label, "ten");
    cr_expect_str_eq(fm->rows[0].header, "Cấp");
    cr_assert_eq(fm->rows[0].nfixed, 3);
    cr_expect_str_eq(fm->rows[0].fixed[0].label, "Tỉnh");
    cr_expect_null(fm->rows[0].fixed[1].label);
    cr_expect(fm->subtotal);
    cr_expect_str_eq(fm->total, "Tổng cộng");
    cr_assert_eq(fm->ncols, 3);
    cr_expect_eq(fm->cols[0].width, 9);
    cr_expect_eq(fm->cols[0].group, -1);
    cr_expect_eq(fm->cols[1].group, 0);
    cr_expect_eq(fm->cols[2].group, 1);
    cr_expect_str_eq(fm->cols[2].target, "t");
    cr_assert_eq(fm->ngroups, 2);
    cr_expect_eq(fm->groups[1].parent, 0);
    cr_assert_eq(fm->nchecks, 1);
    pf_free(&f);
}

Test(rule_parse, lists_and_tests)
{
    pfix f;
    parse_text(&f, "list L3 \"Top\" { where chua_xong order by ma_don_vi, remaining desc\n"
                   "  limit 10 per ma_don_vi show ma_viec \"Mã\", remaining }\n"
                   "test \"t1\" {\n"
                   "  period 12 thang 2026\n"
                   "  case ma_viec=T1 ma_don_vi=GL-KV01 chap_hanh_vien=\"Nguyễn Văn An\" so_tien_phai_thi_hanh=1.000.000\n"
                   "  event T-1 10/12/2025 \"Thu tiền\" 500_000 \"ghi chú\"\n"
                   "  event T1 11/12/2025 \"Xong\" \"chỉ ghi chú\"\n"
                   "  thahc ma_ban_an=BA1 ngay_thu_ly=01/11/2025\n"
                   "  expect B01[GL-KV01].xong = 1, B01_CHV[GL-KV01|\"Nguyễn Văn An\"].xong = 2,\n"
                   "         B01[*].ty_le = -34.50%, B01[X].ty_le = empty, L3.count = 1\n"
                   "}\n"
                   "test \"t2\" { period 01/10/2025 - 31/12/2025 }\n");
    cr_assert_eq(f.d.nerrors, 0, "%s", f.out.data);
    const rule_list_ast *l = &f.ast->lists[0];
    cr_assert_eq(l->norder, 2);
    cr_expect(l->order[1].desc);
    cr_expect_eq(l->limit, 10);
    cr_expect_str_eq(l->limit_per, "ma_don_vi");
    cr_expect_str_eq(l->show[0].label, "Mã");
    const rule_test_ast *t = &f.ast->tests[0];
    cr_expect_eq(t->months, 12);
    cr_expect_eq(t->year, 2026);
    cr_assert_eq(t->ncases, 1);
    cr_expect_str_eq(t->cases[0].kv[1].value, "GL-KV01");
    cr_expect_str_eq(t->cases[0].kv[2].value, "Nguyễn Văn An");
    cr_expect_str_eq(t->cases[0].kv[3].value, "1.000.000");
    cr_assert_eq(t->nevents, 2);
    cr_expect_str_eq(t->events[0].ma_viec, "T-1");
    cr_expect_str_eq(t->events[0].so_tien, "500000");
    cr_expect_str_eq(t->events[0].ghi_chu, "ghi chú");
    cr_expect_null(t->events[1].so_tien);
    cr_expect_str_eq(t->events[1].ghi_chu, "chỉ ghi chú");
    cr_assert_eq(t->nthahc, 1);
    cr_assert_eq(t->nexpects, 5);
    cr_expect_str_eq(t->expects[1].row, "GL-KV01|Nguyễn Văn An");
    cr_expect_str_eq(t->expects[2].row, "*");
    cr_expect(t->expects[2].is_percent);
    cr_expect_eq(t->expects[2].v, -3450);
    cr_expect(t->expects[3].empty);
    cr_expect(t->expects[4].is_count);
    const rule_test_ast *t2 = &f.ast->tests[1];
    cr_expect_eq(t2->months, 0);
    cr_expect_eq(t2->from, date_from_ymd(2025, 10, 1));
    cr_expect_eq(t2->to, date_from_ymd(2025, 12, 31));
    pf_free(&f);
}

Test(rule_parse, every_syntax_error_of_a_file_is_reported)
{
    pfix f;
    parse_text(&f, "let a = \n"
                   "form B01 \"x\" {\n"
                   "  column c \"C\" count()\n"
                   "  rows ma_don_vi\n"
                   "  bogus\n"
                   "}\n"
                   "let ok = 1\n"
                   "map m { a = 5 }\n");
    cr_expect_eq(f.d.nerrors, 4, "%s", f.out.data);
    cr_expect(strstr(f.out.data, "t.rules:2:1: lỗi: cần một giá trị hoặc một tên, gặp 'form'"),
              "%s", f.out.data);
    cr_expect(strstr(f.out.data, "t.rules:3:16: lỗi: cần '=', gặp 'count'"), "%s",
              f.out.data);
    cr_expect(strstr(f.out.data, "t.rules:5:3: lỗi: cần một mục của biểu"), "%s", f.out.data);
    cr_expect(strstr(f.out.data, "t.rules:8:13: lỗi: cần một mẫu /.../, gặp số nguyên"),
              "%s", f.out.data);
    cr_assert_eq(f.ast->nlets, 1);
    cr_expect_str_eq(f.ast->lets[0].name, "ok");
    cr_expect_eq(f.ast->forms[0].nrows, 1);
    pf_free(&f);
}

Test(rule_parse, an_unclosed_block_is_reported_where_the_next_item_starts)
{
    pfix f;
    parse_text(&f, "form B01 \"x\" {\n  rows ma_don_vi\nlet a = 1\n");
    cr_expect_eq(f.d.nerrors, 1);
    cr_expect(strstr(f.out.data, "t.rules:3:1: lỗi: cần '}' để đóng form mở ở t.rules:1:1, gặp 'let'"), "%s", f.out.data);
    cr_expect_eq(f.ast->nlets, 1);
    pf_free(&f);
}

Test(rule_parse, includes_are_read_relative_to_the_including_file)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/rule_parse_XXXXXX", tu_tmpbase());
    cr_assert_not_null(mkdtemp(dir));
    char path[8192];
    snprintf(path, sizeof path, "%s/sub", dir);
    cr_assert_eq(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/sub/maps.rules", dir);
    FILE *fp = fopen(path, "w");
    fputs("let from_include = 1\ninclude \"../main.rules\"\n", fp);
    fclose(fp);
    snprintf(path, sizeof path, "%s/main.rules", dir);
    fp = fopen(path, "w");
    fputs("include \"sub/maps.rules\"\nlet after = 2\n", fp);
    fclose(fp);
    pfix f;
    pf_init(&f);
    const char *paths[] = {path};
    f.ast = rule_parse_files(&f.d, paths, 1);
    rule_diag_flush(&f.d);
    cr_expect_eq(f.d.nerrors, 1, "%s", f.out.data);
    cr_expect(strstr(f.out.data, "các tệp include vòng nhau: ") != NULL, "%s", f.out.data);
    cr_expect(strstr(f.out.data, "sub/maps.rules:2:9: lỗi:") != NULL, "%s", f.out.data);
    cr_assert_eq(f.ast->nlets, 2);
    cr_expect_str_eq(f.ast->lets[0].name, "from_include");
    cr_expect_str_eq(f.ast->lets[1].name, "after");
    pf_free(&f);
}

Test(rule_parse, a_missing_rule_file_is_an_error_naming_it)
{
    pfix f;
    pf_init(&f);
    const char *paths[] = {"/nonexistent/x.rules"};
    f.ast = rule_parse_files(&f.d, paths, 1);
    rule_diag_flush(&f.d);
    cr_expect_eq(f.d.nerrors, 1);
    cr_expect_str_eq(f.out.data, "/nonexistent/x.rules: lỗi: không đọc được tệp quy tắc: No such file or directory\n");
    pf_free(&f);
}

Test(rule_parse, invalid_utf8_stops_that_file)
{
    pfix f;
    parse_text(&f, "let a = 1\n# \xC3\x28\n");
    cr_expect_eq(f.d.nerrors, 1);
    cr_expect(strstr(f.out.data, "t.rules:2:3: lỗi: UTF-8 không hợp lệ (byte 0xC3)") != NULL, "%s",
              f.out.data);
    pf_free(&f);
}
