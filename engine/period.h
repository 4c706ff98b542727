/* period — the statistical year and report windows (domain.md §1). */
#ifndef PERIOD_H
#define PERIOD_H

#include "thk.h"

typedef struct {
    int year;     /* statistical year Y */
    int months;   /* N of "N tháng", 0 for a custom --from/--to window */
    thk_date S;   /* window start (inclusive) */
    thk_date E;   /* window end, the cut-off (inclusive) */
} period;

/* The N-month window of statistical year `year` (the twelve-month year ending in calendar year
 * `year`) whose year starts on day/month `start_day`, `start_month` (default 01/10, so S is
 * 01/10 of year-1; a 01/01 start gives the calendar year): S = year start, E = last day of the
 * N-th month.
 * Returns false when months is not 1..12 or the year is out of 1946..2100. */
bool period_months(int year, int months, int start_day, int start_month, period *out);
/* A custom window [from, to]; false when to < from. `year` is the statistical year of `to`. */
bool period_custom(thk_date from, thk_date to, int start_day, int start_month, period *out);
/* The same window one year earlier (29/02 → 28/02), for "cùng kỳ năm trước". */
period period_previous_year(const period *p);
/* "10 tháng, từ 01/10/2025 đến 31/07/2026" (or "từ ... đến ..." for a custom window). */
void period_describe(const period *p, thk_buf *out);

#endif
