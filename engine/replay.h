/* replay — a case's state at the period's cut-off, from its dated events (domain.md §2). */
#ifndef REPLAY_H
#define REPLAY_H

#include "model.h"
#include "thk.h"

/* State at E of an in-scope case (domain.md §2, "State at E"); REPLAY_OUT when not in scope. */
#define REPLAY_STATE_LIST(X)                 \
    X(ST_OUT, "out")                         \
    X(ST_XONG, "xong")                       \
    X(ST_DINH_CHI, "dinh_chi")               \
    X(ST_UY_THAC, "uy_thac")                 \
    X(ST_THU_HOI, "thu_hoi")                 \
    X(ST_CHUYEN_SO_RIENG, "chuyen_so_rieng") \
    X(ST_HOAN_C, "hoan_c")                   \
    X(ST_HOAN_TDC, "hoan_tdc")               \
    X(ST_KHAC, "khac")                       \
    X(ST_CHUA_CO_DK, "chua_co_dk")           \
    X(ST_DANG_THI_HANH, "dang_thi_hanh")

typedef enum {
#define REPLAY_X_ENUM(e, name) e,
    REPLAY_STATE_LIST(REPLAY_X_ENUM)
#undef REPLAY_X_ENUM
    ST__COUNT
} replay_state;

/* Verification result at E. */
typedef enum { COND_UNVERIFIED = 0, COND_CO_DK = 1, COND_CHUA_CO_DK = 2 } replay_condition;

const char *replay_state_name(int state);
int replay_state_from_name(const char *name); /* -1 when unknown */
const char *replay_condition_name(int cond);   /* "chua_xac_minh", "co_dk", "chua_co_dk" */

typedef struct {
    bool in_scope;
    bool carried;             /* in scope and ngay_thu_ly < S */
    bool is_new;              /* S <= ngay_thu_ly <= E */
    uint8_t state;            /* replay_state */
    uint8_t condition;        /* replay_condition at E (or at the terminal event) */
    int8_t suspension;        /* model_event_kind of the suspension in force (EV_HOAN_C, EV_HOAN,
                                 EV_TAM_DINH_CHI, EV_KHAC) or -1 */
    thk_date terminal_date;   /* date of the terminal event that closed the case in [S, E], or NONE */
    thk_date last_event_date; /* date of the last event taken into account (<= E), or NONE */
    uint32_t last_note;       /* ghi_chu string id of the last event taken into account with a
                                 non-empty note, 0 if none */
    thk_date first_verify_date; /* date of the first verification (either result) <= E, or NONE */
    thk_date last_verify_date;  /* date of the last verification <= E, or NONE */
    uint32_t last_verify_note;  /* ghi_chu string id of that verification, 0 if none */
    thk_date condition_since;   /* date of the verification that gave the condition at E its
                                   value (a repeated result keeps the first date), or NONE */
    thk_date suspension_since;  /* date the suspension in force at E began, or NONE */
    thk_money O;              /* so_tien_phai_thi_hanh */
    thk_money before;         /* collected + reduced dated < S (each capped) */
    thk_money B;              /* base: O - before if carried, O if new; never < 0 */
    thk_money collected;      /* thu_tien in [S, E] up to the terminal event, capped; plus the
                                 remainder when the case reached xong with money owed */
    thk_money reduced;        /* mien_giam in [S, E] up to the terminal event, capped */
    thk_money remaining;      /* B - collected - reduced, at E or at the terminal event */
} replay_facts;

/* Called for each warning found while replaying (event before ngay_thu_ly, event after the
 * terminal event, overpayment, xong with money owed). `ev` is the event concerned and
 * `ev_amount` its so_tien (model_event_amount); `amount` the money involved (excess,
 * remainder) or 0. */
typedef void (*replay_warn_fn)(void *ctx, thk_reject code, const model_case *c,
                               const model_event *ev, thk_money ev_amount, thk_money amount);

/* Replays case c of m up to E for the window [S, E] and fills *out. `warn` may be NULL (the
 * same-period-last-year replay passes NULL so each warning is reported once). Pure function of
 * its inputs; allocates nothing; thread-safe. */
void replay_case(const model *m, const model_case *c, thk_date S, thk_date E, replay_facts *out,
                 replay_warn_fn warn, void *ctx);

#endif
