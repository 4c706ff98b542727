/* merge — reads sub-unit runs (manifest.json, cells.csv, accumulators.csv), refuses runs that
 * cannot be merged, sums the cells in a hash table keyed by (form, row, column) and the row
 * accumulators keyed by (form, row), recomputes every cell of every row from the summed
 * accumulators with the rules' own column definitions (agg_form_row: rates, targets, gaps,
 * subtotals and totals alike), checks the summed cells and the rules' `check` identities
 * against them, and publishes the merged run atomically. No formula is written here. */
#include "merge.h"
#include "agg.h"
#include "display.h"
#include "rule.h"

#include "csv_out.h"
#include "diff.h"
#include "form.h"
#include "log.h"
#include "manifest.h"
#include "publish.h"
#include "runfile.h"
#include "screen.h"
#include "read_date.h"
#include "sha256.h"
#include "strpool.h"
#include "xlsx_out.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MERGE_NONE UINT32_MAX

/* ---- state ------------------------------------------------------------------------------- */

enum { MK_INT = 1, MK_RATE = 2, MK_TEXT = 4 };

typedef struct {
    uint32_t form;   /* pool id of the form id */
    uint32_t *cols;  /* indexes into merge_state.cols, form order */
    size_t ncols, ccap;
    uint32_t *rows;  /* pool ids of the row keys, first appearance, sorted later */
    size_t nrows, rcap;
} merge_form;

typedef struct {
    uint32_t form;  /* index into merge_state.forms */
    uint32_t code;  /* pool id */
    unsigned kinds; /* MK_* of the values seen */
} merge_col;

typedef struct {
    uint32_t col;     /* index into merge_state.cols */
    uint32_t row;     /* pool id */
    unsigned kind;    /* MK_* */
    bool differs;     /* a rate or text value differs between runs */
    int64_t sum;      /* MK_INT */
    uint32_t value;   /* the first rate or text value (pool id) */
    size_t last_run;  /* run index + 1 that last added to it */
    form_cell out;    /* MK_RATE: the recomputed value */
} merge_cell;

typedef struct {
    const char *dir;
    manifest_info mi;
    char sha[65]; /* of manifest.json */
    bool has_cases;
} merge_input;

typedef struct {
    strpool *pool; /* every text */
    strpool *sets; /* tagged binary keys → set id */
    uint32_t *setv; /* set id → index into the tag's array */
    size_t nsetv;
    merge_form *forms;
    size_t nforms, fcap;
    merge_col *cols;
    size_t ncols, colcap;
    merge_cell *cells;
    size_t ncells, cellcap;
    merge_input *in;
    size_t nin;
    uint32_t *units; /* pool ids of the union of units */
    size_t nunits, ucap;
    const rule_set *rs; /* the rules every derived cell is computed with */
    int64_t *accv;      /* summed accumulator vectors of data rows, see merge_acc_vec */
    size_t naccv, accvcap;
    uint32_t *labv;     /* labels.csv: MERGE_LABELS pool ids per (form, data row), see 'B' */
    size_t nlabv, labcap;
    struct merge_list *lists; /* lists.csv, per list of the rules */
    uint64_t identities;
} merge_state;

static const char *merge_text(const merge_state *m, uint32_t id)
{
    return strpool_get(m->pool, id);
}

/* Keys of the index: 'F' form, 'C' (form, column), 'R' (form, row), 'X' (column, row) cell,
 * 'U' unit, 'A' (rule form, row) accumulator vector offset, 'B' (form, row) labels offset. */

/* Index stored for key (tag, a, b), adding `fresh` when the key is new (*created set). */
static uint32_t merge_find(merge_state *m, uint32_t tag, uint32_t a, uint32_t b, uint32_t fresh,
                           bool *created)
{
    uint32_t k[3] = {tag, a, b};
    size_t before = strpool_count(m->sets);
    uint32_t id = strpool_intern(m->sets, (const char *)k, sizeof k);
    *created = strpool_count(m->sets) > before;
    if (*created) {
        if (id >= m->nsetv) {
            size_t cap = m->nsetv ? m->nsetv * 2 : 4096;
            while (cap <= id)
                cap *= 2;
            m->setv = thk_xrealloc(m->setv, cap * sizeof *m->setv);
            m->nsetv = cap;
        }
        m->setv[id] = fresh;
    }
    return m->setv[id];
}

/* Index stored for key (tag, a, b), or MERGE_NONE. */
static uint32_t merge_lookup(const merge_state *m, uint32_t tag, uint32_t a, uint32_t b)
{
    uint32_t k[3] = {tag, a, b};
    uint32_t id = strpool_find(m->sets, (const char *)k, sizeof k);
    return id == STRPOOL_NONE ? MERGE_NONE : m->setv[id];
}

static void merge_push_u32(uint32_t **v, size_t *n, size_t *cap, uint32_t x)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        *v = thk_xrealloc(*v, *cap * sizeof **v);
    }
    (*v)[(*n)++] = x;
}

static void merge_lists_free(merge_state *m);

static void merge_state_free(merge_state *m)
{
    strpool_free(m->pool);
    strpool_free(m->sets);
    free(m->setv);
    for (size_t i = 0; i < m->nforms; i++) {
        free(m->forms[i].cols);
        free(m->forms[i].rows);
    }
    free(m->forms);
    free(m->cols);
    free(m->cells);
    for (size_t i = 0; i < m->nin; i++)
        manifest_clear(&m->in[i].mi);
    free(m->in);
    free(m->units);
    free(m->accv);
    free(m->labv);
    merge_lists_free(m);
}

/* The rule form of merged form fi's id, its index in rs->forms through *rfi. */
static const agg_form *merge_rule_form(const merge_state *m, uint32_t form_id, size_t *rfi)
{
    const agg_form *f = agg_form_find(m->rs, merge_text(m, form_id));
    if (f)
        *rfi = (size_t)(f - m->rs->forms);
    return f;
}

/* ---- row order --------------------------------------------------------------------------- */
/* The report orders the keys of each row level as the rules' fixed keys first, in their declared
 * order, then the other keys by bytes; subtotals follow their group and the total comes last
 * (agg.c). The merged rows (the union of the runs') are sorted the same way, level by level on
 * (fixed position in the rule form, bytes), `*` last. */

#define MERGE_MAX_LEVELS 8
#define MERGE_NOT_FIXED 0xFFFFFFFEu

/* The '|'-separated components of a row key as pool ids (`*` as the pool id of "*"). */
static size_t merge_components(merge_state *m, uint32_t row, uint32_t *comp)
{
    const char *k = merge_text(m, row);
    size_t n = 0;
    while (n < MERGE_MAX_LEVELS) {
        size_t len = strcspn(k, "|");
        comp[n++] = strpool_intern(m->pool, k, len);
        k += len;
        if (!*k)
            break;
        k++;
    }
    return n;
}

/* Position of `key` among the fixed keys of level l of rule form f, or MERGE_NOT_FIXED. */
static uint32_t merge_fixed_pos(const agg_form *f, size_t l, const char *key)
{
    if (!f || l >= f->nlevels)
        return MERGE_NOT_FIXED;
    const rule_rowfield_ast *ra = f->levels[l].ast;
    for (size_t j = 0; j < ra->nfixed; j++)
        if (strcmp(ra->fixed[j].key, key) == 0)
            return (uint32_t)j;
    return MERGE_NOT_FIXED;
}

typedef struct {
    size_t off, len; /* sort key in the shared buffer */
    uint32_t row;
} merge_sortrow;

/* The sort keys of the rows being sorted (qsort passes no context; merge is single-threaded). */
static const char *merge_sortbuf;

static int merge_sortrow_cmp(const void *x, const void *y)
{
    const merge_sortrow *a = x, *b = y;
    int c = memcmp(merge_sortbuf + a->off, merge_sortbuf + b->off, a->len < b->len ? a->len : b->len);
    if (c)
        return c;
    return (a->len > b->len) - (a->len < b->len);
}

