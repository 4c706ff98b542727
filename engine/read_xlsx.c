/* read_xlsx — .xlsx rows as reader_records: libminizip for the archive, xml_fast for the large
 * parts with expat as the judge whenever it gives up, expat for the others. */
#include "read_xlsx.h"

#include "sha256.h"
#include "xml_fast.h"

#include <expat.h>
#include <minizip/unzip.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define XLSX_CHUNK (64u * 1024u)
#define XLSX_MAX_XF 65536u

typedef struct xlsx xlsx;
typedef void (*xlsx_start_fn)(xlsx *x, const char *el, const char **attr);
typedef void (*xlsx_end_fn)(xlsx *x, const char *el);

struct xlsx {
    unzFile uf;
    const char *name; /* the file, for messages */
    thk_buf *err;
    uint64_t archive_size;
    uint64_t total_out;
    XML_Parser parser;
    bool failed;      /* *err holds a message */
    int stop;         /* the row callback's non-zero value */
    bool fast;        /* large parts through xlsx_fast first (xlsx_set_fast) */
    /* workbook */
    bool date1904;
    char **sheet_name, **sheet_rid, **sheet_path;
    size_t nsheets;
    char **rel_id, **rel_target;
    size_t nrels;
    unsigned *fmt_id; /* custom number formats: id and code */
    char **fmt_code;
    size_t nfmts;
    bool *xf_date;    /* cellXfs: whether style i shows a date */
    size_t nxf;
    bool in_cellxfs;
    /* shared strings */
    thk_buf sst;      /* texts, each NUL-terminated */
    size_t *sst_at, *sst_len;
    size_t nsst, sst_cap;
    int sst_depth_rph; /* inside <rPh> (phonetic text, not part of the value) */
    bool in_si;
    /* text collection */
    bool collecting;
    thk_buf text;
    /* sheet state */
    const char *sheet;
    uint32_t line_base, row, last_row;
    uint32_t emitted_row, skip_row; /* the last row handed over; rows up to skip_row are not
                                      handed over again (expat rereading after xlsx_fast) */
    bool in_row, in_cell, in_is;
    uint32_t cell_col, next_col;
    int cell_type; /* 's' shared, 'i' inline, 'b' boolean, 'e' error, 'f' formula string, 'n' */
    bool cell_date;
    thk_buf row_text;
    uint32_t *cell_col_v;
    size_t *cell_at, *cell_len;
    bool *cell_frac;
    size_t ncells, cell_cap;
    bool too_many;
    /* output */
    reader_fn fn;
    void *ctx;
    const reader_opts *opts;
    reader_stats *stats;
    const char **fields;
    size_t *lens;
    bool *frac;
    uint32_t rows_seen;
    bool sheet_had_rows;
    thk_buf scratch;
};

/* ---- memory archive for unzOpen2_64 -------------------------------------------------------- */

typedef struct {
    const char *data;
    size_t len, pos;
} xlsx_mem;

static voidpf xlsx_mem_open(voidpf opaque, const void *filename, int mode)
{
    (void)filename;
    (void)mode;
    ((xlsx_mem *)opaque)->pos = 0;
    return opaque;
}

static uLong xlsx_mem_read(voidpf opaque, voidpf stream, void *buf, uLong size)
{
    (void)opaque;
    xlsx_mem *m = stream;
    size_t n = m->len - m->pos < size ? m->len - m->pos : size;
    memcpy(buf, m->data + m->pos, n);
    m->pos += n;
    return (uLong)n;
}

static uLong xlsx_mem_write(voidpf opaque, voidpf stream, const void *buf, uLong size)
{
    (void)opaque;
    (void)stream;
    (void)buf;
    (void)size;
    return 0;
}

static ZPOS64_T xlsx_mem_tell(voidpf opaque, voidpf stream)
{
    (void)opaque;
    return ((xlsx_mem *)stream)->pos;
}

static long xlsx_mem_seek(voidpf opaque, voidpf stream, ZPOS64_T offset, int origin)
{
    (void)opaque;
    xlsx_mem *m = stream;
    uint64_t base = origin == ZLIB_FILEFUNC_SEEK_SET   ? 0
                    : origin == ZLIB_FILEFUNC_SEEK_CUR ? m->pos
                                                       : m->len;
    if (offset > m->len || base + offset > m->len)
        return -1;
    m->pos = (size_t)(base + offset);
    return 0;
}

static int xlsx_mem_close(voidpf opaque, voidpf stream)
{
    (void)opaque;
    (void)stream;
    return 0;
}

static int xlsx_mem_error(voidpf opaque, voidpf stream)
{
    (void)opaque;
    (void)stream;
    return 0;
}

/* ---- small helpers --------------------------------------------------------------------------- */

static const char *xlsx_local(const char *el)
{
    const char *c = strrchr(el, ':');
    return c ? c + 1 : el;
}

/* The attribute whose local name is `name` (a prefixed one only when `prefixed`). */
static const char *xlsx_attr(const char **attr, const char *name, bool prefixed)
{
    for (size_t i = 0; attr[i]; i += 2) {
        const char *c = strrchr(attr[i], ':');
        if (prefixed ? (c && strcmp(c + 1, name) == 0) : strcmp(attr[i], name) == 0)
            return attr[i + 1];
    }
    return NULL;
}

__attribute__((format(printf, 2, 3))) static void xlsx_fail(xlsx *x, const char *fmt, ...)
{
    if (x->failed)
        return;
    x->failed = true;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    buf_printf(x->err, "%s: %s", x->name, msg);
    if (x->parser)
        XML_StopParser(x->parser, XML_FALSE);
}

static bool xlsx_uint(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (!s || !*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > max)
            return false;
    }
    *out = v;
    return true;
}

static char *xlsx_dup(const char *s)
{
    return thk_xstrdup(s ? s : "");
}

/* ---- numbers and dates ----------------------------------------------------------------------- */

static int64_t xlsx_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void xlsx_civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

bool xlsx_serial_date(int64_t serial, bool date1904, char out[11])
{
    int64_t days;
    if (serial < 0)
        return false;
    if (date1904) {
        days = xlsx_days_from_civil(1904, 1, 1) + serial;
    } else {
        if (serial < 1)
            return false;
        if (serial == 60) {
            memcpy(out, "1900-02-29", 11);
            return true;
        }
        days = xlsx_days_from_civil(1899, 12, serial < 60 ? 31 : 30) + serial;
    }
    if (days < xlsx_days_from_civil(1900, 1, 1) || days > xlsx_days_from_civil(9999, 12, 31))
        return false;
    int y, m, d;
    xlsx_civil_from_days(days, &y, &m, &d); /* y is 1900..9999: four digits */
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
    return true;
}

