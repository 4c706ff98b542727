/* test_input_bytes — bytes that used to change figures without a trace (issue "Hardening" 8,
 * 10, 11, 12): a NUL inside a field, a stray quote that swallows rows, invalid bytes copied
 * into rejects.csv, and one --encoding for files of different encodings. Fixtures are the
 * first rows of the bundled sample, altered here; the real binary reads them. */
#include "read_csv.h"
#include "read_text.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <iconv.h>

/* ---- fixtures ------------------------------------------------------------------------------ */

typedef struct {
    char *dir;
    thk_buf hdr;      /* header line of cases.csv, without its newline */
    thk_buf rows[40]; /* the first 40 case rows, without newlines */
    thk_buf events;   /* events.csv of those cases */
    thk_buf cases;    /* the cases.csv text last written (ib_write_cases) */
} ib_fix;

static void ib_line(const char *s, const char *end, thk_buf *out)
{
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    buf_append(out, s, (size_t)((nl ? nl : end) - s));
}

/* The sample's header, its first 40 cases and their events, in a fresh folder. */
static void ib_open(ib_fix *f)
{
    memset(f, 0, sizeof *f);
    f->dir = tu_tempdir();
    char p[4096];
    size_t n = 0;
    snprintf(p, sizeof p, "%s/input/sample/cases.csv", tu_root());
    char *c = tu_read(p, &n);
    cr_assert_not_null(c);
    const char *s = c, *end = c + n;
    ib_line(s, end, &f->hdr);
    s = (const char *)memchr(s, '\n', (size_t)(end - s)) + 1;
    for (int i = 0; i < 40; i++) {
        ib_line(s, end, &f->rows[i]);
        s = (const char *)memchr(s, '\n', (size_t)(end - s)) + 1;
    }
    snprintf(p, sizeof p, "%s/input/sample/events.csv", tu_root());
    char *e = tu_read(p, &n);
    cr_assert_not_null(e);
    s = e;
    end = e + n;
    ib_line(s, end, &f->events);
    buf_putc(&f->events, '\n');
    for (s = (const char *)memchr(s, '\n', (size_t)(end - s)) + 1; s < end;) {
        thk_buf l = {0};
        ib_line(s, end, &l);
        for (int i = 0; i < 40; i++) {
            const char *comma = memchr(f->rows[i].data, ',', f->rows[i].len);
            size_t k = (size_t)(comma - f->rows[i].data);
            if (l.len > k && memcmp(l.data, f->rows[i].data, k + 1) == 0) {
                buf_append(&f->events, l.data, l.len);
                buf_putc(&f->events, '\n');
                break;
            }
        }
        buf_free(&l);
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        s = nl ? nl + 1 : end;
    }
    free(c);
    free(e);
    free(tu_write(f->dir, "events.csv", f->events.data, f->events.len));
}

static void ib_close(ib_fix *f)
{
    buf_free(&f->hdr);
    for (int i = 0; i < 40; i++)
        buf_free(&f->rows[i]);
    buf_free(&f->events);
    buf_free(&f->cases);
    free(f->dir);
}

/* The header and rows as cases.csv text. */
static void ib_cases(const ib_fix *f, thk_buf *out)
{
    buf_append(out, f->hdr.data, f->hdr.len);
    buf_putc(out, '\n');
    for (int i = 0; i < 40; i++) {
        buf_append(out, f->rows[i].data, f->rows[i].len);
        buf_putc(out, '\n');
    }
}

/* Writes the header and rows as dir/cases.csv (the text stays in f->cases). */
static void ib_write_cases(ib_fix *f)
{
    buf_clear(&f->cases);
    ib_cases(f, &f->cases);
    free(tu_write(f->dir, "cases.csv", f->cases.data, f->cases.len));
}

/* The id (first field) of row i. */
static void ib_id(const ib_fix *f, int i, char *out, size_t n)
{
    const char *comma = memchr(f->rows[i].data, ',', f->rows[i].len);
    snprintf(out, n, "%.*s", (int)(comma - f->rows[i].data), f->rows[i].data);
}

/* Replaces the first `what` in row i by `with` (wlen bytes). */
static void ib_patch(ib_fix *f, int i, const char *what, const char *with, size_t wlen)
{
    thk_buf *r = &f->rows[i];
    buf_append(r, "", 0);
    char *at = strstr(r->data, what);
    cr_assert_not_null(at, "row %d has no '%s'", i, what);
    thk_buf n = {0};
    buf_append(&n, r->data, (size_t)(at - r->data));
    buf_append(&n, with, wlen);
    buf_append(&n, at + strlen(what), r->len - (size_t)(at - r->data) - strlen(what));
    buf_free(r);
    *r = n;
}

