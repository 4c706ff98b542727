/* explain — one case, explained (see explain.h). */
#include "explain.h"

#include "agg.h"
#include "datadir.h"
#include "load.h"
#include "manifest.h"
#include "model.h"
#include "period.h"
#include "read_date.h"
#include "rejects.h"
#include "replay.h"
#include "rule.h"
#include "rule_compile.h"
#include "rule_eval.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { EXPLAIN_MAX_RULES = 16, EXPLAIN_HEAD_LINES = 30 };

typedef struct {
    const char *ma_viec;
    int year, months;
    thk_date from, to;
    const char *input, *cases, *events;
    const char *rules[EXPLAIN_MAX_RULES];
    size_t nrules;
    bool json;
} explain_opts;

/* What the rules' screen callback saw: the screens that selected the case. */
typedef struct {
    size_t screens[64];
    size_t n;
} explain_hits;

static const char explain_usage[] =
    "Cách dùng: thongke explain MA_VIEC --year Y --months N [--input DIR] [--rules F]... "
    "[--json]\n"
    "           thongke explain MA_VIEC --from D --to D ...\n"
    "\n"
    "Giải thích một việc: các sự kiện theo thứ tự và tình trạng sau mỗi sự kiện, tình trạng,\n"
    "điều kiện và số tiền đầu kỳ và cuối kỳ, giá trị mọi let của quy tắc, mọi ô của biểu có\n"
    "việc này (và việc góp bao nhiêu), các danh sách có việc, các phép thẩm tra chọn việc.\n"
    "\n"
    "  --year Y --months N  kỳ báo cáo N tháng của năm thống kê Y (như report)\n"
    "  --from D --to D      hoặc một khoảng ngày dd/mm/yyyy\n"
    "  --input DIR          thư mục có cases.csv và events.csv (mặc định input/sample)\n"
    "  --cases F --events F hoặc từng tệp\n"
    "  --rules F            tệp quy tắc (mặc định rules/thads.rules), có thể nhắc lại\n"
    "  --json               in một đối tượng JSON thay cho văn bản\n"
    "  --help               phần hướng dẫn này\n"
    "\n"
    "Chỉ đọc các dòng có mã việc (và các dòng đầu tệp để tìm tiêu đề), nên nhanh cả với hàng\n"
    "triệu việc. Mã thoát: 0 đã giải thích, 1 sai cú pháp lệnh, 2 lỗi tệp quy tắc, 3 không\n"
    "đọc được dữ liệu hoặc không có việc này.\n";

__attribute__((format(printf, 1, 2))) static int explain_bad(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "thongke explain: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (xem thongke explain --help)\n");
    va_end(ap);
    return THK_EXIT_USAGE;
}

static int explain_parse(int argc, char **argv, explain_opts *o)
{
    enum { O_YEAR = 256, O_MONTHS, O_FROM, O_TO, O_INPUT, O_CASES, O_EVENTS, O_RULES, O_JSON,
           O_HELP };
    static const struct option longopts[] = {
        {"year", required_argument, 0, O_YEAR},     {"months", required_argument, 0, O_MONTHS},
        {"from", required_argument, 0, O_FROM},     {"to", required_argument, 0, O_TO},
        {"input", required_argument, 0, O_INPUT},   {"cases", required_argument, 0, O_CASES},
        {"events", required_argument, 0, O_EVENTS}, {"rules", required_argument, 0, O_RULES},
        {"json", no_argument, 0, O_JSON},           {"help", no_argument, 0, O_HELP},
        {0, 0, 0, 0},
    };
    memset(o, 0, sizeof *o);
    o->from = o->to = THK_DATE_NONE;
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        const char *a = optarg;
        char *end = NULL;
        switch (ch) {
        case O_YEAR:
        case O_MONTHS: {
            long v = strtol(a, &end, 10);
            if (!*a || *end)
                return explain_bad("%s cần một số, không phải '%s'",
                                   ch == O_YEAR ? "--year" : "--months", a);
            *(ch == O_YEAR ? &o->year : &o->months) = (int)v;
            break;
        }
        case O_FROM:
        case O_TO: {
            thk_date d;
            if (date_parse(a, strlen(a), &d) >= 0)
                return explain_bad("ngày không hợp lệ '%s' (dd/mm/yyyy)", a);
            *(ch == O_FROM ? &o->from : &o->to) = d;
            break;
        }
        case O_INPUT:
            o->input = a;
            break;
        case O_CASES:
            o->cases = a;
            break;
        case O_EVENTS:
            o->events = a;
            break;
        case O_RULES:
            if (o->nrules == EXPLAIN_MAX_RULES)
                return explain_bad("quá nhiều --rules (tối đa %d)", EXPLAIN_MAX_RULES);
            o->rules[o->nrules++] = a;
            break;
        case O_JSON:
            o->json = true;
            break;
        case O_HELP:
            fputs(explain_usage, stdout);
            return -1;
        default:
            return explain_bad("tùy chọn không hợp lệ hoặc thiếu giá trị: '%s'", argv[optind - 1]);
        }
    }
    if (optind + 1 != argc)
        return explain_bad("cần đúng một mã việc");
    o->ma_viec = argv[optind];
    if (!*o->ma_viec)
        return explain_bad("mã việc rỗng");
    bool window = o->from != THK_DATE_NONE || o->to != THK_DATE_NONE;
    if (window && (o->from == THK_DATE_NONE || o->to == THK_DATE_NONE))
        return explain_bad("--from và --to phải đi cùng nhau");
    if (!window && (!o->year || !o->months))
        return explain_bad("cần --year Y và --months N (hoặc --from D --to D)");
    if ((o->cases || o->events) && !(o->cases && o->events))
        return explain_bad("--cases và --events phải đi cùng nhau");
    return 0;
}

