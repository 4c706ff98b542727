/* publish — stage into a temporary folder beside the target, fsync, swap atomically, clean up. */
#define _GNU_SOURCE /* renameat2 */
#include "publish.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

struct publish {
    char *out;     /* target folder */
    char *stage;   /* staging folder */
    char *lock;    /* lock file path */
    int lock_fd;
    thk_buf path;  /* scratch for publish_path */
};

static char publish_active[4096];

const char *publish_active_dir(void)
{
    return publish_active[0] ? publish_active : NULL;
}

/* mkdir -p */
static int publish_mkdirs(const char *dir)
{
    char *d = thk_xstrdup(dir);
    for (char *p = d + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(d, 0777) != 0 && errno != EEXIST) {
            free(d);
            return -1;
        }
        *p = '/';
    }
    int rc = mkdir(d, 0777) != 0 && errno != EEXIST ? -1 : 0;
    free(d);
    return rc;
}

/* "<parent>/.<base><suffix>" for a target folder path. */
static char *publish_sibling(const char *out, const char *suffix)
{
    char *a = thk_xstrdup(out), *b = thk_xstrdup(out);
    size_t n = strlen(a);
    while (n > 1 && a[n - 1] == '/') {
        n--;
        a[n] = b[n] = '\0';
    }
    const char *parent = dirname(a), *base = basename(b);
    thk_buf s = {0};
    buf_printf(&s, "%s/.%s%s", parent, base, suffix);
    free(a);
    free(b);
    return s.data;
}

int publish_remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? 0 : -1;
    struct dirent *e;
    thk_buf p = {0};
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        buf_clear(&p);
        buf_printf(&p, "%s/%s", dir, e->d_name);
        unlink(p.data);
    }
    closedir(d);
    buf_free(&p);
    return rmdir(dir);
}

void publish_signal_cleanup(void)
{
    if (!publish_active[0])
        return;
    int fd = open(publish_active, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    /* getdents64 instead of opendir/readdir, which may allocate */
    _Alignas(struct dirent64) char buf[4096];
    bool removed = true;
    while (removed) { /* reread from the start after each batch: unlinking shifts offsets */
        removed = false;
        lseek(fd, 0, SEEK_SET);
        ssize_t n;
        while ((n = getdents64(fd, buf, sizeof buf)) > 0) {
            for (ssize_t off = 0; off < n;) {
                const struct dirent64 *e = (const struct dirent64 *)(void *)(buf + off);
                off += e->d_reclen;
                if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
                    unlinkat(fd, e->d_name, 0) == 0)
                    removed = true;
            }
        }
    }
    close(fd);
    rmdir(publish_active);
}

/* With the lock held, staging folders of earlier runs on the same target (".<name>.tmp-<pid>")
 * whose process no longer exists are debris of a kill -9 or a power cut: remove them. A folder
 * whose pid is alive is left alone (the lock makes that impossible unless the lock file is on a
 * file system without flock, or the pid was reused). */
static void publish_remove_stale(const publish *p)
{
    char *parent = publish_sibling(p->out, ".tmp-"); /* "<parent>/.<name>.tmp-" */
    char *prefix = strrchr(parent, '/');
    *prefix++ = '\0';
    size_t plen = strlen(prefix);
    DIR *d = opendir(parent);
    if (!d) {
        free(parent);
        return;
    }
    thk_buf path = {0};
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, plen) != 0)
            continue;
        const char *digits = e->d_name + plen;
        if (!*digits || strspn(digits, "0123456789") != strlen(digits))
            continue;
        long pid = strtol(digits, NULL, 10);
        if (pid <= 0 || (pid != (long)getpid() && (kill((pid_t)pid, 0) == 0 || errno != ESRCH)))
            continue;
        buf_clear(&path);
        buf_printf(&path, "%s/%s", parent, e->d_name);
        publish_remove_dir(path.data);
    }
    closedir(d);
    buf_free(&path);
    free(parent);
}

