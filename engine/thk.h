/* thk — types, exit codes and the reject catalogue shared by every module of thongke. */
#ifndef THK_H
#define THK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define THK_VERSION "0.1.0"

/* A civil date: days since 1970-01-01 in the proleptic Gregorian calendar. No time zones. */
typedef int32_t thk_date;
#define THK_DATE_NONE INT32_MIN

/* Money: integer đồng. Inputs above THK_MONEY_MAX are rejected; sums are overflow-checked. */
typedef int64_t thk_money;
#define THK_MONEY_MAX 900000000000000000LL

/* Process exit codes (cli.md). */
enum {
    THK_EXIT_OK = 0,     /* published; rows may have been rejected */
    THK_EXIT_USAGE = 1,  /* bad command line */
    THK_EXIT_RULES = 2,  /* rule file error */
    THK_EXIT_INPUT = 3,  /* missing/unreadable input, missing column, --strict, --max-reject-pct */
    THK_EXIT_OUTPUT = 4, /* cannot write, disk full, lock held, interrupted, out of memory,
                          * an output folder that is not ours */
    THK_EXIT_CHECK = 5,  /* an identity did not hold: a bug, nothing published */
    THK_EXIT_SCREEN = 6  /* published, but --strict-checks and a screen of severity "error"
                          * flagged something (checks.csv) */
};

/* The reject catalogue: one list, from which the enum, the codes in rejects.csv, the
 * Vietnamese explanations and the README's table are all generated.
 * X(enum name, severity 'E' reject / 'W' warning, code, Vietnamese explanation) */
#define THK_REJECT_LIST(X)                                                                        \
    X(REJ_FIELD_COUNT, 'E', "field_count", "Số trường của dòng khác số cột của dòng tiêu đề")     \
    X(REJ_UTF8, 'E', "utf8_invalid", "Dòng chứa byte không hợp lệ UTF-8")                        \
    X(REJ_ENCODING, 'E', "encoding", "Không chuyển được dòng từ bảng mã đã chọn sang UTF-8")     \
    X(REJ_NUL_BYTE, 'E', "nul_byte",                                                              \
      "Dòng chứa byte NUL (0x00); cả dòng bị loại để mã và số không bị cắt cụt")                 \
    X(REJ_FIELD_TOO_LONG, 'E', "field_too_long", "Trường dài quá giới hạn cho phép")           \
    X(REJ_REQUIRED, 'E', "required_empty", "Thiếu giá trị ở cột bắt buộc")                      \
    X(REJ_DATE_FORMAT, 'E', "date_format",                                                        \
      "Ngày không đúng định dạng (dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy hoặc yyyy-mm-dd)")              \
    X(REJ_DATE_IMPOSSIBLE, 'E', "date_impossible", "Ngày không tồn tại trong lịch")              \
    X(REJ_DATE_RANGE, 'E', "date_range", "Năm nằm ngoài khoảng 1945–2100")                        \
    X(REJ_MONEY_FORMAT, 'E', "money_format",                                                      \
      "Số tiền không đúng định dạng (số nguyên đồng, có thể có dấu phân cách hàng nghìn)")        \
    X(REJ_MONEY_NEGATIVE, 'E', "money_negative", "Số tiền âm")                                    \
    X(REJ_MONEY_FRACTION, 'E', "money_fraction", "Số tiền có phần lẻ thập phân (phải là đồng)")   \
    X(REJ_MONEY_RANGE, 'E', "money_range", "Số tiền vượt quá 9·10^17 đồng")                      \
    X(REJ_DUPLICATE_ID, 'E', "duplicate_id", "Mã đã xuất hiện ở dòng trước (giữ dòng đầu tiên)")  \
    X(REJ_UNKNOWN_CASE, 'E', "unknown_case", "Mã việc không có trong tệp việc (cases.csv)")      \
    X(REJ_UNKNOWN_VALUE, 'E', "unknown_value", "Giá trị không nhận dạng được theo quy tắc")      \
    X(REJ_AMOUNT_REQUIRED, 'E', "amount_required",                                                \
      "Sự kiện thu tiền hoặc miễn, giảm phải có số tiền lớn hơn 0")                              \
    X(REJ_PATTERN_LIMIT, 'E', "pattern_limit",                                                    \
      "Mẫu so khớp vượt giới hạn xử lý (PCRE2 match/depth limit)")                               \
    X(WARN_EVENT_BEFORE_THU_LY, 'W', "event_before_thu_ly",                                       \
      "Sự kiện có ngày trước ngày thụ lý; được tính theo ngày thụ lý")                           \
    X(WARN_AFTER_TERMINAL, 'W', "event_after_terminal",                                           \
      "Sự kiện sau khi việc đã kết thúc; bị bỏ qua")                                              \
    X(WARN_OVERPAYMENT, 'W', "overpayment",                                                       \
      "Số tiền vượt quá số còn phải thi hành; phần vượt không được tính")                         \
    X(WARN_XONG_REMAINING, 'W', "xong_remaining",                                                 \
      "Việc thi hành xong khi còn tiền chưa thu; phần còn lại được tính là đã thu")              \
    X(WARN_UNIT_NAME, 'W', "unit_name_conflict",                                                  \
      "Tên đơn vị khác với tên đã gặp trước cho cùng mã; giữ tên đầu tiên")                     \
    X(WARN_MULTILINE, 'W', "multiline_field",                                                     \
      "Trường trong ngoặc kép kéo dài qua nhiều dòng; kiểm tra dấu ngoặc kép \" thiếu hoặc thừa")

