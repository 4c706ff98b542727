/* rule_parse — recursive-descent parser of rule files into the syntax tree (rule_ast).
 *
 * Each function starts with the grammar rule it reads. Errors are reported where they are found
 * and the parser resynchronises at the next item of the enclosing block (or the next top-level
 * item), so one run shows every syntax error. Includes are read and parsed where they stand;
 * their path is relative to the including file, a cycle is an error, a file already read (a
 * diamond) is skipped. */
#include "rule_parse.h"
#include "strpool.h"

#include "read_text.h"
#include "rule_lex.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PARSE_MAX_DEPTH 200       /* expression and group nesting */
/* The height of one expression tree: a chain "a and b and ... " of n operators is a tree n
 * high, and the compiler and evaluator walk trees recursively, so 20,000 operands would
 * overflow the stack. Refused with a located message instead. */
#define PARSE_MAX_HEIGHT 1000
#define PARSE_MAX_INCLUDE 32      /* include nesting */
#define PARSE_MAX_FILE (16u << 20) /* bytes of one rule file */

/* State shared by the files of one run: the include stack and the files already read. */
typedef struct {
    rule_diag *d;
    rule_ast *ast;
    char **stack; /* canonical paths of the files being parsed */
    char **shown; /* their names as shown in messages */
    size_t nstack;
    char **done;  /* canonical paths of files parsed completely */
    size_t ndone;
    strpool *colsets; /* names of the column sets defined so far; id - 1 is the set's index */
} parse_run;

typedef struct {
    parse_run *run;
    rule_diag *d;
    rule_ast *ast;
    rule_lexer lx;
    rule_tok cur;
    uint32_t prev_end; /* end offset of the token before cur */
    int depth;
    size_t nodes; /* expression nodes made so far (a tree's height is at most its nodes) */
} parser;

static void p_file(parser *p);
static bool p_colset(parser *p, rule_loc open);
static rule_expr *p_expr(parser *p);
static rule_expr *p_add(parser *p);

/* ---- tokens --------------------------------------------------------------------------------- */

/* Consumes the current token and reads the next one in `mode`; a lexical error is reported
 * here, once, and comes back as TK_ERROR. */
static void p_next_mode(parser *p, rule_lex_mode mode)
{
    p->prev_end = p->cur.loc.off + p->cur.loc.len;
    rule_lex_next(&p->lx, mode, &p->cur);
    if (p->cur.kind == TK_ERROR)
        rule_diag_error(p->d, p->cur.eloc, "%s", p->cur.s);
}

static void p_next(parser *p)
{
    p_next_mode(p, LEX_NORMAL);
}

static bool p_is(const parser *p, rule_tok_kind k)
{
    return p->cur.kind == k;
}

static bool p_accept(parser *p, rule_tok_kind k)
{
    if (p->cur.kind != k)
        return false;
    p_next(p);
    return true;
}

/* True when the current token is the contextual word w (an IDENT such as `header`). */
static bool p_is_word(const parser *p, const char *w)
{
    return p->cur.kind == TK_IDENT && strcmp(p->cur.s, w) == 0;
}

/* Describes the current token for "found ..." in messages. */
static void p_found(const parser *p, char *out, size_t n)
{
    const rule_tok *t = &p->cur;
    switch (t->kind) {
    case TK_IDENT:
        snprintf(out, n, "tên '%s'", t->s);
        break;
    case TK_WORD:
        snprintf(out, n, "'%s'", t->s);
        break;
    case TK_STRING:
        snprintf(out, n, "string \"%.40s\"", t->s);
        break;
    default:
        snprintf(out, n, "%s", rule_tok_kind_name(t->kind));
        break;
    }
}

/* Reports "expected <what>, found <token>" (nothing when the token is a lexical error, which
 * was reported already). Returns false for convenience. */
static bool p_expected(parser *p, const char *what)
{
    if (p->cur.kind == TK_ERROR)
        return false;
    char found[96];
    p_found(p, found, sizeof found);
    rule_diag_error(p->d, p->cur.loc, "cần %s, gặp %s", what, found);
    return false;
}

static bool p_expect(parser *p, rule_tok_kind k)
{
    if (p_accept(p, k))
        return true;
    return p_expected(p, rule_tok_kind_name(k));
}

static const char *p_str(parser *p, const char *s, size_t n)
{
    return rule_arena_strndup(p->ast->arena, s, n);
}

/* IDENT ; the name is copied into the arena. */
static bool p_ident(parser *p, const char *what, const char **out, rule_loc *loc)
{
    if (!p_is(p, TK_IDENT))
        return p_expected(p, what);
    *out = p->cur.s;
    if (loc)
        *loc = p->cur.loc;
    p_next(p);
    return true;
}

/* STRING */
static bool p_string(parser *p, const char *what, const char **out, rule_loc *loc)
{
    if (!p_is(p, TK_STRING))
        return p_expected(p, what);
    *out = p->cur.s;
    if (loc)
        *loc = p->cur.loc;
    p_next(p);
    return true;
}

static bool p_top_keyword(rule_tok_kind k)
{
    switch (k) {
    case TK_VERSION:
    case TK_INCLUDE:
    case TK_PERIOD:
    case TK_WORKBOOK:
    case TK_COLUMNS:
    case TK_MAP:
    case TK_LABELS:
    case TK_LET:
    case TK_TARGET:
    case TK_FORM:
    case TK_LIST:
    case TK_TEST:
    case TK_CONTINUITY:
    case TK_SCREEN:
        return true;
    default:
        return false;
    }
}

/* Keywords that can only start a top-level item (so they also end an unclosed block). */
static bool p_top_only(rule_tok_kind k)
{
    return p_top_keyword(k) && k != TK_PERIOD && k != TK_TARGET;
}

/* Skips to the next top-level item after an error. */
static void p_sync_top(parser *p)
{
    int depth = 0;
    while (!p_is(p, TK_EOF)) {
        if (depth == 0 && p_top_keyword(p->cur.kind))
            return;
        if (p_is(p, TK_LBRACE))
            depth++;
        else if (p_is(p, TK_RBRACE) && depth > 0)
            depth--;
        p_next(p);
    }
}

/* Skips to the next item of a block (one of `starts`), its closing brace, or a keyword that can
 * only start a top-level item. */
static void p_sync_body(parser *p, const rule_tok_kind *starts, size_t n)
{
    int depth = 0;
    bool moved = false;
    while (!p_is(p, TK_EOF)) {
        if (depth == 0) {
            if (p_is(p, TK_RBRACE) || p_top_only(p->cur.kind))
                return;
            for (size_t i = 0; i < n && moved; i++)
                if (p->cur.kind == starts[i])
                    return;
        }
        if (p_is(p, TK_LBRACE))
            depth++;
        else if (p_is(p, TK_RBRACE))
            depth--;
        p_next(p);
        moved = true;
    }
}

/* Reads the closing '}' of a block opened at `open`. */
static bool p_close(parser *p, rule_loc open, const char *what)
{
    if (p_accept(p, TK_RBRACE))
        return true;
    if (p->cur.kind == TK_ERROR)
        return false;
    char found[96], where[256];
    p_found(p, found, sizeof found);
    rule_diag_where(p->d, open, where, sizeof where);
    rule_diag_error(p->d, p->cur.loc, "cần '}' để đóng %s mở ở %s, gặp %s", what,
                    where, found);
    return false;
}

/* ---- expressions ---------------------------------------------------------------------------- */

static rule_expr *p_node(parser *p, rule_expr_kind k, rule_loc loc)
{
    p->nodes++;
    return rule_ast_expr(p->ast, k, loc);
}

static rule_expr **p_push_arg(parser *p, rule_expr *e, size_t *cap)
{
    return rule_arena_push(p->ast->arena, &e->args, &e->nargs, cap, sizeof *e->args);
}

static bool p_enter(parser *p)
{
    if (++p->depth > PARSE_MAX_DEPTH) {
        rule_diag_error(p->d, p->cur.loc, "biểu thức lồng quá sâu");
        return false;
    }
    return true;
}

/* args = expr { "," expr } | expr "where" expr ; (the caller has read "(" and reads ")") */
static bool p_args(parser *p, rule_expr *call)
{
    size_t cap = 0;
    if (p_is(p, TK_RPAREN))
        return true;
    rule_expr *a = p_expr(p);
    if (!a)
        return false;
    *p_push_arg(p, call, &cap) = a;
    if (p_accept(p, TK_WHERE)) {
        call->where = p_expr(p);
        return call->where != NULL;
    }
    while (p_accept(p, TK_COMMA)) {
        a = p_expr(p);
        if (!a)
            return false;
        *p_push_arg(p, call, &cap) = a;
    }
    return true;
}

