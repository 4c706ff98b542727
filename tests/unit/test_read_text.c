/* test_read_text — UTF-8 validation, NFC, accent folding, key folding and trimming. */
#include <criterion/criterion.h>
#include <string.h>
#include <utf8proc.h>

#include "read_text.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- UTF-8 validation ------------------------------------------------------------------- */

static const struct {
    const char *s;
    size_t len; /* 0 = strlen */
    ptrdiff_t want;
    const char *why;
} utf8_rows[] = {
    {"", 0, -1, "empty"},
    {"plain ascii, 0123456789 and more than eight bytes", 0, -1, "ascii"},
    {"Vi\xe1\xbb\x87t Nam", 0, -1, "precomposed Vietnamese"},
    {"Vie\xcc\xa3\xcc\x82t", 0, -1, "NFD Vietnamese"},
    {"\xc2\x80\xdf\xbf", 0, -1, "two-byte edges U+0080 U+07FF"},
    {"\xe0\xa0\x80\xef\xbf\xbf", 0, -1, "three-byte edges U+0800 U+FFFF"},
    {"\xed\x9f\xbf\xee\x80\x80", 0, -1, "around the surrogates U+D7FF U+E000"},
    {"\xf0\x90\x80\x80\xf4\x8f\xbf\xbf", 0, -1, "four-byte edges U+10000 U+10FFFF"},
    {"a\0b", 3, -1, "embedded NUL is valid"},
    {"abc\x80", 0, 3, "lone continuation byte"},
    {"abcdefghij\xbf", 0, 10, "lone continuation after a long ASCII run"},
    {"\xc0\xaf", 0, 0, "overlong two-byte '/' (C0)"},
    {"x\xc1\xbf", 0, 1, "overlong two-byte (C1)"},
    {"xy\xe0\x80\xaf", 0, 2, "overlong three-byte"},
    {"\xe0\x9f\xbf", 0, 0, "overlong three-byte U+07FF"},
    {"ab\xf0\x80\x80\xaf", 0, 2, "overlong four-byte"},
    {"\xf0\x8f\xbf\xbf", 0, 0, "overlong four-byte U+FFFF"},
    {"a\xed\xa0\x80", 0, 1, "high surrogate U+D800"},
    {"\xed\xbf\xbf", 0, 0, "low surrogate U+DFFF"},
    {"\xf4\x90\x80\x80", 0, 0, "U+110000"},
    {"ok\xf5\x80\x80\x80", 0, 2, "lead byte F5"},
    {"\xff", 0, 0, "byte FF"},
    {"\xfe", 0, 0, "byte FE"},
    {"abc\xc3", 0, 3, "truncated two-byte at the end"},
    {"abc\xe1\xbb", 0, 3, "truncated three-byte at the end"},
    {"\xf0\x9f\x98", 0, 0, "truncated four-byte at the end"},
    {"\xe1\xbbx", 0, 0, "three-byte cut by ASCII"},
    {"Vi\xe1\xbb\x87t\xc3(", 0, 6, "two-byte with a bad continuation, after valid text"},
    {"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xe9", 0, 10, "Latin-1 byte after valid UTF-8"},
};

Test(read_text, utf8_check_finds_the_first_invalid_byte_of_each_class)
{
    for (size_t i = 0; i < N_ELEMS(utf8_rows); i++) {
        size_t len = utf8_rows[i].len ? utf8_rows[i].len : strlen(utf8_rows[i].s);
        ptrdiff_t got = text_utf8_invalid_at(utf8_rows[i].s, len);
        cr_expect_eq(got, utf8_rows[i].want, "%s: got %td want %td", utf8_rows[i].why, got,
                     utf8_rows[i].want);
    }
}

Test(read_text, utf8_check_respects_the_given_length)
{
    /* The invalid byte lies beyond len, so it is not looked at. */
    cr_expect_eq(text_utf8_invalid_at("abc\xff", 3), -1);
    /* A valid sequence cut by len is truncated. */
    cr_expect_eq(text_utf8_invalid_at("a\xe1\xbb\x87", 3), 1);
}

