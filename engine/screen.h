/* screen — thẩm tra: turns the rules' screens (`screen` items) and a computed form set into
 * findings. A case screen's findings are the cases its list selected, counted per unit and per
 * Chấp hành viên; a comparison screen flags the rows of its forms whose value moved abnormally
 * against the reference (the same period last year, or a baseline run's cells.csv) by the
 * Hidiroglou–Berthelot method. Screens never change a figure and never fail a run on their
 * own; the caller decides what a finding of severity "error" means (--strict-checks).
 *
 * The method, for one population (the data rows of a form, or its subtotal rows; one level):
 *   r_i = x_i / y_i (value / reference, both > 0; others are not scored), r_M their median,
 *   s_i = 1 - r_M / r_i if r_i < r_M, else r_i / r_M - 1,
 *   E_i = s_i * v_i^u, v_i the size (the `size` column, else max(x_i, y_i)),
 *   Q1, M, Q3 the quartiles of E (linear interpolation, Hyndman–Fan type 7),
 *   flagged when E_i < M - c * max(M - Q1, |a * M|) or E_i > M + c * max(Q3 - M, |a * M|).
 * Scores are the only floating-point numbers of thongke: they rank, they are not figures. */
#ifndef SCREEN_H
#define SCREEN_H

#include "csv_out.h"
#include "form.h"
#include "rule.h"
#include "strpool.h"

/* One finding: a unit (chv "") or an officer flagged by a screen. */
typedef struct {
    size_t screen;      /* index of the screen in the rules */
    char *unit, *chv;   /* chv "" on a unit-level finding */
    const char *measure; /* column code compared, or "so_viec" for a case screen */
    char *measure_label; /* its header in the form, with its group's ("Chưa có điều kiện thi
                            hành: Tỷ lệ trên phải thi hành (%)") */
    char value[32], reference[32], score[32], threshold[32];
    int64_t ncases;     /* cases behind it (a case screen), or the row's size */
    const char *compared; /* "cung_ky", "ky_goc" or "" (a case screen) */
    char *message;      /* Vietnamese */
} screen_flag;

typedef struct {
    screen_flag *flags;
    size_t n, cap;
    size_t nerror;      /* findings of severity "error" */
    size_t ncases;      /* case findings (lines of checks-cases.csv) */
} screen_result;

/* A baseline run's cells (cells.csv of an earlier published run). */
typedef struct {
    strpool *pool;
    cells_lines lines;
    char *dir;
    size_t *index;      /* hash of (form, row, column) → line + 1 */
    size_t mask;
} screen_baseline;

/* Reads RUN_DIR/cells.csv. Returns 0, or THK_EXIT_INPUT with a message in *err. */
int screen_baseline_read(screen_baseline *b, const char *run_dir, thk_buf *err);
void screen_baseline_free(screen_baseline *b);

/* The cases the case screens selected, counted by (screen, unit, officer) as the rules' screen
 * callback (rule_set_on_screen) gives them, one case at a time: a case screen's findings are
 * counts per unit and per officer, and keeping each hit cost 24 bytes a case (4M hits, 96 MB,
 * at 10M backlog cases). The texts are borrowed and interned: a pair is found by its
 * pointers. */
typedef struct {
    size_t screen;
    const char *unit, *chv;
    size_t n; /* cases */
} screen_hit;

typedef struct {
    screen_hit *v; /* the distinct (screen, unit, chv), in order of their first case */
    size_t n, cap;
    size_t *slot;  /* index + 1, open addressing */
    size_t mask;
} screen_hits;

/* Counts one case of `screen` in unit `unit` with officer `chv`. */
void screen_hits_add(screen_hits *h, size_t screen, const char *unit, const char *chv);
void screen_hits_free(screen_hits *h);

/* checks-cases.csv's header: a UTF-8 BOM, `screen`, then rule_set_screen_columns, a line end. */
void screen_cases_header(const rule_set *rs, thk_buf *b);

/* Runs every screen of rs: case screens on hits, comparison screens on fs (and against b when
 * not NULL), into *out. */
void screen_run(const rule_set *rs, const form_set *fs, const screen_hits *hits,
                const screen_baseline *b, screen_result *out);
void screen_result_free(screen_result *r);

/* checks.csv: `screen,ma_don_vi,chap_hanh_vien,measure,value,reference,score,threshold,
 * severity,message,so_sanh,so_viec`, findings in screen order, then unit, then officer. */
int screen_write_checks(const char *path, const rule_set *rs, const screen_result *r,
                        thk_buf *err);
/* The workbook's "Thẩm tra" sheet as a list-like table (text columns), or NULL when the
 * rules have no screen. Caller clears and frees it. */
form_table *screen_table(const rule_set *rs, const screen_result *r);

#endif
