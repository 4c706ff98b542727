/* test_rule_compile — name resolution, types, constant folding, let order, forms, checks. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "read_date.h"
#include "rule_compile.h"

#define MAPS                                                                                     \
    "map su_kien { xong = /xong/i thu_tien = /thu/i }\n"                                         \
    "map loai_an { dan_su = /dân sự/ia hinh_su = /hình sự/ia khac = /.*/ }\n"

static rule_set *compile_ok(const char *text)
{
    thk_buf diag = {0};
    rule_set *rs = rule_set_load_text("t.rules", text, &diag);
    cr_assert_not_null(rs, "did not compile:\n%s\n%s", text, diag.data ? diag.data : "");
    buf_free(&diag);
    return rs;
}

/* Compiling fails and the diagnostics contain `want`. */
static void compile_fails(const char *text, const char *want)
{
    thk_buf diag = {0};
    rule_set *rs = rule_set_load_text("t.rules", text, &diag);
    cr_expect_null(rs, "compiled but should not:\n%s", text);
    rule_set_free(rs);
    cr_expect(diag.data && strstr(diag.data, want), "for:\n%s\nwant: %s\ngot:\n%s", text, want,
              diag.data ? diag.data : "(nothing)");
    buf_free(&diag);
}

static int let_index(const rule_set *rs, const char *name)
{
    for (size_t i = 0; i < rs->nlets; i++)
        if (strcmp(rs->lets[i].ast->name, name) == 0)
            return (int)i;
    return -1;
}

static const rule_node *let_root(const rule_set *rs, const char *name, int ctx)
{
    int i = let_index(rs, name);
    cr_assert_geq(i, 0, "no let %s", name);
    cr_assert_geq(rs->lets[i].node[ctx], 0, "let %s not compiled", name);
    return &rs->nodes[rs->lets[i].node[ctx]];
}

Test(rule_compile, lets_are_evaluated_after_the_lets_they_use)
{
    rule_set *rs = compile_ok("let c = b and a\n"
                              "let a = state = xong\n"
                              "let b = a or new\n"
                              "let d = not c\n");
    cr_assert_eq(rs->nlet_order[RCTX_CASE], 4);
    int pos[4];
    const char *names[] = {"a", "b", "c", "d"};
    for (int k = 0; k < 4; k++)
        for (size_t i = 0; i < 4; i++)
            if (rs->let_order[RCTX_CASE][i] == let_index(rs, names[k]))
                pos[k] = (int)i;
    cr_expect_lt(pos[0], pos[1]);
    cr_expect_lt(pos[1], pos[2]);
    cr_expect_lt(pos[2], pos[3]);
    rule_set_free(rs);
}

Test(rule_compile, a_let_cycle_is_an_error_naming_the_cycle)
{
    compile_fails("let a = b\nlet b = c or new\nlet c = a\n",
                  "t.rules:1:5: lỗi: các let gọi vòng nhau: a → b → c → a");
    compile_fails("let self = self and new\n", "các let gọi vòng nhau: self → self");
}

Test(rule_compile, constants_are_folded_and_need_no_slot)
{
    rule_set *rs = compile_ok("let k = 1 + 2\n"
                              "let m = k + 1 - -3\n"
                              "let d = 31/01/2025 + 1 month\n"
                              "let t = not (1 > 2) and 5 in (4, 5)\n"
                              "let big = 20_000_000_000\n"
                              "let lon = so_tien_phai_thi_hanh >= big\n");
    const rule_node *m = let_root(rs, "m", RCTX_CASE);
    cr_expect_eq(m->op, OP_CONST);
    cr_expect_eq(m->k, 7);
    const rule_node *d = let_root(rs, "d", RCTX_CASE);
    cr_expect_eq(d->op, OP_CONST);
    cr_expect_eq(d->type, RT_DATE);
    cr_expect_eq(d->k, date_from_ymd(2025, 2, 28));
    const rule_node *t = let_root(rs, "t", RCTX_CASE);
    cr_expect_eq(t->op, OP_CONST);
    cr_expect_eq(t->k, 1);
    cr_expect_eq(rs->lets[let_index(rs, "k")].slot[RCTX_CASE], -1);
    /* only `lon` needs a slot; its constant operand adapted to money */
    cr_expect_eq(rs->nslots[RCTX_CASE], 1);
    const rule_node *lon = let_root(rs, "lon", RCTX_CASE);
    cr_expect_eq(lon->op, OP_GE);
    cr_expect_eq(rs->nodes[lon->b].type, RT_MONEY);
    cr_expect_eq(rs->nodes[lon->b].k, 20000000000LL);
    rule_set_free(rs);
}

