/* read_csv — feeds libcsv one physical line at a time so every record knows its start line. */
#include "read_csv.h"

#include "read_text.h"
#include "sha256.h"

#include <csv.h>
#include <stdatomic.h>
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READER_CHUNK (1u << 20)
/* libcsv's parser states (struct csv_parser.pstate) that the reader looks at. */
#define READER_ROW_NOT_BEGUN 0 /* between records */
#define READER_FIELD_BEGUN 2   /* inside a field (with .quoted: inside quotes) */

typedef struct {
    const char *name;
    reader_fn fn;
    void *ctx;
    struct csv_parser parser;
    iconv_t cd;          /* (iconv_t)-1 when the input is UTF-8 */
    thk_buf conv;        /* converted line */
    /* the record being assembled */
    thk_buf data;        /* field bytes, each followed by NUL */
    size_t *offs;        /* field start offsets in data */
    size_t *lens;
    const char **ptrs;
    size_t nfields, fcap;
    bool too_many;
    /* line bookkeeping */
    uint32_t line;       /* current physical line */
    uint64_t line_off;   /* its byte offset */
    uint32_t rec_line;   /* start line of the record being assembled */
    uint64_t rec_off;
    uint64_t rec_bytes;  /* bytes fed since the record started */
    bool at_boundary;    /* no record content pending */
    int64_t bad_utf8;
    int64_t nul_at;      /* first NUL byte of the record (file offset), or -1 */
    bool nfc_safe;       /* every line of the record so far passed text_utf8_scan as NFC-safe */
    int bad_field;       /* field index of bad_utf8 (resolved at record end) */
    bool bad_encoding;
    int stop;            /* non-zero once fn asked to stop */
    _Atomic uint64_t *progress_rows;
    uint64_t rows_pending; /* records not yet added to progress_rows */
    bool first;          /* next line is the first line of the file */
    char delim;
    bool libcsv_only;    /* reader_opts.libcsv_only */
    reader_stats *stats;
} reader_state;

char reader_detect_delimiter(const char *line, size_t len)
{
    size_t comma = 0, semi = 0, tab = 0;
    bool quoted = false;
    for (size_t i = 0; i < len; i++) {
        char c = line[i];
        if (c == '"')
            quoted = !quoted;
        else if (!quoted && (c == '\n' || c == '\r'))
            break;
        else if (!quoted && c == ',')
            comma++;
        else if (!quoted && c == ';')
            semi++;
        else if (!quoted && c == '\t')
            tab++;
    }
    if (semi > comma && semi >= tab)
        return ';';
    if (tab > comma && tab > semi)
        return '\t';
    return ',';
}

static int reader_is_space(unsigned char c)
{
    return c == ' ';
}

static void reader_on_field(void *s, size_t len, void *data)
{
    reader_state *st = data;
    if (st->nfields >= READER_MAX_FIELDS) {
        st->too_many = true;
        return;
    }
    if (st->nfields == st->fcap) {
        st->fcap = st->fcap ? st->fcap * 2 : 32;
        st->offs = thk_xrealloc(st->offs, st->fcap * sizeof *st->offs);
        st->lens = thk_xrealloc(st->lens, st->fcap * sizeof *st->lens);
        st->ptrs = thk_xrealloc(st->ptrs, st->fcap * sizeof *st->ptrs);
    }
    st->offs[st->nfields] = st->data.len;
    st->lens[st->nfields] = len;
    buf_reserve(&st->data, len + 1); /* the field and its NUL, in one step */
    if (len)
        memcpy(st->data.data + st->data.len, s, len);
    st->data.len += len;
    st->data.data[st->data.len++] = '\0';
    st->nfields++;
}