/* primary = INT | PERCENT | STRING | DATE | DURATION | "true" | "false" | "null"
 *         | IDENT [ "(" [ args ] ")" ] | "(" expr ")" ;
 * (count, sum, percent and target are keywords that also name functions) */
static rule_expr *p_primary(parser *p)
{
    rule_tok t = p->cur;
    rule_expr *e;
    switch (t.kind) {
    case TK_INT:
        e = p_node(p, EX_INT, t.loc);
        e->i = t.i;
        p_next(p);
        return e;
    case TK_PERCENT:
        e = p_node(p, EX_PERCENT, t.loc);
        e->i = t.i;
        p_next(p);
        return e;
    case TK_STRING:
        e = p_node(p, EX_STRING, t.loc);
        e->s = t.s;
        e->slen = t.slen;
        p_next(p);
        return e;
    case TK_DATE:
        e = p_node(p, EX_DATE, t.loc);
        e->i = t.i;
        p_next(p);
        return e;
    case TK_DURATION:
        e = p_node(p, EX_DURATION, t.loc);
        e->i = t.i;
        e->op = (int)t.j;
        p_next(p);
        return e;
    case TK_TRUE:
    case TK_FALSE:
        e = p_node(p, EX_BOOL, t.loc);
        e->i = t.kind == TK_TRUE;
        p_next(p);
        return e;
    case TK_NULL:
        p_next(p);
        return p_node(p, EX_NULL, t.loc);
    case TK_IDENT:
    case TK_COUNT:
    case TK_SUM:
    case TK_PERCENT_FN:
    case TK_TARGET:
        p_next(p);
        if (!p_is(p, TK_LPAREN)) {
            if (t.kind != TK_IDENT) {
                p_expected(p, "'(' sau tên hàm");
                return NULL;
            }
            e = p_node(p, EX_NAME, t.loc);
            e->s = t.s;
            e->slen = t.slen;
            return e;
        }
        p_next(p);
        e = p_node(p, EX_CALL, t.loc);
        e->s = t.s;
        e->slen = t.slen;
        if (!p_args(p, e) || !p_expect(p, TK_RPAREN))
            return NULL;
        return e;
    case TK_LPAREN:
        p_next(p);
        e = p_expr(p);
        if (!e || !p_expect(p, TK_RPAREN))
            return NULL;
        return e;
    case TK_PATTERN:
        rule_diag_error(p->d, t.loc, "mẫu (pattern) chỉ đứng sau '~' hoặc trong một map");
        p_next(p);
        return NULL;
    default:
        p_expected(p, "một giá trị hoặc một tên");
        return NULL;
    }
}

/* unary = "-" unary | primary ; */
static rule_expr *p_unary(parser *p)
{
    if (!p_enter(p))
        return NULL;
    rule_expr *e;
    if (p_is(p, TK_MINUS)) {
        rule_loc loc = p->cur.loc;
        p_next(p);
        rule_expr *a = p_unary(p);
        e = NULL;
        if (a) {
            e = p_node(p, EX_NEG, loc);
            e->a = a;
        }
    } else {
        e = p_primary(p);
    }
    p->depth--;
    return e;
}

/* add = unary { ("+" | "-") unary } ; */
static rule_expr *p_add(parser *p)
{
    rule_expr *e = p_unary(p);
    while (e && (p_is(p, TK_PLUS) || p_is(p, TK_MINUS))) {
        rule_expr *n = p_node(p, p_is(p, TK_PLUS) ? EX_ADD : EX_SUB, p->cur.loc);
        p_next(p);
        n->a = e;
        n->b = p_unary(p);
        e = n->b ? n : NULL;
    }
    return e;
}

static int p_cmp_op(rule_tok_kind k)
{
    switch (k) {
    case TK_EQ: return CMP_EQ;
    case TK_NE: return CMP_NE;
    case TK_LT: return CMP_LT;
    case TK_LE: return CMP_LE;
    case TK_GT: return CMP_GT;
    case TK_GE: return CMP_GE;
    default: return -1;
    }
}

/* cmp = add [ ("=" | "!=" | "<" | "<=" | ">" | ">=") add
 *           | "in" "(" operand { "," operand } ")"
 *           | "~" PATTERN ] ; */
static rule_expr *p_cmp(parser *p)
{
    rule_expr *a = p_add(p);
    if (!a)
        return NULL;
    rule_expr *e = a;
    int op = p_cmp_op(p->cur.kind);
    if (op >= 0) {
        e = p_node(p, EX_CMP, p->cur.loc);
        e->op = op;
        p_next(p);
        e->a = a;
        e->b = p_add(p);
        if (!e->b)
            return NULL;
    } else if (p_is(p, TK_IN)) {
        e = p_node(p, EX_IN, p->cur.loc);
        e->a = a;
        p_next(p);
        if (!p_expect(p, TK_LPAREN))
            return NULL;
        size_t cap = 0;
        do {
            rule_expr *o = p_add(p);
            if (!o)
                return NULL;
            *p_push_arg(p, e, &cap) = o;
        } while (p_accept(p, TK_COMMA));
        if (!p_expect(p, TK_RPAREN))
            return NULL;
    } else if (p_is(p, TK_TILDE)) {
        e = p_node(p, EX_MATCH, p->cur.loc);
        e->a = a;
        p_next(p);
        if (!p_is(p, TK_PATTERN)) {
            p_expected(p, "một mẫu /.../ sau '~'");
            return NULL;
        }
        e->s = p->cur.s;
        e->slen = p->cur.slen;
        e->flags = (unsigned)p->cur.j;
        e->ploc = p->cur.loc;
        p_next(p);
    }
    if (e != a && (p_cmp_op(p->cur.kind) >= 0 || p_is(p, TK_IN) || p_is(p, TK_TILDE))) {
        rule_diag_error(p->d, p->cur.loc,
                        "không nối các phép so sánh liền nhau được; hãy ghép bằng 'and'");
        return NULL;
    }
    return e;
}

/* not = "not" not | cmp ; */
static rule_expr *p_not(parser *p)
{
    if (!p_enter(p))
        return NULL;
    rule_expr *e;
    if (p_is(p, TK_NOT)) {
        rule_loc loc = p->cur.loc;
        p_next(p);
        rule_expr *a = p_not(p);
        e = NULL;
        if (a) {
            e = p_node(p, EX_NOT, loc);
            e->a = a;
        }
    } else {
        e = p_cmp(p);
    }
    p->depth--;
    return e;
}

/* and = not { "and" not } ; */
static rule_expr *p_and(parser *p)
{
    rule_expr *e = p_not(p);
    while (e && p_is(p, TK_AND)) {
        rule_expr *n = p_node(p, EX_AND, p->cur.loc);
        p_next(p);
        n->a = e;
        n->b = p_not(p);
        e = n->b ? n : NULL;
    }
    return e;
}

/* The height of the tree under root (1 for a leaf), walked with an explicit stack; stops
 * counting past limit. */
static size_t p_height(const rule_expr *root, size_t limit)
{
    typedef struct {
        const rule_expr *e;
        size_t h;
    } frame;
    size_t cap = 64, n = 0, best = 0;
    frame *st = thk_xmalloc(cap * sizeof *st);
    st[n++] = (frame){root, 1};
    while (n > 0 && best <= limit) {
        frame f = st[--n];
        if (f.h > best)
            best = f.h;
        const rule_expr *kids[3] = {f.e->a, f.e->b, f.e->where};
        size_t need = n + 3 + f.e->nargs;
        if (need > cap) {
            while (cap < need)
                cap *= 2;
            st = thk_xrealloc(st, cap * sizeof *st);
        }
        for (int k = 0; k < 3; k++)
            if (kids[k])
                st[n++] = (frame){kids[k], f.h + 1};
        for (size_t k = 0; k < f.e->nargs; k++)
            if (f.e->args[k])
                st[n++] = (frame){f.e->args[k], f.h + 1};
    }
    free(st);
    return best;
}

/* expr = or ; or = and { "or" and } ; */
static rule_expr *p_expr(parser *p)
{
    if (!p_enter(p))
        return NULL;
    size_t nodes0 = p->nodes;
    rule_expr *e = p_and(p);
    while (e && p_is(p, TK_OR)) {
        rule_expr *n = p_node(p, EX_OR, p->cur.loc);
        p_next(p);
        n->a = e;
        n->b = p_and(p);
        e = n->b ? n : NULL;
    }
    /* only a tree of more nodes than the limit can be taller than it: the walk is for those */
    if (e && p->depth == 1 && p->nodes - nodes0 > PARSE_MAX_HEIGHT &&
        p_height(e, PARSE_MAX_HEIGHT) > PARSE_MAX_HEIGHT) {
        const rule_expr *first = e; /* the chain's first operand: where it starts */
        while (first->a)
            first = first->a;
        rule_diag_error(p->d, first->loc,
                        "biểu thức quá dài: hơn %d phép toán nối nhau từ đây; hãy tách thành "
                        "nhiều let",
                        PARSE_MAX_HEIGHT);
        e = NULL;
    }
    p->depth--;
    return e;
}

