/* rule_compile — from syntax tree to compiled program: names resolved to fields, facts, let
 * slots and enum values; types checked; constants folded; lets ordered by dependency (a cycle
 * is an error naming it); every pattern compiled once; forms, lists and tests checked.
 *
 * Nodes are hash-consed: structurally equal subexpressions get the same index, so "the same
 * predicate" in two forms is evaluated once per case. A let is compiled on first use in each
 * context (case or THAHC); the order in which lets finish is their evaluation order. */
#include "rule_compile.h"

#include "agg.h"

#include "read_text.h"
#include "rule_eval.h"
#include "rule_parse.h"
#include "strpool.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- names the language knows --------------------------------------------------------------- */

enum { BK_CASE, BK_FACT, BK_PERIOD, BK_THAHC };

typedef struct {
    const char *name;
    int ctx; /* RCTX_* or -1 for both */
    int kind;
    int id;
    uint8_t type;
    uint16_t dom;
} cc_builtin;

#define DOM_MAPPED 0xFFFF /* resolved to the map of the same name */

/* A schema.h column type as an expression type, and its domain (a MAP column's values are the
 * map of the same name). */
#define CC_RT_TEXT RT_TEXT
#define CC_RT_DATE RT_DATE
#define CC_RT_MONEY RT_MONEY
#define CC_RT_MAP RT_ENUM
#define CC_DOM_TEXT 0
#define CC_DOM_DATE 0
#define CC_DOM_MONEY 0
#define CC_DOM_MAP DOM_MAPPED
#define CC_X_CASE(id, name, type, req) {name, RCTX_CASE, BK_CASE, CF_##id, CC_RT_##type, CC_DOM_##type},
#define CC_X_THAHC(id, name, type, req)                                                          \
    {name, RCTX_THAHC, BK_THAHC, TF_##id, CC_RT_##type, CC_DOM_##type},
#define CC_X_NAME(id, name, type, req) name,

static const cc_builtin cc_builtins[] = {
    SCHEMA_CASES(CC_X_CASE)
    {"state", RCTX_CASE, BK_FACT, FA_STATE, RT_ENUM, RULE_DOM_STATE},
    {"carried", RCTX_CASE, BK_FACT, FA_CARRIED, RT_BOOL, 0},
    {"new", RCTX_CASE, BK_FACT, FA_NEW, RT_BOOL, 0},
    {"condition", RCTX_CASE, BK_FACT, FA_CONDITION, RT_ENUM, RULE_DOM_CONDITION},
    {"suspension", RCTX_CASE, BK_FACT, FA_SUSPENSION, RT_ENUM, RULE_DOM_SUSPENSION},
    {"O", RCTX_CASE, BK_FACT, FA_O, RT_MONEY, 0},
    {"before", RCTX_CASE, BK_FACT, FA_BEFORE, RT_MONEY, 0},
    {"B", RCTX_CASE, BK_FACT, FA_B, RT_MONEY, 0},
    {"collected", RCTX_CASE, BK_FACT, FA_COLLECTED, RT_MONEY, 0},
    {"reduced", RCTX_CASE, BK_FACT, FA_REDUCED, RT_MONEY, 0},
    {"remaining", RCTX_CASE, BK_FACT, FA_REMAINING, RT_MONEY, 0},
    {"terminal_date", RCTX_CASE, BK_FACT, FA_TERMINAL_DATE, RT_DATE, 0},
    {"last_event_date", RCTX_CASE, BK_FACT, FA_LAST_EVENT_DATE, RT_DATE, 0},
    {"last_note", RCTX_CASE, BK_FACT, FA_LAST_NOTE, RT_TEXT, 0},
    {"first_verify_date", RCTX_CASE, BK_FACT, FA_FIRST_VERIFY_DATE, RT_DATE, 0},
    {"last_verify_date", RCTX_CASE, BK_FACT, FA_LAST_VERIFY_DATE, RT_DATE, 0},
    {"last_verify_note", RCTX_CASE, BK_FACT, FA_LAST_VERIFY_NOTE, RT_TEXT, 0},
    {"condition_since", RCTX_CASE, BK_FACT, FA_CONDITION_SINCE, RT_DATE, 0},
    {"suspension_since", RCTX_CASE, BK_FACT, FA_SUSPENSION_SINCE, RT_DATE, 0},
    {"S", -1, BK_PERIOD, RP_S, RT_DATE, 0},
    {"E", -1, BK_PERIOD, RP_E, RT_DATE, 0},
    {"year", -1, BK_PERIOD, RP_YEAR, RT_INT, 0},
    SCHEMA_THAHC(CC_X_THAHC)
};
#define CC_NBUILTINS (sizeof cc_builtins / sizeof cc_builtins[0])

/* Canonical columns of each input file (for `columns` blocks). */
static const char *const cc_case_cols[] = {SCHEMA_CASES(CC_X_NAME) NULL};
static const char *const cc_event_cols[] = {SCHEMA_EVENTS(CC_X_NAME) NULL};
static const char *const cc_thahc_cols[] = {SCHEMA_THAHC(CC_X_NAME) NULL};

static const char *const cc_susp_names[] = {"none", "hoan_c", "hoan", "tam_dinh_chi", "khac"};

static bool cc_in_list(const char *const *list, const char *s)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

/* The builtin `name` visible in ctx, or NULL. */
static const cc_builtin *cc_builtin_find(const char *name, int ctx)
{
    for (size_t i = 0; i < CC_NBUILTINS; i++)
        if (cc_builtins[i].name[0] == name[0] &&
            (cc_builtins[i].ctx == ctx || cc_builtins[i].ctx == -1) &&
            strcmp(cc_builtins[i].name, name) == 0)
            return &cc_builtins[i];
    return NULL;
}

/* ---- domains -------------------------------------------------------------------------------- */

const char *rule_dom_name(const rule_set *rs, int dom)
{
    switch (dom) {
    case RULE_DOM_STATE: return "state";
    case RULE_DOM_CONDITION: return "condition";
    case RULE_DOM_SUSPENSION: return "suspension";
    default:
        if (dom >= RULE_DOM_MAP0 && (size_t)(dom - RULE_DOM_MAP0) < rs->nmaps)
            return rs->maps[dom - RULE_DOM_MAP0].ast->name;
        return "?";
    }
}

size_t rule_dom_count(const rule_set *rs, int dom)
{
    switch (dom) {
    case RULE_DOM_STATE: return ST__COUNT;
    case RULE_DOM_CONDITION: return 3;
    case RULE_DOM_SUSPENSION: return 5;
    default:
        if (dom >= RULE_DOM_MAP0 && (size_t)(dom - RULE_DOM_MAP0) < rs->nmaps)
            return rule_map_value_count(rs->maps[dom - RULE_DOM_MAP0].map);
        return 0;
    }
}

const char *rule_dom_value(const rule_set *rs, int dom, size_t i)
{
    if (i >= rule_dom_count(rs, dom))
        return NULL;
    switch (dom) {
    case RULE_DOM_STATE: return replay_state_name((int)i);
    case RULE_DOM_CONDITION: return replay_condition_name((int)i);
    case RULE_DOM_SUSPENSION: return cc_susp_names[i];
    default: return rule_map_value_name(rs->maps[dom - RULE_DOM_MAP0].map, i);
    }
}

int rule_dom_index(const rule_set *rs, int dom, const char *name)
{
    size_t n = rule_dom_count(rs, dom);
    for (size_t i = dom == RULE_DOM_STATE ? 1 : 0; i < n; i++) /* "out" is never a value */
        if (strcmp(rule_dom_value(rs, dom, i), name) == 0)
            return (int)i;
    return -1;
}

const char *rule_type_name(const rule_set *rs, int type, int dom)
{
    switch (type) {
    case RT_NULL: return "null";
    case RT_BOOL: return "đúng/sai";
    case RT_INT: return "số nguyên";
    case RT_MONEY: return "tiền";
    case RT_DATE: return "ngày";
    case RT_DURATION: return "khoảng thời gian";
    case RT_TEXT: return "văn bản";
    case RT_ENUM: return dom == RULE_DOM_NONE ? "giá trị chưa có bảng nhận dạng (map)" : rule_dom_name(rs, dom);
    case RT_RATE: return "tỷ lệ";
    default: return "?";
    }
}

/* Lists the values of dom into out ("xong, dinh_chi, ..."). */
static void cc_dom_values(const rule_set *rs, int dom, char *out, size_t n)
{
    size_t at = 0;
    out[0] = '\0';
    size_t cnt = rule_dom_count(rs, dom);
    for (size_t i = dom == RULE_DOM_STATE ? 1 : 0; i < cnt && at + 1 < n; i++) {
        int w = snprintf(out + at, n - at, "%s%s", at ? ", " : "", rule_dom_value(rs, dom, i));
        if (w < 0)
            break;
        at += (size_t)w;
    }
}

/* ---- the compiler state --------------------------------------------------------------------- */

typedef struct {
    rule_set *rs;
    rule_diag *d;
    int ctx;
    size_t *let_stack;
    size_t nlet_stack, let_stack_cap;
    int *col_stack; /* columns being inlined by prior() */
    size_t ncol_stack, col_stack_cap;
    size_t depth;       /* cc_expr calls open, counting those inside the lets and columns used */
    bool deep_reported; /* CC_MAX_DEPTH was reported once */
} cc;

/* Expressions are compiled recursively, and a let is compiled where it is first used, so a
 * chain of lets each naming the one before nests as deep as the chain. One limit bounds the
 * stack: the parser's tree height (PARSE_MAX_HEIGHT) and this depth through lets. */
#define CC_MAX_DEPTH 1000

#define E(c, loc, ...) rule_diag_error((c)->d, (loc), __VA_ARGS__)

static uint32_t cc_hash(const rule_node *n)
{
    uint64_t h = 1469598103934665603ull;
    int64_t f[9] = {n->op, n->type, n->cls, n->dom, n->aux, n->a, n->b, n->c, n->k};
    for (size_t i = 0; i < 9; i++) {
        h ^= (uint64_t)f[i];
        h *= 1099511628211ull;
        h ^= h >> 29;
    }
    return (uint32_t)h;
}

static bool cc_same(const rule_node *x, const rule_node *y)
{
    return x->op == y->op && x->type == y->type && x->cls == y->cls && x->dom == y->dom &&
           x->aux == y->aux && x->a == y->a && x->b == y->b && x->c == y->c && x->k == y->k;
}

static void cc_rehash(rule_set *rs, size_t slots)
{
    free(rs->hcons);
    rs->hcons = thk_xcalloc(slots, sizeof *rs->hcons);
    rs->hmask = slots - 1;
    for (size_t i = 0; i < rs->nnodes; i++) {
        size_t h = cc_hash(&rs->nodes[i]) & rs->hmask;
        while (rs->hcons[h])
            h = (h + 1) & rs->hmask;
        rs->hcons[h] = (uint32_t)i + 1;
    }
}

/* The index of a node equal to nd, adding it when new. */
static int32_t cc_node(rule_set *rs, rule_node nd)
{
    if (!rs->hcons || (rs->nnodes + 1) * 2 > rs->hmask + 1)
        cc_rehash(rs, rs->hcons ? (rs->hmask + 1) * 2 : 256);
    size_t h = cc_hash(&nd) & rs->hmask;
    while (rs->hcons[h]) {
        if (cc_same(&rs->nodes[rs->hcons[h] - 1], &nd))
            return (int32_t)rs->hcons[h] - 1;
        h = (h + 1) & rs->hmask;
    }
    if (rs->nnodes == rs->nodes_cap) {
        rs->nodes_cap = rs->nodes_cap ? rs->nodes_cap * 2 : 256;
        rs->nodes = thk_xrealloc(rs->nodes, rs->nodes_cap * sizeof *rs->nodes);
    }
    rs->nodes[rs->nnodes] = nd;
    rs->hcons[h] = (uint32_t)rs->nnodes + 1;
    return (int32_t)rs->nnodes++;
}

static rule_node cc_mk(int op, int type, int32_t a, int32_t b)
{
    rule_node n;
    memset(&n, 0, sizeof n);
    n.op = (uint16_t)op;
    n.type = (uint8_t)type;
    n.a = a;
    n.b = b;
    return n;
}

static int32_t cc_const(rule_set *rs, int type, int dom, int64_t k, int aux)
{
    rule_node n = cc_mk(OP_CONST, type, 0, 0);
    n.dom = (uint16_t)dom;
    n.k = k;
    n.aux = (uint16_t)aux;
    return cc_node(rs, n);
}

static int32_t cc_const_text(rule_set *rs, const char *s, size_t len)
{
    if (rs->nstrs == rs->strs_cap) {
        rs->strs_cap = rs->strs_cap ? rs->strs_cap * 2 : 16;
        rs->strs = thk_xrealloc(rs->strs, rs->strs_cap * sizeof *rs->strs);
    }
    rs->strs[rs->nstrs] = s;
    rule_node n = cc_mk(OP_CONST, RT_TEXT, (int32_t)rs->nstrs++, (int32_t)len);
    return cc_node(rs, n);
}

static const rule_node *cc_at(const cc *c, int32_t n)
{
    return &c->rs->nodes[n];
}

static int cc_type(const cc *c, int32_t n)
{
    return c->rs->nodes[n].type;
}

static bool cc_is_const(const cc *c, int32_t n)
{
    return c->rs->nodes[n].op == OP_CONST;
}

/* Folds node n when it is pure and all its operands are constants. Returns the node to use, or
 * -1 after reporting an overflow. */
static int32_t cc_fold(cc *c, int32_t n, rule_loc loc)
{
    const rule_node *nd = cc_at(c, n);
    switch ((rule_op)nd->op) {
    case OP_NOT:
    case OP_NEG:
    case OP_EMPTY:
        if (!cc_is_const(c, nd->a))
            return n;
        break;
    case OP_AND:
    case OP_OR:
    case OP_EQ:
    case OP_NE:
    case OP_LT:
    case OP_LE:
    case OP_GT:
    case OP_GE:
    case OP_ADD:
    case OP_SUB:
    case OP_DATE_ADD:
    case OP_DATE_SUB:
    case OP_CONTAINS:
        if (!cc_is_const(c, nd->a) || !cc_is_const(c, nd->b))
            return n;
        break;
    case OP_BETWEEN:
        if (!cc_is_const(c, nd->a) || !cc_is_const(c, nd->b) || !cc_is_const(c, nd->c))
            return n;
        break;
    case OP_IN:
        if (!cc_is_const(c, nd->a))
            return n;
        for (int32_t i = 0; i < nd->c; i++)
            if (!cc_is_const(c, c->rs->xs[nd->b + i]))
                return n;
        break;
    default:
        return n;
    }
    rule_eval_ctx x;
    memset(&x, 0, sizeof x);
    x.rs = c->rs;
    rule_val v;
    rule_eval(&x, n, &v);
    if (x.err) {
        E(c, loc, "tràn số trong một biểu thức hằng");
        return -1;
    }
    int type = nd->type, dom = nd->dom;
    if (v.null)
        return cc_const(c->rs, RT_NULL, 0, 0, 0);
    return cc_const(c->rs, type, dom, v.i, v.aux);
}

/* ---- forward declarations ------------------------------------------------------------------- */

static int32_t cc_expr(cc *c, const rule_expr *e);

/* ---- lets ----------------------------------------------------------------------------------- */

/* The index of let `name`, or -1: a hash lookup, so 20,000 lets compile in linear time. */
static int cc_let_find(const rule_set *rs, const char *name)
{
    if (!rs->let_names)
        return -1;
    uint32_t id = strpool_find(rs->let_names, name, strlen(name));
    return id == STRPOOL_NONE || id == 0 ? -1 : (int)(id - 1);
}

static int cc_extra_find(const rule_set *rs, const char *name)
{
    for (size_t i = 0; i < rs->nextras; i++)
        if (strcmp(rs->extras[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* The map over column `name` in ctx (a map named like a text column), or -1. */
static int cc_column_map(const rule_set *rs, const char *name, int ctx)
{
    for (size_t i = 0; i < rs->nmaps; i++) {
        const rule_mapdef *m = &rs->maps[i];
        if (m->loader || strcmp(m->ast->name, name) != 0)
            continue;
        if ((ctx == RCTX_CASE && m->case_col != RULE_NO_COL) ||
            (ctx == RCTX_THAHC && m->thahc_col != RULE_NO_COL))
            return (int)i;
    }
    return -1;
}

static int cc_map_find(const rule_set *rs, const char *name)
{
    for (size_t i = 0; i < rs->nmaps; i++)
        if (strcmp(rs->maps[i].ast->name, name) == 0)
            return (int)i;
    return -1;
}

/* The node that reads let li's value in the current context. */
static int32_t cc_let_value(cc *c, size_t li)
{
    rule_letdef *l = &c->rs->lets[li];
    int32_t root = l->node[c->ctx];
    if (root < 0)
        return -1;
    if (l->slot[c->ctx] < 0)
        return root; /* a constant */
    const rule_node *r = cc_at(c, root);
    rule_node n = cc_mk(OP_LET, r->type, l->slot[c->ctx], 0);
    n.dom = r->dom;
    n.aux = (uint16_t)c->ctx;
    return cc_node(c->rs, n);
}

/* Compiles let li in the current context (once) and returns the node reading it. A let whose
 * home is another context is compiled with its errors muted: they are reported in its home. */
static int32_t cc_let(cc *c, size_t li, rule_loc use)
{
    rule_set *rs = c->rs;
    rule_letdef *l = &rs->lets[li];
    unsigned bad = c->ctx == RCTX_CASE ? LET_USES_THAHC : LET_USES_CASE;
    if (l->uses & bad) {
        if (l->uses != (LET_USES_CASE | LET_USES_THAHC))
            E(c, use, "let '%s' dùng dữ liệu %s; không dùng được %s", l->ast->name,
              c->ctx == RCTX_CASE ? "THAHC" : "case",
              c->ctx == RCTX_CASE ? "cho việc" : "trong biểu THAHC");
        return -1;
    }
    if (l->state[c->ctx] == LET_DONE)
        return cc_let_value(c, li);
    if (l->state[c->ctx] == LET_ACTIVE) {
        size_t from = c->nlet_stack;
        while (from > 0 && c->let_stack[from - 1] != li)
            from--;
        if (from > 0)
            from--;
        thk_buf b = {0};
        for (size_t i = from; i < c->nlet_stack; i++)
            buf_printf(&b, "%s → ", rs->lets[c->let_stack[i]].ast->name);
        buf_printf(&b, "%s", l->ast->name);
        E(c, l->ast->loc, "các let gọi vòng nhau: %s", b.data);
        buf_free(&b);
        return -1;
    }
    l->state[c->ctx] = LET_ACTIVE;
    if (c->nlet_stack == c->let_stack_cap) {
        c->let_stack_cap = c->let_stack_cap ? c->let_stack_cap * 2 : 16;
        c->let_stack = thk_xrealloc(c->let_stack, c->let_stack_cap * sizeof *c->let_stack);
    }
    c->let_stack[c->nlet_stack++] = li;
    bool mute = c->ctx != l->home;
    if (mute)
        c->d->muted++;
    int32_t root = cc_expr(c, l->ast->e);
    if (mute)
        c->d->muted--;
    c->nlet_stack--;
    l->state[c->ctx] = LET_DONE;
    l->node[c->ctx] = root;
    l->slot[c->ctx] = -1;
    if (root >= 0 && !cc_is_const(c, root)) {
        l->slot[c->ctx] = (int32_t)rs->nslots[c->ctx]++;
        if (!rs->let_order[c->ctx]) /* each let has at most one slot per context */
            rs->let_order[c->ctx] = thk_xcalloc(rs->nlets + 1, sizeof *rs->let_order[0]);
        rs->let_order[c->ctx][rs->nlet_order[c->ctx]++] = (int32_t)li;
    }
    return cc_let_value(c, li);
}

/* ---- names ---------------------------------------------------------------------------------- */

/* True when `name` means something in the current context (without reporting anything). */
static bool cc_name_known(const cc *c, const char *name)
{
    return cc_let_find(c->rs, name) >= 0 || cc_builtin_find(name, c->ctx) ||
           (c->ctx == RCTX_CASE && cc_extra_find(c->rs, name) >= 0);
}

static int32_t cc_builtin_node(cc *c, const cc_builtin *b)
{
    rule_set *rs = c->rs;
    int op = b->kind == BK_CASE ? OP_CASE : b->kind == BK_FACT ? OP_FACT
           : b->kind == BK_PERIOD ? OP_PERIOD : OP_THAHC;
    rule_node n = cc_mk(op, b->type, b->id, 0);
    n.dom = b->dom;
    if (b->dom == DOM_MAPPED) {
        int mi = cc_map_find(rs, b->name);
        n.dom = (uint16_t)(mi >= 0 ? RULE_DOM_MAP0 + mi : RULE_DOM_NONE);
    }
    return cc_node(rs, n);
}

/* Edit distance of a and b, capped at 3 (names are short ASCII). */
static size_t cc_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40 || (la > lb ? la - lb : lb - la) > 2)
        return 3;
    size_t prev[41], cur[41];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t d = prev[j - 1] + (a[i - 1] != b[j - 1]);
            if (prev[j] + 1 < d)
                d = prev[j] + 1;
            if (cur[j - 1] + 1 < d)
                d = cur[j - 1] + 1;
            cur[j] = d;
        }
        memcpy(prev, cur, (lb + 1) * sizeof *prev);
    }
    return prev[lb] > 3 ? 3 : prev[lb];
}

/* The known name closest to `name` (at most 2 edits, and fewer than half its length), or NULL. */
static const char *cc_suggest(const cc *c, const char *name)
{
    const char *best = NULL;
    size_t bd = 3, max = strlen(name) / 2;
    if (max > 2)
        max = 2;
    for (size_t i = 0; i < c->rs->nlets; i++) {
        size_t d = cc_distance(name, c->rs->lets[i].ast->name);
        if (d < bd && d <= max) {
            bd = d;
            best = c->rs->lets[i].ast->name;
        }
    }
    for (size_t i = 0; i < CC_NBUILTINS; i++) {
        if (cc_builtins[i].ctx != c->ctx && cc_builtins[i].ctx != -1)
            continue;
        size_t d = cc_distance(name, cc_builtins[i].name);
        if (d < bd && d <= max) {
            bd = d;
            best = cc_builtins[i].name;
        }
    }
    for (size_t i = 0; c->ctx == RCTX_CASE && i < c->rs->nextras; i++) {
        size_t d = cc_distance(name, c->rs->extras[i].name);
        if (d < bd && d <= max) {
            bd = d;
            best = c->rs->extras[i].name;
        }
    }
    return best;
}

/* NAME in a case-level expression: a let, a mapped text column, a builtin or an extra case
 * column. */
static int32_t cc_name(cc *c, const char *name, rule_loc loc)
{
    rule_set *rs = c->rs;
    int li = cc_let_find(rs, name);
    if (li >= 0)
        return cc_let(c, (size_t)li, loc);
    int mi = cc_column_map(rs, name, c->ctx);
    if (mi >= 0) {
        const rule_mapdef *m = &rs->maps[mi];
        rule_node n = cc_mk(c->ctx == RCTX_CASE ? OP_CASE_MAP : OP_THAHC_MAP, RT_ENUM,
                            c->ctx == RCTX_CASE ? m->case_col : m->thahc_col, mi);
        n.dom = (uint16_t)(RULE_DOM_MAP0 + mi);
        return cc_node(rs, n);
    }
    const cc_builtin *b = cc_builtin_find(name, c->ctx);
    if (b)
        return cc_builtin_node(c, b);
    if (c->ctx == RCTX_CASE) {
        int ei = cc_extra_find(rs, name);
        if (ei >= 0)
            return cc_node(rs, cc_mk(OP_CASE_EXTRA, RT_TEXT, ei, 0));
    }
    const char *near = cc_suggest(c, name);
    if (cc_builtin_find(name, c->ctx == RCTX_CASE ? RCTX_THAHC : RCTX_CASE))
        E(c, loc, "'%s' là tên của %s; không dùng được %s", name,
          c->ctx == RCTX_CASE ? "THAHC" : "case",
          c->ctx == RCTX_CASE ? "cho việc" : "trong biểu THAHC");
    else if (near)
        E(c, loc, "tên không có: '%s' (có phải '%s'?)", name, near);
    else if (c->ctx == RCTX_CASE)
        E(c, loc, "tên không có: '%s' (cột thêm của cases.csv phải khai báo trong khối 'columns "
                  "cases')", name);
    else
        E(c, loc, "tên không có: '%s'", name);
    return -1;
}

/* ---- expressions ---------------------------------------------------------------------------- */

static const char *cc_tn(const cc *c, int32_t n)
{
    const rule_node *r = cc_at(c, n);
    return rule_type_name(c->rs, r->type, r->dom);
}

/* An operand compared with a value of `type`/`dom`: a bare name or a string compared with an
 * enum is one of its values. */
static int32_t cc_operand(cc *c, const rule_expr *e, int type, int dom)
{
    if (type != RT_ENUM || (e->kind != EX_NAME && e->kind != EX_STRING))
        return cc_expr(c, e);
    int v = rule_dom_index(c->rs, dom, e->s);
    if (v >= 0)
        return cc_const(c->rs, RT_ENUM, dom, v, 0);
    if (e->kind == EX_NAME && cc_name_known(c, e->s))
        return cc_expr(c, e); /* a name: the comparison checks its type */
    if (dom == RULE_DOM_NONE) {
        E(c, e->loc, "'%s' không phải một giá trị: không có map nào cho cột này các giá trị", e->s);
        return -1;
    }
    char vals[512];
    cc_dom_values(c->rs, dom, vals, sizeof vals);
    E(c, e->loc, "'%s' không phải giá trị của %s (các giá trị: %s)", e->s, rule_dom_name(c->rs, dom),
      vals);
    return -1;
}

/* Integer constants adapt to money next to money. */
static void cc_adapt(cc *c, int32_t *a, int32_t *b)
{
    int ta = cc_type(c, *a), tb = cc_type(c, *b);
    if (ta == RT_MONEY && tb == RT_INT && cc_is_const(c, *b))
        *b = cc_const(c->rs, RT_MONEY, 0, cc_at(c, *b)->k, 0);
    else if (tb == RT_MONEY && ta == RT_INT && cc_is_const(c, *a))
        *a = cc_const(c->rs, RT_MONEY, 0, cc_at(c, *a)->k, 0);
}

static const char *const cc_cmp_names[] = {"=", "!=", "<", "<=", ">", ">="};

/* Checks that a and b can be compared with op; returns the comparison class (0 numbers,
 * 1 text, 2 durations) or -1 after reporting. */
static int cc_comparable(cc *c, int op, int32_t *a, int32_t *b, rule_loc loc)
{
    if (cc_type(c, *a) == RT_NULL || cc_type(c, *b) == RT_NULL) {
        E(c, loc, "so sánh với null luôn sai; hãy dùng empty(x)");
        return -1;
    }
    cc_adapt(c, a, b);
    int ta = cc_type(c, *a), tb = cc_type(c, *b);
    if (ta != tb || (ta == RT_ENUM && cc_at(c, *a)->dom != cc_at(c, *b)->dom)) {
        E(c, loc, "không so sánh được %s với %s", cc_tn(c, *a), cc_tn(c, *b));
        return -1;
    }
    bool ordering = op != CMP_EQ && op != CMP_NE;
    if (ordering && (ta == RT_BOOL || ta == RT_ENUM || ta == RT_DURATION)) {
        E(c, loc, "'%s' cần số, tiền, ngày hoặc văn bản, không phải %s", cc_cmp_names[op],
          cc_tn(c, *a));
        return -1;
    }
    return ta == RT_TEXT ? 1 : ta == RT_DURATION ? 2 : 0;
}

/* cmp: a op b, with enum symbols resolved against the other side. */
static int32_t cc_cmp(cc *c, const rule_expr *e)
{
    bool defer = e->a->kind == EX_NAME && !cc_name_known(c, e->a->s);
    if (defer && e->b->kind == EX_NAME && !cc_name_known(c, e->b->s))
        return cc_name(c, e->a->s, e->a->loc); /* neither side is known: report the left */
    int32_t a = -2, b;
    if (!defer) {
        a = cc_expr(c, e->a);
        if (a < 0)
            return -1;
        b = cc_operand(c, e->b, cc_type(c, a), cc_at(c, a)->dom);
    } else {
        b = cc_expr(c, e->b);
    }
    if (b < 0)
        return -1;
    if (defer) {
        if (cc_type(c, b) != RT_ENUM)
            return cc_name(c, e->a->s, e->a->loc); /* reports the unknown name */
        a = cc_operand(c, e->a, RT_ENUM, cc_at(c, b)->dom);
        if (a < 0)
            return -1;
    }
    int cls = cc_comparable(c, e->op, &a, &b, e->loc);
    if (cls < 0)
        return -1;
    rule_node n = cc_mk(OP_EQ + e->op, RT_BOOL, a, b);
    n.cls = (uint8_t)cls;
    return cc_fold(c, cc_node(c->rs, n), e->loc);
}

/* a in (x, y, ...) */
static int32_t cc_in(cc *c, const rule_expr *e)
{
    int32_t a = cc_expr(c, e->a);
    if (a < 0)
        return -1;
    int32_t *ops = thk_xmalloc(e->nargs * sizeof *ops);
    int cls = 0;
    bool ok = true;
    for (size_t i = 0; i < e->nargs; i++) {
        int32_t aa = a;
        ops[i] = cc_operand(c, e->args[i], cc_type(c, a), cc_at(c, a)->dom);
        if (ops[i] < 0) {
            ok = false;
            continue;
        }
        int k = cc_comparable(c, CMP_EQ, &aa, &ops[i], e->args[i]->loc);
        if (k < 0)
            ok = false;
        else
            cls = k;
    }
    if (!ok) {
        free(ops);
        return -1;
    }
    rule_set *rs = c->rs;
    if (rs->nxs + e->nargs > rs->xs_cap) {
        rs->xs_cap = (rs->nxs + e->nargs) * 2;
        rs->xs = thk_xrealloc(rs->xs, rs->xs_cap * sizeof *rs->xs);
    }
    int32_t at = (int32_t)rs->nxs;
    memcpy(rs->xs + rs->nxs, ops, e->nargs * sizeof *ops);
    rs->nxs += e->nargs;
    free(ops);
    rule_node n = cc_mk(OP_IN, RT_BOOL, a, at);
    n.c = (int32_t)e->nargs;
    n.cls = (uint8_t)cls;
    return cc_fold(c, cc_node(rs, n), e->loc);
}

/* Compiles a pattern once per distinct (text, flags); reports PCRE2's message with a caret at
 * the offending byte. Returns the pattern index or -1. */
static int cc_pattern(cc *c, const char *text, size_t len, unsigned flags, rule_loc ploc)
{
    rule_set *rs = c->rs;
    thk_buf nfc = {0};
    text_nfc(text, len, &nfc);
    const char *t = nfc.data ? nfc.data : "";
    for (size_t i = 0; i < rs->npats; i++)
        if (rs->pats[i].flags == flags && strcmp(rs->pats[i].text, t) == 0) {
            buf_free(&nfc);
            return (int)i;
        }
    char err[256];
    size_t erroff = 0;
    rule_pat *p = rule_pat_compile(t, nfc.len, flags, err, sizeof err, &erroff);
    if (!p) {
        if (erroff > len)
            erroff = len;
        rule_loc at = rule_diag_loc(c->d, ploc.file, ploc.off + 1 + erroff, 1);
        E(c, at, "mẫu (pattern) sai: %s (tại vị trí %zu)", err, erroff);
        buf_free(&nfc);
        return -1;
    }
    if (rs->npats == rs->pats_cap) {
        rs->pats_cap = rs->pats_cap ? rs->pats_cap * 2 : 16;
        rs->pats = thk_xrealloc(rs->pats, rs->pats_cap * sizeof *rs->pats);
    }
    rule_patdef *pd = &rs->pats[rs->npats];
    memset(pd, 0, sizeof *pd);
    pd->pat = p;
    pd->text = thk_xstrdup(t);
    pd->flags = flags;
    pd->loc = ploc;
    rule_diag_where(c->d, ploc, pd->where, sizeof pd->where);
    buf_free(&nfc);
    return (int)rs->npats++;
}

static int32_t cc_match(cc *c, const rule_expr *e)
{
    int32_t a = cc_expr(c, e->a);
    if (a < 0)
        return -1;
    if (cc_type(c, a) != RT_TEXT) {
        E(c, e->loc, "'~' so khớp văn bản, không phải %s", cc_tn(c, a));
        return -1;
    }
    int p = cc_pattern(c, e->s, e->slen, e->flags, e->ploc);
    if (p < 0)
        return -1;
    return cc_node(c->rs, cc_mk(OP_MATCH, RT_BOOL, a, p));
}

/* a + b, a - b */
static int32_t cc_arith(cc *c, const rule_expr *e)
{
    int32_t a = cc_expr(c, e->a), b = cc_expr(c, e->b);
    if (a < 0 || b < 0)
        return -1;
    bool add = e->kind == EX_ADD;
    cc_adapt(c, &a, &b);
    int ta = cc_type(c, a), tb = cc_type(c, b);
    rule_node n;
    if (ta == tb && (ta == RT_INT || ta == RT_MONEY)) {
        n = cc_mk(add ? OP_ADD : OP_SUB, ta, a, b);
        n.cls = ta == RT_MONEY;
    } else if (ta == RT_DATE && tb == RT_DURATION) {
        n = cc_mk(add ? OP_DATE_ADD : OP_DATE_SUB, RT_DATE, a, b);
    } else if (add && ta == RT_DURATION && tb == RT_DATE) {
        n = cc_mk(OP_DATE_ADD, RT_DATE, b, a);
    } else {
        if (add)
            E(c, e->loc, "không cộng được %s với %s", cc_tn(c, a), cc_tn(c, b));
        else
            E(c, e->loc, "không trừ được %s khỏi %s", cc_tn(c, b), cc_tn(c, a));
        return -1;
    }
    return cc_fold(c, cc_node(c->rs, n), e->loc);
}

static bool cc_argc(cc *c, const rule_expr *e, size_t want, const char *sig)
{
    if (e->where) {
        E(c, e->where->loc, "'where' chỉ dùng trong sum(...)");
        return false;
    }
    if (e->nargs != want) {
        E(c, e->loc, "%s() nhận %zu đối số (%s), ở đây có %zu", e->s, want, sig, e->nargs);
        return false;
    }
    return true;
}

static bool cc_want(cc *c, int32_t n, int type, const rule_expr *e, const char *fn)
{
    if (n < 0)
        return false;
    if (cc_type(c, n) != type) {
        E(c, e->loc, "%s() cần %s ở đây, không phải %s", fn, rule_type_name(c->rs, type, 0),
          cc_tn(c, n));
        return false;
    }
    return true;
}

static bool cc_is_aggregate(const char *fn)
{
    return strcmp(fn, "count") == 0 || strcmp(fn, "sum") == 0 || strcmp(fn, "percent") == 0 ||
           strcmp(fn, "target") == 0 || strcmp(fn, "prior") == 0;
}

/* Case-level functions: older, years, empty, between, contains. */
static int32_t cc_call(cc *c, const rule_expr *e)
{
    const char *fn = e->s;
    if (cc_is_aggregate(fn)) {
        E(c, e->loc, "%s() chỉ dùng trong cột của biểu", fn);
        return -1;
    }
    if (strcmp(fn, "older") == 0) {
        if (!cc_argc(c, e, 2, "ngày, khoảng thời gian"))
            return -1;
        int32_t a = cc_expr(c, e->args[0]), b = cc_expr(c, e->args[1]);
        if (!cc_want(c, a, RT_DATE, e->args[0], fn) || !cc_want(c, b, RT_DURATION, e->args[1], fn))
            return -1;
        return cc_node(c->rs, cc_mk(OP_OLDER, RT_BOOL, a, b));
    }
    if (strcmp(fn, "years") == 0) {
        if (!cc_argc(c, e, 1, "ngày"))
            return -1;
        int32_t a = cc_expr(c, e->args[0]);
        if (!cc_want(c, a, RT_DATE, e->args[0], fn))
            return -1;
        return cc_node(c->rs, cc_mk(OP_YEARS, RT_INT, a, 0));
    }
    if (strcmp(fn, "if") == 0) {
        if (!cc_argc(c, e, 3, "điều kiện, giá trị, giá trị"))
            return -1;
        int32_t k = cc_expr(c, e->args[0]);
        if (!cc_want(c, k, RT_BOOL, e->args[0], fn))
            return -1;
        int32_t a = cc_expr(c, e->args[1]);
        int32_t b = a < 0 ? -1 : cc_operand(c, e->args[2], cc_type(c, a), cc_at(c, a)->dom);
        if (a < 0 || b < 0)
            return -1;
        cc_adapt(c, &a, &b);
        const rule_node *na = cc_at(c, a), *nb = cc_at(c, b);
        int ta = na->type == RT_NULL ? nb->type : na->type;
        int tb = nb->type == RT_NULL ? na->type : nb->type;
        if (ta != tb || (ta == RT_ENUM && na->dom != nb->dom)) {
            E(c, e->loc, "if() cho %s hoặc %s: hai giá trị phải cùng một kiểu", cc_tn(c, a),
              cc_tn(c, b));
            return -1;
        }
        rule_node n = cc_mk(OP_IF, (uint8_t)ta, k, a);
        n.c = b;
        n.dom = na->type == RT_NULL ? nb->dom : na->dom;
        return cc_node(c->rs, n);
    }
    if (strcmp(fn, "days") == 0) {
        if (!cc_argc(c, e, 1, "ngày"))
            return -1;
        int32_t a = cc_expr(c, e->args[0]);
        if (!cc_want(c, a, RT_DATE, e->args[0], fn))
            return -1;
        return cc_node(c->rs, cc_mk(OP_DAYS, RT_INT, a, 0));
    }
    if (strcmp(fn, "empty") == 0) {
        if (!cc_argc(c, e, 1, "giá trị"))
            return -1;
        int32_t a = cc_expr(c, e->args[0]);
        if (a < 0)
            return -1;
        return cc_fold(c, cc_node(c->rs, cc_mk(OP_EMPTY, RT_BOOL, a, 0)), e->loc);
    }
    if (strcmp(fn, "between") == 0) {
        if (!cc_argc(c, e, 3, "giá trị, cận dưới, cận trên"))
            return -1;
        int32_t a = cc_expr(c, e->args[0]);
        if (a < 0)
            return -1;
        int32_t lo = cc_operand(c, e->args[1], cc_type(c, a), cc_at(c, a)->dom);
        int32_t hi = cc_operand(c, e->args[2], cc_type(c, a), cc_at(c, a)->dom);
        if (lo < 0 || hi < 0)
            return -1;
        int32_t a2 = a;
        int k1 = cc_comparable(c, CMP_LE, &a, &lo, e->args[1]->loc);
        int k2 = k1 < 0 ? -1 : cc_comparable(c, CMP_LE, &a2, &hi, e->args[2]->loc);
        if (k1 < 0 || k2 < 0)
            return -1;
        rule_node n = cc_mk(OP_BETWEEN, RT_BOOL, a, lo);
        n.c = hi;
        n.cls = (uint8_t)k1;
        return cc_fold(c, cc_node(c->rs, n), e->loc);
    }
    if (strcmp(fn, "contains") == 0) {
        if (!cc_argc(c, e, 2, "văn bản, văn bản"))
            return -1;
        int32_t a = cc_expr(c, e->args[0]), b = cc_expr(c, e->args[1]);
        if (!cc_want(c, a, RT_TEXT, e->args[0], fn) || !cc_want(c, b, RT_TEXT, e->args[1], fn))
            return -1;
        return cc_fold(c, cc_node(c->rs, cc_mk(OP_CONTAINS, RT_BOOL, a, b)), e->loc);
    }
    E(c, e->loc, "hàm không có: '%s' (các hàm: older, years, days, if, empty, between, "
                 "contains; trong cột của biểu thêm count, sum, percent, target, prior)", fn);
    return -1;
}

/* e compiled as a boolean; otherwise the error "'<op>' needs true/false values, not <type>"
 * (an operand of op) or "<what> must be true/false, not <type>" (a condition). The message is
 * only formatted when it is needed: this runs for every operand of a 12 MB rule file. */
static int32_t cc_bool_expr(cc *c, const rule_expr *e, const char *op, const char *what)
{
    int32_t n = cc_expr(c, e);
    if (n < 0)
        return -1;
    if (cc_type(c, n) != RT_BOOL) {
        if (op)
            E(c, e->loc, "'%s' cần giá trị đúng/sai, không phải %s", op, cc_tn(c, n));
        else
            E(c, e->loc, "%s phải là đúng/sai, không phải %s", what, cc_tn(c, n));
        return -1;
    }
    return n;
}

static int32_t cc_bool_operand(cc *c, const rule_expr *e, const char *op)
{
    return cc_bool_expr(c, e, op, NULL);
}

static int32_t cc_expr_at(cc *c, const rule_expr *e)
{
    rule_set *rs = c->rs;
    switch (e->kind) {
    case EX_INT: return cc_const(rs, RT_INT, 0, e->i, 0);
    case EX_PERCENT: return cc_const(rs, RT_RATE, 0, e->i, 0);
    case EX_STRING: return cc_const_text(rs, e->s, e->slen);
    case EX_DATE: return cc_const(rs, RT_DATE, 0, e->i, 0);
    case EX_DURATION: return cc_const(rs, RT_DURATION, 0, e->i, e->op);
    case EX_BOOL: return cc_const(rs, RT_BOOL, 0, e->i, 0);
    case EX_NULL: return cc_const(rs, RT_NULL, 0, 0, 0);
    case EX_NAME: return cc_name(c, e->s, e->loc);
    case EX_CALL: return cc_call(c, e);
    case EX_NEG: {
        int32_t a = cc_expr(c, e->a);
        if (a < 0)
            return -1;
        int t = cc_type(c, a);
        if (t != RT_INT && t != RT_MONEY && t != RT_DURATION) {
            E(c, e->loc, "không đổi dấu được %s", cc_tn(c, a));
            return -1;
        }
        return cc_fold(c, cc_node(rs, cc_mk(OP_NEG, t, a, 0)), e->loc);
    }
    case EX_NOT: {
        int32_t a = cc_bool_operand(c, e->a, "not");
        if (a < 0)
            return -1;
        return cc_fold(c, cc_node(rs, cc_mk(OP_NOT, RT_BOOL, a, 0)), e->loc);
    }
    case EX_AND:
    case EX_OR: {
        const char *op = e->kind == EX_AND ? "and" : "or";
        int32_t a = cc_bool_operand(c, e->a, op), b = cc_bool_operand(c, e->b, op);
        if (a < 0 || b < 0)
            return -1;
        return cc_fold(c, cc_node(rs, cc_mk(e->kind == EX_AND ? OP_AND : OP_OR, RT_BOOL, a, b)),
                       e->loc);
    }
    case EX_CMP: return cc_cmp(c, e);
    case EX_IN: return cc_in(c, e);
    case EX_MATCH: return cc_match(c, e);
    case EX_ADD:
    case EX_SUB: return cc_arith(c, e);
    }
    return -1;
}

/* Compiles e, refusing to nest deeper than CC_MAX_DEPTH (reported once, at the expression
 * where the limit was reached, naming the let being compiled). */
static int32_t cc_expr(cc *c, const rule_expr *e)
{
    if (c->depth >= CC_MAX_DEPTH) {
        if (!c->deep_reported) {
            c->deep_reported = true;
            if (c->nlet_stack > 0)
                E(c, e->loc,
                  "biểu thức lồng quá sâu: hơn %d tầng, tính cả các let nó dùng (qua let '%s' "
                  "và %zu let bên dưới); hãy bớt các let gọi lẫn nhau",
                  CC_MAX_DEPTH, c->rs->lets[c->let_stack[0]].ast->name, c->nlet_stack - 1);
            else
                E(c, e->loc, "biểu thức lồng quá sâu: hơn %d tầng", CC_MAX_DEPTH);
        }
        return -1;
    }
    c->depth++;
    int32_t n = cc_expr_at(c, e);
    c->depth--;
    return n;
}

/* A condition: a boolean expression. */
static int32_t cc_cond(cc *c, const rule_expr *e, const char *what)
{
    return cc_bool_expr(c, e, NULL, what);
}

int32_t rule_compile_expr(rule_set *rs, const rule_expr *e, int ctx)
{
    cc c = {.rs = rs, .d = &rs->diag, .ctx = ctx};
    int32_t n = cc_expr(&c, e);
    free(c.let_stack);
    return n;
}

/* ---- let domains ---------------------------------------------------------------------------- */

/* Growable list of let indexes (the lets one let names). */
typedef struct {
    uint32_t *v;
    size_t n, cap;
} cc_ivec;

static void cc_ivec_push(cc_ivec *a, uint32_t x)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 4;
        a->v = thk_xrealloc(a->v, a->cap * sizeof *a->v);
    }
    a->v[a->n++] = x;
}

