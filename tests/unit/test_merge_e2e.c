/* test_merge_e2e — the real binary: input/sample split by unit into two exports, `report` on
 * each half and on the whole, `merge` of the halves; the merged figures must equal the whole. */
#include <criterion/criterion.h>

#include "csv_out.h"
#include "read_csv.h"
#include "strpool.h"
#include "testutil.h"

/* One input file being split: the unit (or case id) column decides the half. */
typedef struct {
    const char *key_col; /* "ma_don_vi" or "ma_viec" */
    int key;             /* its field index, from the header */
    strpool *half_b;     /* keys that go to half B (units, or case ids of B's units) */
    strpool *units_seen; /* every unit of the file (first pass), or NULL */
    strpool *case_ids_b; /* filled with the ma_viec of B's rows when splitting cases.csv */
    int id_col;          /* ma_viec field of cases.csv, -1 otherwise */
    thk_buf out[2];
    bool header;
} me_split;

static int me_record(void *vctx, const reader_record *rec)
{
    me_split *s = vctx;
    if (!s->header) {
        s->key = -1;
        s->id_col = -1;
        for (size_t i = 0; i < rec->nfields; i++) {
            if (strcmp(rec->fields[i], s->key_col) == 0)
                s->key = (int)i;
            if (strcmp(rec->fields[i], "ma_viec") == 0)
                s->id_col = (int)i;
        }
        cr_assert_geq(s->key, 0, "no %s column", s->key_col);
        s->header = true;
        for (int h = 0; h < 2 && !s->units_seen; h++)
            for (size_t i = 0; i < rec->nfields; i++)
                csv_out_field(&s->out[h], rec->fields[i], rec->lens[i], i + 1 == rec->nfields);
        return 0;
    }
    const char *k = (size_t)s->key < rec->nfields ? rec->fields[s->key] : "";
    size_t kl = (size_t)s->key < rec->nfields ? rec->lens[s->key] : 0;
    if (s->units_seen) {
        strpool_intern(s->units_seen, k, kl);
        return 0;
    }
    int h = strpool_find(s->half_b, k, kl) != STRPOOL_NONE;
    if (h && s->case_ids_b && s->id_col >= 0 && (size_t)s->id_col < rec->nfields)
        strpool_intern(s->case_ids_b, rec->fields[s->id_col], rec->lens[s->id_col]);
    for (size_t i = 0; i < rec->nfields; i++)
        csv_out_field(&s->out[h], rec->fields[i], rec->lens[i], i + 1 == rec->nfields);
    return 0;
}

static void me_read(const char *path, me_split *s)
{
    reader_stats st;
    thk_buf err = {0};
    s->header = false;
    int rc = reader_run_file(path, NULL, me_record, s, &st, &err);
    cr_assert_eq(rc, 0, "%s", err.data ? err.data : "");
    buf_free(&err);
}

static void me_write(const char *dir, const char *name, const thk_buf *b)
{
    free(tu_write(dir, name, b->data ? b->data : "", b->len));
}

static int me_unit_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Runs `thongke report` on input folder `in` into `out` (under `rules`, or the default rules
 * when NULL); returns the exit code. */
static int me_report(const char *in, const char *out, const char *log, const char *rules)
{
    char *argv[] = {(char *)tu_bin(), "report", "--year", "2026", "--months", "12",
                    "--input", (char *)in, "--out", (char *)out, "--quiet",
                    rules ? "--rules" : NULL, (char *)rules, NULL};
    return tu_run(argv, NULL, log, NULL);
}

/* Sorted lines of a file after its header, joined by '\n' (malloc'd). */
static char *me_sorted_body(const char *path)
{
    char *t = tu_read(path, NULL);
    cr_assert_not_null(t, "cannot read %s", path);
    size_t n = 0, cap = 1024;
    char **v = malloc(cap * sizeof *v);
    char *p = strchr(t, '\n');
    p = p ? p + 1 : t + strlen(t);
    while (*p) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        if (n == cap)
            v = realloc(v, (cap *= 2) * sizeof *v);
        v[n++] = p;
        p = nl ? nl + 1 : p + strlen(p);
    }
    qsort(v, n, sizeof *v, me_unit_cmp);
    thk_buf b = {0};
    buf_reserve(&b, 1);
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s\n", v[i]);
    free(v);
    free(t);
    return b.data;
}

/* The workbook's summary by tests/tools/xlsx_inspect.py without the lines of the rejects and
 * manifest sheets (a merge lists its runs' rejects with their own line numbers), malloc'd. */
