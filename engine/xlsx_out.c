/* xlsx_out — lays the computed tables out as paper-form sheets with libxlsxwriter.
 *
 * Layout of a form sheet (0-based rows): 0–1 the reporting/receiving unit on the left and the
 * form code and circular on the right; 3 the title; 4 the period; 5 the unit of measure; from 7
 * the header rows (one per group level, then the column labels, merged down), the column-number
 * row, the data rows, the footer with the signatures, and on a sheet with a target column the
 * data and bar chart of that rate by unit. Numbers are written as numbers with formats; nothing
 * is a formula. Every choice depends only on the input, and the creation time is fixed, so the
 * same input gives the same bytes. */
#include "xlsx_out.h"
#include "xlsx_rows.h"
#include "xlsx_zip.h"

#include "read_date.h"
#include "read_money.h"
#include "read_text.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#define XO_FONT "Times New Roman"
#define XO_HEAD_ROW 7u          /* first header row of a table */
#define XO_MAX_DEPTH 6          /* header group levels followed at most */
#define XO_LINE_PT 15.0         /* height of one text line in points */
#define XO_EXACT (1LL << 53)    /* larger integers are not exact as doubles: written as text */
#define XO_STR_MAX 32000u       /* bytes kept of a string (Excel: 32767 characters) */
#define XO_EXCEL_EPOCH 25569    /* Excel serial of 1970-01-01 */
#define XO_MIN_WIDTH 72.0       /* a narrower table is widened so the blocks and footer fit */
#define XO_MAX_COLS_FAST 256    /* widest list whose rows xlsx_rows formats */

typedef struct {
    lxw_format *unit, *code, *circular, *title, *period, *measure, *head, *colnum;
    lxw_format *label, *label_b, *num, *num_b, *rate, *rate_b, *cell, *cell_b, *text, *date;
    lxw_format *sign_b, *sign_i, *note, *note_wrap, *bold, *cf_red, *cf_green, *plain, *lineno, *wrap;
} xo_formats;

typedef struct {
    lxw_workbook *wb;
    const xlsx_report *r;
    const char *unit, *receiver, *place;
    lxw_error lerr;       /* first libxlsxwriter error */
    char where[160];      /* the sheet it happened on */
    thk_buf tmp;          /* scratch for cleaned text */
    thk_buf tmp2;         /* scratch for composed text */
    char **names;         /* sheet names used so far */
    size_t nnames;
    const char *sheet;    /* current sheet name, for error messages */
    xo_formats f;
    bool cancelled;       /* the caller gave no manifest: stop */
} xo_ctx;

static void xo_check(xo_ctx *x, lxw_error e)
{
    if (e != LXW_NO_ERROR && x->lerr == LXW_NO_ERROR) {
        x->lerr = e;
        snprintf(x->where, sizeof x->where, "%s", x->sheet ? x->sheet : "");
    }
}

/* ---- text ----------------------------------------------------------------------------------- */

/* Text safe for a cell: valid UTF-8, every invalid byte written \xHH as in rejects.csv
 * (text_escape_invalid), at most XO_STR_MAX bytes (cut at a character, then "…"). Returns s
 * itself when it already is, else a copy in tmp (valid until the next call). */
static const char *xo_text_in(thk_buf *tmp, const char *s)
{
    if (!s)
        return "";
    size_t n = strlen(s);
    if (n <= XO_STR_MAX && text_utf8_invalid_at(s, n) < 0)
        return s;
    buf_clear(tmp);
    text_escape_invalid(tmp, s, n);
    if (tmp->len > XO_STR_MAX) {
        size_t cut = XO_STR_MAX;
        while (cut > 0 && ((unsigned char)tmp->data[cut] & 0xC0) == 0x80)
            cut--;
        tmp->len = cut;
        buf_append(tmp, "…", strlen("…"));
    }
    buf_append(tmp, "", 1);
    return tmp->data;
}

static const char *xo_text(xo_ctx *x, const char *s)
{
    return xo_text_in(&x->tmp, s);
}

/* Display length in characters (code points). */
static size_t xo_chars(const char *s)
{
    size_t n = 0;
    for (; s && *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

/* Characters a number takes with #,##0 (or 0.00 for rates). */
/* The money a form shows at (r, c): its balanced display value (display.h), or the exact
 * đồng divided by the form's scale. */
static int64_t xo_money(const form_table *t, size_t r, size_t c)
{
    if (t->shown)
        return t->shown[r * t->ncols + c].v;
    return money_scale(form_cell_at(t, r, c)->v, t->scale);
}

static size_t xo_num_chars(int64_t v, bool rate)
{
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    if (rate)
        a /= 100;
    size_t d = 1;
    while (a >= 10) {
        a /= 10;
        d++;
    }
    return d + (rate ? 3 : (d - 1) / 3) + (v < 0 ? 1 : 0);
}

/* ---- cells ---------------------------------------------------------------------------------- */

static void xo_str(xo_ctx *x, lxw_worksheet *ws, uint32_t row, size_t col, const char *s,
                   lxw_format *fmt)
{
    if (!s || !*s) {
        if (fmt)
            xo_check(x, worksheet_write_blank(ws, row, (lxw_col_t)col, fmt));
        return;
    }
    xo_check(x, worksheet_write_string(ws, row, (lxw_col_t)col, xo_text(x, s), fmt));
}

/* A merged range holding s; a single cell is written plainly. */
static void xo_merge(xo_ctx *x, lxw_worksheet *ws, uint32_t r1, size_t c1, uint32_t r2, size_t c2,
                     const char *s, lxw_format *fmt)
{
    if (r1 == r2 && c1 == c2) {
        xo_str(x, ws, r1, c1, s, fmt);
        return;
    }
    xo_check(x, worksheet_merge_range(ws, r1, (lxw_col_t)c1, r2, (lxw_col_t)c2, xo_text(x, s),
                                      fmt));
}

/* An integer as a number (as text beyond 2^53, where a double would not be exact). */
static void xo_int(xo_ctx *x, lxw_worksheet *ws, uint32_t row, size_t col, int64_t v,
                   lxw_format *fmt)
{
    if (v >= -XO_EXACT && v <= XO_EXACT) {
        xo_check(x, worksheet_write_number(ws, row, (lxw_col_t)col, (double)v, fmt));
    } else {
        char tmp[24];
        snprintf(tmp, sizeof tmp, "%" PRId64, v);
        xo_check(x, worksheet_write_string(ws, row, (lxw_col_t)col, tmp, fmt));
    }
}

/* ---- formats -------------------------------------------------------------------------------- */

enum { XO_B = 1, XO_I = 2, XO_BORDER = 4, XO_WRAP = 8, XO_CENTER = 16, XO_LEFT = 32,
       XO_VCENTER = 64, XO_RIGHT = 128 };

static lxw_format *xo_fmt(xo_ctx *x, unsigned flags, const char *num, double size)
{
    lxw_format *f = workbook_add_format(x->wb);
    format_set_font_name(f, XO_FONT);
    format_set_font_size(f, size);
    if (flags & XO_B)
        format_set_bold(f);
    if (flags & XO_I)
        format_set_italic(f);
    if (flags & XO_BORDER)
        format_set_border(f, LXW_BORDER_THIN);
    if (flags & XO_WRAP)
        format_set_text_wrap(f);
    if (flags & XO_CENTER)
        format_set_align(f, LXW_ALIGN_CENTER);
    if (flags & XO_LEFT)
        format_set_align(f, LXW_ALIGN_LEFT);
    if (flags & XO_RIGHT)
        format_set_align(f, LXW_ALIGN_RIGHT);
    if (flags & XO_VCENTER)
        format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
    if (num)
        format_set_num_format(f, num);
    return f;
}

static void xo_formats_init(xo_ctx *x)
{
    xo_formats *f = &x->f;
    f->unit = xo_fmt(x, XO_B | XO_CENTER | XO_VCENTER | XO_WRAP, NULL, 11);
    f->code = xo_fmt(x, XO_B | XO_CENTER | XO_VCENTER, NULL, 11);
    f->circular = xo_fmt(x, XO_I | XO_CENTER | XO_VCENTER | XO_WRAP, NULL, 11);
    f->title = xo_fmt(x, XO_B | XO_CENTER | XO_VCENTER | XO_WRAP, NULL, 14);
    f->period = xo_fmt(x, XO_CENTER | XO_VCENTER, NULL, 12);
    f->measure = xo_fmt(x, XO_I | XO_CENTER | XO_VCENTER, NULL, 11);
    f->head = xo_fmt(x, XO_B | XO_BORDER | XO_WRAP | XO_CENTER | XO_VCENTER, NULL, 11);
    format_set_bg_color(f->head, 0xF2F2F2);
    f->colnum = xo_fmt(x, XO_I | XO_BORDER | XO_CENTER | XO_VCENTER, NULL, 10);
    f->label = xo_fmt(x, XO_BORDER | XO_LEFT | XO_VCENTER | XO_WRAP, NULL, 11);
    f->label_b = xo_fmt(x, XO_B | XO_BORDER | XO_LEFT | XO_VCENTER | XO_WRAP, NULL, 11);
    f->num = xo_fmt(x, XO_BORDER | XO_VCENTER, "#,##0", 11);
    f->num_b = xo_fmt(x, XO_B | XO_BORDER | XO_VCENTER, "#,##0", 11);
    f->rate = xo_fmt(x, XO_BORDER | XO_VCENTER, "0.00", 11);
    f->rate_b = xo_fmt(x, XO_B | XO_BORDER | XO_VCENTER, "0.00", 11);
    f->cell = xo_fmt(x, XO_BORDER | XO_VCENTER, NULL, 11);
    f->cell_b = xo_fmt(x, XO_B | XO_BORDER | XO_VCENTER, NULL, 11);
    f->text = xo_fmt(x, XO_BORDER | XO_LEFT | XO_VCENTER, NULL, 11);
    f->date = xo_fmt(x, XO_BORDER | XO_CENTER | XO_VCENTER, "dd/mm/yyyy", 11);
    f->sign_b = xo_fmt(x, XO_B | XO_CENTER, NULL, 11);
    f->sign_i = xo_fmt(x, XO_I | XO_CENTER, NULL, 11);
    f->note = xo_fmt(x, XO_I | XO_LEFT, NULL, 11);
    f->note_wrap = xo_fmt(x, XO_I | XO_LEFT | XO_WRAP | XO_VCENTER, NULL, 11);
    f->bold = xo_fmt(x, XO_B | XO_LEFT, NULL, 11);
    f->plain = xo_fmt(x, XO_LEFT, NULL, 10);
    f->lineno = xo_fmt(x, XO_BORDER | XO_VCENTER, "0", 11);
    f->wrap = xo_fmt(x, XO_BORDER | XO_LEFT | XO_VCENTER | XO_WRAP, NULL, 11);
    f->cf_red = workbook_add_format(x->wb);
    format_set_bg_color(f->cf_red, 0xFFC7CE);
    format_set_font_color(f->cf_red, 0x9C0006);
    f->cf_green = workbook_add_format(x->wb);
    format_set_bg_color(f->cf_green, 0xC6EFCE);
    format_set_font_color(f->cf_green, 0x006100);
}

/* ---- sheets --------------------------------------------------------------------------------- */

static int xo_ascii_casecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int ca = (unsigned char)*a, cb = (unsigned char)*b;
        if (ca >= 'A' && ca <= 'Z')
            ca += 32;
        if (cb >= 'A' && cb <= 'Z')
            cb += 32;
        if (ca != cb || !ca)
            return ca - cb;
    }
}