/* Which kinds of data a let's names need, directly; the lets it names go to *lets (folded in
 * by cc_let_domains). */
static void cc_uses_walk(const rule_set *rs, const rule_expr *e, unsigned *uses, cc_ivec *lets)
{
    if (!e)
        return;
    if (e->kind == EX_NAME) {
        int li = cc_let_find(rs, e->s);
        if (li >= 0) {
            cc_ivec_push(lets, (uint32_t)li);
            return;
        }
        bool in_case = cc_builtin_find(e->s, RCTX_CASE) || cc_extra_find(rs, e->s) >= 0;
        bool in_thahc = cc_builtin_find(e->s, RCTX_THAHC) != NULL;
        if (in_case && !in_thahc)
            *uses |= LET_USES_CASE;
        if (in_thahc && !in_case)
            *uses |= LET_USES_THAHC;
        return;
    }
    cc_uses_walk(rs, e->a, uses, lets);
    cc_uses_walk(rs, e->b, uses, lets);
    cc_uses_walk(rs, e->where, uses, lets);
    for (size_t i = 0; i < e->nargs; i++)
        cc_uses_walk(rs, e->args[i], uses, lets);
}

/* Folds into each let the uses of every let it reaches: one depth-first pass with an explicit
 * stack (a chain of 20,000 lets neither recurses 20,000 deep nor takes n² steps). Inside a
 * cycle the fold may be partial; the cycle itself is reported when the let is compiled. */
