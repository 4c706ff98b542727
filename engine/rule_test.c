/* rule_test — runs the rule files' own tests: inline rows become CSV text that goes through the
 * real loader (load_memory), then replay and form computation, then every expected cell is
 * compared. Coverage counts map alternatives and let outcomes over all tests. */
#include "rule_test.h"

#include "agg.h"
#include "csv_out.h"
#include "read_text.h"
#include "rule_compile.h"
#include "schema.h"
#include "screen.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

const char *rule_test_name(const rule_set *rs, size_t i)
{
    return rs->ast->tests[i].name;
}

/* ---- inline rows → CSV text ----------------------------------------------------------------- */

static void rt_csv_field(thk_buf *b, const char *s)
{
    csv_quote(b, s, s ? strlen(s) : 0, ',', CSV_QUOTE_FORCE);
}

/* A CSV file from key=value rows: the header is every column named, in order of first use,
 * then the `required` columns no row names, directly or through an alias (so the file binds
 * and a missing value is rejected like in a real export). */
static void rt_rows_csv(const rule_row_ast *rows, size_t n, const char *const *required,
                        const load_alias *aliases, size_t naliases, int kind, thk_buf *out)
{
    const char **cols = NULL;
    size_t ncols = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < rows[i].n; j++) {
            bool have = false;
            for (size_t k = 0; k < ncols && !have; k++)
                have = strcmp(cols[k], rows[i].kv[j].name) == 0;
            if (!have) {
                cols = thk_xrealloc(cols, (ncols + 1) * sizeof *cols);
                cols[ncols++] = rows[i].kv[j].name;
            }
        }
    thk_buf k1 = {0}, k2 = {0};
    for (size_t r = 0; required[r]; r++) {
        if (!*required[r])
            continue; /* an optional column of the schema */
        bool have = false;
        for (size_t k = 0; k < ncols && !have; k++) {
            have = strcmp(cols[k], required[r]) == 0;
            text_fold_key(cols[k], strlen(cols[k]), &k1);
            for (size_t a = 0; a < naliases && !have; a++) {
                if ((int)aliases[a].kind != kind || strcmp(aliases[a].column, required[r]) != 0)
                    continue;
                text_fold_key(aliases[a].alias, strlen(aliases[a].alias), &k2);
                have = strcmp(k1.data ? k1.data : "", k2.data ? k2.data : "") == 0;
            }
        }
        if (!have) {
            cols = thk_xrealloc(cols, (ncols + 1) * sizeof *cols);
            cols[ncols++] = required[r];
        }
    }
    buf_free(&k1);
    buf_free(&k2);
    for (size_t k = 0; k < ncols; k++) {
        if (k)
            buf_putc(out, ',');
        rt_csv_field(out, cols[k]);
    }
    buf_putc(out, '\n');
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < ncols; k++) {
            const char *v = "";
            for (size_t j = 0; j < rows[i].n; j++)
                if (strcmp(rows[i].kv[j].name, cols[k]) == 0)
                    v = rows[i].kv[j].value;
            if (k)
                buf_putc(out, ',');
            rt_csv_field(out, v);
        }
        buf_putc(out, '\n');
    }
    free(cols);
}

static void rt_events_csv(const rule_test_ast *t, thk_buf *out)
{
    buf_printf(out, "ma_viec,ngay,su_kien,so_tien,ghi_chu\n");
    for (size_t i = 0; i < t->nevents; i++) {
        const rule_event_ast *e = &t->events[i];
        rt_csv_field(out, e->ma_viec);
        buf_putc(out, ',');
        rt_csv_field(out, e->date);
        buf_putc(out, ',');
        rt_csv_field(out, e->su_kien);
        buf_putc(out, ',');
        rt_csv_field(out, e->so_tien ? e->so_tien : "");
        buf_putc(out, ',');
        rt_csv_field(out, e->ghi_chu ? e->ghi_chu : "");
        buf_putc(out, '\n');
    }
}

/* ---- one test ------------------------------------------------------------------------------- */

