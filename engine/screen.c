/* screen — thẩm tra: findings of the rules' screens on a computed form set (see screen.h). */
#include "screen.h"

#include "rule_compile.h"

#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- baseline ------------------------------------------------------------------------------- */

static size_t screen_hash3(uint32_t a, uint32_t b, uint32_t c)
{
    uint64_t h = 1469598103934665603ULL;
    uint32_t v[3] = {a, b, c};
    for (int k = 0; k < 3; k++) {
        h ^= v[k];
        h *= 1099511628211ULL;
    }
    return (size_t)(h ^ (h >> 29));
}

int screen_baseline_read(screen_baseline *b, const char *run_dir, thk_buf *err)
{
    memset(b, 0, sizeof *b);
    b->pool = strpool_new();
    b->dir = thk_xstrdup(run_dir);
    thk_buf path = {0};
    buf_printf(&path, "%s/cells.csv", run_dir);
    int rc = csv_out_cells_read(path.data, b->pool, &b->lines, err);
    buf_free(&path);
    if (rc)
        return rc;
    size_t cap = 16;
    while (cap < b->lines.n * 2)
        cap *= 2;
    b->mask = cap - 1;
    b->index = thk_xcalloc(cap, sizeof *b->index);
    for (size_t i = 0; i < b->lines.n; i++) {
        const cells_line *l = &b->lines.cells[i];
        size_t h = screen_hash3(l->form, l->row, l->column) & b->mask;
        while (b->index[h])
            h = (h + 1) & b->mask;
        b->index[h] = i + 1;
    }
    return 0;
}

void screen_baseline_free(screen_baseline *b)
{
    if (!b)
        return;
    strpool_free(b->pool);
    free(b->lines.cells);
    free(b->index);
    free(b->dir);
    memset(b, 0, sizeof *b);
}

/* The baseline's value text of (form, row, column), or NULL. */
static const char *screen_baseline_get(const screen_baseline *b, const char *form,
                                       const char *row, const char *col)
{
    uint32_t f = strpool_find(b->pool, form, strlen(form));
    uint32_t r = strpool_find(b->pool, row, strlen(row));
    uint32_t c = strpool_find(b->pool, col, strlen(col));
    if (!f || !r || !c || !b->index)
        return NULL;
    for (size_t h = screen_hash3(f, r, c) & b->mask; b->index[h]; h = (h + 1) & b->mask) {
        const cells_line *l = &b->lines.cells[b->index[h] - 1];
        if (l->form == f && l->row == r && l->column == c)
            return strpool_get(b->pool, l->value);
    }
    return NULL;
}

/* A cells.csv value as the integer the form holds (rates "83.88" → 8388). */
static bool screen_parse_value(const char *s, int kind, int64_t *out)
{
    if (!s || !*s)
        return false;
    char *end;
    if (kind == FORM_KIND_RATE) {
        double d = strtod(s, &end);
        if (*end || !isfinite(d) || fabs(d) > 9e15)
            return false;
        *out = (int64_t)llround(d * 100.0);
        return true;
    }
    long long v = strtoll(s, &end, 10);
    if (*end)
        return false;
    *out = v;
    return true;
}

/* ---- results -------------------------------------------------------------------------------- */

static screen_flag *screen_add(screen_result *r, size_t screen, const char *unit, size_t ulen,
                               const char *chv)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 32;
        r->flags = thk_xrealloc(r->flags, r->cap * sizeof *r->flags);
    }
    screen_flag *f = &r->flags[r->n++];
    memset(f, 0, sizeof *f);
    f->screen = screen;
    f->unit = thk_xcalloc(ulen + 1, 1);
    memcpy(f->unit, unit, ulen);
    f->chv = thk_xstrdup(chv ? chv : "");
    f->compared = "";
    return f;
}

void screen_result_free(screen_result *r)
{
    for (size_t i = 0; r && i < r->n; i++) {
        free(r->flags[i].unit);
        free(r->flags[i].chv);
        free(r->flags[i].message);
        free(r->flags[i].measure_label);
    }
    if (r)
        free(r->flags);
}