Test(rule_compile, constant_overflow_is_a_compile_error)
{
    compile_fails("let x = 9223372036854775807 + 1\n",
                  "t.rules:1:29: lỗi: tràn số trong một biểu thức hằng");
}

Test(rule_compile, types_are_checked)
{
    static const struct {
        const char *expr, *msg;
    } cases[] = {
        {"ngay_thu_ly + so_tien_phai_thi_hanh", "không cộng được ngày với tiền"},
        {"remaining - years(ngay_thu_ly)", "không trừ được số nguyên khỏi tiền"},
        {"ngay_thu_ly < 5", "không so sánh được ngày với số nguyên"},
        {"state < xong", "'<' cần số, tiền, ngày hoặc văn bản, không phải state"},
        {"state = condition", "không so sánh được state với condition"},
        {"state = xongg", "'xongg' không phải giá trị của state (các giá trị: xong, dinh_chi,"},
        {"nhom_viec = null", "so sánh với null luôn sai; hãy dùng empty(x)"},
        {"new and remaining", "'and' cần giá trị đúng/sai, không phải tiền"},
        {"not nhom_viec", "'not' cần giá trị đúng/sai, không phải văn bản"},
        {"remaining ~ /a/", "'~' so khớp văn bản, không phải tiền"},
        {"older(ngay_thu_ly, 5)", "older() cần khoảng thời gian ở đây, không phải số nguyên"},
        {"older(ngay_thu_ly)", "older() nhận 2 đối số (ngày, khoảng thời gian), ở đây có 1"},
        {"years(ngay_thu_ly) = 1 years", "không so sánh được số nguyên với khoảng thời gian"},
        {"count(new)", "count() chỉ dùng trong cột của biểu"},
        {"frobnicate(1)", "hàm không có: 'frobnicate'"},
        {"stat = xong", "tên không có: 'stat' (có phải 'state'?)"},
        {"nhom_viec ~ /(a/", "mẫu (pattern) sai: missing closing parenthesis (tại vị trí 2)"},
        {"-ngay_thu_ly", "không đổi dấu được ngày"},
        {"contains(nhom_viec, 5)", "contains() cần văn bản ở đây, không phải số nguyên"},
        {"between(remaining, 1, ngay_thu_ly)", "không so sánh được tiền với ngày"},
        {"loai_an = tham_nhung", "'tham_nhung' không phải giá trị của loai_an"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, MAPS "let x = %s\n", cases[i].expr);
        compile_fails(text, cases[i].msg);
    }
}

Test(rule_compile, well_typed_expressions_compile)
{
    rule_set *rs = compile_ok(MAPS "let a = state in (xong, \"dinh_chi\") and xong != state\n"
                                   "let b = ngay_thu_ly + 1 year - 2 days < E\n"
                                   "let c = years(ngay_quyet_dinh) >= 5 or older(ngay_thu_ly, 3 months)\n"
                                   "let d = loai_an = dan_su or empty(loai_an)\n"
                                   "let e = between(ngay_thu_ly, S, E) and contains(nhom_viec, \"tín\")\n"
                                   "let f = remaining + 1 > collected - 2\n"
                                   "let g = suspension = hoan_c or condition = chua_xac_minh\n"
                                   "let h = year = 2026 and last_note ~ /chờ/ia\n");
    const rule_node *f = let_root(rs, "f", RCTX_CASE);
    cr_expect_eq(rs->nodes[f->a].type, RT_MONEY);
    const rule_node *d = let_root(rs, "d", RCTX_CASE);
    const rule_node *eq = &rs->nodes[d->a];
    cr_expect_eq(rs->nodes[eq->a].type, RT_ENUM);
    cr_expect_eq(rs->nodes[eq->b].op, OP_CONST);
    cr_expect_eq(rs->nodes[eq->b].k, 0); /* dan_su is the first value of map loai_an */
    rule_set_free(rs);
}

