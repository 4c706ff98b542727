/* test_sha256 — the FIPS 180-2 vectors, chunked updates, files. */
#include "sha256.h"

#include "testutil.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *msg;
    const char *hex;
} sha256_vectors[] = {
    {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlm"
     "nopqrsmnopqrstnopqrstu",
     "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
};

Test(sha256, the_fips_180_2_short_vectors_hash_correctly)
{
    for (size_t i = 0; i < sizeof sha256_vectors / sizeof sha256_vectors[0]; i++) {
        char hex[65];
        sha256_buffer(sha256_vectors[i].msg, strlen(sha256_vectors[i].msg), hex);
        cr_expect_str_eq(hex, sha256_vectors[i].hex, "vector %zu", i);
    }
}

Test(sha256, a_million_a_hashes_correctly_in_uneven_chunks)
{
    static char a[1000000];
    memset(a, 'a', sizeof a);
    const char *want = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
    char hex[65];
    sha256_buffer(a, sizeof a, hex);
    cr_expect_str_eq(hex, want);
    /* Chunk sizes that straddle block boundaries in every way. */
    static const size_t steps[] = {1, 3, 55, 56, 63, 64, 65, 127, 1000, 4097};
    for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
        sha256_ctx c;
        sha256_init(&c);
        size_t off = 0;
        while (off < sizeof a) {
            size_t n = steps[s] < sizeof a - off ? steps[s] : sizeof a - off;
            sha256_update(&c, a + off, n);
            off += n;
        }
        uint8_t d[32];
        sha256_final(&c, d);
        sha256_to_hex(d, hex);
        cr_expect_str_eq(hex, want, "chunk size %zu", steps[s]);
    }
}

Test(sha256, padding_boundaries_55_56_and_64_bytes_match_incremental_hashing)
{
    /* Lengths around the 56-byte padding limit, one-shot vs byte by byte (with a NULL update). */
    char msg[130];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (char)('A' + i % 26);
    static const size_t lens[] = {55, 56, 57, 63, 64, 65, 119, 120, 128};
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        char one[65], inc[65];
        sha256_buffer(msg, lens[k], one);
        sha256_ctx c;
        sha256_init(&c);
        sha256_update(&c, NULL, 0);
        for (size_t i = 0; i < lens[k]; i++)
            sha256_update(&c, msg + i, 1);
        uint8_t d[32];
        sha256_final(&c, d);
        sha256_to_hex(d, inc);
        cr_expect_str_eq(one, inc, "length %zu", lens[k]);
        cr_expect_eq(strlen(one), 64u);
    }
    /* Known value for 56 bytes of 'a' (two-block padding). */
    char hex[65];
    sha256_buffer("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 56, hex);
    cr_expect_str_eq(hex, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
}

Test(sha256, a_file_hashes_like_its_bytes_and_reports_its_size)
{
    char *dir = tu_tempdir();
    char *path = tu_write_str(dir, "f.txt", "abc");
    char hex[65];
    uint64_t n = 0;
    thk_buf err = {0};
    cr_assert_eq(sha256_file(path, hex, &n, &err), 0);
    cr_expect_str_eq(hex, sha256_vectors[1].hex);
    cr_expect_eq(n, 3u);
    char *empty = tu_write_str(dir, "e.txt", "");
    cr_assert_eq(sha256_file(empty, hex, NULL, NULL), 0);
    cr_expect_str_eq(hex, sha256_vectors[0].hex);
    free(path);
    free(empty);
    free(dir);
    buf_free(&err);
}

Test(sha256, a_missing_file_returns_its_errno_with_a_message)
{
    char hex[65] = "x";
    uint64_t n = 7;
    thk_buf err = {0};
    int rc = sha256_file("/nonexistent-thongke-dir/f", hex, &n, &err);
    cr_expect_eq(rc, ENOENT);
    cr_expect_str_eq(hex, "");
    cr_expect_eq(n, 0u);
    cr_assert_not_null(err.data);
    cr_expect(strstr(err.data, "/nonexistent-thongke-dir/f") != NULL);
    buf_free(&err);
}
