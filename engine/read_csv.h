/* read_csv — RFC 4180 records from a file or a buffer (libcsv): BOM, LF/CRLF, quoted newlines,
 * delimiter detection, iconv conversion, physical line numbers, UTF-8 checking. */
#ifndef READ_CSV_H
#define READ_CSV_H

#include "thk.h"

#include <stdatomic.h>

/* Caps that keep a hostile file from exhausting memory. */
#define READER_MAX_FIELDS 512
#define READER_MAX_RECORD (16u << 20) /* bytes one record may span (an unclosed quote) */

typedef struct {
    const char *const *fields; /* NUL-terminated, unquoted field texts (converted to UTF-8) */
    const size_t *lens;
    size_t nfields;
    uint32_t line;        /* physical line where the record starts (the header is line 1) */
    uint32_t end_line;    /* physical line where it ends: > line when a quoted field held a
                             line break (a note written on two lines, or a stray quote that
                             swallowed the lines after it) */
    char delimiter;       /* the file's delimiter */
    uint64_t offset;      /* byte offset of that line in the file */
    int64_t bad_utf8;     /* file byte offset of the first invalid UTF-8 byte, or -1 */
    int bad_utf8_field;   /* index of the field holding it, or -1 */
    int64_t nul_at;       /* file byte offset of the first NUL byte, or -1 (a C string would end
                             there: the loader rejects the row rather than cut a case id) */
    int nul_field;        /* index of the field holding it, or -1 */
    bool nfc_safe;        /* every field is valid UTF-8 that text_is_nfc_quick accepts (checked
                             with the line; false when unchecked, as after --encoding) */
    bool bad_encoding;    /* a byte sequence could not be converted from --encoding */
    bool too_many_fields; /* more than READER_MAX_FIELDS: fields holds only the first ones */
    /* Workbooks only (read_xlsx.h); NULL / 0 for CSV: */
    const char *sheet;    /* the sheet the row is in */
    uint32_t row;         /* its row number in that sheet (line counts on across sheets) */
    const bool *fraction; /* per field: a number cell that is not an integer */
} reader_record;

/* A workbook's row as a record: its cells already split and decoded (no byte of it left to
 * report), at physical line `line` of the file's count and row `row` of `sheet`. */
reader_record reader_sheet_record(const char *const *fields, const size_t *lens, size_t nfields,
                                  const bool *fraction, uint32_t line, const char *sheet,
                                  uint32_t row, bool too_many_fields);

/* Called once per record, the header included (the first record). Return 0 to go on, any
 * other value to stop reading (reader_run then returns that value). */
typedef int (*reader_fn)(void *ctx, const reader_record *rec);

typedef struct {
    /* iconv name ("cp1258") for a file that is not UTF-8; NULL or "" for none. The file decides
     * first: a UTF-8 BOM, or contents that are valid UTF-8 throughout, are read as UTF-8 (a
     * UTF-8 thahc.csv next to a cp1258 cases.csv is not turned into mojibake), and a UTF-16
     * BOM (FF FE or FE FF) as UTF-16; only the other files are converted from this one. */
    const char *encoding;
    char delimiter;       /* ',', ';' or '\t'; 0 = detect from the header line */
    /* When set, bytes read and records seen are added as reading goes (another thread may
     * read them for a progress display). */
    _Atomic uint64_t *progress_bytes;
    _Atomic uint64_t *progress_rows;
    /* Tests only: send every line through libcsv, even the quote-free lines the reader
     * otherwise splits itself (see reader_run_file), so the two can be compared. */
    bool libcsv_only;
} reader_opts;

/* What identifies a file's contents without reading them: device, inode, size and the
 * modification and status-change times in nanoseconds. Equal ids taken before and after
 * reading mean nobody wrote to the file in between. */
typedef struct {
    uint64_t dev, ino, size;
    int64_t mtime_ns, ctime_ns;
} reader_file_id;

/* The id of the open file fd; false when fstat fails. */
bool reader_file_id_of(int fd, reader_file_id *out);
bool reader_file_id_equal(const reader_file_id *a, const reader_file_id *b);
/* The message for a file written to while it was read (or hashed), naming it. */
void reader_report_changed(const char *path, thk_buf *err);

typedef struct {
    uint64_t bytes;   /* bytes read from the file */
    char sha256[65];  /* SHA-256 of those bytes (lowercase hex), computed while reading */
    reader_file_id id; /* the file's id when opened (reader_run_file only) */
    uint32_t lines;   /* physical lines */
    char delimiter;   /* delimiter used */
    bool had_bom;
    char encoding[160]; /* what the file was read as: "UTF-8", "UTF-8 (BOM)", "UTF-16LE (BOM)",
                          or the --encoding name, for the log and the manifest; for a
                          workbook "xlsx: " and the sheets read */
} reader_stats;

/* Largest UTF-16 file read (it is converted whole, in memory, before reading). */
#define READER_MAX_UTF16 (1ull << 30)

/* Reads `path` and calls fn for each record. A line that starts a record and holds no quote
 * and no carriage return (but its terminator) is split at the delimiter and trimmed here, the
 * way libcsv treats unquoted fields, without the byte-by-byte state machine; every other line
 * goes through libcsv. The records are the same either way (tests and the fuzzer compare).
 * Returns 0 when the whole file was read, fn's
 * non-zero value if it stopped, or -1 for a file-level problem (cannot open or read, unknown
 * encoding, an unterminated quote at end of file, a record longer than READER_MAX_RECORD, the
 * file written to while it was read) with a Vietnamese message naming the file (and line) in
 * *err. */
int reader_run_file(const char *path, const reader_opts *opts, reader_fn fn, void *ctx,
                    reader_stats *stats, thk_buf *err);
/* The same over data[0..len); `name` is used in messages. */
int reader_run_memory(const char *name, const char *data, size_t len, const reader_opts *opts,
                      reader_fn fn, void *ctx, reader_stats *stats, thk_buf *err);

/* The delimiter of a header line: whichever of ',' ';' '\t' occurs most outside quotes;
 * ',' when none does. */
char reader_detect_delimiter(const char *line, size_t len);

#endif