/* ---- NFC ------------------------------------------------------------------------------- */

static const struct {
    const char *in;
    const char *want;
} nfc_rows[] = {
    {"", ""},
    {"Thi hanh xong", "Thi hanh xong"},
    /* Việc: e + dot below + circumflex → ệ */
    {"Vie\xcc\xa3\xcc\x82\x63", "Vi\xe1\xbb\x87\x63"},
    /* same marks in the other order: canonical reordering gives the same letter */
    {"Vie\xcc\x82\xcc\xa3\x63", "Vi\xe1\xbb\x87\x63"},
    /* Đình chỉ: i + grave */
    {"\xc4\x90i\xcc\x80nh chi\xcc\x89", "\xc4\x90\xc3\xacnh ch\xe1\xbb\x89"},
    /* Ủy (U + hook above) */
    {"U\xcc\x89y", "\xe1\xbb\xa6y"},
    /* thi hành án: a + grave, a + acute */
    {"thi ha\xcc\x80nh a\xcc\x81n", "thi h\xc3\xa0nh \xc3\xa1n"},
    /* ơ + acute built from o + horn + acute */
    {"o\xcc\x9b\xcc\x81", "\xe1\xbb\x9b"},
    /* mixed: already precomposed part stays */
    {"Vi\xe1\xbb\x87\x63 ca\xcc\x81", "Vi\xe1\xbb\x87\x63 c\xc3\xa1"},
    /* a singleton: U+212B ANGSTROM SIGN → U+00C5 */
    {"\xe2\x84\xab", "\xc3\x85"},
    /* a combining mark alone stays */
    {"\xcc\x81", "\xcc\x81"},
};

Test(read_text, nfc_composes_nfd_vietnamese_into_precomposed_letters)
{
    thk_buf b = {0};
    for (size_t i = 0; i < N_ELEMS(nfc_rows); i++) {
        int rc = text_nfc(nfc_rows[i].in, strlen(nfc_rows[i].in), &b);
        cr_expect_eq(rc, 0, "row %zu", i);
        cr_expect_eq(b.len, strlen(nfc_rows[i].want), "row %zu: length %zu", i, b.len);
        cr_expect_str_eq(b.data, nfc_rows[i].want, "row %zu", i);
    }
    buf_free(&b);
}

Test(read_text, nfc_of_nfd_equals_the_precomposed_text_of_a_whole_sentence)
{
    const char *nfc = "Quy\xe1\xba\xbft \xc4\x91\xe1\xbb\x8bnh v\xe1\xbb\x81 vi\xe1\xbb\x87\x63 "
                      "ch\xc6\xb0\x61 c\xc3\xb3 \xc4\x91i\xe1\xbb\x81u ki\xe1\xbb\x87n thi h\xc3\xa0nh";
    utf8proc_uint8_t *nfd = utf8proc_NFD((const utf8proc_uint8_t *)nfc);
    cr_assert_not_null(nfd);
    cr_expect_str_neq((const char *)nfd, nfc);
    thk_buf b = {0};
    cr_expect_eq(text_nfc((const char *)nfd, strlen((const char *)nfd), &b), 0);
    cr_expect_str_eq(b.data, nfc);
    free(nfd);
    buf_free(&b);
}

Test(read_text, nfc_rejects_invalid_utf8)
{
    thk_buf b = {0};
    cr_expect_eq(text_nfc("abc\xff", 4, &b), -1);
    cr_expect_eq(text_nfc("Vie\xcc\xa3\xcc\x82\x63\xc0\xaf", 10, &b), -1);
    cr_expect_eq(text_nfc("\xed\xa0\x80", 3, &b), -1);
    buf_free(&b);
}

