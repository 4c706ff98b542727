/* xml_fast — see xml_fast.h. */
#include "xml_fast.h"

#include "thk.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define XF_DEPTH 32
#define XF_NAME 64
#define XF_ATTRS 16
#define XF_ABUF 2048

enum { XF_OK = 0, XF_MORE = XML_FAST_MORE, XF_DONE = XML_FAST_DONE, XF_GIVEUP = XML_FAST_GIVEUP,
       XF_STOP = XML_FAST_STOP };

struct xml_fast {
    xml_fast_handlers h;
    const char *p, *e; /* the input not yet scanned */
    int where;         /* 0 before the root element, 1 inside it, 2 after it */
    bool at_start;     /* nothing scanned yet: a BOM and the XML declaration may come */
    size_t depth;
    char name[XF_DEPTH][XF_NAME]; /* the open elements' names, NUL-terminated */
    unsigned char nlen[XF_DEPTH], loc[XF_DEPTH]; /* their lengths, where their local names start */
    const char *attr[2 * XF_ATTRS + 1];
    char abuf[XF_ABUF];
};

/* Byte classes: XF_NS a name's first byte (ASCII letters, _), XF_NC a name's byte (and digits,
 * - . :), XF_TP a byte standing for itself in text (printable ASCII but & < ], tab, line feed),
 * XF_WS white space, XF_AV a byte standing for itself in an attribute value (printable ASCII but
 * < & and quotes). */
enum { XF_NS = 1, XF_NC = 2, XF_TP = 4, XF_WS = 8, XF_AV = 16 };
static const unsigned char xf_class[256] = {
     0,  0,  0,  0,  0,  0,  0,  0,  0, 12, 12,  0,  0,  8,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
    28, 20,  4, 20, 20, 20,  0,  4, 20, 20, 20, 20, 20, 22, 22, 20,
    22, 22, 22, 22, 22, 22, 22, 22, 22, 22, 22, 20,  0, 20, 20, 20,
    20, 23, 23, 23, 23, 23, 23, 23, 23, 23, 23, 23, 23, 23, 23, 23,
    23, 23, 23, 23, 23, 23, 23, 23, 23, 23, 23, 20, 20, 16, 20, 23,
    20, 23, 23, 23, 23, 23, 23, 23, 23, 23, 23, 23, 23, 23, 23, 23,
    23, 23, 23, 23, 23, 23, 23, 23, 23, 23, 23, 20, 20, 20, 20, 20,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
};

static inline bool xf_ws(char c)
{
    return xf_class[(unsigned char)c] & XF_WS;
}

static inline bool xf_name_start(char c)
{
    return xf_class[(unsigned char)c] & XF_NS;
}

static inline bool xf_name_char(char c)
{
    return xf_class[(unsigned char)c] & XF_NC;
}

/* A byte that stands for itself in text: printable ASCII but & < ], tab and line feed. */
static inline bool xf_plain(unsigned char c)
{
    return xf_class[c] & XF_TP;
}

/* Length of the UTF-8 sequence at p (*p >= 0x80) when it is a valid XML character, else 0. */
static size_t xf_utf8(const char *s, const char *e)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t avail = (size_t)(e - s);
    unsigned c = p[0];
    if (c >= 0xC2 && c <= 0xDF)
        return avail >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (avail < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0) ||
            (c == 0xEF && p[1] == 0xBF && p[2] >= 0xBE)) /* overlong, surrogate, U+FFFE/F */
            return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (avail < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 ||
            (p[3] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90))
            return 0;
        return 4;
    }
    return 0;
}

/* The reference after '&' at p, ending before q: its UTF-8 into u (*n bytes) and *next past
 * its ';' (left alone on false); false when it is not one of the five entities or a character reference to an XML
 * character. */
