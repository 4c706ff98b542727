/* diff — what changed between two runs: both runs' cells.csv matched by (form, row, column) and
 * cases.csv matched by ma_viec in hash tables (strpool), then the changed cells and, for each, the
 * cases of its row that entered, left or changed money. Reads only; writes nothing to disk. */
#include "diff.h"
#include "csv_out.h"
#include "drill.h"
#include "read_date.h"
#include "runfile.h"

#include "form.h"
#include "log.h"
#include "read_csv.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DIFF_NONE UINT32_MAX
#define DIFF_MAX_COMPONENTS 16

/* ---- values ------------------------------------------------------------------------------ */

/* Digits s[0..n) as a non-negative int64; false when empty, not digits or too large. */
static bool diff_digits(const char *s, size_t n, int64_t *v)
{
    if (n == 0 || n > 19)
        return false;
    uint64_t a = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        a = a * 10 + (uint64_t)(s[i] - '0');
    }
    if (a > (uint64_t)INT64_MAX)
        return false;
    *v = (int64_t)a;
    return true;
}

bool diff_value_int(const char *s, int64_t *v)
{
    bool neg = s[0] == '-';
    int64_t a;
    if (!diff_digits(s + neg, strlen(s + neg), &a))
        return false;
    *v = neg ? -a : a;
    return true;
}

bool diff_value_rate(const char *s, int64_t *hundredths)
{
    bool neg = s[0] == '-';
    const char *p = s + neg;
    const char *dot = strchr(p, '.');
    int64_t whole, frac;
    if (!dot || strlen(dot) != 3 || !diff_digits(p, (size_t)(dot - p), &whole) ||
        !diff_digits(dot + 1, 2, &frac) || whole > INT64_MAX / 100 - 1)
        return false;
    *hundredths = neg ? -(whole * 100 + frac) : whole * 100 + frac;
    return true;
}

/* ---- cases.csv and thahc-cases.csv ------------------------------------------------------- */

/* Their columns are csv_out's (csv_out_cases_columns, csv_out_thahc_columns): one definition
 * for the writer and this reader. Both start with the record's id and its unit. */
enum { DC_MA = 0, DC_UNIT = 1, DC_MAXCOLS = 16 };
_Static_assert((int)CSV_CASE_MA_VIEC == (int)DC_MA && (int)CSV_CASE_MA_DON_VI == (int)DC_UNIT &&
                   (int)CSV_THAHC_MA_BAN_AN == (int)DC_MA &&
                   (int)CSV_THAHC_MA_DON_VI == (int)DC_UNIT &&
                   (int)CSV_CASE__N <= (int)DC_MAXCOLS && (int)CSV_THAHC__N <= (int)DC_MAXCOLS,
               "the drill-down files start with id and unit");

/* One run's records: ncols pool ids per record (the file's fixed columns, 0 where it lacks
 * one), all nfields of the line (the rules' row keys after them), and id (ids pool) → record. */
typedef struct {
    size_t ncols;
    uint32_t *f;
    uint32_t *all;
    size_t n, cap;
    uint32_t *at;
    size_t nat;
    char **names; /* the header */
    size_t nfields;
} diff_run_cases;

typedef struct {
    const char *path;
    strpool *pool, *ids;
    diff_run_cases *rc;
    thk_buf *err;
    bool header;
    size_t nfields;
    const char *const *cols; /* the file's fixed columns */
    size_t ncols;
    int colof[DC_MAXCOLS]; /* field index of each fixed column, -1 when the file lacks it */
} diff_cases_ctx;

static void diff_at_grow(diff_run_cases *rc, size_t n)
{
    if (rc->nat >= n)
        return;
    size_t cap = rc->nat ? rc->nat : 1024;
    while (cap < n)
        cap *= 2;
    rc->at = thk_xrealloc(rc->at, cap * sizeof *rc->at);
    for (size_t i = rc->nat; i < cap; i++)
        rc->at[i] = DIFF_NONE;
    rc->nat = cap;
}

static int diff_cases_record(void *vctx, const reader_record *rec)
{
    diff_cases_ctx *c = vctx;
    if (!c->header) {
        for (size_t k = 0; k < c->ncols; k++) {
            c->colof[k] = -1;
            for (size_t i = 0; i < rec->nfields; i++)
                if (strcmp(rec->fields[i], c->cols[k]) == 0) {
                    c->colof[k] = (int)i;
                    break;
                }
        }
        if (c->colof[DC_MA] < 0 || c->colof[DC_UNIT] < 0) {
            buf_printf(c->err,
                       "%s: dòng %" PRIu32 ": tiêu đề thiếu cột %s hoặc %s",
                       c->path, rec->line, c->cols[DC_MA], c->cols[DC_UNIT]);
            return THK_EXIT_INPUT;
        }
        c->rc->ncols = c->ncols;
        c->nfields = rec->nfields;
        c->rc->nfields = rec->nfields;
        c->rc->names = thk_xcalloc(rec->nfields + 1, sizeof *c->rc->names);
        for (size_t i = 0; i < rec->nfields; i++)
            c->rc->names[i] = thk_xstrdup(rec->fields[i]);
        c->header = true;
        return 0;
    }
    if (rec->nfields != c->nfields) {
        buf_printf(c->err,
                   "%s: dòng %" PRIu32 ": có %zu trường, tiêu đề có %zu",
                   c->path, rec->line, rec->nfields, c->nfields);
        return THK_EXIT_INPUT;
    }
    size_t mi = (size_t)c->colof[DC_MA];
    if (rec->lens[mi] == 0) {
        buf_printf(c->err, "%s: dòng %" PRIu32 ": thiếu %s", c->path, rec->line,
                   c->cols[DC_MA]);
        return THK_EXIT_INPUT;
    }
    uint32_t id = strpool_intern(c->ids, rec->fields[mi], rec->lens[mi]);
    diff_run_cases *rc = c->rc;
    diff_at_grow(rc, (size_t)id + 1);
    if (rc->at[id] != DIFF_NONE) {
        buf_printf(c->err, "%s: dòng %" PRIu32 ": mã %s trùng", c->path,
                   rec->line, rec->fields[mi]);
        return THK_EXIT_INPUT;
    }
    if (rc->n == rc->cap) {
        rc->cap = rc->cap ? rc->cap * 2 : 1024;
        rc->f = thk_xrealloc(rc->f, rc->cap * c->ncols * sizeof *rc->f);
        rc->all = thk_xrealloc(rc->all, rc->cap * c->nfields * sizeof *rc->all);
    }
    uint32_t *all = &rc->all[rc->n * c->nfields];
    for (size_t i = 0; i < c->nfields; i++)
        all[i] = strpool_intern(c->pool, rec->fields[i], rec->lens[i]);
    uint32_t *f = &rc->f[rc->n * c->ncols];
    for (size_t k = 0; k < c->ncols; k++)
        f[k] = c->colof[k] < 0 ? 0 : all[c->colof[k]];
    rc->at[id] = (uint32_t)rc->n++;
    return 0;
}

