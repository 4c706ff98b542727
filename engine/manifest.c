/* manifest — renders manifest.json with a tiny JSON writer, and reads it back with a minimal JSON
 * parser (objects, arrays, strings, integers, booleans, null) for merge and rerun checks. */
#include "manifest.h"

#include "read_date.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- writer ------------------------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s[0..n), or 0 when it is not valid. */
static size_t manifest_utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07u;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

void manifest_json_string(thk_buf *b, const char *s)
{
    buf_putc(b, '"');
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)p);
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        if (c == '"' || c == '\\') {
            buf_putc(b, '\\');
            buf_putc(b, (char)c);
            i++;
        } else if (c == '\n') {
            buf_append(b, "\\n", 2);
            i++;
        } else if (c == '\r') {
            buf_append(b, "\\r", 2);
            i++;
        } else if (c == '\t') {
            buf_append(b, "\\t", 2);
            i++;
        } else if (c < 0x20 || c == 0x7F) {
            buf_printf(b, "\\u%04x", c);
            i++;
        } else {
            size_t len = manifest_utf8_len(p + i, n - i);
            if (len == 0) {
                buf_append(b, "\xEF\xBF\xBD", 3); /* U+FFFD for a byte that is not UTF-8 */
                i++;
            } else {
                buf_append(b, p + i, len);
                i += len;
            }
        }
    }
    buf_putc(b, '"');
}

static void manifest_key(thk_buf *b, const char *indent, const char *key)
{
    buf_printf(b, "%s", indent);
    manifest_json_string(b, key);
    buf_append(b, ": ", 2);
}

static void manifest_u64(thk_buf *b, const char *key, uint64_t v)
{
    manifest_json_string(b, key);
    buf_printf(b, ": %" PRIu64, v);
}

static void manifest_kv(thk_buf *b, const char *key, const char *v)
{
    manifest_json_string(b, key);
    buf_append(b, ": ", 2);
    manifest_json_string(b, v);
}

/* Opens an array of one-line objects: "key": [ ... ]. */
static void manifest_array_open(thk_buf *b, const char *key, size_t n)
{
    manifest_key(b, "  ", key);
    buf_append(b, n ? "[\n" : "[]", 2);
}

static void manifest_array_item_end(thk_buf *b, size_t i, size_t n)
{
    buf_append(b, i + 1 < n ? "},\n" : "}\n  ]", i + 1 < n ? 3 : 5);
}

/* "key": [{"path": ..., "sha256": ...}, ...], followed by ",\n". */
static void manifest_files(thk_buf *b, const char *key, const manifest_file *f, size_t n)
{
    manifest_array_open(b, key, n);
    for (size_t i = 0; i < n; i++) {
        buf_append(b, "    {", 5);
        manifest_kv(b, "path", f[i].path);
        buf_append(b, ", ", 2);
        manifest_kv(b, "sha256", f[i].sha256);
        manifest_array_item_end(b, i, n);
    }
    buf_append(b, ",\n", 2);
}

