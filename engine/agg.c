/* agg — computes forms and lists: one pass over the records of the main period (and one over
 * last year's window when a form uses prior()), then rows, subtotals, totals and cells.
 *
 * Per record: lets are evaluated once into slots; every distinct node a form or list needs
 * (where, row keys, aggregate conditions and values) is evaluated at most once, memoised by a
 * generation stamp; only when nothing hit a pattern limit are the results added to the row
 * accumulators (so a rejected record leaves no trace). Rows are found through a hash of the
 * record's key tuple; nothing is allocated per record except when a new row or list entry
 * appears. Subtotal and total rows sum the accumulators of their data rows and re-evaluate the
 * columns, so rates are recomputed from exact totals; linear columns are then checked to equal
 * the sum of their rows, and every `check` identity is verified on every row. */
#include "agg.h"
#include "csv_out.h"
#include "display.h"

#include "read_date.h"
#include "read_money.h"
#include "rule_eval.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#define AGG_MAX_LEVELS 8

static bool agg_same_id(const char *a, const char *b);
#define AGG_MAX_MESSAGES 20

/* ---- a stable merge sort with a context (qsort has none) ------------------------------------ */

typedef int (*agg_cmp_fn)(void *ctx, const void *a, const void *b);

static void agg_msort(char *a, char *tmp, size_t n, size_t sz, agg_cmp_fn cmp, void *ctx)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    agg_msort(a, tmp, h, sz, cmp, ctx);
    agg_msort(a + h * sz, tmp, n - h, sz, cmp, ctx);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n) {
        if (cmp(ctx, a + j * sz, a + i * sz) < 0)
            memcpy(tmp + k++ * sz, a + j++ * sz, sz);
        else
            memcpy(tmp + k++ * sz, a + i++ * sz, sz);
    }
    while (i < h)
        memcpy(tmp + k++ * sz, a + i++ * sz, sz);
    while (j < n)
        memcpy(tmp + k++ * sz, a + j++ * sz, sz);
    memcpy(a, tmp, n * sz);
}

static void agg_sort(void *base, size_t n, size_t sz, agg_cmp_fn cmp, void *ctx)
{
    if (n < 2)
        return;
    char *tmp = thk_xmalloc(n * sz);
    agg_msort(base, tmp, n, sz, cmp, ctx);
    free(tmp);
}

static int agg_bytes_cmp(const char *a, size_t al, const char *b, size_t bl)
{
    size_t n = al < bl ? al : bl;
    int r = n ? memcmp(a, b, n) : 0;
    if (r)
        return r < 0 ? -1 : 1;
    return al < bl ? -1 : al > bl;
}

/* ---- key tuples → data rows ----------------------------------------------------------------- */

typedef struct {
    size_t width;
    uint32_t *keys; /* n × width */
    size_t n, cap;
    int32_t *table; /* row + 1, 0 = empty */
    size_t mask;
} tuple_map;

static uint32_t tm_hash(const uint32_t *k, size_t w)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < w; i++) {
        h ^= k[i];
        h *= 16777619u;
        h ^= h >> 15;
    }
    return h;
}

static void tm_rehash(tuple_map *t, size_t slots)
{
    free(t->table);
    t->table = thk_xcalloc(slots, sizeof *t->table);
    t->mask = slots - 1;
    for (size_t r = 0; r < t->n; r++) {
        size_t i = tm_hash(t->keys + r * t->width, t->width) & t->mask;
        while (t->table[i])
            i = (i + 1) & t->mask;
        t->table[i] = (int32_t)r + 1;
    }
}

/* The row of tuple k, adding it when new (*added). */
static size_t tm_get(tuple_map *t, const uint32_t *k, bool *added)
{
    if (!t->table || (t->n + 1) * 2 > t->mask + 1)
        tm_rehash(t, t->table ? (t->mask + 1) * 2 : 64);
    size_t i = tm_hash(k, t->width) & t->mask;
    while (t->table[i]) {
        size_t r = (size_t)t->table[i] - 1;
        if (memcmp(t->keys + r * t->width, k, t->width * sizeof *k) == 0) {
            *added = false;
            return r;
        }
        i = (i + 1) & t->mask;
    }
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->keys = thk_xrealloc(t->keys, t->cap * t->width * sizeof *t->keys);
    }
    memcpy(t->keys + t->n * t->width, k, t->width * sizeof *k);
    t->table[i] = (int32_t)t->n + 1;
    *added = true;
    return t->n++;
}

static void tm_free(tuple_map *t)
{
    free(t->keys);
    free(t->table);
}

/* ---- run state ------------------------------------------------------------------------------ */

typedef struct {
    const agg_level *lv;
    strpool *pool;       /* LV_TEXT / LV_OTHER keys; id 0 = "" = null */
    uint32_t *id2local;  /* LV_TEXT: model string id → local key (0 = not yet) */
    size_t nid;
    uint32_t *label;     /* local key → label string id in run.labels (0 = none seen) */
    uint64_t *label_rank; /* local key → where its label was first seen: agg_rank */
    size_t label_cap;
} lv_run;

typedef struct {
    agg_form *f;
    lv_run lv[AGG_MAX_LEVELS];
    tuple_map rows;
    int64_t *acc;        /* rows.n × naccs */
    size_t acc_rows;     /* capacity in rows */
    bool active;         /* scratch of the current record: */
    uint32_t key[AGG_MAX_LEVELS];
    rule_val lab[AGG_MAX_LEVELS];
    int64_t *sval;
} form_run;

/* The entries a group of a `limit N [per K]` list keeps: a max-heap of slot numbers in lr->rows,
 * the worst entry (last in the list's order) on top. */
typedef struct {
    uint32_t *slot;
    size_t n, cap;
} list_group;

typedef struct {
    const char *s;
    uint32_t len;
} list_const;

#define LIST_CONST (UINT64_C(1) << 63)

typedef struct {
    agg_list *l;
    /* An entry holds ma_viec, the order keys, the per key and the show columns (logical
     * positions); a node named twice (ma_viec shown, an order key shown) is stored once: entry
     * value pos[j] holds logical position j, and nodes[k] is what value k holds. */
    size_t w;            /* values per entry */
    size_t *pos;
    int32_t *nodes;
    /* Entries are kept packed, 8 bytes a value instead of a rule_val's 24 (L1 keeps most of the
     * old cases: 800k entries at 10M): a row is w cells, then (w + 63) / 64 words of null bits.
     * A cell is the value's i; for a text, its string id in the model's pool, or LIST_CONST |
     * k for the rules' constant consts[k] (the only other texts a value holds). */
    size_t stride;       /* words per row */
    uint64_t *rows;
    size_t n, cap;
    list_const *consts;
    size_t nconsts;
    bool active;
    rule_val *scratch;
    rule_val *tmp_a, *tmp_b; /* unpacked rows, for comparing */
    uint64_t *more;      /* the second run's entries, handed over whole when the runs are added */
    size_t nmore;
    list_const *more_consts;
    const model *m;
    /* `limit`: only each group's best `limit` entries are kept while computing (the same ones
     * a full sort then a cut keeps: the order is total), so memory and sorting stay bounded by
     * groups × limit, not by the entries that qualify */
    strpool *group_ids; /* text of the `per` value → group + 1; NULL without a limit */
    list_group *groups;
    size_t ngroups;
    const rule_set *rs;
} list_run;

typedef struct {
    rule_set *rs;
    rule_state *st;      /* this run's working state (NULL: the rule set's own) */
    const model *m;
    reject_log *warnings;
    thk_buf *err;
    int status;
    size_t nmsg;
    form_run *forms;
    list_run *lists;
    uint32_t *memo_gen;
    rule_val *memo;
    uint32_t gen;
    rule_val *slots[RCTX__N];
    uint8_t *rej_case, *rej_thahc;
    strpool *labels;
    thk_buf tmp;
    uint64_t verified; /* identities and total rows checked (for the manifest) */
    size_t part, nparts; /* this run takes chunks part, part + nparts, ... of AGG_CHUNK cases */
    bool do_thahc;     /* this run computes the THAHC records (one run does) */
    rule_case_fn cb;   /* the drill-down callback (rs->on_case of the caller's rule set) */
    void *cb_ctx;
    rule_case_fmt_fn fmt; /* or the drill-down rows made here (rule_set_case_rows) */
    rule_bytes_fn emit;
    void *fmt_ctx;
    rule_screen_fn scb; /* the case screens' callback (rs->on_screen) */
    void *scb_ctx;
    struct agg_order *order; /* with two runs: where the callbacks meet, in case order */
    struct agg_held *cur;    /* the current chunk's calls, made when the chunk ends */
    int64_t calls_ns;    /* time spent in those callbacks (what writes cases.csv etc.) */
} agg_run;

#define AGG_CHUNK 4096

/* One chunk's calls, held until they can be made in case order: each case's facts and flags,
 * and the drill-down rows made by fmt. */
typedef struct agg_held {
    uint32_t *ci;
    replay_facts *f;
    size_t *flags; /* offsets in text */
    thk_buf text;
    thk_buf rows;
    size_t n;
    struct agg_held *next; /* in agg_order's spares */
} agg_held;

/* Chunks a run may finish ahead of the calls (AGG_AHEAD of them held at most). */
#define AGG_AHEAD 4

/* Two runs compute alternate chunks of cases at once; the caller's callback must still see
 * every case in order, one call at a time. A run that ends chunk k leaves its calls in slot k
 * and goes on to its next chunk; whichever run finds the next chunk's calls there while nobody
 * is making calls makes them, and any that follow, outside the lock. A run waits only when it
 * is AGG_AHEAD chunks ahead of the calls (memory stays bounded), so neither waits on the other
 * over a chunk that happened to take longer. */
typedef struct agg_order {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t turn;                /* the chunk whose calls come next */
    bool stop;                  /* a run failed: nobody waits, no more calls */
    bool calling;               /* a run is making calls */
    agg_held *slot[AGG_AHEAD];  /* chunk k's calls in slot k % AGG_AHEAD, NULL: not yet */
    agg_held *spares;           /* emptied holds, for the next chunks */
} agg_order;

