/* Operations through the real binary: kill -9 and SIGTERM mid-run, concurrent runs, a full
 * disk, --verify, a failing identity, --log and --quiet (cli.md "Scheduled runs", quality.md
 * "Robustness"). */
#include "publish.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <time.h>

#define OPS_BIG_CASES "300000"

/* The large sample of the running test, removed by its .fini (it is about 130 MB). */
static char ops_big[512];

static void ops_cleanup(void)
{
    if (ops_big[0])
        publish_remove_dir(ops_big);
}

static const char *ops_rules(void)
{
    static char p[4096];
    snprintf(p, sizeof p, "%s/rules/thads.rules", tu_root());
    return p;
}

static const char *ops_sample(void)
{
    static char p[4096];
    snprintf(p, sizeof p, "%s/input/sample", tu_root());
    return p;
}

/* Starts argv with stdout/stderr into files (NULL: /dev/null); fsize >= 0 lowers RLIMIT_FSIZE
 * to that many bytes in the child and ignores SIGXFSZ, so writes past it fail with EFBIG the way
 * they fail with ENOSPC on a full disk. */
static pid_t ops_spawn(char *const argv[], const char *out, const char *err, long fsize)
{
    pid_t pid = fork();
    cr_assert(pid >= 0, "fork: %s", strerror(errno));
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
        if (fsize >= 0) {
            signal(SIGXFSZ, SIG_IGN);
            struct rlimit rl = {(rlim_t)fsize, (rlim_t)fsize};
            if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
                _exit(126);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

/* Exit code of a finished child, 128+signal when killed. */
static int ops_status(int st)
{
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int ops_wait(pid_t pid)
{
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    return ops_status(st);
}

static int ops_run(char *const argv[], const char *out, const char *err, long fsize)
{
    return ops_wait(ops_spawn(argv, out, err, fsize));
}

static size_t ops_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

/* Waits until `path` exists (with at least one entry when need_file) while `pid` runs. Returns
 * true then; false when the child ended first (its exit code in *rc) or after 60 s (*rc -1). */
static bool ops_wait_for(pid_t pid, const char *path, bool need_file, int *rc)
{
    struct timespec nap = {0, 200000}; /* 0.2 ms */
    for (long i = 0; i < 300000; i++) {
        struct stat sb;
        if (stat(path, &sb) == 0 && (!need_file || ops_entries(path) > 0))
            return true;
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            *rc = ops_status(st);
            return false;
        }
        nanosleep(&nap, NULL);
    }
    *rc = -1;
    return false;
}

/* Every file of a folder (names sorted, sizes, bytes) as one blob, to compare folders. */
typedef struct {
    char *data;
    size_t len;
} ops_blob;

static int ops_alpha(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static ops_blob ops_snapshot(const char *dir)
{
    ops_blob s = {0};
    FILE *f = open_memstream(&s.data, &s.len);
    struct dirent **names;
    int n = scandir(dir, &names, NULL, ops_alpha);
    for (int i = 0; i < n; i++) {
        const char *nm = names[i]->d_name;
        if (strcmp(nm, ".") != 0 && strcmp(nm, "..") != 0) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", dir, nm);
            size_t len = 0;
            char *bytes = tu_read(path, &len);
            fprintf(f, "%s\n%zu\n", nm, len);
            if (bytes)
                fwrite(bytes, 1, len, f);
            free(bytes);
        }
        free(names[i]);
    }
    if (n >= 0)
        free(names);
    fclose(f);
    return s;
}

static void ops_assert_same(ops_blob a, const char *dir, const char *what)
{
    ops_blob b = ops_snapshot(dir);
    cr_assert(a.len > 0, "the reference snapshot is empty");
    cr_assert(a.len == b.len && memcmp(a.data, b.data, a.len) == 0,
              "%s: %s is not byte-identical to the report published before", what, dir);
    free(b.data);
}

/* Staging folders ".<name>.tmp-<pid>" beside the report `name` in `parent`. */
static size_t ops_debris(const char *parent, const char *name)
{
    char prefix[256];
    snprintf(prefix, sizeof prefix, ".%s.tmp-", name);
    DIR *d = opendir(parent);
    cr_assert_not_null(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
            n++;
    closedir(d);
    return n;
}

/* `thongke report --year 2026 --months 12 --rules R --input IN --out OUT [extra...]`, in argv
 * (room for 32 entries). */
static void ops_report_argv(char **argv, const char *in, const char *out, const char *extra1,
                            const char *extra2)
{
    int n = 0;
    argv[n++] = (char *)tu_bin();
    argv[n++] = "report";
    argv[n++] = "--year";
    argv[n++] = "2026";
    argv[n++] = "--months";
    argv[n++] = "12";
    argv[n++] = "--rules";
    argv[n++] = (char *)ops_rules();
    argv[n++] = "--input";
    argv[n++] = (char *)in;
    argv[n++] = "--out";
    argv[n++] = (char *)out;
    if (extra1)
        argv[n++] = (char *)extra1;
    if (extra2)
        argv[n++] = (char *)extra2;
    argv[n] = NULL;
}

/* Publishes the sample's report into tmp/out and returns its snapshot. */
static ops_blob ops_publish_first(const char *tmp, char *out, size_t outsz)
{
    snprintf(out, outsz, "%s/out", tmp);
    char *argv[32], err[600];
    snprintf(err, sizeof err, "%s/first.err", tmp);
    ops_report_argv(argv, ops_sample(), out, NULL, NULL);
    int rc = ops_run(argv, NULL, err, -1);
    char *e = tu_read(err, NULL);
    cr_assert_eq(rc, 0, "the first report must publish: %s", e);
    free(e);
    return ops_snapshot(out);
}

/* tmp/big: a generated sample of `cases` cases, removed by ops_cleanup. */
static void ops_make_big(const char *tmp, const char *cases)
{
    snprintf(ops_big, sizeof ops_big, "%s/big", tmp);
    char *argv[] = {(char *)tu_bin(), "sample", "--out", ops_big, "--cases", (char *)cases, NULL};
    cr_assert_eq(ops_run(argv, NULL, NULL, -1), 0, "sample --cases %s", cases);
}

Test(ops, kill_9_mid_run_leaves_the_published_report_and_the_next_run_cleans_up,
     .fini = ops_cleanup)
{
    char *tmp = tu_tempdir(), out[512], stage[600];
    ops_blob before = ops_publish_first(tmp, out, sizeof out);
    ops_make_big(tmp, OPS_BIG_CASES);

    char *argv[32];
    ops_report_argv(argv, ops_big, out, NULL, NULL);
    pid_t pid = ops_spawn(argv, NULL, NULL, -1);
    snprintf(stage, sizeof stage, "%s/.out.tmp-%ld", tmp, (long)pid);
    int rc = 0;
    cr_assert(ops_wait_for(pid, stage, false, &rc), "the staging folder never appeared (rc %d)", rc);
    cr_assert_eq(kill(pid, SIGKILL), 0);
    cr_assert_eq(ops_wait(pid), 128 + SIGKILL);

    ops_assert_same(before, out, "after kill -9");
    cr_assert_eq(ops_debris(tmp, "out"), 1, "SIGKILL cannot clean up: the staging folder stays");

    /* the next run takes the lock, removes the dead run's staging folder and publishes */
    char err[600];
    snprintf(err, sizeof err, "%s/next.err", tmp);
    ops_report_argv(argv, ops_sample(), out, NULL, NULL);
    rc = ops_run(argv, NULL, err, -1);
    char *e = tu_read(err, NULL);
    cr_assert_eq(rc, 0, "%s", e);
    free(e);
    cr_assert_eq(ops_debris(tmp, "out"), 0, "the stale staging folder is removed");
    cr_assert(access(stage, F_OK) != 0);
    ops_assert_same(before, out, "the rerun on the same input");
    free(before.data);
    free(tmp);
}

Test(ops, sigterm_mid_run_exits_4_and_leaves_no_staging_folder, .fini = ops_cleanup)
{
    char *tmp = tu_tempdir(), out[512], stage[600], err[600];
    ops_blob before = ops_publish_first(tmp, out, sizeof out);
    ops_make_big(tmp, OPS_BIG_CASES);

    char *argv[32];
    snprintf(err, sizeof err, "%s/term.err", tmp);
    ops_report_argv(argv, ops_big, out, NULL, NULL);
    pid_t pid = ops_spawn(argv, NULL, err, -1);
    snprintf(stage, sizeof stage, "%s/.out.tmp-%ld", tmp, (long)pid);
    int rc = 0;
    /* wait for the first output file, so the handler has files to remove */
    cr_assert(ops_wait_for(pid, stage, true, &rc), "no output file was staged (rc %d)", rc);
    cr_assert_eq(kill(pid, SIGTERM), 0);
    rc = ops_wait(pid);
    char *e = tu_read(err, NULL);
    cr_assert_eq(rc, 4, "%s", e);
    cr_assert(strstr(e, "bị ngắt") != NULL, "%s", e);
    free(e);
    cr_assert_eq(ops_debris(tmp, "out"), 0, "the handler removes the staging folder");
    ops_assert_same(before, out, "after SIGTERM");
    free(before.data);
    free(tmp);
}

Test(ops, two_concurrent_runs_one_publishes_and_the_other_exits_4_naming_its_pid,
     .fini = ops_cleanup)
{
    char *tmp = tu_tempdir(), out[512], stage[600], err[600];
    snprintf(out, sizeof out, "%s/out", tmp);
    ops_make_big(tmp, "30000");
    char *argv[32];
    ops_report_argv(argv, ops_big, out, "--quiet", NULL);
    pid_t first = ops_spawn(argv, NULL, NULL, -1);
    snprintf(stage, sizeof stage, "%s/.out.tmp-%ld", tmp, (long)first);
    int rc = 0;
    cr_assert(ops_wait_for(first, stage, false, &rc), "first run never staged (rc %d)", rc);
    /* stopped while it holds the lock, so the second run surely meets it */
    cr_assert_eq(kill(first, SIGSTOP), 0);

    snprintf(err, sizeof err, "%s/second.err", tmp);
    ops_report_argv(argv, ops_sample(), out, NULL, NULL);
    rc = ops_run(argv, NULL, err, -1);
    char *e = tu_read(err, NULL);
    char pid[32];
    snprintf(pid, sizeof pid, "pid %ld", (long)first);
    cr_assert_eq(rc, 4, "%s", e);
    cr_assert(strstr(e, pid) != NULL, "the message names the holder (%s): %s", pid, e);
    free(e);

    cr_assert_eq(kill(first, SIGCONT), 0);
    cr_assert_eq(ops_wait(first), 0, "the lock holder publishes");
    char manifest[600];
    snprintf(manifest, sizeof manifest, "%s/manifest.json", out);
    char *m = tu_read(manifest, NULL);
    cr_assert(m && strstr(m, ops_big) != NULL, "the published report is the first run's");
    free(m);
    cr_assert_eq(ops_debris(tmp, "out"), 0);
    free(tmp);
}

/* A file size limit in the child stands in for a full disk; formats choose which writer meets
 * it first (cases.csv streamed during the computation, or the workbook's zip), and 1 byte fails
 * even the lock file's pid. */
Test(ops, a_full_disk_exits_4_keeps_the_previous_report_and_leaves_no_debris)
{
    static const struct {
        const char *format;
        long limit;
    } cases[] = {
        {"xlsx,csv", 16 * 1024},
        {"xlsx", 16 * 1024},
        {"csv", 64 * 1024},
        {"xlsx,csv", 1},
    };
    char *tmp = tu_tempdir(), out[512], err[600];
    ops_blob before = ops_publish_first(tmp, out, sizeof out);
    snprintf(err, sizeof err, "%s/full.err", tmp);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *argv[32];
        ops_report_argv(argv, ops_sample(), out, "--format", cases[i].format);
        int rc = ops_run(argv, NULL, err, cases[i].limit);
        char *e = tu_read(err, NULL);
        cr_assert_eq(rc, 4, "--format %s, limit %ld bytes: %s", cases[i].format, cases[i].limit,
                     e);
        if (cases[i].limit >= 4096) /* the limit caps the stderr file too */
            cr_assert(strstr(e, "thongke: lỗi:") != NULL, "an error line: %s", e);
        free(e);
        cr_assert_eq(ops_debris(tmp, "out"), 0, "--format %s: staging removed", cases[i].format);
        ops_assert_same(before, out, "after a write failure");
    }
    free(before.data);
    free(tmp);
}

/* Copies input/sample into dir (cases, events, thahc). */
static void ops_copy_sample(const char *dir)
{
    static const char *const names[] = {"cases.csv", "events.csv", "thahc.csv"};
    for (size_t i = 0; i < 3; i++) {
        char src[4200];
        snprintf(src, sizeof src, "%s/%s", ops_sample(), names[i]);
        size_t len = 0;
        char *b = tu_read(src, &len);
        cr_assert_not_null(b, "%s", src);
        free(tu_write(dir, names[i], b, len));
        free(b);
    }
}

Test(ops, verify_accepts_the_published_report_and_names_a_tampered_file_or_changed_input)
{
    char *tmp = tu_tempdir(), in[600], out[600], err[600];
    snprintf(in, sizeof in, "%s/in", tmp);
    snprintf(out, sizeof out, "%s/out", tmp);
    snprintf(err, sizeof err, "%s/verify.err", tmp);
    cr_assert_eq(mkdir(in, 0777), 0);
    ops_copy_sample(in);
    char *argv[32];
    ops_report_argv(argv, in, out, NULL, NULL);
    cr_assert_eq(ops_run(argv, NULL, NULL, -1), 0);

    ops_report_argv(argv, in, out, "--verify", NULL);
    int rc = ops_run(argv, NULL, err, -1);
    char *e = tu_read(err, NULL);
    cr_assert_eq(rc, 0, "an untouched report verifies: %s", e);
    free(e);

    /* one byte of the workbook changed */
    char xlsx[700];
    snprintf(xlsx, sizeof xlsx, "%s/bao-cao-12-thang-2026.xlsx", out);
    size_t len = 0;
    char *orig = tu_read(xlsx, &len);
    cr_assert(orig && len > 100);
    char *bad = malloc(len);
    memcpy(bad, orig, len);
    bad[len / 2] = (char)(bad[len / 2] ^ 0x20);
    free(tu_write(out, "bao-cao-12-thang-2026.xlsx", bad, len));
    rc = ops_run(argv, NULL, err, -1);
    e = tu_read(err, NULL);
    cr_assert_eq(rc, 1, "%s", e);
    cr_assert(strstr(e, "bao-cao-12-thang-2026.xlsx") != NULL, "names the file: %s", e);
    free(e);

    /* restored: identical again */
    free(tu_write(out, "bao-cao-12-thang-2026.xlsx", orig, len));
    cr_assert_eq(ops_run(argv, NULL, NULL, -1), 0, "restored bytes verify again");

    /* one input row changed: a digit of the last line of cases.csv */
    char cases[700];
    snprintf(cases, sizeof cases, "%s/cases.csv", in);
    size_t clen = 0;
    char *c = tu_read(cases, &clen);
    cr_assert(c && clen > 10);
    char *digit = NULL;
    for (char *p = c + clen - 1; p > c && !digit; p--)
        if (*p >= '1' && *p <= '8')
            digit = p;
    cr_assert_not_null(digit);
    (*digit)++;
    free(tu_write(in, "cases.csv", c, clen));
    rc = ops_run(argv, NULL, err, -1);
    e = tu_read(err, NULL);
    cr_assert_eq(rc, 1, "a changed input row no longer verifies: %s", e);
    cr_assert(strstr(e, "verify") != NULL, "%s", e);
    free(e);
    free(c);
    free(orig);
    free(bad);
    free(tmp);
}

Test(ops, a_check_that_cannot_hold_exits_5_and_publishes_nothing)
{
    char *tmp = tu_tempdir(), out[512], err[600], text[4600];
    ops_blob before = ops_publish_first(tmp, out, sizeof out);
    snprintf(text, sizeof text,
             "version \"đẳng thức sai (test)\"\n"
             "include \"%s/rules/thads-maps.rules\"\n"
             "form X \"Biểu thử\" {\n"
             "  rows ma_don_vi\n"
             "  column a \"A\" = count(true)\n"
             "  column b \"B\" = count(true) + 1\n"
             "  check a = b\n"
             "}\n",
             tu_root());
    char *rules = tu_write_str(tmp, "wrong.rules", text);
    snprintf(err, sizeof err, "%s/check.err", tmp);
    char *argv[32];
    ops_report_argv(argv, ops_sample(), out, NULL, NULL);
    argv[7] = rules; /* --rules */
    int rc = ops_run(argv, NULL, err, -1);
    char *e = tu_read(err, NULL);
    cr_assert_eq(rc, 5, "%s", e);
    cr_assert(strstr(e, "a = b") != NULL, "the message quotes the check: %s", e);
    free(e);
    ops_assert_same(before, out, "after a failed identity");
    cr_assert_eq(ops_debris(tmp, "out"), 0);

    /* and into a folder that never had a report: nothing appears */
    char fresh[600];
    snprintf(fresh, sizeof fresh, "%s/fresh", tmp);
    ops_report_argv(argv, ops_sample(), fresh, NULL, NULL);
    argv[7] = rules;
    cr_assert_eq(ops_run(argv, NULL, NULL, -1), 5);
    cr_assert(access(fresh, F_OK) != 0, "no report folder");
    cr_assert_eq(ops_debris(tmp, "fresh"), 0);
    free(before.data);
    free(rules);
    free(tmp);
}

Test(ops, log_writes_the_stage_lines_to_the_file_and_quiet_prints_nothing)
{
    char *tmp = tu_tempdir(), out[512], log[600], so[600], se[600];
    snprintf(out, sizeof out, "%s/out", tmp);
    snprintf(log, sizeof log, "%s/run.log", tmp);
    snprintf(so, sizeof so, "%s/stdout", tmp);
    snprintf(se, sizeof se, "%s/stderr", tmp);
    char *argv[32];
    ops_report_argv(argv, ops_sample(), out, "--log", log);
    cr_assert_eq(ops_run(argv, so, se, -1), 0);
    char *l = tu_read(log, NULL), *o = tu_read(so, NULL), *e = tu_read(se, NULL);
    cr_assert_not_null(l);
    static const char *const stages[] = {"thongke: quy tắc: ", "thongke: đọc: ", "thongke: tính: ",
                                         "thongke: công bố: "};
    for (size_t i = 0; i < 4; i++)
        cr_assert(strstr(l, stages[i]) != NULL, "log lacks '%s': %s", stages[i], l);
    cr_assert(strstr(l, "cases.csv: 3000 dòng") != NULL, "counts are logged: %s", l);
    /* the closing line: time by stage and the peak memory, in whole milliseconds and MB */
    const char *tl = strstr(l, "thongke: thời gian: đọc ");
    cr_assert_not_null(tl, "log lacks the time line: %s", l);
    long ms[9], mb = -1;
    int got = sscanf(tl, "thongke: thời gian: đọc %ld ms, tính %ld ms (trong đó ghi cases.csv và "
                         "checks-cases.csv %ld ms, dựng bảng và danh sách %ld ms), tệp CSV khác "
                         "%ld ms, chờ kiểm tra liên tục %ld ms, mã băm %ld ms, bảng tính Excel "
                         "%ld ms (cùng lúc với tệp CSV và mã băm), ghi đĩa %ld ms; bộ nhớ đỉnh "
                         "%ld MB",
                     &ms[0], &ms[1], &ms[2], &ms[3], &ms[4], &ms[5], &ms[6], &ms[7], &ms[8], &mb);
    cr_assert_eq(got, 10, "time line: %.300s", tl);
    cr_expect_leq(ms[2] + ms[3], ms[1], "writing cases.csv and building tables are in computing");
    cr_expect_gt(mb, 1, "peak memory %ld MB", mb);
    cr_expect_lt(mb, 4096, "peak memory %ld MB", mb);
    cr_assert_str_empty(e, "with --log the stage lines leave stderr: %s", e);
    cr_assert_str_empty(o);
    free(l);
    free(o);
    free(e);

    ops_report_argv(argv, ops_sample(), out, "--quiet", NULL);
    cr_assert_eq(ops_run(argv, so, se, -1), 0);
    o = tu_read(so, NULL);
    e = tu_read(se, NULL);
    cr_assert_str_empty(o, "--quiet: %s", o);
    cr_assert_str_empty(e, "--quiet: %s", e);
    free(o);
    free(e);

    /* --quiet keeps errors */
    ops_report_argv(argv, "/nonexistent-thongke", out, "--quiet", NULL);
    cr_assert_eq(ops_run(argv, so, se, -1), 3);
    e = tu_read(se, NULL);
    cr_assert(strstr(e, "thongke: lỗi:") != NULL, "%s", e);
    free(e);
    free(tmp);
}

/* The same two clean-ups at the publish level, with a live pid and a dead one. */
Test(ops, publish_removes_staging_of_dead_runs_only_and_the_signal_cleanup_empties_its_own)
{
    char *tmp = tu_tempdir(), out[512], dead[600], live[600], other[600];
    snprintf(out, sizeof out, "%s/r", tmp);
    pid_t child = fork();
    cr_assert(child >= 0);
    if (child == 0)
        _exit(0);
    cr_assert_eq(ops_wait(child), 0); /* reaped: its pid no longer exists */
    snprintf(dead, sizeof dead, "%s/.r.tmp-%ld", tmp, (long)child);
    snprintf(live, sizeof live, "%s/.r.tmp-%ld", tmp, (long)getppid());
    snprintf(other, sizeof other, "%s/.rr.tmp-%ld", tmp, (long)child); /* another report's */
    const char *dirs[] = {dead, live, other};
    for (size_t i = 0; i < 3; i++) {
        cr_assert_eq(mkdir(dirs[i], 0777), 0);
        free(tu_write_str(dirs[i], "cells.csv", "half\n"));
    }
    bool locked;
    thk_buf err = {0};
    publish *p = publish_begin(out, &locked, &err);
    cr_assert_not_null(p, "%s", err.data);
    cr_assert(access(dead, F_OK) != 0, "a dead run's staging folder is removed");
    cr_assert(access(live, F_OK) == 0, "a live pid's folder is left alone");
    cr_assert(access(other, F_OK) == 0, "another report's folder is not touched");

    char stage[600];
    snprintf(stage, sizeof stage, "%s", publish_dir(p));
    free(tu_write_str(stage, "bao-cao-12-thang-2026.xlsx", "x"));
    free(tu_write_str(stage, "cases.csv", "y"));
    publish_signal_cleanup();
    cr_assert(access(stage, F_OK) != 0, "the handler's clean-up removes files and folder");
    publish_abort(p);
    buf_free(&err);
    free(tmp);
}

/* --threads 1 and --threads 2 publish the same files byte for byte (issue 15: the two-thread
 * read pipe and computation change nothing); only the command line in the manifest (and its
 * copy in the workbook) differs. 9000 cases: more than two chunks of 4096. */
Test(ops, one_thread_and_two_threads_write_the_same_bytes, .fini = ops_cleanup)
{
    char *tmp = tu_tempdir(), o1[600], o2[600];
    ops_make_big(tmp, "9000");
    snprintf(o1, sizeof o1, "%s/t1", tmp);
    snprintf(o2, sizeof o2, "%s/t2", tmp);
    char *argv[32];
    ops_report_argv(argv, ops_big, o1, "--threads", "1");
    cr_assert_eq(ops_run(argv, NULL, NULL, -1), 0);
    ops_report_argv(argv, ops_big, o2, "--threads", "2");
    cr_assert_eq(ops_run(argv, NULL, NULL, -1), 0);
    static const char *const files[] = {"cells.csv", "cases.csv", "lists.csv", "accumulators.csv",
                                        "labels.csv", "rejects.csv", "checks.csv",
                                        "checks-cases.csv", "thahc-cases.csv"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char p1[700], p2[700];
        snprintf(p1, sizeof p1, "%s/%s", o1, files[i]);
        snprintf(p2, sizeof p2, "%s/%s", o2, files[i]);
        size_t n1 = 0, n2 = 0;
        char *a = tu_read(p1, &n1), *b = tu_read(p2, &n2);
        cr_assert_not_null(a, "%s", p1);
        cr_assert_not_null(b, "%s", p2);
        cr_expect(n1 > 0 && n1 == n2 && memcmp(a, b, n1) == 0, "%s differs", files[i]);
        free(a);
        free(b);
    }
    ops_report_argv(argv, ops_big, o1, "--threads", "3");
    cr_assert_eq(ops_run(argv, NULL, NULL, -1), THK_EXIT_USAGE, "--threads takes 1 or 2");
    free(tmp);
}

/* A continuity check that fails stops the run with 5 while the workbook is being made on its
 * own thread: the thread is told to stop, nothing is published, nothing is left behind. */
Test(ops, a_failed_continuity_stops_the_workbook_thread_and_publishes_nothing)
{
    alarm(60); /* a workbook thread left waiting would hang the run */
    char *tmp = tu_tempdir(), out[512], extra[600], err[600];
    snprintf(out, sizeof out, "%s/out", tmp);
    snprintf(extra, sizeof extra, "%s/sai.rules", tmp);
    snprintf(err, sizeof err, "%s/err", tmp);
    FILE *f = fopen(extra, "w");
    cr_assert_not_null(f);
    fputs("continuity \"cố ý sai\" {\n  previous = true\n  current = false\n}\n", f);
    fclose(f);
    char *argv[32];
    ops_report_argv(argv, ops_sample(), out, "--rules", extra);
    cr_assert_eq(ops_run(argv, NULL, err, -1), THK_EXIT_CHECK);
    char *e = tu_read(err, NULL);
    cr_expect(e && strstr(e, "kiểm tra liên tục giữa hai năm không đúng") != NULL, "%s", e);
    free(e);
    cr_expect(access(out, F_OK) != 0, "nothing published");
    cr_expect_eq(ops_debris(tmp, "out"), 0);
    free(tmp);
}
