/* Tests of the workbook path: format detection, number and date conversion, .xlsx rows through
 * the loader (shared and inline strings, skipped cells, title rows, several sheets), rejects
 * naming sheet and cell, hostile archives, and --input finding .xlsx. Workbooks are built here
 * part by part with minizip's zip writer, so each test says exactly what the file holds. */
#include "datadir.h"
#include "load.h"
#include "read_input.h"
#include "read_date.h"
#include "read_xls.h"
#include "read_xlsx.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <minizip/zip.h>

/* ---- building workbooks ---------------------------------------------------------------------- */

typedef struct {
    const char *name, *text;
} part;

static const char WB[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook "
    "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
    "<workbookPr/><sheets><sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
static const char RELS[] = "<Relationships><Relationship Id=\"rId1\" Type=\"ws\" "
                           "Target=\"worksheets/sheet1.xml\"/></Relationships>";
/* style 1 shows a date (custom code), style 2 a builtin date (14), style 3 money (#,##0) */
static const char STYLES[] =
    "<styleSheet><numFmts count=\"2\"><numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy\"/>"
    "<numFmt numFmtId=\"165\" formatCode=\"#,##0\\ &quot;đ&quot;\"/></numFmts>"
    "<cellStyleXfs><xf numFmtId=\"14\"/></cellStyleXfs>"
    "<cellXfs><xf numFmtId=\"0\"/><xf numFmtId=\"164\"/><xf numFmtId=\"14\"/><xf "
    "numFmtId=\"165\"/></cellXfs></styleSheet>";
static const char SST[] =
    "<sst><si><t>ma_viec</t></si><si><t>ma_don_vi</t></si><si><r><t>ngay_</t></r><r><t>thu_ly"
    "</t></r></si><si><t>ngay_quyet_dinh</t></si><si><t>so_tien_phai_thi_hanh</t></si>"
    "<si><t>Dân sự</t><rPh><t>PHONETIC</t></rPh></si><si><t>loai_an</t></si></sst>";
/* header: A ma_viec, B ma_don_vi, C ngay_thu_ly, D ngay_quyet_dinh, E so_tien, F loai_an */
#define HDR_ROW(r)                                                                                 \
    "<row r=\"" r "\"><c r=\"A" r "\" t=\"s\"><v>0</v></c><c r=\"B" r "\" t=\"s\"><v>1</v></c>"  \
    "<c r=\"C" r "\" t=\"s\"><v>2</v></c><c r=\"D" r "\" t=\"s\"><v>3</v></c><c r=\"E" r         \
    "\" t=\"s\"><v>4</v></c><c r=\"F" r "\" t=\"s\"><v>6</v></c></row>"

static char *sheet_xml(const char *rows)
{
    thk_buf b = {0};
    buf_printf(&b, "<?xml version=\"1.0\"?><x:worksheet xmlns:x=\"http://schemas.openxmlformats"
                   ".org/spreadsheetml/2006/main\"><x:dimension ref=\"A1:XFD1048576\"/>"
                   "<x:sheetData>%s</x:sheetData></x:worksheet>",
               rows);
    /* the prefix is kept on every element: readers must match local names */
    thk_buf o = {0};
    for (const char *p = b.data; *p; p++) {
        if (*p == '<' && p[1] != '?' && p[1] != '/' && strncmp(p + 1, "x:", 2) != 0) {
            buf_printf(&o, "<x:");
            continue;
        }
        if (*p == '<' && p[1] == '/' && strncmp(p + 2, "x:", 2) != 0) {
            buf_printf(&o, "</x:");
            p++;
            continue;
        }
        buf_putc(&o, *p);
    }
    buf_free(&b);
    return o.data;
}

/* Writes dir/name as a zip of the parts (stored with deflate); returns the path. */
static char *write_zip(const char *dir, const char *name, const part *parts, size_t n)
{
    thk_buf p = {0};
    buf_printf(&p, "%s/%s", dir, name);
    zipFile z = zipOpen64(p.data, APPEND_STATUS_CREATE);
    cr_assert_not_null(z);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(zipOpenNewFileInZip64(z, parts[i].name, NULL, NULL, 0, NULL, 0, NULL,
                                           Z_DEFLATED, Z_DEFAULT_COMPRESSION, 1),
                     ZIP_OK);
        cr_assert_eq(zipWriteInFileInZip(z, parts[i].text, (unsigned)strlen(parts[i].text)),
                     ZIP_OK);
        cr_assert_eq(zipCloseFileInZip(z), ZIP_OK);
    }
    cr_assert_eq(zipClose(z, NULL), ZIP_OK);
    return p.data;
}