static void agg_fail(agg_run *r, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records a failure: an overflow (THK_EXIT_INPUT) outranks a failed check (THK_EXIT_CHECK);
 * the first AGG_MAX_MESSAGES messages go to r->err. */
static void agg_fail(agg_run *r, int status, const char *fmt, ...)
{
    if (status == THK_EXIT_INPUT || !r->status)
        r->status = status;
    if (r->nmsg++ >= AGG_MAX_MESSAGES)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (r->err)
        buf_printf(r->err, "%s\n", msg);
}

/* Node n's value for the current record: a let's own slot, else the memo, filled on first
 * use. Valid until the next record. */
static const rule_val *memo_ref(agg_run *r, rule_eval_ctx *x, int32_t n)
{
    const rule_node *nd = &r->rs->nodes[n];
    if (nd->op == OP_LET) /* a let was evaluated into its slot for this record */
        return &x->slots[nd->a];
    if (r->memo_gen[n] != r->gen) {
        rule_eval(x, n, &r->memo[n]);
        r->memo_gen[n] = r->gen;
    }
    return &r->memo[n];
}

static void memo_eval(agg_run *r, rule_eval_ctx *x, int32_t n, rule_val *out)
{
    *out = *memo_ref(r, x, n);
}

static bool memo_true(agg_run *r, rule_eval_ctx *x, int32_t n)
{
    const rule_val *v = memo_ref(r, x, n);
    return !v->null && v->i != 0;
}

static void agg_next_record(agg_run *r)
{
    if (++r->gen == 0) {
        memset(r->memo_gen, 0, r->rs->nnodes * sizeof *r->memo_gen);
        r->gen = 1;
    }
}

/* ---- keys and labels ------------------------------------------------------------------------ */

static uint32_t lv_local(agg_run *r, form_run *fr, size_t l, rule_eval_ctx *x, int ctx)
{
    lv_run *L = &fr->lv[l];
    const agg_level *lv = L->lv;
    if (lv->kind == LV_UNIT)
        return (ctx == RCTX_CASE ? x->c->unit : x->t->unit) + 1;
    rule_val v;
    memo_eval(r, x, lv->key, &v);
    if (v.null)
        return 0;
    if (lv->kind == LV_ENUM)
        return (uint32_t)v.i + 1;
    if (lv->kind == LV_TEXT) {
        if (v.i > 0 && (size_t)v.i < L->nid) {
            uint32_t k = L->id2local[v.i];
            if (!k) {
                k = strpool_intern(L->pool, v.s, v.len);
                L->id2local[v.i] = k;
            }
            return k;
        }
        return strpool_intern(L->pool, v.s, v.len);
    }
    rule_val_text(r->rs, &v, lv->type, lv->dom, &r->tmp);
    return strpool_intern(L->pool, r->tmp.data ? r->tmp.data : "", r->tmp.len);
}

/* The key text of local key k of level l. */
static const char *lv_text(const agg_run *r, const form_run *fr, size_t l, uint32_t k,
                           size_t *len)
{
    const lv_run *L = &fr->lv[l];
    const char *s = "";
    if (k == 0) {
        s = "";
    } else if (L->lv->kind == LV_UNIT) {
        s = model_str(r->m, r->m->units[k - 1].code);
    } else if (L->lv->kind == LV_ENUM) {
        s = rule_dom_value(r->rs, L->lv->dom, k - 1);
        if (!s)
            s = "?";
    } else {
        s = strpool_get(L->pool, k);
        *len = strpool_len(L->pool, k);
        return s;
    }
    *len = strlen(s);
    return s;
}

static void lv_label_room(lv_run *L, uint32_t k)
{
    if (k < L->label_cap)
        return;
    size_t cap = L->label_cap ? L->label_cap : 16;
    while (cap <= k)
        cap *= 2;
    L->label = thk_xrealloc(L->label, cap * sizeof *L->label);
    L->label_rank = thk_xrealloc(L->label_rank, cap * sizeof *L->label_rank);
    memset(L->label + L->label_cap, 0, (cap - L->label_cap) * sizeof *L->label);
    memset(L->label_rank + L->label_cap, 0, (cap - L->label_cap) * sizeof *L->label_rank);
    L->label_cap = cap;
}

/* Where a record stands in the order one run over everything would see it: the main
 * period's pass before the prior() pass, then the record's index. */
static uint64_t agg_rank(bool prior, uint32_t row)
{
    return (uint64_t)prior << 32 | row;
}

/* The first label seen for key k is kept: a run sees its records in rank order. */
static void lv_set_label(agg_run *r, lv_run *L, uint32_t k, const rule_val *v, uint64_t rank)
{
    if (v->null)
        return;
    lv_label_room(L, k);
    if (L->label[k])
        return;
    rule_val_text(r->rs, v, r->rs->nodes[L->lv->label].type, r->rs->nodes[L->lv->label].dom,
                  &r->tmp);
    if (r->tmp.len) {
        L->label[k] = strpool_intern(r->labels, r->tmp.data, r->tmp.len);
        L->label_rank[k] = rank;
    }
}

/* ---- one record ----------------------------------------------------------------------------- */

/* Evaluates everything form fr needs for the current record into its scratch. */
static void form_eval(agg_run *r, form_run *fr, rule_eval_ctx *x, int ctx, bool prior)
{
    agg_form *f = fr->f;
    fr->active = false;
    if (f->where >= 0 && !memo_true(r, x, f->where))
        return;
    for (size_t l = 0; l < f->nlevels; l++) {
        fr->key[l] = lv_local(r, fr, l, x, ctx);
        if (f->levels[l].label >= 0 && !f->levels[l].label_is_unit)
            memo_eval(r, x, f->levels[l].label, &fr->lab[l]);
    }
    for (size_t i = 0; i < f->naccs; i++) {
        const agg_acc *a = &f->accs[i];
        fr->sval[i] = 0;
        if (a->prior != prior)
            continue;
        if (a->pred >= 0 && !memo_true(r, x, a->pred))
            continue;
        if (!a->is_sum) {
            fr->sval[i] = 1;
            continue;
        }
        rule_val v;
        memo_eval(r, x, a->val, &v);
        fr->sval[i] = v.null ? 0 : v.i;
    }
    fr->active = true;
}

static void form_key_text(agg_run *r, form_run *fr, const uint32_t *key, thk_buf *out)
{
    buf_clear(out);
    buf_append(out, "", 0);
    for (size_t l = 0; l < fr->f->nlevels; l++) {
        size_t n;
        const char *s = lv_text(r, fr, l, key[l], &n);
        if (l)
            buf_putc(out, '|');
        buf_append(out, s, n);
    }
    if (fr->f->nlevels == 0)
        buf_putc(out, '*');
}

/* The accumulators of the row whose key tuple is key (nlevels keys, or none), added (zeroed)
 * when new. */
static int64_t *form_acc_row(form_run *fr, const uint32_t *key)
{
    agg_form *f = fr->f;
    bool added;
    uint32_t k0 = 0;
    size_t row = tm_get(&fr->rows, f->nlevels ? key : &k0, &added);
    if (added) {
        if (fr->rows.n > fr->acc_rows) {
            size_t cap = fr->acc_rows ? fr->acc_rows * 2 : 64;
            fr->acc = thk_xrealloc(fr->acc, cap * (f->naccs ? f->naccs : 1) * sizeof *fr->acc);
            fr->acc_rows = cap;
        }
        memset(fr->acc + row * f->naccs, 0, f->naccs * sizeof *fr->acc);
    }
    return fr->acc + row * f->naccs;
}

/* acc += add over the form's accumulators; false (reported, naming form, row and column)
 * on an int64 overflow. */
static bool form_add(agg_run *r, form_run *fr, const uint32_t *key, int64_t *acc,
                     const int64_t *add)
{
    agg_form *f = fr->f;
    for (size_t i = 0; i < f->naccs; i++) {
        if (!add[i])
            continue;
        if (__builtin_add_overflow(acc[i], add[i], &acc[i])) {
            uint32_t k0 = 0;
            form_key_text(r, fr, f->nlevels ? key : &k0, &r->tmp);
            int col = f->accs[i].col;
            agg_fail(r, THK_EXIT_INPUT,
                     "biểu %s, dòng %s, cột %s: tổng vượt giới hạn số nguyên 64 bit",
                     f->id, r->tmp.data, col >= 0 ? f->cols[col].ast->code : "?");
            return false;
        }
    }
    return true;
}

/* Adds the scratch of fr into its row. */
static void form_commit(agg_run *r, form_run *fr, uint64_t rank)
{
    agg_form *f = fr->f;
    if (!fr->active)
        return;
    if (!form_add(r, fr, fr->key, form_acc_row(fr, fr->key), fr->sval))
        return;
    for (size_t l = 0; l < f->nlevels; l++)
        if (f->levels[l].label >= 0 && !f->levels[l].label_is_unit)
            lv_set_label(r, &fr->lv[l], fr->key[l], &fr->lab[l], rank);
}

static void list_eval(agg_run *r, list_run *lr, rule_eval_ctx *x)
{
    agg_list *l = lr->l;
    lr->active = false;
    if (l->where >= 0 && !memo_true(r, x, l->where))
        return;
    for (size_t k = 0; k < lr->w; k++)
        memo_eval(r, x, lr->nodes[k], &lr->scratch[k]);
    lr->active = true;
}

static int list_val_cmp(const rule_val *a, const rule_val *b, int type)
{
    if (a->null || b->null)
        return a->null == b->null ? 0 : a->null ? 1 : -1; /* nulls last */
    if (type == RT_TEXT)
        return agg_bytes_cmp(a->s, a->len, b->s, b->len);
    return a->i < b->i ? -1 : a->i > b->i;
}

/* The list's order on two entries (order keys, then ma_viec): a total order. */
static int list_row_cmp(const list_run *lr, const rule_val *a, const rule_val *b)
{
    for (size_t k = 0; k < lr->l->norder; k++) {
        int type = lr->rs->nodes[lr->l->order[k].node].type;
        const rule_val *x = &a[lr->pos[1 + k]], *y = &b[lr->pos[1 + k]];
        int r = list_val_cmp(x, y, type);
        if (r && !x->null && !y->null && lr->l->order[k].desc)
            r = -r;
        if (r)
            return r;
    }
    return list_val_cmp(&a[lr->pos[0]], &b[lr->pos[0]], RT_TEXT);
}

static uint64_t list_const_of(list_run *lr, const char *str, uint32_t len)
{
    for (size_t k = 0; k < lr->nconsts; k++)
        if (lr->consts[k].s == str && lr->consts[k].len == len)
            return LIST_CONST | k;
    if ((lr->nconsts & (lr->nconsts - 1)) == 0) /* grow at powers of two */
        lr->consts = thk_xrealloc(lr->consts, (lr->nconsts ? 2 * lr->nconsts : 1) *
                                                  sizeof *lr->consts);
    lr->consts[lr->nconsts] = (list_const){str, len};
    return LIST_CONST | lr->nconsts++;
}

/* Packs an entry's values into out (lr->stride words). */
static void list_pack(list_run *lr, const rule_val *row, uint64_t *out)
{
    uint64_t *nulls = out + lr->w;
    memset(nulls, 0, (lr->stride - lr->w) * sizeof *nulls);
    for (size_t k = 0; k < lr->w; k++) {
        const rule_val *v = &row[k];
        if (v->null) {
            nulls[k / 64] |= UINT64_C(1) << (k % 64);
            out[k] = 0;
        } else if (lr->rs->nodes[lr->nodes[k]].type == RT_TEXT)
            out[k] = v->i > 0 ? (uint64_t)v->i : list_const_of(lr, v->s, v->len);
        else
            out[k] = (uint64_t)v->i;
    }
}

/* Value k of a packed entry whose constants are consts, as evaluated. */
static void list_unpack_val(const list_run *lr, const list_const *consts, const uint64_t *row,
                            size_t k, rule_val *v)
{
    *v = (rule_val){0};
    if (row[lr->w + k / 64] >> (k % 64) & 1) {
        v->null = 1;
        return;
    }
    uint64_t c = row[k];
    if (lr->rs->nodes[lr->nodes[k]].type != RT_TEXT) {
        v->i = (int64_t)c;
    } else if (c & LIST_CONST) {
        v->i = -1;
        v->s = consts[c & ~LIST_CONST].s;
        v->len = consts[c & ~LIST_CONST].len;
    } else {
        v->i = (int64_t)c;
        v->s = strpool_get(lr->m->strings, (uint32_t)c);
        v->len = (uint32_t)strpool_len(lr->m->strings, (uint32_t)c);
    }
}

static void list_unpack(const list_run *lr, const list_const *consts, const uint64_t *row,
                        rule_val *out)
{
    for (size_t k = 0; k < lr->w; k++)
        list_unpack_val(lr, consts, row, k, &out[k]);
}

/* The values of a packed entry the list's order reads (order keys, ma_viec), into out. */
static void list_unpack_keys(const list_run *lr, const uint64_t *row, rule_val *out)
{
    for (size_t k = 0; k < lr->l->norder; k++)
        list_unpack_val(lr, lr->consts, row, lr->pos[1 + k], &out[lr->pos[1 + k]]);
    list_unpack_val(lr, lr->consts, row, lr->pos[0], &out[lr->pos[0]]);
}

static uint64_t *list_row(const list_run *lr, uint32_t slot)
{
    return lr->rows + (size_t)slot * lr->stride;
}

static uint32_t list_append(list_run *lr, const rule_val *row)
{
    if (lr->n == lr->cap) {
        lr->cap = lr->cap ? lr->cap * 2 : 64;
        lr->rows = thk_xrealloc(lr->rows, lr->cap * lr->stride * sizeof *lr->rows);
    }
    list_pack(lr, row, lr->rows + lr->n * lr->stride);
    return (uint32_t)lr->n++;
}

static bool list_worse(const list_run *lr, uint32_t a, uint32_t b)
{
    list_unpack_keys(lr, list_row(lr, a), lr->tmp_a);
    list_unpack_keys(lr, list_row(lr, b), lr->tmp_b);
    return list_row_cmp(lr, lr->tmp_a, lr->tmp_b) > 0;
}

static void list_sift_down(const list_run *lr, list_group *g)
{
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, top = i;
        if (l < g->n && list_worse(lr, g->slot[l], g->slot[top]))
            top = l;
        if (r < g->n && list_worse(lr, g->slot[r], g->slot[top]))
            top = r;
        if (top == i)
            return;
        uint32_t t = g->slot[i];
        g->slot[i] = g->slot[top];
        g->slot[top] = t;
        i = top;
    }
}

