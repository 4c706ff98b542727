/* strpool — interned NFC strings with dense uint32 ids; id 0 is the empty string. */
#ifndef STRPOOL_H
#define STRPOOL_H

#include <stddef.h>
#include <stdint.h>

#define STRPOOL_NONE UINT32_MAX

typedef struct strpool strpool;

/* A new, empty pool (holding only ""). Never NULL (aborts on out of memory). */
strpool *strpool_new(void);
/* Frees the pool and every string in it; accepts NULL. */
void strpool_free(strpool *p);
/* The id of s[0..len), adding a copy when not present. Ids are dense, in order of first
 * appearance, so a pool of unique keys doubles as a key → row index map (row = id - 1). */
uint32_t strpool_intern(strpool *p, const char *s, size_t len);
/* Stores a copy of s[0..len) under a new id without indexing it: for texts that are unique or
 * never looked up (a debtor's name, a decision number), which would only fill the hash table.
 * strpool_find and strpool_intern never return such an id. */
uint32_t strpool_add(strpool *p, const char *s, size_t len);
/* The hash the pool uses, for indexes kept elsewhere over the pool's texts and for other
 * tables of texts (rule_map's memo). */
uint32_t strpool_hash(const char *s, size_t len);
/* For tables laid out as the pool's own (slots of hash << 32 | (id + 1), 0 = empty, linear
 * probing from hash & (slots - 1)): a new table of `slots` (a power of two) holding the
 * entries of old[0..oldn), hinted for huge pages; frees old. */
uint64_t *strpool_table_regrow(uint64_t *old, size_t oldn, size_t slots);
/* The id of s[0..len), or STRPOOL_NONE when absent. */
uint32_t strpool_find(const strpool *p, const char *s, size_t len);
/* A hint, no effect on contents: starts loading the table slot where s would be looked up, so
 * a strpool_intern or strpool_find a little later does not wait for memory. */
void strpool_prefetch(const strpool *p, const char *s, size_t len);
/* The NUL-terminated text of id (owned by the pool, valid until strpool_free). */
const char *strpool_get(const strpool *p, uint32_t id);
size_t strpool_len(const strpool *p, uint32_t id);
/* Number of distinct strings, "" included. */
size_t strpool_count(const strpool *p);
/* Bytes held (text, index, hash table), for the log. */
size_t strpool_bytes(const strpool *p);

#endif