bool xlsx_number_text(const char *s, size_t len, thk_buf *out, bool *fraction)
{
    size_t i = 0;
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    while (len > i && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' ||
                       s[len - 1] == '\r'))
        len--;
    bool neg = false;
    if (i < len && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    char digits[64];
    size_t nd = 0, point = 0;
    bool seen_point = false, any = false;
    for (; i < len; i++) {
        char ch = s[i];
        if (ch >= '0' && ch <= '9') {
            any = true;
            if (nd == 0 && ch == '0' && !seen_point)
                continue; /* leading zeros of the integer part */
            if (nd == sizeof digits)
                return false;
            digits[nd++] = ch;
            if (!seen_point)
                point = nd;
        } else if (ch == '.' && !seen_point) {
            seen_point = true;
            point = nd;
        } else
            break;
    }
    if (!any)
        return false;
    long exp = 0;
    if (i < len && (s[i] == 'E' || s[i] == 'e')) {
        i++;
        bool eneg = false;
        if (i < len && (s[i] == '-' || s[i] == '+'))
            eneg = s[i++] == '-';
        if (i == len)
            return false;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
            exp = exp * 10 + (s[i] - '0');
            if (exp > 40)
                return false;
        }
        if (eneg)
            exp = -exp;
    }
    if (i != len)
        return false;
    /* the value is 0.digits × 10^(point + exp), digits without leading zeros of the integer */
    long ip = (long)point + exp; /* digits before the point */
    buf_clear(out);
    /* trailing zeros after the point do not count */
    size_t last = nd;
    while (last > 0 && (long)last > ip && digits[last - 1] == '0')
        last--;
    if (neg && last > 0)
        buf_putc(out, '-');
    if (ip <= 0)
        buf_putc(out, '0');
    else
        for (long k = 0; k < ip; k++)
            buf_putc(out, k < (long)nd ? digits[k] : '0');
    *fraction = (long)last > ip;
    if (*fraction) {
        buf_putc(out, '.');
        for (long k = ip; k < (long)last; k++)
            buf_putc(out, k < 0 ? '0' : digits[k]);
    }
    if (out->len == 2 && out->data[0] == '-' && out->data[1] == '0')
        buf_clear(out), buf_putc(out, '0');
    return true;
}

bool xlsx_format_is_date(unsigned id, const char *code)
{
    if ((id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) ||
        (id >= 50 && id <= 58))
        return true;
    if (!code || id < 164)
        return false;
    /* a date or time code letter outside quotes, escapes and [brackets] */
    for (const char *p = code; *p; p++) {
        if (*p == '"') {
            p = strchr(p + 1, '"');
            if (!p)
                return false;
        } else if (*p == '\\' || *p == '_' || *p == '*') {
            if (!p[1])
                return false;
            p++;
        } else if (*p == '[') {
            p = strchr(p + 1, ']');
            if (!p)
                return false;
        } else if (*p == ';')
            return false; /* only the first section (positive numbers) decides */
        else if (strchr("dDmMyY", *p))
            return true;
        else if (*p == 'G' || *p == 'g')
            return strncmp(p, "General", 7) != 0 && strncmp(p, "general", 7) != 0;
    }
    return false;
}

/* ---- reading one part through expat ----------------------------------------------------------- */

typedef struct {
    xlsx *x;
    xlsx_start_fn start;
    xlsx_end_fn end;
} xlsx_part;

/* buf_append without a call for the few bytes a cell's text usually is. */
static inline void xlsx_put(thk_buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap || n > 32) {
        buf_append(b, s, n);
        return;
    }
    char *d = b->data + b->len;
    for (size_t i = 0; i < n; i++)
        d[i] = s[i];
    d[n] = '\0';
    b->len += n;
}

/* Text of the element being collected (<v>, <t>). */
static void xlsx_text_add(xlsx *x, const char *s, size_t n)
{
    if (x->text.len + n > READER_MAX_RECORD) {
        xlsx_fail(x, "ô có văn bản dài quá giới hạn (%s%s)", "16 MB", "");
        return;
    }
    xlsx_put(&x->text, s, n);
}

static void XMLCALL xlsx_on_text(void *ud, const XML_Char *s, int n)
{
    xlsx *x = ((xlsx_part *)ud)->x;
    if (x->collecting)
        xlsx_text_add(x, s, (size_t)n);
}

static void XMLCALL xlsx_on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                                    const XML_Char *pubid, int has_internal)
{
    (void)name;
    (void)sysid;
    (void)pubid;
    (void)has_internal;
    xlsx_fail(((xlsx_part *)ud)->x,
              "tệp có khai báo DOCTYPE trong phần XML, điều bảng tính Excel không có; không "
              "đọc (có thể là tệp độc hại)%s%s",
              "", "");
}

static void XMLCALL xlsx_on_entity(void *ud, const XML_Char *name, int pe, const XML_Char *v,
                                   int vlen, const XML_Char *base, const XML_Char *sysid,
                                   const XML_Char *pubid, const XML_Char *notation)
{
    (void)name, (void)pe, (void)v, (void)vlen, (void)base, (void)sysid, (void)pubid,
        (void)notation;
    xlsx_fail(((xlsx_part *)ud)->x, "tệp khai báo thực thể XML; không đọc%s%s", "", "");
}

static void XMLCALL xlsx_on_start(void *ud, const XML_Char *el, const XML_Char **attr)
{
    xlsx_part *p = ud;
    if (!p->x->failed)
        p->start(p->x, xlsx_local(el), attr);
}

static void XMLCALL xlsx_on_end(void *ud, const XML_Char *el)
{
    xlsx_part *p = ud;
    if (!p->x->failed)
        p->end(p->x, xlsx_local(el));
}

/* ---- one archive member, inflated --------------------------------------------------------------- */

typedef struct {
    const char *path;
    uint64_t packed, out; /* compressed size (at least 1), bytes inflated so far */
} xlsx_in;

