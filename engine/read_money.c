/* read_money — exact integer đồng: parsing the export formats, checked arithmetic, formatting. */
#include "read_money.h"

#include <string.h>
#include <utf8proc.h>

#include "read_text.h"

/* How the body of an amount is read (money_body):
 *   - digits only: "1234567", leading zeros allowed ("007" = 7);
 *   - one kind of separator ('.' or ','), valid thousands grouping: a first group of 1–3 digits
 *     not starting with 0, then groups of exactly 3: "1.234.567", "1,234", "1.234" = 1234;
 *   - one separator that is not valid grouping is a decimal point → REJ_MONEY_FRACTION:
 *     "1.5", "12,50", "1.2345", "1234.567", "0.500", ".5"; but "5." (nothing after) is a format
 *     error;
 *   - both separators: the last one, appearing once with digits after it and valid grouping
 *     with the other before it, is a decimal comma/point → REJ_MONEY_FRACTION ("1.234,56",
 *     "1,234.56", "1.234.567,00" — a zero fraction is still a fraction); any other mix is a
 *     format error;
 *   - two or more separators of one kind with bad grouping ("1.23.456") → REJ_MONEY_FORMAT.
 * Around the body: surrounding spaces, one trailing unit (đ, đồng, dong, VND, VNĐ, ₫; any case,
 * NFC or NFD), a leading '-' or U+2212 or enclosing parentheses for a negative amount.
 * Precedence when several things are wrong: FORMAT, then NEGATIVE, then FRACTION, then RANGE
 * ("-1.5" is negative, "(99999999999999999999)" negative, "1.5" with 30 digits a fraction). */

enum { MONEY_OK = -1 };

static bool money_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Adds the digits of s[0..n) to *v; once *v passes THK_MONEY_MAX it stops growing and *over is
 * set (THK_MONEY_MAX * 10 + 9 still fits in int64, so nothing overflows). */
static void money_accumulate(const char *s, size_t n, thk_money *v, bool *over)
{
    for (size_t i = 0; i < n; i++) {
        if (*over)
            return;
        *v = *v * 10 + (s[i] - '0');
        if (*v > THK_MONEY_MAX)
            *over = true;
    }
}

/* True when s[0..n) (digits and `sep` only, at least one sep) is valid thousands grouping. */
static bool money_grouped(const char *s, size_t n, char sep)
{
    size_t i = 0;
    while (i < n && money_is_digit(s[i]))
        i++;
    if (i < 1 || i > 3 || s[0] == '0' || i == n)
        return false;
    while (i < n) {
        if (s[i] != sep || i + 4 > n)
            return false;
        for (size_t k = 1; k <= 3; k++)
            if (!money_is_digit(s[i + k]))
                return false;
        i += 4;
    }
    return true;
}

/* The value of digits-and-separators s[0..n) (see the rules at the top). Returns MONEY_OK,
 * REJ_MONEY_FORMAT or REJ_MONEY_FRACTION. */
static int money_body(const char *s, size_t n, thk_money *v, bool *over)
{
    size_t dots = 0, commas = 0, last_sep = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.' || s[i] == ',') {
            if (s[i] == '.')
                dots++;
            else
                commas++;
            last_sep = i;
        } else if (!money_is_digit(s[i])) {
            return REJ_MONEY_FORMAT;
        }
    }
    if (n == 0)
        return REJ_MONEY_FORMAT;
    *v = 0;
    *over = false;
    if (dots == 0 && commas == 0) {
        money_accumulate(s, n, v, over);
        return MONEY_OK;
    }
    if (dots && commas) {
        char dec = s[last_sep], group = dec == '.' ? ',' : '.';
        size_t dec_count = dec == '.' ? dots : commas;
        if (dec_count == 1 && last_sep + 1 < n && money_grouped(s, last_sep, group))
            return REJ_MONEY_FRACTION;
        return REJ_MONEY_FORMAT;
    }
    char sep = dots ? '.' : ',';
    if (money_grouped(s, n, sep)) {
        for (size_t i = 0; i < n; i++)
            if (s[i] != sep)
                money_accumulate(s + i, 1, v, over);
        return MONEY_OK;
    }
    if (dots + commas == 1 && last_sep + 1 < n)
        return REJ_MONEY_FRACTION;
    return REJ_MONEY_FORMAT;
}

/* Decodes one code point of valid UTF-8 at s (the caller has checked validity). */
static int32_t money_decode(const unsigned char *s, size_t *adv)
{
    if (s[0] < 0x80) {
        *adv = 1;
        return s[0];
    }
    size_t n = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : 2;
    int32_t cp = s[0] & (0x7F >> n);
    for (size_t i = 1; i < n; i++)
        cp = (cp << 6) | (s[i] & 0x3F);
    *adv = n;
    return cp;
}

