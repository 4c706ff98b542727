/* display — controlled rounding of a form's money for the workbook (see display.h). */
#include "display.h"

#include "read_money.h"

#include <stdlib.h>
#include <string.h>

/* An identity of the form as integer coefficients over its accumulators. */
typedef struct {
    int64_t *coef; /* naccs */
} display_eq;

/* Adds sign × (agg node n) to coef; *linear false when n is not a sum of accumulators. */
static void display_expand(const agg_form *f, int32_t n, int64_t sign, int64_t *coef,
                           bool *linear, int depth)
{
    const agg_node *a = &f->an[n];
    if (depth > 64) {
        *linear = false;
        return;
    }
    switch ((agg_op)a->op) {
    case AG_ACC:
        coef[a->a] += sign;
        return;
    case AG_COL:
        display_expand(f, f->cols[a->a].root, sign, coef, linear, depth + 1);
        return;
    case AG_ADD:
    case AG_SUB:
        display_expand(f, a->a, sign, coef, linear, depth + 1);
        display_expand(f, a->b, a->op == AG_ADD ? sign : -sign, coef, linear, depth + 1);
        return;
    case AG_NEG:
        display_expand(f, a->a, -sign, coef, linear, depth + 1);
        return;
    case AG_CONST:
        *linear = *linear && a->k == 0;
        return;
    case AG_PERCENT:
        *linear = false;
        return;
    }
}

/* Whether accumulator i of f is summed money (its nodes are of kind money). */
static bool display_is_money(const agg_form *f, size_t i)
{
    for (size_t n = 0; n < f->nan; n++)
        if (f->an[n].op == AG_ACC && (size_t)f->an[n].a == i)
            return f->an[n].kind == FORM_KIND_MONEY;
    return false;
}

/* The distinct identities of f over money accumulators (checks that are sums of
 * accumulators, not identically true, with a money accumulator and no count one). */
static size_t display_equations(const agg_form *f, const bool *money, display_eq **out)
{
    size_t na = f->naccs, n = 0;
    display_eq *eq = thk_xcalloc(f->nchecks + 1, sizeof *eq);
    for (size_t k = 0; k < f->nchecks; k++) {
        int64_t *c = thk_xcalloc(na + 1, sizeof *c);
        bool linear = true, any = false, counts = false;
        display_expand(f, f->checks[k].lhs, 1, c, &linear, 0);
        display_expand(f, f->checks[k].rhs, -1, c, &linear, 0);
        int64_t first = 0;
        for (size_t a = 0; a < na; a++) {
            if (!c[a])
                continue;
            any = true;
            counts = counts || !money[a];
            if (!first)
                first = c[a];
        }
        for (size_t a = 0; first < 0 && a < na; a++)
            c[a] = -c[a];
        bool dup = false;
        for (size_t j = 0; j < n && !dup; j++)
            dup = memcmp(eq[j].coef, c, na * sizeof *c) == 0;
        if (!linear || !any || counts || dup) {
            free(c);
            continue;
        }
        eq[n++].coef = c;
    }
    *out = eq;
    return n;
}

/* exact đồng → the two display units around it: lo = floor(x / s), hi = lo or lo + 1. */
static void display_bounds(int64_t x, int64_t s, int64_t *lo, int64_t *hi)
{
    int64_t q = x / s, r = x % s;
    if (r < 0) {
        q--;
        r += s;
    }
    *lo = q;
    *hi = r ? q + 1 : q;
}

/* Rounds the accumulators acc (đồng, data row) into r (display units): nearest, then each
 * identity balanced by the cheapest moves to the other neighbour; the accumulators of an
 * identity are left alone by the later ones. False when an identity could not be balanced. */