/* Offers an entry to a list: kept when the list has no limit, or when it is among its group's
 * best `limit` so far (then it may push out the group's worst, whose slot it takes). */
static void list_offer(list_run *lr, const rule_val *row, thk_buf *tmp)
{
    const agg_list *l = lr->l;
    if (!lr->group_ids) {
        list_append(lr, row);
        return;
    }
    uint32_t gid = 0;
    if (l->per >= 0) {
        const rule_node *nd = &lr->rs->nodes[l->per];
        rule_val_text(lr->rs, &row[lr->pos[1 + l->norder]], nd->type, nd->dom, tmp);
        gid = strpool_intern(lr->group_ids, tmp->data ? tmp->data : "", tmp->len);
    }
    if (gid >= lr->ngroups) {
        size_t ng = gid + 1 > 2 * lr->ngroups ? gid + 1 : 2 * lr->ngroups;
        lr->groups = thk_xrealloc(lr->groups, ng * sizeof *lr->groups);
        memset(lr->groups + lr->ngroups, 0, (ng - lr->ngroups) * sizeof *lr->groups);
        lr->ngroups = ng;
    }
    list_group *g = &lr->groups[gid];
    if ((int64_t)g->n < l->limit) { /* room: push and sift up */
        if (g->n == g->cap) {
            g->cap = g->cap ? g->cap * 2 : 16;
            g->slot = thk_xrealloc(g->slot, g->cap * sizeof *g->slot);
        }
        size_t i = g->n++;
        g->slot[i] = list_append(lr, row);
        while (i > 0 && list_worse(lr, g->slot[i], g->slot[(i - 1) / 2])) {
            uint32_t t = g->slot[i];
            g->slot[i] = g->slot[(i - 1) / 2];
            g->slot[(i - 1) / 2] = t;
            i = (i - 1) / 2;
        }
        return;
    }
    list_unpack_keys(lr, list_row(lr, g->slot[0]), lr->tmp_a);
    if (list_row_cmp(lr, row, lr->tmp_a) >= 0)
        return; /* not better than the group's worst kept entry */
    list_pack(lr, row, list_row(lr, g->slot[0]));
    list_sift_down(lr, g);
}

static void list_commit(agg_run *r, list_run *lr)
{
    if (lr->active)
        list_offer(lr, lr->scratch, &r->tmp);
}

/* Evaluates one record for every form (and list) of context ctx, then commits it unless a
 * pattern hit a limit. Returns x->err. */
static int agg_record(agg_run *r, rule_eval_ctx *x, int ctx, bool prior)
{
    rule_set *rs = r->rs;
    agg_next_record(r);
    x->err = 0;
    if (prior && !rs->coverage)
        rule_eval_lets_marked(x, ctx, rs->prior_lets); /* what last year's figures read */
    else
        rule_eval_lets(x, ctx, rs->coverage);
    for (size_t i = 0; i < rs->nforms; i++) {
        form_run *fr = &r->forms[i];
        fr->active = false;
        if (fr->f->ctx != ctx || (prior && !fr->f->uses_prior) || !fr->sval)
            continue;
        form_eval(r, fr, x, ctx, prior);
    }
    if (ctx == RCTX_CASE && !prior)
        for (size_t i = 0; i < rs->nlists; i++)
            list_eval(r, &r->lists[i], x);
    if (x->err)
        return x->err;
    for (size_t i = 0; i < rs->nforms; i++)
        if (r->forms[i].active)
            form_commit(r, &r->forms[i], agg_rank(prior, x->row));
    if (ctx == RCTX_CASE && !prior)
        for (size_t i = 0; i < rs->nlists; i++)
            list_commit(r, &r->lists[i]);
    return 0;
}

/* Reports a record left out because a pattern hit a PCRE2 limit (once per record). */
static void agg_limit_reject(agg_run *r, rule_eval_ctx *x, const char *file, uint32_t line,
                             uint8_t *bits, uint32_t row)
{
    if (bits[row / 8] & (1u << (row % 8)))
        return;
    bits[row / 8] |= (uint8_t)(1u << (row % 8));
    if (!r->warnings)
        return;
    char detail[256];
    if (x->limit_pat >= 0)
        snprintf(detail, sizeof detail, "mẫu /%.120s/ (%s)", r->rs->pats[x->limit_pat].text,
                 r->rs->pats[x->limit_pat].where);
    else
        snprintf(detail, sizeof detail, "map %s", r->rs->maps[-1 - x->limit_pat].ast->name);
    size_t n = x->limit_len > 200 ? 200 : x->limit_len;
    while (n > 0 && n < x->limit_len && ((unsigned char)x->limit_text[n] & 0xC0) == 0x80)
        n--;
    rejects_add(r->warnings, file, line, "", x->limit_text ? x->limit_text : "", n,
                REJ_PATTERN_LIMIT, detail);
}

static void agg_overflow(agg_run *r, rule_eval_ctx *x, const char *what, uint32_t line)
{
    (void)x;
    agg_fail(r, THK_EXIT_INPUT,
             "%s dòng %u: phép tính trên tiền hoặc số nguyên vượt giới hạn 64 bit",
             what, line);
}

/* ---- replay warnings ------------------------------------------------------------------------ */

static void agg_warn(void *ctx, thk_reject code, const model_case *c, const model_event *ev,
                     thk_money ev_amount, thk_money amount)
{
    reject_log *log = ctx;
    (void)c;
    char value[32], detail[96];
    const char *column = "su_kien";
    value[0] = detail[0] = '\0';
    switch (code) {
    case WARN_OVERPAYMENT:
        column = "so_tien";
        money_format(ev_amount, value);
        snprintf(detail, sizeof detail, "vượt %" PRId64 " đồng", amount);
        break;
    case WARN_XONG_REMAINING:
        snprintf(value, sizeof value, "%s", model_event_name(ev->kind));
        snprintf(detail, sizeof detail, "còn %" PRId64 " đồng", amount);
        break;
    case WARN_EVENT_BEFORE_THU_LY:
        column = "ngay";
        date_format(ev->date, value);
        break;
    default:
        snprintf(value, sizeof value, "%s", model_event_name(ev->kind));
        break;
    }
    rejects_add(log, "events.csv", ev->line, column, value, strlen(value), code, detail);
}

/* ---- passes --------------------------------------------------------------------------------- */

static void agg_eval_ctx(agg_run *r, rule_eval_ctx *x, const period *p, int ctx)
{
    memset(x, 0, sizeof *x);
    x->rs = r->rs;
    x->st = r->st;
    x->m = r->m;
    x->S = p->S;
    x->E = p->E;
    x->year = p->year;
    x->slots = r->slots[ctx];
}

/* One value of a case screen's line: as lists.csv writes it (dates ISO, enums by their label,
 * rates with two decimals), CSV-quoted, followed by a comma. */
static void agg_screen_value(agg_run *r, const rule_val *v, const rule_node *nd, thk_buf *out)
{
    const rule_set *rs = r->rs;
    char tmp[32];
    if (v->null) {
        buf_putc(out, ',');
        return;
    }
    switch (nd->type) {
    case RT_DATE:
        date_format_iso((thk_date)v->i, tmp);
        csv_out_str(out, tmp, false);
        return;
    case RT_INT:
    case RT_MONEY:
        csv_out_int(out, v->i, false);
        return;
    case RT_RATE: {
        form_cell c = {v->i, false};
        form_rate_format(&c, tmp);
        csv_out_str(out, tmp, false);
        return;
    }
    case RT_ENUM: {
        const char *lab = rule_dom_label(rs, nd->dom, (size_t)v->i);
        if (lab) {
            csv_out_str(out, lab, false);
            return;
        }
        break;
    }
    default:
        break;
    }
    rule_val_text(rs, v, nd->type, nd->dom, &r->tmp);
    csv_out_field(out, r->tmp.data ? r->tmp.data : "", r->tmp.len, false);
}

/* Appends, for each case screen that selects the current case: its index among the rules'
 * screens and its line of checks-cases.csv after `screen` (rule_set_screen_columns), each
 * NUL-terminated; then an empty string. */
static void agg_screen_hits(agg_run *r, rule_eval_ctx *x, thk_buf *out)
{
    const rule_set *rs = r->rs;
    for (size_t si = 0; si < rs->nscreens; si++) {
        const rule_screen *sc = &rs->screens[si];
        if (sc->list < 0)
            continue;
        const agg_list *l = &rs->lists[sc->list];
        if (l->where >= 0 && !memo_true(r, x, l->where))
            continue;
        buf_put_int(out, (int64_t)si); /* the screen's index */
        buf_putc(out, '\0');
        size_t from = out->len;
        for (size_t j = 0; j < rs->nscreen_cols; j++) {
            size_t k = 0;
            while (k < l->nshow && sc->colmap[k] != (int)j)
                k++;
            if (k == l->nshow) {
                buf_putc(out, ',');
                continue;
            }
            rule_val v;
            memo_eval(r, x, l->show[k].node, &v);
            agg_screen_value(r, &v, &rs->nodes[l->show[k].node], out);
        }
        if (out->len > from)
            out->len--; /* the last comma */
        buf_putc(out, '\0');
    }
    buf_putc(out, '\0');
}

/* What a callback gets for the current record of context ctx, in out: the ';'-joined names of
 * its true flag lets, NUL, then the text of each row key of the context (rule_set_case_keys,
 * rule_set_thahc_keys), each NUL-terminated. */
static void agg_flags(agg_run *r, rule_eval_ctx *x, int ctx, thk_buf *out)
{
    rule_set *rs = r->rs;
    buf_clear(out);
    buf_append(out, "", 0);
    bool any = false;
    for (size_t i = 0; i < rs->nlets; i++) {
        const rule_letdef *l = &rs->lets[i];
        if (ctx == RCTX_CASE ? !l->flag : !l->tflag)
            continue;
        bool t;
        if (l->slot[ctx] >= 0) {
            const rule_val *v = &r->slots[ctx][l->slot[ctx]];
            t = !v->null && v->i;
        } else {
            t = rs->nodes[l->node[ctx]].k != 0;
        }
        if (!t)
            continue;
        if (any)
            buf_putc(out, ';');
        any = true;
        buf_append(out, l->ast->name, strlen(l->ast->name));
    }
    buf_putc(out, '\0');
    for (size_t k = 0; k < rs->nkeys[ctx]; k++) {
        const rule_case_key *ck = &rs->keys[ctx][k];
        rule_val v;
        memo_eval(r, x, ck->node, &v);
        rule_val_text(rs, &v, ck->type, ck->dom, &r->tmp);
        if (r->tmp.len)
            buf_append(out, r->tmp.data, r->tmp.len);
        buf_putc(out, '\0');
    }
    if (ctx == RCTX_CASE && r->scb)
        agg_screen_hits(r, x, out);
}

/* The flags and keys of agg_flags's block b. */
static const char *agg_keys_of(const char *b)
{
    return b + strlen(b) + 1;
}

/* Calls the screen callback for each hit of block b (agg_screen_hits, after the keys). */
static void agg_hand_screens(agg_run *r, uint32_t ci, const char *b)
{
    if (!r->scb)
        return;
    const char *p = agg_keys_of(b);
    for (size_t k = 0; k < r->rs->nkeys[RCTX_CASE]; k++)
        p += strlen(p) + 1;
    while (*p) {
        size_t si = (size_t)strtoul(p, NULL, 10);
        p += strlen(p) + 1;
        r->scb(r->scb_ctx, r->m, ci, si, p);
        p += strlen(p) + 1;
    }
}