static bool xf_ref(const char *p, const char *q, char u[4], size_t *n, const char **next)
{
    const char *semi = p;
    while (semi < q && semi - p < 12 && *semi != ';')
        semi++;
    if (semi == q || *semi != ';')
        return false;
    size_t len = (size_t)(semi - p);
    *n = 1;
    if (len == 3 && memcmp(p, "amp", 3) == 0)
        u[0] = '&';
    else if (len == 2 && memcmp(p, "lt", 2) == 0)
        u[0] = '<';
    else if (len == 2 && memcmp(p, "gt", 2) == 0)
        u[0] = '>';
    else if (len == 4 && memcmp(p, "quot", 4) == 0)
        u[0] = '"';
    else if (len == 4 && memcmp(p, "apos", 4) == 0)
        u[0] = '\'';
    else if (len >= 2 && p[0] == '#') {
        uint32_t cp = 0;
        bool hex = p[1] == 'x';
        size_t i = hex ? 2 : 1;
        if (i == len || len - i > (hex ? 6u : 7u))
            return false;
        for (; i < len; i++) {
            char c = p[i];
            uint32_t d;
            if (c >= '0' && c <= '9')
                d = (uint32_t)(c - '0');
            else if (hex && c >= 'a' && c <= 'f')
                d = (uint32_t)(c - 'a' + 10);
            else if (hex && c >= 'A' && c <= 'F')
                d = (uint32_t)(c - 'A' + 10);
            else
                return false;
            cp = cp * (hex ? 16u : 10u) + d;
        }
        if (!(cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
              (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF)))
            return false;
        if (cp < 0x80) {
            u[0] = (char)cp;
        } else if (cp < 0x800) {
            u[0] = (char)(0xC0 | (cp >> 6));
            u[1] = (char)(0x80 | (cp & 0x3F));
            *n = 2;
        } else if (cp < 0x10000) {
            u[0] = (char)(0xE0 | (cp >> 12));
            u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
            u[2] = (char)(0x80 | (cp & 0x3F));
            *n = 3;
        } else {
            u[0] = (char)(0xF0 | (cp >> 18));
            u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
            u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
            u[3] = (char)(0x80 | (cp & 0x3F));
            *n = 4;
        }
    } else
        return false;
    *next = semi + 1;
    return true;
}

/* Text at f->p, up to the next '<' or as far as the input goes (text is handed over piece by
 * piece: f->p is left at the first byte not yet taken). */
static int xf_text(xml_fast *f, bool eof)
{
    const char *p = f->p, *e = f->e;
    if (f->where != 1) { /* outside the root element: white space only */
        while (p < e && xf_ws(*p))
            p++;
        f->p = p;
        return p < e && *p != '<' ? XF_GIVEUP : XF_OK;
    }
    bool keep = *f->h.collecting; /* only a tag changes it */
    bool halt = false;
    int r = XF_OK;
    while (p < e) {
        const char *run = p;
        while (p < e && xf_plain((unsigned char)*p))
            p++;
        if (keep && p > run)
            halt |= f->h.text(f->h.ud, run, (size_t)(p - run)) != 0;
        if (p == e)
            break;
        unsigned char c = (unsigned char)*p;
        if (c == '<')
            break;
        size_t avail = (size_t)(e - p);
        if (c == '&') {
            char u[4];
            size_t n;
            if (!xf_ref(p + 1, e, u, &n, &p)) {
                bool cut = !eof && avail < 14 && !memchr(p, ';', avail);
                r = cut ? XF_MORE : XF_GIVEUP;
                break;
            }
            if (keep)
                halt |= f->h.text(f->h.ud, u, n) != 0;
        } else if (c == ']') {
            if (avail < 3 && !eof) {
                r = XF_MORE;
                break;
            }
            if (avail >= 3 && p[1] == ']' && p[2] == '>') {
                r = XF_GIVEUP;
                break;
            }
            if (keep)
                halt |= f->h.text(f->h.ud, "]", 1) != 0;
            p++;
        } else if (c == '\r') {
            if (keep) { /* expat turns line ends into \n: let it */
                r = XF_GIVEUP;
                break;
            }
            p++;
        } else if (c >= 0x80) {
            size_t n = xf_utf8(p, e);
            if (!n) {
                r = avail < 4 && !eof ? XF_MORE : XF_GIVEUP;
                break;
            }
            if (keep)
                halt |= f->h.text(f->h.ud, p, n) != 0;
            p += n;
        } else {
            r = XF_GIVEUP; /* a control character */
            break;
        }
    }
    f->p = p;
    if (halt)
        return XF_STOP;
    if (r == XF_OK && p == e && !eof)
        r = XF_MORE;
    return r;
}

