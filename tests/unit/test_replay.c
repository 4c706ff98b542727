/* test_replay — a case's state, scope and money at the cut-off (domain.md §2). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "model.h"
#include "read_date.h"
#include "replay.h"

/* ---- helpers: a hand-built model from compact tables ---------------------------------------- */

typedef struct {
    const char *date; /* dd/mm/yyyy; NULL ends the table */
    int kind;         /* model_event_kind */
    thk_money amount;
    const char *note; /* NULL = empty */
} tev;

#define TEV_END {NULL, 0, 0, NULL}

static thk_date D(const char *s)
{
    int d, mo, y;
    cr_assert_eq(sscanf(s, "%d/%d/%d", &d, &mo, &y), 3, "bad test date %s", s);
    return date_from_ymd(y, mo, d);
}

static uint32_t rp_intern(model *m, const char *s)
{
    return s ? strpool_intern(m->strings, s, strlen(s)) : 0;
}

/* Adds case `id` of unit U1 with its events (table order = file order, lines numbered from
 * the model's event count). Call model_finish() after the last case. Returns the case index. */
static uint32_t rp_add_case(model *m, const char *id, const char *thu_ly, thk_money O,
                            const tev *evs)
{
    bool conflict;
    uint32_t unit = model_unit_add(m, "U1", 2, "Đơn vị 1", strlen("Đơn vị 1"), &conflict);
    bool duplicate;
    uint32_t idx = model_case_add(m, id, strlen(id), &duplicate);
    cr_assert_not(duplicate, "duplicate test case id %s", id);
    model_case *c = &m->cases[idx];
    c->unit = unit;
    c->ngay_thu_ly = D(thu_ly);
    c->ngay_quyet_dinh = c->ngay_thu_ly;
    c->so_tien = O;
    c->line = idx + 2;
    c->hinh_thuc = MODEL_NO_VALUE;
    c->loai_an = MODEL_NO_VALUE;
    for (const tev *e = evs; e && e->date; e++) {
        model_event *ev = model_event_add(m, idx);
        ev->date = D(e->date);
        ev->line = ((uint32_t)m->nevents + 1) & MODEL_EVENT_LINE_MAX; /* counted: + 2 */
        ev->kind = (unsigned)e->kind & 0xFu;
        model_event_set(m, ev, e->amount, rp_intern(m, e->note));
    }
    return idx;
}

/* Warnings collected by the callback, with the event's line and the amount. */
typedef struct {
    int n;
    struct {
        thk_reject code;
        uint32_t line;
        int kind;
        thk_money amount;
        thk_money ev_amount;
    } w[32];
} rp_warns;

static void rp_collect(void *ctx, thk_reject code, const model_case *c, const model_event *ev,
                       thk_money ev_amount, thk_money amount)
{
    rp_warns *ws = ctx;
    cr_assert_not_null(c);
    cr_assert_not_null(ev);
    cr_assert_lt(ws->n, 32);
    ws->w[ws->n].code = code;
    ws->w[ws->n].line = ev->line;
    ws->w[ws->n].kind = ev->kind;
    ws->w[ws->n].amount = amount;
    ws->w[ws->n].ev_amount = ev_amount;
    ws->n++;
}

/* The statistical year 2026, 12 months, unless a test says otherwise. */
#define S26 "01/10/2025"
#define E26 "30/09/2026"

/* Builds a one-case model, replays it over [S, E] with warnings collected, frees the model. */
static replay_facts rp_one(const char *thu_ly, thk_money O, const tev *evs, const char *S,
                           const char *E, rp_warns *ws)
{
    model *m = model_new();
    uint32_t i = rp_add_case(m, "V1", thu_ly, O, evs);
    model_finish(m);
    replay_facts f;
    memset(ws, 0, sizeof *ws);
    replay_case(m, &m->cases[i], D(S), D(E), &f, rp_collect, ws);
    model_free(m);
    return f;
}

/* ---- state at E ------------------------------------------------------------------------------ */

typedef struct {
    const char *name;
    const char *thu_ly;
    tev evs[6];
    int state;
    int condition;
    int suspension;
} state_row;

