/* test_read_date — parsing every export date format, each rejection, calendar arithmetic. */
#include <criterion/criterion.h>
#include <string.h>

#include "read_date.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define OK (-1)

static const struct {
    const char *in;
    int want_rc;
    int y, m, d;
} parse_rows[] = {
    /* accepted formats */
    {"05/01/2024", OK, 2024, 1, 5},
    {"5/1/2024", OK, 2024, 1, 5},
    {"05/1/2024", OK, 2024, 1, 5},
    {"5/01/2024", OK, 2024, 1, 5},
    {"05-01-2024", OK, 2024, 1, 5},
    {"5-1-2024", OK, 2024, 1, 5},
    {"2024-01-05", OK, 2024, 1, 5},
    {"2024-1-5", OK, 2024, 1, 5},
    {"  05/01/2024  ", OK, 2024, 1, 5},
    {"\t2024-01-05\r\n", OK, 2024, 1, 5},
    {"\xc2\xa0" "05/01/2024\xc2\xa0", OK, 2024, 1, 5},
    {"31/12/2025", OK, 2025, 12, 31},
    {"29/02/2024", OK, 2024, 2, 29},
    {"29/02/2000", OK, 2000, 2, 29},
    {"01/01/1945", OK, 1945, 1, 1},
    {"31/12/2100", OK, 2100, 12, 31},
    {"1970-01-01", OK, 1970, 1, 1},
    {"30/04/1975", OK, 1975, 4, 30},
    /* not one of the formats */
    {"", REJ_DATE_FORMAT, 0, 0, 0},
    {"   ", REJ_DATE_FORMAT, 0, 0, 0},
    {"1/1/26", REJ_DATE_FORMAT, 0, 0, 0},
    {"01/01/24", REJ_DATE_FORMAT, 0, 0, 0},
    {"2024/01/05", REJ_DATE_FORMAT, 0, 0, 0},
    {"05.01.2024", REJ_DATE_FORMAT, 0, 0, 0},
    {"05/01-2024", REJ_DATE_FORMAT, 0, 0, 0},
    {"05-01/2024", REJ_DATE_FORMAT, 0, 0, 0},
    {"005/01/2024", REJ_DATE_FORMAT, 0, 0, 0},
    {"05/001/2024", REJ_DATE_FORMAT, 0, 0, 0},
    {"05/01/02024", REJ_DATE_FORMAT, 0, 0, 0},
    {"2024-001-05", REJ_DATE_FORMAT, 0, 0, 0},
    {"2024-01-005", REJ_DATE_FORMAT, 0, 0, 0},
    {"20240105", REJ_DATE_FORMAT, 0, 0, 0},
    {"05/01/2024x", REJ_DATE_FORMAT, 0, 0, 0},
    {"05/01/2024 00:00", REJ_DATE_FORMAT, 0, 0, 0},
    {"2024-01-05T00:00", REJ_DATE_FORMAT, 0, 0, 0},
    {"x05/01/2024", REJ_DATE_FORMAT, 0, 0, 0},
    {"05 /01/2024", REJ_DATE_FORMAT, 0, 0, 0},
    {"/01/2024", REJ_DATE_FORMAT, 0, 0, 0},
    {"05//2024", REJ_DATE_FORMAT, 0, 0, 0},
    {"05/01/", REJ_DATE_FORMAT, 0, 0, 0},
    {"05/01", REJ_DATE_FORMAT, 0, 0, 0},
    {"-05/01/2024", REJ_DATE_FORMAT, 0, 0, 0},
    {"\xef\xbc\x90\x35/01/2024", REJ_DATE_FORMAT, 0, 0, 0}, /* full-width digit */
    /* impossible in the calendar */
    {"01/13/2024", REJ_DATE_IMPOSSIBLE, 0, 0, 0},
    {"31/02/2024", REJ_DATE_IMPOSSIBLE, 0, 0, 0},
    {"30/02/2024", REJ_DATE_IMPOSSIBLE, 0, 0, 0},
    {"29/02/2023", REJ_DATE_IMPOSSIBLE, 0, 0, 0},
    {"29/02/2100", REJ_DATE_IMPOSSIBLE, 0, 0, 0},
    {"31/04/2024", REJ_DATE_IMPOSSIBLE, 0, 0, 0},
    {"00/01/2024", REJ_DATE_IMPOSSIBLE, 0, 0, 0},
    {"01/00/2024", REJ_DATE_IMPOSSIBLE, 0, 0, 0},
    {"32/01/2024", REJ_DATE_IMPOSSIBLE, 0, 0, 0},
    {"2024-02-30", REJ_DATE_IMPOSSIBLE, 0, 0, 0},
    {"2024-13-01", REJ_DATE_IMPOSSIBLE, 0, 0, 0},
    {"00/00/0000", REJ_DATE_IMPOSSIBLE, 0, 0, 0},
    /* outside 1945..2100 */
    {"01/01/1944", REJ_DATE_RANGE, 0, 0, 0},
    {"31/12/1944", REJ_DATE_RANGE, 0, 0, 0},
    {"01/01/2101", REJ_DATE_RANGE, 0, 0, 0},
    {"1900-01-01", REJ_DATE_RANGE, 0, 0, 0},
    {"01/01/0001", REJ_DATE_RANGE, 0, 0, 0},
    {"01/01/9999", REJ_DATE_RANGE, 0, 0, 0},
};

