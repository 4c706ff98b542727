/* agg — computes forms and lists from compiled rules: one pass over the records evaluating
 * each distinct predicate once, row accumulators (int64, overflow-checked), subtotal and total
 * rows, column arithmetic, rates, check identities, and sorted, limited lists. Implements
 * rule_compute and rule_each_case of rule.h. */
#ifndef AGG_H
#define AGG_H

#include "form.h"
#include "rule_compile.h"

/* The table whose id is `id` ("B01_CHV" and "B01-CHV" are the same), or NULL. */
const form_table *agg_find_table(const form_set *s, const char *id);
/* The index of the row whose key is `key`, or -1. */
long agg_find_row(const form_table *t, const char *key);
/* The index of the column with code `code`, or -1. */
long agg_find_col(const form_table *t, const char *code);

#endif
