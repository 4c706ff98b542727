/* run — the report pipeline and its exit codes: rules, lock, input, compute, write, publish. */
#define _GNU_SOURCE /* SCHED_IDLE */
#include "run.h"
#include "screen.h"

#include "csv_out.h"
#include "datadir.h"
#include "load.h"
#include "log.h"
#include "manifest.h"
#include "model.h"
#include "period.h"
#include "publish.h"
#include "read_date.h"
#include "rejects.h"
#include "replay.h"
#include "rule.h"
#include "sha256.h"
#include "xlsx_out.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t run_signal;

/* SIGINT/SIGTERM: remove the staging folder with every file in it (the workbook too), using
 * async-signal-safe calls only, and leave with exit code 4; exiting releases the lock. After
 * the swap (publish_in_place) the new report is published: say so and leave with 0. */
static void run_on_signal(int sig)
{
    run_signal = sig;
    publish_signal_cleanup();
    if (publish_in_place()) { /* the swap is done: say so, and succeed */
        static const char done[] = "thongke: bị ngắt (tín hiệu) sau khi công bố: báo cáo mới "
                                   "đã ở đúng chỗ\n";
        ssize_t w = write(2, done, sizeof done - 1);
        (void)w;
        _exit(THK_EXIT_OK);
    }
    static const char msg[] = "thongke: lỗi: bị ngắt (tín hiệu), không công bố báo cáo; báo "
                              "cáo đã công bố trước đó giữ nguyên\n";
    ssize_t w = write(2, msg, sizeof msg - 1);
    (void)w;
    _exit(THK_EXIT_OUTPUT);
}

typedef struct {
    const run_opts *o;
    rule_set *rs;
    period per;
    model *m;
    reject_log *rej;
    const char *paths[3]; /* cases, events, thahc (NULL when absent) */
    char *owned_paths[3];
    load_stats stats[3];
    char *out;            /* output folder */
    publish *pub;
    form_set *fs;
    struct run_screen_ctx *scr; /* thẩm tra: checks-cases.csv and the case screens' hits */
    screen_result checks;     /* thẩm tra: the screens' findings */
    form_table *checks_sheet;
    thk_buf err;
    manifest_info mi;
    manifest_rule rules[RUN_MAX_RULES];
    manifest_input inputs[3];
    manifest_output outputs[10];
    bool wrote_thahc;            /* thahc-cases.csv was written */
    char xlsx_name[64];
    const char *unit_name;       /* the workbook's reporting unit: --unit-name or the data's */
    const char **unit_codes; /* manifest: the units this run covers, sorted */
    manifest_check *continuity; /* one per `continuity` of the rules */
    char (*continuity_detail)[256];
    size_t ncontinuity;
    /* the continuity check runs beside the computation (run_continuity_start) */
    pthread_t cont_thread;
    bool cont_running; /* started and not yet joined */
    bool cont_done;    /* joined (or run): cont_ok is its answer */
    bool cont_ok;
    bool cont_applies; /* false: a window with no previous year to continue */
    int64_t cont_ms;
    manifest_info published; /* --verify: the manifest being checked */
    char *verify_tmp;        /* --verify: private folder the outputs are recomputed into */
    /* where the time went, for the closing "thời gian" line (milliseconds) */
    int64_t ms_read, ms_compute, ms_csv, ms_wait, ms_hash, ms_xlsx, ms_commit;
} run_ctx;

/* Threads for reading and computing: --threads, else 2 on a machine with two cores. */
static int run_threads(const run_opts *o)
{
    if (o->threads > 0)
        return o->threads;
    return sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 2 : 1;
}

