/* test_rule_lex — tokens of rule files with their line, column and span; lexical errors. */
#include <criterion/criterion.h>
#include <string.h>

#include "read_date.h"
#include "rule_lex.h"
#include "rule_map.h"

typedef struct {
    rule_diag d;
    thk_buf out;
    rule_arena *arena;
    rule_lexer lx;
} lexfix;

static void lf_open(lexfix *f, const char *text)
{
    memset(f, 0, sizeof *f);
    rule_diag_init(&f->d, &f->out);
    f->arena = rule_arena_new();
    int file = rule_diag_add_source(&f->d, "t.rules", thk_xstrdup(text), strlen(text));
    rule_lex_init(&f->lx, &f->d, file, f->arena);
}

static void lf_close(lexfix *f)
{
    rule_arena_free(f->arena);
    rule_diag_free(&f->d);
    buf_free(&f->out);
}

/* The first token of text (normal mode). */
static rule_tok lex1(lexfix *f, const char *text)
{
    lf_open(f, text);
    rule_tok t;
    rule_lex_next(&f->lx, LEX_NORMAL, &t);
    return t;
}

Test(rule_lex, every_token_carries_its_line_column_and_length)
{
    lexfix f;
    lf_open(&f, "let x =\n  state = xong # comment\n\tform");
    struct {
        rule_tok_kind k;
        uint32_t line, col, len;
        const char *s;
    } want[] = {
        {TK_LET, 1, 1, 3, "let"},   {TK_IDENT, 1, 5, 1, "x"},     {TK_EQ, 1, 7, 1, NULL},
        {TK_IDENT, 2, 3, 5, "state"}, {TK_EQ, 2, 9, 1, NULL},     {TK_IDENT, 2, 11, 4, "xong"},
        {TK_FORM, 3, 2, 4, "form"}, {TK_EOF, 3, 6, 0, NULL},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        rule_tok t;
        rule_lex_next(&f.lx, LEX_NORMAL, &t);
        cr_expect_eq(t.kind, want[i].k, "token %zu: kind %d, want %d", i, t.kind, want[i].k);
        cr_expect_eq(t.loc.line, want[i].line, "token %zu line", i);
        cr_expect_eq(t.loc.col, want[i].col, "token %zu col %u", i, t.loc.col);
        cr_expect_eq(t.loc.len, want[i].len, "token %zu len", i);
        if (want[i].s)
            cr_expect_str_eq(t.s, want[i].s);
    }
    lf_close(&f);
}

Test(rule_lex, columns_count_code_points_not_bytes)
{
    lexfix f;
    lf_open(&f, "\"Tổng cộng\" total");
    rule_tok t;
    rule_lex_next(&f.lx, LEX_NORMAL, &t);
    cr_assert_eq(t.kind, TK_STRING);
    cr_expect_str_eq(t.s, "Tổng cộng");
    rule_lex_next(&f.lx, LEX_NORMAL, &t);
    cr_assert_eq(t.kind, TK_TOTAL);
    cr_expect_eq(t.loc.col, 13, "col %u", t.loc.col);
    lf_close(&f);
}

Test(rule_lex, integers_ignore_underscores_and_overflow_is_an_error)
{
    lexfix f;
    rule_tok t = lex1(&f, "20_000_000_000");
    cr_expect_eq(t.kind, TK_INT);
    cr_expect_eq(t.i, 20000000000LL);
    lf_close(&f);
    t = lex1(&f, "99999999999999999999");
    cr_expect_eq(t.kind, TK_ERROR);
    cr_expect_str_eq(t.s, "số nguyên quá lớn");
    lf_close(&f);
}

Test(rule_lex, percentages_are_exact_hundredths)
{
    static const struct {
        const char *text;
        int64_t v;
    } ok[] = {{"84.50%", 8450}, {"84.5%", 8450}, {"7%", 700}, {"0.05%", 5}, {"100.00%", 10000}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        lexfix f;
        rule_tok t = lex1(&f, ok[i].text);
        cr_expect_eq(t.kind, TK_PERCENT, "%s", ok[i].text);
        cr_expect_eq(t.i, ok[i].v, "%s: %lld", ok[i].text, (long long)t.i);
        lf_close(&f);
    }
}

