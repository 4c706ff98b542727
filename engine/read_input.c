/* read_input — format detection by content and dispatch to the CSV or .xlsx reader. */
#include "read_input.h"

#include "read_xls.h"
#include "read_xlsx.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define INPUT_HEAD 128

static bool input_starts(const unsigned char *h, size_t n, const char *sig, size_t len)
{
    return n >= len && memcmp(h, sig, len) == 0;
}

/* Case-insensitive search for an ASCII word in the first bytes (HTML disguised as .xls). */
static bool input_has(const unsigned char *h, size_t n, const char *word)
{
    size_t w = strlen(word);
    for (size_t i = 0; i + w <= n; i++) {
        size_t k = 0;
        while (k < w && (h[i + k] | 0x20) == word[k])
            k++;
        if (k == w)
            return true;
    }
    return false;
}

input_format input_sniff(const unsigned char *head, size_t n, const char **what)
{
    static const char OLE2[] = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
    static const char ODS[] = "application/vnd.oasis.opendocument.spreadsheet";
    const char *w = NULL;
    input_format f = INPUT_CSV;
    size_t skip = input_starts(head, n, "\xEF\xBB\xBF", 3) ? 3 : 0; /* a BOM before HTML */
    if (input_starts(head, n, "PK\x03\x04", 4)) {
        /* OpenDocument stores "mimetype" first, uncompressed, right after the 30-byte header */
        if (n >= 38 + sizeof ODS - 1 && memcmp(head + 30, "mimetype", 8) == 0) {
            f = INPUT_OTHER;
            w = memcmp(head + 38, ODS, sizeof ODS - 1) == 0 ? "bảng tính OpenDocument (.ods)"
                                                             : "tài liệu OpenDocument";
        } else
            f = INPUT_XLSX;
    } else if (input_starts(head, n, OLE2, 8)) {
        f = INPUT_XLS;
        w = "bảng tính Excel 97-2003 (.xls)";
    } else if (input_starts(head, n, "%PDF", 4)) {
        f = INPUT_OTHER;
        w = "tài liệu PDF";
    } else if (input_has(head + skip, n - skip, "<html") ||
               input_has(head + skip, n - skip, "<!doctype html") ||
               input_has(head + skip, n - skip, "<table")) {
        f = INPUT_OTHER;
        w = "trang HTML (phần mềm xuất \"Excel\" thực chất là HTML)";
    } else if (input_starts(head, n, "PK\x05\x06", 4)) {
        f = INPUT_OTHER;
        w = "tệp nén zip rỗng";
    }
    if (what)
        *what = w;
    return f;
}

static input_format input_head_of(const char *path, const char **what)
{
    unsigned char head[INPUT_HEAD];
    /* never blocks (a FIFO): only a regular file is looked at, the CSV reader refuses others */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    *what = NULL;
    if (fd < 0)
        return INPUT_CSV;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return INPUT_CSV;
    }
    ssize_t n = read(fd, head, sizeof head);
    close(fd);
    return input_sniff(head, n > 0 ? (size_t)n : 0, what);
}

input_format input_format_of(const char *path)
{
    const char *what;
    return input_head_of(path, &what);
}

static void input_refuse(const char *name, const char *what, thk_buf *err)
{
    buf_printf(err,
               "%s: tệp là %s, không đọc được; hãy mở bằng Excel và lưu thành .xlsx "
               "hoặc CSV UTF-8",
               name, what);
}

int input_run_file(const char *path, const reader_opts *opts, reader_fn fn, void *ctx,
                   reader_stats *stats, input_format *format, thk_buf *err)
{
    const char *what;
    input_format f = input_head_of(path, &what);
    if (format)
        *format = f;
    switch (f) {
    case INPUT_XLSX:
        return xlsx_run_file(path, opts, fn, ctx, stats, err);
    case INPUT_XLS:
        return xls_run_file(path, opts, fn, ctx, stats, err);
    case INPUT_OTHER:
        if (stats)
            memset(stats, 0, sizeof *stats);
        input_refuse(path, what, err);
        return -1;
    case INPUT_CSV:
        break;
    }
    return reader_run_file(path, opts, fn, ctx, stats, err);
}

int input_run_memory(const char *name, const char *data, size_t len, const reader_opts *opts,
                     reader_fn fn, void *ctx, reader_stats *stats, thk_buf *err)
{
    const char *what;
    input_format f = input_sniff((const unsigned char *)data, len < INPUT_HEAD ? len : INPUT_HEAD,
                                 &what);
    switch (f) {
    case INPUT_XLSX:
        return xlsx_run_memory(name, data, len, opts, fn, ctx, stats, err);
    case INPUT_XLS:
    case INPUT_OTHER:
        if (stats)
            memset(stats, 0, sizeof *stats);
        input_refuse(name, what, err);
        return -1;
    case INPUT_CSV:
        break;
    }
    return reader_run_memory(name, data, len, opts, fn, ctx, stats, err);
}
