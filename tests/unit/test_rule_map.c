/* test_rule_map — PCRE2 patterns with i/a/x flags, limits, error offsets, ordered memoised maps. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <utf8proc.h>

#include "read_text.h"
#include "rule_map.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static rule_pat *compile_ok(const char *pat, unsigned flags)
{
    char err[256] = "";
    size_t off = 0;
    rule_pat *p = rule_pat_compile(pat, strlen(pat), flags, err, sizeof err, &off);
    cr_assert_not_null(p, "/%s/ should compile: %s at %zu", pat, err, off);
    return p;
}

/* ---- single patterns ------------------------------------------------------------------- */

static const struct {
    const char *pat;
    unsigned flags;
    const char *text;
    int want;
} match_rows[] = {
    {"xong", 0, "Thi hanh xong", RULE_MATCH_YES},
    {"XONG", 0, "Thi hanh xong", RULE_MATCH_NO},
    {"XONG", RULE_PAT_I, "Thi hanh xong", RULE_MATCH_YES},
    /* i folds Vietnamese case too (UTF + UCP) */
    {"\xc4\x91\xc3\xacnh ch\xe1\xbb\x89", RULE_PAT_I, "\xc4\x90\xc3\x8cNH CH\xe1\xbb\x88",
     RULE_MATCH_YES},
    {"\xc4\x91\xc3\xacnh ch\xe1\xbb\x89", 0, "\xc4\x90\xc3\x8cNH CH\xe1\xbb\x88", RULE_MATCH_NO},
    /* a: accent-insensitive both ways */
    {"thi\\s*h\xc3\xa0nh\\s*xong", RULE_PAT_I | RULE_PAT_A, "Thi hanh xong", RULE_MATCH_YES},
    {"thi\\s*h\xc3\xa0nh\\s*xong", RULE_PAT_I | RULE_PAT_A, "THI H\xc3\x80NH XONG", RULE_MATCH_YES},
    {"thi\\s*hanh\\s*xong", RULE_PAT_I | RULE_PAT_A, "\xc4\x90\xc3\xa3 thi h\xc3\xa0nh xong",
     RULE_MATCH_YES},
    {"thi\\s*h\xc3\xa0nh\\s*xong", RULE_PAT_I, "Thi hanh xong", RULE_MATCH_NO},
    {"thi\\s*h\xc3\xa0nh\\s*xong", RULE_PAT_A, "THI HANH XONG", RULE_MATCH_NO}, /* a keeps case */
    {"\xe1\xbb\xa7y th\xc3\xa1\x63", RULE_PAT_I | RULE_PAT_A, "U\xe1\xbb\xb7 th\xc3\xa1\x63 THA",
     RULE_MATCH_YES}, /* ủy vs Uỷ */
    {"\xc4\x91\xe1\xbb\x93ng", RULE_PAT_I | RULE_PAT_A, "100 DONG", RULE_MATCH_YES},
    {"(thi\\s*h\xc3\xa0nh|tha)\\s*xong", RULE_PAT_I | RULE_PAT_A, "\xc4\x90\xc3\xa3 THA xong",
     RULE_MATCH_YES},
    /* x: whitespace and comments in the pattern are ignored */
    {"ho\xc3\xa3n \\s* thi  # comment\n h\xc3\xa0nh", RULE_PAT_X, "Ho\xc3\xa3n thi h\xc3\xa0nh",
     RULE_MATCH_NO},
    {"ho\xc3\xa3n \\s* thi  # comment\n \\s h\xc3\xa0nh", RULE_PAT_X | RULE_PAT_I,
     "Ho\xc3\xa3n thi h\xc3\xa0nh", RULE_MATCH_YES},
    {"ho\xc3\xa3n thi", 0, "ho\xc3\xa3n thi", RULE_MATCH_YES},
    {"ho\xc3\xa3n thi", RULE_PAT_X, "ho\xc3\xa3n thi", RULE_MATCH_NO},
    {"ho\xc3\xa3n\\ thi", RULE_PAT_X | RULE_PAT_A | RULE_PAT_I, "HOAN THI", RULE_MATCH_YES},
    /* UTF mode: . is one character, \w knows Vietnamese letters (UCP) */
    {"^\xc4\x91.n$", 0, "\xc4\x91\xe1\xbb\x93n", RULE_MATCH_YES},
    {"^\\w+$", 0, "vi\xe1\xbb\x87\x63", RULE_MATCH_YES},
    /* anchors and the empty pattern */
    {"", 0, "", RULE_MATCH_YES},
    {"", 0, "anything", RULE_MATCH_YES},
    {"^$", 0, "", RULE_MATCH_YES},
    {"^$", 0, " ", RULE_MATCH_NO},
    {"^xong$", RULE_PAT_I, "Xong", RULE_MATCH_YES},
    /* many capture groups still give a plain yes */
    {"(a)(b)(c)(d)(e)(f)(g)", 0, "xxabcdefgxx", RULE_MATCH_YES},
};

