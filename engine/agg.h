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

/* An empty form set for rs, with room for every form and list: its targets, the workbook
 * block's legal basis and signature labels. */
form_set *agg_set_new(const rule_set *rs);
/* The head of form f's table: id, titles, row fields, columns and groups, money scale,
 * accumulator names; no rows. */
void agg_table_head(const rule_set *rs, const agg_form *f, form_table *t);
/* The head of list l's table: id, title, its shown columns and their kinds; no rows. */
void agg_list_head(const rule_set *rs, const agg_list *l, form_table *t);

/* Ranks the data rows of t (form f's table) by the form's `order by` columns, within each group
 * of rows that share every key part but the last (officers within their unit); an empty cell
 * ranks last, ties keep the key order. Subtotal and total rows stay where they are. Call before
 * display_round. */
void agg_rank_rows(const agg_form *f, form_table *t);

/* The compiled form whose id is `id` ("B01_CHV" and "B01-CHV" are the same), or NULL. */
const agg_form *agg_form_find(const rule_set *rs, const char *id);
/* Computes every column of form f on one row from the row's accumulators acc[f->naccs] (the
 * same code the report uses for data, subtotal and total rows), into cells[f->ncols]. Returns
 * -1, or the index of a column whose arithmetic overflowed int64. */
int agg_form_row(const agg_form *f, const int64_t *acc, form_cell *cells);
/* Whether check k of form f holds on a row computed by agg_form_row; *lhs and *rhs get the
 * two sides. */
bool agg_form_check(const agg_form *f, size_t k, const int64_t *acc, const form_cell *cells,
                    int64_t *lhs, int64_t *rhs);

#endif
