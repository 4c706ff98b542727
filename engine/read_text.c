/* read_text — UTF-8 validation, NFC normalisation (utf8proc), Vietnamese accent and key folding. */
#include "read_text.h"

#include <string.h>
#include <utf8proc.h>

/* Bytes that are all ASCII: 8 at a time, then the tail. */
static bool text_all_ascii(const unsigned char *s, size_t len)
{
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080ULL)
            return false;
    }
    for (; i < len; i++)
        if (s[i] & 0x80)
            return false;
    return true;
}

/* Decodes one strict UTF-8 sequence at s[0..len) (len >= 1): returns the code point and sets
 * *adv to its length, or returns -1 with *adv = 1 when the sequence is invalid (bad lead byte,
 * bad or missing continuation, overlong form, surrogate, above U+10FFFF). */
static int32_t text_decode(const unsigned char *s, size_t len, size_t *adv)
{
    unsigned char c = s[0];
    *adv = 1;
    if (c < 0x80)
        return c;
    size_t n;
    int32_t cp;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0F;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        return -1; /* continuation byte, C0/C1 overlong lead, F5..FF */
    }
    if (len < n)
        return -1;
    if (s[1] < lo || s[1] > hi)
        return -1;
    cp = (cp << 6) | (s[1] & 0x3F);
    for (size_t i = 2; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return -1;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    *adv = n;
    return cp;
}

/* Code points that are certainly NFC and never combine with a neighbour: everything below
 * U+0300 (ASCII, Latin-1, Latin Extended-A/B, IPA), Latin Extended Additional U+1E00–U+1EFF
 * (all precomposed Vietnamese letters with tone marks), general punctuation U+2010–U+2027
 * (dashes, quotes, ellipsis) and currency signs U+20A0–U+20C0 (₫). A unit test checks each. */
static bool text_cp_nfc_safe(int32_t cp)
{
    return cp < 0x300 || (cp >= 0x1E00 && cp <= 0x1EFF) || (cp >= 0x2010 && cp <= 0x2027) ||
           (cp >= 0x20A0 && cp <= 0x20C0);
}

ptrdiff_t text_utf8_scan(const char *s, size_t len, bool *nfc_safe)
{
    const unsigned char *u = (const unsigned char *)s;
    bool safe = true;
    size_t i = 0;
    while (i < len) {
        unsigned char c = u[i];
        if (c < 0x80) {
            /* Skip ASCII quickly, 8 bytes at a time. */
            while (i + 8 <= len) {
                uint64_t w;
                memcpy(&w, u + i, 8);
                if (w & 0x8080808080808080ULL)
                    break;
                i += 8;
            }
            while (i < len && u[i] < 0x80)
                i++;
            continue;
        }
        /* The sequences of Vietnamese text first: two bytes below U+0800 (safe below
         * U+0300, lead bytes C2–CB) and U+1E00–U+1EFF (E1 B8–BB xx). */
        if (c >= 0xC2 && c <= 0xDF && i + 1 < len && (u[i + 1] & 0xC0) == 0x80) {
            safe = safe && c <= 0xCB;
            i += 2;
            continue;
        }
        if (c == 0xE1 && i + 2 < len && u[i + 1] >= 0xB8 && u[i + 1] <= 0xBB &&
            (u[i + 2] & 0xC0) == 0x80) {
            i += 3;
            continue;
        }
        size_t adv;
        int32_t cp = text_decode(u + i, len - i, &adv);
        if (cp < 0) {
            *nfc_safe = false;
            return (ptrdiff_t)i;
        }
        safe = safe && text_cp_nfc_safe(cp);
        i += adv;
    }
    *nfc_safe = safe;
    return -1;
}

ptrdiff_t text_utf8_invalid_at(const char *s, size_t len)
{
    bool safe;
    return text_utf8_scan(s, len, &safe);
}

bool text_is_nfc_quick(const char *s, size_t len)
{
    bool safe;
    return text_utf8_scan(s, len, &safe) < 0 && safe;
}