/* The XML declaration at f->p ("<?xml"): version 1.0, encoding UTF-8, standalone. */
static int xf_decl(xml_fast *f)
{
    const char *p = f->p + 5, *e = f->e;
    const char *end = NULL;
    for (const char *k = p; k + 1 < e && k - p < 256; k++)
        if (k[0] == '?' && k[1] == '>') {
            end = k;
            break;
        }
    if (!end)
        return e - p < 256 ? XF_MORE : XF_GIVEUP;
    static const char *const names[] = {"version", "encoding", "standalone"};
    size_t next = 0;
    while (p < end) {
        if (!xf_ws(*p))
            return XF_GIVEUP;
        while (p < end && xf_ws(*p))
            p++;
        if (p == end)
            break;
        size_t k = next;
        while (k < 3 && strncmp(p, names[k], strlen(names[k])) != 0)
            k++;
        if (k == 3 || (next == 0 && k != 0))
            return XF_GIVEUP;
        p += strlen(names[k]);
        next = k + 1;
        while (p < end && xf_ws(*p))
            p++;
        if (p == end || *p++ != '=')
            return XF_GIVEUP;
        while (p < end && xf_ws(*p))
            p++;
        if (p == end || (*p != '"' && *p != '\''))
            return XF_GIVEUP;
        char qc = *p++;
        const char *v = p;
        while (p < end && *p != qc)
            p++;
        if (p == end)
            return XF_GIVEUP;
        size_t vl = (size_t)(p++ - v);
        bool ok = k == 0   ? vl == 3 && memcmp(v, "1.0", 3) == 0
                  : k == 1 ? vl == 5 && strncasecmp(v, "utf-8", 5) == 0
                           : (vl == 3 && memcmp(v, "yes", 3) == 0) ||
                                 (vl == 2 && memcmp(v, "no", 2) == 0);
        if (!ok)
            return XF_GIVEUP;
    }
    if (next == 0)
        return XF_GIVEUP;
    f->p = end + 2;
    return XF_OK;
}

/* The end tag at f->p ("</"). */
static int xf_end_tag(xml_fast *f)
{
    const char *p = f->p + 2, *e = f->e, *n0 = p;
    while (p < e && xf_name_char(*p))
        p++;
    size_t nl = (size_t)(p - n0);
    while (p < e && xf_ws(*p))
        p++;
    if (p == e)
        return XF_MORE;
    if (*p != '>' || f->depth == 0 || nl != f->nlen[f->depth - 1])
        return XF_GIVEUP;
    for (size_t i = 0; i < nl; i++) /* names are short: no call */
        if (n0[i] != f->name[f->depth - 1][i])
            return XF_GIVEUP;
    f->p = p + 1;
    f->depth--;
    int s = f->h.end(f->h.ud, f->name[f->depth] + f->loc[f->depth]);
    if (f->depth == 0)
        f->where = 2;
    return s ? XF_STOP : XF_OK;
}

