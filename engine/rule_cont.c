/* rule_cont — the year-to-year continuity checks of a rule set (`continuity` items, compiled by
 * rule_compile into rs->conts): both windows replayed per case, the rules' conditions and
 * values evaluated on each, sums per unit. run.c compares them and writes the manifest. */
#include "rule.h"

#include "rule_eval.h"

#include <stdlib.h>

size_t rule_set_continuity_count(const rule_set *rs)
{
    return rs->nconts;
}

const char *rule_set_continuity_name(const rule_set *rs, size_t k)
{
    return k < rs->nconts ? rs->conts[k].name : "";
}

/* Node n of x, evaluated once per case and side: continuities share their conditions (the
 * compiler merges equal expressions into one node), so the B02 check reuses the B01 one. */
static rule_val rc_eval(rule_eval_ctx *x, int32_t n, int32_t *seen, rule_val *vals, size_t *nseen)
{
    for (size_t i = 0; i < *nseen; i++)
        if (seen[i] == n)
            return vals[i];
    rule_val v;
    rule_eval(x, n, &v);
    seen[*nseen] = n;
    vals[(*nseen)++] = v;
    return v;
}

/* Adds the case of one side (0 previous, 1 current) to every continuity of rs. */
static void rc_side(rule_set *rs, rule_eval_ctx *x, int side, bool lets, size_t nunits,
                    uint32_t unit, int64_t *sums, bool *overflow, int32_t *seen, rule_val *vals)
{
    if (lets)
        rule_eval_lets_marked(x, RCTX_CASE, rs->cont_lets);
    size_t nseen = 0;
    for (size_t k = 0; k < rs->nconts; k++) {
        const rule_cont *rk = &rs->conts[k];
        rule_val cv = rc_eval(x, side ? rk->cur_cond : rk->prev_cond, seen, vals, &nseen);
        if (cv.null || !cv.i)
            continue;
        int64_t add = 1;
        int32_t vn = side ? rk->cur_val : rk->prev_val;
        if (vn >= 0) {
            rule_val r = rc_eval(x, vn, seen, vals, &nseen);
            add = r.null ? 0 : r.i;
        }
        int64_t *acc = &sums[(k * nunits + unit) * 2 + (size_t)side];
        if (__builtin_add_overflow(*acc, add, acc))
            overflow[k] = true;
    }
}

void rule_continuity_sums(rule_set *rs, const model *m, const period *prev, const period *cur,
                          int64_t *sums, bool *overflow)
{
    rule_val *slots = thk_xcalloc(rs->nslots[RCTX_CASE] + 1, sizeof *slots);
    rule_state *st = rule_state_new(rs); /* rs is only read: rule_compute may run beside */
    int32_t *seen = thk_xcalloc(2 * rs->nconts + 1, sizeof *seen);
    rule_val *vals = thk_xcalloc(2 * rs->nconts + 1, sizeof *vals);
    bool lets = false;
    for (size_t i = 0; i < rs->nlets; i++)
        lets = lets || rs->cont_lets[i];
    rule_eval_ctx x[2] = {
        {.rs = rs, .st = st, .m = m, .S = prev->S, .E = prev->E, .year = prev->year,
         .slots = slots},
        {.rs = rs, .st = st, .m = m, .S = cur->S, .E = cur->E, .year = cur->year,
         .slots = slots},
    };
    for (size_t i = 0; i < m->ncases; i++) {
        const model_case *kc = &m->cases[i];
        replay_facts f[2];
        replay_case(m, kc, prev->S, prev->E, &f[0], NULL, NULL);
        replay_case(m, kc, cur->S, cur->E, &f[1], NULL, NULL);
        for (int side = 0; side < 2; side++) {
            if (!f[side].in_scope)
                continue;
            x[side].c = kc;
            x[side].row = (uint32_t)i;
            x[side].f = &f[side];
            rc_side(rs, &x[side], side, lets, m->nunits, kc->unit, sums, overflow, seen, vals);
        }
    }
    free(slots);
    rule_state_free(st);
    free(seen);
    free(vals);
}
