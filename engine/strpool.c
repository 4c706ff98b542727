/* strpool — interned strings: a chunked text arena, an id → text index, an open-addressing table.
 *
 * Memory per id is 8 bytes (a packed chunk reference and the length): a million cases bring a
 * few million ids. The hash of an indexed string lives only in its table slot. */
#include "strpool.h"

#include "thk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STRPOOL_CHUNK_BITS 20
#define STRPOOL_CHUNK (1u << STRPOOL_CHUNK_BITS) /* 1 MiB of text per chunk */
#define STRPOOL_ALIGN 4u                          /* texts start on 4-byte boundaries */
#define STRPOOL_OFF_BITS (STRPOOL_CHUNK_BITS - 2) /* offset in 4-byte units */
#define STRPOOL_MAX_CHUNKS (1u << (32 - STRPOOL_OFF_BITS)) /* 16384 chunks: 16 GiB of text */
#define STRPOOL_UNINDEXED 0x80000000u /* flag in lens[]: stored by strpool_add */

/* One id: both halves are read together when a lookup verifies a hash match, so they share
 * a cache line. */
typedef struct {
    uint32_t ref; /* chunk << STRPOOL_OFF_BITS | offset / STRPOOL_ALIGN */
    uint32_t len; /* length, | STRPOOL_UNINDEXED */
} strpool_entry;

struct strpool {
    char **chunks;     /* chunk i holds texts; a text longer than a chunk gets its own */
    size_t nchunks, chunks_cap;
    size_t used;       /* bytes used in the last chunk */
    strpool_entry *ids; /* id → where its text is and its length */
    size_t count, cap;
    size_t indexed;    /* ids present in the table (strpool_add leaves its ids out) */
    uint64_t *table;   /* slots: hash << 32 | (id + 1); 0 = empty */
    size_t tmask;
    size_t bytes;
};

/* A multiply-xorshift hash over 8-byte words: keys are short codes and names, and FNV's byte
 * loop was a visible share of loading a million cases. */
uint32_t strpool_hash(const char *s, size_t len)
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

static char *strpool_new_chunk(strpool *p, size_t cap)
{
    if (p->nchunks == STRPOOL_MAX_CHUNKS) {
        fprintf(stderr, "thongke: bảng chuỗi vượt %u chunk (16 GiB văn bản)\n", STRPOOL_MAX_CHUNKS);
        abort();
    }
    if (p->nchunks == p->chunks_cap) {
        p->chunks_cap = p->chunks_cap ? p->chunks_cap * 2 : 16;
        p->chunks = thk_xrealloc(p->chunks, p->chunks_cap * sizeof *p->chunks);
    }
    char *c = thk_xmalloc(cap);
    p->chunks[p->nchunks++] = c;
    p->bytes += cap;
    return c;
}

/* Copies s[0..len) and a NUL into the arena; returns its packed reference. */
static uint32_t strpool_store(strpool *p, const char *s, size_t len)
{
    size_t need = len + 1;
    size_t at = (p->used + STRPOOL_ALIGN - 1) & ~(size_t)(STRPOOL_ALIGN - 1);
    char *dst;
    uint32_t chunk;
    if (need > STRPOOL_CHUNK) {
        /* a huge text (never from an export: fields are capped far below) gets a chunk of its
         * own; the next text opens a fresh chunk */
        dst = strpool_new_chunk(p, need);
        chunk = (uint32_t)p->nchunks - 1;
        p->used = STRPOOL_CHUNK;
        at = 0;
    } else {
        if (p->nchunks == 0 || at + need > STRPOOL_CHUNK) {
            strpool_new_chunk(p, STRPOOL_CHUNK);
            at = 0;
        }
        chunk = (uint32_t)p->nchunks - 1;
        dst = p->chunks[chunk] + at;
        p->used = at + need;
    }
    memcpy(dst, s, len);
    dst[len] = '\0';
    return chunk << STRPOOL_OFF_BITS | (uint32_t)(at / STRPOOL_ALIGN);
}

static const char *strpool_text(const strpool *p, uint32_t id)
{
    uint32_t r = p->ids[id].ref;
    return p->chunks[r >> STRPOOL_OFF_BITS] +
           (size_t)(r & ((1u << STRPOOL_OFF_BITS) - 1)) * STRPOOL_ALIGN;
}

uint64_t *strpool_table_regrow(uint64_t *old, size_t oldn, size_t slots)
{
    uint64_t *t = thk_xcalloc(slots, sizeof *t);
    thk_hugepage_hint(t, slots * sizeof *t);
    size_t mask = slots - 1;
    for (size_t k = 0; k < oldn; k++) {
        if (!old[k])
            continue;
        size_t i = (uint32_t)(old[k] >> 32) & mask;
        while (t[i])
            i = (i + 1) & mask;
        t[i] = old[k];
    }
    free(old);
    return t;
}

static void strpool_rehash(strpool *p, size_t slots)
{
    p->table = strpool_table_regrow(p->table, p->table ? p->tmask + 1 : 0, slots);
    p->tmask = slots - 1;
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
    for (size_t i = 0; i < p->nchunks; i++)
        free(p->chunks[i]);
    free(p->chunks);
    free(p->ids);
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
        if ((uint32_t)(e >> 32) == h && p->ids[id].len == len &&
            memcmp(strpool_text(p, id), s, len) == 0)
            return i;
        i = (i + 1) & p->tmask;
    }
}

uint32_t strpool_find(const strpool *p, const char *s, size_t len)
{
    uint64_t e = p->table[strpool_slot(p, s, len, strpool_hash(s, len))];
    return e ? (uint32_t)e - 1 : STRPOOL_NONE;
}

void strpool_prefetch(const strpool *p, const char *s, size_t len)
{
    __builtin_prefetch(&p->table[strpool_hash(s, len) & p->tmask]);
}

static uint32_t strpool_push(strpool *p, const char *s, size_t len, uint32_t flag)
{
    if (p->count == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 1024;
        p->ids = thk_xrealloc(p->ids, p->cap * sizeof *p->ids);
    }
    uint32_t id = (uint32_t)p->count++;
    p->ids[id].ref = strpool_store(p, s, len);
    p->ids[id].len = (uint32_t)len | flag;
    return id;
}

uint32_t strpool_intern(strpool *p, const char *s, size_t len)
{
    uint32_t h = strpool_hash(s, len);
    size_t slot = strpool_slot(p, s, len, h);
    if (p->table[slot])
        return (uint32_t)p->table[slot] - 1;
    uint32_t id = strpool_push(p, s, len, 0);
    p->table[slot] = (uint64_t)h << 32 | ((uint64_t)id + 1);
    p->indexed++;
    if (p->indexed * 2 > p->tmask + 1)
        strpool_rehash(p, (p->tmask + 1) * 2);
    return id;
}

uint32_t strpool_add(strpool *p, const char *s, size_t len)
{
    if (len == 0)
        return 0;
    return strpool_push(p, s, len, STRPOOL_UNINDEXED);
}

const char *strpool_get(const strpool *p, uint32_t id)
{
    return id < p->count ? strpool_text(p, id) : "";
}

size_t strpool_len(const strpool *p, uint32_t id)
{
    return id < p->count ? p->ids[id].len & ~STRPOOL_UNINDEXED : 0;
}

size_t strpool_count(const strpool *p)
{
    return p->count;
}

size_t strpool_bytes(const strpool *p)
{
    return p->bytes + p->cap * sizeof *p->ids +
           (p->tmask + 1) * sizeof *p->table + p->chunks_cap * sizeof *p->chunks;
}