/* ---- simple items --------------------------------------------------------------------------- */

/* version = "version" STRING ; */
static bool p_version(parser *p)
{
    p_next(p);
    rule_str_ast *v = rule_arena_push(p->ast->arena, &p->ast->versions, &p->ast->nversions,
                                      &p->ast->versions_cap, sizeof *v);
    return p_string(p, "chuỗi phiên bản", &v->text, &v->loc);
}

/* period = "period" "{" { IDENT "=" (DAYMONTH | INT | STRING) } "}" ;
 * workbook = "workbook" "{" { IDENT "=" (DAYMONTH | INT | STRING) } "}" ; */
static bool p_period(parser *p)
{
    int block = p_is(p, TK_WORKBOOK) ? RULE_BLOCK_WORKBOOK : RULE_BLOCK_PERIOD;
    rule_loc open = p->cur.loc;
    p_next(p);
    if (!p_expect(p, TK_LBRACE))
        return false;
    while (!p_is(p, TK_RBRACE) && !p_is(p, TK_EOF) && !p_top_only(p->cur.kind)) {
        rule_setting_ast *s = rule_arena_push(p->ast->arena, &p->ast->settings,
                                              &p->ast->nsettings, &p->ast->settings_cap,
                                              sizeof *s);
        s->block = block;
        bool ok = p_ident(p, block == RULE_BLOCK_PERIOD ? "tên thiết lập (year_start)"
                                                        : "tên thiết lập workbook",
                          &s->key, &s->loc) &&
                  p_expect(p, TK_EQ);
        if (ok) {
            s->vloc = p->cur.loc;
            if (p_is(p, TK_DAYMONTH)) {
                s->kind = 0;
                s->day = (int)p->cur.i;
                s->month = (int)p->cur.j;
            } else if (p_is(p, TK_INT)) {
                s->kind = 1;
                s->i = p->cur.i;
            } else if (p_is(p, TK_STRING)) {
                s->kind = 2;
                s->s = p->cur.s;
            } else {
                ok = p_expected(p, "ngày/tháng (01/10), một số hoặc một chuỗi");
            }
            if (ok)
                p_next(p);
        }
        if (!ok) {
            p->ast->nsettings--;
            static const rule_tok_kind none[] = {TK_IDENT};
            p_sync_body(p, none, 1);
        }
    }
    return p_close(p, open, block == RULE_BLOCK_PERIOD ? "khối period" : "khối workbook");
}

/* columns = "columns" ("cases" | "events" | "thahc") "{" { IDENT "=" STRING { "," STRING } } "}" ; */
static bool p_columns(parser *p)
{
    rule_loc open = p->cur.loc;
    p_next(p);
    int kind;
    if (p_is_word(p, "cases"))
        kind = RULE_FILE_CASES;
    else if (p_is_word(p, "events"))
        kind = RULE_FILE_EVENTS;
    else if (p_is(p, TK_THAHC))
        kind = RULE_FILE_THAHC;
    else if (p_is(p, TK_IDENT))
        return p_colset(p, open);
    else
        return p_expected(p, "cases, events, thahc hoặc tên một bộ cột");
    p_next(p);
    if (!p_expect(p, TK_LBRACE))
        return false;
    while (!p_is(p, TK_RBRACE) && !p_is(p, TK_EOF) && !p_top_only(p->cur.kind)) {
        rule_alias_ast *a = rule_arena_push(p->ast->arena, &p->ast->aliases, &p->ast->naliases,
                                            &p->ast->aliases_cap, sizeof *a);
        a->kind = kind;
        bool ok = p_ident(p, "tên cột", &a->column, &a->loc) && p_expect(p, TK_EQ);
        while (ok) {
            rule_str_ast *s = rule_arena_push(p->ast->arena, &a->aliases, &a->naliases,
                                              &a->cap, sizeof *s);
            ok = p_string(p, "tiêu đề cột trong ngoặc kép", &s->text, &s->loc);
            if (!ok || !p_accept(p, TK_COMMA))
                break;
        }
        if (!ok) {
            p->ast->naliases--;
            static const rule_tok_kind none[] = {TK_IDENT};
            p_sync_body(p, none, 1);
        }
    }
    return p_close(p, open, "khối columns");
}

/* map = "map" IDENT "{" { IDENT "=" PATTERN } "}" ; */
static bool p_map(parser *p)
{
    rule_loc open = p->cur.loc;
    p_next(p);
    rule_map_ast *m = rule_arena_push(p->ast->arena, &p->ast->maps, &p->ast->nmaps,
                                      &p->ast->maps_cap, sizeof *m);
    if (!p_ident(p, "tên map", &m->name, &m->loc) || !p_expect(p, TK_LBRACE)) {
        p->ast->nmaps--;
        return false;
    }
    while (!p_is(p, TK_RBRACE) && !p_is(p, TK_EOF) && !p_top_only(p->cur.kind)) {
        rule_alt_ast *a = rule_arena_push(p->ast->arena, &m->alts, &m->nalts, &m->cap,
                                          sizeof *a);
        bool ok = p_ident(p, "tên giá trị", &a->value, &a->loc) && p_expect(p, TK_EQ);
        if (ok && !p_is(p, TK_PATTERN))
            ok = p_expected(p, "một mẫu /.../");
        if (ok) {
            a->pat = p->cur.s;
            a->plen = p->cur.slen;
            a->flags = (unsigned)p->cur.j;
            a->ploc = p->cur.loc;
            p_next(p);
        } else {
            m->nalts--;
            static const rule_tok_kind none[] = {TK_IDENT};
            p_sync_body(p, none, 1);
        }
    }
    return p_close(p, open, "map");
}

/* labels = "labels" IDENT "{" { IDENT STRING } "}" ; */
static bool p_labels(parser *p)
{
    rule_loc open = p->cur.loc;
    p_next(p);
    rule_labels_ast *l = rule_arena_push(p->ast->arena, &p->ast->labels, &p->ast->nlabels,
                                         &p->ast->labels_cap, sizeof *l);
    if (!p_ident(p, "tên miền giá trị (state, condition hoặc một map)", &l->name, &l->loc) ||
        !p_expect(p, TK_LBRACE)) {
        p->ast->nlabels--;
        return false;
    }
    while (!p_is(p, TK_RBRACE) && !p_is(p, TK_EOF) && !p_top_only(p->cur.kind)) {
        rule_label_ast *it = rule_arena_push(p->ast->arena, &l->items, &l->nitems, &l->cap,
                                             sizeof *it);
        bool ok = p_ident(p, "tên giá trị", &it->value, &it->loc);
        if (ok && !p_is(p, TK_STRING))
            ok = p_expected(p, "nhãn của giá trị \"...\"");
        if (ok) {
            it->label = p->cur.s;
            p_next(p);
        } else {
            l->nitems--;
            static const rule_tok_kind none[] = {TK_IDENT};
            p_sync_body(p, none, 1);
        }
    }
    return p_close(p, open, "labels");
}

/* let = "let" IDENT "=" expr ; */
static bool p_let(parser *p)
{
    p_next(p);
    rule_let_ast *l = rule_arena_push(p->ast->arena, &p->ast->lets, &p->ast->nlets,
                                      &p->ast->lets_cap, sizeof *l);
    if (!p_ident(p, "tên let", &l->name, &l->loc) || !p_expect(p, TK_EQ) ||
        !(l->e = p_expr(p))) {
        p->ast->nlets--;
        return false;
    }
    return true;
}

/* target = "target" IDENT "=" PERCENT [ STRING ] ; */
static bool p_target(parser *p)
{
    p_next(p);
    rule_target_ast *t = rule_arena_push(p->ast->arena, &p->ast->targets, &p->ast->ntargets,
                                         &p->ast->targets_cap, sizeof *t);
    if (!p_ident(p, "tên chỉ tiêu", &t->name, &t->loc) || !p_expect(p, TK_EQ)) {
        p->ast->ntargets--;
        return false;
    }
    if (!p_is(p, TK_PERCENT)) {
        p->ast->ntargets--;
        return p_expected(p, "một tỷ lệ phần trăm như 84.50%");
    }
    t->v = p->cur.i;
    p_next(p);
    if (p_is(p, TK_STRING)) {
        t->label = p->cur.s;
        p_next(p);
    }
    return true;
}

