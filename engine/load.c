/* load — binds export headers to the schema and turns records into typed model rows. */
#include "load.h"
#include "schema.h"

#include "read_csv.h"
#include "read_input.h"
#include "read_date.h"
#include "read_money.h"
#include "read_text.h"

#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef enum { F_TEXT, F_DATE, F_MONEY, F_MAP } load_ftype;

typedef struct {
    const char *name; /* canonical (folded) column key */
    load_ftype type;
    bool required;
} load_field;

/* The field tables and slots of the three files, from schema.h's lists (in their order). */
#define LOAD_X_ENUM_C(id, name, type, req) C_##id,
#define LOAD_X_ENUM_E(id, name, type, req) E_##id,
#define LOAD_X_ENUM_T(id, name, type, req) T_##id,
#define LOAD_X_FIELD(id, name, type, req) {name, F_##type, req},
enum { SCHEMA_CASES(LOAD_X_ENUM_C) C__N };
static const load_field load_case_fields[C__N] = {SCHEMA_CASES(LOAD_X_FIELD)};
enum { SCHEMA_EVENTS(LOAD_X_ENUM_E) E__N };
static const load_field load_event_fields[E__N] = {SCHEMA_EVENTS(LOAD_X_FIELD)};
enum { SCHEMA_THAHC(LOAD_X_ENUM_T) T__N };
static const load_field load_thahc_fields[T__N] = {SCHEMA_THAHC(LOAD_X_FIELD)};

#define LOAD_MAX_SLOTS 16
/* The shortest row of cases.csv that can hold a case: its key, unit, two dates and amount. */
#define LOAD_MIN_CASE_ROW 16u
/* Longest field accepted (a note or a name; anything longer is a broken export). */
#define LOAD_MAX_FIELD 65536u

typedef struct {
    model *m;
    load_kind kind;
    const load_opts *opts;
    const char *name; /* path, for file-level messages */
    const char *file; /* its base name, for rejects */
    const load_field *fields;
    size_t nfields;
    int col[LOAD_MAX_SLOTS];  /* slot → column index in the file, -1 when absent */
    size_t ncols;             /* header width */
    char **headers;           /* header texts as written (NFC), for messages */
    int *extra_col;           /* extra case columns kept: file column of each opts->extra_cases */
    bool header_done;
    int rc;                   /* file-level failure */
    thk_buf *err;
    load_stats *stats;
    int8_t ev_kind[256];      /* su_kien map value index → model_event_kind */
    /* per-row scratch */
    thk_buf nfc[LOAD_MAX_SLOTS];
    const char *val[LOAD_MAX_SLOTS];
    size_t vlen[LOAD_MAX_SLOTS];
    bool row_bad;
    bool row_warn;
    thk_buf last_key;   /* events: the ma_viec of the previous row and its case */
    uint32_t last_case;
    /* load_keep, per slot: the column's own dictionary (text → local id, small enough to stay
     * in cache) and each local id's string id in the model, rows seen, how many repeated an
     * earlier text, and the verdict once probed: mostly unique, stop indexing. */
    strpool *dict[LOAD_MAX_SLOTS];
    uint32_t *dict_ids[LOAD_MAX_SLOTS];
    uint32_t probe_rows[LOAD_MAX_SLOTS];
    uint32_t probe_hits[LOAD_MAX_SLOTS];
    bool store_only[LOAD_MAX_SLOTS];
    bool defer;         /* events: cases found by load_resolve_events, through the runs */
    thk_buf *runs;      /* deferred events: the ma_viec of each run of rows with one key, in
                           file order, front coded; block b holds runs b * LOAD_RUN_MARK and on,
                           so that two threads can walk the runs from two places and give each
                           block back once walked */
    size_t nblocks;
    uint32_t nruns;
    uint64_t runs_bytes;
    thk_buf *run_ref;   /* front coding: each bucket's last key (LOAD_RUN_REFS) */
    uint64_t *run_starts; /* deferred events: bit i set when event i starts a run (a bit an
                             event instead of a run number) */
    size_t run_words;
    char *key_header;   /* deferred events: the ma_viec header text, for unknown_case */
    /* workbooks: the sheet being read, whether its header row is still being looked for (title
     * rows above it), rows tried, a sheet given up on, the sheets read, the first header that
     * did not bind (reported when none does), rows padded to the header */
    const char *sheet;
    bool searching;
    uint32_t tries;
    bool skip_sheet;
    thk_buf sheets_read;
    thk_buf first_err;
    thk_buf where;
    const char **pad_f;
    size_t *pad_l;
    bool *pad_frac;
} load_ctx;

/* Rows above a sheet's header (titles, the unit, the period) tried before giving the sheet up. */
#define LOAD_TITLE_ROWS 30

static int64_t load_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *load_kind_file(load_kind kind)
{
    switch (kind) {
    case LOAD_CASES:
        return "cases.csv";
    case LOAD_EVENTS:
        return "events.csv";
    case LOAD_THAHC:
        return "thahc.csv";
    }
    return "?";
}

static rule_map *load_map_of(const load_ctx *c, size_t slot)
{
    const char *n = c->fields[slot].name;
    if (strcmp(n, "su_kien") == 0)
        return c->opts->su_kien;
    if (strcmp(n, "loai_an") == 0)
        return c->opts->loai_an;
    if (strcmp(n, "hinh_thuc") == 0)
        return c->opts->hinh_thuc;
    if (strcmp(n, "cap_phai_thi_hanh") == 0)
        return c->opts->cap;
    return NULL;
}

/* Binds header cells to slots: canonical key first, then the rule file's aliases. */
static int load_bind_header(load_ctx *c, const reader_record *rec)
{
    thk_buf key = {0}, akey = {0}, nfc = {0};
    c->ncols = rec->nfields;
    c->headers = thk_xcalloc(rec->nfields, sizeof *c->headers);
    for (size_t s = 0; s < c->nfields; s++)
        c->col[s] = -1;
    size_t nextra = c->kind == LOAD_CASES ? c->opts->nextra_cases : 0;
    if (nextra) {
        c->extra_col = thk_xmalloc(nextra * sizeof *c->extra_col);
        for (size_t i = 0; i < nextra; i++)
            c->extra_col[i] = -1;
    }
    if (rec->too_many_fields) {
        buf_printf(c->err,
                   "%s: dòng 1: dòng tiêu đề có hơn %d cột; tệp xuất có lẽ sai dấu phân cách "
                   "hoặc không phải danh sách việc",
                   c->name, READER_MAX_FIELDS);
        goto fail;
    }
    if (rec->nul_at >= 0) {
        buf_printf(c->err,
                   "%s: dòng 1: dòng tiêu đề chứa byte NUL (0x00) ở vị trí %lld của tệp; tệp "
                   "bị hỏng hoặc là UTF-16 không có BOM",
                   c->name, (long long)rec->nul_at);
        goto fail;
    }
    if (rec->bad_utf8 >= 0 || rec->bad_encoding) {
        buf_printf(c->err, "%s: dòng 1: dòng tiêu đề không giải mã được (không phải UTF-8 hợp lệ; "
                           "hãy dùng --encoding)", c->name);
        goto fail;
    }
    for (size_t i = 0; i < rec->nfields; i++) {
        text_nfc(rec->fields[i], rec->lens[i], &nfc);
        c->headers[i] = thk_xstrdup(nfc.data ? nfc.data : "");
        text_fold_key(rec->fields[i], rec->lens[i], &key);
        const char *k = key.data ? key.data : "";
        int slot = -1;
        for (size_t s = 0; s < c->nfields && slot < 0; s++)
            if (strcmp(c->fields[s].name, k) == 0)
                slot = (int)s;
        for (size_t a = 0; a < c->opts->naliases && slot < 0; a++) {
            const load_alias *al = &c->opts->aliases[a];
            if (al->kind != c->kind)
                continue;
            text_fold_key(al->alias, strlen(al->alias), &akey);
            if (strcmp(akey.data ? akey.data : "", k) != 0)
                continue;
            for (size_t s = 0; s < c->nfields; s++)
                if (strcmp(c->fields[s].name, al->column) == 0)
                    slot = (int)s;
            for (size_t e = 0; e < nextra && slot < 0; e++)
                if (strcmp(c->opts->extra_cases[e], al->column) == 0 && c->extra_col[e] < 0)
                    c->extra_col[e] = (int)i;
        }
        if (slot >= 0) {
            if (c->col[slot] >= 0) {
                buf_printf(c->err, "%s: dòng 1: cột '%s' xuất hiện hai lần (cột %d và cột %zu)",
                           c->name, c->fields[slot].name, c->col[slot] + 1, i + 1);
                goto fail;
            }
            c->col[slot] = (int)i;
            continue;
        }
        for (size_t e = 0; e < nextra; e++)
            if (strcmp(c->opts->extra_cases[e], k) == 0 && c->extra_col[e] < 0)
                c->extra_col[e] = (int)i;
    }
    for (size_t s = 0; s < c->nfields; s++) {
        if (c->fields[s].required && c->col[s] < 0) {
            buf_printf(c->err, "%s: thiếu cột bắt buộc '%s'", c->name,
                       c->fields[s].name);
            goto fail;
        }
        if (c->fields[s].type == F_MAP && c->col[s] >= 0 && !load_map_of(c, s) &&
            c->fields[s].required) {
            buf_printf(c->err, "%s: quy tắc không có map '%s'", c->name, c->fields[s].name);
            goto fail;
        }
    }
    if (nextra) {
        model_extra *x = &c->m->case_extra;
        x->ncols = nextra;
        x->names = thk_xcalloc(nextra, sizeof *x->names);
        x->values = thk_xcalloc(nextra, sizeof *x->values);
        for (size_t e = 0; e < nextra; e++) {
            x->names[e] = thk_xstrdup(c->opts->extra_cases[e]);
            /* room for every case the model has room for (model_reserve_cases may have made
             * it before this header was read); model_case_add grows both together */
            x->values[e] = thk_xmalloc((c->m->cases_cap ? c->m->cases_cap : 1) *
                                       sizeof *x->values[e]);
        }
    }
    buf_free(&key);
    buf_free(&akey);
    buf_free(&nfc);
    return 0;
fail:
    buf_free(&key);
    buf_free(&akey);
    buf_free(&nfc);
    return -1;
}

