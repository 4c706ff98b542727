/* drill — a case's share of a form cell, for diff, computed by the compiled rules of the run
 * that published the case: the column's own accumulators (its count(...) and sum(...)) are
 * evaluated on what cases.csv holds for the case (its replay facts, the true boolean lets as
 * `flags`, the row keys), the case is placed in the form's rows by those keys and the form's
 * `where`, and the column is computed from the case's accumulators alone (agg_form_row), as the
 * report computes it from a row's. No form, column or state is named here.
 *
 * THAHC forms the same way from thahc-cases.csv (the rows' dates and level, their flags and
 * keys). A column can be traced when all it reads is published: not last year's values
 * (prior), not an input column or event fact read outside a flag let (dates and the level of a
 * THAHC row excepted), not a let that is no flag. drill_column says why not otherwise. */
#ifndef DRILL_H
#define DRILL_H

#include "agg.h"
#include "period.h"

typedef struct drill drill;

/* Prepares rs (compiled, owned by the caller and outliving d) for the cases.csv (or, `thahc`,
 * the thahc-cases.csv) of a run of period *per whose header is names[0..n). */
drill *drill_new(rule_set *rs, const period *per, bool thahc, const char *const *names, size_t n);
/* Whether form `form` of d's rules is built from thahc.csv (1), cases.csv (0), or unknown (-1). */
int drill_source(const drill *d, const char *form);
void drill_free(drill *d);

/* A column prepared for tracing: the form, the column and the accumulators it reads. */
typedef struct drill_col drill_col;
/* Column `code` of form `form` (ids as in cells.csv), or NULL with *why set to a Vietnamese
 * reason (static text) when the column's cases cannot be named from cases.csv. Owned by d. */
const drill_col *drill_column(drill *d, const char *form, const char *code, const char **why);

/* One case's share of a column at one row: its value in the cell when the column is a sum of
 * accumulators (linear), and the accumulators the column reads, for rates. */
typedef struct {
    bool linear;
    int64_t value;  /* linear: what the case adds to the cell */
    size_t n;
    int64_t *acc;   /* the column's accumulators for this case (zero when not in the row) */
} drill_share;

/* The share of the case whose cases.csv fields are fields[0..n) (the header's order) in cell
 * (col, row): zero when the case is not in the row (its keys, the form's where). out->acc
 * points into d and is valid until the next call on d. False when a value of the case cannot
 * be read (a malformed number or date). */
bool drill_share_of(drill *d, const drill_col *col, const char *row, const char *const *fields,
                    drill_share *out);

/* How the case moved in the cell from share a (old run) to b (new run): '+' it entered, '-'
 * it left, '~' its amount changed, 0 it did not move. */
char drill_move(const drill_share *a, const drill_share *b);

#endif