Test(rule_compile, equal_subexpressions_share_one_node)
{
    rule_set *rs = compile_ok("let a = state = xong and new\n"
                              "let b = new and state = xong\n"
                              "let c = state = xong\n");
    const rule_node *a = let_root(rs, "a", RCTX_CASE);
    const rule_node *b = let_root(rs, "b", RCTX_CASE);
    cr_expect_eq(a->a, b->b);
    cr_expect_eq(rs->lets[let_index(rs, "c")].node[RCTX_CASE], a->a);
    rule_set_free(rs);
}

Test(rule_compile, duplicate_names_are_errors_pointing_at_the_first)
{
    compile_fails("let a = 1\nlet a = 2\n", "t.rules:2:5: lỗi: let 'a' khai hai lần (lần đầu ở t.rules:1:5)");
    compile_fails("let state = 1\n", "let 'state' trùng tên một cột hoặc dữ kiện");
    compile_fails("target t = 1%\ntarget t = 2%\n", "target 't' khai hai lần");
    compile_fails("form F \"a\" { column c \"c\" = count() }\nlist F \"b\" { show ma_viec }\n",
                  "biểu hoặc danh sách 'F' khai hai lần");
    compile_fails("map loai_an { a = /a/ }\nmap loai_an { b = /b/ }\n", "map 'loai_an' khai hai lần");
    compile_fails("form F \"a\" { column c \"c\" = count() column c \"d\" = count() }\n",
                  "cột 'c' khai hai lần trong biểu F");
    compile_fails("test \"x\" { period 12 thang 2026 }\ntest \"x\" { period 12 thang 2026 }\n",
                  "test \"x\" khai hai lần");
}

Test(rule_compile, labels_name_values_of_a_domain_once)
{
    compile_fails("labels nope { a \"A\" }\n", "labels cho 'nope': không có miền giá trị này");
    compile_fails("labels state { xongg \"X\" }\n", "'xongg' không phải giá trị của state");
    compile_fails("labels state { xong \"X\" xong \"Y\" }\n",
                  "state: giá trị 'xong' đã có nhãn");
    rule_set *rs = compile_ok("map loai_an { dan_su = /dân sự/ia khac = /.*/ }\n"
                              "labels loai_an { dan_su \"Dân sự\" }\n"
                              "labels state { dang_thi_hanh \"Đang thi hành\" }\n");
    int dom = -1;
    for (int d = RULE_DOM_MAP0; d < RULE_DOM_MAP0 + (int)rs->nmaps; d++)
        if (strcmp(rule_dom_name(rs, d), "loai_an") == 0)
            dom = d;
    cr_assert_geq(dom, 0);
    cr_expect_str_eq(rule_dom_label(rs, dom, (size_t)rule_dom_index(rs, dom, "dan_su")),
                     "Dân sự");
    cr_expect_null(rule_dom_label(rs, dom, (size_t)rule_dom_index(rs, dom, "khac")));
    cr_expect_str_eq(rule_dom_label(rs, RULE_DOM_STATE,
                                    (size_t)rule_dom_index(rs, RULE_DOM_STATE, "dang_thi_hanh")),
                     "Đang thi hành");
    rule_set_free(rs);
}