/* True when the word s[0..n) (possibly preceded by no-break spaces) is a currency unit: after
 * dropping marks and folding case it reads "d", "dong" or "vnd" (đ, ₫ count as d). */
static bool money_is_unit(const char *s, size_t n)
{
    if (n == 0 || n > 32 || text_utf8_invalid_at(s, n) >= 0)
        return false;
    const unsigned char *u = (const unsigned char *)s;
    char word[8];
    size_t w = 0, i = 0;
    bool started = false;
    while (i < n) {
        size_t adv;
        int32_t cp = money_decode(u + i, &adv);
        i += adv;
        if (!started && (cp == 0xA0 || cp == 0x202F))
            continue;
        started = true;
        if (cp >= 0x300 && cp <= 0x36F)
            continue;
        if (cp == 0x111 || cp == 0x110 || cp == 0x20AB) {
            cp = 'd';
        } else if (cp >= 0xC0) {
            utf8proc_int32_t base[4];
            utf8proc_ssize_t k =
                utf8proc_decompose_char(cp, base, 4, UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK, NULL);
            if (k != 1)
                return false;
            cp = base[0];
        }
        if (cp >= 'A' && cp <= 'Z')
            cp += 'a' - 'A';
        if (cp < 'a' || cp > 'z' || w + 1 >= sizeof word)
            return false;
        word[w++] = (char)cp;
    }
    word[w] = '\0';
    return strcmp(word, "d") == 0 || strcmp(word, "dong") == 0 || strcmp(word, "vnd") == 0;
}

/* Removes one trailing unit word (and the spaces before it) from s[0..*n). */
static void money_strip_unit(const char *s, size_t *n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t b = *n;
    while (b > 0 && (u[b - 1] >= 0x80 || (u[b - 1] >= 'a' && u[b - 1] <= 'z') ||
                     (u[b - 1] >= 'A' && u[b - 1] <= 'Z')))
        b--;
    if (b == *n || !money_is_unit(s + b, *n - b))
        return;
    text_trim(s, b, n);
}

int money_parse(const char *s, size_t len, thk_money *out)
{
    size_t n;
    const char *t = text_trim(s, len, &n);
    money_strip_unit(t, &n);
    bool neg = false;
    if (n >= 2 && t[0] == '(' && t[n - 1] == ')') {
        neg = true;
        t = text_trim(t + 1, n - 2, &n);
        money_strip_unit(t, &n);
    } else if (n >= 1 && t[0] == '-') {
        neg = true;
        t = text_trim(t + 1, n - 1, &n);
    } else if (n >= 3 && memcmp(t, "\xe2\x88\x92", 3) == 0) { /* U+2212 MINUS SIGN */
        neg = true;
        t = text_trim(t + 3, n - 3, &n);
    }
    thk_money v = 0;
    bool over = false;
    int rc = money_body(t, n, &v, &over);
    if (rc == REJ_MONEY_FORMAT)
        return REJ_MONEY_FORMAT;
    if (neg)
        return REJ_MONEY_NEGATIVE;
    if (rc == REJ_MONEY_FRACTION)
        return REJ_MONEY_FRACTION;
    if (over)
        return REJ_MONEY_RANGE;
    *out = v;
    return MONEY_OK;
}

bool money_add(thk_money a, thk_money b, thk_money *out)
{
    thk_money r;
    if (__builtin_add_overflow(a, b, &r))
        return false;
    *out = r;
    return true;
}

bool money_sub(thk_money a, thk_money b, thk_money *out)
{
    thk_money r;
    if (__builtin_sub_overflow(a, b, &r))
        return false;
    *out = r;
    return true;
}

thk_money money_scale(thk_money dong, int64_t div)
{
    if (div <= 1)
        return dong;
    thk_money q = dong / div, r = dong % div;
    if (r >= div - r)
        q++;
    else if (-r >= div + r)
        q--;
    return q;
}

thk_money money_to_thousands(thk_money dong)
{
    thk_money q = dong / 1000, r = dong % 1000;
    if (r >= 500)
        q++;
    else if (r <= -500)
        q--;
    return q;
}

void money_format(thk_money v, char *out)
{
    char tmp[24];
    size_t n = 0;
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag);
    size_t o = 0;
    if (v < 0)
        out[o++] = '-';
    while (n)
        out[o++] = tmp[--n];
    out[o] = '\0';
}