void manifest_render(const manifest_info *mi, thk_buf *out)
{
    char s[11], e[11];
    buf_append(out, "{\n", 2);
    manifest_key(out, "  ", "tool");
    manifest_json_string(out, "thongke");
    buf_append(out, ",\n", 2);
    manifest_key(out, "  ", "version");
    manifest_json_string(out, mi->tool_version);
    buf_append(out, ",\n", 2);

    manifest_key(out, "  ", "command");
    buf_putc(out, '[');
    for (size_t i = 0; i < mi->argc; i++) {
        if (i)
            buf_append(out, ", ", 2);
        manifest_json_string(out, mi->argv[i]);
    }
    buf_append(out, "],\n", 3);

    manifest_key(out, "  ", "unit");
    manifest_json_string(out, mi->unit);
    buf_append(out, ",\n", 2);

    date_format_iso(mi->per.S, s);
    date_format_iso(mi->per.E, e);
    manifest_key(out, "  ", "period");
    buf_printf(out, "{\"year\": %d, \"months\": %d, \"start\": ", mi->per.year, mi->per.months);
    manifest_json_string(out, s);
    buf_append(out, ", \"end\": ", 9);
    manifest_json_string(out, e);
    buf_append(out, "},\n", 3);

    manifest_array_open(out, "rules", mi->nrules);
    for (size_t i = 0; i < mi->nrules; i++) {
        buf_append(out, "    {", 5);
        manifest_kv(out, "path", mi->rules[i].path);
        buf_append(out, ", ", 2);
        manifest_kv(out, "version", mi->rules[i].version);
        buf_append(out, ", ", 2);
        manifest_kv(out, "sha256", mi->rules[i].sha256);
        manifest_array_item_end(out, i, mi->nrules);
    }
    buf_append(out, ",\n", 2);

    manifest_array_open(out, "inputs", mi->ninputs);
    for (size_t i = 0; i < mi->ninputs; i++) {
        const manifest_input *in = &mi->inputs[i];
        buf_append(out, "    {", 5);
        manifest_kv(out, "path", in->path);
        buf_append(out, ", ", 2);
        manifest_kv(out, "sha256", in->sha256);
        buf_append(out, ", ", 2);
        manifest_u64(out, "bytes", in->bytes);
        buf_append(out, ", ", 2);
        manifest_u64(out, "lines", in->lines);
        buf_append(out, ", ", 2);
        manifest_kv(out, "encoding", in->encoding ? in->encoding : "");
        buf_append(out, ", ", 2);
        manifest_u64(out, "rows_read", in->rows_read);
        buf_append(out, ", ", 2);
        manifest_u64(out, "rows_accepted", in->rows_accepted);
        buf_append(out, ", ", 2);
        manifest_u64(out, "rows_rejected", in->rows_rejected);
        buf_append(out, ", ", 2);
        manifest_u64(out, "rows_warned", in->rows_warned);
        manifest_array_item_end(out, i, mi->ninputs);
    }
    buf_append(out, ",\n", 2);

    manifest_key(out, "  ", "units");
    buf_putc(out, '[');
    for (size_t i = 0; i < mi->nunits; i++) {
        if (i)
            buf_append(out, ", ", 2);
        manifest_json_string(out, mi->units[i]);
    }
    buf_append(out, "],\n", 3);

    manifest_files(out, "runs", mi->runs, mi->nruns);
    manifest_files(out, "outputs", mi->outputs, mi->noutputs);

    manifest_key(out, "  ", "checks");
    buf_append(out, "{\n", 2);
    buf_append(out, "    ", 4);
    manifest_u64(out, "identities_verified", mi->identities_verified);
    buf_append(out, ",\n", 2);
    manifest_key(out, "    ", "continuity");
    buf_append(out, mi->ncontinuity ? "[\n" : "[]", 2);
    for (size_t i = 0; i < mi->ncontinuity; i++) {
        const manifest_check *c = &mi->continuity[i];
        buf_append(out, "      {", 7);
        manifest_kv(out, "name", c->name);
        buf_append(out, ", ", 2);
        manifest_json_string(out, "ok");
        buf_append(out, c->ok ? ": true, " : ": false, ", c->ok ? 8 : 9);
        manifest_kv(out, "detail", c->detail);
        buf_append(out, i + 1 < mi->ncontinuity ? "},\n" : "}\n    ]",
                   i + 1 < mi->ncontinuity ? 3 : 7);
    }
    buf_append(out, "\n  }\n}\n", 7);
}

int manifest_write(const char *path, const manifest_info *mi, thk_buf *err)
{
    thk_buf b = {0};
    manifest_render(mi, &b);
    FILE *f = fopen(path, "wb");
    if (!f) {
        buf_printf(err, "%s: không tạo được tệp: %s", path, strerror(errno));
        buf_free(&b);
        return THK_EXIT_OUTPUT;
    }
    int e = 0;
    errno = 0;
    if (fwrite(b.data, 1, b.len, f) != b.len)
        e = errno ? errno : EIO;
    errno = 0;
    if (fflush(f) != 0 && !e)
        e = errno ? errno : EIO;
    errno = 0;
    if (fclose(f) != 0 && !e)
        e = errno ? errno : EIO;
    buf_free(&b);
    if (e) {
        buf_printf(err, "%s: lỗi ghi tệp: %s", path, strerror(e));
        return THK_EXIT_OUTPUT;
    }
    return 0;
}

