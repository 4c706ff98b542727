/* rule_compile — resolves names, checks types, folds constants and orders lets: turns the
 * syntax tree into the compiled program (typed nodes with resolved slots) that rule_eval and
 * agg run. This header is the engine-internal layout of a rule set. */
#ifndef RULE_COMPILE_H
#define RULE_COMPILE_H

#include "form.h"
#include "load.h"
#include "model.h"
#include "replay.h"
#include "rule.h"
#include "rule_ast.h"
#include "rule_diag.h"
#include "rule_map.h"
#include "schema.h"

/* ---- values and types ----------------------------------------------------------------------- */

typedef enum {
    RT_ERROR = 0,
    RT_NULL,     /* the literal null */
    RT_BOOL,
    RT_INT,
    RT_MONEY,
    RT_DATE,
    RT_DURATION,
    RT_TEXT,
    RT_ENUM,     /* with a domain (dom) */
    RT_RATE
} rule_type;

/* Enum domains: the three replay enums, then one per compiled map (RULE_DOM_MAP0 + map). */
enum { RULE_DOM_NONE = 0, RULE_DOM_STATE = 1, RULE_DOM_CONDITION = 2, RULE_DOM_SUSPENSION = 3,
       RULE_DOM_MAP0 = 4 };

/* Evaluation contexts: a case (with its replay facts) or a THAHC row. */
enum { RCTX_CASE = 0, RCTX_THAHC = 1, RCTX__N = 2 };

/* A runtime value. Text: s/len, i = string id in the model pool or -1. Duration: i = count,
 * aux = rule_dur_unit. Enum: i = value index. Bool: 0/1. Others: i. */
typedef struct {
    int64_t i;
    const char *s;
    uint32_t len;
    uint8_t null;
    uint8_t aux;
} rule_val;

/* Case columns, replay facts and THAHC columns visible to expressions. */
#define RULE_X_CF(id, name, type, req) CF_##id,
#define RULE_X_TF(id, name, type, req) TF_##id,
typedef enum { SCHEMA_CASES(RULE_X_CF) CF__N } rule_case_field; /* schema.h order */
typedef enum {
    FA_STATE, FA_CARRIED, FA_NEW, FA_CONDITION, FA_SUSPENSION, FA_O, FA_BEFORE, FA_B,
    FA_COLLECTED, FA_REDUCED, FA_REMAINING, FA_TERMINAL_DATE, FA_LAST_EVENT_DATE, FA_LAST_NOTE,
    FA_FIRST_VERIFY_DATE, FA_LAST_VERIFY_DATE, FA_LAST_VERIFY_NOTE, FA_CONDITION_SINCE,
    FA_SUSPENSION_SINCE, FA__N
} rule_fact;
typedef enum { SCHEMA_THAHC(RULE_X_TF) TF__N } rule_thahc_field;
enum { RP_S = 0, RP_E = 1, RP_YEAR = 2 };

/* ---- compiled case-level nodes -------------------------------------------------------------- */

typedef enum {
    OP_CONST,       /* k (text: a = string index, b = length) */
    OP_CASE,        /* case column a (rule_case_field) */
    OP_CASE_EXTRA,  /* extra case column a (index into rule_set.extras) */
    OP_CASE_MAP,    /* a map over a case text: a = column (CF_ or -1 - extra), b = map index */
    OP_FACT,        /* replay fact a */
    OP_PERIOD,      /* RP_S / RP_E / RP_YEAR */
    OP_THAHC,       /* THAHC column a */
    OP_THAHC_MAP,   /* a map over a THAHC text column a, b = map index */
    OP_LET,         /* let slot a of the current context */
    OP_NOT, OP_AND, OP_OR,
    OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, /* cls 1: text comparison */
    OP_IN,          /* a in xs[b .. b+c) */
    OP_MATCH,       /* a ~ pattern b */
    OP_ADD, OP_SUB, /* integers (cls 0) or money (cls 1), overflow-checked */
    OP_NEG,
    OP_DATE_ADD,    /* date a + duration b */
    OP_DATE_SUB,
    OP_OLDER,       /* a + b < E */
    OP_YEARS,       /* whole years from a to E */
    OP_DAYS,        /* days from a to E (E - a) */
    OP_IF,          /* b when a holds, else c (if(cond, then, else)) */
    OP_EMPTY,
    OP_BETWEEN,     /* a between b and c */
    OP_CONTAINS     /* text a contains text b */
} rule_op;