/* ---- reading only the case's lines ---------------------------------------------------------- */

static bool explain_sep(char c)
{
    return c == ',' || c == ';' || c == '\t' || c == '"' || c == ' ' || c == '\r' || c == '\n';
}

/* Whether line holds id as a whole field (bounded by a separator, a quote or the line's end). */
static bool explain_names(const char *line, size_t len, const char *id, size_t idlen)
{
    const char *p = line, *end = line + len;
    while (p + idlen <= end && (p = memchr(p, id[0], (size_t)(end - p))) != NULL) {
        if (p + idlen <= end && memcmp(p, id, idlen) == 0 &&
            (p == line || explain_sep(p[-1])) && (p + idlen == end || explain_sep(p[idlen])))
            return true;
        p++;
    }
    return false;
}

/* out = the first EXPLAIN_HEAD_LINES lines of path (the header, and any title rows above it)
 * and every later line that names id. 0, or THK_EXIT_INPUT with a message. */
static int explain_filter(const char *path, const char *id, thk_buf *out, thk_buf *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        buf_printf(err, "không mở được tệp %s: %s", path, strerror(errno));
        return THK_EXIT_INPUT;
    }
    char *line = NULL;
    size_t cap = 0, no = 0, idlen = strlen(id);
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        if (no++ < EXPLAIN_HEAD_LINES || explain_names(line, (size_t)n, id, idlen))
            buf_append(out, line, (size_t)n);
    }
    int rc = ferror(f) ? THK_EXIT_INPUT : 0;
    if (rc)
        buf_printf(err, "không đọc được tệp %s: %s", path, strerror(errno));
    free(line);
    fclose(f);
    if (!out->data)
        buf_append(out, "", 0);
    return rc;
}

/* Loads the case's lines (or, `whole`, the whole files) into a new model; the case's index in
 * *idx, UINT32_MAX when it is not there. */
static model *explain_load(const explain_opts *o, rule_set *rs, const char *cases,
                           const char *events, bool whole, uint32_t *idx, thk_buf *err, int *rc)
{
    model *m = model_new();
    reject_log *rej = rejects_new();
    load_opts lo;
    memset(&lo, 0, sizeof lo);
    rule_set_fill_load_opts(rs, &lo);
    lo.rejects = rej;
    lo.cases_pipe = -1;
    load_stats st;
    *rc = 0;
    if (whole) {
        *rc = load_file(m, LOAD_CASES, cases, &lo, &st, err);
        if (!*rc)
            *rc = load_file(m, LOAD_EVENTS, events, &lo, &st, err);
    } else {
        thk_buf c = {0}, e = {0};
        *rc = explain_filter(cases, o->ma_viec, &c, err);
        if (!*rc)
            *rc = explain_filter(events, o->ma_viec, &e, err);
        if (!*rc)
            *rc = load_memory(m, LOAD_CASES, "cases.csv", c.data, c.len, &lo, &st, err);
        if (!*rc)
            *rc = load_memory(m, LOAD_EVENTS, "events.csv", e.data, e.len, &lo, &st, err);
        buf_free(&c);
        buf_free(&e);
    }
    rejects_free(rej);
    *idx = UINT32_MAX;
    if (*rc)
        return m;
    model_finish(m);
    *idx = model_case_find(m, o->ma_viec, strlen(o->ma_viec));
    return m;
}

