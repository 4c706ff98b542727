/* sample — deterministic synthetic exports (cases.csv, events.csv, thahc.csv) for demos, tests
 * and the benchmark.
 *
 * How it works, in the order of the code:
 *  - randomness: xoshiro256** seeded by splitmix64, three independent streams (data, format,
 *    THAHC) so that --messy changes only the format stream and leaves the drawn data alone;
 *  - distributions with integer arithmetic only: a "normal" deviate is the Irwin–Hall sum of
 *    twelve 16-bit uniforms, and a log-normal value is 10^(L/64) read from a table of the 64
 *    sub-decade steps, so the same seed gives the same bytes on every machine;
 *  - acceptance dates are stratified over a per-day weight table (weekdays only, later years
 *    heavier) so cases come out in date order and the ma_viec numbers grow with the date;
 *  - each case's lifecycle (domain.md §2) is drawn as a small list of dated events, sorted and
 *    cut at the export horizon 30/09/2026;
 *  - rows are assembled as fields in a fixed scratch buffer, then written with the file's
 *    delimiter, quoting and line end into a 1 MiB output buffer (no per-row allocation). */
#include "sample.h"

#include "csv_out.h"
#include "read_date.h"
#include "read_text.h"
#include "schema.h"
#include "thk.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>

/* ------------------------------------------------------------------------------------------ */
/* Random numbers                                                                              */