static void load_reject(load_ctx *c, const reader_record *rec, int col, const char *value,
                        size_t vlen, thk_reject code, const char *detail)
{
    const char *cname = col >= 0 && (size_t)col < c->ncols ? c->headers[col] : "";
    if (rec->sheet) { /* cases.xlsx:Sheet1, the row, the cell's column */
        buf_clear(&c->where);
        buf_printf(&c->where, "%s:%s", c->file, rec->sheet);
        rejects_add_cell(c->opts->rejects, c->where.data, rec->row, col >= 0 ? (uint32_t)col + 1 : 0,
                         cname, value, vlen, code, detail);
    } else
        rejects_add(c->opts->rejects, c->file, rec->line, cname, value, vlen, code, detail);
    if (thk_reject_severity(code) == 'E')
        c->row_bad = true;
    else
        c->row_warn = true;
}

/* A record over several physical lines is counted (the log, and the manifest's physical lines
 * against its records). It gets a warning naming its first and last line when it looks like a
 * stray quote's work: a line inside it looks like a data row of its own (at least half the
 * header's delimiters; the warning lists the ids those rows held), or the record has the wrong
 * number of fields (it is rejected too). A note legitimately written on two lines, which
 * messy exports carry by the thousand, is only counted. */
#define LOAD_MULTILINE_IDS 10
static void load_multiline(load_ctx *c, const reader_record *rec)
{
    if (rec->end_line <= rec->line)
        return;
    c->stats->multiline++;
    thk_buf ids = {0};
    size_t nrows = 0;
    int kc = c->col[0]; /* the key column: ma_viec, or ma for thahc.csv */
    char d = rec->delimiter ? rec->delimiter : ',';
    for (size_t f = 0; f < rec->nfields; f++) {
        const char *s = rec->fields[f], *end = s + rec->lens[f];
        for (const char *nl = memchr(s, '\n', rec->lens[f]); nl; ) {
            const char *a = nl + 1;
            const char *b = memchr(a, '\n', (size_t)(end - a));
            nl = b;
            if (!b)
                b = end;
            size_t ndelim = 0;
            for (const char *p = a; p < b; p++)
                ndelim += *p == d;
            if (ndelim * 2 < c->ncols - 1 || ndelim == 0)
                continue;
            nrows++;
            const char *t = a; /* the kc-th token of the line */
            for (int k = 0; k < kc && t; k++) {
                t = memchr(t, d, (size_t)(b - t));
                t = t ? t + 1 : NULL;
            }
            if (!t || kc < 0 || nrows > LOAD_MULTILINE_IDS)
                continue;
            const char *te = memchr(t, d, (size_t)(b - t));
            size_t n;
            const char *v = text_trim(t, te ? (size_t)(te - t) : (size_t)(b - t), &n);
            while (n && (*v == '"' || v[n - 1] == '"' || v[n - 1] == '\r')) {
                if (*v == '"')
                    v++, n--;
                else
                    n--;
            }
            if (n == 0 || n > 64)
                continue;
            if (ids.len)
                buf_append(&ids, ", ", 2);
            buf_append(&ids, v, n);
        }
    }
    if (nrows == 0 && rec->nfields == c->ncols && !rec->too_many_fields) {
        buf_free(&ids);
        return;
    }
    if (nrows > LOAD_MULTILINE_IDS)
        buf_printf(&ids, ", … (%zu dòng)", nrows);
    char detail[160];
    if (nrows)
        snprintf(detail, sizeof detail,
                 "dòng %u–%u là một bản ghi; %zu dòng bên trong giống dòng dữ liệu bị gộp vào "
                 "(mã của chúng ở cột giá trị)",
                 rec->line, rec->end_line, nrows);
    else
        snprintf(detail, sizeof detail, "dòng %u–%u là một bản ghi", rec->line, rec->end_line);
    load_reject(c, rec, nrows ? kc : -1, ids.data ? ids.data : "", ids.len, WARN_MULTILINE,
                detail);
    buf_free(&ids);
}

/* Trimmed, NFC text of slot s into c->val/vlen (empty when the column is absent). */
static void load_text(load_ctx *c, const reader_record *rec, size_t s)
{
    c->val[s] = "";
    c->vlen[s] = 0;
    int col = c->col[s];
    if (col < 0)
        return;
    size_t n;
    const char *t = text_trim(rec->fields[col], rec->lens[col], &n);
    if (n == 0)
        return;
    if (rec->nfc_safe || text_is_nfc_quick(t, n)) {
        c->val[s] = t;
        c->vlen[s] = n;
        return;
    }
    if (text_nfc(t, n, &c->nfc[s]) != 0) {
        c->val[s] = t; /* invalid UTF-8 is reported for the whole row */
        c->vlen[s] = n;
        return;
    }
    c->val[s] = c->nfc[s].data;
    c->vlen[s] = c->nfc[s].len;
}

static bool load_required(load_ctx *c, const reader_record *rec, size_t s)
{
    if (c->vlen[s])
        return true;
    load_reject(c, rec, c->col[s], "", 0, REJ_REQUIRED, c->fields[s].name);
    return false;
}

static thk_date load_date(load_ctx *c, const reader_record *rec, size_t s)
{
    if (!c->vlen[s]) {
        if (c->fields[s].required)
            load_required(c, rec, s);
        return THK_DATE_NONE;
    }
    thk_date d;
    int r = date_parse(c->val[s], c->vlen[s], &d);
    if (r >= 0) {
        load_reject(c, rec, c->col[s], c->val[s], c->vlen[s], (thk_reject)r, NULL);
        return THK_DATE_NONE;
    }
    return d;
}

static thk_money load_money(load_ctx *c, const reader_record *rec, size_t s)
{
    if (!c->vlen[s]) {
        if (c->fields[s].required)
            load_required(c, rec, s);
        return 0;
    }
    thk_money v;
    int col = c->col[s];
    if (rec->fraction && col >= 0 && (size_t)col < rec->nfields && rec->fraction[col]) {
        /* a number cell: "1234.567" is not 1.234.567 đồng grouped with dots */
        load_reject(c, rec, col, c->val[s], c->vlen[s], REJ_MONEY_FRACTION,
                    "ô chứa số thập phân, số tiền phải là số nguyên đồng");
        return 0;
    }
    int r = money_parse(c->val[s], c->vlen[s], &v);
    if (r >= 0) {
        load_reject(c, rec, c->col[s], c->val[s], c->vlen[s], (thk_reject)r, NULL);
        return 0;
    }
    return v;
}

/* The map value index of slot s, MODEL_NO_VALUE when empty and unmatched, or -2 after
 * rejecting. Empty text is looked up too, so a map ending in a catch-all alternative files
 * an empty optional field under that value, as domain.md §5 asks of cap_phai_thi_hanh. */