/* A valid, unique sheet name from `want`: []:*?/\ become '-', control characters are dropped,
 * at most 31 UTF-16 units, no leading or trailing apostrophe; a clash gets "~2", "~3"... */
static const char *xo_sheet_name(xo_ctx *x, const char *want)
{
    const char *src = xo_text(x, want && *want ? want : "Sheet");
    char base[LXW_MAX_SHEETNAME_LENGTH];
    size_t bl = 0, units = 0, n = strlen(src), i = 0;
    size_t ends[LXW_SHEETNAME_MAX + 1]; /* byte length after each kept character */
    size_t nends = 0;
    while (i < n) {
        unsigned char lead = (unsigned char)src[i]; /* src is valid UTF-8 (xo_text) */
        size_t k = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
        if (k > n - i)
            k = n - i;
        size_t u = k == 4 ? 2 : 1;
        if (units + u > LXW_SHEETNAME_MAX)
            break;
        unsigned char c = (unsigned char)src[i];
        if (c < 0x20 || c == 0x7F) {
            i += k;
            continue;
        }
        if (strchr("[]:*?/\\", (char)c) && k == 1) {
            base[bl++] = '-';
        } else {
            memcpy(base + bl, src + i, k);
            bl += k;
        }
        units += u;
        ends[nends++] = bl;
        i += k;
    }
    base[bl] = '\0';
    while (bl && base[bl - 1] == '\'') {
        base[--bl] = '\0';
        nends--;
    }
    size_t start = 0;
    while (base[start] == '\'')
        start++;
    char name[LXW_MAX_SHEETNAME_LENGTH + 16];
    snprintf(name, sizeof name, "%s", base[start] ? base + start : "Sheet");
    for (unsigned k = 2;; k++) {
        bool clash = false;
        for (size_t j = 0; j < x->nnames && !clash; j++)
            clash = xo_ascii_casecmp(x->names[j], name) == 0;
        if (!clash)
            break;
        char suffix[16];
        int sl = snprintf(suffix, sizeof suffix, "~%u", k);
        /* Drop characters from the end until base + suffix fits in 31 units. */
        size_t keep = nends, kept_units = units;
        while (keep && kept_units + (size_t)sl > LXW_SHEETNAME_MAX) {
            keep--;
            kept_units--;
        }
        size_t bytes = keep ? ends[keep - 1] : 0;
        snprintf(name, sizeof name, "%.*s%s", (int)(bytes > start ? bytes - start : 0),
                 base + start, suffix);
    }
    x->names = thk_xrealloc(x->names, (x->nnames + 1) * sizeof *x->names);
    x->names[x->nnames] = thk_xstrdup(name);
    return x->names[x->nnames++];
}

/* A new sheet; `streamed` sheets use libxlsxwriter's constant-memory mode (rows must then be
 * written in order), which it takes per sheet from the workbook option at creation. */
static lxw_worksheet *xo_add_sheet(xo_ctx *x, const char *want, bool streamed)
{
    x->sheet = xo_sheet_name(x, want);
    x->wb->options.constant_memory = streamed ? LXW_TRUE : LXW_FALSE;
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, x->sheet);
    x->wb->options.constant_memory = LXW_FALSE;
    if (!ws)
        xo_check(x, LXW_ERROR_SHEETNAME_ALREADY_USED);
    return ws;
}

static void xo_page_setup(xo_ctx *x, lxw_worksheet *ws)
{
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9); /* A4 */
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_set_margins(ws, 0.4, 0.4, 0.5, 0.6);
    worksheet_center_horizontally(ws);
    xo_check(x, worksheet_set_footer(ws, "&CTrang &P/&N"));
}

/* Lines a text of `chars` characters needs in a cell `width` characters wide (bold ~10 % wider,
 * plus some slack for word wrapping). */
static double xo_lines(size_t chars, double width)
{
    if (chars == 0)
        return 1;
    double w = width > 2 ? width - 1 : 1;
    double l = (double)chars * 1.12 / w;
    double lines = (double)(size_t)l + (l > (double)(size_t)l ? 1 : 0);
    return lines < 1 ? 1 : lines > 10 ? 10 : lines;
}

/* "Tiêu đề (đồng)" for a money column of a list, whose values are in đồng. */
static const char *xo_col_label(xo_ctx *x, const form_table *t, size_t c)
{
    const char *l = t->cols[c].label ? t->cols[c].label : t->cols[c].code;
    if (!t->is_list || t->cols[c].kind != FORM_KIND_MONEY || strstr(l, "đồng"))
        return l;
    buf_clear(&x->tmp2);
    buf_printf(&x->tmp2, "%s (đồng)", l);
    return x->tmp2.data;
}

static const form_target *xo_target(const form_set *fs, const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < fs->ntargets; i++)
        if (fs->targets[i].name && strcmp(fs->targets[i].name, name) == 0)
            return &fs->targets[i];
    return NULL;
}

/* The place for "…, ngày … tháng … năm …": the text after "tỉnh " / "thành phố " in the unit
 * name, or dots. */
