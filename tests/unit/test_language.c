/* One language for users: the real binary's output, over every command's help and a battery of
 * mistakes a statistician makes (bad rule files, failing rule tests, missing folders, wrong
 * options, an unknown case), holds no English sentence. What the system or a library words in
 * English is allowed after a Vietnamese explanation (strerror's "No such file or directory",
 * PCRE2's pattern messages); identifiers, codes and the rule language's keywords are not
 * sentences. */
#include "testutil.h"
#include "thk.h"

#include <criterion/criterion.h>
#include <ctype.h>

/* English words that only a sentence uses (whole words, case-insensitive). */
static const char *const lang_english[] = {
    "the",     "cannot",  "unknown", "expected", "error",   "warning", "usage",  "invalid",
    "missing", "must",    "found",   "given",    "failed",  "passed",  "option", "folder",
    "should",  "please",  "not",     "does",     "is",      "are",     "was",    "were",
    "only",    "allowed", "needs",   "takes",    "refused", "written", "read",   "write",
    "no",      "row",     "rows",    "column",   "more",    "line",    "than",   "of",
};

/* Library and system wordings kept after a Vietnamese explanation. */
static const char *const lang_allowed[] = {
    "No such file or directory", "missing closing parenthesis", "Not a directory",
    "Permission denied",
};

static void lang_blank(char *s, const char *what)
{
    size_t n = strlen(what);
    for (char *p = strstr(s, what); p; p = strstr(p + n, what))
        memset(p, ' ', n);
}

/* The first English word of text, or NULL. Backquoted and single-quoted spans (names the user
 * wrote, rule keywords) are skipped. */
static const char *lang_first_english(char *text, char *word, size_t cap)
{
    for (size_t i = 0; i < sizeof lang_allowed / sizeof lang_allowed[0]; i++)
        lang_blank(text, lang_allowed[i]);
    /* a diagnostic's excerpt of the rule file and its caret line are the user's own text */
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        if (!nl)
            break;
        char *next = nl + 1, *p = next;
        while (*p == ' ')
            p++;
        if (*p == '^') {
            char *end = strchr(next, '\n');
            memset(line, ' ', (size_t)((end ? end : next + strlen(next)) - line));
            line = end ? end + 1 : NULL;
            continue;
        }
        line = next;
    }
    bool quoted = false;
    for (char *p = text; *p;) {
        if (*p == '\'' || *p == '`' || *p == '"') {
            quoted = !quoted;
            p++;
            continue;
        }
        if (*p == '\n')
            quoted = false;
        if (quoted || !isalpha((unsigned char)*p)) {
            p++;
            continue;
        }
        char *q = p;
        while (isalpha((unsigned char)*q) || *q == '_' || *q == '-')
            q++;
        size_t n = (size_t)(q - p);
        bool ident = false;
        for (char *k = p; k < q; k++)
            ident = ident || *k == '_';
        if (!ident && n < cap) {
            for (size_t i = 0; i < n; i++)
                word[i] = (char)tolower((unsigned char)p[i]);
            word[n] = '\0';
            for (size_t i = 0; i < sizeof lang_english / sizeof lang_english[0]; i++)
                if (strcmp(word, lang_english[i]) == 0)
                    return p;
        }
        p = q;
    }
    return NULL;
}

/* Runs `thongke args...` in dir and appends its stdout and stderr to all. */
static void lang_run(const char *dir, thk_buf *all, char *const *args)
{
    char *argv[24];
    size_t n = 0;
    argv[n++] = (char *)tu_bin();
    for (; *args && n < 23; args++)
        argv[n++] = *args;
    argv[n] = NULL;
    char outp[4300], errp[4300];
    snprintf(outp, sizeof outp, "%s/out", dir);
    snprintf(errp, sizeof errp, "%s/err", dir);
    tu_run(argv, outp, errp, NULL);
    char *o = tu_read(outp, NULL), *e = tu_read(errp, NULL);
    buf_printf(all, "$ %s\n%s%s", argv[1] ? argv[1] : "", o ? o : "", e ? e : "");
    free(o);
    free(e);
}

