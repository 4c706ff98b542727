/* fuzz_reader — libFuzzer target: arbitrary bytes through the CSV reader and the case/event loader. */
#include "load.h"
#include "read_csv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_touch(void *ctx, const reader_record *r)
{
    size_t *sum = ctx;
    for (size_t i = 0; i < r->nfields; i++)
        *sum += r->lens[i] + (r->lens[i] ? (unsigned char)r->fields[i][r->lens[i] - 1] : 0);
    return 0;
}

/* Every record as bytes: line, offset, flags and fields, for comparing two reads. */
static int fuzz_serialise(void *ctx, const reader_record *r)
{
    thk_buf *b = ctx;
    buf_printf(b, "%u-%u %llu %lld %d %lld %d %d %d %d %zu|", r->line, r->end_line,
               (unsigned long long)r->offset, (long long)r->bad_utf8, r->bad_utf8_field,
               (long long)r->nul_at, r->nul_field, r->nfc_safe, r->bad_encoding,
               r->too_many_fields, r->nfields);
    for (size_t i = 0; i < r->nfields; i++) {
        buf_printf(b, "%zu:", r->lens[i]);
        buf_append(b, r->fields[i], r->lens[i]);
    }
    return 0;
}

/* The reader's own split of quote-free lines must give what libcsv gives. */
static void fuzz_compare_paths(const char *text, size_t size, char delim)
{
    thk_buf a = {0}, b = {0}, err = {0};
    reader_stats st;
    reader_opts o = {.delimiter = delim};
    int ra = reader_run_memory("fuzz.csv", text, size, &o, fuzz_serialise, &a, &st, &err);
    o.libcsv_only = true;
    int rb = reader_run_memory("fuzz.csv", text, size, &o, fuzz_serialise, &b, &st, &err);
    if (ra != rb || a.len != b.len || (a.len && memcmp(a.data, b.data, a.len) != 0))
        abort(); /* the fast path and libcsv disagree */
    buf_free(&a);
    buf_free(&b);
    buf_free(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    /* 1. the bare reader, each delimiter */
    static const char delims[] = {0, ',', ';', '\t'};
    for (size_t d = 0; d < sizeof delims; d++) {
        size_t sum = 0;
        reader_opts o = {.encoding = NULL, .delimiter = delims[d]};
        reader_stats st;
        thk_buf err = {0};
        reader_run_memory("fuzz.csv", text, size, &o, fuzz_touch, &sum, &st, &err);
        buf_free(&err);
        fuzz_compare_paths(text, size, delims[d]);
    }
    /* 2. the loader: the input as cases.csv, then as events.csv against those cases */
    model *m = model_new();
    reject_log *rej = rejects_new();
    rule_map *ev = rule_map_new("su_kien");
    char e[128];
    size_t off;
    rule_map_add(ev, "thu_tien", "thu", 3, RULE_PAT_I | RULE_PAT_A, e, sizeof e, &off);
    rule_map_add(ev, "xong", "xong", 4, RULE_PAT_I, e, sizeof e, &off);
    load_opts lo = {.su_kien = ev, .rejects = rej};
    load_stats ls;
    thk_buf err = {0};
    load_memory(m, LOAD_CASES, "cases.csv", text, size, &lo, &ls, &err);
    buf_clear(&err);
    load_memory(m, LOAD_EVENTS, "events.csv", text, size, &lo, &ls, &err);
    buf_clear(&err);
    load_memory(m, LOAD_THAHC, "thahc.csv", text, size, &lo, &ls, &err);
    model_finish(m);
    buf_free(&err);
    rule_map_free(ev);
    rejects_free(rej);
    model_free(m);
    return 0;
}
