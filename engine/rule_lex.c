/* rule_lex — turns rule-file text into tokens with line/column; context-free except for the
 * test-value modes the parser asks for. */
#include "rule_lex.h"

#include "read_date.h"
#include "read_text.h"
#include "rule_map.h"

#include <stdio.h>
#include <string.h>

static const char *const lex_keywords[] = {
#define RULE_X_KW(t, s) s,
    RULE_KEYWORD_LIST(RULE_X_KW)
#undef RULE_X_KW
};
#define LEX_NKW (sizeof lex_keywords / sizeof lex_keywords[0])

rule_tok_kind rule_lex_keyword(const char *name, size_t len)
{
    for (size_t k = 0; k < LEX_NKW; k++)
        if (lex_keywords[k][0] == name[0] && strncmp(lex_keywords[k], name, len) == 0 &&
            lex_keywords[k][len] == '\0')
            return (rule_tok_kind)(TK_VERSION + (int)k);
    return TK_IDENT;
}

const char *rule_tok_kind_name(rule_tok_kind k)
{
    static const char *const names[] = {
        "hết tệp", "ký hiệu không hợp lệ", "tên", "số nguyên", "tỷ lệ phần trăm", "chuỗi",
        "ngày", "ngày/tháng", "khoảng thời gian", "mẫu", "từ", "'{'", "'}'", "'('", "')'", "'['", "']'",
        "','", "'.'", "'|'", "'*'", "'='", "'!='", "'<'", "'<='", "'>'", "'>='", "'+'", "'-'",
        "'~'",
    };
    static char kwname[LEX_NKW][24];
    if (k >= TK_VERSION && k < TK__COUNT) {
        size_t i = (size_t)(k - TK_VERSION);
        if (!kwname[i][0])
            snprintf(kwname[i], sizeof kwname[i], "'%s'", lex_keywords[i]);
        return kwname[i];
    }
    if ((size_t)k < sizeof names / sizeof names[0])
        return names[k];
    return "?";
}

void rule_lex_init(rule_lexer *lx, const rule_diag *d, int file, rule_arena *arena)
{
    const rule_src *s = rule_diag_source(d, file);
    lx->diag = d;
    lx->text = s->text;
    lx->len = s->len;
    lx->pos = 0;
    lx->file = file;
    lx->arena = arena;
    lx->c_off = 0;
    lx->c_ls = 0;
    lx->c_line = 1;
    lx->c_col = 1;
    if (lx->len >= 3 && memcmp(lx->text, "\xEF\xBB\xBF", 3) == 0)
        lx->pos = 3;
}

static bool lex_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool lex_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int lex_at(const rule_lexer *lx, size_t i)
{
    return i < lx->len ? (unsigned char)lx->text[i] : -1;
}

/* The location of [off, off+len): tokens come in order, so the line and the column continue
 * from the last one instead of rescanning the file or the line (a 12 MB one-line rule file
 * stays linear). */
static rule_loc lex_loc(rule_lexer *lx, size_t off, size_t len)
{
    if (off < lx->c_off)
        return rule_diag_loc(lx->diag, lx->file, off, len);
    for (size_t i = lx->c_off; i < off; i++) {
        unsigned char c = (unsigned char)lx->text[i];
        if (c == '\n') {
            lx->c_line++;
            lx->c_ls = i + 1;
            lx->c_col = 1;
        } else if ((c & 0xC0) != 0x80) {
            lx->c_col++;
        }
    }
    lx->c_off = off;
    return (rule_loc){lx->file, lx->c_line, lx->c_col, (uint32_t)off, (uint32_t)len};
}

/* Makes t an error token spanning [start, pos) with the problem at [eoff, eoff+elen). */
static void lex_error(rule_lexer *lx, rule_tok *t, size_t start, size_t eoff, size_t elen,
                      const char *msg)
{
    t->kind = TK_ERROR;
    t->loc = lex_loc(lx, start, lx->pos > start ? lx->pos - start : 1);
    t->eloc = lex_loc(lx, eoff, elen ? elen : 1);
    t->s = rule_arena_strndup(lx->arena, msg, strlen(msg));
    t->slen = strlen(msg);
}

static void lex_skip_space(rule_lexer *lx)
{
    for (;;) {
        int c = lex_at(lx, lx->pos);
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
            lx->pos++;
        } else if (c == '#') {
            while (lx->pos < lx->len && lx->text[lx->pos] != '\n')
                lx->pos++;
        } else {
            return;
        }
    }
}