Test(rule_compile, maps_check_their_values_and_columns)
{
    compile_fails("map su_kien { xongg = /x/ }\n",
                  "'xongg' không phải loại sự kiện; giá trị của map su_kien là: xac_minh_co_dk,");
    compile_fails("map foo { a = /x/ }\n", "map 'foo' không ứng với cột văn bản nào");
    compile_fails("map loai_an { a = /(/ }\n", "t.rules:1:21: lỗi: mẫu (pattern) sai: missing closing parenthesis (tại vị trí 1)");
    rule_set *rs = compile_ok("columns cases { ly_do = \"Lý do\" }\n"
                              "map ly_do { khach_quan = /tranh chấp/ia khac = /.*/ }\n"
                              "map nhom_viec { tin_dung = /tín dụng/ia }\n"
                              "let a = ly_do = khach_quan and nhom_viec = tin_dung\n");
    const rule_node *a = let_root(rs, "a", RCTX_CASE);
    const rule_node *l = &rs->nodes[rs->nodes[a->a].a];
    cr_expect_eq(l->op, OP_CASE_MAP);
    cr_expect_eq(l->a, -1); /* extra column 0 */
    const rule_node *n = &rs->nodes[rs->nodes[a->b].a];
    cr_expect_eq(n->op, OP_CASE_MAP);
    cr_expect_eq(n->a, CF_NHOM_VIEC);
    load_opts o = {0};
    rule_set_fill_load_opts(rs, &o);
    cr_assert_eq(o.nextra_cases, 1);
    cr_expect_str_eq(o.extra_cases[0], "ly_do");
    cr_assert_eq(o.naliases, 1);
    cr_expect_str_eq(o.aliases[0].alias, "Lý do");
    cr_expect_null(o.su_kien);
    rule_set_free(rs);
}

Test(rule_compile, columns_blocks_accept_only_known_columns_outside_cases)
{
    compile_fails("columns events { foo = \"Foo\" }\n", "'foo' không phải cột của events.csv");
    compile_fails("columns cases { state = \"S\" }\n", "'state' là tên có sẵn");
    compile_fails("columns cases { ma_viec = \"Mã\" ngay_thu_ly = \"Mã\" }\n",
                  "tiêu đề \"Mã\" đã là tên khác của 'ma_viec'");
    rule_set *rs = compile_ok("columns thahc { ngay_xong = \"Ngày xong\" }\n");
    const load_alias *al;
    cr_expect_eq(rule_set_aliases(rs, &al), 1);
    cr_expect_eq(al[0].kind, LOAD_THAHC);
    rule_set_free(rs);
}

Test(rule_compile, period_settings)
{
    rule_set *rs = compile_ok("version \"v9\" period { year_start = 01/07 }\n");
    int d, m;
    rule_set_year_start(rs, &d, &m);
    cr_expect_eq(d, 1);
    cr_expect_eq(m, 7);
    cr_expect_str_eq(rule_set_version(rs), "v9");
    rule_set_free(rs);
    rs = compile_ok("let a = 1\n");
    rule_set_year_start(rs, &d, &m);
    cr_expect_eq(d, 1);
    cr_expect_eq(m, 10);
    cr_expect_str_eq(rule_set_version(rs), "");
    rule_set_free(rs);
    compile_fails("period { year_start = 29/02 }\n", "year_start phải là ngày có trong mọi năm");
    compile_fails("period { start = 01/10 }\n", "thiết lập period không có: 'start'");
    compile_fails("version \"a\"\nversion \"b\"\n", "t.rules:2:9: lỗi: version khai hai lần");
}

Test(rule_compile, lets_are_compiled_for_the_context_that_uses_them)
{
    rule_set *rs = compile_ok("let moi_nhan = ngay_thu_ly >= S\n"
                              "let xong_ky = ngay_xong <= E\n"
                              "form B01 \"a\" { rows ma_don_vi column n \"n\" = count(moi_nhan) }\n"
                              "form B03 \"b\" { source thahc rows ma_don_vi\n"
                              "  column n \"n\" = count(moi_nhan and xong_ky) }\n");
    int a = let_index(rs, "moi_nhan"), b = let_index(rs, "xong_ky");
    cr_expect_geq(rs->lets[a].node[RCTX_CASE], 0);
    cr_expect_geq(rs->lets[a].node[RCTX_THAHC], 0);
    cr_expect_eq(rs->lets[b].home, RCTX_THAHC);
    cr_expect(rs->lets[a].used[RCTX_CASE] && rs->lets[a].used[RCTX_THAHC]);
    cr_expect(rs->lets[a].flag);
    cr_expect(!rs->lets[b].flag);
    rule_set_free(rs);
    compile_fails("let xk = ngay_xong <= E\n"
                  "form B01 \"a\" { rows ma_don_vi column n \"n\" = count(xk) }\n",
                  "let 'xk' dùng dữ liệu THAHC; không dùng được cho việc");
    compile_fails("let m = ngay_xong <= E and new\n", "let 'm' trộn tên của việc với tên của THAHC");
}

