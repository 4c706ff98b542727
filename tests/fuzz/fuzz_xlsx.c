/* fuzz_xlsx — libFuzzer target: arbitrary bytes through the .xlsx reader and the loader. An
 * input whose first byte is even is the whole archive (zip structure, truncation, bombs); an odd
 * first byte makes the rest one sheet's XML inside a fixed, valid workbook (the XML, shared
 * string indexes, cell references, numbers and dates). */
#include "load.h"
#include "read_xlsx.h"

#include <minizip/zip.h>
#include <stdint.h>
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
    }
    unlink(path);
    return 0;
}
