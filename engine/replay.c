/* replay — a case's state at the period's cut-off, from its dated events (domain.md §2).
 *
 * Order of events. model_finish() sorts a case's events by date, file order breaking ties. An
 * event dated before ngay_thu_ly is taken as dated ngay_thu_ly, so every event dated on or
 * before ngay_thu_ly ends up on the same day; among those the file order (the physical line)
 * decides, exactly as for any other tie. Those events are a prefix of the sorted slice; when it
 * is not already in line order it is walked by repeated minimum search (no allocation; only
 * pathological inputs make it quadratic, and only in that prefix).
 *
 * Money. All amounts are capped at what is still owed, so before + collected + reduced never
 * exceeds O: no sum can overflow and none can go below zero. */
#include "replay.h"

#include <string.h>

static const char *const replay_state_names[] = {
#define REPLAY_X_NAME(e, name) name,
    REPLAY_STATE_LIST(REPLAY_X_NAME)
#undef REPLAY_X_NAME
};

const char *replay_state_name(int state)
{
    return state >= 0 && state < ST__COUNT ? replay_state_names[state] : "?";
}

int replay_state_from_name(const char *name)
{
    if (!name)
        return -1;
    for (int s = 0; s < ST__COUNT; s++)
        if (strcmp(replay_state_names[s], name) == 0)
            return s;
    return -1;
}

const char *replay_condition_name(int cond)
{
    switch (cond) {
    case COND_UNVERIFIED:
        return "chua_xac_minh";
    case COND_CO_DK:
        return "co_dk";
    case COND_CHUA_CO_DK:
        return "chua_co_dk";
    default:
        return "?";
    }
}

/* The replay in progress of one case. */
typedef struct {
    const model *m;
    const model_case *c;
    thk_date S, E;
    replay_facts *f;
    replay_warn_fn warn;
    void *ctx;
    int terminal;        /* kind of the terminal event that closed the case, -1 while open */
    thk_date closed_on;  /* its (effective) date */
} replay_run;

static void replay_warn(const replay_run *r, thk_reject code, const model_event *ev,
                        thk_money amount)
{
    if (r->warn)
        r->warn(r->ctx, code, r->c, ev, model_event_amount(r->m, ev), amount);
}

/* Adds `amount` to *acc, capped at `owed`; the excess is an overpayment warning. */
static void replay_take(const replay_run *r, const model_event *ev, thk_money owed,
                        thk_money *acc)
{
    thk_money amount = model_event_amount(r->m, ev);
    if (amount < 0)
        amount = 0;
    if (owed < 0)
        owed = 0;
    thk_money take = amount < owed ? amount : owed;
    *acc += take; /* *acc + take <= O: see the file comment */
    if (amount > take)
        replay_warn(r, WARN_OVERPAYMENT, ev, amount - take);
}

/* What is still owed now: before S against O, in the period against B = O − before. */
static thk_money replay_owed(const replay_facts *f)
{
    return f->O - f->before - f->collected - f->reduced;
}

/* Applies one event, read in replay order. Stops caring once the case is closed. */
static void replay_step(replay_run *r, const model_event *ev)
{
    replay_facts *f = r->f;
    thk_date d = ev->date;
    bool clamped = false;
    if (d < r->c->ngay_thu_ly) {
        d = r->c->ngay_thu_ly;
        clamped = true;
    }
    if (d > r->E)
        return; /* after the cut-off: not part of this replay, no warning */
    if (clamped)
        replay_warn(r, WARN_EVENT_BEFORE_THU_LY, ev, 0);
    if (r->terminal >= 0) {
        replay_warn(r, WARN_AFTER_TERMINAL, ev, 0);
        return;
    }
    f->last_event_date = d;
    uint32_t note = model_event_note(r->m, ev);
    if (note != 0)
        f->last_note = note;
    bool in_period = d >= r->S;
    switch (ev->kind) {
    case EV_XAC_MINH_CO_DK:
    case EV_XAC_MINH_CHUA_CO_DK: {
        uint8_t cond = ev->kind == EV_XAC_MINH_CO_DK ? COND_CO_DK : COND_CHUA_CO_DK;
        if (f->first_verify_date == THK_DATE_NONE)
            f->first_verify_date = d;
        f->last_verify_date = d;
        f->last_verify_note = note;
        if (f->condition != cond || f->condition_since == THK_DATE_NONE)
            f->condition_since = d;
        f->condition = cond;
        break;
    }
    case EV_HOAN_C:
    case EV_HOAN:
    case EV_TAM_DINH_CHI:
    case EV_KHAC:
        f->suspension = (int8_t)ev->kind; /* a new suspension replaces the previous one */
        f->suspension_since = d;
        break;
    case EV_TIEP_TUC:
        f->suspension = -1;
        f->suspension_since = THK_DATE_NONE;
        break;
    case EV_THU_TIEN:
        replay_take(r, ev, replay_owed(f), in_period ? &f->collected : &f->before);
        break;
    case EV_MIEN_GIAM:
        replay_take(r, ev, replay_owed(f), in_period ? &f->reduced : &f->before);
        break;
    case EV_XONG:
    case EV_DINH_CHI:
    case EV_UY_THAC:
    case EV_THU_HOI:
    case EV_CHUYEN_SO_RIENG:
        r->terminal = ev->kind;
        r->closed_on = d;
        f->terminal_date = d;
        if (ev->kind == EV_XONG && in_period) {
            thk_money rest = replay_owed(f);
            if (rest > 0) {
                f->collected += rest; /* executed in full: the remainder counts as collected */
                replay_warn(r, WARN_XONG_REMAINING, ev, rest);
            }
        }
        break;
    default:
        break; /* unknown kinds cannot come out of the loader; ignore rather than guess */
    }
}

