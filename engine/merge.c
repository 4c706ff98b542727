/* merge — reads sub-unit runs (manifest.json, cells.csv), refuses runs that cannot be merged,
 * sums the additive cells in a hash table keyed by (form, row, column), recomputes the rates from
 * the merged counts, and publishes the merged run atomically. */
#include "merge.h"
#include "rule.h"

#include "csv_out.h"
#include "diff.h"
#include "form.h"
#include "log.h"
#include "manifest.h"
#include "publish.h"
#include "runfile.h"
#include "read_date.h"
#include "sha256.h"
#include "strpool.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MERGE_NONE UINT32_MAX

static const merge_rate merge_rates[] = {
    {"B01*", "ty_le", MERGE_PERCENT, {"xong", "dinh_chi"}, {"co_dk"}},
    {"B02*", "ty_le", MERGE_PERCENT, {"xong", "dinh_chi", "giam"}, {"co_dk"}},
    {"B05", "ty_le", MERGE_PERCENT, {"xong"}, {"co_dk"}},
    {"B05", "ty_le_tien", MERGE_PERCENT, {"xong_tien"}, {"co_dk_tien"}},
    {"B06", "ty_le", MERGE_PERCENT, {"xong"}, {"co_dk"}},
    {"B06", "ty_le_tien", MERGE_PERCENT, {"xong_tien"}, {"co_dk_tien"}},
    {"B03*", "ty_le", MERGE_PERCENT, {"xong"}, {"tong"}},
    /* TH: "xong" is xong + đình chỉ; the money rate is B02's over the same cases */
    {"TH", "ty_le", MERGE_PERCENT, {"xong"}, {"co_dk"}},
    {"TH", "chi_tieu", MERGE_SAME, {NULL}, {NULL}},
    {"TH", "chenh_lech", MERGE_DIFF, {"ty_le", "chi_tieu"}, {NULL}},
    {"TH", "ty_le_cung_ky", MERGE_PERCENT, {"xong_cung_ky"}, {"co_dk_cung_ky"}},
    {"TH", "ty_le_tien", MERGE_PERCENT, {"B02.xong", "B02.dinh_chi", "B02.giam"}, {"B02.co_dk"}},
    {"TH", "chi_tieu_tien", MERGE_SAME, {NULL}, {NULL}},
    {"TH", "chenh_lech_tien", MERGE_DIFF, {"ty_le_tien", "chi_tieu_tien"}, {NULL}},
    /* DCD (rules/dot-cao-diem.rules) */
    {"DCD", "ty_le_viec", MERGE_PERCENT, {"xong_viec"}, {"ton_viec"}},
    {"DCD", "chi_tieu_viec", MERGE_SAME, {NULL}, {NULL}},
    {"DCD", "chenh_lech_viec", MERGE_DIFF, {"ty_le_viec", "chi_tieu_viec"}, {NULL}},
    {"DCD", "ty_le_tien", MERGE_PERCENT, {"xong_tien"}, {"ton_tien"}},
    {"DCD", "chi_tieu_tien", MERGE_SAME, {NULL}, {NULL}},
    {"DCD", "chenh_lech_tien", MERGE_DIFF, {"ty_le_tien", "chi_tieu_tien"}, {NULL}},
};

const merge_rate *merge_default_rates(size_t *n)
{
    *n = sizeof merge_rates / sizeof merge_rates[0];
    return merge_rates;
}

/* ---- state ------------------------------------------------------------------------------- */

enum { MK_INT = 1, MK_RATE = 2, MK_TEXT = 4 };

typedef struct {
    uint32_t form;   /* pool id of the form id */
    uint32_t *cols;  /* indexes into merge_state.cols, form order */
    size_t ncols, ccap;
    uint32_t *rows;  /* pool ids of the row keys, first appearance, sorted later */
    size_t nrows, rcap;
    uint32_t *seq;   /* the current run's rows, in its order */
    size_t nseq, seqcap;
    size_t last_run; /* run index + 1 of seq */
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
    const merge_rate *rates;
    size_t nrates;
    uint64_t identities;
} merge_state;