/* Opens the member `path`: 0, 1 when it is missing, -1 after a failure. */
static int xlsx_in_open(xlsx *x, xlsx_in *in, const char *path)
{
    if (unzLocateFile(x->uf, path, 2) != UNZ_OK)
        return 1;
    unz_file_info64 info;
    if (unzGetCurrentFileInfo64(x->uf, &info, NULL, 0, NULL, 0, NULL, 0) != UNZ_OK ||
        unzOpenCurrentFile(x->uf) != UNZ_OK) {
        xlsx_fail(x, "không mở được phần %s trong tệp nén (tệp hỏng hoặc bị cắt cụt)%s", path,
                  "");
        return -1;
    }
    in->path = path;
    in->packed = info.compressed_size;
    if (in->packed > x->archive_size)
        in->packed = x->archive_size;
    if (in->packed == 0)
        in->packed = 1;
    in->out = 0;
    return 0;
}

/* Inflates up to n bytes into buf: how many (0 at the end), -1 after a failure (a broken or
 * truncated member, a zip bomb: the bytes produced are what is counted), said in why[256]
 * (x->err is not touched: the inflating thread calls this). */
static int xlsx_in_inflate(xlsx *x, xlsx_in *in, char *buf, unsigned n, char *why)
{
    int got = unzReadCurrentFile(x->uf, buf, n);
    if (got < 0) {
        snprintf(why, 256, "phần %s trong tệp nén bị hỏng hoặc bị cắt cụt", in->path);
        return -1;
    }
    in->out += (uint64_t)got;
    x->total_out += (uint64_t)got;
    if (x->total_out > XLSX_MAX_TOTAL ||
        (in->out > XLSX_RATIO_FROM && in->out / in->packed > XLSX_MAX_RATIO)) {
        snprintf(why, 256,
                 "phần %s giải nén ra quá lớn so với tệp (nghi là \"bom nén\"); không đọc",
                 in->path);
        return -1;
    }
    return got;
}

static int xlsx_in_read(xlsx *x, xlsx_in *in, char *buf, unsigned n)
{
    char why[256];
    int got = xlsx_in_inflate(x, in, buf, n, why);
    if (got < 0)
        xlsx_fail(x, "%s%s", why, "");
    return got;
}

/* ---- a large part inflated on a thread of its own, while the caller parses ------------------ */

#define XP_BUFS 4
#define XP_CHUNK (256u * 1024u)
#define XP_FROM (1u << 20) /* compressed bytes from which a part gets the thread */

typedef struct {
    xlsx *x;
    xlsx_in *in;
    char *buf[XP_BUFS];
    int len[XP_BUFS];       /* bytes in buf[i]; 0 the end, -1 a failure (why) */
    size_t head, tail, full; /* the thread fills buf[head], the parser reads buf[tail] */
    size_t off;             /* how much of buf[tail] the parser has taken */
    bool quit;              /* the parser is done early: the thread stops */
    bool threaded;
    char why[256];
    pthread_t t;
    pthread_mutex_t mu;
    pthread_cond_t filled, emptied;
} xlsx_pump;

static void *xlsx_pump_run(void *arg)
{
    xlsx_pump *pp = arg;
    for (;;) {
        pthread_mutex_lock(&pp->mu);
        while (pp->full == XP_BUFS && !pp->quit)
            pthread_cond_wait(&pp->emptied, &pp->mu);
        bool quit = pp->quit;
        size_t h = pp->head;
        pthread_mutex_unlock(&pp->mu);
        if (quit)
            return NULL;
        int n = xlsx_in_inflate(pp->x, pp->in, pp->buf[h], XP_CHUNK, pp->why);
        pthread_mutex_lock(&pp->mu);
        pp->len[h] = n;
        pp->head = (h + 1) % XP_BUFS;
        pp->full++;
        pthread_cond_signal(&pp->filled);
        pthread_mutex_unlock(&pp->mu);
        if (n <= 0)
            return NULL;
    }
}

/* Starts inflating the open member on a thread when it is large and a thread can be had. */
static void xlsx_pump_start(xlsx_pump *pp, xlsx *x, xlsx_in *in)
{
    memset(pp, 0, sizeof *pp);
    pp->x = x;
    pp->in = in;
    if (in->packed < XP_FROM)
        return;
    pthread_mutex_init(&pp->mu, NULL);
    pthread_cond_init(&pp->filled, NULL);
    pthread_cond_init(&pp->emptied, NULL);
    for (size_t i = 0; i < XP_BUFS; i++)
        pp->buf[i] = thk_xmalloc(XP_CHUNK);
    pp->threaded = pthread_create(&pp->t, NULL, xlsx_pump_run, pp) == 0;
    if (!pp->threaded) {
        for (size_t i = 0; i < XP_BUFS; i++)
            free(pp->buf[i]);
        pthread_cond_destroy(&pp->filled);
        pthread_cond_destroy(&pp->emptied);
        pthread_mutex_destroy(&pp->mu);
    }
}

/* Up to cap bytes of the member into dst: as xlsx_in_read. */
static int xlsx_pump_get(xlsx_pump *pp, char *dst, size_t cap)
{
    if (!pp->threaded)
        return xlsx_in_read(pp->x, pp->in, dst, (unsigned)(cap < XLSX_CHUNK * 4 ? cap : XLSX_CHUNK * 4));
    pthread_mutex_lock(&pp->mu);
    while (pp->full == 0)
        pthread_cond_wait(&pp->filled, &pp->mu);
    size_t t = pp->tail;
    pthread_mutex_unlock(&pp->mu);
    int n = pp->len[t];
    if (n < 0) {
        xlsx_fail(pp->x, "%s%s", pp->why, "");
        return -1;
    }
    if (n == 0)
        return 0; /* the end stays in the ring */
    size_t k = (size_t)n - pp->off < cap ? (size_t)n - pp->off : cap;
    memcpy(dst, pp->buf[t] + pp->off, k);
    pp->off += k;
    if (pp->off == (size_t)n) {
        pp->off = 0;
        pthread_mutex_lock(&pp->mu);
        pp->tail = (t + 1) % XP_BUFS;
        pp->full--;
        pthread_cond_signal(&pp->emptied);
        pthread_mutex_unlock(&pp->mu);
    }
    return (int)k;
}

/* Stops the thread (the parser may be done early) and frees the ring. */
static void xlsx_pump_stop(xlsx_pump *pp)
{
    if (!pp->threaded)
        return;
    pthread_mutex_lock(&pp->mu);
    pp->quit = true;
    pthread_cond_signal(&pp->emptied);
    pthread_mutex_unlock(&pp->mu);
    pthread_join(pp->t, NULL);
    for (size_t i = 0; i < XP_BUFS; i++)
        free(pp->buf[i]);
    pthread_cond_destroy(&pp->filled);
    pthread_cond_destroy(&pp->emptied);
    pthread_mutex_destroy(&pp->mu);
    pp->threaded = false;
}

