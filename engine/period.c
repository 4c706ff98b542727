/* period — the statistical year and report windows (domain.md §1).
 *
 * Year start. Statistical year Y is the twelve-month year that ends in calendar year Y: it starts
 * on year_start (day/month) of Y−1 (default 01/10: 01/10/2025–30/09/2026 for 2026), or of Y
 * itself when the year starts on 01/01 (a calendar year). An N-month window ends the day before the
 * same day-of-month N months after S; when that day does not exist in the target month (start
 * on the 29th–31st), the window ends on the last day of the target month. For the usual start
 * on the 1st this is exactly "the last day of the N-th month". A year start on 29/02 is refused
 * (it does not exist every year), as is any day/month that is not a calendar day. */
#include "period.h"

#include "read_date.h"

/* True when day/month can start a statistical year: a day that exists in every year. */
static bool period_start_ok(int start_day, int start_month)
{
    if (start_month < 1 || start_month > 12 || start_day < 1)
        return false;
    int max = start_month == 2 ? 28 : date_days_in_month(2001, start_month);
    return start_day <= max;
}

/* The calendar year in which statistical year `year` starts. */
static int period_start_year(int year, int start_day, int start_month)
{
    return start_day == 1 && start_month == 1 ? year : year - 1;
}

/* The day before day `d` of the month `n` months after y-m; the last day of that month when
 * day d does not exist there. */
static thk_date period_end_after(int y, int m, int d, int n)
{
    int idx = y * 12 + (m - 1) + n;
    int ty = idx / 12, tm = idx % 12 + 1;
    if (d > date_days_in_month(ty, tm))
        return date_end_of_month(ty, tm);
    return date_from_ymd(ty, tm, d) - 1;
}

bool period_months(int year, int months, int start_day, int start_month, period *out)
{
    if (months < 1 || months > 12 || year < 1946 || year > 2100)
        return false;
    if (!period_start_ok(start_day, start_month))
        return false;
    out->year = year;
    out->months = months;
    int sy = period_start_year(year, start_day, start_month);
    out->S = date_from_ymd(sy, start_month, start_day);
    out->E = period_end_after(sy, start_month, start_day, months);
    return true;
}

bool period_custom(thk_date from, thk_date to, int start_day, int start_month, period *out)
{
    if (from == THK_DATE_NONE || to == THK_DATE_NONE || to < from)
        return false;
    if (!period_start_ok(start_day, start_month))
        return false;
    int y, m, d;
    date_to_ymd(to, &y, &m, &d);
    /* The statistical year containing `to` starts on year_start of y when that day has passed,
     * else of y-1; its number Y is the one whose start year is that year. */
    thk_date start_in_y = date_from_ymd(y, start_month, start_day);
    int start_year = to >= start_in_y ? y : y - 1;
    out->year = start_day == 1 && start_month == 1 ? start_year : start_year + 1;
    out->months = 0;
    out->S = from;
    out->E = to;
    return true;
}

period period_previous_year(const period *p)
{
    period r = *p;
    r.year = p->year - 1;
    if (p->S != THK_DATE_NONE)
        r.S = date_add_years(p->S, -1);
    if (p->E != THK_DATE_NONE) {
        int y, m, d;
        date_to_ymd(p->E, &y, &m, &d);
        /* An end of month stays an end of month: 28/02/2025 → 29/02/2024, 29/02 → 28/02. */
        if (d == date_days_in_month(y, m))
            r.E = date_end_of_month(y - 1, m);
        else
            r.E = date_add_years(p->E, -1);
    }
    return r;
}

void period_describe(const period *p, thk_buf *out)
{
    char s[11], e[11];
    date_format(p->S, s);
    date_format(p->E, e);
    if (p->months > 0)
        buf_printf(out, "%d tháng, từ %s đến %s", p->months, s, e);
    else
        buf_printf(out, "từ %s đến %s", s, e);
}