static void reader_on_record(int term, void *data)
{
    (void)term;
    reader_state *st = data;
    if (!st->stop) {
        for (size_t i = 0; i < st->nfields; i++)
            st->ptrs[i] = st->data.data + st->offs[i];
        int bad_field = -1, nul_field = -1;
        if (st->bad_utf8 >= 0)
            for (size_t i = 0; i < st->nfields && bad_field < 0; i++)
                if (text_utf8_invalid_at(st->ptrs[i], st->lens[i]) >= 0)
                    bad_field = (int)i;
        if (st->nul_at >= 0)
            for (size_t i = 0; i < st->nfields && nul_field < 0; i++)
                if (memchr(st->ptrs[i], '\0', st->lens[i]))
                    nul_field = (int)i;
        reader_record rec = {
            .fields = st->ptrs,
            .lens = st->lens,
            .nfields = st->nfields,
            .line = st->rec_line,
            .end_line = st->line,
            .delimiter = st->delim,
            .offset = st->rec_off,
            .bad_utf8 = st->bad_utf8,
            .bad_utf8_field = bad_field,
            .nul_at = st->nul_at,
            .nul_field = nul_field,
            .nfc_safe = st->nfc_safe && st->bad_utf8 < 0,
            .bad_encoding = st->bad_encoding,
            .too_many_fields = st->too_many,
        };
        st->stop = st->fn(st->ctx, &rec);
        if (st->progress_rows && ++st->rows_pending == 4096) {
            atomic_fetch_add_explicit(st->progress_rows, st->rows_pending, memory_order_relaxed);
            st->rows_pending = 0;
        }
    }
    st->nfields = 0;
    buf_clear(&st->data);
    st->too_many = false;
    st->bad_utf8 = -1;
    st->nul_at = -1;
    st->nfc_safe = true;
    st->bad_encoding = false;
}

/* libcsv's test for the blanks it trims around an unquoted field: space and tab, or only
 * space when tab is the delimiter (reader_is_space). */
static bool reader_trims(const reader_state *st, char c)
{
    return c == ' ' || (c == '\t' && st->delim != '\t');
}

/* The quote-free line s[0..n) (terminator included) as one record, split and trimmed exactly
 * as libcsv would; false, having done nothing, when the line needs libcsv: a quote, or a
 * carriage return before the terminator (libcsv ends a record at a lone CR). */
static bool reader_fast_line(reader_state *st, const char *s, size_t n)
{
    if (st->libcsv_only)
        return false;
    if (n && s[n - 1] == '\n')
        n--;
    if (n && s[n - 1] == '\r')
        n--;
    if (memchr(s, '"', n) || memchr(s, '\r', n))
        return false;
    const char *p = s, *end = s + n;
    for (;;) {
        const char *d = memchr(p, st->delim, (size_t)(end - p));
        const char *a = p, *b = d ? d : end;
        while (a < b && reader_trims(st, *a))
            a++;
        while (b > a && reader_trims(st, b[-1]))
            b--;
        reader_on_field((void *)(uintptr_t)a, (size_t)(b - a), st);
        if (!d)
            break;
        p = d + 1;
    }
    reader_on_record('\n', st);
    return true;
}

static void reader_set_delim(reader_state *st, char delim)
{
    st->delim = delim;
    csv_set_delim(&st->parser, (unsigned char)delim);
    if (delim == '\t')
        csv_set_space_func(&st->parser, reader_is_space);
    st->stats->delimiter = delim;
}

static bool reader_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return false;
    return true;
}

/* Converts one raw line to UTF-8 into st->conv; a sequence iconv cannot convert marks the
 * record and is replaced by '?'. */
static void reader_convert(reader_state *st, const char *s, size_t n)
{
    buf_clear(&st->conv);
    buf_reserve(&st->conv, n * 4 + 16);
    char *in = (char *)(uintptr_t)s;
    size_t inleft = n;
    for (;;) {
        char *out = st->conv.data + st->conv.len;
        size_t outleft = st->conv.cap - st->conv.len - 1;
        size_t r = iconv(st->cd, inleft ? &in : NULL, &inleft, &out, &outleft);
        st->conv.len = (size_t)(out - st->conv.data);
        if (r != (size_t)-1 && inleft == 0) {
            /* flush any shift state / pending base character */
            out = st->conv.data + st->conv.len;
            outleft = st->conv.cap - st->conv.len - 1;
            iconv(st->cd, NULL, NULL, &out, &outleft);
            st->conv.len = (size_t)(out - st->conv.data);
            break;
        }
        if (r == (size_t)-1 && errno == E2BIG) {
            buf_reserve(&st->conv, st->conv.cap);
            continue;
        }
        /* EILSEQ or EINVAL (truncated at end of line): skip one byte */
        st->bad_encoding = true;
        buf_putc(&st->conv, '?');
        in++;
        inleft--;
        iconv(st->cd, NULL, NULL, NULL, NULL);
        if (inleft == 0)
            break;
    }
    st->conv.data[st->conv.len] = '\0';
}