/* Closes the member; after a complete read (rc 0) a CRC mismatch turns rc into -1. */
static int xlsx_in_close(xlsx *x, xlsx_in *in, int rc)
{
    if (rc == 0 && unzCloseCurrentFile(x->uf) == UNZ_CRCERROR) {
        xlsx_fail(x, "phần %s trong tệp nén sai mã kiểm tra CRC (tệp hỏng)%s", in->path, "");
        return -1;
    }
    if (rc != 0)
        unzCloseCurrentFile(x->uf);
    return rc;
}

static int xlsx_fast_part(xlsx *x, const char *path, xlsx_start_fn start, xlsx_end_fn end);

/* Parses the archive member `path` through expat. Returns 0, 1 when it is missing, -1 after a
 * failure (or a stop by the row callback: x->stop). */
static int xlsx_expat_part(xlsx *x, const char *path, xlsx_start_fn start, xlsx_end_fn end)
{
    xlsx_in in;
    int rc = xlsx_in_open(x, &in, path);
    if (rc)
        return rc;
    xlsx_part part = {x, start, end};
    XML_Parser ps = XML_ParserCreate("UTF-8");
    if (!ps) {
        unzCloseCurrentFile(x->uf);
        xlsx_fail(x, "hết bộ nhớ khi đọc phần %s%s", path, "");
        return -1;
    }
    x->parser = ps;
    XML_SetUserData(ps, &part);
    XML_SetElementHandler(ps, xlsx_on_start, xlsx_on_end);
    XML_SetCharacterDataHandler(ps, xlsx_on_text);
    XML_SetStartDoctypeDeclHandler(ps, xlsx_on_doctype);
    XML_SetEntityDeclHandler(ps, xlsx_on_entity);
    XML_SetParamEntityParsing(ps, XML_PARAM_ENTITY_PARSING_NEVER);
    for (;;) {
        void *chunk = XML_GetBuffer(ps, (int)XLSX_CHUNK);
        if (!chunk) {
            xlsx_fail(x, "hết bộ nhớ khi đọc phần %s%s", path, "");
            rc = -1;
            break;
        }
        int n = xlsx_in_read(x, &in, chunk, XLSX_CHUNK);
        if (n < 0) {
            rc = -1;
            break;
        }
        if (XML_ParseBuffer(ps, n, n == 0) != XML_STATUS_OK) {
            if (!x->failed && !x->stop) {
                char where[64];
                snprintf(where, sizeof where, "dòng %lu, cột %lu",
                         (unsigned long)XML_GetCurrentLineNumber(ps),
                         (unsigned long)XML_GetCurrentColumnNumber(ps) + 1);
                buf_printf(x->err, "%s: phần %s không phải XML hợp lệ (%s: %s)", x->name, path,
                           where, XML_ErrorString(XML_GetErrorCode(ps)));
                x->failed = true;
            }
            rc = -1;
            break;
        }
        if (n == 0)
            break;
    }
    rc = xlsx_in_close(x, &in, rc);
    XML_ParserFree(ps);
    x->parser = NULL;
    return rc;
}

/* Parses the archive member `path`: a large part (reset given) by the fast reader first, which
 * gives up on anything outside the subset it knows; then reset() forgets what it did and expat
 * reads the part from its start. Returns as xlsx_expat_part. */
static int xlsx_parse_part(xlsx *x, const char *path, xlsx_start_fn start, xlsx_end_fn end,
                           void (*reset)(xlsx *x))
{
    if (reset && x->fast) {
        uint64_t before = x->total_out;
        int r = xlsx_fast_part(x, path, start, end);
        if (r != 2)
            return r;
        x->total_out = before;
        reset(x);
    }
    return xlsx_expat_part(x, path, start, end);
}

/* ---- workbook, relationships, styles, shared strings ---------------------------------------- */

static void xlsx_noend(xlsx *x, const char *el)
{
    (void)x;
    (void)el;
}

static void xlsx_wb_start(xlsx *x, const char *el, const char **attr)
{
    if (strcmp(el, "workbookPr") == 0) {
        const char *d = xlsx_attr(attr, "date1904", false);
        x->date1904 = d && (strcmp(d, "1") == 0 || strcmp(d, "true") == 0);
    } else if (strcmp(el, "sheet") == 0) {
        if (x->nsheets == XLSX_MAX_SHEETS) {
            xlsx_fail(x, "bảng tính có hơn %s trang tính%s", "1024", "");
            return;
        }
        size_t n = x->nsheets + 1;
        x->sheet_name = thk_xrealloc(x->sheet_name, n * sizeof *x->sheet_name);
        x->sheet_rid = thk_xrealloc(x->sheet_rid, n * sizeof *x->sheet_rid);
        x->sheet_path = thk_xrealloc(x->sheet_path, n * sizeof *x->sheet_path);
        x->sheet_name[x->nsheets] = xlsx_dup(xlsx_attr(attr, "name", false));
        x->sheet_rid[x->nsheets] = xlsx_dup(xlsx_attr(attr, "id", true));
        x->sheet_path[x->nsheets] = NULL;
        x->nsheets = n;
    }
}

static void xlsx_rels_start(xlsx *x, const char *el, const char **attr)
{
    if (strcmp(el, "Relationship") != 0 || x->nrels >= 4 * XLSX_MAX_SHEETS)
        return;
    size_t n = x->nrels + 1;
    x->rel_id = thk_xrealloc(x->rel_id, n * sizeof *x->rel_id);
    x->rel_target = thk_xrealloc(x->rel_target, n * sizeof *x->rel_target);
    x->rel_id[x->nrels] = xlsx_dup(xlsx_attr(attr, "Id", false));
    x->rel_target[x->nrels] = xlsx_dup(xlsx_attr(attr, "Target", false));
    x->nrels = n;
}

