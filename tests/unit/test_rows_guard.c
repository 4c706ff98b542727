/* Reports of nothing and inputs that stall (issue "Hardening" items 7, 9, 16): a run whose input
 * is mostly rejected fails with exit 3, keeps the published report and leaves its rejects in
 * .NAME.rejects.csv; a header over the column cap is a file error; FIFOs and /dev/stdin are
 * refused without blocking; the stage log counts what rejects.csv holds. Real binary. */
#include "testutil.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <time.h>

#define RG_HEAD "ma_viec,ma_don_vi,ngay_thu_ly,ngay_quyet_dinh,so_tien_phai_thi_hanh\n"

static const char *rg_rules(void)
{
    static char p[4096];
    snprintf(p, sizeof p, "%s/rules/thads.rules", tu_root());
    return p;
}

/* thongke report --year 2026 --months 12 on dir/cases.csv and dir/events.csv into out, plus up
 * to two more arguments; stderr into dir/err; killed after 20 s (a hang fails, not stalls). */
static int rg_report(const char *dir, const char *cases, const char *out, const char *x1,
                     const char *x2)
{
    char c[4096], e[4096], err[4096];
    snprintf(c, sizeof c, "%s", cases ? cases : "");
    if (!cases)
        snprintf(c, sizeof c, "%s/cases.csv", dir);
    snprintf(e, sizeof e, "%s/events.csv", dir);
    snprintf(err, sizeof err, "%s/err", dir);
    char *argv[20] = {(char *)tu_bin(), "report", "--year", "2026", "--months", "12", "--rules",
                      (char *)rg_rules(), "--cases", c, "--events", e, "--out", (char *)out};
    int n = 14;
    if (x1)
        argv[n++] = (char *)x1;
    if (x2)
        argv[n++] = (char *)x2;
    argv[n] = NULL;
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        int fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 2);
        int nul = open("/dev/null", O_RDONLY);
        dup2(nul, 0);
        alarm(20);
        execv(argv[0], argv);
        _exit(127);
    }
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_assert(WIFEXITED(st), "killed by signal %d (a hang?)", WTERMSIG(st));
    return WEXITSTATUS(st);
}

static bool rg_err_has(const char *dir, const char *what)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/err", dir);
    char *t = tu_read(p, NULL);
    bool ok = t && strstr(t, what);
    free(t);
    return ok;
}

/* 20 good cases; `bad` of them with an impossible date. */
static char *rg_input(int bad)
{
    char *tmp = tu_tempdir();
    char rows[8192];
    size_t n = (size_t)snprintf(rows, sizeof rows, RG_HEAD);
    for (int i = 0; i < 20; i++)
        n += (size_t)snprintf(rows + n, sizeof rows - n, "V%d,U,%s,01/11/2025,100\n", i,
                              i < bad ? "31/02/2025" : "01/11/2025");
    free(tu_write_str(tmp, "cases.csv", rows));
    free(tu_write_str(tmp, "events.csv", "ma_viec,ngay,su_kien,so_tien\nV15,02/11/2025,Thu tiền,10\n"));
    return tmp;
}

static char *rg_cells(const char *out)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/cells.csv", out);
    return tu_read(p, NULL);
}

Test(rows_guard, a_header_only_cases_file_keeps_the_published_report)
{
    char *in = rg_input(0), out[4096], kept[4096];
    snprintf(out, sizeof out, "%s/r", in);
    snprintf(kept, sizeof kept, "%s/.r.rejects.csv", in);
    cr_assert_eq(rg_report(in, NULL, out, NULL, NULL), 0);
    char *before = rg_cells(out);
    cr_assert_not_null(before);
    free(tu_write_str(in, "cases.csv", RG_HEAD));
    cr_assert_eq(rg_report(in, NULL, out, NULL, NULL), 3);
    cr_assert(rg_err_has(in, "cases.csv"), "the message names the file");
    char *after = rg_cells(out);
    cr_assert_str_eq(after, before, "the good report is not replaced by zeros");
    char *rej = tu_read(kept, NULL);
    cr_assert_not_null(rej, "the rejects of the failed run are kept beside the folder");
    cr_assert(strstr(rej, "unknown_case"), "%s", rej);
    cr_assert(rg_err_has(in, ".r.rejects.csv"), "and named in the message");
    free(rej);
    free(before);
    free(after);
    free(in);
}

Test(rows_guard, more_than_five_percent_rejected_fails_by_default_and_the_option_lifts_it)
{
    char *in = rg_input(2), out[4096], kept[4096]; /* 2 of 20 = 10 % */
    snprintf(out, sizeof out, "%s/r", in);
    snprintf(kept, sizeof kept, "%s/.r.rejects.csv", in);
    cr_assert_eq(rg_report(in, NULL, out, NULL, NULL), 3);
    cr_assert(rg_err_has(in, "--max-reject-pct"), "the message says how to change it");
    cr_assert(access(out, F_OK) != 0, "nothing published");
    char *rej = tu_read(kept, NULL);
    cr_assert(rej && strstr(rej, "date_impossible"), "the two bad rows are kept: %s", rej ? rej : "(none)");
    free(rej);
    cr_assert_eq(rg_report(in, NULL, out, "--max-reject-pct", "10"), 0);
    cr_assert(access(kept, F_OK) != 0, "a successful run drops the stale kept rejects");
    free(in);
}

