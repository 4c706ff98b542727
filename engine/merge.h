/* merge — consolidation by a superior: sums sub-unit runs cell by cell, recomputes the rates. */
#ifndef MERGE_H
#define MERGE_H

#include "form.h"
#include "thk.h"

#include <stddef.h>

/* How a rate (or other non-additive) column of the merged cells.csv is recomputed from the
 * merged additive cells of the same row (form.h's form_rate). Rates are never summed. The
 * formulas come from the compiled rules the runs used (rule_set_rates); merge_default_rates()
 * covers the shipped forms when those rules cannot be found, and any column the rules express
 * through something other than other columns (e.g. last year's aggregates). */
typedef form_rate merge_rate;
typedef form_rate_kind merge_rate_kind;
#define MERGE_PERCENT FORM_RATE_PERCENT
#define MERGE_DIFF FORM_RATE_DIFF
#define MERGE_SAME FORM_RATE_SAME
#define MERGE_MAX_TERMS FORM_RATE_MAX_TERMS

/* The formulas of the shipped forms (rules/thads.rules, rules/dot-cao-diem.rules): B01* and
 * B02* ty_le, B05/B06 ty_le and ty_le_tien, B03* ty_le, the TH and DCD rates, targets and gaps.
 * Static storage; *n gets the count. An exact form id wins over a prefix. */
const merge_rate *merge_default_rates(size_t *n);

typedef struct {
    const char *out;           /* folder to publish into */
    const char *const *runs;   /* run folders, in order */
    size_t nruns;
    const merge_rate *rates;   /* NULL: merge_default_rates() */
    size_t nrates;
    const char *const *argv;   /* the command line, for the manifest */
    size_t argc;
} merge_opts;

/* Reads every run's manifest.json, cells.csv and rejects.csv (and cases.csv when every run has
 * one), refuses runs of different periods or rule versions, a unit present in two runs, a
 * missing file, or a rate column without a formula; sums the count and money cells by (form,
 * row, column), recomputes the rate cells, checks every total row against the sum of its data
 * rows, and publishes cells.csv, rejects.csv (runs' rows in run order), cases.csv (the same)
 * and manifest.json (with runs[] and their manifest hashes) atomically into o->out.
 * Returns 0 when published, THK_EXIT_INPUT (3) for an input problem or refusal, THK_EXIT_OUTPUT
 * (4) when the folder is locked or cannot be written; the message (Vietnamese / English, naming
 * the runs) is in *err and nothing is published. */
int merge_runs(const merge_opts *o, thk_buf *err);

/* `thongke merge --out DIR RUN_DIR... [--quiet]` (argv[0] = "merge"); --help prints usage.
 * Returns 0 published, 1 usage error, 3 input problem or refusal, 4 output problem. */
int merge_main(int argc, char **argv);

#endif
