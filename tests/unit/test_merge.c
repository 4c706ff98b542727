/* test_merge — consolidation of hand-made sub-unit runs under tests/data/merge/mini.rules:
 * sums, every derived cell recomputed from the rules, refusals, the published folder. */
#include <criterion/criterion.h>

#include "agg.h"
#include "manifest.h"
#include "run_fixture.h"
#include "merge.h"
#include "publish.h"
#include "sha256.h"
#include "testutil.h"

/* Locals freed when they go out of scope (a GCC/Clang extension), so ASan sees no leaks. */
static void tm_free(char **p)
{
    free(*p);
}
#define AUTO_STR __attribute__((cleanup(tm_free))) char *
#define AUTO_BUF __attribute__((cleanup(buf_free))) thk_buf

#include <dirent.h>

#define REJ_HEADER "file,line,column,value,severity,code,message\n"
#define CASES_HEADER                                                                              \
    "ma_viec,ma_don_vi,carried,new,state,terminal_date,B,collected,reduced,remaining,flags\n"

typedef struct {
    const char *cells;
    const char *accs;    /* accumulators.csv after its header; NULL: from the cells (below) */
    const char *labels;  /* labels.csv, header included; NULL: none */
    const char *lists;   /* lists.csv, header included; NULL: none */
    const char *cases;   /* NULL: no cases.csv */
    const char *rejects; /* data lines after the header */
    int months;
    const char *version;
    const char *units[4]; /* NULL-terminated; none: infer from B01 */
} tm_spec;

/* The rules of every hand-made run: tests/data/merge/mini.rules. */
static char *tm_rules_path(void)
{
    thk_buf p = {0};
    buf_printf(&p, "%s/tests/data/merge/mini.rules", tu_root());
    return p.data;
}

/* accumulators.csv for cells whose count and money columns are each one count(...) or
 * sum(...) of mini.rules: every data-row integer cell of such a column is its accumulator. */
static void tm_accs_from_cells(const char *cells, thk_buf *out)
{
    AUTO_STR path = tm_rules_path();
    const char *paths[] = {path};
    thk_buf diag = {0};
    rule_set *rs = rule_set_load(paths, 1, &diag);
    cr_assert_not_null(rs, "%s", diag.data);
    buf_free(&diag);
    const char *line = strchr(cells, '\n') + 1;
    while (*line) {
        char f[128], r[128], c[128], v[128];
        size_t len = strcspn(line, "\n");
        char buf[512];
        snprintf(buf, sizeof buf, "%.*s", (int)len, line);
        line += len + (line[len] == '\n');
        char *fld[4] = {f, r, c, v};
        const char *q = buf;
        for (int k = 0; k < 4; k++) {
            size_t n = strcspn(q, ",");
            snprintf(fld[k], sizeof f, "%.*s", (int)n, q);
            q += n + (q[n] == ',');
        }
        const agg_form *af = agg_form_find(rs, f);
        if (!af || strchr(r, '*') || !*v || strchr(v, '.'))
            continue;
        for (size_t j = 0; j < af->ncols; j++)
            if (strcmp(af->cols[j].ast->code, c) == 0 && af->an[af->cols[j].root].op == AG_ACC)
                buf_printf(out, "%s,%s,\"%s\",%s\n", f, r, af->accs[af->an[af->cols[j].root].a].name,
                           v);
    }
    rule_set_free(rs);
}

/* A run folder as `thongke report` publishes it (the workbook aside). */
static char *tm_run(const tm_spec *s)
{
    char *d = tu_tempdir();
    cr_assert_not_null(d);
    free(tu_write_str(d, "cells.csv", s->cells));
    thk_buf ac = {0};
    buf_printf(&ac, "form,row,acc,value\n");
    if (s->accs)
        buf_printf(&ac, "%s", s->accs);
    else
        tm_accs_from_cells(s->cells, &ac);
    free(tu_write(d, "accumulators.csv", ac.data, ac.len));
    buf_free(&ac);
    free(tu_write_str(d, "labels.csv", s->labels ? s->labels : "form,row,level,label\n"));
    free(tu_write_str(d, "lists.csv", s->lists ? s->lists : "list,rank\n"));
    if (s->cases)
        free(tu_write_str(d, "cases.csv", s->cases));
    thk_buf rj = {0};
    buf_printf(&rj, REJ_HEADER "%s", s->rejects ? s->rejects : "");
    free(tu_write(d, "rejects.csv", rj.data, rj.len));
    buf_free(&rj);
    manifest_info mi = {0};
    cr_assert(period_months(2026, s->months ? s->months : 10, 1, 10, &mi.per));
    AUTO_STR rules = tm_rules_path();
    manifest_rule rule = {.path = rules,
                          .version = s->version ? s->version : "TT05/2024-BTP, 2026-01"};
    cr_assert_eq(sha256_file(rules, rule.sha256, NULL, NULL), 0);
    mi.tool_version = THK_VERSION;
    mi.rules = &rule;
    mi.nrules = 1;
    manifest_input in = {.path = "input/cases.csv", .bytes = 10, .rows_read = 2};
    memset(in.sha256, 'b', 64);
    mi.inputs = &in;
    mi.ninputs = 1;
    size_t n = 0;
    while (n < 4 && s->units[n])
        n++;
    mi.units = s->units;
    mi.nunits = n;
    thk_buf b = {0};
    manifest_render(&mi, &b);
    free(tu_write(d, "manifest.json", b.data, b.len));
    buf_free(&b);
    rf_seal(d);
    return d;
}

