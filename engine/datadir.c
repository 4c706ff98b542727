/* datadir — find the shipped rules beside an installed executable (<prefix>/share/thongke). */
#include "datadir.h"

#include "thk.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

char *datadir_input(const char *dir, const char *stem, bool *found, thk_buf *err)
{
    static const char *const EXT[] = {".csv", ".xlsx", ".xls"};
    char *hit = NULL;
    thk_buf names = {0};
    size_t nhits = 0;
    for (size_t i = 0; i < sizeof EXT / sizeof *EXT; i++) {
        thk_buf p = {0};
        buf_printf(&p, "%s/%s%s", dir, stem, EXT[i]);
        struct stat st;
        if (stat(p.data, &st) == 0 && !S_ISDIR(st.st_mode)) {
            buf_printf(&names, "%s%s%s", nhits ? " và " : "", stem, EXT[i]);
            nhits++;
            free(hit);
            hit = p.data;
        } else
            buf_free(&p);
    }
    *found = nhits > 0;
    if (nhits > 1) {
        buf_printf(err,
                   "%s: có %zu tệp cho cùng một danh sách (%s); hãy để lại một tệp, hoặc chỉ rõ "
                   "tệp bằng --%s",
                   dir, nhits, names.data, stem);
        free(hit);
        buf_free(&names);
        return NULL;
    }
    buf_free(&names);
    if (hit)
        return hit;
    thk_buf p = {0};
    buf_printf(&p, "%s/%s.csv", dir, stem);
    return p.data;
}