static const char *merge_text(const merge_state *m, uint32_t id)
{
    return strpool_get(m->pool, id);
}

/* Keys of the index: 'F' form, 'C' (form, column), 'R' (form, row), 'X' (column, row) cell,
 * 'U' unit, MERGE_TAG_FIXED + level (form, key) fixed position. */
#define MERGE_TAG_FIXED 0x100u

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

static void merge_state_free(merge_state *m)
{
    strpool_free(m->pool);
    strpool_free(m->sets);
    free(m->setv);
    for (size_t i = 0; i < m->nforms; i++) {
        free(m->forms[i].cols);
        free(m->forms[i].rows);
        free(m->forms[i].seq);
    }
    free(m->forms);
    free(m->cols);
    free(m->cells);
    for (size_t i = 0; i < m->nin; i++)
        manifest_clear(&m->in[i].mi);
    free(m->in);
    free(m->units);
}

/* ---- row order --------------------------------------------------------------------------- */
/* The report orders the keys of each row level as declared fixed keys first, in their declared
 * order, then the other keys by bytes; subtotals follow their group and the total comes last
 * (agg.c). cells.csv does not say which keys are fixed, so each run's order is read back: within
 * one group of a level, the keys before the longest byte-sorted tail must be fixed ones, at
 * their position. The merged rows are then sorted level by level on (fixed position, bytes),
 * `*` last. (The compiled form knows its fixed keys too; reading them back keeps merge
 * working on runs whose rule files are not at hand.) */

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

static bool merge_has_star(const merge_state *m, const uint32_t *comp, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(merge_text(m, comp[i]), "*") == 0)
            return true;
    return false;
}

/* Records the fixed keys of one group's key sequence seq[0..n) at level l of form fi: the keys
 * before the longest byte-sorted tail (a key there is greater than the next one, which only a
 * fixed key can be), at their position. */
static void merge_learn_group(merge_state *m, uint32_t fi, size_t l, const uint32_t *seq, size_t n)
{
    if (n == 0)
        return;
    size_t j = n - 1;
    while (j > 0 && strcmp(merge_text(m, seq[j - 1]), merge_text(m, seq[j])) < 0)
        j--;
    for (size_t i = 0; i < j; i++) {
        bool cr;
        merge_find(m, MERGE_TAG_FIXED + (uint32_t)l, fi, seq[i], (uint32_t)i, &cr);
    }
}