static const char *run_base(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static void *run_model_finish(void *m)
{
    model_finish(m);
    return NULL;
}

/* The rejects of a run that failed on its input, written where the statistician will look:
 * ".<name>.rejects.csv" beside the output folder (the published report is left as it was).
 * Written in the private staging folder, then renamed over the old one (rename replaces a
 * planted symlink instead of following it). */
static void run_keep_rejects(run_ctx *c)
{
    if (!c->pub || !c->rej)
        return;
    rejects_sort(c->rej);
    thk_buf err = {0};
    const char *staged = publish_path(c->pub, "rejects.csv");
    char *tmp = thk_xstrdup(staged);
    char *dest = publish_sibling_path(c->out, ".rejects.csv");
    if (csv_out_write_rejects(tmp, c->rej, &err) == 0 && chmod(tmp, c->o->mode ? c->o->mode
                                                                           : PUBLISH_DEFAULT_MODE) == 0 &&
        rename(tmp, dest) == 0)
        log_error("các dòng bị loại của lần chạy này: %s (%zu dòng)", dest, rejects_count(c->rej));
    else
        log_error("không ghi được %s: %s", dest, err.data ? err.data : strerror(errno));
    buf_free(&err);
    free(tmp);
    free(dest);
}

/* After a successful publication, the rejects kept by an earlier failed run describe an export
 * that has been fixed: remove them (a regular file of ours only; unlink never follows). */
static void run_drop_kept_rejects(const run_ctx *c)
{
    char *dest = publish_sibling_path(c->out, ".rejects.csv");
    struct stat st;
    if (lstat(dest, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid())
        unlink(dest);
    free(dest);
}

static int run_load(run_ctx *c)
{
    const run_opts *o = c->o;
    const char *dir = o->input_dir ? o->input_dir : "input/sample";
    /* each of the three as .csv, .xlsx or .xls (datadir_input) */
    static const char *const STEM[3] = {"cases", "events", "thahc"};
    const char *given[3] = {o->cases, o->events, o->thahc};
    for (int k = 0; k < 3; k++) {
        if (given[k]) {
            c->paths[k] = given[k];
            continue;
        }
        if (k == 2 && o->cases)
            break;
        bool found;
        buf_clear(&c->err);
        c->owned_paths[k] = datadir_input(dir, STEM[k], &found, &c->err);
        if (!c->owned_paths[k]) {
            log_error("%s", c->err.data);
            return THK_EXIT_INPUT;
        }
        c->paths[k] = k < 2 || found ? c->owned_paths[k] : NULL;
    }
    c->m = model_new();
    c->rej = rejects_new();
    load_opts lo = {0};
    rule_set_fill_load_opts(c->rs, &lo);
    lo.encoding = o->encoding;
    for (int k = 0; k < 3; k++)
        lo.encoding_for[k] = o->encoding_for[k];
    lo.delimiter = o->delimiter;
    lo.rejects = c->rej;
    lo.cases_pipe = run_threads(o) > 1 ? 1 : -1;
    /* cases and events on two threads, then thahc (small) */
    FILE *progress = NULL;
    if (log_progress_stream() && (o->progress || isatty(2)))
        progress = log_progress_stream();
    int64_t t0 = log_now_ms();
    buf_clear(&c->err);
    int rc = load_cases_events(c->m, c->paths[0], c->paths[1], &lo, &c->stats[0], &c->stats[1],
                               progress, &c->err);
    /* Events into their cases beside reading thahc.csv: the two share no part of the model. */
    pthread_t ft;
    bool finishing = false;
    if (!rc) {
        finishing = pthread_create(&ft, NULL, run_model_finish, c->m) == 0;
        if (!finishing)
            model_finish(c->m);
    }
    if (!rc && c->paths[2])
        rc = load_file(c->m, LOAD_THAHC, c->paths[2], &lo, &c->stats[2], &c->err);
    if (finishing)
        pthread_join(ft, NULL);
    if (rc) {
        log_error("%s", c->err.data);
        return THK_EXIT_INPUT;
    }
    size_t index_bytes = (c->m->case_index_mask + 1) * sizeof *c->m->case_index;
    model_compact(c->m); /* nothing is looked up by ma_viec after loading */
    int64_t ms = log_now_ms() - t0;
    for (int k = 0; k < 3; k++) {
        if (!c->paths[k])
            continue;
        const load_stats *s = &c->stats[k];
        log_stage("đọc", "%s: %" PRIu64 " dòng, %" PRIu64 " nhận, %" PRIu64 " loại, %" PRIu64
                  " cảnh báo; tệp có %" PRIu64 " dòng vật lý, %" PRIu64 " bản ghi nằm trên nhiều "
                  "dòng; %.1f MB", c->paths[k], s->read, s->accepted, s->rejected, s->warned,
                  s->lines, s->multiline, (double)s->bytes / 1e6);
        if (s->keys_kept)
            log_stage("đọc", "%s: %" PRIu64 " mã việc giữ lại chờ đối chiếu với tệp việc, %.1f "
                      "MB", c->paths[k], s->keys_kept, (double)s->keys_bytes / 1e6);
        const char *asked = load_encoding(&lo, (load_kind)k);
        bool ignored = asked && *asked && strncmp(s->encoding, "UTF", 3) == 0;
        log_stage("đọc", "%s: bảng mã %s%s%s%s", c->paths[k], s->encoding,
                  ignored ? " (tệp đã là Unicode nên không chuyển từ " : "",
                  ignored ? asked : "", ignored ? ")" : "");
    }
    const model *m = c->m;
    log_stage("đọc", "%" PRId64 " ms; bộ nhớ mô hình: việc %.0f MB, sự kiện %.0f MB, chuỗi "
              "%.0f MB (chỉ mục mã việc %.0f MB dùng khi đọc, đã trả lại)", ms,
              (double)(m->cases_cap * sizeof *m->cases) / 1e6,
              (double)(m->events_cap * sizeof *m->events +
                       m->ev_extra_cap * sizeof *m->ev_extra) / 1e6,
              (double)strpool_bytes(m->strings) / 1e6, (double)index_bytes / 1e6);
    /* A run whose input was mostly refused publishes a report of nothing over a good one:
     * stop before publishing, keep the rejects where the statistician will find them. */
    int64_t pct = o->max_reject_pct >= 0 ? o->max_reject_pct : RUN_DEFAULT_MAX_REJECT_PCT;
    for (int k = 0; k < 3; k++) {
        const load_stats *s = &c->stats[k];
        if (!c->paths[k])
            continue;
        if (k == 0 && s->accepted == 0) {
            log_error("%s: không nhận được việc nào (%" PRIu64 " dòng đọc, %" PRIu64
                      " dòng bị loại); không công bố báo cáo rỗng, báo cáo đã công bố giữ "
                      "nguyên",
                      c->paths[k], s->read, s->rejected);
            run_keep_rejects(c);
            return THK_EXIT_INPUT;
        }
        if (s->read == 0)
            continue;
        if (o->strict && s->rejected > 0) {
            log_error("--strict: %s có %" PRIu64 " dòng bị loại", c->paths[k], s->rejected);
            run_keep_rejects(c);
            return THK_EXIT_INPUT;
        }
        /* rejected / read > P / 100 %, in integers: rejected * 10000 > P * read */
        if ((uint64_t)s->rejected * 10000u > (uint64_t)pct * s->read) {
            log_error("%s: %" PRIu64 "/%" PRIu64 " dòng bị loại (%" PRIu64 " %%), vượt ngưỡng "
                      "%" PRId64 ".%02" PRId64 " %%%s; không công bố, báo cáo đã công bố giữ "
                      "nguyên (sai --encoding, sai tệp, hay tệp chỉ có tiêu đề?)",
                      c->paths[k], s->rejected, s->read, s->rejected * 100u / s->read, pct / 100,
                      pct % 100,
                      o->max_reject_pct >= 0 ? " (--max-reject-pct)"
                                             : " mặc định (đổi bằng --max-reject-pct)");
            run_keep_rejects(c);
            return THK_EXIT_INPUT;
        }
    }
    return 0;
}

/* cases.csv: one row per in-scope case with its state and the flags forms and lists use,
 * streamed while the forms are computed (one replay pass serves both). */
typedef struct {
    csv_out_file *f;
    int rc;
    const char **keys; /* the rules' case keys and whether each has a column */
    bool *shown;
    size_t nkeys;
    rule_map *cap;     /* thahc-cases.csv: the map of cap_phai_thi_hanh, for its value names */
} run_cases_ctx;

/* thahc-cases.csv: one row per row of thahc.csv in scope, with what THAHC forms read. */
static void run_thahc_row(void *ctx, const model *m, uint32_t idx, const char *flags,
                          const char *keys, const char *cells)
{
    run_cases_ctx *cc = ctx;
    const model_thahc *t = &m->thahc[idx];
    const char *cap = t->cap >= 0 && cc->cap ? rule_map_value_name(cc->cap, (size_t)t->cap) : "";
    csv_out_thahc_row(csv_out_buffer(cc->f), model_str(m, t->ma_ban_an),
                      model_str(m, m->units[t->unit].code), t, cap ? cap : "", cells, flags,
                      keys, cc->shown, cc->nkeys);
    if (!cc->rc)
        cc->rc = csv_out_flush_some(cc->f);
}

static void run_case_row(const void *ctx, const model *m, uint32_t case_idx,
                         const replay_facts *f, const char *flags, const char *keys,
                         thk_buf *out);
static void run_case_rows(void *ctx, const char *bytes, size_t len);

/* Opens the run's drill-down file cases.csv (or, `thahc`, thahc-cases.csv): its header with the
 * rules' row keys, and its writer registered as the rules' callback. */
static int run_drill_open(run_ctx *c, run_cases_ctx *cc, bool thahc)
{
    cc->f = csv_out_open(publish_path(c->pub, thahc ? "thahc-cases.csv" : "cases.csv"), &c->err);
    if (!cc->f)
        return THK_EXIT_OUTPUT;
    cc->nkeys = thahc ? rule_set_thahc_keys(c->rs, NULL, 0) : rule_set_case_keys(c->rs, NULL, 0);
    cc->keys = thk_xcalloc(cc->nkeys + 1, sizeof *cc->keys);
    cc->shown = thk_xcalloc(cc->nkeys + 1, sizeof *cc->shown);
    if (thahc)
        rule_set_thahc_keys(c->rs, cc->keys, cc->nkeys);
    else
        rule_set_case_keys(c->rs, cc->keys, cc->nkeys);
    for (size_t k = 0; k < cc->nkeys; k++)
        cc->shown[k] = thahc ? csv_out_thahc_key_shown(cc->keys[k])
                             : csv_out_case_key_shown(cc->keys[k]);
    csv_out_bom(csv_out_buffer(cc->f));
    if (thahc) {
        cc->cap = rule_set_map(c->rs, csv_out_thahc_columns[CSV_THAHC_CAP]);
        csv_out_thahc_header(csv_out_buffer(cc->f), cc->keys, cc->shown, cc->nkeys);
        rule_set_on_thahc(c->rs, run_thahc_row, cc);
    } else {
        csv_out_cases_header(csv_out_buffer(cc->f), cc->keys, cc->shown, cc->nkeys);
        rule_set_case_rows(c->rs, run_case_row, run_case_rows, cc);
    }
    return 0;
}

/* checks-cases.csv (when CSV is published) and the case screens' hits, from the rules' screen
 * callback during the compute. */
typedef struct run_screen_ctx {
    const rule_set *rs;
    csv_out_file *f;
    screen_hits hits;
    int rc;
} run_screen_ctx;

static void run_screen_case(void *ctx, const model *m, uint32_t case_idx, size_t screen,
                            const char *fields)
{
    run_screen_ctx *sc = ctx;
    const model_case *k = &m->cases[case_idx];
    screen_hits_add(&sc->hits, screen, model_str(m, m->units[k->unit].code),
                    model_str(m, k->chv));
    if (!sc->f)
        return;
    thk_buf *b = csv_out_buffer(sc->f);
    csv_out_str(b, rule_set_screen_id(sc->rs, screen), false);
    buf_append(b, fields, strlen(fields));
    buf_putc(b, '\n');
    if (!sc->rc)
        sc->rc = csv_out_flush_some(sc->f);
}

/* Registers the screen callback, with checks-cases.csv opened when CSV is published. */
static int run_screens_open(run_ctx *c)
{
    if (!rule_set_screen_count(c->rs))
        return 0;
    c->scr = thk_xcalloc(1, sizeof *c->scr);
    c->scr->rs = c->rs;
    if (c->o->want_csv) {
        c->scr->f = csv_out_open(publish_path(c->pub, "checks-cases.csv"), &c->err);
        if (!c->scr->f)
            return THK_EXIT_OUTPUT;
        screen_cases_header(c->rs, csv_out_buffer(c->scr->f));
    }
    rule_set_on_screen(c->rs, run_screen_case, c->scr);
    return 0;
}

/* Closes checks-cases.csv (NULL err: quietly); its write status. The hits stay. */
static int run_screens_close(run_ctx *c, thk_buf *err)
{
    if (!c->scr)
        return 0;
    rule_set_on_screen(c->rs, NULL, NULL);
    thk_buf quiet = {0};
    int rc = c->scr->f ? csv_out_close(c->scr->f, err ? err : &quiet) : 0;
    buf_free(&quiet);
    c->scr->f = NULL;
    return rc ? rc : c->scr->rc;
}

/* Closes a drill-down file (NULL err: after another failure, quietly); its write status. */
static int run_drill_close(run_cases_ctx *cc, thk_buf *err)
{
    thk_buf quiet = {0};
    int rc = cc->f ? csv_out_close(cc->f, err ? err : &quiet) : 0;
    buf_free(&quiet);
    free(cc->keys);
    free(cc->shown);
    int out = rc ? rc : cc->rc;
    *cc = (run_cases_ctx){0};
    return out;
}

/* A row of cases.csv, made on a computing thread (it only reads cc). */
static void run_case_row(const void *ctx, const model *m, uint32_t case_idx,
                         const replay_facts *f, const char *flags, const char *keys,
                         thk_buf *out)
{
    const run_cases_ctx *cc = ctx;
    const model_case *k = &m->cases[case_idx];
    csv_out_case_row(out, model_str(m, k->ma_viec), model_str(m, m->units[k->unit].code), f,
                     flags, keys, cc->shown, cc->nkeys);
}

/* A chunk's rows of cases.csv, in case order. */
static void run_case_rows(void *ctx, const char *bytes, size_t len)
{
    run_cases_ctx *cc = ctx;
    buf_append(csv_out_buffer(cc->f), bytes, len);
    if (!cc->rc)
        cc->rc = csv_out_flush_some(cc->f);
}

/* The province or city in a unit's name ("… tỉnh Đắk Lắk" → "Đắk Lắk"), or NULL. */
static const char *run_province(const char *name)
{
    static const char *const marks[] = {"tỉnh ", "thành phố "};
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
        const char *p = strstr(name, marks[i]);
        if (p)
            return p + strlen(marks[i]);
    }
    return NULL;
}

/* The reporting unit when --unit-name is not given: the data's one unit, or its province-level
 * unit ("Thi hành án dân sự tỉnh X") when every other unit's name ends in " - X"; NULL when the
 * data holds several provinces or unnamed units. */
static const char *run_unit_from_data(const model *m)
{
    const char *top = NULL, *prov = NULL;
    size_t named = 0;
    for (size_t u = 0; u < m->nunits; u++) {
        const char *n = m->units[u].name ? model_str(m, m->units[u].name) : "";
        named += *n != '\0';
        const char *p = run_province(n);
        if (p && (!prov || strcmp(p, prov) != 0)) {
            if (prov)
                return NULL; /* two provinces */
            top = n;
            prov = p;
        }
    }
    if (m->nunits == 1 && named == 1)
        return model_str(m, m->units[0].name);
    if (!prov || named != m->nunits)
        return NULL;
    size_t pl = strlen(prov);
    for (size_t u = 0; u < m->nunits; u++) {
        const char *n = model_str(m, m->units[u].name);
        size_t nl = strlen(n);
        bool ends = nl > pl + 3 && strcmp(n + nl - pl, prov) == 0 &&
                    strncmp(n + nl - pl - 3, " - ", 3) == 0;
        if (n != top && strcmp(n, top) != 0 && !ends)
            return NULL;
    }
    return top;
}

/* Records the SHA-256 of outputs names[0..n) in the manifest; the first ones may have been
 * hashed by an earlier call (the workbook is written after the others), and are not again. */
static int run_hash_outputs(run_ctx *c, const char *const *names, size_t n)
{
    c->mi.outputs = c->outputs;
    for (size_t i = c->mi.noutputs; i < n; i++) {
        manifest_output *mo = &c->outputs[c->mi.noutputs++];
        mo->path = names[i];
        if (sha256_file(publish_path(c->pub, names[i]), mo->sha256, NULL, &c->err) != 0)
            return THK_EXIT_OUTPUT;
    }
    return 0;
}

static int run_cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void run_fill_manifest(run_ctx *c)
{
    const run_opts *o = c->o;
    manifest_info *mi = &c->mi;
    mi->tool_version = THK_VERSION;
    mi->argc = (size_t)o->argc;
    mi->argv = (const char *const *)o->argv;
    if (o->verify) { /* recompute the manifest exactly as the audited run wrote it */
        mi->argc = c->published.argc;
        mi->argv = c->published.argv;
    }
    mi->unit = o->unit_name;
    mi->per = c->per;
    size_t nr = o->nrules ? o->nrules : 1;
    for (size_t i = 0; i < nr; i++) {
        c->rules[i].path = o->nrules ? o->rules[i] : "rules/thads.rules";
        c->rules[i].version = rule_set_version(c->rs);
        sha256_file(c->rules[i].path, c->rules[i].sha256, NULL, &c->err);
    }
    mi->rules = c->rules;
    mi->nrules = nr;
    /* The units the run covers (cases.csv or thahc.csv), so merge can refuse a unit twice. */
    c->unit_codes = thk_xcalloc(c->m->nunits + 1, sizeof *c->unit_codes);
    for (size_t u = 0; u < c->m->nunits; u++)
        c->unit_codes[u] = model_str(c->m, c->m->units[u].code);
    qsort(c->unit_codes, c->m->nunits, sizeof *c->unit_codes, run_cmp_str);
    mi->units = c->unit_codes;
    mi->nunits = c->m->nunits;
    mi->inputs = c->inputs;
    mi->ninputs = 0;
    for (int k = 0; k < 3; k++) {
        if (!c->paths[k])
            continue;
        manifest_input *in = &c->inputs[mi->ninputs++];
        in->path = c->paths[k];
        memcpy(in->sha256, c->stats[k].sha256, sizeof in->sha256); /* hashed by the loader */
        in->bytes = c->stats[k].bytes;
        in->lines = c->stats[k].lines;
        in->encoding = c->stats[k].encoding;
        in->rows_read = c->stats[k].read;
        in->rows_accepted = c->stats[k].accepted;
        in->rows_rejected = c->stats[k].rejected;
        in->rows_warned = rejects_count_severity(c->rej, run_base(c->paths[k]), 'W');
    }
}

/* Year-to-year continuity (domain.md §6), as the rules declare it (`continuity` items,
 * evaluated by rule_continuity_sums with a working state of its own, beside rule_compute):
 * per unit, what the previous statistical year hands over at its end must equal what this
 * year takes over. Returns false when a unit differs (details in the manifest). */
static bool run_continuity(run_ctx *c)
{
    c->cont_ok = true;
    c->cont_applies = false;
    size_t nk = rule_set_continuity_count(c->rs);
    if (!c->per.months || nk == 0)
        return true; /* a custom window has no previous statistical year to continue */
    int day, month;
    rule_set_year_start(c->rs, &day, &month);
    period prev;
    if (!period_months(c->per.year - 1, 12, day, month, &prev) || prev.E + 1 != c->per.S)
        return true;
    c->cont_applies = true;
    c->continuity = thk_xcalloc(nk, sizeof *c->continuity);
    c->continuity_detail = thk_xcalloc(nk, sizeof *c->continuity_detail);
    c->ncontinuity = nk;
    const model *m = c->m;
    size_t n = m->nunits;
    int64_t *v = thk_xcalloc(2 * nk * n + 1, sizeof *v); /* [k][unit][previous, current] */
    bool *ovf = thk_xcalloc(nk + 1, sizeof *ovf);
    rule_continuity_sums(c->rs, m, &prev, &c->per, v, ovf);
    for (size_t k = 0; k < nk; k++) {
        bool ok = !ovf[k];
        if (!ok)
            snprintf(c->continuity_detail[k], sizeof c->continuity_detail[k],
                     "tổng vượt quá giới hạn số nguyên 64 bit");
        for (size_t u = 0; u < n && ok; u++)
            if (v[(k * n + u) * 2] != v[(k * n + u) * 2 + 1]) {
                ok = false;
                snprintf(c->continuity_detail[k], sizeof c->continuity_detail[k],
                         "đơn vị %s: năm %d chuyển kỳ sau %" PRId64 ", năm %d chuyển sang %" PRId64,
                         model_str(m, m->units[u].code), prev.year, v[(k * n + u) * 2],
                         c->per.year, v[(k * n + u) * 2 + 1]);
            }
        c->continuity[k] = (manifest_check){rule_set_continuity_name(c->rs, k), ok,
                                            ok ? "" : c->continuity_detail[k]};
        c->cont_ok = c->cont_ok && ok;
    }
    free(v);
    free(ovf);
    return c->cont_ok;
}

/* The check needs only the model and the period, and replays every case twice (0.12 s on 1M
 * cases of the default shape, 0.18 s of the backlog shape, with a core of its own): it runs on
 * a SCHED_IDLE thread from the end of loading, in the moments a core is idle (the two halves
 * of the computation rarely end together), and run_on_aggregated waits for what is left of
 * it (0–0.1 s on those shapes) before the model's rows are given back. */
static void *run_continuity_thread(void *arg)
{
    struct sched_param sp = {0};
    pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp); /* best effort */
    run_ctx *c = arg;
    int64_t t0 = log_now_ms();
    run_continuity(c);
    c->cont_ms = log_now_ms() - t0;
    return NULL;
}