static void xo_place(const char *unit, thk_buf *out)
{
    static const char *const marks[] = {"tỉnh ", "Tỉnh ", "TỈNH ", "thành phố ", "Thành phố ",
                                        "THÀNH PHỐ ", "TP. ", "TP "};
    const char *best = NULL;
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
        const char *p = unit, *q;
        while ((q = strstr(p, marks[i])) != NULL) {
            const char *after = q + strlen(marks[i]);
            if (!best || after > best)
                best = after;
            p = q + 1;
        }
    }
    if (best) {
        while (*best == ' ')
            best++;
        size_t n = strlen(best);
        while (n && best[n - 1] == ' ')
            n--;
        if (n && best[0] != '.' && strncmp(best, "…", strlen("…")) != 0) {
            buf_append(out, best, n);
            return;
        }
    }
    buf_append(out, "……………", strlen("……………"));
}

/* The category label of a data row for the chart: its non-empty labels joined by " - ". */
static void xo_row_caption(const form_table *t, size_t r, thk_buf *out)
{
    buf_clear(out);
    const form_row *row = &t->rows[r];
    for (size_t i = 0; row->labels && i < t->nrowfields; i++)
        if (row->labels[i] && row->labels[i][0]) {
            if (out->len)
                buf_append(out, " - ", 3);
            buf_append(out, row->labels[i], strlen(row->labels[i]));
        }
    if (!out->len && row->key)
        buf_append(out, row->key, strlen(row->key));
    if (!out->data)
        buf_append(out, "", 0);
}

/* Writes "84.50" for a hundredths value. */
static void xo_hundredths(int64_t v, char out[32])
{
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    snprintf(out, 32, "%s%" PRIu64 ".%02" PRIu64, v < 0 ? "-" : "", a / 100, a % 100);
}

/* Colours the cells of column col in rows r1..r2 with fmt where formula holds. */
static void xo_formula_format(xo_ctx *x, lxw_worksheet *ws, uint32_t r1, uint32_t r2, size_t col,
                              char *formula, lxw_format *fmt)
{
    lxw_conditional_format cf;
    memset(&cf, 0, sizeof cf);
    cf.type = LXW_CONDITIONAL_TYPE_FORMULA;
    cf.value_string = formula;
    cf.format = fmt;
    xo_check(x, worksheet_conditional_format_range(ws, r1, (lxw_col_t)col, r2, (lxw_col_t)col,
                                                   &cf));
}

/* Conditional formatting of a rate column against its target: below red, at or above green;
 * empty cells stay uncoloured. */
static void xo_target_format(xo_ctx *x, lxw_worksheet *ws, uint32_t r1, uint32_t r2, size_t col,
                             int64_t target)
{
    char cell[16], tv[32], formula[96];
    lxw_rowcol_to_cell(cell, r1, (lxw_col_t)col);
    xo_hundredths(target, tv);
    snprintf(formula, sizeof formula, "=AND(ISNUMBER(%s),%s<%s)", cell, cell, tv);
    xo_formula_format(x, ws, r1, r2, col, formula, x->f.cf_red);
    snprintf(formula, sizeof formula, "=AND(ISNUMBER(%s),%s>=%s)", cell, cell, tv);
    xo_formula_format(x, ws, r1, r2, col, formula, x->f.cf_green);
}

/* Below the form: a small table (unit, rate, target) of the data rows and a column chart of the
 * rate with the target as a second series. Returns the last row used. */
/* What a rate column shows, for a chart's title: its group's label too ("Về tiền", "Tỷ lệ ...
 * về việc"), and việc or tiền when the words do not say it already. Appends to out. */
static void xo_rate_title(const form_table *t, size_t c, thk_buf *out)
{
    const char *label = t->cols[c].label ? t->cols[c].label : t->cols[c].code;
    int g = t->cols[c].group;
    const char *gl = g >= 0 && (size_t)g < t->ngroups ? t->groups[g].label : NULL;
    size_t from = out->len;
    if (gl && *gl)
        buf_printf(out, "%s — %s", gl, label);
    else
        buf_printf(out, "%s", label);
    uint8_t of = t->cols[c].rate_of;
    if ((of == FORM_KIND_COUNT || of == FORM_KIND_MONEY) && !strstr(out->data + from, "việc") &&
        !strstr(out->data + from, "tiền"))
        buf_printf(out, " về %s", of == FORM_KIND_MONEY ? "tiền" : "việc");
}

/* A chart of two series over rows first..last of the sheet being written: column 1 (the
 * rate) and column 2 (the target), named by row hr, categories in column 0. NULL (reported)
 * when libxlsxwriter runs out of memory. */
