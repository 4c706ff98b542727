/* rule_map — compiled PCRE2 patterns and ordered `map` tables, memoised per distinct text. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "rule_map.h"

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "read_text.h"
#include "strpool.h"

/* Limits that turn a runaway pattern into RULE_MATCH_LIMIT instead of a hang: the match limit
 * bounds backtracking work per pcre2_match call (a few milliseconds of work), the depth limit
 * bounds nested backtracking frames of the interpreter (JIT ignores it and uses its own stack,
 * capped at RULE_JIT_STACK_MAX). */
#define RULE_MATCH_CALLS 1000000u
#define RULE_DEPTH 10000u
#define RULE_JIT_STACK_MIN (32u * 1024u)
#define RULE_JIT_STACK_MAX (512u * 1024u)

/* Memo bounds: texts longer than this are not remembered (long free text rarely repeats), and a
 * memo stops taking new texts at this many entries (lookups still hit the ones it holds). */
#define MEMO_MAX_KEY 1024u
#define MEMO_MAX_ENTRIES (1u << 21)
#define MEMO_CHUNK 65536u

static void rule_oom(const char *what)
{
    fprintf(stderr, "thongke: hết bộ nhớ khi cấp phát %s\n", what);
    abort();
}

/* ---- memo: open addressing, keys copied into a chunked arena ----------------------------- */

typedef struct memo_chunk {
    struct memo_chunk *next;
    size_t used, cap;
    char data[];
} memo_chunk;

typedef struct {
    uint64_t hash;
    const char *key; /* NULL = empty slot */
    size_t len;
    int32_t a, b;
} memo_slot;

typedef struct {
    memo_slot *slots;
    size_t cap; /* 0 or a power of two */
    size_t count;
    memo_chunk *chunks;
} memo;

/* The slot holding key, or the empty slot where it would go. Requires cap > count. */
static memo_slot *memo_slot_for(memo *m, const char *key, size_t len, uint64_t h)
{
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        memo_slot *s = &m->slots[i];
        if (!s->key)
            return s;
        if (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0)
            return s;
    }
}

static bool memo_get(memo *m, const char *key, size_t len, uint64_t h, int32_t *a, int32_t *b)
{
    if (m->count == 0)
        return false;
    memo_slot *s = memo_slot_for(m, key, len, h);
    if (!s->key)
        return false;
    *a = s->a;
    *b = s->b;
    return true;
}

static const char *memo_copy(memo *m, const char *key, size_t len)
{
    if (len == 0)
        return "";
    memo_chunk *c = m->chunks;
    if (!c || c->cap - c->used < len) {
        size_t cap = len > MEMO_CHUNK ? len : MEMO_CHUNK;
        c = thk_xmalloc(sizeof *c + cap);
        c->used = 0;
        c->cap = cap;
        c->next = m->chunks;
        m->chunks = c;
    }
    char *p = c->data + c->used;
    memcpy(p, key, len);
    c->used += len;
    return p;
}

static void memo_grow(memo *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 64;
    memo_slot *old = m->slots;
    size_t ocap = m->cap;
    m->slots = thk_xcalloc(ncap, sizeof *m->slots);
    m->cap = ncap;
    for (size_t i = 0; i < ocap; i++)
        if (old[i].key)
            *memo_slot_for(m, old[i].key, old[i].len, old[i].hash) = old[i];
    free(old);
}

static void memo_put(memo *m, const char *key, size_t len, uint64_t h, int32_t a, int32_t b)
{
    if (len > MEMO_MAX_KEY || m->count >= MEMO_MAX_ENTRIES)
        return;
    if ((m->count + 1) * 4 > m->cap * 3)
        memo_grow(m);
    memo_slot *s = memo_slot_for(m, key, len, h);
    if (s->key) {
        s->a = a;
        s->b = b;
        return;
    }
    s->hash = h;
    s->key = memo_copy(m, key, len);
    s->len = len;
    s->a = a;
    s->b = b;
    m->count++;
}

static void memo_free(memo *m)
{
    memo_chunk *c = m->chunks;
    while (c) {
        memo_chunk *next = c->next;
        free(c);
        c = next;
    }
    free(m->slots);
    memset(m, 0, sizeof *m);
}

/* ---- patterns -------------------------------------------------------------------------- */

