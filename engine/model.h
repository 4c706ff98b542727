/* model — the loaded exports in memory: units, cases keyed by ma_viec, their events, THAHC rows.
 *
 * Every text is NFC and interned in one string pool (id 0 = empty). Rows are stored in compact
 * fixed-size structs, no per-row allocation. After model_finish() each case's events are a
 * contiguous slice of `events`, in date order with file order breaking ties (domain.md §2). */
#ifndef MODEL_H
#define MODEL_H

#include "strpool.h"
#include "thk.h"

/* The canonical event kinds of domain.md §2. Their names are the values a rule file's
 * `map su_kien` must produce. X(enum, name, terminal) */
#define MODEL_EVENT_LIST(X)                        \
    X(EV_XAC_MINH_CO_DK, "xac_minh_co_dk", 0)      \
    X(EV_XAC_MINH_CHUA_CO_DK, "xac_minh_chua_co_dk", 0) \
    X(EV_HOAN_C, "hoan_c", 0)                      \
    X(EV_HOAN, "hoan", 0)                          \
    X(EV_TAM_DINH_CHI, "tam_dinh_chi", 0)          \
    X(EV_TIEP_TUC, "tiep_tuc", 0)                  \
    X(EV_KHAC, "khac", 0)                          \
    X(EV_THU_TIEN, "thu_tien", 0)                  \
    X(EV_MIEN_GIAM, "mien_giam", 0)                \
    X(EV_XONG, "xong", 1)                          \
    X(EV_DINH_CHI, "dinh_chi", 1)                  \
    X(EV_UY_THAC, "uy_thac", 1)                    \
    X(EV_THU_HOI, "thu_hoi", 1)                    \
    X(EV_CHUYEN_SO_RIENG, "chuyen_so_rieng", 1)

typedef enum {
#define MODEL_X_ENUM(e, name, term) e,
    MODEL_EVENT_LIST(MODEL_X_ENUM)
#undef MODEL_X_ENUM
    EV__COUNT
} model_event_kind;

/* The canonical name of a kind ("xong"); "?" when out of range. */
const char *model_event_name(int kind);
/* The kind named `name`, or -1. */
int model_event_from_name(const char *name);
/* True for xong, dinh_chi, uy_thac, thu_hoi, chuyen_so_rieng. */
bool model_event_is_terminal(int kind);

/* A mapped text column (hinh_thuc, loai_an, cap_phai_thi_hanh) holds the index of the rule
 * map's value, or MODEL_NO_VALUE when the field was empty. */
#define MODEL_NO_VALUE (-1)

/* Which files a unit was seen in (accepted rows only): forms over cases list the units of
 * cases.csv, THAHC forms those of thahc.csv. */
enum { MODEL_SEEN_CASES = 1, MODEL_SEEN_THAHC = 2 };

typedef struct {
    uint32_t code; /* string id of ma_don_vi */
    uint32_t name; /* string id of the first non-empty ten_don_vi seen, 0 if none */
    uint8_t seen;  /* MODEL_SEEN_* bits */
} model_unit;

typedef struct {
    uint32_t ma_viec;  /* string id */
    uint32_t unit;     /* index into model.units */
    uint32_t chv;      /* string ids, 0 = empty */
    uint32_t so_qd;
    uint32_t nhom_viec;
    uint32_t debtor;   /* nguoi_phai_thi_hanh */
    thk_date ngay_thu_ly;
    thk_date ngay_quyet_dinh;
    thk_money so_tien; /* so_tien_phai_thi_hanh: O */
    uint32_t line;     /* physical line in cases.csv where the row starts */
    uint32_t ev_first; /* events of this case: events[ev_first .. ev_first + ev_count) */
    uint32_t ev_count;
    int16_t hinh_thuc; /* map value index or MODEL_NO_VALUE */
    int16_t loai_an;
} model_case;

/* The last line of events.csv an event can name: its line and kind share 32 bits, which
 * keeps an event at 12 bytes (a million cases bring three million events). The loader stops
 * with a file-level error past it, far beyond national scale (~70 events per case a year). */