/* ---- reader ------------------------------------------------------------------------------ */

enum { MJ_NULL, MJ_BOOL, MJ_INT, MJ_STR, MJ_ARR, MJ_OBJ };
#define MANIFEST_MAX_DEPTH 16

typedef struct mj_node {
    int type;
    bool b;
    int64_t num;
    char *str;             /* MJ_STR, NUL-terminated UTF-8 */
    struct mj_node *kids;  /* MJ_ARR, MJ_OBJ */
    char **keys;           /* MJ_OBJ: key of each kid */
    size_t nkids;
} mj_node;

typedef struct {
    const char *p, *end;
    unsigned line;
    thk_buf *err;
    bool failed;
} mj_parser;

static void mj_fail(mj_parser *ps, const char *what)
{
    if (!ps->failed)
        buf_printf(ps->err, "dòng %u: %s", ps->line, what);
    ps->failed = true;
}

static void mj_skip_ws(mj_parser *ps)
{
    while (ps->p < ps->end &&
           (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')) {
        if (*ps->p == '\n')
            ps->line++;
        ps->p++;
    }
}

static void mj_free(mj_node *n)
{
    free(n->str);
    for (size_t i = 0; i < n->nkids; i++) {
        mj_free(&n->kids[i]);
        if (n->keys)
            free(n->keys[i]);
    }
    free(n->kids);
    free(n->keys);
}

static int mj_hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9' ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

static void mj_put_utf8(thk_buf *b, uint32_t cp)
{
    if (cp < 0x80) {
        buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        buf_putc(b, (char)(0xC0 | (cp >> 6)));
        buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        buf_putc(b, (char)(0xE0 | (cp >> 12)));
        buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    } else {
        buf_putc(b, (char)(0xF0 | (cp >> 18)));
        buf_putc(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
        buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    }
}

/* string = '"' { char | '\' escape } '"'   (ps->p at the opening quote) */
static char *mj_string(mj_parser *ps)
{
    thk_buf b = {0};
    buf_reserve(&b, 16);
    ps->p++;
    while (ps->p < ps->end && *ps->p != '"') {
        unsigned char c = (unsigned char)*ps->p;
        if (c < 0x20) {
            mj_fail(ps, "ký tự điều khiển trong chuỗi JSON");
            break;
        }
        if (c != '\\') {
            buf_putc(&b, (char)c);
            ps->p++;
            continue;
        }
        if (ps->end - ps->p < 2) {
            mj_fail(ps, "chuỗi JSON bị cắt");
            break;
        }
        char e = ps->p[1];
        ps->p += 2;
        const char *simple = strchr("\"\\/bfnrt", e);
        if (e && simple) {
            static const char repl[] = "\"\\/\b\f\n\r\t";
            buf_putc(&b, repl[simple - "\"\\/bfnrt"]);
        } else if (e == 'u' && ps->end - ps->p >= 4 && mj_hex4(ps->p) >= 0) {
            uint32_t cp = (uint32_t)mj_hex4(ps->p);
            ps->p += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF && ps->end - ps->p >= 6 && ps->p[0] == '\\' &&
                ps->p[1] == 'u' && mj_hex4(ps->p + 2) >= 0xDC00 && mj_hex4(ps->p + 2) <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + ((uint32_t)mj_hex4(ps->p + 2) - 0xDC00);
                ps->p += 6;
            } else if (cp >= 0xD800 && cp <= 0xDFFF) {
                cp = 0xFFFD;
            }
            mj_put_utf8(&b, cp);
        } else {
            mj_fail(ps, "chuỗi JSON có ký tự thoát không hợp lệ");
            break;
        }
    }
    if (!ps->failed && ps->p >= ps->end)
        mj_fail(ps, "chuỗi JSON không có dấu \" đóng");
    buf_append(&b, "", 0); /* NUL-terminates even an empty string */
    if (ps->failed) {
        buf_free(&b);
        return NULL;
    }
    ps->p++;
    return b.data;
}

static bool mj_value(mj_parser *ps, mj_node *out, int depth);

static void mj_add_kid(mj_node *n, size_t *cap, char *key)
{
    if (n->nkids == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        n->kids = thk_xrealloc(n->kids, *cap * sizeof *n->kids);
        if (n->type == MJ_OBJ)
            n->keys = thk_xrealloc(n->keys, *cap * sizeof *n->keys);
    }
    n->kids[n->nkids] = (mj_node){0};
    if (n->type == MJ_OBJ)
        n->keys[n->nkids] = key;
    n->nkids++;
}

/* array = '[' [ value { ',' value } ] ']'   object = '{' [ string ':' value { ',' ... } ] '}' */
static bool mj_container(mj_parser *ps, mj_node *out, int depth)
{
    bool obj = *ps->p == '{';
    char close = obj ? '}' : ']';
    out->type = obj ? MJ_OBJ : MJ_ARR;
    size_t cap = 0;
    ps->p++;
    mj_skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        return true;
    }
    for (;;) {
        char *key = NULL;
        mj_skip_ws(ps);
        if (obj) {
            if (ps->p >= ps->end || *ps->p != '"') {
                mj_fail(ps, "thiếu tên khóa trong đối tượng JSON");
                return false;
            }
            key = mj_string(ps);
            if (!key)
                return false;
            mj_skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':') {
                free(key);
                mj_fail(ps, "thiếu dấu ':' trong đối tượng JSON");
                return false;
            }
            ps->p++;
        }
        mj_add_kid(out, &cap, key);
        if (!mj_value(ps, &out->kids[out->nkids - 1], depth + 1))
            return false;
        mj_skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == close) {
            ps->p++;
            return true;
        }
        mj_fail(ps, obj ? "thiếu ',' hoặc '}' trong JSON" : "thiếu ',' hoặc ']' trong JSON");
        return false;
    }
}

