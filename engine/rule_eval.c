/* rule_eval — a recursive evaluator over the compiled node array; total (null and limits are
 * values, not failures) and allocation-free. */
#include "rule_eval.h"

#include "read_date.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static void ev_null(rule_val *out)
{
    out->i = 0;
    out->s = NULL;
    out->len = 0;
    out->null = 1;
    out->aux = 0;
}

static void ev_int(rule_val *out, int64_t v)
{
    out->i = v;
    out->s = NULL;
    out->len = 0;
    out->null = 0;
    out->aux = 0;
}

static void ev_text_id(const rule_eval_ctx *x, uint32_t id, rule_val *out)
{
    if (id == 0) {
        ev_null(out);
        return;
    }
    out->i = id;
    out->s = strpool_get(x->m->strings, id);
    out->len = (uint32_t)strpool_len(x->m->strings, id);
    out->null = 0;
    out->aux = 0;
}

static void ev_date(rule_val *out, thk_date d)
{
    if (d == THK_DATE_NONE)
        ev_null(out);
    else
        ev_int(out, d);
}

static void ev_fail(rule_eval_ctx *x, int bit, int32_t n)
{
    if (!x->err)
        x->err_node = n;
    x->err |= bit;
}

struct rule_state {
    rule_pat_run **pats;
    size_t npats;
    rule_map_run **maps;
    size_t nmaps;
};

rule_state *rule_state_new(const rule_set *rs)
{
    rule_state *st = thk_xcalloc(1, sizeof *st);
    st->npats = rs->npats;
    st->pats = thk_xcalloc(rs->npats + 1, sizeof *st->pats);
    for (size_t i = 0; i < rs->npats; i++)
        st->pats[i] = rule_pat_run_new(rs->pats[i].pat);
    st->nmaps = rs->nmaps;
    st->maps = thk_xcalloc(rs->nmaps + 1, sizeof *st->maps);
    for (size_t i = 0; i < rs->nmaps; i++)
        st->maps[i] = rule_map_run_new(rs->maps[i].map);
    return st;
}

void rule_state_free(rule_state *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->npats; i++)
        rule_pat_run_free(st->pats[i]);
    for (size_t i = 0; i < st->nmaps; i++)
        rule_map_run_free(st->maps[i]);
    free(st->pats);
    free(st->maps);
    free(st);
}

/* Maps text through map mi; null when empty or unmatched. */
static void ev_map(rule_eval_ctx *x, int32_t n, int mi, uint32_t id, rule_val *out)
{
    if (id == 0) {
        ev_null(out);
        return;
    }
    const char *s = strpool_get(x->m->strings, id);
    size_t len = strpool_len(x->m->strings, id);
    int v = x->st ? rule_map_lookup_in(x->rs->maps[mi].map, x->st->maps[mi], s, len)
                  : rule_map_lookup(x->rs->maps[mi].map, s, len);
    if (v == RULE_MAP_LIMIT) {
        if (!(x->err & RULE_EVAL_LIMIT)) {
            x->limit_text = s;
            x->limit_len = (uint32_t)len;
            x->limit_pat = -1 - mi;
        }
        ev_fail(x, RULE_EVAL_LIMIT, n);
    }
    if (v < 0)
        ev_null(out);
    else
        ev_int(out, v);
}

static uint32_t ev_case_text(const rule_eval_ctx *x, int field)
{
    const model_case *c = x->c;
    switch (field) {
    case CF_MA_VIEC: return c->ma_viec;
    case CF_MA_DON_VI: return x->m->units[c->unit].code;
    case CF_TEN_DON_VI: return x->m->units[c->unit].name;
    case CF_CHV: return c->chv;
    case CF_SO_QD: return c->so_qd;
    case CF_NHOM_VIEC: return c->nhom_viec;
    case CF_DEBTOR: return c->debtor;
    default: return 0;
    }
}

static uint32_t ev_extra(const rule_eval_ctx *x, int e)
{
    int col = x->rs->extras[e].mcol;
    if (col < 0 || !x->m->case_extra.values[col])
        return 0;
    return x->m->case_extra.values[col][x->row];
}