static void xlsx_styles_start(xlsx *x, const char *el, const char **attr)
{
    uint64_t id;
    if (strcmp(el, "numFmt") == 0) {
        if (x->nfmts >= XLSX_MAX_XF || !xlsx_uint(xlsx_attr(attr, "numFmtId", false), 1u << 20, &id))
            return;
        size_t n = x->nfmts + 1;
        x->fmt_id = thk_xrealloc(x->fmt_id, n * sizeof *x->fmt_id);
        x->fmt_code = thk_xrealloc(x->fmt_code, n * sizeof *x->fmt_code);
        x->fmt_id[x->nfmts] = (unsigned)id;
        x->fmt_code[x->nfmts] = xlsx_dup(xlsx_attr(attr, "formatCode", false));
        x->nfmts = n;
    } else if (strcmp(el, "cellXfs") == 0) {
        x->in_cellxfs = true;
    } else if (strcmp(el, "xf") == 0 && x->in_cellxfs && x->nxf < XLSX_MAX_XF) {
        bool date = false;
        if (xlsx_uint(xlsx_attr(attr, "numFmtId", false), 1u << 20, &id)) {
            const char *code = NULL;
            for (size_t i = 0; i < x->nfmts; i++)
                if (x->fmt_id[i] == id)
                    code = x->fmt_code[i];
            date = xlsx_format_is_date((unsigned)id, code);
        }
        x->xf_date = thk_xrealloc(x->xf_date, (x->nxf + 1) * sizeof *x->xf_date);
        x->xf_date[x->nxf++] = date;
    }
}

static void xlsx_styles_end(xlsx *x, const char *el)
{
    if (strcmp(el, "cellXfs") == 0)
        x->in_cellxfs = false;
}

static void xlsx_sst_start(xlsx *x, const char *el, const char **attr)
{
    (void)attr;
    if (strcmp(el, "si") == 0) {
        x->in_si = true;
        buf_clear(&x->text);
    } else if (strcmp(el, "rPh") == 0) {
        x->sst_depth_rph++;
    } else if (strcmp(el, "t") == 0 && x->in_si && !x->sst_depth_rph) {
        x->collecting = true;
    }
}

static void xlsx_sst_end(xlsx *x, const char *el)
{
    if (strcmp(el, "t") == 0) {
        x->collecting = false;
    } else if (strcmp(el, "rPh") == 0) {
        if (x->sst_depth_rph)
            x->sst_depth_rph--;
    } else if (strcmp(el, "si") == 0 && x->in_si) {
        x->in_si = false;
        if (x->sst.len + x->text.len + 1 > XLSX_MAX_SHARED) {
            xlsx_fail(x, "bảng chuỗi dùng chung quá lớn (hơn %s)%s", "1 GB", "");
            return;
        }
        if (x->nsst == x->sst_cap) {
            x->sst_cap = x->sst_cap ? 2 * x->sst_cap : 1024;
            x->sst_at = thk_xrealloc(x->sst_at, x->sst_cap * sizeof *x->sst_at);
            x->sst_len = thk_xrealloc(x->sst_len, x->sst_cap * sizeof *x->sst_len);
        }
        x->sst_at[x->nsst] = x->sst.len;
        x->sst_len[x->nsst++] = x->text.len;
        buf_append(&x->sst, x->text.data ? x->text.data : "", x->text.len);
        buf_putc(&x->sst, '\0');
        buf_clear(&x->text);
    }
}

/* xlsx_fast gave up on the shared strings: expat reads them again from the start. */
static void xlsx_sst_reset(xlsx *x)
{
    x->nsst = 0;
    buf_clear(&x->sst);
    buf_clear(&x->text);
    x->in_si = x->collecting = false;
    x->sst_depth_rph = 0;
}

/* ---- sheets ------------------------------------------------------------------------------------ */

/* Column index of a cell reference ("BC17" → 54); false when it has no letters or too many. */
static bool xlsx_ref_col(const char *r, uint32_t *col)
{
    uint32_t c = 0;
    size_t n = 0;
    for (; (*r >= 'A' && *r <= 'Z') || (*r >= 'a' && *r <= 'z'); r++, n++) {
        if (n == 3)
            return false;
        c = c * 26 + (uint32_t)((*r | 0x20) - 'a' + 1);
    }
    if (n == 0 || c > 16384)
        return false;
    *col = c - 1;
    return true;
}

/* "B17" into out from a column index and a row. */
static void xlsx_cell_name(uint32_t col, uint32_t row, char out[24])
{
    char letters[8];
    size_t n = 0;
    uint32_t c = col + 1;
    while (c && n < sizeof letters) {
        letters[n++] = (char)('A' + (c - 1) % 26);
        c = (c - 1) / 26;
    }
    size_t k = 0;
    while (n)
        out[k++] = letters[--n];
    snprintf(out + k, 24 - k, "%u", row);
}

static void xlsx_cell_fail(xlsx *x, const char *what)
{
    char cell[24];
    xlsx_cell_name(x->cell_col, x->row, cell);
    thk_buf w = {0};
    buf_printf(&w, "%s!%s", x->sheet, cell);
    xlsx_fail(x, "ô %s: %s", w.data, what);
    buf_free(&w);
}

static void xlsx_emit_row(xlsx *x)
{
    if (x->ncells == 0 || x->row <= x->skip_row)
        return;
    size_t nf = x->cell_col_v[x->ncells - 1] + 1u;
    bool too_many = x->too_many;
    if (nf > READER_MAX_FIELDS) {
        nf = READER_MAX_FIELDS;
        too_many = true;
    }
    if (!x->fields) {
        x->fields = thk_xmalloc(READER_MAX_FIELDS * sizeof *x->fields);
        x->lens = thk_xmalloc(READER_MAX_FIELDS * sizeof *x->lens);
        x->frac = thk_xmalloc(READER_MAX_FIELDS * sizeof *x->frac);
    }
    for (size_t i = 0; i < nf; i++) {
        x->fields[i] = "";
        x->lens[i] = 0;
        x->frac[i] = false;
    }
    for (size_t k = 0; k < x->ncells; k++) {
        uint32_t c = x->cell_col_v[k];
        if (c >= nf)
            continue;
        x->fields[c] = x->row_text.data + x->cell_at[k];
        x->lens[c] = x->cell_len[k];
        x->frac[c] = x->cell_frac[k];
    }
    if (x->line_base + x->row < x->line_base) {
        xlsx_fail(x, "bảng tính có quá nhiều hàng%s%s", "", "");
        return;
    }
    reader_record rec = reader_sheet_record(x->fields, x->lens, nf, x->frac,
                                            x->line_base + x->row, x->sheet, x->row, too_many);
    x->rows_seen++;
    x->sheet_had_rows = true;
    x->emitted_row = x->row;
    if (x->opts && x->opts->progress_rows)
        atomic_fetch_add(x->opts->progress_rows, 1);
    int r = x->fn(x->ctx, &rec);
    if (r) {
        x->stop = r;
        if (x->parser)
            XML_StopParser(x->parser, XML_FALSE);
    }
}

