/* test_period — statistical year windows, custom windows and the same period last year. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "period.h"
#include "read_date.h"

static void pd_expect_window(const period *p, const char *S, const char *E, const char *what)
{
    char s[11], e[11];
    date_format(p->S, s);
    date_format(p->E, e);
    cr_expect_str_eq(s, S, "%s: S", what);
    cr_expect_str_eq(e, E, "%s: E", what);
}

static thk_date pd_date(int d, int m, int y)
{
    return date_from_ymd(y, m, d);
}

Test(period, n_month_windows_run_from_the_year_start_to_the_end_of_the_nth_month)
{
    static const struct {
        int year, months;
        const char *S, *E;
    } rows[] = {
        {2026, 10, "01/10/2025", "31/07/2026"},
        {2026, 12, "01/10/2025", "30/09/2026"},
        {2026, 1, "01/10/2025", "31/10/2025"},
        {2026, 2, "01/10/2025", "30/11/2025"},
        {2026, 3, "01/10/2025", "31/12/2025"},
        {2026, 4, "01/10/2025", "31/01/2026"},
        {2026, 5, "01/10/2025", "28/02/2026"},
        {2024, 5, "01/10/2023", "29/02/2024"},
        {2000, 5, "01/10/1999", "29/02/2000"},
        {2100, 5, "01/10/2099", "28/02/2100"},
        {2026, 6, "01/10/2025", "31/03/2026"},
        {1946, 12, "01/10/1945", "30/09/1946"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        period p;
        char what[32];
        snprintf(what, sizeof what, "%d/%d", rows[i].year, rows[i].months);
        cr_assert(period_months(rows[i].year, rows[i].months, 1, 10, &p), "%s", what);
        cr_expect_eq(p.year, rows[i].year);
        cr_expect_eq(p.months, rows[i].months);
        pd_expect_window(&p, rows[i].S, rows[i].E, what);
    }
}

Test(period, months_and_years_out_of_range_and_impossible_year_starts_are_refused)
{
    period p;
    cr_expect_not(period_months(2026, 0, 1, 10, &p));
    cr_expect_not(period_months(2026, 13, 1, 10, &p));
    cr_expect_not(period_months(2026, -1, 1, 10, &p));
    cr_expect_not(period_months(1945, 12, 1, 10, &p));
    cr_expect_not(period_months(2101, 12, 1, 10, &p));
    cr_expect_not(period_months(2026, 12, 29, 2, &p)); /* not a day of every year */
    cr_expect_not(period_months(2026, 12, 31, 4, &p));
    cr_expect_not(period_months(2026, 12, 0, 10, &p));
    cr_expect_not(period_months(2026, 12, 1, 0, &p));
    cr_expect_not(period_months(2026, 12, 1, 13, &p));
    cr_expect(period_months(2026, 12, 28, 2, &p));
}

