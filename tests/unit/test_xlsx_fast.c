/* Tests of xlsx_fast, the reader of the XML subset spreadsheet writers produce (read_xlsx.c):
 * on every document, well-formed or not, inside its subset or not, the records, the return code
 * and the error text must be exactly those of expat alone (xlsx_set_fast(false)). The documents
 * that leave the subset after rows were handed over check that expat, reading the part again,
 * hands over none of them twice; the large one checks the inflating thread. */
#include "read_xlsx.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <minizip/zip.h>

static const char WB[] =
    "<workbook xmlns:r=\"r\"><workbookPr/><sheets><sheet name=\"Trang 1\" r:id=\"rId1\"/>"
    "</sheets></workbook>";
static const char RELS[] = "<Relationships><Relationship Id=\"rId1\" "
                           "Target=\"worksheets/sheet1.xml\"/></Relationships>";
static const char STYLES[] = "<styleSheet><cellXfs><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/>"
                             "</cellXfs></styleSheet>";
static const char SST[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<sst count=\"4\">"
    "<si><t>ma_viec</t></si><si><r><rPr><b/></rPr><t xml:space=\"preserve\">Dân </t></r><r><t>"
    "sự</t></r><rPh sb=\"0\" eb=\"1\"><t>PH</t></rPh></si><si><t>A&amp;B &#7871;</t></si>"
    "<si><t/></si></sst>";

/* The workbook's bytes with this sheet XML (and these shared strings). */
static char *book(const char *sheet, size_t sheet_len, const char *sst, size_t *len)
{
    char *dir = tu_tempdir();
    thk_buf p = {0};
    buf_printf(&p, "%s/b.xlsx", dir);
    zipFile z = zipOpen64(p.data, APPEND_STATUS_CREATE);
    cr_assert_not_null(z);
    const char *names[] = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
                           "xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"};
    const char *texts[] = {WB, RELS, STYLES, sst, sheet};
    size_t lens[] = {strlen(WB), strlen(RELS), strlen(STYLES), strlen(sst), sheet_len};
    for (size_t i = 0; i < 5; i++) {
        cr_assert_eq(zipOpenNewFileInZip64(z, names[i], NULL, NULL, 0, NULL, 0, NULL, Z_DEFLATED,
                                           Z_DEFAULT_COMPRESSION, 1),
                     ZIP_OK);
        cr_assert_eq(zipWriteInFileInZip(z, texts[i], (unsigned)lens[i]), ZIP_OK);
        cr_assert_eq(zipCloseFileInZip(z), ZIP_OK);
    }
    cr_assert_eq(zipClose(z, NULL), ZIP_OK);
    char *data = tu_read(p.data, len);
    cr_assert_not_null(data);
    buf_free(&p);
    free(dir);
    return data;
}

/* Everything a record says, one line per record. */
static int digest(void *ctx, const reader_record *r)
{
    thk_buf *b = ctx;
    buf_printf(b, "%s!%u line %u nf %zu%s:", r->sheet, r->row, r->line, r->nfields,
               r->too_many_fields ? " too many" : "");
    for (size_t i = 0; i < r->nfields; i++) {
        buf_printf(b, " [%zu%s]", r->lens[i], r->fraction[i] ? " frac" : "");
        buf_append(b, r->fields[i], r->lens[i]);
    }
    buf_putc(b, '\n');
    return 0;
}

typedef struct {
    int rc;
    thk_buf out, err;
    char enc[sizeof(((reader_stats *)0)->encoding)];
} outcome;

static void run(const char *data, size_t len, bool fast, outcome *o)
{
    memset(o, 0, sizeof *o);
    reader_stats st;
    xlsx_set_fast(fast);
    o->rc = xlsx_run_memory("b.xlsx", data, len, NULL, digest, &o->out, &st, &o->err);
    xlsx_set_fast(true);
    memcpy(o->enc, st.encoding, sizeof o->enc);
}