int text_nfc(const char *s, size_t len, thk_buf *out)
{
    buf_clear(out);
    bool safe;
    if (text_utf8_scan(s, len, &safe) >= 0)
        return -1;
    if (safe) {
        buf_append(out, s, len);
        return 0;
    }
    /* Decompose into a code point array living in out's own storage (no allocation besides
     * growing out), compose and re-encode in place. Code points never outnumber bytes before
     * decomposition; canonical decomposition rarely triples, so retry on the rare miss. One
     * extra slot leaves room for the NUL utf8proc_reencode writes. */
    const utf8proc_option_t opts = UTF8PROC_STABLE | UTF8PROC_COMPOSE;
    size_t slots = len + 8;
    for (;;) {
        buf_reserve(out, (slots + 1) * sizeof(utf8proc_int32_t));
        utf8proc_int32_t *cps = (utf8proc_int32_t *)(void *)out->data;
        utf8proc_ssize_t n = utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len,
                                                cps, (utf8proc_ssize_t)slots, opts);
        if (n < 0) {
            buf_clear(out);
            return -1;
        }
        if ((size_t)n > slots) {
            slots = (size_t)n;
            continue;
        }
        utf8proc_ssize_t bytes = utf8proc_reencode(cps, n, opts);
        if (bytes < 0) {
            buf_clear(out);
            return -1;
        }
        out->len = (size_t)bytes;
        out->data[out->len] = '\0';
        return 0;
    }
}