static int load_mapped(load_ctx *c, const reader_record *rec, size_t s)
{
    if (!c->vlen[s] && c->fields[s].required) {
        load_required(c, rec, s);
        return MODEL_NO_VALUE;
    }
    rule_map *map = load_map_of(c, s);
    if (!map)
        return MODEL_NO_VALUE;
    int v = rule_map_lookup(map, c->val[s], c->vlen[s]);
    if (v == RULE_MAP_NOMATCH && !c->vlen[s])
        return MODEL_NO_VALUE;
    if (v == RULE_MAP_NOMATCH) {
        char detail[160];
        snprintf(detail, sizeof detail, "không khớp mẫu nào của map %s", rule_map_name(map));
        load_reject(c, rec, c->col[s], c->val[s], c->vlen[s], REJ_UNKNOWN_VALUE, detail);
        return -2;
    }
    if (v == RULE_MAP_LIMIT) {
        char detail[160];
        snprintf(detail, sizeof detail, "map %s", rule_map_name(map));
        load_reject(c, rec, c->col[s], c->val[s], c->vlen[s], REJ_PATTERN_LIMIT, detail);
        return -2;
    }
    return v;
}

/* Texts that repeat (units, CHV, groups, notes) are interned; texts that are unique per row
 * (ids) are stored without indexing: a million-entry hash table costs a cache miss per row
 * and buys nothing for them. load_keep below handles the texts in between. */
static uint32_t load_intern(load_ctx *c, size_t s)
{
    return c->vlen[s] ? strpool_intern(c->m->strings, c->val[s], c->vlen[s]) : 0;
}

static uint32_t load_store(load_ctx *c, size_t s)
{
    return strpool_add(c->m->strings, c->val[s], c->vlen[s]);
}

/* Texts that may or may not repeat (decision numbers, names of debtors, court files): a
 * million rows of an export often hold only tens of thousands of them, so each is stored once
 * while that pays. The lookup goes through a dictionary of the column's own (its table and
 * texts stay in cache, where the model's pool of millions of ids would not). A column whose
 * first LOAD_PROBE_ROWS texts were mostly new (under a quarter seen before) is stored
 * unindexed from then on, as load_store does. */
#define LOAD_PROBE_ROWS 65536u
static uint32_t load_keep(load_ctx *c, size_t s)
{
    if (!c->vlen[s])
        return 0;
    if (c->store_only[s])
        return load_store(c, s);
    if (!c->dict[s])
        c->dict[s] = strpool_new(); /* local id 0 is the empty text */
    strpool *d = c->dict[s];
    size_t before = strpool_count(d);
    uint32_t local = strpool_intern(d, c->val[s], c->vlen[s]);
    uint32_t id;
    if (strpool_count(d) == before) {
        id = c->dict_ids[s][local];
        c->probe_hits[s]++;
    } else {
        id = load_store(c, s);
        if ((before & (before - 1)) == 0) /* grow at powers of two */
            c->dict_ids[s] = thk_xrealloc(c->dict_ids[s], 2 * before * sizeof *c->dict_ids[s]);
        c->dict_ids[s][local] = id;
    }
    if (++c->probe_rows[s] == LOAD_PROBE_ROWS &&
        (c->store_only[s] = c->probe_hits[s] < LOAD_PROBE_ROWS / 4)) {
        strpool_free(c->dict[s]);
        c->dict[s] = NULL;
    }
    return id;
}

static void load_case_row(load_ctx *c, const reader_record *rec)
{
    model *m = c->m;
    for (size_t s = 0; s < C__N; s++)
        load_text(c, rec, s);
    /* The hash lookups below miss the cache; start them before parsing dates and money. */
    model_case_prefetch(m, c->val[C_MA_VIEC], c->vlen[C_MA_VIEC]);
    if (c->dict[C_SO_QD])
        strpool_prefetch(c->dict[C_SO_QD], c->val[C_SO_QD], c->vlen[C_SO_QD]);
    if (c->dict[C_DEBTOR])
        strpool_prefetch(c->dict[C_DEBTOR], c->val[C_DEBTOR], c->vlen[C_DEBTOR]);
    load_required(c, rec, C_MA_VIEC);
    load_required(c, rec, C_MA_DON_VI);
    thk_date thu_ly = load_date(c, rec, C_NGAY_THU_LY);
    thk_date ngay_qd = load_date(c, rec, C_NGAY_QD);
    thk_money so_tien = load_money(c, rec, C_SO_TIEN);
    int hinh_thuc = load_mapped(c, rec, C_HINH_THUC);
    int loai_an = load_mapped(c, rec, C_LOAI_AN);
    if (c->row_bad)
        return;
    /* One hash operation decides both "new key" and "duplicate of row N". */
    bool duplicate;
    uint32_t idx = model_case_add(m, c->val[C_MA_VIEC], c->vlen[C_MA_VIEC], &duplicate);
    if (duplicate) {
        char detail[64];
        snprintf(detail, sizeof detail, "dòng %u", m->cases[idx].line);
        load_reject(c, rec, c->col[C_MA_VIEC], c->val[C_MA_VIEC], c->vlen[C_MA_VIEC],
                    REJ_DUPLICATE_ID, detail);
        return;
    }
    bool conflict;
    uint32_t unit = model_unit_add(m, c->val[C_MA_DON_VI], c->vlen[C_MA_DON_VI],
                                   c->val[C_TEN_DON_VI], c->vlen[C_TEN_DON_VI], &conflict);
    m->units[unit].seen |= MODEL_SEEN_CASES;
    if (conflict) {
        char detail[512];
        snprintf(detail, sizeof detail, "đã dùng '%s'", model_str(m, m->units[unit].name));
        load_reject(c, rec, c->col[C_TEN_DON_VI], c->val[C_TEN_DON_VI], c->vlen[C_TEN_DON_VI],
                    WARN_UNIT_NAME, detail);
    }
    model_case *k = &m->cases[idx];
    k->unit = unit;
    k->chv = load_intern(c, C_CHV);
    k->so_qd = load_keep(c, C_SO_QD);
    k->nhom_viec = load_intern(c, C_NHOM_VIEC);
    k->debtor = load_keep(c, C_DEBTOR);
    k->ngay_thu_ly = thu_ly;
    k->ngay_quyet_dinh = ngay_qd;
    k->so_tien = so_tien;
    k->line = rec->line;
    k->hinh_thuc = (int16_t)hinh_thuc;
    k->loai_an = (int16_t)loai_an;
    model_extra *x = &m->case_extra;
    for (size_t e = 0; e < x->ncols; e++) {
        uint32_t id = 0;
        int col = c->extra_col[e];
        if (col >= 0) {
            size_t n;
            const char *t = text_trim(rec->fields[col], rec->lens[col], &n);
            text_nfc(t, n, &c->nfc[0]);
            id = strpool_intern(m->strings, c->nfc[0].data ? c->nfc[0].data : "", c->nfc[0].len);
        }
        x->values[e][idx] = id;
    }
}

#define LOAD_RUN_MARK 65536u

