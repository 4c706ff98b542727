/* drill — a record's share of a form cell from the run's compiled rules and its line of
 * cases.csv or thahc-cases.csv (see drill.h). */
#include "drill.h"

#include "csv_out.h"
#include "read_date.h"
#include "rule_eval.h"
#include "strpool.h"

#include <stdlib.h>
#include <string.h>

/* The replay facts cases.csv publishes, with their column there. */
static const struct {
    int fact;
    int column; /* CSV_CASE_* */
} drill_facts[] = {
    {FA_STATE, CSV_CASE_STATE},       {FA_CARRIED, CSV_CASE_CARRIED},
    {FA_NEW, CSV_CASE_NEW},           {FA_TERMINAL_DATE, CSV_CASE_TERMINAL_DATE},
    {FA_B, CSV_CASE_B},               {FA_COLLECTED, CSV_CASE_COLLECTED},
    {FA_REDUCED, CSV_CASE_REDUCED},   {FA_REMAINING, CSV_CASE_REMAINING},
};
#define DRILL_NFACTS (sizeof drill_facts / sizeof drill_facts[0])

/* The THAHC columns thahc-cases.csv publishes, with their column there. */
static const struct {
    int field;
    int column; /* CSV_THAHC_* */
} drill_tfields[] = {
    {TF_NGAY_THU_LY, CSV_THAHC_NGAY_THU_LY}, {TF_NGAY_QD_BUOC, CSV_THAHC_NGAY_QD_BUOC},
    {TF_NGAY_XONG, CSV_THAHC_NGAY_XONG},     {TF_NGAY_HUY, CSV_THAHC_NGAY_HUY},
    {TF_NGAY_KIEN_NGHI, CSV_THAHC_NGAY_KIEN_NGHI}, {TF_CAP, CSV_THAHC_CAP},
};
#define DRILL_NTFIELDS (sizeof drill_tfields / sizeof drill_tfields[0])
#define DRILL_MAX_LEVELS 8 /* as agg.c */

struct drill_col {
    const agg_form *f;
    int col;
    int32_t *accs; /* the accumulators the column reads */
    size_t naccs;
    int level_field[DRILL_MAX_LEVELS]; /* cases.csv field of each row level */
    const char *form, *code;
};

struct drill {
    rule_set *rs;
    rule_state *st;
    int ctx;                /* RCTX_CASE: cases.csv; RCTX_THAHC: thahc-cases.csv */
    const char *const *fixed; /* the file's fixed columns */
    size_t nfixed;
    int unit_field, flags_field;
    rule_map *cap;          /* the map of cap_phai_thi_hanh (THAHC) */
    model_thahc thahc;
    thk_date S, E;
    int year;
    int field[16];          /* field of each fixed column of the file, -1 when absent */
    char **names;           /* the header */
    size_t nnames;
    rule_val *slots;
    replay_facts facts;
    drill_col **cols;
    size_t ncols;
    int64_t *acc;       /* scratch: a form's accumulators */
    int64_t *share;     /* scratch: the column's accumulators */
    form_cell *cells;   /* scratch: a form's columns */
    size_t nacc, ncells;
};

static int drill_field(const drill *d, const char *name)
{
    for (size_t i = 0; i < d->nnames; i++)
        if (strcmp(d->names[i], name) == 0)
            return (int)i;
    return -1;
}

