/* test_tmp — one temporary folder per test run: made before the first test under $TMPDIR (or
 * /tmp) and handed to every test process as THONGKE_TEST_TMP (tu_tmpbase, testutil.h); removed
 * with everything in it when all tests passed, kept and named when one failed so it can be
 * looked at. */
#define _XOPEN_SOURCE 700
#include "testutil.h"

#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <ftw.h>

static char tmp_root[4096];

static int tmp_remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) == 0 || errno == ENOENT ? 0 : 0; /* best effort: keep going */
}

ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
    (void)set;
    if (getenv("THONGKE_TEST_TMP"))
        return; /* an outer runner owns it */
    const char *t = getenv("TMPDIR");
    snprintf(tmp_root, sizeof tmp_root, "%s/thongke-test-run-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmp_root)) {
        tmp_root[0] = '\0';
        return;
    }
    setenv("THONGKE_TEST_TMP", tmp_root, 1);
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
    if (!tmp_root[0])
        return;
    if (stats->tests_failed == 0 && stats->tests_crashed == 0)
        nftw(tmp_root, tmp_remove_one, 16, FTW_DEPTH | FTW_PHYS);
    else
        fprintf(stderr, "test files kept for inspection in %s\n", tmp_root);
}

Test(test_tmp, temporary_folders_live_under_the_runs_own_folder)
{
    const char *root = getenv("THONGKE_TEST_TMP");
    cr_assert_not_null(root, "the PRE_ALL hook hands its folder to every test");
    char *d = tu_tempdir();
    cr_assert_eq(strncmp(d, root, strlen(root)), 0, "%s is not under %s", d, root);
    free(d);
}