/* xlsx_fast gave up on a sheet: expat reads it again from the start, and the rows already
 * handed over are not handed over again. */
static void xlsx_sheet_reset(xlsx *x)
{
    x->skip_row = x->emitted_row;
    x->last_row = 0;
    x->in_row = x->in_cell = x->in_is = x->collecting = false;
    x->sst_depth_rph = 0;
    x->ncells = 0;
    buf_clear(&x->text);
    buf_clear(&x->row_text);
}

static void xlsx_row_start(xlsx *x, const char **attr)
{
    uint64_t r;
    const char *ra = xlsx_attr(attr, "r", false);
    if (ra) {
        if (!xlsx_uint(ra, XLSX_MAX_ROW, &r) || r == 0) {
            xlsx_fail(x, "trang %s: số hàng '%s' không hợp lệ", x->sheet, ra);
            return;
        }
    } else
        r = x->last_row + 1;
    if (r <= x->last_row || r > XLSX_MAX_ROW) {
        char n[24];
        snprintf(n, sizeof n, "%llu", (unsigned long long)r);
        xlsx_fail(x, "trang %s: hàng %s không theo thứ tự", x->sheet, n);
        return;
    }
    x->row = x->last_row = (uint32_t)r;
    x->in_row = true;
    x->ncells = 0;
    x->next_col = 0;
    x->too_many = false;
    buf_clear(&x->row_text);
}

static void xlsx_cell_start(xlsx *x, const char **attr)
{
    const char *ra = NULL, *t = NULL, *st = NULL;
    for (size_t i = 0; attr[i]; i += 2) { /* the first of each, as xlsx_attr */
        const char *a = attr[i];
        if (a[0] && !a[1]) {
            if (a[0] == 'r' && !ra)
                ra = attr[i + 1];
            else if (a[0] == 't' && !t)
                t = attr[i + 1];
            else if (a[0] == 's' && !st)
                st = attr[i + 1];
        }
    }
    uint32_t col = x->next_col;
    if (ra && !xlsx_ref_col(ra, &col)) {
        xlsx_fail(x, "trang %s: địa chỉ ô '%s' không hợp lệ", x->sheet, ra);
        return;
    }
    if (x->ncells && col <= x->cell_col_v[x->ncells - 1]) {
        xlsx_fail(x, "trang %s: ô %s không theo thứ tự cột", x->sheet, ra ? ra : "?");
        return;
    }
    x->cell_col = col;
    x->next_col = col + 1;
    x->cell_type = !t                              ? 'n'
                   : t[0] == 's' && !t[1]          ? 's'
                   : strcmp(t, "inlineStr") == 0   ? 'i'
                   : t[0] == 'b' && !t[1]          ? 'b'
                   : t[0] == 'e' && !t[1]          ? 'e'
                   : strcmp(t, "str") == 0         ? 'f'
                   : t[0] == 'd' && !t[1]          ? 'f'
                                                   : 'n';
    uint64_t si;
    x->cell_date = st && xlsx_uint(st, XLSX_MAX_XF, &si) && si < x->nxf && x->xf_date[si];
    x->in_cell = true;
    x->in_is = false;
    buf_clear(&x->text);
}

/* Element names are compared by their local name; el is one. */
#define XLSX_IS(el, lit) (strcmp((el), (lit)) == 0)

static void xlsx_sheet_start(xlsx *x, const char *el, const char **attr)
{
    switch (el[0]) {
    case 'c':
        if (!el[1] && x->in_row)
            xlsx_cell_start(x, attr);
        return;
    case 'r':
        if (XLSX_IS(el, "row"))
            xlsx_row_start(x, attr);
        else if (XLSX_IS(el, "rPh") && x->in_cell)
            x->sst_depth_rph++;
        return;
    case 'v':
        if (!el[1] && x->in_cell && x->cell_type != 'i')
            x->collecting = true;
        return;
    case 'i':
        if (XLSX_IS(el, "is") && x->in_cell)
            x->in_is = true;
        return;
    case 't':
        if (!el[1] && x->in_cell && x->in_is && !x->sst_depth_rph)
            x->collecting = true;
        return;
    default:
        return;
    }
}

/* A date-formatted number's day: its integer part, as xlsx_serial_date writes it; false when it
 * is not a day (negative, too large, not a number). */
static bool xlsx_cell_day(xlsx *x, const char *v, size_t n, char date[11])
{
    uint64_t days = 0;
    size_t i = 0;
    while (i < n && i < 9 && v[i] >= '0' && v[i] <= '9')
        days = days * 10 + (uint64_t)(v[i++] - '0');
    if (i == n && n > 0) /* plain digits: the common case */
        return days <= 10000000 && xlsx_serial_date((int64_t)days, x->date1904, date);
    /* the day is the integer part; a time of day after it does not change it */
    thk_buf num = {0};
    bool f, ok = xlsx_number_text(v, n, &num, &f);
    if (ok && num.len && num.data[0] != '-') {
        size_t ip = 0;
        while (ip < num.len && num.data[ip] != '.')
            ip++;
        num.data[ip] = '\0';
        ok = xlsx_uint(num.data, 10000000, &days) &&
             xlsx_serial_date((int64_t)days, x->date1904, date);
    } else
        ok = false;
    buf_free(&num);
    return ok;
}

/* The cell's value as text appended to x->row_text; false after a failure. */
static bool xlsx_cell_value(xlsx *x, bool *frac)
{
    const char *v = x->text.data ? x->text.data : "";
    size_t n = x->text.len;
    thk_buf *out = &x->row_text;
    *frac = false;
    switch (x->cell_type) {
    case 's': {
        uint64_t idx;
        buf_putc(&x->text, '\0');
        if (!xlsx_uint(x->text.data, UINT64_MAX / 16, &idx) || idx >= x->nsst) {
            char what[128];
            snprintf(what, sizeof what,
                     "trỏ tới chuỗi dùng chung số '%.40s', bảng chỉ có %zu chuỗi (tệp hỏng)",
                     x->text.data, x->nsst);
            xlsx_cell_fail(x, what);
            return false;
        }
        xlsx_put(out, x->sst.data + x->sst_at[idx], x->sst_len[idx]);
        return true;
    }
    case 'b':
        if (n == 1 && v[0] == '1')
            buf_append(out, "TRUE", 4);
        else
            buf_append(out, "FALSE", 5);
        return true;
    case 'n': {
        if (n == 0)
            return true;
        if (x->cell_date) {
            char date[11];
            if (xlsx_cell_day(x, v, n, date))
                xlsx_put(out, date, 10);
            else
                buf_append(out, v, n); /* kept as written: the date parser rejects it */
            return true;
        }
        size_t i = v[0] == '-' ? 1 : 0;
        bool plain = n - i > 0 && n - i <= 18 && (v[i] != '0' || n - i == 1) &&
                     !(i == 1 && v[1] == '0');
        for (size_t k = i; plain && k < n; k++)
            plain = v[k] >= '0' && v[k] <= '9';
        if (plain) { /* an integer as Excel writes it is its own text */
            xlsx_put(out, v, n);
            return true;
        }
        if (xlsx_number_text(v, n, &x->scratch, frac))
            buf_append(out, x->scratch.data, x->scratch.len);
        else
            buf_append(out, v, n);
        return true;
    }
    default:
        xlsx_put(out, v, n);
        return true;
    }
}