static void load_leb_put(thk_buf *b, size_t v)
{
    unsigned char out[10];
    size_t k = 0;
    do {
        out[k++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    buf_append(b, out, k);
}

static size_t load_leb_get(const unsigned char **q)
{
    size_t v = 0;
    unsigned shift = 0;
    do
        v |= (size_t)(**q & 0x7f) << shift, shift += 7;
    while (*(*q)++ & 0x80);
    return v;
}

/* Front coding of the runs: an entry names a bucket (one of LOAD_RUN_REFS, from its key's
 * first bytes: the unit's code in "DL-KV03-2016-000001"), the length of the prefix it shares
 * with the last key of that bucket, the length of the rest and the rest. Units interleaved in
 * an export each keep their own last key, so a key takes four or five bytes instead of twenty.
 * A journal across cases (a run a row) keeps about five bytes a row the same way. At every
 * mark the writer forgets its last keys and writes the entry full (sharing nothing), so that a
 * second walk can start there; reject keys are kept full. */
#define LOAD_RUN_REFS 256

static unsigned load_run_bucket(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n && i < 8; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return (h ^ (h >> 8) ^ (h >> 16) ^ (h >> 24)) & (LOAD_RUN_REFS - 1);
}

static void load_run_entry(thk_buf *out, unsigned bucket, size_t pre, const char *s, size_t n)
{
    buf_putc(out, (char)bucket);
    load_leb_put(out, pre);
    load_leb_put(out, n - pre);
    buf_append(out, s + pre, n - pre);
}

/* A block of runs is reserved at this size: glibc maps blocks of 1 MiB and more on their own
 * (main.c), so a walked block freed goes back to the system at once, while the pages not
 * written to were never taken. */
#define LOAD_RUN_BLOCK ((size_t)1 << 20)

/* Appends a run's key to c->runs, front coded, and returns the run's number. */
static uint32_t load_run_push(load_ctx *c, const char *s, size_t n)
{
    bool full = false;
    if (c->nruns % LOAD_RUN_MARK == 0) {
        if ((c->nblocks & (c->nblocks - 1)) == 0) /* grow at powers of two */
            c->runs = thk_xrealloc(c->runs, (c->nblocks ? 2 * c->nblocks : 1) * sizeof *c->runs);
        c->runs[c->nblocks] = (thk_buf){0};
        buf_reserve(&c->runs[c->nblocks++], LOAD_RUN_BLOCK);
        full = true;
        if (!c->run_ref)
            c->run_ref = thk_xcalloc(LOAD_RUN_REFS, sizeof *c->run_ref);
        for (size_t b = 0; b < LOAD_RUN_REFS; b++)
            c->run_ref[b].len = 0;
    }
    unsigned b = load_run_bucket(s, n);
    thk_buf *ref = &c->run_ref[b];
    size_t pre = 0, most = full ? 0 : ref->len < n ? ref->len : n;
    while (pre < most && ref->data[pre] == s[pre])
        pre++;
    thk_buf *block = &c->runs[c->nblocks - 1];
    size_t before = block->len;
    load_run_entry(block, b, pre, s, n);
    c->runs_bytes += block->len - before;
    ref->len = pre;
    buf_append(ref, s + pre, n - pre);
    return c->nruns++;
}

/* Reads the full entry at *p (one that shares nothing) and moves *p past it. */
static const char *load_run_full(const char **p, size_t *n)
{
    const unsigned char *q = (const unsigned char *)*p + 1; /* its bucket */
    size_t pre = load_leb_get(&q);
    (void)pre; /* 0 */
    *n = load_leb_get(&q);
    *p = (const char *)q + *n;
    return (const char *)q;
}

/* Reads the entry at *p, given each bucket's last key so far in refs (LOAD_RUN_REFS, empty
 * at the start of a walk, which starts at a mark), and moves *p. Its key is refs[bucket]. */
static const thk_buf *load_run_decode(const char **p, thk_buf *refs)
{
    const unsigned char *q = (const unsigned char *)*p;
    thk_buf *r = &refs[*q++];
    size_t pre = load_leb_get(&q), n = load_leb_get(&q);
    r->len = pre;
    buf_append(r, q, n);
    *p = (const char *)q + n;
    return r;
}

static void load_refs_free(thk_buf *refs)
{
    if (!refs)
        return;
    for (size_t b = 0; b < LOAD_RUN_REFS; b++)
        buf_free(&refs[b]);
    free(refs);
}

static void load_event_row(load_ctx *c, const reader_record *rec)
{
    model *m = c->m;
    for (size_t s = 0; s < E__N; s++)
        load_text(c, rec, s);
    load_required(c, rec, E_MA_VIEC);
    thk_date ngay = load_date(c, rec, E_NGAY);
    int v = load_mapped(c, rec, E_SU_KIEN);
    uint32_t ci = UINT32_MAX;
    bool new_run = false;
    if (c->vlen[E_MA_VIEC]) {
        /* Exports list a case's events together: remember the last key looked up. */
        bool same = c->last_key.data && c->last_key.len == c->vlen[E_MA_VIEC] &&
                    memcmp(c->last_key.data, c->val[E_MA_VIEC], c->vlen[E_MA_VIEC]) == 0;
        if (c->defer) {
            /* Deferred: each run of accepted rows with one key is stored once, unindexed, when
             * its first row is accepted; load_resolve_events maps keys to cases, mostly by
             * walking both files in step (no hashing). */
            new_run = !same;
        } else {
            if (same)
                ci = c->last_case;
            else {
                ci = model_case_find(m, c->val[E_MA_VIEC], c->vlen[E_MA_VIEC]);
                buf_clear(&c->last_key);
                buf_append(&c->last_key, c->val[E_MA_VIEC], c->vlen[E_MA_VIEC]);
                c->last_case = ci;
            }
            if (ci == UINT32_MAX)
                load_reject(c, rec, c->col[E_MA_VIEC], c->val[E_MA_VIEC],
                            c->vlen[E_MA_VIEC], REJ_UNKNOWN_CASE, NULL);
        }
    }
    int kind = v >= 0 && v < 256 ? c->ev_kind[v] : -1;
    if (v >= 0 && kind < 0) {
        load_reject(c, rec, c->col[E_SU_KIEN], c->val[E_SU_KIEN], c->vlen[E_SU_KIEN],
                    REJ_UNKNOWN_VALUE, "giá trị map su_kien không phải loại sự kiện chuẩn");
        return;
    }
    thk_money amount = 0;
    if (kind == EV_THU_TIEN || kind == EV_MIEN_GIAM) {
        if (!c->vlen[E_SO_TIEN]) {
            load_reject(c, rec, c->col[E_SO_TIEN], "", 0, REJ_AMOUNT_REQUIRED, NULL);
        } else {
            bool bad_before = c->row_bad;
            amount = load_money(c, rec, E_SO_TIEN);
            if (c->row_bad == bad_before && amount <= 0)
                load_reject(c, rec, c->col[E_SO_TIEN], c->val[E_SO_TIEN], c->vlen[E_SO_TIEN],
                            REJ_AMOUNT_REQUIRED, NULL);
        }
    }
    if (c->row_bad)
        return;
    model_event *e;
    if (c->defer) {
        size_t i = m->nevents;
        if (i / 64 >= c->run_words) {
            size_t w = c->run_words ? 2 * c->run_words : 64;
            c->run_starts = thk_xrealloc(c->run_starts, w * sizeof *c->run_starts);
            memset(c->run_starts + c->run_words, 0, (w - c->run_words) * sizeof *c->run_starts);
            c->run_words = w;
        }
        if (new_run) {
            load_run_push(c, c->val[E_MA_VIEC], c->vlen[E_MA_VIEC]);
            buf_clear(&c->last_key);
            buf_append(&c->last_key, c->val[E_MA_VIEC], c->vlen[E_MA_VIEC]);
            c->run_starts[i / 64] |= (uint64_t)1 << (i % 64);
        }
        e = model_event_push(m);
    } else
        e = model_event_add(m, ci);
    e->date = ngay;
    e->line = rec->line & MODEL_EVENT_LINE_MAX; /* checked by load_on_record */
    e->kind = (unsigned)kind & 0xFu;
    model_event_set(m, e, amount, load_intern(c, E_GHI_CHU));
}

static void load_thahc_row(load_ctx *c, const reader_record *rec)
{
    model *m = c->m;
    for (size_t s = 0; s < T__N; s++)
        load_text(c, rec, s);
    load_required(c, rec, T_MA_BAN_AN);
    load_required(c, rec, T_MA_DON_VI);
    thk_date d[5];
    for (size_t i = 0; i < 5; i++)
        d[i] = load_date(c, rec, T_NGAY_THU_LY + i);
    int cap = load_mapped(c, rec, T_CAP);
    if (c->row_bad)
        return;
    size_t before = strpool_count(m->thahc_ids);
    uint32_t id = strpool_intern(m->thahc_ids, c->val[T_MA_BAN_AN], c->vlen[T_MA_BAN_AN]);
    if (strpool_count(m->thahc_ids) == before) {
        char detail[64];
        snprintf(detail, sizeof detail, "dòng %u", m->thahc[id - 1].line);
        load_reject(c, rec, c->col[T_MA_BAN_AN], c->val[T_MA_BAN_AN], c->vlen[T_MA_BAN_AN],
                    REJ_DUPLICATE_ID, detail);
        return;
    }
    bool conflict;
    uint32_t unit = model_unit_add(m, c->val[T_MA_DON_VI], c->vlen[T_MA_DON_VI],
                                   c->val[T_TEN_DON_VI], c->vlen[T_TEN_DON_VI], &conflict);
    m->units[unit].seen |= MODEL_SEEN_THAHC;
    if (conflict) {
        char detail[512];
        snprintf(detail, sizeof detail, "đã dùng '%s'", model_str(m, m->units[unit].name));
        load_reject(c, rec, c->col[T_TEN_DON_VI], c->val[T_TEN_DON_VI], c->vlen[T_TEN_DON_VI],
                    WARN_UNIT_NAME, detail);
    }
    if (m->nthahc == m->thahc_cap) {
        m->thahc_cap = m->thahc_cap ? m->thahc_cap * 2 : 256;
        m->thahc = thk_xrealloc(m->thahc, m->thahc_cap * sizeof *m->thahc);
    }
    m->thahc[m->nthahc++] = (model_thahc){
        .ma_ban_an = load_store(c, T_MA_BAN_AN),
        .unit = unit,
        .line = rec->line,
        .cap = (int16_t)cap,
        .ngay_thu_ly = d[0],
        .ngay_qd_buoc = d[1],
        .ngay_xong = d[2],
        .ngay_huy_hoan_tdc = d[3],
        .ngay_kien_nghi = d[4],
        .so_ban_an = load_keep(c, T_SO_BAN_AN),
        .toa_an = load_intern(c, T_TOA_AN),
        .debtor = load_keep(c, T_DEBTOR),
        .noi_dung = load_keep(c, T_NOI_DUNG),
    };
}

/* The first field longer than LOAD_MAX_FIELD, or -1. */
static int load_too_long(const reader_record *rec)
{
    for (size_t i = 0; i < rec->nfields; i++)
        if (rec->lens[i] > LOAD_MAX_FIELD)
            return (int)i;
    return -1;
}

/* Frees what a header that did not bind left behind. */
static void load_unbind(load_ctx *c)
{
    for (size_t i = 0; i < c->ncols && c->headers; i++)
        free(c->headers[i]);
    free(c->headers);
    c->headers = NULL;
    c->ncols = 0;
    free(c->extra_col);
    c->extra_col = NULL;
}

/* Whether a workbook row repeats the bound header (a sheet continuing the export). */
static bool load_same_header(load_ctx *c, const reader_record *rec)
{
    size_t n = rec->nfields;
    while (n > 0 && rec->lens[n - 1] == 0)
        n--;
    size_t h = c->ncols;
    while (h > 0 && !c->headers[h - 1][0])
        h--;
    if (n != h)
        return false;
    for (size_t i = 0; i < n; i++) {
        text_nfc(rec->fields[i], rec->lens[i], &c->nfc[0]);
        if (strcmp(c->nfc[0].data ? c->nfc[0].data : "", c->headers[i]) != 0)
            return false;
    }
    return true;
}

/* A workbook row while the sheet's header is looked for: returns 0 to go on (the row was a
 * title, or the header), 1 to stop. */
static int load_sheet_header(load_ctx *c, const reader_record *rec)
{
    bool found;
    if (!c->header_done) {
        size_t before = c->err->len;
        found = load_bind_header(c, rec) == 0;
        if (!found) {
            if (!c->first_err.len)
                buf_append(&c->first_err, c->err->data + before, c->err->len - before);
            c->err->len = before;
            if (c->err->data)
                c->err->data[before] = '\0';
            load_unbind(c);
        }
        c->header_done = found;
    } else
        found = load_same_header(c, rec);
    if (found) {
        c->searching = false;
        buf_printf(&c->sheets_read, "%s%s", c->sheets_read.len ? ", " : "", rec->sheet);
    } else if (++c->tries >= LOAD_TITLE_ROWS)
        c->skip_sheet = true;
    return 0;
}

/* A workbook row as wide as the header: the cells left out at its end are empty; empty cells
 * past the header are dropped (a row with text there keeps its width and is rejected). */
static const reader_record *load_fit_row(load_ctx *c, const reader_record *rec,
                                         reader_record *tmp)
{
    if (rec->nfields == c->ncols || rec->too_many_fields)
        return rec;
    size_t n = rec->nfields;
    while (n > c->ncols && rec->lens[n - 1] == 0)
        n--;
    if (n > c->ncols)
        return rec;
    if (!c->pad_f) {
        c->pad_f = thk_xmalloc(READER_MAX_FIELDS * sizeof *c->pad_f);
        c->pad_l = thk_xmalloc(READER_MAX_FIELDS * sizeof *c->pad_l);
        c->pad_frac = thk_xmalloc(READER_MAX_FIELDS * sizeof *c->pad_frac);
    }
    for (size_t i = 0; i < c->ncols; i++) {
        bool have = i < n;
        c->pad_f[i] = have ? rec->fields[i] : "";
        c->pad_l[i] = have ? rec->lens[i] : 0;
        c->pad_frac[i] = have && rec->fraction ? rec->fraction[i] : false;
    }
    *tmp = *rec;
    tmp->fields = c->pad_f;
    tmp->lens = c->pad_l;
    tmp->fraction = c->pad_frac;
    tmp->nfields = c->ncols;
    return tmp;
}

static int load_on_record(void *ctx, const reader_record *rec)
{
    load_ctx *c = ctx;
    reader_record fitted;
    if (rec->sheet) {
        if (rec->sheet != c->sheet) { /* a new sheet: look for its header */
            c->sheet = rec->sheet;
            c->searching = true;
            c->skip_sheet = false;
            c->tries = 0;
        }
        if (c->skip_sheet)
            return 0;
        if (c->searching)
            return load_sheet_header(c, rec);
        rec = load_fit_row(c, rec, &fitted);
    } else if (!c->header_done) {
        c->header_done = true;
        if (load_bind_header(c, rec) != 0) {
            c->rc = THK_EXIT_INPUT;
            return 1;
        }
        return 0;
    }
    uint32_t max_line = MODEL_EVENT_LINE_MAX;
    if (c->opts->max_event_line && c->opts->max_event_line < max_line)
        max_line = c->opts->max_event_line;
    if (c->kind == LOAD_EVENTS && rec->line > max_line) {
        buf_printf(c->err,
                   "%s: dòng %u: tệp sự kiện dài quá %u dòng, giới hạn của thongke; hãy tách "
                   "dữ liệu theo đơn vị hoặc theo năm",
                   c->name, rec->line, max_line);
        c->rc = THK_EXIT_INPUT;
        return 1;
    }
    c->stats->read++;
    c->row_bad = false;
    c->row_warn = false;
    load_multiline(c, rec);
    if (rec->too_many_fields || rec->nfields != c->ncols) {
        char detail[96];
        snprintf(detail, sizeof detail, "dòng có %s%zu trường, tiêu đề có %zu cột",
                 rec->too_many_fields ? "hơn " : "", rec->nfields, c->ncols);
        load_reject(c, rec, -1, "", 0, REJ_FIELD_COUNT, detail);
    } else if (rec->nul_at >= 0) {
        char detail[96];
        int f = rec->nul_field;
        snprintf(detail, sizeof detail, "byte NUL ở vị trí %lld của tệp", (long long)rec->nul_at);
        thk_buf shown = {0}; /* the whole field, the NUL written \x00 */
        if (f >= 0)
            text_escape_invalid(&shown, rec->fields[f], rec->lens[f] > 200 ? 200 : rec->lens[f]);
        load_reject(c, rec, f, shown.data ? shown.data : "", shown.len, REJ_NUL_BYTE, detail);
        buf_free(&shown);
    } else if (load_too_long(rec) >= 0) {
        int f = load_too_long(rec);
        char detail[96];
        snprintf(detail, sizeof detail, "%zu byte, tối đa %u", rec->lens[f], LOAD_MAX_FIELD);
        load_reject(c, rec, f, rec->fields[f], 60, REJ_FIELD_TOO_LONG, detail);
    } else if (rec->bad_encoding) {
        load_reject(c, rec, -1, "", 0, REJ_ENCODING, load_encoding(c->opts, c->kind));
    } else if (rec->bad_utf8 >= 0) {
        char detail[96];
        int f = rec->bad_utf8_field;
        snprintf(detail, sizeof detail, "byte lỗi ở vị trí %lld của tệp", (long long)rec->bad_utf8);
        load_reject(c, rec, f, f >= 0 ? rec->fields[f] : "", f >= 0 ? rec->lens[f] : 0, REJ_UTF8,
                    detail);
    } else {
        switch (c->kind) {
        case LOAD_CASES:
            load_case_row(c, rec);
            break;
        case LOAD_EVENTS:
            load_event_row(c, rec);
            break;
        case LOAD_THAHC:
            load_thahc_row(c, rec);
            break;
        }
    }
    if (c->row_bad)
        c->stats->rejected++;
    else {
        c->stats->accepted++;
        if (c->row_warn)
            c->stats->warned++;
    }
    return 0;
}

static int load_prepare(load_ctx *c, model *m, load_kind kind, const char *name,
                        const load_opts *opts, load_stats *stats, thk_buf *err)
{
    memset(c, 0, sizeof *c);
    memset(stats, 0, sizeof *stats);
    c->m = m;
    c->kind = kind;
    c->opts = opts;
    c->name = name;
    const char *slash = strrchr(name, '/');
    c->file = slash ? slash + 1 : name; /* rejects name the file, not the folder it came from */
    c->err = err;
    c->stats = stats;
    switch (kind) {
    case LOAD_CASES:
        c->fields = load_case_fields;
        c->nfields = C__N;
        break;
    case LOAD_EVENTS:
        c->fields = load_event_fields;
        c->nfields = E__N;
        if (!opts->su_kien) {
            buf_printf(err, "%s: quy tắc không có map su_kien", name);
            return THK_EXIT_INPUT;
        }
        memset(c->ev_kind, -1, sizeof c->ev_kind);
        for (size_t v = 0; v < rule_map_value_count(opts->su_kien) && v < 256; v++)
            c->ev_kind[v] = (int8_t)model_event_from_name(rule_map_value_name(opts->su_kien, v));
        break;
    case LOAD_THAHC:
        c->fields = load_thahc_fields;
        c->nfields = T__N;
        m->has_thahc = true;
        break;
    }
    return 0;
}

static int load_finish(load_ctx *c, int rr)
{
    if (c->defer && c->col[E_MA_VIEC] >= 0 && (size_t)c->col[E_MA_VIEC] < c->ncols)
        c->key_header = thk_xstrdup(c->headers[c->col[E_MA_VIEC]]);
    for (size_t i = 0; i < c->ncols; i++)
        free(c->headers[i]);
    free(c->headers);
    free(c->extra_col);
    for (size_t s = 0; s < LOAD_MAX_SLOTS; s++) {
        buf_free(&c->nfc[s]);
        strpool_free(c->dict[s]);
        free(c->dict_ids[s]);
    }
    buf_free(&c->last_key);
    if (c->defer) {
        c->stats->keys_kept = c->nruns;
        c->stats->keys_bytes = c->runs_bytes;
    }
    load_refs_free(c->run_ref); /* the runs stay for load_resolve_events */
    c->run_ref = NULL;
    buf_free(&c->where);
    free(c->pad_f);
    free(c->pad_l);
    free(c->pad_frac);
    if (c->sheets_read.len) { /* the reader's "xlsx"/"xls", then the sheets the loader read */
        size_t k = strcspn(c->stats->encoding, ":");
        char fmt[8];
        snprintf(fmt, sizeof fmt, "%.*s", (int)(k < sizeof fmt ? k : sizeof fmt - 1),
                 c->stats->encoding);
        snprintf(c->stats->encoding, sizeof c->stats->encoding, "%s: %s", fmt,
                 c->sheets_read.data);
    }
    buf_free(&c->sheets_read);
    if (!c->header_done && c->first_err.len && !c->rc && rr == 0) {
        buf_append(c->err, c->first_err.data, c->first_err.len);
        buf_free(&c->first_err);
        return THK_EXIT_INPUT;
    }
    buf_free(&c->first_err);
    if (c->rc)
        return c->rc;
    if (rr != 0)
        return THK_EXIT_INPUT;
    if (!c->header_done) {
        buf_printf(c->err, "%s: tệp rỗng, không có dòng tiêu đề", c->name);
        return THK_EXIT_INPUT;
    }
    return 0;
}

const char *load_encoding(const load_opts *opts, load_kind kind)
{
    const char *e = (unsigned)kind < 3 ? opts->encoding_for[kind] : NULL;
    return e && *e ? e : opts->encoding;
}

/* What the reader measured of the file: its size, lines, encoding and SHA-256. */
static void load_take_stats(load_stats *stats, const reader_stats *rs)
{
    stats->bytes = rs->bytes;
    stats->lines = rs->lines;
    memcpy(stats->encoding, rs->encoding, sizeof stats->encoding);
    memcpy(stats->sha256, rs->sha256, sizeof stats->sha256);
}

static reader_opts load_reader_opts(const load_opts *opts, load_kind kind)
{
    return (reader_opts){.encoding = load_encoding(opts, kind),
                         .delimiter = opts->delimiter,
                         .progress_bytes = opts->progress_bytes,
                         .progress_rows = opts->progress_rows};
}

/* Reads path into c. */
static int load_run_file(load_ctx *c, const char *path, const load_opts *opts, load_stats *stats,
                         thk_buf *err)
{
    reader_opts ro = load_reader_opts(opts, c->kind);
    reader_stats rs;
    int rr = input_run_file(path, &ro, load_on_record, c, &rs, NULL, err);
    load_take_stats(stats, &rs);
    return load_finish(c, rr);
}

/* ---- one file on two threads: a reader splits records, a loader loads them ---------------- */

/* The reader copies records into batches; the loader takes them in order. A few batches are in
 * flight at once, so neither thread waits on the other for long. */
#define LOAD_PIPE_BATCHES 4
#define LOAD_BATCH_ROWS 1024u
#define LOAD_BATCH_TEXT (256u * 1024u)

typedef struct {
    reader_record rec; /* fields and lens are set when the batch is loaded */
    size_t first;      /* its first field among the batch's fields */
} load_pipe_row;

typedef struct {
    thk_buf text;                 /* the field texts, each NUL-terminated */
    size_t *at, *lens;            /* per field: offset in text, length */
    bool *frac;                   /* per field: a workbook's fraction flag */
    const char **ptr;             /* per field: the text, set by the loader */
    size_t nf, fcap;
    load_pipe_row *rows;
    size_t nrows, rcap;
} load_batch;

typedef struct {
    load_ctx *c;
    load_batch batch[LOAD_PIPE_BATCHES];
    size_t head, tail, full; /* the reader fills batch[head], the loader loads batch[tail] */
    bool done;               /* the reader has handed over its last batch */
    bool stopped;            /* the loader met a file-level error: the reader may stop */
    const char *sheet_in;    /* a workbook's sheet as the reader names it, and the pipe's copy, */
    char **sheets;           /* which lives until the loader is done (one per sheet, so the */
    size_t nsheets;          /* loader still sees a new sheet as a new pointer) */
    pthread_mutex_t mu;
    pthread_cond_t filled, emptied;
} load_pipe;

static void load_batch_add(load_pipe *p, load_batch *b, const reader_record *rec)
{
    if (b->nrows == b->rcap) {
        b->rcap = b->rcap ? 2 * b->rcap : LOAD_BATCH_ROWS;
        b->rows = thk_xrealloc(b->rows, b->rcap * sizeof *b->rows);
    }
    if (b->nf + rec->nfields > b->fcap) {
        while (b->nf + rec->nfields > b->fcap)
            b->fcap = b->fcap ? 2 * b->fcap : 16 * LOAD_BATCH_ROWS;
        b->at = thk_xrealloc(b->at, b->fcap * sizeof *b->at);
        b->lens = thk_xrealloc(b->lens, b->fcap * sizeof *b->lens);
        b->frac = thk_xrealloc(b->frac, b->fcap * sizeof *b->frac);
        b->ptr = thk_xrealloc(b->ptr, b->fcap * sizeof *b->ptr);
    }
    load_pipe_row *r = &b->rows[b->nrows++];
    r->rec = *rec;
    r->rec.fields = NULL;
    r->rec.lens = NULL;
    r->first = b->nf;
    if (rec->sheet) { /* a workbook's record points into its reader's row and sheet list */
        if (rec->sheet != p->sheet_in) {
            p->sheets = thk_xrealloc(p->sheets, (p->nsheets + 1) * sizeof *p->sheets);
            p->sheets[p->nsheets++] = thk_xstrdup(rec->sheet);
            p->sheet_in = rec->sheet;
        }
        r->rec.sheet = p->sheets[p->nsheets - 1];
    }
    if (rec->fraction)
        memcpy(b->frac + b->nf, rec->fraction, rec->nfields * sizeof *b->frac);
    for (size_t i = 0; i < rec->nfields; i++) {
        b->at[b->nf] = b->text.len;
        b->lens[b->nf++] = rec->lens[i];
        buf_append(&b->text, rec->fields[i], rec->lens[i] + 1); /* with its NUL */
    }
}

/* The reader's callback: copies the record; hands the batch over when full. Returns 1 to stop
 * the reader once the loader has stopped. */
static int load_pipe_put(void *ctx, const reader_record *rec)
{
    load_pipe *p = ctx;
    load_batch *b = &p->batch[p->head];
    load_batch_add(p, b, rec);
    if (b->nrows < LOAD_BATCH_ROWS && b->text.len < LOAD_BATCH_TEXT)
        return 0;
    pthread_mutex_lock(&p->mu);
    p->full++;
    pthread_cond_signal(&p->filled);
    p->head = (p->head + 1) % LOAD_PIPE_BATCHES;
    while (p->full == LOAD_PIPE_BATCHES && !p->stopped)
        pthread_cond_wait(&p->emptied, &p->mu);
    bool stopped = p->stopped;
    pthread_mutex_unlock(&p->mu);
    return stopped ? 1 : 0;
}

/* The reader is done: hands over the last, partial batch. */
static void load_pipe_close(load_pipe *p)
{
    pthread_mutex_lock(&p->mu);
    if (p->batch[p->head].nrows) /* batch[head] is the reader's: full < LOAD_PIPE_BATCHES */
        p->full++;
    p->done = true;
    pthread_cond_signal(&p->filled);
    pthread_mutex_unlock(&p->mu);
}

/* The loader thread: loads each batch's records in order. After a file-level error it only
 * releases batches, so the reader never waits for it. */
static void *load_pipe_load(void *arg)
{
    load_pipe *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (p->full == 0 && !p->done)
            pthread_cond_wait(&p->filled, &p->mu);
        if (p->full == 0) {
            pthread_mutex_unlock(&p->mu);
            return NULL;
        }
        bool stopped = p->stopped;
        pthread_mutex_unlock(&p->mu);
        load_batch *b = &p->batch[p->tail];
        for (size_t i = 0; i < b->nf; i++)
            b->ptr[i] = b->text.data + b->at[i];
        for (size_t i = 0; i < b->nrows && !stopped; i++) {
            load_pipe_row *r = &b->rows[i];
            r->rec.fields = b->ptr + r->first;
            r->rec.lens = b->lens + r->first;
            if (r->rec.fraction)
                r->rec.fraction = b->frac + r->first;
            stopped = load_on_record(p->c, &r->rec) != 0;
        }
        b->nrows = b->nf = 0;
        buf_clear(&b->text);
        pthread_mutex_lock(&p->mu);
        p->stopped = stopped;
        p->tail = (p->tail + 1) % LOAD_PIPE_BATCHES;
        p->full--;
        pthread_cond_signal(&p->emptied);
        pthread_mutex_unlock(&p->mu);
    }
}

/* load_run_file with the loading on a thread of its own. The loader's error, when it stopped,
 * is the one reported: it concerns a record before any the reader could have failed on after.
 * Falls back to one thread when no thread can be had. */
static int load_run_file_piped(load_ctx *c, const char *path, const load_opts *opts,
                               load_stats *stats, thk_buf *err)
{
    load_pipe p = {.c = c};
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.filled, NULL);
    pthread_cond_init(&p.emptied, NULL);
    pthread_t t;
    int rr;
    if (pthread_create(&t, NULL, load_pipe_load, &p) != 0) {
        rr = load_run_file(c, path, opts, stats, err);
    } else {
        reader_opts ro = load_reader_opts(opts, c->kind);
        reader_stats rs;
        thk_buf rerr = {0}; /* the reader's own: the loader writes to err meanwhile */
        rr = input_run_file(path, &ro, load_pipe_put, &p, &rs, NULL, &rerr);
        load_pipe_close(&p);
        pthread_join(t, NULL);
        if (rr < 0 && !c->rc)
            buf_append(err, rerr.data ? rerr.data : "", rerr.len);
        buf_free(&rerr);
        load_take_stats(stats, &rs);
        rr = load_finish(c, rr);
    }
    for (size_t k = 0; k < LOAD_PIPE_BATCHES; k++) {
        load_batch *b = &p.batch[k];
        buf_free(&b->text);
        free(b->at);
        free(b->lens);
        free(b->frac);
        free(b->ptr);
        free(b->rows);
    }
    for (size_t k = 0; k < p.nsheets; k++)
        free(p.sheets[k]);
    free(p.sheets);
    pthread_cond_destroy(&p.filled);
    pthread_cond_destroy(&p.emptied);
    pthread_mutex_destroy(&p.mu);
    return rr;
}