static char *tm_out(void)
{
    char *d = tu_tempdir();
    size_t n = strlen(d) + 8;
    char *o = malloc(n);
    snprintf(o, n, "%s/merged", d);
    free(d);
    return o;
}

static char *tm_file(const char *dir, const char *name)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return tu_read(p, NULL);
}

/* The header and the lines of cells.csv text `cells` whose column is `a` or `b` (malloc'd;
 * the hand-made cells hold no quoted commas). */
static char *tm_columns(const char *cells, const char *a, const char *b)
{
    thk_buf o = {0};
    for (const char *line = cells; *line;) {
        size_t len = strcspn(line, "\n");
        char one[512], col[128] = "";
        snprintf(one, sizeof one, "%.*s", (int)len, line);
        sscanf(one, "%*[^,],%*[^,],%127[^,]", col);
        if (line == cells || strcmp(col, a) == 0 || strcmp(col, b) == 0)
            buf_printf(&o, "%s\n", one);
        line += len + (line[len] == '\n');
    }
    return o.data;
}

static int tm_merge(const char *out, const char *const *runs, size_t n, thk_buf *err)
{
    merge_opts o = {.out = out, .runs = runs, .nruns = n};
    return merge_runs(&o, err);
}

static const char *run_a_cells = "form,row,column,value\n"
                                 "B01,GL-KV01,thu_ly,2\n"
                                 "B01,GL-KV01,xong,1\n"
                                 "B01,GL-KV01,dinh_chi,0\n"
                                 "B01,GL-KV01,co_dk,2\n"
                                 "B01,GL-KV01,ty_le,50.00\n"
                                 "B01,*,thu_ly,2\n"
                                 "B01,*,xong,1\n"
                                 "B01,*,dinh_chi,0\n"
                                 "B01,*,co_dk,2\n"
                                 "B01,*,ty_le,50.00\n"
                                 "B02,GL-KV01,xong,1000\n"
                                 "B02,GL-KV01,dinh_chi,0\n"
                                 "B02,GL-KV01,giam,0\n"
                                 "B02,GL-KV01,co_dk,3000\n"
                                 "B02,GL-KV01,ty_le,33.33\n"
                                 "B02,*,xong,1000\n"
                                 "B02,*,dinh_chi,0\n"
                                 "B02,*,giam,0\n"
                                 "B02,*,co_dk,3000\n"
                                 "B02,*,ty_le,33.33\n"
                                 "B03-CAP,tinh,tong,1\n"
                                 "B03-CAP,tinh,xong,1\n"
                                 "B03-CAP,tinh,ty_le,100.00\n"
                                 "B03-CAP,xa,tong,0\n"
                                 "B03-CAP,xa,xong,0\n"
                                 "B03-CAP,xa,ty_le,\n"
                                 "B03-CAP,*,tong,1\n"
                                 "B03-CAP,*,xong,1\n"
                                 "B03-CAP,*,ty_le,100.00\n";

static const char *run_b_cells = "form,row,column,value\n"
                                 "B01,GL-KV02,thu_ly,1\n"
                                 "B01,GL-KV02,xong,0\n"
                                 "B01,GL-KV02,dinh_chi,1\n"
                                 "B01,GL-KV02,co_dk,1\n"
                                 "B01,GL-KV02,ty_le,100.00\n"
                                 "B01,*,thu_ly,1\n"
                                 "B01,*,xong,0\n"
                                 "B01,*,dinh_chi,1\n"
                                 "B01,*,co_dk,1\n"
                                 "B01,*,ty_le,100.00\n"
                                 "B02,GL-KV02,xong,0\n"
                                 "B02,GL-KV02,dinh_chi,0\n"
                                 "B02,GL-KV02,giam,0\n"
                                 "B02,GL-KV02,co_dk,0\n"
                                 "B02,GL-KV02,ty_le,\n"
                                 "B02,*,xong,0\n"
                                 "B02,*,dinh_chi,0\n"
                                 "B02,*,giam,0\n"
                                 "B02,*,co_dk,0\n"
                                 "B02,*,ty_le,\n"
                                 "B03-CAP,tinh,tong,0\n"
                                 "B03-CAP,tinh,xong,0\n"
                                 "B03-CAP,tinh,ty_le,\n"
                                 "B03-CAP,xa,tong,3\n"
                                 "B03-CAP,xa,xong,1\n"
                                 "B03-CAP,xa,ty_le,33.33\n"
                                 "B03-CAP,*,tong,3\n"
                                 "B03-CAP,*,xong,1\n"
                                 "B03-CAP,*,ty_le,33.33\n";