/* ---- words ---------------------------------------------------------------------------------- */

/* The replay's event kinds in Vietnamese (domain.md §2: the engine's own vocabulary). */
static const char *explain_kind_words(int kind)
{
    switch (kind) {
    case EV_XAC_MINH_CO_DK: return "xác minh: có điều kiện thi hành";
    case EV_XAC_MINH_CHUA_CO_DK: return "xác minh: chưa có điều kiện thi hành";
    case EV_HOAN_C: return "hoãn theo điểm c khoản 1 Điều 48";
    case EV_HOAN: return "hoãn thi hành án";
    case EV_TAM_DINH_CHI: return "tạm đình chỉ thi hành án";
    case EV_TIEP_TUC: return "tiếp tục thi hành án";
    case EV_KHAC: return "trường hợp khác";
    case EV_THU_TIEN: return "thu tiền";
    case EV_MIEN_GIAM: return "miễn, giảm";
    case EV_XONG: return "thi hành xong";
    case EV_DINH_CHI: return "đình chỉ thi hành án";
    case EV_UY_THAC: return "ủy thác thi hành án";
    case EV_THU_HOI: return "thu hồi quyết định thi hành án";
    case EV_CHUYEN_SO_RIENG: return "chuyển sổ theo dõi riêng";
    default: return "?";
    }
}

/* A state by the rules' label for it (`labels state`), else its name; "ngoài phạm vi" out. */
static const char *explain_state_words(const rule_set *rs, int state)
{
    if (state == ST_OUT)
        return "ngoài phạm vi kỳ báo cáo";
    const char *name = replay_state_name(state);
    int v = rule_dom_index(rs, RULE_DOM_STATE, name);
    const char *lab = v >= 0 ? rule_dom_label(rs, RULE_DOM_STATE, (size_t)v) : NULL;
    return lab ? lab : name;
}

static const char *explain_condition_words(int cond)
{
    return cond == COND_CO_DK       ? "có điều kiện"
           : cond == COND_CHUA_CO_DK ? "chưa có điều kiện"
                                     : "chưa xác minh";
}

/* 366553000 → "366.553.000". */
static void explain_money(thk_money v, char out[40])
{
    char digits[32];
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)a);
    size_t k = 0;
    if (v < 0)
        out[k++] = '-';
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            out[k++] = '.';
        out[k++] = digits[i];
    }
    out[k] = '\0';
}

static void explain_date(thk_date d, char out[11])
{
    if (d == THK_DATE_NONE)
        snprintf(out, 11, "—");
    else
        date_format(d, out);
}

static void explain_iso(thk_date d, char out[11])
{
    if (d == THK_DATE_NONE)
        out[0] = '\0';
    else
        date_format_iso(d, out);
}

/* ---- what the replay says of each event ----------------------------------------------------- */

/* The replay's warnings on the case's events (over the report window), by event. */
typedef struct {
    const model_event *first;
    size_t n;
    thk_reject *code;   /* per event, 0 = none */
    thk_money *amount;
} explain_warns;

static void explain_on_warn(void *ctx, thk_reject code, const model_case *c,
                            const model_event *ev, thk_money ev_amount, thk_money amount)
{
    (void)c;
    (void)ev_amount;
    explain_warns *w = ctx;
    if (!ev || ev < w->first || (size_t)(ev - w->first) >= w->n)
        return;
    w->code[ev - w->first] = code;
    w->amount[ev - w->first] = amount;
}