#define MODEL_EVENT_LINE_MAX ((1u << 28) - 1)

/* An event's `val` at or above this names its row in model.ev_extra. */
#define MODEL_EV_EXTRA 0x80000000u

/* An event is 12 bytes: its case is where it stands (cases[c].ev_first .. + ev_count), and
 * until model_finish in model.ev_case (34M events at 10M cases: 137 MB less for the run). */
typedef struct {
    thk_date date;      /* as read; replay clamps it to ngay_thu_ly with a warning */
    uint32_t line : 28; /* physical line in events.csv, at most MODEL_EVENT_LINE_MAX */
    uint32_t kind : 4;  /* model_event_kind */
    uint32_t val;       /* below MODEL_EV_EXTRA: the amount in đồng and no note (the usual
                           event); else ev_extra[val - MODEL_EV_EXTRA] holds both. Read it with
                           model_event_amount / model_event_note, set it with model_event_set */
} model_event;
_Static_assert(sizeof(model_event) == 12, "an event is 12 bytes");

/* What does not fit an event's 32 bits: an amount of 2^31 đồng or more, or a note. */
typedef struct {
    thk_money amount; /* so_tien for thu_tien / mien_giam, 0 for other kinds */
    uint32_t note;    /* string id of ghi_chu, 0 = empty */
} model_event_extra;

typedef struct {
    uint32_t ma_ban_an; /* string id */
    uint32_t unit;      /* index into model.units */
    uint32_t line;
    int16_t cap;        /* map cap_phai_thi_hanh value index or MODEL_NO_VALUE */
    thk_date ngay_thu_ly;
    thk_date ngay_qd_buoc; /* THK_DATE_NONE when empty */
    thk_date ngay_xong;
    thk_date ngay_huy_hoan_tdc;
    thk_date ngay_kien_nghi;
    uint32_t so_ban_an, toa_an, debtor, noi_dung; /* string ids */
} model_thahc;

/* Columns of an input file that the schema does not know, kept as text for the rules. */
typedef struct {
    size_t ncols;
    char **names;     /* folded column keys, owned */
    uint32_t **values; /* values[col][row]: string ids */
} model_extra;

typedef struct model {
    strpool *strings;
    uint64_t *case_index; /* ma_viec → case: slots hold hash << 32 | (index + 1), 0 = empty;
                             the text is the case's own ma_viec, stored once */
    size_t case_index_mask;
    model_unit *units;
    size_t nunits, units_cap;
    strpool *unit_ids;  /* ma_don_vi → unit index + 1 */
    model_case *cases;
    size_t ncases, cases_cap;
    model_event *events;
    size_t nevents, events_cap;
    uint32_t *ev_case; /* while loading: the case of each event (room for events_cap), for
                          model_finish; NULL once each case's slice is set (model_finish, or a
                          loader that found its events grouped by case) */
    model_event_extra *ev_extra; /* events' amounts of 2^31 đồng or more, and notes */
    size_t nev_extra, ev_extra_cap;
    model_thahc *thahc;
    size_t nthahc, thahc_cap;
    bool has_thahc;
    strpool *thahc_ids;
    model_extra case_extra;
    model_extra event_extra;
    model_extra thahc_extra;
} model;

/* An empty model. Never NULL. */
model *model_new(void);
/* Frees everything the model owns; accepts NULL. */
void model_free(model *m);

/* The index of unit `code` (interned text), adding it with `name` when new. When the unit
 * exists without a name, a non-empty `name` fills it. Returns the index; *conflict is set when
 * a different non-empty name was already recorded (the first one is kept). */
uint32_t model_unit_add(model *m, const char *code, size_t len, const char *name, size_t nlen,
                        bool *conflict);

/* Prepares room for about n cases (arrays and the ma_viec index), so loading a large file does
 * not rebuild the index again and again. A hint: more cases still fit. */