static void run_continuity_start(run_ctx *c)
{
    c->cont_running = pthread_create(&c->cont_thread, NULL, run_continuity_thread, c) == 0;
}

/* Joins the check (or runs it here when no thread was started); returns whether it holds. */
static bool run_continuity_wait(run_ctx *c)
{
    if (c->cont_done)
        return c->cont_ok;
    c->cont_done = true;
    if (c->cont_running) {
        pthread_join(c->cont_thread, NULL);
        c->cont_running = false;
    } else {
        int64_t t0 = log_now_ms();
        run_continuity(c);
        c->cont_ms = log_now_ms() - t0;
    }
    return c->cont_ok;
}

/* rule_compute's hook between aggregating and building the tables: the continuity check is
 * the last reader of the model's rows, so once it is joined they are given back, and the
 * tables, the lists and the workbook are made in their room (on 1M backlog cases the peak fell
 * from 244 to 216 MB; it was the tables' build on top of the whole model). */
static void run_on_aggregated(void *ctx)
{
    run_ctx *c = ctx;
    int64_t t = log_now_ms();
    run_continuity_wait(c);
    c->ms_wait += log_now_ms() - t;
    model_release_rows(c->m);
}

/* The CSV outputs written after the computation (cases.csv and checks-cases.csv were written
 * during it), and the manifest's facts; their names are added to names[*n]. */
