/* test_model — model_finish orders each case's events by date with file order breaking ties,
 * in n log n: one hostile case with hundreds of thousands of events (issue "Hardening" 15). */
#include "model.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* The case each test event was given, by its line (an event no longer names its case: its
 * place does). Each test runs in its own process. */
static uint32_t *tm_line_case;
static size_t tm_line_cap;

/* Appends an event of case c with date d and line l. */
static void tm_event(model *m, uint32_t c, thk_date d, uint32_t l)
{
    model_event *e = model_event_add(m, c);
    e->date = d;
    e->line = l & MODEL_EVENT_LINE_MAX;
    if (l >= tm_line_cap) {
        size_t cap = 2 * (size_t)l + 16;
        tm_line_case = realloc(tm_line_case, cap * sizeof *tm_line_case);
        cr_assert_not_null(tm_line_case);
        tm_line_cap = cap;
    }
    tm_line_case[l] = c;
}

static void tm_check_sorted(const model *m, uint32_t c, size_t want)
{
    const model_case *k = &m->cases[c];
    cr_assert_eq(k->ev_count, want);
    const model_event *e = m->events + k->ev_first;
    for (size_t i = 1; i < k->ev_count; i++) {
        cr_assert_eq(tm_line_case[e[i].line], c, "event of line %u is in case %u's slice",
                     (unsigned)e[i].line, (unsigned)c);
        cr_assert(e[i - 1].date < e[i].date ||
                      (e[i - 1].date == e[i].date && e[i - 1].line < e[i].line),
                  "event %zu out of order (date %d line %u after date %d line %u)", i,
                  (int)e[i].date, (unsigned)e[i].line, (int)e[i - 1].date,
                  (unsigned)e[i - 1].line);
    }
}

/* A quadratic sort takes minutes here; the alarm turns that into a crashed test. (Criterion's
 * own .timeout leaks a runner allocation under LeakSanitizer when tests run in parallel.) */
Test(model, a_case_with_300k_unordered_events_is_sorted_stably)
{
    alarm(30);
    model *m = model_new();
    bool dup;
    uint32_t a = model_case_add(m, "A", 1, &dup), b = model_case_add(m, "B", 1, &dup);
    const size_t n = 300000;
    srand(7);
    size_t nb = 0;
    for (size_t i = 0; i < n; i++) {
        /* dates from a small range: many ties, which must keep file (line) order */
        tm_event(m, a, (thk_date)(20000 + rand() % 997), (uint32_t)(i + 2));
        if (i % 1000 == 0) {
            tm_event(m, b, (thk_date)(21000 - (int)(i / 1000)), (uint32_t)(n + i + 2));
            nb++;
        }
    }
    model_finish(m);
    tm_check_sorted(m, a, n);
    tm_check_sorted(m, b, nb);
    model_free(m);
}

Test(model, short_cases_keep_file_order_on_equal_dates)
{
    model *m = model_new();
    bool dup;
    uint32_t a = model_case_add(m, "A", 1, &dup), b = model_case_add(m, "B", 1, &dup);
    tm_event(m, a, 20010, 2);
    tm_event(m, b, 20000, 3);
    tm_event(m, a, 20005, 4);
    tm_event(m, a, 20005, 5);
    tm_event(m, a, 20001, 6);
    model_finish(m);
    tm_check_sorted(m, a, 4);
    cr_assert_eq(m->events[m->cases[a].ev_first].line, 6);
    model_free(m);
}

/* Events not grouped by case (a journal in date order across cases) are regrouped in place
 * (issue 15: without a second array of events): every event reaches its own case with its own
 * amount, note and line, in date order with file order breaking ties. */
#define TM_BIG 3000000000000LL /* 3,000 tỷ đồng: a multiple of 1000 beyond 2^31 */

Test(model, a_journal_across_many_cases_is_regrouped_with_every_event_intact)
{
    model *m = model_new();
    bool dup;
    enum { NC = 997, NE = 40000 };
    uint32_t ids[NC];
    for (uint32_t c = 0; c < NC; c++) {
        char code[16];
        int len = snprintf(code, sizeof code, "V%u", c);
        ids[c] = model_case_add(m, code, (size_t)len, &dup);
    }
    int64_t want_sum[NC] = {0};
    size_t want_n[NC] = {0};
    srand(11);
    for (uint32_t i = 0; i < NE; i++) {
        uint32_t c = (uint32_t)rand() % NC;
        tm_event(m, ids[c], (thk_date)(20000 + (int)(i / 50)), i + 2); /* a date-ordered journal */
        /* names its event; every 7th beyond 32 bits, so in an extra row with its note */
        int64_t amount = (int64_t)i * 1000 + c + (i % 7 == 0 ? TM_BIG : 0);
        model_event_set(m, &m->events[m->nevents - 1], amount, i % 3 ? i : 0);
        want_sum[c] += amount;
        want_n[c]++;
    }
    model_finish(m);
    for (uint32_t c = 0; c < NC; c++) {
        tm_check_sorted(m, ids[c], want_n[c]);
        const model_event *e = m->events + m->cases[ids[c]].ev_first;
        int64_t sum = 0;
        for (size_t k = 0; k < want_n[c]; k++) {
            int64_t amount = model_event_amount(m, &e[k]);
            uint32_t i = e[k].line - 2;
            cr_assert_eq(amount % 1000, c, "an event of case %u reached case %u",
                         (unsigned)(amount % 1000), c);
            cr_assert_eq(model_event_note(m, &e[k]), i % 3 ? i : 0,
                         "amount, note and line travel together");
            cr_assert_eq(amount, (int64_t)i * 1000 + c + (i % 7 == 0 ? TM_BIG : 0));
            sum += amount;
        }
        cr_assert_eq(sum, want_sum[c]);
    }
    model_free(m);
}

/* After loading, a report gives back the ma_viec index and the arrays' unused room; the
 * cases and events themselves are untouched. */
Test(model, compact_drops_the_index_and_trims_the_arrays)
{
    model *m = model_new();
    bool dup;
    model_reserve_cases(m, 1000);
    uint32_t a = model_case_add(m, "A", 1, &dup), b = model_case_add(m, "B", 1, &dup);
    for (uint32_t i = 0; i < 1500; i++) /* grouped by case, as exports are: kept in place */
        tm_event(m, i < 750 ? a : b, (thk_date)(20000 + i), i + 2);
    model_finish(m);
    cr_assert_eq(model_case_find(m, "B", 1), b);
    cr_assert_gt(m->events_cap, m->nevents);
    cr_assert_gt(m->cases_cap, m->ncases);
    model_compact(m);
    cr_expect_eq(model_case_find(m, "B", 1), UINT32_MAX, "no index after compacting");
    cr_expect_eq(m->events_cap, 1500);
    cr_expect_eq(m->cases_cap, 2);
    cr_expect_eq(m->ncases, 2);
    tm_check_sorted(m, a, 750);
    tm_check_sorted(m, b, 750);
    cr_expect_str_eq(strpool_get(m->strings, m->cases[b].ma_viec), "B");
    model_free(m);
}
