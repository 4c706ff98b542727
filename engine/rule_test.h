/* rule_test — `thongke check`: compiles rule files, runs their `test` blocks through the real
 * loader, replay and form computation, and prints a coverage summary. */
#ifndef RULE_TEST_H
#define RULE_TEST_H

#include <stdio.h>

#include "rule.h"

/* The `check` subcommand; argv[0] = "check", then options and rule files. Each file is compiled
 * as its own rule set (with its includes). Prints diagnostics to stderr and returns
 * THK_EXIT_RULES (2) when any file does not compile (before running any test); otherwise runs
 * every test, printing "PASS name" / "FAIL name" (with "  B01[X].col: expected 1, got 0" lines)
 * and the coverage summary to stdout, then "N passed, M failed". Returns 0 when all tests
 * pass, 1 on a usage error or a failed test. */
int check_main(int argc, char **argv);

/* Runs test i of rs. Returns true when every expectation held; otherwise appends one line per
 * problem ("  B01[X].hoan_c: expected 1, got 0", rejected rows, load or check errors) to why. */
bool rule_test_run(rule_set *rs, size_t i, thk_buf *why);
/* The name of test i. */
const char *rule_test_name(const rule_set *rs, size_t i);

/* Runs every test of rs (with coverage counting on), printing PASS/FAIL lines to out; adds to
 * *passed and *failed. */
void rule_test_run_all(rule_set *rs, FILE *out, size_t *passed, size_t *failed);

/* Prints the coverage of the tests run so far on rs: map alternatives no test exercised, lets
 * never seen both true and false (or never evaluated), and map alternatives shadowed by an
 * earlier one. Returns the number of findings. */
size_t rule_test_coverage(rule_set *rs, FILE *out);

/* Writes samples of strings that pattern `pat` (PCRE2 syntax, flags RULE_PAT_*) surely
 * matches, derived by stripping regex syntax: one per top-level alternative, NUL-separated in
 * out. Returns the number of samples, or 0 when the pattern uses syntax the heuristic does not
 * follow (lookaround, negated classes, back references...). */
size_t rule_test_samples(const char *pat, unsigned flags, thk_buf *out);

#endif