static const state_row state_rows[] = {
    {"no events", "01/11/2025", {TEV_END}, ST_DANG_THI_HANH, COND_UNVERIFIED, -1},
    {"verified co dk", "01/11/2025", {{"05/11/2025", EV_XAC_MINH_CO_DK, 0, NULL}, TEV_END},
     ST_DANG_THI_HANH, COND_CO_DK, -1},
    {"verified chua co dk", "01/11/2025",
     {{"05/11/2025", EV_XAC_MINH_CHUA_CO_DK, 0, NULL}, TEV_END}, ST_CHUA_CO_DK, COND_CHUA_CO_DK,
     -1},
    {"co dk after chua co dk", "01/11/2025",
     {{"05/11/2025", EV_XAC_MINH_CHUA_CO_DK, 0, NULL},
      {"05/03/2026", EV_XAC_MINH_CO_DK, 0, NULL},
      TEV_END},
     ST_DANG_THI_HANH, COND_CO_DK, -1},
    {"xong", "01/11/2025", {{"01/12/2025", EV_XONG, 0, NULL}, TEV_END}, ST_XONG,
     COND_UNVERIFIED, -1},
    {"dinh chi", "01/11/2025", {{"01/12/2025", EV_DINH_CHI, 0, NULL}, TEV_END}, ST_DINH_CHI,
     COND_UNVERIFIED, -1},
    {"uy thac", "01/11/2025", {{"01/12/2025", EV_UY_THAC, 0, NULL}, TEV_END}, ST_UY_THAC,
     COND_UNVERIFIED, -1},
    {"thu hoi", "01/11/2025", {{"01/12/2025", EV_THU_HOI, 0, NULL}, TEV_END}, ST_THU_HOI,
     COND_UNVERIFIED, -1},
    {"chuyen so rieng", "01/11/2025",
     {{"05/11/2025", EV_XAC_MINH_CHUA_CO_DK, 0, NULL},
      {"01/06/2026", EV_CHUYEN_SO_RIENG, 0, NULL},
      TEV_END},
     ST_CHUYEN_SO_RIENG, COND_CHUA_CO_DK, -1},
    {"hoan c", "01/11/2025", {{"01/12/2025", EV_HOAN_C, 0, NULL}, TEV_END}, ST_HOAN_C,
     COND_UNVERIFIED, EV_HOAN_C},
    {"hoan", "01/11/2025", {{"01/12/2025", EV_HOAN, 0, NULL}, TEV_END}, ST_HOAN_TDC,
     COND_UNVERIFIED, EV_HOAN},
    {"tam dinh chi", "01/11/2025", {{"01/12/2025", EV_TAM_DINH_CHI, 0, NULL}, TEV_END},
     ST_HOAN_TDC, COND_UNVERIFIED, EV_TAM_DINH_CHI},
    {"khac", "01/11/2025", {{"01/12/2025", EV_KHAC, 0, NULL}, TEV_END}, ST_KHAC,
     COND_UNVERIFIED, EV_KHAC},
    {"hoan c beats chua co dk", "01/11/2025",
     {{"05/11/2025", EV_XAC_MINH_CHUA_CO_DK, 0, NULL}, {"01/12/2025", EV_HOAN_C, 0, NULL},
      TEV_END},
     ST_HOAN_C, COND_CHUA_CO_DK, EV_HOAN_C},
    {"terminal beats suspension", "01/11/2025",
     {{"01/12/2025", EV_HOAN, 0, NULL}, {"01/02/2026", EV_DINH_CHI, 0, NULL}, TEV_END},
     ST_DINH_CHI, COND_UNVERIFIED, EV_HOAN},
    {"new suspension replaces hoan by hoan c", "01/11/2025",
     {{"01/12/2025", EV_HOAN, 0, NULL}, {"01/02/2026", EV_HOAN_C, 0, NULL}, TEV_END},
     ST_HOAN_C, COND_UNVERIFIED, EV_HOAN_C},
    {"new suspension replaces hoan c by khac", "01/11/2025",
     {{"01/12/2025", EV_HOAN_C, 0, NULL}, {"01/02/2026", EV_KHAC, 0, NULL}, TEV_END}, ST_KHAC,
     COND_UNVERIFIED, EV_KHAC},
    {"tiep tuc ends hoan", "01/11/2025",
     {{"01/12/2025", EV_HOAN, 0, NULL}, {"01/02/2026", EV_TIEP_TUC, 0, NULL}, TEV_END},
     ST_DANG_THI_HANH, COND_UNVERIFIED, -1},
    {"tiep tuc ends tam dinh chi", "01/11/2025",
     {{"01/12/2025", EV_TAM_DINH_CHI, 0, NULL}, {"01/02/2026", EV_TIEP_TUC, 0, NULL}, TEV_END},
     ST_DANG_THI_HANH, COND_UNVERIFIED, -1},
    {"tiep tuc without suspension changes nothing", "01/11/2025",
     {{"05/11/2025", EV_XAC_MINH_CHUA_CO_DK, 0, NULL}, {"01/02/2026", EV_TIEP_TUC, 0, NULL},
      TEV_END},
     ST_CHUA_CO_DK, COND_CHUA_CO_DK, -1},
    {"verification during suspension keeps the suspension", "01/11/2025",
     {{"01/12/2025", EV_TAM_DINH_CHI, 0, NULL},
      {"01/02/2026", EV_XAC_MINH_CHUA_CO_DK, 0, NULL},
      TEV_END},
     ST_HOAN_TDC, COND_CHUA_CO_DK, EV_TAM_DINH_CHI},
    {"condition updated during suspension shows after tiep tuc", "01/11/2025",
     {{"01/12/2025", EV_HOAN_C, 0, NULL},
      {"01/02/2026", EV_XAC_MINH_CHUA_CO_DK, 0, NULL},
      {"01/03/2026", EV_TIEP_TUC, 0, NULL},
      TEV_END},
     ST_CHUA_CO_DK, COND_CHUA_CO_DK, -1},
    {"carried case suspended before S is still suspended", "01/03/2025",
     {{"01/04/2025", EV_KHAC, 0, NULL}, TEV_END}, ST_KHAC, COND_UNVERIFIED, EV_KHAC},
    {"condition at the terminal event", "01/11/2025",
     {{"05/11/2025", EV_XAC_MINH_CO_DK, 0, NULL}, {"01/12/2025", EV_XONG, 0, NULL}, TEV_END},
     ST_XONG, COND_CO_DK, -1},
    {"out: thu ly after E", "01/10/2026", {{"02/10/2026", EV_XONG, 0, NULL}, TEV_END}, ST_OUT,
     COND_UNVERIFIED, -1},
};