static size_t lex_line_end(const rule_lexer *lx, size_t from)
{
    while (from < lx->len && lx->text[from] != '\n' && lx->text[from] != '\r')
        from++;
    return from;
}

/* Length of the UTF-8 sequence starting at i (1 for a stray byte). */
static size_t lex_cp_len(const rule_lexer *lx, size_t i)
{
    unsigned char c = (unsigned char)lx->text[i];
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (i + n > lx->len)
        n = lx->len - i;
    return n ? n : 1;
}

/* STRING = '"' { char | '\"' | '\\' } '"' ; on one line. */
static void lex_string(rule_lexer *lx, rule_tok *t)
{
    size_t start = lx->pos++;
    thk_buf raw = {0}, nfc = {0};
    size_t bad = SIZE_MAX;
    for (;;) {
        int c = lex_at(lx, lx->pos);
        if (c < 0 || c == '\n' || c == '\r') {
            lx->pos = lex_line_end(lx, start);
            lex_error(lx, t, start, start, lx->pos - start, "chuỗi chưa đóng ngoặc kép");
            goto out;
        }
        if (c == '"') {
            lx->pos++;
            break;
        }
        if (c == '\\') {
            int n = lex_at(lx, lx->pos + 1);
            if (n == '"' || n == '\\') {
                buf_putc(&raw, (char)n);
                lx->pos += 2;
                continue;
            }
            if (bad == SIZE_MAX)
                bad = lx->pos;
            lx->pos++;
            continue;
        }
        buf_putc(&raw, (char)c);
        lx->pos++;
    }
    if (bad != SIZE_MAX) {
        char msg[96];
        size_t n = bad + 1 < lx->len ? lex_cp_len(lx, bad + 1) : 0;
        snprintf(msg, sizeof msg, "ký tự thoát không có '\\%.*s' trong chuỗi (chỉ có \\\" và "
                                  "\\\\)",
                 (int)n, lx->text + bad + 1);
        lex_error(lx, t, start, bad, 1 + n, msg);
        goto out;
    }
    if (text_nfc(raw.data ? raw.data : "", raw.len, &nfc) != 0) {
        lex_error(lx, t, start, start, lx->pos - start, "chuỗi không phải UTF-8 hợp lệ");
        goto out;
    }
    t->kind = TK_STRING;
    t->loc = lex_loc(lx, start, lx->pos - start);
    t->s = rule_arena_strndup(lx->arena, nfc.data ? nfc.data : "", nfc.len);
    t->slen = nfc.len;
out:
    buf_free(&raw);
    buf_free(&nfc);
}

/* PATTERN = '/' { char | '\' char | '[' ... ']' } '/' { 'i' | 'a' | 'x' } ; on one line. A '/'
 * inside a character class does not end the pattern. */
static void lex_pattern(rule_lexer *lx, rule_tok *t)
{
    size_t start = lx->pos++;
    bool in_class = false;
    size_t class_start = 0;
    for (;;) {
        int c = lex_at(lx, lx->pos);
        if (c < 0 || c == '\n' || c == '\r') {
            lx->pos = lex_line_end(lx, start);
            lex_error(lx, t, start, start, lx->pos - start, "mẫu (pattern) chưa đóng (thiếu '/')");
            return;
        }
        if (c == '\\') {
            int n = lex_at(lx, lx->pos + 1);
            if (n < 0 || n == '\n' || n == '\r') {
                lx->pos++;
                continue;
            }
            lx->pos += 2;
            continue;
        }
        if (in_class) {
            if (c == ']' && lx->pos > class_start)
                in_class = false;
            lx->pos++;
            continue;
        }
        if (c == '[') {
            in_class = true;
            lx->pos++;
            if (lex_at(lx, lx->pos) == '^')
                lx->pos++;
            class_start = lx->pos; /* a ']' right after '[' or '[^' is literal */
            continue;
        }
        if (c == '/')
            break;
        lx->pos++;
    }
    size_t body = start + 1, blen = lx->pos - body;
    lx->pos++;
    unsigned flags = 0;
    while (lex_alpha(lex_at(lx, lx->pos)) || lex_digit(lex_at(lx, lx->pos))) {
        int c = lex_at(lx, lx->pos);
        unsigned f = c == 'i' ? RULE_PAT_I : c == 'a' ? RULE_PAT_A : c == 'x' ? RULE_PAT_X : 0;
        if (!f || (flags & f)) {
            size_t at = lx->pos;
            while (lex_alpha(lex_at(lx, lx->pos)) || lex_digit(lex_at(lx, lx->pos)))
                lx->pos++;
            char msg[96];
            snprintf(msg, sizeof msg, f ? "cờ '%c' của mẫu khai hai lần"
                                        : "cờ mẫu không có: '%c' (các cờ: i, a, x)",
                     c);
            lex_error(lx, t, start, at, 1, msg);
            return;
        }
        flags |= f;
        lx->pos++;
    }
    t->kind = TK_PATTERN;
    t->loc = lex_loc(lx, start, lx->pos - start);
    t->s = rule_arena_strndup(lx->arena, lx->text + body, blen);
    t->slen = blen;
    t->j = flags;
}