Test(read_text, nfc_handles_long_nfd_text_and_embedded_nul)
{
    thk_buf in = {0}, out = {0};
    for (int i = 0; i < 2000; i++)
        buf_append(&in, "a\xcc\x81", 3); /* á in NFD */
    cr_expect_eq(text_nfc(in.data, in.len, &out), 0);
    cr_expect_eq(out.len, 4000u);
    for (size_t i = 0; i < out.len; i += 2)
        cr_expect(out.data[i] == '\xc3' && out.data[i + 1] == '\xa1');
    cr_expect_eq(text_nfc("a\0a\xcc\x81", 5, &out), 0);
    cr_expect_eq(out.len, 4u);
    cr_expect_eq(memcmp(out.data, "a\0\xc3\xa1", 4), 0);
    buf_free(&in);
    buf_free(&out);
}

Test(read_text, quick_nfc_check_says_yes_for_ascii_and_precomposed_and_no_for_marks)
{
    cr_expect(text_is_nfc_quick("", 0));
    cr_expect(text_is_nfc_quick("abc", 3));
    const char *pre = "Vi\xe1\xbb\x87\x63 \xc4\x91\xc3\xa3 thi h\xc3\xa0nh xong \xe2\x80\x93 "
                      "1.000 \xe2\x82\xab";
    cr_expect(text_is_nfc_quick(pre, strlen(pre)));
    cr_expect_not(text_is_nfc_quick("Vie\xcc\xa3\xcc\x82\x63", 8));
    cr_expect_not(text_is_nfc_quick("\xe2\x84\xab", 3)); /* Angstrom sign is not NFC */
    cr_expect_not(text_is_nfc_quick("a\xff", 2));        /* invalid: not certain */
}

Test(read_text, every_code_point_the_quick_check_accepts_is_really_nfc)
{
    static const int32_t ranges[][2] = {
        {0x80, 0x2FF}, {0x1E00, 0x1EFF}, {0x2010, 0x2027}, {0x20A0, 0x20C0}};
    size_t checked = 0;
    for (size_t r = 0; r < N_ELEMS(ranges); r++) {
        for (int32_t cp = ranges[r][0]; cp <= ranges[r][1]; cp++) {
            utf8proc_uint8_t enc[8] = {0};
            utf8proc_ssize_t n = utf8proc_encode_char(cp, enc);
            cr_assert(n > 0);
            cr_assert(text_is_nfc_quick((const char *)enc, (size_t)n), "U+%04X", (unsigned)cp);
            utf8proc_uint8_t *nfc = utf8proc_NFC(enc);
            cr_assert_not_null(nfc);
            cr_expect_str_eq((const char *)nfc, (const char *)enc, "U+%04X changes under NFC",
                             (unsigned)cp);
            /* A following ASCII letter never composes with it either. */
            utf8proc_uint8_t two[9] = {0};
            memcpy(two, enc, (size_t)n);
            two[n] = 'a';
            utf8proc_uint8_t *nfc2 = utf8proc_NFC(two);
            cr_expect_str_eq((const char *)nfc2, (const char *)two);
            free(nfc);
            free(nfc2);
            checked++;
        }
    }
    cr_expect_eq(checked, 640u + 256u + 24u + 33u);
}

/* ---- accent folding -------------------------------------------------------------------- */