Test(rows_guard, one_percent_of_bad_rows_still_publishes)
{
    char *tmp = tu_tempdir(), out[4096];
    char *rows = malloc(200000);
    size_t n = (size_t)snprintf(rows, 200000, RG_HEAD);
    for (int i = 0; i < 200; i++)
        n += (size_t)snprintf(rows + n, 200000 - n, "V%d,U,%s,01/11/2025,100\n", i,
                              i < 2 ? "31/02/2025" : "01/11/2025");
    free(tu_write_str(tmp, "cases.csv", rows));
    free(tu_write_str(tmp, "events.csv", "ma_viec,ngay,su_kien,so_tien\n"));
    snprintf(out, sizeof out, "%s/r", tmp);
    cr_assert_eq(rg_report(tmp, NULL, out, NULL, NULL), 0, "2 of 200 = 1 %% is under the ceiling");
    free(rows);
    free(tmp);
}

Test(rows_guard, a_wrong_encoding_rejecting_every_row_fails)
{
    char *in = rg_input(0), out[4096];
    snprintf(out, sizeof out, "%s/r", in);
    /* every row rejected: an impossible date everywhere stands for a file that does not decode */
    char *bad = rg_input(20);
    char p[4096];
    snprintf(p, sizeof p, "%s/cases.csv", bad);
    cr_assert_eq(rg_report(in, p, out, "--max-reject-pct", "100"), 3,
                 "0 accepted cases fails whatever the ceiling");
    cr_assert(rg_err_has(in, "không nhận được việc nào"));
    free(bad);
    free(in);
}

Test(rows_guard, a_header_over_the_column_cap_is_a_file_error)
{
    char *in = rg_input(0), out[4096];
    snprintf(out, sizeof out, "%s/r", in);
    char *wide = malloc(16384);
    size_t n = 0;
    for (int i = 0; i < 600; i++)
        n += (size_t)snprintf(wide + n, 16384 - n, "%sc%d", i ? "," : "", i);
    snprintf(wide + n, 16384 - n, "\n");
    char *p = tu_write_str(in, "wide.csv", wide);
    cr_assert_eq(rg_report(in, p, out, NULL, NULL), 3);
    cr_assert(rg_err_has(in, "512"), "the message gives the cap");
    cr_assert(rg_err_has(in, "wide.csv"));
    free(p);
    free(wide);
    free(in);
}

Test(rows_guard, a_fifo_is_refused_without_blocking)
{
    char *in = rg_input(0), out[4096], fifo[4096];
    snprintf(out, sizeof out, "%s/r", in);
    snprintf(fifo, sizeof fifo, "%s/fifo.csv", in);
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    cr_assert_eq(rg_report(in, fifo, out, NULL, NULL), 3);
    cr_assert(rg_err_has(in, "không phải tệp thường"));
    cr_assert_eq(rg_report(in, "/dev/stdin", out, NULL, NULL), 3);
    cr_assert(rg_err_has(in, "không phải tệp thường"));
    free(in);
}

Test(rows_guard, the_stage_log_counts_what_rejects_csv_holds)
{
    char dir[4096], out[4096], log[4200], rej[4200];
    snprintf(dir, sizeof dir, "%s/tests/e2e/0217-warn-overpayment", tu_root());
    char *tmp = tu_tempdir();
    snprintf(out, sizeof out, "%s/r", tmp);
    snprintf(log, sizeof log, "%s/log", tmp);
    char c[4200], e[4200];
    snprintf(c, sizeof c, "%s/cases.csv", dir);
    snprintf(e, sizeof e, "%s/events.csv", dir);
    char *argv[] = {(char *)tu_bin(), "report", "--year", "2026", "--months", "12", "--rules",
                    (char *)rg_rules(), "--cases", c, "--events", e, "--out", out, "--log", log,
                    "--max-reject-pct", "100", NULL};
    cr_assert_eq(tu_run(argv, NULL, NULL, NULL), 0);
    snprintf(rej, sizeof rej, "%s/rejects.csv", out);
    char *r = tu_read(rej, NULL), *l = tu_read(log, NULL);
    cr_assert(r && l);
    size_t rows = 0;
    for (const char *q = r; (q = strchr(q, '\n')); q++)
        rows++;
    rows--; /* header */
    cr_assert_gt(rows, 0, "the fixture warns");
    char want[128];
    snprintf(want, sizeof want, "rejects.csv: %zu dòng", rows);
    cr_assert(strstr(l, want), "log says '%s'?\n%s", want, l);
    free(r);
    free(l);
    free(tmp);
}
