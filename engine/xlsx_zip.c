/* xlsx_zip — the deflate level of the workbook's zip entries (see xlsx_zip.h). */
#define _GNU_SOURCE /* RTLD_NEXT */
#include "xlsx_zip.h"

#include <dlfcn.h>
#include <minizip/zip.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <zlib.h>

typedef int (*zip_open4_fn)(zipFile, const char *, const zip_fileinfo *, const void *, uInt,
                            const void *, uInt, const char *, int, int, int, int, int, int,
                            const char *, uLong, uLong, uLong, int);

static zip_open4_fn xz_next;
static pthread_once_t xz_once = PTHREAD_ONCE_INIT;
static atomic_ulong xz_entries;
static _Thread_local bool xz_in_scope;

static void xz_resolve(void)
{
    /* minizip's definition: the next one after this program's in the lookup order (POSIX
     * lets dlsym's object pointer hold a function; memcpy keeps ISO C's rule) */
    void *sym = dlsym(RTLD_NEXT, "zipOpenNewFileInZip4_64");
    _Static_assert(sizeof sym == sizeof xz_next, "function and object pointers differ in size");
    memcpy(&xz_next, &sym, sizeof xz_next);
}

void xlsx_zip_scope(bool on)
{
    xz_in_scope = on;
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