/* value = object | array | string | integer | true | false | null */
static bool mj_value(mj_parser *ps, mj_node *out, int depth)
{
    mj_skip_ws(ps);
    if (depth > MANIFEST_MAX_DEPTH) {
        mj_fail(ps, "JSON lồng nhau quá sâu");
        return false;
    }
    if (ps->p >= ps->end) {
        mj_fail(ps, "JSON kết thúc bất ngờ");
        return false;
    }
    char c = *ps->p;
    if (c == '{' || c == '[')
        return mj_container(ps, out, depth);
    if (c == '"') {
        out->type = MJ_STR;
        out->str = mj_string(ps);
        return out->str != NULL;
    }
    static const struct {
        const char *word;
        int type;
        bool b;
    } words[] = {{"true", MJ_BOOL, true}, {"false", MJ_BOOL, false}, {"null", MJ_NULL, false}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t n = strlen(words[i].word);
        if ((size_t)(ps->end - ps->p) >= n && memcmp(ps->p, words[i].word, n) == 0) {
            out->type = words[i].type;
            out->b = words[i].b;
            ps->p += n;
            return true;
        }
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        bool neg = c == '-';
        const char *q = ps->p + (neg ? 1 : 0);
        uint64_t v = 0;
        const char *digits = q;
        while (q < ps->end && *q >= '0' && *q <= '9') {
            unsigned d = (unsigned)(*q - '0');
            if (v > (UINT64_MAX - d) / 10 || v * 10 + d > (uint64_t)INT64_MAX) {
                mj_fail(ps, "số JSON quá lớn");
                return false;
            }
            v = v * 10 + d;
            q++;
        }
        if (q == digits || (q < ps->end && (*q == '.' || *q == 'e' || *q == 'E'))) {
            mj_fail(ps, "số JSON không phải số nguyên");
            return false;
        }
        out->type = MJ_INT;
        out->num = neg ? -(int64_t)v : (int64_t)v;
        ps->p = q;
        return true;
    }
    mj_fail(ps, "giá trị JSON không hợp lệ");
    return false;
}

/* What manifest_parse allocated, freed by manifest_clear. */
typedef struct {
    void **p;
    size_t n, cap;
} manifest_owned;

static void *manifest_own(manifest_owned *o, void *p)
{
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 32;
        o->p = thk_xrealloc(o->p, o->cap * sizeof *o->p);
    }
    o->p[o->n++] = p;
    return p;
}