static int run_write_csv(run_ctx *c, const char **names, size_t *n)
{
    int rc;
    if (c->o->want_csv) {
        names[(*n)++] = "cells.csv";
        if ((rc = csv_out_write_cells(publish_path(c->pub, "cells.csv"), c->fs, &c->err)))
            return rc;
        names[(*n)++] = "cases.csv"; /* written during rule_compute */
        if (c->wrote_thahc)
            names[(*n)++] = "thahc-cases.csv";
        names[(*n)++] = "accumulators.csv";
        if ((rc = csv_out_write_accs(publish_path(c->pub, "accumulators.csv"), c->fs, &c->err)))
            return rc;
        names[(*n)++] = "labels.csv";
        if ((rc = csv_out_write_labels(publish_path(c->pub, "labels.csv"), c->fs, &c->err)))
            return rc;
        names[(*n)++] = "lists.csv";
        if ((rc = csv_out_write_lists(publish_path(c->pub, "lists.csv"), c->fs, &c->err)))
            return rc;
        if (rule_set_screen_count(c->rs)) {
            names[(*n)++] = "checks.csv";
            if ((rc = screen_write_checks(publish_path(c->pub, "checks.csv"), c->rs, &c->checks,
                                          &c->err)))
                return rc;
            names[(*n)++] = "checks-cases.csv"; /* written during rule_compute */
        }
    }
    names[(*n)++] = "rejects.csv";
    if ((rc = csv_out_write_rejects(publish_path(c->pub, "rejects.csv"), c->rej, &c->err)))
        return rc;
    run_fill_manifest(c);
    c->mi.identities_verified = c->fs->identities_verified;
    return 0;
}

