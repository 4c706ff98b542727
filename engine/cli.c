/* cli — option parsing for the subcommands; all help texts live here. */
#include "cli.h"

#include "datadir.h"
#include "publish.h"
#include "read_date.h"
#include "rule_test.h"
#include "run.h"
#include "thk.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char cli_exit_codes[] =
    "Mã thoát:\n"
    "  0  đã công bố báo cáo (có thể có dòng bị loại: xem rejects.csv)\n"
    "  1  sai cú pháp lệnh\n"
    "  2  lỗi tệp quy tắc\n"
    "  3  lỗi dữ liệu vào: thiếu/không đọc được tệp, thiếu cột, --strict hoặc --max-reject-pct\n"
    "  4  lỗi ghi kết quả: không ghi được, đầy đĩa, thư mục đang bị lần chạy khác khóa, bị ngắt,\n"
    "     hết bộ nhớ, thư mục --out chứa tệp không phải do thongke công bố\n"
    "  5  kiểm tra nội bộ thất bại (một đẳng thức không thỏa): lỗi chương trình, không công bố\n"
    "  6  đã công bố, nhưng có --strict-checks và thẩm tra phát hiện mục mức \"error\"\n"
    "     (xem checks.csv)\n";

void cli_usage(FILE *f)
{
    fprintf(f,
            "thongke %s — báo cáo thống kê thi hành án dân sự (THADS) và theo dõi THAHC\n\n"
            "Cách dùng:\n"
            "  thongke report  --year Y (--months N | --from D --to D) [tùy chọn]\n"
            "  thongke check   RULES...             biên dịch quy tắc, chạy các test, in độ phủ\n"
            "  thongke merge   --out DIR RUN_DIR... hợp nhất kết quả của các đơn vị cấp dưới\n"
            "  thongke diff    OLD_RUN NEW_RUN      những ô đã thay đổi giữa hai lần chạy\n"
            "  thongke explain MA_VIEC --year Y --months N   giải thích một việc\n"
            "  thongke sample  --out DIR [--cases N] [--seed S] [--units K] [--messy]\n"
            "  thongke codes                        danh mục mã lỗi dòng dữ liệu\n"
            "  thongke CMD --help                   hướng dẫn của từng lệnh\n\n%s",
            THK_VERSION, cli_exit_codes);
}