/* Sorts form fi's rows: per level (fixed position or not, key bytes), `*` last. */
static void merge_sort_rows(merge_state *m, uint32_t fi)
{
    merge_form *f = &m->forms[fi];
    size_t rfi;
    const agg_form *rf = merge_rule_form(m, f->form, &rfi);
    thk_buf keys = {0};
    merge_sortrow *v = thk_xmalloc((f->nrows + 1) * sizeof *v);
    uint32_t comp[MERGE_MAX_LEVELS];
    for (size_t i = 0; i < f->nrows; i++) {
        size_t nc = merge_components(m, f->rows[i], comp);
        v[i].off = keys.len;
        v[i].row = f->rows[i];
        for (size_t l = 0; l < nc; l++) {
            const char *t = merge_text(m, comp[l]);
            uint32_t pos = MERGE_NOT_FIXED;
            if (strcmp(t, "*") == 0)
                pos = 0xFFFFFFFFu;
            else
                pos = merge_fixed_pos(rf, l, t);
            unsigned char be[4] = {(unsigned char)(pos >> 24), (unsigned char)(pos >> 16),
                                   (unsigned char)(pos >> 8), (unsigned char)pos};
            buf_append(&keys, be, 4);
            buf_append(&keys, t, strlen(t) + 1);
        }
        v[i].len = keys.len - v[i].off;
    }
    merge_sortbuf = keys.data;
    qsort(v, f->nrows, sizeof *v, merge_sortrow_cmp);
    merge_sortbuf = NULL;
    for (size_t i = 0; i < f->nrows; i++)
        f->rows[i] = v[i].row;
    free(v);
    buf_free(&keys);
}

static bool merge_is_data_row(const char *key)
{
    for (;;) {
        size_t n = strcspn(key, "|");
        if (n == 1 && key[0] == '*')
            return false;
        key += n;
        if (!*key)
            return true;
        key++;
    }
}

/* ---- reading ----------------------------------------------------------------------------- */

static void merge_path(thk_buf *b, const char *dir, const char *name)
{
    buf_clear(b);
    buf_printf(b, "%s/%s", dir, name);
}

/* Checks the folder and its files, reads manifest.json and hashes it. */
static int merge_open_run(merge_input *in, thk_buf *err)
{
    struct stat st;
    if (stat(in->dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        buf_printf(err,
                   "không gộp được: %s không phải thư mục lần chạy", in->dir);
        return THK_EXIT_INPUT;
    }
    /* every file checked against the run's manifest before any is read (runfile.h) */
    int rc = runfile_verify(in->dir, &in->mi, err);
    if (rc)
        return rc;
    static const char *const need[] = {"cells.csv", "accumulators.csv", "labels.csv",
                                       "lists.csv", "rejects.csv"};
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
        if (!runfile_lists(&in->mi, need[i], NULL)) {
            buf_printf(err, "không gộp được: %s/%s không có trong lần chạy (lần chạy bằng "
                            "--format xlsx, hoặc bằng phiên bản cũ: chạy lại report)",
                       in->dir, need[i]);
            return THK_EXIT_INPUT;
        }
    in->has_cases = runfile_lists(&in->mi, "cases.csv", NULL);
    thk_buf p = {0};
    merge_path(&p, in->dir, "manifest.json");
    if (sha256_file(p.data, in->sha, NULL, err) != 0)
        rc = THK_EXIT_INPUT;
    buf_free(&p);
    return rc;
}

static void merge_period_text(const period *p, char *out, size_t n)
{
    char s[11], e[11];
    date_format_iso(p->S, s);
    date_format_iso(p->E, e);
    snprintf(out, n, "%s..%s", s, e);
}

static int merge_check_compatible(const merge_state *m, thk_buf *err)
{
    const merge_input *a = &m->in[0];
    for (size_t r = 1; r < m->nin; r++) {
        const merge_input *b = &m->in[r];
        if (a->mi.per.S != b->mi.per.S || a->mi.per.E != b->mi.per.E) {
            char pa[32], pb[32];
            merge_period_text(&a->mi.per, pa, sizeof pa);
            merge_period_text(&b->mi.per, pb, sizeof pb);
            buf_printf(err,
                       "không gộp được: các lần chạy khác kỳ báo cáo: %s (%s) và %s (%s)",
                       a->dir, pa, b->dir, pb);
            return THK_EXIT_INPUT;
        }
        bool same = a->mi.nrules == b->mi.nrules;
        for (size_t i = 0; same && i < a->mi.nrules; i++) {
            const manifest_rule *x = &a->mi.rules[i], *y = &b->mi.rules[i];
            const char *vx = x->version ? x->version : "", *vy = y->version ? y->version : "";
            if (*vx || *vy)
                same = strcmp(vx, vy) == 0;
            else
                same = strcmp(x->sha256, y->sha256) == 0;
            if (same && strcmp(x->sha256, y->sha256) != 0)
                log_stage("merge",
                          "cảnh báo: %s và %s cùng phiên bản quy tắc \"%s\" nhưng SHA-256 khác",
                          a->dir, b->dir, vx);
        }
        if (!same) {
            thk_buf va = {0}, vb = {0};
            for (size_t i = 0; i < a->mi.nrules; i++)
                buf_printf(&va, "%s\"%s\"", i ? ", " : "",
                           a->mi.rules[i].version && *a->mi.rules[i].version
                               ? a->mi.rules[i].version
                               : a->mi.rules[i].sha256);
            for (size_t i = 0; i < b->mi.nrules; i++)
                buf_printf(&vb, "%s\"%s\"", i ? ", " : "",
                           b->mi.rules[i].version && *b->mi.rules[i].version
                               ? b->mi.rules[i].version
                               : b->mi.rules[i].sha256);
            buf_printf(err,
                       "không gộp được: các lần chạy dùng phiên bản quy tắc khác nhau: %s (%s) "
                       "và %s (%s)",
                       a->dir, va.data ? va.data : "", b->dir, vb.data ? vb.data : "");
            buf_free(&va);
            buf_free(&vb);
            return THK_EXIT_INPUT;
        }
    }
    return 0;
}

/* Adds one run's cells. */
static int merge_fold(merge_state *m, size_t run, const cells_lines *dc, thk_buf *err)
{
    const char *dir = m->in[run].dir;
    for (size_t i = 0; i < dc->n; i++) {
        const cells_line *c = &dc->cells[i];
        bool cr;
        uint32_t fi = merge_find(m, 'F', c->form, 0, (uint32_t)m->nforms, &cr);
        if (cr) {
            if (m->nforms == m->fcap) {
                m->fcap = m->fcap ? m->fcap * 2 : 16;
                m->forms = thk_xrealloc(m->forms, m->fcap * sizeof *m->forms);
            }
            m->forms[m->nforms++] = (merge_form){.form = c->form};
        }
        merge_form *f = &m->forms[fi];
        merge_find(m, 'R', fi, c->row, 0, &cr);
        if (cr)
            merge_push_u32(&f->rows, &f->nrows, &f->rcap, c->row);
        uint32_t ci = merge_find(m, 'C', fi, c->column, (uint32_t)m->ncols, &cr);
        if (cr) {
            if (m->ncols == m->colcap) {
                m->colcap = m->colcap ? m->colcap * 2 : 64;
                m->cols = thk_xrealloc(m->cols, m->colcap * sizeof *m->cols);
            }
            m->cols[m->ncols++] = (merge_col){fi, c->column, 0};
            merge_push_u32(&f->cols, &f->ncols, &f->ccap, ci);
        }
        uint32_t xi = merge_find(m, 'X', ci, c->row, (uint32_t)m->ncells, &cr);
        if (cr) {
            if (m->ncells == m->cellcap) {
                m->cellcap = m->cellcap ? m->cellcap * 2 : 1024;
                m->cells = thk_xrealloc(m->cells, m->cellcap * sizeof *m->cells);
            }
            m->cells[m->ncells++] = (merge_cell){.col = ci, .row = c->row, .value = c->value};
        }
        merge_cell *x = &m->cells[xi];
        const char *form = merge_text(m, c->form), *row = merge_text(m, c->row);
        const char *code = merge_text(m, c->column), *v = merge_text(m, c->value);
        if (x->last_run == run + 1) {
            buf_printf(err,
                       "%s/cells.csv: ô %s[%s].%s xuất hiện hai lần", dir,
                       form, row, code);
            return THK_EXIT_INPUT;
        }
        x->last_run = run + 1;
        int64_t iv, h;
        unsigned kind = diff_value_int(v, &iv)                  ? MK_INT
                        : (*v == '\0' || diff_value_rate(v, &h)) ? MK_RATE
                                                                 : MK_TEXT;
        if (!cr && x->kind != kind) {
            buf_printf(err,
                       "%s/cells.csv: ô %s[%s].%s = \"%s\" không cùng loại với các lần chạy "
                       "trước",
                       dir, form, row, code, v);
            return THK_EXIT_INPUT;
        }
        x->kind = kind;
        m->cols[ci].kinds |= kind;
        if (kind == MK_INT) {
            if (__builtin_add_overflow(x->sum, iv, &x->sum)) {
                buf_printf(err,
                           "ô %s[%s].%s: tổng vượt quá giới hạn số nguyên 64 bit (%s)",
                           form, row, code, dir);
                return THK_EXIT_INPUT;
            }
        } else if (!cr && x->value != c->value) {
            x->differs = true;
        }
    }
    return 0;
}

/* The run's units: its manifest's list, or the first key of the data rows of every form whose
 * first row level is the unit (ma_don_vi). Refuses a unit already merged from another run. */
static int merge_units(merge_state *m, size_t run, const cells_lines *dc, thk_buf *err)
{
    const merge_input *in = &m->in[run];
    uint32_t *ids = NULL;
    size_t n = 0, cap = 0;
    if (in->mi.nunits) {
        for (size_t i = 0; i < in->mi.nunits; i++) {
            const char *u = in->mi.units[i] ? in->mi.units[i] : "";
            merge_push_u32(&ids, &n, &cap, strpool_intern(m->pool, u, strlen(u)));
        }
    } else {
        for (size_t i = 0; i < dc->n; i++) {
            const cells_line *c = &dc->cells[i];
            const char *row = merge_text(m, c->row);
            size_t rfi;
            const agg_form *f = merge_rule_form(m, c->form, &rfi);
            if (!f || !f->nlevels || f->levels[0].kind != LV_UNIT || !merge_is_data_row(row))
                continue;
            merge_push_u32(&ids, &n, &cap, strpool_intern(m->pool, row, strcspn(row, "|")));
        }
    }
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        bool cr;
        uint32_t owner = merge_find(m, 'U', ids[i], 0, (uint32_t)run, &cr);
        if (cr)
            merge_push_u32(&m->units, &m->nunits, &m->ucap, ids[i]);
        else if (owner != run) {
            buf_printf(err,
                       "không gộp được: đơn vị %s có trong hai lần chạy: %s và %s",
                       merge_text(m, ids[i]), m->in[owner].dir, in->dir);
            rc = THK_EXIT_INPUT;
        }
    }
    free(ids);
    return rc;
}