Test(rule_lex, bad_percentages_and_decimals_are_errors_at_the_offending_digit)
{
    static const struct {
        const char *text;
        const char *msg;
        uint32_t col;
    } bad[] = {
        {"84.505%", "tỷ lệ phần trăm sai: nhiều nhất hai chữ số thập phân (84.50%)", 6},
        {"1.5", "số có phần thập phân phải là tỷ lệ phần trăm như 84.50%", 1},
        {"84.%", "tỷ lệ phần trăm sai: cần chữ số sau '.'", 1},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lexfix f;
        rule_tok t = lex1(&f, bad[i].text);
        cr_expect_eq(t.kind, TK_ERROR, "%s", bad[i].text);
        cr_expect_str_eq(t.s, bad[i].msg);
        cr_expect_eq(t.eloc.col, bad[i].col, "%s: col %u", bad[i].text, t.eloc.col);
        lf_close(&f);
    }
}

Test(rule_lex, dates_and_day_months)
{
    lexfix f;
    rule_tok t = lex1(&f, "29/02/2024");
    cr_expect_eq(t.kind, TK_DATE);
    cr_expect_eq(t.i, date_from_ymd(2024, 2, 29));
    lf_close(&f);
    t = lex1(&f, "1/9/2025");
    cr_expect_eq(t.kind, TK_DATE);
    cr_expect_eq(t.i, date_from_ymd(2025, 9, 1));
    lf_close(&f);
    t = lex1(&f, "01/10");
    cr_expect_eq(t.kind, TK_DAYMONTH);
    cr_expect_eq(t.i, 1);
    cr_expect_eq(t.j, 10);
    lf_close(&f);
    t = lex1(&f, "29/02/2025");
    cr_expect_eq(t.kind, TK_ERROR);
    cr_expect_str_eq(t.s, "ngày không có thật");
    lf_close(&f);
    t = lex1(&f, "01/13");
    cr_expect_eq(t.kind, TK_ERROR);
    lf_close(&f);
    t = lex1(&f, "2025/01/01");
    cr_expect_eq(t.kind, TK_ERROR);
    lf_close(&f);
}

Test(rule_lex, durations_take_a_unit_word_but_not_a_function_call)
{
    static const struct {
        const char *text;
        rule_tok_kind kind;
        int64_t n;
        int unit;
    } cases[] = {
        {"5 years", TK_DURATION, 5, DUR_YEARS}, {"1 year", TK_DURATION, 1, DUR_YEARS},
        {"30days", TK_DURATION, 30, DUR_DAYS},  {"6 months", TK_DURATION, 6, DUR_MONTHS},
        {"5 years(x)", TK_INT, 5, 0},           {"12 thang", TK_INT, 12, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lexfix f;
        rule_tok t = lex1(&f, cases[i].text);
        cr_expect_eq(t.kind, cases[i].kind, "%s: kind %d", cases[i].text, t.kind);
        cr_expect_eq(t.i, cases[i].n, "%s", cases[i].text);
        if (t.kind == TK_DURATION)
            cr_expect_eq(t.j, cases[i].unit, "%s", cases[i].text);
        lf_close(&f);
    }
}

Test(rule_lex, strings_unescape_and_become_nfc)
{
    lexfix f;
    rule_tok t = lex1(&f, "\"a \\\"b\\\" \\\\ c\"");
    cr_expect_eq(t.kind, TK_STRING);
    cr_expect_str_eq(t.s, "a \"b\" \\ c");
    lf_close(&f);
    /* "Hoa" + combining grave + "n": NFD in the source, NFC in the token */
    t = lex1(&f, "\"Hoa\xCC\x80n\"");
    cr_expect_eq(t.kind, TK_STRING);
    cr_expect_str_eq(t.s, "Hoàn");
    lf_close(&f);
}

Test(rule_lex, unterminated_strings_and_unknown_escapes_are_errors)
{
    lexfix f;
    rule_tok t = lex1(&f, "\"abc\nx");
    cr_expect_eq(t.kind, TK_ERROR);
    cr_expect_str_eq(t.s, "chuỗi chưa đóng ngoặc kép");
    cr_expect_eq(t.eloc.col, 1);
    cr_expect_eq(t.eloc.len, 4);
    lf_close(&f);
    t = lex1(&f, "\"a\\nb\"");
    cr_expect_eq(t.kind, TK_ERROR);
    cr_expect_str_eq(t.s, "ký tự thoát không có '\\n' trong chuỗi (chỉ có \\\" và \\\\)");
    cr_expect_eq(t.eloc.col, 3);
    lf_close(&f);
}

Test(rule_lex, patterns_keep_their_text_and_flags)
{
    lexfix f;
    rule_tok t = lex1(&f, "/tạm\\s*đình\\/chỉ/ia rest");
    cr_expect_eq(t.kind, TK_PATTERN);
    cr_expect_str_eq(t.s, "tạm\\s*đình\\/chỉ");
    cr_expect_eq(t.j, RULE_PAT_I | RULE_PAT_A);
    lf_close(&f);
    t = lex1(&f, "/a[/]b/x");
    cr_expect_eq(t.kind, TK_PATTERN);
    cr_expect_str_eq(t.s, "a[/]b");
    cr_expect_eq(t.j, RULE_PAT_X);
    lf_close(&f);
    t = lex1(&f, "/abc/g");
    cr_expect_eq(t.kind, TK_ERROR);
    cr_expect_str_eq(t.s, "cờ mẫu không có: 'g' (các cờ: i, a, x)");
    cr_expect_eq(t.eloc.col, 6);
    lf_close(&f);
    t = lex1(&f, "/abc\n/");
    cr_expect_eq(t.kind, TK_ERROR);
    cr_expect_str_eq(t.s, "mẫu (pattern) chưa đóng (thiếu '/')");
    lf_close(&f);
}

Test(rule_lex, operators_and_their_mistakes)
{
    lexfix f;
    lf_open(&f, "!= <= >= < > = + - ~ | * [ ] . ,");
    rule_tok_kind want[] = {TK_NE, TK_LE, TK_GE, TK_LT, TK_GT, TK_EQ, TK_PLUS, TK_MINUS,
                            TK_TILDE, TK_PIPE, TK_STAR, TK_LBRACKET, TK_RBRACKET, TK_DOT,
                            TK_COMMA, TK_EOF};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        rule_tok t;
        rule_lex_next(&f.lx, LEX_NORMAL, &t);
        cr_expect_eq(t.kind, want[i], "token %zu", i);
    }
    lf_close(&f);
    rule_tok t = lex1(&f, "==");
    cr_expect_eq(t.kind, TK_ERROR);
    cr_expect_str_eq(t.s, "'==' không phải phép toán; hãy viết '='");
    lf_close(&f);
    t = lex1(&f, "tổng");
    cr_expect_eq(t.kind, TK_ERROR);
    lf_close(&f);
    t = lex1(&f, "−");
    cr_expect_eq(t.kind, TK_ERROR);
    cr_expect_str_eq(t.s, "ký tự không mong đợi '−'");
    lf_close(&f);
}