/* thongke report on dir/<cases> and dir/events.csv (thahc optional) into dir/<out>, extra
 * arguments after; stderr to dir/err. */
static int ib_report(const ib_fix *f, const char *cases, const char *thahc, const char *out,
                     const char *x1, const char *x2)
{
    char c[4200], e[4200], t[4200], o[4200], err[4200], rules[4200];
    snprintf(c, sizeof c, "%s/%s", f->dir, cases);
    snprintf(e, sizeof e, "%s/events.csv", f->dir);
    snprintf(o, sizeof o, "%s/%s", f->dir, out);
    snprintf(err, sizeof err, "%s/err", f->dir);
    snprintf(rules, sizeof rules, "%s/rules/thads.rules", tu_root());
    char *argv[24] = {(char *)tu_bin(), "report", "--year", "2026", "--months", "12", "--rules",
                      rules, "--cases", c, "--events", e, "--out", o, "--max-reject-pct", "100"};
    int n = 16;
    if (thahc) {
        snprintf(t, sizeof t, "%s/%s", f->dir, thahc);
        argv[n++] = "--thahc";
        argv[n++] = t;
    }
    if (x1)
        argv[n++] = (char *)x1;
    if (x2)
        argv[n++] = (char *)x2;
    argv[n] = NULL;
    return tu_run(argv, NULL, err, NULL);
}

static char *ib_file(const ib_fix *f, const char *rel, size_t *len)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", f->dir, rel);
    return tu_read(p, len);
}

/* ---- NUL, invalid bytes ---------------------------------------------------------------------- */

Test(input_bytes, a_nul_inside_a_case_id_rejects_the_row_naming_the_byte)
{
    ib_fix f;
    ib_open(&f);
    char id[128];
    ib_id(&f, 4, id, sizeof id);
    ib_patch(&f, 4, "-", "\0", 1); /* GL-KV01-... → GL\0KV01-... */
    ib_write_cases(&f);
    const char *nul = memchr(f.cases.data, '\0', f.cases.len);
    long long off = (long long)(nul - f.cases.data);
    cr_assert_eq(ib_report(&f, "cases.csv", NULL, "out", NULL, NULL), 0);
    size_t n;
    char *r = ib_file(&f, "out/rejects.csv", &n);
    cr_assert_not_null(r);
    char want[512];
    snprintf(want, sizeof want, "cases.csv,6,ma_viec,%.2s\\x00%s,E,nul_byte,", id, id + 3);
    cr_assert(strstr(r, want), "want %s in:\n%s", want, r);
    snprintf(want, sizeof want, "byte NUL ở vị trí %lld của tệp", off);
    cr_assert(strstr(r, want), "want %s in:\n%s", want, r);
    /* the case is gone, so its events say so: nothing vanishes silently */
    snprintf(want, sizeof want, "ma_viec,%s,E,unknown_case", id);
    cr_assert(strstr(r, want), "want %s in:\n%s", want, r);
    /* and no case with the cut id exists */
    char *cases = ib_file(&f, "out/cases.csv", NULL);
    char cut[8];
    snprintf(cut, sizeof cut, "\n%.2s,", id);
    cr_assert_null(strstr(cases, cut));
    free(cases);
    free(r);
    ib_close(&f);
}

Test(input_bytes, rejects_csv_escapes_invalid_bytes_and_stays_utf8)
{
    ib_fix f;
    ib_open(&f);
    ib_patch(&f, 7, "Thi", "Th\xED\xA0\x80i", 6); /* an encoded surrogate: not UTF-8 */
    ib_write_cases(&f);
    cr_assert_eq(ib_report(&f, "cases.csv", NULL, "out", NULL, NULL), 0);
    size_t n;
    char *r = ib_file(&f, "out/rejects.csv", &n);
    cr_assert(strstr(r, "Th\\xED\\xA0\\x80i") && strstr(r, ",E,utf8_invalid,"), "%s", r);
    cr_assert_lt(text_utf8_invalid_at(r, n), 0, "rejects.csv is not valid UTF-8");
    free(r);
    ib_close(&f);
}

