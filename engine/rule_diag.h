/* rule_diag — rule-file sources and their diagnostics: `file:line:col: error: message`, the
 * source line and a caret under the offending token, all collected so one run reports all. */
#ifndef RULE_DIAG_H
#define RULE_DIAG_H

#include "thk.h"

/* A place in a rule file: file index (rule_diag_add_source), 1-based line and column (the
 * column counts code points), byte offset and byte length of the token. */
typedef struct {
    int file;
    uint32_t line, col;
    uint32_t off, len;
} rule_loc;

typedef struct {
    char *name; /* as given or as resolved for an include, owned */
    char *text; /* owned, NUL-terminated */
    size_t len;
    int parent;          /* the file that included it, -1 for a file given by the caller */
    uint32_t parent_off; /* where the include stands in the parent */
} rule_src;

/* Errors past this number are counted but not printed. */
#define RULE_DIAG_MAX 500

typedef struct {
    int file;         /* -1: about a whole file */
    uint32_t off;
    size_t seq;
    char *text;       /* the full message with excerpt */
} rule_diag_entry;

typedef struct {
    rule_src *src;
    size_t nsrc, cap;
    thk_buf *out;     /* where messages go on rule_diag_flush (not owned) */
    size_t nerrors;   /* errors reported, muted ones excluded */
    int muted;        /* > 0: errors are dropped (speculative compiles) */
    size_t nmuted;    /* errors dropped while muted */
    rule_diag_entry *pending;
    size_t npending, pending_cap;
} rule_diag;

/* Starts an empty diagnostics context writing into out. */
void rule_diag_init(rule_diag *d, thk_buf *out);
/* Frees the sources and pending messages (not out). Accepts a zeroed struct. */
void rule_diag_free(rule_diag *d);
/* Appends the pending messages to out in reading order (an included file's messages where its
 * include stands; the order of reporting breaks ties), at most RULE_DIAG_MAX of them, and
 * clears them. */
void rule_diag_flush(rule_diag *d);
/* Registers a source; takes ownership of text (malloc'ed, NUL-terminated at len). Returns its
 * file index. */
int rule_diag_add_source(rule_diag *d, const char *name, char *text, size_t len);
/* Records that `file` was included by `parent` at byte offset off (for message order). */
void rule_diag_set_parent(rule_diag *d, int file, int parent, uint32_t off);
/* The registered source `file`, or NULL. */
const rule_src *rule_diag_source(const rule_diag *d, int file);
/* The location of bytes [off, off+len) of `file`, with line and column computed. */
rule_loc rule_diag_loc(const rule_diag *d, int file, size_t off, size_t len);

/* Reports an error at loc: "name:line:col: error: message\n<line>\n<caret>\n" (kept until
 * rule_diag_flush). */
void rule_diag_error(rule_diag *d, rule_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Reports an error about a whole file (cannot read it): "name: error: message\n". */
void rule_diag_error_file(rule_diag *d, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "name:line:col" of loc, for messages that point elsewhere ("first defined at ..."). */
void rule_diag_where(const rule_diag *d, rule_loc loc, char *out, size_t outsz);

#endif