/* A one-sheet workbook whose sheet has these rows (sheet_xml). */
static char *write_book(const char *dir, const char *name, const char *rows)
{
    char *sheet = sheet_xml(rows);
    part parts[] = {{"[Content_Types].xml", "<Types/>"},
                    {"xl/workbook.xml", WB},
                    {"xl/_rels/workbook.xml.rels", RELS},
                    {"xl/styles.xml", STYLES},
                    {"xl/sharedStrings.xml", SST},
                    {"xl/worksheets/sheet1.xml", sheet}};
    char *path = write_zip(dir, name, parts, sizeof parts / sizeof *parts);
    free(sheet);
    return path;
}

/* ---- loading --------------------------------------------------------------------------------- */

typedef struct {
    model *m;
    reject_log *rej;
    rule_map *loai_an;
    load_opts o;
    load_stats st;
    thk_buf err;
} fixture;

static void fx_init(fixture *f)
{
    memset(f, 0, sizeof *f);
    f->m = model_new();
    f->rej = rejects_new();
    char e[256];
    size_t off;
    f->loai_an = rule_map_new("loai_an");
    cr_assert_geq(rule_map_add(f->loai_an, "dan_su", "dân\\s*sự", strlen("dân\\s*sự"),
                               RULE_PAT_I | RULE_PAT_A, e, sizeof e, &off),
                  0);
    f->o.loai_an = f->loai_an;
    f->o.rejects = f->rej;
}

static void fx_free(fixture *f)
{
    model_free(f->m);
    rejects_free(f->rej);
    rule_map_free(f->loai_an);
    buf_free(&f->err);
}

static int fx_load(fixture *f, const char *path)
{
    buf_clear(&f->err);
    return load_file(f->m, LOAD_CASES, path, &f->o, &f->st, &f->err);
}

static char *where_of(const reject_entry *e)
{
    thk_buf b = {0};
    rejects_where(e, &b);
    return b.data;
}

/* ---- conversions ------------------------------------------------------------------------------ */

Test(xlsx, serial_dates_in_both_systems_with_the_fictitious_1900_02_29)
{
    char d[11];
    struct {
        int64_t serial;
        bool d1904;
        const char *want;
    } cases[] = {{1, false, "1900-01-01"},     {59, false, "1900-02-28"},
                 {60, false, "1900-02-29"},    {61, false, "1900-03-01"},
                 {45000, false, "2023-03-15"}, {2958465, false, "9999-12-31"},
                 {0, true, "1904-01-01"},      {43538, true, "2023-03-15"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cr_assert(xlsx_serial_date(cases[i].serial, cases[i].d1904, d), "%lld",
                  (long long)cases[i].serial);
        cr_expect_str_eq(d, cases[i].want, "serial %lld", (long long)cases[i].serial);
    }
    cr_expect_not(xlsx_serial_date(0, false, d));
    cr_expect_not(xlsx_serial_date(2958466, false, d));
    cr_expect_not(xlsx_serial_date(-1, true, d));
}

Test(xlsx, numbers_are_exact_decimal_text_never_a_double)
{
    struct {
        const char *in, *want;
        bool frac;
    } cases[] = {{"14249000", "14249000", false},
                 {"1.5E+3", "1500", false},
                 {"9.2233720368547758E+18", "9223372036854775800", false},
                 {"123456789012345678", "123456789012345678", false},
                 {"1234.567", "1234.567", true},
                 {"1.0", "1", false},
                 {"-0.5", "-0.5", true},
                 {"2.5E-1", "0.25", true},
                 {"007", "7", false},
                 {"0.000", "0", false}};
    thk_buf b = {0};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        bool frac = !cases[i].frac;
        cr_assert(xlsx_number_text(cases[i].in, strlen(cases[i].in), &b, &frac), "%s",
                  cases[i].in);
        cr_expect_str_eq(b.data, cases[i].want, "%s", cases[i].in);
        cr_expect_eq(frac, cases[i].frac, "%s", cases[i].in);
    }
    bool frac;
    cr_expect_not(xlsx_number_text("1E+41", 5, &b, &frac));
    cr_expect_not(xlsx_number_text("abc", 3, &b, &frac));
    cr_expect_not(xlsx_number_text("1.2.3", 5, &b, &frac));
    cr_expect_not(xlsx_number_text("", 0, &b, &frac));
    buf_free(&b);
}