drill *drill_new(rule_set *rs, const period *per, bool thahc, const char *const *names, size_t n)
{
    drill *d = thk_xcalloc(1, sizeof *d);
    d->rs = rs;
    d->ctx = thahc ? RCTX_THAHC : RCTX_CASE;
    d->fixed = thahc ? csv_out_thahc_columns : csv_out_cases_columns;
    d->nfixed = thahc ? CSV_THAHC__N : CSV_CASE__N;
    _Static_assert((int)CSV_THAHC__N <= 16 && (int)CSV_CASE__N <= 16, "field[] holds them");
    d->cap = thahc ? rule_set_map(rs, csv_out_thahc_columns[CSV_THAHC_CAP]) : NULL;
    d->st = rule_state_new(rs);
    d->S = per->S;
    d->E = per->E;
    d->year = per->year;
    d->names = thk_xcalloc(n + 1, sizeof *d->names);
    for (size_t i = 0; i < n; i++)
        d->names[i] = thk_xstrdup(names[i]);
    d->nnames = n;
    for (size_t k = 0; k < d->nfixed; k++)
        d->field[k] = drill_field(d, d->fixed[k]);
    d->unit_field = d->field[thahc ? CSV_THAHC_MA_DON_VI : CSV_CASE_MA_DON_VI];
    d->flags_field = d->field[thahc ? CSV_THAHC_FLAGS : CSV_CASE_FLAGS];
    d->slots = thk_xcalloc(rs->nslots[d->ctx] + 1, sizeof *d->slots);
    return d;
}

void drill_free(drill *d)
{
    if (!d)
        return;
    rule_state_free(d->st);
    for (size_t i = 0; i < d->nnames; i++)
        free(d->names[i]);
    free(d->names);
    free(d->slots);
    for (size_t i = 0; i < d->ncols; i++) {
        free(d->cols[i]->accs);
        free(d->cols[i]);
    }
    free(d->cols);
    free(d->acc);
    free(d->share);
    free(d->cells);
    free(d);
}

/* ---- what a column reads ---------------------------------------------------------------- */

typedef struct {
    const drill *d;
    const char *why;
} drill_walk;

/* Whether node n can be evaluated on a cases.csv line: only published facts, flag lets,
 * constants and the period. */
static bool drill_visit(void *vctx, int32_t n)
{
    drill_walk *w = vctx;
    const rule_set *rs = w->d->rs;
    const rule_node *nd = &rs->nodes[n];
    bool thahc = w->d->ctx == RCTX_THAHC;
    switch ((rule_op)nd->op) {
    case OP_FACT:
        for (size_t i = 0; !thahc && i < DRILL_NFACTS; i++)
            if (drill_facts[i].fact == nd->a) {
                if (w->d->field[drill_facts[i].column] < 0)
                    w->why = "cases.csv của lần chạy thiếu cột cần cho cột này";
                return false;
            }
        w->why = "cột này đọc một dữ kiện của việc mà cases.csv không ghi";
        return false;
    case OP_THAHC:
        for (size_t i = 0; thahc && i < DRILL_NTFIELDS; i++)
            if (drill_tfields[i].field == nd->a) {
                if (w->d->field[drill_tfields[i].column] < 0)
                    w->why = "thahc-cases.csv của lần chạy thiếu cột cần cho cột này";
                return false;
            }
        w->why = "cột này đọc một cột chữ của thahc.csv mà thahc-cases.csv không ghi";
        return false;
    case OP_LET: {
        const rule_letdef *l = &rs->lets[rs->let_order[w->d->ctx][nd->a]];
        if (thahc ? !l->tflag : !l->flag)
            w->why = "cột này đọc một let không phải cờ đúng/sai (không có trong tệp tra cứu)";
        else if (w->d->flags_field < 0)
            w->why = "tệp tra cứu của lần chạy thiếu cột flags";
        return false;
    }
    case OP_CASE:
    case OP_CASE_EXTRA:
    case OP_CASE_MAP:
        w->why = "cột này đọc thẳng một cột của tệp việc (không qua let), cases.csv không ghi";
        return false;
    case OP_THAHC_MAP:
        w->why = "cột này đọc một bảng nhận dạng trên cột chữ của thahc.csv, không có trong "
                 "thahc-cases.csv";
        return false;
    default:
        return true;
    }
}

static const char *drill_node_ok(const drill *d, int32_t n)
{
    drill_walk w = {d, NULL};
    rule_node_walk(d->rs, n, drill_visit, &w);
    return w.why;
}