static lxw_chart *xo_rate_chart(xo_ctx *x, uint8_t type, uint32_t hr, uint32_t first,
                                uint32_t last)
{
    lxw_chart *chart = workbook_add_chart(x->wb, type);
    lxw_chart_series *s1 = chart ? chart_add_series(chart, NULL, NULL) : NULL;
    lxw_chart_series *s2 = chart ? chart_add_series(chart, NULL, NULL) : NULL;
    if (!s1 || !s2) {
        xo_check(x, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return NULL;
    }
    for (lxw_col_t k = 1; k <= 2; k++) {
        lxw_chart_series *sr = k == 1 ? s1 : s2;
        chart_series_set_categories(sr, x->sheet, first, 0, last, 0);
        chart_series_set_values(sr, x->sheet, first, k, last, k);
        chart_series_set_name_range(sr, x->sheet, hr, k);
    }
    return chart;
}

static uint32_t xo_chart(xo_ctx *x, lxw_worksheet *ws, const form_table *t, size_t c,
                         int64_t target, uint32_t at, const double *wid, size_t width)
{
    size_t ndata = 0;
    for (size_t r = 0; r < t->nrows; r++)
        ndata += t->rows[r].kind == FORM_ROW_DATA;
    if (ndata == 0)
        return at;
    const char *label = t->cols[c].label ? t->cols[c].label : t->cols[c].code;
    thk_buf cap = {0};
    buf_printf(&cap, "Số liệu biểu đồ: %s so với chỉ tiêu", label);
    xo_merge(x, ws, at, 0, at, 2, cap.data, x->f.bold);
    uint32_t hr = at + 1, first = at + 2, last = at + 1 + (uint32_t)ndata;
    xo_str(x, ws, hr, 0, t->nrowfields && t->rowfield_labels ? t->rowfield_labels[0] : "Đơn vị",
           x->f.head);
    xo_str(x, ws, hr, 1, label, x->f.head);
    xo_str(x, ws, hr, 2, "Chỉ tiêu (%)", x->f.head);
    double h1 = xo_lines(xo_chars(label), width > 1 ? wid[1] : 10);
    double h2 = xo_lines(xo_chars("Chỉ tiêu (%)"), width > 2 ? wid[2] : 10);
    xo_check(x, worksheet_set_row(ws, hr, (h1 > h2 ? h1 : h2) * XO_LINE_PT, NULL));
    /* The chart and its data print on a page of their own. */
    lxw_row_t breaks[] = {at, 0};
    xo_check(x, worksheet_set_h_pagebreaks(ws, breaks));
    uint32_t row = first;
    for (size_t r = 0; r < t->nrows; r++) {
        if (t->rows[r].kind != FORM_ROW_DATA)
            continue;
        xo_row_caption(t, r, &cap);
        xo_str(x, ws, row, 0, cap.data, x->f.label);
        const form_cell *cell = form_cell_at(t, r, c);
        if (cell->empty)
            xo_check(x, worksheet_write_blank(ws, row, 1, x->f.rate));
        else
            xo_check(x, worksheet_write_number(ws, row, 1, (double)cell->v / 100.0, x->f.rate));
        xo_check(x, worksheet_write_number(ws, row, 2, (double)target / 100.0, x->f.rate));
        row++;
    }

    lxw_chart *chart = xo_rate_chart(x, LXW_CHART_COLUMN, hr, first, last);
    if (!chart) {
        buf_free(&cap);
        return last;
    }
    buf_clear(&cap);
    xo_rate_title(t, c, &cap);
    buf_printf(&cap, " theo đơn vị, so với chỉ tiêu");
    chart_title_set_name(chart, xo_text(x, cap.data));
    chart_axis_set_name(chart->y_axis, "%");
    chart_axis_set_min(chart->y_axis, 0);
    chart_axis_set_num_format(chart->y_axis, "0");
    chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
    lxw_chart_options opt = {0};
    opt.x_scale = ndata > 8 ? 2.0 : 1.5;
    opt.y_scale = 1.3;
    opt.x_offset = 10;
    size_t chart_col = width > 6 ? 4 : 0;
    uint32_t chart_row = width > 6 ? at : last + 2;
    xo_check(x, worksheet_insert_chart_opt(ws, chart_row, (lxw_col_t)chart_col, chart, &opt));
    buf_free(&cap);
    return width > 6 ? last : last + 2 + 22;
}

/* Officers of one unit, for its chart: data rows [r0, r1) of t, sorted by column c's rate. */
typedef struct {
    const form_table *t;
    size_t c;
} xo_rank_ctx;

static const xo_rank_ctx *xo_ranking; /* qsort has no context; the writer is one thread */

static int xo_rank_cmp(const void *pa, const void *pb)
{
    const form_cell *a = form_cell_at(xo_ranking->t, *(const size_t *)pa, xo_ranking->c);
    const form_cell *b = form_cell_at(xo_ranking->t, *(const size_t *)pb, xo_ranking->c);
    if (a->empty != b->empty)
        return a->empty ? 1 : -1;
    if (!a->empty && a->v != b->v)
        return a->v > b->v ? -1 : 1;
    return *(const size_t *)pa < *(const size_t *)pb ? -1 : 1;
}

/* Forms by unit and officer: after the form, page by page, one horizontal bar chart per unit
 * of its officers' rate (column c) against the target, highest first, each bar labelled with
 * the officer's name alone; the chart's data beside it. Returns the row after the last. */
static uint32_t xo_officer_charts(xo_ctx *x, lxw_worksheet *ws, const form_table *t, size_t c,
                                  int64_t target, uint32_t at, const double *wid, size_t width)
{
    const char *label = t->cols[c].label ? t->cols[c].label : t->cols[c].code;
    /* each unit's block starts a page when it would not fit on the rest of one: the breaks
     * are the blocks' first rows, kept in rows_per_page steps */
    lxw_row_t *breaks = thk_xcalloc(t->nrows + 2, sizeof *breaks);
    size_t nbreaks = 0;
    uint32_t page_used = 0;
    const uint32_t rows_per_page = 40;
    size_t *idx = thk_xcalloc(t->nrows + 1, sizeof *idx);
    thk_buf cap = {0};
    uint32_t row = at;
    for (size_t r0 = 0; r0 < t->nrows;) {
        if (t->rows[r0].kind != FORM_ROW_DATA) {
            r0++;
            continue;
        }
        size_t r1 = r0, n = 0;
        const char *bar0 = strchr(t->rows[r0].key, '|');
        size_t ulen = bar0 ? (size_t)(bar0 - t->rows[r0].key) : strlen(t->rows[r0].key);
        while (r1 < t->nrows && t->rows[r1].kind == FORM_ROW_DATA &&
               strncmp(t->rows[r1].key, t->rows[r0].key, ulen) == 0 &&
               t->rows[r1].key[ulen] == '|')
            idx[n++] = r1++;
        if (r1 == r0) {
            r0++;
            continue;
        }
        double hpt = 100.0 + 26.0 * (double)n;
        uint32_t block = 3 + (uint32_t)((hpt < 288.0 ? 288.0 : hpt) * 0.75 / XO_LINE_PT) + 1;
        if (nbreaks == 0 || page_used + block > rows_per_page) {
            breaks[nbreaks++] = row;
            page_used = 0;
        }
        page_used += block;
        xo_rank_ctx rc = {t, c};
        xo_ranking = &rc;
        qsort(idx, n, sizeof *idx, xo_rank_cmp);
        xo_ranking = NULL;
        const char *unit = t->rows[r0].labels && t->rows[r0].labels[0] && t->rows[r0].labels[0][0]
                               ? t->rows[r0].labels[0]
                               : t->rows[r0].key;
        buf_clear(&cap);
        buf_printf(&cap, "%.*s", (int)(unit == t->rows[r0].key ? ulen : strlen(unit)), unit);
        xo_merge(x, ws, row, 0, row, 2, cap.data, x->f.bold);
        uint32_t hr = row + 1, first = row + 2, last = row + 1 + (uint32_t)n;
        double h1 = xo_lines(xo_chars(label), width > 1 ? wid[1] : 10);
        double h2 = xo_lines(xo_chars("Chỉ tiêu (%)"), width > 2 ? wid[2] : 10);
        xo_check(x, worksheet_set_row(ws, hr, (h1 > h2 ? h1 : h2) * XO_LINE_PT, NULL));
        xo_str(x, ws, hr, 0, "Chấp hành viên", x->f.head);
        xo_str(x, ws, hr, 1, label, x->f.head);
        xo_str(x, ws, hr, 2, "Chỉ tiêu (%)", x->f.head);
        for (size_t k = 0; k < n; k++) {
            const form_row *fr = &t->rows[idx[k]];
            const char *name = fr->labels && fr->labels[1] && fr->labels[1][0] ? fr->labels[1]
                                                                              : "(trống)";
            xo_str(x, ws, first + (uint32_t)k, 0, name, x->f.label);
            const form_cell *cell = form_cell_at(t, idx[k], c);
            if (cell->empty)
                xo_check(x, worksheet_write_blank(ws, first + (uint32_t)k, 1, x->f.rate));
            else
                xo_check(x, worksheet_write_number(ws, first + (uint32_t)k, 1,
                                                   (double)cell->v / 100.0, x->f.rate));
            xo_check(x, worksheet_write_number(ws, first + (uint32_t)k, 2,
                                               (double)target / 100.0, x->f.rate));
        }
        lxw_chart *chart = xo_rate_chart(x, LXW_CHART_BAR, hr, first, last);
        if (!chart)
            break;
        buf_clear(&cap);
        buf_printf(&cap, "%.*s: ", (int)(unit == t->rows[r0].key ? ulen : strlen(unit)), unit);
        xo_rate_title(t, c, &cap);
        chart_title_set_name(chart, xo_text(x, cap.data));
        chart_axis_set_min(chart->x_axis, 0);
        chart_axis_set_max(chart->x_axis, 100);
        chart_axis_set_num_format(chart->x_axis, "0");
        chart_axis_set_reverse(chart->y_axis); /* the highest rate on top */
        chart_axis_set_interval_unit(chart->y_axis, 1); /* every officer's name */
        chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
        lxw_chart_options opt = {0};
        opt.x_scale = 1.6;
        /* room for every officer's name: about 26 points a bar pair, 100 for title and legend */
        double height = 100.0 + 26.0 * (double)n;
        opt.y_scale = height < 288.0 ? 1.0 : height / 288.0;
        uint32_t chart_rows = (uint32_t)((height < 288.0 ? 288.0 : height) * 0.75 / XO_LINE_PT) + 1;
        xo_check(x, worksheet_insert_chart_opt(ws, row, 4, chart, &opt));
        row = last + 1;
        uint32_t below = row - (uint32_t)n - 1 + chart_rows;
        row = row > below ? row : below;
        r0 = r1;
    }
    if (nbreaks)
        xo_check(x, worksheet_set_h_pagebreaks(ws, breaks));
    free(breaks);
    buf_free(&cap);
    free(idx);
    return row;
}

/* ---- long lists: rows formatted on two threads (xlsx_rows) ---------------------------------- */

#define XO_ROWS_CHUNK 4096u /* rows a thread formats before they are handed to the sheet */

/* The format of a figure's cell in column c of a row, bold (b) or not. */
static lxw_format *xo_value_fmt(xo_ctx *x, const form_table *t, size_t c, int b,
                                lxw_format *const *cfmt)
{
    switch (t->cols[c].kind) {
    case FORM_KIND_RATE:
        return cfmt[2 * c + (size_t)b] ? cfmt[2 * c + (size_t)b] : b ? x->f.rate_b : x->f.rate;
    case FORM_KIND_TEXT:
        return b ? x->f.cell_b : x->f.wrap;
    case FORM_KIND_DATE:
        return x->f.date;
    default:
        return cfmt[2 * c + (size_t)b] ? cfmt[2 * c + (size_t)b] : b ? x->f.num_b : x->f.num;
    }
}

/* Lines the tallest text of row r needs (1 at least): its row is made that tall. */
static double xo_row_lines(const form_table *t, size_t r, size_t nf, const double *wid)
{
    double lines = 1;
    size_t nc = t->ncols;
    for (size_t c = 0; c < nc; c++)
        if (t->cols[c].kind == FORM_KIND_TEXT && t->texts && t->texts[r * nc + c]) {
            double l = xo_lines(xo_chars(t->texts[r * nc + c]), wid[nf + c]);
            lines = l > lines ? l : lines;
        }
    return lines;
}

/* What the threads share: the table, where it starts, and each cell's xf index by column
 * (row fields first) and weight (plain, bold). */
typedef struct {
    const form_table *t;
    size_t nf;
    uint32_t ds;
    const double *wid;
    const int32_t *style; /* [2 * (nf + ncols)] */
} xo_rows_plan;

typedef struct {
    const xo_rows_plan *p;
    size_t r0, r1;
    thk_buf out, tmp;
} xo_rows_job;

/* A text cell: a blank when empty, else the cleaned text (xo_str's rule). */
static void xo_rows_text(xo_rows_job *j, const char *col, uint32_t row, int32_t style,
                         const char *v)
{
    if (!v || !*v)
        xlsx_rows_blank(&j->out, col, row, style);
    else
        xlsx_rows_string(&j->out, col, row, style, xo_text_in(&j->tmp, v));
}

/* Rows [r0, r1) of the table as sheet XML, cell for cell what xo_table's loop writes. */
static void *xo_rows_run(void *arg)
{
    xo_rows_job *j = arg;
    const xo_rows_plan *p = j->p;
    const form_table *t = p->t;
    size_t nf = p->nf, nc = t->ncols, W = nf + nc;
    char cols[XO_MAX_COLS_FAST][4], num[24];
    for (size_t c = 0; c < W; c++)
        xlsx_rows_col_name(cols[c], (uint16_t)c);
    buf_clear(&j->out);
    for (size_t r = j->r0; r < j->r1; r++) {
        const form_row *fr = &t->rows[r];
        uint32_t row = p->ds + (uint32_t)r;
        int b = fr->kind != FORM_ROW_DATA;
        double lines = xo_row_lines(t, r, nf, p->wid);
        xlsx_rows_open(&j->out, row, lines > 1 ? lines * XO_LINE_PT : LXW_DEF_ROW_HEIGHT);
        bool cong = fr->kind != FORM_ROW_SUBTOTAL;
        for (size_t k = 0; k < W; k++) {
            const char *col = cols[k];
            int32_t st = p->style[2 * k + (size_t)b];
            if (k < nf) {
                const char *v = fr->labels ? fr->labels[k] : (k ? "" : fr->key);
                if (!cong && k > 0 && (!v || !v[0])) {
                    v = "Cộng";
                    cong = true;
                }
                xo_rows_text(j, col, row, st, v);
                continue;
            }
            size_t c = k - nf;
            const form_cell *cell = form_cell_at(t, r, c);
            switch (t->cols[c].kind) {
            case FORM_KIND_RATE:
                if (cell->empty)
                    xlsx_rows_blank(&j->out, col, row, st);
                else
                    xlsx_rows_number(&j->out, col, row, st, (double)cell->v / 100.0);
                break;
            case FORM_KIND_TEXT:
                xo_rows_text(j, col, row, st, t->texts ? t->texts[r * nc + c] : NULL);
                break;
            case FORM_KIND_DATE:
                if (cell->empty || cell->v == THK_DATE_NONE)
                    xlsx_rows_blank(&j->out, col, row, st);
                else
                    xlsx_rows_int(&j->out, col, row, st, cell->v + XO_EXCEL_EPOCH);
                break;
            default:
                if (cell->empty) {
                    xlsx_rows_blank(&j->out, col, row, st);
                } else if (cell->v >= -XO_EXACT && cell->v <= XO_EXACT) {
                    xlsx_rows_int(&j->out, col, row, st, cell->v);
                } else { /* xo_int's rule: as text beyond 2^53 */
                    snprintf(num, sizeof num, "%" PRId64, cell->v);
                    xlsx_rows_string(&j->out, col, row, st, num);
                }
                break;
            }
        }
        xlsx_rows_close(&j->out);
    }
    return NULL;
}

/* Writes a list's data rows through xlsx_rows, in chunks, two at a time when the report has
 * two threads; false (nothing written) when the sheet or the table is outside what it does
 * (a merged total row), and xo_table's loop writes them. The formats get their xf indexes
 * first, in the order the loop's cells would give them, so the bytes are the same. */
static bool xo_rows_fast(xo_ctx *x, lxw_worksheet *ws, const form_table *t, uint32_t ds,
                         size_t nf, const double *wid, lxw_format *const *cfmt)
{
    size_t W = nf + t->ncols;
    if (!t->is_list || x->r->rows_by_library || !xlsx_rows_supported(ws) ||
        W > XO_MAX_COLS_FAST)
        return false;
    size_t first[2] = {SIZE_MAX, SIZE_MAX};
    for (size_t r = 0; r < t->nrows; r++) {
        if (t->rows[r].kind == FORM_ROW_TOTAL && nf > 1)
            return false;
        int b = t->rows[r].kind != FORM_ROW_DATA;
        if (first[b] == SIZE_MAX)
            first[b] = r;
    }
    if (t->nrows == 0)
        return true;
    xlsx_rows_begin(ws); /* the last header row goes out, its formats numbered first */
    int32_t *style = thk_xcalloc(2 * W, sizeof *style);
    int order[2] = {first[0] <= first[1] ? 0 : 1, first[0] <= first[1] ? 1 : 0};
    for (int o = 0; o < 2; o++) {
        int b = order[o];
        if (first[b] == SIZE_MAX)
            continue;
        for (size_t k = 0; k < W; k++) {
            lxw_format *f = k < nf ? (b ? x->f.label_b : x->f.label)
                                   : xo_value_fmt(x, t, k - nf, b, cfmt);
            style[2 * k + (size_t)b] = f ? lxw_format_get_xf_index(f) : 0;
        }
    }
    xo_rows_plan plan = {t, nf, ds, wid, style};
    xo_rows_job jobs[2] = {{.p = &plan}, {.p = &plan}};
    bool two = x->r->threads > 1 && t->nrows >= 2 * XO_ROWS_CHUNK;
    for (size_t r = 0; r < t->nrows && x->lerr == LXW_NO_ERROR; r += 2 * (size_t)XO_ROWS_CHUNK) {
        jobs[0].r0 = r;
        jobs[0].r1 = r + XO_ROWS_CHUNK < t->nrows ? r + XO_ROWS_CHUNK : t->nrows;
        jobs[1].r0 = jobs[0].r1;
        jobs[1].r1 = jobs[1].r0 + XO_ROWS_CHUNK < t->nrows ? jobs[1].r0 + XO_ROWS_CHUNK
                                                           : t->nrows;
        thk_twin(two && jobs[1].r0 < jobs[1].r1, xo_rows_run, &jobs[0], &jobs[1]);
        xo_check(x, xlsx_rows_put(ws, &jobs[0].out));
        xo_check(x, xlsx_rows_put(ws, &jobs[1].out));
    }
    xlsx_rows_end(ws, ds, ds + (uint32_t)t->nrows - 1, 0, (uint16_t)(W - 1));
    for (int k = 0; k < 2; k++) {
        buf_free(&jobs[k].out);
        buf_free(&jobs[k].tmp);
    }
    free(style);
    return true;
}

/* One table (form or list) on its own sheet. */
static void xo_table(xo_ctx *x, const form_table *t, const form_set *fs)
{
    /* A list with a single header row is written row by row in constant memory: lists can
     * hold hundreds of thousands of cases. Forms (merged multi-row headers) stay in memory. */
    bool flat = t->is_list;
    for (size_t c = 0; flat && c < t->ncols; c++)
        flat = t->cols[c].group < 0 || (size_t)t->cols[c].group >= t->ngroups;
    lxw_worksheet *ws = xo_add_sheet(x, t->id, flat);
    if (!ws)
        return;
    size_t nf = t->nrowfields, nc = t->ncols, W = nf + nc;
    if (W == 0 || W > LXW_COL_MAX || t->nrows > LXW_ROW_MAX - 64) {
        xo_check(x, LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE);
        return;
    }
    bool list = t->is_list;
    size_t L = W >= 2 ? W / 2 : 1; /* left block: columns [0, L), right block: [L, W) */

    /* Header structure: the group chain of each column, outermost first. */
    int *grp = thk_xcalloc(nc ? nc * XO_MAX_DEPTH : 1, sizeof *grp);
    size_t *depth = thk_xcalloc(nc ? nc : 1, sizeof *depth);
    size_t D = 0;
    for (size_t c = 0; c < nc; c++) {
        int chain[XO_MAX_DEPTH];
        size_t k = 0;
        for (int g = t->cols[c].group; g >= 0 && (size_t)g < t->ngroups && k < XO_MAX_DEPTH;
             g = t->groups[g].parent)
            chain[k++] = g;
        for (size_t l = 0; l < k; l++)
            grp[c * XO_MAX_DEPTH + l] = chain[k - 1 - l];
        depth[c] = k;
        if (k > D)
            D = k;
    }
    uint32_t h0 = XO_HEAD_ROW, hl = h0 + (uint32_t)D;
    uint32_t ds = list ? hl + 1 : hl + 2; /* first data row */

    /* Column widths. */
    double *wid = thk_xcalloc(W, sizeof *wid);
    for (size_t i = 0; i < nf; i++) {
        size_t m = xo_chars(t->rowfield_labels ? t->rowfield_labels[i] : "") / 2;
        for (size_t r = 0; r < t->nrows; r++) {
            const char *s = t->rows[r].labels ? t->rows[r].labels[i] : (i ? "" : t->rows[r].key);
            size_t n = xo_chars(s);
            if (n > m)
                m = n;
        }
        wid[i] = (double)(m < 8 ? 8 : m > 40 ? 40 : m) + 2;
    }
    for (size_t c = 0; c < nc; c++) {
        const form_column *col = &t->cols[c];
        size_t m = 0;
        for (size_t r = 0; r < t->nrows; r++) {
            const form_cell *cell = form_cell_at(t, r, c);
            size_t n = 0;
            if (col->kind == FORM_KIND_TEXT)
                n = xo_chars(t->texts ? t->texts[r * nc + c] : NULL);
            else if (col->kind == FORM_KIND_DATE)
                n = 10;
            else if (!cell->empty)
                n = xo_num_chars(col->kind == FORM_KIND_MONEY && !list ? xo_money(t, r, c)
                                                                       : cell->v,
                                 col->kind == FORM_KIND_RATE);
            if (n > m)
                m = n;
        }
        size_t dflt = col->kind == FORM_KIND_RATE ? 8 : col->kind == FORM_KIND_MONEY ? 12 : 9;
        size_t w = m + 2 > dflt ? m + 2 : dflt;
        if (col->kind == FORM_KIND_TEXT)
            w = m < 8 ? 10 : m > 40 ? 42 : m + 2;
        if (list) { /* one header row: keep labels to about three lines */
            size_t hw = (xo_chars(xo_col_label(x, t, c)) + 2) / 3 + 2;
            if (hw > w)
                w = hw > 30 ? 30 : hw;
        }
        if (col->width)
            w = col->width;
        wid[nf + c] = (double)w;
    }
    double total_w = 0;
    for (size_t i = 0; i < W; i++)
        total_w += wid[i];
    if (total_w < XO_MIN_WIDTH) {
        for (size_t i = 0; i < W; i++)
            wid[i] = (double)(int)(wid[i] * XO_MIN_WIDTH / total_w + 0.5);
    }
    total_w = 0;
    for (size_t i = 0; i < W; i++) {
        total_w += wid[i];
        xo_check(x, worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i, wid[i], NULL));
    }
    double left_w = 0;
    for (size_t i = 0; i < L && i < W; i++)
        left_w += wid[i];

    /* Top blocks, title, period, unit of measure. */
    /* Rows are written strictly in order (a constant-memory sheet drops anything else). */
    thk_buf s = {0};
    bool right = t->form_code && W > L;
    buf_printf(&s, "Đơn vị báo cáo: %s", x->unit);
    xo_merge(x, ws, 0, 0, 0, L - 1, s.data, x->f.unit);
    if (right)
        xo_merge(x, ws, 0, L, 0, W - 1, t->form_code, x->f.code);
    buf_clear(&s);
    buf_printf(&s, "Đơn vị nhận báo cáo: %s", x->receiver);
    double top = xo_lines(xo_chars(s.data), left_w);
    if (right && fs->basis) {
        double cl = xo_lines(xo_chars(fs->basis), total_w - left_w);
        if (cl > top)
            top = cl;
    }
    xo_check(x, worksheet_set_row(ws, 1, top * XO_LINE_PT, NULL));
    xo_merge(x, ws, 1, 0, 1, L - 1, s.data, x->f.unit);
    if (right && fs->basis)
        xo_merge(x, ws, 1, L, 1, W - 1, fs->basis, x->f.circular);
    xo_merge(x, ws, 3, 0, 3, W - 1, t->title ? t->title : t->id, x->f.title);
    xo_check(x, worksheet_set_row(ws, 3,
                                  xo_lines(xo_chars(t->title ? t->title : t->id), total_w / 1.3) *
                                      19.0,
                                  NULL));
    buf_clear(&s);
    buf_append(&s, "Kỳ báo cáo: ", strlen("Kỳ báo cáo: "));
    period_describe(&x->r->per, &s);
    xo_merge(x, ws, 4, 0, 4, W - 1, s.data, x->f.period);
    if (t->subtitle && t->subtitle[0])
        xo_merge(x, ws, 5, 0, 5, W - 1, t->subtitle, x->f.measure);

    /* Header: row fields merged down, groups merged across, labels merged down. */
    double rowh[XO_MAX_DEPTH + 1];
    for (size_t l = 0; l <= D; l++)
        rowh[l] = XO_LINE_PT;
    for (size_t i = 0; i < nf; i++)
        xo_merge(x, ws, h0, i, hl, i, t->rowfield_labels ? t->rowfield_labels[i] : "",
                 x->f.head);
    for (size_t l = 0; l < D; l++) {
        size_t c = 0;
        while (c < nc) {
            if (depth[c] <= l) {
                c++;
                continue;
            }
            int g = grp[c * XO_MAX_DEPTH + l];
            size_t e = c;
            double w = wid[nf + c];
            while (e + 1 < nc && depth[e + 1] > l && grp[(e + 1) * XO_MAX_DEPTH + l] == g) {
                e++;
                w += wid[nf + e];
            }
            const char *gl = t->groups[g].label ? t->groups[g].label : "";
            xo_merge(x, ws, h0 + (uint32_t)l, nf + c, h0 + (uint32_t)l, nf + e, gl, x->f.head);
            double need = xo_lines(xo_chars(gl), w) * XO_LINE_PT;
            if (need > rowh[l])
                rowh[l] = need;
            c = e + 1;
        }
    }
    for (size_t c = 0; c < nc; c++) {
        const char *lab = xo_col_label(x, t, c);
        size_t r1 = depth[c];
        xo_merge(x, ws, h0 + (uint32_t)r1, nf + c, hl, nf + c, lab, x->f.head);
        double need = xo_lines(xo_chars(lab), wid[nf + c]) * XO_LINE_PT;
        if (r1 == D && need > rowh[D])
            rowh[D] = need;
    }
    for (size_t c = 0; c < nc; c++) { /* labels merged down: grow their last row if needed */
        size_t r1 = depth[c];
        if (r1 == D)
            continue;
        double need = xo_lines(xo_chars(xo_col_label(x, t, c)), wid[nf + c]) * XO_LINE_PT;
        double have = 0;
        for (size_t l = r1; l <= D; l++)
            have += rowh[l];
        if (have < need)
            rowh[D] += need - have;
    }
    for (size_t i = 0; i < nf; i++) {
        double need =
            xo_lines(xo_chars(t->rowfield_labels ? t->rowfield_labels[i] : ""), wid[i]) *
            XO_LINE_PT;
        double have = 0;
        for (size_t l = 0; l <= D; l++)
            have += rowh[l];
        if (have < need)
            rowh[D] += need - have;
    }
    for (size_t l = 0; l <= D; l++)
        xo_check(x, worksheet_set_row(ws, h0 + (uint32_t)l, rowh[l], NULL));

    /* Column numbers: row fields A, B…, figures 1, 2… */
    if (!list) {
        char tmp[24];
        for (size_t i = 0; i < nf; i++) {
            snprintf(tmp, sizeof tmp, "%c", (char)('A' + (i % 26)));
            xo_str(x, ws, hl + 1, i, tmp, x->f.colnum);
        }
        for (size_t c = 0; c < nc; c++) {
            snprintf(tmp, sizeof tmp, "%zu", c + 1);
            xo_str(x, ws, hl + 1, nf + c, tmp, x->f.colnum);
        }
    }

    /* A column with a number format hint from the rules gets its own formats (plain, bold). */
    lxw_format **cfmt = thk_xcalloc(2 * nc + 1, sizeof *cfmt);
    for (size_t c = 0; c < nc; c++)
        if (t->cols[c].format && t->cols[c].kind != FORM_KIND_TEXT &&
            t->cols[c].kind != FORM_KIND_DATE) {
            cfmt[2 * c] = xo_fmt(x, XO_BORDER | XO_VCENTER, t->cols[c].format, 11);
            cfmt[2 * c + 1] = xo_fmt(x, XO_B | XO_BORDER | XO_VCENTER, t->cols[c].format, 11);
        }

    /* Data rows. */
    bool fast = xo_rows_fast(x, ws, t, ds, nf, wid, cfmt);
    for (size_t r = 0; !fast && r < t->nrows; r++) {
        const form_row *fr = &t->rows[r];
        uint32_t row = ds + (uint32_t)r;
        bool b = fr->kind != FORM_ROW_DATA;
        lxw_format *lab = b ? x->f.label_b : x->f.label;
        if (fr->kind == FORM_ROW_TOTAL && nf > 1) {
            xo_merge(x, ws, row, 0, row, nf - 1, fr->labels ? fr->labels[0] : fr->key, lab);
        } else {
            bool cong = fr->kind != FORM_ROW_SUBTOTAL;
            for (size_t i = 0; i < nf; i++) {
                const char *v = fr->labels ? fr->labels[i] : (i ? "" : fr->key);
                if (!cong && i > 0 && (!v || !v[0])) {
                    v = "Cộng";
                    cong = true;
                }
                xo_str(x, ws, row, i, v, lab);
            }
        }
        /* text longer than its column wraps, and its row is made tall enough for it */
        double lines = xo_row_lines(t, r, nf, wid);
        if (lines > 1)
            xo_check(x, worksheet_set_row(ws, row, lines * XO_LINE_PT, NULL));
        for (size_t c = 0; c < nc; c++) {
            const form_cell *cell = form_cell_at(t, r, c);
            size_t col = nf + c;
            lxw_format *vf = xo_value_fmt(x, t, c, b, cfmt);
            switch (t->cols[c].kind) {
            case FORM_KIND_RATE:
                if (cell->empty)
                    xo_check(x, worksheet_write_blank(ws, row, (lxw_col_t)col, vf));
                else
                    xo_check(x, worksheet_write_number(ws, row, (lxw_col_t)col,
                                                       (double)cell->v / 100.0, vf));
                break;
            case FORM_KIND_TEXT:
                xo_str(x, ws, row, col, t->texts ? t->texts[r * nc + c] : NULL, vf);
                break;
            case FORM_KIND_DATE:
                if (cell->empty || cell->v == THK_DATE_NONE)
                    xo_check(x, worksheet_write_blank(ws, row, (lxw_col_t)col, vf));
                else
                    xo_check(x, worksheet_write_number(ws, row, (lxw_col_t)col,
                                                       (double)(cell->v + XO_EXCEL_EPOCH), vf));
                break;
            default:
                if (cell->empty)
                    xo_check(x, worksheet_write_blank(ws, row, (lxw_col_t)col, vf));
                else if (t->cols[c].kind == FORM_KIND_MONEY && !list)
                    xo_int(x, ws, row, col, xo_money(t, r, c), vf);
                else
                    xo_int(x, ws, row, col, cell->v, vf);
                break;
            }
        }
    }
    free(cfmt);
    uint32_t last = ds + (uint32_t)(t->nrows ? t->nrows : 1) - 1;
    if (t->nrows == 0)
        xo_merge(x, ws, ds, 0, ds, W - 1, "Không có dòng nào.", x->f.note);

    worksheet_freeze_panes(ws, ds, (lxw_col_t)nf);
    xo_check(x, worksheet_repeat_rows(ws, h0, ds - 1));
    xo_page_setup(x, ws);
    if (list && t->nrows)
        xo_check(x, worksheet_autofilter(ws, hl, 0, last, (lxw_col_t)(W - 1)));

    /* Targets: conditional formats on each rate column that has one, a chart of the first. */
    size_t chart_col = nc;
    int64_t chart_target = 0;
    if (!list && t->nrows) {
        for (size_t c = 0; c < nc; c++) {
            const form_target *tg = xo_target(fs, t->cols[c].target);
            /* colours on every target column; a chart for forms by unit (one bar a unit) and for
             * forms by unit and officer (one chart per unit: its officers, ranked) */
            if (!tg || t->cols[c].kind != FORM_KIND_RATE)
                continue;
            xo_target_format(x, ws, ds, last, nf + c, tg->v);
            if (chart_col == nc) {
                chart_col = c;
                chart_target = tg->v;
            }
        }
    }

    /* Under a form whose money is rounded to a larger unit: how, and where the exact figures are */
    if (!list && t->shown && t->scale > 1) {
        char unit[32], *u = unit + sizeof unit - 1;
        *u = '\0';
        for (int64_t v = t->scale, k = 0; v > 0; v /= 10, k++) {
            if (k && k % 3 == 0)
                *--u = '.';
            *--u = (char)('0' + v % 10);
        }
        buf_clear(&s);
        buf_printf(&s, "Ghi chú: số tiền làm tròn đến %s đồng và đã cân đối để mỗi dòng tổng cộng "
                       "bằng tổng các dòng, các đẳng thức của biểu vẫn đúng; số chính xác đến "
                       "đồng ở tệp cells.csv.", u);
        double tw = 0;
        for (size_t c = 0; c < W; c++)
            tw += wid[c];
        xo_check(x, worksheet_set_row(ws, last + 1,
                                      xo_lines(xo_chars(s.data), tw) * XO_LINE_PT, NULL));
        xo_merge(x, ws, last + 1, 0, last + 1, W - 1, s.data, x->f.note_wrap);
    }

    /* Footer: place and date, signatures (forms and lists alike). */
    uint32_t end = last;
    {
        uint32_t f0 = last + 2;
        buf_clear(&s);
        if (x->place)
            buf_append(&s, x->place, strlen(x->place));
        else
            xo_place(x->unit, &s);
        if (x->r->sign_date && x->r->sign_date != THK_DATE_NONE) {
            int y, mo, d;
            date_to_ymd(x->r->sign_date, &y, &mo, &d);
            buf_printf(&s, ", ngày %02d tháng %02d năm %d", d, mo, y);
        } else {
            buf_append(&s, ", ngày …… tháng …… năm ……", strlen(", ngày …… tháng …… năm ……"));
        }
        size_t rl = W > L ? L : 0;
        xo_merge(x, ws, f0, rl, f0, W - 1, s.data, x->f.sign_i);
        /* the labels are the rules' (workbook block); a missing one leaves its cell empty */
        const char *sl = fs->sign[0] ? fs->sign[0] : "", *sln = fs->sign[1] ? fs->sign[1] : "";
        const char *sr = fs->sign[2] ? fs->sign[2] : "", *srn = fs->sign[3] ? fs->sign[3] : "";
        if (W > L) {
            xo_merge(x, ws, f0 + 1, 0, f0 + 1, L - 1, sl, x->f.sign_b);
            xo_merge(x, ws, f0 + 1, L, f0 + 1, W - 1, sr, x->f.sign_b);
            xo_merge(x, ws, f0 + 2, 0, f0 + 2, L - 1, sln, x->f.sign_i);
            xo_merge(x, ws, f0 + 2, L, f0 + 2, W - 1, srn, x->f.sign_i);
        } else {
            xo_str(x, ws, f0 + 1, 0, sl, x->f.sign_b);
            xo_str(x, ws, f0 + 2, 0, sr, x->f.sign_b);
        }
        end = f0 + 2;
    }
    if (chart_col < nc && t->rows_by_unit)
        xo_chart(x, ws, t, chart_col, chart_target, end + 5, wid, W);
    else if (chart_col < nc && t->rows_by_officer)
        xo_officer_charts(x, ws, t, chart_col, chart_target, end + 2, wid, W);

    buf_free(&s);
    free(wid);
    free(grp);
    free(depth);
}

