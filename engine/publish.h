/* publish — atomic publication of a report folder and the per-folder run lock (cli.md). */
#ifndef PUBLISH_H
#define PUBLISH_H

#include "thk.h"

typedef struct publish publish;

/* Published files are 0640 and folders 0750 whatever the umask: the workbook, the case list and
 * rejects.csv carry debtors' names and raw rows. `--mode` changes the file mode. */
#define PUBLISH_DEFAULT_MODE 0640u

/* 0 when `out` can name an output folder; -1 with a message for "", "/", ".", ".." and any
 * path whose last component is one of those. */
int publish_check_name(const char *out, thk_buf *err);

/* Refuses, before creating anything, an `out` that publish_check_name refuses, a symlink, a
 * non-folder, and a folder that is neither empty nor a previous thongke publication (its
 * manifest.json written by thongke lists every file there): the message names the first
 * foreign file. Then takes the exclusive lock of output folder `out` (a lock file `.<name>.lock` beside it, holding
 * the pid) and creates an empty staging folder `.<name>.tmp-<pid>` beside it (creating the
 * parent folders as needed). Once the lock is held, staging folders left by earlier runs on the
 * same target whose process is gone (kill -9, power cut) are removed, but only real folders
 * owned by this user, emptied without following any symlink. The lock file is opened without
 * following symlinks and must be a regular file with one link. Returns NULL with a
 * message in *err when the folder is locked by another run (naming its pid) or cannot be
 * prepared; *locked tells which. */
publish *publish_begin(const char *out, bool *locked, thk_buf *err);
/* "<parent>/.<name><suffix>" beside output folder `out` (malloc'd), e.g. ".lock". */
char *publish_sibling_path(const char *out, const char *suffix);
/* The mode of the published files (folders: x added where r is set). */
void publish_set_mode(publish *p, unsigned mode);
/* The staging folder: write every output file in it. */
const char *publish_dir(const publish *p);
/* Path of `name` inside the staging folder (owned by p, valid until the next call). */
const char *publish_path(publish *p, const char *name);
/* Sets the modes and fsyncs every file and the staging folder, checks the target again (as in
 * publish_begin), then, with SIGINT/SIGTERM blocked, atomically swaps it into place (renameat2
 * RENAME_EXCHANGE when a previous report exists, rename otherwise), removes the previous
 * report. Returns 0, or -1 with *err (the previous report is intact). Call publish_abort
 * afterwards in both cases to release the lock and free p. */
/* Starts writing staged file `name` to disk ahead of publish_commit (which still makes sure of
 * it): a caller with a core to spare spends its wait there. Best effort, no error. */
void publish_presync(publish *p, const char *name);
int publish_commit(publish *p, thk_buf *err);
/* Removes the staging folder (if not committed), releases the lock, frees p; accepts NULL. */
void publish_abort(publish *p);
/* True once publish_commit has swapped the new report into place (async-signal-safe). */
bool publish_in_place(void);
/* The staging folder of the run in progress, for the signal handler (NULL when none). */
const char *publish_active_dir(void);
/* For a SIGINT/SIGTERM handler: removes every file of the active staging folder and the folder
 * itself, using only async-signal-safe calls; does nothing when no run is staging. The lock is
 * released by the process exiting. */
void publish_signal_cleanup(void);
/* Removes a folder and the files and symlinks in it (links not followed, no recursion), only
 * when it is a real folder owned by this user; -1 otherwise or when it cannot be removed. */
int publish_remove_dir(const char *dir);

#endif
