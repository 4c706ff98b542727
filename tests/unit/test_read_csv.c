/* Tests of read_csv: records, line numbers, BOM, CRLF, quoting, delimiters, encodings. */
#include "read_csv.h"
#include "read_text.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#define MAXREC 16

typedef struct {
    size_t n;
    size_t nf[MAXREC];
    char f[MAXREC][8][64]; /* fields, truncated to 63 bytes */
    uint32_t line[MAXREC];
    int64_t bad[MAXREC];
    int badf[MAXREC];
    bool enc[MAXREC];
} collected;

static int collect(void *ctx, const reader_record *r)
{
    collected *c = ctx;
    if (c->n >= MAXREC)
        return 0;
    c->nf[c->n] = r->nfields;
    for (size_t i = 0; i < r->nfields && i < 8; i++)
        snprintf(c->f[c->n][i], sizeof c->f[c->n][i], "%.*s", (int)r->lens[i], r->fields[i]);
    c->line[c->n] = r->line;
    c->bad[c->n] = r->bad_utf8;
    c->badf[c->n] = r->bad_utf8_field;
    c->enc[c->n] = r->bad_encoding;
    c->n++;
    return 0;
}

static int run_mem(const char *data, size_t len, const char *enc, char delim, collected *c,
                   reader_stats *st, thk_buf *err)
{
    memset(c, 0, sizeof *c);
    reader_opts o = {.encoding = enc, .delimiter = delim};
    return reader_run_memory("t.csv", data, len, &o, collect, c, st, err);
}

Test(read_csv, splits_records_and_numbers_lines_from_one)
{
    const char *d = "a,b\n1,2\n3,4\n";
    static collected c;
    reader_stats st;
    thk_buf err = {0};
    cr_assert_eq(run_mem(d, strlen(d), NULL, 0, &c, &st, &err), 0);
    cr_assert_eq(c.n, 3);
    cr_assert_eq(c.line[0], 1);
    cr_assert_eq(c.line[2], 3);
    cr_assert_str_eq(c.f[2][1], "4");
    cr_assert_eq(st.delimiter, ',');
}

Test(read_csv, strips_a_utf8_bom_and_reads_crlf)
{
    const char *d = "\xEF\xBB\xBFma_viec,x\r\nA1,\"q\"\r\n";
    static collected c;
    reader_stats st;
    thk_buf err = {0};
    cr_assert_eq(run_mem(d, strlen(d), NULL, 0, &c, &st, &err), 0);
    cr_assert(st.had_bom);
    cr_assert_eq(c.n, 2);
    cr_assert_str_eq(c.f[0][0], "ma_viec");
    cr_assert_str_eq(c.f[1][1], "q");
    cr_assert_eq(c.line[1], 2);
}

Test(read_csv, keeps_quoted_newlines_and_reports_the_start_line)
{
    const char *d = "a,b\n1,\"x\n\ny, \"\"z\"\"\"\n2,3\n";
    static collected c;
    reader_stats st;
    thk_buf err = {0};
    cr_assert_eq(run_mem(d, strlen(d), NULL, 0, &c, &st, &err), 0);
    cr_assert_eq(c.n, 3);
    cr_assert_str_eq(c.f[1][1], "x\n\ny, \"z\"");
    cr_assert_eq(c.line[1], 2);
    cr_assert_eq(c.line[2], 5, "the record after a 3-line field starts on line 5");
}

Test(read_csv, skips_blank_lines_but_counts_them)
{
    const char *d = "a\n\n1\n   \n\r\n2\n";
    static collected c;
    reader_stats st;
    thk_buf err = {0};
    cr_assert_eq(run_mem(d, strlen(d), NULL, 0, &c, &st, &err), 0);
    cr_assert_eq(c.n, 3);
    cr_assert_eq(c.line[1], 3);
    cr_assert_eq(c.line[2], 6);
}

Test(read_csv, reads_a_last_line_without_newline)
{
    const char *d = "a,b\n1,2";
    static collected c;
    reader_stats st;
    thk_buf err = {0};
    cr_assert_eq(run_mem(d, strlen(d), NULL, 0, &c, &st, &err), 0);
    cr_assert_eq(c.n, 2);
    cr_assert_str_eq(c.f[1][1], "2");
}

Test(read_csv, an_unterminated_quote_at_eof_is_a_file_error_naming_the_line)
{
    const char *d = "a,b\n1,2\n3,\"open\nmore\n";
    static collected c;
    reader_stats st;
    thk_buf err = {0};
    cr_assert_eq(run_mem(d, strlen(d), NULL, 0, &c, &st, &err), -1);
    cr_assert(strstr(err.data, "t.csv: dòng 3") != NULL, "%s", err.data);
    cr_assert(strstr(err.data, "mở nhưng không đóng đến hết tệp") != NULL);
    buf_free(&err);
}

Test(read_csv, reports_the_file_offset_and_field_of_invalid_utf8)
{
    const char *d = "a,b\nok,x\xC3(\n";
    static collected c;
    reader_stats st;
    thk_buf err = {0};
    cr_assert_eq(run_mem(d, strlen(d), NULL, 0, &c, &st, &err), 0);
    cr_assert_eq(c.bad[0], -1);
    cr_assert_eq(c.bad[1], 8, "byte 0xC3 is at offset 8");
    cr_assert_eq(c.badf[1], 1);
}