/* What the replay did with an event it did not take as written, in words; "" otherwise. */
static void explain_warn_words(thk_reject code, thk_money amount, thk_buf *b)
{
    char mo[40];
    explain_money(amount, mo);
    if (code == WARN_OVERPAYMENT)
        buf_printf(b, " (trả thừa %s đồng: không tính)", mo);
    else if (code == WARN_EVENT_BEFORE_THU_LY)
        buf_printf(b, " (trước ngày thụ lý: tính vào ngày thụ lý)");
    else if (code == WARN_AFTER_TERMINAL)
        buf_printf(b, " (sau khi việc đã kết thúc: không tính)");
    else if (code == WARN_XONG_REMAINING)
        buf_printf(b, " (còn %s đồng khi thi hành xong: tính là đã thu)", mo);
}

/* ---- what the rules say of the case --------------------------------------------------------- */

static void explain_on_screen(void *ctx, const model *m, uint32_t case_idx, size_t screen,
                              const char *fields)
{
    (void)m, (void)case_idx, (void)fields;
    explain_hits *h = ctx;
    if (h->n < sizeof h->screens / sizeof h->screens[0])
        h->screens[h->n++] = screen;
}

/* The value of every let of the case at E, as `name`/text pairs appended to names/values. */
static size_t explain_lets(rule_set *rs, const model *m, const period *p, const replay_facts *f,
                           char ***names, char ***values)
{
    rule_eval_ctx x;
    memset(&x, 0, sizeof x);
    x.rs = rs;
    x.st = rule_state_new(rs);
    x.m = m;
    x.c = &m->cases[0];
    x.row = 0;
    x.f = f;
    x.S = p->S;
    x.E = p->E;
    x.year = p->year;
    x.slots = thk_xcalloc(rs->nslots[RCTX_CASE] + 1, sizeof *x.slots);
    rule_eval_lets(&x, RCTX_CASE, true);
    *names = thk_xcalloc(rs->nlets + 1, sizeof **names);
    *values = thk_xcalloc(rs->nlets + 1, sizeof **values);
    size_t n = 0;
    thk_buf t = {0};
    for (size_t i = 0; i < rs->nlets; i++) {
        const rule_letdef *l = &rs->lets[i];
        int32_t node = l->node[RCTX_CASE];
        if (node < 0)
            continue; /* a THAHC let */
        rule_val v;
        rule_eval(&x, node, &v);
        const rule_node *nd = &rs->nodes[node];
        rule_val_text(rs, &v, nd->type, nd->dom, &t);
        (*names)[n] = thk_xstrdup(l->ast->name);
        (*values)[n] = thk_xstrdup(t.data ? t.data : "");
        n++;
    }
    buf_free(&t);
    free(x.slots);
    rule_state_free(x.st);
    return n;
}

/* A form cell the case counts in: a data row's count or money column (what adds up), with a
 * non-zero value. Rates and other derived non-additive columns are left out. */
static bool explain_cell(const rule_set *rs, const form_table *t, size_t r, size_t c)
{
    if (t->is_list || t->rows[r].kind != FORM_ROW_DATA)
        return false;
    const form_cell *cell = form_cell_at(t, r, c);
    if (cell->empty || cell->v == 0)
        return false;
    if (t->cols[c].kind != FORM_KIND_COUNT && t->cols[c].kind != FORM_KIND_MONEY)
        return false;
    const agg_form *f = agg_form_find(rs, t->id);
    return f && (size_t)c < f->ncols && f->cols[c].linear;
}

/* Moves the cursor *at (start it zeroed) to the next cell of fs the case counts in
 * (explain_cell), in table, row, column order, *at itself included; false when none is left. */
typedef struct {
    size_t table, row, col;
} explain_at;

static bool explain_next_cell(const rule_set *rs, const form_set *fs, explain_at *at)
{
    for (; fs && at->table < fs->ntables; at->table++, at->row = 0) {
        const form_table *t = &fs->tables[at->table];
        for (; at->row < t->nrows; at->row++, at->col = 0)
            for (; at->col < t->ncols; at->col++)
                if (explain_cell(rs, t, at->row, at->col))
                    return true; /* the caller moves past it (at->col++) */
    }
    return false;
}

/* ---- output --------------------------------------------------------------------------------- */

typedef struct {
    const rule_set *rs;
    const model *m;
    const model_case *c;
    const period *p;
    replay_facts start, end;
    thk_date start_day;
    const form_set *fs;
    const explain_hits *hits;
    const explain_warns *warns;
    char **let_names, **let_values;
    size_t nlets;
    const explain_opts *o;
} explain_doc;

/* Whether list t holds the case: a list without `limit` (limited: one with a limit, which the
 * case alone always tops, so it is only eligible; the report's list says whether it made it). */
