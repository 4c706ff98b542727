/* read_date — civil dates: parsing the export formats, calendar arithmetic, formatting. */
#ifndef READ_DATE_H
#define READ_DATE_H

#include "thk.h"

/* Days since 1970-01-01 of a valid y-m-d (no validation; see date_valid). */
thk_date date_from_ymd(int y, int m, int d);
/* The y-m-d of a day number. */
void date_to_ymd(thk_date t, int *y, int *m, int *d);
/* Day of the week: 0 = Sunday ... 6 = Saturday. */
int date_weekday(thk_date t);
/* True when y-m-d exists in the Gregorian calendar. */
bool date_valid(int y, int m, int d);
int date_days_in_month(int y, int m);

/* Parses a trimmed date: dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, yyyy-mm-dd (surrounding spaces
 * allowed). Returns -1 on success with *out set, or the reject: REJ_DATE_FORMAT (not one of the
 * formats), REJ_DATE_IMPOSSIBLE (31/02/2024), REJ_DATE_RANGE (year < 1945 or > 2100). */
int date_parse(const char *s, size_t len, thk_date *out);

/* t plus n calendar years (n may be negative); 29/02 becomes 28/02 in a non-leap year. */
thk_date date_add_years(thk_date t, int n);
/* t plus n calendar months; the day is clamped to the end of the target month. */
thk_date date_add_months(thk_date t, int n);
/* The last day of month m of year y. */
thk_date date_end_of_month(int y, int m);
/* Whole years from `from` to `to` (anniversary rule, 29/02 → 28/02); 0 when to < from. */
int date_whole_years(thk_date from, thk_date to);

/* Writes "dd/mm/yyyy" (11 bytes with NUL) into out; "" for THK_DATE_NONE. */
void date_format(thk_date t, char out[11]);
/* Writes ISO "yyyy-mm-dd" into out; "" for THK_DATE_NONE. */
void date_format_iso(thk_date t, char out[11]);

#endif