/* Feeds one physical line (with its terminator, if any) to libcsv. Returns -1 on a file-level
 * problem (message in err). */
static int reader_line(reader_state *st, const char *s, size_t n, thk_buf *err)
{
    st->line++;
    if (st->first) {
        st->first = false;
        if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
            s += 3;
            n -= 3;
            st->line_off += 3;
            st->stats->had_bom = true;
        }
    }
    if (st->nul_at < 0) {
        const char *z = memchr(s, '\0', n);
        if (z)
            st->nul_at = (int64_t)(st->line_off + (uint64_t)(z - s));
    }
    const char *text = s;
    size_t tlen = n;
    if (st->cd != (iconv_t)-1) {
        reader_convert(st, s, n);
        text = st->conv.data;
        tlen = st->conv.len;
    }
    if (st->at_boundary) {
        if (reader_blank(text, tlen)) {
            st->line_off += n;
            return 0;
        }
        if (st->delim == 0)
            reader_set_delim(st, reader_detect_delimiter(text, tlen));
        st->rec_line = st->line;
        st->rec_off = st->line_off;
        st->rec_bytes = 0;
    }
    if (st->cd != (iconv_t)-1)
        st->nfc_safe = false; /* converted text: the loader checks each field */
    else if (st->bad_utf8 < 0) {
        bool safe;
        ptrdiff_t bad = text_utf8_scan(text, tlen, &safe);
        if (bad >= 0)
            st->bad_utf8 = (int64_t)(st->line_off + (uint64_t)bad);
        st->nfc_safe = st->nfc_safe && safe;
    }
    if (st->at_boundary && reader_fast_line(st, text, tlen)) {
        st->line_off += n;
        return 0;
    }
    st->rec_bytes += tlen;
    if (csv_parse(&st->parser, text, tlen, reader_on_field, reader_on_record, st) != tlen) {
        buf_printf(err, "%s: dòng %u: lỗi đọc CSV: %s", st->name, st->line,
                   csv_strerror(csv_error(&st->parser)));
        return -1;
    }
    /* At a boundary only when libcsv holds nothing (ROW_NOT_BEGUN): a record that ended at
     * a lone CR may be followed by another one begun on the same line. */
    if (st->parser.pstate == READER_ROW_NOT_BEGUN)
        st->at_boundary = true;
    else {
        st->at_boundary = false;
        if (st->rec_bytes > READER_MAX_RECORD) {
            buf_printf(err,
                       "%s: dòng %u: bản ghi dài quá %u MiB (dấu ngoặc kép \" không được đóng?)",
                       st->name, st->rec_line, READER_MAX_RECORD >> 20);
            return -1;
        }
    }
    st->line_off += n;
    return 0;
}

/* True when enc names an encoding other than UTF-8. */
static bool reader_is_legacy(const char *enc)
{
    return enc && *enc && strcasecmp(enc, "utf-8") != 0 && strcasecmp(enc, "utf8") != 0;
}

static int reader_begin(reader_state *st, const char *name, const reader_opts *opts, reader_fn fn,
                        void *ctx, reader_stats *stats, thk_buf *err)
{
    memset(st, 0, sizeof *st);
    memset(stats, 0, sizeof *stats);
    st->name = name;
    st->fn = fn;
    st->ctx = ctx;
    st->stats = stats;
    st->at_boundary = true;
    st->first = true;
    st->bad_utf8 = -1;
    st->nul_at = -1;
    st->nfc_safe = true;
    st->delim = opts ? opts->delimiter : 0;
    st->progress_rows = opts ? opts->progress_rows : NULL;
    st->libcsv_only = opts && opts->libcsv_only;
    st->cd = (iconv_t)-1;
    const char *enc = opts ? opts->encoding : NULL;
    snprintf(stats->encoding, sizeof stats->encoding, "UTF-8");
    if (reader_is_legacy(enc)) {
        snprintf(stats->encoding, sizeof stats->encoding, "%s", enc);
        st->cd = iconv_open("UTF-8", enc);
        if (st->cd == (iconv_t)-1) {
            buf_printf(err, "%s: không hỗ trợ bảng mã '%s' (iconv)", name, enc);
            return -1;
        }
    }
    if (csv_init(&st->parser, 0) != 0) {
        buf_printf(err, "%s: không khởi tạo được bộ đọc CSV", name);
        if (st->cd != (iconv_t)-1)
            iconv_close(st->cd);
        return -1;
    }
    /* libcsv's defaults (CR or LF ends a row; space and tab are trimmed around unquoted
     * fields) are what we want, and cost no callback per byte; only a tab delimiter needs a
     * space test that leaves tabs alone (set when the delimiter is known). */
    if (st->delim)
        reader_set_delim(st, st->delim);
    return 0;
}

