/* Hygiene of the project's own commands (issue "Hardening" 20, 21): `make deps` waits for a
 * dpkg lock held by another apt instead of failing at once. */
#include "testutil.h"

#include <criterion/criterion.h>

static void hy_script(const char *dir, const char *name, const char *body)
{
    char *p = tu_write_str(dir, name, body);
    cr_assert_eq(chmod(p, 0755), 0);
    free(p);
}

Test(hygiene, make_deps_asks_apt_to_wait_for_the_dpkg_lock)
{
    char *bin = tu_tempdir(), path[8192], log[4200], env_path[8300];
    snprintf(log, sizeof log, "%s/apt.log", bin);
    /* every package looks missing, apt-get only records how it was called */
    hy_script(bin, "dpkg", "#!/bin/sh\nexit 1\n");
    snprintf(path, sizeof path, "#!/bin/sh\necho \"$@\" >> %s\nexit 0\n", log);
    hy_script(bin, "apt-get", path);
    hy_script(bin, "sudo", "#!/bin/sh\nexec \"$@\"\n");
    snprintf(env_path, sizeof env_path, "PATH=%s:/usr/bin:/bin", bin);
    char *env[] = {env_path, NULL};
    char *argv[] = {"/usr/bin/make", "-s", "-C", (char *)tu_root(), "deps", NULL};
    cr_assert_eq(tu_run(argv, NULL, NULL, env), 0);
    char *t = tu_read(log, NULL);
    cr_assert_not_null(t, "apt-get was not called");
    /* both the update and the install wait (600 s by default) */
    const char *u = strstr(t, "DPkg::Lock::Timeout=600 update");
    const char *i = strstr(t, "DPkg::Lock::Timeout=600 install");
    cr_assert(u && i, "apt-get calls:\n%s", t);
    free(t);
    free(bin);
}