static void cc_let_domains(cc *c)
{
    rule_set *rs = c->rs;
    size_t n = rs->nlets;
    cc_ivec *deps = thk_xcalloc(n + 1, sizeof *deps);
    for (size_t i = 0; i < n; i++)
        cc_uses_walk(rs, rs->lets[i].ast->e, &rs->lets[i].uses, &deps[i]);
    enum { WHITE, GREY, BLACK };
    unsigned char *mark = thk_xcalloc(n + 1, 1);
    size_t *stack = thk_xcalloc(n + 1, sizeof *stack), *next = thk_xcalloc(n + 1, sizeof *next);
    for (size_t root = 0; root < n; root++) {
        if (mark[root] != WHITE)
            continue;
        size_t top = 0;
        stack[top++] = root;
        mark[root] = GREY;
        while (top > 0) {
            size_t i = stack[top - 1];
            if (next[i] < deps[i].n) {
                size_t j = deps[i].v[next[i]++];
                if (mark[j] == WHITE) {
                    mark[j] = GREY;
                    stack[top++] = j;
                } else {
                    rs->lets[i].uses |= rs->lets[j].uses; /* done, or on the stack (a cycle) */
                }
                continue;
            }
            mark[i] = BLACK;
            top--;
            if (top > 0)
                rs->lets[stack[top - 1]].uses |= rs->lets[i].uses;
        }
    }
    for (size_t i = 0; i < n; i++)
        free(deps[i].v);
    free(deps);
    free(mark);
    free(stack);
    free(next);
    for (size_t i = 0; i < n; i++) {
        rule_letdef *l = &rs->lets[i];
        l->home = l->uses == LET_USES_THAHC ? RCTX_THAHC : RCTX_CASE;
        if (l->uses == (LET_USES_CASE | LET_USES_THAHC))
            E(c, l->ast->loc, "let '%s' trộn tên của việc với tên của THAHC", l->ast->name);
    }
}

