/* form — computed forms and lists: the finished tables that every writer (xlsx, csv) renders.
 *
 * The rule engine fills these from a model and a period; the writers only lay them out. All
 * numbers are exact integers: counts, money in đồng, rates in hundredths of a percent
 * (8388 = 83.88 %). A table owns all of its strings. */
#ifndef FORM_H
#define FORM_H

#include "thk.h"

typedef enum {
    FORM_KIND_COUNT = 0, /* integer count, shown #,##0 */
    FORM_KIND_MONEY = 1, /* đồng; the workbook shows nghìn đồng (half up), cells.csv đồng */
    FORM_KIND_RATE = 2,  /* hundredths of a percent; shown 0.00; empty when the denominator is 0 */
    FORM_KIND_TEXT = 3,  /* lists only: text */
    FORM_KIND_DATE = 4   /* lists only: thk_date */
} form_kind;

typedef struct {
    int64_t v;  /* count, đồng, hundredths of a percent, or thk_date */
    bool empty; /* rate with a zero denominator, or an empty list field */
} form_cell;

typedef struct {
    char *code;   /* stable column code used in cells.csv ("thu_ly") */
    char *label;  /* Vietnamese header label */
    uint8_t kind; /* form_kind */
    uint8_t width; /* width hint in characters, 0 = writer's default */
    char *format;  /* number format hint from the rules ("#,##0.0"), NULL = by kind */
    int group;    /* index into groups of the innermost header group, -1 for none */
    char *target; /* for rate columns compared with a target: the target's name, else NULL */
    uint8_t rate_of; /* a rate of counts (FORM_KIND_COUNT) or of money (FORM_KIND_MONEY); else
                        FORM_KIND_RATE */
} form_column;

typedef struct {
    char *label;
    int parent; /* enclosing group, -1 for a top-level group */
} form_group;

typedef enum { FORM_ROW_DATA = 0, FORM_ROW_SUBTOTAL = 1, FORM_ROW_TOTAL = 2 } form_row_kind;

typedef struct {
    char *key;     /* cells.csv row key: "GL-KV01", "GL-KV01|Nguyễn Văn An", "GL-KV01|*", "*" */
    char **labels; /* one display label per row field (nrowfields); for a subtotal the levels
                      below the grouping level are "" ; for the total row labels[0] is the
                      total's label ("Tổng cộng") */
    uint8_t kind;  /* form_row_kind */
} form_row;

typedef struct {
    char *name;  /* "ty_le_viec" */
    int64_t v;   /* hundredths of a percent (8450 = 84.50 %) */
} form_target;

typedef struct {
    char *id;        /* "B01" */
    char *title;     /* "KẾT QUẢ THI HÀNH ÁN DÂN SỰ TÍNH BẰNG VIỆC" */
    char *subtitle;  /* unit of measure etc., may be NULL */
    char *form_code; /* "Biểu số B01/TK-THA", may be NULL */
    int64_t scale;   /* the workbook shows money columns of a form divided by this (rounded
                        half away from zero); 0 or 1 = in đồng. Lists are always in đồng. */
    bool is_list;    /* a list (L1...) rather than a form */
    bool rows_by_unit; /* one row level, the unit: its rate against the target is charted */
    bool rows_by_officer; /* two row levels, the unit then its officers: one chart per unit of
                             its officers' rate, sorted (B01-CHV, TT-CHV) */
    size_t nrowfields;
    char **rowfield_labels; /* header of each row key column ("Đơn vị", "Chấp hành viên") */
    size_t ncols;
    form_column *cols;
    size_t ngroups;
    form_group *groups;
    size_t nrows;
    form_row *rows;
    form_cell *cells;    /* nrows * ncols, row-major */
    char **texts;        /* lists: nrows * ncols text values (NULL where not text) */
    /* forms: the row accumulators every column is computed from (counts and sums of the
     * rules' count(...) and sum(...)), nrows * naccs, named as written in the rules; what a
     * merge adds up (accumulators.csv). Lists: none. */
    size_t naccs;
    char **acc_names;
    int64_t *accs;
    /* forms whose money is shown in a larger unit (scale > 1): the values the workbook shows,
     * nrows * ncols, money columns in display units rounded so that they add up (display.h),
     * other columns as in cells; NULL otherwise */
    form_cell *shown;
    /* when set, the texts and row keys are stored here, together (a list of a million cells
     * would otherwise be a million allocations), and freed with it */
    struct form_strings *strings;
} form_table;

typedef struct {
    size_t ntables;
    form_table *tables; /* in workbook order: TH first, then forms, then lists */
    size_t ntargets;
    form_target *targets;
    uint64_t identities_verified; /* `check` identities and total rows verified, all forms */
    size_t display_unbalanced;    /* data rows whose shown money could not be balanced */
    int64_t build_ms;             /* time spent building the tables and lists from the totals */
    int64_t calls_ms;             /* time spent in the per-case callbacks (cases.csv, screens) */
    /* from the rules' workbook block, each may be NULL: the legal basis line and the
     * signature block (left label, its note, right label, its note) */
    char *basis;
    char *sign[4];
} form_set;

/* Cell (r, c) of a table. */
static inline form_cell *form_cell_at(const form_table *t, size_t r, size_t c)
{
    return &t->cells[r * t->ncols + c];
}

/* Frees a table's contents / a whole set; accept NULL. */
void form_table_clear(form_table *t);
/* A copy of s[0..n) with a NUL, kept in the table's string store (freed by form_table_clear;
 * never freed alone). */
char *form_table_strdup(form_table *t, const char *s, size_t n);
/* Moves the texts stored in `from` (by form_table_strdup) into t's store: they live as long as
 * t, and `from` holds none. */
void form_table_take_strings(form_table *t, form_table *from);
void form_set_free(form_set *s);

/* Formats a rate (hundredths of a percent) as "83.88"; "" when empty. out: >= 32 bytes. */
void form_rate_format(const form_cell *c, char *out);

/* The hundredths-of-a-percent rate num/den × 100, rounded half up, from exact integers;
 * empty when den == 0. Never overflows for |num|, |den| <= 9.2e18 (uses 128-bit arithmetic). */
form_cell form_percent(int64_t num, int64_t den);

#endif
