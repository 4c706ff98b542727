/* sha256 — SHA-256 (FIPS 180-4) of buffers and files, as lowercase hex for the manifest.
 * The compression function is OpenSSL's libcrypto (SHA-NI / AVX2 code paths, ~2 GB/s here
 * against ~0.5 GB/s for portable C): every input byte of a run is hashed, so it matters. */
#ifndef SHA256_H
#define SHA256_H

#include "thk.h"

/* Incremental state; initialise with sha256_init, release with sha256_final. */
typedef struct {
    void *md;        /* OpenSSL EVP_MD_CTX */
    uint64_t nbytes; /* message length so far */
} sha256_ctx;

/* Starts a hash (aborts when libcrypto cannot allocate its context). */
void sha256_init(sha256_ctx *c);
/* Adds n bytes (data may be NULL when n == 0). */
void sha256_update(sha256_ctx *c, const void *data, size_t n);
/* Finishes the hash into digest and frees the context; re-initialise before reuse. */
void sha256_final(sha256_ctx *c, uint8_t digest[32]);

/* Lowercase hex of a digest: 64 characters and a NUL. */
void sha256_to_hex(const uint8_t digest[32], char hex[65]);
/* The hex SHA-256 of a buffer. */
void sha256_buffer(const void *data, size_t n, char hex[65]);
/* The hex SHA-256 of a file's bytes, and its size in *bytes (may be NULL). Returns 0, or the
 * errno of the failed open/read with "PATH: reason" in *err (err may be NULL); hex is then "". */
int sha256_file(const char *path, char hex[65], uint64_t *bytes, thk_buf *err);
/* The same from an open descriptor, read to its end. Returns 0 or the errno of a failed read
 * (hex is then ""). */
int sha256_fd(int fd, char hex[65], uint64_t *bytes);

#endif
