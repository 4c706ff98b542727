/* test_csv_out — cells.csv and rejects.csv byte for byte, RFC 4180 quoting, write errors. */
#include "csv_out.h"
#include "form.h"
#include "rejects.h"

#include "testutil.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "form_fixture.h"

static const char fx_cells_csv[] =
    "form,row,column,value\n"
    "TH,GL-KV01,ty_le_viec,83.88\n"
    "TH,GL-KV01,ty_le_tien,45.21\n"
    "TH,GL-KV01,xong,120\n"
    "TH,GL-KV01,xong_cung_ky,100\n"
    "TH,GL-KV01,thay_doi,20\n"
    "TH,GL-KV02,ty_le_viec,84.50\n"
    "TH,GL-KV02,ty_le_tien,\n"
    "TH,GL-KV02,xong,50\n"
    "TH,GL-KV02,xong_cung_ky,60\n"
    "TH,GL-KV02,thay_doi,-10\n"
    "TH,*,ty_le_viec,84.06\n"
    "TH,*,ty_le_tien,45.21\n"
    "TH,*,xong,170\n"
    "TH,*,xong_cung_ky,160\n"
    "TH,*,thay_doi,10\n"
    "B01,GL-KV01,thu_ly,100\n"
    "B01,GL-KV01,chuyen_sang,60\n"
    "B01,GL-KV01,moi,40\n"
    "B01,GL-KV01,co_dk,80\n"
    "B01,GL-KV01,xong,60\n"
    "B01,GL-KV01,dinh_chi,7\n"
    "B01,GL-KV01,tien_xong,1234500\n"
    "B01,GL-KV01,ty_le,83.75\n"
    "B01,GL-KV02,thu_ly,50\n"
    "B01,GL-KV02,chuyen_sang,20\n"
    "B01,GL-KV02,moi,30\n"
    "B01,GL-KV02,co_dk,40\n"
    "B01,GL-KV02,xong,33\n"
    "B01,GL-KV02,dinh_chi,1\n"
    "B01,GL-KV02,tien_xong,1234499\n"
    "B01,GL-KV02,ty_le,85.00\n"
    "B01,GL-KV03,thu_ly,0\n"
    "B01,GL-KV03,chuyen_sang,0\n"
    "B01,GL-KV03,moi,0\n"
    "B01,GL-KV03,co_dk,0\n"
    "B01,GL-KV03,xong,0\n"
    "B01,GL-KV03,dinh_chi,0\n"
    "B01,GL-KV03,tien_xong,0\n"
    "B01,GL-KV03,ty_le,\n"
    "B01,*,thu_ly,150\n"
    "B01,*,chuyen_sang,80\n"
    "B01,*,moi,70\n"
    "B01,*,co_dk,120\n"
    "B01,*,xong,93\n"
    "B01,*,dinh_chi,8\n"
    "B01,*,tien_xong,2468999\n"
    "B01,*,ty_le,84.17\n"
    "B01-CHV,GL-KV01|Nguyễn Văn An,thu_ly,10\n"
    "B01-CHV,GL-KV01|Nguyễn Văn An,ty_le,50.00\n"
    "B01-CHV,\"GL-KV01|Trần, Thị Bình\",thu_ly,5\n"
    "B01-CHV,\"GL-KV01|Trần, Thị Bình\",ty_le,\n"
    "B01-CHV,GL-KV01|*,thu_ly,15\n"
    "B01-CHV,GL-KV01|*,ty_le,50.00\n"
    "B01-CHV,*,thu_ly,15\n"
    "B01-CHV,*,ty_le,50.00\n";

Test(csv_out, cells_csv_has_every_form_cell_in_sheet_and_form_order_and_no_lists)
{
    form_set *fs = fx_set();
    thk_buf out = {0};
    csv_out_cells(fs, &out);
    cr_assert_not_null(out.data);
    cr_expect_str_eq(out.data, fx_cells_csv);
    cr_expect(strstr(out.data, "L1,") == NULL, "lists are not in cells.csv");
    buf_free(&out);
    form_set_free(fs);
}

Test(csv_out, cells_csv_written_to_a_file_equals_the_rendered_text)
{
    form_set *fs = fx_set();
    char *dir = tu_tempdir();
    char path[512];
    snprintf(path, sizeof path, "%s/cells.csv", dir);
    thk_buf err = {0};
    cr_assert_eq(csv_out_write_cells(path, fs, &err), 0, "%s", err.data ? err.data : "");
    size_t n = 0;
    char *got = tu_read(path, &n);
    cr_assert_not_null(got);
    cr_expect_eq(n, sizeof fx_cells_csv - 1);
    cr_expect_str_eq(got, fx_cells_csv);
    free(got);
    free(dir);
    buf_free(&err);
    form_set_free(fs);
}