static int64_t agg_now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static agg_held *agg_held_new(void)
{
    agg_held *h = thk_xcalloc(1, sizeof *h);
    h->ci = thk_xmalloc(AGG_CHUNK * sizeof *h->ci);
    h->f = thk_xmalloc(AGG_CHUNK * sizeof *h->f);
    h->flags = thk_xmalloc(AGG_CHUNK * sizeof *h->flags);
    return h;
}

static void agg_held_free(agg_held *h)
{
    if (!h)
        return;
    free(h->ci);
    free(h->f);
    free(h->flags);
    buf_free(&h->text);
    buf_free(&h->rows);
    free(h);
}

/* Hands one case to the callbacks: held with its chunk, whose calls are made when it ends. */
static void agg_hand(agg_run *r, uint32_t ci, const replay_facts *f, const thk_buf *flags)
{
    if (!r->cur)
        r->cur = agg_held_new();
    agg_held *h = r->cur;
    if (r->fmt) /* the row is made now, on this run's thread; it leaves with its chunk */
        r->fmt(r->fmt_ctx, r->m, ci, f, flags->data, agg_keys_of(flags->data), &h->rows);
    h->ci[h->n] = ci;
    h->f[h->n] = *f;
    h->flags[h->n] = h->text.len;
    buf_append(&h->text, flags->data, flags->len);
    h->n++;
}

/* Makes one chunk's held calls (the callbacks are the same for both runs), then empties it. */
static void agg_calls(agg_run *r, agg_held *h)
{
    int64_t t0 = agg_now_ns();
    if (r->fmt && h->rows.len)
        r->emit(r->fmt_ctx, h->rows.data, h->rows.len);
    for (size_t i = 0; i < h->n; i++) {
        const char *b = h->text.data + h->flags[i];
        if (r->cb && !r->fmt)
            r->cb(r->cb_ctx, r->m, h->ci[i], &h->f[i], b, agg_keys_of(b));
        agg_hand_screens(r, h->ci[i], b);
    }
    r->calls_ns += agg_now_ns() - t0;
    h->n = 0;
    buf_clear(&h->text);
    buf_clear(&h->rows);
}

/* The end of chunk k: its calls are made at once with one run; with two, left for their turn
 * (agg_order), and the calls whose turn has come are made by this run unless the other is
 * making them. */
static void agg_chunk_done(agg_run *r, size_t k)
{
    agg_order *o = r->order;
    if (!o) {
        if (r->cur)
            agg_calls(r, r->cur);
        return;
    }
    agg_held *h = r->cur ? r->cur : agg_held_new();
    pthread_mutex_lock(&o->mu);
    while (k >= o->turn + AGG_AHEAD && !o->stop)
        pthread_cond_wait(&o->cv, &o->mu);
    if (o->stop) {
        pthread_mutex_unlock(&o->mu);
        h->n = 0;
        buf_clear(&h->text);
        buf_clear(&h->rows);
        r->cur = h;
        return;
    }
    o->slot[k % AGG_AHEAD] = h;
    r->cur = o->spares;
    if (r->cur)
        o->spares = r->cur->next;
    while (!o->calling && !o->stop && o->slot[o->turn % AGG_AHEAD]) {
        agg_held *next = o->slot[o->turn % AGG_AHEAD];
        o->slot[o->turn % AGG_AHEAD] = NULL;
        o->calling = true;
        pthread_mutex_unlock(&o->mu);
        agg_calls(r, next);
        pthread_mutex_lock(&o->mu);
        o->calling = false;
        next->next = o->spares;
        o->spares = next;
        o->turn++;
        pthread_cond_broadcast(&o->cv);
    }
    pthread_mutex_unlock(&o->mu);
}

/* A run that stops early releases the other from waiting for its chunks. */
static void agg_order_stop(agg_run *r)
{
    agg_order *o = r->order;
    pthread_mutex_lock(&o->mu);
    o->stop = true;
    pthread_cond_broadcast(&o->cv);
    pthread_mutex_unlock(&o->mu);
}

/* Frees what the order still holds (after both runs are done). */
static void agg_order_free(agg_order *o)
{
    for (size_t i = 0; i < AGG_AHEAD; i++)
        agg_held_free(o->slot[i]);
    while (o->spares) {
        agg_held *h = o->spares;
        o->spares = h->next;
        agg_held_free(h);
    }
    pthread_mutex_destroy(&o->mu);
    pthread_cond_destroy(&o->cv);
}

static void agg_pass_cases(agg_run *r, const period *p, bool prior)
{
    const model *m = r->m;
    rule_eval_ctx x;
    agg_eval_ctx(r, &x, p, RCTX_CASE);
    replay_facts f;
    thk_buf flags = {0};
    bool calls = !prior && (r->cb || r->fmt || r->scb);
    for (size_t k = r->part; k * AGG_CHUNK < m->ncases; k += r->nparts) {
        size_t end = (k + 1) * AGG_CHUNK < m->ncases ? (k + 1) * AGG_CHUNK : m->ncases;
        for (size_t ci = k * AGG_CHUNK; ci < end && r->status != THK_EXIT_INPUT; ci++) {
            const model_case *c = &m->cases[ci];
            if (r->rej_case[ci / 8] & (1u << (ci % 8)))
                continue;
            replay_case(m, c, p->S, p->E, &f, prior || !r->warnings ? NULL : agg_warn,
                        r->warnings);
            if (!f.in_scope)
                continue;
            x.c = c;
            x.row = (uint32_t)ci;
            x.f = &f;
            int e = agg_record(r, &x, RCTX_CASE, prior);
            if (e & RULE_EVAL_LIMIT) {
                agg_limit_reject(r, &x, "cases.csv", c->line, r->rej_case, (uint32_t)ci);
                continue;
            }
            if (e & RULE_EVAL_OVERFLOW) {
                agg_overflow(r, &x, "cases.csv", c->line);
                break;
            }
            if (calls) {
                agg_flags(r, &x, RCTX_CASE, &flags);
                agg_hand(r, (uint32_t)ci, &f, &flags);
            }
        }
        if (r->status == THK_EXIT_INPUT)
            break;
        if (calls)
            agg_chunk_done(r, k);
    }
    if (r->status == THK_EXIT_INPUT && r->order)
        agg_order_stop(r);
    buf_free(&flags);
}

/* The count columns of the THAHC forms the current record counts in ("B03.tong;B03.xong"):
 * each form's columns computed from this record's accumulators alone. */
static void agg_thahc_cells(agg_run *r, thk_buf *out)
{
    rule_set *rs = r->rs;
    buf_clear(out);
    buf_append(out, "", 0);
    for (size_t i = 0; i < rs->nforms; i++) {
        form_run *fr = &r->forms[i];
        const agg_form *f = fr->f;
        if (f->ctx != RCTX_THAHC || !fr->active || !fr->sval)
            continue;
        form_cell *cells = thk_xcalloc(f->ncols + 1, sizeof *cells);
        if (agg_form_row(f, fr->sval, cells) < 0)
            for (size_t c = 0; c < f->ncols; c++) {
                if (!f->cols[c].linear || f->cols[c].kind == FORM_KIND_RATE || !cells[c].v)
                    continue;
                buf_printf(out, "%s%s.%s", out->len ? ";" : "", f->id, f->cols[c].ast->code);
            }
        free(cells);
    }
}

static bool agg_thahc_in_scope(const model_thahc *t, thk_date S, thk_date E)
{
    if (t->ngay_thu_ly == THK_DATE_NONE || t->ngay_thu_ly > E)
        return false;
    if (t->ngay_xong != THK_DATE_NONE && t->ngay_xong < S)
        return false;
    if (t->ngay_huy_hoan_tdc != THK_DATE_NONE && t->ngay_huy_hoan_tdc < S)
        return false;
    return true;
}

static void agg_pass_thahc(agg_run *r, const period *p, bool prior)
{
    const model *m = r->m;
    rule_eval_ctx x;
    agg_eval_ctx(r, &x, p, RCTX_THAHC);
    thk_buf flags = {0}, cells = {0};
    for (size_t ti = 0; ti < m->nthahc && r->status != THK_EXIT_INPUT; ti++) {
        const model_thahc *t = &m->thahc[ti];
        if (r->rej_thahc[ti / 8] & (1u << (ti % 8)))
            continue;
        if (!agg_thahc_in_scope(t, p->S, p->E))
            continue;
        x.t = t;
        x.row = (uint32_t)ti;
        int e = agg_record(r, &x, RCTX_THAHC, prior);
        if (e & RULE_EVAL_LIMIT) {
            agg_limit_reject(r, &x, "thahc.csv", t->line, r->rej_thahc, (uint32_t)ti);
            continue;
        }
        if (e & RULE_EVAL_OVERFLOW) {
            agg_overflow(r, &x, "thahc.csv", t->line);
            break;
        }
        if (!prior && r->rs->on_thahc) {
            agg_flags(r, &x, RCTX_THAHC, &flags);
            agg_thahc_cells(r, &cells);
            r->rs->on_thahc(r->rs->on_thahc_ctx, m, (uint32_t)ti, flags.data,
                            agg_keys_of(flags.data), cells.data ? cells.data : "");
        }
    }
    buf_free(&flags);
    buf_free(&cells);
}

/* ---- building a form's rows ----------------------------------------------------------------- */

typedef struct {
    uint8_t kind;      /* form_row_kind */
    int64_t row;       /* data row in fr->rows, -1 for a row without records */
    uint32_t key[AGG_MAX_LEVELS];
    size_t leaf_lo, leaf_hi; /* subtotal / total: its data rows in the output */
} out_row;

typedef struct {
    agg_run *r;
    form_run *fr;
    uint32_t *rank[AGG_MAX_LEVELS]; /* local key → rank */
    uint32_t **complete;            /* per level: the always-present keys, by rank */
    size_t ncomplete[AGG_MAX_LEVELS];
    size_t *sorted;                 /* data rows by rank tuple */
    out_row *out;
    size_t nout, cap;
} form_build;

typedef struct {
    uint32_t key;
    int fixpos;        /* position in the fixed list, or INT32_MAX */
    const char *s;
    size_t len;
} key_rank;

static int key_rank_cmp(void *ctx, const void *a, const void *b)
{
    (void)ctx;
    const key_rank *x = a, *y = b;
    if (x->fixpos != y->fixpos)
        return x->fixpos < y->fixpos ? -1 : 1;
    return agg_bytes_cmp(x->s, x->len, y->s, y->len);
}

/* Local keys of the fixed rows of level l (missing units are skipped). */
static size_t lv_fixed_keys(agg_run *r, form_run *fr, size_t l, uint32_t *out)
{
    lv_run *L = &fr->lv[l];
    const rule_rowfield_ast *ra = L->lv->ast;
    size_t n = 0;
    for (size_t j = 0; j < ra->nfixed; j++) {
        const char *k = ra->fixed[j].key;
        if (L->lv->kind == LV_ENUM) {
            if (L->lv->fixed_enum[j] >= 0)
                out[n++] = (uint32_t)L->lv->fixed_enum[j] + 1;
        } else if (L->lv->kind == LV_UNIT) {
            uint32_t id = strpool_find(r->m->unit_ids, k, strlen(k));
            if (id != STRPOOL_NONE && id != 0)
                out[n++] = id;
        } else {
            out[n++] = strpool_intern(L->pool, k, strlen(k));
        }
    }
    return n;
}

static size_t lv_key_bound(const agg_run *r, const form_run *fr, size_t l)
{
    const lv_run *L = &fr->lv[l];
    if (L->lv->kind == LV_UNIT)
        return r->m->nunits + 1;
    if (L->lv->kind == LV_ENUM)
        return rule_dom_count(r->rs, L->lv->dom) + 1;
    return strpool_count(L->pool) + 1;
}