int load_file(model *m, load_kind kind, const char *path, const load_opts *opts,
              load_stats *stats, thk_buf *err)
{
    load_ctx c;
    int rc = load_prepare(&c, m, kind, path, opts, stats, err);
    if (rc)
        return rc;
    return load_run_file(&c, path, opts, stats, err);
}

/* ---- cases and events on two threads ------------------------------------------------------ */

typedef struct {
    load_ctx c;
    model *m;
    const char *path;
    load_opts opts;
    bool piped; /* reading and loading on two threads (load_run_file_piped) */
    load_stats *stats;
    thk_buf err;
    int rc;
    atomic_bool done;
} load_job;

static void *load_job_run(void *arg)
{
    load_job *j = arg;
    j->rc = load_prepare(&j->c, j->m, j->c.kind, j->path, &j->opts, j->stats, &j->err);
    if (!j->rc) {
        j->c.defer = j->c.kind == LOAD_EVENTS;
        j->rc = j->piped ? load_run_file_piped(&j->c, j->path, &j->opts, j->stats, &j->err)
                         : load_run_file(&j->c, j->path, &j->opts, j->stats, &j->err);
    }
    atomic_store(&j->done, true);
    return NULL;
}

/* The case of each run in [first, first + n) of the events thread's runs, whose bytes start at
 * p; runs without a case are listed (miss_run, miss_at) for their rejects. */
