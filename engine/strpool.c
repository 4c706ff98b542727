/* strpool — interned strings: a chunked text arena, an id → text index, an open-addressing table. */
#include "strpool.h"

#include "thk.h"

#include <stdlib.h>
#include <string.h>

#define STRPOOL_CHUNK (1u << 20)
#define STRPOOL_UNINDEXED 0x80000000u /* flag in lens[]: stored by strpool_add */

typedef struct strpool_chunk {
    struct strpool_chunk *next;
    size_t used, cap;
    char data[];
} strpool_chunk;

struct strpool {
    strpool_chunk *chunks;
    const char **text; /* id → text */
    uint32_t *lens;    /* id → length */
    uint32_t *hashes;  /* id → hash */
    size_t count, cap;
    size_t indexed; /* ids present in the table (strpool_add leaves its ids out) */
    uint64_t *table; /* slots: hash << 32 | (id + 1); 0 = empty */
    size_t tmask;
    size_t bytes;
};

/* A multiply-xorshift hash over 8-byte words: keys are short codes and names, and FNV's byte
 * loop was a visible share of loading a million cases. */
static uint32_t strpool_hash(const char *s, size_t len)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ len;
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
        h ^= h >> 31;
        s += 8;
        len -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, s, len);
    h = (h ^ w) * 0x94D049BB133111EBull;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 32;
    return (uint32_t)h;
}

static const char *strpool_store(strpool *p, const char *s, size_t len)
{
    strpool_chunk *c = p->chunks;
    if (!c || c->cap - c->used < len + 1) {
        size_t cap = len + 1 > STRPOOL_CHUNK ? len + 1 : STRPOOL_CHUNK;
        c = thk_xmalloc(sizeof *c + cap);
        c->next = p->chunks;
        c->used = 0;
        c->cap = cap;
        p->chunks = c;
        p->bytes += cap;
    }
    char *d = c->data + c->used;
    memcpy(d, s, len);
    d[len] = '\0';
    c->used += len + 1;
    return d;
}

static void strpool_rehash(strpool *p, size_t slots)
{
    free(p->table);
    p->table = thk_xcalloc(slots, sizeof *p->table);
    p->tmask = slots - 1;
    for (size_t id = 0; id < p->count; id++) {
        if (p->lens[id] & STRPOOL_UNINDEXED)
            continue;
        size_t i = p->hashes[id] & p->tmask;
        while (p->table[i])
            i = (i + 1) & p->tmask;
        p->table[i] = (uint64_t)p->hashes[id] << 32 | ((uint64_t)id + 1);
    }
}

strpool *strpool_new(void)
{
    strpool *p = thk_xcalloc(1, sizeof *p);
    strpool_rehash(p, 1024);
    strpool_intern(p, "", 0);
    return p;
}

void strpool_free(strpool *p)
{
    if (!p)
        return;
    for (strpool_chunk *c = p->chunks, *n; c; c = n) {
        n = c->next;
        free(c);
    }
    free(p->text);
    free(p->lens);
    free(p->hashes);
    free(p->table);
    free(p);
}

static size_t strpool_slot(const strpool *p, const char *s, size_t len, uint32_t h)
{
    size_t i = h & p->tmask;
    for (;;) {
        uint64_t e = p->table[i];
        if (!e)
            return i;
        uint32_t id = (uint32_t)e - 1;
        if ((uint32_t)(e >> 32) == h && p->lens[id] == len && memcmp(p->text[id], s, len) == 0)
            return i;
        i = (i + 1) & p->tmask;
    }
}

uint32_t strpool_find(const strpool *p, const char *s, size_t len)
{
    uint64_t e = p->table[strpool_slot(p, s, len, strpool_hash(s, len))];
    return e ? (uint32_t)e - 1 : STRPOOL_NONE;
}

static uint32_t strpool_push(strpool *p, const char *s, size_t len, uint32_t h, uint32_t flag)
{
    if (p->count == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 1024;
        p->text = thk_xrealloc(p->text, p->cap * sizeof *p->text);
        p->lens = thk_xrealloc(p->lens, p->cap * sizeof *p->lens);
        p->hashes = thk_xrealloc(p->hashes, p->cap * sizeof *p->hashes);
    }
    uint32_t id = (uint32_t)p->count++;
    p->text[id] = strpool_store(p, s, len);
    p->lens[id] = (uint32_t)len | flag;
    p->hashes[id] = h;
    return id;
}

uint32_t strpool_intern(strpool *p, const char *s, size_t len)
{
    uint32_t h = strpool_hash(s, len);
    size_t slot = strpool_slot(p, s, len, h);
    if (p->table[slot])
        return (uint32_t)p->table[slot] - 1;
    uint32_t id = strpool_push(p, s, len, h, 0);
    p->indexed++;
    if (p->indexed * 2 > p->tmask + 1)
        strpool_rehash(p, (p->tmask + 1) * 2);
    else
        p->table[slot] = (uint64_t)h << 32 | ((uint64_t)id + 1);
    return id;
}

uint32_t strpool_add(strpool *p, const char *s, size_t len)
{
    if (len == 0)
        return 0;
    return strpool_push(p, s, len, 0, STRPOOL_UNINDEXED);
}

const char *strpool_get(const strpool *p, uint32_t id)
{
    return id < p->count ? p->text[id] : "";
}

size_t strpool_len(const strpool *p, uint32_t id)
{
    return id < p->count ? p->lens[id] & ~STRPOOL_UNINDEXED : 0;
}

size_t strpool_count(const strpool *p)
{
    return p->count;
}

size_t strpool_bytes(const strpool *p)
{
    return p->bytes + p->cap * (sizeof *p->text + sizeof *p->lens + sizeof *p->hashes) +
           (p->tmask + 1) * sizeof *p->table;
}
