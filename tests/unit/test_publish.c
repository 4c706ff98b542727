/* Tests of publish: staging, atomic swap, the previous report surviving a failure, the lock. */
#include "manifest.h"
#include "publish.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <dirent.h>

static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

static void put(publish *p, const char *name, const char *text)
{
    FILE *f = fopen(publish_path(p, name), "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

/* A manifest.json as thongke writes it, listing the given outputs: a folder holding it is a
 * previous publication that the next run may replace. */
static void put_manifest(publish *p, size_t n, const char *const *names)
{
    manifest_output outs[8] = {{0}};
    for (size_t i = 0; i < n; i++)
        outs[i].path = names[i];
    manifest_info mi = {.tool_version = "test", .outputs = outs, .noutputs = n};
    thk_buf err = {0};
    cr_assert_eq(manifest_write(publish_path(p, "manifest.json"), &mi, &err), 0, "%s", err.data);
    buf_free(&err);
}

Test(publish, a_first_run_creates_the_folder_with_its_files)
{
    char *tmp = tu_tempdir();
    char out[512];
    snprintf(out, sizeof out, "%s/a/b/2026-12thang", tmp);
    bool locked;
    thk_buf err = {0};
    publish *p = publish_begin(out, &locked, &err);
    cr_assert_not_null(p, "%s", err.data);
    put(p, "cells.csv", "x\n");
    cr_assert_eq(publish_commit(p, &err), 0, "%s", err.data);
    publish_abort(p);
    char path[600];
    snprintf(path, sizeof path, "%s/cells.csv", out);
    char *t = tu_read(path, NULL);
    cr_assert_str_eq(t, "x\n");
    free(t);
    snprintf(path, sizeof path, "%s/a/b", tmp);
    cr_assert_eq(count_entries(path), 2, "the report and its lock file, no staging debris");
    free(tmp);
}

Test(publish, a_rerun_replaces_the_report_atomically)
{
    char *tmp = tu_tempdir();
    char out[512], path[600];
    snprintf(out, sizeof out, "%s/r", tmp);
    bool locked;
    thk_buf err = {0};
    publish *p = publish_begin(out, &locked, &err);
    put(p, "cells.csv", "old\n");
    put(p, "stale.csv", "gone after the rerun\n");
    put_manifest(p, 2, (const char *const[]){"cells.csv", "stale.csv"});
    cr_assert_eq(publish_commit(p, &err), 0);
    publish_abort(p);
    p = publish_begin(out, &locked, &err);
    put(p, "cells.csv", "new\n");
    cr_assert_eq(publish_commit(p, &err), 0, "%s", err.data);
    publish_abort(p);
    snprintf(path, sizeof path, "%s/cells.csv", out);
    char *t = tu_read(path, NULL);
    cr_assert_str_eq(t, "new\n");
    free(t);
    cr_assert_eq(count_entries(out), 1, "stale.csv and the old manifest went with the old report");
    cr_assert_eq(count_entries(tmp), 2);
    free(tmp);
}

Test(publish, an_aborted_run_leaves_the_previous_report_and_no_debris)
{
    char *tmp = tu_tempdir();
    char out[512], path[600];
    snprintf(out, sizeof out, "%s/r", tmp);
    bool locked;
    thk_buf err = {0};
    publish *p = publish_begin(out, &locked, &err);
    put(p, "cells.csv", "published\n");
    put_manifest(p, 1, (const char *const[]){"cells.csv"});
    publish_commit(p, &err);
    publish_abort(p);
    p = publish_begin(out, &locked, &err);
    put(p, "cells.csv", "half");
    publish_abort(p);
    snprintf(path, sizeof path, "%s/cells.csv", out);
    char *t = tu_read(path, NULL);
    cr_assert_str_eq(t, "published\n");
    free(t);
    cr_assert_eq(count_entries(tmp), 2, "report + lock file only");
    free(tmp);
}

Test(publish, a_second_run_on_a_locked_folder_is_refused_naming_the_pid)
{
    char *tmp = tu_tempdir();
    char out[512], pid[32];
    snprintf(out, sizeof out, "%s/r", tmp);
    snprintf(pid, sizeof pid, "pid %ld", (long)getpid());
    bool locked;
    thk_buf err = {0}, err2 = {0};
    publish *p = publish_begin(out, &locked, &err);
    cr_assert_not_null(p);
    publish *q = publish_begin(out, &locked, &err2);
    cr_assert_null(q);
    cr_assert(locked);
    cr_assert(strstr(err2.data, pid) != NULL, "%s", err2.data);
    publish_abort(p);
    q = publish_begin(out, &locked, &err2);
    cr_assert_not_null(q, "the lock is released by abort");
    publish_abort(q);
    buf_free(&err);
    buf_free(&err2);
    free(tmp);
}

Test(publish, an_unwritable_parent_is_an_error_not_a_crash)
{
    bool locked;
    thk_buf err = {0};
    publish *p = publish_begin("/proc/thongke-cannot/out", &locked, &err);
    cr_assert_null(p);
    cr_assert_not(locked);
    cr_assert(strstr(err.data, "/proc/") != NULL, "%s", err.data);
    buf_free(&err);
}

/* publish_presync sends a staged file to disk early and sets its mode, as publication would; a
 * name that is not there (or a planted link) is no error and nothing is followed. */
Test(publish, presync_is_best_effort_and_the_commit_still_publishes)
{
    char *tmp = tu_tempdir();
    char out[512], path[600], outside[600];
    snprintf(out, sizeof out, "%s/p", tmp);
    snprintf(outside, sizeof outside, "%s/outside.txt", tmp);
    FILE *o = fopen(outside, "w");
    cr_assert_not_null(o);
    fputs("keep\n", o);
    fclose(o);
    cr_assert_eq(chmod(outside, 0600), 0);
    bool locked;
    thk_buf err = {0};
    publish *p = publish_begin(out, &locked, &err);
    cr_assert_not_null(p, "%s", err.data);
    put(p, "cells.csv", "x\n");
    cr_assert_eq(symlink(outside, publish_path(p, "link.csv")), 0);
    publish_presync(p, "cells.csv");
    publish_presync(p, "missing.csv");
    publish_presync(p, "link.csv");
    struct stat st;
    cr_assert_eq(stat(outside, &st), 0);
    cr_expect_eq(st.st_mode & 0777, 0600, "a planted link is not followed");
    cr_assert_eq(unlink(publish_path(p, "link.csv")), 0);
    cr_assert_eq(stat(publish_path(p, "cells.csv"), &st), 0);
    cr_expect_eq(st.st_mode & 0777, 0640, "the mode publication gives");
    cr_assert_eq(publish_commit(p, &err), 0, "%s", err.data);
    publish_abort(p);
    snprintf(path, sizeof path, "%s/cells.csv", out);
    char *t = tu_read(path, NULL);
    cr_assert_str_eq(t, "x\n");
    free(t);
    buf_free(&err);
    free(tmp);
}