/* What matching writes: one per pattern and thread. */
struct rule_pat_run {
    pcre2_match_data *md;       /* created once, reused by every match */
    pcre2_match_context *mctx;  /* carries the limits and the JIT stack */
    pcre2_jit_stack *jit_stack; /* NULL when the pattern is not JIT-compiled */
    thk_buf fold;               /* accent-folded subject for flag a */
    memo memo;                  /* text → RULE_MATCH_* */
};

/* The compiled pattern (read-only once compiled, shared by threads) and the working state of
 * the thread that uses the plain rule_pat_match. */
struct rule_pat {
    pcre2_code *code;
    bool jit;
    unsigned flags;
    rule_pat_run run0;
};

/* Maps an offset in the accent-folded pattern back to the pattern as written: the offset of the
 * first byte of the written character whose folding produced byte `off` (a character that
 * folds to nothing, a combining mark, is skipped); `len` when off is at or past the end.
 * Folding is per character, so folding each character alone and adding up the lengths walks
 * the folded text exactly. */
static size_t rule_unfold_offset(const char *pattern, size_t len, size_t off)
{
    thk_buf tmp = {0};
    size_t i = 0, acc = 0, res = len;
    while (i < len) {
        size_t j = i + 1;
        while (j < len && ((unsigned char)pattern[j] & 0xC0) == 0x80)
            j++;
        text_fold_accents(pattern + i, j - i, &tmp);
        if (acc + tmp.len > off) {
            res = i;
            break;
        }
        acc += tmp.len;
        i = j;
    }
    buf_free(&tmp);
    return res;
}

static void rule_pat_run_init(const rule_pat *p, rule_pat_run *r);

rule_pat *rule_pat_compile(const char *pattern, size_t len, unsigned flags, char *err,
                           size_t errsz, size_t *erroff)
{
    thk_buf folded = {0};
    const char *src = len ? pattern : "";
    size_t srclen = len;
    if (flags & RULE_PAT_A) {
        text_fold_accents(src, len, &folded);
        src = folded.data ? folded.data : "";
        srclen = folded.len;
    }
    uint32_t opts = PCRE2_UTF | PCRE2_UCP | PCRE2_NEVER_BACKSLASH_C;
    if (flags & RULE_PAT_I)
        opts |= PCRE2_CASELESS;
    if (flags & RULE_PAT_X)
        opts |= PCRE2_EXTENDED;
    int ec = 0;
    PCRE2_SIZE eo = 0;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)src, srclen, opts, &ec, &eo, NULL);
    if (!code) {
        if (err && errsz) {
            err[0] = '\0';
            pcre2_get_error_message(ec, (PCRE2_UCHAR *)err, errsz);
        }
        if (erroff) {
            size_t off = eo > srclen ? srclen : (size_t)eo;
            *erroff = (flags & RULE_PAT_A) ? rule_unfold_offset(pattern, len, off) : off;
        }
        buf_free(&folded);
        return NULL;
    }
    buf_free(&folded);

    rule_pat *p = thk_xcalloc(1, sizeof *p);
    p->code = code;
    p->flags = flags;
    p->jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
    rule_pat_run_init(p, &p->run0);
    return p;
}

/* A fresh working state for pattern p: match data, limits, a JIT stack when p is JIT code. */
static void rule_pat_run_init(const rule_pat *p, rule_pat_run *r)
{
    memset(r, 0, sizeof *r);
    r->md = pcre2_match_data_create(1, NULL);
    r->mctx = pcre2_match_context_create(NULL);
    if (!r->md || !r->mctx)
        rule_oom("PCRE2 match data");
    pcre2_set_match_limit(r->mctx, RULE_MATCH_CALLS);
    pcre2_set_depth_limit(r->mctx, RULE_DEPTH);
    if (p->jit) {
        r->jit_stack = pcre2_jit_stack_create(RULE_JIT_STACK_MIN, RULE_JIT_STACK_MAX, NULL);
        if (r->jit_stack)
            pcre2_jit_stack_assign(r->mctx, NULL, r->jit_stack);
    }
}

static void rule_pat_run_clear(rule_pat_run *r)
{
    pcre2_match_data_free(r->md);
    pcre2_match_context_free(r->mctx);
    pcre2_jit_stack_free(r->jit_stack);
    buf_free(&r->fold);
    memo_free(&r->memo);
}