typedef struct {
    const model *m;
    thk_buf *blocks; /* the events thread's runs; this walk frees the blocks it walks */
    size_t first, n; /* first is a block's first run */
    uint32_t *case_of;
    uint32_t *miss_run;
    size_t *miss_at;  /* where the run's key is in miss_keys, a full entry */
    size_t nmiss, miss_cap;
    thk_buf miss_keys;
} load_walk;

static void *load_walk_runs(void *arg)
{
    load_walk *w = arg;
    const model *m = w->m;
    /* Exports usually list events in the order of their cases: try the case after the last
     * one matched before asking the hash table. */
    uint32_t next = 0;
    const char *p = NULL;
    thk_buf *refs = thk_xcalloc(LOAD_RUN_REFS, sizeof *refs);
    for (size_t k = w->first; k < w->first + w->n; k++) {
        if (k % LOAD_RUN_MARK == 0) { /* a block starts (with full entries): the one walked
                                         goes back, the keys shrink as case_of grows */
            if (k > w->first)
                buf_free(&w->blocks[k / LOAD_RUN_MARK - 1]);
            p = w->blocks[k / LOAD_RUN_MARK].data;
        }
        const thk_buf *kb = load_run_decode(&p, refs);
        const char *key = kb->data;
        size_t len = kb->len;
        uint32_t ci;
        if (next < m->ncases && strpool_len(m->strings, m->cases[next].ma_viec) == len &&
            memcmp(model_str(m, m->cases[next].ma_viec), key, len) == 0)
            ci = next;
        else
            ci = model_case_find(m, key, len);
        w->case_of[k] = ci;
        if (ci != UINT32_MAX) {
            next = ci + 1;
            continue;
        }
        if (w->nmiss == w->miss_cap) {
            w->miss_cap = w->miss_cap ? 2 * w->miss_cap : 64;
            w->miss_run = thk_xrealloc(w->miss_run, w->miss_cap * sizeof *w->miss_run);
            w->miss_at = thk_xrealloc(w->miss_at, w->miss_cap * sizeof *w->miss_at);
        }
        w->miss_run[w->nmiss] = (uint32_t)k;
        w->miss_at[w->nmiss++] = w->miss_keys.len;
        load_run_entry(&w->miss_keys, 0, 0, key, len);
    }
    if (w->n)
        buf_free(&w->blocks[(w->first + w->n - 1) / LOAD_RUN_MARK]);
    load_refs_free(refs);
    return NULL;
}

