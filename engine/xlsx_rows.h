/* xlsx_rows — rows of a constant-memory sheet as the XML libxlsxwriter writes, made without it.
 *
 * libxlsxwriter writes a constant-memory sheet cell by cell through fprintf: on 1M cases of
 * the backlog profile the 80k rows of L1 took 0.45 s, half of the workbook, on one core while
 * the other had nothing left to do (issue 15). This module formats the same bytes into
 * buffers, which any number of threads can fill at once, and hands them to the sheet in row
 * order as if libxlsxwriter had written them.
 *
 * Promise: for a sheet where xlsx_rows_supported holds, the bytes are those libxlsxwriter
 * 1.1.4 writes for worksheet_set_row (a height, no format or options), then
 * worksheet_write_string, worksheet_write_number or worksheet_write_blank on that row's cells
 * in column order, each with a format whose xf index is `style` (0: no format); so a workbook
 * is the same bytes whichever writes its rows (test_xlsx_rows compares the two on every kind
 * of cell against the installed library). The formatting functions touch nothing but their
 * buffer: the formats' xf indexes must be assigned (lxw_format_get_xf_index, in the order the
 * library would) before they run, on the sheet's thread. */
#ifndef XLSX_ROWS_H
#define XLSX_ROWS_H

#include "thk.h"

#include <stdbool.h>
#include <stdint.h>
#include <xlsxwriter.h>

/* The sheet can take rows from this module: constant-memory mode, default row height and the
 * Excel 2007 row attributes (the only layout the formatting below knows). */
bool xlsx_rows_supported(const lxw_worksheet *ws);

/* Opens row `row` (0-based); height in points, LXW_DEF_ROW_HEIGHT when none was set. */
void xlsx_rows_open(thk_buf *b, uint32_t row, double height);
void xlsx_rows_close(thk_buf *b);
/* A column's letters, e.g. "B" for 1 and "AA" for 26 (out: >= 4 bytes, NUL-terminated). */
void xlsx_rows_col_name(char *out, uint16_t col);
/* Cells of row `row` (0-based) in the column named `col` (xlsx_rows_col_name); s must be
 * non-empty UTF-8 of at most LXW_STR_MAX characters (the library refuses longer strings and
 * writes an empty one as a blank). */
void xlsx_rows_string(thk_buf *b, const char *col, uint32_t row, int32_t style, const char *s);
void xlsx_rows_int(thk_buf *b, const char *col, uint32_t row, int32_t style,
                   int64_t v); /* |v| <= 2^53 */
void xlsx_rows_number(thk_buf *b, const char *col, uint32_t row, int32_t style, double v);
void xlsx_rows_blank(thk_buf *b, const char *col, uint32_t row, int32_t style);

/* Hands formatted rows to the sheet. xlsx_rows_begin first writes out the row libxlsxwriter
 * still holds; xlsx_rows_put appends bytes; xlsx_rows_end records that rows first..last and
 * columns first_col..last_col now hold cells (the sheet's dimension), and that the next row
 * written through libxlsxwriter must come after `last`. Returns LXW_NO_ERROR or the error of
 * the sheet's temporary file. */
void xlsx_rows_begin(lxw_worksheet *ws);
lxw_error xlsx_rows_put(lxw_worksheet *ws, const thk_buf *b);
void xlsx_rows_end(lxw_worksheet *ws, uint32_t first, uint32_t last, uint16_t first_col,
                   uint16_t last_col);

/* Rows handed to sheets by xlsx_rows_end since the program started (for the tests: no change
 * after a workbook was written means its lists went through libxlsxwriter's cell calls). */
unsigned long xlsx_rows_handed(void);

#endif