/* True when the events in ev[0..n) are in non-decreasing line order. */
static bool replay_lines_sorted(const model_event *ev, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (ev[i].line < ev[i - 1].line)
            return false;
    return true;
}

/* Replays ev[0..n), all effectively dated ngay_thu_ly, in file order (line, then slice
 * position for equal lines), without allocating: each step takes the smallest key greater than
 * the previous one. */
static void replay_prefix_in_file_order(replay_run *r, const model_event *ev, size_t n)
{
    uint32_t prev_line = 0;
    size_t prev_pos = 0;
    for (size_t done = 0; done < n; done++) {
        size_t best = n;
        for (size_t i = 0; i < n; i++) {
            bool after = done == 0 || ev[i].line > prev_line ||
                         (ev[i].line == prev_line && i > prev_pos);
            if (!after)
                continue;
            if (best == n || ev[i].line < ev[best].line)
                best = i; /* strict <: equal lines keep slice order */
        }
        replay_step(r, &ev[best]);
        prev_line = ev[best].line;
        prev_pos = best;
    }
}

void replay_case(const model *m, const model_case *c, thk_date S, thk_date E, replay_facts *out,
                 replay_warn_fn warn, void *ctx)
{
    memset(out, 0, sizeof *out);
    out->in_scope = false;
    out->state = ST_OUT;
    out->condition = COND_UNVERIFIED;
    out->suspension = -1;
    out->terminal_date = THK_DATE_NONE;
    out->last_event_date = THK_DATE_NONE;
    out->last_note = 0;
    out->first_verify_date = THK_DATE_NONE;
    out->last_verify_date = THK_DATE_NONE;
    out->condition_since = THK_DATE_NONE;
    out->suspension_since = THK_DATE_NONE;
    out->O = c->so_tien > 0 ? c->so_tien : 0;

    replay_run r = {m, c, S, E, out, warn, ctx, -1, THK_DATE_NONE};
    const model_event *ev = (m->events ? m->events + c->ev_first : NULL);
    size_t n = c->ev_count;
    thk_date thu_ly = c->ngay_thu_ly;

    /* The prefix effectively dated ngay_thu_ly; it needs file order only if something in it
     * was moved forward to that day. */
    size_t k = 0;
    bool moved = false;
    while (k < n && ev[k].date <= thu_ly) {
        if (ev[k].date < thu_ly)
            moved = true;
        k++;
    }
    size_t i = 0;
    if (moved && thu_ly <= E && !replay_lines_sorted(ev, k)) {
        replay_prefix_in_file_order(&r, ev, k);
        i = k;
    }
    for (; i < n; i++) {
        /* Effective dates never decrease, so the first one past E ends the replay. */
        thk_date d = ev[i].date < thu_ly ? thu_ly : ev[i].date;
        if (d > E)
            break;
        replay_step(&r, &ev[i]);
    }

    out->B = out->O - out->before;
    out->remaining = out->B - out->collected - out->reduced;

    bool closed_before_S = r.terminal >= 0 && r.closed_on < S;
    out->in_scope = thu_ly <= E && !closed_before_S;
    if (!out->in_scope)
        return; /* state ST_OUT; the facts above are informative only */
    out->carried = thu_ly < S;
    out->is_new = !out->carried;

    if (r.terminal >= 0) {
        switch (r.terminal) {
        case EV_XONG:
            out->state = ST_XONG;
            break;
        case EV_DINH_CHI:
            out->state = ST_DINH_CHI;
            break;
        case EV_UY_THAC:
            out->state = ST_UY_THAC;
            break;
        case EV_THU_HOI:
            out->state = ST_THU_HOI;
            break;
        default:
            out->state = ST_CHUYEN_SO_RIENG;
            break;
        }
    } else if (out->suspension == EV_HOAN_C) {
        out->state = ST_HOAN_C;
    } else if (out->suspension == EV_HOAN || out->suspension == EV_TAM_DINH_CHI) {
        out->state = ST_HOAN_TDC;
    } else if (out->suspension == EV_KHAC) {
        out->state = ST_KHAC;
    } else if (out->condition == COND_CHUA_CO_DK) {
        out->state = ST_CHUA_CO_DK;
    } else {
        out->state = ST_DANG_THI_HANH;
    }
}