/* ---- forms ---------------------------------------------------------------------------------- */

/* fixedrow = IDENT [ STRING ] ;
 * rowfield = IDENT [ "label" IDENT ] [ "header" STRING ] [ "fixed" "(" fixedrow { "," fixedrow } ")" ] ; */
static bool p_rowfield(parser *p, rule_form_ast *f)
{
    rule_rowfield_ast *r = rule_arena_push(p->ast->arena, &f->rows, &f->nrows, &f->rows_cap,
                                           sizeof *r);
    if (!p_ident(p, "tên trường dòng", &r->name, &r->loc))
        return false;
    for (;;) {
        if (p_is(p, TK_LABEL)) {
            p_next(p);
            if (!p_ident(p, "tên trường của nhãn", &r->label, &r->label_loc))
                return false;
        } else if (p_is_word(p, "header")) {
            p_next(p);
            if (!p_string(p, "tiêu đề", &r->header, NULL))
                return false;
        } else if (p_is(p, TK_FIXED)) {
            p_next(p);
            r->has_fixed = true;
            if (!p_expect(p, TK_LPAREN))
                return false;
            do {
                rule_fixed_ast *x = rule_arena_push(p->ast->arena, &r->fixed, &r->nfixed,
                                                    &r->cap, sizeof *x);
                if (!p_ident(p, "khóa dòng", &x->key, &x->loc))
                    return false;
                if (p_is(p, TK_STRING)) {
                    x->label = p->cur.s;
                    p_next(p);
                }
            } while (p_accept(p, TK_COMMA));
            if (!p_expect(p, TK_RPAREN))
                return false;
        } else {
            return true;
        }
    }
}

/* column = "column" IDENT STRING [ "width" INT ] [ "format" STRING ] [ "target" IDENT ]
 *          "=" expr ; */
static bool p_column(parser *p, rule_form_ast *f, int group)
{
    p_next(p);
    rule_column_ast *c = rule_arena_push(p->ast->arena, &f->cols, &f->ncols, &f->cols_cap,
                                         sizeof *c);
    c->group = group;
    if (!p_ident(p, "mã cột", &c->code, &c->loc) ||
        !p_string(p, "tên cột hiển thị", &c->label, NULL))
        goto fail;
    for (;;) {
        if (p_is(p, TK_WIDTH)) {
            p_next(p);
            if (!p_is(p, TK_INT)) {
                p_expected(p, "độ rộng tính bằng ký tự");
                goto fail;
            }
            if (p->cur.i < 1 || p->cur.i > 255) {
                rule_diag_error(p->d, p->cur.loc, "độ rộng phải từ 1 đến 255");
                goto fail;
            }
            c->width = (int)p->cur.i;
            p_next(p);
        } else if (p_is(p, TK_FORMAT)) {
            p_next(p);
            rule_loc floc = p->cur.loc;
            if (!p_string(p, "định dạng số như \"#,##0.0\"", &c->format, NULL))
                goto fail;
            if (!c->format[0] || strlen(c->format) > 64) {
                rule_diag_error(p->d, floc, "định dạng số phải dài 1 đến 64 byte");
                goto fail;
            }
        } else if (p_is(p, TK_TARGET)) {
            p_next(p);
            if (!p_ident(p, "tên chỉ tiêu", &c->target, &c->target_loc))
                goto fail;
        } else {
            break;
        }
    }
    if (!p_expect(p, TK_EQ) || !(c->e = p_expr(p)))
        goto fail;
    return true;
fail:
    f->ncols--;
    return false;
}

static const rule_tok_kind p_form_starts[] = {TK_MEASURE, TK_SOURCE, TK_CODE,   TK_SUBTITLE,
                                              TK_WHERE,   TK_ROWS,   TK_COLUMN, TK_GROUP,
                                              TK_CHECK};
#define P_NFORM_STARTS (sizeof p_form_starts / sizeof p_form_starts[0])

/* The column set named `name`, or NULL: a hash lookup (a file of 100,000 sets stays linear). */
static const rule_form_ast *p_colset_find(const parser *p, const char *name)
{
    uint32_t id = p->run->colsets ? strpool_find(p->run->colsets, name, strlen(name))
                                  : STRPOOL_NONE;
    return id == STRPOOL_NONE || id == 0 ? NULL : &p->ast->colsets[id - 1];
}

/* use = "use" IDENT ; copies the columns, groups and checks of column set IDENT into f, in
 * place, under group `parent`. A set is defined before it is used (includes are read in
 * place, so order is well defined), which also rules out cycles: a set naming itself is the
 * one cycle possible, and is reported as such. */
static bool p_use(parser *p, rule_form_ast *f, int parent)
{
    p_next(p);
    const char *name;
    rule_loc loc;
    if (!p_ident(p, "tên một bộ cột", &name, &loc))
        return false;
    const rule_form_ast *set = p_colset_find(p, name);
    if (set == f) {
        rule_diag_error(p->d, loc, "bộ cột '%s' dùng chính nó (vòng lặp)", name);
        return false;
    }
    if (!set) {
        rule_diag_error(p->d, loc,
                        "bộ cột không có: '%s' (khai bằng 'columns %s { ... }' trước các biểu "
                        "dùng nó)",
                        name, name);
        return false;
    }
    int goff = (int)f->ngroups;
    for (size_t i = 0; i < set->ngroups; i++) {
        rule_group_ast *g = rule_arena_push(p->ast->arena, &f->groups, &f->ngroups,
                                            &f->groups_cap, sizeof *g);
        *g = set->groups[i];
        g->parent = g->parent < 0 ? parent : g->parent + goff;
    }
    for (size_t i = 0; i < set->ncols; i++) {
        rule_column_ast *c = rule_arena_push(p->ast->arena, &f->cols, &f->ncols, &f->cols_cap,
                                             sizeof *c);
        *c = set->cols[i];
        c->group = c->group < 0 ? parent : c->group + goff;
    }
    for (size_t i = 0; i < set->nchecks; i++) {
        rule_check_ast *c = rule_arena_push(p->ast->arena, &f->checks, &f->nchecks,
                                            &f->checks_cap, sizeof *c);
        *c = set->checks[i];
    }
    return true;
}

/* group = "group" STRING "{" { column | group | use } "}" ; */
static bool p_group(parser *p, rule_form_ast *f, int parent)
{
    rule_loc open = p->cur.loc;
    if (p->depth >= PARSE_MAX_DEPTH) {
        rule_diag_error(p->d, open, "các nhóm cột lồng quá sâu");
        return false;
    }
    p_next(p);
    rule_group_ast *g = rule_arena_push(p->ast->arena, &f->groups, &f->ngroups,
                                        &f->groups_cap, sizeof *g);
    int me = (int)f->ngroups - 1;
    g->parent = parent;
    g->loc = open;
    if (!p_string(p, "tên nhóm cột", &g->label, NULL) || !p_expect(p, TK_LBRACE))
        return false;
    p->depth++;
    while (!p_is(p, TK_RBRACE) && !p_is(p, TK_EOF) && !p_top_only(p->cur.kind)) {
        bool ok;
        if (p_is(p, TK_COLUMN))
            ok = p_column(p, f, me);
        else if (p_is(p, TK_GROUP))
            ok = p_group(p, f, me);
        else if (p_is_word(p, "use"))
            ok = p_use(p, f, me);
        else
            ok = p_expected(p, "'column', 'group' hoặc 'use' trong một nhóm");
        if (!ok) {
            static const rule_tok_kind st[] = {TK_COLUMN, TK_GROUP};
            p_sync_body(p, st, 2);
        }
    }
    p->depth--;
    return p_close(p, open, "group");
}

/* order_by = "order" "by" IDENT [ "asc" | "desc" ] { "," IDENT [ "asc" | "desc" ] } ; the keys of
 * a form's rows or a list's entries (`what` names them in a message). */
static bool p_order_by(parser *p, rule_orderkey_ast **keys, size_t *n, size_t *cap,
                       const char *what)
{
    p_next(p);
    if (!p_expect(p, TK_BY))
        return false;
    do {
        rule_orderkey_ast *k = rule_arena_push(p->ast->arena, keys, n, cap, sizeof *k);
        if (!p_ident(p, what, &k->name, &k->loc))
            return false;
        if (p_accept(p, TK_DESC))
            k->desc = true;
        else
            p_accept(p, TK_ASC);
    } while (p_accept(p, TK_COMMA));
    return true;
}