static void rt_cell_text(const form_cell *c, int kind, char *out, size_t n)
{
    if (c->empty)
        snprintf(out, n, "empty");
    else if (kind == FORM_KIND_RATE)
        snprintf(out, n, "%s%" PRId64 ".%02" PRId64 "%%", c->v < 0 ? "-" : "",
                 (c->v < 0 ? -c->v : c->v) / 100, (c->v < 0 ? -c->v : c->v) % 100);
    else
        snprintf(out, n, "%" PRId64, c->v);
}

static void rt_expected_text(const rule_expect_ast *x, int kind, char *out, size_t n)
{
    if (x->empty) {
        snprintf(out, n, "empty");
    } else if (x->is_percent || kind == FORM_KIND_RATE) {
        int64_t v = x->is_percent ? x->v : x->v * 100;
        form_cell c = {v, false};
        rt_cell_text(&c, FORM_KIND_RATE, out, n);
    } else {
        snprintf(out, n, "%" PRId64, x->v);
    }
}

static void rt_ref(const rule_expect_ast *x, thk_buf *b)
{
    if (x->is_count)
        buf_printf(b, "  %s.count", x->form);
    else
        buf_printf(b, "  %s[%s].%s", x->form, x->row, x->col);
}

/* The case screens' hits of a test's compute (rule_set_on_screen). */
static void rt_screen_case(void *ctx, const model *m, uint32_t case_idx, size_t screen,
                           const char *fields)
{
    (void)fields;
    const model_case *k = &m->cases[case_idx];
    screen_hits_add(ctx, screen, model_str(m, m->units[k->unit].code), model_str(m, k->chv));
}

/* The index of the screen whose id is `id`, or -1. */
static long rt_screen(const rule_set *rs, const char *id)
{
    for (size_t k = 0; k < rs->nscreens; k++)
        if (strcmp(rs->screens[k].ast->id, id) == 0)
            return (long)k;
    return -1;
}

/* SCREEN.count: its findings; SCREEN[UNIT].count: its findings on the unit's own line;
 * SCREEN[UNIT|CHV].count: on the officer's. */
static bool rt_check_screen(const rule_set *rs, const screen_result *sr, size_t si,
                            const rule_expect_ast *x, thk_buf *why)
{
    int64_t n = 0;
    for (size_t i = 0; i < sr->n; i++) {
        const screen_flag *f = &sr->flags[i];
        if (f->screen != si)
            continue;
        if (x->row) {
            thk_buf key = {0};
            buf_printf(&key, "%s%s%s", f->unit, f->chv[0] ? "|" : "", f->chv);
            bool same = strcmp(key.data, x->row) == 0;
            buf_free(&key);
            if (!same)
                continue;
        }
        n++;
    }
    (void)rs;
    if (!x->empty && !x->is_percent && n == x->v)
        return true;
    if (x->row)
        buf_printf(why, "  %s[%s].count", x->form, x->row);
    else
        buf_printf(why, "  %s.count", x->form);
    buf_printf(why, ": mong đợi %" PRId64 " phát hiện, được %" PRId64 "\n", x->v, n);
    return false;
}

