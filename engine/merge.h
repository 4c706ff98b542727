/* merge — consolidation by a superior: sums sub-unit runs cell by cell, recomputes the rates. */
#ifndef MERGE_H
#define MERGE_H

#include "thk.h"

#include <stddef.h>

/* How a rate (or other non-additive) column of the merged cells.csv is recomputed from the
 * merged additive cells of the same row. Rates are never summed.
 *
 * TODO(rule engine): these formulas belong to the rule definitions (`column ty_le = percent(...)`);
 * once rule.h exposes them, the driver builds this table from the compiled rules (or merge asks
 * rule_* directly) and merge_default_rates() becomes a fallback. */
typedef enum {
    MERGE_PERCENT = 0, /* form_percent(sum of num, sum of den) */
    MERGE_DIFF = 1,    /* num[0] − num[1] (e.g. a rate minus its target or last year's rate);
                          empty when either is empty */
    MERGE_SAME = 2     /* a constant (a target): every run must hold the same value */
} merge_rate_kind;

#define MERGE_MAX_TERMS 8

typedef struct {
    const char *form;   /* form id ("B01"), or a prefix ending in '*' ("B01*": B01, B01-CHV…) */
    const char *column; /* column code of the recomputed cell */
    merge_rate_kind kind;
    /* operands, NULL-terminated: a column code of the same form and row, or "FORM.column" for
     * the same row of another form */
    const char *num[MERGE_MAX_TERMS];
    const char *den[MERGE_MAX_TERMS];
} merge_rate;

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