typedef struct {
    uint64_t s[4];
} srng;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static void rng_seed(srng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xD1B54A32D192ED03ULL);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(srng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl64(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return result;
}

/* Uniform in [0, n); 0 when n is 0. Unbiased (rejection). */
static uint64_t rng_below(srng *r, uint64_t n)
{
    if (n <= 1)
        return 0;
    uint64_t lim = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do
        x = rng_next(r);
    while (x >= lim);
    return x % n;
}

/* True with probability bp / 10000. */
static inline bool rng_bp(srng *r, unsigned bp)
{
    return rng_below(r, 10000) < bp;
}

/* Uniform integer in [a, b] (b >= a). */
static inline int32_t rng_span(srng *r, int32_t a, int32_t b)
{
    if (b <= a)
        return a;
    return a + (int32_t)rng_below(r, (uint64_t)((int64_t)b - a + 1));
}

/* Index into w[0..n) drawn with the given weights (sum > 0). */
static unsigned rng_pick(srng *r, const uint16_t *w, unsigned n)
{
    uint64_t total = 0;
    for (unsigned i = 0; i < n; i++)
        total += w[i];
    uint64_t x = rng_below(r, total);
    for (unsigned i = 0; i < n; i++) {
        if (x < w[i])
            return i;
        x -= w[i];
    }
    return n - 1;
}

/* Approximately standard normal, scaled by 65536 (Irwin–Hall, 12 terms; range ±6σ). */
static int64_t rng_gauss(srng *r)
{
    int64_t sum = 0;
    for (int k = 0; k < 3; k++) {
        uint64_t x = rng_next(r);
        for (int j = 0; j < 4; j++)
            sum += (int64_t)((x >> (16 * j)) & 0xFFFF);
    }
    return sum - 6 * 65536;
}

/* 10^(i/64) · 10^6, i = 0..64. */
static const int64_t POW10_64[65] = {
    1000000, 1036633, 1074608, 1113974, 1154782, 1197085, 1240938, 1286397, 1333521, 1382372,
    1433013, 1485508, 1539927, 1596339, 1654817, 1715438, 1778279, 1843423, 1910953, 1980957,
    2053525, 2128752, 2206734, 2287573, 2371374, 2458244, 2548297, 2641648, 2738420, 2838736,
    2942727, 3050528, 3162278, 3278121, 3398208, 3522695, 3651741, 3785515, 3924190, 4067944,
    4216965, 4371445, 4531584, 4697589, 4869675, 5048066, 5232991, 5424691, 5623413, 5829415,
    6042964, 6264335, 6493816, 6731704, 6978306, 7233942, 7498942, 7773650, 8058422, 8353625,
    8659643, 8976871, 9305720, 9646616, 10000000};

static const int64_t POW10[19] = {1LL,
                                  10LL,
                                  100LL,
                                  1000LL,
                                  10000LL,
                                  100000LL,
                                  1000000LL,
                                  10000000LL,
                                  100000000LL,
                                  1000000000LL,
                                  10000000000LL,
                                  100000000000LL,
                                  1000000000000LL,
                                  10000000000000LL,
                                  100000000000000LL,
                                  1000000000000000LL,
                                  10000000000000000LL,
                                  100000000000000000LL,
                                  1000000000000000000LL};

/* log10(v) in 1/64 decades, rounded down (v >= 1). */
static int64_t log64(int64_t v)
{
    int q = 0;
    while (q < 18 && POW10[q + 1] <= v)
        q++;
    /* mantissa · 10^6 without overflow */
    int64_t m = q >= 6 ? v / POW10[q - 6] : v * POW10[6 - q];
    int r = 0;
    while (r < 63 && POW10_64[r + 1] <= m)
        r++;
    return (int64_t)q * 64 + r;
}

/* A value drawn uniformly inside the 1/64-decade step L: about 10^(L/64). 0 when L < 0. */
static int64_t exp64(srng *r, int64_t L)
{
    if (L < 0)
        return 0;
    if (L > 17 * 64 - 1)
        L = 17 * 64 - 1;
    int64_t q = L / 64, k = L % 64;
    int64_t lo = POW10_64[k], hi = POW10_64[k + 1];
    int64_t m = lo + (int64_t)rng_below(r, (uint64_t)(hi - lo));
    return q >= 6 ? POW10[q - 6] * m : m / POW10[6 - q];
}

/* Log-normal: median `median`, sigma in 1/64 decades. */
static int64_t rng_lognorm(srng *r, int64_t median, int64_t sigma64)
{
    int64_t z = rng_gauss(r) * sigma64;
    int64_t d = z >= 0 ? z / 65536 : -((-z + 65535) / 65536);
    return exp64(r, log64(median) + d);
}

/* ------------------------------------------------------------------------------------------ */
/* Calendar: read_date's (days since 1970-01-01, proleptic Gregorian)                          */

/* Saturday and Sunday move to the next Monday. */
static thk_date workday(thk_date t)
{
    int w = date_weekday(t);
    return w == 6 ? t + 2 : w == 0 ? t + 1 : t;
}

#define FIRST_YEAR 2016
#define NYEARS 11 /* 2016 … 2026 */

/* Per-weekday acceptance weight of each year (later years heavier; 2026 ends at the horizon);
 * [1]: --profile backlog, the old years almost as full as the recent ones. (One table per
 * quantity, indexed by the profile: no pointer chosen between two arrays.) */
static const uint16_t YEAR_WEIGHT[2][NYEARS] = {{2, 3, 3, 4, 4, 5, 6, 7, 8, 10, 11},
                                                {6, 6, 7, 7, 8, 8, 9, 9, 10, 11, 12}};

/* ------------------------------------------------------------------------------------------ */
/* Vocabulary                                                                                  */

typedef struct {
    const char *code;
    const char *name;
    bool city;       /* thành phố trực thuộc trung ương */
    uint8_t region;  /* 0 north (cấp cao Hà Nội), 1 centre (Đà Nẵng), 2 south (TP HCM) */
} sprov;

/* The 34 provinces after 07/2025; provinces first, centrally-run cities last. */
static const sprov PROVINCES[] = {
    {"GL", "Gia Lai", false, 1},       {"DL", "Đắk Lắk", false, 1},
    {"KH", "Khánh Hòa", false, 1},     {"LD", "Lâm Đồng", false, 1},
    {"QNG", "Quảng Ngãi", false, 1},   {"NA", "Nghệ An", false, 0},
    {"TH", "Thanh Hóa", false, 0},     {"DNA", "Đồng Nai", false, 2},
    {"AG", "An Giang", false, 2},      {"CM", "Cà Mau", false, 2},
    {"QT", "Quảng Trị", false, 1},     {"HT", "Hà Tĩnh", false, 0},
    {"NB", "Ninh Bình", false, 0},     {"HY", "Hưng Yên", false, 0},
    {"BN", "Bắc Ninh", false, 0},      {"PT", "Phú Thọ", false, 0},
    {"TN", "Thái Nguyên", false, 0},   {"LCA", "Lào Cai", false, 0},
    {"TQ", "Tuyên Quang", false, 0},   {"CB", "Cao Bằng", false, 0},
    {"LS", "Lạng Sơn", false, 0},      {"QNI", "Quảng Ninh", false, 0},
    {"SL", "Sơn La", false, 0},        {"DB", "Điện Biên", false, 0},
    {"LCH", "Lai Châu", false, 0},     {"TNI", "Tây Ninh", false, 2},
    {"VL", "Vĩnh Long", false, 2},     {"DT", "Đồng Tháp", false, 2},
    {"HN", "Hà Nội", true, 0},         {"HCM", "Hồ Chí Minh", true, 2},
    {"DNG", "Đà Nẵng", true, 1},       {"HP", "Hải Phòng", true, 0},
    {"CT", "Cần Thơ", true, 2},        {"HUE", "Huế", true, 1},
};
#define NPROV (sizeof PROVINCES / sizeof PROVINCES[0])

static const char *const CAP_CAO[3] = {"Hà Nội", "Đà Nẵng", "Thành phố Hồ Chí Minh"};

static const char *const HO[] = {"Nguyễn", "Trần", "Lê",  "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ",
                                 "Võ",     "Đặng", "Bùi", "Đỗ",   "Hồ",    "Ngô",   "Dương", "Lý",
                                 "Đinh",   "Trương", "Mai", "Lương"};
static const uint16_t HO_W[] = {380, 110, 95, 70, 50, 40, 40, 35, 30, 20,
                                20,  15,  15, 13, 10, 5,  8,  8,  5,  5};
#define NHO (sizeof HO / sizeof HO[0])

static const char *const DEM_NAM[] = {"Văn", "Đức", "Minh", "Quang", "Hữu",
                                      "Thanh", "Xuân", "Công", "Ngọc", "Anh"};
static const char *const DEM_NU[] = {"Thị", "Thu", "Ngọc", "Thanh", "Minh",
                                     "Kim", "Hồng", "Mỹ",   "Phương", "Bích"};
static const char *const TEN_NAM[] = {"An",   "Bình",  "Cường", "Dũng", "Hải",  "Hùng", "Huy",
                                      "Khánh", "Long", "Minh",  "Nam",  "Phong", "Quân", "Sơn",
                                      "Thắng", "Toàn", "Trung", "Tuấn", "Việt", "Vinh"};
static const char *const TEN_NU[] = {"Anh",  "Chi",   "Dung", "Hà",    "Hạnh", "Hoa",  "Hương",
                                     "Lan",  "Linh",  "Mai",  "Nga",   "Nhung", "Oanh", "Phương",
                                     "Tâm",  "Thảo",  "Thủy", "Trang", "Vân",  "Yến"};
#define NDEM 10u
#define NTEN 20u

static const char *const CO_PREFIX[] = {"Công ty TNHH", "Công ty TNHH MTV", "Công ty cổ phần",
                                        "Doanh nghiệp tư nhân", "Hợp tác xã"};
static const uint16_t CO_PREFIX_W[] = {40, 15, 30, 10, 5};
static const char *const CO_FIELD[] = {"Thương mại",   "Xây dựng",     "Đầu tư",     "Vận tải",
                                       "Nông sản",     "Cà phê",       "Cao su",     "Chế biến gỗ",
                                       "Dịch vụ",      "Bất động sản", "Xuất nhập khẩu"};
static const char *const CO_BRAND[] = {"Hoàng Long", "Minh Phát",  "An Phú",    "Tây Nguyên",
                                       "Phú Thịnh",  "Thành Công", "Việt Hưng", "Đại Dương",
                                       "Sao Mai",    "Trường Sơn", "Hưng Thịnh", "Phúc An",
                                       "Đức Long",   "Quốc Cường"};
#define NCO_FIELD (sizeof CO_FIELD / sizeof CO_FIELD[0])
#define NCO_BRAND (sizeof CO_BRAND / sizeof CO_BRAND[0])

enum { LA_DAN_SU, LA_HINH_SU, LA_HANH_CHINH, LA_HNGD, LA_KDTM, LA_LAO_DONG, LA_PHA_SAN,
       LA_TRONG_TAI, LA_KHAC, LA__N };
static const char *const LOAI_AN[LA__N] = {"Dân sự",  "Hình sự",  "Hành chính", "Hôn nhân và gia đình",
                                           "Kinh doanh thương mại", "Lao động", "Phá sản",
                                           "Trọng tài", "Khác"};
static const uint16_t LOAI_AN_W[LA__N] = {455, 330, 15, 90, 70, 20, 8, 7, 5};
/* Per mille of cases of each loại án enforced on the office's own initiative (chủ động). */
static const uint16_t CHU_DONG_PM[LA__N] = {500, 880, 600, 400, 300, 400, 400, 300, 400};

/* Money classes: no money, án phí-sized, ordinary, large, ≥ 20 tỷ. */
enum { MC_ZERO, MC_SMALL, MC_NORMAL, MC_BIG, MC_HUGE, MC__N };
static const uint16_t MONEY_CLASS_W[LA__N][MC__N] = {
    {100, 220, 600, 75, 5},  /* dân sự */
    {30, 550, 380, 35, 5},   /* hình sự */
    {200, 600, 200, 0, 0},   /* hành chính */
    {150, 300, 530, 20, 0},  /* HNGĐ */
    {20, 100, 550, 300, 30}, /* KDTM */
    {100, 300, 580, 20, 0},  /* lao động */
    {0, 100, 400, 400, 100}, /* phá sản */
    {0, 0, 500, 450, 50},    /* trọng tài */
    {300, 400, 300, 0, 0},   /* khác */
};

enum { NV_TIN_DUNG = 1, NV_THAM_NHUNG = 2, NV_CAP_DUONG = 4, NV_BOI_THUONG = 8, NV_DAT_DAI = 16,
       NV_TIEN_LUONG = 32 };

/* Event kinds as the generator draws them; several phrases each. */
enum { K_XM_CO, K_XM_CHUA, K_QD_CHUA, K_HOAN_C, K_HOAN, K_TDC, K_TIEP, K_KHAC, K_THU, K_MIEN,
       K_XONG, K_DINH_CHI, K_UY_THAC, K_THU_HOI, K_CSR, K__N };
/* Same-day order: verification, decision, suspension/resumption, money, terminal. */
static const uint8_t KIND_PRIO[K__N] = {0, 1, 2, 2, 2, 2, 3, 2, 4, 5, 9, 9, 9, 9, 9};

typedef struct {
    uint8_t kind;
    uint16_t weight;
    const char *text;
} sphrase;

/* The case software's phrasings (input.md); every one is in the shipped `map su_kien`. */
static const sphrase PHRASES[] = {
    {K_XM_CO, 80, "Xác minh: có điều kiện thi hành"},
    {K_XM_CO, 20, "Có điều kiện thi hành"},
    {K_XM_CHUA, 80, "Xác minh: chưa có điều kiện thi hành"},
    {K_XM_CHUA, 20, "Chưa có điều kiện thi hành"},
    {K_QD_CHUA, 1, "Quyết định về việc chưa có điều kiện thi hành án"},
    {K_HOAN_C, 1, "Hoãn thi hành án theo điểm c khoản 1 Điều 48"},
    {K_HOAN, 1, "Hoãn thi hành án"},
    {K_TDC, 1, "Tạm đình chỉ thi hành án"},
    {K_TIEP, 1, "Tiếp tục thi hành án"},
    {K_KHAC, 1, "Trường hợp khác"},
    {K_THU, 60, "Thu tiền"},
    {K_THU, 25, "Thu tiền thi hành án"},
    {K_THU, 15, "Nộp tiền thi hành án"},
    {K_MIEN, 60, "Miễn, giảm thi hành án"},
    {K_MIEN, 30, "Giảm thi hành án"},
    {K_MIEN, 10, "Miễn thi hành án"},
    {K_XONG, 70, "Thi hành xong"},
    {K_XONG, 30, "Đã thi hành xong"},
    {K_DINH_CHI, 1, "Đình chỉ thi hành án"},
    {K_UY_THAC, 1, "Ủy thác thi hành án"},
    {K_THU_HOI, 70, "Thu hồi quyết định thi hành án"},
    {K_THU_HOI, 30, "Hủy quyết định thi hành án"},
    {K_CSR, 1, "Chuyển sổ theo dõi riêng"},
};
#define NPHRASE (sizeof PHRASES / sizeof PHRASES[0])
#define NVARIANT 10u

/* ghi_chu texts (index 0 = empty). */
enum { NOTE_NONE, NOTE_TRANH_CHAP, NOTE_GIAI_THICH, NOTE_PHAT_TU, NOTE_VANG_MAT, NOTE_KE_BIEN,
       NOTE_KHAU_TRU, NOTE_DAU_GIA, NOTE_TU_NGUYEN, NOTE_KHIEU_NAI, NOTE__N };
static const char *const NOTES[NOTE__N] = {
    "",
    "Đương sự tranh chấp tài sản",
    "Chờ tòa án giải thích bản án",
    "Người phải thi hành án đang chấp hành án phạt tù",
    "Người phải thi hành án không có mặt tại nơi cư trú",
    "Tài sản đã kê biên, chờ bán đấu giá",
    "Khấu trừ thu nhập",
    "Bán đấu giá tài sản đã kê biên",
    "Người phải thi hành án tự nguyện nộp",
    "Chờ kết quả giải quyết khiếu nại",
};
/* --messy appends one of these to some notes: the clean note stays a prefix. */
static const char *const NOTE_TAIL[] = {
    "\nĐã hướng dẫn đương sự khởi kiện tại Tòa án",
    ", theo \"Biên bản làm việc\" với đương sự",
    "\r\n(Công văn số 15/CV-THADS)",
    "; đã báo cáo \"Ban chỉ đạo THADS\"",
};

static const char *const XA_NAMES[] = {"Ia Grai", "Chư Păh", "Đak Đoa", "Hòa Bình", "Tân Lập",
                                       "An Phú",  "Ea Kar",  "Krông Pắc", "Phú Lộc", "Tân An",
                                       "Quang Trung", "Hòa Thuận"};
static const char *const PHUONG_NAMES[] = {"Pleiku", "Hội Phú", "Thống Nhất", "Diên Hồng",
                                           "Buôn Ma Thuột", "Tân Lợi", "Nha Trang", "Đà Lạt"};
static const char *const SO_NAMES[] = {"Sở Nông nghiệp và Môi trường", "Sở Xây dựng",
                                       "Sở Tài chính", "Sở Công Thương"};
static const char *const BO_NAMES[] = {"Bộ Tài chính", "Bộ Nông nghiệp và Môi trường",
                                       "Bộ Công Thương", "Bộ Quốc phòng"};
static const char *const HC_NOI_DUNG[] = {
    "Hủy quyết định thu hồi đất",
    "Bồi thường, hỗ trợ, tái định cư khi Nhà nước thu hồi đất",
    "Cấp giấy chứng nhận quyền sử dụng đất",
    "Hủy quyết định xử phạt vi phạm hành chính",
    "Giải quyết khiếu nại về đất đai",
    "Hủy quyết định cưỡng chế tháo dỡ công trình",
};
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------------------------------ */
/* Output files                                                                                */

#define OUT_CAP (1u << 20)

typedef struct {
    char *tmp, *fin;
    int fd;
    char *buf;
    size_t len;
    int err; /* errno of the first failure */
} sfile;

static void sf_write_all(sfile *f, const char *p, size_t n)
{
    while (n > 0 && f->err == 0) {
        ssize_t w = write(f->fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            f->err = errno;
            return;
        }
        p += w;
        n -= (size_t)w;
    }
}

static void sf_flush(sfile *f)
{
    if (f->len)
        sf_write_all(f, f->buf, f->len);
    f->len = 0;
}

static void sf_put(sfile *f, const char *s, size_t n)
{
    if (f->len + n > OUT_CAP) {
        sf_flush(f);
        if (n > OUT_CAP) {
            sf_write_all(f, s, n);
            return;
        }
    }
    memcpy(f->buf + f->len, s, n);
    f->len += n;
}

static char *path_join(const char *dir, const char *a, const char *b)
{
    size_t n = strlen(dir) + strlen(a) + strlen(b) + 2;
    char *p = thk_xmalloc(n);
    snprintf(p, n, "%s/%s%s", dir, a, b);
    return p;
}

static int sf_open(sfile *f, const char *dir, const char *name)
{
    memset(f, 0, sizeof *f);
    f->fd = -1;
    f->fin = path_join(dir, "", name);
    size_t n = strlen(name) + 6;
    char *tname = thk_xmalloc(n);
    snprintf(tname, n, ".%s.tmp", name);
    f->tmp = path_join(dir, "", tname);
    free(tname);
    f->buf = thk_xmalloc(OUT_CAP);
    f->fd = open(f->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (f->fd < 0)
        f->err = errno;
    return f->err;
}

/* Flushes, fsyncs and closes; returns 0 or the errno of the first failure. */
static int sf_finish(sfile *f)
{
    if (f->fd >= 0) {
        sf_flush(f);
        if (f->err == 0 && fsync(f->fd) != 0)
            f->err = errno;
        if (close(f->fd) != 0 && f->err == 0)
            f->err = errno;
        f->fd = -1;
    }
    return f->err;
}

static void sf_discard(sfile *f)
{
    if (f->fd >= 0) {
        close(f->fd);
        f->fd = -1;
    }
    if (f->tmp)
        unlink(f->tmp);
    free(f->tmp);
    free(f->fin);
    free(f->buf);
    memset(f, 0, sizeof *f);
    f->fd = -1;
}

static void sf_free(sfile *f)
{
    free(f->tmp);
    free(f->fin);
    free(f->buf);
    memset(f, 0, sizeof *f);
    f->fd = -1;
}

/* mkdir -p. Returns 0 or errno. */
static int make_dirs(const char *path)
{
    size_t n = strlen(path);
    char *p = thk_xmalloc(n + 1);
    memcpy(p, path, n + 1);
    int rc = 0;
    for (size_t i = 1; i <= n && rc == 0; i++) {
        if (p[i] != '/' && p[i] != '\0')
            continue;
        char c = p[i];
        p[i] = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST)
            rc = errno;
        p[i] = c;
    }
    struct stat st;
    if (rc == 0 && (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)))
        rc = errno ? errno : ENOTDIR;
    free(p);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Rows                                                                                        */

#define ROW_CAP 8192u
#define MAXF 16u

typedef struct {
    char buf[ROW_CAP];
    size_t len;
    size_t off[MAXF], flen[MAXF];
    unsigned nf;
} srow;

typedef struct {
    char delim;
    const char *eol;
    const unsigned *order; /* output column k shows field order[k] */
    unsigned ncols;
    bool messy;
} sfmt;

static inline void row_reset(srow *r)
{
    r->len = 0;
    r->nf = 0;
}

static inline void row_begin(srow *r)
{
    r->off[r->nf] = r->len;
}

static inline void row_mem(srow *r, const char *s, size_t n)
{
    if (r->len + n > ROW_CAP)
        n = ROW_CAP - r->len; /* cannot happen with our vocabulary; never overflows */
    memcpy(r->buf + r->len, s, n);
    r->len += n;
}

static inline void row_cat(srow *r, const char *s)
{
    row_mem(r, s, strlen(s));
}

static inline void row_end(srow *r)
{
    r->flen[r->nf] = r->len - r->off[r->nf];
    r->nf++;
}

static inline void row_str(srow *r, const char *s)
{
    row_begin(r);
    row_cat(r, s);
    row_end(r);
}

static size_t fmt_u64(char *out, uint64_t v)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

static size_t fmt_pad(char *out, uint64_t v, size_t width)
{
    char tmp[24];
    size_t n = fmt_u64(tmp, v);
    size_t k = 0;
    while (n + k < width)
        out[k++] = '0';
    memcpy(out + k, tmp, n);
    return n + k;
}

static inline void row_u64(srow *r, uint64_t v)
{
    char tmp[24];
    row_mem(r, tmp, fmt_u64(tmp, v));
}

static inline void row_pad(srow *r, uint64_t v, size_t width)
{
    char tmp[24];
    row_mem(r, tmp, fmt_pad(tmp, v, width));
}

/* Date variants: 0 dd/mm/yyyy, 1 d/m/yyyy, 2 dd-mm-yyyy, 3 yyyy-mm-dd. */
static void row_date(srow *r, thk_date t, int variant)
{
    int y, m, d;
    date_to_ymd(t, &y, &m, &d);
    char b[16];
    size_t n = 0;
    switch (variant) {
    case 1:
        n += fmt_u64(b + n, (uint64_t)d);
        b[n++] = '/';
        n += fmt_u64(b + n, (uint64_t)m);
        b[n++] = '/';
        n += fmt_u64(b + n, (uint64_t)y);
        break;
    case 3:
        n += fmt_pad(b + n, (uint64_t)y, 4);
        b[n++] = '-';
        n += fmt_pad(b + n, (uint64_t)m, 2);
        b[n++] = '-';
        n += fmt_pad(b + n, (uint64_t)d, 2);
        break;
    default: {
        char sep = variant == 2 ? '-' : '/';
        n += fmt_pad(b + n, (uint64_t)d, 2);
        b[n++] = sep;
        n += fmt_pad(b + n, (uint64_t)m, 2);
        b[n++] = sep;
        n += fmt_pad(b + n, (uint64_t)y, 4);
    }
    }
    row_mem(r, b, n);
}

/* Money variants: 0 plain, 1 "1.234.567", 2 "1,234,567", 3 "1.234.567 đ", 4 "1234567 VND",
 * 5 " 1234567đồng ". */
static void row_money(srow *r, int64_t v, int variant)
{
    char digits[24];
    size_t n = fmt_u64(digits, (uint64_t)v);
    if (variant == 0) {
        row_mem(r, digits, n);
        return;
    }
    if (variant == 4 || variant == 5) {
        if (variant == 5)
            row_cat(r, " ");
        row_mem(r, digits, n);
        row_cat(r, variant == 4 ? " VND" : "đồng ");
        return;
    }
    char sep = variant == 2 ? ',' : '.';
    char b[40];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            b[k++] = sep;
        b[k++] = digits[i];
    }
    row_mem(r, b, k);
    if (variant == 3)
        row_cat(r, " đ");
}

