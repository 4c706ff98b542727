/* rule_ast — the syntax tree of rule files and the arena that owns it. */
#ifndef RULE_AST_H
#define RULE_AST_H

#include "rule_diag.h"
#include "thk.h"

/* ---- arena: everything of one compilation is freed at once ---------------------------------- */

typedef struct rule_arena rule_arena;

/* A new arena. Never NULL. */
rule_arena *rule_arena_new(void);
/* Frees the arena and everything allocated in it; accepts NULL. */
void rule_arena_free(rule_arena *a);
/* Zeroed memory of n bytes, aligned for any type, valid until rule_arena_free. */
void *rule_arena_alloc(rule_arena *a, size_t n);
/* A NUL-terminated copy of s[0..n). */
char *rule_arena_strndup(rule_arena *a, const char *s, size_t n);
/* Appends one zeroed element to the array *arrp (T **) of *n elements of `size` bytes,
 * growing it in the arena (capacity in *cap). Returns the new element. */
void *rule_arena_push(rule_arena *a, void *arrp, size_t *n, size_t *cap, size_t size);

/* ---- expressions ---------------------------------------------------------------------------- */

typedef enum {
    EX_INT,      /* i */
    EX_PERCENT,  /* i = hundredths */
    EX_STRING,   /* s (NFC) */
    EX_DATE,     /* i = thk_date */
    EX_DURATION, /* i = count, op = unit */
    EX_BOOL,     /* i = 0/1 */
    EX_NULL,
    EX_NAME,     /* s */
    EX_CALL,     /* s = function, args, where (sum(x where p)) */
    EX_NEG,      /* a */
    EX_NOT,      /* a */
    EX_AND,      /* a, b */
    EX_OR,       /* a, b */
    EX_CMP,      /* a op b */
    EX_IN,       /* a in (args) */
    EX_MATCH,    /* a ~ /s/flags */
    EX_ADD,      /* a + b */
    EX_SUB       /* a - b */
} rule_expr_kind;

typedef enum { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE } rule_cmp_op;
typedef enum { DUR_DAYS = 0, DUR_MONTHS = 1, DUR_YEARS = 2 } rule_dur_unit;

typedef struct rule_expr {
    rule_expr_kind kind;
    int op;                 /* EX_CMP: rule_cmp_op; EX_DURATION: rule_dur_unit */
    rule_loc loc;           /* the primary, or the operator of an operation */
    int64_t i;
    const char *s;          /* name, string text, function name, pattern text */
    size_t slen;
    unsigned flags;         /* pattern flags (RULE_PAT_*) */
    rule_loc ploc;          /* EX_MATCH: the pattern token */
    struct rule_expr *a, *b;
    struct rule_expr **args;
    size_t nargs;
    struct rule_expr *where;
} rule_expr;

/* ---- items ---------------------------------------------------------------------------------- */

typedef struct {
    const char *text;
    rule_loc loc;
} rule_str_ast;

typedef struct {
    const char *key; /* year_start */
    rule_loc loc;
    int kind;        /* 0 = DAYMONTH (day, month), 1 = INT (i), 2 = STRING (s) */
    int day, month;
    int64_t i;
    const char *s;
    rule_loc vloc;
    int block;            /* RULE_BLOCK_PERIOD or RULE_BLOCK_WORKBOOK */
} rule_setting_ast;

enum { RULE_BLOCK_PERIOD = 0, RULE_BLOCK_WORKBOOK = 1 };

enum { RULE_FILE_CASES = 0, RULE_FILE_EVENTS = 1, RULE_FILE_THAHC = 2 }; /* = load_kind */

typedef struct {
    const char *column;
    rule_loc loc;
    int kind;             /* RULE_FILE_* */
    rule_str_ast *aliases;
    size_t naliases, cap;
} rule_alias_ast;

/* labels NAME { value "label" ... }: how the workbook shows the values of an enum domain. */
typedef struct {
    const char *value, *label;
    rule_loc loc;
} rule_label_ast;

typedef struct {
    const char *name; /* state, condition, or a map's name */
    rule_loc loc;
    rule_label_ast *items;
    size_t nitems, cap;
} rule_labels_ast;

