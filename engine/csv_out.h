/* csv_out — RFC 4180 writers: cells.csv (every figure of every form), rejects.csv, and a field
 * writer and streaming file the driver reuses for cases.csv; and the reading back of cells.csv
 * (diff, merge), so the file is written and read in one module. */
#ifndef CSV_OUT_H
#define CSV_OUT_H

#include "form.h"
#include "read_csv.h"
#include "rejects.h"
#include "replay.h"
#include "strpool.h"
#include "thk.h"

/* The one CSV quoting of the project (RFC 4180): appends s[0..n) (NULL: empty) as one field
 * for delimiter `delim`, quoted with inner quotes doubled when it holds the delimiter, a quote,
 * CR or LF, when CSV_QUOTE_BLANKS and it starts or ends with a space or tab (which a reader
 * trims), or always with CSV_QUOTE_FORCE. Appends no delimiter. */
enum { CSV_QUOTE_FORCE = 1, CSV_QUOTE_BLANKS = 2 };
void csv_quote(thk_buf *b, const char *s, size_t n, char delim, unsigned flags);
/* Whether csv_quote would quote s[0..n) under these flags. */
bool csv_needs_quote(const char *s, size_t n, char delim, unsigned flags);
/* Appends one field s[0..n) to b, then ',' or, when `last`, '\n' (LF). The field is quoted
 * (with '"' doubled) only when it contains ',', '"', CR or LF, or starts or ends with a space
 * or tab; an empty field is written as nothing. Bytes are copied as they are (UTF-8 in, out). */
void csv_out_field(thk_buf *b, const char *s, size_t n, bool last);
/* The same for a NUL-terminated string (NULL is an empty field). */
void csv_out_str(thk_buf *b, const char *s, bool last);
/* A decimal integer field. */
void csv_out_int(thk_buf *b, int64_t v, bool last);

/* The whole cells.csv text (outputs.md): header `form,row,column,value`, then, for every table
 * that is not a list, in set order, one line per cell: rows in sheet order, columns in form
 * order. Counts and money (đồng) as integers, rates as "83.88" or empty, dates ISO, text as is.
 * Appends to out. */
/* Appends cells.csv's header line (also merge's, which writes its own cells). */
void csv_out_cells_header(thk_buf *b);
void csv_out_cells(const form_set *fs, thk_buf *out);
/* The whole accumulators.csv text (outputs.md): header `form,row,acc,value`, then, for every
 * form in set order, its data rows in sheet order and, in each, every non-zero accumulator (a
 * count(...) or sum(...) of the rules, named as written) in the form's order. What a merge adds
 * up to recompute every derived cell from the rules. Appends to out. */
void csv_out_accs(const form_set *fs, thk_buf *out);
/* accumulators.csv's header, and one of its lines (also merge's, which writes its own). */
void csv_out_accs_header(thk_buf *b);
void csv_out_acc_line(thk_buf *b, const char *form, const char *row, const char *acc, int64_t v);
/* The UTF-8 byte order mark that starts the files a statistician opens in a spreadsheet
 * (cases.csv, thahc-cases.csv, rejects.csv), so that Excel reads them as UTF-8; cells.csv and
 * the other machine files have none. Every reader of ours skips it. */
void csv_out_bom(thk_buf *b);
/* The whole rejects.csv text: the BOM, header `file,line,column,value,severity,code,message`,
 * one line per entry in log order (sort the log first); message from rejects_message. Appends
 * to out. */
void csv_out_rejects(const reject_log *log, thk_buf *out);

/* A CSV file being written: lines are built in a buffer and flushed in large blocks. */
typedef struct csv_out_file csv_out_file;

/* Creates (truncates) path for writing. Returns the file, or NULL with "PATH: reason" in *err. */
csv_out_file *csv_out_open(const char *path, thk_buf *err);
/* The buffer to append fields to (csv_out_field etc.); owned by f. */
thk_buf *csv_out_buffer(csv_out_file *f);
/* Call after each line or few: writes the buffer out once it holds 64 KiB or more. Returns 0,
 * or THK_EXIT_OUTPUT after a write error (which is sticky and reported again by close). */
int csv_out_flush_some(csv_out_file *f);
/* Writes what is left, closes and frees f (NULL accepted: returns 0). Returns 0, or
 * THK_EXIT_OUTPUT with "PATH: reason" in *err when any write or the close failed (disk full). */
int csv_out_close(csv_out_file *f, thk_buf *err);

/* cells.csv / rejects.csv straight to a path. Return 0 or THK_EXIT_OUTPUT with *err set. */
int csv_out_write_cells(const char *path, const form_set *fs, thk_buf *err);
int csv_out_write_rejects(const char *path, const reject_log *log, thk_buf *err);
int csv_out_write_accs(const char *path, const form_set *fs, thk_buf *err);
/* labels.csv: `form,row,level,label`, the label of every row level of every data row of every
 * form (what the workbook shows beside the figures: unit names, fixed rows' labels); a merge's
 * workbook takes its labels from here. */
int csv_out_write_labels(const char *path, const form_set *fs, thk_buf *err);
/* lists.csv: header `list,rank,` then the shown columns of every list (first appearance
 * first); one line per entry of every list, rank 1.. in list order, its values under its
 * columns (as in cells.csv: integers, ISO dates, text as is; empty for none and under the
 * columns of other lists). */
int csv_out_write_lists(const char *path, const form_set *fs, thk_buf *err);