/* ---- forms ---------------------------------------------------------------------------------- */

static int32_t ag_node(agg_form *f, int op, int kind, int32_t a, int32_t b, int64_t k)
{
    if (f->nan == f->an_cap) {
        f->an_cap = f->an_cap ? f->an_cap * 2 : 32;
        f->an = thk_xrealloc(f->an, f->an_cap * sizeof *f->an);
    }
    f->an[f->nan] = (agg_node){(uint8_t)op, (uint8_t)kind, a, b, k};
    return (int32_t)f->nan++;
}

static int ag_find_col(const agg_form *f, const char *code)
{
    for (size_t i = 0; i < f->ncols; i++)
        if (strcmp(f->cols[i].ast->code, code) == 0)
            return (int)i;
    return -1;
}

/* The accumulator of (is_sum, prior, pred, val) in form f, added when new with its name: the
 * aggregate e as written ("(count tt_co_dk)", "prior (sum B where carried)"), which names it in
 * accumulators.csv. */
static int32_t ag_acc(agg_form *f, bool is_sum, bool prior, int32_t pred, int32_t val,
                      const rule_expr *e)
{
    thk_buf name = {0};
    if (prior)
        buf_printf(&name, "prior ");
    rule_ast_dump(e, &name);
    /* the same aggregate written twice is one accumulator (and one name) */
    for (size_t i = 0; i < f->naccs; i++) {
        const agg_acc *a = &f->accs[i];
        if ((a->is_sum == is_sum && a->prior == prior && a->pred == pred && a->val == val) ||
            strcmp(a->name, name.data) == 0) {
            buf_free(&name);
            return (int32_t)i;
        }
    }
    if (f->naccs == f->accs_cap) {
        f->accs_cap = f->accs_cap ? f->accs_cap * 2 : 16;
        f->accs = thk_xrealloc(f->accs, f->accs_cap * sizeof *f->accs);
    }
    f->accs[f->naccs] = (agg_acc){is_sum, prior, pred, val, -1, name.data};
    return (int32_t)f->naccs++;
}

static const char *ag_kind_name(int kind)
{
    switch (kind) {
    case FORM_KIND_COUNT: return "số việc";
    case FORM_KIND_MONEY: return "tiền";
    case FORM_KIND_RATE: return "tỷ lệ";
    default: return "số";
    }
}

static int32_t ag_expr(cc *c, agg_form *f, const rule_expr *e, bool prior, int col);

/* count(...) / sum(...) inside a form column. */
static int32_t ag_aggregate(cc *c, agg_form *f, const rule_expr *e, bool prior)
{
    bool is_sum = strcmp(e->s, "sum") == 0;
    int32_t pred = -1, val = -1;
    if (!is_sum) {
        if (e->where) {
            E(c, e->where->loc, "'where' chỉ dùng trong sum(...); hãy viết count(a and b)");
            return -1;
        }
        if (e->nargs > 1) {
            E(c, e->loc, "count() nhận một điều kiện hoặc không có, ở đây có %zu", e->nargs);
            return -1;
        }
        if (e->nargs == 1 && (pred = cc_cond(c, e->args[0], "điều kiện của count()")) < 0)
            return -1;
        if (pred >= 0 && cc_is_const(c, pred)) /* count(true) = count() */
            pred = cc_at(c, pred)->k ? -1 : pred;
        return ag_node(f, AG_ACC, FORM_KIND_COUNT, ag_acc(f, false, prior, pred, -1, e), 0, 0);
    }
    if (e->nargs != 1) {
        E(c, e->loc, "sum() nhận một giá trị (và có thể một 'where'), ở đây có %zu", e->nargs);
        return -1;
    }
    val = cc_expr(c, e->args[0]);
    if (val < 0)
        return -1;
    int t = cc_type(c, val);
    if (t != RT_MONEY && t != RT_INT) {
        E(c, e->args[0]->loc, "sum() cộng tiền hoặc số nguyên, không phải %s", cc_tn(c, val));
        return -1;
    }
    if (e->where && (pred = cc_cond(c, e->where, "điều kiện của sum()")) < 0)
        return -1;
    return ag_node(f, AG_ACC, t == RT_MONEY ? FORM_KIND_MONEY : FORM_KIND_COUNT,
                   ag_acc(f, true, prior, pred, val, e), 0, 0);
}

/* The kind of a + b, or -1 after reporting. Integer literals take their partner's kind. */
static int ag_join(cc *c, int ka, int kb, rule_loc loc, const char *op)
{
    if (ka == AGG_KIND_LITERAL)
        return kb;
    if (kb == AGG_KIND_LITERAL || ka == kb)
        return ka;
    E(c, loc, "không %s %s với %s trong một cột được", op, ag_kind_name(ka), ag_kind_name(kb));
    return -1;
}

static int32_t ag_column_ref(cc *c, agg_form *f, int j, rule_loc loc, bool prior)
{
    if (!prior)
        return ag_node(f, AG_COL, AGG_KIND_LITERAL, j, 0, 0); /* kind known after ordering */
    for (size_t i = 0; i < c->ncol_stack; i++)
        if (c->col_stack[i] == j) {
            E(c, loc, "cột '%s' tự gọi chính nó qua prior()", f->cols[j].ast->code);
            return -1;
        }
    if (c->ncol_stack == c->col_stack_cap) {
        c->col_stack_cap = c->col_stack_cap ? c->col_stack_cap * 2 : 8;
        c->col_stack = thk_xrealloc(c->col_stack, c->col_stack_cap * sizeof *c->col_stack);
    }
    c->col_stack[c->ncol_stack++] = j;
    int32_t n = ag_expr(c, f, f->cols[j].ast->e, true, j);
    c->ncol_stack--;
    return n;
}

/* A form column expression: aggregates, other columns by code, literals, + and -. */
static int32_t ag_expr(cc *c, agg_form *f, const rule_expr *e, bool prior, int col)
{
    switch (e->kind) {
    case EX_INT:
        return ag_node(f, AG_CONST, AGG_KIND_LITERAL, 0, 0, e->i);
    case EX_PERCENT:
        return ag_node(f, AG_CONST, FORM_KIND_RATE, 0, 0, e->i);
    case EX_NAME: {
        int j = ag_find_col(f, e->s);
        if (j >= 0)
            return ag_column_ref(c, f, j, e->loc, prior);
        if (cc_name_known(c, e->s))
            E(c, e->loc, "'%s' là giá trị của một bản ghi; cột của biểu cộng các bản ghi bằng "
                         "count(...) hoặc sum(...)", e->s);
        else
            E(c, e->loc, "cột không có '%s' trong biểu %s", e->s, f->ast->id);
        return -1;
    }
    case EX_CALL: {
        const char *fn = e->s;
        if (strcmp(fn, "count") == 0 || strcmp(fn, "sum") == 0)
            return ag_aggregate(c, f, e, prior);
        if (e->where) {
            E(c, e->where->loc, "'where' chỉ dùng trong sum(...)");
            return -1;
        }
        if (strcmp(fn, "percent") == 0) {
            if (e->nargs != 2) {
                E(c, e->loc, "percent() nhận 2 đối số (tử số, mẫu số), ở đây có %zu",
                  e->nargs);
                return -1;
            }
            int32_t a = ag_expr(c, f, e->args[0], prior, col);
            int32_t b = ag_expr(c, f, e->args[1], prior, col);
            if (a < 0 || b < 0)
                return -1;
            for (int i = 0; i < 2; i++) {
                int k = f->an[i ? b : a].kind;
                if (k == FORM_KIND_RATE && f->an[i ? b : a].op != AG_COL) {
                    E(c, e->args[i]->loc, "percent() của một tỷ lệ; hãy dùng số việc hoặc tiền");
                    return -1;
                }
            }
            return ag_node(f, AG_PERCENT, FORM_KIND_RATE, a, b, 0);
        }
        if (strcmp(fn, "target") == 0) {
            if (e->nargs != 1 || e->args[0]->kind != EX_NAME) {
                E(c, e->loc, "target() nhận tên một chỉ tiêu");
                return -1;
            }
            const rule_ast *ast = c->rs->ast;
            for (size_t i = 0; i < ast->ntargets; i++)
                if (strcmp(ast->targets[i].name, e->args[0]->s) == 0)
                    return ag_node(f, AG_CONST, FORM_KIND_RATE, 0, 0, ast->targets[i].v);
            E(c, e->args[0]->loc, "chỉ tiêu không có: '%s'", e->args[0]->s);
            return -1;
        }
        if (strcmp(fn, "prior") == 0) {
            if (prior) {
                E(c, e->loc, "không lồng prior() vào nhau được");
                return -1;
            }
            if (e->nargs != 1) {
                E(c, e->loc, "prior() nhận một biểu thức cột");
                return -1;
            }
            f->uses_prior = true;
            return ag_expr(c, f, e->args[0], true, col);
        }
        if (cc_is_aggregate(fn))
            return -1;
        E(c, e->loc, "%s() làm việc trên một bản ghi; hãy dùng nó trong count(...) hoặc "
                     "sum(...), hoặc trong một let", fn);
        return -1;
    }
    case EX_NEG: {
        int32_t a = ag_expr(c, f, e->a, prior, col);
        if (a < 0)
            return -1;
        return ag_node(f, AG_NEG, f->an[a].kind, a, 0, 0);
    }
    case EX_ADD:
    case EX_SUB: {
        int32_t a = ag_expr(c, f, e->a, prior, col), b = ag_expr(c, f, e->b, prior, col);
        if (a < 0 || b < 0)
            return -1;
        int k = ag_join(c, f->an[a].kind, f->an[b].kind, e->loc,
                        e->kind == EX_ADD ? "cộng" : "trừ");
        if (k < 0)
            return -1;
        return ag_node(f, e->kind == EX_ADD ? AG_ADD : AG_SUB, k, a, b, 0);
    }
    default:
        E(c, e->loc, "cột của biểu là một số: count(...), sum(...), percent(...), target(...), "
                     "prior(...), các cột khác, + và -");
        return -1;
    }
}

/* Kinds of AG_COL nodes are only known once the referenced column is done. */
static int ag_kind(agg_form *f, int32_t n)
{
    agg_node *a = &f->an[n];
    switch (a->op) {
    case AG_COL: return f->cols[a->a].kind;
    case AG_ADD:
    case AG_SUB: {
        int ka = ag_kind(f, a->a), kb = ag_kind(f, a->b);
        return ka == AGG_KIND_LITERAL ? kb : ka;
    }
    case AG_NEG: return ag_kind(f, a->a);
    default: return a->kind;
    }
}