/* form_item = "measure" ("count" | "money") | "source" ("cases" | "thahc") | "code" STRING
 *           | "subtitle" STRING | "where" expr
 *           | "rows" rowfield { "," rowfield } [ "subtotal" ] [ "total" STRING ]
 *           | column | group | "check" add "=" add ; */
static bool p_form_item(parser *p, rule_form_ast *f)
{
    rule_loc loc = p->cur.loc;
    switch (p->cur.kind) {
    case TK_MEASURE:
        p_next(p);
        if (p_is(p, TK_COUNT))
            f->measure = RULE_MEASURE_COUNT;
        else if (p_is_word(p, "money"))
            f->measure = RULE_MEASURE_MONEY;
        else
            return p_expected(p, "count hoặc money");
        p_next(p);
        return true;
    case TK_SOURCE:
        p_next(p);
        if (p_is_word(p, "cases"))
            f->source = RULE_SOURCE_CASES;
        else if (p_is(p, TK_THAHC))
            f->source = RULE_SOURCE_THAHC;
        else
            return p_expected(p, "cases hoặc thahc");
        p_next(p);
        return true;
    case TK_CODE:
        p_next(p);
        return p_string(p, "số hiệu biểu", &f->code, NULL);
    case TK_ORDER:
        return p_order_by(p, &f->order, &f->norder, &f->order_cap, "cột để xếp hạng dòng");
    case TK_SUBTITLE:
        p_next(p);
        return p_string(p, "dòng phụ đề", &f->subtitle, NULL);
    case TK_WHERE:
        p_next(p);
        if (f->where) {
            rule_diag_error(p->d, loc, "một biểu có nhiều nhất một 'where'; hãy ghép bằng 'and'");
            return p_expr(p) != NULL;
        }
        f->where = p_expr(p);
        return f->where != NULL;
    case TK_ROWS:
        p_next(p);
        if (f->has_rows) {
            rule_diag_error(p->d, loc, "một biểu có một dòng 'rows'");
            return false;
        }
        f->has_rows = true;
        f->rows_loc = loc;
        do {
            if (!p_rowfield(p, f))
                return false;
        } while (p_accept(p, TK_COMMA));
        if (p_accept(p, TK_SUBTOTAL))
            f->subtotal = true;
        if (p_accept(p, TK_TOTAL))
            return p_string(p, "tên dòng tổng cộng", &f->total, NULL);
        return true;
    case TK_COLUMN:
        return p_column(p, f, -1);
    case TK_GROUP:
        return p_group(p, f, -1);
    case TK_CHECK: {
        p_next(p);
        rule_check_ast *c = rule_arena_push(p->ast->arena, &f->checks, &f->nchecks,
                                            &f->checks_cap, sizeof *c);
        c->loc = loc;
        c->lhs = p_add(p);
        c->eq = p->cur.loc;
        if (!c->lhs || !p_expect(p, TK_EQ) || !(c->rhs = p_add(p))) {
            f->nchecks--;
            return false;
        }
        return true;
    }
    default:
        if (p_is_word(p, "use"))
            return p_use(p, f, -1);
        if (p_is_word(p, "scale")) {
            p_next(p);
            if (!p_is(p, TK_INT))
                return p_expected(p, "số chia để hiện tiền (1, 1000, 1000000)");
            f->scale = p->cur.i;
            f->scale_loc = p->cur.loc;
            p_next(p);
            return true;
        }
        return p_expected(p, "một mục của biểu (measure, source, code, subtitle, where, rows, "
                             "column, group, check, use, scale, order by)");
    }
}

/* columns = "columns" IDENT "{" { column | group | check | use } "}" ; a column set, for
 * forms that share columns (B01 and its breakdowns). */
static bool p_colset(parser *p, rule_loc open)
{
    const char *name;
    rule_loc loc;
    if (!p_ident(p, "tên bộ cột", &name, &loc))
        return false;
    const rule_form_ast *dup = p_colset_find(p, name);
    if (dup) {
        char w[256];
        rule_diag_where(p->d, dup->loc, w, sizeof w);
        rule_diag_error(p->d, loc, "bộ cột '%s' khai hai lần (lần đầu ở %s)", name, w);
        return false;
    }
    if (!p_expect(p, TK_LBRACE))
        return false;
    rule_form_ast *set = rule_arena_push(p->ast->arena, &p->ast->colsets, &p->ast->ncolsets,
                                         &p->ast->colsets_cap, sizeof *set);
    set->id = name;
    set->loc = loc;
    if (!p->run->colsets)
        p->run->colsets = strpool_new();
    strpool_intern(p->run->colsets, name, strlen(name)); /* id = the set's index + 1 */
    static const rule_tok_kind starts[] = {TK_COLUMN, TK_GROUP, TK_CHECK};
    while (!p_is(p, TK_RBRACE) && !p_is(p, TK_EOF) && !p_top_only(p->cur.kind)) {
        bool ok;
        if (p_is(p, TK_COLUMN) || p_is(p, TK_GROUP) || p_is(p, TK_CHECK) || p_is_word(p, "use"))
            ok = p_form_item(p, set);
        else
            ok = p_expected(p, "'column', 'group', 'check' hoặc 'use' trong bộ cột");
        if (!ok)
            p_sync_body(p, starts, 3);
    }
    return p_close(p, open, "bộ cột");
}

/* form = "form" IDENT STRING "{" { form_item } "}" ; */
static bool p_form(parser *p)
{
    rule_loc open = p->cur.loc;
    p_next(p);
    rule_form_ast *f = rule_arena_push(p->ast->arena, &p->ast->forms, &p->ast->nforms,
                                       &p->ast->forms_cap, sizeof *f);
    if (!p_ident(p, "mã biểu", &f->id, &f->loc) ||
        !p_string(p, "tên biểu", &f->title, NULL) || !p_expect(p, TK_LBRACE)) {
        p->ast->nforms--;
        return false;
    }
    while (!p_is(p, TK_RBRACE) && !p_is(p, TK_EOF) && !p_top_only(p->cur.kind))
        if (!p_form_item(p, f))
            p_sync_body(p, p_form_starts, P_NFORM_STARTS);
    return p_close(p, open, "form");
}

/* ---- continuity ----------------------------------------------------------------------------- */

/* One side of a continuity: `word` "=" expr [ "value" expr ]. */
static bool p_cont_side(parser *p, const char *word, rule_expr **cond, rule_expr **val)
{
    if (!p_is_word(p, word)) {
        char what[64];
        snprintf(what, sizeof what, "'%s = ...'", word);
        return p_expected(p, what);
    }
    p_next(p);
    if (!p_expect(p, TK_EQ) || !(*cond = p_expr(p)))
        return false;
    if (p_is_word(p, "value")) {
        p_next(p);
        if (!(*val = p_expr(p)))
            return false;
    }
    return true;
}

/* continuity = "continuity" STRING "{" "previous" "=" expr [ "value" expr ]
 *                                      "current" "=" expr [ "value" expr ] "}" ;
 * what the previous statistical year hands over at its end (the cases its condition holds
 * for, or the sum of its value over them) equals what this year takes over, unit by unit. */
static bool p_continuity(parser *p)
{
    rule_loc open = p->cur.loc;
    p_next(p);
    rule_cont_ast *k = rule_arena_push(p->ast->arena, &p->ast->conts, &p->ast->nconts,
                                       &p->ast->conts_cap, sizeof *k);
    k->loc = open;
    if (!p_string(p, "tên phép kiểm trong ngoặc kép", &k->name, NULL) ||
        !p_expect(p, TK_LBRACE) || !p_cont_side(p, "previous", &k->prev_cond, &k->prev_val) ||
        !p_cont_side(p, "current", &k->cur_cond, &k->cur_val)) {
        p->ast->nconts--;
        return false;
    }
    return p_close(p, open, "continuity");
}

/* ---- lists ---------------------------------------------------------------------------------- */

/* list_item = "code" STRING | "subtitle" STRING | "where" expr
 *           | "order" "by" orderkey { "," orderkey } | "limit" INT "per" IDENT
 *           | "show" showcol { "," showcol } ;
 * orderkey = IDENT [ "asc" | "desc" ] ; showcol = IDENT [ STRING ] ; */