Test(replay, every_state_at_E_follows_the_precedence_of_domain_section_2)
{
    model *m = model_new();
    size_t n = sizeof state_rows / sizeof state_rows[0];
    for (size_t i = 0; i < n; i++) {
        char id[16];
        snprintf(id, sizeof id, "S%zu", i);
        /* O = 0: a xong owes nothing, so no row warns */
        rp_add_case(m, id, state_rows[i].thu_ly, 0, state_rows[i].evs);
    }
    model_finish(m);
    bool seen[ST__COUNT] = {false};
    for (size_t i = 0; i < n; i++) {
        replay_facts f;
        rp_warns ws = {0};
        replay_case(m, &m->cases[i], D(S26), D(E26), &f, rp_collect, &ws);
        const state_row *r = &state_rows[i];
        cr_expect_eq(f.state, r->state, "%s: state %s, want %s", r->name,
                     replay_state_name(f.state), replay_state_name(r->state));
        cr_expect_eq(f.condition, r->condition, "%s: condition %s", r->name,
                     replay_condition_name(f.condition));
        cr_expect_eq(f.suspension, r->suspension, "%s: suspension %d", r->name, f.suspension);
        cr_expect_eq(f.in_scope, r->state != ST_OUT, "%s: in_scope", r->name);
        cr_expect_eq(ws.n, 0, "%s: no warning expected", r->name);
        seen[f.state] = true;
    }
    for (int s = 0; s < ST__COUNT; s++)
        cr_expect(seen[s], "state %s not covered", replay_state_name(s));
    model_free(m);
}

/* ---- scope: carried, new, out ---------------------------------------------------------------- */

Test(replay, carried_and_new_split_exactly_at_S_and_thu_ly_after_E_is_out)
{
    static const struct {
        const char *thu_ly;
        bool in_scope, carried, is_new;
        thk_money B;
    } rows[] = {
        {"30/09/2025", true, true, false, 1000},  /* S − 1 */
        {"01/10/2025", true, false, true, 1000},  /* S */
        {"30/09/2026", true, false, true, 1000},  /* E */
        {"01/10/2026", false, false, false, 1000}, /* E + 1 */
        {"15/01/2019", true, true, false, 1000},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        rp_warns ws;
        replay_facts f = rp_one(rows[i].thu_ly, 1000, NULL, S26, E26, &ws);
        cr_expect_eq(f.in_scope, rows[i].in_scope, "%s in_scope", rows[i].thu_ly);
        cr_expect_eq(f.carried, rows[i].carried, "%s carried", rows[i].thu_ly);
        cr_expect_eq(f.is_new, rows[i].is_new, "%s is_new", rows[i].thu_ly);
        cr_expect_eq(f.O, 1000);
        cr_expect_eq(f.B, rows[i].B, "%s B", rows[i].thu_ly);
        cr_expect_eq(f.state, rows[i].in_scope ? ST_DANG_THI_HANH : ST_OUT);
    }
}