Test(language, what_the_binary_says_to_a_statistician_is_vietnamese)
{
    char *tmp = tu_tempdir();
    char *bad = tu_write_str(tmp, "bad.rules",
                             "version \"x\"\n"
                             "let a = stat = xong\n"
                             "let b = ngay_thu_ly + so_tien_phai_thi_hanh\n"
                             "let c = frob(1)\n"
                             "let d = nhom_viec ~ /(/\n"
                             "form F \"F\" { rows ma_don_vi\n column x \"X\" = count(state = done)\n"
                             " column y \"Y\" = count() check x = zz }\n");
    char *syntax = tu_write_str(tmp, "syntax.rules",
                                "list L \"L\" { limit 0 per ma_don_vi }\nlet = 1\nform {\n");
    char *failing = tu_write_str(tmp, "failing.rules",
                                 "version \"x\"\n"
                                 "map su_kien {\n  xong = /xong/i\n  khac = /.*/\n}\n"
                                 "let lon = so_tien_phai_thi_hanh > 5\n"
                                 "form F \"F\" { rows ma_don_vi\n column n \"N\" = count() }\n"
                                 "test \"sai\" {\n  period 12 thang 2026\n"
                                 "  case ma_viec=A ma_don_vi=X ngay_thu_ly=31/02/2026 "
                                 "ngay_quyet_dinh=01/01/2026 so_tien_phai_thi_hanh=1\n"
                                 "  expect F[X].n = 2, F[Y].n = 1\n}\n");
    char missing[4300], sample[4200];
    snprintf(missing, sizeof missing, "%s/khong-co", tmp);
    snprintf(sample, sizeof sample, "%s/input/sample", tu_root());
    thk_buf all = {0};
    static const char *const cmds[] = {"report", "check", "merge", "diff", "sample", "codes",
                                       "explain"};
    char *help[] = {"--help", NULL};
    lang_run(tmp, &all, help);
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        char *a[] = {(char *)cmds[i], "--help", NULL};
        lang_run(tmp, &all, a);
        char *b[] = {(char *)cmds[i], "--khong-co-tuy-chon", NULL};
        lang_run(tmp, &all, b);
    }
    char *runs[][12] = {
        {"check", bad, NULL},
        {"check", syntax, NULL},
        {"check", failing, NULL},
        {"check", missing, NULL},
        {"report", "--year", "2026", "--months", "12", "--input", missing, NULL},
        {"report", "--year", "2026", "--months", "13", NULL},
        {"report", "--year", "2026", "--months", "12", "--rules", bad, NULL},
        {"merge", "--out", missing, missing, NULL},
        {"diff", missing, missing, NULL},
        {"explain", "KHONG-CO", "--year", "2026", "--months", "12", "--input", sample, NULL},
        {"lenh-khong-co", NULL},
    };
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++)
        lang_run(tmp, &all, runs[i]);
    char word[64];
    if (getenv("THONGKE_LANG_DUMP")) {
        FILE *d = fopen(getenv("THONGKE_LANG_DUMP"), "w");
        if (d) {
            fputs(all.data, d);
            fclose(d);
        }
    }
    const char *at = lang_first_english(all.data, word, sizeof word);
    if (at) {
        const char *from = at - all.data > 200 ? at - 200 : all.data;
        cr_expect_fail("English word '%s' in what the binary says:\n…%.300s…", word, from);
    }
    /* the scan sees a sentence when there is one: it is not blind */
    char probe[] = "lỗi: the file cannot be read";
    cr_expect_not_null(lang_first_english(probe, word, sizeof word));
    cr_expect_gt(all.len, 5000, "the battery printed almost nothing");
    buf_free(&all);
    free(bad);
    free(syntax);
    free(failing);
    free(tmp);
}