static int diff_cases_read(const char *path, strpool *pool, strpool *ids, diff_run_cases *rc,
                           const char *const *cols, size_t ncols, thk_buf *err)
{
    diff_cases_ctx c = {.path = path, .pool = pool, .ids = ids, .rc = rc, .err = err,
                        .cols = cols, .ncols = ncols};
    return csv_out_read(path, diff_cases_record, &c, &c.header, err);
}

static void diff_run_cases_free(diff_run_cases *rc)
{
    free(rc->f);
    free(rc->all);
    for (size_t i = 0; i < rc->nfields; i++)
        free(rc->names[i]);
    free(rc->names);
    free(rc->at);
    *rc = (diff_run_cases){0};
}

/* ---- the comparison ---------------------------------------------------------------------- */

typedef struct {
    uint32_t rank, next;
} diff_entry;

/* The records of one drill-down file of both runs (cases.csv, or thahc-cases.csv). */
typedef struct {
    const char *file;          /* "cases.csv" / "thahc-cases.csv" */
    const char *const *cols;   /* its fixed columns */
    size_t ncols;
    int state_col;             /* the column shown beside an entering or leaving record, or -1 */
    strpool *ids; /* record id → dense id */
    diff_run_cases kold, knew;
    uint32_t *chg; /* ids whose line differs, sorted by id */
    size_t nchg;
    uint32_t *head; /* unit pool id → first entry of its changed records */
    size_t nhead;
    diff_entry *ent;
    size_t nent;
    uint32_t *stamp; /* rank → stamp of the last cell that collected it */
    bool *is_unit;   /* pool id → some record of either run has it as its unit */
    int *keyf_old, *keyf_new; /* fields of the other columns both runs' files have */
    size_t nkeys;
    drill *dold, *dnew; /* the runs' rules on their files, NULL when not at hand */
    bool loaded;        /* both runs' files were read */
} diff_recs;

enum { DIFF_CASES = 0, DIFF_THAHC = 1 };

typedef struct {
    strpool *pool; /* every text of both runs */
    strpool *keys; /* (form, row, column) pool ids as 12 bytes → dense key id */
    cells_lines cold, cnew;
    uint32_t *old_at, *new_at; /* key id → cell index */
    uint32_t *changed;         /* key ids of changed cells, in report order */
    size_t nchanged;
    diff_recs recs[2];         /* DIFF_CASES, DIFF_THAHC */
    const char **fields;       /* scratch: one line's fields as text */
} diff_state;

static uint32_t diff_key(strpool *keys, const cells_line *c)
{
    uint32_t k[3] = {c->form, c->row, c->column};
    return strpool_intern(keys, (const char *)k, sizeof k);
}

/* key id → cell index for one file; a repeated (form, row, column) is an input error. */
static int diff_index(diff_state *s, const cells_lines *c, uint32_t *at, const char *path,
                      thk_buf *err)
{
    for (size_t i = 0; i < c->n; i++) {
        uint32_t k = diff_key(s->keys, &c->cells[i]);
        if (at[k] != DIFF_NONE) {
            buf_printf(err, "%s: ô %s[%s].%s xuất hiện hai lần", path,
                       strpool_get(s->pool, c->cells[i].form),
                       strpool_get(s->pool, c->cells[i].row),
                       strpool_get(s->pool, c->cells[i].column));
            return THK_EXIT_INPUT;
        }
        at[k] = (uint32_t)i;
    }
    return 0;
}

static uint32_t *diff_none_array(size_t n)
{
    uint32_t *a = thk_xmalloc((n ? n : 1) * sizeof *a);
    for (size_t i = 0; i < n; i++)
        a[i] = DIFF_NONE;
    return a;
}

static int diff_run_folder(const char *dir, thk_buf *err)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        buf_printf(err, "%s: không có thư mục lần chạy: %s", dir,
                   strerror(errno));
        return THK_EXIT_INPUT;
    }
    if (!S_ISDIR(st.st_mode)) {
        buf_printf(err, "%s: không phải thư mục lần chạy", dir);
        return THK_EXIT_INPUT;
    }
    return 0;
}

static void diff_path(thk_buf *b, const char *dir, const char *name)
{
    buf_clear(b);
    buf_printf(b, "%s/%s", dir, name);
}