/* Fast and expat alone agree on this sheet; returns the fast outcome's records. */
static char *agree(const char *label, const char *sheet, size_t sheet_len, const char *sst,
                   int *rc)
{
    size_t len = 0;
    char *data = book(sheet, sheet_len, sst, &len);
    outcome a, b;
    run(data, len, true, &a);
    run(data, len, false, &b);
    cr_expect_eq(a.rc, b.rc, "%s: rc %d, expat %d (%s | %s)", label, a.rc, b.rc,
                 a.err.data ? a.err.data : "", b.err.data ? b.err.data : "");
    cr_expect_str_eq(a.err.data ? a.err.data : "", b.err.data ? b.err.data : "", "%s", label);
    cr_expect_str_eq(a.out.data ? a.out.data : "", b.out.data ? b.out.data : "", "%s", label);
    cr_expect_str_eq(a.enc, b.enc, "%s", label);
    if (rc)
        *rc = a.rc;
    buf_free(&a.err);
    buf_free(&b.out);
    buf_free(&b.err);
    free(data);
    return a.out.data ? a.out.data : thk_xstrdup("");
}

#define ROWS                                                                                       \
    "<row r=\"1\" spans=\"1:3\" x14ac:dyDescent=\"0.25\"><c r=\"A1\" t=\"s\"><v>0</v></c>"        \
    "<c r=\"B1\" t=\"s\"><v>1</v></c><c r=\"C1\" t=\"s\"><v>2</v></c></row>"                      \
    "<row r=\"2\"><c r=\"A2\" s=\"1\"><v>45000</v></c><c r=\"B2\"><v>-12.50</v></c>"              \
    "<c r=\"D2\" t=\"inlineStr\"><is><t>Ph&#242;ng &#x110;&#7855;k &lt;L&gt; &quot;q&apos; "     \
    "a]b</t></is></c><c r=\"E2\" t=\"b\"><v>1</v></c></row>"                                      \
    "<row r=\"3\"><c r=\"A3\" t='str'><f>A1</f><v>x</v></c><c r=\"C3\" t=\"s\"><v>3</v></c>"      \
    "<c r=\"D3\"><v>1.5E+3</v></c></row>"
#define HEAD                                                                                       \
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<worksheet "               \
    "xmlns=\"m\" xmlns:x14ac=\"ac\"><dimension ref=\"A1:E3\"/><sheetData>"
#define TAIL "</sheetData><pageMargins left=\"0.7\"/></worksheet>"

