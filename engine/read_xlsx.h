/* read_xlsx — the rows of an Office Open XML workbook (.xlsx) as reader_records, streamed: the
 * archive through libminizip, each sheet's XML through expat, one row at a time. */
#ifndef READ_XLSX_H
#define READ_XLSX_H

#include "read_csv.h"

/* Caps that keep a hostile workbook from exhausting memory or time. */
#define XLSX_MAX_TOTAL (8ull << 30)     /* uncompressed bytes read from the whole archive */
#define XLSX_MAX_RATIO 1000u            /* uncompressed / compressed bytes of one part ... */
#define XLSX_RATIO_FROM (1u << 20)      /* ... once it has produced more than this */
#define XLSX_MAX_SHARED (1ull << 30)    /* bytes of the shared-string table */
#define XLSX_MAX_SHEETS 1024
#define XLSX_MAX_ROW 1048576u           /* Excel's last row */

/* Every sheet of the workbook in order, each row that holds a non-empty cell as one record:
 * field i is column i (A = 0), cells left out of the XML are empty, the row ends at its last
 * non-empty cell (the loader pads it to the header). Cell texts are what a statistician sees as
 * the value: shared and inline strings as written; numbers as exact decimal text from the
 * cell's own digits (never through a double: 1.5E+3 gives "1500"), with rec->fraction[i] set
 * when the number is not an integer; a number whose style has a date format as YYYY-MM-DD in
 * the workbook's 1900 (with Excel's fictitious 1900-02-29) or 1904 date system; booleans as
 * TRUE/FALSE. rec->sheet names the sheet, rec->row the row number in it, rec->line counts on
 * across sheets (it only grows). A DOCTYPE or entity declaration, a zip bomb (XLSX_MAX_TOTAL,
 * XLSX_MAX_RATIO), a shared-string index out of range, a sheet named by the workbook but
 * missing, a truncated archive or malformed XML end the read with a Vietnamese message naming
 * the file (and the part or cell) in *err. Returns as reader_run_file; stats->encoding says
 * "xlsx" and the sheets that gave rows, stats->sha256 is the file's. */
int xlsx_run_file(const char *path, const reader_opts *opts, reader_fn fn, void *ctx,
                  reader_stats *stats, thk_buf *err);
/* The same over data[0..len); `name` is used in messages. */
int xlsx_run_memory(const char *name, const char *data, size_t len, const reader_opts *opts,
                    reader_fn fn, void *ctx, reader_stats *stats, thk_buf *err);

/* The date text of serial day number `serial` (1900 or 1904 system) into out; false when it is
 * outside 1900-01-01 .. 9999-12-31. Serial 60 of the 1900 system gives "1900-02-29", the day
 * Excel invented, which the date parser then rejects. */
bool xlsx_serial_date(int64_t serial, bool date1904, char out[11]);
/* Exact decimal text of an XML number ("-1.25E+2" → "-125"): false when s is not a number or
 * its exponent is beyond ±40; *fraction tells whether digits remain after the point. */
bool xlsx_number_text(const char *s, size_t len, thk_buf *out, bool *fraction);
/* Large parts (sheets, shared strings) are read by a fast reader of the XML subset spreadsheet
 * writers produce, and by expat when it gives up (read_xlsx.c, xlsx_fast). false: expat alone,
 * for tests that compare the two. Process-wide; true by default. */
void xlsx_set_fast(bool on);
/* Whether an Excel number format (builtin id, or its format code when custom) shows a date. */
bool xlsx_format_is_date(unsigned id, const char *code);

#endif