/* Logs the year-to-year continuity check and records it in the manifest; THK_EXIT_CHECK with
 * the failed checks in c->err when it does not hold. */
static int run_continuity_report(run_ctx *c, bool continuous)
{
    if (c->cont_applies) {
        c->mi.continuity = c->continuity;
        c->mi.ncontinuity = c->ncontinuity;
        log_stage("kiểm tra", "liên tục giữa hai năm (%zu kiểm tra của quy tắc): %s (%" PRId64
                  " ms, cùng lúc với tính toán)", c->ncontinuity, continuous ? "đúng" : "SAI",
                  c->cont_ms);
    } else {
        log_stage("kiểm tra", "liên tục giữa hai năm: %s",
                  rule_set_continuity_count(c->rs) ? "không áp dụng cho kỳ này"
                                : "quy tắc không khai báo (continuity)");
    }
    if (continuous)
        return 0;
    buf_printf(&c->err, "kiểm tra liên tục giữa hai năm không đúng:");
    for (size_t k = 0; k < c->ncontinuity; k++)
        if (!c->continuity[k].ok)
            buf_printf(&c->err, " %s: %s;", c->continuity[k].name, c->continuity_detail[k]);
    return THK_EXIT_CHECK;
}

/* The workbook is made on a thread of its own while the CSV files are written and hashed; it
 * waits for the manifest (which carries their hashes) only at its hidden last sheet. */
typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool ready;          /* json is final, or the run stopped (json NULL) */
    const char *json;
    xlsx_report xr;
    char *path;          /* owned: publish_path's answer is overwritten by the next call */
    thk_buf err;
    int rc;
} run_book;

static const char *run_book_manifest(void *ctx)
{
    run_book *b = ctx;
    pthread_mutex_lock(&b->mu);
    while (!b->ready)
        pthread_cond_wait(&b->cv, &b->mu);
    const char *json = b->json;
    pthread_mutex_unlock(&b->mu);
    return json;
}

static void run_book_release(run_book *b, const char *json)
{
    pthread_mutex_lock(&b->mu);
    b->json = json;
    b->ready = true;
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
}

