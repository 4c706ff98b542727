/* xlsx_zip — the deflate level of the workbook's zip entries.
 *
 * libxlsxwriter 1.1.4 opens every part of the workbook with minizip's zipOpenNewFileInZip4_64
 * at Z_DEFAULT_COMPRESSION (zlib level 6) and offers no option to change it. This module
 * defines that function in the program itself: the dynamic linker binds libxlsxwriter's call
 * to it (a definition in the executable comes first), and it calls minizip's own with
 * XLSX_ZIP_LEVEL instead of the default, but only on a thread inside xlsx_zip_scope (the
 * workbook's workbook_close); every other caller (the tests' hostile archives) gets minizip
 * unchanged.
 *
 * Promise: inside the scope, every deflated entry is deflated at XLSX_ZIP_LEVEL (raw and
 * stored entries pass untouched); the parts inside the workbook are the same bytes at any
 * level, and the same input gives the same workbook bytes on every run.
 *
 * Why 3 (issue 15, measured on 1M cases of the backlog profile, median of 3 alternating runs):
 * the workbook took 1.44 s at level 6 (6.22 MB), 0.97 s at 3 (7.19 MB), 0.96 s at 2 (7.71 MB),
 * 0.96 s at 1 (8.17 MB). Levels 1 to 3 cost the same time; 3 gives the smallest file of them.
 */
/*
 * The temporary files (issue 15): inside workbook_close libxlsxwriter copies each constant-
 * memory sheet's rows into a new temporary file in 4,095-byte fwrite calls and reads it back
 * in 16 KB ones, through stdio's default 4 KB buffer: 19k system calls for L1 at 1M cases
 * (strace), on the one thread that ends the run. Every such file is made by lxw_tmpfile,
 * which the library's utility.c documents as meant to be overridden; the program defines it
 * too, and inside the scope gives each file the library makes a buffer of XLSX_ZIP_TMP_BUFFER
 * bytes, freed when the scope closes (the packager closes each file before it returns). The
 * sheets' own row files are made before the scope, and keep the library's buffers.
 */
#ifndef XLSX_ZIP_H
#define XLSX_ZIP_H

#include <stdbool.h>

#define XLSX_ZIP_LEVEL 3
#define XLSX_ZIP_TMP_BUFFER (64u * 1024u)

/* Opens (true) or closes (false) the scope on the calling thread. */
void xlsx_zip_scope(bool on);

/* Entries given XLSX_ZIP_LEVEL since the program started (for the tests: no change after a
 * workbook was written means libxlsxwriter did not bind to this module). */
unsigned long xlsx_zip_entries(void);
/* Temporary files given XLSX_ZIP_TMP_BUFFER since the program started (for the tests). */
unsigned long xlsx_zip_buffered(void);

#endif
