/* Tests of strpool: interning, lookup, unindexed texts, growth. */
#include "strpool.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

Test(strpool, the_empty_string_is_id_zero)
{
    strpool *p = strpool_new();
    cr_assert_eq(strpool_intern(p, "", 0), 0);
    cr_assert_str_eq(strpool_get(p, 0), "");
    cr_assert_eq(strpool_count(p), 1);
    strpool_free(p);
}

Test(strpool, interning_twice_gives_the_same_dense_id)
{
    strpool *p = strpool_new();
    uint32_t a = strpool_intern(p, "GL-KV01", 7);
    uint32_t b = strpool_intern(p, "Nguyễn Văn An", strlen("Nguyễn Văn An"));
    cr_assert_eq(a, 1);
    cr_assert_eq(b, 2);
    cr_assert_eq(strpool_intern(p, "GL-KV01", 7), a);
    cr_assert_eq(strpool_find(p, "GL-KV01", 7), a);
    cr_assert_eq(strpool_find(p, "GL-KV0", 6), STRPOOL_NONE);
    cr_assert_eq(strpool_len(p, b), strlen("Nguyễn Văn An"));
    strpool_free(p);
}

Test(strpool, texts_with_embedded_prefixes_and_nul_bytes_are_distinct)
{
    strpool *p = strpool_new();
    uint32_t a = strpool_intern(p, "ab\0c", 4);
    uint32_t b = strpool_intern(p, "ab\0d", 4);
    uint32_t c = strpool_intern(p, "ab", 2);
    cr_assert_neq(a, b);
    cr_assert_neq(a, c);
    cr_assert_eq(strpool_find(p, "ab\0c", 4), a);
    strpool_free(p);
}

Test(strpool, added_texts_get_ids_but_are_never_found)
{
    strpool *p = strpool_new();
    uint32_t a = strpool_add(p, "V1", 2);
    cr_assert_neq(a, 0);
    cr_assert_str_eq(strpool_get(p, a), "V1");
    cr_assert_eq(strpool_len(p, a), 2);
    cr_assert_eq(strpool_find(p, "V1", 2), STRPOOL_NONE);
    uint32_t b = strpool_intern(p, "V1", 2);
    cr_assert_neq(a, b, "interning creates its own indexed copy");
    cr_assert_eq(strpool_add(p, "", 0), 0, "an empty text is id 0");
    strpool_free(p);
}

Test(strpool, a_million_keys_survive_growth_and_rehashing)
{
    strpool *p = strpool_new();
    char k[32];
    uint32_t next = 1; /* ids are dense: every add and every new intern takes the next one */
    for (int i = 0; i < 1000000; i++) {
        int n = snprintf(k, sizeof k, "GL-KV%02d-2024-%06d", i % 13, i);
        if (i % 3 == 0)
            cr_assert_eq(strpool_add(p, k, (size_t)n), next++); /* interleaved, unindexed */
        cr_assert_eq(strpool_intern(p, k, (size_t)n), next++, "key %d", i);
    }
    cr_assert_eq(strpool_count(p), next);
    for (int i = 0; i < 1000000; i += 7919) {
        int n = snprintf(k, sizeof k, "GL-KV%02d-2024-%06d", i % 13, i);
        uint32_t id = strpool_find(p, k, (size_t)n);
        cr_assert_neq(id, STRPOOL_NONE);
        cr_assert_str_eq(strpool_get(p, id), k);
    }
    strpool_free(p);
}

Test(strpool, a_text_longer_than_a_chunk_and_the_texts_around_it_survive)
{
    strpool *p = strpool_new();
    size_t big = (1u << 20) + 100;
    char *t = malloc(big);
    memset(t, 'x', big);
    uint32_t a = strpool_intern(p, "before", 6);
    uint32_t b = strpool_add(p, t, big);
    uint32_t c = strpool_intern(p, "after", 5);
    cr_assert_str_eq(strpool_get(p, a), "before");
    cr_assert_eq(strpool_len(p, b), big);
    cr_assert_eq(memcmp(strpool_get(p, b), t, big), 0);
    cr_assert_str_eq(strpool_get(p, c), "after");
    cr_assert_eq(strpool_find(p, "before", 6), a);
    free(t);
    strpool_free(p);
}
