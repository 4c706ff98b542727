/* util — allocation that never fails silently, growable buffers, the reject catalogue. */
#include "thk.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void (*util_oom_cleanup)(void);

void thk_on_oom(void (*cleanup)(void))
{
    util_oom_cleanup = cleanup;
}

/* No allocation from here on: the message is formatted on the stack and written with write(2),
 * the cleanup hook (the staging folder) is async-signal-safe, and _exit skips atexit handlers. */
static void util_oom(size_t n)
{
    char msg[256];
    int len = snprintf(msg, sizeof msg,
                       "thongke: lỗi: hết bộ nhớ khi cấp phát %zu byte; không công bố báo cáo, "
                       "báo cáo đã công bố trước đó giữ nguyên\n",
                       n);
    if (len > 0) {
        ssize_t w = write(2, msg, (size_t)len < sizeof msg ? (size_t)len : sizeof msg - 1);
        (void)w;
    }
    if (util_oom_cleanup)
        util_oom_cleanup();
    _exit(THK_EXIT_OUTPUT);
}

void *thk_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        util_oom(n);
    return p;
}

void *thk_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        util_oom(count * size);
    return p;
}

void *thk_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        util_oom(n);
    return q;
}

void thk_hugepage_hint(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
    /* Whole pages from the first to the last: an array this large is a mapping of its own, and
     * advising all of it keeps it one mapping. Advising only its 2 MiB-aligned middle would split
     * it in three, and realloc's mremap refuses a range that spans mappings: every regrowth
     * would then copy the array into fresh memory. */
    const uintptr_t page = 4096, huge = (uintptr_t)2 << 20;
    uintptr_t a = (uintptr_t)p & ~(page - 1);
    uintptr_t b = ((uintptr_t)p + n + page - 1) & ~(page - 1);
    if (n >= 4 * huge)
        madvise((void *)a, b - a, MADV_HUGEPAGE);
#else
    (void)p;
    (void)n;
#endif
}

char *thk_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = thk_xmalloc(n);
    memcpy(d, s, n);
    return d;
}

void buf_grow(thk_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    b->data = thk_xrealloc(b->data, cap);
    b->cap = cap;
    b->data[b->len] = '\0'; /* the promise of thk_buf: NUL-terminated whenever data != NULL */
}

void buf_put_int(thk_buf *b, int64_t v)
{
    char tmp[24];
    char *p = tmp + sizeof tmp;
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + a % 10);
        a /= 10;
    } while (a);
    if (v < 0)
        *--p = '-';
    buf_append(b, p, (size_t)(tmp + sizeof tmp - p));
}

void buf_printf(thk_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n > 0) {
        buf_reserve(b, (size_t)n);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
}

void buf_clear(thk_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void buf_free(thk_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

static const struct {
    char sev;
    const char *code;
    const char *msg;
} util_rejects[] = {
#define THK_X_ROW(name, sev, code, msg) {sev, code, msg},
    THK_REJECT_LIST(THK_X_ROW)
#undef THK_X_ROW
};

const char *thk_reject_code(thk_reject r)
{
    return (unsigned)r < REJ__COUNT ? util_rejects[r].code : "?";
}

const char *thk_reject_message(thk_reject r)
{
    return (unsigned)r < REJ__COUNT ? util_rejects[r].msg : "?";
}

char thk_reject_severity(thk_reject r)
{
    return (unsigned)r < REJ__COUNT ? util_rejects[r].sev : 'E';
}

void thk_twin(bool two, void *(*fn)(void *), void *a, void *b)
{
    pthread_t t;
    bool threaded = two && pthread_create(&t, NULL, fn, b) == 0;
    fn(a);
    if (threaded)
        pthread_join(t, NULL);
    else
        fn(b);
}
