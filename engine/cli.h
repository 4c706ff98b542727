/* cli — command-line parsing and help texts of thongke's subcommands. */
#ifndef CLI_H
#define CLI_H

#include <stdio.h>

/* The general usage with every command and the exit codes. */
void cli_usage(FILE *f);
/* `thongke report ...` (argv[0] = "report"): parses options and runs the report. Returns the
 * process exit code. */
int cli_report(int argc, char **argv);
/* `thongke check RULES...`: compiles rules and runs their tests. */
int cli_check(int argc, char **argv);
/* `thongke codes`: prints the reject catalogue as a Markdown table (for the README). */
int cli_codes(int argc, char **argv);

#endif
