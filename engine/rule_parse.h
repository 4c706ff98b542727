/* rule_parse — recursive-descent parser of rule files (grammar: rules/README.md); includes are
 * expanded where they stand. */
#ifndef RULE_PARSE_H
#define RULE_PARSE_H

#include "rule_ast.h"
#include "rule_diag.h"

/* Reads and parses the rule files paths[0..n) and everything they include, in order, into one
 * new program. Every syntax error (and unreadable file) is reported into d; parsing goes on
 * after an error at the next item. Returns the program (never NULL; the caller checks
 * d->nerrors and frees it with rule_ast_free). */
rule_ast *rule_parse_files(rule_diag *d, const char *const *paths, size_t n);

/* The same for one text held in memory under the file name `name` (copied); includes are
 * resolved relative to the directory of `name`. */
rule_ast *rule_parse_text(rule_diag *d, const char *name, const char *text, size_t len);

/* Parses one expression (the whole of text) registered under `name`: for tests. NULL when it
 * does not parse (the errors are in d). The expression lives in ast's arena. */
rule_expr *rule_parse_expr_text(rule_diag *d, rule_ast *ast, const char *name,
                                const char *text);

#endif