Test(read_date, parse_accepts_each_format_and_rejects_with_the_right_code)
{
    for (size_t i = 0; i < N_ELEMS(parse_rows); i++) {
        thk_date t = 12345;
        int rc = date_parse(parse_rows[i].in, strlen(parse_rows[i].in), &t);
        cr_expect_eq(rc, parse_rows[i].want_rc, "'%s': rc %d want %d", parse_rows[i].in, rc,
                     parse_rows[i].want_rc);
        if (parse_rows[i].want_rc == OK) {
            int y, m, d;
            date_to_ymd(t, &y, &m, &d);
            cr_expect(y == parse_rows[i].y && m == parse_rows[i].m && d == parse_rows[i].d,
                      "'%s' parsed as %d-%d-%d", parse_rows[i].in, y, m, d);
        } else {
            cr_expect_eq(t, 12345, "'%s': out must stay untouched on reject", parse_rows[i].in);
        }
    }
}

Test(read_date, parse_reads_only_the_given_length)
{
    thk_date t;
    cr_expect_eq(date_parse("05/01/2024junk", 10, &t), OK);
    cr_expect_eq(t, date_from_ymd(2024, 1, 5));
    cr_expect_eq(date_parse("05/01/2024", 9, &t), REJ_DATE_FORMAT);
}

Test(read_date, day_numbers_count_from_1970_and_round_trip)
{
    cr_expect_eq(date_from_ymd(1970, 1, 1), 0);
    cr_expect_eq(date_from_ymd(1970, 1, 2), 1);
    cr_expect_eq(date_from_ymd(1969, 12, 31), -1);
    cr_expect_eq(date_from_ymd(2000, 3, 1), 11017);
    cr_expect_eq(date_from_ymd(1945, 1, 1), -9131);
    cr_expect_eq(date_from_ymd(2100, 12, 31), 47846);
    /* Every day from 1940 to 2110 converts back to the same y-m-d, consecutively. */
    thk_date prev = date_from_ymd(1939, 12, 31);
    for (int y = 1940; y <= 2110; y++)
        for (int m = 1; m <= 12; m++)
            for (int d = 1; d <= date_days_in_month(y, m); d++) {
                thk_date t = date_from_ymd(y, m, d);
                cr_assert_eq(t, prev + 1, "%d-%d-%d", y, m, d);
                int yy, mm, dd;
                date_to_ymd(t, &yy, &mm, &dd);
                cr_assert(yy == y && mm == m && dd == d, "%d-%d-%d", y, m, d);
                prev = t;
            }
}

Test(read_date, validity_follows_the_gregorian_leap_rules)
{
    cr_expect(date_valid(2024, 2, 29));
    cr_expect(date_valid(2000, 2, 29));
    cr_expect_not(date_valid(1900, 2, 29));
    cr_expect_not(date_valid(2023, 2, 29));
    cr_expect_not(date_valid(2024, 4, 31));
    cr_expect_not(date_valid(2024, 0, 1));
    cr_expect_not(date_valid(2024, 13, 1));
    cr_expect_not(date_valid(2024, 1, 0));
    cr_expect_eq(date_days_in_month(2024, 2), 29);
    cr_expect_eq(date_days_in_month(2023, 2), 28);
    cr_expect_eq(date_days_in_month(2023, 12), 31);
    cr_expect_eq(date_days_in_month(2023, 11), 30);
    cr_expect_eq(date_days_in_month(2023, 13), 0);
}

static const struct {
    int y, m, d, n;
    int wy, wm, wd;
} add_year_rows[] = {
    {2024, 2, 29, 1, 2025, 2, 28}, {2024, 2, 29, 4, 2028, 2, 29}, {2024, 2, 29, -1, 2023, 2, 28},
    {2023, 3, 1, 1, 2024, 3, 1},   {2020, 12, 31, 5, 2025, 12, 31}, {2026, 1, 15, -5, 2021, 1, 15},
    {2024, 1, 1, 0, 2024, 1, 1},
};

static const struct {
    int y, m, d, n;
    int wy, wm, wd;
} add_month_rows[] = {
    {2024, 1, 31, 1, 2024, 2, 29},  {2023, 1, 31, 1, 2023, 2, 28},   {2024, 3, 31, 1, 2024, 4, 30},
    {2024, 12, 15, 1, 2025, 1, 15}, {2024, 1, 15, -1, 2023, 12, 15}, {2024, 3, 31, -1, 2024, 2, 29},
    {2024, 5, 31, -15, 2023, 2, 28}, {2024, 1, 31, 13, 2025, 2, 28}, {2024, 1, 10, 0, 2024, 1, 10},
    {2024, 1, 10, -12, 2023, 1, 10}, {2024, 1, 10, -13, 2022, 12, 10}, {2024, 1, 10, 120, 2034, 1, 10},
};