/* ---- accumulators and derived cells ------------------------------------------------------ */

/* The summed accumulators of data row `row` of rule form rfi (added, zeroed, when `add`), or
 * NULL when no run has any. */
static int64_t *merge_acc_vec(merge_state *m, size_t rfi, uint32_t row, bool add)
{
    size_t na = m->rs->forms[rfi].naccs;
    if (!add) {
        uint32_t off = merge_lookup(m, 'A', (uint32_t)rfi, row);
        return off == MERGE_NONE ? NULL : m->accv + off;
    }
    bool cr;
    uint32_t off = merge_find(m, 'A', (uint32_t)rfi, row, (uint32_t)m->naccv, &cr);
    if (cr) {
        while (m->naccv + na > m->accvcap) {
            m->accvcap = m->accvcap ? m->accvcap * 2 : 1024;
            m->accv = thk_xrealloc(m->accv, m->accvcap * sizeof *m->accv);
        }
        memset(m->accv + m->naccv, 0, na * sizeof *m->accv);
        m->naccv += na;
    }
    return m->accv + off;
}

/* Adds one run's accumulators.csv: every line's form, accumulator and row must be the rules'. */
static int merge_fold_accs(merge_state *m, size_t run, const cells_lines *al, thk_buf *err)
{
    const char *dir = m->in[run].dir;
    for (size_t i = 0; i < al->n; i++) {
        const cells_line *l = &al->cells[i];
        const char *form = merge_text(m, l->form), *name = merge_text(m, l->column);
        const char *row = merge_text(m, l->row), *v = merge_text(m, l->value);
        size_t rfi;
        const agg_form *f = merge_rule_form(m, l->form, &rfi);
        size_t a = f ? f->naccs : 0;
        for (size_t k = 0; f && k < f->naccs && a == f->naccs; k++)
            if (strcmp(f->accs[k].name, name) == 0)
                a = k;
        if (!f || a == f->naccs) {
            buf_printf(err,
                       "không gộp được: %s/accumulators.csv dòng %zu: quy tắc dùng để gộp không "
                       "có %s %s%s%s (lần chạy dùng quy tắc khác)",
                       dir, i + 2, f ? "tổng" : "biểu", f ? name : form, f ? " của biểu " : "",
                       f ? form : "");
            return THK_EXIT_INPUT;
        }
        int64_t x;
        if (!diff_value_int(v, &x) || !merge_is_data_row(row)) {
            buf_printf(err,
                       "%s/accumulators.csv dòng %zu: cần một dòng dữ liệu và một số nguyên, có "
                       "\"%s\", \"%s\"",
                       dir, i + 2, row, v);
            return THK_EXIT_INPUT;
        }
        int64_t *vec = merge_acc_vec(m, rfi, l->row, true);
        if (__builtin_add_overflow(vec[a], x, &vec[a])) {
            buf_printf(err,
                       "%s[%s], %s: tổng vượt quá giới hạn số nguyên 64 bit (%s)",
                       form, row, name, dir);
            return THK_EXIT_INPUT;
        }
    }
    return 0;
}

/* acc = the accumulators of merged row `row` of form fi: a data row's own, or for a subtotal
 * ("K|*") or the total ("*") the sum of the data rows it covers, as the report sums them.
 * False on overflow. */
static bool merge_row_accs(merge_state *m, uint32_t fi, size_t rfi, uint32_t row, int64_t *acc)
{
    size_t na = m->rs->forms[rfi].naccs;
    memset(acc, 0, na * sizeof *acc);
    const char *key = merge_text(m, row);
    if (merge_is_data_row(key)) {
        const int64_t *v = merge_acc_vec(m, rfi, row, false);
        if (v)
            memcpy(acc, v, na * sizeof *acc);
        return true;
    }
    size_t plen = strcmp(key, "*") == 0 ? 0 : strcspn(key, "|");
    const merge_form *f = &m->forms[fi];
    for (size_t i = 0; i < f->nrows; i++) {
        const char *k = merge_text(m, f->rows[i]);
        if (!merge_is_data_row(k) || (plen && (strncmp(k, key, plen) != 0 || k[plen] != '|')))
            continue;
        const int64_t *v = merge_acc_vec(m, rfi, f->rows[i], false);
        for (size_t a = 0; v && a < na; a++)
            if (__builtin_add_overflow(acc[a], v[a], &acc[a]))
                return false;
    }
    return true;
}

/* Every cell of merged form fi recomputed from its rows' accumulators by the rules: rates,
 * targets and gaps replace what the runs had; counts and money must equal the runs' sum. */
static int merge_derive_form(merge_state *m, uint32_t fi, thk_buf *err)
{
    const merge_form *mf = &m->forms[fi];
    const char *form = merge_text(m, mf->form);
    size_t rfi;
    const agg_form *f = merge_rule_form(m, mf->form, &rfi);
    if (!f) {
        buf_printf(err,
                   "không gộp được: quy tắc dùng để gộp không có biểu %s (lần chạy dùng quy tắc "
                   "khác)",
                   form);
        return THK_EXIT_INPUT;
    }
    uint32_t *colof = thk_xmalloc((f->ncols + 1) * sizeof *colof);
    for (size_t c = 0; c < f->ncols; c++) {
        uint32_t code = strpool_find(m->pool, f->cols[c].ast->code, strlen(f->cols[c].ast->code));
        colof[c] = code == STRPOOL_NONE ? MERGE_NONE : merge_lookup(m, 'C', fi, code);
    }
    int rc = 0;
    for (size_t j = 0; j < mf->ncols && !rc; j++) {
        bool known = false;
        for (size_t c = 0; c < f->ncols; c++)
            known = known || colof[c] == mf->cols[j];
        if (!known) {
            const char *code = merge_text(m, m->cols[mf->cols[j]].code);
            buf_printf(err,
                       "không gộp được: biểu %s của quy tắc không có cột %s",
                       form, code);
            rc = THK_EXIT_INPUT;
        }
    }
    int64_t *acc = thk_xcalloc(f->naccs + 1, sizeof *acc);
    form_cell *cells = thk_xcalloc(f->ncols + 1, sizeof *cells);
    for (size_t i = 0; i < mf->nrows && !rc; i++) {
        uint32_t row = mf->rows[i];
        const char *key = merge_text(m, row);
        int bad = -1;
        if (!merge_row_accs(m, fi, rfi, row, acc) || (bad = agg_form_row(f, acc, cells)) >= 0) {
            buf_printf(err, "%s[%s]%s%s: phép tính vượt giới hạn số nguyên 64 bit",
                       form, key, bad >= 0 ? "." : "", bad >= 0 ? f->cols[bad].ast->code : "");
            rc = THK_EXIT_INPUT;
            break;
        }
        for (size_t c = 0; c < f->ncols && !rc; c++) {
            uint32_t xi = colof[c] == MERGE_NONE ? MERGE_NONE : merge_lookup(m, 'X', colof[c], row);
            if (xi == MERGE_NONE)
                continue;
            merge_cell *x = &m->cells[xi];
            bool rate = f->cols[c].kind == FORM_KIND_RATE;
            if (x->kind == MK_TEXT || (x->kind == MK_INT) == rate ||
                (x->kind == MK_INT && f->cols[c].linear && x->sum != cells[c].v)) {
                char shown[32];
                form_rate_format(&cells[c], shown);
                buf_printf(err,
                           "không gộp được: ô %s[%s].%s: tổng các lần chạy là %s, theo quy tắc "
                           "tính từ các tổng của dòng là %s (các lần chạy không nhất quán với "
                           "quy tắc)",
                           form, key, f->cols[c].ast->code, merge_text(m, x->value),
                           rate ? shown : "");
                if (!rate)
                    buf_printf(err, " (%" PRId64 " ≠ %" PRId64 ")", x->sum, cells[c].v);
                rc = THK_EXIT_INPUT;
                break;
            }
            if (x->kind == MK_INT)
                x->sum = cells[c].v;
            else
                x->out = cells[c];
        }
        for (size_t k = 0; k < f->nchecks && !rc; k++) {
            int64_t lhs, rhs;
            m->identities++;
            if (!agg_form_check(f, k, acc, cells, &lhs, &rhs)) {
                buf_printf(err,
                           "không gộp được: %s[%s]: đẳng thức kiểm tra không đúng: %s: %" PRId64
                           " ≠ %" PRId64 "",
                           form, key, f->checks[k].text, lhs, rhs);
                rc = THK_EXIT_INPUT;
            }
        }
    }
    free(acc);
    free(cells);
    free(colof);
    return rc;
}