static void xlsx_cell_end(xlsx *x)
{
    x->in_cell = false;
    x->collecting = false;
    bool frac;
    size_t at = x->row_text.len;
    if (!xlsx_cell_value(x, &frac) || x->row_text.len == at)
        return;
    size_t len = x->row_text.len - at;
    if (x->cell_col >= READER_MAX_FIELDS) {
        x->row_text.len = at;
        x->too_many = true;
        return;
    }
    if (x->row_text.len + 1 > READER_MAX_RECORD) {
        xlsx_cell_fail(x, "hàng dài quá 16 MB");
        return;
    }
    if (x->ncells == x->cell_cap) {
        x->cell_cap = x->cell_cap ? 2 * x->cell_cap : 64;
        x->cell_col_v = thk_xrealloc(x->cell_col_v, x->cell_cap * sizeof *x->cell_col_v);
        x->cell_at = thk_xrealloc(x->cell_at, x->cell_cap * sizeof *x->cell_at);
        x->cell_len = thk_xrealloc(x->cell_len, x->cell_cap * sizeof *x->cell_len);
        x->cell_frac = thk_xrealloc(x->cell_frac, x->cell_cap * sizeof *x->cell_frac);
    }
    x->cell_col_v[x->ncells] = x->cell_col;
    x->cell_at[x->ncells] = at;
    x->cell_len[x->ncells] = len;
    x->cell_frac[x->ncells++] = frac;
    xlsx_put(&x->row_text, "", 1);
}

static void xlsx_sheet_end(xlsx *x, const char *el)
{
    switch (el[0]) {
    case 'v':
        if (!el[1])
            x->collecting = false;
        return;
    case 't':
        if (!el[1])
            x->collecting = false;
        return;
    case 'c':
        if (!el[1] && x->in_cell)
            xlsx_cell_end(x);
        return;
    case 'r':
        if (XLSX_IS(el, "row") && x->in_row) {
            x->in_row = false;
            xlsx_emit_row(x);
        } else if (XLSX_IS(el, "rPh") && x->sst_depth_rph)
            x->sst_depth_rph--;
        return;
    case 'i':
        if (XLSX_IS(el, "is"))
            x->in_is = false;
        return;
    default:
        return;
    }
}

/* ---- xml_fast: the XML of large parts without expat ------------------------------------------ */

/* xml_fast's calls, made on the part's own handlers (the same as expat's). */
typedef struct {
    xlsx *x;
    xlsx_start_fn start;
    xlsx_end_fn end;
} xlsx_fast_ctx;

static int xlsx_fast_start(void *ud, const char *el, const char **attr)
{
    xlsx_fast_ctx *c = ud;
    c->start(c->x, el, attr);
    return c->x->failed || c->x->stop;
}

static int xlsx_fast_end(void *ud, const char *el)
{
    xlsx_fast_ctx *c = ud;
    c->end(c->x, el);
    return c->x->failed || c->x->stop;
}

static int xlsx_fast_text(void *ud, const char *s, size_t n)
{
    xlsx_fast_ctx *c = ud;
    xlsx_text_add(c->x, s, n);
    return c->x->failed;
}

/* Reads the member `path` through xml_fast: as xlsx_expat_part, or 2 when it gave up. */
static int xlsx_fast_part(xlsx *x, const char *path, xlsx_start_fn start, xlsx_end_fn end)
{
    xlsx_in in;
    int rc = xlsx_in_open(x, &in, path);
    if (rc)
        return rc;
    xlsx_fast_ctx ctx = {x, start, end};
    xml_fast_handlers h = {xlsx_fast_start, xlsx_fast_end, xlsx_fast_text, &x->collecting, &ctx};
    xml_fast *f = xml_fast_new(&h);
    char *buf = thk_xmalloc(XML_FAST_MAX_TOKEN);
    const char *p = buf, *e = buf;
    xlsx_pump pump;
    xlsx_pump_start(&pump, x, &in);
    int r;
    for (;;) {
        size_t len = (size_t)(e - p);
        memmove(buf, p, len);
        if (len == XML_FAST_MAX_TOKEN) {
            r = XML_FAST_GIVEUP; /* a token longer than the buffer */
            break;
        }
        int n = xlsx_pump_get(&pump, buf + len, XML_FAST_MAX_TOKEN - len);
        if (n < 0) {
            r = XML_FAST_STOP;
            break;
        }
        p = buf;
        e = buf + len + (size_t)n;
        r = xml_fast_scan(f, &p, e, n == 0);
        if (r != XML_FAST_MORE)
            break;
    }
    xlsx_pump_stop(&pump);
    free(buf);
    xml_fast_free(f);
    if (r == XML_FAST_GIVEUP) {
        unzCloseCurrentFile(x->uf);
        return 2;
    }
    return xlsx_in_close(x, &in, r == XML_FAST_DONE ? 0 : -1);
}

/* ---- the whole workbook ------------------------------------------------------------------------ */

static char *xlsx_resolve(const char *target)
{
    thk_buf p = {0};
    if (target[0] == '/')
        buf_printf(&p, "%s", target + 1);
    else
        buf_printf(&p, "xl/%s", target);
    return p.data;
}