typedef struct {
    uint16_t op;
    uint8_t type;  /* rule_type of the result */
    uint8_t cls;
    uint16_t dom;  /* RT_ENUM domain */
    uint16_t aux;
    int32_t a, b, c;
    int64_t k;
} rule_node;

typedef struct {
    rule_pat *pat;
    char *text;     /* NFC pattern text */
    unsigned flags;
    rule_loc loc;
    char where[96]; /* "thads.rules:12:20" for reject details */
} rule_patdef;

enum { RULE_NO_COL = -1000 };
typedef struct {
    const rule_map_ast *ast;
    rule_map *map;
    bool loader;    /* one of the loader's maps: su_kien, loai_an, hinh_thuc, cap_phai_thi_hanh */
    int case_col;   /* a map over a case text: CF_ field, -1 - extra index, or RULE_NO_COL */
    int thahc_col;  /* a map over a THAHC text: TF_ field or RULE_NO_COL */
} rule_mapdef;

typedef struct {
    const char *name;   /* canonical name as declared */
    char *key;          /* folded key for the loader */
    int map;            /* index of a map over it, or -1 */
    int mcol;           /* its column in model.case_extra during a compute, -1 when absent */
} rule_extra;

/* A let: compiled per context on demand (a let that uses only shared names may be used by case
 * and THAHC forms alike). */
enum { LET_UNSEEN = 0, LET_ACTIVE, LET_DONE };
enum { LET_USES_CASE = 1, LET_USES_THAHC = 2 };
typedef struct {
    const rule_let_ast *ast;
    unsigned uses;           /* LET_USES_*, transitive */
    int home;                /* context it is checked in */
    int state[RCTX__N];
    int32_t node[RCTX__N];   /* compiled root (-1 on error) */
    int32_t slot[RCTX__N];   /* value slot, or -1 when the value is a constant */
    bool used[RCTX__N];      /* reachable from a form or list */
    bool flag;               /* boolean, used by forms/lists in case context: cases.csv flag */
    bool tflag;              /* boolean, used by THAHC forms: thahc-cases.csv flag */
    uint64_t seen_true, seen_false, seen_value; /* coverage (check) */
} rule_letdef;

/* ---- compiled forms and lists --------------------------------------------------------------- */

typedef enum { AG_CONST, AG_ACC, AG_COL, AG_ADD, AG_SUB, AG_NEG, AG_PERCENT } agg_op;
enum { AGG_KIND_LITERAL = 255 }; /* an integer literal: takes its operand's kind */

typedef struct {
    uint8_t op;
    uint8_t kind;   /* FORM_KIND_* or AGG_KIND_LITERAL */
    int32_t a, b;
    int64_t k;
} agg_node;

typedef struct {
    bool is_sum;    /* sum(value where pred) vs count(pred) */
    bool prior;     /* over last year's replay */
    int32_t pred;   /* case-level node, -1 = every record of the row */
    int32_t val;    /* sum: case-level node */
    int col;        /* first column using it (for overflow messages) */
    char *name;     /* the aggregate as first written: its name in accumulators.csv */
} agg_acc;

typedef struct {
    const rule_column_ast *ast;
    int32_t root;   /* agg node */
    uint8_t kind;   /* FORM_KIND_* */
    bool linear;    /* a sum of accumulators: totals must equal the sum of rows */
    int state;      /* compile: 0 unseen, 1 active, 2 done */
} agg_col;

typedef struct {
    const rule_check_ast *ast;
    int32_t lhs, rhs;
    char *text;     /* "phai_thi_hanh = co_dk + hoan_tdc + chua_co_dk" */
} agg_check;