/* Learns the fixed keys of form fi from one run's rows, in that run's order. */
static void merge_learn_fixed(merge_state *m, uint32_t fi, const uint32_t *rows, size_t nrows)
{
    uint32_t *seq = thk_xmalloc((nrows + 1) * sizeof *seq);
    uint32_t prev[MERGE_MAX_LEVELS], comp[MERGE_MAX_LEVELS];
    for (size_t l = 0; l < MERGE_MAX_LEVELS; l++) {
        size_t n = 0, nprev = 0;
        bool any = false;
        for (size_t r = 0; r < nrows; r++) {
            size_t nc = merge_components(m, rows[r], comp);
            if (merge_has_star(m, comp, nc) || nc <= l)
                continue;
            any = true;
            bool same_group = nprev > l && memcmp(prev, comp, l * sizeof *comp) == 0;
            if (!same_group) {
                merge_learn_group(m, fi, l, seq, n);
                n = 0;
            }
            if (n == 0 || seq[n - 1] != comp[l])
                seq[n++] = comp[l];
            memcpy(prev, comp, nc * sizeof *comp);
            nprev = nc;
        }
        merge_learn_group(m, fi, l, seq, n);
        if (!any)
            break;
    }
    free(seq);
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
            else {
                uint32_t fp = merge_lookup(m, MERGE_TAG_FIXED + (uint32_t)l, fi, comp[l]);
                if (fp != MERGE_NONE)
                    pos = fp;
            }
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
                   "không gộp được: %s không phải thư mục lần chạy / cannot merge: %s is not a "
                   "run folder",
                   in->dir, in->dir);
        return THK_EXIT_INPUT;
    }
    /* every file checked against the run's manifest before any is read (runfile.h) */
    int rc = runfile_verify(in->dir, &in->mi, err);
    if (rc)
        return rc;
    static const char *const need[] = {"cells.csv", "rejects.csv"};
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
        if (!runfile_lists(&in->mi, need[i], NULL)) {
            buf_printf(err, "không gộp được: %s/%s không có trong lần chạy / cannot merge: "
                            "missing file",
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
                       "không gộp được: các lần chạy khác kỳ báo cáo / cannot merge: different "
                       "periods: %s (%s) và/and %s (%s)",
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
                          "cảnh báo: %s và %s cùng phiên bản quy tắc \"%s\" nhưng SHA-256 khác / "
                          "warning: same rule version, different SHA-256",
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
                       "không gộp được: các lần chạy dùng phiên bản quy tắc khác nhau / cannot "
                       "merge: different rule versions: %s (%s) và/and %s (%s)",
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
        if (f->last_run != run + 1) {
            f->last_run = run + 1;
            f->nseq = 0;
        }
        if (f->nseq == 0 || f->seq[f->nseq - 1] != c->row)
            merge_push_u32(&f->seq, &f->nseq, &f->seqcap, c->row);
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
                       "%s/cells.csv: ô %s[%s].%s xuất hiện hai lần / cell appears twice", dir,
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
                       "trước / value kind differs from the earlier runs",
                       dir, form, row, code, v);
            return THK_EXIT_INPUT;
        }
        x->kind = kind;
        m->cols[ci].kinds |= kind;
        if (kind == MK_INT) {
            if (__builtin_add_overflow(x->sum, iv, &x->sum)) {
                buf_printf(err,
                           "ô %s[%s].%s: tổng vượt quá giới hạn số nguyên 64 bit / sum "
                           "overflows (%s)",
                           form, row, code, dir);
                return THK_EXIT_INPUT;
            }
        } else if (!cr && x->value != c->value) {
            x->differs = true;
        }
    }
    return 0;
}

/* The run's units: its manifest's list, or the first key of B01's data rows. Refuses a unit
 * already merged from another run. */
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
        uint32_t b01 = strpool_find(m->pool, "B01", 3);
        for (size_t i = 0; i < dc->n; i++) {
            const cells_line *c = &dc->cells[i];
            const char *row = merge_text(m, c->row);
            if (c->form != b01 || !merge_is_data_row(row))
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
                       "không gộp được: đơn vị %s có trong hai lần chạy / cannot merge: unit %s "
                       "is in two runs: %s và/and %s",
                       merge_text(m, ids[i]), merge_text(m, ids[i]), m->in[owner].dir, in->dir);
            rc = THK_EXIT_INPUT;
        }
    }
    free(ids);
    return rc;
}

/* ---- rates ------------------------------------------------------------------------------- */

static const merge_rate *merge_rule_for(const merge_state *m, const char *form, const char *col)
{
    const merge_rate *prefix = NULL;
    for (size_t i = 0; i < m->nrates; i++) {
        const merge_rate *r = &m->rates[i];
        if (strcmp(r->column, col) != 0)
            continue;
        size_t n = strlen(r->form);
        if (n && r->form[n - 1] == '*') {
            if (!prefix && strncmp(form, r->form, n - 1) == 0)
                prefix = r;
        } else if (strcmp(form, r->form) == 0) {
            return r;
        }
    }
    return prefix;
}

/* Column index of operand `term` ("col" or "FORM.col") seen from form fi, or MERGE_NONE. */
static uint32_t merge_term_col(const merge_state *m, uint32_t fi, const char *term)
{
    const char *dot = strchr(term, '.');
    const char *code = term;
    if (dot) {
        uint32_t fid = strpool_find(m->pool, term, (size_t)(dot - term));
        if (fid == STRPOOL_NONE || (fi = merge_lookup(m, 'F', fid, 0)) == MERGE_NONE)
            return MERGE_NONE;
        code = dot + 1;
    }
    uint32_t cid = strpool_find(m->pool, code, strlen(code));
    return cid == STRPOOL_NONE ? MERGE_NONE : merge_lookup(m, 'C', fi, cid);
}