static int merge_derive(merge_state *m, thk_buf *err)
{
    for (size_t fi = 0; fi < m->nforms; fi++) {
        int rc = merge_derive_form(m, (uint32_t)fi, err);
        if (rc)
            return rc;
    }
    return 0;
}
/* Every total row `*` equals the sum of the form's data rows, for every count/money column. */
static int merge_check_totals(merge_state *m, thk_buf *err)
{
    uint32_t star = strpool_find(m->pool, "*", 1);
    if (star == STRPOOL_NONE)
        return 0;
    for (size_t fi = 0; fi < m->nforms; fi++) {
        const merge_form *f = &m->forms[fi];
        if (merge_lookup(m, 'R', (uint32_t)fi, star) == MERGE_NONE)
            continue;
        for (size_t j = 0; j < f->ncols; j++) {
            uint32_t ci = f->cols[j];
            if (m->cols[ci].kinds != MK_INT)
                continue;
            uint32_t ti = merge_lookup(m, 'X', ci, star);
            if (ti == MERGE_NONE)
                continue;
            int64_t sum = 0;
            bool over = false;
            for (size_t i = 0; i < f->nrows; i++) {
                if (!merge_is_data_row(merge_text(m, f->rows[i])))
                    continue;
                uint32_t xi = merge_lookup(m, 'X', ci, f->rows[i]);
                if (xi != MERGE_NONE)
                    over = over || __builtin_add_overflow(sum, m->cells[xi].sum, &sum);
            }
            if (over || sum != m->cells[ti].sum) {
                buf_printf(err,
                           "không gộp được: %s[*].%s = %" PRId64 " khác tổng các dòng %" PRId64
                           " (các lần chạy không nhất quán)",
                           merge_text(m, f->form), merge_text(m, m->cols[ci].code),
                           m->cells[ti].sum, sum);
                return THK_EXIT_INPUT;
            }
            m->identities++;
        }
    }
    return 0;
}

/* ---- labels and lists ----------------------------------------------------------------- */

#define MERGE_LABELS 8 /* row levels a label vector holds (as MERGE_MAX_LEVELS) */

/* Adds one run's labels.csv: the labels of each data row's levels. */
static int merge_fold_labels(merge_state *m, size_t run, const cells_lines *ll, thk_buf *err)
{
    for (size_t i = 0; i < ll->n; i++) {
        const cells_line *l = &ll->cells[i];
        int64_t level;
        if (!diff_value_int(merge_text(m, l->column), &level) || level < 0 ||
            level >= MERGE_LABELS) {
            buf_printf(err, "%s/labels.csv dòng %zu: cấp dòng không hợp lệ \"%s\"",
                       m->in[run].dir, i + 2, merge_text(m, l->column));
            return THK_EXIT_INPUT;
        }
        bool cr;
        uint32_t off = merge_find(m, 'B', l->form, l->row, (uint32_t)m->nlabv, &cr);
        if (cr) {
            if (m->nlabv + MERGE_LABELS > m->labcap) {
                m->labcap = m->labcap ? m->labcap * 2 : 1024;
                m->labv = thk_xrealloc(m->labv, m->labcap * sizeof *m->labv);
            }
            memset(m->labv + m->nlabv, 0, MERGE_LABELS * sizeof *m->labv);
            m->nlabv += MERGE_LABELS;
        }
        m->labv[off + (size_t)level] = l->value;
    }
    return 0;
}

/* One list of the rules as the runs published it: entries of nshow value ids. */
typedef struct merge_list {
    const agg_list *l;
    uint32_t *vals;
    size_t n, cap;
    size_t cur_run, cur_rank; /* the entry being read: run + 1 and its rank */
} merge_list;

static void merge_lists_free(merge_state *m)
{
    for (size_t i = 0; m->lists && m->rs && i < m->rs->nlists; i++)
        free(m->lists[i].vals);
    free(m->lists);
}

/* Adds one run's lists.csv: each (list, rank) an entry, its columns the rules' shown ones. */
static int merge_fold_lists(merge_state *m, size_t run, const cells_lines *ll, thk_buf *err)
{
    const rule_set *rs = m->rs;
    if (!m->lists)
        m->lists = thk_xcalloc(rs->nlists + 1, sizeof *m->lists);
    for (size_t i = 0; i < ll->n; i++) {
        const cells_line *e = &ll->cells[i];
        const char *id = merge_text(m, e->form), *col = merge_text(m, e->column);
        size_t li = rs->nlists, c = SIZE_MAX;
        for (size_t k = 0; k < rs->nlists && li == rs->nlists; k++)
            if (strcmp(rs->lists[k].id, id) == 0)
                li = k;
        for (size_t k = 0; li < rs->nlists && k < rs->lists[li].nshow && c == SIZE_MAX; k++)
            if (strcmp(rs->lists[li].show[k].name, col) == 0)
                c = k;
        int64_t rank;
        if (li == rs->nlists || c == SIZE_MAX ||
            !diff_value_int(merge_text(m, e->row), &rank) || rank < 1) {
            buf_printf(err,
                       "không gộp được: %s/lists.csv dòng %zu: quy tắc không có danh sách %s "
                       "với cột %s, hoặc thứ hạng sai",
                       m->in[run].dir, i + 2, id, col);
            return THK_EXIT_INPUT;
        }
        merge_list *L = &m->lists[li];
        size_t w = rs->lists[li].nshow;
        L->l = &rs->lists[li];
        if (L->cur_run != run + 1 || L->cur_rank != (size_t)rank) {
            if (L->n == L->cap) {
                L->cap = L->cap ? L->cap * 2 : 64;
                L->vals = thk_xrealloc(L->vals, L->cap * (w ? w : 1) * sizeof *L->vals);
            }
            memset(L->vals + L->n * w, 0, w * sizeof *L->vals);
            L->n++;
            L->cur_run = run + 1;
            L->cur_rank = (size_t)rank;
        }
        L->vals[(L->n - 1) * w + c] = e->value;
    }
    return 0;
}

/* Sorting a list's entries: the list's `order by` keys by their types, then ma_viec. */
typedef struct {
    const merge_state *m;
    const merge_list *L;
    int key[16];   /* shown column of each order key */
    size_t nkeys;
    int ma_viec;   /* shown column, or -1 */
} merge_list_sort;

static const merge_list_sort *merge_list_sorting; /* qsort has no context; merge is 1 thread */

/* The index of an enum value shown in a list: by its name, or by its label (`labels`). */
static int64_t merge_enum_index(const rule_set *rs, int dom, const char *text)
{
    int i = rule_dom_index(rs, dom, text);
    for (size_t k = 0; i < 0 && k < rule_dom_count(rs, dom); k++) {
        const char *lab = rule_dom_label(rs, dom, k);
        if (lab && strcmp(lab, text) == 0)
            i = (int)k;
    }
    return i;
}

