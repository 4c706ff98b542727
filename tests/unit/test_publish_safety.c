/* Publication as root from cron on folders it does not own (issue "Hardening" items 1-6, 17):
 * a foreign --out folder is never emptied, planted symlinks are never followed, bad --out values
 * are refused before anything is created, a signal after the swap is reported as published,
 * outputs are private whatever the umask, and running out of memory cleans up. Every test runs
 * the real binary on the bundled sample. */
#include "testutil.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <sys/resource.h>

static char *ps_rules(void)
{
    static char p[4096];
    snprintf(p, sizeof p, "%s/rules/thads.rules", tu_root());
    return p;
}

static char *ps_sample(void)
{
    static char p[4096];
    snprintf(p, sizeof p, "%s/input/sample", tu_root());
    return p;
}

/* thongke report on the sample into out, with up to two extra arguments; stderr into err. */
static int ps_report(const char *out, const char *err, const char *x1, const char *x2,
                     char *const *env)
{
    char *argv[20] = {(char *)tu_bin(), "report", "--year", "2026", "--months", "10",
                      "--input", ps_sample(), "--rules", ps_rules(), "--out", (char *)out,
                      "--quiet"};
    int n = 13;
    if (x1)
        argv[n++] = (char *)x1;
    if (x2)
        argv[n++] = (char *)x2;
    argv[n] = NULL;
    return tu_run(argv, NULL, err, env);
}

static bool ps_exists(const char *dir, const char *name)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    struct stat st;
    return lstat(p, &st) == 0;
}

static size_t ps_count(const char *dir)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "%s", dir);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

static bool ps_err_has(const char *errfile, const char *what)
{
    char *t = tu_read(errfile, NULL);
    bool ok = t && strstr(t, what) != NULL;
    free(t);
    return ok;
}

Test(publish_safety, a_folder_holding_foreign_files_is_refused_and_left_untouched)
{
    char *tmp = tu_tempdir();
    char out[4096], err[4200];
    snprintf(out, sizeof out, "%s/d", tmp);
    snprintf(err, sizeof err, "%s/err", tmp);
    mkdir(out, 0755);
    free(tu_write_str(out, "thesis.docx", "years of work"));
    cr_assert_eq(ps_report(out, err, NULL, NULL, NULL), 4);
    cr_assert(ps_exists(out, "thesis.docx"), "the foreign file survives");
    cr_assert_eq(ps_count(out), 1);
    cr_assert(ps_err_has(err, "thesis.docx"), "the message names the foreign file");
    cr_assert_not(ps_exists(tmp, ".d.lock"), "nothing created beside a refused folder");
    free(tmp);
}

Test(publish_safety, a_previous_report_is_replaced_but_a_file_dropped_into_it_stops_the_run)
{
    char *tmp = tu_tempdir();
    char out[4096], err[4200];
    snprintf(out, sizeof out, "%s/r", tmp);
    snprintf(err, sizeof err, "%s/err", tmp);
    cr_assert_eq(ps_report(out, err, NULL, NULL, NULL), 0, "first publication");
    cr_assert_eq(ps_report(out, err, NULL, NULL, NULL), 0, "a thongke report is replaced");
    free(tu_write_str(out, "ghi-chu.txt", "notes of the statistician"));
    cr_assert_eq(ps_report(out, err, NULL, NULL, NULL), 4);
    cr_assert(ps_exists(out, "ghi-chu.txt"));
    cr_assert(ps_exists(out, "manifest.json"), "the previous report stays whole");
    cr_assert(ps_err_has(err, "ghi-chu.txt"));
    free(tmp);
}

Test(publish_safety, an_empty_existing_folder_is_used)
{
    char *tmp = tu_tempdir();
    char out[4096];
    snprintf(out, sizeof out, "%s/empty", tmp);
    mkdir(out, 0755);
    cr_assert_eq(ps_report(out, NULL, NULL, NULL, NULL), 0);
    cr_assert(ps_exists(out, "cells.csv"));
    free(tmp);
}