typedef struct {
    const char *value;
    rule_loc loc;         /* the value name */
    const char *pat;      /* pattern text as written between the slashes */
    size_t plen;
    unsigned flags;
    rule_loc ploc;        /* the whole pattern token */
} rule_alt_ast;

typedef struct {
    const char *name;
    rule_loc loc;
    rule_alt_ast *alts;
    size_t nalts, cap;
} rule_map_ast;

typedef struct {
    const char *name;
    rule_loc loc;
    rule_expr *e;
} rule_let_ast;

typedef struct {
    const char *name;
    rule_loc loc;
    int64_t v;            /* hundredths of a percent */
    const char *label;    /* may be NULL */
} rule_target_ast;

typedef struct {
    const char *key;
    const char *label;    /* may be NULL */
    rule_loc loc;
} rule_fixed_ast;

typedef struct {
    const char *name;
    rule_loc loc;
    const char *label;    /* label name, may be NULL */
    rule_loc label_loc;
    const char *header;   /* may be NULL */
    rule_fixed_ast *fixed;
    size_t nfixed, cap;
    bool has_fixed;
} rule_rowfield_ast;

typedef struct {
    const char *code;
    rule_loc loc;
    const char *label;
    int width;            /* 0 = none */
    const char *format;   /* Excel number format hint ("#,##0.0"), NULL = by kind */
    const char *target;   /* may be NULL */
    rule_loc target_loc;
    rule_expr *e;
    int group;            /* innermost group, -1 none */
} rule_column_ast;

typedef struct {
    const char *label;
    int parent;
    rule_loc loc;
} rule_group_ast;

typedef struct {
    rule_expr *lhs, *rhs;
    rule_loc loc;         /* the `check` keyword */
    rule_loc eq;          /* the `=` */
} rule_check_ast;

typedef struct {
    const char *name;
    rule_loc loc;
    bool desc;
} rule_orderkey_ast;

enum { RULE_MEASURE_COUNT = 0, RULE_MEASURE_MONEY = 1 };
enum { RULE_SOURCE_CASES = 0, RULE_SOURCE_THAHC = 1 };

typedef struct {
    const char *id;
    rule_loc loc;
    const char *title;
    int measure;
    int source;
    const char *code, *subtitle;
    rule_expr *where;
    bool has_rows;
    rule_loc rows_loc;
    rule_rowfield_ast *rows;
    size_t nrows, rows_cap;
    bool subtotal;
    const char *total;    /* NULL: no total row */
    rule_column_ast *cols;
    size_t ncols, cols_cap;
    rule_group_ast *groups;
    size_t ngroups, groups_cap;
    rule_check_ast *checks;
    size_t nchecks, checks_cap;
    int64_t scale;        /* `scale N`: money columns shown divided by N; 0 = the workbook's */
    rule_loc scale_loc;
    rule_orderkey_ast *order; /* `order by COLUMN [desc]`: data rows ranked within their group */
    size_t norder, order_cap;
} rule_form_ast;


typedef struct {
    const char *name;
    rule_loc loc;
    const char *label;    /* may be NULL */
} rule_showcol_ast;

typedef struct {
    const char *id;
    rule_loc loc;
    const char *title;
    const char *code;     /* form number shown top right, or NULL */
    const char *subtitle; /* under the title, or NULL */
    rule_expr *where;
    rule_orderkey_ast *order;
    size_t norder, order_cap;
    int64_t limit;        /* 0 = none */
    const char *limit_per;
    rule_loc limit_loc;
    rule_showcol_ast *show;
    size_t nshow, show_cap;
} rule_list_ast;

typedef struct {
    const char *name;
    const char *value;
    rule_loc loc;
} rule_kv_ast;

typedef struct {
    rule_loc loc;
    rule_kv_ast *kv;
    size_t n, cap;
} rule_row_ast;

typedef struct {
    rule_loc loc;
    const char *ma_viec;
    const char *date;     /* as written */
    const char *su_kien;
    const char *so_tien;  /* digits, or NULL */
    const char *ghi_chu;  /* or NULL */
} rule_event_ast;

