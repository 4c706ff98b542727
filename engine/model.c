/* model — storage of the loaded exports; event ordering per case. */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(EV__COUNT <= 16, "model_event.kind has 4 bits");

static const struct {
    const char *name;
    bool terminal;
} model_events[] = {
#define MODEL_X_ROW(e, name, term) {name, term},
    MODEL_EVENT_LIST(MODEL_X_ROW)
#undef MODEL_X_ROW
};

const char *model_event_name(int kind)
{
    return kind >= 0 && kind < EV__COUNT ? model_events[kind].name : "?";
}

int model_event_from_name(const char *name)
{
    for (int k = 0; k < EV__COUNT; k++)
        if (strcmp(model_events[k].name, name) == 0)
            return k;
    return -1;
}

bool model_event_is_terminal(int kind)
{
    return kind >= 0 && kind < EV__COUNT && model_events[kind].terminal;
}

model *model_new(void)
{
    model *m = thk_xcalloc(1, sizeof *m);
    m->strings = strpool_new();
    m->unit_ids = strpool_new();
    m->thahc_ids = strpool_new();
    return m;
}

static void model_extra_free(model_extra *x)
{
    for (size_t i = 0; i < x->ncols; i++) {
        free(x->names[i]);
        free(x->values[i]);
    }
    free(x->names);
    free(x->values);
}

void model_free(model *m)
{
    if (!m)
        return;
    model_release_rows(m);
    strpool_free(m->strings);
    strpool_free(m->unit_ids);
    strpool_free(m->thahc_ids);
    free(m->units);
    free(m);
}

uint32_t model_unit_add(model *m, const char *code, size_t len, const char *name, size_t nlen,
                        bool *conflict)
{
    *conflict = false;
    size_t before = strpool_count(m->unit_ids);
    uint32_t id = strpool_intern(m->unit_ids, code, len);
    uint32_t idx = id - 1; /* id 0 is "", never a unit code: ma_don_vi is required */
    if (strpool_count(m->unit_ids) > before) {
        if (m->nunits == m->units_cap) {
            m->units_cap = m->units_cap ? m->units_cap * 2 : 64;
            m->units = thk_xrealloc(m->units, m->units_cap * sizeof *m->units);
        }
        m->units[m->nunits].code = strpool_intern(m->strings, code, len);
        m->units[m->nunits].name = 0;
        m->units[m->nunits].seen = 0;
        m->nunits++;
    }
    if (nlen) {
        model_unit *u = &m->units[idx];
        uint32_t nid = strpool_intern(m->strings, name, nlen);
        if (u->name == 0)
            u->name = nid;
        else if (u->name != nid)
            *conflict = true;
    }
    return idx;
}

/* The slot of ma_viec in the case index: its entry, or the empty slot where it would go. */
static size_t model_case_slot(const model *m, const char *s, size_t len, uint32_t h)
{
    size_t i = h & m->case_index_mask;
    for (;;) {
        uint64_t e = m->case_index[i];
        if (!e)
            return i;
        const model_case *c = &m->cases[(uint32_t)e - 1];
        if ((uint32_t)(e >> 32) == h && strpool_len(m->strings, c->ma_viec) == len &&
            memcmp(strpool_get(m->strings, c->ma_viec), s, len) == 0)
            return i;
        i = (i + 1) & m->case_index_mask;
    }
}

uint32_t model_case_find(const model *m, const char *ma_viec, size_t len)
{
    if (!m->case_index)
        return UINT32_MAX;
    uint64_t e = m->case_index[model_case_slot(m, ma_viec, len, strpool_hash(ma_viec, len))];
    return e ? (uint32_t)e - 1 : UINT32_MAX;
}

static void model_case_reindex(model *m, size_t slots)
{
    m->case_index = strpool_table_regrow(m->case_index,
                                         m->case_index ? m->case_index_mask + 1 : 0, slots);
    m->case_index_mask = slots - 1;
}

