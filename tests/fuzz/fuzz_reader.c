/* fuzz_reader — libFuzzer target: arbitrary bytes through the CSV reader and the case/event loader. */
#include "load.h"
#include "read_csv.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_touch(void *ctx, const reader_record *r)
{
    size_t *sum = ctx;
    for (size_t i = 0; i < r->nfields; i++)
        *sum += r->lens[i] + (r->lens[i] ? (unsigned char)r->fields[i][r->lens[i] - 1] : 0);
    return 0;
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