typedef enum {
#define THK_X_ENUM(name, sev, code, msg) name,
    THK_REJECT_LIST(THK_X_ENUM)
#undef THK_X_ENUM
    REJ__COUNT
} thk_reject;

/* Catalogue accessors (rejects.c). Never NULL for a valid code. */
const char *thk_reject_code(thk_reject r);
const char *thk_reject_message(thk_reject r);
char thk_reject_severity(thk_reject r);

/* Allocation that never returns NULL: out of memory aborts naming the size (util.c). */
/* On allocation failure the thk_x* allocators print what was being allocated, run the cleanup
 * registered here (async-signal-safe; it removes the staging folder) and exit with
 * THK_EXIT_OUTPUT: never an abort, never a half-written folder left behind. */
void thk_on_oom(void (*cleanup)(void));
void *thk_xmalloc(size_t n);
void *thk_xcalloc(size_t count, size_t size);
void *thk_xrealloc(void *p, size_t n);
char *thk_xstrdup(const char *s);
/* Asks the kernel to back the large array p[0..n) with huge pages (transparent huge pages in
 * "madvise" mode): tables probed at random by a million keys otherwise miss the TLB on
 * nearly every probe. Only for such tables: arrays filled front to back gain little from huge
 * pages, and each huge page must be a free 2 MiB block, which a virtual machine that returns
 * free memory to its host (virtio-balloon free page reporting) has to supply afresh: at 10M
 * cases, hinting the case and event arrays cost 2 s of kernel time. A hint only; does nothing
 * for small arrays or where unsupported. */
void thk_hugepage_hint(void *p, size_t n);

/* Runs fn(b) on a thread of its own and fn(a) on the calling one, and returns when both are
 * done; both on the calling thread, a then b, when `two` is false or no thread is to be had.
 * For work split in two halves whose result does not depend on which thread did which. */
void thk_twin(bool two, void *(*fn)(void *), void *a, void *b);

/* A growable byte buffer, always NUL-terminated when data != NULL. */
typedef struct {
    char *data;
    size_t len;
    size_t cap;
} thk_buf;

/* Grows b so that `extra` more bytes and the NUL fit: the slow path of the three below, which
 * are inline because output rows are built of many small appends (on 1M backlog cases a call
 * each cost 3 % of the run's CPU). */
void buf_grow(thk_buf *b, size_t extra);

static inline void buf_reserve(thk_buf *b, size_t extra)
{
    if (b->len + extra + 1 > b->cap)
        buf_grow(b, extra);
}

static inline void buf_append(thk_buf *b, const void *p, size_t n)
{
    buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static inline void buf_putc(thk_buf *b, char c)
{
    buf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void buf_printf(thk_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends v in decimal ('-' before a negative), without printf: the writers of cases.csv and of
 * the workbook's list rows append millions of them. */
void buf_put_int(thk_buf *b, int64_t v);
void buf_clear(thk_buf *b);
void buf_free(thk_buf *b);

#endif