/* dst = a new string formatted by buf_printf. */
#define SCREEN_STRF(dst, ...)                                                                     \
    do {                                                                                          \
        thk_buf b_ = {0};                                                                         \
        buf_printf(&b_, __VA_ARGS__);                                                             \
        (dst) = b_.data ? b_.data : thk_xstrdup("");                                              \
    } while (0)

static void screen_format(int64_t v, int kind, char out[32])
{
    if (kind == FORM_KIND_RATE) {
        uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        snprintf(out, 32, "%s%" PRIu64 ".%02" PRIu64, v < 0 ? "-" : "", a / 100, a % 100);
    } else {
        snprintf(out, 32, "%" PRId64, v);
    }
}

/* ---- case screens --------------------------------------------------------------------------- */

static size_t screen_ptr_hash(const void *a, const void *b)
{
    uint64_t x = (uint64_t)(uintptr_t)a * 0x9E3779B97F4A7C15ULL ^ (uint64_t)(uintptr_t)b;
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ULL;
    return (size_t)(x ^ (x >> 29));
}

static size_t screen_hit_hash(size_t screen, const char *unit, const char *chv)
{
    return screen_ptr_hash(unit, chv) ^ screen * 0x9E3779B97F4A7C15ULL;
}

void screen_hits_add(screen_hits *h, size_t screen, const char *unit, const char *chv)
{
    unit = unit ? unit : "";
    chv = chv ? chv : "";
    if ((h->n + 1) * 2 > h->mask) {
        size_t cap = h->mask ? (h->mask + 1) * 2 : 64;
        free(h->slot);
        h->slot = thk_xcalloc(cap, sizeof *h->slot);
        h->mask = cap - 1;
        for (size_t i = 0; i < h->n; i++) {
            size_t k = screen_hit_hash(h->v[i].screen, h->v[i].unit, h->v[i].chv) & h->mask;
            while (h->slot[k])
                k = (k + 1) & h->mask;
            h->slot[k] = i + 1;
        }
    }
    size_t k = screen_hit_hash(screen, unit, chv) & h->mask;
    for (; h->slot[k]; k = (k + 1) & h->mask) {
        screen_hit *x = &h->v[h->slot[k] - 1];
        if (x->screen == screen && x->unit == unit && x->chv == chv) {
            x->n++;
            return;
        }
    }
    if (h->n == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 64;
        h->v = thk_xrealloc(h->v, h->cap * sizeof *h->v);
    }
    h->v[h->n] = (screen_hit){screen, unit, chv, 1};
    h->slot[k] = ++h->n;
}

void screen_hits_free(screen_hits *h)
{
    if (!h)
        return;
    free(h->v);
    free(h->slot);
}

void screen_cases_header(const rule_set *rs, thk_buf *b)
{
    const char *const *cols;
    size_t n = rule_set_screen_columns(rs, &cols);
    csv_out_bom(b);
    csv_out_str(b, "screen", n == 0);
    for (size_t k = 0; k < n; k++)
        csv_out_str(b, cols[k], k + 1 == n);
}

typedef struct {
    const char *unit, *chv; /* chv NULL: the unit's own line */
    size_t n;
} screen_pair;

static int screen_pair_cmp(const void *pa, const void *pb)
{
    const screen_pair *a = pa, *b = pb;
    int c = strcmp(a->unit, b->unit);
    if (c)
        return c;
    /* the unit's own line (chv NULL) before its officers */
    if (!a->chv || !b->chv)
        return !a->chv ? (b->chv ? -1 : 0) : 1;
    return strcmp(a->chv, b->chv);
}

/* The hits of case screen si: one finding per unit and per officer. The hits are counted by
 * their texts' pointers already; sorted by text, equal neighbours are added up: the unit's own
 * line from all its officers' counts (and one text under two pointers, never in practice,
 * still gives one line). */
