/* xlsx_zip — the deflate level of the workbook's zip entries and the buffers of the temporary
 * files it packs them from (see xlsx_zip.h). */
#define _GNU_SOURCE /* RTLD_NEXT */
#include "xlsx_zip.h"

#include <dlfcn.h>
#include <minizip/zip.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>
#include <zlib.h>

typedef FILE *(*tmpfile_fn)(char *);
typedef int (*zip_open4_fn)(zipFile, const char *, const zip_fileinfo *, const void *, uInt,
                            const void *, uInt, const char *, int, int, int, int, int, int,
                            const char *, uLong, uLong, uLong, int);

static zip_open4_fn xz_next;
static tmpfile_fn xz_next_tmpfile;
static pthread_once_t xz_once = PTHREAD_ONCE_INIT;
static atomic_ulong xz_entries;
static atomic_ulong xz_buffered;
static _Thread_local bool xz_in_scope;
/* the buffers given to the files made inside the scope, freed when it closes */
static _Thread_local char **xz_bufs;
static _Thread_local size_t xz_nbufs, xz_bufs_cap;

static void xz_resolve(void)
{
    /* minizip's definition: the next one after this program's in the lookup order (POSIX
     * lets dlsym's object pointer hold a function; memcpy keeps ISO C's rule) */
    void *sym = dlsym(RTLD_NEXT, "zipOpenNewFileInZip4_64");
    _Static_assert(sizeof sym == sizeof xz_next, "function and object pointers differ in size");
    memcpy(&xz_next, &sym, sizeof xz_next);
    sym = dlsym(RTLD_NEXT, "lxw_tmpfile"); /* libxlsxwriter's own */
    memcpy(&xz_next_tmpfile, &sym, sizeof xz_next_tmpfile);
}

void xlsx_zip_scope(bool on)
{
    xz_in_scope = on;
    if (on)
        return;
    /* every file made inside the scope was closed by the function of the packager that made
     * it, before workbook_close returned */
    for (size_t i = 0; i < xz_nbufs; i++)
        free(xz_bufs[i]);
    free(xz_bufs);
    xz_bufs = NULL;
    xz_nbufs = xz_bufs_cap = 0;
}

unsigned long xlsx_zip_buffered(void)
{
    return atomic_load(&xz_buffered);
}

/* The definition libxlsxwriter's calls bind to (its utility.c says lxw_tmpfile is there to be
 * overridden): the library's own, and inside the scope a buffer of XLSX_ZIP_TMP_BUFFER bytes
 * set before the file's first use. */
FILE *lxw_tmpfile(char *tmpdir)
{
    pthread_once(&xz_once, xz_resolve);
    if (!xz_next_tmpfile)
        return NULL;
    FILE *f = xz_next_tmpfile(tmpdir);
    if (!f || !xz_in_scope)
        return f;
    if (xz_nbufs == xz_bufs_cap) {
        size_t cap = xz_bufs_cap ? 2 * xz_bufs_cap : 16;
        char **nb = realloc(xz_bufs, cap * sizeof *nb);
        if (!nb)
            return f; /* the library's buffer, then */
        xz_bufs = nb;
        xz_bufs_cap = cap;
    }
    char *buf = malloc(XLSX_ZIP_TMP_BUFFER);
    if (!buf)
        return f;
    if (setvbuf(f, buf, _IOFBF, XLSX_ZIP_TMP_BUFFER) != 0) {
        free(buf);
        return f;
    }
    xz_bufs[xz_nbufs++] = buf;
    atomic_fetch_add(&xz_buffered, 1);
    return f;
}

unsigned long xlsx_zip_entries(void)
{
    return atomic_load(&xz_entries);
}

/* The definition libxlsxwriter's packager binds to; the signature is minizip 1.1's. */
int zipOpenNewFileInZip4_64(zipFile file, const char *filename, const zip_fileinfo *zipfi,
                            const void *extrafield_local, uInt size_extrafield_local,
                            const void *extrafield_global, uInt size_extrafield_global,
                            const char *comment, int method, int level, int raw,
                            int windowBits, int memLevel, int strategy, const char *password,
                            uLong crcForCrypting, uLong versionMadeBy, uLong flagBase, int zip64)
{
    pthread_once(&xz_once, xz_resolve);
    if (!xz_next)
        return ZIP_INTERNALERROR;
    if (xz_in_scope && method == Z_DEFLATED && !raw) {
        level = XLSX_ZIP_LEVEL;
        atomic_fetch_add(&xz_entries, 1);
    }
    return xz_next(file, filename, zipfi, extrafield_local, size_extrafield_local,
                   extrafield_global, size_extrafield_global, comment, method, level, raw,
                   windowBits, memLevel, strategy, password, crcForCrypting, versionMadeBy,
                   flagBase, zip64);
}