static void *run_book_thread(void *arg)
{
    run_book *b = arg;
    b->rc = xlsx_out_write(b->path, &b->xr, &b->err);
    return NULL;
}

/* Starts the workbook (on a thread when one can be had, else it is made in run_book_finish). */
static void run_book_start(run_ctx *c, run_book *b, pthread_t *t, bool *threaded)
{
    const run_opts *o = c->o;
    xlsx_out_name(&c->per, c->xlsx_name, sizeof c->xlsx_name);
    c->unit_name = o->unit_name;
    if (!c->unit_name || !*c->unit_name)
        c->unit_name = run_unit_from_data(c->m);
    if (!c->unit_name)
        log_stage("cảnh báo", "đầu biểu ghi \"%s\": không có --unit-name và dữ liệu gồm "
                  "nhiều tỉnh hoặc đơn vị chưa có tên; hãy cho --unit-name",
                  XLSX_OUT_DEFAULT_UNIT);
    else if (!o->unit_name || !*o->unit_name)
        log_stage("báo cáo", "đơn vị báo cáo lấy từ dữ liệu: %s (đổi bằng --unit-name)",
                  c->unit_name);
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->cv, NULL);
    b->path = thk_xstrdup(publish_path(c->pub, c->xlsx_name));
    b->xr = (xlsx_report){
        .forms = c->fs,
        .per = c->per,
        .unit_name = c->unit_name,
        .receiver = o->receiver,
        .place = o->place,
        .sign_date = o->sign_date,
        .rejects = c->rej,
        .checks = c->checks_sheet,
        .manifest_wait = run_book_manifest,
        .manifest_ctx = b,
        .created = xlsx_out_created(&c->per),
        .threads = run_threads(o),
    };
    *threaded = run_threads(o) > 1 && pthread_create(t, NULL, run_book_thread, b) == 0;
}

/* Hands the workbook its manifest text (NULL: the run stopped) and waits for it; meanwhile the
 * files already written (names[0..n)) go to disk, so that publication has less to wait for. */
static int run_book_finish(run_ctx *c, run_book *b, pthread_t t, bool threaded, const char *json,
                           const char *const *names, size_t n)
{
    run_book_release(b, json);
    if (json && threaded)
        for (size_t i = 0; i < n; i++)
            publish_presync(c->pub, names[i]);
    if (threaded)
        pthread_join(t, NULL);
    else
        run_book_thread(b);
    pthread_mutex_destroy(&b->mu);
    pthread_cond_destroy(&b->cv);
    free(b->path);
    int rc = b->rc;
    if (rc && json)
        buf_append(&c->err, b->err.data ? b->err.data : "", b->err.len);
    buf_free(&b->err);
    return rc;
}

static int run_write(run_ctx *c)
{
    const run_opts *o = c->o;
    const char *names[12];
    size_t n = 0;
    int rc = 0;
    int64_t t = log_now_ms(), tb = 0;
    rejects_sort(c->rej);
    run_book book = {0};
    pthread_t bt;
    bool threaded = false;
    if (o->want_xlsx) {
        tb = log_now_ms();
        run_book_start(c, &book, &bt, &threaded);
    }
    rc = run_write_csv(c, names, &n);
    c->ms_csv = log_now_ms() - t;
    if (!rc) {
        t = log_now_ms();
        bool continuous = run_continuity_wait(c);
        c->ms_wait += log_now_ms() - t;
        rc = run_continuity_report(c, continuous);
    }
    if (!rc && o->want_xlsx) {
        /* the workbook's hidden sheet carries the manifest of the other files */
        t = log_now_ms();
        rc = run_hash_outputs(c, names, n);
        c->ms_hash = log_now_ms() - t;
    }
    if (o->want_xlsx) {
        thk_buf json = {0};
        if (!rc)
            manifest_render(&c->mi, &json);
        int brc = run_book_finish(c, &book, bt, threaded, rc ? NULL : json.data ? json.data : "",
                                  names, n);
        buf_free(&json);
        c->ms_xlsx = log_now_ms() - tb;
        if (rc || brc)
            return rc ? rc : brc;
        names[n++] = c->xlsx_name;
    }
    if (rc)
        return rc;
    t = log_now_ms();
    if ((rc = run_hash_outputs(c, names, n)))
        return rc;
    c->ms_hash += log_now_ms() - t;
    return manifest_write(publish_path(c->pub, "manifest.json"), &c->mi, &c->err);
}

/* The closing line of the log: where the run's time went, stage by stage, and the peak of its
 * resident memory (what `make bench` reports per stage). */
static void run_log_times(const run_ctx *c)
{
    struct rusage ru;
    long peak_kb = getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : 0;
    log_stage("thời gian", "đọc %" PRId64 " ms, tính %" PRId64 " ms (trong đó ghi cases.csv và "
              "checks-cases.csv %" PRId64 " ms, dựng bảng và danh sách %" PRId64 " ms), tệp "
              "CSV khác %" PRId64 " ms, chờ kiểm tra liên tục %" PRId64 " ms, mã băm %" PRId64
              " ms, bảng tính Excel %" PRId64 " ms (cùng lúc với tệp CSV và mã băm), ghi đĩa %" PRId64
              " ms; bộ nhớ đỉnh %ld MB",
              c->ms_read, c->ms_compute, c->fs ? c->fs->calls_ms : 0,
              c->fs ? c->fs->build_ms : 0, c->ms_csv, c->ms_wait, c->ms_hash, c->ms_xlsx,
              c->ms_commit, (peak_kb + 512) / 1024);
}

/* --verify: the outputs were recomputed into a private folder; compare them, file by file, with
 * the published manifest and with the published files themselves. 0 same, 1 different. */
