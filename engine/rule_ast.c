/* rule_ast — the arena and small helpers of the rule syntax tree. */
#include "rule_ast.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK 65536

typedef struct arena_chunk {
    struct arena_chunk *next;
    size_t used, cap;
    max_align_t data[];
} arena_chunk;

struct rule_arena {
    arena_chunk *head;
};

rule_arena *rule_arena_new(void)
{
    return thk_xcalloc(1, sizeof(rule_arena));
}

void rule_arena_free(rule_arena *a)
{
    if (!a)
        return;
    arena_chunk *c = a->head;
    while (c) {
        arena_chunk *n = c->next;
        free(c);
        c = n;
    }
    free(a);
}

/* n bytes at a multiple of `align` (a power of two) in the newest chunk, or a new chunk. */
static void *arena_take(rule_arena *a, size_t n, size_t align)
{
    arena_chunk *c = a->head;
    size_t at = c ? (c->used + align - 1) & ~(align - 1) : 0;
    if (!c || at > c->cap || c->cap - at < n) {
        size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;
        c = thk_xmalloc(sizeof *c + cap);
        c->next = a->head;
        c->cap = cap;
        a->head = c;
        at = 0;
    }
    void *p = (char *)c->data + at;
    c->used = at + n;
    return p;
}

void *rule_arena_alloc(rule_arena *a, size_t n)
{
    void *p = arena_take(a, n ? n : 1, sizeof(max_align_t));
    memset(p, 0, n ? n : 1);
    return p;
}

/* Strings need no alignment: names and words of a 12 MB rule file pack tightly. */
char *rule_arena_strndup(rule_arena *a, const char *s, size_t n)
{
    char *d = arena_take(a, n + 1, 1);
    if (n)
        memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

void *rule_arena_push(rule_arena *a, void *arrp, size_t *n, size_t *cap, size_t size)
{
    void *arr;
    memcpy(&arr, arrp, sizeof arr);
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 4;
        void *narr = rule_arena_alloc(a, ncap * size);
        if (*n)
            memcpy(narr, arr, *n * size);
        arr = narr;
        *cap = ncap;
        memcpy(arrp, &arr, sizeof arr);
    }
    void *el = (char *)arr + *n * size;
    memset(el, 0, size);
    (*n)++;
    return el;
}

rule_ast *rule_ast_new(void)
{
    rule_ast *a = thk_xcalloc(1, sizeof *a);
    a->arena = rule_arena_new();
    return a;
}

void rule_ast_free(rule_ast *a)
{
    if (!a)
        return;
    rule_arena_free(a->arena);
    free(a);
}

rule_expr *rule_ast_expr(rule_ast *a, rule_expr_kind kind, rule_loc loc)
{
    rule_expr *e = rule_arena_alloc(a->arena, sizeof *e);
    e->kind = kind;
    e->loc = loc;
    return e;
}

static const char *const ast_cmp_names[] = {"=", "!=", "<", "<=", ">", ">="};
static const char *const ast_unit_names[] = {"days", "months", "years"};

void rule_ast_dump(const rule_expr *e, thk_buf *out)
{
    if (!e) {
        buf_printf(out, "<nil>");
        return;
    }
    switch (e->kind) {
    case EX_INT:
        buf_printf(out, "%" PRId64, e->i);
        break;
    case EX_PERCENT:
        buf_printf(out, "%" PRId64 "%%", e->i);
        break;
    case EX_STRING:
        buf_printf(out, "\"%s\"", e->s);
        break;
    case EX_DATE:
        buf_printf(out, "date:%" PRId64, e->i);
        break;
    case EX_DURATION:
        buf_printf(out, "%" PRId64 "%s", e->i, ast_unit_names[e->op]);
        break;
    case EX_BOOL:
        buf_printf(out, e->i ? "true" : "false");
        break;
    case EX_NULL:
        buf_printf(out, "null");
        break;
    case EX_NAME:
        buf_printf(out, "%s", e->s);
        break;
    case EX_CALL:
        buf_printf(out, "(%s", e->s);
        for (size_t i = 0; i < e->nargs; i++) {
            buf_putc(out, ' ');
            rule_ast_dump(e->args[i], out);
        }
        if (e->where) {
            buf_printf(out, " where ");
            rule_ast_dump(e->where, out);
        }
        buf_putc(out, ')');
        break;
    case EX_NEG:
    case EX_NOT:
        buf_printf(out, "(%s ", e->kind == EX_NEG ? "neg" : "not");
        rule_ast_dump(e->a, out);
        buf_putc(out, ')');
        break;
    case EX_AND:
    case EX_OR:
    case EX_CMP:
    case EX_ADD:
    case EX_SUB:
        buf_printf(out, "(%s ", e->kind == EX_AND  ? "and"
                                : e->kind == EX_OR ? "or"
                                : e->kind == EX_ADD ? "+"
                                : e->kind == EX_SUB ? "-"
                                                    : ast_cmp_names[e->op]);
        rule_ast_dump(e->a, out);
        buf_putc(out, ' ');
        rule_ast_dump(e->b, out);
        buf_putc(out, ')');
        break;
    case EX_IN:
        buf_printf(out, "(in ");
        rule_ast_dump(e->a, out);
        for (size_t i = 0; i < e->nargs; i++) {
            buf_putc(out, ' ');
            rule_ast_dump(e->args[i], out);
        }
        buf_putc(out, ')');
        break;
    case EX_MATCH:
        buf_printf(out, "(~ ");
        rule_ast_dump(e->a, out);
        buf_printf(out, " /%.*s/", (int)e->slen, e->s);
        if (e->flags & 1)
            buf_putc(out, 'i');
        if (e->flags & 2)
            buf_putc(out, 'a');
        if (e->flags & 4)
            buf_putc(out, 'x');
        buf_putc(out, ')');
        break;
    }
}
