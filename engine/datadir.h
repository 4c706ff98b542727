/* datadir — where the shipped rule files are found when thongke runs from an installed copy. */
#ifndef DATADIR_H
#define DATADIR_H

#include "thk.h"

/* Path of `name` (relative, e.g. "rules/thads.rules"): `name` itself when it is readable from
 * the current folder (a checkout or a project folder with its own rules/), else
 * <prefix>/share/thongke/<name> when readable, where <prefix> is the folder above the one
 * holding the executable `exe` (/usr/local/bin/thongke → /usr/local; exe NULL skips this), else
 * NULL. Returns a malloc'd path the caller frees. */
char *datadir_find(const char *name, const char *exe);

/* The rule file used when no --rules is given: datadir_find("rules/thads.rules") with the
 * running executable read from /proc/self/exe (symlinks resolved, so DESTDIR staging and moved
 * prefixes work without rebuilding), and "rules/thads.rules" when neither exists (so the error
 * names the usual path). Returns a malloc'd path the caller frees; never NULL. */
char *datadir_default_rules(void);

/* The export file `stem` ("cases") in the input folder dir: whichever of stem.csv, stem.xlsx
 * and stem.xls exists (a regular file or a link to one). Returns a malloc'd path, *found true
 * when the file exists; dir/stem.csv with *found false when none does (messages name the usual
 * file). Two or more candidates: NULL, with a Vietnamese message naming them in *err (which one
 * the statistician meant is not for thongke to guess). */
char *datadir_input(const char *dir, const char *stem, bool *found, thk_buf *err);

#endif