Test(publish_safety, a_planted_staging_symlink_is_not_followed)
{
    char *tmp = tu_tempdir();
    char out[4096], victim[4096], link[4200];
    snprintf(out, sizeof out, "%s/r", tmp);
    snprintf(victim, sizeof victim, "%s/victim", tmp);
    snprintf(link, sizeof link, "%s/.r.tmp-99999", tmp); /* a pid that does not run */
    mkdir(victim, 0755);
    free(tu_write_str(victim, "keep.txt", "not thongke's"));
    cr_assert_eq(symlink(victim, link), 0);
    cr_assert_eq(ps_report(out, NULL, NULL, NULL, NULL), 0);
    cr_assert(ps_exists(victim, "keep.txt"), "the symlink's target is not emptied");
    free(tmp);
}

Test(publish_safety, a_stale_staging_folder_of_a_dead_run_is_still_removed)
{
    char *tmp = tu_tempdir();
    char out[4096], stale[4200];
    snprintf(out, sizeof out, "%s/r", tmp);
    snprintf(stale, sizeof stale, "%s/.r.tmp-99999", tmp);
    mkdir(stale, 0755);
    free(tu_write_str(stale, "cells.csv", "half"));
    cr_assert_eq(ps_report(out, NULL, NULL, NULL, NULL), 0);
    struct stat st;
    cr_assert_neq(lstat(stale, &st), 0, "debris of a kill -9 is removed");
    free(tmp);
}

Test(publish_safety, a_symlinked_lock_file_is_refused_and_its_target_untouched)
{
    char *tmp = tu_tempdir();
    char out[4096], lock[4200], err[4200];
    snprintf(out, sizeof out, "%s/r", tmp);
    snprintf(lock, sizeof lock, "%s/.r.lock", tmp);
    snprintf(err, sizeof err, "%s/err", tmp);
    char *secret = tu_write_str(tmp, "secret", "do not truncate");
    cr_assert_eq(symlink(secret, lock), 0);
    cr_assert_eq(ps_report(out, err, NULL, NULL, NULL), 4);
    char *t = tu_read(secret, NULL);
    cr_assert_str_eq(t, "do not truncate");
    free(t);
    cr_assert(ps_err_has(err, ".r.lock"));
    /* a dangling one creates nothing where it points */
    char nowhere[4200];
    snprintf(nowhere, sizeof nowhere, "%s/created-by-lock", tmp);
    unlink(lock);
    cr_assert_eq(symlink(nowhere, lock), 0);
    cr_assert_eq(ps_report(out, NULL, NULL, NULL, NULL), 4);
    struct stat st;
    cr_assert_neq(lstat(nowhere, &st), 0);
    free(secret);
    free(tmp);
}

Test(publish_safety, a_hard_linked_lock_file_is_refused)
{
    char *tmp = tu_tempdir();
    char out[4096], lock[4200];
    snprintf(out, sizeof out, "%s/r", tmp);
    snprintf(lock, sizeof lock, "%s/.r.lock", tmp);
    char *other = tu_write_str(tmp, "other", "another file's content");
    cr_assert_eq(link(other, lock), 0);
    cr_assert_eq(ps_report(out, NULL, NULL, NULL, NULL), 4);
    char *t = tu_read(other, NULL);
    cr_assert_str_eq(t, "another file's content");
    free(t);
    free(other);
    free(tmp);
}

Test(publish_safety, empty_root_and_dot_outputs_are_usage_errors_that_create_nothing)
{
    char *tmp = tu_tempdir();
    char err[4200];
    snprintf(err, sizeof err, "%s/err", tmp);
    cr_assert_eq(ps_report("", err, NULL, NULL, NULL), 1, "an unset variable in a crontab");
    cr_assert(ps_err_has(err, "--out"));
    char dot[4200], dotdot[4200];
    snprintf(dot, sizeof dot, "%s/.", tmp);
    snprintf(dotdot, sizeof dotdot, "%s/x/..", tmp);
    cr_assert_eq(ps_report(dot, NULL, NULL, NULL, NULL), 1);
    cr_assert_eq(ps_report(dotdot, NULL, NULL, NULL, NULL), 1);
    cr_assert_eq(ps_report("/", NULL, NULL, NULL, NULL), 1);
    cr_assert_eq(ps_count(tmp), 1, "only the stderr file: no lock, no staging");
    free(tmp);
}