static int reader_end(reader_state *st, int rc, thk_buf *err)
{
    if (rc == 0 && !st->stop) {
        /* libcsv reports an open quote at the end only in its strict mode, which would also
         * fail on the stray quotes real exports carry; its parser state says it plainly:
         * FIELD_BEGUN inside a quoted field. */
        bool open_quote = st->parser.pstate == READER_FIELD_BEGUN && st->parser.quoted;
        if (open_quote || csv_fini(&st->parser, reader_on_field, reader_on_record, st) != 0) {
            buf_printf(err,
                       "%s: dòng %u: dấu ngoặc kép \" mở nhưng không đóng đến hết tệp",
                       st->name, st->rec_line);
            rc = -1;
        }
    }
    if (rc == 0 && st->stop)
        rc = st->stop;
    st->stats->lines = st->line;
    if (st->stats->had_bom && strcmp(st->stats->encoding, "UTF-8") == 0)
        snprintf(st->stats->encoding, sizeof st->stats->encoding, "UTF-8 (BOM)");
    if (st->progress_rows)
        atomic_fetch_add_explicit(st->progress_rows, st->rows_pending, memory_order_relaxed);
    csv_free(&st->parser);
    if (st->cd != (iconv_t)-1)
        iconv_close(st->cd);
    buf_free(&st->conv);
    buf_free(&st->data);
    free(st->offs);
    free(st->lens);
    free(st->ptrs);
    return rc;
}

/* Splits data into physical lines and feeds them; returns the bytes of a trailing partial
 * line that was not fed (when `final` is false). */
static int reader_feed(reader_state *st, const char *data, size_t len, bool final, size_t *used,
                       thk_buf *err)
{
    size_t pos = 0;
    while (pos < len && !st->stop) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        if (!nl && !final)
            break;
        size_t end = nl ? (size_t)(nl - data) + 1 : len;
        if (reader_line(st, data + pos, end - pos, err) != 0) {
            *used = end;
            return -1;
        }
        pos = end;
    }
    *used = pos;
    return 0;
}

/* A misspelt --encoding is an error even for a file that turns out to be UTF-8: the operator
 * learns of it on the first run, not on the day a legacy export arrives. */
static int reader_check_encoding(const char *name, const reader_opts *opts, thk_buf *err)
{
    if (!opts || !reader_is_legacy(opts->encoding))
        return 0;
    iconv_t cd = iconv_open("UTF-8", opts->encoding);
    if (cd == (iconv_t)-1) {
        buf_printf(err, "%s: không hỗ trợ bảng mã '%s' (iconv)", name, opts->encoding);
        return -1;
    }
    iconv_close(cd);
    return 0;
}

/* The first bytes say UTF-16: 1 little-endian (FF FE), 2 big-endian (FE FF), 0 neither. */
static int reader_utf16_bom(const unsigned char *p, size_t n)
{
    if (n >= 2 && p[0] == 0xFF && p[1] == 0xFE)
        return 1;
    if (n >= 2 && p[0] == 0xFE && p[1] == 0xFF)
        return 2;
    return 0;
}

/* Streaming UTF-8 check: *carry holds the bytes of a sequence cut at the end of the previous
 * piece. False at the first invalid byte. */
static bool reader_utf8_piece(const char *p, size_t n, char carry[4], size_t *ncarry, bool last)
{
    if (*ncarry) { /* complete the cut sequence with up to 3 bytes of this piece */
        char tmp[8];
        size_t take = n < 4 ? n : 4;
        memcpy(tmp, carry, *ncarry);
        memcpy(tmp + *ncarry, p, take);
        size_t lead = (unsigned char)tmp[0] >= 0xF0 ? 4 : (unsigned char)tmp[0] >= 0xE0 ? 3 : 2;
        if (*ncarry + take < lead) {
            if (!last) {
                memcpy(carry + *ncarry, p, take);
                *ncarry += take;
                return true;
            }
            return false;
        }
        if (text_utf8_invalid_at(tmp, lead) >= 0)
            return false;
        p += lead - *ncarry;
        n -= lead - *ncarry;
        *ncarry = 0;
    }
    size_t cut = n; /* the start of a multi-byte sequence in the last 3 bytes, if incomplete */
    if (!last)
        for (size_t k = 1; k <= 3 && k <= n; k++) {
            unsigned char c = (unsigned char)p[n - k];
            if (c >= 0xC0) {
                size_t lead = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
                if (lead > k)
                    cut = n - k;
                break;
            }
            if (c < 0x80)
                break;
        }
    if (text_utf8_invalid_at(p, cut) >= 0)
        return false;
    memcpy(carry, p + cut, n - cut);
    *ncarry = n - cut;
    return true;
}