/* ------------------------------------------------------------------------------------------ */
/* Text variants (messy)                                                                       */

enum { TX_NFD, TX_UPPER, TX_LOWER };

/* Appends the NFD / upper / lower form of s to out (utf8proc, no allocation per call). */
static void text_variant(const char *s, int mode, thk_buf *out)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    utf8proc_ssize_t n = (utf8proc_ssize_t)strlen(s);
    if (mode == TX_NFD) {
        utf8proc_int32_t cps[1024];
        utf8proc_ssize_t k = utf8proc_decompose(p, n, cps, 1024, UTF8PROC_DECOMPOSE);
        if (k < 0 || k > 1024) {
            buf_append(out, s, (size_t)n);
            return;
        }
        for (utf8proc_ssize_t i = 0; i < k; i++) {
            utf8proc_uint8_t b[4];
            utf8proc_ssize_t w = utf8proc_encode_char(cps[i], b);
            buf_append(out, b, (size_t)w);
        }
        return;
    }
    utf8proc_ssize_t i = 0;
    while (i < n) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t w = utf8proc_iterate(p + i, n - i, &cp);
        if (w <= 0) {
            buf_append(out, p + i, (size_t)(n - i));
            return;
        }
        cp = mode == TX_UPPER ? utf8proc_toupper(cp) : utf8proc_tolower(cp);
        utf8proc_uint8_t b[4];
        utf8proc_ssize_t e = utf8proc_encode_char(cp, b);
        buf_append(out, b, (size_t)e);
        i += w;
    }
}

/* Appends s with every occurrence of `from` replaced by `to`. */
static void text_replace(const char *s, const char *from, const char *to, thk_buf *out)
{
    size_t fl = strlen(from), tl = strlen(to);
    const char *p = s;
    for (;;) {
        const char *q = strstr(p, from);
        if (!q) {
            buf_append(out, p, strlen(p));
            return;
        }
        buf_append(out, p, (size_t)(q - p));
        buf_append(out, to, tl);
        p = q + fl;
    }
}

/* Old tone placement (Ủy → Uỷ, ủy → uỷ, òa → oà) and "thi hành án" → "THA". */
static void text_old_tone(const char *s, thk_buf *out)
{
    thk_buf a = {0}, b = {0};
    text_replace(s, "Ủy", "Uỷ", &a);
    text_replace(a.data ? a.data : "", "ủy", "uỷ", &b);
    text_replace(b.data ? b.data : "", "òa", "oà", out);
    buf_free(&a);
    buf_free(&b);
}

static void text_tha(const char *s, thk_buf *out)
{
    text_replace(s, "thi hành án", "THA", out);
}

/* ------------------------------------------------------------------------------------------ */
/* The generator                                                                               */

#define MAXCHV 10u

typedef struct {
    char code[16];
    char name[160];
    unsigned prov;
    bool tinh;
    unsigned nchv;
    char chv[MAXCHV][64];
    bool named; /* messy: the first row of a unit always carries its name */
} sunit;

#define EV_MAX 64u

typedef struct {
    int64_t amount;
    thk_date d;
    uint16_t ord;
    uint8_t kind;
    uint8_t phrase;
    uint8_t note;
} sev;

typedef struct {
    unsigned unit;
    thk_date T, D;
    unsigned loai;
    unsigned cls;
    unsigned nhom;
    bool chu_dong;
    int64_t O;
    int64_t paid; /* collected + reduced so far, while drawing */
    sev ev[EV_MAX];
    unsigned nev;
} scase;

typedef struct {
    size_t off, len;
    uint64_t key;
    uint32_t idx;
} sblk;

typedef struct {
    const sample_opts *o;
    srng data, fmt, hc;
    sunit *units;
    unsigned nunits;
    uint64_t *ucum; /* cumulative unit weights */
    thk_date day0, horizon;
    uint32_t ndays;
    uint64_t *daycum; /* cumulative acceptance weight per day */
    uint32_t *seq_ma; /* per unit × year: ma_viec numbers */
    uint32_t *seq_qd; /* per unit × (year + 1): decision numbers */
    char *var[NPHRASE][NVARIANT];
    srow row;
    thk_buf line;
    thk_buf blk; /* messy: rendered event rows of the current block of cases */
    sblk *bidx;
    size_t bn, bcap;
    unsigned bcases;
    uint64_t nevents, nthahc;
    scase cur; /* the case being drawn */
    sfile fc, fe, fh, fp;
} sgen;

static const thk_date NO_DATE = THK_DATE_NONE;

/* Appends a Vietnamese full name drawn from r. */
static void name_person(srng *r, srow *row)
{
    bool nu = rng_bp(r, 4800);
    row_cat(row, HO[rng_pick(r, HO_W, NHO)]);
    row_cat(row, " ");
    const char *const *dem = nu ? DEM_NU : DEM_NAM;
    row_cat(row, dem[rng_below(r, NDEM)]);
    if (rng_bp(r, 2000)) {
        row_cat(row, " ");
        row_cat(row, dem[rng_below(r, NDEM)]);
    }
    row_cat(row, " ");
    row_cat(row, (nu ? TEN_NU : TEN_NAM)[rng_below(r, NTEN)]);
}

static void units_init(sgen *g)
{
    unsigned k = g->o->units;
    unsigned p = (k + 3) / 4;
    if (p > NPROV)
        p = NPROV;
    g->nunits = k;
    g->units = thk_xcalloc(k, sizeof *g->units);
    g->ucum = thk_xcalloc(k, sizeof *g->ucum);
    srng setup;
    rng_seed(&setup, g->o->seed, 1);
    unsigned u = 0;
    uint64_t cum = 0;
    for (unsigned pi = 0; pi < p; pi++) {
        unsigned cnt = k / p + (pi < k % p ? 1 : 0);
        const sprov *pv = &PROVINCES[pi];
        for (unsigned j = 0; j < cnt; j++, u++) {
            sunit *un = &g->units[u];
            un->prov = pi;
            un->tinh = j == 0;
            if (un->tinh) {
                snprintf(un->code, sizeof un->code, "%s-TINH", pv->code);
                snprintf(un->name, sizeof un->name, "Thi hành án dân sự %s %s",
                         pv->city ? "thành phố" : "tỉnh", pv->name);
            } else {
                snprintf(un->code, sizeof un->code, "%s-KV%02u", pv->code, j);
                snprintf(un->name, sizeof un->name,
                         "Phòng Thi hành án dân sự khu vực %u - %s", j, pv->name);
            }
            cum += un->tinh ? (uint64_t)rng_span(&setup, 35, 55) : (uint64_t)rng_span(&setup, 60, 160);
            g->ucum[u] = cum;
            un->nchv = un->tinh ? (unsigned)rng_span(&setup, 5, 8) : (unsigned)rng_span(&setup, 3, 7);
            for (unsigned c = 0; c < un->nchv; c++) {
                for (int attempt = 0; attempt < 50; attempt++) {
                    srow *tmp = &g->row;
                    row_reset(tmp);
                    name_person(&setup, tmp);
                    size_t n = tmp->len < 63 ? tmp->len : 63;
                    memcpy(un->chv[c], tmp->buf, n);
                    un->chv[c][n] = '\0';
                    bool dup = false;
                    for (unsigned d = 0; d < c; d++)
                        dup = dup || strcmp(un->chv[d], un->chv[c]) == 0;
                    if (!dup)
                        break;
                }
            }
        }
    }
}

static void days_init(sgen *g)
{
    g->day0 = date_from_ymd(FIRST_YEAR, 1, 1);
    g->horizon = date_from_ymd(2026, 9, 30);
    g->ndays = (uint32_t)(g->horizon - g->day0 + 1);
    g->daycum = thk_xcalloc(g->ndays, sizeof *g->daycum);
    uint64_t cum = 0;
    for (uint32_t i = 0; i < g->ndays; i++) {
        thk_date t = g->day0 + (thk_date)i;
        int y, m, d;
        date_to_ymd(t, &y, &m, &d);
        int w = date_weekday(t);
        if (w != 0 && w != 6)
            cum += YEAR_WEIGHT[g->o->backlog][y - FIRST_YEAR];
        g->daycum[i] = cum;
    }
}

