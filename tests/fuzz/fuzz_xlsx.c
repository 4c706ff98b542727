/* fuzz_xlsx — libFuzzer target: arbitrary bytes through the .xlsx reader and the loader. An
 * input whose first byte is even is the whole archive (zip structure, truncation, bombs); an odd
 * first byte makes the rest one sheet's XML inside a fixed, valid workbook (the XML, shared
 * string indexes, cell references, numbers and dates). Either way the records, return code and
 * error text with the fast XML reader must be those of expat alone (xlsx_set_fast); a
 * difference aborts. */
#include "load.h"
#include "read_xlsx.h"

#include <minizip/zip.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_touch(void *ctx, const reader_record *r)
{
    size_t *sum = ctx;
    for (size_t i = 0; i < r->nfields; i++)
        *sum += r->lens[i] + (r->fraction[i] ? 1u : 0u) + (r->row & 1u);
    return 0;
}

/* Everything the records say, for comparing the fast reader with expat alone. */
static int fuzz_digest(void *ctx, const reader_record *r)
{
    thk_buf *b = ctx;
    buf_printf(b, "%s!%u %u %zu %d:", r->sheet, r->row, r->line, r->nfields, r->too_many_fields);
    for (size_t i = 0; i < r->nfields; i++) {
        buf_printf(b, "[%zu %d]", r->lens[i], r->fraction[i]);
        buf_append(b, r->fields[i], r->lens[i]);
    }
    return 0;
}

static void fuzz_compare(const char *bytes, size_t size)
{
    thk_buf out[2] = {{0}, {0}}, err[2] = {{0}, {0}};
    int rc[2];
    for (int k = 0; k < 2; k++) {
        reader_stats st;
        xlsx_set_fast(k == 0);
        rc[k] = xlsx_run_memory("fuzz.xlsx", bytes, size, NULL, fuzz_digest, &out[k], &st,
                                &err[k]);
    }
    xlsx_set_fast(true);
    if (rc[0] != rc[1] || out[0].len != out[1].len || err[0].len != err[1].len ||
        (out[0].len && memcmp(out[0].data, out[1].data, out[0].len) != 0) ||
        (err[0].len && memcmp(err[0].data, err[1].data, err[0].len) != 0)) {
        fprintf(stderr, "fast %d: %s\nexpat %d: %s\n", rc[0], err[0].data ? err[0].data : "",
                rc[1], err[1].data ? err[1].data : "");
        abort();
    }
    for (int k = 0; k < 2; k++) {
        buf_free(&out[k]);
        buf_free(&err[k]);
    }
}

static const char *const PARTS[][2] = {
    {"xl/workbook.xml", "<workbook xmlns:r=\"r\"><workbookPr date1904=\"0\"/><sheets><sheet "
                        "name=\"S\" r:id=\"rId1\"/></sheets></workbook>"},
    {"xl/_rels/workbook.xml.rels",
     "<Relationships><Relationship Id=\"rId1\" Target=\"worksheets/s.xml\"/></Relationships>"},
    {"xl/styles.xml", "<styleSheet><numFmts><numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy\"/>"
                      "</numFmts><cellXfs><xf numFmtId=\"0\"/><xf numFmtId=\"164\"/><xf "
                      "numFmtId=\"14\"/></cellXfs></styleSheet>"},
    {"xl/sharedStrings.xml", "<sst><si><t>ma_viec</t></si><si><t>ma_don_vi</t></si><si><t>"
                             "ngay_thu_ly</t></si><si><t>ngay_quyet_dinh</t></si><si><t>"
                             "so_tien_phai_thi_hanh</t></si><si><t>V1</t></si></sst>"},
};

static void fuzz_load(const char *name, const char *path, const char *bytes, size_t size)
{
    model *m = model_new();
    reject_log *rej = rejects_new();
    load_opts lo = {.rejects = rej};
    load_stats ls;
    thk_buf err = {0};
    if (path)
        load_file(m, LOAD_CASES, path, &lo, &ls, &err);
    else
        load_memory(m, LOAD_CASES, name, bytes, size, &lo, &ls, &err);
    model_finish(m);
    buf_free(&err);
    rejects_free(rej);
    model_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if ((data[0] & 1u) == 0) {
        const char *bytes = (const char *)data + 1;
        size_t sum = 0;
        reader_stats st;
        thk_buf err = {0};
        xlsx_run_memory("fuzz.xlsx", bytes, size - 1, NULL, fuzz_touch, &sum, &st, &err);
        buf_free(&err);
        fuzz_compare(bytes, size - 1);
        fuzz_load("cases.xlsx", NULL, bytes, size - 1);
        return 0;
    }
    char path[] = "/tmp/fuzz_xlsx_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 0;
    close(fd);
    zipFile z = zipOpen64(path, APPEND_STATUS_CREATE);
    if (z) {
        for (size_t i = 0; i < sizeof PARTS / sizeof *PARTS; i++) {
            zipOpenNewFileInZip64(z, PARTS[i][0], NULL, NULL, 0, NULL, 0, NULL, Z_DEFLATED, 1, 0);
            zipWriteInFileInZip(z, PARTS[i][1], (unsigned)strlen(PARTS[i][1]));
            zipCloseFileInZip(z);
        }
        zipOpenNewFileInZip64(z, "xl/worksheets/s.xml", NULL, NULL, 0, NULL, 0, NULL, Z_DEFLATED,
                              1, 0);
        zipWriteInFileInZip(z, data + 1, (unsigned)(size - 1));
        zipCloseFileInZip(z);
        zipClose(z, NULL);
        fuzz_load("cases.xlsx", path, NULL, 0);
        FILE *f = fopen(path, "rb");
        if (f) {
            char *zip = malloc(1u << 20);
            size_t n = zip ? fread(zip, 1, 1u << 20, f) : 0;
            fclose(f);
            if (zip && n < (1u << 20))
                fuzz_compare(zip, n);
            free(zip);
        }
    }
    unlink(path);
    return 0;
}
