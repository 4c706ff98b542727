/* read_text — UTF-8 validation, NFC normalisation (utf8proc), Vietnamese accent and key folding. */
#ifndef READ_TEXT_H
#define READ_TEXT_H

#include "thk.h"

/* Offset of the first byte of s[0..len) that is not part of a valid UTF-8 sequence (overlongs,
 * surrogates and code points above U+10FFFF are invalid), or -1 when all of it is valid. */
ptrdiff_t text_utf8_invalid_at(const char *s, size_t len);
/* The same check in the same pass as the quick NFC test: when s is valid, *nfc_safe says
 * whether text_is_nfc_quick would hold for it, and so for every piece of it cut at ASCII
 * bytes (fields cut at delimiters): the reader checks a line once for both. */
ptrdiff_t text_utf8_scan(const char *s, size_t len, bool *nfc_safe);
/* Appends s[0..len) to out with every byte that is not part of valid UTF-8, and every NUL,
 * written as the four characters \xHH (upper-case hex); valid text is copied as is. For
 * rejects.csv, which must itself be valid UTF-8. */
void text_escape_invalid(thk_buf *out, const char *s, size_t len);

/* Replaces `out` with the NFC form of valid UTF-8 s[0..len). ASCII and text that is already NFC
 * (the common case) is copied without calling utf8proc. Returns 0, or -1 if s is not valid UTF-8. */
int text_nfc(const char *s, size_t len, thk_buf *out);

/* True when s[0..len) is certainly NFC already (cheap scan): callers may skip text_nfc. */
bool text_is_nfc_quick(const char *s, size_t len);

/* Replaces `out` with s without Vietnamese diacritics (any case, NFC or NFD input): every Latin
 * letter with marks becomes its base letter, đ/Đ become d/D, combining marks are dropped; the
 * case of letters is kept and nothing else changes (so regex syntax survives folding). */
void text_fold_accents(const char *s, size_t len, thk_buf *out);

/* Replaces `out` with the column-matching key of a header name (input.md): trimmed, accent
 * folded, lower case, and every run of spaces, hyphens, dots (and other punctuation) turned
 * into a single '_', with no leading or trailing '_'. "Mã việc" → "ma_viec", " NGÀY-THỤ LÝ " →
 * "ngay_thu_ly". */
void text_fold_key(const char *s, size_t len, thk_buf *out);

/* s[0..len) without leading and trailing ASCII spaces, tabs, CR, LF and U+00A0. */
const char *text_trim(const char *s, size_t len, size_t *out_len);

#endif