static int xlsx_read(xlsx *x)
{
    int r = xlsx_parse_part(x, "xl/workbook.xml", xlsx_wb_start, xlsx_noend, NULL);
    if (r == 1) {
        buf_printf(x->err, "%s: là tệp nén zip nhưng không phải bảng tính Excel (.xlsx): không "
                           "có xl/workbook.xml",
                   x->name);
        return -1;
    }
    if (r < 0)
        return -1;
    if (xlsx_parse_part(x, "xl/_rels/workbook.xml.rels", xlsx_rels_start, xlsx_noend, NULL) < 0)
        return -1;
    if (xlsx_parse_part(x, "xl/styles.xml", xlsx_styles_start, xlsx_styles_end, NULL) < 0)
        return -1;
    if (xlsx_parse_part(x, "xl/sharedStrings.xml", xlsx_sst_start, xlsx_sst_end,
                        xlsx_sst_reset) < 0)
        return -1;
    if (x->nsheets == 0) {
        buf_printf(x->err, "%s: bảng tính không có trang tính nào", x->name);
        return -1;
    }
    for (size_t i = 0; i < x->nsheets; i++) {
        for (size_t k = 0; k < x->nrels && !x->sheet_path[i]; k++)
            if (strcmp(x->rel_id[k], x->sheet_rid[i]) == 0)
                x->sheet_path[i] = xlsx_resolve(x->rel_target[k]);
        if (!x->sheet_path[i]) {
            buf_printf(x->err, "%s: trang tính '%s' không có đường dẫn trong "
                               "xl/_rels/workbook.xml.rels (tệp hỏng)",
                       x->name, x->sheet_name[i]);
            return -1;
        }
    }
    buf_printf(&x->scratch, "xlsx:");
    thk_buf read = {0};
    buf_printf(&read, "xlsx:");
    for (size_t i = 0; i < x->nsheets; i++) {
        x->sheet = x->sheet_name[i];
        x->last_row = 0;
        x->in_row = x->in_cell = x->collecting = false;
        x->sst_depth_rph = 0;
        x->sheet_had_rows = false;
        x->emitted_row = x->skip_row = 0;
        r = xlsx_parse_part(x, x->sheet_path[i], xlsx_sheet_start, xlsx_sheet_end,
                            xlsx_sheet_reset);
        if (x->sheet_had_rows && read.len < 150)
            buf_printf(&read, "%s%s", read.len > 5 ? ", " : " ", x->sheet);
        x->line_base += x->last_row;
        if (r == 1) {
            buf_printf(x->err, "%s: trang tính '%s' được khai báo nhưng thiếu phần %s trong tệp "
                               "nén (tệp hỏng)",
                       x->name, x->sheet, x->sheet_path[i]);
            r = -1;
        }
        if (r < 0)
            break;
    }
    if (x->stats)
        snprintf(x->stats->encoding, sizeof x->stats->encoding, "%s", read.data);
    buf_free(&read);
    if (x->stop)
        return x->stop;
    return r < 0 ? -1 : 0;
}

static void xlsx_free(xlsx *x)
{
    for (size_t i = 0; i < x->nsheets; i++) {
        free(x->sheet_name[i]);
        free(x->sheet_rid[i]);
        free(x->sheet_path[i]);
    }
    free(x->sheet_name);
    free(x->sheet_rid);
    free(x->sheet_path);
    for (size_t i = 0; i < x->nrels; i++) {
        free(x->rel_id[i]);
        free(x->rel_target[i]);
    }
    free(x->rel_id);
    free(x->rel_target);
    for (size_t i = 0; i < x->nfmts; i++)
        free(x->fmt_code[i]);
    free(x->fmt_id);
    free(x->fmt_code);
    free(x->xf_date);
    buf_free(&x->sst);
    free(x->sst_at);
    free(x->sst_len);
    buf_free(&x->text);
    buf_free(&x->row_text);
    buf_free(&x->scratch);
    free(x->cell_col_v);
    free(x->cell_at);
    free(x->cell_len);
    free(x->cell_frac);
    free(x->fields);
    free(x->lens);
    free(x->frac);
}

static _Atomic bool xlsx_no_fast; /* xlsx_set_fast(false): tests compare with expat alone */

void xlsx_set_fast(bool on)
{
    atomic_store(&xlsx_no_fast, !on);
}

static int xlsx_run(xlsx *x, reader_stats *stats)
{
    x->fast = !atomic_load(&xlsx_no_fast);
    if (!x->uf) {
        buf_printf(x->err, "%s: tệp nén zip bị hỏng hoặc bị cắt cụt, không mở được như bảng tính "
                           "Excel (.xlsx)",
                   x->name);
        xlsx_free(x);
        return -1;
    }
    int r = xlsx_read(x);
    unzClose(x->uf);
    if (stats) {
        stats->lines = x->line_base;
        stats->delimiter = ',';
    }
    xlsx_free(x);
    return r;
}

static void xlsx_stats_init(reader_stats *stats)
{
    memset(stats, 0, sizeof *stats);
    snprintf(stats->encoding, sizeof stats->encoding, "xlsx");
}

int xlsx_run_file(const char *path, const reader_opts *opts, reader_fn fn, void *ctx,
                  reader_stats *stats, thk_buf *err)
{
    reader_stats dummy;
    if (!stats)
        stats = &dummy;
    xlsx_stats_init(stats);
    if (sha256_file(path, stats->sha256, &stats->bytes, err) != 0)
        return -1;
    if (opts && opts->progress_bytes)
        atomic_fetch_add(opts->progress_bytes, stats->bytes);
    xlsx x = {.name = path, .err = err, .fn = fn, .ctx = ctx, .opts = opts, .stats = stats,
              .archive_size = stats->bytes};
    x.uf = unzOpen64(path);
    return xlsx_run(&x, stats);
}

int xlsx_run_memory(const char *name, const char *data, size_t len, const reader_opts *opts,
                    reader_fn fn, void *ctx, reader_stats *stats, thk_buf *err)
{
    reader_stats dummy;
    if (!stats)
        stats = &dummy;
    xlsx_stats_init(stats);
    sha256_buffer(data, len, stats->sha256);
    stats->bytes = len;
    xlsx_mem mem = {.data = data, .len = len};
    zlib_filefunc64_def io = {
        .zopen64_file = xlsx_mem_open,
        .zread_file = xlsx_mem_read,
        .zwrite_file = xlsx_mem_write,
        .ztell64_file = xlsx_mem_tell,
        .zseek64_file = xlsx_mem_seek,
        .zclose_file = xlsx_mem_close,
        .zerror_file = xlsx_mem_error,
        .opaque = &mem,
    };
    xlsx x = {.name = name, .err = err, .fn = fn, .ctx = ctx, .opts = opts, .stats = stats,
              .archive_size = len};
    x.uf = unzOpen2_64(name, &io);
    return xlsx_run(&x, stats);
}