/* Reads up to `max` digits at pos; returns the count and the value in *v. */
static size_t lex_digits(rule_lexer *lx, size_t max, int *v)
{
    size_t n = 0;
    int x = 0;
    while (n < max && lex_digit(lex_at(lx, lx->pos))) {
        x = x * 10 + (lx->text[lx->pos] - '0');
        lx->pos++;
        n++;
    }
    *v = x;
    return n;
}

static bool lex_word_is(const rule_lexer *lx, size_t at, size_t n, const char *w)
{
    return strlen(w) == n && memcmp(lx->text + at, w, n) == 0;
}

/* DATE = d{1,2} '/' d{1,2} '/' dddd ; DAYMONTH = d{1,2} '/' d{1,2} ; after the first digits. */
static void lex_date(rule_lexer *lx, rule_tok *t, size_t start)
{
    lx->pos = start;
    int d, m, y = 0;
    size_t nd = lex_digits(lx, 3, &d);
    bool ok = nd <= 2 && lex_at(lx, lx->pos) == '/';
    size_t nm = 0, ny = 0;
    if (ok) {
        lx->pos++;
        nm = lex_digits(lx, 3, &m);
        ok = nm >= 1 && nm <= 2;
    }
    bool has_year = ok && lex_at(lx, lx->pos) == '/' && lex_digit(lex_at(lx, lx->pos + 1));
    if (has_year) {
        lx->pos++;
        ny = lex_digits(lx, 5, &y);
        ok = ny == 4;
    }
    if (ok && (lex_alpha(lex_at(lx, lx->pos)) || lex_digit(lex_at(lx, lx->pos)) ||
               lex_at(lx, lx->pos) == '/'))
        ok = false;
    if (!ok) {
        while (lex_alpha(lex_at(lx, lx->pos)) || lex_digit(lex_at(lx, lx->pos)) ||
               lex_at(lx, lx->pos) == '/')
            lx->pos++;
        lex_error(lx, t, start, start, lx->pos - start,
                  "ngày viết sai (viết dd/mm/yyyy, hoặc dd/mm cho year_start)");
        return;
    }
    if (!has_year) {
        if (m < 1 || m > 12 || d < 1 || d > 31) {
            lex_error(lx, t, start, start, lx->pos - start, "ngày/tháng không có thật");
            return;
        }
        t->kind = TK_DAYMONTH;
        t->i = d;
        t->j = m;
    } else {
        if (y < 1900 || y > 2200) {
            lex_error(lx, t, start, start, lx->pos - start,
                      "ngày ngoài khoảng (năm 1900 đến 2200)");
            return;
        }
        if (!date_valid(y, m, d)) {
            lex_error(lx, t, start, start, lx->pos - start, "ngày không có thật");
            return;
        }
        t->kind = TK_DATE;
        t->i = date_from_ymd(y, m, d);
    }
    t->loc = lex_loc(lx, start, lx->pos - start);
    t->s = rule_arena_strndup(lx->arena, lx->text + start, lx->pos - start);
    t->slen = lx->pos - start;
}

/* INT = digit { digit | '_' } ; PERCENT = INT [ '.' digit [digit] ] '%' ;
 * DURATION = INT unit, unit one of day(s) month(s) year(s), not followed by '('. */