Test(rule_lex, test_value_modes_read_bare_words)
{
    lexfix f;
    lf_open(&f, "GL-KV01 1.000.000 \"Nguyễn Văn An\" X|Y]");
    rule_tok t;
    rule_lex_next(&f.lx, LEX_WORD, &t);
    cr_expect_eq(t.kind, TK_WORD);
    cr_expect_str_eq(t.s, "GL-KV01");
    rule_lex_next(&f.lx, LEX_WORD, &t);
    cr_expect_eq(t.kind, TK_WORD);
    cr_expect_str_eq(t.s, "1.000.000");
    rule_lex_next(&f.lx, LEX_WORD, &t);
    cr_expect_eq(t.kind, TK_STRING);
    cr_expect_str_eq(t.s, "Nguyễn Văn An");
    rule_lex_next(&f.lx, LEX_KEY, &t);
    cr_expect_str_eq(t.s, "X");
    rule_lex_next(&f.lx, LEX_KEY, &t);
    cr_expect_eq(t.kind, TK_PIPE);
    rule_lex_next(&f.lx, LEX_KEY, &t);
    cr_expect_str_eq(t.s, "Y");
    rule_lex_next(&f.lx, LEX_KEY, &t);
    cr_expect_eq(t.kind, TK_RBRACKET);
    lf_close(&f);
}

Test(rule_lex, a_byte_order_mark_and_comments_are_skipped)
{
    lexfix f;
    rule_tok t = lex1(&f, "\xEF\xBB\xBF# heading\n  # more\nversion");
    cr_expect_eq(t.kind, TK_VERSION);
    cr_expect_eq(t.loc.line, 3);
    cr_expect_eq(t.loc.col, 1);
    lf_close(&f);
}

Test(rule_lex, keywords_are_recognised_and_names_are_not)
{
    cr_expect_eq(rule_lex_keyword("percent", 7), TK_PERCENT_FN);
    cr_expect_eq(rule_lex_keyword("thahc", 5), TK_THAHC);
    cr_expect_eq(rule_lex_keyword("thang", 5), TK_IDENT);
    cr_expect_eq(rule_lex_keyword("header", 6), TK_IDENT);
    cr_expect_str_eq(rule_tok_kind_name(TK_FORM), "'form'");
    cr_expect_str_eq(rule_tok_kind_name(TK_LBRACE), "'{'");
}