static void screen_cases(const rule_set *rs, size_t si, const screen_hits *h, screen_result *out)
{
    const rule_screen_ast *a = rs->screens[si].ast;
    screen_pair *ps = thk_xmalloc((2 * (h ? h->n : 0) + 1) * sizeof *ps);
    size_t n = 0;
    for (size_t i = 0; h && i < h->n; i++) {
        if (h->v[i].screen != si)
            continue;
        out->ncases += h->v[i].n;
        ps[n++] = (screen_pair){h->v[i].unit, NULL, h->v[i].n};
        ps[n++] = (screen_pair){h->v[i].unit, h->v[i].chv, h->v[i].n};
    }
    if (n)
        qsort(ps, n, sizeof *ps, screen_pair_cmp);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m && screen_pair_cmp(&ps[m - 1], &ps[i]) == 0)
            ps[m - 1].n += ps[i].n;
        else
            ps[m++] = ps[i];
    }
    for (size_t i = 0; i < m; i++) {
        const screen_pair *p = &ps[i];
        screen_flag *f = screen_add(out, si, p->unit, strlen(p->unit), p->chv);
        f->measure = "so_viec";
        f->measure_label = thk_xstrdup("Số việc");
        f->ncases = (int64_t)p->n;
        snprintf(f->value, sizeof f->value, "%zu", p->n);
        SCREEN_STRF(f->message, "%s: %zu việc", a->title, p->n);
        if (a->severity == SCREEN_ERROR)
            out->nerror++;
    }
    free(ps);
}

/* ---- comparison screens (Hidiroglou–Berthelot) ---------------------------------------------- */

typedef struct {
    size_t row;
    int64_t x, y, size;
    double ratio, e;
} screen_unit;

static int screen_dbl_cmp(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return a < b ? -1 : a > b;
}

/* The q-quantile of sorted v[0..n) by linear interpolation (Hyndman–Fan type 7). */
static double screen_quantile(const double *v, size_t n, double q)
{
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)floor(h);
    size_t hi = lo + 1 < n ? lo + 1 : lo;
    return v[lo] + (h - (double)lo) * (v[hi] - v[lo]);
}

enum { SCREEN_MIN_UNITS = 4 };