static bool explain_on_list(const explain_doc *d, const form_table *t, bool limited)
{
    if (!t->is_list || !t->nrows)
        return false;
    bool has_limit = false;
    for (size_t k = 0; k < d->rs->nlists; k++)
        if (strcmp(d->rs->lists[k].id, t->id) == 0)
            has_limit = d->rs->lists[k].limit > 0;
    return has_limit == limited;
}

static void explain_text(const explain_doc *d, thk_buf *b)
{
    const model_case *c = d->c;
    const model *m = d->m;
    const model_unit *u = &m->units[c->unit];
    char d1[11], d2[11], mo[40];
    buf_printf(b, "Việc %s — đơn vị %s%s%s%s, Chấp hành viên %s\n", d->o->ma_viec,
               model_str(m, u->code), u->name ? " (" : "", u->name ? model_str(m, u->name) : "",
               u->name ? ")" : "", c->chv ? model_str(m, c->chv) : "(trống)");
    thk_buf per = {0};
    period_describe(d->p, &per);
    buf_printf(b, "Kỳ báo cáo: %s\n", per.data ? per.data : "");
    buf_free(&per);
    explain_date(c->ngay_thu_ly, d1);
    explain_date(c->ngay_quyet_dinh, d2);
    explain_money(c->so_tien, mo);
    buf_printf(b, "Thụ lý %s, quyết định thi hành án %s, phải thi hành %s đồng\n\n", d1, d2, mo);

    buf_printf(b, "Sự kiện (theo thứ tự phát lại) và tình trạng sau mỗi ngày có sự kiện:\n");
    const model_event *ev = m->events + c->ev_first;
    if (!c->ev_count)
        buf_printf(b, "  (không có sự kiện)\n");
    for (uint32_t k = 0; k < c->ev_count; k++) {
        replay_facts after;
        thk_date day = ev[k].date < c->ngay_thu_ly ? c->ngay_thu_ly : ev[k].date;
        replay_case(m, c, d->p->S, day, &after, NULL, NULL);
        explain_date(ev[k].date, d1);
        buf_printf(b, "  %s  %s", d1, explain_kind_words(ev[k].kind));
        if (ev[k].kind == EV_THU_TIEN || ev[k].kind == EV_MIEN_GIAM) {
            explain_money(model_event_amount(m, &ev[k]), mo);
            buf_printf(b, " %s đồng", mo);
        }
        if (model_event_note(m, &ev[k]))
            buf_printf(b, " — \"%s\"", model_str(m, model_event_note(m, &ev[k])));
        explain_warn_words(d->warns->code[k], d->warns->amount[k], b);
        if (ev[k].date > d->p->E)
            buf_printf(b, "  (sau ngày chốt số liệu: không tính)\n");
        else
            buf_printf(b, "  → %s, %s\n", explain_state_words(d->rs, after.state),
                       explain_condition_words(after.condition));
    }

    const replay_facts *s = &d->start, *e = &d->end;
    explain_date(d->start_day, d1);
    explain_money(s->O - s->before - s->collected - s->reduced, mo);
    if (c->ngay_thu_ly > d->start_day)
        buf_printf(b, "\nĐầu kỳ (%s): chưa thụ lý\n", d1);
    else
        buf_printf(b, "\nĐầu kỳ (%s): %s, %s, còn phải thi hành %s đồng\n", d1,
                   explain_state_words(d->rs, s->state), explain_condition_words(s->condition),
                   mo);
    explain_date(d->p->E, d1);
    buf_printf(b, "Cuối kỳ (%s): %s, %s", d1, explain_state_words(d->rs, e->state),
               explain_condition_words(e->condition));
    if (e->in_scope) {
        buf_printf(b, ", %s", e->carried ? "năm trước chuyển sang" : "thụ lý mới trong kỳ");
        char x1[40], x2[40], x3[40], x4[40];
        explain_money(e->B, x1);
        explain_money(e->collected, x2);
        explain_money(e->reduced, x3);
        explain_money(e->remaining, x4);
        buf_printf(b, "\n  phải thi hành trong kỳ %s, thu được %s, giảm %s, còn lại %s đồng", x1,
                   x2, x3, x4);
    }
    buf_printf(b, "\n\nGiá trị các let của quy tắc (tại ngày chốt số liệu):\n");
    for (size_t i = 0; i < d->nlets; i++)
        buf_printf(b, "  %s = %s\n", d->let_names[i],
                   d->let_values[i][0] ? d->let_values[i] : "(trống)");

    buf_printf(b, "\nCác ô của biểu có việc này (việc góp bao nhiêu vào ô):\n");
    size_t ncells = 0;
    for (explain_at at = {0}; explain_next_cell(d->rs, d->fs, &at); at.col++, ncells++) {
        const form_table *t = &d->fs->tables[at.table];
        size_t r = at.row, k = at.col;
        const form_cell *cell = form_cell_at(t, r, k);
        if (t->cols[k].kind == FORM_KIND_MONEY) {
            explain_money(cell->v, mo);
            buf_printf(b, "  %s [%s] %s (%s) = %s đồng\n", t->id, t->rows[r].key,
                       t->cols[k].code, t->cols[k].label, mo);
        } else {
            buf_printf(b, "  %s [%s] %s (%s) = %lld\n", t->id, t->rows[r].key, t->cols[k].code,
                       t->cols[k].label, (long long)cell->v);
        }
    }
    if (!ncells)
        buf_printf(b, "  (không có ô nào: việc ngoài phạm vi kỳ hoặc không thuộc cột nào)\n");
    buf_printf(b, "  Các tỷ lệ không ghi ở đây: việc góp vào tử số hoặc mẫu số qua các ô trên.\n");

    buf_printf(b, "\nDanh sách có việc này:");
    size_t nl = 0;
    for (size_t i = 0; d->fs && i < d->fs->ntables; i++)
        if (explain_on_list(d, &d->fs->tables[i], false)) {
            buf_printf(b, " %s", d->fs->tables[i].id);
            nl++;
        }
    buf_printf(b, "%s\n", nl ? "" : " không có");
    nl = 0;
    for (size_t i = 0; d->fs && i < d->fs->ntables; i++)
        if (explain_on_list(d, &d->fs->tables[i], true)) {
            buf_printf(b, "%s %s", nl ? "," : "Đủ điều kiện của danh sách có giới hạn (xem danh "
                                              "sách của báo cáo):", d->fs->tables[i].id);
            nl++;
        }
    if (nl)
        buf_printf(b, "\n");
    buf_printf(b, "Thẩm tra chọn việc này:");
    for (size_t i = 0; i < d->hits->n; i++) {
        const rule_screen_ast *a = d->rs->screens[d->hits->screens[i]].ast;
        buf_printf(b, "\n  %s — %s", a->id, a->title);
    }
    buf_printf(b, "%s\n", d->hits->n ? "" : " không có");
}

