/* runfile — verify a published run folder against its manifest.json (runfile.h). */
#include "runfile.h"

#include "sha256.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool runfile_lists(const manifest_info *mi, const char *name, const char **sha)
{
    for (size_t i = 0; i < mi->noutputs; i++)
        if (mi->outputs[i].path && strcmp(mi->outputs[i].path, name) == 0) {
            if (sha)
                *sha = mi->outputs[i].sha256;
            return true;
        }
    return false;
}

/* Opens dfd/name for reading without following a symlink and without blocking on a FIFO;
 * -1 unless it is a regular file of at most RUNFILE_MAX_BYTES. */
static int runfile_open(int dfd, const char *name, const char *dir, thk_buf *err)
{
    int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        buf_printf(err, "%s/%s: không mở được tệp của lần chạy: %s%s", dir, name,
                   strerror(errno), errno == ELOOP ? " (liên kết tượng trưng bị từ chối)" : "");
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > RUNFILE_MAX_BYTES) {
        buf_printf(err, "%s/%s: không phải tệp thường, hoặc lớn quá 4 GiB", dir, name);
        close(fd);
        return -1;
    }
    return fd;
}

static int runfile_read_manifest(int dfd, const char *dir, manifest_info *mi, thk_buf *err)
{
    static const char head[] = "{\n  \"tool\": \"thongke\"";
    int fd = runfile_open(dfd, "manifest.json", dir, err);
    if (fd < 0)
        return THK_EXIT_INPUT;
    thk_buf text = {0};
    char chunk[65536];
    ssize_t r;
    while ((r = read(fd, chunk, sizeof chunk)) > 0 && text.len < (64u << 20))
        buf_append(&text, chunk, (size_t)r);
    close(fd);
    int rc = 0;
    if (r < 0 || text.len < sizeof head - 1 || memcmp(text.data, head, sizeof head - 1) != 0) {
        buf_printf(err, "%s/manifest.json: không phải manifest do thongke ghi", dir);
        rc = THK_EXIT_INPUT;
    } else {
        thk_buf perr = {0};
        if (manifest_parse(text.data, text.len, mi, &perr) != 0) {
            buf_printf(err, "%s/manifest.json: %s", dir, perr.data ? perr.data : "");
            rc = THK_EXIT_INPUT;
        }
        buf_free(&perr);
    }
    buf_free(&text);
    return rc;
}

int runfile_verify(const char *dir, manifest_info *mi, thk_buf *err)
{
    memset(mi, 0, sizeof *mi);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        buf_printf(err, "%s: không mở được thư mục lần chạy: %s", dir, strerror(errno));
        return THK_EXIT_INPUT;
    }
    int rc = runfile_read_manifest(dfd, dir, mi, err);
    /* every listed file, hashed */
    for (size_t i = 0; !rc && i < mi->noutputs; i++) {
        const char *name = mi->outputs[i].path;
        if (!name || !*name || strchr(name, '/') || strcmp(name, ".") == 0 ||
            strcmp(name, "..") == 0) {
            buf_printf(err, "%s/manifest.json: tên tệp không hợp lệ trong outputs", dir);
            rc = THK_EXIT_INPUT;
            break;
        }
        int fd = runfile_open(dfd, name, dir, err);
        if (fd < 0) {
            rc = THK_EXIT_INPUT;
            break;
        }
        char hex[65];
        int hrc = sha256_fd(fd, hex, NULL);
        close(fd);
        if (hrc != 0 || strcmp(hex, mi->outputs[i].sha256) != 0) {
            buf_printf(err,
                       "%s/%s: nội dung không khớp SHA-256 ghi trong manifest.json (tệp đã bị "
                       "sửa sau khi công bố?); không dùng lần chạy này",
                       dir, name);
            rc = THK_EXIT_INPUT;
        }
    }
    /* and nothing else in the folder */
    DIR *d = rc ? NULL : fdopendir(dup(dfd));
    if (!rc && !d) {
        buf_printf(err, "%s: không đọc được thư mục lần chạy: %s", dir, strerror(errno));
        rc = THK_EXIT_INPUT;
    }
    struct dirent *e;
    while (d && !rc && (e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0 || strcmp(n, "manifest.json") == 0)
            continue;
        if (!runfile_lists(mi, n, NULL)) {
            buf_printf(err,
                       "%s/%s: tệp không có trong manifest.json của lần chạy; không dùng lần "
                       "chạy này",
                       dir, n);
            rc = THK_EXIT_INPUT;
        }
    }
    if (d)
        closedir(d);
    close(dfd);
    if (rc)
        manifest_clear(mi);
    return rc;
}

rule_set *runfile_rules(const manifest_info *mi, const char *const *override, size_t n,
                        bool *same, thk_buf *err)
{
    const char **paths = thk_xcalloc(mi->nrules + n + 1, sizeof *paths);
    size_t np = 0;
    *same = n == mi->nrules;
    for (size_t i = 0; i < n; i++) {
        char hex[65];
        thk_buf e = {0};
        paths[np++] = override[i];
        *same = *same && sha256_file(override[i], hex, NULL, &e) == 0 &&
                strcmp(hex, mi->rules[i].sha256) == 0;
        buf_free(&e);
    }
    for (size_t i = 0; n == 0 && i < mi->nrules; i++) {
        char hex[65];
        thk_buf e = {0};
        bool ok = sha256_file(mi->rules[i].path, hex, NULL, &e) == 0 &&
                  strcmp(hex, mi->rules[i].sha256) == 0;
        buf_free(&e);
        if (!ok) {
            buf_printf(err,
                       "tệp quy tắc %s mà lần chạy đã dùng không còn ở đó hoặc đã bị sửa "
                       "(SHA-256 khác); hãy chỉ tệp quy tắc bằng --rules",
                       mi->rules[i].path);
            free(paths);
            return NULL;
        }
        paths[np++] = mi->rules[i].path;
    }
    if (np == 0) {
        buf_printf(err, "manifest.json không ghi tệp quy tắc nào; hãy chỉ --rules");
        free(paths);
        return NULL;
    }
    thk_buf diag = {0};
    rule_set *rs = rule_set_load(paths, np, &diag);
    if (!rs)
        buf_printf(err, "tệp quy tắc có lỗi (%s):\n%s", paths[0],
                   diag.data ? diag.data : "");
    buf_free(&diag);
    free(paths);
    return rs;
}