static const struct {
    const char *in;
    const char *want;
} fold_rows[] = {
    {"", ""},
    {"thi hanh xong", "thi hanh xong"},
    {"Thi h\xc3\xa0nh xong", "Thi hanh xong"},
    /* Ủy thác / Uỷ thác (both tone placements, NFC) */
    {"\xe1\xbb\xa6y th\xc3\xa1\x63", "Uy thac"},
    {"U\xe1\xbb\xb7 th\xc3\xa1\x63", "Uy thac"},
    /* ĐỒNG, đồng */
    {"\xc4\x90\xe1\xbb\x92NG", "DONG"},
    {"\xc4\x91\xe1\xbb\x93ng", "dong"},
    /* ơ ư ă â ê ô and their capitals */
    {"\xc6\xa1 \xc6\xb0 \xc4\x83 \xc3\xa2 \xc3\xaa \xc3\xb4", "o u a a e o"},
    {"\xc6\xa0 \xc6\xaf \xc4\x82 \xc3\x82 \xc3\x8a \xc3\x94", "O U A A E O"},
    /* tone marks on every vowel class: ắ ằ ẳ ẵ ặ ế ộ ớ ừ ỹ */
    {"\xe1\xba\xaf\xe1\xba\xb1\xe1\xba\xb3\xe1\xba\xb5\xe1\xba\xb7\xe1\xba\xbf\xe1\xbb\x99\xe1\xbb"
     "\x9b\xe1\xbb\xab\xe1\xbb\xb9",
     "aaaaaeoouy"},
    /* NFD input: marks dropped */
    {"Vie\xcc\xa3\xcc\x82\x63", "Viec"},
    {"U\xcc\x89y tha\xcc\x81\x63", "Uy thac"},
    {"D\xcc\x9b", "D"}, /* stray horn on D */
    /* look-alikes of Đ from Latin-1 exports */
    {"\xc3\x90\xc3\xb0", "Dd"},
    /* regex syntax survives */
    {"(thi\\s*h\xc3\xa0nh|tha)\\s*xong[\xc3\xa0-\xe1\xba\xa1]+$", "(thi\\s*hanh|tha)\\s*xong[a-a]+$"},
    /* non-Latin and symbols are untouched */
    {"\xe2\x82\xab 5\xe2\x80\x93" "6 \xce\xb1", "\xe2\x82\xab 5\xe2\x80\x93" "6 \xce\xb1"},
    {"\xc3\x86\xc3\x9f", "\xc3\x86\xc3\x9f"}, /* Æß have no marks */
    /* invalid bytes are kept */
    {"a\xff\xc3", "a\xff\xc3"},
};

Test(read_text, accent_folding_strips_vietnamese_diacritics_and_keeps_case)
{
    thk_buf b = {0};
    for (size_t i = 0; i < N_ELEMS(fold_rows); i++) {
        text_fold_accents(fold_rows[i].in, strlen(fold_rows[i].in), &b);
        cr_expect_str_eq(b.data, fold_rows[i].want, "row %zu", i);
        cr_expect_eq(b.len, strlen(fold_rows[i].want), "row %zu", i);
    }
    buf_free(&b);
}

Test(read_text, accent_folding_of_a_full_sentence_is_the_same_in_nfc_and_nfd)
{
    const char *nfc =
        "Quy\xe1\xba\xbft \xc4\x91\xe1\xbb\x8bnh \xe1\xbb\xa6y th\xc3\xa1\x63 thi h\xc3\xa0nh "
        "\xc3\xa1n; Ho\xc3\xa3n thi h\xc3\xa0nh \xc3\xa1n theo \xc4\x91i\xe1\xbb\x83m c kho\xe1"
        "\xba\xa3n 1 \xc4\x90i\xe1\xbb\x81u 48; S\xe1\xbb\x91 ti\xe1\xbb\x81n: 1.000.000 \xc4\x90"
        "\xe1\xbb\x92NG; Mi\xe1\xbb\x85n, gi\xe1\xba\xa3m; Ch\xc6\xb0\x61 c\xc3\xb3 \xc4\x91i"
        "\xe1\xbb\x81u ki\xe1\xbb\x87n; Tr\xc6\xb0\xe1\xbb\x9dng h\xe1\xbb\xa3p kh\xc3\xa1\x63";
    const char *want = "Quyet dinh Uy thac thi hanh an; Hoan thi hanh an theo diem c khoan 1 "
                       "Dieu 48; So tien: 1.000.000 DONG; Mien, giam; Chua co dieu kien; "
                       "Truong hop khac";
    thk_buf b = {0};
    text_fold_accents(nfc, strlen(nfc), &b);
    cr_expect_str_eq(b.data, want);
    utf8proc_uint8_t *nfd = utf8proc_NFD((const utf8proc_uint8_t *)nfc);
    text_fold_accents((const char *)nfd, strlen((const char *)nfd), &b);
    cr_expect_str_eq(b.data, want);
    free(nfd);
    buf_free(&b);
}

