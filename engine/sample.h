/* sample — deterministic synthetic exports (cases.csv, events.csv, thahc.csv) for demos, tests
 * and the benchmark.
 *
 * The same options give byte-identical files on every machine: all randomness comes from our own
 * xoshiro256** generator seeded by splitmix64, with integer arithmetic only (no rand(), no time,
 * no floating point, no locale). A --messy run draws the same cases and events as the clean run
 * with the same seed and only varies how they are written (BOM, CRLF, ';' and tab delimiters,
 * header spellings, column order, quoting, date/money/text variants, shuffled event blocks), plus
 * rare overpayments on fully paid cases that the engine caps with a warning; so both load with
 * zero rejects and give the same figures. */
#ifndef SAMPLE_H
#define SAMPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SAMPLE_MAX_CASES 100000000ULL /* 10^8 cases (~30 GB of CSV) */
#define SAMPLE_MAX_UNITS 1000u

typedef struct {
    const char *out_dir; /* required; created (with parents) when missing */
    uint64_t cases;      /* data rows of cases.csv, 0..SAMPLE_MAX_CASES; default 2000 */
    uint64_t seed;       /* any value; default 1 */
    unsigned units;      /* 1..SAMPLE_MAX_UNITS; default 8 */
    bool messy;          /* every accepted format variant instead of the canonical form */
    bool backlog;        /* --profile backlog: a province's old stock (see sample.c) */
    bool plant;          /* --plant-anomalies: add the patterns thẩm tra must find (see
                            sample.c) and list each planted case in DIR/planted.csv */
} sample_opts;

/* Fills *o with the defaults above (out_dir NULL). */
void sample_opts_init(sample_opts *o);

/* Writes DIR/cases.csv, DIR/events.csv and DIR/thahc.csv (and DIR/planted.csv with plant). Each file is written to DIR/.NAME.tmp,
 * fsynced and renamed into place only after all three were written, so a failure leaves any
 * previous files untouched and no temporary behind. Returns THK_EXIT_OK (0); THK_EXIT_USAGE (1)
 * for invalid options; THK_EXIT_OUTPUT (4) when the folder or a file cannot be created or
 * written. On failure a one-line message (English/Vietnamese, naming the path) is put in err. */
int sample_write(const sample_opts *o, char *err, size_t errsz);

/* `thongke sample`: argv[0] is "sample". Parses --out DIR (required), --cases N, --seed S,
 * --units K, --messy, --help (also as --opt=value), writes the files and prints one summary line
 * on stderr. Returns a process exit code: 0 ok (and for --help, printed on stdout), 1 usage error
 * (message on stderr), 4 cannot write the output. */
int sample_main(int argc, char **argv);

#endif