Test(input_bytes, escaping_keeps_valid_text_and_marks_each_bad_byte)
{
    thk_buf b = {0};
    static const char in[] = "Đắk\xFF" "a\0b\xC3";
    text_escape_invalid(&b, in, sizeof in - 1);
    buf_append(&b, "", 0);
    cr_assert_str_eq(b.data, "Đắk\\xFFa\\x00b\\xC3");
    buf_free(&b);
}

/* ---- stray quotes ---------------------------------------------------------------------------- */

Test(input_bytes, a_stray_quote_that_swallows_a_row_is_named_with_the_lost_id)
{
    ib_fix f;
    ib_open(&f);
    char lost[128];
    ib_id(&f, 6, lost, sizeof lost);
    /* a quote opened in row 5's last field and closed in row 6's last field */
    buf_append(&f.rows[5], ",\"Nguyễn \"\"Ba", strlen(",\"Nguyễn \"\"Ba"));
    buf_append(&f.rows[6], "\"", 1);
    /* both rows now have one field too many, which is how the merged record comes out right */
    buf_append(&f.hdr, ",ghi_chu_them", strlen(",ghi_chu_them"));
    for (int i = 0; i < 40; i++)
        if (i != 5 && i != 6)
            buf_append(&f.rows[i], ",", 1);
    ib_write_cases(&f);
    cr_assert_eq(ib_report(&f, "cases.csv", NULL, "out", NULL, NULL), 0);
    char *r = ib_file(&f, "out/rejects.csv", NULL);
    char want[512];
    snprintf(want, sizeof want, "cases.csv,7,ma_viec,%s,W,multiline_field,", lost);
    cr_assert(strstr(r, want), "want %s in:\n%s", want, r);
    cr_assert(strstr(r, "dòng 7–8 là một bản ghi; 1 dòng bên trong giống dòng dữ liệu"), "%s",
              r);
    /* the manifest counts physical lines (header + 40) besides the 39 records */
    char *m = ib_file(&f, "out/manifest.json", NULL);
    cr_assert(strstr(m, "\"lines\": 41, \"encoding\": \"UTF-8\", \"rows_read\": 39,"), "%s", m);
    free(m);
    char *e = ib_file(&f, "err", NULL);
    cr_assert(strstr(e, "tệp có 41 dòng vật lý, 1 bản ghi nằm trên nhiều dòng"), "%s", e);
    free(e);
    free(r);
    ib_close(&f);
}

Test(input_bytes, a_note_on_two_lines_is_counted_not_warned)
{
    ib_fix f;
    ib_open(&f);
    buf_append(&f.hdr, ",ghi_chu_them", strlen(",ghi_chu_them"));
    for (int i = 0; i < 40; i++)
        buf_append(&f.rows[i], ",", 1);
    buf_append(&f.rows[3], "\"dòng một\ndòng hai\"", strlen("\"dòng một\ndòng hai\""));
    ib_write_cases(&f);
    cr_assert_eq(ib_report(&f, "cases.csv", NULL, "out", NULL, NULL), 0);
    char *r = ib_file(&f, "out/rejects.csv", NULL);
    cr_assert_null(strstr(r, "multiline_field"), "%s", r);
    char *m = ib_file(&f, "out/manifest.json", NULL);
    cr_assert(strstr(m, "\"lines\": 42, \"encoding\": \"UTF-8\", \"rows_read\": 40,"), "%s", m);
    char *e = ib_file(&f, "err", NULL);
    cr_assert(strstr(e, "tệp có 42 dòng vật lý, 1 bản ghi nằm trên nhiều dòng"), "%s", e);
    free(e);
    free(m);
    free(r);
    ib_close(&f);
}

/* A quote opened in one row's last field and closed in the last field of a row five lines on
 * folds the rows between into one record of the right width: accepted, so only the warning
 * tells, naming the span and the ids of the rows folded in, the next row first. */
Test(input_bytes, an_unclosed_quote_mid_file_names_the_lines_it_folded)
{
    ib_fix f;
    ib_open(&f);
    char lost[128];
    ib_id(&f, 10, lost, sizeof lost);
    buf_append(&f.hdr, ",ghi_chu_them", strlen(",ghi_chu_them"));
    for (int i = 0; i < 40; i++) {
        const char *add = i == 9 ? ",\"mở" : i == 14 ? ",đóng\"" : ",";
        buf_append(&f.rows[i], add, strlen(add));
    }
    ib_write_cases(&f);
    cr_assert_eq(ib_report(&f, "cases.csv", NULL, "out", NULL, NULL), 0);
    char *r = ib_file(&f, "out/rejects.csv", NULL);
    char want[256];
    snprintf(want, sizeof want, "cases.csv,11,ma_viec,\"%s, ", lost);
    cr_assert(strstr(r, want) && strstr(r, "dòng 11–16 là một bản ghi; 5 dòng bên trong giống dòng "
                                            "dữ liệu bị gộp vào"),
              "%s", r);
    free(r);
    ib_close(&f);
}

