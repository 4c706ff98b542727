/* publish — stage into a temporary folder beside the target, fsync, swap atomically, clean up. */
#define _GNU_SOURCE /* renameat2 */
#include "publish.h"

#include "manifest.h"

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
    mode_t mode;   /* of published files; folders get x where r is set */
    thk_buf path;  /* scratch for publish_path */
};

static char publish_active[4096];
/* Set (with signals blocked) once the new report is in place, for the signal handler. */
static volatile sig_atomic_t publish_swapped;

bool publish_in_place(void)
{
    return publish_swapped != 0;
}

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

/* Removes the entries of the open folder dfd that are not folders (files, symlinks: never
 * followed, unlinkat removes the link itself). Returns how many were left (subfolders). */
static size_t publish_empty_dirfd(int dfd)
{
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        return 1;
    }
    size_t left = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || S_ISDIR(st.st_mode) ||
            unlinkat(dirfd(d), e->d_name, 0) != 0)
            left++;
    }
    closedir(d); /* closes dfd */
    return left;
}

char *publish_sibling_path(const char *out, const char *suffix)
{
    return publish_sibling(out, suffix);
}

int publish_remove_dir(const char *dir)
{
    struct stat st;
    if (lstat(dir, &st) != 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
        errno = ENOTDIR;
        return -1; /* a planted symlink or somebody else's folder: not ours to empty */
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0)
        return -1;
    struct stat st2;
    if (fstat(dfd, &st2) != 0 || st2.st_dev != st.st_dev || st2.st_ino != st.st_ino) {
        close(dfd);
        errno = ENOTDIR;
        return -1; /* swapped between the check and the open */
    }
    publish_empty_dirfd(dfd);
    return rmdir(dir);
}

/* Reads dfd/manifest.json (not followed, regular, at most 64 MiB) and parses it when thongke
 * wrote it ("tool": "thongke" as its first key). Returns 0 with *mi filled, or -1. */