/* cases.csv, the drill-down: one line per in-scope case of the period, these columns. */
enum {
    CSV_CASE_MA_VIEC,
    CSV_CASE_MA_DON_VI,
    CSV_CASE_CARRIED,
    CSV_CASE_NEW,
    CSV_CASE_STATE,
    CSV_CASE_TERMINAL_DATE,
    CSV_CASE_B,
    CSV_CASE_COLLECTED,
    CSV_CASE_REDUCED,
    CSV_CASE_REMAINING,
    CSV_CASE_FLAGS,
    CSV_CASE__N
};
extern const char *const csv_out_cases_columns[CSV_CASE__N];
/* Whether a case key (rule_set_case_keys) gets a column of its own in cases.csv: not when its
 * name is one of the columns above (a form with rows by `state` reads the state column). */
bool csv_out_case_key_shown(const char *name);
/* Appends cases.csv's header line: the columns above, then the name of each shown case key. */
void csv_out_cases_header(thk_buf *b, const char *const *keys, const bool *shown, size_t nkeys);
/* Appends one cases.csv line: the case's id and unit, its replayed facts, the names of its
 * true boolean lets (flags, ';'-joined), then its shown case keys (`keys`: nkeys texts, each
 * NUL-terminated, one after the other, as rule_case_fn gives them). */
void csv_out_case_row(thk_buf *b, const char *ma_viec, const char *unit, const replay_facts *f,
                      const char *flags, const char *keys, const bool *shown, size_t nkeys);

/* thahc-cases.csv, the drill-down of THAHC forms: one line per row of thahc.csv in scope of
 * the period, these columns (dates dd/mm/yyyy, the level of cap_phai_thi_hanh as its map
 * value, `cells`: the count columns of the THAHC forms it counts in, "B03.tong;B03.xong"),
 * then the THAHC forms' true boolean lets (flags) and other row keys. */
enum {
    CSV_THAHC_MA_BAN_AN,
    CSV_THAHC_MA_DON_VI,
    CSV_THAHC_NGAY_THU_LY,
    CSV_THAHC_NGAY_QD_BUOC,
    CSV_THAHC_NGAY_XONG,
    CSV_THAHC_NGAY_HUY,
    CSV_THAHC_NGAY_KIEN_NGHI,
    CSV_THAHC_CAP,
    CSV_THAHC_CELLS,
    CSV_THAHC_FLAGS,
    CSV_THAHC__N
};
extern const char *const csv_out_thahc_columns[CSV_THAHC__N];
/* Whether a THAHC row key gets a column of its own (not when named like a column above). */
bool csv_out_thahc_key_shown(const char *name);
void csv_out_thahc_header(thk_buf *b, const char *const *keys, const bool *shown, size_t nkeys);
/* One line: the row's id, unit code, dates, level text, flags and shown keys (as cases.csv). */
void csv_out_thahc_row(thk_buf *b, const char *ma_ban_an, const char *unit, const model_thahc *t,
                       const char *cap, const char *cells, const char *flags, const char *keys,
                       const bool *shown, size_t nkeys);

/* One line of cells.csv as ids into a string pool (form, row key, column code, value text). */
typedef struct {
    uint32_t form, row, column, value;
} cells_line;

/* The lines of one cells.csv, in file order. */
typedef struct {
    cells_line *cells;
    size_t n, cap;
} cells_lines;

/* Reads the cells.csv at `path` (header `form,row,column,value`, 4 fields a line) and appends its
 * lines to *out, interning every text in `pool`. Returns 0, or THK_EXIT_INPUT with a message
 * naming the file (and line) in *err; *out may then hold part of the file. Duplicates are not
 * checked here. The reader is read_csv's (RFC 4180, BOM, CRLF). */
int csv_out_cells_read(const char *path, strpool *pool, cells_lines *out, thk_buf *err);
/* The same for accumulators.csv (header `form,row,acc,value`): `column` holds the
 * accumulator's name, `value` its integer text. */
int csv_out_accs_read(const char *path, strpool *pool, cells_lines *out, thk_buf *err);
/* The same for labels.csv (`column` = the level's index, `value` = the label) and lists.csv
 * (one line per non-empty field: `form` = the list id, `row` = the rank, `column` = the shown
 * column, `value` its text). */
int csv_out_labels_read(const char *path, strpool *pool, cells_lines *out, thk_buf *err);
int csv_out_lists_read(const char *path, strpool *pool, cells_lines *out, thk_buf *err);
/* The same for checks-cases.csv (`screen,ma_viec,...`): `form` = the screen id, `row` = the
 * record's number from 1, `column` and `value` as for lists.csv. */
int csv_out_screen_cases_read(const char *path, strpool *pool, cells_lines *out, thk_buf *err);
/* Reads a rejects.csv back into log (the message's detail split from the catalogue text), as
 * the workbook of a merge shows the runs' rejects. 0, or THK_EXIT_INPUT with *err set. */
int csv_out_rejects_read(const char *path, reject_log *log, thk_buf *err);
/* Frees the lines and zeroes *c; accepts NULL. */
void csv_out_cells_free(cells_lines *c);
/* Reads one of our own CSV outputs (UTF-8, comma) through fn; *header is set by fn once it
 * has seen the header line. Returns 0, or THK_EXIT_INPUT with *err set (an empty file
 * included). */
int csv_out_read(const char *path, reader_fn fn, void *ctx, const bool *header, thk_buf *err);

#endif