static bool p_list_item(parser *p, rule_list_ast *l)
{
    rule_loc loc = p->cur.loc;
    switch (p->cur.kind) {
    case TK_CODE:
    case TK_SUBTITLE: {
        bool code = p->cur.kind == TK_CODE;
        p_next(p);
        return p_string(p, code ? "số hiệu của danh sách" : "dòng phụ đề của danh sách",
                        code ? &l->code : &l->subtitle, NULL);
    }
    case TK_WHERE:
        p_next(p);
        if (l->where) {
            rule_diag_error(p->d, loc, "một danh sách có nhiều nhất một 'where'; hãy ghép bằng "
                                       "'and'");
            return p_expr(p) != NULL;
        }
        l->where = p_expr(p);
        return l->where != NULL;
    case TK_ORDER:
        return p_order_by(p, &l->order, &l->norder, &l->order_cap, "trường để sắp xếp");
    case TK_LIMIT:
        p_next(p);
        if (!p_is(p, TK_INT))
            return p_expected(p, "số dòng");
        if (p->cur.i < 1) {
            rule_diag_error(p->d, p->cur.loc, "limit phải từ 1 trở lên");
            return false;
        }
        l->limit = p->cur.i;
        l->limit_loc = loc;
        p_next(p);
        if (!p_expect(p, TK_PER))
            return false;
        return p_ident(p, "trường mà limit áp dụng theo", &l->limit_per, &l->limit_loc);
    case TK_SHOW:
        p_next(p);
        do {
            rule_showcol_ast *s = rule_arena_push(p->ast->arena, &l->show, &l->nshow,
                                                  &l->show_cap, sizeof *s);
            if (!p_ident(p, "trường để hiện", &s->name, &s->loc))
                return false;
            if (p_is(p, TK_STRING)) {
                s->label = p->cur.s;
                p_next(p);
            }
        } while (p_accept(p, TK_COMMA));
        return true;
    default:
        return p_expected(p, "một mục của danh sách (code, subtitle, where, order by, limit, "
                             "show)");
    }
}

/* list = "list" IDENT STRING "{" { list_item } "}" ; */
static bool p_list(parser *p)
{
    rule_loc open = p->cur.loc;
    p_next(p);
    rule_list_ast *l = rule_arena_push(p->ast->arena, &p->ast->lists, &p->ast->nlists,
                                       &p->ast->lists_cap, sizeof *l);
    if (!p_ident(p, "mã danh sách", &l->id, &l->loc) ||
        !p_string(p, "tên danh sách", &l->title, NULL) || !p_expect(p, TK_LBRACE)) {
        p->ast->nlists--;
        return false;
    }
    static const rule_tok_kind st[] = {TK_WHERE, TK_ORDER, TK_LIMIT, TK_SHOW, TK_CODE,
                                       TK_SUBTITLE};
    while (!p_is(p, TK_RBRACE) && !p_is(p, TK_EOF) && !p_top_only(p->cur.kind))
        if (!p_list_item(p, l))
            p_sync_body(p, st, 6);
    return p_close(p, open, "list");
}

/* ---- screens (thẩm tra) --------------------------------------------------------------------- */

/* hb = "hb" IDENT "=" (PERCENT | INT) { "," IDENT "=" (PERCENT | INT) } ; u, a and c of the
 * Hidiroglou–Berthelot method, kept in ten-thousandths (u = 50% → 5000, c = 7 → 70000). */
static bool p_screen_hb(parser *p, rule_screen_ast *sc)
{
    sc->hb_loc = p->cur.loc;
    p_next(p);
    do {
        const char *name;
        rule_loc loc;
        if (!p_ident(p, "tham số của phương pháp (u, a, c)", &name, &loc) ||
            !p_expect(p, TK_EQ))
            return false;
        int64_t v;
        if (p_is(p, TK_PERCENT))
            v = p->cur.i;
        else if (p_is(p, TK_INT) && p->cur.i <= 1000000)
            v = p->cur.i * 10000;
        else
            return p_expected(p, "một số (7) hoặc tỷ lệ phần trăm (50%)");
        p_next(p);
        if (strcmp(name, "u") == 0)
            sc->hb_u = v;
        else if (strcmp(name, "a") == 0)
            sc->hb_a = v;
        else if (strcmp(name, "c") == 0)
            sc->hb_c = v;
        else {
            rule_diag_error(p->d, loc, "tham số không có: '%s' (phương pháp nhận u, a, c)", name);
            return false;
        }
    } while (p_accept(p, TK_COMMA));
    return true;
}

/* compare = "compare" IDENT "with" IDENT [ "size" IDENT ] "in" IDENT { "," IDENT } ; */
static bool p_screen_compare(parser *p, rule_screen_ast *sc)
{
    sc->compare_loc = p->cur.loc;
    p_next(p);
    if (!p_ident(p, "cột được so sánh", &sc->value, NULL))
        return false;
    if (!p_is_word(p, "with"))
        return p_expected(p, "'with' và cột để so sánh");
    p_next(p);
    if (!p_ident(p, "cột so sánh", &sc->ref, NULL))
        return false;
    if (p_is_word(p, "size")) {
        p_next(p);
        if (!p_ident(p, "cột quy mô", &sc->size, NULL))
            return false;
    }
    if (!p_expect(p, TK_IN))
        return false;
    do {
        const char **f = rule_arena_push(p->ast->arena, &sc->forms, &sc->nforms, &sc->forms_cap,
                                         sizeof *f);
        rule_loc *l = rule_arena_push(p->ast->arena, &sc->form_locs, &sc->nform_locs,
                                      &sc->form_locs_cap, sizeof *l);
        if (!p_ident(p, "mã biểu", f, l))
            return false;
    } while (p_accept(p, TK_COMMA));
    return true;
}

/* A case screen shows the case, its unit and its officer first (checks-cases.csv and merge
 * need them). */
static void p_screen_case_columns(parser *p, rule_screen_ast *sc)
{
    static const char *const first[] = {"ma_viec", "ma_don_vi", "chap_hanh_vien"};
    static const char *const labels[] = {"Mã việc", "Mã đơn vị", "Chấp hành viên"};
    rule_list_ast *l = &sc->list;
    rule_showcol_ast *old = l->show;
    size_t nold = l->nshow;
    l->show = NULL;
    l->nshow = l->show_cap = 0;
    for (size_t k = 0; k < 3; k++) {
        rule_showcol_ast *s = rule_arena_push(p->ast->arena, &l->show, &l->nshow, &l->show_cap,
                                              sizeof *s);
        s->name = first[k];
        s->label = labels[k];
        s->loc = sc->loc;
    }
    for (size_t i = 0; i < nold; i++) {
        if (strcmp(old[i].name, first[0]) == 0 || strcmp(old[i].name, first[1]) == 0 ||
            strcmp(old[i].name, first[2]) == 0)
            continue;
        rule_showcol_ast *s = rule_arena_push(p->ast->arena, &l->show, &l->nshow, &l->show_cap,
                                              sizeof *s);
        *s = old[i];
    }
}

/* screen = "screen" IDENT STRING "{" { screen_item } "}" ;
 * screen_item = "severity" ("warning" | "error") | "basis" STRING | compare | hb | list_item ; */
static bool p_screen(parser *p)
{
    rule_loc open = p->cur.loc;
    p_next(p);
    rule_screen_ast *sc = rule_arena_push(p->ast->arena, &p->ast->screens, &p->ast->nscreens,
                                          &p->ast->screens_cap, sizeof *sc);
    if (!p_ident(p, "mã phép thẩm tra", &sc->id, &sc->loc) ||
        !p_string(p, "tên phép thẩm tra", &sc->title, NULL) || !p_expect(p, TK_LBRACE)) {
        p->ast->nscreens--;
        return false;
    }
    sc->list.id = sc->id;
    sc->list.loc = sc->loc;
    sc->list.title = sc->title;
    sc->hb_u = 5000, sc->hb_a = 500, sc->hb_c = 70000;
    static const rule_tok_kind st[] = {TK_WHERE, TK_SHOW};
    while (!p_is(p, TK_RBRACE) && !p_is(p, TK_EOF) && !p_top_only(p->cur.kind)) {
        bool ok;
        if (p_is_word(p, "severity")) {
            p_next(p);
            sc->severity_loc = p->cur.loc;
            const char *sev = NULL;
            ok = p_ident(p, "warning hoặc error", &sev, NULL);
            if (ok && strcmp(sev, "error") == 0)
                sc->severity = SCREEN_ERROR;
            else if (ok && strcmp(sev, "warning") != 0) {
                rule_diag_error(p->d, sc->severity_loc, "severity là 'warning' hoặc 'error'");
                ok = false;
            }
        } else if (p_is_word(p, "basis")) {
            p_next(p);
            ok = p_string(p, "căn cứ của phép thẩm tra", &sc->basis, NULL);
        } else if (p_is_word(p, "compare")) {
            ok = p_screen_compare(p, sc);
        } else if (p_is_word(p, "hb")) {
            ok = p_screen_hb(p, sc);
        } else if (p_is(p, TK_WHERE) || p_is(p, TK_SHOW)) {
            ok = p_list_item(p, &sc->list);
        } else {
            ok = p_expected(p, "một mục của phép thẩm tra (severity, basis, where, show, "
                               "compare, hb)");
        }
        if (!ok)
            p_sync_body(p, st, 2);
    }
    if (sc->list.where)
        p_screen_case_columns(p, sc);
    return p_close(p, open, "screen");
}