Test(period, other_year_starts_end_the_day_before_the_same_day_n_months_later)
{
    static const struct {
        int year, months, day, month;
        const char *S, *E;
    } rows[] = {
        {2026, 12, 1, 1, "01/01/2026", "31/12/2026"}, /* a 01/01 start is the calendar year */
        {2026, 3, 1, 7, "01/07/2025", "30/09/2025"},
        {2026, 1, 15, 10, "15/10/2025", "14/11/2025"},
        {2026, 12, 15, 10, "15/10/2025", "14/10/2026"},
        {2026, 4, 15, 10, "15/10/2025", "14/02/2026"},
        /* day missing in the target month: the window ends on that month's last day */
        {2026, 1, 31, 1, "31/01/2025", "28/02/2025"},
        {2026, 2, 31, 1, "31/01/2025", "30/03/2025"},
        {2026, 12, 31, 1, "31/01/2025", "30/01/2026"},
        {2025, 1, 30, 1, "30/01/2024", "29/02/2024"},
        {2025, 1, 29, 1, "29/01/2024", "28/02/2024"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        period p;
        char what[48];
        snprintf(what, sizeof what, "%d/%d start %d/%d", rows[i].year, rows[i].months,
                 rows[i].day, rows[i].month);
        cr_assert(period_months(rows[i].year, rows[i].months, rows[i].day, rows[i].month, &p),
                  "%s", what);
        pd_expect_window(&p, rows[i].S, rows[i].E, what);
    }
}

Test(period, consecutive_twelve_month_windows_tile_the_calendar)
{
    static const int starts[][2] = {{1, 10}, {1, 1}, {15, 10}, {31, 1}, {28, 2}, {31, 12}};
    for (size_t k = 0; k < sizeof starts / sizeof starts[0]; k++)
        for (int y = 1946; y < 2100; y++) {
            period a, b;
            cr_assert(period_months(y, 12, starts[k][0], starts[k][1], &a));
            cr_assert(period_months(y + 1, 12, starts[k][0], starts[k][1], &b));
            cr_assert_eq(a.E + 1, b.S, "year %d, start %d/%d", y, starts[k][0], starts[k][1]);
            for (int n = 1; n < 12; n++) {
                period c;
                cr_assert(period_months(y, n, starts[k][0], starts[k][1], &c));
                cr_assert_eq(c.S, a.S);
                cr_assert_lt(c.E, a.E);
                cr_assert_geq(c.E, c.S);
            }
        }
}

Test(period, custom_windows_take_the_statistical_year_of_their_end)
{
    period p;
    cr_assert(period_custom(pd_date(1, 3, 2026), pd_date(31, 5, 2026), 1, 10, &p));
    cr_expect_eq(p.year, 2026);
    cr_expect_eq(p.months, 0);
    pd_expect_window(&p, "01/03/2026", "31/05/2026", "custom");

    cr_assert(period_custom(pd_date(1, 1, 2026), pd_date(30, 9, 2026), 1, 10, &p));
    cr_expect_eq(p.year, 2026);
    cr_assert(period_custom(pd_date(1, 1, 2026), pd_date(1, 10, 2026), 1, 10, &p));
    cr_expect_eq(p.year, 2027);
    cr_assert(period_custom(pd_date(5, 5, 2026), pd_date(5, 5, 2026), 1, 10, &p));
    cr_expect_eq(p.S, p.E);
    cr_assert(period_custom(pd_date(1, 1, 2026), pd_date(31, 3, 2026), 1, 1, &p));
    cr_expect_eq(p.year, 2026); /* a 01/01 start: the statistical year is the calendar year */

    cr_expect_not(period_custom(pd_date(2, 5, 2026), pd_date(1, 5, 2026), 1, 10, &p));
    cr_expect_not(period_custom(THK_DATE_NONE, pd_date(1, 5, 2026), 1, 10, &p));
    cr_expect_not(period_custom(pd_date(1, 5, 2026), THK_DATE_NONE, 1, 10, &p));
    cr_expect_not(period_custom(pd_date(1, 5, 2026), pd_date(2, 5, 2026), 30, 2, &p));
}

Test(period, previous_year_shifts_both_ends_back_one_year)
{
    static const struct {
        const char *S, *E, *pS, *pE;
        int months;
    } rows[] = {
        {"01/10/2025", "31/07/2026", "01/10/2024", "31/07/2025", 10},
        {"01/10/2025", "30/09/2026", "01/10/2024", "30/09/2025", 12},
        {"01/10/2023", "29/02/2024", "01/10/2022", "28/02/2023", 5},
        {"01/10/2024", "28/02/2025", "01/10/2023", "29/02/2024", 5}, /* end of month kept */
        {"29/02/2024", "15/03/2024", "28/02/2023", "15/03/2023", 0},
        {"01/03/2026", "31/05/2026", "01/03/2025", "31/05/2025", 0},
        {"15/06/2025", "15/06/2026", "15/06/2024", "15/06/2025", 0},
        {"28/02/2025", "27/02/2026", "28/02/2024", "27/02/2025", 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int d, m, y, d2, m2, y2;
        cr_assert_eq(sscanf(rows[i].S, "%d/%d/%d", &d, &m, &y), 3);
        cr_assert_eq(sscanf(rows[i].E, "%d/%d/%d", &d2, &m2, &y2), 3);
        period p = {2026, rows[i].months, pd_date(d, m, y), pd_date(d2, m2, y2)};
        period q = period_previous_year(&p);
        cr_expect_eq(q.year, 2025);
        cr_expect_eq(q.months, rows[i].months);
        pd_expect_window(&q, rows[i].pS, rows[i].pE, rows[i].E);
    }
}

Test(period, previous_year_of_an_n_month_window_is_that_window_of_the_year_before)
{
    for (int y = 1947; y <= 2100; y++)
        for (int n = 1; n <= 12; n++) {
            period p, want;
            cr_assert(period_months(y, n, 1, 10, &p));
            cr_assert(period_months(y - 1, n, 1, 10, &want));
            period got = period_previous_year(&p);
            cr_assert_eq(got.S, want.S, "%d/%d", y, n);
            cr_assert_eq(got.E, want.E, "%d/%d", y, n);
            cr_assert_eq(got.year, want.year);
        }
}

Test(period, describe_writes_the_vietnamese_period_text)
{
    period p;
    thk_buf b = {0};
    cr_assert(period_months(2026, 10, 1, 10, &p));
    period_describe(&p, &b);
    cr_expect_str_eq(b.data, "10 tháng, từ 01/10/2025 đến 31/07/2026");
    buf_clear(&b);

    cr_assert(period_custom(pd_date(1, 3, 2026), pd_date(31, 5, 2026), 1, 10, &p));
    period_describe(&p, &b);
    cr_expect_str_eq(b.data, "từ 01/03/2026 đến 31/05/2026");

    /* It appends. */
    buf_clear(&b);
    buf_append(&b, "Kỳ báo cáo: ", strlen("Kỳ báo cáo: "));
    cr_assert(period_months(2024, 5, 1, 10, &p));
    period_describe(&p, &b);
    cr_expect_str_eq(b.data, "Kỳ báo cáo: 5 tháng, từ 01/10/2023 đến 29/02/2024");
    buf_free(&b);
}