static void variants_init(sgen *g)
{
    thk_buf a = {0}, b = {0}, c = {0};
    for (unsigned i = 0; i < NPHRASE; i++) {
        const char *s = PHRASES[i].text;
        for (unsigned v = 0; v < NVARIANT; v++) {
            buf_clear(&a);
            buf_clear(&b);
            buf_clear(&c);
            switch (v) {
            case 0:
                buf_append(&c, s, strlen(s));
                break;
            case 1:
                text_variant(s, TX_NFD, &c);
                break;
            case 2:
                text_fold_accents(s, strlen(s), &c);
                break;
            case 3:
                text_variant(s, TX_UPPER, &c);
                break;
            case 4:
                text_variant(s, TX_LOWER, &c);
                break;
            case 5:
                text_tha(s, &c);
                break;
            case 6:
                text_old_tone(s, &c);
                break;
            case 7: /* "uy thac tha" */
                text_tha(s, &a);
                text_fold_accents(a.data, a.len, &b);
                text_variant(b.data, TX_LOWER, &c);
                break;
            case 8: /* "UỶ THÁC THA" */
                text_old_tone(s, &a);
                text_tha(a.data, &b);
                text_variant(b.data, TX_UPPER, &c);
                break;
            default: /* NFD "Uỷ thác THA" */
                text_old_tone(s, &a);
                text_tha(a.data, &b);
                text_variant(b.data, TX_NFD, &c);
                break;
            }
            g->var[i][v] = thk_xstrdup(c.data ? c.data : "");
        }
    }
    buf_free(&a);
    buf_free(&b);
    buf_free(&c);
}

/* ---- one case: attributes ---------------------------------------------------------------- */