static void drill_add_acc(drill_col *c, int32_t a)
{
    for (size_t i = 0; i < c->naccs; i++)
        if (c->accs[i] == a)
            return;
    c->accs = thk_xrealloc(c->accs, (c->naccs + 1) * sizeof *c->accs);
    c->accs[c->naccs++] = a;
}

/* The accumulators agg node n of f reads, through other columns. */
static void drill_collect(drill_col *c, int32_t n, int depth)
{
    const agg_node *a = &c->f->an[n];
    if (depth > 64)
        return;
    switch ((agg_op)a->op) {
    case AG_ACC:
        drill_add_acc(c, a->a);
        return;
    case AG_COL:
        drill_collect(c, c->f->cols[a->a].root, depth + 1);
        return;
    case AG_ADD:
    case AG_SUB:
    case AG_PERCENT:
        drill_collect(c, a->a, depth + 1);
        drill_collect(c, a->b, depth + 1);
        return;
    case AG_NEG:
        drill_collect(c, a->a, depth + 1);
        return;
    case AG_CONST:
        return;
    }
}

static const char *drill_check(drill *d, drill_col *c)
{
    const agg_form *f = c->f;
    if (f->ctx != d->ctx)
        return d->ctx == RCTX_CASE ? "biểu này tính từ thahc.csv, không từ cases.csv"
                                   : "biểu này tính từ cases.csv, không từ thahc.csv";
    if (d->field[0] < 0 || d->unit_field < 0)
        return "tệp tra cứu của lần chạy thiếu cột mã hoặc ma_don_vi";
    for (size_t l = 0; l < f->nlevels; l++) {
        if (f->levels[l].kind == LV_UNIT) {
            c->level_field[l] = d->unit_field;
            continue;
        }
        c->level_field[l] = drill_field(d, f->levels[l].ast->name);
        if (c->level_field[l] < 0)
            return d->ctx == RCTX_CASE
                       ? "cases.csv của lần chạy không ghi khóa dòng của biểu này"
                       : "thahc-cases.csv của lần chạy không ghi khóa dòng của biểu này";
    }
    const char *why = f->where >= 0 ? drill_node_ok(d, f->where) : NULL;
    drill_collect(c, f->cols[c->col].root, 0);
    for (size_t i = 0; !why && i < c->naccs; i++) {
        const agg_acc *a = &f->accs[c->accs[i]];
        if (a->prior)
            return "cột này tính từ số liệu cùng kỳ năm trước, cases.csv chỉ ghi kỳ này";
        if (a->pred >= 0)
            why = drill_node_ok(d, a->pred);
        if (!why && a->val >= 0)
            why = drill_node_ok(d, a->val);
    }
    return why;
}

int drill_source(const drill *d, const char *form)
{
    const agg_form *f = agg_form_find(d->rs, form);
    return !f ? -1 : f->ctx == RCTX_THAHC;
}

const drill_col *drill_column(drill *d, const char *form, const char *code, const char **why)
{
    for (size_t i = 0; i < d->ncols; i++)
        if (strcmp(d->cols[i]->form, form) == 0 && strcmp(d->cols[i]->code, code) == 0) {
            *why = NULL;
            return d->cols[i];
        }
    const agg_form *f = agg_form_find(d->rs, form);
    int col = -1;
    for (size_t c = 0; f && c < f->ncols && col < 0; c++)
        if (strcmp(f->cols[c].ast->code, code) == 0)
            col = (int)c;
    if (col < 0) {
        *why = "quy tắc của lần chạy không có cột này";
        return NULL;
    }
    if (f->nlevels > DRILL_MAX_LEVELS) {
        *why = "biểu có quá nhiều cấp dòng";
        return NULL;
    }
    drill_col *c = thk_xcalloc(1, sizeof *c);
    c->f = f;
    c->col = col;
    c->form = f->id;
    c->code = f->cols[col].ast->code;
    *why = drill_check(d, c);
    if (*why) {
        free(c->accs);
        free(c);
        return NULL;
    }
    d->cols = thk_xrealloc(d->cols, (d->ncols + 1) * sizeof *d->cols);
    d->cols[d->ncols++] = c;
    if (f->naccs + 1 > d->nacc) {
        d->nacc = f->naccs + 1;
        d->acc = thk_xrealloc(d->acc, d->nacc * sizeof *d->acc);
        d->share = thk_xrealloc(d->share, d->nacc * sizeof *d->share);
    }
    if (f->ncols + 1 > d->ncells) {
        d->ncells = f->ncols + 1;
        d->cells = thk_xrealloc(d->cells, d->ncells * sizeof *d->cells);
    }
    return c;
}

