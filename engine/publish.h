/* publish — atomic publication of a report folder and the per-folder run lock (cli.md). */
#ifndef PUBLISH_H
#define PUBLISH_H

#include "thk.h"

typedef struct publish publish;

/* Takes the exclusive lock of output folder `out` (a lock file `.<name>.lock` beside it, holding
 * the pid) and creates an empty staging folder `.<name>.tmp-<pid>` beside it (creating the
 * parent folders as needed). Once the lock is held, staging folders left by earlier runs on the
 * same target whose process is gone (kill -9, power cut) are removed. Returns NULL with a
 * message in *err when the folder is locked by another run (naming its pid) or cannot be
 * prepared; *locked tells which. */
publish *publish_begin(const char *out, bool *locked, thk_buf *err);
/* The staging folder: write every output file in it. */
const char *publish_dir(const publish *p);
/* Path of `name` inside the staging folder (owned by p, valid until the next call). */
const char *publish_path(publish *p, const char *name);
/* fsyncs every file and the staging folder, then atomically swaps it into place (renameat2
 * RENAME_EXCHANGE when a previous report exists, rename otherwise), removes the previous
 * report. Returns 0, or -1 with *err (the previous report is intact). Call publish_abort
 * afterwards in both cases to release the lock and free p. */
int publish_commit(publish *p, thk_buf *err);
/* Removes the staging folder (if not committed), releases the lock, frees p; accepts NULL. */
void publish_abort(publish *p);
/* The staging folder of the run in progress, for the signal handler (NULL when none). */
const char *publish_active_dir(void);
/* For a SIGINT/SIGTERM handler: removes every file of the active staging folder and the folder
 * itself, using only async-signal-safe calls; does nothing when no run is staging. The lock is
 * released by the process exiting. */
void publish_signal_cleanup(void);
/* Removes a folder and the plain files in it (no recursion below one level). */
int publish_remove_dir(const char *dir);

#endif
