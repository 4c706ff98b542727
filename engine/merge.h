/* merge — consolidation by a superior: sums sub-unit runs' row accumulators and cells, and
 * recomputes every derived cell from the rules' own column definitions. */
#ifndef MERGE_H
#define MERGE_H

#include "form.h"
#include "thk.h"

#include <stddef.h>

typedef struct {
    const char *out;           /* folder to publish into */
    const char *const *runs;   /* run folders, in order */
    size_t nruns;
    const char *const *rules;  /* --rules files; none: those of the first run's manifest */
    size_t nrules;
    const char *unit_name;     /* --unit-name, the workbook's reporting unit (may be NULL) */
    const char *receiver;      /* --receiver (may be NULL) */
    const char *place;         /* --place (may be NULL) */
    thk_date sign_date;        /* --sign-date, or 0 / THK_DATE_NONE */
    const char *const *argv;   /* the command line, for the manifest */
    size_t argc;
} merge_opts;

/* Reads every run's manifest.json, cells.csv, accumulators.csv and rejects.csv (and cases.csv
 * when every run has one); refuses runs of different periods or rule versions, a unit present
 * in two runs, a missing file, a form, column or aggregate the rules do not have. Loads the
 * rules (o->rules, else the first run's manifest's files with their SHA-256); sums the cells by
 * (form, row, column) and the data rows' accumulators by (form, row); recomputes every cell of
 * every row (data, subtotal, total) from the accumulators with the rules' column definitions
 * and refuses when a summed count or money cell differs from it or a `check` fails; publishes
 * cells.csv, accumulators.csv, rejects.csv and cases.csv (runs' rows in run order) and
 * manifest.json (with runs[] and their manifest hashes) atomically into o->out.
 * Returns 0 when published, THK_EXIT_RULES (2) when the rules cannot be found or compiled,
 * THK_EXIT_INPUT (3) for an input problem or refusal, THK_EXIT_OUTPUT (4) when the folder is
 * locked or cannot be written; the message (Vietnamese / English, naming the runs) is in *err
 * and nothing is published. */
int merge_runs(const merge_opts *o, thk_buf *err);

/* `thongke merge --out DIR [--rules F]... RUN_DIR... [--quiet]` (argv[0] = "merge"); --help
 * prints usage. Returns 0 published, 1 usage error, 2 rules, 3 input problem or refusal,
 * 4 output problem. */
int merge_main(int argc, char **argv);

#endif