static const char *merged_cells = "form,row,column,value\n"
                                  "B01,GL-KV01,thu_ly,2\n"
                                  "B01,GL-KV01,xong,1\n"
                                  "B01,GL-KV01,dinh_chi,0\n"
                                  "B01,GL-KV01,co_dk,2\n"
                                  "B01,GL-KV01,ty_le,50.00\n"
                                  "B01,GL-KV02,thu_ly,1\n"
                                  "B01,GL-KV02,xong,0\n"
                                  "B01,GL-KV02,dinh_chi,1\n"
                                  "B01,GL-KV02,co_dk,1\n"
                                  "B01,GL-KV02,ty_le,100.00\n"
                                  "B01,*,thu_ly,3\n"
                                  "B01,*,xong,1\n"
                                  "B01,*,dinh_chi,1\n"
                                  "B01,*,co_dk,3\n"
                                  "B01,*,ty_le,66.67\n"
                                  "B02,GL-KV01,xong,1000\n"
                                  "B02,GL-KV01,dinh_chi,0\n"
                                  "B02,GL-KV01,giam,0\n"
                                  "B02,GL-KV01,co_dk,3000\n"
                                  "B02,GL-KV01,ty_le,33.33\n"
                                  "B02,GL-KV02,xong,0\n"
                                  "B02,GL-KV02,dinh_chi,0\n"
                                  "B02,GL-KV02,giam,0\n"
                                  "B02,GL-KV02,co_dk,0\n"
                                  "B02,GL-KV02,ty_le,\n"
                                  "B02,*,xong,1000\n"
                                  "B02,*,dinh_chi,0\n"
                                  "B02,*,giam,0\n"
                                  "B02,*,co_dk,3000\n"
                                  "B02,*,ty_le,33.33\n"
                                  "B03-CAP,tinh,tong,1\n"
                                  "B03-CAP,tinh,xong,1\n"
                                  "B03-CAP,tinh,ty_le,100.00\n"
                                  "B03-CAP,xa,tong,3\n"
                                  "B03-CAP,xa,xong,1\n"
                                  "B03-CAP,xa,ty_le,33.33\n"
                                  "B03-CAP,*,tong,4\n"
                                  "B03-CAP,*,xong,2\n"
                                  "B03-CAP,*,ty_le,50.00\n";

static tm_spec spec_a(void)
{
    return (tm_spec){.cells = run_a_cells,
                     .cases = CASES_HEADER "V1,GL-KV01,1,0,xong,,1,1,0,0,\n",
                     .rejects = "cases.csv,7,ngay,x,E,date_format,Ngày sai\n",
                     .units = {"GL-KV01"}};
}

static tm_spec spec_b(void)
{
    return (tm_spec){.cells = run_b_cells,
                     .cases = CASES_HEADER "V2,GL-KV02,1,0,dinh_chi,,1,0,0,1,\n",
                     .rejects = "events.csv,3,so_tien,-1,E,money_negative,Số tiền âm\n",
                     .units = {"GL-KV02"}};
}

Test(merge, two_units_sum_to_the_expected_cells_with_rates_recomputed)
{
    tm_spec sa = spec_a(), sb = spec_b();
    AUTO_STR a = tm_run(&sa), *b = tm_run(&sb), *out = tm_out();
    const char *runs[] = {b, a}; /* run order does not change the data row order */
    AUTO_BUF err = {0};
    cr_assert_eq(tm_merge(out, runs, 2, &err), 0, "%s", err.data);
    AUTO_STR cells = tm_file(out, "cells.csv");
    cr_assert_str_eq(cells, merged_cells);
}

Test(merge, rates_are_recomputed_not_summed)
{
    tm_spec sa = spec_a(), sb = spec_b();
    AUTO_STR a = tm_run(&sa), *b = tm_run(&sb), *out = tm_out();
    const char *runs[] = {a, b};
    AUTO_BUF err = {0};
    cr_assert_eq(tm_merge(out, runs, 2, &err), 0, "%s", err.data);
    AUTO_STR cells = tm_file(out, "cells.csv");
    /* 50.00 + 100.00 would be 150.00; (1 + 1) / 3 is 66.67 */
    cr_assert(strstr(cells, "B01,*,ty_le,66.67\n"), "%s", cells);
    cr_assert_null(strstr(cells, "150.00"));
    /* B03-CAP: 1/1 and 1/3 → 2/4 */
    cr_assert(strstr(cells, "B03-CAP,*,ty_le,50.00\n"), "%s", cells);
}