/* Re-checks kinds now that column kinds are known; returns false after reporting. */
static bool ag_recheck(cc *c, agg_form *f, int32_t n, rule_loc loc)
{
    agg_node *a = &f->an[n];
    if (a->op == AG_ADD || a->op == AG_SUB) {
        if (!ag_recheck(c, f, a->a, loc) || !ag_recheck(c, f, a->b, loc))
            return false;
        int ka = ag_kind(f, a->a), kb = ag_kind(f, a->b);
        if (ka != AGG_KIND_LITERAL && kb != AGG_KIND_LITERAL && ka != kb) {
            E(c, loc, "không %s %s với %s trong một cột được", a->op == AG_ADD ? "cộng" : "trừ",
              ag_kind_name(ka), ag_kind_name(kb));
            return false;
        }
    } else if (a->op == AG_NEG) {
        return ag_recheck(c, f, a->a, loc);
    } else if (a->op == AG_PERCENT) {
        if (!ag_recheck(c, f, a->a, loc) || !ag_recheck(c, f, a->b, loc))
            return false;
        if (ag_kind(f, a->a) == FORM_KIND_RATE || ag_kind(f, a->b) == FORM_KIND_RATE) {
            E(c, loc, "percent() của một tỷ lệ; hãy dùng số việc hoặc tiền");
            return false;
        }
    }
    return true;
}

static bool ag_linear(const agg_form *f, int32_t n)
{
    const agg_node *a = &f->an[n];
    switch (a->op) {
    case AG_ACC: return true;
    case AG_COL: return f->cols[a->a].linear;
    case AG_CONST: return a->k == 0 && a->kind != FORM_KIND_RATE;
    case AG_ADD:
    case AG_SUB: return ag_linear(f, a->a) && ag_linear(f, a->b);
    case AG_NEG: return ag_linear(f, a->a);
    default: return false;
    }
}

/* Orders columns so each comes after the columns it uses; reports cycles. */
static bool ag_visit(cc *c, agg_form *f, int j, int *stack, size_t depth);

static bool ag_visit_node(cc *c, agg_form *f, int32_t n, int *stack, size_t depth)
{
    const agg_node *a = &f->an[n];
    switch (a->op) {
    case AG_COL: return ag_visit(c, f, a->a, stack, depth);
    case AG_ADD:
    case AG_SUB:
    case AG_PERCENT: return ag_visit_node(c, f, a->a, stack, depth) &&
                            ag_visit_node(c, f, a->b, stack, depth);
    case AG_NEG: return ag_visit_node(c, f, a->a, stack, depth);
    default: return true;
    }
}

static bool ag_visit(cc *c, agg_form *f, int j, int *stack, size_t depth)
{
    agg_col *col = &f->cols[j];
    if (col->state == 2)
        return true;
    if (col->state == 1) {
        size_t from = 0;
        while (from < depth && stack[from] != j)
            from++;
        thk_buf b = {0};
        for (size_t i = from; i < depth; i++)
            buf_printf(&b, "%s → ", f->cols[stack[i]].ast->code);
        buf_printf(&b, "%s", col->ast->code);
        E(c, col->ast->loc, "các cột của biểu %s gọi vòng nhau: %s", f->ast->id, b.data);
        buf_free(&b);
        return false;
    }
    col->state = 1;
    stack[depth] = j;
    bool ok = col->root < 0 || ag_visit_node(c, f, col->root, stack, depth + 1);
    col->state = 2;
    if (!ok)
        return false;
    if (col->root >= 0) {
        if (!ag_recheck(c, f, col->root, col->ast->loc))
            return false;
        int k = ag_kind(f, col->root);
        col->kind = (uint8_t)(k == AGG_KIND_LITERAL
                                  ? (f->ast->measure == RULE_MEASURE_MONEY ? FORM_KIND_MONEY
                                                                           : FORM_KIND_COUNT)
                                  : k);
        col->linear = ag_linear(f, col->root);
    }
    f->order[f->norder++] = j;
    return true;
}

/* check lhs = rhs: column codes, integers, + and -. */
static int32_t ag_check_side(cc *c, agg_form *f, const rule_expr *e)
{
    switch (e->kind) {
    case EX_INT:
        return ag_node(f, AG_CONST, AGG_KIND_LITERAL, 0, 0, e->i);
    case EX_NAME: {
        int j = ag_find_col(f, e->s);
        if (j < 0) {
            E(c, e->loc, "check nhắc cột không có '%s' của biểu %s", e->s, f->ast->id);
            return -1;
        }
        return ag_node(f, AG_COL, FORM_KIND_COUNT, j, 0, 0);
    }
    case EX_ADD:
    case EX_SUB: {
        int32_t a = ag_check_side(c, f, e->a), b = ag_check_side(c, f, e->b);
        if (a < 0 || b < 0)
            return -1;
        return ag_node(f, e->kind == EX_ADD ? AG_ADD : AG_SUB, FORM_KIND_COUNT, a, b, 0);
    }
    case EX_NEG: {
        int32_t a = ag_check_side(c, f, e->a);
        return a < 0 ? -1 : ag_node(f, AG_NEG, FORM_KIND_COUNT, a, 0, 0);
    }
    default:
        E(c, e->loc, "check so sánh tổng của các mã cột");
        return -1;
    }
}

static char *ag_id(const char *id)
{
    char *s = thk_xstrdup(id);
    for (char *p = s; *p; p++)
        if (*p == '_')
            *p = '-';
    return s;
}

static void ag_levels(cc *c, agg_form *f)
{
    const rule_form_ast *fa = f->ast;
    f->nlevels = fa->nrows;
    f->levels = thk_xcalloc(fa->nrows + 1, sizeof *f->levels);
    for (size_t i = 0; i < fa->nrows; i++) {
        const rule_rowfield_ast *ra = &fa->rows[i];
        agg_level *lv = &f->levels[i];
        lv->ast = ra;
        lv->label = -1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(fa->rows[j].name, ra->name) == 0)
                E(c, ra->loc, "trường dòng '%s' khai hai lần", ra->name);
        lv->key = cc_name(c, ra->name, ra->loc);
        if (lv->key < 0)
            continue;
        const rule_node *k = cc_at(c, lv->key);
        lv->type = k->type;
        lv->dom = k->dom;
        if (k->type == RT_NULL || k->type == RT_DURATION || k->type == RT_RATE) {
            E(c, ra->loc, "không nhóm dòng theo %s được", cc_tn(c, lv->key));
            lv->key = -1;
            continue;
        }
        bool unit = (k->op == OP_CASE && k->a == CF_MA_DON_VI) ||
                    (k->op == OP_THAHC && k->a == TF_MA_DON_VI);
        lv->kind = unit ? LV_UNIT : k->type == RT_ENUM ? LV_ENUM
                 : k->type == RT_TEXT ? LV_TEXT : LV_OTHER;
        if (ra->label) {
            lv->label = cc_name(c, ra->label, ra->label_loc);
            const rule_node *l = lv->label >= 0 ? cc_at(c, lv->label) : NULL;
            lv->label_is_unit = unit && l &&
                                ((l->op == OP_CASE && l->a == CF_TEN_DON_VI) ||
                                 (l->op == OP_THAHC && l->a == TF_TEN_DON_VI));
        }
        if (lv->kind == LV_ENUM && ra->nfixed) {
            lv->fixed_enum = thk_xcalloc(ra->nfixed, sizeof *lv->fixed_enum);
            for (size_t j = 0; j < ra->nfixed; j++) {
                int v = rule_dom_index(c->rs, lv->dom, ra->fixed[j].key);
                if (v < 0 && lv->dom == RULE_DOM_NONE) {
                    E(c, ra->fixed[j].loc, "'%s' không phải một giá trị: không có map nào cho "
                                           "'%s' các giá trị",
                      ra->fixed[j].key, ra->name);
                } else if (v < 0) {
                    char vals[512];
                    cc_dom_values(c->rs, lv->dom, vals, sizeof vals);
                    E(c, ra->fixed[j].loc, "'%s' không phải giá trị của %s (các giá trị: %s)",
                      ra->fixed[j].key, rule_dom_name(c->rs, lv->dom), vals);
                }
                lv->fixed_enum[j] = v;
            }
        }
        for (size_t j = 0; j < ra->nfixed; j++)
            for (size_t m = 0; m < j; m++)
                if (strcmp(ra->fixed[j].key, ra->fixed[m].key) == 0)
                    E(c, ra->fixed[j].loc, "dòng cố định '%s' khai hai lần", ra->fixed[j].key);
    }
}

/* The byte span of an expression in its source: from its first token to its last. */
static void cc_span(const rule_expr *e, uint32_t *lo, uint32_t *hi)
{
    if (!e)
        return;
    if (e->loc.off < *lo)
        *lo = e->loc.off;
    if (e->loc.off + e->loc.len > *hi)
        *hi = e->loc.off + e->loc.len;
    if (e->kind == EX_MATCH && e->ploc.off + e->ploc.len > *hi)
        *hi = e->ploc.off + e->ploc.len;
    cc_span(e->a, lo, hi);
    cc_span(e->b, lo, hi);
    cc_span(e->where, lo, hi);
    for (size_t i = 0; i < e->nargs; i++)
        cc_span(e->args[i], lo, hi);
}

/* The source text of a check, "lhs = rhs", for messages. */
static char *cc_check_text(cc *c, const rule_check_ast *k)
{
    const rule_src *src = rule_diag_source(c->d, k->loc.file);
    uint32_t lo = UINT32_MAX, hi = 0;
    cc_span(k->lhs, &lo, &hi);
    cc_span(k->rhs, &lo, &hi);
    if (!src || lo >= hi || hi > src->len)
        return thk_xstrdup("?");
    char *out = thk_xmalloc(hi - lo + 1);
    memcpy(out, src->text + lo, hi - lo);
    out[hi - lo] = '\0';
    for (char *p = out; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    return out;
}

static void ag_form(cc *c, agg_form *f)
{
    const rule_form_ast *fa = f->ast;
    rule_set *rs = c->rs;
    f->id = ag_id(fa->id);
    f->ctx = fa->source == RULE_SOURCE_THAHC ? RCTX_THAHC : RCTX_CASE;
    c->ctx = f->ctx;
    f->where = fa->where ? cc_cond(c, fa->where, "'where' của biểu") : -1;
    ag_levels(c, f);
    f->ncols = fa->ncols;
    f->cols = thk_xcalloc(fa->ncols + 1, sizeof *f->cols);
    f->order = thk_xcalloc(fa->ncols + 1, sizeof *f->order);
    for (size_t i = 0; i < fa->ncols; i++) {
        f->cols[i].ast = &fa->cols[i];
        f->cols[i].root = -1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(fa->cols[j].code, fa->cols[i].code) == 0) {
                char where[256];
                rule_diag_where(c->d, fa->cols[j].loc, where, sizeof where);
                E(c, fa->cols[i].loc, "cột '%s' khai hai lần trong biểu %s (lần đầu ở %s)",
                  fa->cols[i].code, fa->id, where);
            }
    }
    f->rank_col = thk_xcalloc(fa->norder + 1, sizeof *f->rank_col);
    f->rank_desc = thk_xcalloc(fa->norder + 1, sizeof *f->rank_desc);
    for (size_t k = 0; k < fa->norder; k++) {
        size_t i = 0;
        while (i < fa->ncols && strcmp(fa->cols[i].code, fa->order[k].name) != 0)
            i++;
        if (i == fa->ncols) {
            E(c, fa->order[k].loc, "biểu %s không có cột '%s' để xếp hạng dòng", fa->id,
              fa->order[k].name);
            continue;
        }
        f->rank_col[f->nrank] = (int)i;
        f->rank_desc[f->nrank++] = fa->order[k].desc;
    }
    bool ok = true;
    for (size_t i = 0; i < fa->ncols; i++) {
        size_t before = f->naccs;
        f->cols[i].root = ag_expr(c, f, fa->cols[i].e, false, (int)i);
        if (f->cols[i].root < 0)
            ok = false;
        for (size_t a = before; a < f->naccs; a++)
            if (f->accs[a].col < 0)
                f->accs[a].col = (int)i;
    }
    if (ok) {
        int *stack = thk_xcalloc(fa->ncols + 1, sizeof *stack);
        for (size_t i = 0; i < fa->ncols; i++)
            if (!ag_visit(c, f, (int)i, stack, 0))
                ok = false;
        free(stack);
    }
    for (size_t i = 0; ok && i < fa->ncols; i++) {
        const rule_column_ast *ca = &fa->cols[i];
        if (!ca->target)
            continue;
        bool found = false;
        for (size_t t = 0; t < rs->ast->ntargets; t++)
            found |= strcmp(rs->ast->targets[t].name, ca->target) == 0;
        if (!found)
            E(c, ca->target_loc, "chỉ tiêu không có: '%s'", ca->target);
        else if (f->cols[i].kind != FORM_KIND_RATE)
            E(c, ca->target_loc, "cột '%s' có chỉ tiêu nhưng không phải tỷ lệ", ca->code);
    }
    f->nchecks = fa->nchecks;
    f->checks = thk_xcalloc(fa->nchecks + 1, sizeof *f->checks);
    for (size_t i = 0; i < fa->nchecks; i++) {
        agg_check *k = &f->checks[i];
        k->ast = &fa->checks[i];
        k->lhs = ag_check_side(c, f, fa->checks[i].lhs);
        k->rhs = ag_check_side(c, f, fa->checks[i].rhs);
        k->text = cc_check_text(c, &fa->checks[i]);
    }
    if (f->uses_prior)
        rs->uses_prior = true;
}

/* ---- lists ---------------------------------------------------------------------------------- */

static void ag_list(cc *c, agg_list *l)
{
    const rule_list_ast *la = l->ast;
    c->ctx = RCTX_CASE;
    l->id = ag_id(la->id);
    l->where = la->where ? cc_cond(c, la->where, "'where' của danh sách") : -1;
    l->per = -1;
    l->limit = la->limit;
    l->order = thk_xcalloc(la->norder + 1, sizeof *l->order);
    l->norder = la->norder;
    for (size_t i = 0; i < la->norder; i++) {
        l->order[i].desc = la->order[i].desc;
        l->order[i].node = cc_name(c, la->order[i].name, la->order[i].loc);
        if (l->order[i].node >= 0) {
            int t = cc_type(c, l->order[i].node);
            if (t == RT_NULL || t == RT_DURATION) {
                E(c, la->order[i].loc, "không sắp xếp theo %s được", cc_tn(c, l->order[i].node));
                l->order[i].node = -1;
            }
        }
    }
    if (la->limit_per)
        l->per = cc_name(c, la->limit_per, la->limit_loc);
    l->show = thk_xcalloc(la->nshow + 1, sizeof *l->show);
    l->nshow = la->nshow;
    for (size_t i = 0; i < la->nshow; i++) {
        l->show[i].name = la->show[i].name;
        l->show[i].label = la->show[i].label ? la->show[i].label : la->show[i].name;
        l->show[i].node = cc_name(c, la->show[i].name, la->show[i].loc);
        for (size_t j = 0; j < i; j++)
            if (strcmp(la->show[j].name, la->show[i].name) == 0)
                E(c, la->show[i].loc, "cột '%s' hiện hai lần", la->show[i].name);
    }
    l->ma_viec = cc_builtin_node(c, cc_builtin_find("ma_viec", RCTX_CASE));
}