/* The case index holds at most 7 keys per 10 slots: with 8 slots to a cache line, a probe of
 * a table that full still mostly reads one line, and a table twice the size (a quarter of a
 * gigabyte at 10M cases) costs more in page faults and TLB misses than the longer probes. */
static bool model_case_index_full(size_t keys, size_t slots)
{
    return keys * 10 > slots * 7;
}

void model_reserve_cases(model *m, size_t n)
{
    size_t slots = 1024;
    while (model_case_index_full(n, slots))
        slots *= 2;
    if (!m->case_index || m->case_index_mask + 1 < slots)
        model_case_reindex(m, slots);
    /* the rows too, with a sixteenth to spare for the estimate: doubling would copy them (and
     * touch their pages twice) four times on the way to a million; pages never written are
     * not memory, and model_compact gives back what stays unused */
    size_t want = n + n / 16;
    if (want <= m->cases_cap || want > UINT32_MAX || m->case_extra.ncols)
        return;
    /* a hint: when the system will not give that much, the rows grow as they come */
    model_case *rows = realloc(m->cases, want * sizeof *m->cases);
    if (!rows)
        return;
    m->cases = rows;
    m->cases_cap = want;
}

void model_case_prefetch(const model *m, const char *ma_viec, size_t len)
{
    if (m->case_index)
        __builtin_prefetch(&m->case_index[strpool_hash(ma_viec, len) & m->case_index_mask]);
}

uint32_t model_case_add(model *m, const char *ma_viec, size_t len, bool *duplicate)
{
    if (!m->case_index)
        model_case_reindex(m, 1024);
    uint32_t h = strpool_hash(ma_viec, len);
    size_t slot = model_case_slot(m, ma_viec, len, h);
    if (m->case_index[slot]) {
        *duplicate = true;
        return (uint32_t)m->case_index[slot] - 1;
    }
    *duplicate = false;
    if (m->ncases == m->cases_cap) {
        m->cases_cap = m->cases_cap ? m->cases_cap * 2 : 1024;
        m->cases = thk_xrealloc(m->cases, m->cases_cap * sizeof *m->cases);
        for (size_t e = 0; e < m->case_extra.ncols; e++)
            m->case_extra.values[e] = thk_xrealloc(m->case_extra.values[e],
                                                   m->cases_cap * sizeof *m->case_extra.values[e]);
    }
    uint32_t idx = (uint32_t)m->ncases++;
    m->cases[idx] = (model_case){
        .ma_viec = strpool_add(m->strings, ma_viec, len),
        .hinh_thuc = MODEL_NO_VALUE,
        .loai_an = MODEL_NO_VALUE,
    };
    m->case_index[slot] = (uint64_t)h << 32 | ((uint64_t)idx + 1);
    if (model_case_index_full(m->ncases, m->case_index_mask + 1))
        model_case_reindex(m, (m->case_index_mask + 1) * 2);
    return idx;
}

/* Stable insertion sort by date for short runs: most cases have a handful of events. */
static void model_insertion_sort(model_event *ev, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        model_event x = ev[i];
        size_t j = i;
        while (j > 0 && ev[j - 1].date > x.date) {
            ev[j] = ev[j - 1];
            j--;
        }
        ev[j] = x;
    }
}

/* Sorts a case's events by date, file order breaking ties (stable): insertion sort up to 32
 * events, bottom-up merge sort above (n log n: one hostile case with 1M events must not take
 * minutes). */
static void model_sort_case_events(model_event *ev, size_t n)
{
    enum { RUN = 32 };
    if (n <= RUN) {
        model_insertion_sort(ev, n);
        return;
    }
    for (size_t i = 0; i < n; i += RUN)
        model_insertion_sort(ev + i, n - i < RUN ? n - i : RUN);
    model_event *tmp = thk_xmalloc(n * sizeof *tmp);
    model_event *src = ev, *dst = tmp;
    for (size_t w = RUN; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t a = lo, b = mid, k = lo;
            while (a < mid && b < hi)
                dst[k++] = src[b].date < src[a].date ? src[b++] : src[a++]; /* ties: left */
            while (a < mid)
                dst[k++] = src[a++];
            while (b < hi)
                dst[k++] = src[b++];
        }
        model_event *t = src;
        src = dst;
        dst = t;
    }
    if (src != ev)
        memcpy(ev, src, n * sizeof *ev);
    free(tmp);
}

