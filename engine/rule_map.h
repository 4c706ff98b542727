/* rule_map — compiled PCRE2 patterns and ordered `map` tables, memoised per distinct text. */
#ifndef RULE_MAP_H
#define RULE_MAP_H

#include "thk.h"

/* Pattern flags of the rule language. */
enum { RULE_PAT_I = 1, RULE_PAT_A = 2, RULE_PAT_X = 4 };

/* Result of a match. */
enum { RULE_MATCH_NO = 0, RULE_MATCH_YES = 1, RULE_MATCH_LIMIT = -2 };

typedef struct rule_pat rule_pat;

/* Compiles a pattern (UTF mode, UCP; JIT when available; match and depth limits set). Flag `a`
 * compiles the accent-folded pattern and matches it against accent-folded subjects. On a bad
 * pattern returns NULL and writes PCRE2's message into err and the offset (in bytes of the
 * pattern as written) into *erroff. */
rule_pat *rule_pat_compile(const char *pattern, size_t len, unsigned flags, char *err,
                           size_t errsz, size_t *erroff);
void rule_pat_free(rule_pat *p);
/* Matches NFC text; memoised per distinct text. RULE_MATCH_YES/NO, or RULE_MATCH_LIMIT when a
 * PCRE2 match or depth limit was hit. Uses the pattern's own working state: one thread. */
int rule_pat_match(rule_pat *p, const char *text, size_t len);

/* A working state for p (match data, JIT stack, memo): what a match writes. With one state per
 * thread, any number of threads match the same compiled pattern at once. */
typedef struct rule_pat_run rule_pat_run;
rule_pat_run *rule_pat_run_new(const rule_pat *p);
void rule_pat_run_free(rule_pat_run *r);
/* rule_pat_match writing into `run` only; p is not written to. */
int rule_pat_match_in(const rule_pat *p, rule_pat_run *run, const char *text, size_t len);

typedef struct rule_map rule_map;

/* An empty map named `name` (e.g. "su_kien"). Never NULL. */
rule_map *rule_map_new(const char *name);
void rule_map_free(rule_map *m);
const char *rule_map_name(const rule_map *m);

/* Appends an alternative: text matching `pattern` maps to `value`. Values are numbered in order
 * of first appearance. Returns the alternative's index, or -1 on a bad pattern (err, *erroff
 * as for rule_pat_compile). */
int rule_map_add(rule_map *m, const char *value, const char *pattern, size_t len, unsigned flags,
                 char *err, size_t errsz, size_t *erroff);

size_t rule_map_value_count(const rule_map *m);
const char *rule_map_value_name(const rule_map *m, size_t i);
/* Index of value `name`, or -1. */
int rule_map_value_index(const rule_map *m, const char *name);
size_t rule_map_alt_count(const rule_map *m);
/* Value index of alternative i, and its pattern text as written. */
int rule_map_alt_value(const rule_map *m, size_t i);
const char *rule_map_alt_pattern(const rule_map *m, size_t i);

/* Maps NFC text (the caller trims it): the value index of the first alternative that matches,
 * RULE_MAP_NOMATCH, or RULE_MAP_LIMIT. Memoised per distinct text: a text seen before costs one
 * hash lookup. Counts hits per alternative (see rule_map_alt_hits). Not thread-safe. */
enum { RULE_MAP_NOMATCH = -1, RULE_MAP_LIMIT = -2 };
int rule_map_lookup(rule_map *m, const char *text, size_t len);
/* Index of the alternative that decided the last lookup (or -1): for coverage. */
int rule_map_last_alt(const rule_map *m);

/* A working state for m (memo, fold buffer, its alternatives' pattern states). */
typedef struct rule_map_run rule_map_run;
rule_map_run *rule_map_run_new(const rule_map *m);
void rule_map_run_free(rule_map_run *r);
/* rule_map_lookup writing into `run` only (m is not written to; no hit is counted). */
int rule_map_lookup_in(const rule_map *m, rule_map_run *run, const char *text, size_t len);
int rule_map_run_last_alt(const rule_map_run *r);
/* How many lookups (memoised ones included) alternative i decided. */
size_t rule_map_alt_hits(const rule_map *m, size_t i);
/* Clears the hit counters (the memo is kept). */
void rule_map_reset_hits(rule_map *m);

#endif