static int diff_load_cells(diff_state *s, const char *old_dir, const char *new_dir, thk_buf *err)
{
    thk_buf p = {0};
    int rc = 0;
    diff_path(&p, old_dir, "cells.csv");
    rc = csv_out_cells_read(p.data, s->pool, &s->cold, err);
    if (!rc) {
        diff_path(&p, new_dir, "cells.csv");
        rc = csv_out_cells_read(p.data, s->pool, &s->cnew, err);
    }
    if (!rc) {
        for (size_t i = 0; i < s->cnew.n; i++)
            diff_key(s->keys, &s->cnew.cells[i]);
        for (size_t i = 0; i < s->cold.n; i++)
            diff_key(s->keys, &s->cold.cells[i]);
        size_t nk = strpool_count(s->keys);
        s->old_at = diff_none_array(nk);
        s->new_at = diff_none_array(nk);
        diff_path(&p, old_dir, "cells.csv");
        rc = diff_index(s, &s->cold, s->old_at, p.data, err);
        if (!rc) {
            diff_path(&p, new_dir, "cells.csv");
            rc = diff_index(s, &s->cnew, s->new_at, p.data, err);
        }
    }
    buf_free(&p);
    if (rc)
        return rc;
    s->changed = thk_xmalloc((s->cnew.n + s->cold.n + 1) * sizeof *s->changed);
    for (size_t i = 0; i < s->cnew.n; i++) {
        uint32_t k = diff_key(s->keys, &s->cnew.cells[i]);
        uint32_t o = s->old_at[k];
        if (o == DIFF_NONE || s->cold.cells[o].value != s->cnew.cells[i].value)
            s->changed[s->nchanged++] = k;
    }
    for (size_t i = 0; i < s->cold.n; i++) {
        uint32_t k = diff_key(s->keys, &s->cold.cells[i]);
        if (s->new_at[k] == DIFF_NONE)
            s->changed[s->nchanged++] = k;
    }
    return 0;
}

typedef struct {
    const char *ma;
    uint32_t id;
} diff_sortkey;

static int diff_sortkey_cmp(const void *a, const void *b)
{
    return strcmp(((const diff_sortkey *)a)->ma, ((const diff_sortkey *)b)->ma);
}

static int diff_u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static const uint32_t *diff_rec(const diff_run_cases *rc, uint32_t id)
{
    if (id >= rc->nat || rc->at[id] == DIFF_NONE)
        return NULL;
    return &rc->f[(size_t)rc->at[id] * rc->ncols];
}

static const uint32_t *diff_rec_all(const diff_run_cases *rc, uint32_t id)
{
    if (id >= rc->nat || rc->at[id] == DIFF_NONE)
        return NULL;
    return &rc->all[(size_t)rc->at[id] * rc->nfields];
}

static bool diff_is_fixed_column(const diff_recs *R, const char *name)
{
    for (size_t k = 0; k < R->ncols; k++)
        if (strcmp(R->cols[k], name) == 0)
            return true;
    return false;
}

/* The columns beyond the fixed ones (the rules' row keys) that both runs' files have. */
static void diff_common_keys(diff_recs *R)
{
    R->keyf_old = thk_xcalloc(R->kold.nfields + 1, sizeof *R->keyf_old);
    R->keyf_new = thk_xcalloc(R->kold.nfields + 1, sizeof *R->keyf_new);
    for (size_t i = 0; i < R->kold.nfields; i++) {
        if (diff_is_fixed_column(R, R->kold.names[i]))
            continue;
        for (size_t j = 0; j < R->knew.nfields; j++)
            if (strcmp(R->kold.names[i], R->knew.names[j]) == 0) {
                R->keyf_old[R->nkeys] = (int)i;
                R->keyf_new[R->nkeys++] = (int)j;
                break;
            }
    }
}

static bool diff_keys_differ(const diff_recs *R, uint32_t id)
{
    const uint32_t *o = diff_rec_all(&R->kold, id), *n = diff_rec_all(&R->knew, id);
    for (size_t k = 0; o && n && k < R->nkeys; k++)
        if (o[R->keyf_old[k]] != n[R->keyf_new[k]])
            return true;
    return false;
}

static void diff_add_entry(diff_recs *R, uint32_t unit, uint32_t rank)
{
    if (unit >= R->nhead)
        return;
    R->ent[R->nent] = (diff_entry){rank, R->head[unit]};
    R->head[unit] = (uint32_t)R->nent++;
}

/* Reads R's file of both runs, finds the records whose lines differ, indexes them by unit. */
static int diff_load_recs(diff_state *s, diff_recs *R, const char *old_dir, const char *new_dir,
                          thk_buf *err)
{
    thk_buf p = {0};
    diff_path(&p, old_dir, R->file);
    int rc = diff_cases_read(p.data, s->pool, R->ids, &R->kold, R->cols, R->ncols, err);
    if (!rc) {
        diff_path(&p, new_dir, R->file);
        rc = diff_cases_read(p.data, s->pool, R->ids, &R->knew, R->cols, R->ncols, err);
    }
    buf_free(&p);
    if (rc)
        return rc;
    R->kold.ncols = R->knew.ncols = R->ncols;
    size_t nids = strpool_count(R->ids);
    diff_at_grow(&R->kold, nids);
    diff_at_grow(&R->knew, nids);
    diff_common_keys(R);
    diff_sortkey *sk = thk_xmalloc(nids * sizeof *sk);
    size_t n = 0;
    for (uint32_t id = 1; id < nids; id++) {
        const uint32_t *o = diff_rec(&R->kold, id), *nw = diff_rec(&R->knew, id);
        if (!o || !nw || memcmp(o, nw, R->ncols * sizeof *o) != 0 || diff_keys_differ(R, id))
            sk[n++] = (diff_sortkey){strpool_get(R->ids, id), id};
    }
    qsort(sk, n, sizeof *sk, diff_sortkey_cmp);
    R->chg = thk_xmalloc((n ? n : 1) * sizeof *R->chg);
    for (size_t i = 0; i < n; i++)
        R->chg[i] = sk[i].id;
    R->nchg = n;
    free(sk);
    /* changed records by unit (old and new unit), each list in rank order */
    R->nhead = strpool_count(s->pool);
    R->head = diff_none_array(R->nhead);
    R->ent = thk_xmalloc((2 * n + 1) * sizeof *R->ent);
    for (size_t r = n; r-- > 0;) {
        const uint32_t *o = diff_rec(&R->kold, R->chg[r]), *nw = diff_rec(&R->knew, R->chg[r]);
        if (o)
            diff_add_entry(R, o[DC_UNIT], (uint32_t)r);
        if (nw && (!o || nw[DC_UNIT] != o[DC_UNIT]))
            diff_add_entry(R, nw[DC_UNIT], (uint32_t)r);
    }
    R->stamp = diff_none_array(n);
    R->is_unit = thk_xcalloc(R->nhead ? R->nhead : 1, sizeof *R->is_unit);
    for (size_t i = 0; i < R->kold.n; i++)
        R->is_unit[R->kold.f[i * R->ncols + DC_UNIT]] = true;
    for (size_t i = 0; i < R->knew.n; i++)
        R->is_unit[R->knew.f[i * R->ncols + DC_UNIT]] = true;
    R->loaded = true;
    return 0;
}