static char *me_workbook(const char *run, const char *log)
{
    char cmd[4300], out[4300];
    snprintf(cmd, sizeof cmd, "%s/tests/tools/xlsx_inspect.py", tu_root());
    snprintf(out, sizeof out, "%s.inspect", log);
    char xlsx[4300];
    snprintf(xlsx, sizeof xlsx, "%s/bao-cao-12-thang-2026.xlsx", run);
    char *argv[] = {"/usr/bin/python3", cmd, xlsx, NULL};
    cr_assert_eq(tu_run(argv, out, log, NULL), 0, "xlsx_inspect.py failed on %s", xlsx);
    char *text = tu_read(out, NULL);
    cr_assert_not_null(text);
    thk_buf b = {0};
    buf_reserve(&b, 1);
    for (char *line = text; *line;) {
        size_t len = strcspn(line, "\n");
        char one[8192];
        snprintf(one, sizeof one, "\t%.*s\t", (int)len, line);
        if (!strstr(one, "\tmanifest\t") && !strstr(one, "\tDòng bị loại\t"))
            buf_printf(&b, "%.*s\n", (int)len, line);
        line += len + (line[len] == '\n');
    }
    free(text);
    return b.data;
}

/* input/sample split by unit, `report` on each half and on the whole under `rules` (NULL: the
 * shipped ones), `merge` of the halves: cells.csv and accumulators.csv byte-identical to the
 * whole run's, cases.csv the same set of lines. */