static bool rt_check_one(const form_set *s, const rule_expect_ast *x, thk_buf *why)
{
    const form_table *t = agg_find_table(s, x->form);
    char want[48], got[48];
    if (!t) {
        rt_ref(x, why);
        buf_printf(why, ": biểu %s không được tính (biểu THAHC cần dòng thahc)\n", x->form);
        return false;
    }
    if (x->is_count) {
        if (!x->empty && !x->is_percent && (int64_t)t->nrows == x->v)
            return true;
        rt_ref(x, why);
        snprintf(want, sizeof want, "%" PRId64, x->v);
        buf_printf(why, ": mong đợi %s, được %zu\n", x->empty ? "empty" : want, t->nrows);
        return false;
    }
    long r = agg_find_row(t, x->row);
    long c = agg_find_col(t, x->col);
    if (r < 0 || c < 0) {
        rt_ref(x, why);
        if (c < 0) {
            buf_printf(why, ": không có cột '%s'\n", x->col);
            return false;
        }
        buf_printf(why, ": không có dòng '%s' (các dòng:", x->row);
        for (size_t i = 0; i < t->nrows && i < 30; i++)
            buf_printf(why, " %s", t->rows[i].key);
        buf_printf(why, "%s)\n", t->nrows > 30 ? " ..." : "");
        return false;
    }
    const form_cell *cell = form_cell_at(t, (size_t)r, (size_t)c);
    int kind = t->cols[c].kind;
    bool ok;
    if (x->empty)
        ok = cell->empty;
    else if (x->is_percent || kind == FORM_KIND_RATE)
        ok = !cell->empty && cell->v == (x->is_percent ? x->v : x->v * 100);
    else
        ok = !cell->empty && cell->v == x->v;
    if (ok)
        return true;
    rt_expected_text(x, kind, want, sizeof want);
    rt_cell_text(cell, kind, got, sizeof got);
    rt_ref(x, why);
    buf_printf(why, ": mong đợi %s, được %s\n", want, got);
    return false;
}

/* the required columns of schema.h ("" in place of the optional ones, skipped above) */
#define RT_X_REQUIRED(id, name, type, req) req ? name : "",
static const char *const rt_case_required[] = {SCHEMA_CASES(RT_X_REQUIRED) NULL};
static const char *const rt_thahc_required[] = {SCHEMA_THAHC(RT_X_REQUIRED) NULL};

bool rule_test_run(rule_set *rs, size_t i, thk_buf *why)
{
    const rule_test_ast *t = &rs->ast->tests[i];
    period p;
    bool ok = t->months ? period_months(t->year, t->months, rs->year_day, rs->year_month, &p)
                        : period_custom(t->from, t->to, rs->year_day, rs->year_month, &p);
    if (!ok) {
        buf_printf(why, "  kỳ của test không hợp lệ\n");
        return false;
    }
    model *m = model_new();
    reject_log *rej = rejects_new();
    load_opts o;
    memset(&o, 0, sizeof o);
    rule_set_fill_load_opts(rs, &o);
    o.rejects = rej;
    thk_buf csv = {0}, err = {0};
    load_stats st;
    int rc = 0;
    rt_rows_csv(t->cases, t->ncases, rt_case_required, o.aliases, o.naliases, LOAD_CASES, &csv);
    rc = load_memory(m, LOAD_CASES, "cases.csv", csv.data, csv.len, &o, &st, &err);
    if (!rc && (t->nevents || o.su_kien)) { /* rules without events need no su_kien map */
        buf_clear(&csv);
        rt_events_csv(t, &csv);
        rc = load_memory(m, LOAD_EVENTS, "events.csv", csv.data, csv.len, &o, &st, &err);
    }
    if (!rc && t->nthahc) {
        buf_clear(&csv);
        rt_rows_csv(t->thahc, t->nthahc, rt_thahc_required, o.aliases, o.naliases, LOAD_THAHC,
                    &csv);
        rc = load_memory(m, LOAD_THAHC, "thahc.csv", csv.data, csv.len, &o, &st, &err);
    }
    bool pass = true;
    if (rc) {
        buf_printf(why, "  không nạp được các dòng của test: %s\n", err.data ? err.data : "");
        pass = false;
    } else {
        model_finish(m);
        int status = 0;
        screen_hits hits = {0};
        rule_set_on_screen(rs, rt_screen_case, &hits);
        form_set *s = rule_compute(rs, m, &p, rej, &err, &status);
        rule_set_on_screen(rs, NULL, NULL);
        if (!s) {
            buf_printf(why, "  tính toán thất bại (mã %d): %s", status, err.data ? err.data : "");
            pass = false;
        } else {
            screen_result sr;
            screen_run(rs, s, &hits, NULL, &sr);
            for (size_t j = 0; j < t->nexpects; j++) {
                long si = rt_screen(rs, t->expects[j].form);
                pass &= si >= 0 ? rt_check_screen(rs, &sr, (size_t)si, &t->expects[j], why)
                                : rt_check_one(s, &t->expects[j], why);
            }
            screen_result_free(&sr);
            form_set_free(s);
        }
        screen_hits_free(&hits);
    }
    if (!pass) {
        thk_buf msg = {0};
        for (size_t k = 0; k < rejects_count(rej); k++) {
            const reject_entry *e = rejects_get(rej, k);
            rejects_message(e, &msg);
            buf_printf(why, "  ghi chú: %s dòng %u%s%s%s%s: %s [%s]\n", e->file, e->line,
                       e->column[0] ? " cột " : "", e->column, e->value[0] ? " " : "",
                       e->value, msg.data ? msg.data : "", thk_reject_code(e->code));
        }
        buf_free(&msg);
    }
    buf_free(&csv);
    buf_free(&err);
    rejects_free(rej);
    model_free(m);
    return pass;
}