static void lex_number(rule_lexer *lx, rule_tok *t)
{
    size_t start = lx->pos;
    int64_t v = 0;
    bool overflow = false;
    while (lex_digit(lex_at(lx, lx->pos)) || lex_at(lx, lx->pos) == '_') {
        int c = lx->text[lx->pos++];
        if (c == '_')
            continue;
        if (v > (INT64_MAX - (c - '0')) / 10)
            overflow = true;
        else
            v = v * 10 + (c - '0');
    }
    int c = lex_at(lx, lx->pos);
    if (c == '/' && lex_digit(lex_at(lx, lx->pos + 1))) {
        lex_date(lx, t, start);
        return;
    }
    if (c == '.' && lex_digit(lex_at(lx, lx->pos + 1))) {
        lx->pos++;
        size_t dstart = lx->pos;
        int frac = 0;
        size_t nd = 0;
        while (lex_digit(lex_at(lx, lx->pos))) {
            if (nd < 2)
                frac = frac * 10 + (lx->text[lx->pos] - '0');
            nd++;
            lx->pos++;
        }
        if (lex_at(lx, lx->pos) != '%') {
            lex_error(lx, t, start, start, lx->pos - start,
                      "số có phần thập phân phải là tỷ lệ phần trăm như 84.50%");
            return;
        }
        lx->pos++;
        if (nd > 2) {
            lex_error(lx, t, start, dstart + 2, nd - 2,
                      "tỷ lệ phần trăm sai: nhiều nhất hai chữ số thập phân (84.50%)");
            return;
        }
        if (nd == 1)
            frac *= 10;
        if (overflow || v > (INT64_MAX - 99) / 100) {
            lex_error(lx, t, start, start, lx->pos - start, "tỷ lệ phần trăm quá lớn");
            return;
        }
        t->kind = TK_PERCENT;
        t->i = v * 100 + frac;
        t->loc = lex_loc(lx, start, lx->pos - start);
        return;
    }
    if (c == '.' && lex_at(lx, lx->pos + 1) == '%') {
        lx->pos += 2;
        lex_error(lx, t, start, start, lx->pos - start,
                  "tỷ lệ phần trăm sai: cần chữ số sau '.'");
        return;
    }
    if (c == '%') {
        lx->pos++;
        if (overflow || v > INT64_MAX / 100) {
            lex_error(lx, t, start, start, lx->pos - start, "tỷ lệ phần trăm quá lớn");
            return;
        }
        t->kind = TK_PERCENT;
        t->i = v * 100;
        t->loc = lex_loc(lx, start, lx->pos - start);
        return;
    }
    if (overflow) {
        lex_error(lx, t, start, start, lx->pos - start, "số nguyên quá lớn");
        return;
    }
    t->kind = TK_INT;
    t->i = v;
    size_t end = lx->pos;
    /* Optional duration unit, after optional blanks on the same line. */
    size_t p = end;
    while (lex_at(lx, p) == ' ' || lex_at(lx, p) == '\t')
        p++;
    size_t w = p;
    while (lex_alpha(lex_at(lx, p)) || lex_digit(lex_at(lx, p)))
        p++;
    size_t wn = p - w;
    int unit = -1;
    if (wn && (lex_word_is(lx, w, wn, "day") || lex_word_is(lx, w, wn, "days")))
        unit = DUR_DAYS;
    else if (wn && (lex_word_is(lx, w, wn, "month") || lex_word_is(lx, w, wn, "months")))
        unit = DUR_MONTHS;
    else if (wn && (lex_word_is(lx, w, wn, "year") || lex_word_is(lx, w, wn, "years")))
        unit = DUR_YEARS;
    if (unit >= 0) {
        size_t q = p;
        while (lex_at(lx, q) == ' ' || lex_at(lx, q) == '\t')
            q++;
        if (lex_at(lx, q) == '(')
            unit = -1;
    }
    if (unit >= 0) {
        static const int64_t max[] = {1000000, 100000, 10000};
        lx->pos = p;
        if (v > max[unit]) {
            lex_error(lx, t, start, start, p - start, "khoảng thời gian quá dài");
            return;
        }
        t->kind = TK_DURATION;
        t->j = unit;
        t->loc = lex_loc(lx, start, p - start);
        return;
    }
    if (w == end && wn) {
        lx->pos = p;
        lex_error(lx, t, start, start, p - start, "số viết sai");
        return;
    }
    t->loc = lex_loc(lx, start, end - start);
}