static void xo_rejects(xo_ctx *x)
{
    lxw_worksheet *ws = xo_add_sheet(x, XLSX_OUT_REJECTS_SHEET, true);
    if (!ws)
        return;
    const reject_log *log = x->r->rejects;
    size_t n = log ? rejects_count(log) : 0;
    size_t ne = log ? rejects_count_severity(log, NULL, 'E') : 0;
    size_t nw = log ? rejects_count_severity(log, NULL, 'W') : 0;
    static const char *const heads[] = {"Tệp", "Dòng", "Cột", "Giá trị", "Mức", "Mã",
                                        "Giải thích"};
    static const double widths[] = {14, 7, 18, 22, 9, 20, 55};
    enum { NH = sizeof heads / sizeof heads[0] };
    for (size_t i = 0; i < NH; i++)
        xo_check(x, worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i, widths[i], NULL));
    thk_buf s = {0};
    xo_merge(x, ws, 0, 0, 0, NH - 1, "DANH SÁCH DÒNG DỮ LIỆU BỊ LOẠI VÀ CẢNH BÁO", x->f.bold);
    buf_append(&s, "Kỳ báo cáo: ", strlen("Kỳ báo cáo: "));
    period_describe(&x->r->per, &s);
    xo_merge(x, ws, 1, 0, 1, NH - 1, s.data, x->f.plain);
    buf_clear(&s);
    buf_printf(&s, "Tổng số: %zu dòng bị loại, %zu cảnh báo (danh sách đầy đủ: rejects.csv)", ne,
               nw);
    xo_merge(x, ws, 2, 0, 2, NH - 1, s.data, x->f.note);
    const uint32_t hr = 4;
    for (size_t i = 0; i < NH; i++)
        xo_str(x, ws, hr, i, heads[i], x->f.head);
    size_t cap = x->r->max_reject_rows ? x->r->max_reject_rows : XLSX_OUT_MAX_REJECT_ROWS;
    if (cap > LXW_ROW_MAX - 16)
        cap = LXW_ROW_MAX - 16;
    size_t shown = n < cap ? n : cap;
    for (size_t i = 0; i < shown; i++) {
        const reject_entry *e = rejects_get(log, i);
        uint32_t row = hr + 1 + (uint32_t)i;
        rejects_message(e, &s);
        double lines = xo_lines(xo_chars(s.data), widths[6]);
        if (lines > 1) /* a message on several lines: a row tall enough to show it */
            xo_check(x, worksheet_set_row(ws, row, lines * XO_LINE_PT, NULL));
        xo_str(x, ws, row, 0, e->file, x->f.text);
        xo_int(x, ws, row, 1, e->line, x->f.lineno);
        xo_str(x, ws, row, 2, e->column, x->f.text);
        xo_str(x, ws, row, 3, e->value, x->f.text);
        xo_str(x, ws, row, 4, thk_reject_severity(e->code) == 'W' ? "Cảnh báo" : "Loại bỏ",
               x->f.text);
        xo_str(x, ws, row, 5, thk_reject_code(e->code), x->f.text);
        xo_str(x, ws, row, 6, s.data, x->f.wrap);
    }
    uint32_t after = hr + 1 + (uint32_t)shown;
    if (n)
        xo_check(x, worksheet_autofilter(ws, hr, 0, hr + (uint32_t)shown, NH - 1));
    if (n == 0) {
        xo_merge(x, ws, after, 0, after, NH - 1, "Không có dòng nào bị loại hoặc cảnh báo.",
                 x->f.note);
    } else if (shown < n) {
        buf_clear(&s);
        buf_printf(&s, "… còn %zu dòng nữa, xem rejects.csv", n - shown);
        xo_merge(x, ws, after, 0, after, NH - 1, s.data, x->f.note);
    }
    worksheet_freeze_panes(ws, hr + 1, 0);
    xo_check(x, worksheet_repeat_rows(ws, hr, hr));
    xo_page_setup(x, ws);
    buf_free(&s);
}