static void rt_run(rule_set *rs, FILE *out, bool quiet, size_t *passed, size_t *failed)
{
    rs->coverage = true;
    for (size_t i = 0; i < rs->nmaps; i++)
        rule_map_reset_hits(rs->maps[i].map);
    for (size_t i = 0; i < rs->nlets; i++)
        rs->lets[i].seen_true = rs->lets[i].seen_false = rs->lets[i].seen_value = 0;
    thk_buf why = {0};
    for (size_t i = 0; i < rule_set_test_count(rs); i++) {
        buf_clear(&why);
        if (rule_test_run(rs, i, &why)) {
            if (!quiet)
                fprintf(out, "ĐẠT %s\n", rule_test_name(rs, i));
            (*passed)++;
        } else {
            fprintf(out, "KHÔNG ĐẠT %s\n%s", rule_test_name(rs, i), why.data ? why.data : "");
            (*failed)++;
        }
    }
    buf_free(&why);
    rs->coverage = false;
}

void rule_test_run_all(rule_set *rs, FILE *out, size_t *passed, size_t *failed)
{
    rt_run(rs, out, false, passed, failed);
}

/* ---- the shadowing heuristic ---------------------------------------------------------------- */

/* Appends one sample for the branch pat[a..b); false when the syntax is not followed. */
static bool rt_branch_sample(const char *pat, size_t a, size_t b, bool ext, thk_buf *out)
{
    size_t base = out->len;
    size_t atom = out->len;         /* start in out of the last atom */
    size_t gstack[64];              /* out positions of open groups */
    size_t depth = 0;
    size_t i = a;
    while (i < b) {
        char c = pat[i];
        if (ext && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
            i++;
            continue;
        }
        if (ext && c == '#') {
            while (i < b && pat[i] != '\n')
                i++;
            continue;
        }
        switch (c) {
        case '\\': {
            if (i + 1 >= b)
                return false;
            char e = pat[i + 1];
            atom = out->len;
            i += 2;
            switch (e) {
            case 's': case 'W': buf_putc(out, ' '); break;
            case 'd': buf_putc(out, '0'); break;
            case 'w': case 'S': case 'D': buf_putc(out, 'a'); break;
            case 'b': case 'B': case 'A': case 'z': case 'Z': case 'G': break;
            default:
                if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9'))
                    return false; /* \p{..}, \x{..}, back references, ... */
                buf_putc(out, e);
            }
            break;
        }
        case '(':
            if (i + 1 < b && pat[i + 1] == '?') {
                if (i + 2 < b && pat[i + 2] == ':')
                    i += 3;
                else
                    return false; /* lookaround, options, named groups */
            } else {
                i++;
            }
            if (depth == 64)
                return false;
            gstack[depth++] = out->len;
            break;
        case ')':
            if (depth == 0)
                return false;
            atom = gstack[--depth];
            i++;
            break;
        case '|': {
            /* an alternative inside a group: keep the first one, skip to the group's end */
            int d = 0;
            bool cls = false;
            while (i < b) {
                char k = pat[i];
                if (k == '\\') {
                    i += 2;
                    continue;
                }
                if (cls) {
                    if (k == ']')
                        cls = false;
                } else if (k == '[') {
                    cls = true;
                } else if (k == '(') {
                    d++;
                } else if (k == ')') {
                    if (d == 0)
                        break;
                    d--;
                }
                i++;
            }
            break;
        }
        case '[': {
            atom = out->len;
            i++;
            if (i < b && pat[i] == '^')
                return false;
            if (i < b && pat[i] == '\\') {
                if (i + 1 >= b)
                    return false;
                char e = pat[i + 1];
                buf_putc(out, e == 's' ? ' ' : e == 'd' ? '0' : e == 'w' ? 'a' : e);
            } else if (i < b) {
                size_t n = 1;
                unsigned char u = (unsigned char)pat[i];
                n = u < 0x80 ? 1 : (u >> 5) == 6 ? 2 : (u >> 4) == 14 ? 3 : 4;
                buf_append(out, pat + i, n);
            }
            bool first = true;
            while (i < b && (pat[i] != ']' || first)) {
                first = false;
                i += pat[i] == '\\' ? 2 : 1;
            }
            if (i >= b)
                return false;
            i++;
            break;
        }
        case '.':
            atom = out->len;
            buf_putc(out, 'a');
            i++;
            break;
        case '^':
        case '$':
            i++;
            break;
        case '*':
        case '?':
            out->len = atom; /* zero repetitions */
            if (out->data)
                out->data[out->len] = '\0';
            i++;
            if (i < b && (pat[i] == '?' || pat[i] == '+'))
                i++;
            break;
        case '+':
            i++;
            if (i < b && (pat[i] == '?' || pat[i] == '+'))
                i++;
            break;
        case '{': {
            size_t j = i + 1;
            long lo = 0;
            while (j < b && pat[j] >= '0' && pat[j] <= '9')
                lo = lo * 10 + (pat[j++] - '0');
            while (j < b && pat[j] != '}')
                j++;
            if (j >= b)
                return false;
            if (lo == 0) {
                out->len = atom;
                if (out->data)
                    out->data[out->len] = '\0';
            } else if (out->len > atom) {
                /* the atom lo times (a few at most): the sample must match the pattern */
                size_t an = out->len - atom;
                char rep[64];
                if (an <= sizeof rep) {
                    memcpy(rep, out->data + atom, an);
                    for (long r = 1; r < lo && r < 8; r++)
                        buf_append(out, rep, an);
                }
            }
            i = j + 1;
            break;
        }
        default: {
            atom = out->len;
            unsigned char u = (unsigned char)c;
            size_t n = u < 0x80 ? 1 : (u >> 5) == 6 ? 2 : (u >> 4) == 14 ? 3 : 4;
            if (i + n > b)
                n = b - i;
            buf_append(out, pat + i, n);
            i += n;
        }
        }
    }
    (void)base;
    return depth == 0;
}