Test(replay, case_closed_the_day_before_S_is_out_and_closed_on_S_is_in)
{
    rp_warns ws;
    static const tev before[] = {{"30/09/2025", EV_XONG, 0, NULL}, TEV_END};
    replay_facts f = rp_one("01/01/2025", 1000, before, S26, E26, &ws);
    cr_expect_not(f.in_scope);
    cr_expect_eq(f.state, ST_OUT);
    cr_expect_not(f.carried);
    cr_expect_not(f.is_new);

    static const tev on_s[] = {{"01/10/2025", EV_DINH_CHI, 0, NULL}, TEV_END};
    f = rp_one("01/01/2025", 1000, on_s, S26, E26, &ws);
    cr_expect(f.in_scope);
    cr_expect(f.carried);
    cr_expect_eq(f.state, ST_DINH_CHI);
    cr_expect_eq(f.terminal_date, D("01/10/2025"));
    cr_expect_eq(f.remaining, 1000);

    /* Each terminal kind before S puts the case out, not only xong. */
    static const int kinds[] = {EV_XONG, EV_DINH_CHI, EV_UY_THAC, EV_THU_HOI,
                                EV_CHUYEN_SO_RIENG};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        tev t[] = {{"01/06/2025", kinds[i], 0, NULL}, TEV_END};
        f = rp_one("01/01/2025", 1000, t, S26, E26, &ws);
        cr_expect_eq(f.state, ST_OUT, "terminal %s before S", model_event_name(kinds[i]));
    }
}

Test(replay, events_after_E_are_ignored_without_warning)
{
    static const tev evs[] = {
        {"01/12/2025", EV_THU_TIEN, 100, "trước E"},
        {"31/07/2026", EV_HOAN, 0, NULL},
        {"01/08/2026", EV_THU_TIEN, 200, "sau E"},
        {"02/08/2026", EV_XONG, 0, NULL},
        TEV_END,
    };
    rp_warns ws;
    replay_facts f = rp_one("01/11/2025", 1000, evs, S26, "31/07/2026", &ws);
    cr_expect_eq(ws.n, 0);
    cr_expect_eq(f.state, ST_HOAN_TDC);
    cr_expect_eq(f.collected, 100);
    cr_expect_eq(f.remaining, 900);
    cr_expect_eq(f.terminal_date, THK_DATE_NONE);
    cr_expect_eq(f.last_event_date, D("31/07/2026"));

    /* With the 12-month window the same events close the case. */
    f = rp_one("01/11/2025", 1000, evs, S26, E26, &ws);
    cr_expect_eq(f.state, ST_XONG);
    cr_expect_eq(f.terminal_date, D("02/08/2026"));
}

/* ---- warnings about event order ------------------------------------------------------------- */

Test(replay, event_before_thu_ly_warns_and_counts_as_dated_thu_ly)
{
    /* A new case (thu lý 05/10/2025) whose payment is dated before S: it moves to thu lý, so
     * it is collected in the period, not before it. */
    static const tev evs[] = {
        {"20/09/2025", EV_THU_TIEN, 300, "nộp sớm"},
        {"01/12/2025", EV_XAC_MINH_CO_DK, 0, NULL},
        TEV_END,
    };
    rp_warns ws;
    replay_facts f = rp_one("05/10/2025", 1000, evs, S26, E26, &ws);
    cr_assert_eq(ws.n, 1);
    cr_expect_eq(ws.w[0].code, WARN_EVENT_BEFORE_THU_LY);
    cr_expect_eq(ws.w[0].kind, EV_THU_TIEN);
    cr_expect_eq(ws.w[0].amount, 0);
    cr_expect(f.is_new);
    cr_expect_eq(f.before, 0);
    cr_expect_eq(f.B, 1000);
    cr_expect_eq(f.collected, 300);
    cr_expect_eq(f.remaining, 700);

    /* Only the event moves: last_event_date is its clamped date when it is the last one. */
    static const tev only[] = {{"01/01/2025", EV_HOAN_C, 0, NULL}, TEV_END};
    f = rp_one("05/10/2025", 1000, only, S26, E26, &ws);
    cr_expect_eq(ws.n, 1);
    cr_expect_eq(f.last_event_date, D("05/10/2025"));
    cr_expect_eq(f.state, ST_HOAN_C);
}

Test(replay, events_moved_to_thu_ly_keep_file_order_among_that_days_events)
{
    /* File order: payment dated thu lý (line 2), then xong dated before thu lý (line 3). Taken
     * as dated thu lý, xong comes after the payment in file order: the payment counts. */
    static const tev evs[] = {
        {"10/11/2025", EV_THU_TIEN, 400, NULL},
        {"01/11/2025", EV_XONG, 0, NULL},
        TEV_END,
    };
    rp_warns ws;
    replay_facts f = rp_one("10/11/2025", 1000, evs, S26, E26, &ws);
    cr_expect_eq(f.state, ST_XONG);
    /* 400 paid, then xong with 600 owed: all collected. */
    cr_expect_eq(f.collected, 1000);
    cr_assert_eq(ws.n, 2);
    cr_expect_eq(ws.w[0].code, WARN_EVENT_BEFORE_THU_LY);
    cr_expect_eq(ws.w[0].line, 3);
    cr_expect_eq(ws.w[1].code, WARN_XONG_REMAINING);
    cr_expect_eq(ws.w[1].amount, 600);
}

