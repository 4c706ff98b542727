/* sha256 — SHA-256 through OpenSSL's libcrypto, checked against the FIPS 180 test vectors. */
#include "sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void sha256_fail(const char *what)
{
    fprintf(stderr, "thongke: libcrypto: %s thất bại\n", what);
    abort();
}

void sha256_init(sha256_ctx *c)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
        sha256_fail("EVP_DigestInit");
    c->md = md;
    c->nbytes = 0;
}

void sha256_update(sha256_ctx *c, const void *data, size_t n)
{
    c->nbytes += n;
    if (n && EVP_DigestUpdate(c->md, data, n) != 1)
        sha256_fail("EVP_DigestUpdate");
}

void sha256_final(sha256_ctx *c, uint8_t digest[32])
{
    unsigned len = 0;
    if (EVP_DigestFinal_ex(c->md, digest, &len) != 1 || len != 32)
        sha256_fail("EVP_DigestFinal");
    EVP_MD_CTX_free(c->md);
    c->md = NULL;
}

void sha256_to_hex(const uint8_t digest[32], char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 15];
    }
    hex[64] = '\0';
}

void sha256_buffer(const void *data, size_t n, char hex[65])
{
    sha256_ctx c;
    uint8_t d[32];
    sha256_init(&c);
    sha256_update(&c, data, n);
    sha256_final(&c, d);
    sha256_to_hex(d, hex);
}

int sha256_fd(int fd, char hex[65], uint64_t *bytes)
{
    hex[0] = '\0';
    if (bytes)
        *bytes = 0;
    enum { CHUNK = 1 << 20 };
    uint8_t *buf = thk_xmalloc(CHUNK);
    sha256_ctx c;
    sha256_init(&c);
    int e = 0;
    for (;;) {
        ssize_t n = read(fd, buf, CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            e = errno ? errno : EIO;
        if (n <= 0)
            break;
        sha256_update(&c, buf, (size_t)n);
    }
    free(buf);
    uint8_t d[32];
    uint64_t total = c.nbytes;
    sha256_final(&c, d);
    if (e)
        return e;
    if (bytes)
        *bytes = total;
    sha256_to_hex(d, hex);
    return 0;
}

int sha256_file(const char *path, char hex[65], uint64_t *bytes, thk_buf *err)
{
    hex[0] = '\0';
    if (bytes)
        *bytes = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno ? errno : EIO;
        if (err)
            buf_printf(err, "%s: không mở được tệp để tính SHA-256: %s", path, strerror(e));
        return e;
    }
    int e = sha256_fd(fd, hex, bytes);
    close(fd);
    if (e && err)
        buf_printf(err, "%s: lỗi đọc tệp khi tính SHA-256: %s", path, strerror(e));
    return e;
}
