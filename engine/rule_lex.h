/* rule_lex — the tokens of rule files, each with its file, line, column and byte span. */
#ifndef RULE_LEX_H
#define RULE_LEX_H

#include "rule_ast.h"
#include "rule_diag.h"

/* Reserved words: X(token, spelling). */
#define RULE_KEYWORD_LIST(X)                                                                      \
    X(TK_VERSION, "version") X(TK_INCLUDE, "include") X(TK_PERIOD, "period")                     \
    X(TK_COLUMNS, "columns") X(TK_MAP, "map") X(TK_LET, "let") X(TK_TARGET, "target")             \
    X(TK_FORM, "form") X(TK_LIST, "list") X(TK_TEST, "test") X(TK_MEASURE, "measure")             \
    X(TK_ROWS, "rows") X(TK_LABEL, "label") X(TK_TOTAL, "total") X(TK_SUBTOTAL, "subtotal")       \
    X(TK_FIXED, "fixed") X(TK_WHERE, "where") X(TK_COLUMN, "column") X(TK_GROUP, "group")         \
    X(TK_CHECK, "check") X(TK_SUBTITLE, "subtitle") X(TK_CODE, "code") X(TK_SOURCE, "source")     \
    X(TK_WIDTH, "width") X(TK_FORMAT, "format") X(TK_ORDER, "order") X(TK_BY, "by") X(TK_ASC, "asc") X(TK_DESC, "desc") \
    X(TK_LIMIT, "limit") X(TK_PER, "per") X(TK_SHOW, "show") X(TK_AND, "and") X(TK_OR, "or")      \
    X(TK_NOT, "not") X(TK_IN, "in") X(TK_TRUE, "true") X(TK_FALSE, "false") X(TK_NULL, "null")    \
    X(TK_COUNT, "count") X(TK_SUM, "sum") X(TK_PERCENT_FN, "percent") X(TK_EXPECT, "expect")      \
    X(TK_CASE, "case") X(TK_EVENT, "event") X(TK_THAHC, "thahc") X(TK_WORKBOOK, "workbook") X(TK_CONTINUITY, "continuity") \
    X(TK_LABELS, "labels") X(TK_SCREEN, "screen")

typedef enum {
    TK_EOF,
    TK_ERROR,    /* already reported by the lexer's caller; s = message */
    TK_IDENT,    /* s = name */
    TK_INT,      /* i */
    TK_PERCENT,  /* i = hundredths of a percent */
    TK_STRING,   /* s = decoded NFC text */
    TK_DATE,     /* i = thk_date, s = text as written */
    TK_DAYMONTH, /* i = day, j = month */
    TK_DURATION, /* i = count, j = rule_dur_unit */
    TK_PATTERN,  /* s = text between the slashes (as written), j = RULE_PAT_* flags */
    TK_WORD,     /* LEX_WORD / LEX_KEY modes: s = a bare word */
    TK_LBRACE, TK_RBRACE, TK_LPAREN, TK_RPAREN, TK_LBRACKET, TK_RBRACKET,
    TK_COMMA, TK_DOT, TK_PIPE, TK_STAR,
    TK_EQ, TK_NE, TK_LT, TK_LE, TK_GT, TK_GE, TK_PLUS, TK_MINUS, TK_TILDE,
#define RULE_X_TK(t, s) t,
    RULE_KEYWORD_LIST(RULE_X_TK)
#undef RULE_X_TK
    TK__COUNT
} rule_tok_kind;

typedef struct {
    rule_tok_kind kind;
    rule_loc loc;   /* the whole token */
    int64_t i, j;
    const char *s;  /* NUL-terminated, in the arena */
    size_t slen;
    rule_loc eloc;  /* TK_ERROR: where exactly the problem is */
} rule_tok;

/* How the next token is read. LEX_WORD: a test value, a "string" or everything up to the next
 * white space (so `GL-KV01` and `1.000.000` are single words). LEX_KEY: a row key part in
 * `B01[...]`, also stopping at `|` and `]`. Both fall back to LEX_NORMAL at `|`/`]`. */
typedef enum { LEX_NORMAL = 0, LEX_WORD = 1, LEX_KEY = 2 } rule_lex_mode;

typedef struct {
    const rule_diag *diag;
    const char *text;
    size_t len, pos;
    int file;
    rule_arena *arena;
    size_t c_off, c_ls; /* line cache: offset scanned up to, start of its line */
    uint32_t c_line, c_col; /* line and column (code points + 1) at c_off */
} rule_lexer;

/* Starts lexing registered source `file` of d; strings go into arena. */
void rule_lex_init(rule_lexer *lx, const rule_diag *d, int file, rule_arena *arena);
/* Reads the next token into *t. Problems come back as TK_ERROR with the message in t->s and
 * its place in t->eloc; the lexer never reports anything itself. At the end: TK_EOF forever. */
void rule_lex_next(rule_lexer *lx, rule_lex_mode mode, rule_tok *t);
/* How a token kind is named in messages: "'{'", "identifier", "'form'". */
const char *rule_tok_kind_name(rule_tok_kind k);
/* The keyword token of name[0..len), or TK_IDENT. */
rule_tok_kind rule_lex_keyword(const char *name, size_t len);

#endif