/* ---- encodings ------------------------------------------------------------------------------- */

/* text converted from UTF-8 to `to` (iconv), appended to out. */
static void ib_iconv(const char *to, const char *s, size_t n, thk_buf *out)
{
    iconv_t cd = iconv_open(to, "UTF-8");
    cr_assert(cd != (iconv_t)-1, "no iconv for %s", to);
    buf_reserve(out, n * 4 + 16);
    char *in = (char *)(uintptr_t)s, *o = out->data + out->len;
    size_t il = n, ol = out->cap - out->len;
    cr_assert_neq(iconv(cd, &in, &il, &o, &ol), (size_t)-1, "%s", strerror(errno));
    out->len = (size_t)(o - out->data);
    iconv_close(cd);
}

Test(input_bytes, each_file_is_read_in_its_own_encoding)
{
    ib_fix f;
    ib_open(&f);
    thk_buf u = {0}, cp = {0}, le = {0}, be = {0};
    ib_cases(&f, &u);
    free(tu_write(f.dir, "cases.csv", u.data, u.len));
    ib_iconv("CP1258", u.data, u.len, &cp);
    free(tu_write(f.dir, "cases-cp1258.csv", cp.data, cp.len));
    buf_append(&le, "\xFF\xFE", 2);
    ib_iconv("UTF-16LE", u.data, u.len, &le);
    free(tu_write(f.dir, "cases-le.csv", le.data, le.len));
    buf_append(&be, "\xFE\xFF", 2);
    ib_iconv("UTF-16BE", u.data, u.len, &be);
    free(tu_write(f.dir, "cases-be.csv", be.data, be.len));
    char src[4200];
    snprintf(src, sizeof src, "%s/input/sample/thahc.csv", tu_root());
    size_t tn = 0;
    char *th = tu_read(src, &tn);
    free(tu_write(f.dir, "thahc.csv", th, tn)); /* UTF-8, with Vietnamese text */
    free(th);

    cr_assert_eq(ib_report(&f, "cases.csv", "thahc.csv", "ref", NULL, NULL), 0);
    char *ref = ib_file(&f, "ref/cells.csv", NULL);
    /* one --encoding: cp1258 applies to the cp1258 file only, thahc.csv stays UTF-8 */
    cr_assert_eq(ib_report(&f, "cases-cp1258.csv", "thahc.csv", "cp", "--encoding", "cp1258"), 0);
    char *got = ib_file(&f, "cp/cells.csv", NULL);
    cr_assert_str_eq(got, ref, "a cp1258 cases.csv next to a UTF-8 thahc.csv");
    free(got);
    char *m = ib_file(&f, "cp/manifest.json", NULL);
    cr_assert(strstr(m, "cases-cp1258.csv\"") && strstr(m, "\"encoding\": \"cp1258\""), "%s", m);
    cr_assert(strstr(m, "thahc.csv\"") && strstr(m, "\"encoding\": \"UTF-8\""), "%s", m);
    free(m);
    char *e = ib_file(&f, "err", NULL);
    cr_assert(strstr(e, "thahc.csv: bảng mã UTF-8 (tệp đã là Unicode nên không chuyển từ cp1258)"),
              "%s", e);
    free(e);
    /* per file */
    cr_assert_eq(ib_report(&f, "cases-cp1258.csv", "thahc.csv", "cp2", "--encoding",
                           "cases=cp1258"), 0);
    got = ib_file(&f, "cp2/cells.csv", NULL);
    cr_assert_str_eq(got, ref);
    free(got);
    /* UTF-16 with a BOM, either order */
    cr_assert_eq(ib_report(&f, "cases-le.csv", "thahc.csv", "le", NULL, NULL), 0);
    got = ib_file(&f, "le/cells.csv", NULL);
    cr_assert_str_eq(got, ref, "UTF-16LE");
    free(got);
    m = ib_file(&f, "le/manifest.json", NULL);
    cr_assert(strstr(m, "\"encoding\": \"UTF-16LE (BOM)\""), "%s", m);
    free(m);
    cr_assert_eq(ib_report(&f, "cases-be.csv", "thahc.csv", "be", NULL, NULL), 0);
    got = ib_file(&f, "be/cells.csv", NULL);
    cr_assert_str_eq(got, ref, "UTF-16BE");
    free(got);
    /* a misspelt encoding fails even though every file is Unicode; a bad FILE= is usage */
    cr_assert_eq(ib_report(&f, "cases.csv", "thahc.csv", "x", "--encoding", "cp1285x"), 3);
    cr_assert_eq(ib_report(&f, "cases.csv", "thahc.csv", "x", "--encoding", "case=cp1258"), 1);
    free(ref);
    buf_free(&u);
    buf_free(&cp);
    buf_free(&le);
    buf_free(&be);
    ib_close(&f);
}

