/* test_rule_golden — runs every block of the tests/rules/ .test files (jq-style golden files): rule text
 * that must fail with exact diagnostics, or compile and give exact `thongke check` output. */
#include <criterion/criterion.h>

#include "testutil.h"
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rule_compile.h"
#include "rule_test.h"

#define GOLD_MAX_FILES 8

typedef struct {
    char *title;
    bool fail;
    size_t line;
    size_t nfiles;
    char *fname[GOLD_MAX_FILES];
    thk_buf ftext[GOLD_MAX_FILES];
    thk_buf rules, expect, coverage;
    bool has_coverage;
} gold_block;

static char *gold_read(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s: %s", path, strerror(errno));
    thk_buf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, n);
    fclose(f);
    buf_append(&b, "", 0);
    return b.data;
}

static void gold_block_free(gold_block *g)
{
    free(g->title);
    for (size_t i = 0; i < g->nfiles; i++) {
        free(g->fname[i]);
        buf_free(&g->ftext[i]);
    }
    buf_free(&g->rules);
    buf_free(&g->expect);
    buf_free(&g->coverage);
    memset(g, 0, sizeof *g);
}

static void gold_write(const char *dir, const char *name, const thk_buf *text)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot write %s", path);
    if (text->len)
        fwrite(text->data, 1, text->len, f);
    fclose(f);
}

static char *gold_stream_text(FILE *f, char **buf)
{
    fclose(f);
    return *buf;
}

/* Runs one block; reports a mismatch with the file and line of the block. */
static void gold_run(const char *file, gold_block *g, size_t *count)
{
    (*count)++;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/rule_golden_XXXXXX", tu_tmpbase());
    cr_assert_not_null(mkdtemp(dir));
    for (size_t i = 0; i < g->nfiles; i++)
        gold_write(dir, g->fname[i], &g->ftext[i]);
    buf_append(&g->rules, "", 0);
    gold_write(dir, "t.rules", &g->rules);
    char cwd[4096];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    cr_assert_eq(chdir(dir), 0);
    thk_buf diag = {0};
    rule_set *rs = rule_set_load_text("t.rules", g->rules.data, &diag);
    const char *want = g->expect.data ? g->expect.data : "";
    if (g->fail) {
        cr_expect_null(rs, "%s:%zu %s: compiled but should fail", file, g->line, g->title);
        const char *got = diag.data ? diag.data : "";
        cr_expect_str_eq(got, want, "%s:%zu %s: diagnostics differ\n--- want\n%s--- got\n%s",
                         file, g->line, g->title, want, got);
    } else {
        cr_expect_not_null(rs, "%s:%zu %s: does not compile:\n%s", file, g->line, g->title,
                           diag.data ? diag.data : "");
        if (rs) {
            char *out = NULL, *cov = NULL;
            size_t outn = 0, covn = 0;
            FILE *fo = open_memstream(&out, &outn);
            size_t passed = 0, failed = 0;
            rule_test_run_all(rs, fo, &passed, &failed);
            fprintf(fo, "%zu đạt, %zu không đạt\n", passed, failed);
            gold_stream_text(fo, &out);
            cr_expect_str_eq(out, want, "%s:%zu %s: output differs\n--- want\n%s--- got\n%s",
                             file, g->line, g->title, want, out);
            if (g->has_coverage) {
                FILE *fc = open_memstream(&cov, &covn);
                rule_test_coverage(rs, fc);
                gold_stream_text(fc, &cov);
                const char *wc = g->coverage.data ? g->coverage.data : "";
                cr_expect_str_eq(cov, wc, "%s:%zu %s: coverage differs\n--- want\n%s--- got\n%s",
                                 file, g->line, g->title, wc, cov);
            }
            free(out);
            free(cov);
        }
    }
    rule_set_free(rs);
    buf_free(&diag);
    cr_assert_eq(chdir(cwd), 0);
    for (size_t i = 0; i < g->nfiles; i++) {
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, g->fname[i]);
        unlink(path);
    }
    char path[8192];
    snprintf(path, sizeof path, "%s/t.rules", dir);
    unlink(path);
    rmdir(dir);
}