rule_pat_run *rule_pat_run_new(const rule_pat *p)
{
    rule_pat_run *r = thk_xmalloc(sizeof *r);
    rule_pat_run_init(p, r);
    return r;
}

void rule_pat_run_free(rule_pat_run *r)
{
    if (!r)
        return;
    rule_pat_run_clear(r);
    free(r);
}

void rule_pat_free(rule_pat *p)
{
    if (!p)
        return;
    pcre2_code_free(p->code);
    rule_pat_run_clear(&p->run0);
    free(p);
}

/* One PCRE2 match of an already folded (if need be) subject, no memo. Errors other than the
 * limits (e.g. invalid UTF-8, which validated input never has) count as no match. */
static int rule_pat_exec(const rule_pat *p, rule_pat_run *r, const char *s, size_t n)
{
    int rc = pcre2_match(p->code, (PCRE2_SPTR)(n ? s : ""), n, 0, 0, r->md, r->mctx);
    if (rc >= 0)
        return RULE_MATCH_YES;
    switch (rc) {
    case PCRE2_ERROR_MATCHLIMIT:
    case PCRE2_ERROR_DEPTHLIMIT:
    case PCRE2_ERROR_HEAPLIMIT:
    case PCRE2_ERROR_JIT_STACKLIMIT:
        return RULE_MATCH_LIMIT;
    default:
        return RULE_MATCH_NO;
    }
}

int rule_pat_match_in(const rule_pat *p, rule_pat_run *run, const char *text, size_t len)
{
    uint64_t h = strpool_hash(text, len); /* the texts are compared on a hit */
    int32_t a, b;
    if (memo_get(&run->memo, text, len, h, &a, &b))
        return a;
    const char *subj = text;
    size_t n = len;
    if (p->flags & RULE_PAT_A) {
        text_fold_accents(text, len, &run->fold);
        subj = run->fold.data ? run->fold.data : "";
        n = run->fold.len;
    }
    int r = rule_pat_exec(p, run, subj, n);
    memo_put(&run->memo, text, len, h, r, 0);
    return r;
}

int rule_pat_match(rule_pat *p, const char *text, size_t len)
{
    return rule_pat_match_in(p, &p->run0, text, len);
}

/* ---- maps ------------------------------------------------------------------------------ */

typedef struct {
    rule_pat *pat;
    char *pattern; /* as written */
    int value;
    size_t hits;
} rule_alt;

/* What lookups write: one per map and thread (the alternatives' own pattern states are the
 * patterns' run0 for the map's run0, and private ones otherwise). */
struct rule_map_run {
    memo memo;    /* text → (value or RULE_MAP_*, deciding alternative or -1) */
    thk_buf fold; /* the accent-folded text of the current lookup */
    int last_alt;
    rule_pat_run **alts; /* NULL in run0: the patterns' own */
    size_t nalts;
};

struct rule_map {
    char *name;
    char **values;
    size_t nvalues, capvalues;
    rule_alt *alts;
    size_t nalts, capalts;
    rule_map_run run0;
};

rule_map *rule_map_new(const char *name)
{
    rule_map *m = thk_xcalloc(1, sizeof *m);
    m->name = thk_xstrdup(name ? name : "");
    m->run0.last_alt = -1;
    return m;
}

rule_map_run *rule_map_run_new(const rule_map *m)
{
    rule_map_run *r = thk_xcalloc(1, sizeof *r);
    r->last_alt = -1;
    r->nalts = m->nalts;
    r->alts = thk_xcalloc(m->nalts + 1, sizeof *r->alts);
    for (size_t i = 0; i < m->nalts; i++)
        r->alts[i] = rule_pat_run_new(m->alts[i].pat);
    return r;
}

void rule_map_run_free(rule_map_run *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nalts; i++)
        rule_pat_run_free(r->alts[i]);
    free(r->alts);
    memo_free(&r->memo);
    buf_free(&r->fold);
    free(r);
}

void rule_map_free(rule_map *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nalts; i++) {
        rule_pat_free(m->alts[i].pat);
        free(m->alts[i].pattern);
    }
    free(m->alts);
    for (size_t i = 0; i < m->nvalues; i++)
        free(m->values[i]);
    free(m->values);
    memo_free(&m->run0.memo);
    buf_free(&m->run0.fold);
    free(m->name);
    free(m);
}

const char *rule_map_name(const rule_map *m)
{
    return m->name;
}