static void explain_json_facts(thk_buf *b, const char *key, const rule_set *rs,
                               const replay_facts *f, thk_date day)
{
    char iso[11];
    explain_iso(day, iso);
    buf_printf(b, "  \"%s\": {\"date\": ", key);
    manifest_json_string(b, iso);
    buf_printf(b, ", \"state\": ");
    manifest_json_string(b, f->state == ST_OUT ? "out" : replay_state_name(f->state));
    buf_printf(b, ", \"condition\": ");
    manifest_json_string(b, replay_condition_name(f->condition));
    buf_printf(b, ", \"in_scope\": %s, \"carried\": %s, \"new\": %s, \"B\": %lld, "
                  "\"collected\": %lld, \"reduced\": %lld, \"remaining\": %lld}",
               f->in_scope ? "true" : "false", f->carried ? "true" : "false",
               f->is_new ? "true" : "false", (long long)f->B, (long long)f->collected,
               (long long)f->reduced, (long long)f->remaining);
    (void)rs;
}

static void explain_json(const explain_doc *d, thk_buf *b)
{
    const model_case *c = d->c;
    const model *m = d->m;
    char iso[11];
    buf_printf(b, "{\n  \"ma_viec\": ");
    manifest_json_string(b, d->o->ma_viec);
    buf_printf(b, ",\n  \"ma_don_vi\": ");
    manifest_json_string(b, model_str(m, m->units[c->unit].code));
    buf_printf(b, ",\n  \"chap_hanh_vien\": ");
    manifest_json_string(b, c->chv ? model_str(m, c->chv) : "");
    explain_iso(d->p->S, iso);
    buf_printf(b, ",\n  \"period\": {\"from\": ");
    manifest_json_string(b, iso);
    explain_iso(d->p->E, iso);
    buf_printf(b, ", \"to\": ");
    manifest_json_string(b, iso);
    buf_printf(b, "},\n  \"state\": ");
    manifest_json_string(b, d->end.state == ST_OUT ? "out" : replay_state_name(d->end.state));
    buf_printf(b, ",\n  \"condition\": ");
    manifest_json_string(b, replay_condition_name(d->end.condition));
    buf_printf(b, ",\n");
    explain_json_facts(b, "at_start", d->rs, &d->start, d->start_day);
    buf_printf(b, ",\n");
    explain_json_facts(b, "at_end", d->rs, &d->end, d->p->E);
    buf_printf(b, ",\n  \"events\": [");
    const model_event *ev = m->events + c->ev_first;
    for (uint32_t k = 0; k < c->ev_count; k++) {
        replay_facts after;
        thk_date day = ev[k].date < c->ngay_thu_ly ? c->ngay_thu_ly : ev[k].date;
        replay_case(m, c, d->p->S, day, &after, NULL, NULL);
        explain_iso(ev[k].date, iso);
        buf_printf(b, "%s\n    {\"date\": ", k ? "," : "");
        manifest_json_string(b, iso);
        buf_printf(b, ", \"kind\": ");
        manifest_json_string(b, model_event_name(ev[k].kind));
        buf_printf(b, ", \"amount\": %lld, \"warning\": ", (long long)model_event_amount(m, &ev[k]));
        manifest_json_string(b, d->warns->code[k] ? thk_reject_code(d->warns->code[k]) : "");
        buf_printf(b, ", \"note\": ");
        manifest_json_string(b, model_str(m, model_event_note(m, &ev[k])));
        buf_printf(b, ", \"counted\": %s, \"state_after\": ", ev[k].date <= d->p->E ? "true"
                                                                                 : "false");
        manifest_json_string(b, ev[k].date > d->p->E ? ""
                                : after.state == ST_OUT ? "out"
                                                        : replay_state_name(after.state));
        buf_printf(b, "}");
    }
    buf_printf(b, "%s],\n  \"lets\": {", c->ev_count ? "\n  " : "");
    for (size_t i = 0; i < d->nlets; i++) {
        buf_printf(b, "%s\n    ", i ? "," : "");
        manifest_json_string(b, d->let_names[i]);
        buf_printf(b, ": ");
        manifest_json_string(b, d->let_values[i]);
    }
    buf_printf(b, "%s},\n  \"cells\": [", d->nlets ? "\n  " : "");
    size_t n = 0;
    for (explain_at at = {0}; explain_next_cell(d->rs, d->fs, &at); at.col++) {
        const form_table *t = &d->fs->tables[at.table];
        buf_printf(b, "%s\n    {\"form\": ", n++ ? "," : "");
        manifest_json_string(b, t->id);
        buf_printf(b, ", \"row\": ");
        manifest_json_string(b, t->rows[at.row].key);
        buf_printf(b, ", \"column\": ");
        manifest_json_string(b, t->cols[at.col].code);
        buf_printf(b, ", \"value\": %lld}", (long long)form_cell_at(t, at.row, at.col)->v);
    }
    buf_printf(b, "%s],\n  \"lists\": [", n ? "\n  " : "");
    for (int limited = 0; limited < 2; limited++) {
        if (limited)
            buf_printf(b, "],\n  \"lists_eligible\": [");
        size_t nl = 0;
        for (size_t i = 0; d->fs && i < d->fs->ntables; i++)
            if (explain_on_list(d, &d->fs->tables[i], limited)) {
                buf_printf(b, "%s", nl++ ? ", " : "");
                manifest_json_string(b, d->fs->tables[i].id);
            }
    }
    buf_printf(b, "],\n  \"screens\": [");
    for (size_t i = 0; i < d->hits->n; i++) {
        buf_printf(b, "%s", i ? ", " : "");
        manifest_json_string(b, d->rs->screens[d->hits->screens[i]].ast->id);
    }
    buf_printf(b, "]\n}\n");
}