/* Combining diacritical mark blocks: dropped by accent folding. */
static bool text_cp_is_mark(int32_t cp)
{
    return (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
           (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
           (cp >= 0xFE20 && cp <= 0xFE2F);
}

/* The ASCII base letter of each code point of U+00C0–U+024F and U+1E00–U+1EFF whose canonical
 * decomposition is one ASCII letter plus marks ('.' = none; utf8proc decides those). Generated
 * from Unicode data; a unit test checks every entry against utf8proc. It spares a utf8proc
 * call per Vietnamese letter on the hot path. */
static const char text_latin_base[0x250 - 0xC0 + 1] =
    "AAAAAA.CEEEEIIII.NOOOOO..UUUUY..aaaaaa.ceeeeiiii.nooooo..uuuuy.y"
    "AaAaAaCcCcCcCcDd..EeEeEeEeEeGgGgGgGgHh..IiIiIiIiI...JjKk.LlLlLl."
    "...NnNnNn...OoOoOo..RrRrRrSsSsSsSsTtTt..UuUuUuUuUuUuWwYyYZzZzZz."
    "................................Oo.............Uu..............."
    ".............AaIiOoUuUuUuUuUu.AaAa....GgKkOoOo..j...Gg..NnAa...."
    "AaAaEeEeIiIiOoOoRrRrUuUuSsTt..Hh......AaEeOoOoOoOoYy............"
    "................";
static const char text_latin_ext_base[0x100 + 1] =
    "AaBbBbBbCcDdDdDdDdDdEeEeEeEeEeFfGgHhHhHhHhHhIiIiKkKkKkLlLlLlLlMm"
    "MmMmNnNnNnNnOoOoOoOoPpPpRrRrRrRrSsSsSsSsSsTtTtTtTtUuUuUuUuUuVvVv"
    "WwWwWwWwWwXxXxYyZzZzZzhtwy......AaAaAaAaAaAaAaAaAaAaAaAaEeEeEeEe"
    "EeEeEeEeIiIiOoOoOoOoOoOoOoOoOoOoOoOoUuUuUuUuUuUuUuYyYyYyYy......";

/* Accent folding of one code point into dst (room for 4): returns how many code points it
 * becomes (0 = dropped). Latin letters (U+00C0–U+024F, U+1E00–U+1EFF) lose their marks through
 * utf8proc's canonical decomposition; đ/Đ, and the look-alikes ð/Ð (Latin-1 exports) and Ɖ,
 * become d/D; combining marks disappear; everything else is kept as is. */
static size_t text_fold_cp(int32_t cp, int32_t dst[4])
{
    if (cp < 0xC0) {
        dst[0] = cp;
        return 1;
    }
    switch (cp) {
    case 0x0110: /* Đ */
    case 0x00D0: /* Ð */
    case 0x0189: /* Ɖ */
        dst[0] = 'D';
        return 1;
    case 0x0111: /* đ */
    case 0x00F0: /* ð */
        dst[0] = 'd';
        return 1;
    default:
        break;
    }
    if (text_cp_is_mark(cp))
        return 0;
    char base = cp <= 0x024F                     ? text_latin_base[cp - 0xC0]
                : (cp >= 0x1E00 && cp <= 0x1EFF) ? text_latin_ext_base[cp - 0x1E00]
                                                 : '.';
    if (base != '.') {
        dst[0] = base;
        return 1;
    }
    if (cp <= 0x024F || (cp >= 0x1E00 && cp <= 0x1EFF)) {
        utf8proc_int32_t tmp[4];
        utf8proc_ssize_t n =
            utf8proc_decompose_char(cp, tmp, 4, UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK, NULL);
        if (n >= 1 && n <= 4) {
            for (utf8proc_ssize_t i = 0; i < n; i++)
                dst[i] = tmp[i];
            return (size_t)n;
        }
    }
    dst[0] = cp;
    return 1;
}

static void text_put_cp(thk_buf *out, int32_t cp)
{
    if (cp < 0x80) {
        buf_putc(out, (char)cp);
        return;
    }
    utf8proc_uint8_t tmp[4];
    utf8proc_ssize_t n = utf8proc_encode_char(cp, tmp);
    buf_append(out, tmp, (size_t)n);
}

void text_fold_accents(const char *s, size_t len, thk_buf *out)
{
    buf_clear(out);
    const unsigned char *u = (const unsigned char *)s;
    if (text_all_ascii(u, len)) {
        buf_append(out, s, len);
        return;
    }
    buf_reserve(out, len);
    size_t i = 0;
    while (i < len) {
        /* Copy a run of ASCII in one go. */
        size_t j = i;
        while (j < len && u[j] < 0x80)
            j++;
        if (j > i) {
            buf_append(out, s + i, j - i);
            i = j;
            if (i >= len)
                break;
        }
        size_t adv;
        int32_t cp = text_decode(u + i, len - i, &adv);
        if (cp < 0) {
            buf_append(out, s + i, 1); /* invalid byte: kept unchanged */
        } else {
            int32_t f[4];
            size_t n = text_fold_cp(cp, f);
            if (n == 1 && f[0] == cp)
                buf_append(out, s + i, adv);
            else
                for (size_t k = 0; k < n; k++)
                    text_put_cp(out, f[k]);
        }
        i += adv;
    }
}

static bool text_is_space_byte(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

const char *text_trim(const char *s, size_t len, size_t *out_len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t b = 0, e = len;
    for (;;) {
        if (b < e && text_is_space_byte(u[b]))
            b++;
        else if (b + 1 < e && u[b] == 0xC2 && u[b + 1] == 0xA0)
            b += 2;
        else
            break;
    }
    for (;;) {
        if (e > b && text_is_space_byte(u[e - 1]))
            e--;
        else if (e >= b + 2 && u[e - 2] == 0xC2 && u[e - 1] == 0xA0)
            e -= 2;
        else
            break;
    }
    *out_len = e - b;
    return s + b;
}

/* Key folding keeps letters and digits (lower-cased, accent folded); any other code point is a
 * separator, and every run of separators becomes one '_' between kept characters. */
void text_fold_key(const char *s, size_t len, thk_buf *out)
{
    buf_clear(out);
    size_t tlen;
    const char *t = text_trim(s, len, &tlen);
    const unsigned char *u = (const unsigned char *)t;
    buf_reserve(out, tlen);
    bool pending_sep = false;
    size_t i = 0;
    while (i < tlen) {
        int32_t f[4];
        size_t n, adv;
        if (u[i] < 0x80) {
            f[0] = u[i];
            n = 1;
            adv = 1;
        } else {
            int32_t cp = text_decode(u + i, tlen - i, &adv);
            if (cp < 0) {
                f[0] = ' '; /* an invalid byte separates */
                n = 1;
            } else {
                n = text_fold_cp(cp, f);
            }
        }
        i += adv;
        for (size_t k = 0; k < n; k++) {
            int32_t c = f[k];
            bool keep;
            if (c < 0x80) {
                keep = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
                if (c >= 'A' && c <= 'Z')
                    c += 'a' - 'A';
            } else {
                utf8proc_category_t cat = utf8proc_category(c);
                keep = (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
                       (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO);
                if (keep)
                    c = utf8proc_tolower(c);
                else if (cat >= UTF8PROC_CATEGORY_MN && cat <= UTF8PROC_CATEGORY_ME)
                    continue; /* a stray mark neither separates nor survives */
            }
            if (!keep) {
                pending_sep = true;
                continue;
            }
            if (pending_sep && out->len > 0)
                buf_putc(out, '_');
            pending_sep = false;
            text_put_cp(out, c);
        }
    }
}

void text_escape_invalid(thk_buf *out, const char *s, size_t n)
{
    while (n > 0) {
        ptrdiff_t bad = text_utf8_invalid_at(s, n);
        size_t ok = bad < 0 ? n : (size_t)bad;
        const char *nul = memchr(s, '\0', ok);
        if (nul)
            ok = (size_t)(nul - s);
        buf_append(out, s, ok);
        if (ok == n)
            break;
        buf_printf(out, "\\x%02X", (unsigned char)s[ok]);
        s += ok + 1;
        n -= ok + 1;
    }
}