Test(xlsx, date_formats_builtin_and_custom)
{
    cr_expect(xlsx_format_is_date(14, NULL));
    cr_expect(xlsx_format_is_date(22, NULL));
    cr_expect(xlsx_format_is_date(164, "dd/mm/yyyy"));
    cr_expect(xlsx_format_is_date(170, "[$-42A]d mmmm yyyy"));
    cr_expect_not(xlsx_format_is_date(0, NULL));
    cr_expect_not(xlsx_format_is_date(3, NULL));
    cr_expect_not(xlsx_format_is_date(164, "#,##0"));
    cr_expect_not(xlsx_format_is_date(164, "#,##0\\ \"đ\""));
    cr_expect_not(xlsx_format_is_date(164, "[Red]0.00"));
    cr_expect_not(xlsx_format_is_date(164, "General"));
    cr_expect_not(xlsx_format_is_date(164, "0;\"ngày\""));
}

Test(xlsx, format_decided_by_the_first_bytes)
{
    const char *what = "x";
    cr_expect_eq(input_sniff((const unsigned char *)"ma_viec,ngay\n", 13, &what), INPUT_CSV);
    cr_expect_null(what);
    cr_expect_eq(input_sniff((const unsigned char *)"PK\x03\x04rest", 8, &what), INPUT_XLSX);
    unsigned char ods[128] = "PK\x03\x04";
    memcpy(ods + 30, "mimetypeapplication/vnd.oasis.opendocument.spreadsheet", 54);
    cr_expect_eq(input_sniff(ods, sizeof ods, &what), INPUT_OTHER);
    cr_expect(strstr(what, "(.ods)"), "%s", what);
    cr_expect_eq(input_sniff((const unsigned char *)"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8, &what),
                 INPUT_XLS);
    cr_expect(strstr(what, ".xls"), "%s", what);
    cr_expect_eq(input_sniff((const unsigned char *)"%PDF-1.4", 8, &what), INPUT_OTHER);
    cr_expect(strstr(what, "PDF"), "%s", what);
    cr_expect_eq(input_sniff((const unsigned char *)"\xEF\xBB\xBF<HTML><table>", 16, &what),
                 INPUT_OTHER);
    cr_expect(strstr(what, "HTML"), "%s", what);
}

/* ---- rows through the loader ------------------------------------------------------------------ */

Test(xlsx, a_sheet_with_titles_numbers_dates_and_strings_loads_like_csv)
{
    char *dir = tu_tempdir();
    /* two title rows (one a single merged cell), the header, then: real dates (custom and
     * builtin formats), money as a number with a money format, an inline string, a skipped
     * column (no C cell: ngay_thu_ly empty → required reject in row 5) */
    char *path = write_book(
        dir, "cases.xlsx",
        "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>DANH SÁCH VIỆC</t></is></c></row>"
        "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>Đơn vị:</t></is></c>"
        "<c r=\"B2\" t=\"inlineStr\"><is><t>Cục THADS</t></is></c></row>" HDR_ROW("3")
        "<row r=\"4\"><c r=\"A4\" t=\"inlineStr\"><is><t>V1</t></is></c>"
        "<c r=\"B4\" t=\"inlineStr\"><is><t>GL</t></is></c><c r=\"C4\" s=\"1\"><v>45000</v></c>"
        "<c r=\"D4\" s=\"2\"><v>45001.75</v></c><c r=\"E4\" s=\"3\"><v>1.5E+3</v></c>"
        "<c r=\"F4\" t=\"s\"><v>5</v></c></row>"
        "<row r=\"5\" spans=\"1:6\"><c r=\"A5\" t=\"str\"><f>X</f><v>V2</v></c>"
        "<c r=\"B5\" t=\"inlineStr\"><is><t>GL</t></is></c>"
        "<c r=\"D5\" t=\"inlineStr\"><is><t>16/03/2023</t></is></c>"
        "<c r=\"E5\" t=\"inlineStr\"><is><t>1.234.567</t></is></c></row>"
        "<row r=\"9\"><c r=\"A9\"><v>17</v></c><c r=\"B9\" t=\"inlineStr\"><is><t>GL</t></is></c>"
        "<c r=\"C9\" t=\"inlineStr\"><is><t>2023-03-15</t></is></c>"
        "<c r=\"D9\" t=\"inlineStr\"><is><t>2023-03-15</t></is></c>"
        "<c r=\"E9\"><v>1234.567</v></c><c r=\"H9\"/></row>");
    fixture f;
    fx_init(&f);
    cr_assert_eq(fx_load(&f, path), 0, "%s", f.err.data);
    cr_expect_eq(f.st.read, 3);
    cr_expect_eq(f.st.accepted, 1);
    cr_expect_str_eq(f.st.encoding, "xlsx: Sheet1");
    cr_assert_eq(f.m->ncases, 1);
    const model_case *k = &f.m->cases[0];
    cr_expect_eq(k->ngay_thu_ly, date_from_ymd(2023, 3, 15));
    cr_expect_eq(k->ngay_quyet_dinh, date_from_ymd(2023, 3, 16));
    cr_expect_eq(k->so_tien, 1500);
    /* row 5: ngay_thu_ly missing at C5; row 9: 1234.567 is a fraction at E9, not 1.234.567 */
    cr_assert_eq(rejects_count(f.rej), 2);
    const reject_entry *e = rejects_get(f.rej, 0);
    char *w = where_of(e);
    cr_expect_str_eq(w, "cases.xlsx:Sheet1!C5");
    cr_expect_eq(e->line, 5);
    cr_expect_str_eq(e->column, "ngay_thu_ly");
    free(w);
    e = rejects_get(f.rej, 1);
    w = where_of(e);
    cr_expect_str_eq(w, "cases.xlsx:Sheet1!E9");
    cr_expect_eq(e->code, REJ_MONEY_FRACTION);
    cr_expect_str_eq(e->value, "1234.567");
    free(w);
    fx_free(&f);
    free(path);
    free(dir);
}

Test(xlsx, following_sheets_with_the_same_header_continue_others_are_skipped)
{
    char *dir = tu_tempdir();
    static const char wb[] =
        "<workbook xmlns:r=\"r\"><workbookPr date1904=\"1\"/><sheets>"
        "<sheet name=\"Ghi chú\" r:id=\"rId9\"/><sheet name=\"T1\" r:id=\"rId1\"/>"
        "<sheet name=\"Khác\" r:id=\"rId3\"/><sheet name=\"T2\" r:id=\"rId2\"/></sheets></workbook>";
    static const char rels[] =
        "<Relationships><Relationship Id=\"rId1\" Target=\"worksheets/a.xml\"/>"
        "<Relationship Id=\"rId2\" Target=\"/xl/worksheets/b.xml\"/>"
        "<Relationship Id=\"rId3\" Target=\"worksheets/c.xml\"/>"
        "<Relationship Id=\"rId9\" Target=\"worksheets/n.xml\"/></Relationships>";
#define ROW(r, id, serial)                                                                         \
    "<row r=\"" r "\"><c t=\"inlineStr\"><is><t>" id "</t></is></c><c t=\"inlineStr\"><is><t>GL" \
    "</t></is></c><c s=\"1\"><v>" serial "</v></c><c s=\"1\"><v>" serial "</v></c><c><v>5</v>" \
    "</c></row>"
    char *notes = sheet_xml("<row r=\"1\"><c t=\"inlineStr\"><is><t>ghi chú</t></is></c></row>");
    char *a = sheet_xml(HDR_ROW("1") ROW("2", "V1", "40000") ROW("3", "V2", "40001"));
    char *b = sheet_xml(HDR_ROW("1") ROW("2", "V3", "40002"));
    char *c = sheet_xml(HDR_ROW("1") ROW("2", "V9", "40002"));
    /* sheet "Khác" has another header (column F missing): skipped, its V9 never read */
    char *cc = strstr(c, "<x:c r=\"F1\"");
    cr_assert_not_null(cc);
    memcpy(cc + 1, "x:x", 3);
    char *cend = strstr(cc, "</x:c>");
    memcpy(cend + 2, "x:x", 3);
    part parts[] = {{"xl/workbook.xml", wb},       {"xl/_rels/workbook.xml.rels", rels},
                    {"xl/styles.xml", STYLES},     {"xl/sharedStrings.xml", SST},
                    {"xl/worksheets/a.xml", a},    {"xl/worksheets/b.xml", b},
                    {"xl/worksheets/c.xml", c},    {"xl/worksheets/n.xml", notes}};
    char *path = write_zip(dir, "cases.xlsx", parts, sizeof parts / sizeof *parts);
    fixture f;
    fx_init(&f);
    cr_assert_eq(fx_load(&f, path), 0, "%s", f.err.data);
    cr_expect_eq(rejects_count(f.rej), 0);
    cr_assert_eq(f.m->ncases, 3);
    cr_expect_eq(f.m->cases[0].ngay_thu_ly, date_from_ymd(2013, 7, 7));
    cr_expect_eq(f.m->cases[2].ngay_thu_ly, date_from_ymd(2013, 7, 9));
    cr_expect_str_eq(f.st.encoding, "xlsx: T1, T2");
    fx_free(&f);
    free(notes);
    free(a);
    free(b);
    free(c);
    free(path);
    free(dir);
}

/* ---- hostile workbooks -------------------------------------------------------------------------- */

static void expect_file_error(const char *rows_or_null, const part *parts, size_t n,
                              const char *want)
{
    char *dir = tu_tempdir();
    char *path = rows_or_null ? write_book(dir, "cases.xlsx", rows_or_null)
                              : write_zip(dir, "cases.xlsx", parts, n);
    fixture f;
    fx_init(&f);
    cr_expect_eq(fx_load(&f, path), THK_EXIT_INPUT);
    cr_expect(f.err.data && strstr(f.err.data, want), "want '%s' in: %s", want,
              f.err.data ? f.err.data : "(none)");
    cr_expect(f.err.data && strstr(f.err.data, "cases.xlsx"), "%s", f.err.data);
    fx_free(&f);
    free(path);
    free(dir);
}

Test(xlsx, shared_string_index_out_of_range_names_the_cell)
{
    expect_file_error(HDR_ROW("1") "<row r=\"2\"><c r=\"B2\" t=\"s\"><v>99</v></c></row>", NULL, 0,
                      "ô Sheet1!B2");
}

Test(xlsx, rows_out_of_order_or_absurd_are_refused)
{
    expect_file_error(HDR_ROW("5") "<row r=\"3\"><c><v>1</v></c></row>", NULL, 0,
                      "không theo thứ tự");
    expect_file_error(HDR_ROW("1") "<row r=\"99999999\"><c><v>1</v></c></row>", NULL, 0,
                      "không hợp lệ");
    expect_file_error(HDR_ROW("1") "<row r=\"2\"><c r=\"ZZZZ2\"><v>1</v></c></row>", NULL, 0,
                      "địa chỉ ô");
}

Test(xlsx, doctype_and_entities_are_refused)
{
    char *s = sheet_xml(HDR_ROW("1"));
    thk_buf b = {0};
    buf_printf(&b, "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b "
                   "\"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>%s",
               strstr(s, "?>") + 2);
    part parts[] = {{"xl/workbook.xml", WB},
                    {"xl/_rels/workbook.xml.rels", RELS},
                    {"xl/worksheets/sheet1.xml", b.data}};
    expect_file_error(NULL, parts, 3, "DOCTYPE");
    buf_free(&b);
    free(s);
}

Test(xlsx, a_sheet_named_but_missing_and_a_zip_that_is_no_workbook)
{
    part missing[] = {{"xl/workbook.xml", WB}, {"xl/_rels/workbook.xml.rels", RELS}};
    expect_file_error(NULL, missing, 2, "thiếu phần xl/worksheets/sheet1.xml");
    part norel[] = {{"xl/workbook.xml", WB}};
    expect_file_error(NULL, norel, 1, "không có đường dẫn");
    part docx[] = {{"word/document.xml", "<w/>"}};
    expect_file_error(NULL, docx, 1, "không phải bảng tính Excel");
}

Test(xlsx, a_zip_bomb_is_refused_before_it_is_inflated)
{
    /* 64 MB of one repeated cell: deflate packs it over 1000:1 */
    size_t n = 64u << 20;
    char *big = thk_xmalloc(n + 1);
    memset(big, ' ', n);
    big[n] = '\0';
    memcpy(big, "<worksheet><sheetData>", 22);
    part parts[] = {{"xl/workbook.xml", WB},
                    {"xl/_rels/workbook.xml.rels", RELS},
                    {"xl/worksheets/sheet1.xml", big}};
    expect_file_error(NULL, parts, 3, "bom nén");
    free(big);
}

Test(xlsx, a_truncated_archive_is_a_clear_error)
{
    char *dir = tu_tempdir();
    char *path = write_book(dir, "cases.xlsx", HDR_ROW("1"));
    size_t len = 0;
    char *data = tu_read(path, &len);
    cr_assert_not_null(data);
    fixture f;
    fx_init(&f);
    for (size_t cut = 4; cut < len; cut += len / 7) {
        rejects_free(f.rej);
        f.rej = f.o.rejects = rejects_new();
        buf_clear(&f.err);
        int rc = load_memory(f.m, LOAD_CASES, "cases.xlsx", data, cut, &f.o, &f.st, &f.err);
        cr_expect_eq(rc, THK_EXIT_INPUT, "cut at %zu", cut);
        cr_expect(f.err.data && strstr(f.err.data, "cases.xlsx"), "cut %zu: %s", cut, f.err.data);
    }
    fx_free(&f);
    free(data);
    free(path);
    free(dir);
}

Test(xlsx, formats_it_cannot_read_say_what_they_are)
{
    char *dir = tu_tempdir();
    char *path = tu_write(dir, "cases.csv", "%PDF-1.7\n...", 11);
    fixture f;
    fx_init(&f);
    cr_expect_eq(fx_load(&f, path), THK_EXIT_INPUT);
    cr_expect(strstr(f.err.data, "cases.csv: tệp là tài liệu PDF, không đọc được"), "%s",
              f.err.data);
    fx_free(&f);
    free(path);
    free(dir);
}

Test(xlsx, input_folder_finds_csv_xlsx_or_xls_and_refuses_two)
{
    char *dir = tu_tempdir();
    thk_buf err = {0};
    bool found = true;
    char *p = datadir_input(dir, "cases", &found, &err);
    cr_expect_not(found);
    cr_expect(strstr(p, "/cases.csv"), "%s", p);
    free(p);
    free(write_book(dir, "cases.xlsx", HDR_ROW("1")));
    p = datadir_input(dir, "cases", &found, &err);
    cr_expect(found);
    cr_expect(strstr(p, "/cases.xlsx"), "%s", p);
    free(p);
    free(tu_write_str(dir, "cases.csv", "ma_viec\n"));
    p = datadir_input(dir, "cases", &found, &err);
    cr_expect_null(p);
    cr_expect(strstr(err.data, "cases.csv và cases.xlsx"), "%s", err.data);
    buf_free(&err);
    free(dir);
}

Test(xlsx, xls_numbers_integers_exact_and_fractions_flagged)
{
    thk_buf b = {0};
    bool frac = true;
    cr_assert(xls_number_text(14249000.0, &b, &frac));
    cr_expect_str_eq(b.data, "14249000");
    cr_expect_not(frac);
    cr_assert(xls_number_text(9007199254740991.0, &b, &frac));
    cr_expect_str_eq(b.data, "9007199254740991");
    cr_assert(xls_number_text(1234.567, &b, &frac));
    cr_expect_str_eq(b.data, "1234.567");
    cr_expect(frac);
    cr_assert(xls_number_text(0.1, &b, &frac));
    cr_expect_str_eq(b.data, "0.1");
    cr_expect_not(xls_number_text(1.0 / 0.0, &b, &frac));
    buf_free(&b);
}

Test(xlsx, a_broken_xls_is_a_clear_error)
{
    char *dir = tu_tempdir();
    char src[2048];
    snprintf(src, sizeof src, "%s/tests/data/xls/cases.xls", tu_root());
    size_t len = 0;
    char *data = tu_read(src, &len);
    cr_assert_not_null(data);
    cr_assert_gt(len, 1024);
    /* the OLE2 header kept, the rest cut: named as an .xls that cannot be read */
    char *path = tu_write(dir, "cases.xls", data, 700);
    fixture f;
    fx_init(&f);
    cr_expect_eq(fx_load(&f, path), THK_EXIT_INPUT);
    cr_expect(f.err.data && strstr(f.err.data, "cases.xls: tệp Excel 97-2003 (.xls) hỏng"), "%s",
              f.err.data);
    fx_free(&f);
    free(path);
    free(data);
    free(dir);
}