/* The first i in cum[0..n) (cumulative weights, n > 0) with cum[i] > x: the bucket of x. */
static size_t cum_bucket(const uint64_t *cum, size_t n, uint64_t x)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cum[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static unsigned pick_unit(sgen *g)
{
    uint64_t x = rng_below(&g->data, g->ucum[g->nunits - 1]);
    return (unsigned)cum_bucket(g->ucum, g->nunits, x);
}

static int64_t round_to(int64_t v, int64_t unit)
{
    int64_t r = (v + unit / 2) / unit * unit;
    return r < unit ? unit : r;
}

static int64_t draw_money(sgen *g, scase *c)
{
    srng *r = &g->data;
    int64_t v;
    switch (c->cls) {
    case MC_ZERO:
        return 0;
    case MC_SMALL: /* án phí, tiền phạt: 200.000 – 5.000.000 */
        v = rng_lognorm(r, 900000, 22);
        if (v < 200000)
            v = 200000 + (int64_t)rng_below(r, 300000);
        if (v > 5000000)
            v = 5000000 - (int64_t)rng_below(r, 1000000);
        return round_to(v, rng_bp(r, 4000) ? 50000 : 1000);
    case MC_NORMAL: {
        int64_t median = (c->nhom & NV_TIN_DUNG) || c->loai == LA_KDTM ? 150000000 : 40000000;
        if (c->nhom & NV_CAP_DUONG) {
            int64_t monthly = round_to(rng_span(r, 1500000, 5000000), 100000);
            return monthly * rng_span(r, 12, 180);
        }
        v = rng_lognorm(r, median, 45);
        if (v < 1000000)
            v = 1000000 + (int64_t)rng_below(r, 4000000);
        if (v > 19000000000LL)
            v = 19000000000LL - (int64_t)rng_below(r, 5000000000LL);
        break;
    }
    case MC_BIG:
        v = rng_lognorm(r, 1500000000LL, 22);
        if (v < 500000000)
            v = 500000000 + (int64_t)rng_below(r, 500000000);
        if (v > 200000000000LL)
            v = 200000000000LL - (int64_t)rng_below(r, 50000000000LL);
        break;
    default: /* ≥ 20 tỷ, log-uniform up to about 80 tỷ */
        v = exp64(r, log64(20000000000LL) + (int64_t)rng_below(r, 38));
        if (v < 20000000000LL)
            v = 20000000000LL;
        break;
    }
    /* the backlog profile's amounts are mostly not round thousands (interest, fees) */
    return rng_bp(r, g->o->backlog ? 2500 : 8500) ? round_to(v, 1000) : v;
}

static unsigned draw_nhom(srng *r, unsigned loai, unsigned cls)
{
    unsigned f = 0;
    bool big = cls >= MC_BIG;
    switch (loai) {
    case LA_DAN_SU:
        if (cls >= MC_NORMAL && rng_bp(r, 900))
            f |= NV_TIN_DUNG;
        else if (rng_bp(r, 1200))
            f |= NV_DAT_DAI;
        else if (rng_bp(r, 1000))
            f |= NV_BOI_THUONG;
        break;
    case LA_HINH_SU:
        if (rng_bp(r, big ? 6000 : 600)) {
            f |= NV_THAM_NHUNG;
            if (rng_bp(r, 1500))
                f |= NV_TIN_DUNG;
        } else if (rng_bp(r, 1500))
            f |= NV_BOI_THUONG;
        break;
    case LA_HNGD:
        if (cls == MC_NORMAL && rng_bp(r, 4500))
            f |= NV_CAP_DUONG;
        break;
    case LA_KDTM:
        if (rng_bp(r, 4500))
            f |= NV_TIN_DUNG;
        break;
    case LA_LAO_DONG:
        if (rng_bp(r, 3000))
            f |= NV_TIEN_LUONG;
        break;
    case LA_PHA_SAN:
        if (rng_bp(r, 3000))
            f |= NV_TIN_DUNG;
        break;
    default:
        break;
    }
    return f;
}

/* ---- one case: lifecycle ----------------------------------------------------------------- */

static void ev_add(sgen *g, scase *c, thk_date d, unsigned kind, int64_t amount, unsigned note)
{
    if (c->nev >= EV_MAX)
        return;
    /* phrase: weighted among the phrasings of this kind */
    unsigned first = 0, n = 0;
    uint16_t w[4];
    for (unsigned i = 0; i < NPHRASE; i++) {
        if (PHRASES[i].kind != kind)
            continue;
        if (n == 0)
            first = i;
        w[n++] = PHRASES[i].weight;
    }
    unsigned ph = first + (n > 1 ? rng_pick(&g->data, w, n) : 0);
    sev *e = &c->ev[c->nev];
    e->d = workday(d);
    e->kind = (uint8_t)kind;
    e->phrase = (uint8_t)ph;
    e->amount = amount;
    e->note = (uint8_t)note;
    e->ord = (uint16_t)c->nev;
    c->nev++;
    if (kind == K_THU || kind == K_MIEN)
        c->paid += amount;
}

/* n payments summing to `total` (> 0), dated uniformly in [from, to]. */
static void pay_split(sgen *g, scase *c, int64_t total, unsigned n, thk_date from, thk_date to,
                      unsigned note)
{
    srng *r = &g->data;
    if (total <= 0)
        return;
    int64_t unit = total % 1000 == 0 ? 1000 : 1;
    if (total < (int64_t)n * unit * 2)
        n = 1;
    int64_t rem = total;
    for (unsigned i = 0; i < n; i++) {
        int64_t part;
        if (i + 1 == n) {
            part = rem;
        } else {
            part = rem / (int64_t)(n - i) * rng_span(r, 40, 160) / 100;
            part = part / unit * unit;
            if (part < unit)
                part = unit;
            if (rem - part < (int64_t)(n - i - 1) * unit)
                part = rem - (int64_t)(n - i - 1) * unit;
        }
        rem -= part;
        thk_date d = rng_span(r, from, to);
        unsigned nt = note ? note : (rng_bp(r, 600) ? (rng_bp(r, 5000) ? NOTE_KHAU_TRU : NOTE_TU_NGUYEN) : NOTE_NONE);
        ev_add(g, c, d, K_THU, part, nt);
    }
}

/* Days to finish after verification, by money class. */
static const int32_t FINISH_MEDIAN[MC__N] = {10, 10, 20, 120, 360};
/* Basis points of có điều kiện cases that never finish, by class ([1]: a province's backlog,
 * where most of the stock stays open). */
static const uint16_t STUCK_BP[2][MC__N] = {{30, 30, 100, 900, 2500},
                                            {5500, 5500, 6500, 7500, 8500}};
/* Basis points of finishers that end in đình chỉ, by class. */
static const uint16_t DINH_CHI_BP[MC__N] = {300, 300, 600, 1200, 1500};
/* Basis points of cases found có điều kiện at the first verification, by class ([1]: backlog,
 * far fewer debtors with means). */
static const uint16_t CO_DK_BP[2][MC__N] = {{9000, 8200, 7200, 6000, 5000},
                                            {6000, 5500, 5000, 4500, 4000}};

static int32_t draw_days(srng *r, int32_t median, int32_t lo, int32_t hi)
{
    int64_t v = rng_lognorm(r, median, 20);
    if (v < lo)
        v = lo;
    if (v > hi)
        v = hi;
    return (int32_t)v;
}

/* Phase có điều kiện, starting at t. */
static void life_active(sgen *g, scase *c, thk_date t)
{
    srng *r = &g->data;
    unsigned cls = c->cls;
    bool cap_duong = (c->nhom & NV_CAP_DUONG) != 0;
    int32_t dur = draw_days(r, cap_duong ? 900 : FINISH_MEDIAN[cls], 3, 4000);
    bool stuck = rng_bp(r, cap_duong ? 5000 : STUCK_BP[g->o->backlog][cls]);
    thk_date pay_until = NO_DATE; /* payments stop at an unresumed suspension */

    /* suspensions */
    unsigned u = (unsigned)rng_below(r, 10000);
    unsigned tdc_bp = c->loai == LA_PHA_SAN ? 3000 : 200;
    unsigned susp = K__N, resume_bp = 0;
    if (c->chu_dong && u < 200) {
        susp = K_HOAN_C;
        resume_bp = 6000;
    } else if (u >= 200 && u < 500) {
        susp = K_HOAN;
        resume_bp = 8500;
    } else if (u >= 500 && u < 500 + tdc_bp) {
        susp = K_TDC;
        resume_bp = 7000;
    } else if (u >= 9920) {
        susp = K_KHAC;
        resume_bp = 6500;
    }
    if (susp != K__N) {
        thk_date s0 = t + rng_span(r, 5, dur > 10 ? dur : 10);
        unsigned note = NOTE_NONE;
        if (susp == K_KHAC || rng_bp(r, 3000)) {
            static const uint8_t SUSP_NOTES[] = {NOTE_TRANH_CHAP, NOTE_GIAI_THICH, NOTE_PHAT_TU,
                                                 NOTE_VANG_MAT, NOTE_KHIEU_NAI};
            note = SUSP_NOTES[rng_below(r, NELEM(SUSP_NOTES))];
        }
        ev_add(g, c, s0, susp, 0, note);
        if (rng_bp(r, resume_bp)) {
            thk_date s1 = s0 + rng_span(r, 30, 400);
            ev_add(g, c, s1, K_TIEP, 0, NOTE_NONE);
            dur += s1 - s0;
        } else {
            stuck = true;
            pay_until = s0;
        }
    }

    int64_t owed = c->O - c->paid;
    /* exemption / reduction of a state-budget obligation */
    if (c->chu_dong && owed > 0 && rng_bp(r, 400)) {
        int64_t giam = owed * rng_span(r, 20, 100) / 100;
        giam = owed % 1000 == 0 ? giam / 1000 * 1000 : giam;
        if (giam <= 0)
            giam = owed;
        ev_add(g, c, t + rng_span(r, 1, dur), K_MIEN, giam, NOTE_NONE);
        owed -= giam;
    }

    if (!stuck) {
        thk_date end = t + dur;
        bool dc = rng_bp(r, DINH_CHI_BP[cls]);
        if (owed > 0) {
            unsigned n;
            if (cap_duong)
                n = (unsigned)rng_span(r, 4, 14);
            else if (cls <= MC_SMALL)
                n = rng_bp(r, 8500) ? 1 : 2;
            else if (cls == MC_NORMAL)
                n = (unsigned)rng_span(r, 1, 3);
            else if (cls == MC_BIG)
                n = (unsigned)rng_span(r, 2, 6);
            else
                n = (unsigned)rng_span(r, 3, 10);
            int64_t pay = dc ? owed * rng_span(r, 0, 60) / 100 : owed;
            if (pay > 0)
                pay_split(g, c, pay, n, t + 1, end, cls >= MC_BIG && rng_bp(r, 3000) ? NOTE_DAU_GIA : 0);
        }
        ev_add(g, c, end, dc ? K_DINH_CHI : K_XONG, 0, NOTE_NONE);
        return;
    }
    /* open for good: partial payments over the years, sometimes found without means later */
    if (owed > 1000) {
        unsigned n = cap_duong ? (unsigned)rng_span(r, 3, 12) : (unsigned)rng_span(r, 0, 4);
        int64_t pay = owed * rng_span(r, 5, cap_duong ? 60 : 45) / 100;
        thk_date until = pay_until != NO_DATE ? pay_until : t + rng_span(r, 60, 2200);
        if (n > 0 && pay > 0 && until > t + 1)
            pay_split(g, c, pay, n, t + 1, until, NOTE_NONE);
    }
    if (pay_until == NO_DATE && rng_bp(r, 6000))
        ev_add(g, c, t + rng_span(r, 200, 1200), K_XM_CHUA, 0, NOTE_NONE);
}

static void life(sgen *g, scase *c)
{
    srng *r = &g->data;
    thk_date t = c->T;
    if (rng_bp(r, 120)) { /* decision withdrawn or cancelled */
        ev_add(g, c, t + rng_span(r, 5, 150), K_THU_HOI, 0, NOTE_NONE);
        return;
    }
    if (rng_bp(r, 350)) { /* delegated to another body */
        thk_date u = t + rng_span(r, 5, 40);
        if (rng_bp(r, 5000)) {
            ev_add(g, c, u, K_XM_CO, 0, NOTE_NONE);
            u += rng_span(r, 10, 90);
            if (c->O > 1000 && rng_bp(r, 3500)) {
                int64_t part = c->O * rng_span(r, 10, 50) / 100;
                if (c->O % 1000 == 0)
                    part = part / 1000 * 1000;
                if (part > 0)
                    ev_add(g, c, u, K_THU, part, NOTE_NONE);
                u += rng_span(r, 5, 60);
            }
        }
        ev_add(g, c, u + rng_span(r, 0, 120), K_UY_THAC, 0, NOTE_NONE);
        return;
    }
    /* voluntary execution: the debtor pays within the voluntary period, no verification */
    static const uint16_t VOLUNTARY_BP[2][MC__N] = {{3500, 5500, 3000, 300, 0},
                                                    {1200, 2000, 1000, 100, 0}};
    if (rng_bp(r, VOLUNTARY_BP[g->o->backlog][c->cls])) {
        thk_date end = t + draw_days(r, 15, 2, 90);
        if (c->O > 0)
            pay_split(g, c, c->O, rng_bp(r, 8500) ? 1 : 2, t + 1, end, NOTE_TU_NGUYEN);
        ev_add(g, c, end + (rng_bp(r, 6000) ? 0 : rng_span(r, 1, 10)), K_XONG, 0, NOTE_NONE);
        return;
    }
    t += draw_days(r, 8, 2, 120);
    if (rng_bp(r, CO_DK_BP[g->o->backlog][c->cls])) {
        ev_add(g, c, t, K_XM_CO, 0, NOTE_NONE);
        life_active(g, c, t);
        return;
    }
    if (rng_bp(r, 1500))
        ev_add(g, c, t, K_QD_CHUA, 0, NOTE_NONE);
    else {
        ev_add(g, c, t, K_XM_CHUA, 0, NOTE_NONE);
        if (rng_bp(r, 3000))
            ev_add(g, c, t + rng_span(r, 3, 20), K_QD_CHUA, 0, NOTE_NONE);
    }
    /* re-verification every 5–14 months */
    for (;;) {
        t += rng_span(r, 150, 420);
        if (t > g->horizon)
            return;
        unsigned u = (unsigned)rng_below(r, 10000);
        if (u < 3000) {
            ev_add(g, c, t, K_XM_CO, 0, NOTE_NONE);
            life_active(g, c, t);
            return;
        }
        if (u < 3500) {
            ev_add(g, c, t, K_DINH_CHI, 0, NOTE_NONE);
            return;
        }
        if (t - c->T > 730 && u < 5000) {
            ev_add(g, c, t, K_CSR, 0, NOTE_NONE);
            return;
        }
        if (rng_bp(r, 5500))
            ev_add(g, c, t, K_XM_CHUA, 0, NOTE_NONE);
    }
}

static int ev_cmp(const sev *a, const sev *b)
{
    if (a->d != b->d)
        return a->d < b->d ? -1 : 1;
    if (KIND_PRIO[a->kind] != KIND_PRIO[b->kind])
        return KIND_PRIO[a->kind] < KIND_PRIO[b->kind] ? -1 : 1;
    return a->ord < b->ord ? -1 : a->ord > b->ord;
}

/* Sorts the drawn events, keeps the terminal last and drops what lies beyond the horizon. */
static void life_finish(sgen *g, scase *c)
{
    /* the terminal event is dated no earlier than any other event */
    thk_date maxd = NO_DATE;
    for (unsigned i = 0; i < c->nev; i++)
        if (KIND_PRIO[c->ev[i].kind] != 9 && c->ev[i].d > maxd)
            maxd = c->ev[i].d;
    for (unsigned i = 0; i < c->nev; i++)
        if (KIND_PRIO[c->ev[i].kind] == 9 && c->ev[i].d < maxd)
            c->ev[i].d = maxd;
    /* insertion sort: a handful of events */
    for (unsigned i = 1; i < c->nev; i++) {
        sev x = c->ev[i];
        unsigned j = i;
        while (j > 0 && ev_cmp(&c->ev[j - 1], &x) > 0) {
            c->ev[j] = c->ev[j - 1];
            j--;
        }
        c->ev[j] = x;
    }
    unsigned n = 0;
    while (n < c->nev && c->ev[n].d <= g->horizon)
        n++;
    c->nev = n;
}

/* ---- rendering ----------------------------------------------------------------------------- */

/* Renders the row into g->line (cleared first) with the format's delimiter, quoting and eol. */
static void render(sgen *g, const sfmt *fm, const srow *r)
{
    thk_buf *out = &g->line;
    out->len = 0;
    for (unsigned k = 0; k < fm->ncols; k++) {
        unsigned fi = fm->order ? fm->order[k] : k;
        const char *s = r->buf + r->off[fi];
        size_t n = r->flen[fi];
        if (k > 0)
            buf_putc(out, fm->delim);
        /* unneeded quotes now and then (drawn only for a field that needs none, so the
         * random stream, and so every sample, stays what it was); blanks around a field stay
         * unquoted, for the reader to trim */
        bool force = !csv_needs_quote(s, n, fm->delim, 0) && fm->messy && rng_bp(&g->fmt, 400);
        csv_quote(out, s, n, fm->delim, force ? CSV_QUOTE_FORCE : 0);
    }
    buf_append(out, fm->eol, strlen(fm->eol));
}

static void put_line(sfile *f, const thk_buf *b)
{
    sf_put(f, b->data, b->len);
}

static int messy_date_variant(sgen *g)
{
    static const uint16_t W[4] = {55, 15, 15, 15};
    return (int)rng_pick(&g->fmt, W, 4);
}

static int messy_money_variant(sgen *g)
{
    static const uint16_t W[6] = {40, 15, 15, 10, 10, 10};
    return (int)rng_pick(&g->fmt, W, 6);
}

/* Appends s, in NFD with probability bp (messy only). */
static void row_text_maybe_nfd(sgen *g, srow *r, const char *s, size_t n, unsigned bp)
{
    if (g->o->messy && rng_bp(&g->fmt, bp)) {
        char tmp[512];
        size_t k = n < sizeof tmp - 1 ? n : sizeof tmp - 1;
        memcpy(tmp, s, k);
        tmp[k] = '\0';
        thk_buf b = {0};
        text_variant(tmp, TX_NFD, &b);
        row_mem(r, b.data, b.len);
        buf_free(&b);
    } else {
        row_mem(r, s, n);
    }
}

static void render_nhom(srow *r, unsigned f)
{
    static const struct {
        unsigned flag;
        const char *text;
    } T[] = {{NV_THAM_NHUNG, "Tham nhũng, kinh tế"}, {NV_TIN_DUNG, "Tín dụng, ngân hàng"},
             {NV_CAP_DUONG, "Cấp dưỡng"},          {NV_BOI_THUONG, "Bồi thường thiệt hại"},
             {NV_DAT_DAI, "Tranh chấp đất đai"},    {NV_TIEN_LUONG, "Tiền lương"}};
    bool first = true;
    for (size_t i = 0; i < NELEM(T); i++) {
        if (!(f & T[i].flag))
            continue;
        if (!first)
            row_cat(r, "; ");
        row_cat(r, T[i].text);
        first = false;
    }
}

/* Debtor text: a person (HNGĐ, hình sự, most dân sự) or a company; data stream for the name,
 * format stream for the messy extras (quotes, a second line). */
static void render_debtor(sgen *g, srow *r, const scase *c)
{
    srng *d = &g->data;
    unsigned company_bp = c->loai == LA_KDTM || c->loai == LA_PHA_SAN || c->loai == LA_TRONG_TAI
                              ? 8500
                          : (c->nhom & NV_TIN_DUNG) ? 4500
                          : c->loai == LA_DAN_SU    ? 1500
                          : c->loai == LA_LAO_DONG  ? 6000
                                                    : 300;
    size_t start = r->len;
    if (rng_bp(d, company_bp)) {
        row_cat(r, CO_PREFIX[rng_pick(d, CO_PREFIX_W, NELEM(CO_PREFIX))]);
        row_cat(r, " ");
        row_cat(r, CO_FIELD[rng_below(d, NCO_FIELD)]);
        bool two = rng_bp(d, 1500);
        const char *f2 = CO_FIELD[rng_below(d, NCO_FIELD)];
        if (two) {
            row_cat(r, ", ");
            row_cat(r, f2);
        }
        const char *brand = CO_BRAND[rng_below(d, NCO_BRAND)];
        bool quoted = g->o->messy && rng_bp(&g->fmt, 1000);
        row_cat(r, quoted ? " \"" : " ");
        row_cat(r, brand);
        if (quoted)
            row_cat(r, "\"");
    } else {
        name_person(d, r);
    }
    if (g->o->messy) {
        if (rng_bp(&g->fmt, 1500)) { /* rewrite the name in NFD */
            char tmp[512];
            size_t n = r->len - start;
            if (n < sizeof tmp) {
                memcpy(tmp, r->buf + start, n);
                tmp[n] = '\0';
                r->len = start;
                row_text_maybe_nfd(g, r, tmp, n, 10000);
            }
        }
        if (rng_bp(&g->fmt, 150))
            row_cat(r, "\n(đại diện theo ủy quyền: ông Nguyễn Văn Bình)");
    }
}

static void render_note(sgen *g, srow *r, unsigned note)
{
    row_cat(r, NOTES[note]);
    if (g->o->messy && note != NOTE_NONE && rng_bp(&g->fmt, 2500))
        row_cat(r, NOTE_TAIL[rng_below(&g->fmt, NELEM(NOTE_TAIL))]);
}

static const unsigned CASE_ORDER_MESSY[] = {12, 0, 5, 1, 2, 4, 6, 3, 8, 7, 9, 11, 10};
/* the clean headers are the schema's names, in its order (schema.h) */
#define SAMPLE_X_NAME(id, name, type, req) name,
static const char *const CASE_HDR[] = {SCHEMA_CASES(SAMPLE_X_NAME)};
static const char *const CASE_HDR_MESSY[] = {
    "Mã việc", "Mã Đơn Vị", "Tên đơn vị", "Chấp hành viên", "Số quyết định", "NGAY_THU_LY",
    "Ngày quyết định", "Hình thức", "Loại án", "nhom viec", "Số tiền phải thi hành",
    "Người phải thi hành", "STT"};
static const unsigned EV_ORDER_MESSY[] = {1, 0, 2, 3, 4};
static const char *const EV_HDR[] = {SCHEMA_EVENTS(SAMPLE_X_NAME)};
static const char *const EV_HDR_MESSY[] = {"MA_VIEC", "NGAY", "Sự kiện", "Số tiền", "Ghi chú"};
static const unsigned HC_ORDER_MESSY[] = {0, 1, 2, 8, 3, 4, 5, 7, 6, 9, 10, 11, 12};
static const char *const HC_HDR[] = {SCHEMA_THAHC(SAMPLE_X_NAME)};
static const char *const HC_HDR_MESSY[] = {
    "Mã bản án", "MA_DON_VI", "Tên Đơn Vị", "so ban an", "Toà án", "Người phải thi hành",
    "Nội dung", "Cấp phải thi hành", "Ngày thụ lý", "Ngày QĐ buộc", "Ngày xong",
    "Ngày hủy-hoãn-TĐC", "Ngày kiến nghị"};

static sfmt fmt_cases(const sample_opts *o)
{
    sfmt f = {',', "\n", NULL, 12, false};
    if (o->messy) {
        f.delim = ';';
        f.eol = "\r\n";
        f.order = CASE_ORDER_MESSY;
        f.ncols = 13;
        f.messy = true;
    }
    return f;
}

static sfmt fmt_events(const sample_opts *o)
{
    sfmt f = {',', "\n", NULL, 5, false};
    if (o->messy) {
        f.order = EV_ORDER_MESSY;
        f.messy = true;
    }
    return f;
}

static sfmt fmt_thahc(const sample_opts *o)
{
    sfmt f = {',', "\n", NULL, 13, false};
    if (o->messy) {
        f.delim = '\t';
        f.eol = "\r\n";
        f.order = HC_ORDER_MESSY;
        f.messy = true;
    }
    return f;
}

static void write_header(sgen *g, sfile *f, const sfmt *fm, const char *const *hdr, unsigned n)
{
    srow *r = &g->row;
    row_reset(r);
    for (unsigned i = 0; i < n; i++)
        row_str(r, hdr[i]);
    if (g->o->messy)
        sf_put(f, "\xEF\xBB\xBF", fm->delim == ',' ? 0 : 3); /* BOM on the ';' and tab files */
    render(g, fm, r);
    put_line(f, &g->line);
}

static void maybe_blank(sgen *g, sfile *f, const sfmt *fm, unsigned bp)
{
    if (fm->messy && rng_bp(&g->fmt, bp))
        sf_put(f, fm->eol, strlen(fm->eol));
}

/* ---- messy event blocks -------------------------------------------------------------------- */

static int blk_cmp(const void *pa, const void *pb)
{
    const sblk *a = pa, *b = pb;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static void blk_flush(sgen *g)
{
    if (g->bn == 0)
        return;
    qsort(g->bidx, g->bn, sizeof *g->bidx, blk_cmp);
    for (size_t i = 0; i < g->bn; i++) {
        sf_put(&g->fe, g->blk.data + g->bidx[i].off, g->bidx[i].len);
        if (rng_bp(&g->fmt, 50))
            sf_put(&g->fe, "\n", 1);
    }
    g->bn = 0;
    g->blk.len = 0;
    g->bcases = 0;
}

static void blk_add(sgen *g, uint64_t key)
{
    if (g->bn == g->bcap) {
        g->bcap = g->bcap ? g->bcap * 2 : 1024;
        g->bidx = thk_xrealloc(g->bidx, g->bcap * sizeof *g->bidx);
    }
    sblk *b = &g->bidx[g->bn];
    b->off = g->blk.len;
    b->len = g->line.len;
    b->key = key;
    b->idx = (uint32_t)g->bn;
    g->bn++;
    buf_append(&g->blk, g->line.data, g->line.len);
}

/* ---- one case, end to end ------------------------------------------------------------------ */

/* ---- --plant-anomalies ----------------------------------------------------------------------
 * Patterns the shipped screens (rules/tham-tra.rules) must find, for the 12-month report of
 * 2026 (E = the horizon, 30/09/2026). Planting draws nothing from the data stream: a case's
 * choice is a hash of the seed and its number, so the same seed without planting gives the same
 * cases and events except the planted ones.
 *  - unit 1 of the list: about 85 % of its open cases not found without means (verified with
 *    means, or not verified) get
 *    "chưa có điều kiện" 1–20 days before E (chuyen_chua_co_dk_sat_ky, and the unit's share of
 *    chưa có điều kiện jumps: bien_dong_chua_co_dk);
 *  - unit 2: about half of its open cases not found without means whose events all precede
 *    01/03/2025 get one "chưa có điều kiện" dated 03/03/2025 and nothing after
 *    (xac_minh_lai_qua_han);
 *  - unit 3, its first Chấp hành viên: about 70 % of his open cases accepted before 01/06/2025
 *    with an event after 30/04/2026 lose every event after 31/12/2025 (viec_khong_bien_dong).
 * So no planted case is flagged by its screen without planting. */
enum { PLANT_SAT_KY = 1, PLANT_XM_LAI = 2, PLANT_STALE = 4 };

static uint64_t plant_hash(uint64_t seed, uint64_t i)
{
    uint64_t x = seed * 0x9E3779B97F4A7C15ULL + i + 0x632BE59BD9B4E019ULL;
    return splitmix64(&x);
}

/* Over c->ev[0..n): whether a terminal event, the kind of the last verification (K__N: none),
 * whether a suspension is in force at the end, and the last event's date. */
static void plant_scan(const scase *c, unsigned n, bool *terminal, unsigned *cond, bool *susp,
                       thk_date *last)
{
    *terminal = *susp = false;
    *cond = K__N;
    *last = NO_DATE;
    for (unsigned k = 0; k < n; k++) {
        unsigned kind = c->ev[k].kind;
        if (KIND_PRIO[kind] == 9)
            *terminal = true;
        if (kind == K_XM_CO || kind == K_XM_CHUA || kind == K_QD_CHUA)
            *cond = kind;
        if (kind == K_HOAN_C || kind == K_HOAN || kind == K_TDC || kind == K_KHAC)
            *susp = true;
        if (kind == K_TIEP)
            *susp = false;
        *last = c->ev[k].d;
    }
}

static void plant_event(scase *c, thk_date d, unsigned kind)
{
    if (c->nev >= EV_MAX)
        return;
    unsigned ph = 0;
    while (ph < NPHRASE && PHRASES[ph].kind != kind)
        ph++;
    sev *e = &c->ev[c->nev];
    memset(e, 0, sizeof *e);
    e->d = d;
    e->kind = (uint8_t)kind;
    e->phrase = (uint8_t)ph;
    e->ord = (uint16_t)c->nev;
    c->nev++;
}

/* Plants into case i (already drawn and finished) what its unit and officer call for; returns
 * the PLANT_* planted. */
static unsigned plant_case(sgen *g, scase *c, uint64_t i, unsigned chv)
{
    uint64_t h = plant_hash(g->o->seed, i);
    bool terminal, susp;
    unsigned cond;
    thk_date last;
    plant_scan(c, c->nev, &terminal, &cond, &susp, &last);
    if (terminal || susp)
        return 0;
    if (c->unit == 0 && (cond == K_XM_CO || cond == K__N) && h % 100 < 85) {
        thk_date d = workday(g->horizon - 1 - (thk_date)((h >> 8) % 20));
        if (last == NO_DATE || d > last) {
            plant_event(c, d, K_XM_CHUA);
            return PLANT_SAT_KY;
        }
        return 0;
    }
    thk_date mar = date_from_ymd(2025, 3, 1);
    if (c->unit == 1 && c->T < date_from_ymd(2025, 1, 1) && (last == NO_DATE || last < mar) &&
        cond != K_XM_CHUA && cond != K_QD_CHUA && h % 100 < 50) {
        plant_event(c, date_from_ymd(2025, 3, 3), K_XM_CHUA);
        return PLANT_XM_LAI;
    }
    if (c->unit == 2 && chv == 0 && c->T < date_from_ymd(2025, 6, 1) && h % 100 < 70 &&
        last != NO_DATE && last > date_from_ymd(2026, 4, 30)) {
        thk_date cut = date_from_ymd(2025, 12, 31);
        unsigned n = 0;
        while (n < c->nev && c->ev[n].d <= cut)
            n++;
        plant_scan(c, n, &terminal, &cond, &susp, &last);
        if (cond != K_XM_CO || susp)
            return 0;
        c->nev = n; /* the dropped events include the last one, dated after 30/04/2026 */
        return PLANT_STALE;
    }
    return 0;
}

static void gen_case(sgen *g, uint64_t i, uint64_t W)
{
    srng *r = &g->data;
    scase *c = &g->cur;
    memset(c, 0, offsetof(scase, ev));
    c->nev = 0;

    /* acceptance date: stratified over the day weights, so dates grow with i */
    uint64_t p = (i * W + rng_below(r, W)) / (g->o->cases);
    c->T = g->day0 + (thk_date)cum_bucket(g->daycum, g->ndays, p);
    int ty, tm, td;
    date_to_ymd(c->T, &ty, &tm, &td);
    /* decision date: the same day or a few days earlier; 29/02 on some early-March cases */
    c->D = c->T - (rng_bp(r, 4000) ? 0 : rng_span(r, 1, 7));
    if ((ty == 2020 || ty == 2024) && tm == 3 && td <= 8 && rng_bp(r, 6000))
        c->D = date_from_ymd(ty, 2, 29);
    else if (date_weekday(c->D) == 6 && c->D != c->T)
        c->D -= 1;
    else if (date_weekday(c->D) == 0 && c->D != c->T)
        c->D -= 2;

    c->unit = pick_unit(g);
    c->loai = rng_pick(r, LOAI_AN_W, LA__N);
    c->chu_dong = rng_below(r, 1000) < CHU_DONG_PM[c->loai];
    c->cls = rng_pick(r, MONEY_CLASS_W[c->loai], MC__N);
    if (c->loai == LA_HINH_SU && c->cls >= MC_BIG)
        c->chu_dong = true;
    c->nhom = draw_nhom(r, c->loai, c->cls);
    c->O = draw_money(g, c);
    sunit *un = &g->units[c->unit];
    unsigned chv = (unsigned)rng_below(r, un->nchv);

    life(g, c);
    life_finish(g, c);
    unsigned planted = g->o->plant ? plant_case(g, c, i, chv) : 0;

    /* ---- cases.csv row ---- */
    bool messy = g->o->messy;
    srow *row = &g->row;
    row_reset(row);
    unsigned yi = (unsigned)(ty - FIRST_YEAR);
    uint32_t seq = ++g->seq_ma[c->unit * NYEARS + yi];
    int dy, dm, dd;
    date_to_ymd(c->D, &dy, &dm, &dd);
    unsigned qi = (unsigned)(dy - FIRST_YEAR + 1);
    uint32_t qd = ++g->seq_qd[c->unit * (NYEARS + 1) + qi];
    /* 0 ma_viec */
    row_begin(row);
    row_cat(row, un->code);
    row_cat(row, "-");
    row_u64(row, (uint64_t)ty);
    row_cat(row, "-");
    row_pad(row, seq, 6);
    row_end(row);
    size_t ma_off = row->off[0], ma_len = row->flen[0];
    /* 1 ma_don_vi, 2 ten_don_vi */
    row_str(row, un->code);
    row_begin(row);
    if (!messy || !un->named || !rng_bp(&g->fmt, 500))
        row_text_maybe_nfd(g, row, un->name, strlen(un->name), 1000);
    un->named = true;
    row_end(row);
    /* 3 chap_hanh_vien */
    row_begin(row);
    row_text_maybe_nfd(g, row, un->chv[chv], strlen(un->chv[chv]), 1500);
    row_end(row);
    /* 4 so_quyet_dinh */
    row_begin(row);
    row_u64(row, qd);
    row_cat(row, un->tinh ? "/QĐ-CTHADS" : "/QĐ-CCTHADS");
    row_end(row);
    /* 5 ngay_thu_ly, 6 ngay_quyet_dinh */
    row_begin(row);
    row_date(row, c->T, messy ? messy_date_variant(g) : 0);
    row_end(row);
    row_begin(row);
    row_date(row, c->D, messy ? messy_date_variant(g) : 0);
    row_end(row);
    /* 7 hinh_thuc, 8 loai_an */
    row_begin(row);
    const char *ht = c->chu_dong ? "Chủ động" : "Theo yêu cầu";
    row_text_maybe_nfd(g, row, ht, strlen(ht), 500);
    row_end(row);
    row_begin(row);
    row_text_maybe_nfd(g, row, LOAI_AN[c->loai], strlen(LOAI_AN[c->loai]), 500);
    row_end(row);
    /* 9 nhom_viec */
    row_begin(row);
    render_nhom(row, c->nhom);
    row_end(row);
    /* 10 so_tien_phai_thi_hanh */
    row_begin(row);
    row_money(row, c->O, messy ? messy_money_variant(g) : 0);
    row_end(row);
    /* 11 nguoi_phai_thi_hanh */
    row_begin(row);
    render_debtor(g, row, c);
    row_end(row);
    /* 12 STT (messy only) */
    row_begin(row);
    row_u64(row, i + 1);
    row_end(row);

    sfmt fc = fmt_cases(g->o);
    render(g, &fc, row);
    put_line(&g->fc, &g->line);
    maybe_blank(g, &g->fc, &fc, 30);

    /* ---- events.csv rows ---- */
    char ma[64];
    size_t ml = ma_len < sizeof ma ? ma_len : sizeof ma - 1;
    memcpy(ma, row->buf + ma_off, ml);
    ma[ml] = '\0';
    static const char *const PLANT_SCREEN[3] = {"chuyen_chua_co_dk_sat_ky",
                                                "xac_minh_lai_qua_han", "viec_khong_bien_dong"};
    for (unsigned k = 0; k < 3; k++)
        if (planted & (1u << k)) {
            sf_put(&g->fp, PLANT_SCREEN[k], strlen(PLANT_SCREEN[k]));
            sf_put(&g->fp, ",", 1);
            sf_put(&g->fp, ma, strlen(ma));
            sf_put(&g->fp, ",", 1);
            sf_put(&g->fp, g->units[c->unit].code, strlen(g->units[c->unit].code));
            sf_put(&g->fp, "\n", 1);
        }

    /* messy: one deliberate overpayment on some fully paid cases (capped with a warning) */
    int over_at = -1;
    if (messy && c->nev > 0 && c->ev[c->nev - 1].kind == K_XONG && c->O > 0 && c->paid == c->O) {
        bool pick = rng_bp(&g->fmt, 50);
        for (unsigned k = c->nev; k-- > 0;) {
            if (c->ev[k].kind == K_MIEN)
                break;
            if (c->ev[k].kind == K_THU) {
                if (pick)
                    over_at = (int)k;
                break;
            }
        }
    }

    sfmt fe = fmt_events(g->o);
    uint64_t key = 0;
    for (unsigned k = 0; k < c->nev; k++) {
        const sev *e = &c->ev[k];
        row_reset(row);
        row_str(row, ma);
        row_begin(row);
        row_date(row, e->d, messy ? messy_date_variant(g) : 0);
        row_end(row);
        row_begin(row);
        if (messy) {
            unsigned v = rng_bp(&g->fmt, 4000) ? 0 : 1 + (unsigned)rng_below(&g->fmt, NVARIANT - 1);
            row_cat(row, g->var[e->phrase][v]);
        } else {
            row_cat(row, PHRASES[e->phrase].text);
        }
        row_end(row);
        row_begin(row);
        if (e->kind == K_THU || e->kind == K_MIEN) {
            int64_t amt = e->amount;
            if ((int)k == over_at)
                amt += rng_span(&g->fmt, 1, 500) * 1000;
            row_money(row, amt, messy ? messy_money_variant(g) : 0);
        }
        row_end(row);
        row_begin(row);
        render_note(g, row, e->note);
        row_end(row);
        render(g, &fe, row);
        g->nevents++;
        if (!messy) {
            put_line(&g->fe, &g->line);
            continue;
        }
        /* same-day events of a case keep their relative order (replay breaks ties by file
         * order); everything else is shuffled within the block */
        if (k == 0 || e->d != c->ev[k - 1].d)
            key = rng_next(&g->fmt);
        blk_add(g, key);
    }
    if (messy && ++g->bcases >= 64)
        blk_flush(g);
}

/* ---- thahc.csv ----------------------------------------------------------------------------- */

static thk_date hc_date(sgen *g, thk_date from, int32_t lo, int32_t hi, unsigned bp)
{
    if (!rng_bp(&g->hc, bp))
        return NO_DATE;
    thk_date d = workday(from + rng_span(&g->hc, lo, hi));
    return d > g->horizon ? NO_DATE : d;
}

static void gen_thahc(sgen *g, uint64_t j)
{
    srng *r = &g->hc;
    bool messy = g->o->messy;
    /* unit: the province offices carry most THAHC tracking */
    unsigned u;
    if (rng_bp(r, 6500)) {
        unsigned ntinh = 0;
        for (unsigned k = 0; k < g->nunits; k++)
            ntinh += g->units[k].tinh;
        unsigned pick = (unsigned)rng_below(r, ntinh);
        for (u = 0; u < g->nunits; u++)
            if (g->units[u].tinh && pick-- == 0)
                break;
    } else {
        u = (unsigned)rng_below(r, g->nunits);
    }
    sunit *un = &g->units[u];
    const sprov *pv = &PROVINCES[un->prov];
    const char *ptitle = pv->city ? "thành phố" : "tỉnh";

    /* acceptance from 2019 on, same weights as cases */
    thk_date min = date_from_ymd(2019, 1, 1);
    uint64_t W = g->daycum[g->ndays - 1];
    uint64_t base = g->daycum[(uint32_t)(min - g->day0) - 1];
    uint64_t p = base + rng_below(r, W - base);
    uint32_t lo = 0, hi = g->ndays - 1;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (g->daycum[mid] > p)
            hi = mid;
        else
            lo = mid + 1;
    }
    thk_date T = g->day0 + (thk_date)lo;
    int ty, tm, td;
    date_to_ymd(T, &ty, &tm, &td);

    srow *row = &g->row;
    row_reset(row);
    /* 0 ma_ban_an */
    row_begin(row);
    row_cat(row, un->code);
    row_cat(row, "-HC-");
    row_u64(row, (uint64_t)ty);
    row_cat(row, "-");
    row_pad(row, j + 1, 5);
    row_end(row);
    /* 1, 2 unit */
    row_str(row, un->code);
    row_begin(row);
    row_text_maybe_nfd(g, row, un->name, strlen(un->name), 1000);
    row_end(row);
    /* 3 so_ban_an, 4 toa_an */
    bool pt = rng_bp(r, 3000);
    row_begin(row);
    row_u64(row, (uint64_t)rng_span(r, 1, 180));
    row_cat(row, "/");
    row_u64(row, (uint64_t)(ty - (rng_bp(r, 5000) ? 1 : 0)));
    row_cat(row, pt ? "/HC-PT" : "/HC-ST");
    row_end(row);
    row_begin(row);
    if (pt) {
        row_cat(row, "Tòa án nhân dân cấp cao tại ");
        row_cat(row, CAP_CAO[pv->region]);
    } else {
        row_cat(row, "Tòa án nhân dân ");
        row_cat(row, ptitle);
        row_cat(row, " ");
        row_cat(row, pv->name);
    }
    row_end(row);
    /* 5 nguoi_phai_thi_hanh, 7 cap_phai_thi_hanh: drawn together */
    char who[200], cap[200];
    unsigned kind = (unsigned)rng_below(r, 100);
    if (kind < 35) {
        snprintf(cap, sizeof cap, "UBND %s %s", ptitle, pv->name);
        snprintf(who, sizeof who, "Chủ tịch UBND %s %s", ptitle, pv->name);
    } else if (kind < 70) {
        bool phuong = rng_bp(r, 4000);
        const char *nm = phuong ? PHUONG_NAMES[rng_below(r, NELEM(PHUONG_NAMES))]
                                : XA_NAMES[rng_below(r, NELEM(XA_NAMES))];
        snprintf(cap, sizeof cap, "UBND %s %s", phuong ? "phường" : "xã", nm);
        snprintf(who, sizeof who, "Chủ tịch UBND %s %s", phuong ? "phường" : "xã", nm);
    } else if (kind < 80) {
        const char *so = SO_NAMES[rng_below(r, NELEM(SO_NAMES))];
        snprintf(cap, sizeof cap, "%s %s %s", so, ptitle, pv->name);
        snprintf(who, sizeof who, "Giám đốc %s %s %s", so, ptitle, pv->name);
    } else if (kind < 86) {
        const char *bo = BO_NAMES[rng_below(r, NELEM(BO_NAMES))];
        snprintf(cap, sizeof cap, "%s", bo);
        snprintf(who, sizeof who, "%s", bo);
    } else if (kind < 93) {
        snprintf(cap, sizeof cap, "Chi cục Thuế khu vực %u", (unsigned)rng_span(r, 1, 15));
        snprintf(who, sizeof who, "Chi cục trưởng Chi cục Thuế khu vực %u",
                 (unsigned)rng_span(r, 1, 15));
    } else {
        cap[0] = '\0';
        snprintf(who, sizeof who, "Ban quản lý dự án đầu tư xây dựng %s %s", ptitle, pv->name);
    }
    row_begin(row);
    row_text_maybe_nfd(g, row, who, strlen(who), 1000);
    row_end(row);
    /* 6 noi_dung */
    row_str(row, HC_NOI_DUNG[rng_below(r, NELEM(HC_NOI_DUNG))]);
    row_begin(row);
    row_text_maybe_nfd(g, row, cap, strlen(cap), 1000);
    row_end(row);
    /* 8 … 12 dates */
    thk_date buoc = hc_date(g, T, 60, 400, 2500);
    thk_date xong = hc_date(g, T, 30, 900, 5500);
    thk_date huy = xong == NO_DATE ? hc_date(g, T, 30, 600, 1000) : NO_DATE;
    thk_date kn = hc_date(g, T, 90, 700, 1200);
    thk_date ds[5] = {T, buoc, xong, huy, kn};
    for (int k = 0; k < 5; k++) {
        row_begin(row);
        if (ds[k] != NO_DATE)
            row_date(row, ds[k], messy ? messy_date_variant(g) : 0);
        row_end(row);
    }
    sfmt fh = fmt_thahc(g->o);
    render(g, &fh, row);
    put_line(&g->fh, &g->line);
    maybe_blank(g, &g->fh, &fh, 300);
    g->nthahc++;
}

/* ------------------------------------------------------------------------------------------ */
/* Public entry points                                                                         */

void sample_opts_init(sample_opts *o)
{
    memset(o, 0, sizeof *o);
    o->cases = 2000;
    o->seed = 1;
    o->units = 8;
}

static void gen_free(sgen *g)
{
    free(g->units);
    free(g->ucum);
    free(g->daycum);
    free(g->seq_ma);
    free(g->seq_qd);
    for (unsigned i = 0; i < NPHRASE; i++)
        for (unsigned v = 0; v < NVARIANT; v++)
            free(g->var[i][v]);
    buf_free(&g->line);
    buf_free(&g->blk);
    free(g->bidx);
}

int sample_write(const sample_opts *o, char *err, size_t errsz)
{
    if (errsz)
        err[0] = '\0';
    if (!o->out_dir || !o->out_dir[0]) {
        snprintf(err, errsz, "sample: lỗi: thiếu --out DIR (thư mục kết quả)");
        return THK_EXIT_USAGE;
    }
    if (o->cases > SAMPLE_MAX_CASES) {
        snprintf(err, errsz, "sample: lỗi: --cases tối đa %llu",
                 (unsigned long long)SAMPLE_MAX_CASES);
        return THK_EXIT_USAGE;
    }
    if (o->units < 1 || o->units > SAMPLE_MAX_UNITS) {
        snprintf(err, errsz, "sample: lỗi: --units phải từ 1 đến %u", SAMPLE_MAX_UNITS);
        return THK_EXIT_USAGE;
    }
    if (o->plant && o->units < 3) {
        snprintf(err, errsz, "sample: lỗi: --plant-anomalies cần ít nhất 3 đơn vị (--units)");
        return THK_EXIT_USAGE;
    }
    int e = make_dirs(o->out_dir);
    if (e) {
        snprintf(err, errsz, "sample: lỗi: không tạo được thư mục %s: %s", o->out_dir,
                 strerror(e));
        return THK_EXIT_OUTPUT;
    }

    sgen *g = thk_xcalloc(1, sizeof *g);
    g->o = o;
    rng_seed(&g->data, o->seed, 2);
    rng_seed(&g->fmt, o->seed, 3);
    rng_seed(&g->hc, o->seed, 4);
    days_init(g);
    units_init(g);
    g->seq_ma = thk_xcalloc((size_t)g->nunits * NYEARS, sizeof *g->seq_ma);
    g->seq_qd = thk_xcalloc((size_t)g->nunits * (NYEARS + 1), sizeof *g->seq_qd);
    if (o->messy)
        variants_init(g);

    static const char *const NAMES[4] = {"cases.csv", "events.csv", "thahc.csv", "planted.csv"};
    sfile *files[4] = {&g->fc, &g->fe, &g->fh, &g->fp};
    int nf = o->plant ? 4 : 3;
    int rc = THK_EXIT_OK;
    for (int k = 0; k < nf; k++) {
        if (sf_open(files[k], o->out_dir, NAMES[k])) {
            snprintf(err, errsz, "sample: lỗi: không tạo được tệp %s: %s", files[k]->tmp,
                     strerror(files[k]->err));
            rc = THK_EXIT_OUTPUT;
        }
    }
    if (rc == THK_EXIT_OK) {
        sfmt fc = fmt_cases(o), fe = fmt_events(o), fh = fmt_thahc(o);
        write_header(g, &g->fc, &fc, o->messy ? CASE_HDR_MESSY : CASE_HDR, fc.ncols);
        write_header(g, &g->fe, &fe, o->messy ? EV_HDR_MESSY : EV_HDR, 5);
        write_header(g, &g->fh, &fh, o->messy ? HC_HDR_MESSY : HC_HDR, 13);
        if (o->plant)
            sf_put(&g->fp, "screen,ma_viec,ma_don_vi\n", strlen("screen,ma_viec,ma_don_vi\n"));
        if (o->messy) /* a blank line right after the header */
            sf_put(&g->fe, "\n", 1);
        uint64_t W = g->daycum[g->ndays - 1];
        for (uint64_t i = 0; i < o->cases && g->fc.err == 0 && g->fe.err == 0; i++)
            gen_case(g, i, W);
        blk_flush(g);
        if (o->messy)
            sf_put(&g->fe, "\n\n", 2);
        uint64_t per = o->backlog ? 33 : 50; /* backlog: 30k judgments per 1M cases */
        uint64_t nh = o->cases == 0 ? 0 : o->cases / per < 3 ? 3 : o->cases / per;
        for (uint64_t j = 0; j < nh && g->fh.err == 0; j++)
            gen_thahc(g, j);
        for (int k = 0; k < nf && rc == THK_EXIT_OK; k++) {
            if (sf_finish(files[k])) {
                snprintf(err, errsz, "sample: lỗi: không ghi được tệp %s: %s",
                         files[k]->tmp, strerror(files[k]->err));
                rc = THK_EXIT_OUTPUT;
            }
        }
    }
    if (rc == THK_EXIT_OK) {
        for (int k = 0; k < nf && rc == THK_EXIT_OK; k++) {
            if (rename(files[k]->tmp, files[k]->fin) != 0) {
                snprintf(err, errsz, "sample: lỗi: không đổi được tên %s thành %s: %s", files[k]->tmp,
                         files[k]->fin, strerror(errno));
                rc = THK_EXIT_OUTPUT;
            } else {
                free(files[k]->tmp);
                files[k]->tmp = NULL;
            }
        }
        int dfd = open(o->out_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            (void)fsync(dfd);
            close(dfd);
        }
    }
    for (int k = 0; k < nf; k++) {
        if (rc == THK_EXIT_OK)
            sf_free(files[k]);
        else
            sf_discard(files[k]);
    }
    if (rc == THK_EXIT_OK && errsz)
        snprintf(err, errsz, "%llu việc, %llu sự kiện, %llu bản án hành chính",
                 (unsigned long long)o->cases, (unsigned long long)g->nevents,
                 (unsigned long long)g->nthahc);
    gen_free(g);
    free(g);
    return rc;
}

static const char USAGE[] =
    "Cách dùng: thongke sample --out DIR [--cases N] [--seed S] [--units K] [--messy]\n"
    "                          [--profile default|backlog] [--plant-anomalies]\n"
    "\n"
    "Tạo dữ liệu mẫu tổng hợp giống dữ liệu xuất thật: DIR/cases.csv, DIR/events.csv và\n"
    "DIR/thahc.csv. Cùng tùy chọn thì cùng từng byte, trên mọi máy.\n"
    "\n"
    "  --out DIR    thư mục kết quả, tạo khi chưa có (bắt buộc)\n"
    "  --cases N    số việc, 0..100000000 (mặc định 2000)\n"
    "  --seed S     hạt giống ngẫu nhiên, 0..18446744073709551615 (mặc định 1)\n"
    "  --units K    số đơn vị, 1..1000 (mặc định 8)\n"
    "  --messy      ghi mọi biến thể định dạng được chấp nhận (BOM, CRLF, dấu phân cách ';'\n"
    "               và tab, cách viết tiêu đề, ngoặc kép, biến thể ngày, tiền, chữ); cùng dữ\n"
    "               liệu như bản sạch\n"
    "  --profile P  default: dạng dữ liệu của dự án; backlog: một tỉnh tồn đọng nhiều (việc\n"
    "               rải đều qua các năm, phần lớn còn mở, ít việc có điều kiện, số tiền phần\n"
    "               lớn không tròn nghìn, nhiều bản án hành chính hơn)\n"
    "  --plant-anomalies\n"
    "               cài các bất thường mà thẩm tra phải tìm ra (kỳ 12 tháng 2026): đơn vị\n"
    "               thứ nhất chuyển nhiều việc sang chưa có điều kiện sát kỳ, đơn vị thứ hai\n"
    "               có việc không xác minh lại, CHV đầu của đơn vị thứ ba có việc không có sự\n"
    "               kiện; liệt kê trong DIR/planted.csv (cần --units từ 3)\n"
    "  --help       phần hướng dẫn này\n"
    "\n"
    "Mã thoát: 0 đã tạo, 1 sai cú pháp lệnh, 4 không ghi được kết quả.\n";

/* Strict unsigned decimal: digits only, no sign, no overflow. */
static bool parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s)
        return false;
    uint64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