static int merge_list_val_cmp(const merge_state *m, int type, int dom, uint32_t a, uint32_t b)
{
    const char *x = a ? merge_text(m, a) : "", *y = b ? merge_text(m, b) : "";
    if (!*x || !*y)
        return !*x == !*y ? 0 : !*x ? 1 : -1; /* nulls last */
    int64_t i, j;
    if (type == RT_ENUM) {
        i = merge_enum_index(m->rs, dom, x);
        j = merge_enum_index(m->rs, dom, y);
    } else if (type == RT_RATE && diff_value_rate(x, &i) && diff_value_rate(y, &j)) {
        ;
    } else if ((type == RT_INT || type == RT_MONEY) && diff_value_int(x, &i) &&
               diff_value_int(y, &j)) {
        ;
    } else { /* text, ISO dates, true/false */
        int c = strcmp(x, y);
        return (c > 0) - (c < 0);
    }
    return (i > j) - (i < j);
}

static int merge_list_cmp(const void *pa, const void *pb)
{
    const merge_list_sort *S = merge_list_sorting;
    const agg_list *l = S->L->l;
    size_t w = l->nshow, ia = *(const size_t *)pa, ib = *(const size_t *)pb;
    const uint32_t *a = S->L->vals + ia * w, *b = S->L->vals + ib * w;
    for (size_t k = 0; k < S->nkeys; k++) {
        const rule_node *nd = &S->m->rs->nodes[l->order[k].node];
        uint32_t x = a[S->key[k]], y = b[S->key[k]];
        int r = merge_list_val_cmp(S->m, nd->type, nd->dom, x, y);
        bool null = !x || !*merge_text(S->m, x) || !y || !*merge_text(S->m, y);
        if (r && !null && l->order[k].desc)
            r = -r;
        if (r)
            return r;
    }
    if (S->ma_viec >= 0) {
        int r = merge_list_val_cmp(S->m, RT_TEXT, 0, a[S->ma_viec], b[S->ma_viec]);
        if (r)
            return r;
    }
    return (ia > ib) - (ia < ib);
}

static int merge_show_col(const agg_list *l, const char *name)
{
    for (size_t c = 0; name && c < l->nshow; c++)
        if (strcmp(l->show[c].name, name) == 0)
            return (int)c;
    return -1;
}

/* List li of the merged run: the runs' entries sorted by the list's keys and limited per key as
 * the report does; a key the list does not show keeps the runs' order (said on stderr). */
static void merge_build_list(merge_state *m, size_t li, form_table *t)
{
    const agg_list *l = &m->rs->lists[li];
    merge_list empty = {.l = l};
    const merge_list *L = m->lists && m->lists[li].l ? &m->lists[li] : &empty;
    agg_list_head(m->rs, l, t);
    size_t w = l->nshow;
    size_t *idx = thk_xmalloc((L->n + 1) * sizeof *idx);
    for (size_t i = 0; i < L->n; i++)
        idx[i] = i;
    merge_list_sort S = {.m = m, .L = L, .ma_viec = merge_show_col(l, "ma_viec")};
    bool sortable = l->norder <= 16;
    for (size_t k = 0; sortable && k < l->norder; k++) {
        S.key[S.nkeys] = merge_show_col(l, l->ast->order[k].name);
        sortable = S.key[S.nkeys++] >= 0;
    }
    if (sortable) {
        merge_list_sorting = &S;
        qsort(idx, L->n, sizeof *idx, merge_list_cmp);
        merge_list_sorting = NULL;
    } else {
        fprintf(stderr, "thongke: cảnh báo: merge: danh sách %s sắp xếp theo cột không hiện trong "
                        "danh sách: giữ thứ tự của từng lần chạy\n", l->id);
    }
    size_t keep = L->n;
    if (l->per >= 0) {
        int pc = merge_show_col(l, l->ast->limit_per);
        if (pc < 0) {
            fprintf(stderr, "thongke: cảnh báo: merge: danh sách %s giới hạn theo cột không hiện "
                            "trong danh sách: giữ mọi dòng của các lần chạy\n", l->id);
        } else {
            uint32_t *count = thk_xcalloc(strpool_count(m->pool) + 1, sizeof *count);
            keep = 0;
            for (size_t i = 0; i < L->n; i++)
                if ((int64_t)count[L->vals[idx[i] * w + (size_t)pc]]++ < l->limit)
                    idx[keep++] = idx[i];
            free(count);
        }
    } else if (l->limit > 0 && (uint64_t)keep > (uint64_t)l->limit) {
        keep = (size_t)l->limit;
    }
    t->nrows = keep;
    t->rows = thk_xcalloc(keep + 1, sizeof *t->rows);
    t->cells = thk_xcalloc((keep + 1) * (w + 1), sizeof *t->cells);
    t->texts = thk_xcalloc((keep + 1) * (w + 1), sizeof *t->texts);
    for (size_t i = 0; i < keep; i++) {
        const uint32_t *v = L->vals + idx[i] * w;
        t->rows[i].kind = FORM_ROW_DATA;
        const char *key = S.ma_viec >= 0 && v[S.ma_viec] ? merge_text(m, v[S.ma_viec]) : "";
        t->rows[i].key = form_table_strdup(t, key, strlen(key));
        for (size_t c = 0; c < w; c++) {
            const char *x = v[c] ? merge_text(m, v[c]) : "";
            form_cell *cell = &t->cells[i * w + c];
            int64_t n = 0;
            thk_date d;
            cell->empty = !*x;
            switch (t->cols[c].kind) {
            case FORM_KIND_TEXT:
                t->texts[i * w + c] = form_table_strdup(t, x, strlen(x));
                break;
            case FORM_KIND_DATE:
                cell->v = *x && date_parse(x, strlen(x), &d) == -1 ? d : 0;
                break;
            case FORM_KIND_RATE:
                cell->v = *x && diff_value_rate(x, &n) ? n : 0;
                break;
            default:
                cell->v = *x && diff_value_int(x, &n) ? n : 0;
            }
        }
    }
    free(idx);
}

/* ---- the merged run as a report's form set -------------------------------------------- */

/* The label of level l of merged data row `row` of form fi (labels.csv), or the key itself. */
static char *merge_label(const merge_state *m, const merge_form *mf, uint32_t row, size_t l,
                         const char *key, size_t klen)
{
    uint32_t off = merge_lookup(m, 'B', mf->form, row);
    if (off != MERGE_NONE && l < MERGE_LABELS && m->labv[off + l])
        return thk_xstrdup(merge_text(m, m->labv[off + l]));
    char *k = thk_xmalloc(klen + 1);
    memcpy(k, key, klen);
    k[klen] = '\0';
    return k;
}

/* Form table of merged form fi under rule form f: its rows in merged order with their labels,
 * cells and (data rows) accumulators. */
static void merge_build_form(merge_state *m, uint32_t fi, const agg_form *f, size_t rfi,
                             form_table *t)
{
    const merge_form *mf = &m->forms[fi];
    agg_table_head(m->rs, f, t);
    t->nrows = mf->nrows;
    t->rows = thk_xcalloc(mf->nrows + 1, sizeof *t->rows);
    t->cells = thk_xcalloc((mf->nrows + 1) * (f->ncols + 1), sizeof *t->cells);
    t->accs = thk_xcalloc((mf->nrows + 1) * (f->naccs + 1), sizeof *t->accs);
    for (size_t i = 0; i < mf->nrows; i++) {
        uint32_t row = mf->rows[i];
        const char *key = merge_text(m, row);
        form_row *r = &t->rows[i];
        r->key = thk_xstrdup(key);
        r->kind = strcmp(key, "*") == 0       ? FORM_ROW_TOTAL
                  : merge_is_data_row(key) ? FORM_ROW_DATA
                                           : FORM_ROW_SUBTOTAL;
        if (f->nlevels) {
            r->labels = thk_xcalloc(f->nlevels + 1, sizeof *r->labels);
            const char *k = key;
            for (size_t l = 0; l < f->nlevels; l++) {
                size_t n = strcspn(k, "|");
                if (r->kind == FORM_ROW_TOTAL)
                    r->labels[l] = thk_xstrdup(l == 0 && f->ast->total ? f->ast->total : "");
                else if (r->kind == FORM_ROW_SUBTOTAL && l > 0)
                    r->labels[l] = thk_xstrdup("");
                else if (r->kind == FORM_ROW_SUBTOTAL) {
                    /* the group's label: that of its first data row */
                    r->labels[l] = NULL;
                    for (size_t j = 0; j < mf->nrows && !r->labels[l]; j++) {
                        const char *dk = merge_text(m, mf->rows[j]);
                        if (merge_is_data_row(dk) && strncmp(dk, key, n) == 0 && dk[n] == '|')
                            r->labels[l] = merge_label(m, mf, mf->rows[j], 0, dk, n);
                    }
                    if (!r->labels[l])
                        r->labels[l] = merge_label(m, mf, MERGE_NONE, 0, k, n);
                } else {
                    r->labels[l] = merge_label(m, mf, row, l, k, n);
                }
                k += n + (k[n] == '|');
            }
        }
        /* every column from the row's accumulators, as the report computes it (merge_derive
         * has checked the runs' cells against the same values) */
        int64_t *acc = t->accs + i * f->naccs;
        merge_row_accs(m, fi, rfi, row, acc);
        agg_form_row(f, acc, t->cells + i * f->ncols);
        if (r->kind != FORM_ROW_DATA)
            memset(acc, 0, f->naccs * sizeof *acc);
    }
}