/* Exports usually list each case's events together and in date order. Then every case's
 * slice is already in place and no event moves. Returns false as soon as a case's events are
 * split or out of date order. */
void model_place_begin(model *m)
{
    for (size_t c = 0; c < m->ncases; c++)
        m->cases[c].ev_first = m->cases[c].ev_count = 0;
}

static bool model_events_grouped(model *m)
{
    model_place_begin(m);
    const uint32_t *ec = m->ev_case;
    for (size_t i = 0; i < m->nevents; i++)
        if (!model_place_event(m, i, ec[i], i > 0 && ec[i - 1] == ec[i]))
            return false;
    return true;
}

/* Events already placed in their cases' slices (no ev_case) get one again, so that more can be
 * appended before a model_finish. */
static void model_ev_case_rebuild(model *m)
{
    m->ev_case = thk_xcalloc(m->events_cap ? m->events_cap : 1, sizeof *m->ev_case);
    for (size_t c = 0; c < m->ncases; c++)
        for (uint32_t k = 0; k < m->cases[c].ev_count; k++)
            m->ev_case[m->cases[c].ev_first + k] = (uint32_t)c;
}

model_event *model_event_push(model *m)
{
    if (m->nevents == m->events_cap) {
        m->events_cap = m->events_cap ? m->events_cap * 2 : 4096;
        m->events = thk_xrealloc(m->events, m->events_cap * sizeof *m->events);
        if (m->ev_case)
            m->ev_case = thk_xrealloc(m->ev_case, m->events_cap * sizeof *m->ev_case);
    }
    model_event *e = &m->events[m->nevents++];
    memset(e, 0, sizeof *e);
    return e;
}

model_event *model_event_add(model *m, uint32_t case_idx)
{
    if (!m->ev_case) {
        if (m->nevents)
            model_ev_case_rebuild(m); /* placed by a loader: their cases written down again */
        else
            m->ev_case = thk_xmalloc((m->events_cap ? m->events_cap : 1) * sizeof *m->ev_case);
    }
    model_event *e = model_event_push(m);
    m->ev_case[m->nevents - 1] = case_idx;
    return e;
}

void model_finish(model *m)
{
    if (!m->ev_case)
        return; /* the loader placed the events (or there are none) */
    if (model_events_grouped(m)) {
        free(m->ev_case);
        m->ev_case = NULL;
        return;
    }
    for (size_t c = 0; c < m->ncases; c++)
        m->cases[c].ev_count = 0;
    for (size_t i = 0; i < m->nevents; i++)
        m->cases[m->ev_case[i]].ev_count++;
    uint32_t at = 0;
    for (size_t c = 0; c < m->ncases; c++) {
        m->cases[c].ev_first = at;
        at += m->cases[c].ev_count;
    }
    /* Counting sort by case (stable: keeps file order), then a per-case sort by date. The
     * sort is applied in place: dest[i] is event i's place, and following the permutation's
     * cycles puts each event there with one swap, so an export not grouped by case (a journal
     * in date order) costs 4 bytes an event here rather than a second array of events (on 1M
     * backlog cases that copy was 82 MB on top of the model, the run's peak). ev_case becomes
     * dest: each event's case is read once. */
    uint32_t *dest = m->ev_case;
    m->ev_case = NULL;
    uint32_t *fill = thk_xcalloc(m->ncases ? m->ncases : 1, sizeof *fill);
    for (size_t i = 0; i < m->nevents; i++) {
        uint32_t c = dest[i];
        dest[i] = m->cases[c].ev_first + fill[c]++;
    }
    free(fill);
    for (size_t i = 0; i < m->nevents; i++)
        while (dest[i] != i) {
            uint32_t j = dest[i];
            model_event e = m->events[j];
            m->events[j] = m->events[i];
            m->events[i] = e;
            dest[i] = dest[j];
            dest[j] = j;
        }
    free(dest);
    for (size_t c = 0; c < m->ncases; c++)
        model_sort_case_events(m->events + m->cases[c].ev_first, m->cases[c].ev_count);
}