/* Whether event i of the events thread starts a run. */
static bool load_run_starts(const uint64_t *starts, size_t i)
{
    return starts[i / 64] >> (i % 64) & 1;
}

/* When each run has a case of its own (no case has two runs) and its events are in date
 * order, as in an export grouped by case, sets each case's slice of m's events and returns
 * true: model_finish has nothing left to do and no event needs its case written down. Event
 * i - 1 is of event i's case exactly when event i starts no run (every run has a case here,
 * and two runs in a row have different keys). */
static bool load_runs_place(model *m, const uint64_t *starts, const uint32_t *case_of)
{
    model_place_begin(m);
    uint32_t c = 0;
    size_t run = 0;
    for (size_t i = 0; i < m->nevents; i++) {
        bool cont = !load_run_starts(starts, i); /* false for event 0 */
        if (!cont)
            c = case_of[run++];
        if (!model_place_event(m, i, c, cont))
            return false;
    }
    return true;
}

/* Moves the deferred events of `em` into m: keys become case indexes, notes are re-interned
 * into m's pool, events of unknown cases are rejected (unknown_case) with their line. With
 * many runs, the runs are matched in two halves on two threads (both only read m). */
static void load_resolve_events(model *m, model *em, load_job *ej, reject_log *rej)
{
    size_t nruns = ej->c.nruns;
    uint32_t *case_of = thk_xmalloc((nruns ? nruns : 1) * sizeof *case_of);
    /* the second half starts at a block (none with fewer than two blocks) */
    size_t half = ej->c.nblocks / 2 * LOAD_RUN_MARK;
    load_walk w[2] = {{.m = m, .blocks = ej->c.runs, .n = half ? half : nruns, .case_of = case_of},
                      {.m = m, .blocks = ej->c.runs, .first = half, .n = half ? nruns - half : 0,
                       .case_of = case_of}};
    thk_twin(half > 0, load_walk_runs, &w[0], &w[1]);
    /* the keys are matched (the missed ones copied) and their blocks given back: a journal's
     * keys are gone before each event's case is written down below (4 bytes an event) */
    free(ej->c.runs);
    ej->c.runs = NULL;
    ej->c.nblocks = 0;
    /* the runs without a case, in order: the first half's, then the second's */
    size_t nmiss = w[0].nmiss + w[1].nmiss;
    uint32_t *miss_run = thk_xmalloc((nmiss ? nmiss : 1) * sizeof *miss_run);
    size_t *miss_at = thk_xmalloc((nmiss ? nmiss : 1) * sizeof *miss_at);
    thk_buf miss_keys = {0}; /* their keys, full entries */
    for (size_t h = 0, k = 0; h < 2; h++) {
        for (size_t i = 0; i < w[h].nmiss; i++, k++) {
            miss_run[k] = w[h].miss_run[i];
            miss_at[k] = miss_keys.len + w[h].miss_at[i];
        }
        buf_append(&miss_keys, w[h].miss_keys.data, w[h].miss_keys.len);
    }
    for (size_t h = 0; h < 2; h++) {
        free(w[h].miss_run);
        free(w[h].miss_at);
        buf_free(&w[h].miss_keys);
    }

    size_t nnotes = strpool_count(em->strings);
    uint32_t *note_of = thk_xcalloc(nnotes, sizeof *note_of);
    for (size_t k = 1; k < nnotes; k++)
        note_of[k] = strpool_intern(m->strings, strpool_get(em->strings, (uint32_t)k),
                                    strpool_len(em->strings, (uint32_t)k));
    /* the notes live in the extra rows (an event of an unknown case leaves its row unused) */
    for (size_t k = 0; k < em->nev_extra; k++)
        em->ev_extra[k].note = note_of[em->ev_extra[k].note];
    free(note_of);
    /* hand the arrays over, then place the events or write their cases down */
    free(m->events);
    free(m->ev_case);
    m->ev_case = NULL;
    m->events = em->events;
    m->nevents = em->nevents;
    m->events_cap = em->events_cap;
    em->events = NULL;
    em->nevents = em->events_cap = 0;
    free(m->ev_extra);
    m->ev_extra = em->ev_extra;
    m->nev_extra = em->nev_extra;
    m->ev_extra_cap = em->ev_extra_cap;
    em->ev_extra = NULL;
    em->nev_extra = em->ev_extra_cap = 0;
    const uint64_t *starts = ej->c.run_starts;
    if (nmiss || !load_runs_place(m, starts, case_of)) {
        /* each event's case for model_finish; the events of unknown cases are dropped */
        uint32_t *ev_case = thk_xmalloc((m->events_cap ? m->events_cap : 1) * sizeof *ev_case);
        size_t run = 0, out = 0;
        uint32_t ci = UINT32_MAX;
        for (size_t i = 0; i < m->nevents; i++) {
            if (load_run_starts(starts, i))
                ci = case_of[run++];
            const model_event e = m->events[i];
            if (ci == UINT32_MAX) {
                const char *file = strrchr(ej->path, '/') ? strrchr(ej->path, '/') + 1 : ej->path;
                size_t lo = 0, hi = nmiss, len; /* miss_run is ascending: find run - 1 */
                while (hi - lo > 1) {
                    size_t mid = lo + (hi - lo) / 2;
                    if (miss_run[mid] <= run - 1)
                        lo = mid;
                    else
                        hi = mid;
                }
                const char *at = miss_keys.data + miss_at[lo];
                const char *key = load_run_full(&at, &len);
                rejects_add(rej, file, e.line, ej->c.key_header ? ej->c.key_header : "ma_viec",
                            key, len, REJ_UNKNOWN_CASE, NULL);
                ej->stats->rejected++;
                ej->stats->accepted--;
                continue;
            }
            ev_case[out] = ci;
            m->events[out++] = e;
        }
        m->nevents = out;
        m->ev_case = ev_case;
    }
    free(case_of);
    free(miss_run);
    free(miss_at);
    buf_free(&miss_keys);
}