static bool display_row(const agg_form *f, const bool *money, const display_eq *eq, size_t neq,
                        int64_t scale, const int64_t *acc, int64_t *r, bool *locked)
{
    size_t na = f->naccs;
    bool ok = true;
    memset(locked, 0, na * sizeof *locked);
    for (size_t a = 0; a < na; a++)
        r[a] = money[a] ? money_scale(acc[a], scale) : acc[a];
    for (size_t e = 0; e < neq; e++) {
        const int64_t *c = eq[e].coef;
        int64_t d = 0;
        for (size_t a = 0; a < na; a++)
            d += c[a] * r[a];
        while (d != 0) {
            size_t best = na;
            int64_t best_cost = 0, best_delta = 0;
            for (size_t a = 0; a < na; a++) {
                if (locked[a] || (c[a] != 1 && c[a] != -1))
                    continue;
                int64_t delta = (d > 0 ? -1 : 1) * c[a], lo, hi;
                display_bounds(acc[a], scale, &lo, &hi);
                if (r[a] + delta < lo || r[a] + delta > hi)
                    continue;
                int64_t before = r[a] * scale - acc[a], after = before + delta * scale;
                int64_t cost = (after < 0 ? -after : after) - (before < 0 ? -before : before);
                if (best == na || cost < best_cost) {
                    best = a;
                    best_cost = cost;
                    best_delta = delta;
                }
            }
            if (best == na) {
                ok = false;
                break;
            }
            r[best] += best_delta;
            d += c[best] * best_delta;
            locked[best] = true; /* moved once: it stays one of its two neighbours */
        }
        for (size_t a = 0; a < na; a++)
            locked[a] = locked[a] || c[a] != 0;
    }
    return ok;
}

/* Whether row key `key` is under subtotal or total `sum` ("*", "K|*"). */
static bool display_under(const char *key, const char *sum)
{
    if (strcmp(sum, "*") == 0)
        return true;
    size_t n = strcspn(sum, "|");
    return strncmp(key, sum, n) == 0 && key[n] == '|';
}

size_t display_round(const agg_form *f, form_table *t)
{
    bool any_money = false;
    for (size_t c = 0; c < t->ncols; c++)
        any_money = any_money || t->cols[c].kind == FORM_KIND_MONEY;
    if (t->scale <= 1 || !any_money || !t->accs || f->naccs != t->naccs)
        return 0;
    size_t na = f->naccs, nc = t->ncols, bad = 0;
    bool *money = thk_xcalloc(na + 1, sizeof *money);
    for (size_t a = 0; a < na; a++)
        money[a] = display_is_money(f, a);
    display_eq *eq;
    size_t neq = display_equations(f, money, &eq);
    int64_t *r = thk_xcalloc((t->nrows + 1) * (na + 1), sizeof *r);
    bool *locked = thk_xcalloc(na + 1, sizeof *locked);
    for (size_t i = 0; i < t->nrows; i++)
        if (t->rows[i].kind == FORM_ROW_DATA &&
            !display_row(f, money, eq, neq, t->scale, t->accs + i * na, r + i * na, locked))
            bad++;
    /* subtotal and total rows: the sums of their data rows' rounded accumulators */
    for (size_t i = 0; i < t->nrows; i++) {
        if (t->rows[i].kind == FORM_ROW_DATA)
            continue;
        for (size_t j = 0; j < t->nrows; j++)
            if (t->rows[j].kind == FORM_ROW_DATA && display_under(t->rows[j].key, t->rows[i].key))
                for (size_t a = 0; a < na; a++)
                    r[i * na + a] += r[j * na + a];
    }
    t->shown = thk_xcalloc((t->nrows + 1) * (nc + 1), sizeof *t->shown);
    for (size_t i = 0; i < t->nrows; i++) {
        form_cell *shown = t->shown + i * nc;
        agg_form_row(f, r + i * na, shown);
        for (size_t c = 0; c < nc; c++)
            if (t->cols[c].kind != FORM_KIND_MONEY)
                shown[c] = t->cells[i * nc + c];
    }
    for (size_t e = 0; e < neq; e++)
        free(eq[e].coef);
    free(eq);
    free(money);
    free(r);
    free(locked);
    return bad;
}