static int ib_count_bad(void *ctx, const reader_record *r)
{
    size_t *n = ctx;
    *n += r->bad_utf8 >= 0;
    return 0;
}

/* The UTF-8 check before choosing --encoding reads the file in 1 MiB pieces: a character cut
 * by a piece boundary is still valid UTF-8. */
Test(input_bytes, a_character_across_the_read_boundary_is_still_utf8)
{
    char *dir = tu_tempdir();
    thk_buf b = {0};
    buf_append(&b, "a,b\n", 4);
    for (size_t k = 0; k < 3; k++) {
        while (b.len < (k + 1) * (1u << 20) - 1 - k)
            buf_append(&b, "x,y\n", 4);
        while (b.len < (k + 1) * (1u << 20) - 1 - k)
            buf_putc(&b, 'x');
        buf_append(&b, "ệ,ẫ\n", strlen("ệ,ẫ\n")); /* starts 1, 2, 3 bytes before the boundary */
    }
    char *path = tu_write(dir, "t.csv", b.data, b.len);
    reader_opts o = {.encoding = "cp1258"};
    reader_stats st;
    thk_buf err = {0};
    size_t bad = 0;
    cr_assert_eq(reader_run_file(path, &o, ib_count_bad, &bad, &st, &err), 0, "%s", err.data);
    cr_assert_str_eq(st.encoding, "UTF-8");
    /* one invalid byte at the very end makes it a cp1258 file */
    buf_putc(&b, (char)0xE0);
    buf_putc(&b, '\n');
    free(path);
    path = tu_write(dir, "t.csv", b.data, b.len);
    cr_assert_eq(reader_run_file(path, &o, ib_count_bad, &bad, &st, &err), 0, "%s", err.data);
    cr_assert_str_eq(st.encoding, "cp1258");
    free(path);
    buf_free(&b);
    buf_free(&err);
    free(dir);
}

Test(input_bytes, an_unpaired_surrogate_in_utf16_rejects_its_row_not_the_file)
{
    static const char le[] = "\xFF\xFE"
                             "a\0,\0b\0\n\0"
                             "1\0,\0\x00\xD8\n\0" /* a lone high surrogate */
                             "3\0,\0"
                             "4\0\n\0";
    reader_stats st;
    thk_buf err = {0};
    size_t bad = 0;
    cr_assert_eq(reader_run_memory("t.csv", le, sizeof le - 1, NULL, ib_count_bad, &bad, &st, &err),
                 0, "%s", err.data);
    cr_assert_eq(bad, 1);
    cr_assert_eq(st.lines, 3);
    cr_assert_str_eq(st.encoding, "UTF-16LE (BOM)");
    buf_free(&err);
}

/* A UTF-8 BOM wins over --encoding even when bytes after it are not UTF-8, and says so. */
Test(input_bytes, a_utf8_bom_wins_over_the_encoding_option)
{
    static const char data[] = "\xEF\xBB\xBF" "a,b\n1,\xE0\n";
    reader_opts o = {.encoding = "cp1258"};
    reader_stats st;
    thk_buf err = {0};
    size_t bad = 0;
    cr_assert_eq(reader_run_memory("t.csv", data, sizeof data - 1, &o, ib_count_bad, &bad, &st,
                                   &err), 0, "%s", err.data);
    cr_assert_str_eq(st.encoding, "UTF-8 (BOM)");
    cr_assert_eq(bad, 1, "the bad byte is reported on its row, not converted");
    static const char plain[] = "a,b\n1,\xE0\n";
    cr_assert_eq(reader_run_memory("t.csv", plain, sizeof plain - 1, &o, ib_count_bad, &bad, &st,
                                   &err), 0, "%s", err.data);
    cr_assert_str_eq(st.encoding, "cp1258");
    buf_free(&err);
}