Test(read_csv, fields_keep_inner_spaces_and_tab_delimited_empty_fields)
{
    const char *d = "a\tb\tc\n1\t\t x y \n";
    static collected c;
    reader_stats st;
    thk_buf err = {0};
    cr_assert_eq(run_mem(d, strlen(d), NULL, 0, &c, &st, &err), 0);
    cr_assert_eq(st.delimiter, '\t');
    cr_assert_eq(c.nf[1], 3);
    cr_assert_str_eq(c.f[1][1], "");
    cr_assert_str_eq(c.f[1][2], "x y");
}

Test(read_csv, converts_cp1258_through_iconv)
{
    /* "Việc" in CP1258: V i ê(0xEA) combining dot below (0xF2) c */
    const char d[] = "a\nVi\xEA\xF2" "c\n";
    static collected c;
    reader_stats st;
    thk_buf err = {0}, nfc = {0};
    cr_assert_eq(run_mem(d, sizeof d - 1, "cp1258", 0, &c, &st, &err), 0, "%s", err.data);
    cr_assert_eq(c.n, 2);
    cr_assert_not(c.enc[1]);
    text_nfc(c.f[1][0], strlen(c.f[1][0]), &nfc);
    cr_assert_str_eq(nfc.data, "Vi\xE1\xBB\x87" "c", "got %s", nfc.data);
    buf_free(&nfc);
}

Test(read_csv, an_unknown_encoding_is_a_file_error)
{
    static collected c;
    reader_stats st;
    thk_buf err = {0};
    cr_assert_eq(run_mem("a\n", 2, "no-such-encoding", 0, &c, &st, &err), -1);
    cr_assert(strstr(err.data, "no-such-encoding") != NULL);
    buf_free(&err);
}

Test(read_csv, a_missing_file_is_a_file_error_naming_it)
{
    static collected c;
    reader_stats st;
    thk_buf err = {0};
    reader_opts o = {0};
    cr_assert_eq(reader_run_file("/nonexistent/cases.csv", &o, collect, &c, &st, &err), -1);
    cr_assert(strstr(err.data, "/nonexistent/cases.csv") != NULL);
    buf_free(&err);
}

Test(read_csv, reads_a_file_larger_than_one_chunk)
{
    char *dir = tu_tempdir();
    size_t rows = 200000;
    char *data = malloc(rows * 16 + 16);
    size_t n = (size_t)sprintf(data, "a,b\n");
    for (size_t i = 0; i < rows; i++)
        n += (size_t)sprintf(data + n, "%zu,\"x\ny\"\n", i);
    char *path = tu_write(dir, "big.csv", data, n);
    static collected c;
    reader_stats st;
    thk_buf err = {0};
    reader_opts o = {0};
    cr_assert_eq(reader_run_file(path, &o, collect, &c, &st, &err), 0);
    cr_assert_eq(st.bytes, n);
    cr_assert_eq(st.lines, 1 + 2 * rows);
    free(data);
    free(path);
    free(dir);
}

/* Criterion may run parameterised tests in a re-executed process: parameters hold their text
 * inline, never pointers into the parent's memory. */
typedef struct {
    char line[64];
    char want;
} delim_case;