Test(read_date, adding_years_and_months_clamps_to_the_end_of_the_month)
{
    for (size_t i = 0; i < N_ELEMS(add_year_rows); i++) {
        thk_date t = date_add_years(
            date_from_ymd(add_year_rows[i].y, add_year_rows[i].m, add_year_rows[i].d),
            add_year_rows[i].n);
        cr_expect_eq(t, date_from_ymd(add_year_rows[i].wy, add_year_rows[i].wm, add_year_rows[i].wd),
                     "years row %zu", i);
    }
    for (size_t i = 0; i < N_ELEMS(add_month_rows); i++) {
        thk_date t = date_add_months(
            date_from_ymd(add_month_rows[i].y, add_month_rows[i].m, add_month_rows[i].d),
            add_month_rows[i].n);
        int y, m, d;
        date_to_ymd(t, &y, &m, &d);
        cr_expect(y == add_month_rows[i].wy && m == add_month_rows[i].wm &&
                      d == add_month_rows[i].wd,
                  "months row %zu: got %d-%d-%d", i, y, m, d);
    }
    cr_expect_eq(date_add_years(THK_DATE_NONE, 1), THK_DATE_NONE);
    cr_expect_eq(date_add_months(THK_DATE_NONE, 1), THK_DATE_NONE);
}

Test(read_date, end_of_month_is_the_last_day)
{
    cr_expect_eq(date_end_of_month(2024, 2), date_from_ymd(2024, 2, 29));
    cr_expect_eq(date_end_of_month(2025, 2), date_from_ymd(2025, 2, 28));
    cr_expect_eq(date_end_of_month(2025, 9), date_from_ymd(2025, 9, 30));
    cr_expect_eq(date_end_of_month(2025, 12), date_from_ymd(2025, 12, 31));
}

static const struct {
    int fy, fm, fd, ty, tm, td;
    int want;
} whole_rows[] = {
    {2020, 1, 15, 2025, 1, 14, 4},  {2020, 1, 15, 2025, 1, 15, 5},  {2020, 1, 15, 2025, 1, 16, 5},
    {2020, 2, 29, 2021, 2, 27, 0},  {2020, 2, 29, 2021, 2, 28, 1},  {2020, 2, 29, 2024, 2, 28, 3},
    {2020, 2, 29, 2024, 2, 29, 4},  {2025, 1, 1, 2024, 1, 1, 0},    {2025, 1, 1, 2025, 1, 1, 0},
    {2020, 12, 31, 2021, 1, 1, 0},  {1945, 9, 2, 2025, 9, 2, 80},   {2021, 9, 30, 2026, 9, 30, 5},
};

Test(read_date, whole_years_follow_the_anniversary_rule)
{
    for (size_t i = 0; i < N_ELEMS(whole_rows); i++) {
        int got = date_whole_years(date_from_ymd(whole_rows[i].fy, whole_rows[i].fm, whole_rows[i].fd),
                                   date_from_ymd(whole_rows[i].ty, whole_rows[i].tm, whole_rows[i].td));
        cr_expect_eq(got, whole_rows[i].want, "row %zu: got %d", i, got);
    }
    cr_expect_eq(date_whole_years(THK_DATE_NONE, 0), 0);
}

Test(read_date, formatting_writes_vietnamese_and_iso_forms)
{
    char out[11];
    date_format(date_from_ymd(2024, 1, 5), out);
    cr_expect_str_eq(out, "05/01/2024");
    date_format_iso(date_from_ymd(2024, 1, 5), out);
    cr_expect_str_eq(out, "2024-01-05");
    date_format(date_from_ymd(2100, 12, 31), out);
    cr_expect_str_eq(out, "31/12/2100");
    date_format_iso(date_from_ymd(1945, 9, 2), out);
    cr_expect_str_eq(out, "1945-09-02");
    date_format(THK_DATE_NONE, out);
    cr_expect_str_eq(out, "");
    date_format_iso(THK_DATE_NONE, out);
    cr_expect_str_eq(out, "");
    /* Formatting and parsing agree. */
    thk_date t;
    date_format(date_from_ymd(1999, 11, 30), out);
    cr_expect_eq(date_parse(out, strlen(out), &t), OK);
    cr_expect_eq(t, date_from_ymd(1999, 11, 30));
    date_format_iso(date_from_ymd(1999, 11, 30), out);
    cr_expect_eq(date_parse(out, strlen(out), &t), OK);
    cr_expect_eq(t, date_from_ymd(1999, 11, 30));
}

Test(read_date, weekdays_from_sunday_zero_across_the_epoch)
{
    cr_expect_eq(date_weekday(date_from_ymd(1970, 1, 1)), 4);  /* a Thursday */
    cr_expect_eq(date_weekday(date_from_ymd(1969, 12, 28)), 0); /* a Sunday, before the epoch */
    cr_expect_eq(date_weekday(date_from_ymd(2026, 12, 3)), 4);
    cr_expect_eq(date_weekday(date_from_ymd(2024, 2, 29)), 4);
    cr_expect_eq(date_weekday(date_from_ymd(2026, 9, 30)), 3);
}
