/* rule — the public face of the rule language: compile rule files once, then compute every
 * form and list of a model for a period, and run the rule files' own tests. */
#ifndef RULE_H
#define RULE_H

#include "form.h"
#include "load.h"
#include "model.h"
#include "period.h"
#include "rejects.h"
#include "replay.h"
#include "rule_map.h"
#include "thk.h"

typedef struct rule_set rule_set;

/* Compiles the rule files paths[0..n) and their includes into one rule set. On any error
 * returns NULL and appends every diagnostic ("file:line:col: error: message", the source line,
 * a caret line) to *diag; nothing is printed. The caller exits THK_EXIT_RULES then. */
rule_set *rule_set_load(const char *const *paths, size_t n, thk_buf *diag);
/* The same for rule text held in memory (tests, fuzzing); `name` is used in messages and
 * includes are resolved relative to its directory. `text` is NUL-terminated. */
rule_set *rule_set_load_text(const char *name, const char *text, thk_buf *diag);
/* The same with an explicit length (the text may contain NUL bytes, which are errors). */
rule_set *rule_set_load_mem(const char *name, const char *text, size_t len, thk_buf *diag);
/* Frees everything; accepts NULL. */
void rule_set_free(rule_set *rs);

/* How many threads rule_compute may use: 1 (the default) or 2. The compiled rule set is
 * shared; each thread evaluates with its own working state (rule_eval.h rule_state). */
void rule_set_threads(rule_set *rs, int n);
/* The `version` string, "" when the files have none. Owned by rs. */
const char *rule_set_version(const rule_set *rs);
/* The statistical year's first day (period { year_start = dd/mm }), default 1/10. */
void rule_set_year_start(const rule_set *rs, int *day, int *month);
/* The compiled map `name` ("su_kien", "loai_an", "hinh_thuc", "cap_phai_thi_hanh", or a map
 * over another text column), or NULL when the files define none. Owned by rs. */
rule_map *rule_set_map(rule_set *rs, const char *name);
/* The header aliases of the `columns` blocks; *out stays valid while rs lives. */
size_t rule_set_aliases(const rule_set *rs, const load_alias **out);
/* Fills the rule-dependent fields of a loader's options: the four maps, the aliases and the
 * extra case columns the rules use. Other fields are left alone. Pointers are owned by rs. */
void rule_set_fill_load_opts(rule_set *rs, load_opts *o);
/* Number of `test` blocks. */
size_t rule_set_test_count(const rule_set *rs);

/* Fills names[0..cap) with the names of the row keys of case forms other than the unit
 * (chap_hanh_vien, hinh_thuc, loai_an for the shipped rules), first appearance first; returns
 * how many there are. The names belong to rs. */
size_t rule_set_case_keys(const rule_set *rs, const char **names, size_t cap);

/* Called for each in-scope case of the main period that reached the forms (cases.csv):
 * `flags` is the ';'-joined names of the boolean lets used by forms or lists that are true for
 * the case, in declaration order ("" when none); `keys` holds the case's value of each row key
 * of rule_set_case_keys, as the text of its row in cells.csv, each NUL-terminated, one after
 * the other. Pointers are valid during the call only. */
typedef void (*rule_case_fn)(void *ctx, const model *m, uint32_t case_idx,
                             const replay_facts *f, const char *flags, const char *keys);

/* Registers fn to be called by the next rule_compute calls (NULL to stop). */
void rule_set_on_case(rule_set *rs, rule_case_fn fn, void *ctx);

/* The same rows made on the computing threads (cases.csv of a million cases is most of what the
 * ordered calls cost): `fmt` appends case_idx's row to `out` and may run on two threads at
 * once, so it only reads ctx and the model; `emit` then takes the rows of each chunk of cases,
 * in case order, one call at a time (bytes valid during the call). Registered, it replaces
 * the rule_case_fn for rule_compute (NULL fmt to stop). */
typedef void (*rule_case_fmt_fn)(const void *ctx, const model *m, uint32_t case_idx,
                                 const replay_facts *f, const char *flags, const char *keys,
                                 thk_buf *out);
typedef void (*rule_bytes_fn)(void *ctx, const char *bytes, size_t len);
void rule_set_case_rows(rule_set *rs, rule_case_fmt_fn fmt, rule_bytes_fn emit, void *ctx);