Test(merge, the_published_folder_holds_the_outputs_and_no_debris)
{
    tm_spec sa = spec_a(), sb = spec_b();
    AUTO_STR a = tm_run(&sa), *b = tm_run(&sb), *out = tm_out();
    const char *runs[] = {a, b};
    AUTO_BUF err = {0};
    cr_assert_eq(tm_merge(out, runs, 2, &err), 0, "%s", err.data);

    const char *want[] = {"accumulators.csv", "cases.csv",  "cells.csv",     "manifest.json",
                          "rejects.csv",      "labels.csv", "lists.csv",
                          "bao-cao-10-thang-2026.xlsx"};
    DIR *d = opendir(out);
    cr_assert_not_null(d);
    struct dirent *e;
    size_t n = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        bool known = false;
        for (size_t i = 0; i < 8; i++)
            known = known || strcmp(e->d_name, want[i]) == 0;
        cr_assert(known, "unexpected file %s", e->d_name);
        n++;
    }
    closedir(d);
    cr_assert_eq(n, 8);
    /* no staging folder left beside it */
    char parent[4096];
    snprintf(parent, sizeof parent, "%s", out);
    *strrchr(parent, '/') = '\0';
    d = opendir(parent);
    while ((e = readdir(d)) != NULL)
        cr_assert_null(strstr(e->d_name, ".tmp-"), "debris %s", e->d_name);
    closedir(d);

    /* the spreadsheet-facing files start with a BOM (the runs' lines follow, in run order) */
    AUTO_STR rej = tm_file(out, "rejects.csv");
    cr_assert_str_eq(rej, "\xEF\xBB\xBF" REJ_HEADER
                          "cases.csv,7,ngay,x,E,date_format,Ngày sai\n"
                          "events.csv,3,so_tien,-1,E,money_negative,Số tiền âm\n");
    AUTO_STR cases = tm_file(out, "cases.csv");
    cr_assert_str_eq(cases, "\xEF\xBB\xBF" CASES_HEADER "V1,GL-KV01,1,0,xong,,1,1,0,0,\n"
                            "V2,GL-KV02,1,0,dinh_chi,,1,0,0,1,\n");

    manifest_info mi;
    AUTO_BUF p = {0};
    buf_printf(&p, "%s/manifest.json", out);
    cr_assert_eq(manifest_read(p.data, &mi, &err), 0, "%s", err.data);
    cr_assert_eq(mi.nruns, 2);
    cr_assert_str_eq(mi.runs[0].path, a);
    cr_assert_str_eq(mi.runs[1].path, b);
    char hex[65];
    buf_clear(&p);
    buf_printf(&p, "%s/manifest.json", b);
    cr_assert_eq(sha256_file(p.data, hex, NULL, NULL), 0);
    cr_assert_str_eq(mi.runs[1].sha256, hex);
    cr_assert_eq(mi.nunits, 2);
    cr_assert_str_eq(mi.units[0], "GL-KV01");
    cr_assert_str_eq(mi.units[1], "GL-KV02");
    cr_assert_eq(mi.nrules, 1);
    cr_assert_str_eq(mi.rules[0].version, "TT05/2024-BTP, 2026-01");
    cr_assert_eq(mi.ninputs, 2);
    cr_assert_eq(mi.noutputs, 7);
    cr_assert_str_eq(mi.outputs[0].path, "cells.csv");
    cr_assert_str_eq(mi.outputs[1].path, "accumulators.csv");
    cr_assert_str_eq(mi.outputs[6].path, "bao-cao-10-thang-2026.xlsx");
    AUTO_STR cells = tm_file(out, "cells.csv");
    sha256_buffer(cells, strlen(cells), hex);
    cr_assert_str_eq(mi.outputs[0].sha256, hex);
    cr_assert_gt(mi.identities_verified, 0);
    manifest_clear(&mi);
    buf_free(&p);
}

Test(merge, a_rerun_republishes_identical_bytes)
{
    tm_spec sa = spec_a(), sb = spec_b();
    AUTO_STR a = tm_run(&sa), *b = tm_run(&sb), *out = tm_out();
    const char *runs[] = {a, b};
    AUTO_BUF err = {0};
    cr_assert_eq(tm_merge(out, runs, 2, &err), 0, "%s", err.data);
    AUTO_STR m1 = tm_file(out, "manifest.json"), *c1 = tm_file(out, "cells.csv");
    cr_assert_eq(tm_merge(out, runs, 2, &err), 0, "%s", err.data);
    AUTO_STR m2 = tm_file(out, "manifest.json"), *c2 = tm_file(out, "cells.csv");
    cr_assert_str_eq(m1, m2);
    cr_assert_str_eq(c1, c2);
}

Test(merge, different_periods_are_refused)
{
    tm_spec sa = spec_a(), sb = spec_b();
    sb.months = 12;
    AUTO_STR a = tm_run(&sa), *b = tm_run(&sb), *out = tm_out();
    const char *runs[] = {a, b};
    AUTO_BUF err = {0};
    cr_assert_eq(tm_merge(out, runs, 2, &err), 3);
    cr_assert(strstr(err.data, "khác kỳ báo cáo: "), "%s",
              err.data);
    cr_assert(strstr(err.data, a) && strstr(err.data, b), "names both runs: %s", err.data);
    cr_assert(strstr(err.data, "2025-10-01..2026-07-31") && strstr(err.data, "2026-09-30"), "%s",
              err.data);
    cr_assert_eq(access(out, F_OK), -1, "nothing published");
}

Test(merge, different_rule_versions_are_refused)
{
    tm_spec sa = spec_a(), sb = spec_b();
    sb.version = "TT05/2024-BTP, 2026-02";
    AUTO_STR a = tm_run(&sa), *b = tm_run(&sb), *out = tm_out();
    const char *runs[] = {a, b};
    AUTO_BUF err = {0};
    cr_assert_eq(tm_merge(out, runs, 2, &err), 3);
    cr_assert(strstr(err.data, "phiên bản quy tắc khác nhau"), "%s", err.data);
    cr_assert(strstr(err.data, "\"TT05/2024-BTP, 2026-02\""), "%s", err.data);
    cr_assert_eq(access(out, F_OK), -1);
}

Test(merge, the_same_unit_in_two_runs_is_refused)
{
    tm_spec sa = spec_a(), sb = spec_b();
    sb.units[0] = "GL-KV01";
    AUTO_STR a = tm_run(&sa), *b = tm_run(&sb), *out = tm_out();
    const char *runs[] = {a, b};
    AUTO_BUF err = {0};
    cr_assert_eq(tm_merge(out, runs, 2, &err), 3);
    cr_assert(strstr(err.data, "đơn vị GL-KV01 có trong hai lần chạy"),
              "%s", err.data);
    cr_assert(strstr(err.data, a) && strstr(err.data, b), "%s", err.data);
}