static bool reader_has_bom8(const void *p, size_t n)
{
    return n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0;
}

/* The options a file is read with: a legacy --encoding only when the file neither opens with
 * a UTF-8 BOM nor is valid UTF-8 throughout (valid_utf8 is asked only then). */
static reader_opts reader_choose(const reader_opts *opts, bool bom8,
                                 bool (*valid_utf8)(const void *arg), const void *arg)
{
    reader_opts o = opts ? *opts : (reader_opts){0};
    if (reader_is_legacy(o.encoding) && (bom8 || valid_utf8(arg)))
        o.encoding = NULL;
    return o;
}

typedef struct {
    const char *data;
    size_t len;
} reader_span;

static bool reader_span_is_utf8(const void *arg)
{
    const reader_span *sp = arg;
    char carry[4];
    size_t nc = 0;
    return reader_utf8_piece(sp->data, sp->len, carry, &nc, true);
}

/* data[0..len) (a UTF-16 file, BOM included) converted to UTF-8 into out. A sequence that is
 * not UTF-16 (a lone surrogate, an odd last byte) becomes the byte 0xFF, which the UTF-8 check
 * then reports on its row (utf8_invalid), so nothing is dropped silently. */
static int reader_utf16_convert(const char *name, const char *data, size_t len, int bom,
                                thk_buf *out, thk_buf *err)
{
    iconv_t cd = iconv_open("UTF-8", bom == 1 ? "UTF-16LE" : "UTF-16BE");
    if (cd == (iconv_t)-1) {
        buf_printf(err, "%s: không đọc được UTF-16 (iconv)", name);
        return -1;
    }
    char *in = (char *)(uintptr_t)data + 2;
    size_t inleft = len - 2;
    buf_reserve(out, inleft * 3 / 2 + 16);
    while (inleft > 0) {
        char *o = out->data + out->len;
        size_t oleft = out->cap - out->len - 1;
        size_t r = iconv(cd, &in, &inleft, &o, &oleft);
        out->len = (size_t)(o - out->data);
        if (r != (size_t)-1)
            break;
        if (errno == E2BIG) {
            buf_reserve(out, out->cap);
            continue;
        }
        buf_putc(out, (char)0xFF); /* EILSEQ or EINVAL: two bytes (or the last one) */
        size_t skip = inleft >= 2 ? 2 : inleft;
        in += skip;
        inleft -= skip;
        iconv(cd, NULL, NULL, NULL, NULL);
    }
    iconv_close(cd);
    buf_reserve(out, 1);
    out->data[out->len] = '\0';
    return 0;
}

/* Reads the UTF-16 file data[0..len) (already in memory) as its UTF-8 conversion. */
static int reader_run_utf16(const char *name, const char *data, size_t len, int bom,
                            const reader_opts *opts, reader_fn fn, void *ctx,
                            reader_stats *stats, thk_buf *err)
{
    reader_opts o = opts ? *opts : (reader_opts){0};
    o.encoding = NULL;
    reader_state st;
    if (reader_begin(&st, name, &o, fn, ctx, stats, err) != 0)
        return -1;
    snprintf(stats->encoding, sizeof stats->encoding, "%s", bom == 1 ? "UTF-16LE (BOM)"
                                                                    : "UTF-16BE (BOM)");
    stats->had_bom = true;
    thk_buf u = {0};
    int rc = reader_utf16_convert(name, data, len, bom, &u, err);
    size_t used = 0;
    if (rc == 0)
        rc = reader_feed(&st, u.data, u.len, true, &used, err);
    buf_free(&u);
    return reader_end(&st, rc, err);
}

