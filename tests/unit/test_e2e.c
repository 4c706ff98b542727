/* End-to-end tests: the real binary on every numbered folder of tests/e2e (see its README). */
#include "testutil.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>

typedef struct {
    char name[256]; /* folder name under tests/e2e, inline (see test_read_csv.c) */
} e2e_case;

static int e2e_cmp(const void *a, const void *b)
{
    return strcmp(((const e2e_case *)a)->name, ((const e2e_case *)b)->name);
}

static void e2e_free(struct criterion_test_params *p)
{
    cr_free(p->params);
}

ParameterizedTestParameters(e2e, folder)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/tests/e2e", tu_root());
    size_t n = 0, cap = 256;
    e2e_case *cases = cr_malloc(cap * sizeof *cases);
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL && n < cap) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(cases[n++].name, sizeof cases[0].name, "%s", e->d_name);
    }
    if (d)
        closedir(d);
    qsort(cases, n, sizeof *cases, e2e_cmp);
    return cr_make_param_array(e2e_case, cases, n, e2e_free);
}

/* Lines of `text` (LF, a trailing CR dropped), as a malloc'd array; *n set. */
static char **e2e_lines(char *text, size_t *n)
{
    size_t cap = 64;
    char **v = malloc(cap * sizeof *v);
    *n = 0;
    for (char *p = text; p && *p;) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        size_t len = strlen(p);
        if (len && p[len - 1] == '\r')
            p[len - 1] = '\0';
        if (*p) {
            if (*n == cap)
                v = realloc(v, (cap *= 2) * sizeof *v);
            v[(*n)++] = p;
        }
        p = nl ? nl + 1 : NULL;
    }
    return v;
}

/* Every line of expected file `want` appears in produced file `got`. */
static void e2e_expect_subset(const char *want_path, const char *got_path, const char *what)
{
    char *want = tu_read(want_path, NULL);
    if (!want)
        return;
    char *got = tu_read(got_path, NULL);
    cr_assert_not_null(got, "%s: %s was not produced", what, got_path);
    size_t nw, ng;
    char **w = e2e_lines(want, &nw), **g = e2e_lines(got, &ng);
    size_t missing = 0;
    for (size_t i = 1; i < nw; i++) { /* line 0 is the header */
        bool found = false;
        for (size_t j = 0; j < ng && !found; j++)
            found = strcmp(w[i], g[j]) == 0;
        if (!found) {
            cr_log_error("%s: expected line not found: %s", what, w[i]);
            missing++;
        }
    }
    cr_expect_eq(missing, 0, "%s: %zu expected line(s) missing (see above)", what, missing);
    free(w);
    free(g);
    free(want);
    free(got);
}

ParameterizedTest(e2e_case *c, e2e, folder)
{
    /* folder paths are bounded well below the file paths built from them */
    char dir[2048], path[4096], out[2048], log[4096], got[4096];
    snprintf(dir, sizeof dir, "%s/tests/e2e/%s", tu_root(), c->name);
    char *tmp = tu_tempdir();
    snprintf(out, sizeof out, "%s/out", tmp);
    snprintf(log, sizeof log, "%s/stderr.txt", tmp);

    snprintf(path, sizeof path, "%s/args", dir);
    char *args = tu_read(path, NULL);
    cr_assert_not_null(args, "%s: no args file", c->name);
    char *argv[64];
    int argc = 0;
    argv[argc++] = (char *)tu_bin();
    argv[argc++] = "report";
    for (char *t = strtok(args, " \t\r\n"); t && argc < 56; t = strtok(NULL, " \t\r\n"))
        argv[argc++] = t;
    argv[argc++] = "--input";
    argv[argc++] = dir;
    argv[argc++] = "--out";
    argv[argc++] = out;
    argv[argc] = NULL;

    int want_exit = 0;
    snprintf(path, sizeof path, "%s/exit", dir);
    char *ex = tu_read(path, NULL);
    if (ex) {
        want_exit = atoi(ex);
        free(ex);
    }
    int rc = tu_run(argv, NULL, log, NULL);
    char *errtext = tu_read(log, NULL);
    cr_assert_eq(rc, want_exit, "%s: exit %d, want %d; stderr:\n%s", c->name, rc, want_exit,
                 errtext ? errtext : "");
    free(errtext);
    if (want_exit != 0) {
        free(args);
        free(tmp);
        return;
    }

    snprintf(got, sizeof got, "%s/cells.csv", out);
    snprintf(path, sizeof path, "%s/cells.csv", dir);
    char *want_full = tu_read(path, NULL);
    if (want_full) {
        char *have = tu_read(got, NULL);
        cr_assert_not_null(have, "%s: no cells.csv produced", c->name);
        cr_expect_str_eq(have, want_full, "%s: cells.csv differs from the expected file", c->name);
        free(have);
        free(want_full);
    }
    snprintf(path, sizeof path, "%s/expect.csv", dir);
    e2e_expect_subset(path, got, c->name);
    snprintf(path, sizeof path, "%s/expect-rejects.csv", dir);
    snprintf(got, sizeof got, "%s/rejects.csv", out);
    e2e_expect_subset(path, got, c->name);
    snprintf(path, sizeof path, "%s/expect-cases.csv", dir);
    snprintf(got, sizeof got, "%s/cases.csv", out);
    e2e_expect_subset(path, got, c->name);
    free(args);
    free(tmp);
}