Test(publish_safety, a_sigterm_just_after_the_swap_reports_the_publication)
{
    char *tmp = tu_tempdir();
    char out[4096], err[4200];
    snprintf(out, sizeof out, "%s/r", tmp);
    snprintf(err, sizeof err, "%s/err", tmp);
    char *env[] = {"THONGKE_TEST_SIGTERM_AT_SWAP=1", NULL};
    cr_assert_eq(ps_report(out, err, NULL, NULL, env), 0);
    cr_assert(ps_err_has(err, "báo cáo mới đã ở đúng chỗ"));
    cr_assert(ps_exists(out, "manifest.json"));
    cr_assert_eq(ps_count(tmp), 3, "report, lock, stderr: no staging folder");
    free(tmp);
}

Test(publish_safety, outputs_are_private_whatever_the_umask_and_mode_changes_it)
{
    char *tmp = tu_tempdir();
    char out[4096], f[4200];
    snprintf(out, sizeof out, "%s/r", tmp);
    mode_t old = umask(0);
    int rc = ps_report(out, NULL, NULL, NULL, NULL);
    umask(old);
    cr_assert_eq(rc, 0);
    struct stat st;
    cr_assert_eq(stat(out, &st), 0);
    cr_assert_eq(st.st_mode & 07777, 0750, "folder %o", st.st_mode & 07777);
    const char *names[] = {"cells.csv", "cases.csv", "rejects.csv", "manifest.json",
                           "bao-cao-10-thang-2026.xlsx"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(f, sizeof f, "%s/%s", out, names[i]);
        cr_assert_eq(stat(f, &st), 0, "%s", f);
        cr_assert_eq(st.st_mode & 07777, 0640, "%s: %o", names[i], st.st_mode & 07777);
    }
    cr_assert_eq(ps_report(out, NULL, "--mode", "0644", NULL), 0);
    snprintf(f, sizeof f, "%s/cells.csv", out);
    cr_assert_eq(stat(f, &st), 0);
    cr_assert_eq(st.st_mode & 07777, 0644);
    cr_assert_eq(stat(out, &st), 0);
    cr_assert_eq(st.st_mode & 07777, 0755);
    cr_assert_eq(ps_report(out, NULL, "--mode", "9", NULL), 1);
    free(tmp);
}

#if defined(__SANITIZE_ADDRESS__)
#define PS_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PS_ASAN 1
#endif
#endif

Test(publish_safety, out_of_memory_is_a_documented_exit_and_leaves_nothing_behind)
{
#ifdef PS_ASAN
    cr_skip_test("the address space limit does not apply under AddressSanitizer's shadow memory");
#else
    char *tmp = tu_tempdir();
    char in[4096], out[4096], err[4200];
    snprintf(in, sizeof in, "%s/in", tmp);
    snprintf(out, sizeof out, "%s/r", tmp);
    snprintf(err, sizeof err, "%s/err", tmp);
    char *gen[] = {(char *)tu_bin(), "sample", "--out", in, "--cases", "200000", NULL};
    cr_assert_eq(tu_run(gen, NULL, NULL, NULL), 0);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        struct rlimit rl = {100u << 20, 100u << 20};
        setrlimit(RLIMIT_AS, &rl);
        int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(e, 2);
        execl(tu_bin(), tu_bin(), "report", "--year", "2026", "--months", "10", "--input", in,
              "--rules", ps_rules(), "--out", out, "--quiet", (char *)NULL);
        _exit(127);
    }
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_assert(WIFEXITED(st), "killed by signal %d", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    cr_assert_eq(WEXITSTATUS(st), 4);
    cr_assert(ps_err_has(err, "hết bộ nhớ"));
    cr_assert(ps_err_has(err, "byte"), "it says how much was being allocated");
    DIR *d = opendir(tmp);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        cr_assert_null(strstr(e->d_name, ".tmp-"), "staging folder left: %s", e->d_name);
    closedir(d);
    cr_assert_not(ps_exists(tmp, "r"), "nothing published");
    free(tmp);
#endif
}