/* Splits a golden file into blocks and runs each; returns the number of blocks. */
static size_t gold_file(const char *path)
{
    char *text = gold_read(path);
    gold_block g;
    memset(&g, 0, sizeof g);
    bool in_block = false;
    thk_buf *sect = NULL;
    size_t count = 0, lineno = 0;
    char *line = text;
    while (line && *line) {
        char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        lineno++;
        if (len >= 2 && line[0] == '%' && line[1] == '%') {
            char dir[32] = {0};
            size_t k = 2;
            while (k < len && line[k] != ' ' && k - 2 < sizeof dir - 1) {
                dir[k - 2] = line[k];
                k++;
            }
            const char *arg = k < len ? line + k + 1 : "";
            size_t arglen = k < len ? len - k - 1 : 0;
            if (strcmp(dir, "TEST") == 0 || strcmp(dir, "FAIL") == 0) {
                cr_assert(!in_block, "%s:%zu: block not closed by %%%%END", path, lineno);
                in_block = true;
                g.fail = dir[0] == 'F';
                g.title = strndup(arg, arglen);
                g.line = lineno;
                sect = NULL;
            } else if (strcmp(dir, "FILE") == 0) {
                cr_assert(in_block && g.nfiles < GOLD_MAX_FILES, "%s:%zu: bad %%%%FILE", path,
                          lineno);
                g.fname[g.nfiles] = strndup(arg, arglen);
                sect = &g.ftext[g.nfiles++];
            } else if (strcmp(dir, "RULES") == 0) {
                sect = &g.rules;
            } else if (strcmp(dir, "ERROR") == 0 || strcmp(dir, "OUTPUT") == 0) {
                sect = &g.expect;
            } else if (strcmp(dir, "COVERAGE") == 0) {
                g.has_coverage = true;
                sect = &g.coverage;
            } else if (strcmp(dir, "END") == 0) {
                cr_assert(in_block, "%s:%zu: %%%%END outside a block", path, lineno);
                gold_run(path, &g, &count);
                gold_block_free(&g);
                in_block = false;
                sect = NULL;
            } else {
                cr_assert_fail("%s:%zu: unknown directive %%%%%s", path, lineno, dir);
            }
        } else if (in_block && sect) {
            buf_append(sect, line, len);
            buf_putc(sect, '\n');
        }
        line = nl ? nl + 1 : NULL;
    }
    cr_assert(!in_block, "%s: last block not closed", path);
    free(text);
    return count;
}

Test(rule_golden, every_block_of_every_golden_file_holds)
{
    const char *root = getenv("THONGKE_ROOT");
    char dirpath[4096];
    snprintf(dirpath, sizeof dirpath, "%s/tests/rules", root && *root ? root : ".");
    DIR *d = opendir(dirpath);
    cr_assert_not_null(d, "cannot open %s (set THONGKE_ROOT)", dirpath);
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        if (l > 5 && strcmp(de->d_name + l - 5, ".test") == 0) {
            names = realloc(names, (n + 1) * sizeof *names);
            names[n++] = strdup(de->d_name);
        }
    }
    closedir(d);
    cr_assert_gt(n, 0, "no .test files in %s", dirpath);
    size_t blocks = 0;
    for (size_t i = 0; i < n; i++) {
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dirpath, names[i]);
        /* absolute, because each block runs in its own scratch folder */
        char *abs = realpath(path, NULL);
        cr_assert_not_null(abs);
        blocks += gold_file(abs);
        free(abs);
        free(names[i]);
    }
    free(names);
    cr_expect_geq(blocks, 20, "only %zu golden blocks ran", blocks);
}