/* Ranks the keys of level l: fixed rows first in their order, then by key bytes. */
static void fb_rank_level(form_build *b, size_t l)
{
    agg_run *r = b->r;
    form_run *fr = b->fr;
    const agg_level *lv = fr->lv[l].lv;
    const rule_rowfield_ast *ra = lv->ast;
    uint32_t *fixed = thk_xcalloc(ra->nfixed + 1, sizeof *fixed);
    size_t nfixed = lv_fixed_keys(r, fr, l, fixed);
    size_t bound = lv_key_bound(r, fr, l);
    uint8_t *present = thk_xcalloc(bound, 1);
    for (size_t i = 0; i < fr->rows.n; i++)
        present[fr->rows.keys[i * fr->rows.width + l]] = 1;
    uint8_t *complete = thk_xcalloc(bound, 1);
    for (size_t i = 0; i < nfixed; i++)
        present[fixed[i]] = complete[fixed[i]] = 1;
    if (lv->kind == LV_UNIT) {
        uint8_t bit = fr->f->ctx == RCTX_CASE ? MODEL_SEEN_CASES : MODEL_SEEN_THAHC;
        for (size_t u = 0; u < r->m->nunits; u++)
            if (r->m->units[u].seen & bit)
                present[u + 1] = complete[u + 1] = 1;
    }
    size_t n = 0;
    for (size_t k = 0; k < bound; k++)
        n += present[k];
    key_rank *kr = thk_xcalloc(n + 1, sizeof *kr);
    n = 0;
    for (size_t k = 0; k < bound; k++) {
        if (!present[k])
            continue;
        kr[n].key = (uint32_t)k;
        kr[n].fixpos = INT32_MAX;
        for (size_t j = 0; j < nfixed; j++)
            if (fixed[j] == k) {
                kr[n].fixpos = (int)j;
                break;
            }
        kr[n].s = lv_text(r, fr, l, (uint32_t)k, &kr[n].len);
        n++;
    }
    agg_sort(kr, n, sizeof *kr, key_rank_cmp, NULL);
    b->rank[l] = thk_xcalloc(bound, sizeof *b->rank[l]);
    b->complete[l] = thk_xcalloc(n + 1, sizeof *b->complete[l]);
    b->ncomplete[l] = 0;
    for (size_t i = 0; i < n; i++) {
        b->rank[l][kr[i].key] = (uint32_t)i;
        if (complete[kr[i].key])
            b->complete[l][b->ncomplete[l]++] = kr[i].key;
    }
    free(kr);
    free(present);
    free(complete);
    free(fixed);
}

static int fb_row_cmp(void *ctx, const void *a, const void *b)
{
    form_build *fb = ctx;
    const tuple_map *t = &fb->fr->rows;
    const uint32_t *x = t->keys + *(const size_t *)a * t->width;
    const uint32_t *y = t->keys + *(const size_t *)b * t->width;
    for (size_t l = 0; l < fb->fr->f->nlevels; l++) {
        uint32_t rx = fb->rank[l][x[l]], ry = fb->rank[l][y[l]];
        if (rx != ry)
            return rx < ry ? -1 : 1;
    }
    return 0;
}

static out_row *fb_emit(form_build *b, int kind)
{
    if (b->nout == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 64;
        b->out = thk_xrealloc(b->out, b->cap * sizeof *b->out);
    }
    out_row *o = &b->out[b->nout++];
    memset(o, 0, sizeof *o);
    o->kind = (uint8_t)kind;
    o->row = -1;
    return o;
}

/* Emits the rows under `prefix` (levels < l fixed), from sorted data rows [lo, hi). */
static void fb_gen(form_build *b, size_t l, uint32_t *prefix, size_t lo, size_t hi)
{
    form_run *fr = b->fr;
    const agg_form *f = fr->f;
    const tuple_map *t = &fr->rows;
    size_t i = lo, c = 0;
    const uint32_t *comp = b->complete[l];
    size_t ncomp = b->ncomplete[l];
    for (;;) {
        bool have_row = i < hi, have_comp = c < ncomp;
        if (!have_row && !have_comp)
            break;
        uint32_t kr = have_row ? t->keys[b->sorted[i] * t->width + l] : 0;
        uint32_t k;
        if (have_row && have_comp) {
            uint32_t rr = b->rank[l][kr], rc = b->rank[l][comp[c]];
            k = rr <= rc ? kr : comp[c];
            if (rc <= rr)
                c++;
        } else if (have_row) {
            k = kr;
        } else {
            k = comp[c++];
        }
        size_t j = i;
        while (j < hi && t->keys[b->sorted[j] * t->width + l] == k)
            j++;
        prefix[l] = k;
        size_t first_leaf = b->nout;
        if (l + 1 == f->nlevels) {
            out_row *o = fb_emit(b, FORM_ROW_DATA);
            memcpy(o->key, prefix, f->nlevels * sizeof *prefix);
            o->row = i < j ? (int64_t)b->sorted[i] : -1;
        } else {
            fb_gen(b, l + 1, prefix, i, j);
        }
        if (l == 0 && f->ast->subtotal && f->nlevels >= 2) {
            out_row *o = fb_emit(b, FORM_ROW_SUBTOTAL);
            o->key[0] = k;
            o->leaf_lo = first_leaf;
            o->leaf_hi = b->nout - 1;
        }
        i = j;
    }
}

/* Builds the output rows of a form: data rows, subtotals, total. */
static void fb_rows(form_build *b)
{
    form_run *fr = b->fr;
    const agg_form *f = fr->f;
    if (f->nlevels == 0) {
        out_row *o = fb_emit(b, FORM_ROW_TOTAL);
        o->row = fr->rows.n ? 0 : -1;
        return;
    }
    for (size_t l = 0; l < f->nlevels; l++)
        fb_rank_level(b, l);
    b->sorted = thk_xcalloc(fr->rows.n + 1, sizeof *b->sorted);
    for (size_t i = 0; i < fr->rows.n; i++)
        b->sorted[i] = i;
    agg_sort(b->sorted, fr->rows.n, sizeof *b->sorted, fb_row_cmp, b);
    uint32_t prefix[AGG_MAX_LEVELS] = {0};
    fb_gen(b, 0, prefix, 0, fr->rows.n);
    if (f->ast->total) {
        size_t nleaves = b->nout;
        out_row *o = fb_emit(b, FORM_ROW_TOTAL);
        o->leaf_lo = 0;
        o->leaf_hi = nleaves;
    }
}

/* ---- cells ---------------------------------------------------------------------------------- */

typedef struct {
    int64_t v;
    bool empty;
} agg_v;

/* Evaluates agg node n on a row: acc = its accumulators, cells = its columns computed so far.
 * Returns false on overflow. */
static bool agg_eval(const agg_form *f, int32_t n, const int64_t *acc, const form_cell *cells,
                     agg_v *out)
{
    const agg_node *a = &f->an[n];
    agg_v x, y;
    switch ((agg_op)a->op) {
    case AG_CONST:
        *out = (agg_v){a->k, false};
        return true;
    case AG_ACC:
        *out = (agg_v){acc[a->a], false};
        return true;
    case AG_COL:
        *out = (agg_v){cells[a->a].v, cells[a->a].empty};
        return true;
    case AG_NEG:
        if (!agg_eval(f, a->a, acc, cells, &x))
            return false;
        if (x.v == INT64_MIN)
            return false;
        *out = (agg_v){-x.v, x.empty};
        return true;
    case AG_ADD:
    case AG_SUB:
    case AG_PERCENT:
        if (!agg_eval(f, a->a, acc, cells, &x) || !agg_eval(f, a->b, acc, cells, &y))
            return false;
        if (x.empty || y.empty) {
            *out = (agg_v){0, true};
            return true;
        }
        if (a->op == AG_PERCENT) {
            form_cell c = form_percent(x.v, y.v);
            *out = (agg_v){c.v, c.empty};
            return true;
        }
        out->empty = false;
        return !(a->op == AG_ADD ? __builtin_add_overflow(x.v, y.v, &out->v)
                                 : __builtin_sub_overflow(x.v, y.v, &out->v));
    }
    return false;
}

int agg_form_row(const agg_form *f, const int64_t *acc, form_cell *cells)
{
    for (size_t k = 0; k < f->norder; k++) {
        int c = f->order[k];
        agg_v v;
        if (!agg_eval(f, f->cols[c].root, acc, cells, &v))
            return c;
        cells[c] = (form_cell){v.v, v.empty};
    }
    return -1;
}

bool agg_form_check(const agg_form *f, size_t k, const int64_t *acc, const form_cell *cells,
                    int64_t *lhs, int64_t *rhs)
{
    agg_v x = {0, false}, y = {0, false};
    bool okx = agg_eval(f, f->checks[k].lhs, acc, cells, &x);
    bool oky = agg_eval(f, f->checks[k].rhs, acc, cells, &y);
    *lhs = x.v;
    *rhs = y.v;
    return okx && oky && x.empty == y.empty && (x.empty || x.v == y.v);
}

const agg_form *agg_form_find(const rule_set *rs, const char *id)
{
    for (size_t i = 0; i < rs->nforms; i++)
        if (agg_same_id(rs->forms[i].id, id))
            return &rs->forms[i];
    return NULL;
}