Test(replay, event_after_the_terminal_event_warns_and_is_ignored)
{
    static const tev evs[] = {
        {"01/12/2025", EV_THU_TIEN, 300, NULL},
        {"01/02/2026", EV_DINH_CHI, 0, "đình chỉ"},
        {"01/02/2026", EV_THU_TIEN, 200, "cùng ngày, sau trong tệp"},
        {"01/03/2026", EV_XONG, 0, NULL},
        {"01/04/2026", EV_HOAN, 0, "ghi chú sau khi kết thúc"},
        {"01/11/2026", EV_THU_TIEN, 50, NULL}, /* after E: silent */
        TEV_END,
    };
    rp_warns ws;
    replay_facts f = rp_one("01/11/2025", 1000, evs, S26, E26, &ws);
    cr_expect_eq(f.state, ST_DINH_CHI);
    cr_expect_eq(f.collected, 300);
    cr_expect_eq(f.remaining, 700);
    cr_expect_eq(f.terminal_date, D("01/02/2026"));
    cr_expect_eq(f.last_event_date, D("01/02/2026"));
    cr_expect_eq(f.suspension, -1);
    cr_assert_eq(ws.n, 3);
    for (int i = 0; i < 3; i++) {
        cr_expect_eq(ws.w[i].code, WARN_AFTER_TERMINAL);
        cr_expect_eq(ws.w[i].amount, 0);
    }
    cr_expect_eq(ws.w[0].kind, EV_THU_TIEN);
    cr_expect_eq(ws.w[1].kind, EV_XONG);
    cr_expect_eq(ws.w[2].kind, EV_HOAN);
}

Test(replay, last_note_is_the_last_non_empty_note_taken_into_account)
{
    model *m = model_new();
    static const tev evs[] = {
        {"01/12/2025", EV_HOAN, 0, "đang tranh chấp"},
        {"01/01/2026", EV_XAC_MINH_CO_DK, 0, NULL},
        {"01/02/2026", EV_XONG, 0, NULL},
        {"01/03/2026", EV_THU_TIEN, 10, "sau kết thúc"},
        TEV_END,
    };
    uint32_t i = rp_add_case(m, "N1", "01/11/2025", 0, evs);
    uint32_t j = rp_add_case(m, "N2", "01/11/2025", 0, NULL);
    model_finish(m);
    replay_facts f;
    replay_case(m, &m->cases[i], D(S26), D(E26), &f, NULL, NULL);
    cr_expect_str_eq(model_str(m, f.last_note), "đang tranh chấp");
    cr_expect_eq(f.last_event_date, D("01/02/2026"));
    replay_case(m, &m->cases[j], D(S26), D(E26), &f, NULL, NULL);
    cr_expect_eq(f.last_note, 0);
    cr_expect_eq(f.last_event_date, THK_DATE_NONE);
    cr_expect_eq(f.terminal_date, THK_DATE_NONE);
    model_free(m);
}

/* ---- money ----------------------------------------------------------------------------------- */

Test(replay, partial_payments_then_uy_thac_leave_the_remaining_at_the_uy_thac_event)
{
    static const tev evs[] = {
        {"01/12/2025", EV_THU_TIEN, 300000, NULL},
        {"15/01/2026", EV_THU_TIEN, 200000, NULL},
        {"01/03/2026", EV_UY_THAC, 0, NULL},
        {"01/04/2026", EV_THU_TIEN, 100000, NULL},
        TEV_END,
    };
    rp_warns ws;
    replay_facts f = rp_one("01/11/2025", 1000000, evs, S26, E26, &ws);
    cr_expect_eq(f.state, ST_UY_THAC);
    cr_expect_eq(f.B, 1000000);
    cr_expect_eq(f.collected, 500000);
    cr_expect_eq(f.reduced, 0);
    cr_expect_eq(f.remaining, 500000);
    cr_expect_eq(f.terminal_date, D("01/03/2026"));
    cr_assert_eq(ws.n, 1);
    cr_expect_eq(ws.w[0].code, WARN_AFTER_TERMINAL);
}