Test(rule_compile, form_columns_get_kinds_order_and_linearity)
{
    rule_set *rs = compile_ok(
        "target t = 50%\n"
        "form B02 \"b\" { measure money rows ma_don_vi\n"
        "  column thu_ly \"a\" = chuyen_sang + moi\n"
        "  column chuyen_sang \"b\" = sum(B where carried)\n"
        "  column moi \"c\" = sum(B where new)\n"
        "  column so \"d\" = count()\n"
        "  column ty_le \"e\" target t = percent(thu_ly, so)\n"
        "  column gap \"f\" = ty_le - target(t)\n"
        "  column zero \"g\" = 0\n"
        "  column truoc \"h\" = prior(thu_ly)\n"
        "  check thu_ly = chuyen_sang + moi\n"
        "}\n");
    const agg_form *f = &rs->forms[0];
    static const struct {
        int kind;
        bool linear;
    } want[] = {{FORM_KIND_MONEY, true}, {FORM_KIND_MONEY, true}, {FORM_KIND_MONEY, true},
                {FORM_KIND_COUNT, true}, {FORM_KIND_RATE, false}, {FORM_KIND_RATE, false},
                {FORM_KIND_MONEY, true}, {FORM_KIND_MONEY, true}};
    cr_assert_eq(f->ncols, 8);
    for (size_t i = 0; i < 8; i++) {
        cr_expect_eq(f->cols[i].kind, want[i].kind, "column %zu kind %d", i, f->cols[i].kind);
        cr_expect_eq(f->cols[i].linear, want[i].linear, "column %zu linear", i);
    }
    /* thu_ly is evaluated after the two columns it adds */
    size_t at[8];
    for (size_t i = 0; i < f->norder; i++)
        at[f->order[i]] = i;
    cr_expect_gt(at[0], at[1]);
    cr_expect_gt(at[0], at[2]);
    cr_expect_gt(at[4], at[0]);
    cr_expect(f->uses_prior);
    cr_expect(rs->uses_prior);
    /* B is summed twice under two conditions: two accumulators, plus count() and the prior
     * copies of both sums */
    cr_expect_eq(f->naccs, 5);
    rule_set_free(rs);
}

Test(rule_compile, form_errors)
{
    compile_fails("form F \"a\" { column a \"a\" = b column b \"b\" = a }\n",
                  "các cột của biểu F gọi vòng nhau: a → b → a");
    compile_fails("form F \"a\" { column a \"a\" = count() check a = zz }\n",
                  "t.rules:1:47: lỗi: check nhắc cột không có 'zz' của biểu F");
    compile_fails("form F \"a\" { column a \"a\" = count() + sum(remaining) }\n",
                  "không cộng số việc với tiền trong một cột được");
    compile_fails("form F \"a\" { column a \"a\" target nope = percent(count(), count()) }\n",
                  "chỉ tiêu không có: 'nope'");
    compile_fails("target t = 1%\nform F \"a\" { column a \"a\" target t = count() }\n",
                  "cột 'a' có chỉ tiêu nhưng không phải tỷ lệ");
    compile_fails("form F \"a\" { column a \"a\" = remaining }\n",
                  "'remaining' là giá trị của một bản ghi; cột của biểu cộng các bản ghi");
    compile_fails("form F \"a\" { column a \"a\" = count(remaining) }\n",
                  "điều kiện của count() phải là đúng/sai, không phải tiền");
    compile_fails("form F \"a\" { column a \"a\" = count(ngay_xong < E) }\n",
                  "'ngay_xong' là tên của THAHC; không dùng được cho việc");
    compile_fails("form F \"a\" { column a \"a\" = prior(prior(count())) }\n",
                  "không lồng prior() vào nhau được");
    compile_fails("form F \"a\" { column a \"a\" = older(S, 1 year) }\n",
                  "older() làm việc trên một bản ghi");
    compile_fails("form F \"a\" { rows state fixed (xong, nope) column a \"a\" = count() }\n",
                  "'nope' không phải giá trị của state");
    compile_fails("form F \"a\" { rows loai_an fixed (dan_su) column a \"a\" = count() }\n",
                  "'dan_su' không phải một giá trị: không có map nào cho 'loai_an' các giá trị");
    compile_fails("form F \"a\" { rows ma_don_vi, ma_don_vi column a \"a\" = count() }\n",
                  "trường dòng 'ma_don_vi' khai hai lần");
    compile_fails("form F \"a\" { column a \"a\" = count(x where y) }\n",
                  "'where' chỉ dùng trong sum(...); hãy viết count(a and b)");
}