static uint32_t ev_thahc_text(const rule_eval_ctx *x, int field)
{
    const model_thahc *t = x->t;
    switch (field) {
    case TF_MA_BAN_AN: return t->ma_ban_an;
    case TF_MA_DON_VI: return x->m->units[t->unit].code;
    case TF_TEN_DON_VI: return x->m->units[t->unit].name;
    case TF_SO_BAN_AN: return t->so_ban_an;
    case TF_TOA_AN: return t->toa_an;
    case TF_DEBTOR: return t->debtor;
    case TF_NOI_DUNG: return t->noi_dung;
    default: return 0;
    }
}

static void ev_case(const rule_eval_ctx *x, int field, rule_val *out)
{
    const model_case *c = x->c;
    switch (field) {
    case CF_NGAY_THU_LY: ev_date(out, c->ngay_thu_ly); return;
    case CF_NGAY_QD: ev_date(out, c->ngay_quyet_dinh); return;
    case CF_SO_TIEN: ev_int(out, c->so_tien); return;
    case CF_HINH_THUC:
    case CF_LOAI_AN: {
        int v = field == CF_HINH_THUC ? c->hinh_thuc : c->loai_an;
        if (v < 0)
            ev_null(out);
        else
            ev_int(out, v);
        return;
    }
    default: ev_text_id(x, ev_case_text(x, field), out); return;
    }
}

static void ev_fact(const rule_eval_ctx *x, int fact, rule_val *out)
{
    const replay_facts *f = x->f;
    switch (fact) {
    case FA_STATE: ev_int(out, f->state); return;
    case FA_CARRIED: ev_int(out, f->carried); return;
    case FA_NEW: ev_int(out, f->is_new); return;
    case FA_CONDITION: ev_int(out, f->condition); return;
    case FA_SUSPENSION:
        switch (f->suspension) {
        case EV_HOAN_C: ev_int(out, 1); return;
        case EV_HOAN: ev_int(out, 2); return;
        case EV_TAM_DINH_CHI: ev_int(out, 3); return;
        case EV_KHAC: ev_int(out, 4); return;
        default: ev_int(out, 0); return;
        }
    case FA_O: ev_int(out, f->O); return;
    case FA_BEFORE: ev_int(out, f->before); return;
    case FA_B: ev_int(out, f->B); return;
    case FA_COLLECTED: ev_int(out, f->collected); return;
    case FA_REDUCED: ev_int(out, f->reduced); return;
    case FA_REMAINING: ev_int(out, f->remaining); return;
    case FA_TERMINAL_DATE: ev_date(out, f->terminal_date); return;
    case FA_LAST_EVENT_DATE: ev_date(out, f->last_event_date); return;
    case FA_LAST_NOTE: ev_text_id(x, f->last_note, out); return;
    case FA_FIRST_VERIFY_DATE: ev_date(out, f->first_verify_date); return;
    case FA_LAST_VERIFY_DATE: ev_date(out, f->last_verify_date); return;
    case FA_LAST_VERIFY_NOTE: ev_text_id(x, f->last_verify_note, out); return;
    case FA_CONDITION_SINCE: ev_date(out, f->condition_since); return;
    case FA_SUSPENSION_SINCE: ev_date(out, f->suspension_since); return;
    default: ev_null(out); return;
    }
}

static void ev_thahc(const rule_eval_ctx *x, int field, rule_val *out)
{
    const model_thahc *t = x->t;
    switch (field) {
    case TF_CAP:
        if (t->cap < 0)
            ev_null(out);
        else
            ev_int(out, t->cap);
        return;
    case TF_NGAY_THU_LY: ev_date(out, t->ngay_thu_ly); return;
    case TF_NGAY_QD_BUOC: ev_date(out, t->ngay_qd_buoc); return;
    case TF_NGAY_XONG: ev_date(out, t->ngay_xong); return;
    case TF_NGAY_HUY: ev_date(out, t->ngay_huy_hoan_tdc); return;
    case TF_NGAY_KIEN_NGHI: ev_date(out, t->ngay_kien_nghi); return;
    default: ev_text_id(x, ev_thahc_text(x, field), out); return;
    }
}

