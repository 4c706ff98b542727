/* diff — what changed between two runs: every cell that moved, and the cases behind each move. */
#ifndef DIFF_H
#define DIFF_H

#include "csv_out.h"
#include "strpool.h"
#include "thk.h"

#include <stdio.h>

/* A cells.csv count or money value: an optional '-' and 1..19 digits within int64. Returns
 * false for anything else (rates, empty, text). */
bool diff_value_int(const char *s, int64_t *v);
/* A cells.csv rate: an optional '-', digits, '.', exactly two digits ("83.88"), as hundredths of
 * a percent (8388). Returns false for anything else, the empty rate included. */
bool diff_value_rate(const char *s, int64_t *hundredths);

typedef struct {
    bool quiet;   /* print nothing: the result is the return value only (cases.csv is not read) */
    size_t limit; /* at most this many changed cells, and cases per cell and kind; 0 = no limit */
    bool csv;     /* print for machines: `form,row,column,ma_viec,movement`, one line per (cell,
                     case), movement '+' entered, '-' left, '~' amount changed; a changed cell
                     where no case can be named gets one line with empty ma_viec and movement */
    const char *const *rules; /* --rules: the rules of both runs; none: each run's manifest's */
    size_t nrules;
} diff_opts;

/* Compares the runs in folders old_dir and new_dir and prints to `out` (unless quiet) the table
 * of changed cells `form row column old new change` (tab-separated, NEW's cell order, then cells
 * only in OLD), then for each changed cell the cases of its row that entered (+), left (-) or
 * changed money (~). Reads cells.csv and, unless quiet, cases.csv of both; writes no file.
 * Returns 0 when every cell is identical, 1 when any differs, or THK_EXIT_INPUT (3) with a
 * message naming the missing or unreadable folder or file in *err (nothing printed). */
int diff_runs(const char *old_dir, const char *new_dir, const diff_opts *o, FILE *out,
              thk_buf *err);

/* `thongke diff OLD_RUN NEW_RUN [--quiet] [--limit N]` (argv[0] = "diff"); --help prints usage.
 * Returns 0 identical, 1 different (or a usage error, with the usage on stderr), 3 when a run
 * folder or file is missing or unreadable. */
int diff_main(int argc, char **argv);

#endif
