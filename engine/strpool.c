/* strpool — interned strings: a chunked text arena, an id → text index, an open-addressing table. */
#include "strpool.h"

#include "thk.h"

#include <stdlib.h>
#include <string.h>

#define STRPOOL_CHUNK (1u << 20)

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
    uint32_t *table; /* slots hold id + 1, 0 = empty */
    size_t tmask;
    size_t bytes;
};

static uint32_t strpool_hash(const char *s, size_t len)
{
    /* FNV-1a, 32 bit: short keys, good enough spread for an open-addressing table. */
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
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
        size_t i = p->hashes[id] & p->tmask;
        while (p->table[i])
            i = (i + 1) & p->tmask;
        p->table[i] = (uint32_t)id + 1;
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
        uint32_t e = p->table[i];
        if (!e)
            return i;
        uint32_t id = e - 1;
        if (p->hashes[id] == h && p->lens[id] == len && memcmp(p->text[id], s, len) == 0)
            return i;
        i = (i + 1) & p->tmask;
    }
}

uint32_t strpool_find(const strpool *p, const char *s, size_t len)
{
    uint32_t e = p->table[strpool_slot(p, s, len, strpool_hash(s, len))];
    return e ? e - 1 : STRPOOL_NONE;
}

uint32_t strpool_intern(strpool *p, const char *s, size_t len)
{
    uint32_t h = strpool_hash(s, len);
    size_t slot = strpool_slot(p, s, len, h);
    if (p->table[slot])
        return p->table[slot] - 1;
    if (p->count == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 1024;
        p->text = thk_xrealloc(p->text, p->cap * sizeof *p->text);
        p->lens = thk_xrealloc(p->lens, p->cap * sizeof *p->lens);
        p->hashes = thk_xrealloc(p->hashes, p->cap * sizeof *p->hashes);
    }
    uint32_t id = (uint32_t)p->count++;
    p->text[id] = strpool_store(p, s, len);
    p->lens[id] = (uint32_t)len;
    p->hashes[id] = h;
    if (p->count * 2 > p->tmask + 1)
        strpool_rehash(p, (p->tmask + 1) * 2);
    else
        p->table[slot] = id + 1;
    return id;
}

const char *strpool_get(const strpool *p, uint32_t id)
{
    return id < p->count ? p->text[id] : "";
}

size_t strpool_len(const strpool *p, uint32_t id)
{
    return id < p->count ? p->lens[id] : 0;
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