/* ---- the command ---------------------------------------------------------------------------- */

int explain_main(int argc, char **argv)
{
    explain_opts o;
    int prc = explain_parse(argc, argv, &o);
    if (prc)
        return prc < 0 ? THK_EXIT_OK : prc;
    char *default_rules = NULL;
    if (!o.nrules)
        o.rules[o.nrules++] = default_rules = datadir_default_rules();
    thk_buf diag = {0}, err = {0}, cp = {0}, ep = {0};
    rule_set *rs = rule_set_load(o.rules, o.nrules, &diag);
    int rc = 0;
    model *m = NULL;
    form_set *fs = NULL;
    if (!rs) {
        fputs(diag.data ? diag.data : "", stderr);
        fprintf(stderr, "thongke explain: lỗi: tệp quy tắc có lỗi\n");
        rc = THK_EXIT_RULES;
        goto done;
    }
    int day, month;
    rule_set_year_start(rs, &day, &month);
    period p;
    bool ok = o.months ? period_months(o.year, o.months, day, month, &p)
                       : period_custom(o.from, o.to, day, month, &p);
    if (!ok) {
        rc = explain_bad("kỳ báo cáo không hợp lệ");
        goto done;
    }
    const char *dir = o.input ? o.input : "input/sample";
    if (o.cases) {
        buf_printf(&cp, "%s", o.cases);
        buf_printf(&ep, "%s", o.events);
    } else {
        buf_printf(&cp, "%s/cases.csv", dir);
        buf_printf(&ep, "%s/events.csv", dir);
    }
    uint32_t idx;
    m = explain_load(&o, rs, cp.data, ep.data, false, &idx, &err, &rc);
    if (!rc && idx == UINT32_MAX) {
        /* a line broken by a quoted line break, or an id spelt otherwise: read everything */
        model_free(m);
        buf_clear(&err);
        m = explain_load(&o, rs, cp.data, ep.data, true, &idx, &err, &rc);
    }
    if (rc) {
        fprintf(stderr, "thongke explain: lỗi: %s\n", err.data ? err.data : "");
        goto done;
    }
    if (idx == UINT32_MAX) {
        fprintf(stderr, "thongke explain: lỗi: không có việc '%s' trong %s\n", o.ma_viec,
                cp.data);
        rc = THK_EXIT_INPUT;
        goto done;
    }
    model_keep_case(m, idx);
    explain_hits hits = {0};
    rule_set_on_screen(rs, explain_on_screen, &hits);
    int status = 0;
    thk_buf cerr = {0};
    fs = rule_compute(rs, m, &p, NULL, &cerr, &status);
    rule_set_on_screen(rs, NULL, NULL);
    if (!fs) {
        fprintf(stderr, "thongke explain: lỗi: %s\n", cerr.data ? cerr.data : "");
        buf_free(&cerr);
        rc = status ? status : THK_EXIT_CHECK;
        goto done;
    }
    buf_free(&cerr);
    explain_warns warns = {m->events + m->cases[0].ev_first, m->cases[0].ev_count, NULL, NULL};
    warns.code = thk_xcalloc(warns.n + 1, sizeof *warns.code);
    warns.amount = thk_xcalloc(warns.n + 1, sizeof *warns.amount);
    explain_doc d = {.rs = rs, .m = m, .c = &m->cases[0], .p = &p, .fs = fs, .hits = &hits,
                     .warns = &warns, .o = &o};
    d.start_day = p.S - 1;
    replay_case(m, d.c, p.S, p.E, &d.end, explain_on_warn, &warns);
    /* the start: the case as it stood the day before S, in last year's terms */
    period before = p;
    before.E = p.S - 1;
    before.S = p.S - 1;
    replay_case(m, d.c, before.S, before.E, &d.start, NULL, NULL);
    d.nlets = explain_lets(rs, m, &p, &d.end, &d.let_names, &d.let_values);
    thk_buf out = {0};
    if (o.json)
        explain_json(&d, &out);
    else
        explain_text(&d, &out);
    fwrite(out.data, 1, out.len, stdout);
    buf_free(&out);
    for (size_t i = 0; i < d.nlets; i++) {
        free(d.let_names[i]);
        free(d.let_values[i]);
    }
    free(d.let_names);
    free(d.let_values);
    free(warns.code);
    free(warns.amount);
done:
    form_set_free(fs);
    model_free(m);
    rule_set_free(rs);
    free(default_rules);
    buf_free(&diag);
    buf_free(&err);
    buf_free(&cp);
    buf_free(&ep);
    return rc;
}
