/* test_one_meaning — the meaning of the forms lives in the rule files only (issue "One source of
 * meaning" 3): no form id, list id, column code or target name of the shipped rules appears in a
 * string of any C file in engine/, comments aside. The replay's own vocabulary (states, conditions, event
 * kinds and the other map values, domain.md §2) stays in C and is not counted.
 *
 * The one exception: sample.c's province code of Thanh Hóa, spelt like the form TH. diff.c and
 * merge.c held the shipped columns' meaning until they asked the rules (drill.c, agg_form_row). */
#include "testutil.h"
#include "rule_compile.h"

#include <criterion/criterion.h>
#include <dirent.h>

typedef struct {
    const char *file;
    size_t max;
    const char *why;
} om_allow;

static const om_allow om_allowed[] = {
    {"sample.c", 1, "the province code of Thanh Hóa, which is spelt like the form TH"},
};

/* A byte of a word: ASCII letters, digits, '_', and any byte of a multi-byte UTF-8 letter (so
 * "THÀNH" is one word, not "TH"). */
static bool om_word(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '_' || c >= 0x80;
}

/* Adds a name to the set unless it is in `except`. */
static void om_add(thk_buf *names, const char *n)
{
    buf_printf(names, "\n%s\n", n);
}

static bool om_has(const thk_buf *set, const char *w, size_t n)
{
    if (!set->data)
        return false;
    char key[128];
    if (n + 3 > sizeof key)
        return false;
    key[0] = '\n';
    memcpy(key + 1, w, n);
    key[n + 1] = '\n';
    key[n + 2] = '\0';
    return strstr(set->data, key) != NULL;
}

/* The names the shipped rules define (forms, lists, columns, targets, lets) minus the replay
 * vocabulary (the values of every enum domain). */
static void om_names(thk_buf *names, thk_buf *vocab)
{
    static const char *const files[] = {"thads.rules", "dot-cao-diem.rules"};
    for (size_t f = 0; f < 2; f++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/rules/%s", tu_root(), files[f]);
        const char *paths[] = {path};
        thk_buf diag = {0};
        rule_set *rs = rule_set_load(paths, 1, &diag);
        cr_assert_not_null(rs, "%s", diag.data);
        buf_free(&diag);
        for (size_t i = 0; i < rs->nforms; i++) {
            const rule_form_ast *fa = rs->forms[i].ast;
            om_add(names, fa->id);
            for (size_t c = 0; c < fa->ncols; c++)
                om_add(names, fa->cols[c].code);
        }
        for (size_t i = 0; i < rs->nlists; i++)
            om_add(names, rs->lists[i].ast->id);
        for (size_t i = 0; i < rs->ast->ntargets; i++)
            om_add(names, rs->ast->targets[i].name);
        for (size_t i = 0; i < rs->ast->nlets; i++)
            om_add(names, rs->ast->lets[i].name);
        for (int d = RULE_DOM_STATE; d < RULE_DOM_MAP0 + (int)rs->nmaps; d++)
            for (size_t v = 0; v < rule_dom_count(rs, d); v++)
                om_add(vocab, rule_dom_value(rs, d, v));
        rule_set_free(rs);
    }
}

/* Occurrences of the names as words inside string literals of one C file, comments aside;
 * the first few go to *where. */
static size_t om_scan(const char *text, const thk_buf *names, const thk_buf *vocab,
                      thk_buf *where)
{
    size_t n = 0, line = 1;
    for (const char *p = text; *p; p++) {
        if (*p == '\n')
            line++;
        if (p[0] == '/' && p[1] == '*') {
            for (p += 2; *p && !(p[0] == '*' && p[1] == '/'); p++)
                line += *p == '\n';
            if (!*p)
                break;
            p++;
            continue;
        }
        if (p[0] == '/' && p[1] == '/') {
            while (p[1] && p[1] != '\n')
                p++;
            continue;
        }
        if (*p == '\'') { /* a character literal: '"' must not open a string */
            p++;
            if (*p == '\\')
                p++;
            while (*p && *p != '\'')
                p++;
            if (!*p)
                break;
            continue;
        }
        if (*p != '"')
            continue;
        for (p++; *p && *p != '"'; p++) {
            if (*p == '\\' && p[1]) {
                p++;
                continue;
            }
            if (!om_word((unsigned char)*p) || (p > text && om_word((unsigned char)p[-1])))
                continue;
            const char *e = p;
            while (om_word((unsigned char)*e))
                e++;
            if (om_has(names, p, (size_t)(e - p)) && !om_has(vocab, p, (size_t)(e - p))) {
                if (n < 3)
                    buf_printf(where, " line %zu '%.*s';", line, (int)(e - p), p);
                n++;
            }
            p = e - 1;
        }
        if (!*p)
            break;
    }
    return n;
}

Test(one_meaning, no_form_or_column_of_the_shipped_rules_is_named_in_engine_c)
{
    thk_buf names = {0}, vocab = {0}, report = {0};
    om_names(&names, &vocab);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/engine", tu_root());
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    struct dirent *de;
    size_t files = 0;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len < 3 || strcmp(de->d_name + len - 2, ".c") != 0)
            continue;
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        char *text = tu_read(path, NULL);
        cr_assert_not_null(text);
        files++;
        thk_buf where = {0};
        size_t n = om_scan(text, &names, &vocab, &where);
        size_t max = 0;
        for (size_t i = 0; i < sizeof om_allowed / sizeof om_allowed[0]; i++)
            if (strcmp(om_allowed[i].file, de->d_name) == 0)
                max = om_allowed[i].max;
        if (n > max)
            buf_printf(&report, "engine/%s: %zu names of the rules (at most %zu):%s\n",
                       de->d_name, n, max, where.data ? where.data : "");
        buf_free(&where);
        free(text);
    }
    closedir(d);
    cr_assert_gt(files, 10);
    cr_assert_null(report.data, "the rules' meaning written again in C:\n%s", report.data);
    buf_free(&names);
    buf_free(&vocab);
}

/* The scanner itself: names in strings count, in comments and as C identifiers they do not. */
Test(one_meaning, the_scanner_counts_strings_only)
{
    thk_buf names = {0}, vocab = {0}, where = {0};
    om_add(&names, "B01");
    om_add(&names, "co_dk");
    om_add(&names, "xong");
    om_add(&vocab, "xong");
    const char *src = "/* \"B01\" in a comment */\n"
                      "// \"co_dk\" too\n"
                      "int co_dk = 1; char q = '\"';\n"
                      "const char *a = \"B01: co_dk\", *b = \"xong\", *c = \"B01x\";\n";
    cr_expect_eq(om_scan(src, &names, &vocab, &where), 2, "%s", where.data);
    cr_expect(where.data && strstr(where.data, "line 4 'B01'"), "%s", where.data);
    buf_free(&names);
    buf_free(&vocab);
    buf_free(&where);
}