static void me_check_merge(const char *rules)
{
    const char *bin = tu_bin();
    if (access(bin, X_OK) != 0)
        cr_skip_test("no binary at %s (THONGKE_BIN)", bin);
    char src[4096];
    snprintf(src, sizeof src, "%s/input/sample", tu_root());
    char cases_path[4200], events_path[4200], thahc_path[4200];
    snprintf(cases_path, sizeof cases_path, "%s/cases.csv", src);
    snprintf(events_path, sizeof events_path, "%s/events.csv", src);
    snprintf(thahc_path, sizeof thahc_path, "%s/thahc.csv", src);
    bool has_thahc = access(thahc_path, R_OK) == 0;

    /* the units of cases.csv and thahc.csv, sorted; the second half goes to B */
    strpool *units = strpool_new();
    me_split scan = {.key_col = "ma_don_vi", .units_seen = units};
    me_read(cases_path, &scan);
    if (has_thahc)
        me_read(thahc_path, &scan);
    size_t nu = strpool_count(units) - 1;
    cr_assert_geq(nu, 2, "the sample needs two units or more");
    const char **names = malloc(nu * sizeof *names);
    for (size_t i = 0; i < nu; i++)
        names[i] = strpool_get(units, (uint32_t)i + 1);
    qsort(names, nu, sizeof *names, me_unit_cmp);
    strpool *half_b = strpool_new();
    for (size_t i = nu / 2; i < nu; i++)
        strpool_intern(half_b, names[i], strlen(names[i]));

    char *root = tu_tempdir();
    char in_a[4200], in_b[4200], run_a[4200], run_b[4200], run_all[4200], merged[4200];
    snprintf(in_a, sizeof in_a, "%s/in-a", root);
    snprintf(in_b, sizeof in_b, "%s/in-b", root);
    snprintf(run_a, sizeof run_a, "%s/run-a", root);
    snprintf(run_b, sizeof run_b, "%s/run-b", root);
    snprintf(run_all, sizeof run_all, "%s/run-all", root);
    snprintf(merged, sizeof merged, "%s/merged", root);
    cr_assert_eq(mkdir(in_a, 0777), 0);
    cr_assert_eq(mkdir(in_b, 0777), 0);

    strpool *ids_b = strpool_new();
    me_split sc = {.key_col = "ma_don_vi", .half_b = half_b, .case_ids_b = ids_b};
    me_read(cases_path, &sc);
    me_write(in_a, "cases.csv", &sc.out[0]);
    me_write(in_b, "cases.csv", &sc.out[1]);
    me_split se = {.key_col = "ma_viec", .half_b = ids_b};
    me_read(events_path, &se);
    me_write(in_a, "events.csv", &se.out[0]);
    me_write(in_b, "events.csv", &se.out[1]);
    if (has_thahc) {
        me_split st = {.key_col = "ma_don_vi", .half_b = half_b};
        me_read(thahc_path, &st);
        me_write(in_a, "thahc.csv", &st.out[0]);
        me_write(in_b, "thahc.csv", &st.out[1]);
        for (int h = 0; h < 2; h++)
            buf_free(&st.out[h]);
    }

    char log[4300];
    snprintf(log, sizeof log, "%s/log-all", root);
    cr_assert_eq(me_report(src, run_all, log, rules), 0, "report on the whole sample failed, see %s",
                 log);
    snprintf(log, sizeof log, "%s/log-a", root);
    cr_assert_eq(me_report(in_a, run_a, log, rules), 0, "report on half A failed, see %s", log);
    snprintf(log, sizeof log, "%s/log-b", root);
    cr_assert_eq(me_report(in_b, run_b, log, rules), 0, "report on half B failed, see %s", log);

    snprintf(log, sizeof log, "%s/log-merge", root);
    char *margv[] = {(char *)bin, "merge", "--out", merged, run_a, run_b, NULL};
    int rc = tu_run(margv, NULL, log, NULL);
    char *mlog = tu_read(log, NULL);
    cr_assert_eq(rc, 0, "merge failed: %s", mlog ? mlog : "");
    free(mlog);

    /* every count, money and rate cell equals the whole run's (diff exits 0), in the same order */
    snprintf(log, sizeof log, "%s/diff.out", root);
    char *dargv[] = {(char *)bin, "diff", run_all, merged, "--limit", "20", NULL};
    rc = tu_run(dargv, log, NULL, NULL);
    char *dout = tu_read(log, NULL);
    cr_assert_eq(rc, 0, "merged cells differ from the whole run:\n%s", dout ? dout : "");
    free(dout);
    char p1[4300], p2[4300];
    snprintf(p1, sizeof p1, "%s/cells.csv", run_all);
    snprintf(p2, sizeof p2, "%s/cells.csv", merged);
    char *c1 = tu_read(p1, NULL), *c2 = tu_read(p2, NULL);
    cr_assert_not_null(c1);
    cr_assert_not_null(c2);
    cr_assert_str_eq(c2, c1, "merged cells.csv is not byte-identical (row order?)");
    free(c1);
    free(c2);
    snprintf(p1, sizeof p1, "%s/accumulators.csv", run_all);
    snprintf(p2, sizeof p2, "%s/accumulators.csv", merged);
    c1 = tu_read(p1, NULL);
    c2 = tu_read(p2, NULL);
    cr_assert_not_null(c1);
    cr_assert_not_null(c2);
    cr_assert_str_eq(c2, c1, "merged accumulators.csv is not byte-identical");
    free(c1);
    free(c2);
    static const char *const same[] = {"labels.csv", "lists.csv"};
    for (size_t k = 0; k < 2; k++) {
        snprintf(p1, sizeof p1, "%s/%s", run_all, same[k]);
        snprintf(p2, sizeof p2, "%s/%s", merged, same[k]);
        c1 = tu_read(p1, NULL);
        c2 = tu_read(p2, NULL);
        cr_assert_not_null(c1);
        cr_assert_not_null(c2);
        cr_assert_str_eq(c2, c1, "merged %s is not byte-identical", same[k]);
        free(c1);
        free(c2);
    }
    /* the consolidated workbook: every form, TH with its chart, the lists, as the whole run's */
    snprintf(log, sizeof log, "%s/inspect-all", root);
    c1 = me_workbook(run_all, log);
    snprintf(log, sizeof log, "%s/inspect-merged", root);
    c2 = me_workbook(merged, log);
    cr_assert_str_eq(c2, c1, "the merged workbook differs from the whole run's");
    free(c1);
    free(c2);

    /* the merged cases.csv and thahc-cases.csv hold the whole run's records */
    static const char *const drill[] = {"cases.csv", "thahc-cases.csv"};
    for (size_t k = 0; k < 2; k++) {
        snprintf(p1, sizeof p1, "%s/%s", run_all, drill[k]);
        snprintf(p2, sizeof p2, "%s/%s", merged, drill[k]);
        if (access(p1, R_OK) == 0) {
            char *s1 = me_sorted_body(p1), *s2 = me_sorted_body(p2);
            cr_assert_str_eq(s2, s1, "merged %s differs from the whole run's", drill[k]);
            free(s1);
            free(s2);
        }
    }

    for (int h = 0; h < 2; h++) {
        buf_free(&sc.out[h]);
        buf_free(&se.out[h]);
    }
    strpool_free(units);
    strpool_free(half_b);
    strpool_free(ids_b);
    free(names);
    free(root);
}

Test(merge_e2e, merging_two_halves_of_the_sample_equals_the_whole_run, .timeout = 300)
{
    me_check_merge(NULL);
}

/* A rule file the C code has never seen (tests/data/merge/custom.rules: other forms, rates over
 * aggregates, a target, last year's count, money in millions by loại việc): the same. */
Test(merge_e2e, a_rule_file_written_for_the_test_merges_to_the_whole_run, .timeout = 300)
{
    char rules[4200];
    snprintf(rules, sizeof rules, "%s/tests/data/merge/custom.rules", tu_root());
    me_check_merge(rules);
}
