/* rejects — the log of rejected rows and warnings, with per-file counts (input.md "Bad input"). */
#ifndef REJECTS_H
#define REJECTS_H

#include "thk.h"

typedef struct {
    const char *file;   /* file name as given (owned by the log) */
    uint32_t line;      /* physical line where the row starts; header = 1 */
    const char *column; /* column name as in the header, "" for a whole-row problem */
    const char *value;  /* raw value (bytes as read, invalid UTF-8 replaced by \xNN), may be "" */
    const char *detail; /* extra explanation appended to the catalogue message, may be "" */
    thk_reject code;
    uint32_t cell;      /* workbooks: the cell's column + 1 (A = 1), file then reads
                           "cases.xlsx:Sheet1" and rejects.csv shows "cases.xlsx:Sheet1!B17";
                           0 for CSV */
} reject_entry;

typedef struct reject_log reject_log;

/* An empty log. Never NULL. */
reject_log *rejects_new(void);
/* Frees the log and its strings; accepts NULL. */
void rejects_free(reject_log *log);

/* Records one rejected row or warning; copies every string. `value` is value[0..vlen). */
void rejects_add(reject_log *log, const char *file, uint32_t line, const char *column,
                 const char *value, size_t vlen, thk_reject code, const char *detail);

/* rejects_add for a workbook cell: `cell` is its column + 1 (0 for a whole row), `file` names
 * the file and sheet ("cases.xlsx:Sheet1"), line the row. */
void rejects_add_cell(reject_log *log, const char *file, uint32_t line, uint32_t cell,
                      const char *column, const char *value, size_t vlen, thk_reject code,
                      const char *detail);
/* The file column of e as rejects.csv writes it: "cases.xlsx:Sheet1!B17" for a cell. */
void rejects_where(const reject_entry *e, thk_buf *out);

size_t rejects_count(const reject_log *log);
/* Adds every entry of `from` to `to`, in order (logs kept apart by threads, joined after). */
void rejects_append(reject_log *to, const reject_log *from);
/* Entry i, in the order added (stable: reruns give the same order). */
const reject_entry *rejects_get(const reject_log *log, size_t i);
/* Entries of severity 'E' / 'W' recorded for `file` (NULL: all files). */
size_t rejects_count_severity(const reject_log *log, const char *file, char severity);

/* The full Vietnamese message of an entry: catalogue text, then ": detail" when present. */
void rejects_message(const reject_entry *e, thk_buf *out);

/* Sorts entries by (file order of first appearance, line, code): call once before writing. */
void rejects_sort(reject_log *log);

#endif