Test(read_text, accent_folding_maps_every_vietnamese_letter_to_ascii)
{
    /* All 134 precomposed Vietnamese vowels with tone marks and their capitals lie in
     * U+1EA0–U+1EF9; each must fold to a single ASCII vowel. */
    thk_buf b = {0};
    for (int32_t cp = 0x1EA0; cp <= 0x1EF9; cp++) {
        utf8proc_uint8_t enc[8] = {0};
        utf8proc_ssize_t n = utf8proc_encode_char(cp, enc);
        text_fold_accents((const char *)enc, (size_t)n, &b);
        cr_expect_eq(b.len, 1u, "U+%04X", (unsigned)cp);
        cr_expect(b.len == 1 && strchr("AEIOUYaeiouy", b.data[0]) != NULL, "U+%04X -> %s",
                  (unsigned)cp, b.data);
    }
    buf_free(&b);
}

Test(read_text, accent_folding_of_every_latin_letter_agrees_with_utf8proc)
{
    /* For every code point of the Latin blocks, folding gives what utf8proc's canonical
     * decomposition with marks stripped gives (đ/Đ and the look-alikes ð/Ð/Ɖ excepted). */
    static const int32_t ranges[][2] = {{0xC0, 0x24F}, {0x1E00, 0x1EFF}};
    thk_buf b = {0};
    size_t checked = 0;
    for (size_t r = 0; r < N_ELEMS(ranges); r++)
        for (int32_t cp = ranges[r][0]; cp <= ranges[r][1]; cp++) {
            if (cp == 0xD0 || cp == 0xF0 || cp == 0x110 || cp == 0x111 || cp == 0x189)
                continue;
            utf8proc_uint8_t enc[8] = {0};
            utf8proc_ssize_t n = utf8proc_encode_char(cp, enc);
            utf8proc_uint8_t *want = NULL;
            utf8proc_ssize_t wn = utf8proc_map(enc, n, &want, UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK);
            cr_assert_geq(wn, 0);
            text_fold_accents((const char *)enc, (size_t)n, &b);
            cr_expect_str_eq(b.data, (const char *)want, "U+%04X", (unsigned)cp);
            free(want);
            checked++;
        }
    cr_expect_eq(checked, 400u + 256u - 5u);
    buf_free(&b);
}

/* ---- key folding ----------------------------------------------------------------------- */

static const struct {
    const char *in;
    const char *want;
} key_rows[] = {
    {"M\xc3\xa3 vi\xe1\xbb\x87\x63", "ma_viec"},
    {"MA_VIEC", "ma_viec"},
    {"ma_viec", "ma_viec"},
    {"Ma viec", "ma_viec"},
    {"NG\xc3\x80Y TH\xe1\xbb\xa4 L\xc3\x9d", "ngay_thu_ly"},
    {" NG\xc3\x80Y-TH\xe1\xbb\xa4 L\xc3\x9d ", "ngay_thu_ly"},
    {"so-tien.phai thi hanh", "so_tien_phai_thi_hanh"},
    {"S\xe1\xbb\x91 Q\xc4\x90", "so_qd"},
    {"  S\xe1\xbb\x91 ti\xe1\xbb\x81n (\xc4\x91\xe1\xbb\x93ng)  ", "so_tien_dong"},
    {"__ma--don...vi__", "ma_don_vi"},
    {"\xc2\xa0Ng\xc3\xa0y ra Q\xc4\x90 THA\xc2\xa0", "ngay_ra_qd_tha"},
    {"Ng\xc3\xa0y\xe2\x80\x93xong", "ngay_xong"}, /* en dash separates */
    {"Vie\xcc\xa3\xcc\x82\x63 so\xcc\x82\xcc\x81", "viec_so"},  /* NFD */
    {"C\xe1\xba\xa5p 2", "cap_2"},
    {"---", ""},
    {"", ""},
};