ParameterizedTestParameters(read_csv, detects_the_delimiter)
{
    static delim_case cases[] = {
        {"a,b,c\n", ','},   {"a;b;c\n", ';'},     {"a\tb\tc\n", '\t'},
        {"a\n", ','},       {"\"x;y\",b,c\n", ','}, {"Mã việc;Ngày, tháng;Sự kiện\n", ';'},
        {"a;b,c;d\n", ';'},
    };
    return cr_make_param_array(delim_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(delim_case *p, read_csv, detects_the_delimiter)
{
    cr_assert_eq(reader_detect_delimiter(p->line, strlen(p->line)), p->want, "%s", p->line);
}

/* ---- the quote-free fast path against libcsv ------------------------------------------- */

/* Every record as text: line, offset, flags, then each field with its length. */
static int serialise(void *ctx, const reader_record *r)
{
    thk_buf *b = ctx;
    buf_printf(b, "L%u@%llu u%lld/%d n%d e%d t%d [%zu]", r->line, (unsigned long long)r->offset,
               (long long)r->bad_utf8, r->bad_utf8_field, r->nfc_safe, r->bad_encoding,
               r->too_many_fields, r->nfields);
    for (size_t i = 0; i < r->nfields; i++) {
        buf_printf(b, " %zu:", r->lens[i]);
        buf_append(b, r->fields[i], r->lens[i]);
        cr_assert_eq(r->fields[i][r->lens[i]], '\0', "field %zu is not NUL-terminated", i);
    }
    buf_putc(b, '\n');
    return 0;
}

/* Reads data twice, through the fast path and through libcsv only, and expects the same
 * records, return code and statistics. */
static void expect_same_as_libcsv(const char *data, size_t len, char delim)
{
    thk_buf fast = {0}, slow = {0}, e1 = {0}, e2 = {0};
    reader_stats s1, s2;
    reader_opts o = {.delimiter = delim};
    int r1 = reader_run_memory("t.csv", data, len, &o, serialise, &fast, &s1, &e1);
    o.libcsv_only = true;
    int r2 = reader_run_memory("t.csv", data, len, &o, serialise, &slow, &s2, &e2);
    cr_assert_eq(r1, r2, "input %.*s", (int)len, data);
    cr_assert_eq(fast.len, slow.len, "input [%.*s]\nfast:\n%s\nlibcsv:\n%s", (int)len, data,
                 fast.data ? fast.data : "", slow.data ? slow.data : "");
    if (fast.len)
        cr_assert_eq(memcmp(fast.data, slow.data, fast.len), 0,
                     "input [%.*s]\nfast:\n%s\nlibcsv:\n%s", (int)len, data, fast.data,
                     slow.data);
    cr_assert_eq(s1.lines, s2.lines);
    cr_assert_eq(s1.delimiter, s2.delimiter);
    buf_free(&fast);
    buf_free(&slow);
    buf_free(&e1);
    buf_free(&e2);
}

Test(read_csv, the_fast_path_splits_and_trims_like_libcsv)
{
    static const char *cases[] = {
        "a,b\n1,2\n",          "a,b\r\n 1 , 2 \r\n",   "a,b,\n,,\n",        "a\n \t x \t \n",
        "a,b\n1,2",            "a,b\n1,2\r",           "a,b\r1,2\n",        "a;b\n1;2 \n",
        "a\tb\n 1 \t 2\t\n",   "a,b\n\"1\",2\n3,4\n",  "a,b\n1,\"x\ny\"\n5,6\n",
        "a,b\n1,b\"c\n",       "a,b\n  \n1,2\n",       "a,b\n\xc3\xa9 , \xff\n",
        "a,b\ne\xcc\x81,2\n",  "a,b\n1\0x,2\n",
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        for (int d = 0; d < 4; d++) {
            size_t len = strlen(cases[i]);
            if (i == sizeof cases / sizeof *cases - 1)
                len = 10; /* the one with a NUL byte: "a,b\n1\0x,2\n" */
            expect_same_as_libcsv(cases[i], len, "\0,;\t"[d]);
        }
}

/* Random lines over the bytes that matter to either parser. */
Test(read_csv, the_fast_path_agrees_with_libcsv_on_random_input)
{
    static const char *const alphabet[] = {"a", "b", " ", "\t", ",", ";", "\"", "\r",
                                           "\n", "\xc3\xa9", "e\xcc\x81", "\xff", "1"};
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    char data[256];
    for (int round = 0; round < 4000; round++) {
        size_t len = 0;
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        size_t n = (size_t)(x >> 58) + 1; /* 1..64 tokens */
        for (size_t k = 0; k < n; k++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            /* mostly plain bytes, so that whole lines take the fast path */
            size_t pick = (x >> 33) % 40;
            const char *t = pick < 13 ? alphabet[pick] : pick < 26 ? "a" : pick < 34 ? "," : "\n";
            size_t tl = strlen(t);
            memcpy(data + len, t, tl);
            len += tl;
        }
        expect_same_as_libcsv(data, len, "\0,;\t"[round % 4]);
    }
}

/* Appends a row to the file being read when the first data row arrives. */
static int append_on_first_row(void *ctx, const reader_record *r)
{
    const char *path = ctx;
    if (r->line == 2) {
        FILE *f = fopen(path, "a");
        cr_assert_not_null(f);
        fputs("9,9\n", f);
        fclose(f);
    }
    return 0;
}

/* A file written to while it is read (an export still running) is a file-level error: its
 * figures and its hash would describe no single state of the file. */
Test(read_csv, a_file_written_to_while_it_is_read_is_a_file_error)
{
    char *dir = tu_tempdir();
    thk_buf big = {0};
    buf_printf(&big, "a,b\n");
    for (int i = 0; i < 300000; i++) /* over one read chunk, so the append lands mid-read */
        buf_printf(&big, "%d,x\n", i);
    char *path = tu_write(dir, "cases.csv", big.data, big.len);
    reader_stats st;
    thk_buf err = {0};
    reader_opts o = {0};
    cr_assert_eq(reader_run_file(path, &o, append_on_first_row, path, &st, &err), -1);
    cr_expect(strstr(err.data, "cases.csv: tệp bị ghi hoặc thay đổi trong khi đang đọc") != NULL,
              "%s", err.data);
    /* unchanged, the same file reads, and its id is the file's */
    buf_clear(&err);
    free(tu_write(dir, "cases.csv", big.data, big.len));
    static collected c;
    memset(&c, 0, sizeof c);
    cr_assert_eq(reader_run_file(path, &o, collect, &c, &st, &err), 0, "%s", err.data);
    cr_expect_eq(st.id.size, big.len);
    cr_expect_neq(st.id.ino, 0);
    buf_free(&big);
    buf_free(&err);
    free(path);
    free(dir);
}