/* Value of column ci at row: an integer sum, or a recomputed rate (*empty when empty). A
 * missing cell counts as 0 (an integer column) or empty (a rate). */
static int64_t merge_value(const merge_state *m, uint32_t ci, uint32_t row, bool *empty)
{
    uint32_t xi = merge_lookup(m, 'X', ci, row);
    *empty = false;
    if (xi == MERGE_NONE) {
        *empty = m->cols[ci].kinds != MK_INT;
        return 0;
    }
    const merge_cell *x = &m->cells[xi];
    if (x->kind == MK_INT)
        return x->sum;
    *empty = x->out.empty;
    return x->out.v;
}

static int merge_sum_terms(const merge_state *m, const uint32_t *cols, size_t n, uint32_t row,
                           int64_t *sum)
{
    *sum = 0;
    for (size_t i = 0; i < n; i++) {
        bool empty;
        if (__builtin_add_overflow(*sum, merge_value(m, cols[i], row, &empty), sum))
            return -1;
    }
    return 0;
}

/* Resolves a NULL-terminated operand list; error naming the first unknown operand. */
static int merge_resolve(const merge_state *m, uint32_t fi, const char *const *terms,
                         uint32_t *cols, size_t *n, bool need_int, const char *what,
                         thk_buf *err)
{
    *n = 0;
    for (size_t i = 0; i < MERGE_MAX_TERMS && terms[i]; i++) {
        uint32_t ci = merge_term_col(m, fi, terms[i]);
        if (ci == MERGE_NONE || (need_int && m->cols[ci].kinds != MK_INT)) {
            buf_printf(err,
                       "không gộp được: công thức của %s dùng %s, không phải cột số đếm hay tiền "
                       "của biểu / cannot merge: the formula of %s uses %s, not a count or "
                       "money column",
                       what, terms[i], what, terms[i]);
            return THK_EXIT_INPUT;
        }
        cols[(*n)++] = ci;
    }
    return 0;
}

/* Recomputes every cell of rate column ci with its rule. */
static int merge_recompute_col(merge_state *m, uint32_t ci, const merge_rate *r, thk_buf *err)
{
    const merge_col *col = &m->cols[ci];
    const merge_form *f = &m->forms[col->form];
    char what[256];
    snprintf(what, sizeof what, "%s.%s", merge_text(m, f->form), merge_text(m, col->code));
    uint32_t num[MERGE_MAX_TERMS], den[MERGE_MAX_TERMS];
    size_t nn = 0, nd = 0;
    int rc = merge_resolve(m, col->form, r->num, num, &nn, r->kind == MERGE_PERCENT, what, err);
    if (!rc && r->kind == MERGE_PERCENT)
        rc = merge_resolve(m, col->form, r->den, den, &nd, true, what, err);
    if (!rc && r->kind == MERGE_DIFF && nn != 2) {
        buf_printf(err, "công thức hiệu của %s cần đúng hai toán hạng / a difference needs two "
                        "operands", what);
        rc = THK_EXIT_INPUT;
    }
    for (size_t i = 0; !rc && i < f->nrows; i++) {
        uint32_t xi = merge_lookup(m, 'X', ci, f->rows[i]);
        if (xi == MERGE_NONE)
            continue;
        merge_cell *x = &m->cells[xi];
        if (r->kind == MERGE_PERCENT) {
            int64_t a, b;
            if (merge_sum_terms(m, num, nn, x->row, &a) || merge_sum_terms(m, den, nd, x->row, &b)) {
                buf_printf(err, "%s[%s]: tổng vượt quá giới hạn / sum overflows", what,
                           merge_text(m, x->row));
                rc = THK_EXIT_INPUT;
            } else {
                x->out = form_percent(a, b);
            }
        } else if (r->kind == MERGE_DIFF) {
            bool ea, eb;
            int64_t a = merge_value(m, num[0], x->row, &ea), b = merge_value(m, num[1], x->row, &eb);
            int64_t d = 0;
            x->out = (form_cell){0, true};
            if (!ea && !eb && !__builtin_sub_overflow(a, b, &d))
                x->out = (form_cell){d, false};
        } else {
            int64_t h = 0;
            const char *v = merge_text(m, x->value);
            if (x->differs) {
                buf_printf(err,
                           "không gộp được: %s[%s] khác nhau giữa các lần chạy / cannot merge: "
                           "%s[%s] differs between runs",
                           what, merge_text(m, x->row), what, merge_text(m, x->row));
                rc = THK_EXIT_INPUT;
            } else {
                x->out = (form_cell){0, true};
                if (*v && diff_value_rate(v, &h))
                    x->out = (form_cell){h, false};
            }
        }
    }
    return rc;
}