int reader_run_memory(const char *name, const char *data, size_t len, const reader_opts *opts,
                      reader_fn fn, void *ctx, reader_stats *stats, thk_buf *err)
{
    if (reader_check_encoding(name, opts, err) != 0) {
        memset(stats, 0, sizeof *stats);
        return -1;
    }
    int bom = reader_utf16_bom((const unsigned char *)data, len);
    int rc;
    if (bom) {
        rc = reader_run_utf16(name, data, len, bom, opts, fn, ctx, stats, err);
    } else {
        reader_span sp = {data, len};
        reader_opts o = reader_choose(opts, reader_has_bom8(data, len), reader_span_is_utf8, &sp);
        reader_state st;
        if (reader_begin(&st, name, &o, fn, ctx, stats, err) != 0)
            return -1;
        size_t used = 0;
        rc = reader_feed(&st, data, len, true, &used, err);
        rc = reader_end(&st, rc, err);
    }
    stats->bytes = len;
    sha256_buffer(data, len, stats->sha256);
    return rc;
}

bool reader_file_id_of(int fd, reader_file_id *out)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return false;
    *out = (reader_file_id){
        .dev = (uint64_t)st.st_dev,
        .ino = (uint64_t)st.st_ino,
        .size = (uint64_t)st.st_size,
        .mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec,
        .ctime_ns = (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec,
    };
    return true;
}

bool reader_file_id_equal(const reader_file_id *a, const reader_file_id *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

void reader_report_changed(const char *path, thk_buf *err)
{
    buf_printf(err,
               "%s: tệp bị ghi hoặc thay đổi trong khi đang đọc (kích thước hay thời điểm sửa "
               "khác đi); hãy chạy lại khi tệp đã xuất xong",
               path);
}

/* True when the whole of file *(const int *)arg is valid UTF-8 (read with pread, the offset is
 * left alone). */
static bool reader_file_is_utf8(const void *arg)
{
    int fd = *(const int *)arg;
    char *buf = thk_xmalloc(READER_CHUNK);
    char carry[4];
    size_t nc = 0;
    off_t at = 0;
    bool ok = true;
    for (;;) {
        ssize_t r = pread(fd, buf, READER_CHUNK, at);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            ok = r == 0 && reader_utf8_piece(buf, 0, carry, &nc, true);
            break;
        }
        if (!reader_utf8_piece(buf, (size_t)r, carry, &nc, false)) {
            ok = false;
            break;
        }
        at += r;
    }
    free(buf);
    return ok;
}

/* A UTF-16 file: read whole (hashed as read, checked unchanged after), then converted. */
static int reader_run_file_utf16(int fd, const char *path, uint64_t size, int bom,
                                 const reader_opts *opts, reader_fn fn, void *ctx,
                                 reader_stats *stats, thk_buf *err)
{
    if (size > READER_MAX_UTF16) {
        memset(stats, 0, sizeof *stats);
        buf_printf(err, "%s: tệp UTF-16 lớn quá %llu MiB; hãy xuất lại dưới dạng UTF-8", path,
                   (unsigned long long)(READER_MAX_UTF16 >> 20));
        return -1;
    }
    reader_file_id before = {0}, after;
    reader_file_id_of(fd, &before);
    thk_buf raw = {0};
    buf_reserve(&raw, (size_t)size + 1);
    for (;;) {
        if (raw.cap - raw.len < 65536)
            buf_reserve(&raw, raw.cap);
        ssize_t r = read(fd, raw.data + raw.len, raw.cap - raw.len - 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            memset(stats, 0, sizeof *stats);
            buf_printf(err, "%s: lỗi đọc tệp: %s", path, strerror(errno));
            buf_free(&raw);
            return -1;
        }
        if (r == 0 || raw.len + (size_t)r > READER_MAX_UTF16) {
            raw.len += (size_t)r;
            break;
        }
        raw.len += (size_t)r;
    }
    int rc = reader_run_utf16(path, raw.data, raw.len, bom, opts, fn, ctx, stats, err);
    if (rc == 0 && reader_file_id_of(fd, &after) &&
        (!reader_file_id_equal(&before, &after) || after.size != raw.len)) {
        reader_report_changed(path, err);
        rc = -1;
    }
    stats->id = before;
    stats->bytes = raw.len;
    sha256_buffer(raw.data, raw.len, stats->sha256);
    if (opts && opts->progress_bytes)
        atomic_fetch_add_explicit(opts->progress_bytes, raw.len, memory_order_relaxed);
    buf_free(&raw);
    return rc;
}

