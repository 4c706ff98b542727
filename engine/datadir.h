/* datadir — where the shipped rule files are found when thongke runs from an installed copy. */
#ifndef DATADIR_H
#define DATADIR_H

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

#endif
