/* csv_out — RFC 4180 writers: cells.csv (every figure of every form), rejects.csv, and a field
 * writer and streaming file the driver reuses for cases.csv. */
#ifndef CSV_OUT_H
#define CSV_OUT_H

#include "form.h"
#include "rejects.h"
#include "thk.h"

/* Appends one field s[0..n) to b, then ',' or, when `last`, '\n' (LF). The field is quoted
 * (with '"' doubled) only when it contains ',', '"', CR or LF, or starts or ends with a space
 * or tab; an empty field is written as nothing. Bytes are copied as they are (UTF-8 in, out). */
/* The one CSV quoting of the project (RFC 4180): appends s[0..n) (NULL: empty) as one field
 * for delimiter `delim`, quoted with inner quotes doubled when it holds the delimiter, a quote,
 * CR or LF, when CSV_QUOTE_BLANKS and it starts or ends with a space or tab (which a reader
 * trims), or always with CSV_QUOTE_FORCE. Appends no delimiter. */
enum { CSV_QUOTE_FORCE = 1, CSV_QUOTE_BLANKS = 2 };
void csv_quote(thk_buf *b, const char *s, size_t n, char delim, unsigned flags);
/* Whether csv_quote would quote s[0..n) under these flags. */
bool csv_needs_quote(const char *s, size_t n, char delim, unsigned flags);
void csv_out_field(thk_buf *b, const char *s, size_t n, bool last);
/* The same for a NUL-terminated string (NULL is an empty field). */
void csv_out_str(thk_buf *b, const char *s, bool last);
/* A decimal integer field. */
void csv_out_int(thk_buf *b, int64_t v, bool last);

/* The whole cells.csv text (outputs.md): header `form,row,column,value`, then, for every table
 * that is not a list, in set order, one line per cell: rows in sheet order, columns in form
 * order. Counts and money (đồng) as integers, rates as "83.88" or empty, dates ISO, text as is.
 * Appends to out. */
void csv_out_cells(const form_set *fs, thk_buf *out);
/* The whole rejects.csv text: header `file,line,column,value,severity,code,message`, one line
 * per entry in log order (sort the log first); message from rejects_message. Appends to out. */
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

#endif
