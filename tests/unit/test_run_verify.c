/* merge and diff trust only what a run's manifest vouches for (issue "Hardening" items 18, 19):
 * forged, added or symlinked files are refused naming the file; a run without cases.csv is
 * merged with a warning recorded in the merged manifest. Real binary on real report runs. */
#include "testutil.h"

#include <criterion/criterion.h>

static char *rv_report(const char *tmp, const char *name)
{
    char out[4096], in[4096], rules[4096];
    snprintf(out, sizeof out, "%s/%s", tmp, name);
    snprintf(in, sizeof in, "%s/input/sample", tu_root());
    snprintf(rules, sizeof rules, "%s/rules/thads.rules", tu_root());
    char *argv[] = {(char *)tu_bin(), "report", "--year", "2026", "--months", "10", "--input",
                    in, "--rules", rules, "--out", out, "--quiet", NULL};
    cr_assert_eq(tu_run(argv, NULL, NULL, NULL), 0);
    return strdup(out);
}

static int rv_cmd(const char *err, const char *a, const char *b, const char *c, const char *d)
{
    char *argv[] = {(char *)tu_bin(), (char *)a, (char *)b, (char *)c, (char *)d, NULL};
    return tu_run(argv, NULL, err, NULL);
}

static bool rv_has(const char *path, const char *what)
{
    char *t = tu_read(path, NULL);
    bool ok = t && strstr(t, what);
    free(t);
    return ok;
}

Test(run_verify, a_forged_cells_csv_is_refused_by_merge_and_diff)
{
    char *tmp = tu_tempdir(), err[4200], out[4200], cells[4200];
    char *r = rv_report(tmp, "r"), *s = rv_report(tmp, "s");
    snprintf(err, sizeof err, "%s/err", tmp);
    snprintf(out, sizeof out, "%s/merged", tmp);
    snprintf(cells, sizeof cells, "%s/cells.csv", r);
    FILE *f = fopen(cells, "a");
    fputs("B01,*,thu_ly_forged,7\n", f);
    fclose(f);
    cr_assert_eq(rv_cmd(err, "merge", "--out", out, r), 3);
    cr_assert(rv_has(err, "cells.csv") && rv_has(err, "SHA-256"));
    cr_assert(access(out, F_OK) != 0, "nothing merged");
    cr_assert_eq(rv_cmd(err, "diff", s, r, NULL), 3);
    cr_assert(rv_has(err, "SHA-256"));
    free(r);
    free(s);
    free(tmp);
}

Test(run_verify, a_file_the_manifest_does_not_list_is_refused)
{
    char *tmp = tu_tempdir(), err[4200], out[4200];
    char *r = rv_report(tmp, "r");
    snprintf(err, sizeof err, "%s/err", tmp);
    snprintf(out, sizeof out, "%s/merged", tmp);
    free(tu_write_str(r, "extra.csv", "form,row,column,value\n"));
    cr_assert_eq(rv_cmd(err, "merge", "--out", out, r), 3);
    cr_assert(rv_has(err, "extra.csv"));
    free(r);
    free(tmp);
}

Test(run_verify, a_listed_file_swapped_for_a_symlink_is_refused)
{
    char *tmp = tu_tempdir(), err[4200], out[4200], cells[4200], copy[4200];
    char *r = rv_report(tmp, "r");
    snprintf(err, sizeof err, "%s/err", tmp);
    snprintf(out, sizeof out, "%s/merged", tmp);
    snprintf(cells, sizeof cells, "%s/cells.csv", r);
    snprintf(copy, sizeof copy, "%s/cells-copy.csv", tmp);
    cr_assert_eq(rename(cells, copy), 0);
    cr_assert_eq(symlink(copy, cells), 0);
    cr_assert_eq(rv_cmd(err, "merge", "--out", out, r), 3);
    cr_assert(rv_has(err, "cells.csv"));
    free(r);
    free(tmp);
}

Test(run_verify, a_run_without_cases_is_merged_with_a_warning_and_a_failed_check)
{
    char *tmp = tu_tempdir(), err[4200], out[4200], man[8400];
    char *r = rv_report(tmp, "r");
    snprintf(err, sizeof err, "%s/err", tmp);
    snprintf(out, sizeof out, "%s/merged", tmp);
    /* a run published with --format xlsx,csv but whose cases.csv the manifest does not list */
    char *nc = rv_report(tmp, "nc");
    char cases[4200];
    snprintf(cases, sizeof cases, "%s/cases.csv", nc);
    cr_assert_eq(unlink(cases), 0);
    snprintf(man, sizeof man, "%s/manifest.json", nc);
    char *m = tu_read(man, NULL);
    char *at = strstr(m, "    {\"path\": \"cases.csv\"");
    cr_assert_not_null(at, "%s", m);
    char *eol = strchr(at, '\n');
    memmove(at, eol + 1, strlen(eol + 1) + 1);
    free(tu_write_str(nc, "manifest.json", m));
    free(m);
    cr_assert_eq(rv_cmd(err, "merge", "--out", out, nc), 0);
    cr_assert(rv_has(err, "không có cases.csv"), "a warning on stderr");
    snprintf(man, sizeof man, "%s/manifest.json", out);
    cr_assert(rv_has(man, "cases.csv của mọi lần chạy"), "the merged manifest records it");
    cr_assert(rv_has(man, "\"ok\": false"));
    /* and diff of that run against a full one does not claim identity */
    cr_assert_eq(rv_cmd(err, "diff", r, nc, NULL), 1);
    free(r);
    free(nc);
    free(tmp);
}
