/* display — what a form shows when its money is shown in a larger unit (1.000 đồng): rounded
 * values that still add up on paper.
 *
 * Rounding each cell on its own breaks the sums a reader checks: a total is no longer the sum
 * of its printed rows, and a row's identities (phải thi hành = có điều kiện + hoãn + chưa có
 * điều kiện) miss by one. Here the rounding is controlled (Cox & Ernst 1982, "Controlled
 * rounding", INFOR 20(4); the same idea as the controlled rounding of statistical agencies'
 * published tables): in each data row the money *accumulators* (the count(...)/sum(...) every
 * column is computed from) are rounded to the display unit, each to one of its two
 * neighbours (nearest first), then moved to the other neighbour where needed so that every
 * `check` identity of the form that links money accumulators holds exactly in display units,
 * choosing the moves that cost least. Every money column of the row is then computed from the
 * rounded accumulators by the form's own formulas, and subtotal and total rows from the
 * rounded accumulators of their data rows, as the report computes exact rows.
 *
 * Promises: for every money column, each subtotal and the total equal the sum of their shown
 * data rows; every `check` whose terms are money holds on shown values; each money
 * accumulator of a data row is within one display unit of its exact value (|shown - exact/
 * scale| < 1), so a column that is one accumulator is too, and a column of k accumulators
 * within k units; the result depends on the exact values only (no order, no randomness).
 * Count and rate columns are shown exact. cells.csv keeps exact đồng. */
#ifndef DISPLAY_H
#define DISPLAY_H

#include "agg.h"

/* Fills t->shown for form f (t holds its exact cells and, for data rows, its accumulators)
 * when t->scale > 1 and the form has money columns; leaves it NULL otherwise. Returns the
 * number of data rows whose identities could not all be balanced within one unit per
 * accumulator (their accumulators are then rounded to nearest; 0 for the shipped rules). */
size_t display_round(const agg_form *f, form_table *t);

#endif
