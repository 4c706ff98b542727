/* model — storage of the loaded exports; event ordering per case. */
#include "model.h"

#include <stdlib.h>
#include <string.h>

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
    m->case_ids = strpool_new();
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
    strpool_free(m->strings);
    strpool_free(m->case_ids);
    strpool_free(m->unit_ids);
    strpool_free(m->thahc_ids);
    free(m->units);
    free(m->cases);
    free(m->events);
    free(m->thahc);
    model_extra_free(&m->case_extra);
    model_extra_free(&m->event_extra);
    model_extra_free(&m->thahc_extra);
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

uint32_t model_case_find(const model *m, const char *ma_viec, size_t len)
{
    uint32_t id = strpool_find(m->case_ids, ma_viec, len);
    return id == STRPOOL_NONE || id == 0 ? UINT32_MAX : id - 1;
}

/* Stable insertion sort by date: a case has few events, and file order must break ties. */
static void model_sort_case_events(model_event *ev, size_t n)
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

/* Exports usually list each case's events together and in date order. Then every case's
 * slice is already in place and no copy of the (largest) array is needed. Returns false as
 * soon as a case's events are split or out of date order. */
static bool model_events_grouped(model *m)
{
    for (size_t c = 0; c < m->ncases; c++)
        m->cases[c].ev_count = 0;
    for (size_t i = 0; i < m->nevents; i++) {
        const model_event *e = &m->events[i];
        model_case *k = &m->cases[e->case_idx];
        if (i > 0 && m->events[i - 1].case_idx == e->case_idx) {
            if (m->events[i - 1].date > e->date)
                return false;
        } else if (k->ev_count) {
            return false; /* this case already had a run of events */
        } else
            k->ev_first = (uint32_t)i;
        k->ev_count++;
    }
    for (size_t c = 0; c < m->ncases; c++)
        if (!m->cases[c].ev_count)
            m->cases[c].ev_first = 0;
    return true;
}

void model_finish(model *m)
{
    if (model_events_grouped(m))
        return;
    for (size_t c = 0; c < m->ncases; c++)
        m->cases[c].ev_count = 0;
    for (size_t i = 0; i < m->nevents; i++)
        m->cases[m->events[i].case_idx].ev_count++;
    uint32_t at = 0;
    for (size_t c = 0; c < m->ncases; c++) {
        m->cases[c].ev_first = at;
        at += m->cases[c].ev_count;
    }
    /* Counting sort by case (stable: keeps file order), then a per-case sort by date. */
    model_event *sorted = thk_xmalloc((m->nevents ? m->nevents : 1) * sizeof *sorted);
    uint32_t *fill = thk_xcalloc(m->ncases ? m->ncases : 1, sizeof *fill);
    for (size_t i = 0; i < m->nevents; i++) {
        uint32_t c = m->events[i].case_idx;
        sorted[m->cases[c].ev_first + fill[c]++] = m->events[i];
    }
    free(fill);
    free(m->events);
    m->events = sorted;
    m->events_cap = m->nevents;
    for (size_t c = 0; c < m->ncases; c++)
        model_sort_case_events(m->events + m->cases[c].ev_first, m->cases[c].ev_count);
}