static int merge_recompute(merge_state *m, thk_buf *err)
{
    /* checks first, then SAME (constants), PERCENT, DIFF (which may use both) */
    for (size_t ci = 0; ci < m->ncols; ci++) {
        const merge_col *c = &m->cols[ci];
        const char *form = merge_text(m, m->forms[c->form].form), *code = merge_text(m, c->code);
        if (c->kinds == MK_INT)
            continue;
        if (c->kinds != MK_RATE && c->kinds != MK_TEXT) {
            buf_printf(err,
                       "không gộp được: cột %s.%s vừa có số vừa có tỷ lệ hay chữ / cannot merge: "
                       "column %s.%s mixes numbers with rates or text",
                       form, code, form, code);
            return THK_EXIT_INPUT;
        }
        if (c->kinds == MK_RATE && !merge_rule_for(m, form, code)) {
            buf_printf(err,
                       "không gộp được: không biết công thức để tính lại cột tỷ lệ %s.%s / "
                       "cannot merge: no formula to recompute rate column %s.%s",
                       form, code, form, code);
            return THK_EXIT_INPUT;
        }
        if (c->kinds == MK_TEXT)
            for (size_t i = 0; i < m->ncells; i++)
                if (m->cells[i].col == ci && m->cells[i].differs) {
                    buf_printf(err,
                               "không gộp được: ô %s[%s].%s khác nhau giữa các lần chạy / cannot "
                               "merge: text cell differs between runs",
                               form, merge_text(m, m->cells[i].row), code);
                    return THK_EXIT_INPUT;
                }
    }
    static const merge_rate_kind order[] = {MERGE_SAME, MERGE_PERCENT, MERGE_DIFF};
    for (size_t k = 0; k < 3; k++)
        for (size_t ci = 0; ci < m->ncols; ci++) {
            const merge_col *c = &m->cols[ci];
            if (c->kinds != MK_RATE)
                continue;
            const merge_rate *r = merge_rule_for(m, merge_text(m, m->forms[c->form].form),
                                                 merge_text(m, c->code));
            if (r->kind != order[k])
                continue;
            int rc = merge_recompute_col(m, (uint32_t)ci, r, err);
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
                           " (các lần chạy không nhất quán) / cannot merge: the total row differs "
                           "from the sum of its rows (inconsistent runs)",
                           merge_text(m, f->form), merge_text(m, m->cols[ci].code),
                           m->cells[ti].sum, sum);
                return THK_EXIT_INPUT;
            }
            m->identities++;
        }
    }
    return 0;
}

/* ---- writing ----------------------------------------------------------------------------- */