/* ---- one case ---------------------------------------------------------------------------- */

static bool drill_int(const char *s, int64_t *v)
{
    bool neg = *s == '-';
    s += neg;
    if (!*s)
        return false;
    int64_t a = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || __builtin_mul_overflow(a, 10, &a) ||
            __builtin_add_overflow(a, *s - '0', &a))
            return false;
    }
    *v = neg ? -a : a;
    return true;
}

/* The dates and level of a THAHC row into d->thahc. */
static bool drill_load_thahc(drill *d, const char *const *fields)
{
    model_thahc *t = &d->thahc;
    memset(t, 0, sizeof *t);
    t->cap = MODEL_NO_VALUE;
    thk_date *dates[] = {&t->ngay_thu_ly, &t->ngay_qd_buoc, &t->ngay_xong, &t->ngay_huy_hoan_tdc,
                         &t->ngay_kien_nghi};
    for (size_t i = 0; i < DRILL_NTFIELDS; i++) {
        int fi = d->field[drill_tfields[i].column];
        const char *v = fi < 0 ? "" : fields[fi];
        if (drill_tfields[i].field == TF_CAP) {
            int k = *v && d->cap ? rule_map_value_index(d->cap, v) : -1;
            t->cap = (int16_t)(k >= 0 ? k : MODEL_NO_VALUE);
            continue;
        }
        thk_date *out = dates[i];
        *out = THK_DATE_NONE;
        if (*v && date_parse(v, strlen(v), out) != -1)
            return false;
    }
    return true;
}

/* The facts and flag lets of the case into d. */
static bool drill_load(drill *d, const char *const *fields)
{
    if (d->ctx == RCTX_THAHC && !drill_load_thahc(d, fields))
        return false;
    replay_facts *f = &d->facts;
    memset(f, 0, sizeof *f);
    f->in_scope = true;
    f->suspension = -1;
    f->terminal_date = THK_DATE_NONE;
    f->last_event_date = THK_DATE_NONE;
    for (size_t i = 0; d->ctx == RCTX_CASE && i < DRILL_NFACTS; i++) {
        int fi = d->field[drill_facts[i].column];
        if (fi < 0)
            continue;
        const char *v = fields[fi];
        int64_t x = 0;
        switch (drill_facts[i].fact) {
        case FA_STATE: {
            int st = replay_state_from_name(v);
            if (st < 0)
                return false;
            f->state = (uint8_t)st;
            break;
        }
        case FA_TERMINAL_DATE:
            if (*v && date_parse(v, strlen(v), &f->terminal_date) != -1)
                return false;
            break;
        case FA_CARRIED:
        case FA_NEW:
            if (!drill_int(v, &x))
                return false;
            if (drill_facts[i].fact == FA_CARRIED)
                f->carried = x != 0;
            else
                f->is_new = x != 0;
            break;
        default:
            if (!drill_int(v, &x))
                return false;
            *(drill_facts[i].fact == FA_B           ? &f->B
              : drill_facts[i].fact == FA_COLLECTED ? &f->collected
              : drill_facts[i].fact == FA_REDUCED   ? &f->reduced
                                                    : &f->remaining) = x;
        }
    }
    const rule_set *rs = d->rs;
    int ctx = d->ctx;
    memset(d->slots, 0, rs->nslots[ctx] * sizeof *d->slots);
    for (size_t i = 0; i < rs->nslots[ctx]; i++)
        d->slots[i].null = 1;
    for (size_t i = 0; i < rs->nlets; i++) {
        const rule_letdef *l = &rs->lets[i];
        if ((ctx == RCTX_CASE ? l->flag : l->tflag) && l->slot[ctx] >= 0)
            d->slots[l->slot[ctx]] = (rule_val){.i = 0};
    }
    const char *fl = d->flags_field >= 0 ? fields[d->flags_field] : "";
    while (*fl) {
        size_t n = strcspn(fl, ";");
        uint32_t id = strpool_find(rs->let_names, fl, n);
        if (id != STRPOOL_NONE && id > 0) {
            const rule_letdef *l = &rs->lets[id - 1];
            if ((ctx == RCTX_CASE ? l->flag : l->tflag) && l->slot[ctx] >= 0)
                d->slots[l->slot[ctx]] = (rule_val){.i = 1};
        }
        fl += n + (fl[n] == ';');
    }
    return true;
}