int sample_main(int argc, char **argv)
{
    sample_opts o;
    sample_opts_init(&o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(USAGE, stdout);
            return THK_EXIT_OK;
        }
        if (strcmp(a, "--messy") == 0) {
            o.messy = true;
            continue;
        }
        if (strcmp(a, "--plant-anomalies") == 0) {
            o.plant = true;
            continue;
        }
        if (strcmp(a, "--profile") == 0 || strncmp(a, "--profile=", 10) == 0) {
            const char *pv = a[9] == '=' ? a + 10 : (i + 1 < argc ? argv[++i] : NULL);
            if (!pv || (strcmp(pv, "default") != 0 && strcmp(pv, "backlog") != 0)) {
                fprintf(stderr, "thongke sample: lỗi: --profile cần default hoặc backlog\n%s", USAGE);
                return THK_EXIT_USAGE;
            }
            o.backlog = strcmp(pv, "backlog") == 0;
            continue;
        }
        static const char *const OPTS[] = {"--out", "--cases", "--seed", "--units"};
        int which = -1;
        const char *val = NULL;
        for (int k = 0; k < 4; k++) {
            size_t n = strlen(OPTS[k]);
            if (strncmp(a, OPTS[k], n) != 0)
                continue;
            if (a[n] == '=') {
                which = k;
                val = a + n + 1;
            } else if (a[n] == '\0') {
                which = k;
                if (i + 1 >= argc) {
                    fprintf(stderr, "thongke sample: lỗi: %s cần một giá trị\n%s", a, USAGE);
                    return THK_EXIT_USAGE;
                }
                val = argv[++i];
            }
        }
        if (which < 0) {
            fprintf(stderr, "thongke sample: lỗi: tùy chọn không rõ '%s'\n%s", a, USAGE);
            return THK_EXIT_USAGE;
        }
        uint64_t v = 0;
        if (which == 0) {
            if (!*val) {
                fprintf(stderr, "thongke sample: lỗi: --out cần một thư mục\n");
                return THK_EXIT_USAGE;
            }
            o.out_dir = val;
            continue;
        }
        if (!parse_u64(val, &v)) {
            fprintf(stderr, "thongke sample: lỗi: %s: '%s' không phải số nguyên không âm\n",
                    OPTS[which], val);
            return THK_EXIT_USAGE;
        }
        if (which == 1) {
            if (v > SAMPLE_MAX_CASES) {
                fprintf(stderr, "thongke sample: lỗi: --cases tối đa %llu\n",
                        (unsigned long long)SAMPLE_MAX_CASES);
                return THK_EXIT_USAGE;
            }
            o.cases = v;
        } else if (which == 2) {
            o.seed = v;
        } else {
            if (v < 1 || v > SAMPLE_MAX_UNITS) {
                fprintf(stderr, "thongke sample: lỗi: --units phải từ 1 đến %u\n",
                        SAMPLE_MAX_UNITS);
                return THK_EXIT_USAGE;
            }
            o.units = (unsigned)v;
        }
    }
    if (!o.out_dir) {
        fprintf(stderr, "thongke sample: lỗi: thiếu --out DIR\n%s", USAGE);
        return THK_EXIT_USAGE;
    }
    char err[512];
    int rc = sample_write(&o, err, sizeof err);
    if (rc != THK_EXIT_OK) {
        fprintf(stderr, "thongke %s\n", err);
        return rc;
    }
    fprintf(stderr, "thongke sample: %s → %s (hạt giống %llu, %u đơn vị%s%s%s)\n", err,
            o.out_dir, (unsigned long long)o.seed, o.units, o.messy ? ", định dạng lộn xộn" : "",
            o.backlog ? ", dạng tồn đọng" : "",
            o.plant ? ", có cài bất thường: planted.csv" : "");
    return THK_EXIT_OK;
}