/* ---- screens -------------------------------------------------------------------------------- */

/* Column `code` of form f, -1 (with an error at loc) when it has none. */
static int cc_screen_col(cc *c, const agg_form *f, const char *code, rule_loc loc)
{
    for (size_t k = 0; k < f->ncols; k++)
        if (strcmp(f->cols[k].ast->code, code) == 0)
            return (int)k;
    E(c, loc, "biểu %s không có cột '%s'", f->id, code);
    return -1;
}

/* A comparison screen: its forms and their columns; value and reference of one kind. */
static void cc_screen_compare(cc *c, rule_screen *s)
{
    const rule_screen_ast *a = s->ast;
    s->forms = thk_xcalloc(a->nforms + 1, sizeof *s->forms);
    s->val = thk_xcalloc(a->nforms + 1, sizeof *s->val);
    s->ref = thk_xcalloc(a->nforms + 1, sizeof *s->ref);
    s->size = thk_xcalloc(a->nforms + 1, sizeof *s->size);
    if (a->hb_u > 10000 || a->hb_c <= 0)
        E(c, a->hb_loc, "phương pháp cần 0 <= u <= 1 và c > 0");
    for (size_t k = 0; k < a->nforms; k++) {
        const agg_form *f = agg_form_find(c->rs, a->forms[k]);
        if (!f) {
            E(c, a->form_locs[k], "biểu không có: '%s'", a->forms[k]);
            continue;
        }
        size_t i = s->nforms++;
        s->forms[i] = (int)(f - c->rs->forms);
        s->val[i] = cc_screen_col(c, f, a->value, a->compare_loc);
        s->ref[i] = cc_screen_col(c, f, a->ref, a->compare_loc);
        s->size[i] = a->size ? cc_screen_col(c, f, a->size, a->compare_loc) : -1;
        if (s->val[i] < 0 || s->ref[i] < 0 || (a->size && s->size[i] < 0))
            continue;
        if (f->cols[s->val[i]].kind != f->cols[s->ref[i]].kind)
            E(c, a->compare_loc, "'%s' và '%s' của biểu %s không cùng loại", a->value, a->ref,
              f->id);
        if (s->size[i] >= 0 && f->cols[s->size[i]].kind == FORM_KIND_RATE)
            E(c, a->compare_loc, "cột quy mô '%s' là tỷ lệ; hãy cho một cột số việc hoặc tiền", a->size);
    }
}

/* Every screen: a case screen compiles as a list after the real lists, a comparison screen
 * finds its columns; one of the two kinds, ids unique among screens. */
static void cc_screens(cc *c)
{
    rule_set *rs = c->rs;
    const rule_ast *ast = rs->ast;
    rs->screens = thk_xcalloc(ast->nscreens + 1, sizeof *rs->screens);
    for (size_t i = 0; i < ast->nscreens; i++) {
        const rule_screen_ast *a = &ast->screens[i];
        for (size_t j = 0; j < i; j++)
            if (strcmp(ast->screens[j].id, a->id) == 0)
                E(c, a->loc, "phép thẩm tra '%s' khai hai lần", a->id);
        rule_screen *s = &rs->screens[rs->nscreens++];
        s->ast = a;
        s->list = -1;
        bool is_case = a->list.where != NULL, is_cmp = a->value != NULL;
        if (is_case == is_cmp) {
            E(c, a->loc, is_case ? "phép thẩm tra '%s' có cả 'where' và 'compare'; chỉ được một "
                                   "trong hai"
                                 : "phép thẩm tra '%s' cần 'where' (chọn việc) hoặc 'compare' "
                                   "(so sánh)", a->id);
            continue;
        }
        if (is_cmp) {
            cc_screen_compare(c, s);
            continue;
        }
        s->list = (int)(rs->nlists + rs->nscreen_lists);
        agg_list *l = &rs->lists[rs->nlists + rs->nscreen_lists++];
        l->ast = &a->list;
        ag_list(c, l);
        /* its columns in checks-cases.csv: the union of every case screen's, in order */
        s->colmap = thk_xcalloc(l->nshow + 1, sizeof *s->colmap);
        for (size_t k = 0; k < l->nshow; k++) {
            size_t j = 0;
            while (j < rs->nscreen_cols && strcmp(rs->screen_cols[j], l->show[k].name) != 0)
                j++;
            if (j == rs->nscreen_cols) {
                rs->screen_cols = thk_xrealloc(rs->screen_cols,
                                               (rs->nscreen_cols + 1) * sizeof *rs->screen_cols);
                rs->screen_cols[rs->nscreen_cols++] = l->show[k].name;
            }
            s->colmap[k] = (int)j;
        }
    }
}

/* ---- declarations: settings, columns, maps, names ------------------------------------------- */

static void cc_where_first(cc *c, rule_loc first, char *out, size_t n)
{
    rule_diag_where(c->d, first, out, n);
}

/* A money display divisor: a power of ten from 1 to 10^9. */
#define CC_SCALE_RULE "%s là 1, 10, 100, 1000 ... đến 1000000000"
static bool cc_scale_ok(int64_t v)
{
    for (int64_t p = 1; p <= 1000000000; p *= 10)
        if (v == p)
            return true;
    return false;
}

/* One setting of the workbook block (its labels, its legal basis, its sheet order, its money
 * scale): the workbook writer asks the rule set, so a new circular is an edit here. */
static void cc_workbook_setting(cc *c, const rule_setting_ast *s)
{
    rule_set *rs = c->rs;
    static const char *const texts[] = {"basis",           "first",
                                        "signer_left",     "signer_left_note",
                                        "signer_right",    "signer_right_note"};
    if (strcmp(s->key, "money_scale") == 0) {
        if (s->kind != 1 || !cc_scale_ok(s->i)) {
            E(c, s->vloc, CC_SCALE_RULE, "money_scale");
            return;
        }
        rs->wb_money_scale = s->i;
        return;
    }
    size_t k = 0;
    while (k < sizeof texts / sizeof texts[0] && strcmp(texts[k], s->key) != 0)
        k++;
    if (k == sizeof texts / sizeof texts[0]) {
        E(c, s->loc, "thiết lập workbook không có: '%s' (có: basis, first, money_scale, "
                     "signer_left, signer_left_note, signer_right, signer_right_note)", s->key);
        return;
    }
    if (s->kind != 2) {
        E(c, s->vloc, "thiết lập workbook '%s' là một văn bản trong ngoặc kép", s->key);
        return;
    }
    if (k == 0)
        rs->wb_basis = s->s;
    else if (k == 1) {
        rs->wb_first = s->s;
        rs->wb_first_loc = s->vloc;
    } else
        rs->wb_sign[k - 2] = s->s;
}

/* The id of the workbook setting `first` ("TH, B01": commas or spaces) that starts at or after
 * *p: its start, with its length in *n and *p moved past it; NULL at the end. */
static const char *cc_first_next(const char **p, size_t *n)
{
    const char *s = *p;
    while (s && (*s == ' ' || *s == ','))
        s++;
    if (!s || !*s)
        return NULL;
    const char *e = s;
    while (*e && *e != ' ' && *e != ',')
        e++;
    *n = (size_t)(e - s);
    *p = e;
    return s;
}

/* Every form's `scale` is a power of ten. */
static void cc_check_scales(cc *c)
{
    for (size_t i = 0; i < c->rs->ast->nforms; i++) {
        const rule_form_ast *f = &c->rs->ast->forms[i];
        if (f->scale && !cc_scale_ok(f->scale))
            E(c, f->scale_loc, CC_SCALE_RULE, "scale");
    }
}

/* The forms in workbook order: those the workbook setting `first` names, in its order (an id
 * that is no form is an error, a repeated one counts once), then the others in file order.
 * Linear in the forms times the ids named. */
static void cc_order_forms(cc *c)
{
    rule_set *rs = c->rs;
    rule_ast *ast = rs->ast;
    bool *placed = thk_xcalloc(ast->nforms + 1, sizeof *placed);
    size_t n;
    for (const char *p = rs->wb_first, *w; (w = cc_first_next(&p, &n)) != NULL;) {
        size_t i = 0;
        while (i < ast->nforms &&
               !(strlen(ast->forms[i].id) == n && strncmp(ast->forms[i].id, w, n) == 0))
            i++;
        if (i == ast->nforms)
            E(c, rs->wb_first_loc, "thiết lập workbook 'first' nêu '%.*s', không phải một biểu",
              (int)n, w);
        else if (!placed[i]) {
            placed[i] = true;
            agg_form *f = &rs->forms[rs->nforms++];
            f->ast = &ast->forms[i];
            ag_form(c, f);
        }
    }
    for (size_t i = 0; i < ast->nforms; i++)
        if (!placed[i]) {
            agg_form *f = &rs->forms[rs->nforms++];
            f->ast = &ast->forms[i];
            ag_form(c, f);
        }
    free(placed);
}

static void cc_settings(cc *c)
{
    rule_set *rs = c->rs;
    rule_ast *ast = rs->ast;
    for (size_t i = 1; i < ast->nversions; i++) {
        char w[256];
        cc_where_first(c, ast->versions[0].loc, w, sizeof w);
        E(c, ast->versions[i].loc, "version khai hai lần (lần đầu ở %s)", w);
    }
    rs->version = ast->nversions ? ast->versions[0].text : "";
    rs->year_day = 1;
    rs->year_month = 10;
    rs->wb_money_scale = 1;
    for (size_t i = 0; i < ast->nsettings; i++) {
        const rule_setting_ast *s = &ast->settings[i];
        for (size_t j = 0; j < i; j++)
            if (ast->settings[j].block == s->block && strcmp(ast->settings[j].key, s->key) == 0) {
                char w[256];
                cc_where_first(c, ast->settings[j].loc, w, sizeof w);
                E(c, s->loc, "thiết lập %s '%s' khai hai lần (lần đầu ở %s)",
                  s->block == RULE_BLOCK_PERIOD ? "period" : "workbook", s->key, w);
            }
        if (s->block == RULE_BLOCK_WORKBOOK) {
            cc_workbook_setting(c, s);
            continue;
        }
        if (strcmp(s->key, "year_start") != 0) {
            E(c, s->loc, "thiết lập period không có: '%s' (có: year_start)", s->key);
            continue;
        }
        if (s->kind != 0) {
            E(c, s->vloc, "year_start là một ngày/tháng như 01/10");
            continue;
        }
        int max = s->month == 2 ? 28 : (s->month == 4 || s->month == 6 || s->month == 9 ||
                                         s->month == 11) ? 30 : 31;
        if (s->day > max) {
            E(c, s->vloc, "year_start phải là ngày có trong mọi năm");
            continue;
        }
        rs->year_day = s->day;
        rs->year_month = s->month;
    }
}

static void cc_columns(cc *c)
{
    rule_set *rs = c->rs;
    rule_ast *ast = rs->ast;
    size_t nal = 0;
    for (size_t i = 0; i < ast->naliases; i++)
        nal += ast->aliases[i].naliases;
    rs->aliases = thk_xcalloc(nal + 1, sizeof *rs->aliases);
    rs->extras = thk_xcalloc(ast->naliases + 1, sizeof *rs->extras);
    thk_buf k1 = {0}, k2 = {0};
    for (size_t i = 0; i < ast->naliases; i++) {
        const rule_alias_ast *a = &ast->aliases[i];
        const char *const *canon = a->kind == RULE_FILE_CASES    ? cc_case_cols
                                 : a->kind == RULE_FILE_EVENTS ? cc_event_cols
                                                               : cc_thahc_cols;
        if (!cc_in_list(canon, a->column)) {
            if (a->kind != RULE_FILE_CASES) {
                E(c, a->loc, "'%s' không phải cột của %s.csv (chỉ giữ cột thêm của cases.csv)", a->column,
                  a->kind == RULE_FILE_EVENTS ? "events" : "thahc");
                continue;
            }
            if (cc_builtin_find(a->column, RCTX_CASE) || cc_builtin_find(a->column, RCTX_THAHC)) {
                E(c, a->loc, "'%s' là tên có sẵn, không phải cột của cases.csv", a->column);
                continue;
            }
            if (cc_extra_find(rs, a->column) < 0) {
                rule_extra *x = &rs->extras[rs->nextras++];
                x->name = a->column;
                text_fold_key(a->column, strlen(a->column), &k1);
                x->key = thk_xstrdup(k1.data ? k1.data : "");
                x->map = -1;
                x->mcol = -1;
            }
        }
        for (size_t j = 0; j < a->naliases; j++) {
            text_fold_key(a->aliases[j].text, strlen(a->aliases[j].text), &k1);
            for (size_t m = 0; m < rs->naliases; m++) {
                if ((int)rs->aliases[m].kind != a->kind)
                    continue;
                text_fold_key(rs->aliases[m].alias, strlen(rs->aliases[m].alias), &k2);
                if (strcmp(k1.data ? k1.data : "", k2.data ? k2.data : "") == 0 &&
                    strcmp(rs->aliases[m].column, a->column) != 0)
                    E(c, a->aliases[j].loc, "tiêu đề \"%s\" đã là tên khác của '%s'",
                      a->aliases[j].text, rs->aliases[m].column);
            }
            rs->aliases[rs->naliases++] = (load_alias){(load_kind)a->kind, a->column,
                                                       a->aliases[j].text};
        }
    }
    buf_free(&k1);
    buf_free(&k2);
    rs->extra_keys = thk_xcalloc(rs->nextras + 1, sizeof *rs->extra_keys);
    for (size_t i = 0; i < rs->nextras; i++)
        rs->extra_keys[i] = rs->extras[i].key;
}