static void diff_recs_free(diff_recs *R)
{
    strpool_free(R->ids);
    diff_run_cases_free(&R->kold);
    diff_run_cases_free(&R->knew);
    free(R->chg);
    free(R->head);
    free(R->ent);
    free(R->stamp);
    free(R->is_unit);
    free(R->keyf_old);
    free(R->keyf_new);
    drill_free(R->dold);
    drill_free(R->dnew);
}

static void diff_state_free(diff_state *s)
{
    strpool_free(s->pool);
    strpool_free(s->keys);
    csv_out_cells_free(&s->cold);
    csv_out_cells_free(&s->cnew);
    free(s->old_at);
    free(s->new_at);
    free(s->changed);
    for (int k = 0; k < 2; k++)
        diff_recs_free(&s->recs[k]);
    free(s->fields);
}

/* ---- which cases are in a cell ----------------------------------------------------------- */

/* The row a cell belongs to: `*` (every case) or the pool ids of its key's components. */
typedef struct {
    bool all;
    uint32_t comp[DIFF_MAX_COMPONENTS];
    size_t ncomp;
} diff_row;

static diff_row diff_row_of(const diff_state *s, const char *row)
{
    diff_row r = {.all = strcmp(row, "*") == 0};
    while (!r.all && *row && r.ncomp < DIFF_MAX_COMPONENTS) {
        size_t n = strcspn(row, "|");
        if (!(n == 1 && row[0] == '*')) {
            uint32_t id = strpool_find(s->pool, row, n);
            if (id != STRPOOL_NONE)
                r.comp[r.ncomp++] = id;
        }
        row += n;
        if (*row == '|')
            row++;
    }
    return r;
}

/* Ranks of the changed records that may be in row r (by old or new unit), ascending. */
static size_t diff_candidates(diff_recs *R, const diff_row *r, uint32_t stamp, uint32_t *out)
{
    size_t n = 0;
    if (r->all) {
        for (size_t i = 0; i < R->nchg; i++)
            out[n++] = (uint32_t)i;
        return n;
    }
    for (size_t c = 0; c < r->ncomp; c++) {
        if (r->comp[c] >= R->nhead)
            continue;
        for (uint32_t e = R->head[r->comp[c]]; e != DIFF_NONE; e = R->ent[e].next) {
            uint32_t rank = R->ent[e].rank;
            if (R->stamp[rank] != stamp) {
                R->stamp[rank] = stamp;
                out[n++] = rank;
            }
        }
    }
    qsort(out, n, sizeof *out, diff_u32_cmp);
    return n;
}

/* ---- printing ---------------------------------------------------------------------------- */

static const char *diff_show(const char *v)
{
    return *v ? v : "-";
}

/* "field old→new, ..." for the fields of case id that differ: the columns in [from, to), then
 * the row keys both runs publish. */
static void diff_describe(const diff_state *s, const diff_recs *R, uint32_t id, thk_buf *b)
{
    const uint32_t *o = diff_rec(&R->kold, id), *n = diff_rec(&R->knew, id);
    const uint32_t *oa = diff_rec_all(&R->kold, id), *na = diff_rec_all(&R->knew, id);
    bool first = true;
    for (size_t k = DC_UNIT; k < R->ncols; k++) {
        if (o[k] == n[k])
            continue;
        buf_printf(b, "%s%s %s→%s", first ? "" : ", ", R->cols[k],
                   diff_show(strpool_get(s->pool, o[k])), diff_show(strpool_get(s->pool, n[k])));
        first = false;
    }
    for (size_t k = 0; k < R->nkeys; k++) {
        uint32_t x = oa[R->keyf_old[k]], y = na[R->keyf_new[k]];
        if (x == y)
            continue;
        buf_printf(b, "%s%s %s→%s", first ? "" : ", ", R->kold.names[R->keyf_old[k]],
                   diff_show(strpool_get(s->pool, x)), diff_show(strpool_get(s->pool, y)));
        first = false;
    }
}

/* The change column: new − old for integers, the difference of two rates with two decimals,
 * "" otherwise (absent, empty or text). out: >= 40 bytes. */
static void diff_change(const char *o, const char *n, char *out)
{
    int64_t a, b, d;
    out[0] = '\0';
    if (!o || !n)
        return;
    if (diff_value_int(o, &a) && diff_value_int(n, &b)) {
        if (!__builtin_sub_overflow(b, a, &d))
            snprintf(out, 40, "%+" PRId64, d);
    } else if (diff_value_rate(o, &a) && diff_value_rate(n, &b)) {
        if (!__builtin_sub_overflow(b, a, &d)) {
            char tmp[32];
            form_cell fc = {d, false};
            form_rate_format(&fc, tmp);
            snprintf(out, 40, "%s%s", d > 0 ? "+" : "", tmp);
        }
    }
}