/* Whether the case's keys put it in row `row` ("*", "K|*" or a data row's key) of c's form. */
static bool drill_in_row(const drill_col *c, const char *row, const char *const *fields)
{
    const agg_form *f = c->f;
    if (strcmp(row, "*") == 0)
        return true;
    for (size_t l = 0; l < f->nlevels; l++) {
        const char *k = fields[c->level_field[l]];
        size_t n = strcspn(row, "|");
        if (n == 1 && row[0] == '*' && row[1] == '\0')
            return true; /* a subtotal: the levels below are all in */
        if (strlen(k) != n || memcmp(k, row, n) != 0)
            return false;
        row += n;
        if (*row == '|')
            row++;
        else
            return l + 1 == f->nlevels;
    }
    return f->nlevels == 0;
}

bool drill_share_of(drill *d, const drill_col *c, const char *row, const char *const *fields,
                    drill_share *out)
{
    const agg_form *f = c->f;
    out->linear = f->cols[c->col].linear;
    out->value = 0;
    out->n = c->naccs;
    out->acc = d->share;
    memset(d->share, 0, c->naccs * sizeof *d->share);
    if (!drill_load(d, fields))
        return false;
    rule_eval_ctx x = {.rs = d->rs, .st = d->st, .S = d->S, .E = d->E, .year = d->year,
                       .slots = d->slots};
    if (d->ctx == RCTX_CASE)
        x.f = &d->facts;
    else
        x.t = &d->thahc;
    if (!drill_in_row(c, row, fields) || (f->where >= 0 && !rule_eval_true(&x, f->where)))
        return true;
    memset(d->acc, 0, f->naccs * sizeof *d->acc);
    for (size_t i = 0; i < c->naccs; i++) {
        const agg_acc *a = &f->accs[c->accs[i]];
        if (a->pred >= 0 && !rule_eval_true(&x, a->pred))
            continue;
        int64_t v = 1;
        if (a->is_sum) {
            rule_val r;
            rule_eval(&x, a->val, &r);
            v = r.null ? 0 : r.i;
        }
        d->share[i] = d->acc[c->accs[i]] = v;
    }
    if (out->linear && agg_form_row(f, d->acc, d->cells) < 0)
        out->value = d->cells[c->col].v;
    return true;
}

static bool drill_zero(const drill_share *s)
{
    if (s->linear)
        return s->value == 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->acc[i])
            return false;
    return true;
}

char drill_move(const drill_share *a, const drill_share *b)
{
    bool za = drill_zero(a), zb = drill_zero(b);
    if (za && zb)
        return 0;
    if (za)
        return '+';
    if (zb)
        return '-';
    if (a->linear && b->linear)
        return a->value != b->value ? '~' : 0;
    bool same = a->n == b->n;
    for (size_t i = 0; same && i < a->n; i++)
        same = a->acc[i] == b->acc[i];
    return same ? 0 : '~';
}