static void xo_manifest(xo_ctx *x)
{
    lxw_worksheet *ws = xo_add_sheet(x, XLSX_OUT_MANIFEST_SHEET, true);
    if (!ws)
        return;
    xo_check(x, worksheet_set_column(ws, 0, 0, 120, NULL));
    const char *p = x->r->manifest_json;
    if (x->r->manifest_wait && !(p = x->r->manifest_wait(x->r->manifest_ctx))) {
        x->cancelled = true;
        return;
    }
    if (!p)
        p = "";
    thk_buf line = {0};
    uint32_t row = 0;
    while (*p && row < LXW_ROW_MAX) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        buf_clear(&line);
        buf_append(&line, p, n);
        xo_str(x, ws, row++, 0, line.data, x->f.plain);
        p += n + (nl ? 1 : 0);
    }
    buf_free(&line);
    worksheet_hide(ws);
}

int xlsx_out_write(const char *path, const xlsx_report *r, thk_buf *err)
{
    xo_ctx x = {0};
    x.r = r;
    x.unit = r->unit_name && r->unit_name[0] ? r->unit_name : XLSX_OUT_DEFAULT_UNIT;
    x.receiver = r->receiver && r->receiver[0] ? r->receiver : XLSX_OUT_DEFAULT_RECEIVER;
    x.place = r->place && r->place[0] ? r->place : NULL;
    lxw_workbook_options opt = {0};
    opt.constant_memory = LXW_FALSE;
    opt.tmpdir = (char *)r->tmpdir;
    x.wb = workbook_new_opt(path, &opt);
    if (!x.wb) {
        buf_printf(err, "%s: không tạo được bảng tính (libxlsxwriter)", path);
        return THK_EXIT_OUTPUT;
    }
    thk_buf subject = {0};
    buf_append(&subject, "Kỳ báo cáo: ", strlen("Kỳ báo cáo: "));
    period_describe(&r->per, &subject);
    lxw_doc_properties props = {0};
    props.title = "Báo cáo thống kê thi hành án dân sự";
    props.subject = subject.data;
    props.author = (char *)x.unit;
    props.company = (char *)x.unit;
    props.comments = "thongke";
    props.created = r->created ? r->created : (time_t)r->per.E * 86400;
    xo_check(&x, workbook_set_properties(x.wb, &props));
    xo_formats_init(&x);

    const form_set *fs = r->forms;
    for (size_t i = 0; fs && i < fs->ntables; i++)
        xo_table(&x, &fs->tables[i], fs);
    if (r->checks)
        xo_table(&x, r->checks, fs);
    xo_rejects(&x);
    xo_manifest(&x);

    int rc = 0;
    if (x.cancelled) {
        buf_printf(err, "%s: bảng tính không được ghi xong vì lần chạy dừng ở bước khác", path);
        lxw_workbook_free(x.wb);
        rc = THK_EXIT_OUTPUT;
    } else if (x.lerr != LXW_NO_ERROR) {
        buf_printf(err, "%s: lỗi tạo trang '%s': %s", path, x.where, lxw_strerror(x.lerr));
        lxw_workbook_free(x.wb);
        rc = THK_EXIT_OUTPUT;
    } else {
        errno = 0;
        xlsx_zip_scope(true); /* the parts are packed here, at the measured level */
        lxw_error e = workbook_close(x.wb);
        int saved = errno;
        xlsx_zip_scope(false);
        if (e != LXW_NO_ERROR) {
            buf_printf(err, "%s: không ghi được bảng tính: %s%s%s", path, lxw_strerror(e),
                       saved ? ": " : "", saved ? strerror(saved) : "");
            rc = THK_EXIT_OUTPUT;
        }
    }
    buf_free(&subject);
    buf_free(&x.tmp);
    buf_free(&x.tmp2);
    for (size_t i = 0; i < x.nnames; i++)
        free(x.names[i]);
    free(x.names);
    return rc;
}

void xlsx_out_name(const period *p, char *out, size_t n)
{
    if (p->months) {
        snprintf(out, n, "bao-cao-%d-thang-%d.xlsx", p->months, p->year);
    } else {
        char a[11], b[11];
        date_format_iso(p->S, a);
        date_format_iso(p->E, b);
        snprintf(out, n, "bao-cao-%s-den-%s.xlsx", a, b);
    }
}

time_t xlsx_out_created(const period *p)
{
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    if (sde && *sde) {
        char *end;
        long long v = strtoll(sde, &end, 10);
        if (!*end && v >= 0)
            return (time_t)v;
    }
    return (time_t)p->E * 86400;
}