static void cli_report_usage(FILE *f)
{
    fprintf(f,
            "Cách dùng: thongke report --year Y (--months N | --from D --to D) [tùy chọn]\n\n"
            "  --year Y             năm thống kê (01/10/Y-1 .. 30/09/Y theo mặc định)\n"
            "  --months N           báo cáo N tháng (1..12; 10 và 12 là kỳ báo cáo chính)\n"
            "  --from D --to D      khoảng tùy chọn (dd/mm/yyyy)\n"
            "  --input DIR          thư mục chứa cases.csv, events.csv[, thahc.csv]\n"
            "                       (.csv, .xlsx hoặc .xls; mặc định input/sample)\n"
            "  --cases F --events F [--thahc F]   chỉ định từng tệp\n"
            "  --rules F            tệp quy tắc (lặp lại được; mặc định rules/thads.rules,\n"
            "                       nếu không có thì <prefix>/share/thongke/rules/thads.rules)\n"
            "  --out DIR            thư mục kết quả (mặc định output/<Y>-<N>thang); chỉ thay\n"
            "                       một thư mục rỗng hoặc một báo cáo thongke trước đó\n"
            "  --mode M             quyền của tệp kết quả, bát phân (mặc định 0640; thư mục 0750)\n"
            "  --strict             một dòng bị loại cũng làm lần chạy thất bại (mã 3)\n"
            "  --baseline THƯ_MỤC   thẩm tra: so sánh thêm với một báo cáo đã công bố (cells.csv\n"
            "                       của nó), ví dụ báo cáo tháng trước\n"
            "  --strict-checks      thẩm tra phát hiện mục mức \"error\": vẫn công bố, thoát mã 6\n"
            "  --max-reject-pct P   thất bại khi hơn P %% số dòng của một tệp bị loại (mã 3;\n"
            "                       mặc định 5; các dòng bị loại ghi ở .<tên>.rejects.csv)\n"
            "  --encoding [TỆP=]NAME bảng mã của tệp vào không phải UTF-8 (vd. cp1258); tệp có\n"
            "                       BOM hay là UTF-8 hợp lệ vẫn đọc là UTF-8, tệp có BOM UTF-16\n"
            "                       đọc là UTF-16; TỆP = cases, events hoặc thahc (lặp lại được)\n"
            "  --delimiter C        dấu phân cách: ',' ';' hoặc 'tab' (mặc định: tự nhận)\n"
            "  --unit-name TEXT     tên đơn vị báo cáo (đầu biểu; mặc định: lấy từ dữ liệu khi chỉ\n"
            "                       có một đơn vị, hoặc đơn vị cấp tỉnh và các phòng của tỉnh đó)\n"
            "  --receiver TEXT      đơn vị nhận báo cáo (đầu biểu)\n"
            "  --place TEXT         địa danh ở dòng \"…, ngày … tháng … năm …\" (mặc định: tên\n"
            "                       tỉnh, thành phố trong tên đơn vị báo cáo)\n"
            "  --sign-date D        ngày ký ghi ở dòng đó (dd/mm/yyyy; mặc định để trống)\n"
            "  --format LIST        xlsx,csv (mặc định cả hai)\n"
            "  --threads N          số luồng tính các biểu, đọc cases.csv và ghi bảng tính Excel:\n"
            "                       1 hoặc 2 (mặc định 2 khi máy có từ 2 nhân); kết quả giống hệt\n"
            "                       nhau\n"
            "  --quiet              chỉ in lỗi\n"
            "  --progress           thanh tiến độ cả khi stderr không phải terminal\n"
            "  --log F              ghi nhật ký vào F thay vì stderr\n"
            "  --verify             tính lại và so với manifest.json đã công bố (0 giống, 1 khác)\n\n%s",
            cli_exit_codes);
}

/* Parses a percentage like "5", "0.5", "12.25" into hundredths; false on anything else. */
static bool cli_parse_pct(const char *s, int64_t *out)
{
    int64_t whole = 0, frac = 0;
    int fd = 0;
    const char *p = s;
    if (!*p)
        return false;
    while (*p >= '0' && *p <= '9' && whole < 100000)
        whole = whole * 10 + (*p++ - '0');
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9' && fd < 2) {
            frac = frac * 10 + (*p++ - '0');
            fd++;
        }
        if (fd == 0)
            return false;
        if (fd == 1)
            frac *= 10;
    }
    if (*p || whole > 100 || (whole == 100 && frac > 0))
        return false;
    *out = whole * 100 + frac;
    return true;
}

static bool cli_parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi)
        return false;
    *out = (int)v;
    return true;
}

__attribute__((format(printf, 1, 2))) static int cli_bad(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "thongke report: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (xem thongke report --help)\n");
    va_end(ap);
    return THK_EXIT_USAGE;
}