enum { LV_UNIT = 0, LV_ENUM = 1, LV_TEXT = 2, LV_OTHER = 3 };

typedef struct {
    const rule_rowfield_ast *ast;
    int kind;           /* LV_* */
    int32_t key;        /* case-level node */
    uint8_t type;
    uint16_t dom;
    int32_t label;      /* case-level node or -1 */
    bool label_is_unit; /* label ten_don_vi of rows by ma_don_vi */
    int64_t *fixed_enum; /* LV_ENUM fixed keys: value indexes */
} agg_level;

typedef struct {
    const rule_form_ast *ast;
    char *id;           /* shown id: '_' → '-' */
    int ctx;            /* RCTX_CASE or RCTX_THAHC */
    int32_t where;      /* -1: none */
    agg_level *levels;
    size_t nlevels;
    agg_acc *accs;
    size_t naccs, accs_cap;
    agg_node *an;
    size_t nan, an_cap;
    agg_col *cols;
    size_t ncols;
    int *order;         /* column evaluation order */
    size_t norder;
    agg_check *checks;
    size_t nchecks;
    bool uses_prior;
    int *rank_col;      /* `order by`: columns ranking the data rows within their group */
    bool *rank_desc;
    size_t nrank;
} agg_form;

typedef struct {
    int32_t node;
    bool desc;
} agg_orderkey;

typedef struct {
    int32_t node;
    const char *name;
    const char *label;
} agg_showcol;

typedef struct {
    const rule_list_ast *ast;
    char *id;
    int32_t where;
    agg_orderkey *order;
    size_t norder;
    int32_t per;        /* -1: no limit */
    int64_t limit;
    agg_showcol *show;
    size_t nshow;
    int32_t ma_viec;    /* node of ma_viec (tie-breaker, row key) */
} agg_list;

/* ---- the rule set --------------------------------------------------------------------------- */

/* A year-to-year continuity (`continuity` in a rule file): per unit, what the previous
 * statistical year hands over (cases where prev_cond holds at its end, counted or summed by
 * prev_val) equals what this year takes over (cur_cond, cur_val). Nodes are RCTX_CASE. */
typedef struct {
    const char *name;
    int32_t prev_cond, prev_val; /* prev_val -1: count the cases */
    int32_t cur_cond, cur_val;
} rule_cont;

/* A screen (thẩm tra, `screen` in a rule file). A case screen is compiled as a list kept out of
 * the workbook's list sheets: rs->lists[list], list >= rs->nlists, whose first two shown
 * columns are ma_don_vi and chap_hanh_vien. A comparison screen reads columns of forms: for
 * each form forms[k], the column indexes val[k], ref[k] and size[k] (-1: none). */
typedef struct {
    const rule_screen_ast *ast;
    int list;          /* a case screen's list, -1 for a comparison screen */
    int *colmap;       /* a case screen: its shown column k is column colmap[k] of
                          checks-cases.csv's (rule_set.screen_cols) */
    size_t nforms;
    int *forms, *val, *ref, *size;
} rule_screen;

/* A row key of case forms other than the unit (ma_don_vi), published in cases.csv under its
 * name so that diff can place a case in the rows of every form. */
typedef struct {
    const char *name;  /* the rowfield's name ("chap_hanh_vien", "hinh_thuc") */
    int32_t node;      /* its key node (case context) */
    uint8_t type;
    uint16_t dom;
} rule_case_key;

struct rule_set {
    thk_buf diagbuf;
    rule_diag diag;
    rule_ast *ast;
    const char *version;
    int year_day, year_month;
    /* workbook { ... }: what the workbook shows besides the figures, NULL when not set */
    const char *wb_basis;   /* the legal basis line under the form code */
    const char *wb_sign[4]; /* signature block: left label, its note, right label, its note */
    const char *wb_first;   /* form ids whose sheets come first, in that order */
    rule_loc wb_first_loc;
    int64_t wb_money_scale; /* money columns of forms shown divided by this (1 = đồng) */

