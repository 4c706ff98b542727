/* main — the thongke command: dispatches to report, check, merge, diff, explain, sample and
 * codes. */
#include "cli.h"
#include "diff.h"
#include "explain.h"
#include "merge.h"
#include "publish.h"
#include "sample.h"
#include "thk.h"

#include <stdio.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

int main(int argc, char **argv)
{
    thk_on_oom(publish_signal_cleanup); /* out of memory: no staging folder left behind */
#ifdef __GLIBC__
    /* Blocks of 1 MiB and more come straight from the system and go back to it when freed
     * (glibc would otherwise raise this threshold as large blocks are freed and keep later
     * ones in per-thread heaps, where what one stage frees is not what the next thread can
     * use): the peak then follows what is live. Measured on 1M cases (README). */
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
    if (argc < 2) {
        cli_usage(stderr);
        return THK_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        cli_usage(stdout);
        return THK_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("thongke %s\n", THK_VERSION);
        return THK_EXIT_OK;
    }
    if (strcmp(cmd, "report") == 0)
        return cli_report(argc - 1, argv + 1);
    if (strcmp(cmd, "check") == 0)
        return cli_check(argc - 1, argv + 1);
    if (strcmp(cmd, "diff") == 0)
        return diff_main(argc - 1, argv + 1);
    if (strcmp(cmd, "merge") == 0)
        return merge_main(argc - 1, argv + 1);
    if (strcmp(cmd, "sample") == 0)
        return sample_main(argc - 1, argv + 1);
    if (strcmp(cmd, "explain") == 0)
        return explain_main(argc - 1, argv + 1);
    if (strcmp(cmd, "codes") == 0)
        return cli_codes(argc - 1, argv + 1);
    fprintf(stderr, "thongke: lệnh không hợp lệ '%s' (xem thongke --help)\n", cmd);
    return THK_EXIT_USAGE;
}