size_t rule_test_samples(const char *pat, unsigned flags, thk_buf *out)
{
    buf_clear(out);
    buf_append(out, "", 0);
    size_t len = strlen(pat), start = 0, n = 0;
    int depth = 0;
    bool cls = false;
    for (size_t i = 0; i <= len; i++) {
        char c = i < len ? pat[i] : '|';
        if (i < len && c == '\\') {
            i++;
            continue;
        }
        if (cls) {
            if (c == ']')
                cls = false;
            continue;
        }
        if (c == '[') {
            cls = true;
            continue;
        }
        if (c == '(')
            depth++;
        else if (c == ')')
            depth--;
        else if (c == '|' && depth == 0) {
            if (!rt_branch_sample(pat, start, i, (flags & RULE_PAT_X) != 0, out))
                return 0;
            buf_putc(out, '\0');
            n++;
            start = i + 1;
        }
    }
    return n;
}

/* True when compiled pattern e matches every NUL-separated sample. */
static bool rt_matches_all(rule_pat *e, const thk_buf *samples, size_t n)
{
    const char *s = samples->data;
    for (size_t k = 0; k < n; k++) {
        size_t l = strlen(s);
        if (rule_pat_match(e, s, l) != RULE_MATCH_YES)
            return false;
        s += l + 1;
    }
    return true;
}