Test(read_text, key_folding_gives_the_column_matching_key)
{
    thk_buf b = {0};
    for (size_t i = 0; i < N_ELEMS(key_rows); i++) {
        text_fold_key(key_rows[i].in, strlen(key_rows[i].in), &b);
        cr_expect_str_eq(b.data ? b.data : "", key_rows[i].want, "row %zu", i);
        cr_expect_eq(b.len, strlen(key_rows[i].want), "row %zu", i);
    }
    buf_free(&b);
}

/* ---- trimming -------------------------------------------------------------------------- */

static const struct {
    const char *in;
    const char *want;
} trim_rows[] = {
    {"", ""},
    {"abc", "abc"},
    {"  abc  ", "abc"},
    {"\t\r\nabc d\r\n", "abc d"},
    {"\xc2\xa0 abc \xc2\xa0", "abc"},
    {"\xc2\xa0\xc2\xa0", ""},
    {"   ", ""},
    {"a\xc2\xa0", "a"},
    {"\xc3\xa0 ", "\xc3\xa0"}, /* à is not a space */
    {"x\xc2", "x\xc2"},        /* a lone C2 is not NBSP */
};

Test(read_text, trim_drops_ascii_spaces_and_no_break_spaces_at_both_ends)
{
    for (size_t i = 0; i < N_ELEMS(trim_rows); i++) {
        size_t n = 99;
        const char *t = text_trim(trim_rows[i].in, strlen(trim_rows[i].in), &n);
        cr_expect_eq(n, strlen(trim_rows[i].want), "row %zu", i);
        cr_expect(n == strlen(trim_rows[i].want) && memcmp(t, trim_rows[i].want, n) == 0,
                  "row %zu", i);
        cr_expect(t >= trim_rows[i].in && t + n <= trim_rows[i].in + strlen(trim_rows[i].in));
    }
}

/* The scan's fast branches for Vietnamese (two-byte sequences, U+1E00–U+1EFF) must classify
 * exactly like the definition: every code point, alone and between ASCII letters. */
Test(read_text, the_scan_classifies_every_code_point_as_the_quick_check_defines)
{
    for (int32_t cp = 1; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        bool want = cp < 0x300 || (cp >= 0x1E00 && cp <= 0x1EFF) ||
                    (cp >= 0x2010 && cp <= 0x2027) || (cp >= 0x20A0 && cp <= 0x20C0);
        utf8proc_uint8_t enc[8] = {'x'};
        utf8proc_ssize_t n = utf8proc_encode_char(cp, enc + 1);
        enc[n + 1] = 'y';
        bool safe = !want;
        cr_assert_eq(text_utf8_scan((const char *)enc, (size_t)n + 2, &safe), -1, "U+%04X",
                     (unsigned)cp);
        cr_assert_eq(safe, want, "U+%04X", (unsigned)cp);
    }
}

Test(read_text, the_scan_stops_at_truncated_and_invalid_sequences_of_the_fast_branches)
{
    bool safe = true;
    cr_expect_eq(text_utf8_scan("ab\xc3", 3, &safe), 2);        /* two-byte lead at the end */
    cr_expect_not(safe);
    cr_expect_eq(text_utf8_scan("a\xc3(b", 4, &safe), 1);       /* bad continuation */
    cr_expect_eq(text_utf8_scan("a\xe1\xbb", 3, &safe), 1);     /* U+1Exx cut short */
    cr_expect_eq(text_utf8_scan("a\xe1\xbb(", 4, &safe), 1);
    cr_expect_eq(text_utf8_scan("\xc1\x81", 2, &safe), 0);      /* overlong */
    cr_expect_eq(text_utf8_scan("ok \xe1\xbb\x87\xc3\xa0", 8, &safe), -1);
    cr_expect(safe);
    cr_expect_eq(text_utf8_scan("e\xcc\x81", 3, &safe), -1);    /* combining acute */
    cr_expect_not(safe);
}
