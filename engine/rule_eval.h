/* rule_eval — evaluates compiled case-level nodes on one case or THAHC row, allocating
 * nothing: let values live in a caller-provided slot array. */
#ifndef RULE_EVAL_H
#define RULE_EVAL_H

#include "rule_compile.h"

/* Runtime problems, as bits of rule_eval_ctx.err. */
enum { RULE_EVAL_OVERFLOW = 1, RULE_EVAL_LIMIT = 2 };

/* The working state of one thread evaluating a rule set: what pattern matching and map lookups
 * write (match data, JIT stacks, memos). The compiled rule set is only read by evaluations
 * that carry a state, so any number of threads share one (rule_compute, the continuity check). */
typedef struct rule_state rule_state;
rule_state *rule_state_new(const rule_set *rs);
void rule_state_free(rule_state *st);

typedef struct {
    rule_set *rs;
    rule_state *st;             /* NULL: the rule set's own states (one thread, with coverage) */
    const model *m;             /* NULL only for constant folding */
    const model_case *c;        /* RCTX_CASE */
    uint32_t row;               /* index of the case or THAHC row */
    const replay_facts *f;      /* RCTX_CASE */
    const model_thahc *t;       /* RCTX_THAHC */
    thk_date S, E;
    int year;
    rule_val *slots;            /* the context's let slots (rs->nslots[ctx]) */
    int err;                    /* RULE_EVAL_* bits since the caller last cleared it */
    int32_t err_node;           /* node of the first problem */
    const char *limit_text;     /* the text a pattern limit was hit on */
    uint32_t limit_len;
    int limit_pat;              /* pattern index, or -1 - map index */
} rule_eval_ctx;

/* Evaluates node n into *out. Never fails: overflow gives null and sets RULE_EVAL_OVERFLOW, a
 * PCRE2 limit gives false/null and sets RULE_EVAL_LIMIT. */
void rule_eval(rule_eval_ctx *x, int32_t n, rule_val *out);
/* Node n as a condition: true only when it is a non-null true. */
bool rule_eval_true(rule_eval_ctx *x, int32_t n);
/* Evaluates the lets of context ctx into x->slots in dependency order: those used by forms
 * and lists, or every let when `all`. With rs->coverage, counts true/false outcomes. */
void rule_eval_lets(rule_eval_ctx *x, int ctx, bool all);
/* The same for the lets marks[let index] names (rs->cont_lets), no coverage counted. */
void rule_eval_lets_marked(rule_eval_ctx *x, int ctx, const bool *marks);
/* Writes a value as text for row keys and messages: enum value names, dd/mm/yyyy dates,
 * "true"/"false", decimal numbers, text as is; "" for null. */
void rule_val_text(const rule_set *rs, const rule_val *v, int type, int dom, thk_buf *out);

#endif