typedef struct {
    diff_state *s;
    diff_recs *R;   /* the records of the cell being listed */
    const diff_opts *o;
    FILE *out;
    uint32_t *cand; /* scratch: nchg ranks */
    uint32_t *lists[3];
    thk_buf line;
    const cells_line *cell; /* --csv: the cell being listed */
} diff_printer;

/* --csv: one line `form,row,column,ma_viec,movement` of the current cell (id NULL: a cell
 * whose cases cannot be named; movement is then empty too). */
static void diff_csv_line(diff_printer *pr, const char *id, char sign)
{
    diff_state *s = pr->s;
    thk_buf *b = &pr->line;
    buf_clear(b);
    csv_out_str(b, strpool_get(s->pool, pr->cell->form), false);
    csv_out_str(b, strpool_get(s->pool, pr->cell->row), false);
    csv_out_str(b, strpool_get(s->pool, pr->cell->column), false);
    csv_out_str(b, id ? id : "", false);
    char m[2] = {id ? sign : '\0', '\0'};
    csv_out_str(b, m, true);
    fwrite(b->data, 1, b->len, pr->out);
}

/* Prints up to the limit of one list of cases ('+', '-' or '~'). */
static void diff_print_list(diff_printer *pr, char sign, const uint32_t *ranks, size_t n)
{
    diff_state *s = pr->s;
    diff_recs *R = pr->R;
    size_t show = pr->o->limit && n > pr->o->limit ? pr->o->limit : n;
    if (pr->o->csv) {
        for (size_t i = 0; i < show; i++)
            diff_csv_line(pr, strpool_get(R->ids, R->chg[ranks[i]]), sign);
        return;
    }
    for (size_t i = 0; i < show; i++) {
        uint32_t id = R->chg[ranks[i]];
        const uint32_t *o = diff_rec(&R->kold, id), *nw = diff_rec(&R->knew, id);
        thk_buf *b = &pr->line;
        buf_clear(b);
        buf_printf(b, "  %c %s", sign, strpool_get(R->ids, id));
        if (sign == '~') {
            buf_putc(b, ' ');
            diff_describe(s, R, id, b);
        } else {
            const uint32_t *in = sign == '+' ? nw : o;
            if (R->state_col >= 0)
                buf_printf(b, " (%s %s)", R->cols[R->state_col],
                           diff_show(strpool_get(s->pool, in[R->state_col])));
            buf_printf(b, " [");
            if (o && nw)
                diff_describe(s, R, id, b);
            else if (nw)
                buf_printf(b, "chỉ ở lần chạy mới");
            else
                buf_printf(b, "chỉ ở lần chạy cũ");
            buf_putc(b, ']');
        }
        fprintf(pr->out, "%s\n", b->data);
    }
    if (show < n)
        fprintf(pr->out, "  … và %zu việc khác\n", n - show);
}

/* A cell whose cases cannot be named, and why. */
static void diff_no_cases(diff_printer *pr, const char *why)
{
    if (pr->o->csv)
        diff_csv_line(pr, NULL, 0);
    else
        fprintf(pr->out, "  (không lần được việc: %s)\n", why);
}

/* The fields of case id's line in run rc as text (s->fields), or NULL when it has none. */
static const char *const *diff_fields(diff_state *s, const diff_run_cases *rc, uint32_t id)
{
    const uint32_t *all = diff_rec_all(rc, id);
    if (!all)
        return NULL;
    for (size_t i = 0; i < rc->nfields; i++)
        s->fields[i] = strpool_get(s->pool, all[i]);
    return s->fields;
}

/* The case's share of the cell in one run: the run's rules on its cases.csv line. False when
 * the line cannot be read. A case the run does not have shares nothing. */
static bool diff_share(diff_state *s, drill *d, const drill_col *col, const diff_run_cases *rc,
                       uint32_t id, const char *row, drill_share *out)
{
    *out = (drill_share){.linear = true};
    const char *const *f = col ? diff_fields(s, rc, id) : NULL;
    return !f || drill_share_of(d, col, row, f, out);
}

/* The records behind one changed cell: each changed record (case, or THAHC row for a form of
 * thahc.csv) whose share of the cell, computed by each run's own rules (drill.h), differs. */
static void diff_print_cases(diff_printer *pr, uint32_t stamp, const cells_line *c, bool in_old,
                             bool in_new)
{
    diff_state *s = pr->s;
    const char *form = strpool_get(s->pool, c->form), *col = strpool_get(s->pool, c->column);
    const char *rowtext = strpool_get(s->pool, c->row);
    pr->cell = c;
    const diff_recs *C = &s->recs[DIFF_CASES];
    int src = C->dold ? drill_source(C->dold, form) : -1;
    if (src < 0 && C->dnew)
        src = drill_source(C->dnew, form);
    diff_recs *R = &s->recs[src == 1 ? DIFF_THAHC : DIFF_CASES];
    pr->R = R;
    const char *why = NULL;
    const drill_col *co = NULL, *cn = NULL;
    if (!R->loaded)
        why = src == 1 ? "một trong hai lần chạy không có thahc-cases.csv"
                       : "một trong hai lần chạy không có cases.csv";
    else if (!R->dold || !R->dnew)
        why = "không có quy tắc của lần chạy (xem cảnh báo ở trên)";
    if (!why && in_old)
        co = drill_column(R->dold, form, col, &why);
    if (!why && in_new)
        cn = drill_column(R->dnew, form, col, &why);
    if (why) {
        diff_no_cases(pr, why);
        return;
    }
    diff_row row = diff_row_of(s, rowtext);
    bool by_unit = row.all;
    for (size_t i = 0; i < row.ncomp; i++)
        by_unit = by_unit || (row.comp[i] < R->nhead && R->is_unit[row.comp[i]]);
    size_t ncand;
    if (by_unit) {
        ncand = diff_candidates(R, &row, stamp, pr->cand);
    } else { /* rows by another key (loại việc, cấp): every changed record */
        for (size_t i = 0; i < R->nchg; i++)
            pr->cand[i] = (uint32_t)i;
        ncand = R->nchg;
    }
    size_t n[3] = {0, 0, 0};
    for (size_t i = 0; i < ncand; i++) {
        uint32_t id = R->chg[pr->cand[i]];
        drill_share a, b;
        if (!diff_share(s, R->dold, co, &R->kold, id, rowtext, &a) ||
            !diff_share(s, R->dnew, cn, &R->knew, id, rowtext, &b)) {
            diff_no_cases(pr, "tệp tra cứu có giá trị không đọc được");
            return;
        }
        char m = drill_move(&a, &b);
        int which = m == '+' ? 0 : m == '-' ? 1 : m == '~' ? 2 : -1;
        if (which >= 0)
            pr->lists[which][n[which]++] = pr->cand[i];
    }
    if (n[0] + n[1] + n[2] == 0) {
        diff_no_cases(pr, "không bản ghi nào của tệp tra cứu đổi phần của mình trong ô này");
        return;
    }
    diff_print_list(pr, '+', pr->lists[0], n[0]);
    diff_print_list(pr, '-', pr->lists[1], n[1]);
    diff_print_list(pr, '~', pr->lists[2], n[2]);
}