int reader_run_file(const char *path, const reader_opts *opts, reader_fn fn, void *ctx,
                    reader_stats *stats, thk_buf *err)
{
    /* O_NONBLOCK: opening a FIFO with no writer must not hang a cron run; fstat then refuses
     * anything that is not a regular file (a FIFO, a device, /dev/stdin, a folder) */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        buf_printf(err, "%s: không mở được tệp: %s", path, strerror(errno));
        return -1;
    }
    struct stat fst;
    if (fstat(fd, &fst) != 0 || !S_ISREG(fst.st_mode)) {
        buf_printf(err, "%s: không phải tệp thường (FIFO, thiết bị hay thư mục?); hãy xuất dữ "
                        "liệu ra một tệp rồi chạy lại", path);
        close(fd);
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    if (reader_check_encoding(path, opts, err) != 0) {
        memset(stats, 0, sizeof *stats);
        close(fd);
        return -1;
    }
    unsigned char head[4];
    ssize_t nh = pread(fd, head, sizeof head, 0);
    int bom16 = nh > 0 ? reader_utf16_bom(head, (size_t)nh) : 0;
    if (bom16) {
        int rc = reader_run_file_utf16(fd, path, (uint64_t)fst.st_size, bom16, opts, fn, ctx,
                                       stats, err);
        close(fd);
        return rc;
    }
    reader_opts chosen = reader_choose(opts, nh > 0 && reader_has_bom8(head, (size_t)nh),
                                       reader_file_is_utf8, &fd);
    reader_state st;
    if (reader_begin(&st, path, &chosen, fn, ctx, stats, err) != 0) {
        close(fd);
        return -1;
    }
    reader_file_id before = {0};
    reader_file_id_of(fd, &before);
    stats->id = before;
    char *buf = thk_xmalloc(READER_CHUNK * 2);
    size_t have = 0, cap = READER_CHUNK * 2;
    int rc = 0;
    uint64_t total = 0;
    sha256_ctx hash;
    sha256_init(&hash);
    for (;;) {
        if (cap - have < READER_CHUNK / 2) {
            cap *= 2;
            buf = thk_xrealloc(buf, cap);
        }
        ssize_t r = read(fd, buf + have, cap - have);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            buf_printf(err, "%s: lỗi đọc tệp: %s", path, strerror(errno));
            rc = -1;
            break;
        }
        total += (uint64_t)r;
        sha256_update(&hash, buf + have, (size_t)r);
        if (opts && opts->progress_bytes)
            atomic_fetch_add_explicit(opts->progress_bytes, (uint64_t)r, memory_order_relaxed);
        have += (size_t)r;
        size_t used = 0;
        rc = reader_feed(&st, buf, have, r == 0, &used, err);
        if (rc != 0 || r == 0 || st.stop)
            break;
        if (used == 0 && have > READER_MAX_RECORD) {
            buf_printf(err, "%s: dòng %u: dòng dài quá %u MiB", path, st.line + 1,
                       READER_MAX_RECORD >> 20);
            rc = -1;
            break;
        }
        memmove(buf, buf + used, have - used);
        have -= used;
    }
    /* A file still being exported (or edited) gives figures no rerun can reproduce: stop. */
    reader_file_id after;
    if (rc == 0 && !st.stop && reader_file_id_of(fd, &after) &&
        (!reader_file_id_equal(&before, &after) || after.size != total)) {
        reader_report_changed(path, err);
        rc = -1;
    }
    free(buf);
    close(fd);
    stats->bytes = total;
    uint8_t digest[32];
    sha256_final(&hash, digest);
    sha256_to_hex(digest, stats->sha256);
    return reader_end(&st, rc, err);
}

reader_record reader_sheet_record(const char *const *fields, const size_t *lens, size_t nfields,
                                  const bool *fraction, uint32_t line, const char *sheet,
                                  uint32_t row, bool too_many_fields)
{
    return (reader_record){
        .fields = fields,
        .lens = lens,
        .nfields = nfields,
        .line = line,
        .end_line = line,
        .delimiter = ',',
        .bad_utf8 = -1,
        .bad_utf8_field = -1,
        .nul_at = -1,
        .nul_field = -1,
        .too_many_fields = too_many_fields,
        .sheet = sheet,
        .row = row,
        .fraction = fraction,
    };
}