Test(replay, dinh_chi_with_money_left_keeps_it_as_remaining_without_warning)
{
    static const tev evs[] = {
        {"01/12/2025", EV_THU_TIEN, 250, NULL},
        {"01/02/2026", EV_DINH_CHI, 0, NULL},
        TEV_END,
    };
    rp_warns ws;
    replay_facts f = rp_one("01/11/2025", 1000, evs, S26, E26, &ws);
    cr_expect_eq(f.state, ST_DINH_CHI);
    cr_expect_eq(f.collected, 250);
    cr_expect_eq(f.remaining, 750);
    cr_expect_eq(ws.n, 0);
}

Test(replay, mien_giam_reduces_what_is_owed)
{
    static const tev evs[] = {
        {"01/12/2025", EV_MIEN_GIAM, 400, NULL},
        {"01/01/2026", EV_THU_TIEN, 100, NULL},
        TEV_END,
    };
    rp_warns ws;
    replay_facts f = rp_one("01/11/2025", 1000, evs, S26, E26, &ws);
    cr_expect_eq(f.reduced, 400);
    cr_expect_eq(f.collected, 100);
    cr_expect_eq(f.remaining, 500);
    cr_expect_eq(f.state, ST_DANG_THI_HANH);
    cr_expect_eq(ws.n, 0);
}

/* An event keeps an amount below 2^31 đồng in itself and anything else (a larger amount, a
 * note) in a row beside it (model_event_set): both replay as written, at the edge too. */
Test(replay, amounts_beyond_32_bits_and_notes_are_replayed_as_written)
{
    static const tev evs[] = {
        {"01/12/2025", EV_THU_TIEN, 3000000000000LL, "đợt 1"},
        {"01/01/2026", EV_THU_TIEN, 2147483647LL, NULL},
        {"01/02/2026", EV_THU_TIEN, 2147483648LL, NULL},
        {"01/03/2026", EV_XAC_MINH_CO_DK, 0, "có tài sản"},
        {"01/04/2026", EV_THU_TIEN, 9000000000000LL, NULL}, /* owed less: the excess warned */
        TEV_END,
    };
    rp_warns ws;
    replay_facts f = rp_one("01/11/2025", 5000000000000LL, evs, S26, E26, &ws);
    cr_expect_eq(f.collected, 5000000000000LL);
    cr_expect_eq(f.remaining, 0);
    cr_assert_eq(ws.n, 1);
    cr_expect_eq(ws.w[0].code, WARN_OVERPAYMENT);
    cr_expect_eq(ws.w[0].ev_amount, 9000000000000LL);
    cr_expect_eq(ws.w[0].amount, 9000000000000LL - (5000000000000LL - 3000000000000LL -
                                                    2147483647LL - 2147483648LL));
    cr_expect_neq(f.last_verify_note, 0);
    cr_expect_eq(f.last_note, f.last_verify_note, "the last note is the verification's");
}

Test(replay, overpayment_is_capped_at_what_is_owed_and_the_excess_is_warned)
{
    static const tev evs[] = {
        {"01/12/2025", EV_THU_TIEN, 700, NULL},
        {"01/01/2026", EV_MIEN_GIAM, 200, NULL},
        {"01/02/2026", EV_THU_TIEN, 500, NULL}, /* owed 100: excess 400 */
        {"01/03/2026", EV_MIEN_GIAM, 30, NULL}, /* owed 0: excess 30 */
        TEV_END,
    };
    rp_warns ws;
    replay_facts f = rp_one("01/11/2025", 1000, evs, S26, E26, &ws);
    cr_expect_eq(f.collected, 800);
    cr_expect_eq(f.reduced, 200);
    cr_expect_eq(f.remaining, 0);
    cr_assert_eq(ws.n, 2);
    cr_expect_eq(ws.w[0].code, WARN_OVERPAYMENT);
    cr_expect_eq(ws.w[0].amount, 400);
    cr_expect_eq(ws.w[0].kind, EV_THU_TIEN);
    cr_expect_eq(ws.w[1].code, WARN_OVERPAYMENT);
    cr_expect_eq(ws.w[1].amount, 30);
    cr_expect_eq(ws.w[1].kind, EV_MIEN_GIAM);
    cr_expect_eq(ws.w[0].ev_amount, 500, "the warning names the event's own amount");
    cr_expect_eq(ws.w[1].ev_amount, 30);

    /* A non-money obligation (O = 0): any payment is all excess. */
    static const tev zero[] = {{"01/12/2025", EV_THU_TIEN, 5, NULL}, TEV_END};
    f = rp_one("01/11/2025", 0, zero, S26, E26, &ws);
    cr_expect_eq(f.collected, 0);
    cr_assert_eq(ws.n, 1);
    cr_expect_eq(ws.w[0].amount, 5);
}

