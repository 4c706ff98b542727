/* read_input — an input file's format decided by its first bytes, and its records read by the
 * reader for that format (CSV, .xlsx), so the loader never cares which one it was. */
#ifndef READ_INPUT_H
#define READ_INPUT_H

#include "read_csv.h"

typedef enum {
    INPUT_CSV,   /* text: read_csv.h */
    INPUT_XLSX,  /* a zip archive: read_xlsx.h */
    INPUT_XLS,   /* an OLE2 compound file (Excel 97-2003): read_xls.h */
    INPUT_OTHER  /* a format thongke cannot read (ODS, PDF, HTML, ...) */
} input_format;

/* The format of a file starting with head[0..n): a zip signature is .xlsx unless it is an
 * OpenDocument spreadsheet; the OLE2 signature is .xls (INPUT_XLS); %PDF and HTML are
 * INPUT_OTHER with *what set to a Vietnamese name of the format ("bảng tính OpenDocument
 * (.ods)"); anything else is CSV (the CSV reader judges the bytes). */
input_format input_sniff(const unsigned char *head, size_t n, const char **what);

/* Reads path with the reader its contents call for (input_sniff of its first bytes; the name
 * does not matter). A format it cannot read is a file-level error (-1) saying what the file is.
 * Otherwise as reader_run_file. *format, when not NULL, receives the format. */
int input_run_file(const char *path, const reader_opts *opts, reader_fn fn, void *ctx,
                   reader_stats *stats, input_format *format, thk_buf *err);
/* The same over data[0..len) (an .xls is read from files only: refused here). */
int input_run_memory(const char *name, const char *data, size_t len, const reader_opts *opts,
                     reader_fn fn, void *ctx, reader_stats *stats, thk_buf *err);

/* The format of the file at path (INPUT_CSV when it cannot be opened: the CSV reader then says
 * why). */
input_format input_format_of(const char *path);

#endif