/* The merged run as a report's tables, in the rules' workbook order. */
static form_set *merge_form_set(merge_state *m)
{
    form_set *fs = agg_set_new(m->rs);
    for (size_t i = 0; i < m->rs->nforms; i++) {
        const agg_form *f = &m->rs->forms[i];
        for (size_t fi = 0; fi < m->nforms; fi++) {
            size_t rfi;
            if (merge_rule_form(m, m->forms[fi].form, &rfi) == f) {
                form_table *t = &fs->tables[fs->ntables++];
                merge_build_form(m, (uint32_t)fi, f, i, t);
                agg_rank_rows(f, t);
                fs->display_unbalanced += display_round(f, t);
                break;
            }
        }
    }
    for (size_t i = 0; i < m->rs->nlists; i++)
        merge_build_list(m, i, &fs->tables[fs->ntables++]);
    fs->identities_verified = m->identities;
    return fs;
}

/* ---- writing ----------------------------------------------------------------------------- */

/* Header line without BOM and line end; false at end of file. */
static bool merge_header(FILE *in, thk_buf *h)
{
    buf_clear(h);
    int c;
    while ((c = fgetc(in)) != EOF && c != '\n')
        buf_putc(h, (char)c);
    if (c == EOF && h->len == 0)
        return false;
    if (h->len && h->data[h->len - 1] == '\r')
        h->data[--h->len] = '\0';
    if (h->len >= 3 && memcmp(h->data, "\xEF\xBB\xBF", 3) == 0) {
        memmove(h->data, h->data + 3, h->len - 2);
        h->len -= 3;
    }
    return true;
}

/* dst = the header, then the data lines of <run>/name of every run, in run order. The header
 * must equal `expect` (or, when NULL, the first run's). */
static int merge_concat(const merge_state *m, const char *name, const char *expect,
                        const char *dst, char sha[65], thk_buf *err)
{
    FILE *out = fopen(dst, "wb");
    if (!out) {
        buf_printf(err, "%s: không tạo được tệp: %s", dst, strerror(errno));
        return THK_EXIT_OUTPUT;
    }
    sha256_ctx h;
    sha256_init(&h);
    thk_buf first = {0}, hdr = {0}, path = {0};
    char *chunk = thk_xmalloc(1 << 16);
    int rc = 0;
    bool werr = false;
    for (size_t r = 0; r < m->nin && !rc; r++) {
        merge_path(&path, m->in[r].dir, name);
        FILE *in = fopen(path.data, "rb");
        if (!in) {
            buf_printf(err, "%s: không mở được tệp: %s", path.data, strerror(errno));
            rc = THK_EXIT_INPUT;
            break;
        }
        if (!merge_header(in, &hdr)) {
            buf_printf(err, "%s: tệp rỗng, thiếu dòng tiêu đề", path.data);
            rc = THK_EXIT_INPUT;
        } else {
            const char *want = expect ? expect : (r ? first.data + 3 : NULL); /* past the BOM */
            if (want && strcmp(hdr.data ? hdr.data : "", want) != 0) {
                buf_printf(err,
                           "không gộp được: %s có dòng tiêu đề \"%s\", cần \"%s\"",
                           path.data, hdr.data ? hdr.data : "", want);
                rc = THK_EXIT_INPUT;
            }
            if (!rc && r == 0) {
                csv_out_bom(&first); /* the spreadsheet-facing files start with it */
                buf_append(&first, hdr.data ? hdr.data : "", hdr.len);
                buf_putc(&first, '\n');
                werr = werr || fwrite(first.data, 1, first.len, out) != first.len;
                sha256_update(&h, first.data, first.len);
                first.data[--first.len] = '\0';
            }
        }
        char last = '\n';
        size_t n;
        while (!rc && (n = fread(chunk, 1, 1 << 16, in)) > 0) {
            werr = werr || fwrite(chunk, 1, n, out) != n;
            sha256_update(&h, chunk, n);
            last = chunk[n - 1];
        }
        if (!rc && ferror(in)) {
            buf_printf(err, "%s: lỗi đọc tệp", path.data);
            rc = THK_EXIT_INPUT;
        }
        if (!rc && last != '\n') {
            werr = werr || fputc('\n', out) == EOF;
            sha256_update(&h, "\n", 1);
        }
        fclose(in);
    }
    free(chunk);
    buf_free(&first);
    buf_free(&hdr);
    buf_free(&path);
    if (fflush(out) != 0)
        werr = true;
    if (fclose(out) != 0)
        werr = true;
    if (!rc && werr) {
        buf_printf(err, "%s: lỗi ghi tệp: %s", dst, strerror(errno ? errno : EIO));
        rc = THK_EXIT_OUTPUT;
    }
    uint8_t d[32];
    sha256_final(&h, d);
    sha256_to_hex(d, sha);
    return rc;
}

static int merge_unit_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* checks-cases.csv of the merged run: the runs' lines one after the other (as one run over
 * their inputs in that order writes them), read back for the case screens' hits. */
static int merge_screen_cases(merge_state *m, const char *dst, char sha[65], screen_hits *hits,
                              thk_buf *err)
{
    thk_buf hdr = {0};
    screen_cases_header(m->rs, &hdr);
    hdr.data[--hdr.len] = '\0'; /* the line end */
    int rc = merge_concat(m, "checks-cases.csv", hdr.data + 3, dst, sha, err); /* past the BOM */
    buf_free(&hdr);
    cells_lines cl = {0};
    if (!rc)
        rc = csv_out_screen_cases_read(dst, m->pool, &cl, err);
    uint32_t unit_col = strpool_intern(m->pool, "ma_don_vi", strlen("ma_don_vi"));
    uint32_t chv_col = strpool_intern(m->pool, "chap_hanh_vien", strlen("chap_hanh_vien"));
    for (size_t i = 0; !rc && i < cl.n;) {
        size_t j = i;
        const char *unit = "", *chv = "";
        while (j < cl.n && cl.cells[j].row == cl.cells[i].row) {
            if (cl.cells[j].column == unit_col)
                unit = merge_text(m, cl.cells[j].value);
            else if (cl.cells[j].column == chv_col)
                chv = merge_text(m, cl.cells[j].value);
            j++;
        }
        const char *id = merge_text(m, cl.cells[i].form);
        size_t si = 0;
        while (si < rule_set_screen_count(m->rs) && strcmp(rule_set_screen_id(m->rs, si), id))
            si++;
        if (si == rule_set_screen_count(m->rs)) {
            buf_printf(err, "không gộp được: checks-cases.csv có phép thẩm tra %s mà quy tắc "
                            "không có", id);
            rc = THK_EXIT_INPUT;
            break;
        }
        screen_hits_add(hits, si, unit, chv);
        i = j;
    }
    csv_out_cells_free(&cl);
    return rc;
}

/* Writes every output into the staging folder of p: the merged tables through the report's
 * own writers (cells.csv, accumulators.csv, labels.csv, lists.csv, the workbook), the runs'
 * cases.csv and rejects.csv one after the other, and manifest.json. */
