/* run_fixture — seal a hand-made run folder the way `thongke report` does: a manifest.json that
 * lists every other file of the folder with its SHA-256, so merge and diff accept it
 * (runfile.h). Keeps the rest of an existing manifest.json. */
#ifndef RUN_FIXTURE_H
#define RUN_FIXTURE_H

#include "manifest.h"
#include "sha256.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <dirent.h>

static inline void rf_seal(const char *dir)
{
    manifest_info mi = {0};
    thk_buf p = {0}, err = {0};
    buf_printf(&p, "%s/manifest.json", dir);
    bool had = access(p.data, F_OK) == 0;
    if (had)
        cr_assert_eq(manifest_read(p.data, &mi, &err), 0, "%s", err.data);
    else
        mi.tool_version = THK_VERSION;
    manifest_output outs[16];
    char *names[16];
    size_t n = 0;
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 16) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "manifest.json") == 0)
            continue;
        names[n] = strdup(e->d_name);
        thk_buf f = {0};
        buf_printf(&f, "%s/%s", dir, e->d_name);
        cr_assert_eq(sha256_file(f.data, outs[n].sha256, NULL, &err), 0);
        outs[n].path = names[n];
        buf_free(&f);
        n++;
    }
    closedir(d);
    /* the arrays of a parsed manifest are owned by it: swap ours in and back out */
    manifest_output *old = mi.outputs;
    size_t oldn = mi.noutputs;
    mi.outputs = outs;
    mi.noutputs = n;
    thk_buf b = {0};
    manifest_render(&mi, &b);
    mi.outputs = old;
    mi.noutputs = oldn;
    free(tu_write(dir, "manifest.json", b.data, b.len));
    buf_free(&b);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    if (had)
        manifest_clear(&mi);
    buf_free(&p);
    buf_free(&err);
}

#endif
