/* test_read_money — every export money spelling, each rejection, checked arithmetic. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "read_money.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define OK (-1)

static const struct {
    const char *in;
    int want_rc;
    thk_money want;
} parse_rows[] = {
    /* plain and grouped */
    {"0", OK, 0},
    {"7", OK, 7},
    {"007", OK, 7},
    {"1234567", OK, 1234567},
    {"1.234.567", OK, 1234567},
    {"1,234,567", OK, 1234567},
    {"1.234", OK, 1234},
    {"1,234", OK, 1234},
    {"12.345", OK, 12345},
    {"123.456", OK, 123456},
    {"899.999.999.999.999.999", OK, 899999999999999999LL},
    {"999.999.999.999.999.999", REJ_MONEY_RANGE, 0},
    {"20.000.000.000", OK, 20000000000LL},
    /* units and spaces */
    {" 1.234.567 \xc4\x91 ", OK, 1234567},             /* đ */
    {"1234567\xc4\x91", OK, 1234567},                   /* đ glued */
    {"1.234.567 \xc4\x91\xe1\xbb\x93ng", OK, 1234567}, /* đồng */
    {"1,234,567 VND", OK, 1234567},
    {"1234567 vnd", OK, 1234567},
    {"1234567VND", OK, 1234567},
    {"1234567 VN\xc4\x90", OK, 1234567},                /* VNĐ */
    {"500 \xc4\x90\xe1\xbb\x92NG", OK, 500},            /* ĐỒNG */
    {"500 \xc4\x90", OK, 500},                          /* Đ */
    {"500 \xc4\x91o\xcc\x82\xcc\x80ng", OK, 500},       /* đồng in NFD */
    {"500 dong", OK, 500},
    {"500 \xe2\x82\xab", OK, 500},                      /* ₫ */
    {"500\xc2\xa0\xc4\x91", OK, 500},                   /* no-break space before đ */
    {"\t500\r\n", OK, 500},
    {"\xc2\xa0" "500\xc2\xa0", OK, 500},
    /* range edge */
    {"900000000000000000", OK, 900000000000000000LL},
    {"900.000.000.000.000.000", OK, 900000000000000000LL},
    {"900000000000000001", REJ_MONEY_RANGE, 0},
    {"900.000.000.000.000.001", REJ_MONEY_RANGE, 0},
    {"999999999999999999999999999999", REJ_MONEY_RANGE, 0},
    {"9223372036854775808", REJ_MONEY_RANGE, 0},
    {"18446744073709551617", REJ_MONEY_RANGE, 0},
    {"000000000000000000000000000001", OK, 1},
    /* negative */
    {"-100", REJ_MONEY_NEGATIVE, 0},
    {"- 100", REJ_MONEY_NEGATIVE, 0},
    {"(100)", REJ_MONEY_NEGATIVE, 0},
    {"( 1.234 )", REJ_MONEY_NEGATIVE, 0},
    {"(100) \xc4\x91", REJ_MONEY_NEGATIVE, 0},
    {"(100 \xc4\x91)", REJ_MONEY_NEGATIVE, 0},
    {"-1.234.567 VND", REJ_MONEY_NEGATIVE, 0},
    {"\xe2\x88\x92" "100", REJ_MONEY_NEGATIVE, 0}, /* U+2212 */
    {"-1.5", REJ_MONEY_NEGATIVE, 0},
    {"-999999999999999999999", REJ_MONEY_NEGATIVE, 0},
    /* fractions */
    {"1.5", REJ_MONEY_FRACTION, 0},
    {"12,50", REJ_MONEY_FRACTION, 0},
    {"12,5", REJ_MONEY_FRACTION, 0},
    {"1.2345", REJ_MONEY_FRACTION, 0},
    {"1234.567", REJ_MONEY_FRACTION, 0},
    {"0.500", REJ_MONEY_FRACTION, 0},
    {".5", REJ_MONEY_FRACTION, 0},
    {"1.234,56", REJ_MONEY_FRACTION, 0},
    {"1,234.56", REJ_MONEY_FRACTION, 0},
    {"1.234.567,00", REJ_MONEY_FRACTION, 0},
    {"1234567.00 \xc4\x91", REJ_MONEY_FRACTION, 0},
    {"999999999999999999999.5", REJ_MONEY_FRACTION, 0},
    /* format */
    {"", REJ_MONEY_FORMAT, 0},
    {"   ", REJ_MONEY_FORMAT, 0},
    {"abc", REJ_MONEY_FORMAT, 0},
    {"1 2", REJ_MONEY_FORMAT, 0},
    {"1 234 567", REJ_MONEY_FORMAT, 0},
    {"12a", REJ_MONEY_FORMAT, 0},
    {"a12", REJ_MONEY_FORMAT, 0},
    {"\xc4\x91", REJ_MONEY_FORMAT, 0},
    {"VND 100", REJ_MONEY_FORMAT, 0},
    {"100 \xc4\x91 \xc4\x91", REJ_MONEY_FORMAT, 0},
    {"100 USD", REJ_MONEY_FORMAT, 0},
    {"100 \xc4\x91\xe1\xbb\x93ngg", REJ_MONEY_FORMAT, 0},
    {"+100", REJ_MONEY_FORMAT, 0},
    {"100-", REJ_MONEY_FORMAT, 0},
    {"5.", REJ_MONEY_FORMAT, 0},
    {"1..234", REJ_MONEY_FORMAT, 0},
    {"1.23.456", REJ_MONEY_FORMAT, 0},
    {"1.2.3", REJ_MONEY_FORMAT, 0},
    {"0.500.000", REJ_MONEY_FORMAT, 0},
    {"1234.567.890", REJ_MONEY_FORMAT, 0},
    {"1.234.56", REJ_MONEY_FORMAT, 0},
    {"1,2.3", REJ_MONEY_FORMAT, 0},
    {"1.234,5,6", REJ_MONEY_FORMAT, 0},
    {"1.234,", REJ_MONEY_FORMAT, 0},
    {",", REJ_MONEY_FORMAT, 0},
    {"()", REJ_MONEY_FORMAT, 0},
    {"-", REJ_MONEY_FORMAT, 0},
    {"(100", REJ_MONEY_FORMAT, 0},
    {"1e6", REJ_MONEY_FORMAT, 0},
    {"\xef\xbc\x91\xef\xbc\x92", REJ_MONEY_FORMAT, 0}, /* full-width digits */
    {"100\xff", REJ_MONEY_FORMAT, 0},
};

