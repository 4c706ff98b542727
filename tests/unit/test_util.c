/* Tests of util: the huge-page hint keeps a large array one mapping, so realloc can move it
 * with mremap instead of copying it. */
#include "thk.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The number of lines of /proc/self/maps that [p, p + n) overlaps: 1 when it is one mapping. */
static int mappings_over(const void *p, size_t n)
{
    FILE *f = fopen("/proc/self/maps", "r");
    cr_assert_not_null(f);
    uintptr_t a = (uintptr_t)p, b = a + n;
    unsigned long lo, hi;
    char line[512];
    int count = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && lo < b && hi > a)
            count++;
    fclose(f);
    return count;
}

Test(util, a_hinted_array_stays_one_mapping_through_regrowth)
{
    size_t n = (size_t)40 << 20; /* past glibc's largest mmap threshold (32 MiB): its own mapping */
    unsigned char *p = thk_xmalloc(n);
    memset(p, 0xA5, n);
    thk_hugepage_hint(p, n);
    cr_assert_eq(mappings_over(p, n), 1, "the hint split the array's mapping");
    p = thk_xrealloc(p, 2 * n);
    cr_assert_eq(mappings_over(p, 2 * n), 1);
    for (size_t i = 0; i < n; i += 4096)
        cr_assert_eq(p[i], 0xA5);
    thk_hugepage_hint(p, 2 * n);
    cr_assert_eq(mappings_over(p, 2 * n), 1);
    free(p);
}