static void cc_maps(cc *c)
{
    rule_set *rs = c->rs;
    rule_ast *ast = rs->ast;
    rs->maps = thk_xcalloc(ast->nmaps + 1, sizeof *rs->maps);
    for (size_t i = 0; i < ast->nmaps; i++) {
        const rule_map_ast *ma = &ast->maps[i];
        int dup = cc_map_find(rs, ma->name);
        if (dup >= 0) {
            char w[256];
            cc_where_first(c, rs->maps[dup].ast->loc, w, sizeof w);
            E(c, ma->loc, "map '%s' khai hai lần (lần đầu ở %s)", ma->name, w);
            continue;
        }
        rule_mapdef *m = &rs->maps[rs->nmaps];
        m->ast = ma;
        m->case_col = RULE_NO_COL;
        m->thahc_col = RULE_NO_COL;
        const char *n = ma->name;
        if (strcmp(n, "su_kien") == 0 || strcmp(n, "loai_an") == 0 ||
            strcmp(n, "hinh_thuc") == 0 || strcmp(n, "cap_phai_thi_hanh") == 0) {
            m->loader = true;
        } else {
            const cc_builtin *bc = cc_builtin_find(n, RCTX_CASE);
            const cc_builtin *bt = cc_builtin_find(n, RCTX_THAHC);
            int ei = cc_extra_find(rs, n);
            if (bc && bc->kind == BK_CASE && bc->type == RT_TEXT)
                m->case_col = bc->id;
            else if (ei >= 0)
                m->case_col = -1 - ei;
            if (bt && bt->kind == BK_THAHC && bt->type == RT_TEXT)
                m->thahc_col = bt->id;
            if (m->case_col == RULE_NO_COL && m->thahc_col == RULE_NO_COL) {
                E(c, ma->loc, "map '%s' không ứng với cột văn bản nào (các map: su_kien, "
                              "loai_an, hinh_thuc, cap_phai_thi_hanh, hoặc một cột văn bản; cột "
                              "thêm khai trong 'columns cases')", n);
                continue;
            }
            if (ei >= 0)
                rs->extras[ei].map = (int)rs->nmaps;
        }
        if (ma->nalts == 0) {
            E(c, ma->loc, "map '%s' không có mẫu nào", n);
            continue;
        }
        m->map = rule_map_new(n);
        for (size_t j = 0; j < ma->nalts; j++) {
            const rule_alt_ast *alt = &ma->alts[j];
            if (strcmp(n, "su_kien") == 0 && model_event_from_name(alt->value) < 0) {
                char vals[512];
                size_t at = 0;
                for (int k = 0; k < EV__COUNT && at + 1 < sizeof vals; k++) {
                    int w = snprintf(vals + at, sizeof vals - at, "%s%s", k ? ", " : "",
                                     model_event_name(k));
                    at += w > 0 ? (size_t)w : 0;
                }
                E(c, alt->loc, "'%s' không phải loại sự kiện; giá trị của map su_kien là: %s",
                  alt->value, vals);
                continue;
            }
            thk_buf nfc = {0};
            text_nfc(alt->pat, alt->plen, &nfc);
            char err[256];
            size_t erroff = 0;
            int r = rule_map_add(m->map, alt->value, nfc.data ? nfc.data : "", nfc.len,
                                 alt->flags, err, sizeof err, &erroff);
            buf_free(&nfc);
            if (r < 0) {
                if (erroff > alt->plen)
                    erroff = alt->plen;
                rule_loc at = rule_diag_loc(c->d, alt->ploc.file, alt->ploc.off + 1 + erroff, 1);
                E(c, at, "mẫu (pattern) sai: %s (tại vị trí %zu)", err, erroff);
            }
        }
        rs->nmaps++;
    }
}

/* Lets, targets, forms and lists, tests: one namespace each; lets also must not hide a
 * built-in or column name. */
/* Names seen so far, for duplicate checks in linear time: the pool's ids are dense in order of
 * first appearance, first[id - 1] is the item where each name first appeared. */
typedef struct {
    strpool *pool;
    size_t *first;
    size_t cap;
    long empty; /* the item of the first empty name + 1 (the pool's id 0), 0 = none yet */
} cc_seen;

/* -1 when `name` is new (remembered as item i), else the item where it first appeared. */
static long cc_seen_add(cc_seen *s, const char *name, size_t i)
{
    if (!*name) { /* id 0 is the pool's own empty string */
        if (s->empty)
            return s->empty - 1;
        s->empty = (long)i + 1;
        return -1;
    }
    if (!s->pool)
        s->pool = strpool_new();
    size_t before = strpool_count(s->pool);
    uint32_t id = strpool_intern(s->pool, name, strlen(name));
    if (strpool_count(s->pool) == before)
        return (long)s->first[id - 1];
    if (id > s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        while (s->cap < id)
            s->cap *= 2;
        s->first = thk_xrealloc(s->first, s->cap * sizeof *s->first);
    }
    s->first[id - 1] = i;
    return -1;
}

static void cc_seen_clear(cc_seen *s)
{
    strpool_free(s->pool);
    free(s->first);
    *s = (cc_seen){0};
}

typedef struct {
    const char *name;
    rule_loc loc;
} cc_named;

/* Reports each of items[0..n) whose name an earlier one has: "duplicate <what> 'x' (first
 * defined at ...)", the name between `quote`s. Linear (cc_seen). */
static void cc_report_duplicates(cc *c, const cc_named *items, size_t n, const char *what,
                                 char quote)
{
    cc_seen seen = {0};
    char w[256];
    for (size_t i = 0; i < n; i++) {
        long j = cc_seen_add(&seen, items[i].name, i);
        if (j < 0)
            continue;
        cc_where_first(c, items[j].loc, w, sizeof w);
        E(c, items[i].loc, "%s %c%s%c khai hai lần (lần đầu ở %s)", what, quote,
          items[i].name, quote, w);
    }
    cc_seen_clear(&seen);
}

static void cc_names(cc *c)
{
    rule_set *rs = c->rs;
    rule_ast *ast = rs->ast;
    char w[256];
    rs->lets = thk_xcalloc(ast->nlets + 1, sizeof *rs->lets);
    rs->let_names = strpool_new();
    for (size_t i = 0; i < ast->nlets; i++) {
        const rule_let_ast *la = &ast->lets[i];
        int dup = cc_let_find(rs, la->name);
        if (dup >= 0) {
            cc_where_first(c, rs->lets[dup].ast->loc, w, sizeof w);
            E(c, la->loc, "let '%s' khai hai lần (lần đầu ở %s)", la->name, w);
            continue;
        }
        if (cc_builtin_find(la->name, RCTX_CASE) || cc_builtin_find(la->name, RCTX_THAHC) ||
            cc_extra_find(rs, la->name) >= 0) {
            E(c, la->loc, "let '%s' trùng tên một cột hoặc dữ kiện", la->name);
            continue;
        }
        strpool_intern(rs->let_names, la->name, strlen(la->name)); /* id nlets + 1 */
        rule_letdef *l = &rs->lets[rs->nlets++];
        l->ast = la;
        for (int k = 0; k < RCTX__N; k++) {
            l->node[k] = -1;
            l->slot[k] = -1;
        }
    }
    size_t nt = ast->nforms + ast->nlists, cap = ast->ntargets + nt + ast->ntests + 1;
    cc_named *items = thk_xcalloc(cap, sizeof *items);
    for (size_t i = 0; i < ast->ntargets; i++)
        items[i] = (cc_named){ast->targets[i].name, ast->targets[i].loc};
    cc_report_duplicates(c, items, ast->ntargets, "target", '\'');
    for (size_t i = 0; i < nt; i++)
        items[i] = i < ast->nforms ? (cc_named){ast->forms[i].id, ast->forms[i].loc}
                                   : (cc_named){ast->lists[i - ast->nforms].id,
                                                ast->lists[i - ast->nforms].loc};
    cc_report_duplicates(c, items, nt, "biểu hoặc danh sách", '\'');
    for (size_t i = 0; i < ast->ntests; i++)
        items[i] = (cc_named){ast->tests[i].name, ast->tests[i].loc};
    cc_report_duplicates(c, items, ast->ntests, "test", '"');
    free(items);
}

/* ---- tests ---------------------------------------------------------------------------------- */

static void cc_tests(cc *c)
{
    rule_set *rs = c->rs;
    rule_ast *ast = rs->ast;
    for (size_t i = 0; i < ast->ntests; i++) {
        const rule_test_ast *t = &ast->tests[i];
        if (!t->has_period)
            E(c, t->loc, "test \"%s\" không có kỳ (period 12 thang 2026)", t->name);
        for (size_t j = 0; j < t->nexpects; j++) {
            const rule_expect_ast *x = &t->expects[j];
            const agg_form *f = NULL;
            const agg_list *l = NULL;
            for (size_t k = 0; k < rs->nforms; k++)
                if (strcmp(rs->forms[k].ast->id, x->form) == 0 ||
                    strcmp(rs->forms[k].id, x->form) == 0)
                    f = &rs->forms[k];
            for (size_t k = 0; k < rs->nlists; k++)
                if (strcmp(rs->lists[k].ast->id, x->form) == 0 ||
                    strcmp(rs->lists[k].id, x->form) == 0)
                    l = &rs->lists[k];
            bool screen = false;
            for (size_t k = 0; k < ast->nscreens && !screen; k++)
                screen = strcmp(ast->screens[k].id, x->form) == 0;
            if (screen) {
                if (!x->is_count && strcmp(x->col, "count") != 0)
                    E(c, x->loc, "phép thẩm tra được kiểm bằng số phát hiện: %s.count hoặc "
                                 "%s[dòng].count",
                      x->form, x->form);
                continue;
            }
            if (!f && !l) {
                E(c, x->loc, "không có biểu hoặc danh sách '%s'", x->form);
                continue;
            }
            if (l && !x->is_count) {
                E(c, x->loc, "danh sách được kiểm bằng số dòng: %s.count", x->form);
                continue;
            }
            if (f && x->is_count) {
                E(c, x->loc, "'.count' dành cho danh sách; ô của biểu %s kiểm bằng %s[dòng].cột",
                  x->form, x->form);
                continue;
            }
            if (f && ag_find_col(f, x->col) < 0)
                E(c, x->loc, "biểu %s không có cột '%s'", x->form, x->col);
        }
    }
}

/* ---- continuity ----------------------------------------------------------------------------- */

/* A continuity's value: a count (no value) or a money or integer sum; -2 on error. */
static int32_t cc_cont_value(cc *c, const rule_expr *e, int *type)
{
    *type = RT_INT;
    if (!e)
        return -1;
    int32_t n = cc_expr(c, e);
    if (n < 0)
        return -2;
    *type = cc_type(c, n);
    if (*type != RT_MONEY && *type != RT_INT) {
        E(c, e->loc, "giá trị của continuity là tiền hoặc số, không phải %s", cc_tn(c, n));
        return -2;
    }
    return n;
}

static void cc_conts(cc *c)
{
    rule_set *rs = c->rs;
    rule_ast *ast = rs->ast;
    c->ctx = RCTX_CASE;
    rs->conts = thk_xcalloc(ast->nconts + 1, sizeof *rs->conts);
    for (size_t i = 0; i < ast->nconts; i++) {
        const rule_cont_ast *ka = &ast->conts[i];
        for (size_t j = 0; j < i; j++)
            if (strcmp(ast->conts[j].name, ka->name) == 0) {
                char w[256];
                cc_where_first(c, ast->conts[j].loc, w, sizeof w);
                E(c, ka->loc, "continuity \"%s\" khai hai lần (lần đầu ở %s)", ka->name, w);
            }
        rule_cont k = {.name = ka->name};
        int tp, tc;
        k.prev_cond = cc_cond(c, ka->prev_cond, "điều kiện của năm trước");
        k.prev_val = cc_cont_value(c, ka->prev_val, &tp);
        k.cur_cond = cc_cond(c, ka->cur_cond, "điều kiện của năm nay");
        k.cur_val = cc_cont_value(c, ka->cur_val, &tc);
        if (k.prev_cond < 0 || k.cur_cond < 0 || k.prev_val == -2 || k.cur_val == -2)
            continue;
        if (tp != tc || (k.prev_val < 0) != (k.cur_val < 0)) {
            E(c, ka->loc, "hai vế của continuity \"%s\" đo hai thứ khác nhau (số việc, tiền hay "
                          "số ở mỗi vế)", ka->name);
            continue;
        }
        rs->conts[rs->nconts++] = k;
    }
}

/* ---- used lets ------------------------------------------------------------------------------ */

/* Marks the lets node n reads: in l->used[ctx], or in marks[let] when marks is given. */
void rule_node_walk(const rule_set *rs, int32_t n, rule_node_visit fn, void *ctx)
{
    if (n < 0 || !fn(ctx, n))
        return;
    const rule_node *nd = &rs->nodes[n];
    switch ((rule_op)nd->op) {
    case OP_NOT:
    case OP_NEG:
    case OP_EMPTY:
    case OP_YEARS:
    case OP_DAYS:
    case OP_MATCH:
        rule_node_walk(rs, nd->a, fn, ctx);
        return;
    case OP_AND:
    case OP_OR:
    case OP_EQ:
    case OP_NE:
    case OP_LT:
    case OP_LE:
    case OP_GT:
    case OP_GE:
    case OP_ADD:
    case OP_SUB:
    case OP_DATE_ADD:
    case OP_DATE_SUB:
    case OP_OLDER:
    case OP_CONTAINS:
        rule_node_walk(rs, nd->a, fn, ctx);
        rule_node_walk(rs, nd->b, fn, ctx);
        return;
    case OP_BETWEEN:
    case OP_IF:
        rule_node_walk(rs, nd->a, fn, ctx);
        rule_node_walk(rs, nd->b, fn, ctx);
        rule_node_walk(rs, nd->c, fn, ctx);
        return;
    case OP_IN:
        rule_node_walk(rs, nd->a, fn, ctx);
        for (int32_t i = 0; i < nd->c; i++)
            rule_node_walk(rs, rs->xs[nd->b + i], fn, ctx);
        return;
    default:
        return;
    }
}

typedef struct {
    rule_set *rs;
    uint8_t *seen;
    bool *marks;
} cc_mark_ctx;

/* Marks node n seen; a let it reads is marked (used, or in marks) and its own node walked. */
static bool cc_mark_visit(void *vctx, int32_t n)
{
    cc_mark_ctx *m = vctx;
    if (m->seen[n])
        return false;
    m->seen[n] = 1;
    const rule_node *nd = &m->rs->nodes[n];
    if (nd->op != OP_LET)
        return true;
    int ctx = nd->aux;
    int32_t li = m->rs->let_order[ctx][nd->a];
    rule_letdef *l = &m->rs->lets[li];
    if (m->marks)
        m->marks[li] = true;
    else
        l->used[ctx] = true;
    rule_node_walk(m->rs, l->node[ctx], cc_mark_visit, m);
    return false;
}

static void cc_mark_in(rule_set *rs, int32_t n, uint8_t *seen, bool *marks)
{
    cc_mark_ctx c = {rs, seen, marks};
    rule_node_walk(rs, n, cc_mark_visit, &c);
}

static void cc_mark(rule_set *rs, int32_t n, uint8_t *seen)
{
    cc_mark_in(rs, n, seen, NULL);
}

/* The row keys of each context's forms other than the unit, by name, first appearance first:
 * what cases.csv and thahc-cases.csv publish so a cell's records can be found. */