static int run_verify(run_ctx *c)
{
    thk_buf path = {0};
    int differ = 0;
    for (size_t i = 0; i < c->mi.noutputs; i++) {
        const manifest_output *mine = &c->mi.outputs[i];
        const manifest_output *theirs = NULL;
        for (size_t j = 0; j < c->published.noutputs && !theirs; j++)
            if (strcmp(c->published.outputs[j].path, mine->path) == 0)
                theirs = &c->published.outputs[j];
        buf_clear(&path);
        buf_printf(&path, "%s/%s", c->out, mine->path);
        char onfile[65] = "";
        thk_buf e = {0};
        bool readable = sha256_file(path.data, onfile, NULL, &e) == 0;
        buf_free(&e);
        if (!theirs) {
            log_error("verify: %s không có trong manifest đã công bố", mine->path);
            differ = 1;
        } else if (strcmp(theirs->sha256, mine->sha256) != 0) {
            log_error("verify: %s khác: tính lại %.16s…, manifest ghi %.16s…", mine->path,
                      mine->sha256, theirs->sha256);
            differ = 1;
        } else if (!readable || strcmp(onfile, mine->sha256) != 0) {
            log_error("verify: tệp %s đã công bố bị sửa hoặc mất (SHA-256 %.16s…, đúng là "
                      "%.16s…)", path.data, readable ? onfile : "?", mine->sha256);
            differ = 1;
        } else
            log_stage("verify", "%s: giống", mine->path);
    }
    for (size_t j = 0; j < c->published.noutputs; j++) {
        bool found = false;
        for (size_t i = 0; i < c->mi.noutputs && !found; i++)
            found = strcmp(c->published.outputs[j].path, c->mi.outputs[i].path) == 0;
        if (!found) {
            log_error("verify: %s có trong manifest nhưng lần tính lại không tạo ra",
                      c->published.outputs[j].path);
            differ = 1;
        }
    }
    /* manifest.json itself: same inputs, rules and outputs give the same bytes */
    buf_clear(&path);
    buf_printf(&path, "%s/manifest.json", c->out);
    char a[65] = "", b[65] = "";
    thk_buf e = {0};
    sha256_file(path.data, a, NULL, &e);
    sha256_file(publish_path(c->pub, "manifest.json"), b, NULL, &e);
    buf_free(&e);
    if (strcmp(a, b) != 0) {
        log_error("verify: manifest.json khác (dữ liệu vào hoặc quy tắc đã thay đổi?)");
        differ = 1;
    }
    buf_free(&path);
    log_stage("verify", "%s", differ ? "KHÁC với báo cáo đã công bố" : "giống hệt báo cáo đã công bố");
    return differ;
}

/* Thẩm tra: the rules' screens on the computed forms (and the --baseline run's cells). They
 * never change a figure; a baseline that cannot be read is an input error. */
static int run_screens(run_ctx *c)
{
    if (!rule_set_screen_count(c->rs))
        return 0;
    int64_t t0 = log_now_ms();
    screen_baseline b;
    bool with_b = c->o->baseline != NULL;
    if (with_b) {
        buf_clear(&c->err);
        if (screen_baseline_read(&b, c->o->baseline, &c->err)) {
            log_error("--baseline: %s", c->err.data);
            screen_baseline_free(&b);
            return THK_EXIT_INPUT;
        }
    }
    screen_run(c->rs, c->fs, &c->scr->hits, with_b ? &b : NULL, &c->checks);
    if (with_b)
        screen_baseline_free(&b);
    c->checks_sheet = screen_table(c->rs, &c->checks);
    log_stage("thẩm tra", "%zu kiểm tra của quy tắc: %zu mục phát hiện (%zu mức error), %zu việc "
              "trong checks-cases.csv (%" PRId64 " ms)", rule_set_screen_count(c->rs),
              c->checks.n, c->checks.nerror, c->checks.ncases, log_now_ms() - t0);
    return 0;
}

static char *run_default_out(const run_opts *o, const period *p)
{
    thk_buf b = {0};
    if (o->out)
        buf_printf(&b, "%s", o->out);
    else if (p->months)
        buf_printf(&b, "output/%d-%dthang", p->year, p->months);
    else {
        char a[11], e[11];
        date_format_iso(p->S, a);
        date_format_iso(p->E, e);
        buf_printf(&b, "output/%s-den-%s", a, e);
    }
    return b.data;
}

/* A row the loader accepted can still be rejected while the rules run (a pattern that hits
 * the PCRE2 limit): move it from accepted to rejected so read = accepted + rejected holds. */
static void run_reconcile(run_ctx *c, size_t from)
{
    for (size_t i = from; i < rejects_count(c->rej); i++) {
        const reject_entry *e = rejects_get(c->rej, i);
        if (thk_reject_severity(e->code) != 'E')
            continue;
        for (int k = 0; k < 3; k++)
            if (c->paths[k] && strcmp(run_base(c->paths[k]), e->file) == 0 &&
                c->stats[k].accepted > 0) {
                c->stats[k].accepted--;
                c->stats[k].rejected++;
            }
    }
}