int rule_map_add(rule_map *m, const char *value, const char *pattern, size_t len, unsigned flags,
                 char *err, size_t errsz, size_t *erroff)
{
    rule_pat *p = rule_pat_compile(pattern, len, flags, err, errsz, erroff);
    if (!p)
        return -1;
    int v = rule_map_value_index(m, value);
    if (v < 0) {
        if (m->nvalues == m->capvalues) {
            m->capvalues = m->capvalues ? m->capvalues * 2 : 8;
            m->values = thk_xrealloc(m->values, m->capvalues * sizeof *m->values);
        }
        m->values[m->nvalues] = thk_xstrdup(value);
        v = (int)m->nvalues++;
    }
    if (m->nalts == m->capalts) {
        m->capalts = m->capalts ? m->capalts * 2 : 8;
        m->alts = thk_xrealloc(m->alts, m->capalts * sizeof *m->alts);
    }
    rule_alt *a = &m->alts[m->nalts];
    a->pat = p;
    a->pattern = thk_xmalloc(len + 1);
    if (len)
        memcpy(a->pattern, pattern, len);
    a->pattern[len] = '\0';
    a->value = v;
    a->hits = 0;
    /* Remembered answers predate this alternative and may now be wrong. */
    memo_free(&m->run0.memo);
    return (int)m->nalts++;
}

size_t rule_map_value_count(const rule_map *m)
{
    return m->nvalues;
}

const char *rule_map_value_name(const rule_map *m, size_t i)
{
    return i < m->nvalues ? m->values[i] : NULL;
}

int rule_map_value_index(const rule_map *m, const char *name)
{
    for (size_t i = 0; i < m->nvalues; i++)
        if (strcmp(m->values[i], name) == 0)
            return (int)i;
    return -1;
}

size_t rule_map_alt_count(const rule_map *m)
{
    return m->nalts;
}

int rule_map_alt_value(const rule_map *m, size_t i)
{
    return i < m->nalts ? m->alts[i].value : -1;
}

const char *rule_map_alt_pattern(const rule_map *m, size_t i)
{
    return i < m->nalts ? m->alts[i].pattern : NULL;
}

/* A lookup that hits a pattern limit stops there (a later alternative cannot be trusted to be
 * the first match); last_alt then names the alternative whose pattern hit the limit, and no
 * hit is counted. */
int rule_map_lookup_in(const rule_map *m, rule_map_run *run, const char *text, size_t len)
{
    uint64_t h = strpool_hash(text, len); /* the texts are compared on a hit */
    int32_t res, alt;
    if (!memo_get(&run->memo, text, len, h, &res, &alt)) {
        res = RULE_MAP_NOMATCH;
        alt = -1;
        bool folded = false;
        for (size_t i = 0; i < m->nalts; i++) {
            rule_pat *p = m->alts[i].pat;
            const char *subj = text;
            size_t n = len;
            if (p->flags & RULE_PAT_A) {
                if (!folded) {
                    text_fold_accents(text, len, &run->fold);
                    folded = true;
                }
                subj = run->fold.data ? run->fold.data : "";
                n = run->fold.len;
            }
            int r = rule_pat_exec(p, run->alts ? run->alts[i] : &p->run0, subj, n);
            if (r == RULE_MATCH_NO)
                continue;
            alt = (int32_t)i;
            res = r == RULE_MATCH_YES ? m->alts[i].value : RULE_MAP_LIMIT;
            break;
        }
        memo_put(&run->memo, text, len, h, res, alt);
    }
    run->last_alt = alt;
    return res;
}

int rule_map_lookup(rule_map *m, const char *text, size_t len)
{
    int res = rule_map_lookup_in(m, &m->run0, text, len);
    if (res >= 0)
        m->alts[m->run0.last_alt].hits++;
    return res;
}

int rule_map_last_alt(const rule_map *m)
{
    return m->run0.last_alt;
}

int rule_map_run_last_alt(const rule_map_run *r)
{
    return r->last_alt;
}

size_t rule_map_alt_hits(const rule_map *m, size_t i)
{
    return i < m->nalts ? m->alts[i].hits : 0;
}

void rule_map_reset_hits(rule_map *m)
{
    for (size_t i = 0; i < m->nalts; i++)
        m->alts[i].hits = 0;
    m->run0.last_alt = -1;
}
