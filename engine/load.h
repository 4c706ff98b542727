/* load — reads cases.csv, events.csv and thahc.csv into a model, rejecting bad rows one by one. */
#ifndef LOAD_H
#define LOAD_H

#include "model.h"
#include "rejects.h"
#include "rule_map.h"
#include "thk.h"

#include <stdatomic.h>
#include <stdio.h>

/* The three export files. */
typedef enum { LOAD_CASES = 0, LOAD_EVENTS = 1, LOAD_THAHC = 2 } load_kind;

/* A header alias from a rule file's `columns` block: for file `kind`, a header whose folded key
 * equals fold(alias) binds to the canonical column `column`. */
typedef struct {
    load_kind kind;
    const char *column; /* canonical name, e.g. "ngay_quyet_dinh" */
    const char *alias;  /* as written in the rule file, e.g. "Ngày ra QĐ THA" */
} load_alias;

typedef struct {
    /* iconv name ("cp1258") for input files that are not UTF-8 (read_csv.h: a BOM or valid
     * UTF-8 wins); encoding_for[kind], when set, is the one for that file instead */
    const char *encoding;
    const char *encoding_for[3];
    char delimiter;        /* ',', ';', '\t'; 0 = detect from the header line */
    rule_map *su_kien;     /* required for events */
    rule_map *loai_an;     /* NULL: text kept unmapped is not allowed; column ignored */
    rule_map *hinh_thuc;
    rule_map *cap;         /* cap_phai_thi_hanh */
    const load_alias *aliases;
    size_t naliases;
    const char *const *extra_cases; /* folded names of extra case columns rules use (kept) */
    size_t nextra_cases;
    reject_log *rejects;   /* where rejected rows and warnings go (required) */
    _Atomic uint64_t *progress_bytes; /* optional counters for a progress display */
    _Atomic uint64_t *progress_rows;
    uint32_t max_event_line; /* 0 = MODEL_EVENT_LINE_MAX; tests lower it to reach the limit */
    /* load_cases_events: > 0 reads cases.csv on two threads (one splits records, one loads
     * them), < 0 on one, 0 = two when the machine has more than one CPU */
    int cases_pipe;
} load_opts;

/* Per-file reconciliation: read = accepted + rejected; warned counts rows kept with a warning. */
typedef struct {
    uint64_t read, accepted, rejected, warned;
    uint64_t lines;     /* physical lines, header and blank lines included */
    uint64_t multiline; /* records that span more than one line (a quoted line break) */
    uint64_t bytes;
    char sha256[65]; /* of the file's bytes, computed by the reader as it reads them */
    char encoding[160]; /* what it was read as (reader_stats.encoding) */
    /* events read beside cases.csv (load_cases_events): the case keys kept until cases.csv is
     * loaded, one per run of rows with one key, and their bytes (front coded) */
    uint64_t keys_kept, keys_bytes;
} load_stats;

/* The encoding option that applies to a file of this kind (encoding_for, else encoding). */
const char *load_encoding(const load_opts *opts, load_kind kind);

/* Loads one file into m. Row-level problems are rejected into opts->rejects (under the file's
 * base name, e.g. "cases.csv") and the load goes on. Returns 0, or THK_EXIT_INPUT for a file-level problem (missing or unreadable file, a
 * required column missing, an unterminated quote at end of file, an undecodable header) with a
 * message naming the file in *err. Load cases before events (events look their case up). */
int load_file(model *m, load_kind kind, const char *path, const load_opts *opts,
              load_stats *stats, thk_buf *err);
/* The same from a memory buffer; `name` is the file name used in messages and rejects. */
int load_memory(model *m, load_kind kind, const char *name, const char *data, size_t len,
                const load_opts *opts, load_stats *stats, thk_buf *err);

/* Loads cases.csv and events.csv at once on two threads (the events thread keeps its own
 * string pool and reject log; its rows are matched to cases after both finish, so the result —
 * model, rejects, counts, hashes — is the same as load_file(cases) then load_file(events)).
 * cases.csv, the slower file to load, is itself read on two threads: one splits records, the
 * other loads them in order (see opts->cases_pipe). When `progress` is not NULL, a one-line
 * progress display (rows, MB, %, MB/s) is redrawn on it every 200 ms. Returns 0, or
 * THK_EXIT_INPUT with *err as load_file (cases checked first). */
int load_cases_events(model *m, const char *cases_path, const char *events_path,
                      const load_opts *opts, load_stats *cstats, load_stats *estats,
                      FILE *progress, thk_buf *err);

/* The number of rows a CSV file holds, estimated from the lines in its first 64 KiB (exact
 * for a smaller file; a header line counts as a row). 0 for an empty or unreadable file. Used
 * to size tables once instead of regrowing them. */
size_t load_estimate_rows(const char *path);

/* The canonical file name of a kind ("cases.csv"). */
const char *load_kind_file(load_kind kind);

#endif
