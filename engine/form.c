/* form — ownership and small arithmetic helpers of computed tables. */
#include "form.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One block of a table's string store; blocks double up to 1 MiB and are never moved. */
struct form_strings {
    struct form_strings *next;
    size_t used, cap;
    char data[];
};

void form_table_clear(form_table *t)
{
    if (!t)
        return;
    free(t->id);
    free(t->title);
    free(t->subtitle);
    free(t->form_code);
    for (size_t i = 0; i < t->nrowfields; i++)
        free(t->rowfield_labels[i]);
    free(t->rowfield_labels);
    for (size_t i = 0; i < t->ncols; i++) {
        free(t->cols[i].code);
        free(t->cols[i].label);
        free(t->cols[i].target);
        free(t->cols[i].format);
    }
    free(t->cols);
    for (size_t i = 0; i < t->ngroups; i++)
        free(t->groups[i].label);
    free(t->groups);
    for (size_t r = 0; r < t->nrows; r++) {
        if (!t->strings)
            free(t->rows[r].key);
        if (t->rows[r].labels)
            for (size_t i = 0; i < t->nrowfields; i++)
                free(t->rows[r].labels[i]);
        free(t->rows[r].labels);
    }
    free(t->rows);
    free(t->cells);
    for (size_t a = 0; a < t->naccs; a++)
        free(t->acc_names[a]);
    free(t->acc_names);
    free(t->accs);
    free(t->shown);
    if (t->texts && !t->strings)
        for (size_t i = 0; i < t->nrows * t->ncols; i++)
            free(t->texts[i]);
    free(t->texts);
    for (struct form_strings *b = t->strings, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    *t = (form_table){0};
}

char *form_table_strdup(form_table *t, const char *s, size_t n)
{
    struct form_strings *b = t->strings;
    if (!b || b->cap - b->used < n + 1) {
        size_t cap = b ? b->cap * 2 : 4096;
        if (cap > ((size_t)1 << 20))
            cap = (size_t)1 << 20;
        if (cap < n + 1)
            cap = n + 1;
        struct form_strings *nb = thk_xmalloc(sizeof *nb + cap);
        nb->next = b;
        nb->used = 0;
        nb->cap = cap;
        t->strings = b = nb;
    }
    char *out = b->data + b->used;
    if (n)
        memcpy(out, s, n);
    out[n] = '\0';
    b->used += n + 1;
    return out;
}

void form_table_take_strings(form_table *t, form_table *from)
{
    struct form_strings *last = from->strings;
    if (!last)
        return;
    while (last->next)
        last = last->next;
    last->next = t->strings;
    t->strings = from->strings;
    from->strings = NULL;
}

void form_set_free(form_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->ntables; i++)
        form_table_clear(&s->tables[i]);
    free(s->tables);
    for (size_t i = 0; i < s->ntargets; i++)
        free(s->targets[i].name);
    free(s->targets);
    free(s->basis);
    for (int k = 0; k < 4; k++)
        free(s->sign[k]);
    free(s);
}

void form_rate_format(const form_cell *c, char *out)
{
    if (c->empty) {
        out[0] = '\0';
        return;
    }
    int64_t v = c->v;
    const char *sign = v < 0 ? "-" : "";
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    snprintf(out, 32, "%s%" PRIu64 ".%02" PRIu64, sign, a / 100, a % 100);
}

/* 128-bit intermediate: a GCC/Clang extension, marked so -Wpedantic accepts it. */
__extension__ typedef __int128 form_i128;

form_cell form_percent(int64_t num, int64_t den)
{
    if (den == 0)
        return (form_cell){0, true};
    /* rate = num * 10000 / den, half up (away from zero), exact in 128 bits. */
    form_i128 n = (form_i128)num * 10000;
    form_i128 d = den;
    bool neg = (n < 0) != (d < 0);
    if (n < 0)
        n = -n;
    if (d < 0)
        d = -d;
    form_i128 q = (2 * n + d) / (2 * d);
    if (q > INT64_MAX)
        q = INT64_MAX;
    return (form_cell){neg ? -(int64_t)q : (int64_t)q, false};
}