/* Scores population u[0..n) and adds a finding for each outlier. */
static void screen_hb(const rule_set *rs, size_t si, const form_table *t, int col,
                      screen_unit *u, size_t n, const char *compared, const char *against,
                      screen_result *out)
{
    const rule_screen_ast *a = rs->screens[si].ast;
    if (n < SCREEN_MIN_UNITS)
        return;
    double *v = thk_xcalloc(n, sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = u[i].ratio = (double)u[i].x / (double)u[i].y;
    qsort(v, n, sizeof *v, screen_dbl_cmp);
    double rm = screen_quantile(v, n, 0.5);
    double U = (double)a->hb_u / 10000.0, A = (double)a->hb_a / 10000.0,
           C = (double)a->hb_c / 10000.0;
    for (size_t i = 0; i < n; i++) {
        double s = u[i].ratio < rm ? 1.0 - rm / u[i].ratio : u[i].ratio / rm - 1.0;
        double size = (double)(u[i].size > 0 ? u[i].size : (u[i].x > u[i].y ? u[i].x : u[i].y));
        v[i] = u[i].e = s * pow(size, U);
    }
    qsort(v, n, sizeof *v, screen_dbl_cmp);
    double q1 = screen_quantile(v, n, 0.25), em = screen_quantile(v, n, 0.5),
           q3 = screen_quantile(v, n, 0.75);
    double dl = fmax(em - q1, fabs(A * em)), dh = fmax(q3 - em, fabs(A * em));
    double lo = em - C * dl, hi = em + C * dh;
    free(v);
    int kind = t->cols[col].kind;
    for (size_t i = 0; i < n; i++) {
        if (u[i].e >= lo && u[i].e <= hi)
            continue;
        const form_row *row = &t->rows[u[i].row];
        const char *key = row->key;
        const char *bar = strchr(key, '|');
        size_t ulen = bar ? (size_t)(bar - key) : strlen(key);
        const char *chv = bar && strcmp(bar + 1, "*") != 0 ? bar + 1 : "";
        screen_flag *f = screen_add(out, si, key, ulen, chv);
        f->measure = t->cols[col].code;
        int g = t->cols[col].group;
        if (g >= 0 && (size_t)g < t->ngroups)
            SCREEN_STRF(f->measure_label, "%s: %s", t->groups[g].label, t->cols[col].label);
        else
            f->measure_label = thk_xstrdup(t->cols[col].label);
        f->compared = compared;
        f->ncases = u[i].size;
        screen_format(u[i].x, kind, f->value);
        screen_format(u[i].y, kind, f->reference);
        snprintf(f->score, sizeof f->score, "%.4f", u[i].e);
        snprintf(f->threshold, sizeof f->threshold, "%.4f", u[i].e > hi ? hi : lo);
        SCREEN_STRF(f->message, "%s: kỳ này %s, %s %s (điểm %.2f, %s ngưỡng %.2f)", a->title,
                    f->value, against, f->reference, u[i].e, u[i].e > hi ? "vượt" : "dưới",
                    u[i].e > hi ? hi : lo);
        if (a->severity == SCREEN_ERROR)
            out->nerror++;
    }
}

/* One comparison of screen si on table t: data rows and, when the form has them, subtotal rows
 * are two populations. The reference is column ref of the same row (the same period last
 * year) or, with b, the baseline run's value of column val. */
static void screen_compare(const rule_set *rs, size_t si, const form_table *t, int val, int ref,
                           int size, const screen_baseline *b, screen_result *out)
{
    screen_unit *u = thk_xcalloc(t->nrows + 1, sizeof *u);
    for (int kind = FORM_ROW_DATA; kind <= FORM_ROW_SUBTOTAL; kind++) {
        size_t n = 0;
        for (size_t r = 0; r < t->nrows; r++) {
            if (t->rows[r].kind != kind)
                continue;
            const form_cell *x = form_cell_at(t, r, (size_t)val);
            int64_t y;
            if (b) {
                const char *s = screen_baseline_get(b, t->id, t->rows[r].key, t->cols[val].code);
                if (!screen_parse_value(s, t->cols[val].kind, &y))
                    continue;
            } else {
                const form_cell *yc = form_cell_at(t, r, (size_t)ref);
                if (yc->empty)
                    continue;
                y = yc->v;
            }
            if (x->empty || x->v <= 0 || y <= 0)
                continue; /* a ratio needs both sides: not scored */
            u[n++] = (screen_unit){r, x->v, y, size >= 0 ? form_cell_at(t, r, (size_t)size)->v : 0,
                                   0, 0};
        }
        screen_hb(rs, si, t, val, u, n, b ? "ky_goc" : "cung_ky",
                  b ? "báo cáo gốc" : "cùng kỳ năm trước", out);
    }
    free(u);
}

void screen_run(const rule_set *rs, const form_set *fs, const screen_hits *hits,
                const screen_baseline *b, screen_result *out)
{
    memset(out, 0, sizeof *out);
    for (size_t si = 0; si < rs->nscreens; si++) {
        const rule_screen *s = &rs->screens[si];
        if (s->list >= 0) {
            screen_cases(rs, si, hits, out);
            continue;
        }
        for (size_t k = 0; k < s->nforms; k++) {
            const form_table *t = NULL;
            const char *id = rs->forms[s->forms[k]].id;
            for (size_t i = 0; i < fs->ntables && !t; i++)
                if (!fs->tables[i].is_list && strcmp(fs->tables[i].id, id) == 0)
                    t = &fs->tables[i];
            if (!t || s->val[k] < 0 || s->ref[k] < 0)
                continue; /* a THAHC form without thahc.csv */
            screen_compare(rs, si, t, s->val[k], s->ref[k], s->size[k], NULL, out);
            if (b)
                screen_compare(rs, si, t, s->val[k], s->ref[k], s->size[k], b, out);
        }
    }
}

/* ---- outputs -------------------------------------------------------------------------------- */

static const char *const screen_columns[] = {
    "screen", "ma_don_vi", "chap_hanh_vien", "measure", "value", "reference", "score",
    "threshold", "severity", "message", "so_sanh", "so_viec"};
enum { SCREEN_NCOLUMNS = sizeof screen_columns / sizeof screen_columns[0] };

int screen_write_checks(const char *path, const rule_set *rs, const screen_result *r,
                        thk_buf *err)
{
    csv_out_file *f = csv_out_open(path, err);
    if (!f)
        return THK_EXIT_OUTPUT;
    thk_buf *b = csv_out_buffer(f);
    csv_out_bom(b);
    for (size_t k = 0; k < SCREEN_NCOLUMNS; k++)
        csv_out_str(b, screen_columns[k], k + 1 == SCREEN_NCOLUMNS);
    for (size_t i = 0; i < r->n; i++) {
        const screen_flag *x = &r->flags[i];
        const rule_screen_ast *a = rs->screens[x->screen].ast;
        csv_out_str(b, a->id, false);
        csv_out_str(b, x->unit, false);
        csv_out_str(b, x->chv, false);
        csv_out_str(b, x->measure, false);
        csv_out_str(b, x->value, false);
        csv_out_str(b, x->reference, false);
        csv_out_str(b, x->score, false);
        csv_out_str(b, x->threshold, false);
        csv_out_str(b, a->severity == SCREEN_ERROR ? "error" : "warning", false);
        csv_out_str(b, x->message, false);
        csv_out_str(b, x->compared, false);
        csv_out_int(b, x->ncases, true);
        if (csv_out_flush_some(f))
            break;
    }
    return csv_out_close(f, err);
}

form_table *screen_table(const rule_set *rs, const screen_result *r)
{
    static const char *const codes[] = {"kiem_tra", "ma_don_vi", "chap_hanh_vien", "chi_so",
                                        "ky_nay", "so_sanh", "diem", "nguong", "so_viec",
                                        "muc_do"};
    static const char *const labels[] = {"Nội dung thẩm tra", "Mã đơn vị", "Chấp hành viên",
                                         "Chỉ số", "Kỳ này", "So sánh với", "Điểm", "Ngưỡng",
                                         "Số việc", "Mức độ"};
    static const uint8_t widths[] = {60, 11, 22, 34, 8, 16, 9, 9, 7, 9};
    enum { NC = sizeof codes / sizeof codes[0] };
    if (!rs->nscreens)
        return NULL;
    form_table *t = thk_xcalloc(1, sizeof *t);
    t->id = thk_xstrdup("Thẩm tra");
    t->title = thk_xstrdup("KẾT QUẢ THẨM TRA SỐ LIỆU");
    t->subtitle = thk_xstrdup("Các đơn vị, Chấp hành viên có dấu hiệu bất thường và số việc cần "
                              "thẩm tra (chi tiết từng việc: checks-cases.csv)");
    t->is_list = true;
    t->ncols = NC;
    t->cols = thk_xcalloc(NC, sizeof *t->cols);
    for (size_t c = 0; c < NC; c++) {
        t->cols[c].code = thk_xstrdup(codes[c]);
        t->cols[c].label = thk_xstrdup(labels[c]);
        t->cols[c].kind = c == 8 ? FORM_KIND_COUNT : FORM_KIND_TEXT;
        t->cols[c].width = widths[c];
        t->cols[c].group = -1;
    }
    t->nrows = r->n;
    t->rows = thk_xcalloc(r->n + 1, sizeof *t->rows);
    t->cells = thk_xcalloc((r->n + 1) * NC, sizeof *t->cells);
    t->texts = thk_xcalloc((r->n + 1) * NC, sizeof *t->texts);
    for (size_t i = 0; i < r->n; i++) {
        const screen_flag *x = &r->flags[i];
        const rule_screen_ast *a = rs->screens[x->screen].ast;
        SCREEN_STRF(t->rows[i].key, "%zu", i + 1);
        char **tx = &t->texts[i * NC];
        tx[0] = thk_xstrdup(a->title);
        tx[1] = thk_xstrdup(x->unit);
        tx[2] = thk_xstrdup(x->chv);
        tx[3] = thk_xstrdup(x->measure_label ? x->measure_label : x->measure);
        tx[4] = thk_xstrdup(x->value);
        if (x->reference[0])
            SCREEN_STRF(tx[5], "%s (%s)", x->reference,
                        strcmp(x->compared, "ky_goc") == 0 ? "báo cáo gốc" : "cùng kỳ");
        else
            tx[5] = thk_xstrdup("");
        tx[6] = thk_xstrdup(x->score);
        tx[7] = thk_xstrdup(x->threshold);
        t->cells[i * NC + 8].v = x->ncases;
        tx[9] = thk_xstrdup(a->severity == SCREEN_ERROR ? "Lỗi" : "Cảnh báo");
    }
    return t;
}