Test(replay, payments_before_S_reduce_the_base_of_a_carried_case)
{
    static const tev evs[] = {
        {"01/03/2025", EV_THU_TIEN, 300, NULL},
        {"30/09/2025", EV_MIEN_GIAM, 100, NULL},
        {"01/10/2025", EV_THU_TIEN, 50, NULL}, /* on S: in the period */
        TEV_END,
    };
    rp_warns ws;
    replay_facts f = rp_one("01/01/2025", 1000, evs, S26, E26, &ws);
    cr_expect(f.carried);
    cr_expect_eq(f.before, 400);
    cr_expect_eq(f.B, 600);
    cr_expect_eq(f.collected, 50);
    cr_expect_eq(f.reduced, 0);
    cr_expect_eq(f.remaining, 550);
    cr_expect_eq(ws.n, 0);

    /* Overpaid before S: before is capped at O, B is 0, later payments are all excess. */
    static const tev over[] = {
        {"01/03/2025", EV_THU_TIEN, 1200, NULL},
        {"01/11/2025", EV_THU_TIEN, 10, NULL},
        TEV_END,
    };
    f = rp_one("01/01/2025", 1000, over, S26, E26, &ws);
    cr_expect_eq(f.before, 1000);
    cr_expect_eq(f.B, 0);
    cr_expect_eq(f.collected, 0);
    cr_expect_eq(f.remaining, 0);
    cr_assert_eq(ws.n, 2);
    cr_expect_eq(ws.w[0].code, WARN_OVERPAYMENT);
    cr_expect_eq(ws.w[0].amount, 200);
    cr_expect_eq(ws.w[1].amount, 10);
}

Test(replay, xong_with_money_owed_counts_the_remainder_as_collected_with_a_warning)
{
    static const tev evs[] = {
        {"01/03/2025", EV_THU_TIEN, 100, NULL}, /* before S */
        {"01/12/2025", EV_THU_TIEN, 400, NULL},
        {"01/01/2026", EV_MIEN_GIAM, 200, NULL},
        {"01/02/2026", EV_XONG, 0, NULL},
        TEV_END,
    };
    rp_warns ws;
    replay_facts f = rp_one("01/01/2025", 1000, evs, S26, E26, &ws);
    cr_expect_eq(f.state, ST_XONG);
    cr_expect_eq(f.B, 900);
    cr_expect_eq(f.collected, 700);
    cr_expect_eq(f.reduced, 200);
    cr_expect_eq(f.remaining, 0);
    cr_assert_eq(ws.n, 1);
    cr_expect_eq(ws.w[0].code, WARN_XONG_REMAINING);
    cr_expect_eq(ws.w[0].amount, 300);
    cr_expect_eq(ws.w[0].kind, EV_XONG);

    /* Paid in full: no warning. */
    static const tev full[] = {
        {"01/12/2025", EV_THU_TIEN, 1000, NULL},
        {"01/02/2026", EV_XONG, 0, NULL},
        TEV_END,
    };
    f = rp_one("01/11/2025", 1000, full, S26, E26, &ws);
    cr_expect_eq(f.collected, 1000);
    cr_expect_eq(ws.n, 0);
}

Test(replay, chuyen_so_rieng_closes_the_case_with_the_money_still_owed)
{
    static const tev evs[] = {
        {"01/12/2025", EV_XAC_MINH_CHUA_CO_DK, 0, NULL},
        {"01/01/2026", EV_THU_TIEN, 100, NULL},
        {"01/06/2026", EV_CHUYEN_SO_RIENG, 0, "chuyển sổ"},
        {"01/07/2026", EV_XAC_MINH_CO_DK, 0, NULL},
        TEV_END,
    };
    rp_warns ws;
    replay_facts f = rp_one("01/01/2025", 1000, evs, S26, E26, &ws);
    cr_expect_eq(f.state, ST_CHUYEN_SO_RIENG);
    cr_expect_eq(f.condition, COND_CHUA_CO_DK);
    cr_expect_eq(f.remaining, 900);
    cr_expect_eq(f.terminal_date, D("01/06/2026"));
    cr_assert_eq(ws.n, 1);
    cr_expect_eq(ws.w[0].code, WARN_AFTER_TERMINAL);
}