size_t load_estimate_rows(const char *path)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC); /* a FIFO must not block here */
    if (fd < 0)
        return 0;
    struct stat st;
    char head[65536];
    ssize_t n = 0;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
        n = pread(fd, head, sizeof head, 0);
    close(fd);
    if (n <= 0)
        return 0;
    size_t lines = 0;
    for (const char *p = head; (p = memchr(p, '\n', (size_t)(head + n - p))) != NULL; p++)
        lines++;
    if ((uint64_t)n == (uint64_t)st.st_size) /* the whole file: count, not estimate */
        return lines + (head[n - 1] != '\n');
    if (lines == 0)
        return (size_t)((uint64_t)st.st_size / (uint64_t)n); /* lines longer than 64 KiB */
    return (size_t)((uint64_t)st.st_size * lines / (uint64_t)n);
}

/* Prints "đọc 1234567 dòng, 123.4/430.1 MB (28 %), 95.2 MB/s" over itself every 200 ms. */
static void load_progress(FILE *f, uint64_t rows, uint64_t bytes, uint64_t total, int64_t ms)
{
    double mb = (double)bytes / 1e6, tot = (double)total / 1e6;
    double rate = ms > 0 ? mb * 1000.0 / (double)ms : 0.0;
    int pct = total ? (int)(bytes * 100 / total) : 0;
    fprintf(f, "\rthongke: đọc %" PRIu64 " dòng, %.1f/%.1f MB (%d %%), %.1f MB/s   ", rows, mb, tot,
            pct, rate);
    fflush(f);
}

int load_cases_events(model *m, const char *cases_path, const char *events_path,
                      const load_opts *opts, load_stats *cstats, load_stats *estats,
                      FILE *progress, thk_buf *err)
{
    _Atomic uint64_t bytes = 0, rows = 0;
    uint64_t total = 0, cases_bytes = 0;
    struct stat st;
    if (stat(cases_path, &st) == 0)
        total += cases_bytes = (uint64_t)st.st_size;
    if (stat(events_path, &st) == 0)
        total += (uint64_t)st.st_size;

    /* Size the case index and rows once: regrowing the index mid-file rehashes millions of
     * keys into a fresh table while the old one is still held. The estimate counts lines; no
     * case row is shorter than LOAD_MIN_CASE_ROW bytes, so a file of short lines (broken or
     * hostile) does not size the tables past what its bytes could hold. */
    size_t est = load_estimate_rows(cases_path);
    if (est > cases_bytes / LOAD_MIN_CASE_ROW)
        est = (size_t)(cases_bytes / LOAD_MIN_CASE_ROW);
    model_reserve_cases(m, est);
    model *em = model_new(); /* the events thread's own storage: no shared pool */
    reject_log *erej = rejects_new();
    load_job cj = {.m = m, .path = cases_path, .opts = *opts, .stats = cstats};
    load_job ej = {.m = em, .path = events_path, .opts = *opts, .stats = estats};
    cj.c.kind = LOAD_CASES;
    cj.piped = opts->cases_pipe > 0 || (opts->cases_pipe == 0 && sysconf(_SC_NPROCESSORS_ONLN) > 1);
    ej.c.kind = LOAD_EVENTS;
    ej.opts.rejects = erej;
    cj.opts.progress_bytes = ej.opts.progress_bytes = &bytes;
    cj.opts.progress_rows = ej.opts.progress_rows = &rows;
    atomic_init(&cj.done, false);
    atomic_init(&ej.done, false);

    pthread_t t;
    bool threaded = pthread_create(&t, NULL, load_job_run, &ej) == 0;
    if (!threaded)
        load_job_run(&ej); /* no second thread to be had: one after the other */
    int64_t t0 = load_now_ms();
    if (progress) {
        pthread_t tc;
        if (pthread_create(&tc, NULL, load_job_run, &cj) == 0) {
            while (!atomic_load(&cj.done) || !atomic_load(&ej.done)) {
                struct timespec ts = {0, 200 * 1000 * 1000};
                nanosleep(&ts, NULL);
                load_progress(progress, atomic_load(&rows), atomic_load(&bytes), total,
                              load_now_ms() - t0);
            }
            pthread_join(tc, NULL);
            fputc('\n', progress);
        } else
            load_job_run(&cj);
    } else
        load_job_run(&cj);
    if (threaded)
        pthread_join(t, NULL);
    int rc = 0;
    if (cj.rc) {
        buf_append(err, cj.err.data ? cj.err.data : "", cj.err.len);
        rc = cj.rc;
    } else if (ej.rc) {
        buf_append(err, ej.err.data ? ej.err.data : "", ej.err.len);
        rc = ej.rc;
    } else {
        load_resolve_events(m, em, &ej, opts->rejects);
        rejects_append(opts->rejects, erej);
    }
    for (size_t b = 0; b < ej.c.nblocks; b++) /* left when loading stopped */
        buf_free(&ej.c.runs[b]);
    free(ej.c.runs);
    free(ej.c.run_starts);
    free(ej.c.key_header);
    buf_free(&cj.err);
    buf_free(&ej.err);
    rejects_free(erej);
    model_free(em);
    return rc;
}

int load_memory(model *m, load_kind kind, const char *name, const char *data, size_t len,
                const load_opts *opts, load_stats *stats, thk_buf *err)
{
    load_ctx c;
    int rc = load_prepare(&c, m, kind, name, opts, stats, err);
    if (rc)
        return rc;
    reader_opts ro = load_reader_opts(opts, kind);
    reader_stats rs;
    int rr = input_run_memory(name, data, len, &ro, load_on_record, &c, &rs, err);
    load_take_stats(stats, &rs);
    return load_finish(&c, rr);
}