static const mj_node *mj_get(const mj_node *obj, const char *key)
{
    if (!obj || obj->type != MJ_OBJ)
        return NULL;
    for (size_t i = 0; i < obj->nkids; i++)
        if (strcmp(obj->keys[i], key) == 0)
            return &obj->kids[i];
    return NULL;
}

static const char *mj_str(manifest_owned *o, const mj_node *obj, const char *key)
{
    const mj_node *n = mj_get(obj, key);
    return manifest_own(o, thk_xstrdup(n && n->type == MJ_STR ? n->str : ""));
}

static void mj_hex(const mj_node *obj, const char *key, char hex[65])
{
    const mj_node *n = mj_get(obj, key);
    hex[0] = '\0';
    if (n && n->type == MJ_STR && strlen(n->str) == 64)
        memcpy(hex, n->str, 65);
}

static uint64_t mj_u64(const mj_node *obj, const char *key)
{
    const mj_node *n = mj_get(obj, key);
    return n && n->type == MJ_INT && n->num > 0 ? (uint64_t)n->num : 0;
}

/* The array at key (NULL and *n = 0 when absent or not an array). */
static const mj_node *mj_array(const mj_node *obj, const char *key, size_t *n)
{
    const mj_node *a = mj_get(obj, key);
    if (!a || a->type != MJ_ARR) {
        *n = 0;
        return NULL;
    }
    *n = a->nkids;
    return a->kids;
}

static void *manifest_own_array(manifest_owned *o, size_t n, size_t size)
{
    return n ? manifest_own(o, thk_xcalloc(n, size)) : NULL;
}

/* The array of {path, sha256} objects at key, as manifest_files writes it. */
static manifest_file *mj_files(manifest_owned *o, const mj_node *root, const char *key, size_t *n)
{
    const mj_node *a = mj_array(root, key, n);
    manifest_file *f = manifest_own_array(o, *n, sizeof *f);
    for (size_t i = 0; i < *n; i++) {
        f[i].path = mj_str(o, &a[i], "path");
        mj_hex(&a[i], "sha256", f[i].sha256);
    }
    return f;
}

static void manifest_extract(const mj_node *root, manifest_info *mi, manifest_owned *o)
{
    const mj_node *a;
    size_t n;
    mi->tool_version = mj_str(o, root, "version");
    mi->unit = mj_str(o, root, "unit");

    a = mj_array(root, "command", &n);
    const char **argv = manifest_own_array(o, n, sizeof *argv);
    for (size_t i = 0; i < n; i++)
        argv[i] = manifest_own(o, thk_xstrdup(a[i].type == MJ_STR ? a[i].str : ""));
    mi->argv = argv;
    mi->argc = n;

    const mj_node *per = mj_get(root, "period");
    const mj_node *y = mj_get(per, "year"), *m = mj_get(per, "months");
    const mj_node *s = mj_get(per, "start"), *e = mj_get(per, "end");
    mi->per.year = y && y->type == MJ_INT ? (int)y->num : 0;
    mi->per.months = m && m->type == MJ_INT ? (int)m->num : 0;
    mi->per.S = mi->per.E = THK_DATE_NONE;
    if (s && s->type == MJ_STR && date_parse(s->str, strlen(s->str), &mi->per.S) != -1)
        mi->per.S = THK_DATE_NONE;
    if (e && e->type == MJ_STR && date_parse(e->str, strlen(e->str), &mi->per.E) != -1)
        mi->per.E = THK_DATE_NONE;

    a = mj_array(root, "rules", &n);
    mi->rules = manifest_own_array(o, n, sizeof *mi->rules);
    mi->nrules = n;
    for (size_t i = 0; i < n; i++) {
        mi->rules[i].path = mj_str(o, &a[i], "path");
        mi->rules[i].version = mj_str(o, &a[i], "version");
        mj_hex(&a[i], "sha256", mi->rules[i].sha256);
    }

    a = mj_array(root, "inputs", &n);
    mi->inputs = manifest_own_array(o, n, sizeof *mi->inputs);
    mi->ninputs = n;
    for (size_t i = 0; i < n; i++) {
        manifest_input *in = &mi->inputs[i];
        in->path = mj_str(o, &a[i], "path");
        mj_hex(&a[i], "sha256", in->sha256);
        in->bytes = mj_u64(&a[i], "bytes");
        in->lines = mj_u64(&a[i], "lines");
        in->encoding = mj_str(o, &a[i], "encoding");
        in->rows_read = mj_u64(&a[i], "rows_read");
        in->rows_accepted = mj_u64(&a[i], "rows_accepted");
        in->rows_rejected = mj_u64(&a[i], "rows_rejected");
        in->rows_warned = mj_u64(&a[i], "rows_warned");
    }

    a = mj_array(root, "units", &n);
    const char **units = manifest_own_array(o, n, sizeof *units);
    for (size_t i = 0; i < n; i++)
        units[i] = manifest_own(o, thk_xstrdup(a[i].type == MJ_STR ? a[i].str : ""));
    mi->units = units;
    mi->nunits = n;

    mi->runs = mj_files(o, root, "runs", &mi->nruns);
    mi->outputs = mj_files(o, root, "outputs", &mi->noutputs);

    const mj_node *checks = mj_get(root, "checks");
    mi->identities_verified = mj_u64(checks, "identities_verified");
    a = mj_array(checks, "continuity", &n);
    mi->continuity = manifest_own_array(o, n, sizeof *mi->continuity);
    mi->ncontinuity = n;
    for (size_t i = 0; i < n; i++) {
        const mj_node *ok = mj_get(&a[i], "ok");
        mi->continuity[i].name = mj_str(o, &a[i], "name");
        mi->continuity[i].ok = ok && ok->type == MJ_BOOL && ok->b;
        mi->continuity[i].detail = mj_str(o, &a[i], "detail");
    }
}