void model_event_set(model *m, model_event *e, thk_money amount, uint32_t note)
{
    if (note == 0 && amount >= 0 && amount < (thk_money)MODEL_EV_EXTRA) {
        e->val = (uint32_t)amount;
        return;
    }
    if (m->nev_extra >= MODEL_EV_EXTRA - 1) { /* 2^31 rows: 32 GiB of events before it */
        fprintf(stderr, "thongke: lỗi: quá %u sự kiện có số tiền lớn hoặc ghi chú, giới hạn "
                        "của thongke; hãy tách dữ liệu theo đơn vị hoặc theo năm\n",
                MODEL_EV_EXTRA - 1);
        abort();
    }
    if (m->nev_extra == m->ev_extra_cap) {
        m->ev_extra_cap = m->ev_extra_cap ? 2 * m->ev_extra_cap : 1024;
        m->ev_extra = thk_xrealloc(m->ev_extra, m->ev_extra_cap * sizeof *m->ev_extra);
    }
    e->val = MODEL_EV_EXTRA + (uint32_t)m->nev_extra;
    m->ev_extra[m->nev_extra++] = (model_event_extra){.amount = amount, .note = note};
}

void model_compact(model *m)
{
    free(m->case_index);
    m->case_index = NULL;
    m->case_index_mask = 0;
    /* shrinking a large block gives its tail back to the system without copying it */
    if (m->events_cap > m->nevents && m->nevents) {
        m->events = thk_xrealloc(m->events, m->nevents * sizeof *m->events);
        if (m->ev_case)
            m->ev_case = thk_xrealloc(m->ev_case, m->nevents * sizeof *m->ev_case);
        m->events_cap = m->nevents;
    }
    if (m->ev_extra_cap > m->nev_extra && m->nev_extra) {
        m->ev_extra = thk_xrealloc(m->ev_extra, m->nev_extra * sizeof *m->ev_extra);
        m->ev_extra_cap = m->nev_extra;
    }
    if (m->cases_cap > m->ncases && m->ncases) {
        m->cases = thk_xrealloc(m->cases, m->ncases * sizeof *m->cases);
        m->cases_cap = m->ncases;
    }
}

void model_release_rows(model *m)
{
    free(m->case_index);
    m->case_index = NULL;
    m->case_index_mask = 0;
    free(m->cases);
    m->cases = NULL;
    m->ncases = m->cases_cap = 0;
    free(m->events);
    m->events = NULL;
    m->nevents = m->events_cap = 0;
    free(m->ev_case);
    m->ev_case = NULL;
    free(m->ev_extra);
    m->ev_extra = NULL;
    m->nev_extra = m->ev_extra_cap = 0;
    free(m->thahc);
    m->thahc = NULL;
    m->nthahc = m->thahc_cap = 0;
    model_extra_free(&m->case_extra);
    model_extra_free(&m->event_extra);
    model_extra_free(&m->thahc_extra);
    memset(&m->case_extra, 0, sizeof m->case_extra);
    memset(&m->event_extra, 0, sizeof m->event_extra);
    memset(&m->thahc_extra, 0, sizeof m->thahc_extra);
}

void model_keep_case(model *m, uint32_t idx)
{
    if (idx >= m->ncases)
        return;
    model_case c = m->cases[idx];
    m->cases[0] = c;
    m->ncases = 1;
    for (size_t k = 0; k < m->case_extra.ncols; k++)
        m->case_extra.values[k][0] = m->case_extra.values[k][idx];
    if (m->case_index)
        memset(m->case_index, 0, (m->case_index_mask + 1) * sizeof *m->case_index);
    m->nthahc = 0;
    m->has_thahc = false;
}