/* A bare word of the test modes: up to white space (LEX_KEY: also '|' and ']'). */
static bool lex_word(rule_lexer *lx, rule_lex_mode mode, rule_tok *t)
{
    size_t start = lx->pos;
    while (lx->pos < lx->len) {
        int c = lex_at(lx, lx->pos);
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v')
            break;
        if (mode == LEX_KEY && (c == '|' || c == ']'))
            break;
        lx->pos++;
    }
    if (lx->pos == start)
        return false;
    t->kind = TK_WORD;
    t->loc = lex_loc(lx, start, lx->pos - start);
    t->s = rule_arena_strndup(lx->arena, lx->text + start, lx->pos - start);
    t->slen = lx->pos - start;
    return true;
}

void rule_lex_next(rule_lexer *lx, rule_lex_mode mode, rule_tok *t)
{
    memset(t, 0, sizeof *t);
    lex_skip_space(lx);
    size_t start = lx->pos;
    t->s = "";
    if (lx->pos >= lx->len) {
        t->kind = TK_EOF;
        t->loc = lex_loc(lx, lx->len, 0);
        return;
    }
    int c = lex_at(lx, lx->pos);
    if (c == '"') {
        lex_string(lx, t);
        return;
    }
    if (mode != LEX_NORMAL && lex_word(lx, mode, t))
        return;
    if (lex_alpha(c)) {
        while (lex_alpha(lex_at(lx, lx->pos)) || lex_digit(lex_at(lx, lx->pos)))
            lx->pos++;
        if (lex_at(lx, lx->pos) >= 0x80) {
            while (lex_alpha(lex_at(lx, lx->pos)) || lex_digit(lex_at(lx, lx->pos)) ||
                   lex_at(lx, lx->pos) >= 0x80)
                lx->pos++;
            lex_error(lx, t, start, start, lx->pos - start,
                      "names are ASCII letters, digits and '_'; Vietnamese text goes in "
                      "\"strings\"");
            return;
        }
        t->kind = rule_lex_keyword(lx->text + start, lx->pos - start);
        t->loc = lex_loc(lx, start, lx->pos - start);
        t->s = rule_arena_strndup(lx->arena, lx->text + start, lx->pos - start);
        t->slen = lx->pos - start;
        return;
    }
    if (lex_digit(c)) {
        lex_number(lx, t);
        return;
    }
    if (c == '/') {
        lex_pattern(lx, t);
        return;
    }
    int n = lex_at(lx, lx->pos + 1);
    rule_tok_kind k;
    size_t len = 1;
    switch (c) {
    case '{': k = TK_LBRACE; break;
    case '}': k = TK_RBRACE; break;
    case '(': k = TK_LPAREN; break;
    case ')': k = TK_RPAREN; break;
    case '[': k = TK_LBRACKET; break;
    case ']': k = TK_RBRACKET; break;
    case ',': k = TK_COMMA; break;
    case '.': k = TK_DOT; break;
    case '|': k = TK_PIPE; break;
    case '*': k = TK_STAR; break;
    case '+': k = TK_PLUS; break;
    case '-': k = TK_MINUS; break;
    case '~': k = TK_TILDE; break;
    case '=':
        if (n == '=') {
            lx->pos += 2;
            lex_error(lx, t, start, start, 2, "'==' không phải phép toán; hãy viết '='");
            return;
        }
        k = TK_EQ;
        break;
    case '!':
        if (n != '=') {
            lx->pos++;
            lex_error(lx, t, start, start, 1, "'!' không mong đợi (viết '!=' hoặc 'not')");
            return;
        }
        k = TK_NE;
        len = 2;
        break;
    case '<':
        k = n == '=' ? TK_LE : TK_LT;
        len = n == '=' ? 2 : 1;
        break;
    case '>':
        k = n == '=' ? TK_GE : TK_GT;
        len = n == '=' ? 2 : 1;
        break;
    default: {
        size_t cl = lex_cp_len(lx, lx->pos);
        lx->pos += cl;
        char msg[96];
        if (c < 0x20 || c == 0x7f)
            snprintf(msg, sizeof msg, "ký tự không mong đợi (byte 0x%02X)", (unsigned)c);
        else
            snprintf(msg, sizeof msg, "ký tự không mong đợi '%.*s'", (int)cl, lx->text + start);
        lex_error(lx, t, start, start, cl, msg);
        return;
    }
    }
    lx->pos += len;
    t->kind = k;
    t->loc = lex_loc(lx, start, len);
}