/* The i-th changed cell (its newer side when both exist), its old and new values (NULL
 * where the cell is absent) and the change between them in ch. */
static const cells_line *diff_changed_cell(const diff_state *s, size_t i, const char **ov,
                                          const char **nv, char ch[40])
{
    uint32_t k = s->changed[i];
    uint32_t oi = s->old_at[k], ni = s->new_at[k];
    *ov = oi != DIFF_NONE ? strpool_get(s->pool, s->cold.cells[oi].value) : NULL;
    *nv = ni != DIFF_NONE ? strpool_get(s->pool, s->cnew.cells[ni].value) : NULL;
    diff_change(*ov, *nv, ch);
    return ni != DIFF_NONE ? &s->cnew.cells[ni] : &s->cold.cells[oi];
}

/* Room for the candidates of any cell: the larger count of changed records. */
static size_t diff_max_changed(const diff_state *s)
{
    size_t a = s->recs[DIFF_CASES].nchg, b = s->recs[DIFF_THAHC].nchg;
    return (a > b ? a : b) + 1;
}

/* --csv: every changed cell, with the cases that moved it. */
static void diff_print_csv(diff_state *s, const diff_opts *o, FILE *out)
{
    size_t show = o->limit && s->nchanged > o->limit ? o->limit : s->nchanged;
    fputs("form,row,column,ma_viec,movement\n", out);
    diff_printer pr = {.s = s, .o = o, .out = out};
    size_t cap = diff_max_changed(s);
    pr.cand = thk_xmalloc(cap * sizeof *pr.cand);
    for (int i = 0; i < 3; i++)
        pr.lists[i] = thk_xmalloc(cap * sizeof *pr.lists[i]);
    for (size_t i = 0; i < show; i++) {
        const char *ov, *nv;
        char ch[40];
        const cells_line *c = diff_changed_cell(s, i, &ov, &nv, ch);
        diff_print_cases(&pr, (uint32_t)i, c, ov != NULL, nv != NULL);
    }
    free(pr.cand);
    for (int i = 0; i < 3; i++)
        free(pr.lists[i]);
    buf_free(&pr.line);
}

static void diff_print(diff_state *s, const diff_opts *o, FILE *out)
{
    if (o->csv) {
        diff_print_csv(s, o, out);
        return;
    }
    size_t show = o->limit && s->nchanged > o->limit ? o->limit : s->nchanged;
    fprintf(out, "form\trow\tcolumn\told\tnew\tchange\n");
    for (size_t i = 0; i < show; i++) {
        const char *ov, *nv;
        char ch[40];
        const cells_line *c = diff_changed_cell(s, i, &ov, &nv, ch);
        fprintf(out, "%s\t%s\t%s\t%s\t%s\t%s\n", strpool_get(s->pool, c->form),
                strpool_get(s->pool, c->row), strpool_get(s->pool, c->column), ov ? ov : "-",
                nv ? nv : "-", ch);
    }
    if (show < s->nchanged)
        fprintf(out, "… và %zu ô khác\n", s->nchanged - show);

    diff_printer pr = {.s = s, .o = o, .out = out};
    size_t cap = diff_max_changed(s);
    pr.cand = thk_xmalloc(cap * sizeof *pr.cand);
    for (int i = 0; i < 3; i++)
        pr.lists[i] = thk_xmalloc(cap * sizeof *pr.lists[i]);
    fprintf(out, "\n# việc vào (+), ra (-), đổi tiền (~) ở từng ô\n");
    for (size_t i = 0; i < show; i++) {
        const char *ov, *nv;
        char ch[40];
        const cells_line *c = diff_changed_cell(s, i, &ov, &nv, ch);
        fprintf(out, "\n%s[%s].%s: %s%s%s → %s%s%s%s%s%s\n", strpool_get(s->pool, c->form),
                strpool_get(s->pool, c->row), strpool_get(s->pool, c->column),
                ov && !*ov ? "\"" : "", ov ? ov : "-", ov && !*ov ? "\"" : "",
                nv && !*nv ? "\"" : "", nv ? nv : "-", nv && !*nv ? "\"" : "", *ch ? " (" : "",
                ch, *ch ? ")" : "");
        diff_print_cases(&pr, (uint32_t)i, c, ov != NULL, nv != NULL);
    }
    fprintf(out, "\n# %zu ô thay đổi; %zu việc khác nhau",
            s->nchanged, s->recs[DIFF_CASES].nchg);
    if (s->recs[DIFF_THAHC].loaded)
        fprintf(out, "; %zu bản án hành chính khác nhau",
                s->recs[DIFF_THAHC].nchg);
    fputc('\n', out);
    free(pr.cand);
    for (int i = 0; i < 3; i++)
        free(pr.lists[i]);
    buf_free(&pr.line);
}

