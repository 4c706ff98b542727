/* testutil — small helpers shared by the Criterion tests: temp folders, files, the binary. */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <errno.h>
#include <fcntl.h>

/* Where tests put their files: the run's own folder made by test_tmp.c (THONGKE_TEST_TMP, under
 * $TMPDIR, removed when every test passed), else $TMPDIR, else /tmp. */
static inline const char *tu_tmpbase(void)
{
    const char *t = getenv("THONGKE_TEST_TMP");
    if (!t || !*t)
        t = getenv("TMPDIR");
    return t && *t ? t : "/tmp";
}

/* A fresh temporary folder under tu_tmpbase(), never NULL. */
__attribute__((returns_nonnull)) static inline char *tu_tempdir(void)
{
    char tmpl[4096];
    snprintf(tmpl, sizeof tmpl, "%s/thongke-test-XXXXXX", tu_tmpbase());
    char *d = mkdtemp(tmpl);
    char *copy = d ? strdup(d) : NULL;
    if (!copy)
        abort(); /* no temporary folder: nothing below can run */
    return copy;
}

/* Writes len bytes to dir/name and returns the malloc'd path. */
static inline char *tu_write(const char *dir, const char *name, const char *data, size_t len)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *path = malloc(n);
    snprintf(path, n, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(data, 1, len, f);
        fclose(f);
    }
    return path;
}

static inline char *tu_write_str(const char *dir, const char *name, const char *text)
{
    return tu_write(dir, name, text, strlen(text));
}

/* Whole file, NUL-terminated, malloc'd; *len set when not NULL. NULL when unreadable. */
static inline char *tu_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *b = malloc(cap);
    size_t r;
    while ((r = fread(b + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (cap - n < 2) {
            cap *= 2;
            b = realloc(b, cap);
        }
    }
    fclose(f);
    b[n] = '\0';
    if (len)
        *len = n;
    return b;
}

/* The repository root (THONGKE_ROOT, set by the Makefile) and the binary under test. */
static inline const char *tu_root(void)
{
    const char *r = getenv("THONGKE_ROOT");
    return r && *r ? r : ".";
}

static inline const char *tu_bin(void)
{
    const char *b = getenv("THONGKE_BIN");
    return b && *b ? b : "./thongke";
}

/* Runs argv (argv[0] is a path) with stdout and stderr captured into the given files (NULL: to
 * /dev/null) and optional extra environment "K=V" (NULL-terminated list). Returns the exit
 * status, 128+signal when killed, -1 when it could not start. */
static inline int tu_run(char *const argv[], const char *out, const char *err,
                         char *const *env_extra)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int o = open(out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(err ? err : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int n = open("/dev/null", O_RDONLY);
        if (o >= 0)
            dup2(o, 1);
        if (e >= 0)
            dup2(e, 2);
        if (n >= 0)
            dup2(n, 0);
        for (char *const *k = env_extra; k && *k; k++)
            putenv(*k);
        execv(argv[0], argv);
        _exit(127);
    }
    int st;
    if (waitpid(pid, &st, 0) < 0)
        return -1;
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    return 128 + WTERMSIG(st);
}

#endif