static int publish_read_manifest(int dfd, manifest_info *mi)
{
    static const char head[] = "{\n  \"tool\": \"thongke\"";
    int fd = openat(dfd, "manifest.json", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (64 << 20) ||
        (size_t)st.st_size < sizeof head - 1) {
        close(fd);
        return -1;
    }
    size_t n = (size_t)st.st_size, got = 0;
    char *text = thk_xmalloc(n + 1);
    while (got < n) {
        ssize_t r = read(fd, text + got, n - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    thk_buf err = {0};
    int rc = got == n && memcmp(text, head, sizeof head - 1) == 0 &&
                     manifest_parse(text, n, mi, &err) == 0
                 ? 0
                 : -1;
    buf_free(&err);
    free(text);
    return rc;
}

/* 0 when `out` names a folder this run may replace: absent, empty, or a previous thongke
 * publication (a manifest.json written by thongke and no file its outputs do not list).
 * Otherwise -1 with the reason in *err; nothing is touched either way. */
static int publish_check_target(const char *out, thk_buf *err)
{
    struct stat st;
    if (lstat(out, &st) != 0)
        return 0;
    if (S_ISLNK(st.st_mode)) {
        buf_printf(err, "%s là một liên kết tượng trưng (symlink); không thay thư mục qua liên kết",
                   out);
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        buf_printf(err, "%s đã tồn tại và không phải thư mục", out);
        return -1;
    }
    int dfd = open(out, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0) {
        buf_printf(err, "không mở được thư mục %s: %s", out, strerror(errno));
        return -1;
    }
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        buf_printf(err, "không mở được thư mục %s: %s", out, strerror(errno));
        return -1;
    }
    manifest_info mi = {0};
    bool have_manifest = false, manifest_read_done = false;
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
            continue;
        if (!manifest_read_done) {
            manifest_read_done = true;
            have_manifest = publish_read_manifest(dirfd(d), &mi) == 0;
        }
        bool listed = false;
        struct stat fs;
        if (fstatat(dirfd(d), n, &fs, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(fs.st_mode) &&
            have_manifest) {
            listed = strcmp(n, "manifest.json") == 0;
            for (size_t i = 0; i < mi.noutputs && !listed; i++)
                listed = strcmp(mi.outputs[i].path, n) == 0;
        }
        if (!listed) {
            buf_printf(err,
                       "thư mục %s có tệp không phải do thongke công bố (%s); không thay thế "
                       "thư mục này, hãy chọn --out khác hoặc dọn nó trước",
                       out, n);
            rc = -1;
        }
    }
    closedir(d);
    manifest_clear(&mi);
    return rc;
}

void publish_signal_cleanup(void)
{
    if (!publish_active[0])
        return;
    int fd = open(publish_active, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
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

int publish_check_name(const char *out, thk_buf *err)
{
    if (!out || !*out) {
        buf_printf(err, "thư mục kết quả rỗng (--out ''): hãy chỉ định một thư mục");
        return -1;
    }
    size_t n = strlen(out);
    while (n > 1 && out[n - 1] == '/')
        n--;
    size_t b = n;
    while (b > 0 && out[b - 1] != '/')
        b--;
    size_t blen = n - b;
    if (blen == 0 || (blen == 1 && out[b] == '.') ||
        (blen == 2 && out[b] == '.' && out[b + 1] == '.')) {
        buf_printf(err,
                   "không dùng được '%s' làm thư mục kết quả (cần một thư mục có tên, "
                   "không phải /, . hay ..)",
                   out);
        return -1;
    }
    return 0;
}

publish *publish_begin(const char *out, bool *locked, thk_buf *err)
{
    *locked = false;
    if (publish_check_name(out, err) != 0 || publish_check_target(out, err) != 0)
        return NULL; /* nothing created: no lock file, no staging folder */
    publish *p = thk_xcalloc(1, sizeof *p);
    p->lock_fd = -1;
    p->mode = PUBLISH_DEFAULT_MODE;
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
    /* never through a symlink (a planted one would truncate its target), never a hard link */
    p->lock_fd = open(p->lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
    if (p->lock_fd < 0) {
        buf_printf(err, "không tạo được tệp khóa %s: %s%s", p->lock, strerror(errno),
                   errno == ELOOP ? " (đó là một liên kết tượng trưng; hãy xóa nó)" : "");
        goto fail;
    }
    struct stat st;
    if (fstat(p->lock_fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
        buf_printf(err, "tệp khóa %s không phải một tệp thường riêng lẻ (liên kết cứng hoặc "
                        "thiết bị?); hãy xóa nó",
                   p->lock);
        close(p->lock_fd);
        p->lock_fd = -1;
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
    if (mkdir(p->stage, 0700) != 0) { /* private while it is being written */
        buf_printf(err, "không tạo được thư mục tạm %s: %s", p->stage, strerror(errno));
        goto fail;
    }
    snprintf(publish_active, sizeof publish_active, "%s", p->stage);
    publish_swapped = 0;
    return p;
fail:
    publish_abort(p);
    return NULL;
}

void publish_set_mode(publish *p, unsigned mode)
{
    p->mode = (mode_t)(mode & 07777);
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

/* fsyncs path (not followed); sets its mode first when mode is not 0. */
static int publish_fsync_path(const char *path, int flags, mode_t mode)
{
    int fd = open(path, flags | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = (mode && fchmod(fd, mode) != 0) || fsync(fd) != 0 ? -1 : 0;
    close(fd);
    return rc;
}

/* The folder mode for a file mode: x wherever r is set (0640 -> 0750). */
static mode_t publish_dir_mode(mode_t m)
{
    return m | ((m & 0444) >> 2);
}

void publish_presync(publish *p, const char *name)
{
    (void)publish_fsync_path(publish_path(p, name), O_RDONLY, p->mode);
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
        if (publish_fsync_path(f.data, O_RDONLY, p->mode) != 0) {
            buf_printf(err, "không ghi xuống đĩa được %s: %s", f.data, strerror(errno));
            rc = -1;
        }
    }
    closedir(d);
    buf_free(&f);
    if (rc == 0 &&
        publish_fsync_path(p->stage, O_RDONLY | O_DIRECTORY, publish_dir_mode(p->mode)) != 0) {
        buf_printf(err, "không ghi xuống đĩa được %s: %s", p->stage, strerror(errno));
        rc = -1;
    }
    if (rc != 0)
        return -1;
    /* again, under the lock: a file dropped into the folder since the start is not ours */
    if (publish_check_target(p->out, err) != 0)
        return -1;
    /* SIGINT/SIGTERM wait until the swap is done and recorded, so the handler knows whether
     * the new report is in place */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &old);
    struct stat st;
    bool exchanged = false;
    if (lstat(p->out, &st) == 0) {
        if (renameat2(AT_FDCWD, p->stage, AT_FDCWD, p->out, RENAME_EXCHANGE) != 0) {
            buf_printf(err, "không thay được %s: %s", p->out, strerror(errno));
            sigprocmask(SIG_SETMASK, &old, NULL);
            return -1;
        }
        exchanged = true;
    } else if (rename(p->stage, p->out) != 0) {
        buf_printf(err, "không đổi tên %s thành %s: %s", p->stage, p->out, strerror(errno));
        sigprocmask(SIG_SETMASK, &old, NULL);
        return -1;
    }
    publish_swapped = 1;
    /* test hook (README "Tests"): a SIGTERM that arrives in the narrowest window, just after the
     * swap; it stays pending until the mask is restored below */
    const char *hook = getenv("THONGKE_TEST_SIGTERM_AT_SWAP");
    if (hook && *hook == '1')
        raise(SIGTERM);
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (exchanged) /* the staging path now holds the previous report */
        publish_remove_dir(p->stage);
    char *parent = thk_xstrdup(p->lock);
    *strrchr(parent, '/') = '\0';
    publish_fsync_path(parent, O_RDONLY | O_DIRECTORY, 0);
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