static bool rt_catch_all(rule_pat *e)
{
    static const char *const probes[] = {"", "zq9 ~x", "Đ"};
    for (size_t i = 0; i < 3; i++)
        if (rule_pat_match(e, probes[i], strlen(probes[i])) != RULE_MATCH_YES)
            return false;
    return true;
}

/* Copies at most `max` code points of pattern text s into out, never ending inside a UTF-8
 * sequence or on a lone backslash; "…" marks a cut. */
static void rt_excerpt(const char *s, size_t max, char *out, size_t outsz)
{
    size_t i = 0, cps = 0, len = strlen(s);
    while (i < len && cps < max) {
        i++;
        while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        cps++;
    }
    bool cut = i < len;
    if (cut) {
        size_t bs = 0;
        while (bs < i && s[i - 1 - bs] == '\\')
            bs++;
        if (bs % 2)
            i--; /* do not end on the first half of an escape */
    }
    snprintf(out, outsz, "%.*s%s", (int)i, s, cut ? "…" : "");
}

static void rt_alt_desc(const rule_set *rs, const rule_alt_ast *a, char *out, size_t n)
{
    char where[128], pat[256];
    rule_diag_where(&rs->diag, a->ploc, where, sizeof where);
    rt_excerpt(a->pat, 60, pat, sizeof pat);
    snprintf(out, n, "%s = /%s/%s%s%s (%s)", a->value, pat, a->flags & RULE_PAT_I ? "i" : "",
             a->flags & RULE_PAT_A ? "a" : "", a->flags & RULE_PAT_X ? "x" : "", where);
}

static size_t rt_shadowed(rule_set *rs, const rule_mapdef *md, FILE *out)
{
    const rule_map_ast *ma = md->ast;
    size_t found = 0;
    rule_pat **pats = thk_xcalloc(ma->nalts + 1, sizeof *pats);
    thk_buf nfc = {0}, samples = {0};
    char err[128], d1[512], d2[512];
    size_t off;
    for (size_t i = 0; i < ma->nalts; i++) {
        text_nfc(ma->alts[i].pat, ma->alts[i].plen, &nfc);
        pats[i] = rule_pat_compile(nfc.data ? nfc.data : "", nfc.len, ma->alts[i].flags, err,
                                   sizeof err, &off);
    }
    for (size_t j = 1; j < ma->nalts; j++) {
        const rule_alt_ast *later = &ma->alts[j];
        text_nfc(later->pat, later->plen, &nfc);
        size_t ns = rule_test_samples(nfc.data ? nfc.data : "", later->flags, &samples);
        for (size_t i = 0; i < j; i++) {
            const rule_alt_ast *early = &ma->alts[i];
            if (!pats[i])
                continue;
            unsigned need = later->flags & (RULE_PAT_I | RULE_PAT_A);
            bool covers = (early->flags & need) == need;
            bool shadow = rt_catch_all(pats[i]) ||
                          (covers && ns && rt_matches_all(pats[i], &samples, ns));
            if (!shadow)
                continue;
            rt_alt_desc(rs, later, d1, sizeof d1);
            rt_alt_desc(rs, early, d2, sizeof d2);
            fprintf(out, "  map %s: mẫu %s không bao giờ khớp: %s khớp trước\n",
                    ma->name, d1, d2);
            found++;
            break;
        }
    }
    for (size_t i = 0; i < ma->nalts; i++)
        rule_pat_free(pats[i]);
    free(pats);
    buf_free(&nfc);
    buf_free(&samples);
    return found;
}