/* The start tag at f->p ('<' and a name start). */
static int xf_start_tag(xml_fast *f)
{
    const char *p = f->p + 1, *e = f->e, *n0 = p, *local = p;
    while (p < e && xf_name_char(*p)) {
        if (*p == ':')
            local = p + 1;
        p++;
    }
    if (p == e)
        return XF_MORE;
    size_t nl = (size_t)(p - n0);
    if (nl >= XF_NAME || f->where == 2 || f->depth == XF_DEPTH)
        return XF_GIVEUP;
    size_t na = 0, au = 0;
    bool empty;
    for (;;) {
        bool ws = false;
        while (p < e && xf_ws(*p))
            p++, ws = true;
        if (p == e)
            return XF_MORE;
        if (*p == '>') {
            p++;
            empty = false;
            break;
        }
        if (*p == '/') {
            if (p + 1 == e)
                return XF_MORE;
            if (p[1] != '>')
                return XF_GIVEUP;
            p += 2;
            empty = true;
            break;
        }
        if (!ws || !xf_name_start(*p) || na == XF_ATTRS)
            return XF_GIVEUP;
        const char *a0 = p;
        while (p < e && xf_name_char(*p))
            p++;
        size_t al = (size_t)(p - a0);
        while (p < e && xf_ws(*p))
            p++;
        if (p == e)
            return XF_MORE;
        if (*p++ != '=')
            return XF_GIVEUP;
        while (p < e && xf_ws(*p))
            p++;
        if (p == e)
            return XF_MORE;
        char qc = *p++;
        if (qc != '"' && qc != '\'')
            return XF_GIVEUP;
        if (au + al + 2 > XF_ABUF)
            return XF_GIVEUP;
        char *av = f->abuf + au + al + 1, *ae = f->abuf + XF_ABUF - 1;
        size_t vl = 0;
        for (;;) { /* the value, copied as it is checked */
            while (p < e && av + vl < ae && (xf_class[(unsigned char)*p] & XF_AV))
                av[vl++] = *p++;
            if (p == e)
                return XF_MORE;
            unsigned char c = (unsigned char)*p;
            if (c == (unsigned char)qc)
                break;
            if (av + vl == ae || c < 0x20 || c == '<' || c == '&') /* tab, line breaks: expat */
                return XF_GIVEUP;                                  /* makes them spaces */
            if (c == '"' || c == '\'') {
                av[vl++] = *p++;
                continue;
            }
            size_t k = xf_utf8(p, e);
            if (!k)
                return e - p < 4 ? XF_MORE : XF_GIVEUP;
            if ((size_t)(ae - av) - vl < k)
                return XF_GIVEUP;
            for (size_t i = 0; i < k; i++)
                av[vl++] = *p++;
        }
        p++; /* the closing quote */
        for (size_t k = 0; k < na; k++) {
            const char *o = f->attr[2 * k];
            size_t i = 0;
            while (i < al && o[i] == a0[i])
                i++;
            if (i == al && o[i] == '\0')
                return XF_GIVEUP; /* a duplicate attribute */
        }
        char *an = f->abuf + au;
        for (size_t i = 0; i < al; i++)
            an[i] = a0[i];
        an[al] = '\0';
        av[vl] = '\0';
        au += al + vl + 2;
        f->attr[2 * na] = an;
        f->attr[2 * na + 1] = av;
        na++;
    }
    f->attr[2 * na] = NULL;
    f->p = p;
    f->where = 1;
    size_t d = f->depth++;
    for (size_t i = 0; i < nl; i++)
        f->name[d][i] = n0[i];
    f->name[d][nl] = '\0';
    f->nlen[d] = (unsigned char)nl;
    f->loc[d] = (unsigned char)(local - n0);
    const char *el = f->name[d] + f->loc[d];
    if (f->h.start(f->h.ud, el, f->attr))
        return XF_STOP;
    if (empty) {
        f->depth--;
        int s = f->h.end(f->h.ud, el);
        if (f->depth == 0)
            f->where = 2;
        if (s)
            return XF_STOP;
    }
    return XF_OK;
}

/* Scans f->p .. f->e: XF_MORE when it needs more input (f->p is where to resume), XF_DONE at the
 * end of a complete document, XF_GIVEUP, XF_STOP after a handler's failure or stop. */
static int xf_scan(xml_fast *f, bool eof)
{
    if (f->at_start) {
        const char *s0 = f->p;
        if (f->e - f->p < 9 && !eof)
            return XF_MORE;
        if (f->e - f->p >= 3 && memcmp(f->p, "\xEF\xBB\xBF", 3) == 0)
            f->p += 3;
        if (f->e - f->p >= 6 && memcmp(f->p, "<?xml", 5) == 0 && xf_ws(f->p[5])) {
            int r = xf_decl(f);
            if (r == XF_MORE) {
                f->p = s0;
                return eof ? XF_GIVEUP : XF_MORE;
            }
            if (r != XF_OK)
                return r;
        }
        f->at_start = false;
    }
    while (f->p < f->e) {
        const char *p = f->p;
        int r;
        if (*p != '<') {
            r = xf_text(f, eof);
        } else if (f->e - p < 2) {
            r = XF_MORE;
        } else if (p[1] == '/') {
            r = xf_end_tag(f);
        } else if (xf_name_start(p[1])) {
            r = xf_start_tag(f);
        } else
            r = XF_GIVEUP; /* <? <! and the like: expat's */
        if (r != XF_OK)
            return r == XF_MORE && eof ? XF_GIVEUP : r;
    }
    if (!eof)
        return XF_MORE;
    return f->where == 2 ? XF_DONE : XF_GIVEUP;
}

xml_fast *xml_fast_new(const xml_fast_handlers *h)
{
    xml_fast *f = thk_xmalloc(sizeof *f);
    f->h = *h;
    f->p = f->e = NULL;
    f->where = 0;
    f->at_start = true;
    f->depth = 0;
    return f;
}

void xml_fast_free(xml_fast *f)
{
    free(f);
}

int xml_fast_scan(xml_fast *f, const char **p, const char *e, bool eof)
{
    f->p = *p;
    f->e = e;
    int r = xf_scan(f, eof);
    *p = f->p;
    return r;
}