static char *agg_strdup_n(const char *s, size_t n)
{
    char *d = thk_xmalloc(n + 1);
    if (n)
        memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* The display label of local key k at level l of a data row. */
static char *fb_label(agg_run *r, form_run *fr, size_t l, uint32_t k)
{
    const lv_run *L = &fr->lv[l];
    const agg_level *lv = L->lv;
    size_t n;
    const char *kt = lv_text(r, fr, l, k, &n);
    if (k == 0)
        return thk_xstrdup("(trống)");
    for (size_t j = 0; j < lv->ast->nfixed; j++)
        if (lv->ast->fixed[j].label && strlen(lv->ast->fixed[j].key) == n &&
            memcmp(lv->ast->fixed[j].key, kt, n) == 0)
            return thk_xstrdup(lv->ast->fixed[j].label);
    if (lv->kind == LV_UNIT && lv->label_is_unit) {
        uint32_t name = r->m->units[k - 1].name;
        if (name)
            return thk_xstrdup(model_str(r->m, name));
    } else if (lv->kind == LV_ENUM && rule_dom_label(r->rs, lv->dom, k - 1)) {
        return thk_xstrdup(rule_dom_label(r->rs, lv->dom, k - 1));
    } else if (lv->label >= 0 && k < L->label_cap && L->label[k]) {
        return thk_xstrdup(strpool_get(r->labels, L->label[k]));
    }
    return agg_strdup_n(kt, n);
}

/* Computes the cells of the built rows into table t, checks identities and totals. */
static void fb_cells(form_build *b, form_table *t)
{
    agg_run *r = b->r;
    form_run *fr = b->fr;
    const agg_form *f = fr->f;
    size_t na = f->naccs;
    int64_t *acc = thk_xcalloc(na + 1, sizeof *acc);
    t->nrows = b->nout;
    t->rows = thk_xcalloc(b->nout + 1, sizeof *t->rows);
    t->cells = thk_xcalloc((b->nout + 1) * (f->ncols + 1), sizeof *t->cells);
    t->accs = thk_xcalloc((b->nout + 1) * (na + 1), sizeof *t->accs);
    thk_buf key = {0};
    for (size_t i = 0; i < b->nout; i++) {
        out_row *o = &b->out[i];
        form_row *row = &t->rows[i];
        row->kind = o->kind;
        row->labels = thk_xcalloc(f->nlevels + 1, sizeof *row->labels);
        buf_clear(&key);
        buf_append(&key, "", 0);
        if (o->kind == FORM_ROW_DATA) {
            for (size_t l = 0; l < f->nlevels; l++) {
                size_t n;
                const char *s = lv_text(r, fr, l, o->key[l], &n);
                if (l)
                    buf_putc(&key, '|');
                buf_append(&key, s, n);
                row->labels[l] = fb_label(r, fr, l, o->key[l]);
            }
        } else if (o->kind == FORM_ROW_SUBTOTAL) {
            size_t n;
            const char *s = lv_text(r, fr, 0, o->key[0], &n);
            buf_append(&key, s, n);
            buf_printf(&key, "|*");
            row->labels[0] = fb_label(r, fr, 0, o->key[0]);
            for (size_t l = 1; l < f->nlevels; l++)
                row->labels[l] = thk_xstrdup("");
        } else {
            buf_putc(&key, '*');
            for (size_t l = 0; l < f->nlevels; l++)
                row->labels[l] = thk_xstrdup(l == 0 && f->ast->total ? f->ast->total : "");
        }
        row->key = thk_xstrdup(key.data);
        if (f->nlevels == 0) {
            free(row->labels);
            row->labels = NULL;
        }
        /* accumulators of the row */
        memset(acc, 0, na * sizeof *acc);
        if (o->row >= 0) {
            memcpy(acc, fr->acc + (size_t)o->row * na, na * sizeof *acc);
        } else if (o->kind != FORM_ROW_DATA) {
            for (size_t j = o->leaf_lo; j < o->leaf_hi; j++) {
                if (b->out[j].kind != FORM_ROW_DATA || b->out[j].row < 0)
                    continue;
                const int64_t *la = fr->acc + (size_t)b->out[j].row * na;
                for (size_t a = 0; a < na; a++)
                    if (__builtin_add_overflow(acc[a], la[a], &acc[a])) {
                        int col = f->accs[a].col;
                        agg_fail(r, THK_EXIT_INPUT,
                                 "biểu %s, dòng %s, cột %s: tổng vượt giới hạn số nguyên 64 bit", f->id, row->key,
                                 col >= 0 ? f->cols[col].ast->code : "?");
                        goto done;
                    }
            }
        }
        memcpy(t->accs + i * na, acc, na * sizeof *acc);
        form_cell *cells = t->cells + i * f->ncols;
        int bad = agg_form_row(f, acc, cells);
        if (bad >= 0) {
            agg_fail(r, THK_EXIT_INPUT,
                     "biểu %s, dòng %s, cột %s: phép tính vượt giới hạn số nguyên 64 bit", f->id, row->key, f->cols[bad].ast->code);
            goto done;
        }
        for (size_t k = 0; k < f->nchecks; k++) {
            int64_t x, y;
            r->verified++;
            if (!agg_form_check(f, k, acc, cells, &x, &y))
                agg_fail(r, THK_EXIT_CHECK,
                         "biểu %s, dòng %s: đẳng thức kiểm tra không đúng: %s: "
                         "%" PRId64 " ≠ %" PRId64, f->id, row->key, f->checks[k].text, x, y);
        }
    }
    /* subtotal and total rows equal the sum of their data rows, column by column */
    for (size_t i = 0; i < b->nout; i++) {
        const out_row *o = &b->out[i];
        if (o->kind == FORM_ROW_DATA || f->nlevels == 0)
            continue;
        for (size_t c = 0; c < f->ncols; c++) {
            if (!f->cols[c].linear)
                continue;
            int64_t sum = 0;
            bool ovf = false;
            for (size_t j = o->leaf_lo; j < o->leaf_hi; j++)
                if (b->out[j].kind == FORM_ROW_DATA)
                    ovf |= __builtin_add_overflow(sum, t->cells[j * f->ncols + c].v, &sum);
            int64_t v = t->cells[i * f->ncols + c].v;
            r->verified++;
            if (ovf || sum != v)
                agg_fail(r, THK_EXIT_CHECK,
                         "biểu %s, dòng %s, cột %s: dòng tổng không bằng tổng các dòng: %" PRId64 " ≠ %" PRId64, f->id, t->rows[i].key,
                         f->cols[c].ast->code, v, sum);
        }
    }
done:
    buf_free(&key);
    free(acc);
}

/* What a rate's operand sums: counts or money (its first accumulator), else FORM_KIND_RATE. */
static uint8_t agg_operand_kind(const agg_form *f, int32_t n, int depth)
{
    const agg_node *a = &f->an[n];
    if (depth > 64)
        return FORM_KIND_RATE;
    switch ((agg_op)a->op) {
    case AG_ACC:
        return a->kind;
    case AG_COL:
        return agg_operand_kind(f, f->cols[a->a].root, depth + 1);
    case AG_ADD:
    case AG_SUB: {
        uint8_t k = agg_operand_kind(f, a->a, depth + 1);
        return k != FORM_KIND_RATE ? k : agg_operand_kind(f, a->b, depth + 1);
    }
    case AG_NEG:
        return agg_operand_kind(f, a->a, depth + 1);
    default:
        return FORM_KIND_RATE;
    }
}

void agg_table_head(const rule_set *rs, const agg_form *f, form_table *t)
{
    const rule_form_ast *fa = f->ast;
    t->id = thk_xstrdup(f->id);
    t->title = thk_xstrdup(fa->title);
    t->subtitle = fa->subtitle ? thk_xstrdup(fa->subtitle) : NULL;
    t->form_code = fa->code ? thk_xstrdup(fa->code) : NULL;
    t->is_list = false;
    t->nrowfields = f->nlevels;
    t->rowfield_labels = thk_xcalloc(f->nlevels + 1, sizeof *t->rowfield_labels);
    for (size_t l = 0; l < f->nlevels; l++) {
        const rule_rowfield_ast *ra = f->levels[l].ast;
        t->rowfield_labels[l] = thk_xstrdup(ra->header ? ra->header : ra->name);
    }
    t->ncols = f->ncols;
    t->cols = thk_xcalloc(f->ncols + 1, sizeof *t->cols);
    for (size_t c = 0; c < f->ncols; c++) {
        const rule_column_ast *ca = f->cols[c].ast;
        t->cols[c].code = thk_xstrdup(ca->code);
        t->cols[c].label = thk_xstrdup(ca->label);
        t->cols[c].kind = f->cols[c].kind;
        t->cols[c].width = (uint8_t)ca->width;
        t->cols[c].format = ca->format ? thk_xstrdup(ca->format) : NULL;
        t->cols[c].group = ca->group;
        t->cols[c].target = ca->target ? thk_xstrdup(ca->target) : NULL;
        const agg_node *root = &f->an[f->cols[c].root];
        t->cols[c].rate_of = root->op == AG_PERCENT ? agg_operand_kind(f, root->a, 0)
                                                    : FORM_KIND_RATE;
    }
    t->scale = fa->scale ? fa->scale : rs->wb_money_scale;
    t->rows_by_unit = f->nlevels == 1 && f->levels[0].kind == LV_UNIT;
    t->rows_by_officer = f->nlevels == 2 && f->levels[0].kind == LV_UNIT &&
                         f->levels[1].kind == LV_TEXT;
    t->naccs = f->naccs;
    t->acc_names = thk_xcalloc(f->naccs + 1, sizeof *t->acc_names);
    for (size_t a = 0; a < f->naccs; a++)
        t->acc_names[a] = thk_xstrdup(f->accs[a].name);
    t->ngroups = fa->ngroups;
    t->groups = thk_xcalloc(fa->ngroups + 1, sizeof *t->groups);
    for (size_t g = 0; g < fa->ngroups; g++) {
        t->groups[g].label = thk_xstrdup(fa->groups[g].label);
        t->groups[g].parent = fa->groups[g].parent;
    }
}

static void agg_build_form(agg_run *r, form_run *fr, form_table *t)
{
    agg_table_head(r->rs, fr->f, t);
    form_build b;
    memset(&b, 0, sizeof b);
    b.r = r;
    b.fr = fr;
    uint32_t *comp[AGG_MAX_LEVELS] = {0};
    b.complete = comp;
    fb_rows(&b);
    fb_cells(&b, t);
    for (size_t l = 0; l < AGG_MAX_LEVELS; l++) {
        free(b.rank[l]);
        free(comp[l]);
    }
    free(b.sorted);
    free(b.out);
}

/* ---- ranking rows (`order by` of a form) --------------------------------------------------- */

typedef struct {
    const agg_form *f;
    const form_table *t;
} rank_ctx;

static int rank_cmp(void *ctx, const void *pa, const void *pb)
{
    const rank_ctx *rc = ctx;
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    for (size_t k = 0; k < rc->f->nrank; k++) {
        const form_cell *x = form_cell_at(rc->t, a, (size_t)rc->f->rank_col[k]);
        const form_cell *y = form_cell_at(rc->t, b, (size_t)rc->f->rank_col[k]);
        if (x->empty || y->empty) {
            if (x->empty != y->empty)
                return x->empty ? 1 : -1; /* an empty rate ranks last either way */
            continue;
        }
        if (x->v != y->v)
            return (x->v < y->v) == !rc->f->rank_desc[k] ? -1 : 1;
    }
    return a < b ? -1 : a > b; /* ties keep the key order */
}

/* Whether data rows a and b of t share their parent (every key part but the last). */
static bool rank_same_group(const form_table *t, size_t a, size_t b)
{
    const char *x = t->rows[a].key, *y = t->rows[b].key;
    const char *bx = strrchr(x, '|'), *by = strrchr(y, '|');
    size_t nx = bx ? (size_t)(bx - x) : 0, ny = by ? (size_t)(by - y) : 0;
    return nx == ny && memcmp(x, y, nx) == 0;
}

void agg_rank_rows(const agg_form *f, form_table *t)
{
    if (!f->nrank || t->nrows < 2)
        return;
    size_t n = t->nrows, nc = t->ncols, na = t->naccs;
    size_t *perm = thk_xcalloc(n, sizeof *perm);
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    rank_ctx rc = {f, t};
    for (size_t i = 0; i < n;) {
        if (t->rows[i].kind != FORM_ROW_DATA) {
            i++;
            continue;
        }
        size_t j = i + 1;
        while (j < n && t->rows[j].kind == FORM_ROW_DATA && rank_same_group(t, i, j))
            j++;
        agg_sort(perm + i, j - i, sizeof *perm, rank_cmp, &rc);
        i = j;
    }
    form_row *rows = thk_xcalloc(n, sizeof *rows);
    form_cell *cells = thk_xcalloc(n * nc + 1, sizeof *cells);
    int64_t *accs = t->accs ? thk_xcalloc(n * na + 1, sizeof *accs) : NULL;
    for (size_t i = 0; i < n; i++) {
        rows[i] = t->rows[perm[i]];
        memcpy(cells + i * nc, t->cells + perm[i] * nc, nc * sizeof *cells);
        if (accs)
            memcpy(accs + i * na, t->accs + perm[i] * na, na * sizeof *accs);
    }
    free(t->rows);
    free(t->cells);
    t->rows = rows;
    t->cells = cells;
    if (accs) {
        free(t->accs);
        t->accs = accs;
    }
    free(perm);
}

/* ---- lists ---------------------------------------------------------------------------------- */

typedef struct {
    list_run *lr;
    const rule_set *rs;
} list_sort_ctx;

static int list_cmp(void *ctx, const void *pa, const void *pb)
{
    const list_sort_ctx *lc = ctx;
    return list_row_cmp(lc->lr, *(const rule_val *const *)pa, *(const rule_val *const *)pb);
}

void agg_list_head(const rule_set *rs, const agg_list *l, form_table *t)
{
    t->id = thk_xstrdup(l->id);
    t->title = thk_xstrdup(l->ast->title);
    t->form_code = l->ast->code ? thk_xstrdup(l->ast->code) : NULL;
    t->subtitle = l->ast->subtitle ? thk_xstrdup(l->ast->subtitle) : NULL;
    t->is_list = true;
    t->ncols = l->nshow;
    t->cols = thk_xcalloc(l->nshow + 1, sizeof *t->cols);
    for (size_t c = 0; c < l->nshow; c++) {
        const rule_node *nd = &rs->nodes[l->show[c].node];
        t->cols[c].code = thk_xstrdup(l->show[c].name);
        t->cols[c].label = thk_xstrdup(l->show[c].label);
        t->cols[c].group = -1;
        t->cols[c].kind = nd->type == RT_DATE    ? FORM_KIND_DATE
                        : nd->type == RT_MONEY ? FORM_KIND_MONEY
                        : nd->type == RT_INT   ? FORM_KIND_COUNT
                        : nd->type == RT_RATE  ? FORM_KIND_RATE
                                               : FORM_KIND_TEXT;
    }
}

form_set *agg_set_new(const rule_set *rs)
{
    form_set *s = thk_xcalloc(1, sizeof *s);
    s->tables = thk_xcalloc(rs->nforms + rs->nlists + 1, sizeof *s->tables);
    const rule_ast *ast = rs->ast;
    s->targets = thk_xcalloc(ast->ntargets + 1, sizeof *s->targets);
    for (size_t i = 0; i < ast->ntargets; i++)
        s->targets[s->ntargets++] = (form_target){thk_xstrdup(ast->targets[i].name),
                                                  ast->targets[i].v};
    s->basis = rs->wb_basis ? thk_xstrdup(rs->wb_basis) : NULL;
    for (int k = 0; k < 4; k++)
        s->sign[k] = rs->wb_sign[k] ? thk_xstrdup(rs->wb_sign[k]) : NULL;
    return s;
}

/* Lists this long are unpacked, sorted and made into rows in two halves on two threads (L1
 * keeps every case over five years: 80k rows at 1M cases took 0.28 s on one thread, with the
 * other core idle). The result is the one of a single thread: each half is a part of the same
 * merge sort, and a row's texts do not depend on the other half. */
#define LIST_TWIN_ROWS 8192

/* Unpacks `n` packed entries from `rows` into vals, on the calling thread. */
typedef struct {
    const list_run *lr;
    const list_const *consts;
    const uint64_t *rows;
    size_t n;
    rule_val *vals;
} list_unpack_job;

static void *list_unpack_run(void *arg)
{
    list_unpack_job *j = arg;
    for (size_t i = 0; i < j->n; i++)
        list_unpack(j->lr, j->consts, j->rows + i * j->lr->stride, j->vals + i * j->lr->w);
    return NULL;
}

/* A part of agg_msort: sorts idx[0, n) with its own scratch. */
typedef struct {
    const rule_val **idx;
    char *tmp;
    size_t n;
    list_sort_ctx *lc;
} list_sort_job;

static void *list_sort_run(void *arg)
{
    list_sort_job *j = arg;
    if (j->n > 1)
        agg_msort((char *)j->idx, j->tmp, j->n, sizeof *j->idx, list_cmp, j->lc);
    return NULL;
}

/* Rows [lo, hi) of a list's table from the sorted entries; their texts and keys are stored in
 * `store` (t itself, or a table of its own for the second half, moved into t afterwards). */
typedef struct {
    const rule_set *rs;
    const list_run *lr;
    form_table *t, *store;
    const rule_val **idx;
    size_t lo, hi;
    thk_buf tmp;
} list_rows_job;

static void *list_rows_run(void *arg)
{
    list_rows_job *j = arg;
    const rule_set *rs = j->rs;
    const list_run *lr = j->lr;
    const agg_list *l = lr->l;
    form_table *t = j->t;
    size_t show_at = 1 + l->norder + (l->per >= 0);
    /* a text equal to the one above it in its column (the unit of every row of that unit, a
     * state's label) is stored once: the source it was made from decides */
    const char **from = thk_xcalloc(l->nshow + 1, sizeof *from);
    uint32_t *from_len = thk_xcalloc(l->nshow + 1, sizeof *from_len);
    for (size_t i = j->lo; i < j->hi; i++) {
        const rule_val *v = j->idx[i], *key = &v[lr->pos[0]];
        t->rows[i].key = form_table_strdup(j->store, key->s ? key->s : "", key->len);
        t->rows[i].kind = FORM_ROW_DATA;
        for (size_t c = 0; c < l->nshow; c++) {
            const rule_val *sv = &v[lr->pos[show_at + c]];
            const rule_node *nd = &rs->nodes[l->show[c].node];
            form_cell *cell = &t->cells[i * l->nshow + c];
            cell->empty = sv->null;
            cell->v = sv->null ? 0 : sv->i;
            if (t->cols[c].kind == FORM_KIND_TEXT) {
                /* an enum value shows as the rules' label for it (`labels`), else its name */
                const char *lab = nd->type == RT_ENUM && !sv->null
                                      ? rule_dom_label(rs, nd->dom, (size_t)sv->i)
                                      : NULL;
                const char *src = lab ? lab : nd->type == RT_TEXT && !sv->null ? sv->s : NULL;
                uint32_t src_len = lab ? 0 : sv->len;
                char **out = &t->texts[i * l->nshow + c];
                if (src && i > j->lo && from[c] == src && from_len[c] == src_len) {
                    *out = t->texts[(i - 1) * l->nshow + c];
                } else if (lab) {
                    *out = form_table_strdup(j->store, lab, strlen(lab));
                } else {
                    rule_val_text(rs, sv, nd->type, nd->dom, &j->tmp);
                    *out = form_table_strdup(j->store, j->tmp.data ? j->tmp.data : "",
                                             j->tmp.len);
                }
                from[c] = src;
                from_len[c] = src_len;
                cell->v = 0;
            }
        }
    }
    free(from);
    free(from_len);
    buf_free(&j->tmp);
    return NULL;
}

static void agg_build_list(agg_run *r, list_run *lr, form_table *t)
{
    const agg_list *l = lr->l;
    rule_set *rs = r->rs;
    size_t n = lr->n + lr->nmore;
    bool twin = rs->threads > 1 && n >= LIST_TWIN_ROWS;
    /* the entries unpacked for sorting and writing (the model's rows are given back by now):
     * this run's and the other run's, one on each thread */
    rule_val *vals = thk_xcalloc((n ? n : 1) * lr->w, sizeof *vals);
    const rule_val **idx = thk_xcalloc(n + 1, sizeof *idx);
    list_unpack_job uj[2] = {{lr, lr->consts, lr->rows, lr->n, vals},
                             {lr, lr->more_consts, lr->more, lr->nmore, vals + lr->n * lr->w}};
    thk_twin(twin && lr->n && lr->nmore, list_unpack_run, &uj[0], &uj[1]);
    free(lr->rows);
    free(lr->more);
    lr->rows = lr->more = NULL;
    for (size_t i = 0; i < n; i++)
        idx[i] = vals + i * lr->w;
    list_sort_ctx lc = {lr, rs};
    if (twin) {
        /* agg_msort's two halves, one on each thread, then its last merge */
        size_t h = n / 2;
        char *tmp = thk_xmalloc(n * sizeof *idx);
        list_sort_job sj[2] = {{idx, tmp, h, &lc}, {idx + h, tmp + h * sizeof *idx, n - h, &lc}};
        thk_twin(true, list_sort_run, &sj[0], &sj[1]);
        const rule_val **out = (const rule_val **)(void *)tmp;
        size_t i = 0, k = h, o = 0;
        while (i < h && k < n)
            out[o++] = list_cmp(&lc, &idx[k], &idx[i]) < 0 ? idx[k++] : idx[i++];
        while (i < h)
            out[o++] = idx[i++];
        while (k < n)
            out[o++] = idx[k++];
        memcpy(idx, out, n * sizeof *idx);
        free(tmp);
    } else
        agg_sort(idx, n, sizeof *idx, list_cmp, &lc);
    size_t keep = n;
    if (l->per >= 0) {
        strpool *seen = strpool_new();
        uint32_t *count = NULL;
        size_t ccap = 0;
        size_t at = 1 + l->norder;
        int pt = rs->nodes[l->per].type, pd = rs->nodes[l->per].dom;
        keep = 0;
        for (size_t i = 0; i < n; i++) {
            rule_val_text(rs, &idx[i][lr->pos[at]], pt, pd, &r->tmp);
            uint32_t id = strpool_intern(seen, r->tmp.data ? r->tmp.data : "", r->tmp.len);
            if (id >= ccap) {
                size_t nc = ccap ? ccap * 2 : 64;
                while (nc <= id)
                    nc *= 2;
                count = thk_xrealloc(count, nc * sizeof *count);
                memset(count + ccap, 0, (nc - ccap) * sizeof *count);
                ccap = nc;
            }
            if ((int64_t)count[id]++ < l->limit)
                idx[keep++] = idx[i];
        }
        free(count);
        strpool_free(seen);
    } else if (l->limit > 0 && (uint64_t)keep > (uint64_t)l->limit) {
        keep = (size_t)l->limit;
    }
    agg_list_head(rs, l, t);
    t->nrows = keep;
    t->rows = thk_xcalloc(keep + 1, sizeof *t->rows);
    t->cells = thk_xcalloc((keep + 1) * (l->nshow + 1), sizeof *t->cells);
    t->texts = thk_xcalloc((keep + 1) * (l->nshow + 1), sizeof *t->texts);
    /* the second half's texts go to a store of their own, moved into t once both are done */
    form_table second = {0};
    size_t h = twin && keep >= LIST_TWIN_ROWS ? keep / 2 : keep;
    list_rows_job rj[2] = {{rs, lr, t, t, idx, 0, h, {0}}, {rs, lr, t, &second, idx, h, keep, {0}}};
    thk_twin(h < keep, list_rows_run, &rj[0], &rj[1]);
    form_table_take_strings(t, &second);
    free(idx);
    free(vals);
    /* the entries are in the table now */
    lr->n = lr->nmore = 0;
}

/* ---- entry points --------------------------------------------------------------------------- */

/* Prepares a run over all of m's cases (the caller may narrow [lo, hi)). */
static void agg_run_init(agg_run *r, rule_set *rs, const model *m, reject_log *warnings,
                         thk_buf *err)
{
    memset(r, 0, sizeof *r);
    r->rs = rs;
    r->m = m;
    r->warnings = warnings;
    r->err = err;
    r->part = 0;
    r->nparts = 1;
    r->do_thahc = true;
    r->cb = rs->on_case;
    r->scb = rs->on_screen;
    r->scb_ctx = rs->on_screen_ctx;
    r->cb_ctx = rs->on_case_ctx;
    r->fmt = rs->on_case_fmt;
    r->emit = rs->on_case_emit;
    r->fmt_ctx = rs->on_case_rows_ctx;
    r->memo_gen = thk_xcalloc(rs->nnodes + 1, sizeof *r->memo_gen);
    r->memo = thk_xcalloc(rs->nnodes + 1, sizeof *r->memo);
    for (int k = 0; k < RCTX__N; k++)
        r->slots[k] = thk_xcalloc(rs->nslots[k] + 1, sizeof *r->slots[k]);
    r->rej_case = thk_xcalloc(m->ncases / 8 + 1, 1);
    r->rej_thahc = thk_xcalloc(m->nthahc / 8 + 1, 1);
    r->labels = strpool_new();
    for (size_t i = 0; i < rs->nextras; i++) {
        rs->extras[i].mcol = -1;
        for (size_t j = 0; j < m->case_extra.ncols; j++)
            if (strcmp(m->case_extra.names[j], rs->extras[i].key) == 0)
                rs->extras[i].mcol = (int)j;
    }
    r->forms = thk_xcalloc(rs->nforms + 1, sizeof *r->forms);
    size_t nstr = strpool_count(m->strings);
    for (size_t i = 0; i < rs->nforms; i++) {
        form_run *fr = &r->forms[i];
        agg_form *f = &rs->forms[i];
        fr->f = f;
        if (f->ctx == RCTX_THAHC && !m->has_thahc)
            continue;
        fr->sval = thk_xcalloc(f->naccs + 1, sizeof *fr->sval);
        fr->rows.width = f->nlevels ? f->nlevels : 1;
        for (size_t l = 0; l < f->nlevels; l++) {
            lv_run *L = &fr->lv[l];
            L->lv = &f->levels[l];
            L->pool = strpool_new();
            if (L->lv->kind == LV_TEXT) {
                L->nid = nstr;
                L->id2local = thk_xcalloc(nstr + 1, sizeof *L->id2local);
            }
        }
    }
    r->lists = thk_xcalloc(rs->nlists + 1, sizeof *r->lists);
    for (size_t i = 0; i < rs->nlists; i++) {
        list_run *lr = &r->lists[i];
        lr->l = &rs->lists[i];
        const agg_list *l = lr->l;
        size_t nlog = 1 + l->norder + (l->per >= 0) + l->nshow, j = 0;
        lr->pos = thk_xcalloc(nlog, sizeof *lr->pos);
        lr->nodes = thk_xcalloc(nlog, sizeof *lr->nodes);
        int32_t *logical = thk_xcalloc(nlog, sizeof *logical);
        logical[j++] = l->ma_viec;
        for (size_t k = 0; k < l->norder; k++)
            logical[j++] = l->order[k].node;
        if (l->per >= 0)
            logical[j++] = l->per;
        for (size_t k = 0; k < l->nshow; k++)
            logical[j++] = l->show[k].node;
        for (j = 0; j < nlog; j++) {
            size_t k = 0;
            while (k < lr->w && lr->nodes[k] != logical[j])
                k++;
            if (k == lr->w)
                lr->nodes[lr->w++] = logical[j];
            lr->pos[j] = k;
        }
        free(logical);
        lr->scratch = thk_xcalloc(lr->w, sizeof *lr->scratch);
        lr->tmp_a = thk_xcalloc(lr->w, sizeof *lr->tmp_a);
        lr->tmp_b = thk_xcalloc(lr->w, sizeof *lr->tmp_b);
        lr->stride = lr->w + (lr->w + 63) / 64;
        lr->m = m;
        lr->rs = rs;
        if (lr->l->limit > 0)
            lr->group_ids = strpool_new();
    }
}

static void agg_run_free(agg_run *r)
{
    for (size_t i = 0; i < r->rs->nforms; i++) {
        form_run *fr = &r->forms[i];
        for (size_t l = 0; l < AGG_MAX_LEVELS; l++) {
            strpool_free(fr->lv[l].pool);
            free(fr->lv[l].id2local);
            free(fr->lv[l].label);
            free(fr->lv[l].label_rank);
        }
        tm_free(&fr->rows);
        free(fr->acc);
        free(fr->sval);
    }
    free(r->forms);
    for (size_t i = 0; i < r->rs->nlists; i++) {
        list_run *lr = &r->lists[i];
        free(lr->rows);
        free(lr->more);
        free(lr->consts);
        free(lr->more_consts);
        free(lr->scratch);
        free(lr->tmp_a);
        free(lr->tmp_b);
        free(lr->pos);
        free(lr->nodes);
        for (size_t g = 0; g < lr->ngroups; g++)
            free(lr->groups[g].slot);
        free(lr->groups);
        strpool_free(lr->group_ids);
    }
    free(r->lists);
    free(r->memo_gen);
    free(r->memo);
    for (int k = 0; k < RCTX__N; k++)
        free(r->slots[k]);
    free(r->rej_case);
    free(r->rej_thahc);
    strpool_free(r->labels);
    buf_free(&r->tmp);
    agg_held_free(r->cur);
}

/* The passes of one run over its cases: the main period, then the same window last year. */
static void agg_passes(agg_run *r, const period *p)
{
    const model *m = r->m;
    bool thahc = m->has_thahc && r->do_thahc;
    agg_pass_cases(r, p, false);
    if (thahc && r->status != THK_EXIT_INPUT)
        agg_pass_thahc(r, p, false);
    if (r->rs->uses_prior && r->status != THK_EXIT_INPUT) {
        period prev = period_previous_year(p);
        agg_pass_cases(r, &prev, true);
        if (thahc && r->status != THK_EXIT_INPUT)
            agg_pass_thahc(r, &prev, true);
    }
}

typedef struct {
    agg_run *r;
    const period *p;
} agg_job;

static void *agg_job_run(void *arg)
{
    agg_job *j = arg;
    agg_passes(j->r, j->p);
    return NULL;
}

/* Run b's local key kb of level l as run a's local key (units and enum values are numbered
 * alike in both; texts are looked up by their text). */
static uint32_t agg_key_in(form_run *fa, const form_run *fb, size_t l, uint32_t kb)
{
    int kind = fa->lv[l].lv->kind;
    if (kb == 0 || kind == LV_UNIT || kind == LV_ENUM)
        return kb;
    const strpool *pb = fb->lv[l].pool;
    return strpool_intern(fa->lv[l].pool, strpool_get(pb, kb), strpool_len(pb, kb));
}

/* Adds run b (the other chunks of cases) into a: every form row by its key, with overflow
 * checks; labels as one run over all cases would have kept them (the lower agg_rank); list
 * entries (their sort is a total order, ma_viec last). */
static void agg_merge(agg_run *a, agg_run *b)
{
    rule_set *rs = a->rs;
    for (size_t i = 0; i < rs->nforms && a->status != THK_EXIT_INPUT; i++) {
        form_run *fa = &a->forms[i], *fb = &b->forms[i];
        if (!fa->sval || !fb->sval)
            continue;
        const agg_form *f = fa->f;
        uint32_t key[AGG_MAX_LEVELS] = {0};
        for (size_t row = 0; row < fb->rows.n; row++) {
            const uint32_t *kb = fb->rows.keys + row * fb->rows.width;
            for (size_t l = 0; l < f->nlevels; l++)
                key[l] = agg_key_in(fa, fb, l, kb[l]);
            if (!form_add(a, fa, key, form_acc_row(fa, key), fb->acc + row * f->naccs))
                break;
            for (size_t l = 0; l < f->nlevels; l++) {
                const lv_run *Lb = &fb->lv[l];
                lv_run *La = &fa->lv[l];
                if (f->levels[l].label < 0 || f->levels[l].label_is_unit ||
                    kb[l] >= Lb->label_cap || !Lb->label[kb[l]])
                    continue;
                lv_label_room(La, key[l]);
                if (La->label[key[l]] && La->label_rank[key[l]] < Lb->label_rank[kb[l]])
                    continue;
                uint32_t lid = Lb->label[kb[l]];
                La->label[key[l]] = strpool_intern(a->labels, strpool_get(b->labels, lid),
                                                   strpool_len(b->labels, lid));
                La->label_rank[key[l]] = Lb->label_rank[kb[l]];
            }
        }
    }
    for (size_t i = 0; i < rs->nlists; i++) {
        list_run *la = &a->lists[i];
        list_run *lb = &b->lists[i];
        if (la->group_ids) { /* b's kept entries compete for a's places */
            for (size_t k = 0; k < lb->n; k++) {
                list_unpack(lb, lb->consts, list_row(lb, (uint32_t)k), lb->scratch);
                list_offer(la, lb->scratch, &a->tmp);
            }
            continue;
        }
        /* b's entries are handed over, not copied (a list may hold a large share of the
         * cases); the order is made when the table is built */
        la->more = lb->rows;
        la->nmore = lb->n;
        la->more_consts = lb->consts;
        lb->rows = NULL;
        lb->consts = NULL;
        lb->n = lb->cap = lb->nconsts = 0;
    }
}

form_set *rule_compute(rule_set *rs, const model *m, const period *p, reject_log *warnings,
                       thk_buf *err, int *status)
{
    /* With two threads (rule_set_threads) two runs take alternate chunks of cases (exports are
     * sorted, so neighbouring chunks cost alike), each with its own evaluation state over the
     * one compiled rule set, and the second run is added into the first: sums, rows, labels
     * and list entries are those of one run over all cases, and the callback sees the cases in
     * order (agg_order). Coverage (thongke check) counts in the rule set: one thread. */
    bool twin = rs->threads > 1 && !rs->coverage && m->ncases > AGG_CHUNK;
    agg_order order = {.turn = 0};
    agg_run r, r2;
    thk_buf err2 = {0};
    reject_log *warn2 = twin && warnings ? rejects_new() : NULL;
    agg_run_init(&r, rs, m, warnings, err);
    /* thongke check counts coverage in the rule set's own states; a report writes none */
    r.st = rs->coverage ? NULL : rule_state_new(rs);
    if (twin) {
        agg_run_init(&r2, rs, m, warn2, &err2);
        r2.st = rule_state_new(rs);
        pthread_mutex_init(&order.mu, NULL);
        pthread_cond_init(&order.cv, NULL);
        r.nparts = r2.nparts = 2;
        r2.part = 1;
        r2.do_thahc = false;
        r2.cb = r.cb;
        r2.cb_ctx = r.cb_ctx;
        r2.fmt = r.fmt;
        r2.emit = r.emit;
        r2.fmt_ctx = r.fmt_ctx;
        r.order = r2.order = &order;
    }
    agg_job job = {&r2, p};
    pthread_t t;
    bool threaded = twin && pthread_create(&t, NULL, agg_job_run, &job) == 0;
    agg_passes(&r, p);
    if (twin) {
        if (threaded)
            pthread_join(t, NULL);
        else
            agg_passes(&r2, p);
        /* an overflow outranks a failed check, as in agg_fail */
        if (r2.status == THK_EXIT_INPUT || !r.status)
            r.status = r2.status ? r2.status : r.status;
        r.nmsg += r2.nmsg;
        r.calls_ns += r2.calls_ns;
        if (err2.len && err)
            buf_append(err, err2.data, err2.len);
        if (r.status != THK_EXIT_INPUT)
            agg_merge(&r, &r2);
        if (warn2)
            rejects_append(warnings, warn2);
        rule_state_free(r2.st);
        agg_run_free(&r2);
        agg_order_free(&order);
    }
    rule_state_free(r.st);
    rejects_free(warn2);
    buf_free(&err2);
    if (rs->on_aggregated)
        rs->on_aggregated(rs->on_aggregated_ctx); /* the model's rows are not read below */
    form_set *s = NULL;
    if (r.status != THK_EXIT_INPUT) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        s = agg_set_new(rs);
        for (size_t i = 0; i < rs->nforms && r.status != THK_EXIT_INPUT; i++) {
            if (!r.forms[i].sval)
                continue;
            form_table *tb = &s->tables[s->ntables++];
            agg_build_form(&r, &r.forms[i], tb);
            agg_rank_rows(r.forms[i].f, tb);
            s->display_unbalanced += display_round(r.forms[i].f, tb);
        }
        for (size_t i = 0; i < rs->nlists; i++)
            agg_build_list(&r, &r.lists[i], &s->tables[s->ntables++]);
        s->identities_verified = r.verified;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        s->build_ms = (int64_t)(t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
        s->calls_ms = r.calls_ns / 1000000;
    }
    *status = r.status;
    if (r.nmsg > AGG_MAX_MESSAGES && err)
        buf_printf(err, "... %zu lỗi khác không hiển thị\n", r.nmsg - AGG_MAX_MESSAGES);
    agg_run_free(&r);
    if (*status) {
        form_set_free(s);
        return NULL;
    }
    return s;
}

int rule_each_case(rule_set *rs, const model *m, const period *p, rule_case_fn fn, void *ctx,
                   thk_buf *err)
{
    agg_run r;
    agg_run_init(&r, rs, m, NULL, err);
    rule_eval_ctx x;
    agg_eval_ctx(&r, &x, p, RCTX_CASE);
    replay_facts f;
    thk_buf flags = {0};
    int rc = 0;
    for (size_t ci = 0; ci < m->ncases; ci++) {
        const model_case *c = &m->cases[ci];
        replay_case(m, c, p->S, p->E, &f, NULL, NULL);
        if (!f.in_scope)
            continue;
        x.c = c;
        x.row = (uint32_t)ci;
        x.f = &f;
        x.err = 0;
        agg_next_record(&r);
        rule_eval_lets(&x, RCTX_CASE, false);
        if (x.err & RULE_EVAL_LIMIT)
            continue;
        if (x.err & RULE_EVAL_OVERFLOW) {
            agg_overflow(&r, &x, "cases.csv", c->line);
            rc = THK_EXIT_INPUT;
            break;
        }
        agg_flags(&r, &x, RCTX_CASE, &flags);
        fn(ctx, m, (uint32_t)ci, &f, flags.data, agg_keys_of(flags.data));
    }
    buf_free(&flags);
    agg_run_free(&r);
    return rc;
}

/* ---- lookups -------------------------------------------------------------------------------- */

static bool agg_same_id(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a == '_' ? '-' : *a, y = *b == '_' ? '-' : *b;
        if (x != y)
            return false;
    }
    return *a == *b;
}

const form_table *agg_find_table(const form_set *s, const char *id)
{
    for (size_t i = 0; s && i < s->ntables; i++)
        if (agg_same_id(s->tables[i].id, id))
            return &s->tables[i];
    return NULL;
}

long agg_find_row(const form_table *t, const char *key)
{
    for (size_t i = 0; i < t->nrows; i++)
        if (strcmp(t->rows[i].key, key) == 0)
            return (long)i;
    return -1;
}

long agg_find_col(const form_table *t, const char *code)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].code, code) == 0)
            return (long)i;
    return -1;
}