size_t rule_test_coverage(rule_set *rs, FILE *out)
{
    size_t findings = 0, nalts = 0, nlets = 0;
    char desc[512];
    fprintf(out, "độ phủ:\n");
    for (size_t i = 0; i < rs->nmaps; i++) {
        const rule_mapdef *md = &rs->maps[i];
        for (size_t a = 0; a < md->ast->nalts && a < rule_map_alt_count(md->map); a++) {
            nalts++;
            if (rule_map_alt_hits(md->map, a))
                continue;
            rt_alt_desc(rs, &md->ast->alts[a], desc, sizeof desc);
            fprintf(out, "  map %s: chưa test nào dùng tới mẫu %s\n",
                    md->ast->name, desc);
            findings++;
        }
    }
    for (size_t i = 0; i < rs->nlets; i++) {
        const rule_letdef *l = &rs->lets[i];
        int ctx = l->node[l->home] >= 0 ? l->home : -1;
        if (ctx < 0 || l->slot[ctx] < 0)
            continue; /* a constant */
        nlets++;
        char where[128];
        rule_diag_where(&rs->diag, l->ast->loc, where, sizeof where);
        bool is_bool = rs->nodes[l->node[ctx]].type == RT_BOOL;
        const char *what = NULL;
        if (is_bool) {
            if (!l->seen_true && !l->seen_false)
                what = "chưa test nào tính tới";
            else if (!l->seen_true)
                what = "chưa bao giờ đúng trong các test";
            else if (!l->seen_false)
                what = "chưa bao giờ sai trong các test";
        } else if (!l->seen_value) {
            what = "chưa bao giờ có giá trị trong các test";
        }
        if (what) {
            fprintf(out, "  let %s (%s) %s\n", l->ast->name, where, what);
            findings++;
        }
    }
    for (size_t i = 0; i < rs->nmaps; i++)
        findings += rt_shadowed(rs, &rs->maps[i], out);
    fprintf(out, "  %zu mẫu của các map, %zu let: %zu phát hiện\n", nalts, nlets, findings);
    return findings;
}

/* ---- the subcommand ------------------------------------------------------------------------- */

static void rt_usage(FILE *f)
{
    fprintf(f, "Cách dùng: thongke check [--quiet] TỆP_QUY_TẮC...\n"
               "  Biên dịch từng tệp quy tắc (cùng các tệp nó include) thành một bộ quy tắc, chạy\n"
               "  các test của nó và in độ phủ.\n"
               "  --quiet   chỉ in các test không đạt và tổng số\n"
               "Mã thoát: 0 mọi test đạt, 1 sai cú pháp lệnh hoặc có test không đạt, 2 lỗi tệp quy "
               "tắc\n");
}

int check_main(int argc, char **argv)
{
    bool quiet = false;
    const char **files = thk_xcalloc((size_t)argc + 1, sizeof *files);
    size_t nfiles = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            rt_usage(stdout);
            free(files);
            return THK_EXIT_OK;
        } else if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0) {
            quiet = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "thongke check: tùy chọn không có '%s'\n", argv[i]);
            rt_usage(stderr);
            free(files);
            return THK_EXIT_USAGE;
        } else {
            files[nfiles++] = argv[i];
        }
    }
    if (nfiles == 0) {
        rt_usage(stderr);
        free(files);
        return THK_EXIT_USAGE;
    }
    rule_set **sets = thk_xcalloc(nfiles, sizeof *sets);
    bool bad = false;
    thk_buf diag = {0};
    for (size_t i = 0; i < nfiles; i++) {
        buf_clear(&diag);
        sets[i] = rule_set_load(&files[i], 1, &diag);
        if (!sets[i]) {
            bad = true;
            fputs(diag.data ? diag.data : "", stderr);
        }
    }
    buf_free(&diag);
    int rc = THK_EXIT_OK;
    if (bad) {
        rc = THK_EXIT_RULES;
    } else {
        size_t passed = 0, failed = 0;
        for (size_t i = 0; i < nfiles; i++) {
            if (nfiles > 1 && !quiet)
                printf("# %s\n", files[i]);
            rt_run(sets[i], stdout, quiet, &passed, &failed);
            if (!quiet)
                rule_test_coverage(sets[i], stdout);
        }
        printf("%zu đạt, %zu không đạt\n", passed, failed);
        rc = failed ? THK_EXIT_USAGE : THK_EXIT_OK;
    }
    for (size_t i = 0; i < nfiles; i++)
        rule_set_free(sets[i]);
    free(sets);
    free(files);
    return rc;
}