/* Three-way comparison of two non-null values of the same class. */
static int ev_cmp(const rule_val *a, const rule_val *b, int cls)
{
    if (cls == 1) {
        size_t n = a->len < b->len ? a->len : b->len;
        int r = n ? memcmp(a->s, b->s, n) : 0;
        if (r)
            return r < 0 ? -1 : 1;
        return a->len < b->len ? -1 : a->len > b->len;
    }
    if (cls == 2 && a->aux != b->aux) /* durations of different units */
        return a->aux < b->aux ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

static thk_date ev_shift(thk_date d, int64_t n, int unit)
{
    switch (unit) {
    case DUR_DAYS: return (thk_date)(d + n);
    case DUR_MONTHS: return date_add_months(d, (int)n);
    default: return date_add_years(d, (int)n);
    }
}

static bool ev_contains(const rule_val *h, const rule_val *n)
{
    if (n->len == 0)
        return true;
    if (n->len > h->len)
        return false;
    for (size_t i = 0; i + n->len <= h->len; i++)
        if (memcmp(h->s + i, n->s, n->len) == 0)
            return true;
    return false;
}

static void ev_const(const rule_eval_ctx *x, const rule_node *nd, rule_val *out)
{
    if (nd->type == RT_NULL) {
        ev_null(out);
    } else if (nd->type == RT_TEXT) {
        out->i = -1;
        out->s = x->rs->strs[nd->a];
        out->len = (uint32_t)nd->b;
        out->null = nd->b == 0;
        out->aux = 0;
    } else {
        ev_int(out, nd->k);
        out->aux = (uint8_t)nd->aux;
    }
}

/* A leaf's value (a constant, a let's slot, a replay fact, a case column, the period) into
 * out, true; false, out untouched, for any other node. */
static inline bool ev_leaf(const rule_eval_ctx *x, const rule_node *nd, rule_val *out)
{
    switch ((rule_op)nd->op) {
    case OP_CONST:
        ev_const(x, nd, out);
        return true;
    case OP_LET:
        *out = x->slots[nd->a];
        return true;
    case OP_FACT:
        ev_fact(x, nd->a, out);
        return true;
    case OP_CASE:
        ev_case(x, nd->a, out);
        return true;
    case OP_PERIOD:
        ev_int(out, nd->a == RP_S ? x->S : nd->a == RP_E ? x->E : x->year);
        return true;
    default:
        return false;
    }
}

/* An operand's value. Most operands are leaves (on the backlog sample 56 % of rule_eval's
 * calls were), read here without a call of rule_eval, whose frame and dispatch cost more
 * than the reading; anything else goes through it. The same value either way. */
static inline void ev_arg(rule_eval_ctx *x, int32_t n, rule_val *out)
{
    if (!ev_leaf(x, &x->rs->nodes[n], out))
        rule_eval(x, n, out);
}

/* rule_eval_true of an operand (of not/and/or), a let read straight from its slot. */
static inline bool ev_truth(rule_eval_ctx *x, int32_t n)
{
    const rule_node *nd = &x->rs->nodes[n];
    if (nd->op == OP_LET) {
        const rule_val *v = &x->slots[nd->a];
        return !v->null && v->i != 0;
    }
    rule_val v;
    ev_arg(x, n, &v);
    return !v.null && v.i != 0;
}

void rule_eval(rule_eval_ctx *x, int32_t n, rule_val *out)
{
    const rule_node *nd = &x->rs->nodes[n];
    rule_val a, b, c;
    switch ((rule_op)nd->op) {
    case OP_CONST:
    case OP_CASE:
    case OP_FACT:
    case OP_PERIOD:
    case OP_LET:
        ev_leaf(x, nd, out);
        return;
    case OP_CASE_EXTRA:
        ev_text_id(x, ev_extra(x, nd->a), out);
        return;
    case OP_CASE_MAP:
        ev_map(x, n, nd->b, nd->a >= 0 ? ev_case_text(x, nd->a) : ev_extra(x, -1 - nd->a), out);
        return;
    case OP_THAHC:
        ev_thahc(x, nd->a, out);
        return;
    case OP_THAHC_MAP:
        ev_map(x, n, nd->b, ev_thahc_text(x, nd->a), out);
        return;
    case OP_NOT:
        ev_int(out, !ev_truth(x, nd->a));
        return;
    case OP_AND:
        ev_int(out, ev_truth(x, nd->a) && ev_truth(x, nd->b));
        return;
    case OP_OR:
        ev_int(out, ev_truth(x, nd->a) || ev_truth(x, nd->b));
        return;
    case OP_EQ:
    case OP_NE:
    case OP_LT:
    case OP_LE:
    case OP_GT:
    case OP_GE: {
        ev_arg(x, nd->a, &a);
        ev_arg(x, nd->b, &b);
        if (a.null || b.null) {
            ev_int(out, 0);
            return;
        }
        int r = ev_cmp(&a, &b, nd->cls);
        bool t;
        switch ((rule_op)nd->op) {
        case OP_EQ: t = r == 0; break;
        case OP_NE: t = r != 0; break;
        case OP_LT: t = r < 0; break;
        case OP_LE: t = r <= 0; break;
        case OP_GT: t = r > 0; break;
        default: t = r >= 0; break;
        }
        ev_int(out, t);
        return;
    }
    case OP_IN: {
        ev_arg(x, nd->a, &a);
        bool t = false;
        for (int32_t i = 0; !a.null && i < nd->c && !t; i++) {
            ev_arg(x, x->rs->xs[nd->b + i], &b);
            t = !b.null && ev_cmp(&a, &b, nd->cls) == 0;
        }
        ev_int(out, t);
        return;
    }
    case OP_MATCH: {
        ev_arg(x, nd->a, &a);
        if (a.null) {
            ev_int(out, 0);
            return;
        }
        int r = x->st ? rule_pat_match_in(x->rs->pats[nd->b].pat, x->st->pats[nd->b], a.s, a.len)
                      : rule_pat_match(x->rs->pats[nd->b].pat, a.s, a.len);
        if (r == RULE_MATCH_LIMIT) {
            if (!(x->err & RULE_EVAL_LIMIT)) {
                x->limit_text = a.s;
                x->limit_len = a.len;
                x->limit_pat = nd->b;
            }
            ev_fail(x, RULE_EVAL_LIMIT, n);
        }
        ev_int(out, r == RULE_MATCH_YES);
        return;
    }
    case OP_ADD:
    case OP_SUB: {
        ev_arg(x, nd->a, &a);
        ev_arg(x, nd->b, &b);
        if (a.null || b.null) {
            ev_null(out);
            return;
        }
        int64_t r;
        bool ovf = nd->op == OP_ADD ? __builtin_add_overflow(a.i, b.i, &r)
                                    : __builtin_sub_overflow(a.i, b.i, &r);
        if (ovf) {
            ev_fail(x, RULE_EVAL_OVERFLOW, n);
            ev_null(out);
            return;
        }
        ev_int(out, r);
        return;
    }
    case OP_NEG:
        ev_arg(x, nd->a, &a);
        if (a.null) {
            ev_null(out);
            return;
        }
        if (a.i == INT64_MIN) {
            ev_fail(x, RULE_EVAL_OVERFLOW, n);
            ev_null(out);
            return;
        }
        ev_int(out, -a.i);
        out->aux = a.aux;
        return;
    case OP_DATE_ADD:
    case OP_DATE_SUB:
        ev_arg(x, nd->a, &a);
        ev_arg(x, nd->b, &b);
        if (a.null || b.null) {
            ev_null(out);
            return;
        }
        ev_int(out, ev_shift((thk_date)a.i, nd->op == OP_DATE_ADD ? b.i : -b.i, b.aux));
        return;
    case OP_OLDER:
        ev_arg(x, nd->a, &a);
        ev_arg(x, nd->b, &b);
        ev_int(out, !a.null && !b.null && ev_shift((thk_date)a.i, b.i, b.aux) < x->E);
        return;
    case OP_YEARS:
        ev_arg(x, nd->a, &a);
        if (a.null)
            ev_null(out);
        else
            ev_int(out, date_whole_years((thk_date)a.i, x->E));
        return;
    case OP_DAYS:
        ev_arg(x, nd->a, &a);
        if (a.null)
            ev_null(out);
        else
            ev_int(out, (int64_t)x->E - a.i);
        return;
    case OP_EMPTY:
        ev_arg(x, nd->a, &a);
        ev_int(out, a.null);
        return;
    case OP_BETWEEN:
        ev_arg(x, nd->a, &a);
        ev_arg(x, nd->b, &b);
        ev_arg(x, nd->c, &c);
        ev_int(out, !a.null && !b.null && !c.null && ev_cmp(&b, &a, nd->cls) <= 0 &&
                        ev_cmp(&a, &c, nd->cls) <= 0);
        return;
    case OP_CONTAINS:
        ev_arg(x, nd->a, &a);
        ev_arg(x, nd->b, &b);
        ev_int(out, !a.null && !b.null && ev_contains(&a, &b));
        return;
    case OP_IF:
        ev_arg(x, nd->a, &a);
        ev_arg(x, !a.null && a.i ? nd->b : nd->c, out);
        return;
    }
    ev_null(out);
}

bool rule_eval_true(rule_eval_ctx *x, int32_t n)
{
    rule_val v;
    rule_eval(x, n, &v);
    return !v.null && v.i != 0;
}

void rule_eval_lets(rule_eval_ctx *x, int ctx, bool all)
{
    rule_set *rs = x->rs;
    for (size_t k = 0; k < rs->nlet_order[ctx]; k++) {
        rule_letdef *l = &rs->lets[rs->let_order[ctx][k]];
        if (!all && !l->used[ctx])
            continue;
        rule_val *v = &x->slots[l->slot[ctx]];
        rule_eval(x, l->node[ctx], v);
        if (rs->coverage) {
            uint8_t t = rs->nodes[l->node[ctx]].type;
            if (t == RT_BOOL) {
                if (!v->null && v->i)
                    l->seen_true++;
                else
                    l->seen_false++;
            } else if (!v->null) {
                l->seen_value++;
            }
        }
    }
}

void rule_eval_lets_marked(rule_eval_ctx *x, int ctx, const bool *marks)
{
    rule_set *rs = x->rs;
    for (size_t k = 0; k < rs->nlet_order[ctx]; k++) {
        int32_t li = rs->let_order[ctx][k];
        if (marks[li])
            rule_eval(x, rs->lets[li].node[ctx], &x->slots[rs->lets[li].slot[ctx]]);
    }
}

void rule_val_text(const rule_set *rs, const rule_val *v, int type, int dom, thk_buf *out)
{
    buf_clear(out);
    if (v->null) {
        buf_append(out, "", 0);
        return;
    }
    char tmp[32];
    switch (type) {
    case RT_TEXT:
        buf_append(out, v->s, v->len);
        return;
    case RT_ENUM: {
        const char *n = rule_dom_value(rs, dom, (size_t)v->i);
        buf_append(out, n ? n : "?", strlen(n ? n : "?"));
        return;
    }
    case RT_DATE:
        date_format((thk_date)v->i, tmp);
        buf_append(out, tmp, strlen(tmp));
        return;
    case RT_BOOL:
        buf_printf(out, "%s", v->i ? "true" : "false");
        return;
    case RT_RATE: {
        form_cell c = {v->i, false};
        form_rate_format(&c, tmp);
        buf_printf(out, "%s", tmp);
        return;
    }
    default:
        buf_printf(out, "%" PRId64, v->i);
        return;
    }
}