    rule_node *nodes;
    size_t nnodes, nodes_cap;
    uint32_t *hcons;    /* hash-consing table: node index + 1, 0 = empty */
    size_t hmask;
    int32_t *xs;        /* operand lists of OP_IN */
    size_t nxs, xs_cap;
    const char **strs;  /* constant texts */
    size_t nstrs, strs_cap;

    rule_patdef *pats;
    size_t npats, pats_cap;
    rule_mapdef *maps;
    size_t nmaps;
    rule_extra *extras;
    size_t nextras;
    const char **extra_keys; /* for load_opts */
    load_alias *aliases;
    size_t naliases;

    rule_letdef *lets;
    size_t nlets;
    rule_cont *conts;       /* continuity checks, in file order */
    size_t nconts;
    bool *cont_lets;        /* per let: needed by a continuity (rule_eval_lets_marked) */
    bool *prior_lets;       /* per let: needed by last year's replay (forms using prior()) */
    struct strpool *let_names; /* let names; id - 1 is the let's index */
    int32_t *let_order[RCTX__N]; /* let indexes in evaluation order (those with a slot) */
    size_t nlet_order[RCTX__N];
    size_t nslots[RCTX__N];

    agg_form *forms;
    size_t nforms;
    agg_list *lists;        /* the lists, then the case screens' lists (nscreen_lists) */
    size_t nlists;
    size_t nscreen_lists;
    rule_screen *screens;
    size_t nscreens;
    const char **screen_cols; /* checks-cases.csv's columns after `screen`: every column a case
                                 screen shows, first appearance first */
    size_t nscreen_cols;
    rule_screen_fn on_screen;
    void *on_screen_ctx;
    bool uses_prior;

    bool coverage;      /* set by the test runner: evaluate every let and count outcomes */
    bool from_files;    /* compiled by rule_set_load (else from memory) */
    int threads;            /* rule_set_threads: how many threads rule_compute may use (1, 2) */
    rule_case_fn on_case;
    void *on_case_ctx;
    rule_case_fmt_fn on_case_fmt; /* rule_set_case_rows */
    rule_bytes_fn on_case_emit;
    void *on_case_rows_ctx;
    rule_done_fn on_aggregated; /* rule_set_on_aggregated */
    void *on_aggregated_ctx;
    rule_case_key *keys[RCTX__N]; /* row keys of the context's forms besides the unit
                                     (cases.csv, thahc-cases.csv) */
    size_t nkeys[RCTX__N];
    rule_thahc_fn on_thahc;
    void *on_thahc_ctx;
    const char ***dom_labels; /* per domain: the `labels` of its values (NULL where none) */
    size_t ndom_labels;
};

/* The domain's name for messages ("state", "loai_an"). */
const char *rule_dom_name(const rule_set *rs, int dom);
/* Number of values of a domain and the name of value i (NULL when out of range). */
size_t rule_dom_count(const rule_set *rs, int dom);
const char *rule_dom_value(const rule_set *rs, int dom, size_t i);
/* The label the rules give value i of dom (`labels`), or NULL. */
const char *rule_dom_label(const rule_set *rs, int dom, size_t i);
/* The index of value `name` in dom, or -1. */
int rule_dom_index(const rule_set *rs, int dom, const char *name);
/* "integer", "money", "state", ... */
const char *rule_type_name(const rule_set *rs, int type, int dom);

/* Compiles a parsed program into rs (which owns ast afterwards). Reports every error into
 * rs->diag; returns the number of errors. */
size_t rule_compile(rule_set *rs, rule_ast *ast);

/* Visits node n and, while fn returns true for a node, the nodes it reads (a let's own node
 * is not entered: OP_LET is a leaf here), depth first. */
typedef bool (*rule_node_visit)(void *ctx, int32_t n);
void rule_node_walk(const rule_set *rs, int32_t n, rule_node_visit fn, void *ctx);

/* For unit tests: compiles one expression in context ctx against rs (whose program is already
 * compiled). Returns the node or -1 (errors in rs->diag). */
int32_t rule_compile_expr(rule_set *rs, const rule_expr *e, int ctx);

#endif