static void merge_render_cells(const merge_state *m, thk_buf *b)
{
    csv_out_cells_header(b);
    char tmp[32];
    for (size_t fi = 0; fi < m->nforms; fi++) {
        const merge_form *f = &m->forms[fi];
        for (size_t i = 0; i < f->nrows; i++)
            for (size_t j = 0; j < f->ncols; j++) {
                uint32_t xi = merge_lookup(m, 'X', f->cols[j], f->rows[i]);
                if (xi == MERGE_NONE)
                    continue;
                const merge_cell *x = &m->cells[xi];
                csv_out_str(b, merge_text(m, f->form), false);
                csv_out_str(b, merge_text(m, f->rows[i]), false);
                csv_out_str(b, merge_text(m, m->cols[f->cols[j]].code), false);
                if (x->kind == MK_INT) {
                    csv_out_int(b, x->sum, true);
                } else if (x->kind == MK_RATE) {
                    form_rate_format(&x->out, tmp);
                    csv_out_str(b, tmp, true);
                } else {
                    csv_out_str(b, merge_text(m, x->value), true);
                }
            }
    }
}

static int merge_write(const char *path, const thk_buf *b, thk_buf *err)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        buf_printf(err, "%s: không tạo được tệp / cannot create: %s", path, strerror(errno));
        return THK_EXIT_OUTPUT;
    }
    int e = 0;
    if (b->len && fwrite(b->data, 1, b->len, f) != b->len)
        e = errno ? errno : EIO;
    if (fflush(f) != 0 && !e)
        e = errno ? errno : EIO;
    if (fclose(f) != 0 && !e)
        e = errno ? errno : EIO;
    if (e) {
        buf_printf(err, "%s: lỗi ghi tệp / write error: %s", path, strerror(e));
        return THK_EXIT_OUTPUT;
    }
    return 0;
}

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
        buf_printf(err, "%s: không tạo được tệp / cannot create: %s", dst, strerror(errno));
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
            buf_printf(err, "%s: không mở được tệp / cannot open: %s", path.data, strerror(errno));
            rc = THK_EXIT_INPUT;
            break;
        }
        if (!merge_header(in, &hdr)) {
            buf_printf(err, "%s: tệp rỗng, thiếu dòng tiêu đề / empty file, no header", path.data);
            rc = THK_EXIT_INPUT;
        } else {
            const char *want = expect ? expect : (r ? first.data : NULL);
            if (want && strcmp(hdr.data ? hdr.data : "", want) != 0) {
                buf_printf(err,
                           "không gộp được: %s có dòng tiêu đề khác (\"%s\") / cannot merge: "
                           "different header, expected \"%s\"",
                           path.data, hdr.data ? hdr.data : "", want);
                rc = THK_EXIT_INPUT;
            }
            if (!rc && r == 0) {
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
            buf_printf(err, "%s: lỗi đọc tệp / read error", path.data);
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
        buf_printf(err, "%s: lỗi ghi tệp / write error: %s", dst, strerror(errno ? errno : EIO));
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

/* Writes every output into the staging folder of p. */
static int merge_write_outputs(merge_state *m, const merge_opts *o, publish *p, bool with_cases,
                               thk_buf *err)
{
    manifest_output outs[3];
    size_t nouts = 0;
    thk_buf cells = {0};
    merge_render_cells(m, &cells);
    outs[nouts].path = "cells.csv";
    sha256_buffer(cells.data, cells.len, outs[nouts++].sha256);
    int rc = merge_write(publish_path(p, "cells.csv"), &cells, err);
    buf_free(&cells);
    if (!rc && with_cases) {
        outs[nouts].path = "cases.csv";
        rc = merge_concat(m, "cases.csv", NULL, publish_path(p, "cases.csv"),
                          outs[nouts++].sha256, err);
    }
    if (!rc) {
        outs[nouts].path = "rejects.csv";
        rc = merge_concat(m, "rejects.csv", "file,line,column,value,severity,code,message",
                          publish_path(p, "rejects.csv"), outs[nouts++].sha256, err);
    }
    if (rc)
        return rc;

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
    rc = manifest_write(publish_path(p, "manifest.json"), &mi, err);
    buf_free(&missing);
    free(argv);
    free(units);
    free(inputs);
    free(runs);
    return rc;
}

int merge_runs(const merge_opts *o, thk_buf *err)
{
    if (!o->out || !*o->out || o->nruns == 0) {
        buf_printf(err, "merge cần --out DIR và ít nhất một thư mục lần chạy / merge needs --out "
                        "DIR and at least one run folder");
        return THK_EXIT_USAGE;
    }
    if (publish_check_name(o->out, err) != 0)
        return THK_EXIT_USAGE; /* "/", ".", "..": refused before anything is read or created */
    int64_t t0 = log_now_ms();
    merge_state m = {0};
    m.pool = strpool_new();
    m.sets = strpool_new();
    m.rates = o->rates;
    m.nrates = o->nrates;
    if (!m.rates)
        m.rates = merge_default_rates(&m.nrates);
    m.in = thk_xcalloc(o->nruns, sizeof *m.in);
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
    thk_buf path = {0};
    size_t ncells = 0;
    for (size_t r = 0; r < m.nin && !rc; r++) {
        cells_lines dc = {0};
        merge_path(&path, m.in[r].dir, "cells.csv");
        rc = csv_out_cells_read(path.data, m.pool, &dc, err);
        if (!rc)
            rc = merge_units(&m, r, &dc, err);
        if (!rc)
            rc = merge_fold(&m, r, &dc, err);
        for (size_t fi = 0; !rc && fi < m.nforms; fi++)
            if (m.forms[fi].last_run == r + 1)
                merge_learn_fixed(&m, (uint32_t)fi, m.forms[fi].seq, m.forms[fi].nseq);
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
        rc = merge_recompute(&m, err);
    if (!rc) {
        log_stage("merge", "đọc %zu lần chạy, %zu ô → %zu ô, %zu đơn vị (%" PRId64 " ms)", m.nin,
                  ncells, m.ncells, m.nunits, log_now_ms() - t0);
        if (!with_cases)
            log_stage("merge", "không phải lần chạy nào cũng có cases.csv: bỏ qua cases.csv / "
                               "not every run has cases.csv: skipped");
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
            log_stage("merge", "đã công bố / published %s (%" PRId64 " ms)", o->out,
                      log_now_ms() - t0);
    }
    merge_state_free(&m);
    return rc;
}

/* ---- command line ------------------------------------------------------------------------ */

static void merge_usage(FILE *f)
{
    fputs("Cách dùng / usage: thongke merge --out DIR [--rules F]... RUN_DIR... [--quiet]\n"
          "\n"
          "Gộp kết quả của các đơn vị cấp dưới (thư mục của `thongke report`): cộng các ô số\n"
          "việc và tiền theo (form, row, column), tính lại tỷ lệ, ghi cells.csv, cases.csv,\n"
          "rejects.csv và manifest.json vào DIR (thay thế nguyên khối).\n"
          "Consolidates sub-unit runs: sums count and money cells, recomputes the rates and\n"
          "publishes the merged run atomically into DIR.\n"
          "Từ chối / refuses: khác kỳ báo cáo hoặc phiên bản quy tắc, một đơn vị ở hai lần\n"
          "chạy, thiếu tệp / different periods or rule versions, a unit in two runs, a\n"
          "missing file.\n"
          "\n"
          "  --out DIR  thư mục kết quả / output folder\n"
          "  --rules F  quy tắc để tính lại tỷ lệ (mặc định: quy tắc ghi trong manifest của\n"
          "             lần chạy đầu) / rules whose formulas recompute the rates (default: the\n"
          "             rules named in the first run's manifest, if unchanged)\n"
          "  --quiet    chỉ in lỗi / errors only\n"
          "\n"
          "Mã thoát / exit codes: 0 đã công bố / published, 1 sai cú pháp / usage, 3 lỗi đầu\n"
          "vào hoặc từ chối gộp / input problem or refusal, 4 lỗi ghi hoặc thư mục đang bị\n"
          "khóa / cannot write or folder locked.\n",
          f);
}

/* The rate formulas: from the rules the runs used (the paths in the first run's manifest, when
 * every file is still there with the same SHA-256) or from --rules, followed by the shipped
 * defaults for any column the rules express otherwise. *owned gets the array to free. */
static int merge_rates_from_rules(const char *const *rules, size_t nrules, const char *first_run,
                                  merge_rate **owned, size_t *n, rule_set **rsp)
{
    *rsp = NULL;
    *owned = NULL;
    *n = 0;
    manifest_info mi = {0};
    thk_buf err = {0}, diag = {0}, mpath = {0};
    const char **paths = NULL;
    if (nrules == 0) {
        buf_printf(&mpath, "%s/manifest.json", first_run);
        if (manifest_read(mpath.data, &mi, &err) == 0 && mi.nrules > 0) {
            paths = thk_xcalloc(mi.nrules, sizeof *paths);
            for (size_t i = 0; i < mi.nrules; i++) {
                char hex[65];
                thk_buf e = {0};
                if (sha256_file(mi.rules[i].path, hex, NULL, &e) != 0 ||
                    strcmp(hex, mi.rules[i].sha256) != 0)
                    nrules = 0; /* moved or edited since: fall back to the defaults */
                else
                    paths[nrules++] = mi.rules[i].path;
                buf_free(&e);
                if (nrules == 0)
                    break;
            }
            rules = paths;
        }
    }
    int rc = 0;
    if (nrules > 0) {
        rule_set *rs = rule_set_load(rules, nrules, &diag);
        if (!rs) {
            fputs(diag.data ? diag.data : "", stderr);
            rc = THK_EXIT_RULES;
        } else {
            form_rate *derived;
            size_t nd = rule_set_rates(rs, &derived), ndef;
            const merge_rate *def = merge_default_rates(&ndef);
            *owned = thk_xmalloc((nd + ndef) * sizeof **owned);
            memcpy(*owned, derived, nd * sizeof *derived);
            memcpy(*owned + nd, def, ndef * sizeof *def);
            *n = nd + ndef;
            *rsp = rs; /* the formulas' strings belong to the rule set */
            free(derived);
            log_stage("merge", "tỷ lệ tính lại theo %zu công thức của quy tắc (%s)", nd, rules[0]);
        }
    }
    free(paths);
    manifest_clear(&mi);
    buf_free(&mpath);
    buf_free(&err);
    buf_free(&diag);
    return rc;
}

int merge_main(int argc, char **argv)
{
    const char *out = NULL;
    const char **rules = thk_xcalloc((size_t)(argc > 0 ? argc : 1), sizeof *rules);
    size_t nrules = 0;
    const char **runs = thk_xcalloc((size_t)(argc > 0 ? argc : 1), sizeof *runs);
    size_t nruns = 0;
    bool quiet = false;
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
        } else if (strcmp(a, "--rules") == 0) {
            if (i + 1 >= argc) {
                log_error("--rules cần một tệp / --rules needs a file");
                rc = THK_EXIT_USAGE;
            } else {
                rules[nrules++] = argv[++i];
            }
        } else if (a[0] == '-' && a[1] != '\0') {
            log_error("tùy chọn không rõ / unknown option: %s", a);
            rc = THK_EXIT_USAGE;
        } else {
            runs[nruns++] = a;
        }
    }
    if (!rc && (!out || !*out || nruns == 0)) {
        log_error("merge cần --out DIR và ít nhất một thư mục lần chạy / merge needs --out DIR "
                  "and at least one run folder");
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
    merge_rate *rates = NULL;
    size_t nrates = 0;
    rule_set *rs = NULL;
    rc = merge_rates_from_rules(rules, nrules, runs[0], &rates, &nrates, &rs);
    if (rc) {
        free(runs);
        free(rules);
        return rc;
    }
    merge_opts o = {.out = out,
                    .runs = runs,
                    .nruns = nruns,
                    .rates = rates,
                    .nrates = nrates,
                    .argv = (const char *const *)argv,
                    .argc = (size_t)argc};
    thk_buf err = {0};
    rc = merge_runs(&o, &err);
    if (rc)
        log_error("%s", err.data ? err.data : "");
    buf_free(&err);
    free(rates);
    rule_set_free(rs);
    free(runs);
    free(rules);
    return rc;
}