/* ---- tests ---------------------------------------------------------------------------------- */

/* { (IDENT | STRING) "=" value } with value = bare word | STRING | DATE | INT (read as one
 * word); a STRING name is a header as an export writes it ("Ngày ra QĐ THA"), to test aliases */
static bool p_kv_row(parser *p, rule_row_ast *r)
{
    while (p_is(p, TK_IDENT) || p_is(p, TK_STRING)) {
        rule_kv_ast *kv = rule_arena_push(p->ast->arena, &r->kv, &r->n, &r->cap, sizeof *kv);
        kv->name = p->cur.s;
        kv->loc = p->cur.loc;
        p_next(p);
        if (!p_is(p, TK_EQ))
            return p_expected(p, "'=' sau tên cột");
        p_next_mode(p, LEX_WORD);
        if (!p_is(p, TK_WORD) && !p_is(p, TK_STRING))
            return p_expected(p, "một giá trị");
        kv->value = p->cur.s;
        p_next(p);
    }
    return true;
}

/* A cell reference's row key: (WORD | STRING) { "|" [ WORD | STRING ] }, read in key mode; an
 * empty part names the row of an empty key ("GL-KV01|"). */
static bool p_rowkey(parser *p, const char **out)
{
    thk_buf b = {0};
    bool first = true;
    for (;;) {
        if (!first && (p_is(p, TK_PIPE) || p_is(p, TK_RBRACKET))) {
            /* an empty part after '|': the row of records whose key is empty */
        } else if (!p_is(p, TK_WORD) && !p_is(p, TK_STRING)) {
            buf_free(&b);
            return p_expected(p, "khóa dòng");
        } else {
            buf_append(&b, p->cur.s, strlen(p->cur.s));
            p_next(p);
        }
        first = false;
        if (!p_is(p, TK_PIPE))
            break;
        buf_putc(&b, '|');
        p_next_mode(p, LEX_KEY);
    }
    *out = p_str(p, b.data ? b.data : "", b.len);
    buf_free(&b);
    return true;
}

/* cellref = IDENT "[" rowkey "]" "." IDENT | IDENT "." "count" ;
 * expected = ["-"] (INT | PERCENT) | "empty" ; */
static bool p_expect_one(parser *p, rule_test_ast *t)
{
    rule_expect_ast *x = rule_arena_push(p->ast->arena, &t->expects, &t->nexpects,
                                         &t->expects_cap, sizeof *x);
    x->loc = p->cur.loc;
    if (!p_ident(p, "mã biểu hoặc danh sách", &x->form, NULL))
        return false;
    if (p_is(p, TK_LBRACKET)) {
        p_next_mode(p, LEX_KEY);
        if (!p_rowkey(p, &x->row) || !p_expect(p, TK_RBRACKET) || !p_expect(p, TK_DOT))
            return false;
        if (!p_is(p, TK_IDENT) && p->cur.kind < TK_VERSION)
            return p_expected(p, "mã cột");
        x->col = p->cur.s;
        p_next(p);
    } else if (p_accept(p, TK_DOT)) {
        if (!p_is(p, TK_COUNT))
            return p_expected(p, "'count' (số dòng của danh sách)");
        p_next(p);
        x->is_count = true;
        x->col = "count";
    } else {
        return p_expected(p, "'[' khóa dòng ']' hoặc '.count'");
    }
    x->loc.len = p->prev_end > x->loc.off ? p->prev_end - x->loc.off : 1;
    if (!p_expect(p, TK_EQ))
        return false;
    bool neg = p_accept(p, TK_MINUS);
    if (p_is(p, TK_INT) || p_is(p, TK_PERCENT)) {
        x->is_percent = p_is(p, TK_PERCENT);
        x->v = neg ? -p->cur.i : p->cur.i;
        p_next(p);
        return true;
    }
    if (!neg && p_is_word(p, "empty")) {
        x->empty = true;
        p_next(p);
        return true;
    }
    return p_expected(p, "số, tỷ lệ phần trăm hoặc 'empty' mong đợi");
}

/* test_item = "period" ( INT "thang" INT | DATE "-" DATE )
 *           | "case" { (IDENT | STRING) "=" value } | "thahc" { (IDENT | STRING) "=" value }
 *           | "event" WORD DATE STRING [ INT ] [ STRING ]
 *           | "expect" cellref "=" expected { "," cellref "=" expected } ; */
static bool p_test_item(parser *p, rule_test_ast *t)
{
    rule_loc loc = p->cur.loc;
    switch (p->cur.kind) {
    case TK_PERIOD:
        p_next(p);
        if (t->has_period) {
            rule_diag_error(p->d, loc, "một test có một kỳ");
            return false;
        }
        t->has_period = true;
        t->period_loc = loc;
        if (p_is(p, TK_INT)) {
            if (p->cur.i < 1 || p->cur.i > 12) {
                rule_diag_error(p->d, p->cur.loc, "một báo cáo gồm 1 đến 12 tháng");
                return false;
            }
            t->months = (int)p->cur.i;
            p_next(p);
            if (!p_is_word(p, "thang"))
                return p_expected(p, "'thang'");
            p_next(p);
            if (!p_is(p, TK_INT))
                return p_expected(p, "năm thống kê");
            if (p->cur.i < 1946 || p->cur.i > 2100) {
                rule_diag_error(p->d, p->cur.loc, "năm ngoài khoảng (1946 đến 2100)");
                return false;
            }
            t->year = (int)p->cur.i;
            p_next(p);
            return true;
        }
        if (!p_is(p, TK_DATE))
            return p_expected(p, "'N thang YYYY' hoặc 'dd/mm/yyyy - dd/mm/yyyy'");
        t->from = (thk_date)p->cur.i;
        p_next(p);
        if (!p_expect(p, TK_MINUS))
            return false;
        if (!p_is(p, TK_DATE))
            return p_expected(p, "ngày kết thúc");
        t->to = (thk_date)p->cur.i;
        if (t->to < t->from) {
            rule_diag_error(p->d, p->cur.loc, "khoảng thời gian kết thúc trước khi bắt đầu");
            return false;
        }
        p_next(p);
        return true;
    case TK_CASE:
    case TK_THAHC: {
        bool is_case = p_is(p, TK_CASE);
        p_next(p);
        rule_row_ast *r = is_case ? rule_arena_push(p->ast->arena, &t->cases, &t->ncases,
                                                    &t->cases_cap, sizeof *r)
                                  : rule_arena_push(p->ast->arena, &t->thahc, &t->nthahc,
                                                    &t->thahc_cap, sizeof *r);
        r->loc = loc;
        return p_kv_row(p, r);
    }
    case TK_EVENT: {
        rule_event_ast *e = rule_arena_push(p->ast->arena, &t->events, &t->nevents,
                                            &t->events_cap, sizeof *e);
        e->loc = loc;
        p_next_mode(p, LEX_WORD);
        if (!p_is(p, TK_WORD) && !p_is(p, TK_STRING))
            return p_expected(p, "mã việc (ma_viec)");
        e->ma_viec = p->cur.s;
        p_next(p);
        if (!p_is(p, TK_DATE))
            return p_expected(p, "ngày sự kiện dd/mm/yyyy");
        e->date = p->cur.s;
        p_next(p);
        if (!p_string(p, "nội dung sự kiện (su_kien) trong ngoặc kép", &e->su_kien, NULL))
            return false;
        if (p_is(p, TK_INT)) {
            char num[32];
            snprintf(num, sizeof num, "%lld", (long long)p->cur.i);
            e->so_tien = p_str(p, num, strlen(num));
            p_next(p);
        }
        if (p_is(p, TK_STRING)) {
            e->ghi_chu = p->cur.s;
            p_next(p);
        }
        return true;
    }
    case TK_EXPECT:
        p_next(p);
        do {
            if (!p_expect_one(p, t))
                return false;
        } while (p_accept(p, TK_COMMA));
        return true;
    default:
        return p_expected(p, "một mục của test (period, case, event, thahc, expect)");
    }
}

