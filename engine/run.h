/* run — the report pipeline: rules → input → replay and forms → outputs, with exit codes. */
#ifndef RUN_H
#define RUN_H

#include "thk.h"

#define RUN_MAX_RULES 16
/* Without --max-reject-pct a file with more than 5 % of its rows rejected fails the run
 * (hundredths of a percent); a cases file with no accepted case always does. */
#define RUN_DEFAULT_MAX_REJECT_PCT 500

typedef struct {
    int year;                 /* statistical year (--year) */
    int months;               /* --months N, 0 with --from/--to */
    thk_date from, to;        /* custom window, THK_DATE_NONE otherwise */
    const char *input_dir;    /* --input (default input/sample) */
    const char *cases, *events, *thahc; /* explicit files (override input_dir) */
    const char *rules[RUN_MAX_RULES];
    size_t nrules;            /* 0: rules/thads.rules */
    const char *out;          /* --out (default output/<Y>-<N>thang) */
    unsigned mode;            /* --mode of published files, 0: PUBLISH_DEFAULT_MODE (0640) */
    bool strict;
    int64_t max_reject_pct;   /* hundredths of a percent, -1: RUN_DEFAULT_MAX_REJECT_PCT */
    const char *encoding;        /* --encoding NAME: for input files that are not UTF-8 */
    const char *encoding_for[3]; /* --encoding cases=NAME (load_kind order) */
    char delimiter;
    const char *unit_name, *receiver;
    const char *place;        /* --place: the place of "…, ngày … tháng … năm …" */
    thk_date sign_date;       /* --sign-date, or THK_DATE_NONE (left blank) */
    bool want_xlsx, want_csv;
    const char *baseline;     /* --baseline RUN_DIR: screens compare with its cells.csv too */
    bool strict_checks;       /* --strict-checks: an "error" finding exits THK_EXIT_SCREEN */
    int threads;              /* --threads 1|2 for reading and computing; 0: 2 when there are
                                 two cores (the outputs are the same either way) */
    bool quiet, progress;
    const char *log;
    bool verify;
    int argc;                 /* the command line, for the manifest */
    char **argv;
} run_opts;

/* Runs a report; returns the process exit code (thk.h) after logging what happened. */
int run_report(const run_opts *o);

#endif
