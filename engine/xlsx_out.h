/* xlsx_out — the report workbook: the TH summary, each form laid out like the official paper
 * form, each list, the rejected rows, and a hidden manifest sheet (outputs.md "The workbook"). */
#ifndef XLSX_OUT_H
#define XLSX_OUT_H

#include "form.h"
#include "period.h"
#include "rejects.h"
#include "thk.h"

#include <time.h>

#define XLSX_OUT_DEFAULT_UNIT "THADS tỉnh ..."
#define XLSX_OUT_DEFAULT_RECEIVER "Cục Quản lý THADS"
#define XLSX_OUT_REJECTS_SHEET "Dòng bị loại"
#define XLSX_OUT_MANIFEST_SHEET "manifest"
/* The rejects sheet shows at most this many entries, then a line pointing to rejects.csv. */
#define XLSX_OUT_MAX_REJECT_ROWS 100000u

/* What the workbook shows. Everything is borrowed for the duration of xlsx_out_write. */
typedef struct {
    const form_set *forms;      /* tables in workbook order: TH first, then forms, then lists */
    period per;                 /* the report window, shown on every sheet */
    const char *unit_name;      /* reporting unit (--unit-name); NULL: XLSX_OUT_DEFAULT_UNIT */
    const char *receiver;       /* receiving unit (--receiver); NULL: XLSX_OUT_DEFAULT_RECEIVER */
    const char *place;          /* --place; NULL: the province or city in the unit's name */
    thk_date sign_date;         /* --sign-date; 0 or THK_DATE_NONE: "ngày …… tháng …… năm ……"
                                   left to fill by hand */
    const reject_log *rejects;  /* rejected rows and warnings, already sorted; NULL: none */
    const form_table *checks;   /* the "Thẩm tra" sheet (screen.h), after the lists; NULL: none */
    const char *manifest_json;  /* text for the hidden manifest sheet (one line a row); NULL: "" */
    /* when set, called for that text just before the hidden sheet is written, so the caller
     * can still be writing and hashing the other outputs while the sheets are made; a NULL
     * answer stops the workbook (THK_EXIT_OUTPUT, nothing more written) */
    const char *(*manifest_wait)(void *ctx);
    void *manifest_ctx;
    time_t created;             /* document creation time (period end or SOURCE_DATE_EPOCH);
                                   0: the period end at 00:00 UTC. Never the wall clock. */
    const char *tmpdir;         /* libxlsxwriter's temporary folder; NULL: the system's */
    size_t max_reject_rows;     /* rejects sheet row cap; 0: XLSX_OUT_MAX_REJECT_ROWS */
    int threads;                /* 2: a long list's rows are formatted on two threads (the
                                   bytes do not change); 0 or 1: on the calling one */
    bool rows_by_library;       /* tests: every list row through libxlsxwriter's cell calls,
                                   not xlsx_rows (the same bytes) */
} xlsx_report;

/* Writes the workbook to path (created or replaced); it may run on a thread of its own (it
 * only reads r). Sheets, in order: every table of the set
 * (forms with the paper-form layout, lists with title, header and rows), the rejects sheet
 * XLSX_OUT_REJECTS_SHEET, and the hidden XLSX_OUT_MANIFEST_SHEET. Same input, same bytes.
 * Returns 0, or THK_EXIT_OUTPUT with a message naming the path (and the sheet, when one
 * failed) in *err; a partial file may then be left at path for the caller to remove. */
int xlsx_out_write(const char *path, const xlsx_report *r, thk_buf *err);

/* The workbook's file name for period p: "bao-cao-<N>-thang-<Y>.xlsx", or for a window of
 * dates "bao-cao-<S>-den-<E>.xlsx" (ISO dates). out: >= 64 bytes. */
void xlsx_out_name(const period *p, char *out, size_t n);
/* The workbook's creation time: SOURCE_DATE_EPOCH when set, else the period end (00:00 UTC),
 * so reruns give identical bytes. */
time_t xlsx_out_created(const period *p);

#endif