Test(merge, units_are_inferred_from_b01_rows_when_the_manifest_has_none)
{
    tm_spec sa = spec_a(), sb = spec_a();
    sa.units[0] = NULL;
    sb.units[0] = NULL;
    AUTO_STR a = tm_run(&sa), *b = tm_run(&sb), *out = tm_out();
    const char *runs[] = {a, b};
    AUTO_BUF err = {0};
    cr_assert_eq(tm_merge(out, runs, 2, &err), 3);
    cr_assert(strstr(err.data, "đơn vị GL-KV01 có trong hai lần chạy"), "%s", err.data);

    sb = spec_b();
    sb.units[0] = NULL;
    free(b);
    b = tm_run(&sb);
    buf_clear(&err);
    runs[1] = b;
    cr_assert_eq(tm_merge(out, runs, 2, &err), 0, "%s", err.data);
    manifest_info mi;
    AUTO_BUF p = {0};
    buf_printf(&p, "%s/manifest.json", out);
    cr_assert_eq(manifest_read(p.data, &mi, &err), 0);
    cr_assert_eq(mi.nunits, 2);
    cr_assert_str_eq(mi.units[1], "GL-KV02");
    manifest_clear(&mi);
    buf_free(&p);
}

Test(merge, a_missing_file_is_refused_naming_it)
{
    static const char *const files[] = {"cells.csv", "accumulators.csv", "labels.csv",
                                        "lists.csv", "rejects.csv", "manifest.json"};
    for (size_t i = 0; i < 6; i++) {
        tm_spec sa = spec_a(), sb = spec_b();
        AUTO_STR a = tm_run(&sa), *b = tm_run(&sb), *out = tm_out();
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", b, files[i]);
        cr_assert_eq(unlink(p), 0);
        const char *runs[] = {a, b};
        AUTO_BUF err = {0};
        cr_assert_eq(tm_merge(out, runs, 2, &err), 3, "%s", files[i]);
        cr_assert(strstr(err.data, p), "%s", err.data);
        cr_assert(strstr(err.data, "không mở được"), "%s", err.data);
        cr_assert_eq(access(out, F_OK), -1);
        buf_free(&err);
    }
    AUTO_BUF err = {0};
    const char *runs[] = {"/nonexistent/run"};
    AUTO_STR out = tm_out();
    cr_assert_eq(tm_merge(out, runs, 1, &err), 3);
    cr_assert(strstr(err.data, "/nonexistent/run"), "%s", err.data);
}