Test(rule_map, patterns_honour_the_i_a_and_x_flags)
{
    for (size_t i = 0; i < N_ELEMS(match_rows); i++) {
        rule_pat *p = compile_ok(match_rows[i].pat, match_rows[i].flags);
        int got = rule_pat_match(p, match_rows[i].text, strlen(match_rows[i].text));
        cr_expect_eq(got, match_rows[i].want, "row %zu: /%s/ on '%s' gave %d", i,
                     match_rows[i].pat, match_rows[i].text, got);
        /* The memoised answer is the same. */
        cr_expect_eq(rule_pat_match(p, match_rows[i].text, strlen(match_rows[i].text)), got);
        rule_pat_free(p);
    }
}

Test(rule_map, accent_insensitive_pattern_matches_nfd_text_after_nfc)
{
    rule_pat *p = compile_ok("thi\\s*h\xc3\xa0nh\\s*xong", RULE_PAT_I | RULE_PAT_A);
    rule_pat *strict = compile_ok("thi\\s*h\xc3\xa0nh\\s*xong", RULE_PAT_I);
    const char *nfc = "\xc4\x90\xc3\xa3 thi h\xc3\xa0nh xong";
    utf8proc_uint8_t *nfd = utf8proc_NFD((const utf8proc_uint8_t *)nfc);
    thk_buf b = {0};
    cr_assert_eq(text_nfc((const char *)nfd, strlen((const char *)nfd), &b), 0);
    cr_expect_eq(rule_pat_match(p, b.data, b.len), RULE_MATCH_YES);
    cr_expect_eq(rule_pat_match(strict, b.data, b.len), RULE_MATCH_YES);
    /* The folded-accent pattern also copes with raw NFD (marks are dropped on both sides). */
    cr_expect_eq(rule_pat_match(p, (const char *)nfd, strlen((const char *)nfd)), RULE_MATCH_YES);
    free(nfd);
    buf_free(&b);
    rule_pat_free(p);
    rule_pat_free(strict);
}

static const struct {
    const char *pat;
    unsigned flags;
    size_t want_off;
} bad_rows[] = {
    {"(abc", 0, 4},
    {"abc)", 0, 3},
    {"t\xe1\xba\xa1m)x", 0, 5},                   /* tạm)x, offset in bytes as written */
    {"t\xe1\xba\xa1m)x", RULE_PAT_A, 5},          /* folded "tam)x" has it at 3: mapped back */
    {"ta\xcc\xa3m)x", RULE_PAT_A, 5},             /* NFD: the dropped mark is accounted for */
    {"\xc4\x91\xc3\xacnh[a-", RULE_PAT_A | RULE_PAT_I, 9}, /* missing ] at the end */
    {"x{2,1}", 0, 5},
    {"\\C", 0, 2},                                /* \C is forbidden in UTF mode */
    {"a\xff", 0, 1},                              /* invalid UTF-8 in the pattern */
};