publish *publish_begin(const char *out, bool *locked, thk_buf *err)
{
    *locked = false;
    publish *p = thk_xcalloc(1, sizeof *p);
    p->lock_fd = -1;
    p->out = thk_xstrdup(out);
    p->lock = publish_sibling(out, ".lock");
    char suffix[64];
    snprintf(suffix, sizeof suffix, ".tmp-%ld", (long)getpid());
    p->stage = publish_sibling(out, suffix);
    char *parent = thk_xstrdup(p->lock);
    *strrchr(parent, '/') = '\0';
    if (publish_mkdirs(parent) != 0) {
        buf_printf(err, "không tạo được thư mục %s: %s", parent, strerror(errno));
        free(parent);
        goto fail;
    }
    free(parent);
    p->lock_fd = open(p->lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (p->lock_fd < 0) {
        buf_printf(err, "không tạo được tệp khóa %s: %s", p->lock, strerror(errno));
        goto fail;
    }
    if (flock(p->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        char holder[32] = "?";
        ssize_t n = pread(p->lock_fd, holder, sizeof holder - 1, 0);
        holder[n > 0 ? n : 0] = '\0';
        holder[strcspn(holder, "\n")] = '\0';
        *locked = true;
        buf_printf(err, "thư mục %s đang được một lần chạy khác (pid %s) ghi; khóa %s", out,
                   holder[0] ? holder : "?", p->lock);
        goto fail;
    }
    char pid[32];
    int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(p->lock_fd, 0) != 0 || pwrite(p->lock_fd, pid, (size_t)len, 0) != len) {
        buf_printf(err, "không ghi được tệp khóa %s: %s", p->lock, strerror(errno));
        goto fail;
    }
    publish_remove_stale(p);
    if (mkdir(p->stage, 0777) != 0) {
        buf_printf(err, "không tạo được thư mục tạm %s: %s", p->stage, strerror(errno));
        goto fail;
    }
    snprintf(publish_active, sizeof publish_active, "%s", p->stage);
    return p;
fail:
    publish_abort(p);
    return NULL;
}

const char *publish_dir(const publish *p)
{
    return p->stage;
}

const char *publish_path(publish *p, const char *name)
{
    buf_clear(&p->path);
    buf_printf(&p->path, "%s/%s", p->stage, name);
    return p->path.data;
}

static int publish_fsync_path(const char *path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int publish_commit(publish *p, thk_buf *err)
{
    DIR *d = opendir(p->stage);
    if (!d) {
        buf_printf(err, "không mở được thư mục tạm %s: %s", p->stage, strerror(errno));
        return -1;
    }
    struct dirent *e;
    thk_buf f = {0};
    int rc = 0;
    while ((e = readdir(d)) != NULL && rc == 0) {
        if (e->d_name[0] == '.')
            continue;
        buf_clear(&f);
        buf_printf(&f, "%s/%s", p->stage, e->d_name);
        if (publish_fsync_path(f.data, O_RDONLY) != 0) {
            buf_printf(err, "không ghi xuống đĩa được %s: %s", f.data, strerror(errno));
            rc = -1;
        }
    }
    closedir(d);
    buf_free(&f);
    if (rc == 0 && publish_fsync_path(p->stage, O_RDONLY | O_DIRECTORY) != 0) {
        buf_printf(err, "không ghi xuống đĩa được %s: %s", p->stage, strerror(errno));
        rc = -1;
    }
    if (rc != 0)
        return -1;
    struct stat st;
    if (lstat(p->out, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            buf_printf(err, "%s đã tồn tại và không phải thư mục", p->out);
            return -1;
        }
        if (renameat2(AT_FDCWD, p->stage, AT_FDCWD, p->out, RENAME_EXCHANGE) != 0) {
            buf_printf(err, "không thay được %s: %s", p->out, strerror(errno));
            return -1;
        }
        /* the staging path now holds the previous report */
        publish_remove_dir(p->stage);
    } else if (rename(p->stage, p->out) != 0) {
        buf_printf(err, "không đổi tên %s thành %s: %s", p->stage, p->out, strerror(errno));
        return -1;
    }
    char *parent = thk_xstrdup(p->lock);
    *strrchr(parent, '/') = '\0';
    publish_fsync_path(parent, O_RDONLY | O_DIRECTORY);
    free(parent);
    free(p->stage); /* nothing left to clean up */
    p->stage = NULL;
    return 0;
}

void publish_abort(publish *p)
{
    if (!p)
        return;
    if (p->stage)
        publish_remove_dir(p->stage);
    publish_active[0] = '\0';
    if (p->lock_fd >= 0) {
        /* the lock file stays (removing it would race with a waiting run); the lock goes */
        flock(p->lock_fd, LOCK_UN);
        close(p->lock_fd);
    }
    free(p->out);
    free(p->stage);
    free(p->lock);
    buf_free(&p->path);
    free(p);
}