static void cc_case_keys(rule_set *rs)
{
    for (size_t i = 0; i < rs->nforms; i++) {
        const agg_form *f = &rs->forms[i];
        int ctx = f->ctx;
        for (size_t l = 0; l < f->nlevels; l++) {
            const agg_level *lv = &f->levels[l];
            const char *name = lv->ast->name;
            bool seen = lv->kind == LV_UNIT;
            for (size_t k = 0; !seen && k < rs->nkeys[ctx]; k++)
                seen = strcmp(rs->keys[ctx][k].name, name) == 0;
            if (seen)
                continue;
            rs->keys[ctx] = thk_xrealloc(rs->keys[ctx], (rs->nkeys[ctx] + 1) *
                                                            sizeof *rs->keys[ctx]);
            rs->keys[ctx][rs->nkeys[ctx]++] = (rule_case_key){name, lv->key, lv->type, lv->dom};
        }
    }
}

static void cc_mark_used(rule_set *rs)
{
    uint8_t *seen = thk_xcalloc(rs->nnodes + 1, 1);
    for (size_t i = 0; i < rs->nforms; i++) {
        const agg_form *f = &rs->forms[i];
        cc_mark(rs, f->where, seen);
        for (size_t j = 0; j < f->nlevels; j++) {
            cc_mark(rs, f->levels[j].key, seen);
            cc_mark(rs, f->levels[j].label, seen);
        }
        for (size_t j = 0; j < f->naccs; j++) {
            cc_mark(rs, f->accs[j].pred, seen);
            cc_mark(rs, f->accs[j].val, seen);
        }
    }
    for (size_t i = 0; i < rs->nlists + rs->nscreen_lists; i++) {
        const agg_list *l = &rs->lists[i];
        cc_mark(rs, l->where, seen);
        cc_mark(rs, l->per, seen);
        for (size_t j = 0; j < l->norder; j++)
            cc_mark(rs, l->order[j].node, seen);
        for (size_t j = 0; j < l->nshow; j++)
            cc_mark(rs, l->show[j].node, seen);
    }
    /* the lets last year's replay needs: those of the forms that use prior() (their filter,
     * row keys and prior aggregates), so that pass evaluates no other let */
    memset(seen, 0, rs->nnodes + 1);
    rs->prior_lets = thk_xcalloc(rs->nlets + 1, sizeof *rs->prior_lets);
    for (size_t i = 0; i < rs->nforms; i++) {
        const agg_form *f = &rs->forms[i];
        if (!f->uses_prior)
            continue;
        cc_mark_in(rs, f->where, seen, rs->prior_lets);
        for (size_t j = 0; j < f->nlevels; j++) {
            cc_mark_in(rs, f->levels[j].key, seen, rs->prior_lets);
            cc_mark_in(rs, f->levels[j].label, seen, rs->prior_lets);
        }
        for (size_t j = 0; j < f->naccs; j++)
            if (f->accs[j].prior) {
                cc_mark_in(rs, f->accs[j].pred, seen, rs->prior_lets);
                cc_mark_in(rs, f->accs[j].val, seen, rs->prior_lets);
            }
    }
    /* the continuity's lets apart: marking them used would make them cases.csv flags */
    memset(seen, 0, rs->nnodes + 1);
    rs->cont_lets = thk_xcalloc(rs->nlets + 1, sizeof *rs->cont_lets);
    for (size_t i = 0; i < rs->nconts; i++) {
        const rule_cont *k = &rs->conts[i];
        cc_mark_in(rs, k->prev_cond, seen, rs->cont_lets);
        cc_mark_in(rs, k->prev_val, seen, rs->cont_lets);
        cc_mark_in(rs, k->cur_cond, seen, rs->cont_lets);
        cc_mark_in(rs, k->cur_val, seen, rs->cont_lets);
    }
    free(seen);
    for (size_t i = 0; i < rs->nlets; i++) {
        rule_letdef *l = &rs->lets[i];
        l->flag = l->used[RCTX_CASE] && l->node[RCTX_CASE] >= 0 &&
                  rs->nodes[l->node[RCTX_CASE]].type == RT_BOOL;
        l->tflag = l->used[RCTX_THAHC] && l->node[RCTX_THAHC] >= 0 &&
                   rs->nodes[l->node[RCTX_THAHC]].type == RT_BOOL;
    }
    cc_case_keys(rs);
}

/* ---- labels of enum values ------------------------------------------------------------------ */

/* `labels NAME { value "label" ... }`: the domain must exist and name each value once. */
static void cc_labels(cc *c)
{
    rule_set *rs = c->rs;
    const rule_ast *ast = rs->ast;
    int ndoms = RULE_DOM_MAP0 + (int)rs->nmaps;
    for (size_t i = 0; i < ast->nlabels; i++) {
        const rule_labels_ast *l = &ast->labels[i];
        int dom = -1;
        for (int d = RULE_DOM_STATE; d < ndoms && dom < 0; d++)
            if (strcmp(rule_dom_name(rs, d), l->name) == 0)
                dom = d;
        if (dom < 0) {
            E(c, l->loc, "labels cho '%s': không có miền giá trị này (state, condition, "
                         "suspension hoặc một map)", l->name);
            continue;
        }
        if (!rs->dom_labels) {
            rs->dom_labels = thk_xcalloc((size_t)ndoms + 1, sizeof *rs->dom_labels);
            rs->ndom_labels = (size_t)ndoms;
        }
        size_t n = rule_dom_count(rs, dom);
        if (!rs->dom_labels[dom])
            rs->dom_labels[dom] = thk_xcalloc(n + 1, sizeof *rs->dom_labels[dom]);
        for (size_t j = 0; j < l->nitems; j++) {
            const rule_label_ast *it = &l->items[j];
            int v = rule_dom_index(rs, dom, it->value);
            if (v < 0) {
                E(c, it->loc, "'%s' không phải giá trị của %s", it->value, l->name);
                continue;
            }
            if (rs->dom_labels[dom][v]) {
                E(c, it->loc, "%s: giá trị '%s' đã có nhãn", l->name, it->value);
                continue;
            }
            rs->dom_labels[dom][v] = it->label;
        }
    }
}

const char *rule_dom_label(const rule_set *rs, int dom, size_t i)
{
    if (dom < 0 || (size_t)dom >= rs->ndom_labels || !rs->dom_labels[dom] ||
        i >= rule_dom_count(rs, dom))
        return NULL;
    return rs->dom_labels[dom][i];
}

/* ---- driver --------------------------------------------------------------------------------- */

size_t rule_compile(rule_set *rs, rule_ast *ast)
{
    rs->ast = ast;
    cc c = {.rs = rs, .d = &rs->diag, .ctx = RCTX_CASE};
    size_t before = rs->diag.nerrors;
    cc_settings(&c);
    cc_columns(&c);
    cc_maps(&c);
    cc_labels(&c);
    cc_names(&c);
    cc_let_domains(&c);
    rs->forms = thk_xcalloc(ast->nforms + 1, sizeof *rs->forms);
    cc_order_forms(&c);
    cc_check_scales(&c);
    rs->lists = thk_xcalloc(ast->nlists + ast->nscreens + 1, sizeof *rs->lists);
    for (size_t i = 0; i < ast->nlists; i++) {
        agg_list *l = &rs->lists[rs->nlists++];
        l->ast = &ast->lists[i];
        ag_list(&c, l);
    }
    cc_screens(&c);
    for (size_t i = 0; i < rs->nlets; i++) {
        c.ctx = rs->lets[i].home;
        if (rs->lets[i].uses != (LET_USES_CASE | LET_USES_THAHC))
            cc_let(&c, i, rs->lets[i].ast->loc);
    }
    cc_conts(&c);
    cc_tests(&c);
    free(c.let_stack);
    free(c.col_stack);
    if (rs->diag.nerrors == before)
        cc_mark_used(rs);
    return rs->diag.nerrors - before;
}

/* ---- public face: loading and accessors ----------------------------------------------------- */

static rule_set *rs_new(void)
{
    rule_set *rs = thk_xcalloc(1, sizeof *rs);
    rule_diag_init(&rs->diag, &rs->diagbuf);
    return rs;
}

static rule_set *rs_finish(rule_set *rs, rule_ast *ast, thk_buf *diag)
{
    if (rs->diag.nerrors == 0)
        rule_compile(rs, ast);
    else
        rs->ast = ast;
    rule_diag_flush(&rs->diag);
    if (rs->diag.nerrors) {
        if (diag && rs->diagbuf.len)
            buf_append(diag, rs->diagbuf.data, rs->diagbuf.len);
        rule_set_free(rs);
        return NULL;
    }
    return rs;
}

rule_set *rule_set_load(const char *const *paths, size_t n, thk_buf *diag)
{
    rule_set *rs = rs_new();
    rs->from_files = true;
    rule_ast *ast = rule_parse_files(&rs->diag, paths, n);
    return rs_finish(rs, ast, diag);
}

void rule_set_threads(rule_set *rs, int n)
{
    rs->threads = n < 1 ? 1 : n > 2 ? 2 : n;
}

rule_set *rule_set_load_mem(const char *name, const char *text, size_t len, thk_buf *diag)
{
    rule_set *rs = rs_new();
    rule_ast *ast = rule_parse_text(&rs->diag, name, text, len);
    return rs_finish(rs, ast, diag);
}

rule_set *rule_set_load_text(const char *name, const char *text, thk_buf *diag)
{
    return rule_set_load_mem(name, text, strlen(text), diag);
}

void rule_set_free(rule_set *rs)
{
    if (!rs)
        return;
    free(rs->nodes);
    free(rs->hcons);
    free(rs->xs);
    free(rs->strs);
    for (size_t i = 0; i < rs->npats; i++) {
        rule_pat_free(rs->pats[i].pat);
        free(rs->pats[i].text);
    }
    free(rs->pats);
    for (size_t i = 0; i < rs->nmaps; i++)
        rule_map_free(rs->maps[i].map);
    free(rs->maps);
    for (size_t i = 0; i < rs->nextras; i++)
        free(rs->extras[i].key);
    free(rs->extras);
    free(rs->extra_keys);
    free(rs->aliases);
    free(rs->lets);
    free(rs->conts);
    free(rs->cont_lets);
    free(rs->prior_lets);
    for (int k = 0; k < RCTX__N; k++)
        free(rs->keys[k]);
    for (size_t k = 0; k < rs->ndom_labels; k++)
        free(rs->dom_labels[k]);
    free(rs->dom_labels);
    strpool_free(rs->let_names);
    for (int k = 0; k < RCTX__N; k++)
        free(rs->let_order[k]);
    for (size_t i = 0; i < rs->nforms; i++) {
        agg_form *f = &rs->forms[i];
        free(f->id);
        for (size_t j = 0; j < f->nlevels; j++)
            free(f->levels[j].fixed_enum);
        free(f->levels);
        for (size_t j = 0; j < f->naccs; j++)
            free(f->accs[j].name);
        free(f->accs);
        free(f->an);
        free(f->cols);
        free(f->order);
        for (size_t j = 0; j < f->nchecks; j++)
            free(f->checks[j].text);
        free(f->checks);
        free(f->rank_col);
        free(f->rank_desc);
    }
    free(rs->forms);
    for (size_t i = 0; i < rs->nlists + rs->nscreen_lists; i++) {
        free(rs->lists[i].id);
        free(rs->lists[i].order);
        free(rs->lists[i].show);
    }
    free(rs->lists);
    free(rs->screen_cols);
    for (size_t i = 0; i < rs->nscreens; i++) {
        free(rs->screens[i].colmap);
        free(rs->screens[i].forms);
        free(rs->screens[i].val);
        free(rs->screens[i].ref);
        free(rs->screens[i].size);
    }
    free(rs->screens);
    rule_ast_free(rs->ast);
    rule_diag_free(&rs->diag);
    buf_free(&rs->diagbuf);
    free(rs);
}

size_t rule_set_screen_count(const rule_set *rs)
{
    return rs->nscreens;
}

const char *rule_set_version(const rule_set *rs)
{
    return rs->version ? rs->version : "";
}

void rule_set_year_start(const rule_set *rs, int *day, int *month)
{
    *day = rs->year_day;
    *month = rs->year_month;
}

rule_map *rule_set_map(rule_set *rs, const char *name)
{
    int i = cc_map_find(rs, name);
    return i >= 0 ? rs->maps[i].map : NULL;
}

size_t rule_set_aliases(const rule_set *rs, const load_alias **out)
{
    *out = rs->aliases;
    return rs->naliases;
}

void rule_set_fill_load_opts(rule_set *rs, load_opts *o)
{
    o->su_kien = rule_set_map(rs, "su_kien");
    o->loai_an = rule_set_map(rs, "loai_an");
    o->hinh_thuc = rule_set_map(rs, "hinh_thuc");
    o->cap = rule_set_map(rs, "cap_phai_thi_hanh");
    o->aliases = rs->aliases;
    o->naliases = rs->naliases;
    o->extra_cases = rs->extra_keys;
    o->nextra_cases = rs->nextras;
}

size_t rule_set_test_count(const rule_set *rs)
{
    return rs->ast ? rs->ast->ntests : 0;
}

size_t rule_set_case_keys(const rule_set *rs, const char **names, size_t cap)
{
    for (size_t k = 0; k < rs->nkeys[RCTX_CASE] && k < cap; k++)
        names[k] = rs->keys[RCTX_CASE][k].name;
    return rs->nkeys[RCTX_CASE];
}

size_t rule_set_thahc_keys(const rule_set *rs, const char **names, size_t cap)
{
    for (size_t k = 0; k < rs->nkeys[RCTX_THAHC] && k < cap; k++)
        names[k] = rs->keys[RCTX_THAHC][k].name;
    return rs->nkeys[RCTX_THAHC];
}

void rule_set_on_thahc(rule_set *rs, rule_thahc_fn fn, void *ctx)
{
    rs->on_thahc = fn;
    rs->on_thahc_ctx = ctx;
}

void rule_set_on_case(rule_set *rs, rule_case_fn fn, void *ctx)
{
    rs->on_case = fn;
    rs->on_case_ctx = ctx;
}

void rule_set_case_rows(rule_set *rs, rule_case_fmt_fn fmt, rule_bytes_fn emit, void *ctx)
{
    rs->on_case_fmt = fmt;
    rs->on_case_emit = fmt ? emit : NULL;
    rs->on_case_rows_ctx = fmt ? ctx : NULL;
}

void rule_set_on_aggregated(rule_set *rs, rule_done_fn fn, void *ctx)
{
    rs->on_aggregated = fn;
    rs->on_aggregated_ctx = fn ? ctx : NULL;
}

void rule_set_on_screen(rule_set *rs, rule_screen_fn fn, void *ctx)
{
    rs->on_screen = fn;
    rs->on_screen_ctx = ctx;
}

const char *rule_set_screen_id(const rule_set *rs, size_t k)
{
    return k < rs->nscreens ? rs->screens[k].ast->id : NULL;
}

size_t rule_set_screen_columns(const rule_set *rs, const char *const **names)
{
    *names = rs->screen_cols;
    return rs->nscreen_cols;
}
