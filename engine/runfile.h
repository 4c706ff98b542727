/* runfile — trust in a published run folder before merge or diff reads it.
 *
 * A run folder is what `thongke report` or `thongke merge` published: manifest.json and the
 * files its "outputs" list with their SHA-256. runfile_verify promises that, when it returns 0,
 * the manifest was written by thongke, every file it lists is present as a regular file (never
 * through a symlink) whose bytes hash to the listed SHA-256, and the folder holds no other file.
 * A forged cells.csv, a file swapped for a symlink or a file dropped in is refused, naming the
 * folder and the file. (The files are hashed here and read again by the caller: a run folder
 * rewritten in between is outside what this check can see.) */
#ifndef RUNFILE_H
#define RUNFILE_H

#include "manifest.h"
#include "rule.h"
#include "thk.h"

/* Files above this size are refused (a run's cases.csv at 10M cases is about 1.5 GB). */
#define RUNFILE_MAX_BYTES ((uint64_t)4 << 30)

/* Verifies run folder `dir` as described above. Fills *mi (release with manifest_clear) and
 * returns 0, or returns THK_EXIT_INPUT with a Vietnamese message in *err. */
int runfile_verify(const char *dir, manifest_info *mi, thk_buf *err);

/* True when the verified manifest lists `name` among its outputs; its SHA-256 in *sha. */
bool runfile_lists(const manifest_info *mi, const char *name, const char **sha);

/* The rules a verified run was computed with: the rule files its manifest names, each still
 * holding the recorded SHA-256; or the n files of `override` when n > 0 (*same then tells
 * whether they hash to the recorded ones). Returns the compiled set (rule_set_free), or NULL
 * with a Vietnamese message in *err (the compiler's diagnostics included) when a file is gone,
 * was edited since, or does not compile. */
rule_set *runfile_rules(const manifest_info *mi, const char *const *override, size_t n,
                        bool *same, thk_buf *err);

#endif
