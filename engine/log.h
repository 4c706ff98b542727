/* log — one line per stage on stderr or --log, with counts and timings; --quiet keeps errors. */
#ifndef LOG_H
#define LOG_H

#include "thk.h"

#include <stdio.h>

typedef enum { LOG_NORMAL = 0, LOG_QUIET = 1 } log_level;

/* Sends the log to `path` (appended) or stderr when NULL. Returns 0, or -1 when the file cannot
 * be opened (the log then stays on stderr). */
int log_open(const char *path, log_level level);
void log_close(void);
/* Milliseconds of a monotonic clock, for stage timings. */
int64_t log_now_ms(void);
/* "thongke: <stage>: <message>" — suppressed by --quiet. */
void log_stage(const char *stage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "thongke: lỗi: <message>" — always written (and to stderr too when logging to a file). */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The stream progress output goes to (stderr), or NULL when --quiet. */
FILE *log_progress_stream(void);

#endif