Test(xlsx_fast, fast_and_expat_agree_on_every_shape)
{
    static const char *const docs[][2] = {
        {"excel", HEAD ROWS TAIL},
        {"prefixed", "<x:worksheet xmlns:x=\"m\"><x:sheetData><x:row r=\"1\"><x:c r=\"A1\" "
                     "t=\"inlineStr\"><x:is><x:t>v</x:t></x:is></x:c></x:row></x:sheetData>"
                     "</x:worksheet>"},
        {"bom", "\xEF\xBB\xBF<?xml version='1.0'?><worksheet><sheetData>" ROWS TAIL},
        {"bom only", "\xEF\xBB\xBF<worksheet><sheetData>" ROWS TAIL},
        {"no declaration", "<worksheet><sheetData>" ROWS "</sheetData></worksheet>\n\n"},
        {"utf-16 declared", "<?xml version=\"1.0\" encoding=\"UTF-16\"?><worksheet/>"},
        {"version 1.1", "<?xml version=\"1.1\"?><worksheet/>"},
        {"declaration late", " <?xml version=\"1.0\"?><worksheet/>"},
        {"comment after rows", HEAD ROWS "<!-- a comment -->" TAIL},
        {"comment in a row", HEAD "<row r=\"1\"><c r=\"A1\"><v>1</v></c><!--x--></row>" ROWS TAIL},
        {"pi", HEAD ROWS "<?pi x?>" TAIL},
        {"cdata", HEAD "<row r=\"1\"><c r=\"A1\" t=\"str\"><v><![CDATA[a<b]]></v></c></row>" TAIL},
        {"doctype", "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]><worksheet/>"},
        {"unknown entity", HEAD ROWS "<row r=\"9\"><c><v>&nbsp;</v></c></row>" TAIL},
        {"char ref 0", HEAD ROWS "<row r=\"9\"><c><v>&#0;</v></c></row>" TAIL},
        {"char ref fffe", HEAD ROWS "<row r=\"9\"><c><v>&#xFFFE;</v></c></row>" TAIL},
        {"char ref cr", HEAD "<row r=\"1\"><c t=\"str\"><v>a&#13;b&#x9;</v></c></row>" TAIL},
        {"crlf in text", HEAD ROWS "<row r=\"9\"><c t=\"str\"><v>a\r\nb\rc</v></c></row>" TAIL},
        {"cr between tags", HEAD "\r\n<row r=\"1\">\r\n<c><v>1</v></c></row>\r\n" TAIL},
        {"tab in attribute", HEAD ROWS "<row r=\"9\"><c r=\"A\t9\"><v>1</v></c></row>" TAIL},
        {"reference in attribute", HEAD ROWS "<row r=\"&#57;\"><c><v>1</v></c></row>" TAIL},
        {"duplicate attribute", HEAD ROWS "<row r=\"9\" r=\"9\"><c><v>1</v></c></row>" TAIL},
        {"no space between attributes", HEAD ROWS "<row r=\"9\"s=\"1\"></row>" TAIL},
        {"lt in attribute", HEAD ROWS "<row r=\"<\"></row>" TAIL},
        {"mismatched", HEAD ROWS "<row r=\"9\"><c><v>1</c></v></row>" TAIL},
        {"unclosed", HEAD ROWS},
        {"junk after root", HEAD ROWS TAIL "<x/>"},
        {"text after root", HEAD ROWS TAIL "x"},
        {"text before root", "x<worksheet/>"},
        {"empty", ""},
        {"cdata end in text", HEAD ROWS "<row r=\"9\"><c t=\"str\"><v>a]]>b</v></c></row>" TAIL},
        {"brackets in text", HEAD "<row r=\"1\"><c t=\"str\"><v>]]]</v></c></row>" TAIL},
        {"bad utf-8", HEAD ROWS "<row r=\"9\"><c t=\"str\"><v>\xC3(</v></c></row>" TAIL},
        {"overlong utf-8", HEAD ROWS "<row r=\"9\"><c t=\"str\"><v>\xC0\xAF</v></c></row>" TAIL},
        {"surrogate", HEAD ROWS "<row r=\"9\"><c t=\"str\"><v>\xED\xA0\x80</v></c></row>" TAIL},
        {"utf-8 fffe", HEAD ROWS "<row r=\"9\"><c t=\"str\"><v>\xEF\xBF\xBE</v></c></row>" TAIL},
        {"4-byte utf-8", HEAD "<row r=\"1\"><c t=\"str\"><v>\xF0\x9F\x98\x80</v></c></row>" TAIL},
        {"control", HEAD ROWS "<row r=\"9\"><c t=\"str\"><v>a\x01</v></c></row>" TAIL},
        {"non-ascii name", HEAD ROWS "<r\xC3\xA9><c/></r\xC3\xA9>" TAIL},
        {"rows out of order", HEAD ROWS "<row r=\"2\"><c><v>1</v></c></row>" TAIL},
        {"shared string out of range", HEAD ROWS "<row r=\"9\"><c t=\"s\"><v>4</v></c></row>" TAIL},
        {"cells out of order", HEAD "<row r=\"1\"><c r=\"B1\"><v>1</v></c><c r=\"A1\"><v>1</v>"
                               "</c></row>" TAIL},
        {"self-closing", HEAD "<row r=\"1\"/><row r=\"2\"><c r=\"A2\"/><c r=\"B2\"><v>7</v></c>"
                         "</row>" TAIL},
        {"spaces in tags", HEAD "<row  r = '1' ><c\nr=\"A1\"\n><v >5</v ></c ></row >" TAIL},
    };
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++)
        free(agree(docs[i][0], docs[i][1], strlen(docs[i][1]), SST, NULL));
    /* the shared strings read by the fast reader, and by expat after it gave up */
    static const char *const ssts[] = {
        SST, "<sst><si><t>a</t></si><!-- c --><si><t>b</t></si><si><t>c</t></si><si><t>d</t>"
             "</si></sst>",
        "<sst><si><t>a\r\nb</t></si><si><t>b</t></si><si><t>c</t></si><si><t>d</t></si></sst>"};
    for (size_t i = 0; i < sizeof ssts / sizeof *ssts; i++)
        free(agree("shared strings", HEAD ROWS TAIL, strlen(HEAD ROWS TAIL), ssts[i], NULL));
}