int cli_report(int argc, char **argv)
{
    enum { O_YEAR = 256, O_MONTHS, O_FROM, O_TO, O_INPUT, O_CASES, O_EVENTS, O_THAHC, O_RULES,
           O_OUT, O_STRICT, O_MAXREJ, O_ENC, O_DELIM, O_UNIT, O_RECV, O_PLACE, O_SIGNED, O_FORMAT, O_QUIET,
           O_PROGRESS, O_LOG, O_VERIFY, O_MODE, O_BASELINE, O_STRICT_CHECKS, O_THREADS, O_HELP };
    static const struct option longopts[] = {
        {"year", required_argument, 0, O_YEAR},       {"months", required_argument, 0, O_MONTHS},
        {"from", required_argument, 0, O_FROM},       {"to", required_argument, 0, O_TO},
        {"input", required_argument, 0, O_INPUT},     {"cases", required_argument, 0, O_CASES},
        {"events", required_argument, 0, O_EVENTS},   {"thahc", required_argument, 0, O_THAHC},
        {"rules", required_argument, 0, O_RULES},     {"out", required_argument, 0, O_OUT},
        {"strict", no_argument, 0, O_STRICT},         {"max-reject-pct", required_argument, 0, O_MAXREJ},
        {"encoding", required_argument, 0, O_ENC},    {"delimiter", required_argument, 0, O_DELIM},
        {"unit-name", required_argument, 0, O_UNIT},  {"receiver", required_argument, 0, O_RECV},
        {"place", required_argument, 0, O_PLACE},     {"sign-date", required_argument, 0, O_SIGNED},
        {"format", required_argument, 0, O_FORMAT},   {"quiet", no_argument, 0, O_QUIET},
        {"progress", no_argument, 0, O_PROGRESS},     {"log", required_argument, 0, O_LOG},
        {"verify", no_argument, 0, O_VERIFY},         {"help", no_argument, 0, O_HELP},
        {"mode", required_argument, 0, O_MODE},
        {"baseline", required_argument, 0, O_BASELINE},
        {"strict-checks", no_argument, 0, O_STRICT_CHECKS},
        {"threads", required_argument, 0, O_THREADS},
        {0, 0, 0, 0},
    };
    run_opts o = {.from = THK_DATE_NONE, .to = THK_DATE_NONE, .sign_date = THK_DATE_NONE,
                  .max_reject_pct = -1,
                  .want_xlsx = true, .want_csv = true, .argc = argc, .argv = argv};
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        const char *a = optarg;
        switch (ch) {
        case O_YEAR:
            if (!cli_parse_int(a, 1946, 2100, &o.year))
                return cli_bad("--year cần một năm từ 1946 đến 2100, không phải '%s'", a);
            break;
        case O_MONTHS:
            if (!cli_parse_int(a, 1, 12, &o.months))
                return cli_bad("--months cần một số từ 1 đến 12, không phải '%s'", a);
            break;
        case O_FROM:
        case O_TO: {
            thk_date d;
            if (date_parse(a, strlen(a), &d) >= 0)
                return cli_bad("ngày không hợp lệ '%s' (dd/mm/yyyy)", a);
            *(ch == O_FROM ? &o.from : &o.to) = d;
            break;
        }
        case O_INPUT:
            o.input_dir = a;
            break;
        case O_CASES:
            o.cases = a;
            break;
        case O_EVENTS:
            o.events = a;
            break;
        case O_THAHC:
            o.thahc = a;
            break;
        case O_RULES:
            if (o.nrules == RUN_MAX_RULES)
                return cli_bad("quá nhiều --rules (tối đa 16)");
            o.rules[o.nrules++] = a;
            break;
        case O_OUT: {
            thk_buf why = {0};
            int bad = publish_check_name(a, &why);
            if (bad) {
                cli_bad("%s", why.data);
                buf_free(&why);
                return THK_EXIT_USAGE;
            }
            o.out = a;
            break;
        }
        case O_MODE: {
            char *end;
            unsigned long m = strtoul(a, &end, 8);
            if (!*a || *end || m > 0777 || !(m & 0400))
                return cli_bad("--mode cần quyền bát phân như 0640 (chủ sở hữu phải đọc được), "
                               "không phải '%s'",
                               a);
            o.mode = (unsigned)m;
            break;
        }
        case O_STRICT:
            o.strict = true;
            break;
        case O_MAXREJ:
            if (!cli_parse_pct(a, &o.max_reject_pct))
                return cli_bad("--max-reject-pct cần một phần trăm 0..100, không phải '%s'", a);
            break;
        case O_ENC: {
            static const char *const kinds[3] = {"cases", "events", "thahc"};
            const char *eq = strchr(a, '=');
            if (!eq) {
                o.encoding = a;
                break;
            }
            int k = -1;
            for (int i = 0; i < 3; i++)
                if ((size_t)(eq - a) == strlen(kinds[i]) && strncmp(a, kinds[i], (size_t)(eq - a)) == 0)
                    k = i;
            if (k < 0 || !eq[1])
                return cli_bad("--encoding cần NAME hoặc TỆP=NAME với TỆP là cases, events hay "
                               "thahc, không phải '%s'", a);
            o.encoding_for[k] = eq + 1;
            break;
        }
        case O_DELIM:
            if (strcmp(a, "tab") == 0 || strcmp(a, "\\t") == 0 || strcmp(a, "\t") == 0)
                o.delimiter = '\t';
            else if (strcmp(a, ",") == 0 || strcmp(a, ";") == 0)
                o.delimiter = a[0];
            else
                return cli_bad("--delimiter cần ',', ';' hoặc 'tab', không phải '%s'", a);
            break;
        case O_UNIT:
            o.unit_name = a;
            break;
        case O_RECV:
            o.receiver = a;
            break;
        case O_PLACE:
            o.place = a;
            break;
        case O_SIGNED:
            if (date_parse(a, strlen(a), &o.sign_date) >= 0)
                return cli_bad("--sign-date cần một ngày dd/mm/yyyy, không phải '%s'", a);
            break;
        case O_FORMAT: {
            o.want_xlsx = strstr(a, "xlsx") != NULL;
            o.want_csv = strstr(a, "csv") != NULL;
            char *copy = thk_xstrdup(a);
            bool ok = o.want_xlsx || o.want_csv;
            for (char *t = strtok(copy, ","); t && ok; t = strtok(NULL, ","))
                ok = strcmp(t, "xlsx") == 0 || strcmp(t, "csv") == 0;
            free(copy);
            if (!ok)
                return cli_bad("--format cần xlsx, csv hoặc xlsx,csv, không phải '%s'", a);
            break;
        }
        case O_QUIET:
            o.quiet = true;
            break;
        case O_PROGRESS:
            o.progress = true;
            break;
        case O_LOG:
            o.log = a;
            break;
        case O_VERIFY:
            o.verify = true;
            break;
        case O_BASELINE:
            o.baseline = a;
            break;
        case O_STRICT_CHECKS:
            o.strict_checks = true;
            break;
        case O_THREADS:
            if (strcmp(a, "1") != 0 && strcmp(a, "2") != 0)
                return cli_bad("--threads cần 1 hoặc 2, không phải '%s'", a);
            o.threads = a[0] - '0';
            break;
        case O_HELP:
            cli_report_usage(stdout);
            return THK_EXIT_OK;
        default:
            return cli_bad("tùy chọn không hợp lệ hoặc thiếu giá trị: '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_bad("đối số thừa '%s'", argv[optind]);
    bool window = o.from != THK_DATE_NONE || o.to != THK_DATE_NONE;
    if (window && (o.from == THK_DATE_NONE || o.to == THK_DATE_NONE))
        return cli_bad("--from và --to phải đi cùng nhau");
    if (window && o.months)
        return cli_bad("chọn --months hoặc --from/--to, không cả hai");
    if (window && o.to < o.from)
        return cli_bad("--to phải không trước --from");
    if (!window && (!o.year || !o.months))
        return cli_bad("cần --year Y và --months N (hoặc --from D --to D)");
    if ((o.cases || o.events) && !(o.cases && o.events))
        return cli_bad("--cases và --events phải đi cùng nhau");
    char *default_rules = NULL; /* ./rules/thads.rules, else the installed copy (datadir.h) */
    if (!o.nrules)
        o.rules[o.nrules++] = default_rules = datadir_default_rules();
    int rc = run_report(&o);
    free(default_rules);
    return rc;
}

int cli_check(int argc, char **argv)
{
    return check_main(argc, argv);
}

int cli_codes(int argc, char **argv)
{
    static const char usage[] =
        "Cách dùng: thongke codes\n\n"
        "In danh mục mã của các dòng bị loại và cảnh báo (cột code của rejects.csv): mã, mức\n"
        "(E: loại, W: cảnh báo) và giải thích, dưới dạng bảng Markdown.\n\n"
        "Mã thoát: 0 đã in, 1 sai cú pháp lệnh.\n";
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(usage, stdout);
        return THK_EXIT_OK;
    }
    if (argc > 1) {
        fputs(usage, stderr);
        return THK_EXIT_USAGE;
    }
    printf("| code | severity | meaning (Vietnamese message) |\n|---|---|---|\n");
    for (int r = 0; r < REJ__COUNT; r++)
        printf("| `%s` | %c | %s |\n", thk_reject_code((thk_reject)r),
               thk_reject_severity((thk_reject)r), thk_reject_message((thk_reject)r));
    return THK_EXIT_OK;
}