Test(replay, amounts_near_the_money_limit_do_not_overflow)
{
    static const tev evs[] = {
        {"01/03/2025", EV_THU_TIEN, THK_MONEY_MAX, NULL},
        {"01/04/2025", EV_MIEN_GIAM, THK_MONEY_MAX, NULL},
        {"01/12/2025", EV_THU_TIEN, THK_MONEY_MAX, NULL},
        {"01/01/2026", EV_MIEN_GIAM, THK_MONEY_MAX, NULL},
        TEV_END,
    };
    rp_warns ws;
    replay_facts f = rp_one("01/01/2025", THK_MONEY_MAX, evs, S26, E26, &ws);
    cr_expect_eq(f.before, THK_MONEY_MAX);
    cr_expect_eq(f.B, 0);
    cr_expect_eq(f.remaining, 0);
    cr_assert_eq(ws.n, 3);
    for (int i = 0; i < 3; i++)
        cr_expect_eq(ws.w[i].amount, THK_MONEY_MAX);
}

/* ---- warnings switched off, 29/02, names ----------------------------------------------------- */

Test(replay, a_null_warn_callback_gives_the_same_facts_and_no_call)
{
    static const tev evs[] = {
        {"01/10/2025", EV_THU_TIEN, 700, NULL}, /* before thu lý */
        {"01/12/2025", EV_THU_TIEN, 700, NULL}, /* overpayment */
        {"01/02/2026", EV_XONG, 0, NULL},
        {"01/03/2026", EV_HOAN, 0, NULL}, /* after terminal */
        TEV_END,
    };
    model *m = model_new();
    uint32_t i = rp_add_case(m, "W1", "01/11/2025", 1000, evs);
    model_finish(m);
    replay_facts with, without;
    rp_warns ws = {0};
    replay_case(m, &m->cases[i], D(S26), D(E26), &with, rp_collect, &ws);
    cr_expect_eq(ws.n, 3);
    rp_warns untouched = {0};
    replay_case(m, &m->cases[i], D(S26), D(E26), &without, NULL, &untouched);
    cr_expect_eq(untouched.n, 0);
    cr_expect_eq(memcmp(&with, &without, sizeof with), 0);
    cr_expect_eq(without.collected, 1000);
    model_free(m);
}

Test(replay, dates_on_29_february_are_ordinary_days)
{
    /* Statistical year 2024, 5 months: S = 01/10/2023, E = 29/02/2024. */
    static const tev evs[] = {
        {"29/02/2024", EV_THU_TIEN, 100, NULL},
        {"29/02/2024", EV_HOAN_C, 0, "ngày nhuận"},
        {"01/03/2024", EV_XONG, 0, NULL},
        TEV_END,
    };
    rp_warns ws;
    replay_facts f = rp_one("29/02/2024", 1000, evs, "01/10/2023", "29/02/2024", &ws);
    cr_expect(f.is_new);
    cr_expect_eq(f.state, ST_HOAN_C);
    cr_expect_eq(f.collected, 100);
    cr_expect_eq(f.last_event_date, D("29/02/2024"));
    cr_expect_eq(ws.n, 0);

    /* The same window a year later starts on 01/10/2024: thu lý 29/02/2024 is carried. */
    f = rp_one("29/02/2024", 1000, evs, "01/10/2024", "30/09/2025", &ws);
    cr_expect_not(f.in_scope); /* closed by xong 01/03/2024, before S */
    f = rp_one("29/02/2024", 1000, evs, "01/10/2023", "30/09/2024", &ws);
    cr_expect_eq(f.state, ST_XONG);
    cr_expect_eq(f.collected, 1000);
}

Test(replay, state_and_condition_names_round_trip)
{
    static const char *const names[] = {"out",         "xong",     "dinh_chi",
                                        "uy_thac",     "thu_hoi",  "chuyen_so_rieng",
                                        "hoan_c",      "hoan_tdc", "khac",
                                        "chua_co_dk",  "dang_thi_hanh"};
    cr_assert_eq(sizeof names / sizeof names[0], (size_t)ST__COUNT);
    for (int s = 0; s < ST__COUNT; s++) {
        cr_expect_str_eq(replay_state_name(s), names[s]);
        cr_expect_eq(replay_state_from_name(names[s]), s);
    }
    cr_expect_str_eq(replay_state_name(-1), "?");
    cr_expect_str_eq(replay_state_name(ST__COUNT), "?");
    cr_expect_eq(replay_state_from_name("hoan"), -1);
    cr_expect_eq(replay_state_from_name(""), -1);
    cr_expect_eq(replay_state_from_name(NULL), -1);
    cr_expect_str_eq(replay_condition_name(COND_UNVERIFIED), "chua_xac_minh");
    cr_expect_str_eq(replay_condition_name(COND_CO_DK), "co_dk");
    cr_expect_str_eq(replay_condition_name(COND_CHUA_CO_DK), "chua_co_dk");
    cr_expect_str_eq(replay_condition_name(3), "?");
}