Test(csv_out, an_empty_set_gives_just_the_header)
{
    form_set fs = {0};
    thk_buf out = {0};
    csv_out_cells(&fs, &out);
    cr_expect_str_eq(out.data, "form,row,column,value\n");
    buf_free(&out);
}

Test(csv_out, dates_and_text_in_a_form_are_iso_dates_and_plain_text)
{
    form_set *fs = thk_xcalloc(1, sizeof *fs);
    static const char *const rf[] = {"Đơn vị"};
    form_table *t = fx_table(fs, "X", "X", NULL, NULL, false, 1, rf, 3, 1);
    fx_col(t, 0, "ngay", "Ngày", FORM_KIND_DATE, -1, NULL);
    fx_col(t, 1, "ngay2", "Ngày", FORM_KIND_DATE, -1, NULL);
    fx_col(t, 2, "ghi_chu", "Ghi chú", FORM_KIND_TEXT, -1, NULL);
    fx_row(t, 0, "K", FORM_ROW_DATA, (const char *const[]){"K"},
           (const int64_t[]){20665 /* 2026-07-31 */, EMPTY, EMPTY});
    t->texts = thk_xcalloc(3, sizeof(char *));
    t->texts[2] = thk_xstrdup(" có dấu cách ");
    thk_buf out = {0};
    csv_out_cells(fs, &out);
    cr_expect_str_eq(out.data, "form,row,column,value\n"
                               "X,K,ngay,2026-07-31\n"
                               "X,K,ngay2,\n"
                               "X,K,ghi_chu,\" có dấu cách \"\n");
    buf_free(&out);
    form_set_free(fs);
}

/* Arrays, not pointers: Criterion runs each parameter in a fresh process (another address
 * space), so parameters must be self-contained. */
struct field_case {
    char in[32];
    char want[48];
};