static int merge_write_outputs(merge_state *m, const merge_opts *o, publish *p, bool with_cases,
                               thk_buf *err)
{
    manifest_output outs[11];
    size_t nouts = 0;
    form_set *fs = merge_form_set(m);
    /* thẩm tra: the runs' checks-cases.csv one after the other, their hits counted, the
     * comparison screens on the merged forms, as one run would */
    screen_result checks = {0};
    screen_hits hits = {0};
    form_table *checks_sheet = NULL;
    int rc = 0;
    if (m->rs->nscreen_lists) {
        outs[nouts].path = "checks-cases.csv";
        rc = merge_screen_cases(m, publish_path(p, "checks-cases.csv"), outs[nouts++].sha256,
                                &hits, err);
    }
    if (!rc) {
        screen_run(m->rs, fs, &hits, NULL, &checks);
        checks_sheet = screen_table(m->rs, &checks);
    }
    static const char *const tables[] = {"cells.csv", "accumulators.csv", "labels.csv",
                                         "lists.csv"};
    for (size_t k = 0; k < 4 && !rc; k++) {
        const char *path = publish_path(p, tables[k]);
        rc = k == 0   ? csv_out_write_cells(path, fs, err)
             : k == 1 ? csv_out_write_accs(path, fs, err)
             : k == 2 ? csv_out_write_labels(path, fs, err)
                      : csv_out_write_lists(path, fs, err);
        outs[nouts].path = tables[k];
        if (!rc && sha256_file(path, outs[nouts++].sha256, NULL, err) != 0)
            rc = THK_EXIT_OUTPUT;
    }
    if (!rc && m->rs->nscreens) {
        outs[nouts].path = "checks.csv";
        rc = screen_write_checks(publish_path(p, "checks.csv"), m->rs, &checks, err);
        if (!rc && sha256_file(publish_path(p, "checks.csv"), outs[nouts++].sha256, NULL, err))
            rc = THK_EXIT_OUTPUT;
    }
    if (!rc && with_cases) {
        outs[nouts].path = "cases.csv";
        rc = merge_concat(m, "cases.csv", NULL, publish_path(p, "cases.csv"),
                          outs[nouts++].sha256, err);
    }
    bool with_thahc = true;
    for (size_t r = 0; r < m->nin; r++)
        with_thahc = with_thahc && runfile_lists(&m->in[r].mi, "thahc-cases.csv", NULL);
    if (!rc && with_thahc) {
        outs[nouts].path = "thahc-cases.csv";
        rc = merge_concat(m, "thahc-cases.csv", NULL, publish_path(p, "thahc-cases.csv"),
                          outs[nouts++].sha256, err);
    }
    if (!rc) {
        outs[nouts].path = "rejects.csv";
        rc = merge_concat(m, "rejects.csv", "file,line,column,value,severity,code,message",
                          publish_path(p, "rejects.csv"), outs[nouts++].sha256, err);
    }
    if (rc) {
        screen_result_free(&checks);
        screen_hits_free(&hits);
        if (checks_sheet)
            form_table_clear(checks_sheet);
        free(checks_sheet);
        form_set_free(fs);
        return rc;
    }

    manifest_info mi = {0};
    const char **argv = thk_xmalloc((o->argc + 1) * sizeof *argv);
    argv[0] = "thongke";
    for (size_t i = 0; i < o->argc; i++)
        argv[i + 1] = o->argv[i];
    const char **units = thk_xmalloc((m->nunits + 1) * sizeof *units);
    for (size_t i = 0; i < m->nunits; i++)
        units[i] = merge_text(m, m->units[i]);
    qsort(units, m->nunits, sizeof *units, merge_unit_cmp);
    size_t ninputs = 0;
    for (size_t r = 0; r < m->nin; r++)
        ninputs += m->in[r].mi.ninputs;
    manifest_input *inputs = thk_xmalloc((ninputs + 1) * sizeof *inputs);
    ninputs = 0;
    for (size_t r = 0; r < m->nin; r++)
        for (size_t i = 0; i < m->in[r].mi.ninputs; i++)
            inputs[ninputs++] = m->in[r].mi.inputs[i];
    manifest_run *runs = thk_xmalloc(m->nin * sizeof *runs);
    for (size_t r = 0; r < m->nin; r++) {
        runs[r].path = m->in[r].dir;
        memcpy(runs[r].sha256, m->in[r].sha, sizeof runs[r].sha256);
    }
    mi.tool_version = THK_VERSION;
    mi.argc = o->argc + 1;
    mi.argv = argv;
    mi.per = m->in[0].mi.per;
    mi.rules = m->in[0].mi.rules;
    mi.nrules = m->in[0].mi.nrules;
    mi.inputs = inputs;
    mi.ninputs = ninputs;
    mi.units = units;
    mi.nunits = m->nunits;
    mi.runs = runs;
    mi.nruns = m->nin;
    mi.outputs = outs;
    mi.noutputs = nouts;
    mi.identities_verified = m->identities;
    /* a run without cases.csv: the merged drill-down is missing, and the manifest says so */
    thk_buf missing = {0};
    manifest_check cases_check = {.name = "cases.csv của mọi lần chạy", .ok = false};
    if (!with_cases) {
        buf_printf(&missing, "không có cases.csv:");
        for (size_t r = 0; r < m->nin; r++)
            if (!m->in[r].has_cases)
                buf_printf(&missing, " %s", m->in[r].dir);
        cases_check.detail = missing.data;
        mi.continuity = &cases_check;
        mi.ncontinuity = 1;
    }
    /* the workbook, whose hidden sheet carries the manifest of the other files */
    if (!o->unit_name || !*o->unit_name)
        log_stage("cảnh báo", "đầu biểu của bản gộp ghi \"%s\": hãy cho --unit-name",
                  XLSX_OUT_DEFAULT_UNIT);
    char name[96];
    xlsx_out_name(&mi.per, name, sizeof name);
    thk_buf json = {0};
    manifest_render(&mi, &json);
    reject_log *rej = rejects_new();
    rc = csv_out_rejects_read(publish_path(p, "rejects.csv"), rej, err);
    xlsx_report xr = {.forms = fs,
                      .per = mi.per,
                      .unit_name = o->unit_name,
                      .receiver = o->receiver,
                      .place = o->place,
                      .sign_date = o->sign_date,
                      .rejects = rej,
                      .checks = checks_sheet,
                      .manifest_json = json.data,
                      .created = xlsx_out_created(&mi.per)};
    if (!rc)
        rc = xlsx_out_write(publish_path(p, name), &xr, err);
    if (!rc) {
        outs[nouts].path = name;
        if (sha256_file(publish_path(p, name), outs[nouts++].sha256, NULL, err) != 0)
            rc = THK_EXIT_OUTPUT;
        mi.noutputs = nouts;
    }
    if (!rc)
        rc = manifest_write(publish_path(p, "manifest.json"), &mi, err);
    rejects_free(rej);
    buf_free(&json);
    buf_free(&missing);
    free(argv);
    free(units);
    free(inputs);
    free(runs);
    screen_result_free(&checks);
    screen_hits_free(&hits);
    if (checks_sheet)
        form_table_clear(checks_sheet);
    free(checks_sheet);
    form_set_free(fs);
    return rc;
}

/* The rules every derived cell is computed with (runfile_rules): --rules, said on stderr when
 * they are not the files the runs recorded, else those of the first run's manifest. */
static rule_set *merge_load_rules(const merge_opts *o, const manifest_info *mi, thk_buf *err)
{
    bool same;
    thk_buf e = {0};
    rule_set *rs = runfile_rules(mi, o->rules, o->nrules, &same, &e);
    if (!rs)
        buf_printf(err, "không gộp được: %s", e.data ? e.data : "");
    else if (o->nrules && !same)
        fprintf(stderr, "thongke: cảnh báo: merge: --rules không phải các tệp quy tắc mà các lần "
                        "chạy đã dùng (SHA-256 khác): mọi tỷ lệ, tổng và đẳng thức được tính "
                        "lại theo --rules\n");
    if (rs)
        log_stage("merge", "mọi ô được tính lại theo quy tắc %s",
                  o->nrules ? o->rules[0] : mi->rules[0].path);
    buf_free(&e);
    return rs;
}