Test(rule_map, a_bad_pattern_gives_the_pcre2_message_and_the_offset_as_written)
{
    for (size_t i = 0; i < N_ELEMS(bad_rows); i++) {
        char err[256] = "unchanged";
        size_t off = 999;
        rule_pat *p = rule_pat_compile(bad_rows[i].pat, strlen(bad_rows[i].pat),
                                       bad_rows[i].flags, err, sizeof err, &off);
        cr_expect_null(p, "row %zu should not compile", i);
        cr_expect_str_neq(err, "unchanged", "row %zu", i);
        cr_expect_gt(strlen(err), 5u, "row %zu: message '%s'", i, err);
        cr_expect_eq(off, bad_rows[i].want_off, "row %zu: offset %zu want %zu (%s)", i, off,
                     bad_rows[i].want_off, err);
        rule_pat_free(p);
    }
    char err[256];
    size_t off;
    cr_expect_null(rule_pat_compile("(abc", 4, 0, err, sizeof err, &off));
    cr_expect(strstr(err, "parenthesis") != NULL, "message: %s", err);
    /* err and erroff may be omitted. */
    cr_expect_null(rule_pat_compile("(abc", 4, 0, NULL, 0, NULL));
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

Test(rule_map, a_catastrophic_pattern_hits_the_limit_quickly)
{
    char text[64];
    memset(text, 'a', 40);
    text[40] = 'b';
    text[41] = '\0';
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rule_pat *p = compile_ok("(a+)+$", 0);
    cr_expect_eq(rule_pat_match(p, text, 41), RULE_MATCH_LIMIT);
    cr_expect_eq(rule_pat_match(p, text, 41), RULE_MATCH_LIMIT); /* memoised */
    cr_expect_eq(rule_pat_match(p, "aaaa", 4), RULE_MATCH_YES);
    rule_pat *q = compile_ok("(\\w+\\s?)+$", RULE_PAT_I | RULE_PAT_A);
    cr_expect_eq(rule_pat_match(q, "thi hanh an thi hanh an thi hanh an thi hanh an !", 49),
                 RULE_MATCH_LIMIT);
    cr_expect_lt(seconds_since(&t0), 1.0);
    rule_pat_free(p);
    rule_pat_free(q);
}

Test(rule_map, pattern_memo_survives_many_distinct_texts)
{
    rule_pat *p = compile_ok("7$", 0);
    char buf[32];
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < 20000; i++) {
            int n = snprintf(buf, sizeof buf, "row %d", i);
            int want = i % 10 == 7 ? RULE_MATCH_YES : RULE_MATCH_NO;
            cr_assert_eq(rule_pat_match(p, buf, (size_t)n), want, "round %d text %s", round, buf);
        }
    /* A text longer than the memo key cap is still answered. */
    char big[3000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 2] = '7';
    big[sizeof big - 1] = '\0';
    cr_expect_eq(rule_pat_match(p, big, strlen(big)), RULE_MATCH_YES);
    cr_expect_eq(rule_pat_match(p, big, strlen(big)), RULE_MATCH_YES);
    rule_pat_free(p);
}

/* ---- maps ------------------------------------------------------------------------------ */

static void add_ok(rule_map *m, const char *value, const char *pat, unsigned flags, int want_idx)
{
    char err[256] = "";
    size_t off = 0;
    int idx = rule_map_add(m, value, pat, strlen(pat), flags, err, sizeof err, &off);
    cr_assert_eq(idx, want_idx, "%s = /%s/: %s at %zu", value, pat, err, off);
}

