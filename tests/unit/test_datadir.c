/* Tests of datadir: the default rule file from the current folder, else beside the executable. */
#include "datadir.h"
#include "testutil.h"

#include <criterion/criterion.h>

/* tmp/usr/bin/thongke (not created: only its path matters) and tmp/usr/share/thongke/rules/. */
static char *installed_tree(char *exe, size_t exesz)
{
    char *tmp = tu_tempdir();
    char d[600];
    static const char *const dirs[] = {"usr", "usr/bin", "usr/share", "usr/share/thongke",
                                       "usr/share/thongke/rules"};
    for (size_t i = 0; i < 5; i++) {
        snprintf(d, sizeof d, "%s/%s", tmp, dirs[i]);
        cr_assert_eq(mkdir(d, 0777), 0);
    }
    free(tu_write_str(d, "thads.rules", "version \"installed\"\n"));
    snprintf(exe, exesz, "%s/usr/bin/thongke", tmp);
    return tmp;
}

Test(datadir, a_rule_file_in_the_current_folder_wins)
{
    char exe[600];
    char *tree = installed_tree(exe, sizeof exe);
    char *cwd = tu_tempdir(), rules[600];
    snprintf(rules, sizeof rules, "%s/rules", cwd);
    cr_assert_eq(mkdir(rules, 0777), 0);
    free(tu_write_str(rules, "thads.rules", "version \"local\"\n"));
    cr_assert_eq(chdir(cwd), 0);
    char *p = datadir_find("rules/thads.rules", exe);
    cr_assert_str_eq(p, "rules/thads.rules");
    free(p);
    p = datadir_default_rules();
    cr_assert_str_eq(p, "rules/thads.rules");
    free(p);
    free(cwd);
    free(tree);
}

Test(datadir, without_a_local_file_the_copy_under_prefix_share_is_used)
{
    char exe[600], want[700];
    char *tree = installed_tree(exe, sizeof exe);
    char *cwd = tu_tempdir();
    cr_assert_eq(chdir(cwd), 0);
    snprintf(want, sizeof want, "%s/usr/share/thongke/rules/thads.rules", tree);
    char *p = datadir_find("rules/thads.rules", exe);
    cr_assert_str_eq(p, want);
    free(p);
    free(cwd);
    free(tree);
}

Test(datadir, nothing_found_is_null_and_the_default_falls_back_to_the_usual_name)
{
    char *cwd = tu_tempdir();
    cr_assert_eq(chdir(cwd), 0);
    cr_assert_null(datadir_find("rules/thads.rules", "/nonexistent-prefix/bin/thongke"));
    cr_assert_null(datadir_find("rules/thads.rules", NULL));
    cr_assert_null(datadir_find("rules/thads.rules", "thongke"), "a relative exe is ignored");
    cr_assert_null(datadir_find("rules/thads.rules", "/thongke"));
    /* the test binary lives in build/<flavour>/, with no share/thongke above it */
    char *p = datadir_default_rules();
    cr_assert_str_eq(p, "rules/thads.rules");
    free(p);
    free(cwd);
}