/* The rules of a run in one line: each file's version (its SHA-256 when it has none). */
static void diff_rules_text(const manifest_info *mi, thk_buf *out)
{
    for (size_t i = 0; i < mi->nrules; i++)
        buf_printf(out, "%s\"%s\"", i ? ", " : "",
                   mi->rules[i].version && *mi->rules[i].version ? mi->rules[i].version
                                                                  : mi->rules[i].sha256);
}

/* Two runs of different periods or different rules differ for reasons no case explains:
 * said loudly on stderr before the comparison (which still runs: comparing the 10-month
 * report with the 12-month one, or a rule change's effect, is a real question). */
static void diff_warn_context(const manifest_info *mo, const manifest_info *mn)
{
    if (mo->per.S != mn->per.S || mo->per.E != mn->per.E) {
        char a[11], b[11], c[11], d[11];
        date_format(mo->per.S, a);
        date_format(mo->per.E, b);
        date_format(mn->per.S, c);
        date_format(mn->per.E, d);
        fprintf(stderr,
                "thongke: CẢNH BÁO: hai lần chạy khác kỳ báo cáo (%s–%s và %s–%s): các ô khác "
                "nhau cả vì kỳ, không chỉ vì dữ liệu\n",
                a, b, c, d);
    }
    bool same = mo->nrules == mn->nrules;
    for (size_t i = 0; same && i < mo->nrules; i++)
        same = strcmp(mo->rules[i].sha256, mn->rules[i].sha256) == 0;
    if (!same) {
        thk_buf ro = {0}, rn = {0};
        diff_rules_text(mo, &ro);
        diff_rules_text(mn, &rn);
        fprintf(stderr,
                "thongke: CẢNH BÁO: hai lần chạy dùng quy tắc khác nhau (%s và %s): việc vào, "
                "ra ở mỗi ô được xét theo định nghĩa của từng lần chạy\n",
                ro.data ? ro.data : "", rn.data ? rn.data : "");
        buf_free(&ro);
        buf_free(&rn);
    }
}

/* The rules run `dir` was computed with (runfile_rules), or NULL after a warning on stderr:
 * its cells are still compared, its cases cannot be named. */
static rule_set *diff_rules(const char *dir, const manifest_info *mi, const diff_opts *o)
{
    bool same;
    thk_buf e = {0};
    rule_set *rs = runfile_rules(mi, o->rules, o->nrules, &same, &e);
    if (!rs)
        fprintf(stderr, "thongke: CẢNH BÁO: %s: %s; không lần được việc nào sau các ô\n",
                dir, e.data ? e.data : "");
    buf_free(&e);
    return rs;
}

/* diff's own exit for a bad command line: 1 already means "different" */
#define DIFF_EXIT_USAGE 2

int diff_runs(const char *old_dir, const char *new_dir, const diff_opts *o, FILE *out,
              thk_buf *err)
{
    int rc = diff_run_folder(old_dir, err);
    if (!rc)
        rc = diff_run_folder(new_dir, err);
    if (rc)
        return rc;
    /* both folders checked against their manifests before anything is compared */
    manifest_info mo, mn;
    rc = runfile_verify(old_dir, &mo, err);
    if (rc)
        return rc;
    rc = runfile_verify(new_dir, &mn, err);
    if (rc) {
        manifest_clear(&mo);
        return rc;
    }
    bool cases_old = runfile_lists(&mo, "cases.csv", NULL);
    bool cases_new = runfile_lists(&mn, "cases.csv", NULL);
    bool thahc_both = runfile_lists(&mo, "thahc-cases.csv", NULL) &&
                      runfile_lists(&mn, "thahc-cases.csv", NULL);
    if (!o->quiet)
        diff_warn_context(&mo, &mn);
    diff_state s = {0};
    s.pool = strpool_new();
    s.keys = strpool_new();
    s.recs[DIFF_CASES] = (diff_recs){.file = "cases.csv", .cols = csv_out_cases_columns,
                                     .ncols = CSV_CASE__N, .state_col = CSV_CASE_STATE,
                                     .ids = strpool_new()};
    s.recs[DIFF_THAHC] = (diff_recs){.file = "thahc-cases.csv", .cols = csv_out_thahc_columns,
                                     .ncols = CSV_THAHC__N, .state_col = -1,
                                     .ids = strpool_new()};
    rc = diff_load_cells(&s, old_dir, new_dir, err);
    bool with_cases = cases_old && cases_new;
    /* equal cells claim identity only once the case lists are equal too (row order aside: a
     * merge lists its runs' cases one run after the other) */
    if (!rc && with_cases && (!s.nchanged || !o->quiet))
        rc = diff_load_recs(&s, &s.recs[DIFF_CASES], old_dir, new_dir, err);
    if (!rc && with_cases && thahc_both && (!s.nchanged || !o->quiet))
        rc = diff_load_recs(&s, &s.recs[DIFF_THAHC], old_dir, new_dir, err);
    bool cases_same = with_cases && !rc && s.recs[DIFF_CASES].nchg == 0 &&
                      s.recs[DIFF_THAHC].nchg == 0;
    rule_set *rs_old = NULL, *rs_new = NULL;
    if (!rc && with_cases && s.nchanged && !o->quiet) {
        rs_old = diff_rules(old_dir, &mo, o);
        rs_new = diff_rules(new_dir, &mn, o);
        size_t nf = 1;
        for (int k = 0; k < 2; k++) {
            diff_recs *R = &s.recs[k];
            if (R->loaded && rs_old && rs_new) {
                R->dold = drill_new(rs_old, &mo.per, k == DIFF_THAHC,
                                    (const char *const *)R->kold.names, R->kold.nfields);
                R->dnew = drill_new(rs_new, &mn.per, k == DIFF_THAHC,
                                    (const char *const *)R->knew.names, R->knew.nfields);
            }
            nf = nf > R->kold.nfields ? nf : R->kold.nfields;
            nf = nf > R->knew.nfields ? nf : R->knew.nfields;
        }
        s.fields = thk_xcalloc(nf + 1, sizeof *s.fields);
    }
    if (!rc && s.nchanged && !o->quiet)
        diff_print(&s, o, out);
    for (int k = 0; k < 2; k++) { /* before their rule sets */
        drill_free(s.recs[k].dold);
        drill_free(s.recs[k].dnew);
        s.recs[k].dold = s.recs[k].dnew = NULL;
    }
    rule_set_free(rs_old);
    rule_set_free(rs_new);
    manifest_clear(&mo);
    manifest_clear(&mn);
    if (!rc)
        rc = s.nchanged ? 1 : 0;
    /* identity is claimed only when it was checked: equal cells and equal case lists */
    if (!rc && !with_cases) {
        if (!o->quiet)
            fprintf(out,
                    "Các ô giống nhau, nhưng không xác nhận được hai lần chạy giống hệt: %s "
                    "không có cases.csv nên không so được danh sách việc\n",
                    cases_old ? new_dir : old_dir);
        rc = 1;
    } else if (!rc && !cases_same) {
        if (!o->quiet)
            fprintf(out, "Các ô giống nhau nhưng danh sách việc (cases.csv) khác nhau\n");
        rc = 1;
    } else if (rc == 1 && !with_cases && !o->quiet) {
        fprintf(out, "(không có cases.csv ở %s: không liệt kê được các việc sau mỗi ô)\n",
                cases_old ? new_dir : old_dir);
    }
    diff_state_free(&s);
    return rc;
}