Test(xlsx_fast, nesting_and_tokens_past_its_limits_go_to_expat)
{
    thk_buf b = {0};
    buf_printf(&b, HEAD ROWS "<row r=\"9\"><c t=\"str\"><v>");
    for (int i = 0; i < 40; i++)
        buf_printf(&b, "<d%d>", i);
    buf_printf(&b, "z");
    for (int i = 39; i >= 0; i--)
        buf_printf(&b, "</d%d>", i);
    buf_printf(&b, "</v></c></row>" TAIL);
    free(agree("deep", b.data, b.len, SST, NULL));
    /* a text of 3 MB after the first rows: longer than the fast reader's buffer */
    buf_clear(&b);
    buf_printf(&b, HEAD ROWS "<row r=\"9\"><c t=\"str\"><v>");
    for (int i = 0; i < 3 << 20; i++)
        buf_putc(&b, (char)('a' + i % 26));
    buf_printf(&b, "</v></c></row><row r=\"10\"><c><v>1</v></c></row>" TAIL);
    int rc;
    char *out = agree("long text", b.data, b.len, SST, &rc);
    cr_expect_eq(rc, 0);
    size_t lines = 0;
    for (const char *p = out; *p; p++)
        lines += *p == '\n';
    cr_expect_eq(lines, 5, "each row once");
    free(out);
    buf_free(&b);
}

Test(xlsx_fast, a_large_part_inflates_on_a_thread_and_gives_each_row_once)
{
    /* numbers that do not repeat, so the sheet packs to more than 1 MB (the thread's threshold) */
    thk_buf b = {0};
    buf_printf(&b, HEAD);
    uint64_t s = 88172645463325252u;
    for (unsigned r = 1; r <= 100000; r++) {
        buf_printf(&b, "<row r=\"%u\">", r);
        for (int c = 0; c < 4; c++) {
            s ^= s << 13, s ^= s >> 7, s ^= s << 17;
            buf_printf(&b, "<c r=\"%c%u\"><v>%llu</v></c>", 'A' + c, r,
                       (unsigned long long)(s % 1000000007u));
        }
        buf_printf(&b, "</row>");
    }
    size_t end = b.len;
    buf_printf(&b, TAIL);
    int rc;
    char *out = agree("large", b.data, b.len, SST, &rc);
    cr_expect_eq(rc, 0);
    size_t lines = 0;
    for (const char *p = out; *p; p++)
        lines += *p == '\n';
    cr_expect_eq(lines, 100000);
    free(out);
    /* the same with a comment at its very end: expat reads it again and adds nothing */
    b.len = end;
    buf_printf(&b, "<!-- end -->" TAIL);
    char *again = agree("large, comment at the end", b.data, b.len, SST, &rc);
    cr_expect_eq(rc, 0);
    lines = 0;
    for (const char *p = again; *p; p++)
        lines += *p == '\n';
    cr_expect_eq(lines, 100000);
    free(again);
    buf_free(&b);
}
