/* datadir — find the shipped rules beside an installed executable (<prefix>/share/thongke). */
#include "datadir.h"

#include "thk.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

char *datadir_find(const char *name, const char *exe)
{
    if (access(name, R_OK) == 0)
        return thk_xstrdup(name);
    if (!exe || exe[0] != '/')
        return NULL;
    /* /usr/local/bin/thongke → prefix /usr/local */
    char *prefix = thk_xstrdup(exe);
    for (int up = 0; up < 2; up++) {
        char *slash = strrchr(prefix, '/');
        if (!slash) {
            free(prefix);
            return NULL;
        }
        *slash = '\0';
    }
    thk_buf p = {0};
    buf_printf(&p, "%s/share/thongke/%s", prefix, name);
    free(prefix);
    if (access(p.data, R_OK) == 0)
        return p.data;
    buf_free(&p);
    return NULL;
}

char *datadir_default_rules(void)
{
    static const char name[] = "rules/thads.rules";
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0)
        exe[n] = '\0';
    char *found = datadir_find(name, n > 0 ? exe : NULL);
    return found ? found : thk_xstrdup(name);
}