ParameterizedTestParameters(csv_out, fields_are_quoted_only_when_rfc_4180_needs_it)
{
    static struct field_case cases[] = {
        {"abc", "abc,"},
        {"", ","},
        {"Nguyễn Văn An", "Nguyễn Văn An,"},
        {"a,b", "\"a,b\","},
        {"say \"hi\"", "\"say \"\"hi\"\"\","},
        {"\"", "\"\"\"\","},
        {"line\nbreak", "\"line\nbreak\","},
        {"cr\rhere", "\"cr\rhere\","},
        {" lead", "\" lead\","},
        {"trail ", "\"trail \","},
        {"\ttab", "\"\ttab\","},
        {"in side", "in side,"},
        {"a;b|c", "a;b|c,"},
        {"'quote'", "'quote',"},
    };
    return cr_make_param_array(struct field_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct field_case *fc, csv_out, fields_are_quoted_only_when_rfc_4180_needs_it)
{
    thk_buf b = {0};
    csv_out_field(&b, fc->in, strlen(fc->in), false);
    cr_expect_str_eq(b.data, fc->want);
    buf_free(&b);
}

Test(csv_out, the_last_field_ends_the_line_with_lf_and_helpers_write_strings_and_integers)
{
    thk_buf b = {0};
    csv_out_str(&b, "a", false);
    csv_out_str(&b, NULL, false);
    csv_out_int(&b, -9223372036854775807LL - 1, false);
    csv_out_int(&b, 0, false);
    csv_out_field(&b, "x\0y", 3, true); /* an embedded NUL is copied as it is */
    cr_expect_eq(b.len, strlen("a,,-9223372036854775808,0,") + 4);
    cr_expect(memcmp(b.data, "a,,-9223372036854775808,0,x\0y\n", b.len) == 0);
    buf_free(&b);
}

static reject_log *fx_rejects(void)
{
    reject_log *log = rejects_new();
    rejects_add(log, "events.csv", 9, "", "xong", 4, WARN_AFTER_TERMINAL, "việc V001");
    rejects_add(log, "cases.csv", 7, "ma_viec", "A\"B\nC", 5, REJ_DUPLICATE_ID, "");
    rejects_add(log, "cases.csv", 5, "so_tien_phai_thi_hanh", "12,5", 4, REJ_MONEY_FRACTION, NULL);
    return log;
}

static char *fx_rejects_expected(bool sorted)
{
    thk_buf b = {0};
    char l1[512], l2[512], l3[512];
    snprintf(l1, sizeof l1, "cases.csv,5,so_tien_phai_thi_hanh,\"12,5\",E,money_fraction,%s\n",
             thk_reject_message(REJ_MONEY_FRACTION));
    snprintf(l2, sizeof l2, "cases.csv,7,ma_viec,\"A\"\"B\nC\",E,duplicate_id,%s\n",
             thk_reject_message(REJ_DUPLICATE_ID));
    snprintf(l3, sizeof l3, "events.csv,9,,xong,W,event_after_terminal,%s: việc V001\n",
             thk_reject_message(WARN_AFTER_TERMINAL));
    buf_printf(&b, "\xEF\xBB\xBF" "file,line,column,value,severity,code,message\n");
    if (sorted)
        buf_printf(&b, "%s%s%s", l3, l1, l2); /* events.csv appeared first */
    else
        buf_printf(&b, "%s%s%s", l3, l2, l1);
    return b.data;
}

Test(csv_out, rejects_csv_has_one_quoted_line_per_entry_in_log_order)
{
    reject_log *log = fx_rejects();
    thk_buf out = {0};
    csv_out_rejects(log, &out);
    char *want = fx_rejects_expected(false);
    cr_expect_str_eq(out.data, want);
    free(want);
    rejects_sort(log);
    buf_clear(&out);
    csv_out_rejects(log, &out);
    want = fx_rejects_expected(true);
    cr_expect_str_eq(out.data, want);
    free(want);
    buf_free(&out);
    rejects_free(log);
}

Test(csv_out, rejects_csv_file_matches_the_text_and_no_log_gives_the_header)
{
    reject_log *log = fx_rejects();
    char *dir = tu_tempdir();
    char path[512];
    snprintf(path, sizeof path, "%s/rejects.csv", dir);
    thk_buf err = {0};
    cr_assert_eq(csv_out_write_rejects(path, log, &err), 0);
    char *got = tu_read(path, NULL);
    char *want = fx_rejects_expected(false);
    cr_expect_str_eq(got, want);
    free(got);
    cr_assert_eq(csv_out_write_rejects(path, NULL, &err), 0);
    got = tu_read(path, NULL);
    /* a BOM first: a statistician opens rejects.csv in Excel */
    cr_expect_str_eq(got, "\xEF\xBB\xBF" "file,line,column,value,severity,code,message\n");
    free(got);
    free(want);
    free(dir);
    buf_free(&err);
    rejects_free(log);
}

Test(csv_out, a_large_streamed_file_is_written_whole_in_order)
{
    char *dir = tu_tempdir();
    char path[512];
    snprintf(path, sizeof path, "%s/big.csv", dir);
    thk_buf err = {0};
    csv_out_file *f = csv_out_open(path, &err);
    cr_assert_not_null(f);
    thk_buf want = {0};
    for (int i = 0; i < 20000; i++) {
        thk_buf *b = csv_out_buffer(f);
        csv_out_int(b, i, false);
        csv_out_str(b, "Đồng, \"x\"", true);
        cr_assert_eq(csv_out_flush_some(f), 0);
        buf_printf(&want, "%d,\"Đồng, \"\"x\"\"\"\n", i);
    }
    cr_assert_eq(csv_out_close(f, &err), 0);
    size_t n = 0;
    char *got = tu_read(path, &n);
    cr_expect_eq(n, want.len);
    cr_expect(n == want.len && memcmp(got, want.data, n) == 0);
    free(got);
    free(dir);
    buf_free(&want);
    buf_free(&err);
}

Test(csv_out, a_full_disk_is_an_output_error_with_the_reason)
{
    form_set *fs = fx_set();
    thk_buf err = {0};
    int rc = csv_out_write_cells("/dev/full", fs, &err);
    cr_expect_eq(rc, THK_EXIT_OUTPUT);
    cr_assert_not_null(err.data);
    cr_expect(strstr(err.data, "/dev/full") != NULL, "%s", err.data);
    cr_expect(strstr(err.data, strerror(ENOSPC)) != NULL, "%s", err.data);
    buf_clear(&err);
    /* Errors are sticky: once a block failed, later flushes report it too. */
    csv_out_file *f = csv_out_open("/dev/full", &err);
    cr_assert_not_null(f);
    int seen = 0;
    for (int i = 0; i < 5000 && !seen; i++) {
        csv_out_str(csv_out_buffer(f), "0123456789012345678901234567890123456789", true);
        seen = csv_out_flush_some(f);
    }
    cr_expect_eq(seen, THK_EXIT_OUTPUT);
    cr_expect_eq(csv_out_flush_some(f), THK_EXIT_OUTPUT);
    cr_expect_eq(csv_out_close(f, &err), THK_EXIT_OUTPUT);
    buf_free(&err);
    form_set_free(fs);
}

Test(csv_out, an_uncreatable_file_is_an_output_error_naming_it)
{
    thk_buf err = {0};
    cr_expect_null(csv_out_open("/nonexistent-thongke-dir/cells.csv", &err));
    cr_assert_not_null(err.data);
    cr_expect(strstr(err.data, "/nonexistent-thongke-dir/cells.csv") != NULL);
    buf_clear(&err);
    cr_expect_eq(csv_out_write_rejects("/nonexistent-thongke-dir/r.csv", NULL, &err),
                 THK_EXIT_OUTPUT);
    cr_expect_eq(csv_out_close(NULL, &err), 0);
    buf_free(&err);
}

Test(csv_out, one_quoting_for_every_writer_delimiter_blanks_and_force)
{
    thk_buf b = {0};
    csv_quote(&b, "a;b", 3, ';', 0);
    buf_putc(&b, '|');
    csv_quote(&b, "a;b", 3, ',', 0);
    buf_putc(&b, '|');
    csv_quote(&b, " x", 2, ',', 0);
    buf_putc(&b, '|');
    csv_quote(&b, " x", 2, ',', CSV_QUOTE_BLANKS);
    buf_putc(&b, '|');
    csv_quote(&b, "say \"hi\"", 8, '\t', 0);
    buf_putc(&b, '|');
    csv_quote(&b, "v", 1, ',', CSV_QUOTE_FORCE);
    buf_putc(&b, '|');
    csv_quote(&b, NULL, 5, ',', 0);
    buf_append(&b, "", 0);
    cr_assert_str_eq(b.data, "\"a;b\"|a;b| x|\" x\"|\"say \"\"hi\"\"\"|\"v\"|");
    cr_assert(csv_needs_quote("a\nb", 3, ',', 0));
    cr_assert_not(csv_needs_quote("ab", 2, ',', 0));
    buf_free(&b);
}

/* csv_needs_quote reads eight bytes at a time: it answers as the byte-by-byte rule does for
 * every length, position and neighbour of a special byte (and bytes above 0x7F, whose borrow
 * a word-wise test could confuse with a match). */
static bool needs_quote_ref(const char *s, size_t n, char delim, unsigned flags)
{
    if (flags & CSV_QUOTE_FORCE)
        return true;
    if (n && (flags & CSV_QUOTE_BLANKS) &&
        (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        return true;
    for (size_t i = 0; i < n; i++)
        if (s[i] == delim || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
            return true;
    return false;
}

Test(csv_out, the_word_wise_quote_check_answers_as_the_byte_rule)
{
    static const char alphabet[] = {'a', ' ', '\t', ',', ';', '"', '\r', '\n', '\x01', '\x2b',
                                    '\x2d', '\x80', '\xc3', '\xff', '\x0b', '\x0c'};
    static const char delims[] = {',', ';', '\t'};
    static const unsigned flags[] = {0, CSV_QUOTE_BLANKS, CSV_QUOTE_FORCE};
    char s[48];
    unsigned seed = 12345;
    size_t yes = 0, no = 0;
    for (int iter = 0; iter < 200000; iter++) {
        seed = seed * 1103515245u + 12345u;
        size_t n = (seed >> 16) % 41;
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            /* mostly plain letters, so that a special byte is often alone in its word */
            unsigned r = (seed >> 16) % 64;
            s[i] = r < sizeof alphabet ? alphabet[r] : (char)('a' + r % 26);
        }
        char d = delims[iter % 3];
        unsigned fl = flags[(iter / 3) % 3];
        bool want = needs_quote_ref(s, n, d, fl);
        cr_assert_eq(csv_needs_quote(s, n, d, fl), want, "length %zu, delimiter %d, flags %u",
                     n, d, fl);
        want ? yes++ : no++;
    }
    cr_expect_gt(yes, 10000u);
    cr_expect_gt(no, 10000u);
}