/* The same for THAHC forms: their row keys other than the unit, and a callback for each row of
 * thahc.csv in scope of the main period (thahc-cases.csv), with the true boolean lets THAHC
 * forms use (`flags`), the keys' texts (as rule_case_fn) and `cells`: the count columns of the
 * THAHC forms the row counts in, ';'-joined "FORM.column". In file order, one thread. */
size_t rule_set_thahc_keys(const rule_set *rs, const char **names, size_t cap);
typedef void (*rule_thahc_fn)(void *ctx, const model *m, uint32_t thahc_idx, const char *flags,
                              const char *keys, const char *cells);
void rule_set_on_thahc(rule_set *rs, rule_thahc_fn fn, void *ctx);

/* Registers fn to be called once by the next rule_compute calls when every record is
 * aggregated, before the tables and lists are built, on the calling thread: rule_compute
 * reads no case, event or THAHC row of the model after it (units and strings it still does),
 * so fn may give them back (model_release_rows). NULL to stop. */
typedef void (*rule_done_fn)(void *ctx);
void rule_set_on_aggregated(rule_set *rs, rule_done_fn fn, void *ctx);

/* Computes every form and list for model m and period p: replays every case to p->E (and to
 * the same window last year when a form uses prior()), evaluates the rules, aggregates,
 * verifies every `check` identity and that subtotal and total rows equal the sums of their
 * rows. Replay warnings and pattern-limit rejects of the main period go to `warnings` (may be
 * NULL); a case whose pattern hit a PCRE2 limit is reported there and left out of every form.
 * Returns the set (caller frees with form_set_free) with *status = 0, or NULL with a message
 * in *err and *status = THK_EXIT_CHECK (an identity did not hold: a bug in the rules or the
 * engine) or THK_EXIT_INPUT (a sum overflowed int64: the message names form, row and
 * column). Forms with `source thahc` are left out when !m->has_thahc. Tables come in workbook
 * order: the forms (the workbook block's `first` ones first), then the lists. With two
 * threads (rule_set_threads) two runs compute alternate chunks of cases and their results are
 * added together; the result and the callback's calls are those of one thread. */
form_set *rule_compute(rule_set *rs, const model *m, const period *p, reject_log *warnings,
                       thk_buf *err, int *status);

/* Calls fn for each in-scope case of the main period (a fresh replay, no warnings), as
 * rule_compute's callback would. Returns 0, or THK_EXIT_INPUT with *err set on an arithmetic
 * overflow in a let. */
int rule_each_case(rule_set *rs, const model *m, const period *p, rule_case_fn fn, void *ctx,
                   thk_buf *err);

/* The number of screens (thẩm tra, `screen` items), and screen k's id as written. */
size_t rule_set_screen_count(const rule_set *rs);
const char *rule_set_screen_id(const rule_set *rs, size_t k);
/* The columns of checks-cases.csv after `screen`: every column the case screens show, first
 * appearance first (ma_viec, ma_don_vi, chap_hanh_vien come first). Owned by rs. */
size_t rule_set_screen_columns(const rule_set *rs, const char *const **names);
/* Called during rule_compute for each in-scope case of the main period that a case screen
 * selects, once per such screen, in case order (after the case's rule_case_fn call): `screen`
 * indexes the rules' screens; `fields` is the CSV text of the case's values under
 * rule_set_screen_columns (empty where the screen does not show the column), without a line
 * end. */
typedef void (*rule_screen_fn)(void *ctx, const model *m, uint32_t case_idx, size_t screen,
                               const char *fields);
void rule_set_on_screen(rule_set *rs, rule_screen_fn fn, void *ctx);

/* The year-to-year continuity checks the rules declare (`continuity` items), in file order. */
size_t rule_set_continuity_count(const rule_set *rs);
const char *rule_set_continuity_name(const rule_set *rs, size_t k);
/* For each continuity k and unit u of m, adds to sums[(k * m->nunits + u) * 2] what the
 * statistical year `prev` hands over at its end (in-scope cases whose `previous` condition
 * holds at prev->E, counted or summed by its value) and to sums[... + 1] what `cur` takes
 * over (in-scope cases whose `current` condition holds at cur->E). overflow[k] is set when a
 * sum of k left int64. sums must hold 2 * count * m->nunits zeros. rs is only read (the
 * evaluation has a working state of its own): rule_compute may run on rs at the same time. */
void rule_continuity_sums(rule_set *rs, const model *m, const period *prev, const period *cur,
                          int64_t *sums, bool *overflow);

#endif