/* The shipped-style map of event phrasings (input.md), in first-match-wins order. */
static rule_map *su_kien_map(void)
{
    const unsigned IA = RULE_PAT_I | RULE_PAT_A;
    rule_map *m = rule_map_new("su_kien");
    int n = 0;
    add_ok(m, "tam_dinh_chi", "t\xe1\xba\xa1m\\s*\xc4\x91\xc3\xacnh\\s*ch\xe1\xbb\x89", IA, n++);
    add_ok(m, "dinh_chi", "\xc4\x91\xc3\xacnh\\s*ch\xe1\xbb\x89", IA, n++);
    add_ok(m, "hoan_c", "ho\xc3\xa3n.*\xc4\x91i\xe1\xbb\x83m\\s*c\\b", IA, n++);
    add_ok(m, "hoan", "ho\xc3\xa3n", IA, n++);
    add_ok(m, "xac_minh_chua_co_dk", "ch\xc6\xb0\x61\\s*c\xc3\xb3\\s*\xc4\x91i\xe1\xbb\x81u\\s*ki"
                                     "\xe1\xbb\x87n",
           IA, n++);
    add_ok(m, "xac_minh_co_dk", "c\xc3\xb3\\s*\xc4\x91i\xe1\xbb\x81u\\s*ki\xe1\xbb\x87n", IA, n++);
    add_ok(m, "xong", "(thi\\s*h\xc3\xa0nh|tha)\\s*xong", IA, n++);
    add_ok(m, "uy_thac", "(\xe1\xbb\xa7y|u\xe1\xbb\xb7)\\s*th\xc3\xa1\x63", IA, n++);
    add_ok(m, "thu_tien", "thu\\s*ti\xe1\xbb\x81n|n\xe1\xbb\x99p\\s*ti\xe1\xbb\x81n", IA, n++);
    add_ok(m, "mien_giam", "mi\xe1\xbb\x85n|gi\xe1\xba\xa3m", IA, n++);
    add_ok(m, "khac", "^tr\xc6\xb0\xe1\xbb\x9dng\\s*h\xe1\xbb\xa3p\\s*kh\xc3\xa1\x63$", IA, n++);
    return m;
}

static const struct {
    const char *text;
    const char *want; /* NULL = no match */
} su_kien_rows[] = {
    {"T\xe1\xba\xa1m \xc4\x91\xc3\xacnh ch\xe1\xbb\x89 thi h\xc3\xa0nh \xc3\xa1n", "tam_dinh_chi"},
    {"TAM DINH CHI THA", "tam_dinh_chi"},
    {"\xc4\x90\xc3\xacnh ch\xe1\xbb\x89 thi h\xc3\xa0nh \xc3\xa1n", "dinh_chi"},
    {"dinh chi tha", "dinh_chi"},
    {"Ho\xc3\xa3n thi h\xc3\xa0nh \xc3\xa1n theo \xc4\x91i\xe1\xbb\x83m c kho\xe1\xba\xa3n 1 "
     "\xc4\x90i\xe1\xbb\x81u 48",
     "hoan_c"},
    {"Ho\xc3\xa3n THA theo diem c khoan 1 Dieu 48", "hoan_c"},
    {"Ho\xc3\xa3n thi h\xc3\xa0nh \xc3\xa1n", "hoan"},
    {"Ho\xc3\xa3n THA theo \xc4\x91i\xe1\xbb\x83m a", "hoan"},
    {"X\xc3\xa1\x63 minh: ch\xc6\xb0\x61 c\xc3\xb3 \xc4\x91i\xe1\xbb\x81u ki\xe1\xbb\x87n thi "
     "h\xc3\xa0nh",
     "xac_minh_chua_co_dk"},
    {"X\xc3\xa1\x63 minh: c\xc3\xb3 \xc4\x91i\xe1\xbb\x81u ki\xe1\xbb\x87n thi h\xc3\xa0nh",
     "xac_minh_co_dk"},
    {"Thi h\xc3\xa0nh xong", "xong"},
    {"\xc4\x90\xc3\xa3 thi h\xc3\xa0nh xong", "xong"},
    {"THI HANH XONG", "xong"},
    {"\xe1\xbb\xa6y th\xc3\xa1\x63 thi h\xc3\xa0nh \xc3\xa1n", "uy_thac"},
    {"U\xe1\xbb\xb7 th\xc3\xa1\x63 THA", "uy_thac"},
    {"UY THAC THA", "uy_thac"},
    {"Thu ti\xe1\xbb\x81n", "thu_tien"},
    {"N\xe1\xbb\x99p ti\xe1\xbb\x81n thi h\xc3\xa0nh \xc3\xa1n", "thu_tien"},
    {"Mi\xe1\xbb\x85n, gi\xe1\xba\xa3m thi h\xc3\xa0nh \xc3\xa1n", "mien_giam"},
    {"Tr\xc6\xb0\xe1\xbb\x9dng h\xe1\xbb\xa3p kh\xc3\xa1\x63", "khac"},
    {"Chuy\xe1\xbb\x83n s\xe1\xbb\x95 theo d\xc3\xb5i ri\xc3\xaang", NULL},
    {"", NULL},
    {"xyz", NULL},
};