static int run_pipeline(run_ctx *c)
{
    const run_opts *o = c->o;
    int64_t t0 = log_now_ms();
    static const char *const default_rules[] = {"rules/thads.rules"};
    const char *const *rp = o->nrules ? o->rules : default_rules;
    size_t nr = o->nrules ? o->nrules : 1;
    thk_buf diag = {0};
    c->rs = rule_set_load(rp, nr, &diag);
    if (!c->rs) {
        fputs(diag.data ? diag.data : "", stderr);
        log_error("tệp quy tắc có lỗi; không đọc dữ liệu");
        buf_free(&diag);
        return THK_EXIT_RULES;
    }
    buf_free(&diag);
    /* the forms computed on two cores, each thread with its own evaluation state */
    if (run_threads(o) > 1)
        rule_set_threads(c->rs, 2);
    int day, month;
    rule_set_year_start(c->rs, &day, &month);
    bool ok = o->months ? period_months(o->year, o->months, day, month, &c->per)
                        : period_custom(o->from, o->to, day, month, &c->per);
    if (!ok) {
        log_error("kỳ báo cáo không hợp lệ");
        return THK_EXIT_USAGE;
    }
    thk_buf desc = {0};
    period_describe(&c->per, &desc);
    log_stage("quy tắc", "%zu tệp, phiên bản \"%s\"; kỳ %s (%" PRId64 " ms)", nr,
              rule_set_version(c->rs), desc.data, log_now_ms() - t0);
    buf_free(&desc);

    c->out = run_default_out(o, &c->per);
    const char *target = c->out;
    thk_buf vt = {0};
    if (o->verify) {
        thk_buf mp = {0};
        buf_printf(&mp, "%s/manifest.json", c->out);
        int mrc = manifest_read(mp.data, &c->published, &c->err);
        buf_free(&mp);
        if (mrc) {
            log_error("verify: %s", c->err.data);
            return THK_EXIT_INPUT;
        }
        const char *tmpdir = getenv("TMPDIR");
        char tmpl[4096];
        snprintf(tmpl, sizeof tmpl, "%s/thongke-verify-XXXXXX",
                 tmpdir && *tmpdir ? tmpdir : P_tmpdir);
        if (!mkdtemp(tmpl)) {
            log_error("verify: không tạo được thư mục tạm: %s", strerror(errno));
            return THK_EXIT_OUTPUT;
        }
        c->verify_tmp = thk_xstrdup(tmpl);
        buf_printf(&vt, "%s/out", tmpl);
        target = vt.data;
    }
    bool locked;
    c->pub = publish_begin(target, &locked, &c->err);
    buf_free(&vt);
    if (!c->pub) {
        log_error("%s", c->err.data);
        return THK_EXIT_OUTPUT;
    }
    if (o->mode)
        publish_set_mode(c->pub, o->mode);
    int64_t tr = log_now_ms();
    int rc = run_load(c);
    if (rc)
        return rc;
    c->ms_read = log_now_ms() - tr;
    run_continuity_start(c);

    int64_t t1 = log_now_ms();
    int status = 0;
    buf_clear(&c->err);
    run_cases_ctx cc = {0}, tc = {0};
    if ((o->want_csv && (run_drill_open(c, &cc, false) ||
                         (c->m->has_thahc && run_drill_open(c, &tc, true)))) ||
        run_screens_open(c)) {
        log_error("%s", c->err.data);
        run_drill_close(&cc, NULL);
        run_drill_close(&tc, NULL);
        run_screens_close(c, NULL);
        return THK_EXIT_OUTPUT;
    }
    c->wrote_thahc = tc.f != NULL;
    size_t rejects_before = rejects_count(c->rej);
    size_t ncases = c->m->ncases, nevents = c->m->nevents;
    rule_set_on_aggregated(c->rs, run_on_aggregated, c);
    c->fs = rule_compute(c->rs, c->m, &c->per, c->rej, &c->err, &status);
    run_reconcile(c, rejects_before);
    rule_set_on_aggregated(c->rs, NULL, NULL);
    rule_set_case_rows(c->rs, NULL, NULL, NULL);
    rule_set_on_thahc(c->rs, NULL, NULL);
    int wrc = run_drill_close(&cc, c->fs ? &c->err : &diag);
    int wrt = run_drill_close(&tc, c->fs ? &c->err : &diag);
    int wrs = run_screens_close(c, c->fs ? &c->err : &diag);
    if ((wrc || wrt || wrs) && c->fs) {
        log_error("%s", c->err.data);
        return THK_EXIT_OUTPUT;
    }
    buf_free(&diag);
    if (!c->fs) {
        log_error("%s", c->err.data ? c->err.data : "tính toán thất bại");
        return status ? status : THK_EXIT_CHECK;
    }
    c->ms_compute = log_now_ms() - t1;
    log_stage("tính", "%zu việc, %zu sự kiện, %zu bảng (%" PRId64 " ms)", ncases, nevents,
              c->fs->ntables, c->ms_compute);
    /* the same counts as the rows of rejects.csv (warnings found while computing included) */
    log_stage("loại", "rejects.csv: %zu dòng (%zu loại, %zu cảnh báo, %zu thêm khi tính)",
              rejects_count(c->rej), rejects_count_severity(c->rej, NULL, 'E'),
              rejects_count_severity(c->rej, NULL, 'W'), rejects_count(c->rej) - rejects_before);
    if ((rc = run_screens(c)))
        return rc;
    int64_t t2 = log_now_ms();
    buf_clear(&c->err);
    rc = run_write(c);
    if (rc) {
        log_error("%s", c->err.data ? c->err.data : "không ghi được kết quả");
        return rc;
    }
    if (o->verify)
        return run_verify(c);
    int64_t tpc = log_now_ms();
    if (publish_commit(c->pub, &c->err) != 0) {
        log_error("%s", c->err.data);
        return THK_EXIT_OUTPUT;
    }
    c->ms_commit = log_now_ms() - tpc;
    if (!o->verify)
        run_drop_kept_rejects(c);
    log_stage("công bố", "%s: %zu tệp (%" PRId64 " ms); tổng %" PRId64 " ms", c->out,
              c->mi.noutputs + 1, log_now_ms() - t2, log_now_ms() - t0);
    run_log_times(c);
    if (o->strict_checks && c->checks.nerror) {
        log_error("--strict-checks: thẩm tra có %zu mục mức \"error\" (xem checks.csv)",
                  c->checks.nerror);
        return THK_EXIT_SCREEN;
    }
    return THK_EXIT_OK;
}

int run_report(const run_opts *o)
{
    if (log_open(o->log, o->quiet ? LOG_QUIET : LOG_NORMAL) != 0) {
        fprintf(stderr, "thongke: lỗi: không mở được tệp nhật ký %s: %s\n", o->log,
                strerror(errno));
        return THK_EXIT_OUTPUT;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = run_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    run_ctx c;
    memset(&c, 0, sizeof c);
    c.o = o;
    int rc = run_pipeline(&c);
    if (c.cont_running) /* a failure after loading: the check still reads the model */
        run_continuity_wait(&c);
    publish_abort(c.pub);
    if (c.verify_tmp) {
        char lock[4200];
        snprintf(lock, sizeof lock, "%s/.out.lock", c.verify_tmp);
        unlink(lock);
        rmdir(c.verify_tmp);
        free(c.verify_tmp);
    }
    free(c.continuity);
    free(c.continuity_detail);
    manifest_clear(&c.published);
    free(c.unit_codes);
    form_set_free(c.fs);
    screen_result_free(&c.checks);
    if (c.scr) {
        run_screens_close(&c, NULL);
        screen_hits_free(&c.scr->hits);
        free(c.scr);
    }
    if (c.checks_sheet)
        form_table_clear(c.checks_sheet);
    free(c.checks_sheet);
    rejects_free(c.rej);
    model_free(c.m);
    rule_set_free(c.rs);
    for (int k = 0; k < 3; k++)
        free(c.owned_paths[k]);
    free(c.out);
    buf_free(&c.err);
    log_close();
    return rc;
}