/* test = "test" STRING "{" { test_item } "}" ; */
static bool p_test(parser *p)
{
    rule_loc open = p->cur.loc;
    p_next(p);
    rule_test_ast *t = rule_arena_push(p->ast->arena, &p->ast->tests, &p->ast->ntests,
                                       &p->ast->tests_cap, sizeof *t);
    if (!p_string(p, "tên test", &t->name, &t->loc) || !p_expect(p, TK_LBRACE)) {
        p->ast->ntests--;
        return false;
    }
    static const rule_tok_kind st[] = {TK_PERIOD, TK_CASE, TK_EVENT, TK_THAHC, TK_EXPECT};
    while (!p_is(p, TK_RBRACE) && !p_is(p, TK_EOF) && !p_top_only(p->cur.kind))
        if (!p_test_item(p, t))
            p_sync_body(p, st, 5);
    return p_close(p, open, "test");
}

/* ---- files and includes --------------------------------------------------------------------- */

/* Reads a whole regular file (at most PARSE_MAX_FILE bytes) into a NUL-terminated buffer.
 * Returns NULL with errno-like text in why. */
static char *p_read_file(const char *path, size_t *len, char *why, size_t whysz)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, whysz, "%s", strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(why, whysz, "không phải tệp thường");
        fclose(f);
        return NULL;
    }
    if ((uint64_t)st.st_size > PARSE_MAX_FILE) {
        snprintf(why, whysz, "tệp lớn hơn %u byte", PARSE_MAX_FILE);
        fclose(f);
        return NULL;
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *buf = thk_xmalloc(cap);
    for (;;) {
        size_t r = fread(buf + n, 1, cap - 1 - n, f);
        n += r;
        if (r == 0 || n == cap - 1)
            break;
    }
    bool err = ferror(f) != 0;
    fclose(f);
    if (err) {
        snprintf(why, whysz, "lỗi đọc");
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* The canonical identity of a file for cycle detection: realpath, or the name itself. */
static char *p_canonical(const char *name)
{
    char *r = realpath(name, NULL);
    return r ? r : thk_xstrdup(name);
}

/* Parses source `file` (already registered) into run->ast. */
static void p_source(parse_run *run, int file)
{
    const rule_src *s = rule_diag_source(run->d, file);
    ptrdiff_t bad = text_utf8_invalid_at(s->text, s->len);
    if (bad >= 0) {
        rule_diag_error(run->d, rule_diag_loc(run->d, file, (size_t)bad, 1),
                        "UTF-8 không hợp lệ (byte 0x%02X); tệp quy tắc phải là UTF-8",
                        (unsigned char)s->text[bad]);
        return;
    }
    parser p = {0};
    p.run = run;
    p.d = run->d;
    p.ast = run->ast;
    rule_lex_init(&p.lx, run->d, file, run->ast->arena);
    p_next(&p);
    p_file(&p);
}

/* Pushes `canon` on the include stack and parses the registered source. */
static void p_enter_file(parse_run *run, int file, char *canon, const char *shown)
{
    run->stack = thk_xrealloc(run->stack, (run->nstack + 1) * sizeof *run->stack);
    run->shown = thk_xrealloc(run->shown, (run->nstack + 1) * sizeof *run->shown);
    run->stack[run->nstack] = canon;
    run->shown[run->nstack] = thk_xstrdup(shown);
    run->nstack++;
    p_source(run, file);
    run->nstack--;
    free(run->shown[run->nstack]);
    run->done = thk_xrealloc(run->done, (run->ndone + 1) * sizeof *run->done);
    run->done[run->ndone++] = canon;
}

static bool p_seen(char *const *v, size_t n, const char *canon)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], canon) == 0)
            return true;
    return false;
}

/* include = "include" STRING ; */
static bool p_include(parser *p)
{
    p_next(p);
    const char *rel;
    rule_loc loc;
    if (!p_string(p, "tệp cần include, trong ngoặc kép", &rel, &loc))
        return false;
    parse_run *run = p->run;
    const char *cur_name = rule_diag_source(p->d, p->lx.file)->name;
    thk_buf path = {0};
    const char *slash = strrchr(cur_name, '/');
    if (rel[0] != '/' && slash)
        buf_append(&path, cur_name, (size_t)(slash - cur_name + 1));
    buf_append(&path, rel, strlen(rel));
    if (run->nstack >= PARSE_MAX_INCLUDE) {
        rule_diag_error(p->d, loc, "include lồng quá sâu");
        buf_free(&path);
        return true;
    }
    char *canon = p_canonical(path.data);
    if (p_seen(run->stack, run->nstack, canon)) {
        thk_buf cyc = {0};
        size_t from = 0;
        while (from < run->nstack && strcmp(run->stack[from], canon) != 0)
            from++;
        for (size_t i = from; i < run->nstack; i++)
            buf_printf(&cyc, "%s → ", run->shown[i]);
        buf_printf(&cyc, "%s", path.data);
        rule_diag_error(p->d, loc, "các tệp include vòng nhau: %s", cyc.data);
        buf_free(&cyc);
        free(canon);
        buf_free(&path);
        return true;
    }
    if (p_seen(run->done, run->ndone, canon)) {
        free(canon);
        buf_free(&path);
        return true;
    }
    char why[128];
    size_t len;
    char *text = p_read_file(path.data, &len, why, sizeof why);
    if (!text) {
        rule_diag_error(p->d, loc, "không đọc được tệp include '%s': %s", path.data, why);
        free(canon);
        buf_free(&path);
        return true;
    }
    int file = rule_diag_add_source(p->d, path.data, text, len);
    rule_diag_set_parent(p->d, file, p->lx.file, loc.off);
    p_enter_file(run, file, canon, path.data);
    buf_free(&path);
    return true;
}

/* item = version | include | period | columns | map | labels | let | target | form | list |
 *        test ; */
static bool p_item(parser *p)
{
    switch (p->cur.kind) {
    case TK_VERSION: return p_version(p);
    case TK_INCLUDE: return p_include(p);
    case TK_PERIOD: return p_period(p);
    case TK_WORKBOOK: return p_period(p);
    case TK_COLUMNS: return p_columns(p);
    case TK_MAP: return p_map(p);
    case TK_LABELS: return p_labels(p);
    case TK_LET: return p_let(p);
    case TK_TARGET: return p_target(p);
    case TK_FORM: return p_form(p);
    case TK_LIST: return p_list(p);
    case TK_TEST: return p_test(p);
    case TK_CONTINUITY: return p_continuity(p);
    case TK_SCREEN: return p_screen(p);
    default:
        p_expected(p, "một mục (version, include, period, columns, map, labels, let, target, "
                      "form, list, screen, test)");
        if (!p_is(p, TK_EOF))
            p_next(p);
        return false;
    }
}

/* file = { item } ; */
static void p_file(parser *p)
{
    while (!p_is(p, TK_EOF))
        if (!p_item(p))
            p_sync_top(p);
}

static void p_run_free(parse_run *run)
{
    for (size_t i = 0; i < run->ndone; i++)
        free(run->done[i]);
    free(run->done);
    free(run->stack);
    free(run->shown);
    strpool_free(run->colsets);
}

rule_ast *rule_parse_files(rule_diag *d, const char *const *paths, size_t n)
{
    parse_run run = {.d = d, .ast = rule_ast_new()};
    for (size_t i = 0; i < n; i++) {
        char *canon = p_canonical(paths[i]);
        if (p_seen(run.done, run.ndone, canon)) {
            free(canon);
            continue;
        }
        char why[128];
        size_t len;
        char *text = p_read_file(paths[i], &len, why, sizeof why);
        if (!text) {
            rule_diag_error_file(d, paths[i], "không đọc được tệp quy tắc: %s", why);
            free(canon);
            continue;
        }
        int file = rule_diag_add_source(d, paths[i], text, len);
        p_enter_file(&run, file, canon, paths[i]);
    }
    p_run_free(&run);
    return run.ast;
}

rule_ast *rule_parse_text(rule_diag *d, const char *name, const char *text, size_t len)
{
    parse_run run = {.d = d, .ast = rule_ast_new()};
    char *copy = thk_xmalloc(len + 1);
    if (len)
        memcpy(copy, text, len);
    copy[len] = '\0';
    int file = rule_diag_add_source(d, name, copy, len);
    p_enter_file(&run, file, p_canonical(name), name);
    p_run_free(&run);
    return run.ast;
}

rule_expr *rule_parse_expr_text(rule_diag *d, rule_ast *ast, const char *name, const char *text)
{
    size_t len = strlen(text);
    int file = rule_diag_add_source(d, name, thk_xstrdup(text), len);
    parser p = {0};
    p.d = d;
    p.ast = ast;
    rule_lex_init(&p.lx, d, file, ast->arena);
    size_t before = d->nerrors;
    p_next(&p);
    rule_expr *e = p_expr(&p);
    if (e && !p_is(&p, TK_EOF)) {
        p_expected(&p, "hết biểu thức");
        e = NULL;
    }
    return d->nerrors == before ? e : NULL;
}