/* ---- command line ------------------------------------------------------------------------ */

static void diff_usage(FILE *f)
{
    fputs("Cách dùng: thongke diff OLD_RUN NEW_RUN [--quiet] [--limit N] [--csv]\n"
          "                    [--rules F]...\n"
          "\n"
          "So sánh hai lần chạy (thư mục kết quả của `thongke report` hoặc `merge`): liệt kê\n"
          "mọi ô của cells.csv đã thay đổi (`form,row,column,old,new,change`) rồi các việc\n"
          "vào (+), ra (-) hoặc đổi số (~) ở từng ô: phần của mỗi việc trong ô được tính bằng\n"
          "chính định nghĩa cột trong quy tắc của từng lần chạy, trên cases.csv của lần chạy.\n"
          "Không ghi tệp nào.\n"
          "\n"
          "  --quiet    không in gì, chỉ trả mã thoát\n"
          "  --csv      cho máy đọc: `form,row,column,ma_viec,movement` (+ vào, - ra, ~ đổi tiền;\n"
          "             ma_viec trống khi không lần được việc)\n"
          "  --limit N  tối đa N ô, và N việc mỗi loại mỗi ô\n"
          "  --rules F  quy tắc của cả hai lần chạy (mặc định: các tệp ghi trong manifest của\n"
          "             từng lần chạy, nếu SHA-256 vẫn đúng)\n"
          "\n"
          "Mã thoát: 0 giống nhau (cells.csv và cases.csv), 1 khác nhau hoặc không xác nhận\n"
          "được giống nhau (thiếu cases.csv), 2 sai cú pháp lệnh, 3 thiếu, không đọc được,\n"
          "hoặc không khớp manifest.json (SHA-256).\n",
          f);
}

int diff_main(int argc, char **argv)
{
    const char *dirs[2] = {NULL, NULL};
    size_t ndirs = 0;
    diff_opts o = {0};
    const char **rules = thk_xcalloc((size_t)(argc > 0 ? argc : 1), sizeof *rules);
    size_t nrules = 0;
    int rc = -1;
    for (int i = 1; i < argc && rc < 0; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            diff_usage(stdout);
            rc = 0;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            o.quiet = true;
        } else if (strcmp(a, "--csv") == 0) {
            o.csv = true;
        } else if (strcmp(a, "--rules") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "thongke: lỗi: --rules cần một tệp / --rules needs a file\n");
                rc = DIFF_EXIT_USAGE;
            } else {
                rules[nrules++] = argv[++i];
            }
        } else if (strcmp(a, "--limit") == 0 || strncmp(a, "--limit=", 8) == 0) {
            const char *v = a[7] == '=' ? a + 8 : (i + 1 < argc ? argv[++i] : NULL);
            int64_t n;
            if (!v || !diff_value_int(v, &n) || n < 0) {
                fprintf(stderr, "thongke: lỗi: --limit cần một số nguyên ≥ 0 / --limit needs a "
                                "whole number ≥ 0\n");
                rc = DIFF_EXIT_USAGE;
            } else {
                o.limit = (size_t)n;
            }
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "thongke: lỗi: tùy chọn không rõ: %s\n", a);
            rc = DIFF_EXIT_USAGE;
        } else if (ndirs < 2) {
            dirs[ndirs++] = a;
        } else {
            fprintf(stderr, "thongke: lỗi: thừa đối số: %s\n", a);
            rc = DIFF_EXIT_USAGE;
        }
    }
    if (rc < 0 && ndirs != 2) {
        fprintf(stderr, "thongke: lỗi: cần hai thư mục lần chạy\n");
        rc = DIFF_EXIT_USAGE;
    }
    if (rc == DIFF_EXIT_USAGE)
        diff_usage(stderr);
    if (rc < 0) {
        o.rules = rules;
        o.nrules = nrules;
        thk_buf err = {0};
        rc = diff_runs(dirs[0], dirs[1], &o, stdout, &err);
        if (rc == THK_EXIT_INPUT)
            log_error("%s", err.data ? err.data : "");
        fflush(stdout);
        buf_free(&err);
    }
    free(rules);
    return rc;
}
