/* log — stage lines and errors for people and for cron mail. */
#include "log.h"

#include <stdarg.h>
#include <time.h>

static FILE *log_file;
static log_level log_lvl;

int log_open(const char *path, log_level level)
{
    log_lvl = level;
    if (!path)
        return 0;
    log_file = fopen(path, "a");
    return log_file ? 0 : -1;
}

void log_close(void)
{
    if (log_file)
        fclose(log_file);
    log_file = NULL;
}

int64_t log_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

__attribute__((format(printf, 3, 0))) static void log_vwrite(FILE *f, const char *prefix,
                                                          const char *fmt, va_list ap)
{
    fprintf(f, "thongke: %s", prefix);
    vfprintf(f, fmt, ap);
    fputc('\n', f);
    fflush(f);
}

void log_stage(const char *stage, const char *fmt, ...)
{
    if (log_lvl == LOG_QUIET)
        return;
    char prefix[64];
    snprintf(prefix, sizeof prefix, "%s: ", stage);
    va_list ap;
    va_start(ap, fmt);
    log_vwrite(log_file ? log_file : stderr, prefix, fmt, ap);
    va_end(ap);
}

void log_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (log_file) {
        va_list ap2;
        va_copy(ap2, ap);
        log_vwrite(log_file, "lỗi: ", fmt, ap2);
        va_end(ap2);
    }
    log_vwrite(stderr, "lỗi: ", fmt, ap);
    va_end(ap);
}

FILE *log_progress_stream(void)
{
    return log_lvl == LOG_QUIET ? NULL : stderr;
}