Test(merge, a_form_column_or_aggregate_the_rules_do_not_have_is_refused)
{
    static const struct {
        const char *cells, *accs, *says;
    } cases[] = {
        {"form,row,column,value\nB09,X,bi_an,12.50\n", "", "không có biểu B09"},
        {"form,row,column,value\nB01,X,bi_an,12.50\n", "", "biểu B01 của quy tắc không có cột bi_an"},
        {"form,row,column,value\nB01,X,thu_ly,1\n", "B01,X,(count bi_an),1\n",
         "quy tắc dùng để gộp không có tổng (count bi_an) của biểu B01"},
        {"form,row,column,value\nB01,X,thu_ly,1\n", "B01,X,(count),x\n",
         "cần một dòng dữ liệu và một số nguyên"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tm_spec sa = spec_a();
        sa.cells = cases[i].cells;
        sa.accs = cases[i].accs;
        sa.units[0] = "X";
        AUTO_STR a = tm_run(&sa), *out = tm_out();
        const char *runs[] = {a};
        AUTO_BUF err = {0};
        cr_assert_eq(tm_merge(out, runs, 1, &err), 3, "case %zu", i);
        cr_assert(strstr(err.data, cases[i].says), "case %zu: %s", i, err.data);
        cr_assert_eq(access(out, F_OK), -1);
    }
}

/* TH of mini.rules: a rate over aggregates that are no column of the form, a target, the gaps,
 * last year's count: all recomputed from the summed accumulators by the rules' definitions. */
#define TH_ACC_XONG "\"(count (in state xong dinh_chi))\""
#define TH_ACC_CODK "\"(count (in state xong dinh_chi dang_thi_hanh))\""
#define TH_ACC_THU "\"(sum (+ collected reduced))\""
#define TH_ACC_DC "\"(sum remaining where (= state dinh_chi))\""
#define TH_ACC_B "\"(sum B)\""
#define TH_ACC_PRIOR "\"prior (count (in state xong dinh_chi dang_thi_hanh))\""

static const char *th_cells_x =
    "form,row,column,value\n"
    "TH,X,ty_le,50.00\nTH,X,chi_tieu,80.00\nTH,X,chenh_lech,-30.00\nTH,X,ty_le_tien,25.00\n"
    "TH,X,co_dk,2\nTH,X,co_dk_cung_ky,3\nTH,X,co_dk_tang_giam,-1\n"
    "TH,*,ty_le,50.00\nTH,*,chi_tieu,80.00\nTH,*,chenh_lech,-30.00\nTH,*,ty_le_tien,25.00\n"
    "TH,*,co_dk,2\nTH,*,co_dk_cung_ky,3\nTH,*,co_dk_tang_giam,-1\n";
static const char *th_accs_x = "TH,X," TH_ACC_XONG ",1\nTH,X," TH_ACC_CODK ",2\n"
                               "TH,X," TH_ACC_THU ",100\nTH,X," TH_ACC_B ",400\n"
                               "TH,X," TH_ACC_PRIOR ",3\n";
static const char *th_cells_y =
    "form,row,column,value\n"
    "TH,Y,ty_le,\nTH,Y,chi_tieu,80.00\nTH,Y,chenh_lech,\nTH,Y,ty_le_tien,100.00\n"
    "TH,Y,co_dk,0\nTH,Y,co_dk_cung_ky,0\nTH,Y,co_dk_tang_giam,0\n"
    "TH,*,ty_le,\nTH,*,chi_tieu,80.00\nTH,*,chenh_lech,\nTH,*,ty_le_tien,100.00\n"
    "TH,*,co_dk,0\nTH,*,co_dk_cung_ky,0\nTH,*,co_dk_tang_giam,0\n";
static const char *th_accs_y = "TH,Y," TH_ACC_THU ",50\nTH,Y," TH_ACC_DC ",50\n"
                               "TH,Y," TH_ACC_B ",100\n";

Test(merge, every_derived_cell_is_recomputed_by_the_rules_definitions)
{
    tm_spec sa = spec_a(), sb = spec_b();
    sa.cells = th_cells_x;
    sa.accs = th_accs_x;
    sb.cells = th_cells_y;
    sb.accs = th_accs_y;
    sa.units[0] = "X";
    sb.units[0] = "Y";
    AUTO_STR a = tm_run(&sa), *b = tm_run(&sb), *out = tm_out();
    const char *runs[] = {a, b};
    AUTO_BUF err = {0};
    cr_assert_eq(tm_merge(out, runs, 2, &err), 0, "%s", err.data);
    AUTO_STR cells = tm_file(out, "cells.csv");
    /* the unit rows keep their values; the total: 1/2, (150 + 50)/500, 2 − 3 */
    cr_assert_str_eq(cells,
                     "form,row,column,value\n"
                     "TH,X,ty_le,50.00\nTH,X,chi_tieu,80.00\nTH,X,chenh_lech,-30.00\n"
                     "TH,X,ty_le_tien,25.00\nTH,X,co_dk,2\nTH,X,co_dk_cung_ky,3\n"
                     "TH,X,co_dk_tang_giam,-1\n"
                     "TH,Y,ty_le,\nTH,Y,chi_tieu,80.00\nTH,Y,chenh_lech,\nTH,Y,ty_le_tien,100.00\n"
                     "TH,Y,co_dk,0\nTH,Y,co_dk_cung_ky,0\nTH,Y,co_dk_tang_giam,0\n"
                     "TH,*,ty_le,50.00\nTH,*,chi_tieu,80.00\nTH,*,chenh_lech,-30.00\n"
                     "TH,*,ty_le_tien,40.00\nTH,*,co_dk,2\nTH,*,co_dk_cung_ky,3\n"
                     "TH,*,co_dk_tang_giam,-1\n");
    /* the merged accumulators are the sum, so the merged run merges again */
    AUTO_STR accs = tm_file(out, "accumulators.csv");
    cr_assert_str_eq(accs, "form,row,acc,value\n"
                           "TH,X,(count (in state xong dinh_chi)),1\n"
                           "TH,X,(count (in state xong dinh_chi dang_thi_hanh)),2\n"
                           "TH,X,(sum (+ collected reduced)),100\n"
                           "TH,X,(sum B),400\n"
                           "TH,X,prior (count (in state xong dinh_chi dang_thi_hanh)),3\n"
                           "TH,Y,(sum (+ collected reduced)),50\n"
                           "TH,Y,(sum remaining where (= state dinh_chi)),50\n"
                           "TH,Y,(sum B),100\n");
}

Test(merge, a_count_that_does_not_follow_from_the_accumulators_is_refused)
{
    tm_spec sa = spec_a();
    sa.cells = th_cells_x;
    sa.accs = "TH,X," TH_ACC_CODK ",5\n"; /* the cells say 2 */
    sa.units[0] = "X";
    AUTO_STR a = tm_run(&sa), *out = tm_out();
    const char *runs[] = {a};
    AUTO_BUF err = {0};
    cr_assert_eq(tm_merge(out, runs, 1, &err), 3);
    cr_assert(strstr(err.data, "TH[X].co_dk") && strstr(err.data, "(2 ≠ 5)"), "%s", err.data);
}

Test(merge, the_rules_come_from_the_manifest_by_sha256_or_from_rules)
{
    /* a copy of mini.rules beside the runs: recorded in their manifests, then edited */
    AUTO_STR dir = tu_tempdir(), *orig = tm_rules_path();
    size_t len;
    AUTO_STR text = tu_read(orig, &len);
    AUTO_STR maps_text = NULL;
    thk_buf maps = {0};
    buf_printf(&maps, "%s/rules/thads-maps.rules", tu_root());
    maps_text = tu_read(maps.data, NULL);
    buf_free(&maps);
    free(tu_write_str(dir, "thads-maps.rules", maps_text));
    /* the include is relative: point it at the copy beside */
    thk_buf t = {0};
    const char *inc = strstr(text, "\"../../../rules/thads-maps.rules\"");
    cr_assert_not_null(inc);
    buf_append(&t, text, (size_t)(inc - text));
    buf_printf(&t, "\"thads-maps.rules\"%s", inc + strlen("\"../../../rules/thads-maps.rules\""));
    AUTO_STR copy = tu_write_str(dir, "mini.rules", t.data);
    buf_free(&t);

    tm_spec sa = spec_a();
    sa.cells = th_cells_x;
    sa.accs = th_accs_x;
    sa.units[0] = "X";
    AUTO_STR a = tm_run(&sa), *out = tm_out();
    /* re-record the run's rules as the copy */
    manifest_info mi;
    AUTO_BUF p = {0}, err = {0};
    buf_printf(&p, "%s/manifest.json", a);
    cr_assert_eq(manifest_read(p.data, &mi, &err), 0, "%s", err.data);
    const char *old_path = mi.rules[0].path;
    mi.rules[0].path = copy;
    cr_assert_eq(sha256_file(copy, mi.rules[0].sha256, NULL, NULL), 0);
    thk_buf b = {0};
    manifest_render(&mi, &b);
    mi.rules[0].path = old_path;
    manifest_clear(&mi);
    free(tu_write(a, "manifest.json", b.data, b.len));
    buf_free(&b);
    const char *runs[] = {a};
    cr_assert_eq(tm_merge(out, runs, 1, &err), 0, "%s", err.data);

    /* the file edited after the run: refused, exit 2, naming it */
    FILE *f = fopen(copy, "a");
    fputs("# sửa sau lần chạy\n", f);
    fclose(f);
    buf_clear(&err);
    cr_assert_eq(tm_merge(out, runs, 1, &err), 2);
    cr_assert(strstr(err.data, copy) && strstr(err.data, "--rules"), "%s", err.data);

    /* --rules names the rules to use */
    const char *rules[] = {orig};
    merge_opts o = {.out = out, .runs = runs, .nruns = 1, .rules = rules, .nrules = 1};
    buf_clear(&err);
    cr_assert_eq(merge_runs(&o, &err), 0, "%s", err.data);
}

Test(merge, fixed_row_forms_keep_their_order_and_subtotals_follow_their_group)
{
    const char *ca = "form,row,column,value\n"
                     "B03-CAP,tinh,tong,1\nB03-CAP,xa,tong,0\nB03-CAP,bo_nganh,tong,0\n"
                     "B03-CAP,khac,tong,0\nB03-CAP,*,tong,1\n"
                     "B01-CHV,GL-KV01|Trần B,thu_ly,1\nB01-CHV,GL-KV01|*,thu_ly,1\n"
                     "B01-CHV,*,thu_ly,1\n";
    const char *cb = "form,row,column,value\n"
                     "B03-CAP,tinh,tong,0\nB03-CAP,xa,tong,2\nB03-CAP,bo_nganh,tong,0\n"
                     "B03-CAP,khac,tong,1\nB03-CAP,*,tong,3\n"
                     "B01-CHV,GL-KV0|An,thu_ly,2\nB01-CHV,GL-KV0|*,thu_ly,2\n"
                     "B01-CHV,*,thu_ly,2\n";
    tm_spec sa = spec_a(), sb = spec_b();
    sa.cells = ca;
    sb.cells = cb;
    AUTO_STR a = tm_run(&sa), *b = tm_run(&sb), *out = tm_out();
    const char *runs[] = {a, b};
    AUTO_BUF err = {0};
    cr_assert_eq(tm_merge(out, runs, 2, &err), 0, "%s", err.data);
    AUTO_STR all = tm_file(out, "cells.csv");
    AUTO_STR cells = tm_columns(all, "tong", "thu_ly");
    cr_assert_str_eq(cells, "form,row,column,value\n"
                            "B03-CAP,tinh,tong,1\nB03-CAP,xa,tong,2\nB03-CAP,bo_nganh,tong,0\n"
                            "B03-CAP,khac,tong,1\nB03-CAP,*,tong,4\n"
                            "B01-CHV,GL-KV0|An,thu_ly,2\nB01-CHV,GL-KV0|*,thu_ly,2\n"
                            "B01-CHV,GL-KV01|Trần B,thu_ly,1\nB01-CHV,GL-KV01|*,thu_ly,1\n"
                            "B01-CHV,*,thu_ly,3\n");
}

Test(merge, an_inconsistent_total_row_is_refused)
{
    tm_spec sa = spec_a();
    sa.cells = "form,row,column,value\nB01,GL-KV01,thu_ly,2\nB01,*,thu_ly,3\n";
    AUTO_STR a = tm_run(&sa), *out = tm_out();
    const char *runs[] = {a};
    AUTO_BUF err = {0};
    cr_assert_eq(tm_merge(out, runs, 1, &err), 3);
    cr_assert(strstr(err.data, "B01[*].thu_ly = 3"), "%s", err.data);
}

Test(merge, a_locked_output_folder_exits_4)
{
    tm_spec sa = spec_a();
    AUTO_STR a = tm_run(&sa), *out = tm_out();
    bool locked;
    AUTO_BUF err = {0};
    publish *p = publish_begin(out, &locked, &err);
    cr_assert_not_null(p, "%s", err.data);
    const char *runs[] = {a};
    cr_assert_eq(tm_merge(out, runs, 1, &err), 4);
    cr_assert(strstr(err.data, "pid"), "%s", err.data);
    publish_abort(p);
}

Test(merge, main_returns_usage_and_help_codes)
{
    char *help[] = {"merge", "--help", NULL};
    cr_assert_eq(merge_main(2, help), 0);
    char *noout[] = {"merge", "/tmp", NULL};
    cr_assert_eq(merge_main(2, noout), 1);
    char *noruns[] = {"merge", "--out", "/tmp/x", NULL};
    cr_assert_eq(merge_main(3, noruns), 1);
    char *bad[] = {"merge", "--frobnicate", NULL};
    cr_assert_eq(merge_main(2, bad), 1);
    tm_spec sa = spec_a();
    AUTO_STR a = tm_run(&sa), *out = tm_out();
    char *ok[] = {"merge", "--quiet", "--out", out, a, NULL};
    cr_assert_eq(merge_main(5, ok), 0);
    char *missing[] = {"merge", "--out", out, "/nonexistent/run", NULL};
    cr_assert_eq(merge_main(4, missing), 3);
}

Test(merge, a_line_with_too_many_fields_is_an_input_error)
{
    tm_spec sa = spec_a();
    sa.cells = "form,row,column,value\nTH,Y,ty_le,,\n";
    AUTO_STR a = tm_run(&sa), *out = tm_out();
    const char *runs[] = {a};
    AUTO_BUF err = {0};
    cr_assert_eq(tm_merge(out, runs, 1, &err), 3);
    cr_assert(strstr(err.data, "trường, cần 4"), "%s", err.data);
}

Test(merge, fixed_keys_keep_their_order_at_every_level_and_other_keys_follow_sorted)
{
    /* B03_CAP: fixed tinh, xa, bo_nganh, khac (always present), an extra key only in run B;
     * B01_HT: fixed first level, units below it, a subtotal per group */
    tm_spec sa = spec_a(), sb = spec_b();
    sa.cells = "form,row,column,value\n"
               "B03_CAP,tinh,tong,1\nB03_CAP,xa,tong,0\nB03_CAP,bo_nganh,tong,0\n"
               "B03_CAP,khac,tong,0\nB03_CAP,*,tong,1\n"
               "B01_HT,chu_dong|DL-KV01,thu_ly,1\nB01_HT,chu_dong|*,thu_ly,1\n"
               "B01_HT,theo_yeu_cau|DL-KV01,thu_ly,2\nB01_HT,theo_yeu_cau|*,thu_ly,2\n"
               "B01_HT,khac|DL-KV01,thu_ly,0\nB01_HT,khac|*,thu_ly,0\nB01_HT,*,thu_ly,3\n";
    sb.cells = "form,row,column,value\n"
               "B03_CAP,tinh,tong,0\nB03_CAP,xa,tong,2\nB03_CAP,bo_nganh,tong,0\n"
               "B03_CAP,khac,tong,1\nB03_CAP,abc,tong,1\nB03_CAP,*,tong,4\n"
               "B01_HT,chu_dong|GL-KV01,thu_ly,4\nB01_HT,chu_dong|*,thu_ly,4\n"
               "B01_HT,theo_yeu_cau|GL-KV01,thu_ly,0\nB01_HT,theo_yeu_cau|*,thu_ly,0\n"
               "B01_HT,khac|GL-KV01,thu_ly,1\nB01_HT,khac|*,thu_ly,1\nB01_HT,*,thu_ly,5\n";
    sa.units[0] = NULL;
    sb.units[0] = NULL;
    AUTO_STR a = tm_run(&sa), *b = tm_run(&sb), *out = tm_out();
    const char *runs[] = {b, a};
    AUTO_BUF err = {0};
    cr_assert_eq(tm_merge(out, runs, 2, &err), 0, "%s", err.data);
    AUTO_STR all = tm_file(out, "cells.csv");
    AUTO_STR cells = tm_columns(all, "tong", "thu_ly");
    cr_assert_str_eq(cells, "form,row,column,value\n"
                            "B03-CAP,tinh,tong,1\nB03-CAP,xa,tong,2\nB03-CAP,bo_nganh,tong,0\n"
                            "B03-CAP,khac,tong,1\nB03-CAP,abc,tong,1\nB03-CAP,*,tong,5\n"
                            "B01-HT,chu_dong|DL-KV01,thu_ly,1\nB01-HT,chu_dong|GL-KV01,thu_ly,4\n"
                            "B01-HT,chu_dong|*,thu_ly,5\n"
                            "B01-HT,theo_yeu_cau|DL-KV01,thu_ly,2\n"
                            "B01-HT,theo_yeu_cau|GL-KV01,thu_ly,0\n"
                            "B01-HT,theo_yeu_cau|*,thu_ly,2\n"
                            "B01-HT,khac|DL-KV01,thu_ly,0\nB01-HT,khac|GL-KV01,thu_ly,1\n"
                            "B01-HT,khac|*,thu_ly,1\nB01-HT,*,thu_ly,8\n");
    /* every column of the rules' form, computed: B03-CAP's rate over the merged rows */
    cr_assert(strstr(all, "B03-CAP,*,xong,0\nB03-CAP,*,ty_le,0.00\n"), "%s", all);
}