Test(read_money, parse_accepts_each_spelling_and_rejects_with_the_right_code)
{
    for (size_t i = 0; i < N_ELEMS(parse_rows); i++) {
        thk_money v = -42;
        int rc = money_parse(parse_rows[i].in, strlen(parse_rows[i].in), &v);
        cr_expect_eq(rc, parse_rows[i].want_rc, "'%s': rc %d want %d", parse_rows[i].in, rc,
                     parse_rows[i].want_rc);
        if (parse_rows[i].want_rc == OK)
            cr_expect_eq(v, parse_rows[i].want, "'%s': %lld", parse_rows[i].in, (long long)v);
        else
            cr_expect_eq(v, -42, "'%s': out must stay untouched on reject", parse_rows[i].in);
    }
}

Test(read_money, parse_reads_only_the_given_length)
{
    thk_money v;
    cr_expect_eq(money_parse("12345xyz", 5, &v), OK);
    cr_expect_eq(v, 12345);
    cr_expect_eq(money_parse("1.5", 1, &v), OK);
    cr_expect_eq(v, 1);
}

Test(read_money, a_very_long_digit_string_is_out_of_range_without_overflow)
{
    char big[4097];
    memset(big, '9', 4096);
    big[4096] = '\0';
    thk_money v = 0;
    cr_expect_eq(money_parse(big, 4096, &v), REJ_MONEY_RANGE);
}

Test(read_money, add_and_sub_report_overflow_and_keep_the_output)
{
    thk_money r = 7;
    cr_expect(money_add(1, 2, &r));
    cr_expect_eq(r, 3);
    cr_expect(money_add(THK_MONEY_MAX, THK_MONEY_MAX, &r));
    cr_expect_eq(r, 2 * THK_MONEY_MAX);
    r = 7;
    cr_expect_not(money_add(INT64_MAX, 1, &r));
    cr_expect_eq(r, 7);
    cr_expect_not(money_add(INT64_MIN, -1, &r));
    cr_expect_eq(r, 7);
    cr_expect(money_sub(5, 8, &r));
    cr_expect_eq(r, -3);
    r = 7;
    cr_expect_not(money_sub(INT64_MIN, 1, &r));
    cr_expect_not(money_sub(0, INT64_MIN, &r));
    cr_expect_eq(r, 7);
}

static const struct {
    thk_money dong, want;
} thousands_rows[] = {
    {0, 0},         {499, 0},        {500, 1},       {999, 1},          {1000, 1},
    {1499, 1},      {1500, 2},       {1234567, 1235}, {-499, 0},        {-500, -1},
    {-1500, -2},    {-1499, -1},     {THK_MONEY_MAX, 900000000000000LL},
    {INT64_MAX, 9223372036854776LL}, {INT64_MIN, -9223372036854776LL},
};

Test(read_money, thousands_are_rounded_half_up_away_from_zero)
{
    for (size_t i = 0; i < N_ELEMS(thousands_rows); i++)
        cr_expect_eq(money_to_thousands(thousands_rows[i].dong), thousands_rows[i].want,
                     "%lld", (long long)thousands_rows[i].dong);
}

Test(read_money, format_writes_the_plain_integer)
{
    char out[24];
    money_format(0, out);
    cr_expect_str_eq(out, "0");
    money_format(1234567, out);
    cr_expect_str_eq(out, "1234567");
    money_format(-5, out);
    cr_expect_str_eq(out, "-5");
    money_format(THK_MONEY_MAX, out);
    cr_expect_str_eq(out, "900000000000000000");
    money_format(INT64_MAX, out);
    cr_expect_str_eq(out, "9223372036854775807");
    money_format(INT64_MIN, out);
    cr_expect_str_eq(out, "-9223372036854775808");
    /* Formatting and parsing agree. */
    thk_money v;
    money_format(987654321, out);
    cr_expect_eq(money_parse(out, strlen(out), &v), OK);
    cr_expect_eq(v, 987654321);
}

Test(read_money, scaling_rounds_half_away_from_zero_at_any_power_of_ten)
{
    cr_expect_eq(money_scale(2500499, 1), 2500499);
    cr_expect_eq(money_scale(2500, 1000), 3);
    cr_expect_eq(money_scale(2499, 1000), 2);
    cr_expect_eq(money_scale(-2500, 1000), -3);
    cr_expect_eq(money_scale(-2499, 1000), -2);
    cr_expect_eq(money_scale(1499999, 1000000), 1);
    cr_expect_eq(money_scale(1500000, 1000000), 2);
    cr_expect_eq(money_scale(-1500000, 1000000), -2);
    cr_expect_eq(money_scale(THK_MONEY_MAX, 1000000000), 900000000);
    for (int64_t v = -3000; v <= 3000; v += 7)
        cr_expect_eq(money_scale(v, 1000), money_to_thousands(v), "at %lld", (long long)v);
}