int manifest_parse(const char *text, size_t len, manifest_info *out, thk_buf *err)
{
    *out = (manifest_info){0};
    mj_parser ps = {text, text + len, 1, err, false};
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        ps.p += 3;
    mj_node root = {0};
    bool ok = mj_value(&ps, &root, 0);
    if (ok) {
        mj_skip_ws(&ps);
        if (ps.p != ps.end) {
            mj_fail(&ps, "còn dữ liệu sau đối tượng JSON");
            ok = false;
        } else if (root.type != MJ_OBJ) {
            mj_fail(&ps, "manifest phải là một đối tượng JSON");
            ok = false;
        }
    }
    if (!ok) {
        mj_free(&root);
        return THK_EXIT_INPUT;
    }
    manifest_owned *o = thk_xcalloc(1, sizeof *o);
    out->owned = o;
    manifest_extract(&root, out, o);
    mj_free(&root);
    return 0;
}

int manifest_read(const char *path, manifest_info *out, thk_buf *err)
{
    *out = (manifest_info){0};
    FILE *f = fopen(path, "rb");
    if (!f) {
        buf_printf(err, "%s: không mở được tệp: %s", path, strerror(errno));
        return THK_EXIT_INPUT;
    }
    thk_buf b = {0};
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        buf_append(&b, chunk, n);
        if (b.len > ((size_t)64 << 20))
            break;
    }
    bool bad = ferror(f) != 0;
    int e = errno;
    fclose(f);
    if (bad || b.len > ((size_t)64 << 20)) {
        buf_printf(err, "%s: %s", path, bad ? strerror(e ? e : EIO) : "tệp manifest quá lớn");
        buf_free(&b);
        return THK_EXIT_INPUT;
    }
    thk_buf msg = {0};
    int rc = manifest_parse(b.data ? b.data : "", b.len, out, &msg);
    if (rc)
        buf_printf(err, "%s: %s", path, msg.data ? msg.data : "");
    buf_free(&msg);
    buf_free(&b);
    return rc;
}

void manifest_clear(manifest_info *mi)
{
    if (!mi)
        return;
    manifest_owned *o = mi->owned;
    if (o) {
        for (size_t i = 0; i < o->n; i++)
            free(o->p[i]);
        free(o->p);
        free(o);
    }
    *mi = (manifest_info){0};
}