typedef struct {
    rule_loc loc;
    const char *form;     /* as written (B01_CHV) */
    const char *row;      /* joined with '|'; NULL for L.count */
    const char *col;      /* column code, or "count" for a list */
    bool is_count;        /* L1.count */
    bool empty;           /* expected empty */
    bool is_percent;      /* expected given as a percent literal */
    int64_t v;
} rule_expect_ast;

typedef struct {
    const char *name;
    rule_loc loc;
    bool has_period;
    rule_loc period_loc;
    int months, year;     /* months > 0: "period N thang Y" */
    thk_date from, to;    /* months == 0: a window */
    rule_row_ast *cases;
    size_t ncases, cases_cap;
    rule_event_ast *events;
    size_t nevents, events_cap;
    rule_row_ast *thahc;
    size_t nthahc, thahc_cap;
    rule_expect_ast *expects;
    size_t nexpects, expects_cap;
} rule_test_ast;

/* screen ID "title" { ... } (thẩm tra): a case screen (where / order by / show, as a list) or
 * a comparison screen (compare VALUE with REF [size SIZE] in FORM, ...) with HB parameters. */
enum { SCREEN_WARNING = 0, SCREEN_ERROR = 1 };
typedef struct {
    const char *id;
    rule_loc loc;
    const char *title;
    int severity;            /* SCREEN_* */
    rule_loc severity_loc;
    const char *basis;       /* legal basis / guidance, or NULL */
    rule_list_ast list;      /* a case screen: where, order by, show (id/title copied) */
    const char *value, *ref, *size; /* a comparison screen: column codes (size may be NULL) */
    rule_loc compare_loc;
    const char **forms;      /* forms whose rows are screened */
    size_t nforms, forms_cap;
    rule_loc *form_locs;      /* where each form id is written */
    size_t nform_locs, form_locs_cap;
    int64_t hb_u, hb_a, hb_c; /* ten-thousandths: u = 50% → 5000, c = 7 → 70000 */
    rule_loc hb_loc;
} rule_screen_ast;

/* continuity "name" { previous = cond [value expr] current = cond [value expr] } */
typedef struct {
    const char *name;
    rule_loc loc;
    rule_expr *prev_cond, *prev_val; /* prev_val NULL: count cases */
    rule_expr *cur_cond, *cur_val;
} rule_cont_ast;

/* A whole program: the items of every file, includes expanded in place. */
typedef struct {
    rule_arena *arena;
    rule_str_ast *versions;
    size_t nversions, versions_cap;
    rule_setting_ast *settings;
    size_t nsettings, settings_cap;
    rule_alias_ast *aliases;
    size_t naliases, aliases_cap;
    rule_map_ast *maps;
    size_t nmaps, maps_cap;
    rule_labels_ast *labels;
    size_t nlabels, labels_cap;
    rule_let_ast *lets;
    size_t nlets, lets_cap;
    rule_target_ast *targets;
    size_t ntargets, targets_cap;
    rule_form_ast *forms;
    size_t nforms, forms_cap;
    /* column sets (`columns NAME { column | group | check | use }`): only id, loc, cols,
     * groups and checks are used; `use NAME` copies them into a form (or set) in place */
    rule_form_ast *colsets;
    size_t ncolsets, colsets_cap;
    rule_list_ast *lists;
    size_t nlists, lists_cap;
    rule_cont_ast *conts;
    size_t nconts, conts_cap;
    rule_screen_ast *screens;
    size_t nscreens, screens_cap;
    rule_test_ast *tests;
    size_t ntests, tests_cap;
} rule_ast;

/* An empty program with its own arena. Never NULL. */
rule_ast *rule_ast_new(void);
/* Frees the program and its arena; accepts NULL. */
void rule_ast_free(rule_ast *a);
/* A zeroed expression node of `kind` at loc. */
rule_expr *rule_ast_expr(rule_ast *a, rule_expr_kind kind, rule_loc loc);
/* Writes a compact Lisp-like rendering of e ("(+ a 1)"), for tests and debugging. */
void rule_ast_dump(const rule_expr *e, thk_buf *out);

#endif
