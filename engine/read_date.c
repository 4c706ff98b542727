/* read_date — civil dates: parsing the export formats, calendar arithmetic, formatting. */
#include "read_date.h"

#include "read_text.h"

/* Calendar conversions follow Howard Hinnant's days_from_civil / civil_from_days
 * (http://howardhinnant.github.io/date_algorithms.html), computed in 64 bits. */
thk_date date_from_ymd(int y, int m, int d)
{
    int64_t yy = (int64_t)y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (int64_t)(m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (thk_date)(era * 146097 + doe - 719468);
}

void date_to_ymd(thk_date t, int *y, int *m, int *d)
{
    int64_t z = (int64_t)t + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t dd = doy - (153 * mp + 2) / 5 + 1;
    int64_t mm = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yoe + era * 400 + (mm <= 2));
    *m = (int)mm;
    *d = (int)dd;
}

static bool date_is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int date_days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    return m == 2 && date_is_leap(y) ? 29 : days[m - 1];
}

int date_weekday(thk_date t)
{
    int w = (int)((t + 4) % 7); /* 1970-01-01 was a Thursday */
    return w < 0 ? w + 7 : w;
}

bool date_valid(int y, int m, int d)
{
    return m >= 1 && m <= 12 && d >= 1 && d <= date_days_in_month(y, m);
}

/* A run of ASCII digits at s[*i..len), consumed whole: returns its length, capped at 5 (every
 * caller rejects runs longer than 4), and sets *value to the number its first 5 digits make. */
static size_t date_digits(const char *s, size_t len, size_t *i, int *value)
{
    size_t n = 0;
    int v = 0;
    while (*i < len && s[*i] >= '0' && s[*i] <= '9') {
        if (n < 5) {
            v = v * 10 + (s[*i] - '0');
            n++;
        }
        (*i)++;
    }
    *value = v;
    return n;
}

/* date := day sep month sep year4 | year4 '-' month '-' day
 * sep  := '/' | '-' (the same twice); day, month := 1 or 2 digits; year4 := 4 digits.
 * Validity of the day in its month is checked before the year range. */
int date_parse(const char *s, size_t len, thk_date *out)
{
    size_t n;
    const char *t = text_trim(s, len, &n);
    size_t i = 0;
    int a, b, c;
    size_t na = date_digits(t, n, &i, &a);
    if (na == 0 || i >= n || (t[i] != '/' && t[i] != '-'))
        return REJ_DATE_FORMAT;
    char sep = t[i++];
    size_t nb = date_digits(t, n, &i, &b);
    if (nb == 0 || i >= n || t[i] != sep)
        return REJ_DATE_FORMAT;
    i++;
    size_t nc = date_digits(t, n, &i, &c);
    if (nc == 0 || i != n)
        return REJ_DATE_FORMAT;
    int y, m, d;
    if (na <= 2 && nb <= 2 && nc == 4) {
        d = a;
        m = b;
        y = c;
    } else if (sep == '-' && na == 4 && nb <= 2 && nc <= 2) {
        y = a;
        m = b;
        d = c;
    } else {
        return REJ_DATE_FORMAT;
    }
    if (!date_valid(y, m, d))
        return REJ_DATE_IMPOSSIBLE;
    if (y < 1945 || y > 2100)
        return REJ_DATE_RANGE;
    *out = date_from_ymd(y, m, d);
    return -1;
}

/* y-m with the day clamped to the end of the month. */
static thk_date date_clamped(int y, int m, int d)
{
    int dim = date_days_in_month(y, m);
    return date_from_ymd(y, m, d > dim ? dim : d);
}

thk_date date_add_years(thk_date t, int n)
{
    if (t == THK_DATE_NONE)
        return THK_DATE_NONE;
    int y, m, d;
    date_to_ymd(t, &y, &m, &d);
    return date_clamped(y + n, m, d);
}

thk_date date_add_months(thk_date t, int n)
{
    if (t == THK_DATE_NONE)
        return THK_DATE_NONE;
    int y, m, d;
    date_to_ymd(t, &y, &m, &d);
    int64_t total = (int64_t)y * 12 + (m - 1) + n;
    int64_t ny = total >= 0 ? total / 12 : -((-total + 11) / 12);
    int nm = (int)(total - ny * 12) + 1;
    return date_clamped((int)ny, nm, d);
}

thk_date date_end_of_month(int y, int m)
{
    return date_from_ymd(y, m, date_days_in_month(y, m));
}

int date_whole_years(thk_date from, thk_date to)
{
    if (from == THK_DATE_NONE || to == THK_DATE_NONE || to < from)
        return 0;
    int fy, fm, fd, ty, tm, td;
    date_to_ymd(from, &fy, &fm, &fd);
    date_to_ymd(to, &ty, &tm, &td);
    int years = ty - fy;
    if (years > 0 && date_add_years(from, years) > to)
        years--;
    return years;
}

/* Writes v as exactly `width` decimal digits (v is reduced modulo 10^width). */
static void date_put_digits(char *out, unsigned v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

void date_format(thk_date t, char out[11])
{
    if (t == THK_DATE_NONE) {
        out[0] = '\0';
        return;
    }
    int y, m, d;
    date_to_ymd(t, &y, &m, &d);
    date_put_digits(out, (unsigned)d, 2);
    out[2] = '/';
    date_put_digits(out + 3, (unsigned)m, 2);
    out[5] = '/';
    date_put_digits(out + 6, (unsigned)(y < 0 ? 0 : y), 4);
    out[10] = '\0';
}

void date_format_iso(thk_date t, char out[11])
{
    if (t == THK_DATE_NONE) {
        out[0] = '\0';
        return;
    }
    int y, m, d;
    date_to_ymd(t, &y, &m, &d);
    date_put_digits(out, (unsigned)(y < 0 ? 0 : y), 4);
    out[4] = '-';
    date_put_digits(out + 5, (unsigned)m, 2);
    out[7] = '-';
    date_put_digits(out + 8, (unsigned)d, 2);
    out[10] = '\0';
}
