/* read_xls — the rows of an Excel 97-2003 workbook (.xls, BIFF8) as reader_records, through
 * libfreexl. */
#ifndef READ_XLS_H
#define READ_XLS_H

#include "read_csv.h"

/* Every sheet of the workbook in order, as read_xlsx.h promises for .xlsx (field i is column i,
 * rows without a non-empty cell skipped, rec->sheet, rec->row, rec->fraction, line counting on
 * across sheets). Cells: text as written (libfreexl converts it to UTF-8); a date cell as
 * YYYY-MM-DD (the time of a date-time dropped); a number as an integer when it is one (BIFF
 * stores numbers as doubles: integers up to 2^53 are exact), else its shortest round-trip text
 * with rec->fraction set. A file libfreexl cannot open, a password-protected one, or a sheet it
 * cannot select is a file-level error (-1) with a Vietnamese message in *err; otherwise returns
 * as reader_run_file. stats->encoding says "xls: " and the sheets that gave rows. */
int xls_run_file(const char *path, const reader_opts *opts, reader_fn fn, void *ctx,
                 reader_stats *stats, thk_buf *err);

/* The text of a BIFF number into out: "1500" for 1500.0, "1234.567" (and *fraction) for a
 * non-integer; false for NaN or infinity. */
bool xls_number_text(double v, thk_buf *out, bool *fraction);

#endif