int merge_runs(const merge_opts *o, thk_buf *err)
{
    if (!o->out || !*o->out || o->nruns == 0) {
        buf_printf(err, "merge cần --out DIR và ít nhất một thư mục lần chạy");
        return THK_EXIT_USAGE;
    }
    if (publish_check_name(o->out, err) != 0)
        return THK_EXIT_USAGE; /* "/", ".", "..": refused before anything is read or created */
    int64_t t0 = log_now_ms();
    merge_state m = {0};
    m.pool = strpool_new();
    m.sets = strpool_new();
    m.in = thk_xcalloc(o->nruns, sizeof *m.in);
    rule_set *rs = NULL;
    int rc = 0;
    bool with_cases = true;
    for (size_t r = 0; r < o->nruns && !rc; r++) {
        m.in[r].dir = o->runs[r];
        m.nin = r + 1;
        rc = merge_open_run(&m.in[r], err);
        if (!rc && !m.in[r].has_cases)
            fprintf(stderr,
                    "thongke: cảnh báo: merge: %s không có cases.csv; bản gộp sẽ không có danh "
                    "sách việc (cases.csv) để tra cứu, manifest.json ghi lại kiểm tra này\n",
                    m.in[r].dir);
        with_cases = with_cases && m.in[r].has_cases;
    }
    if (!rc)
        rc = merge_check_compatible(&m, err);
    if (!rc && !(rs = merge_load_rules(o, &m.in[0].mi, err)))
        rc = THK_EXIT_RULES;
    m.rs = rs;
    thk_buf path = {0};
    size_t ncells = 0;
    for (size_t r = 0; r < m.nin && !rc; r++) {
        cells_lines dc = {0}, al = {0};
        merge_path(&path, m.in[r].dir, "cells.csv");
        rc = csv_out_cells_read(path.data, m.pool, &dc, err);
        if (!rc)
            rc = merge_units(&m, r, &dc, err);
        if (!rc)
            rc = merge_fold(&m, r, &dc, err);
        if (!rc) {
            merge_path(&path, m.in[r].dir, "accumulators.csv");
            rc = csv_out_accs_read(path.data, m.pool, &al, err);
        }
        if (!rc)
            rc = merge_fold_accs(&m, r, &al, err);
        csv_out_cells_free(&al);
        if (!rc) {
            merge_path(&path, m.in[r].dir, "labels.csv");
            rc = csv_out_labels_read(path.data, m.pool, &al, err);
        }
        if (!rc)
            rc = merge_fold_labels(&m, r, &al, err);
        csv_out_cells_free(&al);
        if (!rc) {
            merge_path(&path, m.in[r].dir, "lists.csv");
            rc = csv_out_lists_read(path.data, m.pool, &al, err);
        }
        if (!rc)
            rc = merge_fold_lists(&m, r, &al, err);
        csv_out_cells_free(&al);

        ncells += dc.n;
        csv_out_cells_free(&dc);
    }
    buf_free(&path);
    if (!rc) {
        for (size_t fi = 0; fi < m.nforms; fi++)
            merge_sort_rows(&m, (uint32_t)fi);
        rc = merge_check_totals(&m, err);
    }
    if (!rc)
        rc = merge_derive(&m, err);
    if (!rc) {
        log_stage("merge", "đọc %zu lần chạy, %zu ô → %zu ô, %zu đơn vị (%" PRId64 " ms)", m.nin,
                  ncells, m.ncells, m.nunits, log_now_ms() - t0);
        if (!with_cases)
            log_stage("merge", "không phải lần chạy nào cũng có cases.csv: bỏ qua cases.csv");
        bool locked;
        publish *p = publish_begin(o->out, &locked, err);
        if (!p) {
            rc = THK_EXIT_OUTPUT;
        } else {
            rc = merge_write_outputs(&m, o, p, with_cases, err);
            if (!rc && publish_commit(p, err) != 0)
                rc = THK_EXIT_OUTPUT;
            publish_abort(p);
        }
        if (!rc)
            log_stage("merge", "đã công bố %s (%" PRId64 " ms)", o->out,
                      log_now_ms() - t0);
    }
    merge_state_free(&m);
    rule_set_free(rs);
    return rc;
}

/* ---- command line ------------------------------------------------------------------------ */

static void merge_usage(FILE *f)
{
    fputs("Cách dùng: thongke merge --out DIR [--rules F]... [--unit-name T]\n"
          "                     [--receiver T] [--place T] RUN_DIR... [--quiet]\n"
          "\n"
          "Gộp kết quả của các đơn vị cấp dưới (thư mục của `thongke report`): cộng các tổng\n"
          "của từng dòng (accumulators.csv), tính lại mọi ô của mọi dòng (tỷ lệ, chỉ tiêu,\n"
          "chênh lệch, dòng cộng, dòng tổng) theo đúng định nghĩa cột trong quy tắc, đối chiếu\n"
          "với tổng các ô của các lần chạy, rồi ghi sổ kết quả (.xlsx: mọi biểu, biểu tổng hợp\n"
          "có biểu đồ, các danh sách sắp xếp lại, tờ thẩm tra), cells.csv, accumulators.csv,\n"
          "labels.csv, lists.csv, checks.csv, checks-cases.csv, cases.csv, rejects.csv và\n"
          "manifest.json vào DIR (thay thế nguyên khối).\n"
          "Từ chối gộp khi: khác kỳ báo cáo hoặc phiên bản quy tắc, một đơn vị ở hai lần chạy,\n"
          "thiếu tệp, biểu/cột/tổng mà quy tắc không có, ô không khớp với quy tắc.\n"
          "\n"
          "  --out DIR  thư mục kết quả\n"
          "  --rules F  quy tắc dùng để tính (mặc định: các tệp quy tắc ghi trong manifest của\n"
          "             lần chạy đầu, nếu SHA-256 vẫn đúng)\n"
          "  --unit-name T  tên đơn vị báo cáo ở đầu biểu\n"
          "  --receiver T   đơn vị nhận báo cáo\n"
          "  --place T      địa danh ở dòng ngày ký\n"
          "  --sign-date D  ngày ký (dd/mm/yyyy)\n"
          "  --quiet    chỉ in lỗi\n"
          "\n"
          "Mã thoát: 0 đã công bố, 1 sai cú pháp lệnh, 2 không tìm thấy, đã sửa hoặc lỗi tệp\n"
          "quy tắc, 3 lỗi dữ liệu vào hoặc từ chối gộp, 4 không ghi được hoặc thư mục đang bị\n"
          "khóa.\n",
          f);
}

int merge_main(int argc, char **argv)
{
    const char *out = NULL;
    const char **rules = thk_xcalloc((size_t)(argc > 0 ? argc : 1), sizeof *rules);
    size_t nrules = 0;
    const char **runs = thk_xcalloc((size_t)(argc > 0 ? argc : 1), sizeof *runs);
    size_t nruns = 0;
    bool quiet = false;
    const char *unit_name = NULL, *receiver = NULL, *place = NULL;
    thk_date sign_date = THK_DATE_NONE;
    int rc = 0;
    for (int i = 1; i < argc && !rc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            merge_usage(stdout);
            free(runs);
            free(rules);
            return 0;
        }
        if (strcmp(a, "--out") == 0 || strcmp(a, "-o") == 0) {
            if (i + 1 >= argc) {
                log_error("--out cần một thư mục / --out needs a folder");
                rc = THK_EXIT_USAGE;
            } else {
                out = argv[++i];
            }
        } else if (strncmp(a, "--out=", 6) == 0) {
            out = a + 6;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            quiet = true;
        } else if (strcmp(a, "--sign-date") == 0) {
            if (i + 1 >= argc || date_parse(argv[i + 1], strlen(argv[i + 1]), &sign_date) >= 0) {
                log_error("--sign-date cần một ngày dd/mm/yyyy / --sign-date needs a date");
                rc = THK_EXIT_USAGE;
            }
            i++;
        } else if (strcmp(a, "--unit-name") == 0 || strcmp(a, "--receiver") == 0 ||
                   strcmp(a, "--place") == 0) {
            if (i + 1 >= argc) {
                log_error("%s cần một giá trị / %s needs a value", a, a);
                rc = THK_EXIT_USAGE;
            } else if (a[2] == 'u') {
                unit_name = argv[++i];
            } else if (a[2] == 'r') {
                receiver = argv[++i];
            } else {
                place = argv[++i];
            }
        } else if (strcmp(a, "--rules") == 0) {
            if (i + 1 >= argc) {
                log_error("--rules cần một tệp / --rules needs a file");
                rc = THK_EXIT_USAGE;
            } else {
                rules[nrules++] = argv[++i];
            }
        } else if (a[0] == '-' && a[1] != '\0') {
            log_error("tùy chọn không rõ: %s", a);
            rc = THK_EXIT_USAGE;
        } else {
            runs[nruns++] = a;
        }
    }
    if (!rc && (!out || !*out || nruns == 0)) {
        log_error("merge cần --out DIR và ít nhất một thư mục lần chạy");
        rc = THK_EXIT_USAGE;
    }
    if (rc) {
        merge_usage(stderr);
        free(runs);
        free(rules);
        return rc;
    }
    if (quiet)
        log_open(NULL, LOG_QUIET);
    merge_opts o = {.out = out,
                    .runs = runs,
                    .nruns = nruns,
                    .rules = rules,
                    .nrules = nrules,
                    .unit_name = unit_name,
                    .receiver = receiver,
                    .place = place,
                    .sign_date = sign_date,
                    .argv = (const char *const *)argv,
                    .argc = (size_t)argc};
    thk_buf err = {0};
    rc = merge_runs(&o, &err);
    if (rc)
        log_error("%s", err.data ? err.data : "");
    buf_free(&err);
    free(runs);
    free(rules);
    return rc;
}