Test(rule_map, the_first_matching_alternative_decides_for_every_spelling)
{
    rule_map *m = su_kien_map();
    thk_buf nfc = {0};
    for (int form = 0; form < 2; form++) {
        for (size_t i = 0; i < N_ELEMS(su_kien_rows); i++) {
            const char *text = su_kien_rows[i].text;
            utf8proc_uint8_t *nfd = NULL;
            if (form == 1) { /* the same text arriving in NFD, normalised as the reader does */
                nfd = utf8proc_NFD((const utf8proc_uint8_t *)text);
                cr_assert_eq(text_nfc((const char *)nfd, strlen((const char *)nfd), &nfc), 0);
                text = nfc.data ? nfc.data : "";
            }
            int v = rule_map_lookup(m, text, strlen(text));
            if (su_kien_rows[i].want) {
                cr_expect_geq(v, 0, "'%s' did not match", su_kien_rows[i].text);
                if (v >= 0)
                    cr_expect_str_eq(rule_map_value_name(m, (size_t)v), su_kien_rows[i].want,
                                     "'%s'", su_kien_rows[i].text);
                cr_expect_geq(rule_map_last_alt(m), 0);
                cr_expect_eq(rule_map_alt_value(m, (size_t)rule_map_last_alt(m)), v);
            } else {
                cr_expect_eq(v, RULE_MAP_NOMATCH, "'%s' gave %d", su_kien_rows[i].text, v);
                cr_expect_eq(rule_map_last_alt(m), -1);
            }
            free(nfd);
        }
    }
    buf_free(&nfc);
    rule_map_free(m);
}

Test(rule_map, values_are_numbered_by_first_appearance)
{
    rule_map *m = rule_map_new("hinh_thuc");
    cr_expect_str_eq(rule_map_name(m), "hinh_thuc");
    add_ok(m, "chu_dong", "ch\xe1\xbb\xa7 \xc4\x91\xe1\xbb\x99ng", RULE_PAT_I | RULE_PAT_A, 0);
    add_ok(m, "theo_yeu_cau", "y\xc3\xaau c\xe1\xba\xa7u", RULE_PAT_I | RULE_PAT_A, 1);
    add_ok(m, "chu_dong", "^cd$", RULE_PAT_I, 2);
    add_ok(m, "khac", ".", 0, 3);
    cr_expect_eq(rule_map_value_count(m), 3u);
    cr_expect_eq(rule_map_alt_count(m), 4u);
    cr_expect_str_eq(rule_map_value_name(m, 0), "chu_dong");
    cr_expect_str_eq(rule_map_value_name(m, 1), "theo_yeu_cau");
    cr_expect_str_eq(rule_map_value_name(m, 2), "khac");
    cr_expect_null(rule_map_value_name(m, 3));
    cr_expect_eq(rule_map_value_index(m, "theo_yeu_cau"), 1);
    cr_expect_eq(rule_map_value_index(m, "khac"), 2);
    cr_expect_eq(rule_map_value_index(m, "nope"), -1);
    cr_expect_eq(rule_map_alt_value(m, 0), 0);
    cr_expect_eq(rule_map_alt_value(m, 2), 0);
    cr_expect_eq(rule_map_alt_value(m, 3), 2);
    cr_expect_eq(rule_map_alt_value(m, 4), -1);
    cr_expect_str_eq(rule_map_alt_pattern(m, 1), "y\xc3\xaau c\xe1\xba\xa7u"); /* as written */
    cr_expect_str_eq(rule_map_alt_pattern(m, 2), "^cd$");
    cr_expect_null(rule_map_alt_pattern(m, 4));
    cr_expect_eq(rule_map_lookup(m, "CD", 2), 0);
    cr_expect_eq(rule_map_last_alt(m), 2);
    cr_expect_eq(rule_map_lookup(m, "Theo yeu cau", 12), 1);
    cr_expect_eq(rule_map_lookup(m, "?", 1), 2);
    cr_expect_eq(rule_map_lookup(m, "", 0), RULE_MAP_NOMATCH);
    rule_map_free(m);
}