Test(rule_compile, tests_must_name_existing_forms_and_columns)
{
    const char *forms = "form B01 \"a\" { rows ma_don_vi column n \"n\" = count() }\n"
                        "list L1 \"l\" { show ma_viec }\n";
    char text[1024];
    snprintf(text, sizeof text, "%stest \"t\" { period 12 thang 2026 expect B99[X].n = 1 }\n",
             forms);
    compile_fails(text, "không có biểu hoặc danh sách 'B99'");
    snprintf(text, sizeof text, "%stest \"t\" { period 12 thang 2026 expect B01[X].m = 1 }\n",
             forms);
    compile_fails(text, "biểu B01 không có cột 'm'");
    snprintf(text, sizeof text, "%stest \"t\" { period 12 thang 2026 expect L1[X].n = 1 }\n",
             forms);
    compile_fails(text, "danh sách được kiểm bằng số dòng: L1.count");
    snprintf(text, sizeof text, "%stest \"t\" { expect B01[X].n = 1 }\n", forms);
    compile_fails(text, "test \"t\" không có kỳ");
}

Test(rule_compile, form_ids_show_hyphens_and_file_order_is_sheet_order)
{
    rule_set *rs = compile_ok("form B01_CHV \"a\" { column n \"n\" = count() }\n"
                              "form TH \"t\" { column n \"n\" = count() }\n");
    cr_expect_str_eq(rs->forms[0].id, "B01-CHV");
    cr_expect_str_eq(rs->forms[1].id, "TH");
    rule_set_free(rs);
}

Test(rule_compile, the_workbook_block_orders_sheets_and_carries_labels_and_scale)
{
    rule_set *rs = compile_ok("workbook {\n  first = \"C, A C\"\n  basis = \"Căn cứ\"\n"
                              "  money_scale = 1000000\n  signer_right = \"Cục trưởng\"\n}\n"
                              "form A \"a\" { column n \"n\" = count() }\n"
                              "form B \"b\" { scale 1 column n \"n\" = count() }\n"
                              "form C \"c\" { column n \"n\" = count() }\n");
    cr_assert_eq(rs->nforms, 3);
    cr_expect_str_eq(rs->forms[0].id, "C");
    cr_expect_str_eq(rs->forms[1].id, "A");
    cr_expect_str_eq(rs->forms[2].id, "B");
    cr_expect_str_eq(rs->wb_basis, "Căn cứ");
    cr_expect_str_eq(rs->wb_sign[2], "Cục trưởng");
    cr_expect_null(rs->wb_sign[0]);
    cr_expect_eq(rs->wb_money_scale, 1000000);
    cr_expect_eq(rs->forms[2].ast->scale, 1);
    rule_set_free(rs);
}

Test(rule_compile, compile_errors_come_in_source_order_all_at_once)
{
    thk_buf diag = {0};
    rule_set *rs = rule_set_load_text("t.rules",
                                      "form F \"a\" { column a \"a\" = count(nope1) }\n"
                                      "let x = nope2\n"
                                      "map su_kien { bad = /x/ }\n",
                                      &diag);
    cr_assert_null(rs);
    const char *p1 = strstr(diag.data, "t.rules:1:"), *p2 = strstr(diag.data, "t.rules:2:"),
               *p3 = strstr(diag.data, "t.rules:3:");
    cr_assert(p1 && p2 && p3, "%s", diag.data);
    cr_expect(p1 < p2 && p2 < p3, "%s", diag.data);
    buf_free(&diag);
}