void model_reserve_cases(model *m, size_t n);
/* The case index of ma_viec, or UINT32_MAX. */
uint32_t model_case_find(const model *m, const char *ma_viec, size_t len);
/* Appends a case (zeroed but for ma_viec, hinh_thuc and loai_an = MODEL_NO_VALUE) keyed by
 * ma_viec and returns its index; when the key exists already, appends nothing, sets
 * *duplicate and returns the existing case's index. */
uint32_t model_case_add(model *m, const char *ma_viec, size_t len, bool *duplicate);
/* A hint, no effect on contents: starts loading the index slot of ma_viec, so that a
 * model_case_add or model_case_find a little later does not wait for memory. */
void model_case_prefetch(const model *m, const char *ma_viec, size_t len);

/* Appends an event of case `case_idx` (an index into cases), zeroed, and returns it (valid
 * until the next append). Its case is kept in ev_case until model_finish. */
model_event *model_event_add(model *m, uint32_t case_idx);
/* Appends a zeroed event whose case the caller keeps itself (a loader that places the events
 * with model_place_event), and returns it; ev_case is left as it is. */
model_event *model_event_push(model *m);

/* Placing events that already stand grouped by case (each case's events together, in date
 * order), as exports list them: model_place_begin empties every case's slice, then
 * model_place_event takes the events in order, event i being of case c and `cont` telling
 * that event i - 1 is of the same case. It returns false as soon as the events turn out not
 * to be grouped (a case's events split, or out of date order); the slices are then half set
 * and a sort must set them again (model_finish). */
void model_place_begin(model *m);

static inline bool model_place_event(model *m, size_t i, uint32_t c, bool cont)
{
    model_case *k = &m->cases[c];
    if (cont) {
        if (m->events[i - 1].date > m->events[i].date)
            return false;
    } else if (k->ev_count) {
        return false; /* this case already had a run of events */
    } else
        k->ev_first = (uint32_t)i;
    k->ev_count++;
    return true;
}

/* Sorts events by (case, date, file order), fills each case's ev_first/ev_count and gives
 * ev_case back. Call once after loading cases and events. It touches only cases and events,
 * so THAHC rows may be loaded on another thread meanwhile. When every case's events already
 * stand together in date order (the usual export) it only records where they are; otherwise
 * an O(n) counting sort in place plus a stable per-case sort. Nothing to do when ev_case is
 * NULL (the loader set the slices). */
void model_finish(model *m);

/* Gives back what a model only needs while loading: the ma_viec index (model_case_find finds
 * nothing after) and the unused room of the case and event arrays. Call after loading, when
 * no case will be looked up by its ma_viec again (a report). */
void model_compact(model *m);

/* Gives back the rows: cases, events, THAHC rows and the unknown columns' values. What stays
 * is what a report still names while it publishes: the units and the string ids (model_str).
 * Call when no case, event or THAHC row will be read again (after computing and the
 * continuity check); the counts become 0. */
void model_release_rows(model *m);

/* Keeps only case `idx` (with its events, as cases[0]) and no THAHC row: what `explain`
 * computes the forms on. The ma_viec index is emptied (model_case_find finds nothing after).
 * Call after model_finish. */
void model_keep_case(model *m, uint32_t idx);

/* Sets e's amount (so_tien, 0 for kinds without one) and note (string id, 0 = none): in the
 * event itself when the amount is below 2^31 đồng and there is no note, else in a new row of
 * m->ev_extra. */
void model_event_set(model *m, model_event *e, thk_money amount, uint32_t note);

static inline thk_money model_event_amount(const model *m, const model_event *e)
{
    return e->val < MODEL_EV_EXTRA ? (thk_money)e->val : m->ev_extra[e->val - MODEL_EV_EXTRA].amount;
}

static inline uint32_t model_event_note(const model *m, const model_event *e)
{
    return e->val < MODEL_EV_EXTRA ? 0 : m->ev_extra[e->val - MODEL_EV_EXTRA].note;
}

/* Convenience: the text of a string id. */
static inline const char *model_str(const model *m, uint32_t id)
{
    return strpool_get(m->strings, id);
}

#endif