Test(rule_map, a_bad_alternative_is_refused_and_leaves_the_map_unchanged)
{
    rule_map *m = rule_map_new("m");
    add_ok(m, "a", "a", 0, 0);
    char err[128] = "";
    size_t off = 0;
    cr_expect_eq(rule_map_add(m, "b", "x(", 2, 0, err, sizeof err, &off), -1);
    cr_expect_gt(strlen(err), 0u);
    cr_expect_eq(off, 2u);
    cr_expect_eq(rule_map_alt_count(m), 1u);
    cr_expect_eq(rule_map_value_count(m), 1u);
    cr_expect_eq(rule_map_value_index(m, "b"), -1);
    rule_map_free(m);
}

Test(rule_map, memoised_lookups_give_the_same_answer_and_count_hits)
{
    rule_map *m = rule_map_new("m");
    add_ok(m, "xong", "xong", RULE_PAT_I, 0);
    add_ok(m, "hoan", "ho\xc3\xa3n", RULE_PAT_I | RULE_PAT_A, 1);
    add_ok(m, "hoan_lai", "hoan", RULE_PAT_I, 2); /* shadowed by alternative 1 */
    for (int i = 0; i < 5; i++) {
        cr_expect_eq(rule_map_lookup(m, "Thi hanh xong", 13), 0);
        cr_expect_eq(rule_map_last_alt(m), 0);
    }
    for (int i = 0; i < 3; i++) {
        cr_expect_eq(rule_map_lookup(m, "HOAN", 4), 1);
        cr_expect_eq(rule_map_last_alt(m), 1);
    }
    for (int i = 0; i < 2; i++) {
        cr_expect_eq(rule_map_lookup(m, "khac", 4), RULE_MAP_NOMATCH);
        cr_expect_eq(rule_map_last_alt(m), -1);
    }
    cr_expect_eq(rule_map_alt_hits(m, 0), 5u);
    cr_expect_eq(rule_map_alt_hits(m, 1), 3u);
    cr_expect_eq(rule_map_alt_hits(m, 2), 0u);
    cr_expect_eq(rule_map_alt_hits(m, 9), 0u);
    rule_map_reset_hits(m);
    cr_expect_eq(rule_map_alt_hits(m, 0), 0u);
    cr_expect_eq(rule_map_alt_hits(m, 1), 0u);
    cr_expect_eq(rule_map_last_alt(m), -1);
    /* The memo is kept: answers are unchanged and hits count again. */
    cr_expect_eq(rule_map_lookup(m, "HOAN", 4), 1);
    cr_expect_eq(rule_map_alt_hits(m, 1), 1u);
    rule_map_free(m);
}

