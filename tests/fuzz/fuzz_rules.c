/* fuzz_rules — libFuzzer target: arbitrary bytes as a rule file through the lexer, parser and
 * compiler; when they compile, their test blocks run too (loader, replay, aggregation). */
#include "rule.h"
#include "rule_test.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    thk_buf diag = {0};
    /* a name in a folder that does not exist: relative includes cannot be found */
    rule_set *rs = rule_set_load_mem("/nonexistent/fuzz.rules", (const char *)data, size, &diag);
    if (rs) {
        size_t n = rule_set_test_count(rs);
        thk_buf why = {0};
        for (size_t i = 0; i < n && i < 8; i++) {
            buf_clear(&why);
            rule_test_run(rs, i, &why);
        }
        buf_free(&why);
        rule_set_free(rs);
    }
    buf_free(&diag);
    return 0;
}
