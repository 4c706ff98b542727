/* manifest — manifest.json: what produced a run's files (tool, command, period, rules, inputs,
 * outputs, checks), with no wall-clock time so reruns compare byte for byte; and its reader for
 * merge and rerun checks. */
#ifndef MANIFEST_H
#define MANIFEST_H

#include "period.h"
#include "thk.h"

typedef struct {
    const char *path;
    const char *version; /* the rule file's `version` string, "" when it has none */
    char sha256[65];     /* lowercase hex */
} manifest_rule;

typedef struct {
    const char *path;
    char sha256[65];
    uint64_t bytes;
    uint64_t lines; /* physical lines (header, blank and continued lines included) */
    const char *encoding; /* what the file was read as ("UTF-8", "cp1258", ...) */
    uint64_t rows_read, rows_accepted, rows_rejected, rows_warned;
} manifest_input;

/* A file named by its path and SHA-256: an output of the run (as published, normally the bare
 * file name) or, for merge, a contributing run's manifest.json. */
typedef struct {
    const char *path;
    char sha256[65];
} manifest_file;
typedef manifest_file manifest_output;

/* One continuity (or other named) check and its result. */
typedef struct {
    const char *name;   /* "B01 chuyen_ky_sau 2025 = chuyen_sang 2026" */
    bool ok;
    const char *detail; /* may be NULL or "" */
} manifest_check;

/* merge: one contributing run and the SHA-256 of its manifest.json. */
typedef manifest_file manifest_run;

/* Everything manifest.json says. The driver fills it (pointers borrowed, nothing freed);
 * manifest_parse fills one that owns its strings (release with manifest_clear). */
typedef struct {
    const char *tool_version;  /* "0.1.0" */
    size_t argc;
    const char *const *argv;   /* the command line as given */
    const char *unit;          /* reporting unit (--unit-name), may be NULL */
    period per;
    manifest_rule *rules;
    size_t nrules;
    manifest_input *inputs;
    size_t ninputs;
    const char *const *units;  /* unit codes (ma_don_vi) the run covers, in order; may be none */
    size_t nunits;
    manifest_run *runs;        /* merge only; none for a report run */
    size_t nruns;
    manifest_output *outputs;
    size_t noutputs;
    uint64_t identities_verified;
    manifest_check *continuity;
    size_t ncontinuity;
    void *owned;               /* set by manifest_parse; NULL when the caller owns everything */
} manifest_info;

/* Appends the manifest JSON (UTF-8, LF, 2-space indent, fixed key order, a final newline) to out.
 * Strings are escaped for JSON: '"', '\\', control characters as \n \r \t or \u00XX; bytes that
 * are not valid UTF-8 become U+FFFD. */
void manifest_render(const manifest_info *mi, thk_buf *out);
/* Renders and writes to path. Returns 0, or THK_EXIT_OUTPUT with "PATH: reason" in *err when
 * the file cannot be created or a write or the close fails. */
int manifest_write(const char *path, const manifest_info *mi, thk_buf *err);

/* Parses manifest JSON text of the shape manifest_render writes (unknown keys are ignored,
 * missing ones left zero/empty). Fills *out, which then owns all its strings and arrays.
 * Returns 0, or THK_EXIT_INPUT with a message "line L: ..." in *err (out is left cleared). */
int manifest_parse(const char *text, size_t len, manifest_info *out, thk_buf *err);
/* Appends s as a JSON string literal (NULL as ""): quotes, backslashes and control characters
 * escaped, UTF-8 kept. */
void manifest_json_string(thk_buf *b, const char *s);

/* Reads and parses a manifest.json file. Returns 0 or THK_EXIT_INPUT with "PATH: ..." in *err. */
int manifest_read(const char *path, manifest_info *out, thk_buf *err);
/* Frees what manifest_parse allocated and zeroes *mi; does nothing to a caller-owned info
 * (owned == NULL) but zero it. Accepts NULL. */
void manifest_clear(manifest_info *mi);

#endif