Test(rule_map, adding_an_alternative_after_lookups_forgets_stale_answers)
{
    rule_map *m = rule_map_new("m");
    add_ok(m, "a", "^a$", 0, 0);
    cr_expect_eq(rule_map_lookup(m, "b", 1), RULE_MAP_NOMATCH);
    add_ok(m, "b", "^b$", 0, 1);
    cr_expect_eq(rule_map_lookup(m, "b", 1), 1);
    cr_expect_eq(rule_map_lookup(m, "a", 1), 0);
    rule_map_free(m);
    rule_map_free(NULL); /* free accepts NULL */
    rule_pat_free(NULL);
}

Test(rule_map, map_lookup_memo_grows_over_many_distinct_texts)
{
    rule_map *m = rule_map_new("m");
    add_ok(m, "even", "[02468]$", 0, 0);
    add_ok(m, "odd", "[13579]$", 0, 1);
    char buf[32];
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < 30000; i++) {
            int n = snprintf(buf, sizeof buf, "%d", i);
            cr_assert_eq(rule_map_lookup(m, buf, (size_t)n), i % 2, "%s", buf);
        }
    cr_expect_eq(rule_map_alt_hits(m, 0), 30000u);
    cr_expect_eq(rule_map_alt_hits(m, 1), 30000u);
    rule_map_free(m);
}

Test(rule_map, a_map_alternative_that_hits_the_limit_stops_the_lookup)
{
    rule_map *m = rule_map_new("m");
    add_ok(m, "slow", "(a+)+$", 0, 0);
    add_ok(m, "any", "a", 0, 1);
    char text[64];
    memset(text, 'a', 40);
    text[40] = 'b';
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cr_expect_eq(rule_map_lookup(m, text, 41), RULE_MAP_LIMIT);
    cr_expect_eq(rule_map_last_alt(m), 0);
    cr_expect_eq(rule_map_lookup(m, text, 41), RULE_MAP_LIMIT); /* memoised */
    cr_expect_eq(rule_map_last_alt(m), 0);
    cr_expect_lt(seconds_since(&t0), 1.0);
    cr_expect_eq(rule_map_alt_hits(m, 0), 0u);
    cr_expect_eq(rule_map_alt_hits(m, 1), 0u);
    cr_expect_eq(rule_map_lookup(m, "ab", 2), 1);
    rule_map_free(m);
}

/* Working states: lookups through a state of their own give the plain lookup's answers and
 * leave the map's own state alone (last_alt), so threads can share one compiled map. */
Test(rule_map, a_lookup_through_its_own_state_gives_the_same_answers)
{
    rule_map *m = rule_map_new("su_kien");
    char err[128];
    size_t off;
    cr_assert_geq(rule_map_add(m, "hoan_c", "hoãn.*điểm\\s*c", strlen("hoãn.*điểm\\s*c"),
                               RULE_PAT_I | RULE_PAT_A, err, sizeof err, &off), 0);
    cr_assert_geq(rule_map_add(m, "xong", "xong", 4, RULE_PAT_I, err, sizeof err, &off), 0);
    rule_map_run *a = rule_map_run_new(m), *b = rule_map_run_new(m);
    static const char *const texts[] = {"Hoan thi hanh theo diem c", "Thi hành XONG", "khác",
                                        "Hoãn theo điểm c"};
    for (size_t i = 0; i < 4; i++) {
        size_t n = strlen(texts[i]);
        int plain = rule_map_lookup(m, texts[i], n);
        int plain_alt = rule_map_last_alt(m);
        cr_expect_eq(rule_map_lookup_in(m, a, texts[i], n), plain, "%s", texts[i]);
        cr_expect_eq(rule_map_lookup_in(m, b, texts[i], n), plain, "%s", texts[i]);
        cr_expect_eq(rule_map_run_last_alt(a), plain_alt);
        cr_expect_eq(rule_map_last_alt(m), plain_alt, "the map's own state was not touched");
    }
    rule_map_run_free(a);
    rule_map_run_free(b);
    rule_map_free(m);
}
