/* test_sample — the synthetic export generator: determinism, shape, consistency, messy variants,
 * options and atomic writing. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "read_date.h"
#include "read_money.h"
#include "read_text.h"
#include "sample.h"
#include "testutil.h"
#include "thk.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* A parsed CSV file: rows of NUL-terminated fields. Row 0 is the header. */
typedef struct {
    char **f;
    size_t n;
} trow;

typedef struct {
    trow *r;
    size_t n, cap;
} ttab;

static void tab_free(ttab *t)
{
    for (size_t i = 0; i < t->n; i++) {
        for (size_t j = 0; j < t->r[i].n; j++)
            free(t->r[i].f[j]);
        free(t->r[i].f);
    }
    free(t->r);
    memset(t, 0, sizeof *t);
}

/* What a test allocates is released after it (.fini), so ASan's leak check stays quiet. */
static ttab owned_tabs[16]; /* copies of every parsed table */
static size_t n_owned_tabs;
static char *owned_strs[32];
static size_t n_owned_strs;

static char *own(char *s)
{
    if (n_owned_strs < N_ELEMS(owned_strs))
        owned_strs[n_owned_strs++] = s;
    return s;
}

static void release_all(void)
{
    for (size_t i = 0; i < n_owned_tabs; i++)
        tab_free(&owned_tabs[i]);
    for (size_t i = 0; i < n_owned_strs; i++)
        free(owned_strs[i]);
    n_owned_tabs = n_owned_strs = 0;
}

TestSuite(sample, .fini = release_all);

/* ---- helpers --------------------------------------------------------------------------- */

static char *gen(uint64_t cases, uint64_t seed, unsigned units, bool messy)
{
    char *dir = own(tu_tempdir());
    cr_assert_not_null(dir);
    sample_opts o;
    sample_opts_init(&o);
    o.out_dir = dir;
    o.cases = cases;
    o.seed = seed;
    o.units = units;
    o.messy = messy;
    char err[512];
    int rc = sample_write(&o, err, sizeof err);
    cr_assert_eq(rc, THK_EXIT_OK, "sample_write failed: %s", err);
    return dir;
}

static char *slurp(const char *dir, const char *name, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *s = tu_read(path, len);
    cr_assert_not_null(s, "cannot read %s", path);
    return s;
}

static bool exists(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    return stat(path, &st) == 0;
}

/* A parsed CSV file (see ttab above): RFC 4180, BOM skipped, blank lines skipped, LF or CRLF.
 * Row 0 is the header. */

static void tab_parse(const char *s, size_t len, char delim, ttab *t)
{
    memset(t, 0, sizeof *t);
    size_t i = 0;
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    thk_buf fld = {0};
    while (i < len) {
        trow row = {0};
        size_t rcap = 0;
        bool quoted_any = false;
        for (;;) {
            buf_clear(&fld);
            buf_reserve(&fld, 1);
            if (i < len && s[i] == '"') {
                quoted_any = true;
                i++;
                while (i < len) {
                    if (s[i] == '"') {
                        if (i + 1 < len && s[i + 1] == '"') {
                            buf_putc(&fld, '"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    buf_putc(&fld, s[i++]);
                }
            }
            while (i < len && s[i] != delim && s[i] != '\n' && s[i] != '\r')
                buf_putc(&fld, s[i++]);
            if (row.n == rcap) {
                rcap = rcap ? rcap * 2 : 16;
                row.f = realloc(row.f, rcap * sizeof *row.f);
            }
            row.f[row.n++] = strdup(fld.data);
            if (i < len && s[i] == delim) {
                i++;
                continue;
            }
            if (i < len && s[i] == '\r')
                i++;
            if (i < len && s[i] == '\n')
                i++;
            break;
        }
        if (row.n == 1 && row.f[0][0] == '\0' && !quoted_any) { /* blank line */
            free(row.f[0]);
            free(row.f);
            continue;
        }
        if (t->n == t->cap) {
            t->cap = t->cap ? t->cap * 2 : 1024;
            t->r = realloc(t->r, t->cap * sizeof *t->r);
        }
        t->r[t->n++] = row;
    }
    buf_free(&fld);
    if (n_owned_tabs < N_ELEMS(owned_tabs))
        owned_tabs[n_owned_tabs++] = *t;
}

static void tab_load(const char *dir, const char *name, char delim, ttab *t)
{
    size_t len;
    char *s = slurp(dir, name, &len);
    tab_parse(s, len, delim, t);
    free(s);
    cr_assert_geq(t->n, 1, "%s has no header", name);
}

/* Column index of a canonical name: the header is matched through text_fold_key, as the
 * loader does (input.md). */
static size_t col(const ttab *t, const char *name)
{
    thk_buf k = {0};
    for (size_t j = 0; j < t->r[0].n; j++) {
        text_fold_key(t->r[0].f[j], strlen(t->r[0].f[j]), &k);
        if (strcmp(k.data, name) == 0) {
            buf_free(&k);
            return j;
        }
    }
    buf_free(&k);
    cr_assert_fail("column %s not found", name);
    return 0;
}

static thk_date pdate(const char *s)
{
    thk_date d;
    int rc = date_parse(s, strlen(s), &d);
    cr_assert_eq(rc, -1, "invalid date '%s'", s);
    return d;
}

static thk_money pmoney(const char *s)
{
    thk_money v;
    int rc = money_parse(s, strlen(s), &v);
    cr_assert_eq(rc, -1, "invalid money '%s'", s);
    return v;
}

/* The case index of ma_viec in cases (linear map built once: ids are sorted per test). */
typedef struct {
    const char *id;
    size_t row;
} tid;

static int tid_cmp(const void *a, const void *b)
{
    return strcmp(((const tid *)a)->id, ((const tid *)b)->id);
}

static tid *index_ids(const ttab *t, size_t c)
{
    tid *ids = malloc((t->n - 1) * sizeof *ids);
    for (size_t i = 1; i < t->n; i++) {
        ids[i - 1].id = t->r[i].f[c];
        ids[i - 1].row = i;
    }
    qsort(ids, t->n - 1, sizeof *ids, tid_cmp);
    return ids;
}

static size_t find_id(const tid *ids, size_t n, const char *id)
{
    tid key = {id, 0};
    const tid *hit = bsearch(&key, ids, n, sizeof *ids, tid_cmp);
    return hit ? hit->row : 0;
}

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* ---- determinism ----------------------------------------------------------------------- */

Test(sample, the_same_seed_gives_byte_identical_files_in_clean_and_messy_mode)
{
    static const char *const files[] = {"cases.csv", "events.csv", "thahc.csv"};
    for (int messy = 0; messy <= 1; messy++) {
        char *a = gen(400, 42, 5, messy), *b = gen(400, 42, 5, messy);
        for (size_t k = 0; k < N_ELEMS(files); k++) {
            size_t la, lb;
            char *x = slurp(a, files[k], &la), *y = slurp(b, files[k], &lb);
            cr_assert_gt(la, 100);
            cr_assert_eq(la, lb, "%s differs in size (messy=%d)", files[k], messy);
            cr_assert_eq(memcmp(x, y, la), 0, "%s differs (messy=%d)", files[k], messy);
            free(x);
            free(y);
        }
    }
}

Test(sample, a_different_seed_gives_different_files)
{
    char *a = gen(300, 1, 8, false), *b = gen(300, 2, 8, false);
    static const char *const files[] = {"cases.csv", "events.csv", "thahc.csv"};
    for (size_t k = 0; k < N_ELEMS(files); k++) {
        size_t la, lb;
        char *x = slurp(a, files[k], &la), *y = slurp(b, files[k], &lb);
        cr_expect(la != lb || memcmp(x, y, la) != 0, "%s is the same for seeds 1 and 2",
                  files[k]);
        free(x);
        free(y);
    }
}

/* ---- shape ------------------------------------------------------------------------------ */

Test(sample, cases_csv_has_exactly_n_data_rows_and_thahc_about_n_over_50)
{
    static const struct {
        uint64_t n, thahc;
    } rows[] = {{1, 3}, {10, 3}, {149, 3}, {777, 15}, {2500, 50}};
    for (size_t i = 0; i < N_ELEMS(rows); i++) {
        char *d = gen(rows[i].n, 7, 8, false);
        char *c = slurp(d, "cases.csv", NULL), *h = slurp(d, "thahc.csv", NULL);
        cr_expect_eq(count_lines(c), rows[i].n + 1, "cases.csv for N=%llu",
                     (unsigned long long)rows[i].n);
        cr_expect_eq(count_lines(h), rows[i].thahc + 1, "thahc.csv for N=%llu",
                     (unsigned long long)rows[i].n);
        free(c);
        free(h);
    }
}

Test(sample, zero_cases_writes_the_three_headers_only)
{
    char *d = gen(0, 1, 8, false);
    char *c = slurp(d, "cases.csv", NULL), *e = slurp(d, "events.csv", NULL),
         *h = slurp(d, "thahc.csv", NULL);
    cr_expect_eq(count_lines(c), 1);
    cr_expect_str_eq(e, "ma_viec,ngay,su_kien,so_tien,ghi_chu\n");
    cr_expect_eq(count_lines(h), 1);
    free(c);
    free(e);
    free(h);
}

Test(sample, clean_files_are_canonical_utf8_nfc_with_lf_commas_and_no_bom)
{
    char *d = gen(1500, 3, 8, false);
    static const struct {
        const char *file, *header;
    } want[] = {
        {"cases.csv", "ma_viec,ma_don_vi,ten_don_vi,chap_hanh_vien,so_quyet_dinh,ngay_thu_ly,"
                      "ngay_quyet_dinh,hinh_thuc,loai_an,nhom_viec,so_tien_phai_thi_hanh,"
                      "nguoi_phai_thi_hanh\n"},
        {"events.csv", "ma_viec,ngay,su_kien,so_tien,ghi_chu\n"},
        {"thahc.csv", "ma_ban_an,ma_don_vi,ten_don_vi,so_ban_an,toa_an,nguoi_phai_thi_hanh,"
                      "noi_dung,cap_phai_thi_hanh,ngay_thu_ly,ngay_qd_buoc,ngay_xong,"
                      "ngay_huy_hoan_tdc,ngay_kien_nghi\n"},
    };
    thk_buf nfc = {0};
    for (size_t k = 0; k < N_ELEMS(want); k++) {
        size_t len;
        char *s = slurp(d, want[k].file, &len);
        cr_expect_eq(strncmp(s, want[k].header, strlen(want[k].header)), 0, "%s header",
                     want[k].file);
        cr_expect_null(memchr(s, '\r', len), "%s has a CR", want[k].file);
        cr_expect_neq(memcmp(s, "\xEF\xBB\xBF", 3), 0, "%s has a BOM", want[k].file);
        cr_expect_eq(text_utf8_invalid_at(s, len), -1, "%s is not valid UTF-8", want[k].file);
        cr_assert_eq(text_nfc(s, len, &nfc), 0);
        cr_expect_eq(nfc.len, len, "%s is not NFC", want[k].file);
        cr_expect_eq(memcmp(nfc.data, s, len), 0, "%s is not NFC", want[k].file);
        /* the clean files have no quoted newlines: one physical line per row */
        ttab t;
        tab_parse(s, len, ',', &t);
        cr_expect_eq(t.n, count_lines(s), "%s: rows vs lines", want[k].file);
        for (size_t i = 1; i < t.n; i++)
            cr_assert_eq(t.r[i].n, t.r[0].n, "%s row %zu has %zu fields", want[k].file, i,
                         t.r[i].n);
        free(s);
    }
    buf_free(&nfc);
}

/* ---- consistency ------------------------------------------------------------------------ */

Test(sample, ids_are_unique_and_every_event_refers_to_an_existing_case)
{
    char *d = gen(2000, 11, 8, false);
    ttab c, e;
    tab_load(d, "cases.csv", ',', &c);
    tab_load(d, "events.csv", ',', &e);
    size_t cm = col(&c, "ma_viec"), em = col(&e, "ma_viec");
    tid *ids = index_ids(&c, cm);
    for (size_t i = 1; i + 1 < c.n; i++)
        cr_assert_str_neq(ids[i - 1].id, ids[i].id, "duplicate ma_viec %s", ids[i].id);
    cr_assert_gt(e.n, c.n, "fewer events than cases");
    for (size_t i = 1; i < e.n; i++)
        cr_assert_neq(find_id(ids, c.n - 1, e.r[i].f[em]), 0, "unknown case %s",
                      e.r[i].f[em]);
    /* clean mode: events grouped by case, in date order within each case */
    const char *prev = "";
    thk_date prevd = 0;
    size_t groups = 0;
    size_t en = col(&e, "ngay");
    for (size_t i = 1; i < e.n; i++) {
        thk_date dd = pdate(e.r[i].f[en]);
        if (strcmp(prev, e.r[i].f[em]) != 0) {
            groups++;
            prev = e.r[i].f[em];
        } else {
            cr_assert_geq(dd, prevd, "events of %s out of date order", prev);
        }
        prevd = dd;
    }
    size_t distinct = 0;
    {
        /* number of distinct case ids in events = number of groups (no case split in two) */
        tid *eids = index_ids(&e, em);
        for (size_t i = 0; i + 1 < e.n; i++)
            distinct += i == 0 || strcmp(eids[i - 1].id, eids[i].id) != 0;
        free(eids);
    }
    cr_expect_eq(groups, distinct);
    free(ids);
}

Test(sample, money_events_are_positive_and_never_exceed_the_obligation)
{
    char *d = gen(3000, 5, 8, false);
    ttab c, e;
    tab_load(d, "cases.csv", ',', &c);
    tab_load(d, "events.csv", ',', &e);
    size_t cm = col(&c, "ma_viec"), co = col(&c, "so_tien_phai_thi_hanh");
    size_t em = col(&e, "ma_viec"), ek = col(&e, "su_kien"), ea = col(&e, "so_tien");
    tid *ids = index_ids(&c, cm);
    thk_money *paid = calloc(c.n, sizeof *paid);
    size_t money_events = 0;
    for (size_t i = 1; i < e.n; i++) {
        const char *k = e.r[i].f[ek];
        bool money = strncmp(k, "Thu tiền", strlen("Thu tiền")) == 0 ||
                     strcmp(k, "Nộp tiền thi hành án") == 0 || strstr(k, "Miễn") == k ||
                     strcmp(k, "Giảm thi hành án") == 0;
        if (!money) {
            cr_expect_str_eq(e.r[i].f[ea], "", "amount on '%s'", k);
            continue;
        }
        money_events++;
        thk_money a = pmoney(e.r[i].f[ea]);
        cr_assert_gt(a, 0, "'%s' of %s has amount %lld", k, e.r[i].f[em], (long long)a);
        size_t row = find_id(ids, c.n - 1, e.r[i].f[em]);
        paid[row] += a;
    }
    cr_expect_gt(money_events, 500);
    for (size_t r = 1; r < c.n; r++) {
        thk_money o = pmoney(c.r[r].f[co]);
        cr_assert_leq(paid[r], o, "%s: paid %lld of %lld", c.r[r].f[cm], (long long)paid[r],
                      (long long)o);
    }
    free(paid);
    free(ids);
}

Test(sample, every_date_is_valid_and_events_lie_between_thu_ly_and_the_horizon)
{
    char *d = gen(2000, 9, 8, false);
    ttab c, e, h;
    tab_load(d, "cases.csv", ',', &c);
    tab_load(d, "events.csv", ',', &e);
    tab_load(d, "thahc.csv", ',', &h);
    thk_date horizon = date_from_ymd(2026, 9, 30), start = date_from_ymd(2015, 12, 1);
    size_t cm = col(&c, "ma_viec"), ct = col(&c, "ngay_thu_ly"), cq = col(&c, "ngay_quyet_dinh");
    tid *ids = index_ids(&c, cm);
    for (size_t r = 1; r < c.n; r++) {
        thk_date t = pdate(c.r[r].f[ct]), q = pdate(c.r[r].f[cq]);
        cr_assert_leq(q, t, "%s: decision after acceptance", c.r[r].f[cm]);
        cr_assert_geq(t - q, 0);
        cr_assert_leq(t - q, 10, "%s: decision %d days before acceptance", c.r[r].f[cm],
                      (int)(t - q));
        cr_assert(t >= start && t <= horizon);
    }
    size_t em = col(&e, "ma_viec"), en = col(&e, "ngay");
    for (size_t i = 1; i < e.n; i++) {
        thk_date dd = pdate(e.r[i].f[en]);
        size_t row = find_id(ids, c.n - 1, e.r[i].f[em]);
        cr_assert_geq(dd, pdate(c.r[row].f[ct]), "%s: event before thụ lý", e.r[i].f[em]);
        cr_assert_leq(dd, horizon);
    }
    static const char *const hcols[] = {"ngay_qd_buoc", "ngay_xong", "ngay_huy_hoan_tdc",
                                        "ngay_kien_nghi"};
    size_t ht = col(&h, "ngay_thu_ly");
    for (size_t r = 1; r < h.n; r++) {
        thk_date t = pdate(h.r[r].f[ht]);
        for (size_t k = 0; k < N_ELEMS(hcols); k++) {
            const char *v = h.r[r].f[col(&h, hcols[k])];
            if (*v)
                cr_assert(pdate(v) > t && pdate(v) <= horizon, "%s %s", hcols[k], v);
        }
    }
    free(ids);
}

/* ---- realism ---------------------------------------------------------------------------- */

Test(sample, the_bundled_size_sample_has_a_realistic_mix)
{
    char *d = gen(3000, 2026, 8, false);
    ttab c, e;
    tab_load(d, "cases.csv", ',', &c);
    tab_load(d, "events.csv", ',', &e);
    size_t ch = col(&c, "hinh_thuc"), co = col(&c, "so_tien_phai_thi_hanh"),
           cq = col(&c, "ngay_quyet_dinh"), ct = col(&c, "ngay_thu_ly"),
           cn = col(&c, "nhom_viec"), cl = col(&c, "loai_an");
    size_t chu = 0, huge = 0, zero = 0, feb29_2020 = 0, feb29_2024 = 0, old5 = 0, in2026 = 0;
    size_t credit = 0, corrupt = 0;
    thk_date s2026 = date_from_ymd(2025, 10, 1), five = date_from_ymd(2021, 7, 31);
    static const char *const loai[] = {"Dân sự", "Hình sự", "Hành chính", "Hôn nhân và gia đình",
                                       "Kinh doanh thương mại", "Lao động", "Phá sản",
                                       "Trọng tài"};
    size_t loai_seen[N_ELEMS(loai)] = {0};
    for (size_t r = 1; r < c.n; r++) {
        chu += strcmp(c.r[r].f[ch], "Chủ động") == 0;
        cr_assert(strcmp(c.r[r].f[ch], "Chủ động") == 0 ||
                  strcmp(c.r[r].f[ch], "Theo yêu cầu") == 0);
        thk_money o = pmoney(c.r[r].f[co]);
        huge += o >= 20000000000LL;
        zero += o == 0;
        feb29_2020 += strcmp(c.r[r].f[cq], "29/02/2020") == 0;
        feb29_2024 += strcmp(c.r[r].f[cq], "29/02/2024") == 0;
        thk_date t = pdate(c.r[r].f[ct]);
        old5 += t < five;
        in2026 += t >= s2026;
        credit += strstr(c.r[r].f[cn], "Tín dụng, ngân hàng") != NULL;
        corrupt += strstr(c.r[r].f[cn], "Tham nhũng, kinh tế") != NULL;
        for (size_t k = 0; k < N_ELEMS(loai); k++)
            loai_seen[k] += strcmp(c.r[r].f[cl], loai[k]) == 0;
    }
    size_t n = c.n - 1;
    cr_expect(chu * 100 >= n * 50 && chu * 100 <= n * 70, "chủ động %zu of %zu", chu, n);
    cr_expect_geq(huge, 3, "cases of 20 tỷ or more: %zu", huge);
    cr_expect_gt(zero, 30);
    cr_expect_geq(feb29_2020, 1);
    cr_expect_geq(feb29_2024, 1);
    cr_expect_gt(old5, n / 5, "cases older than five years: %zu", old5);
    cr_expect(in2026 * 100 > n * 10 && in2026 * 100 < n * 30, "new in 2026: %zu", in2026);
    cr_expect_gt(credit, 30);
    cr_expect_gt(corrupt, 10);
    for (size_t k = 0; k < N_ELEMS(loai); k++)
        cr_expect_gt(loai_seen[k], 0, "no %s case", loai[k]);

    /* every lifecycle kind of domain.md §2 occurs */
    static const char *const kinds[] = {
        "Xác minh: có điều kiện thi hành", "Xác minh: chưa có điều kiện thi hành",
        "Quyết định về việc chưa có điều kiện thi hành án",
        "Hoãn thi hành án theo điểm c khoản 1 Điều 48", "Hoãn thi hành án",
        "Tạm đình chỉ thi hành án", "Tiếp tục thi hành án", "Trường hợp khác", "Thu tiền",
        "Miễn, giảm thi hành án", "Thi hành xong", "Đình chỉ thi hành án",
        "Ủy thác thi hành án", "Thu hồi quyết định thi hành án", "Chuyển sổ theo dõi riêng"};
    size_t ek = col(&e, "su_kien"), eg = col(&e, "ghi_chu");
    size_t notes = 0;
    for (size_t k = 0; k < N_ELEMS(kinds); k++) {
        size_t hits = 0;
        for (size_t i = 1; i < e.n; i++)
            hits += strcmp(e.r[i].f[ek], kinds[k]) == 0;
        cr_expect_gt(hits, 0, "no '%s' event", kinds[k]);
    }
    for (size_t i = 1; i < e.n; i++)
        notes += e.r[i].f[eg][0] != '\0';
    cr_expect(notes > 0 && notes * 5 < e.n, "ghi_chu filled on %zu of %zu events", notes, e.n);
}

Test(sample, the_units_option_gives_that_many_unit_codes_with_province_offices_first)
{
    static const unsigned ks[] = {1, 3, 8, 40};
    for (size_t i = 0; i < N_ELEMS(ks); i++) {
        char *d = gen(2000, 1, ks[i], false);
        ttab c;
        tab_load(d, "cases.csv", ',', &c);
        size_t cu = col(&c, "ma_don_vi"), cn = col(&c, "ten_don_vi");
        tid *ids = index_ids(&c, cu);
        size_t distinct = 0;
        for (size_t r = 0; r + 1 < c.n; r++)
            distinct += r == 0 || strcmp(ids[r - 1].id, ids[r].id) != 0;
        cr_expect_eq(distinct, ks[i], "--units %u gave %zu codes", ks[i], distinct);
        free(ids);
        bool tinh = false;
        for (size_t r = 1; r < c.n; r++) {
            const char *code = c.r[r].f[cu], *name = c.r[r].f[cn];
            if (strcmp(code, "GL-TINH") == 0) {
                tinh = true;
                cr_assert_str_eq(name, "Thi hành án dân sự tỉnh Gia Lai");
            } else if (strcmp(code, "GL-KV01") == 0) {
                cr_assert_str_eq(name, "Phòng Thi hành án dân sự khu vực 1 - Gia Lai");
            }
        }
        cr_expect(tinh, "no GL-TINH with --units %u", ks[i]);
    }
}

/* ---- messy ------------------------------------------------------------------------------ */

Test(sample, messy_output_has_bom_crlf_semicolon_and_tab_delimiters_and_quoted_newlines)
{
    char *d = gen(1500, 2026, 8, true);
    size_t lc, le, lh;
    char *c = slurp(d, "cases.csv", &lc), *e = slurp(d, "events.csv", &le),
         *h = slurp(d, "thahc.csv", &lh);
    cr_expect_eq(memcmp(c, "\xEF\xBB\xBF", 3), 0, "cases.csv has no BOM");
    cr_expect_eq(memcmp(h, "\xEF\xBB\xBF", 3), 0, "thahc.csv has no BOM");
    cr_expect_not_null(strstr(c, "\r\n"));
    char *eol = strchr(c, '\n');
    cr_expect(memchr(c, ';', (size_t)(eol - c)) != NULL, "cases header is not ';'-separated");
    eol = strchr(h, '\n');
    cr_expect(memchr(h, '\t', (size_t)(eol - h)) != NULL, "thahc header is not tab-separated");
    cr_expect_not_null(strstr(e, "\n\n"), "no blank line in events.csv");
    /* a quoted field holding a newline, quotes doubled inside quotes */
    ttab te;
    tab_parse(e, le, ',', &te);
    size_t g = col(&te, "ghi_chu"), nl = 0, quote = 0;
    for (size_t i = 1; i < te.n; i++) {
        nl += strchr(te.r[i].f[g], '\n') != NULL;
        quote += strchr(te.r[i].f[g], '"') != NULL;
    }
    cr_expect_gt(nl, 0, "no ghi_chu with a newline");
    cr_expect_gt(quote, 0, "no ghi_chu with a quote");
    /* the formats of input.md occur */
    cr_expect_not_null(strstr(e, " VND"));
    cr_expect_not_null(strstr(e, "đồng "));
    cr_expect_not_null(strstr(e, " đ"));
    cr_expect_not_null(strstr(e, "\",\""), "no quoted field with commas");
    cr_expect_not_null(strstr(e, "Uỷ thác") ? strstr(e, "Uỷ thác") : strstr(e, "UỶ THÁC"));
    cr_expect_not_null(strstr(e, "THA"));
    cr_expect_not_null(strstr(e, "thi hanh"), "no su_kien without diacritics");
    cr_expect_not_null(strstr(e, "a\xcc\x81"), "no NFD text (a + combining acute)");
    free(c);
    free(e);
    free(h);
}

Test(sample, messy_headers_fold_to_the_canonical_column_keys)
{
    char *d = gen(100, 1, 8, true);
    static const struct {
        const char *file;
        char delim;
        const char *keys[14];
    } want[] = {
        {"cases.csv",
         ';',
         {"ma_viec", "ma_don_vi", "ten_don_vi", "chap_hanh_vien", "so_quyet_dinh", "ngay_thu_ly",
          "ngay_quyet_dinh", "hinh_thuc", "loai_an", "nhom_viec", "so_tien_phai_thi_hanh",
          "nguoi_phai_thi_hanh", NULL}},
        {"events.csv", ',', {"ma_viec", "ngay", "su_kien", "so_tien", "ghi_chu", NULL}},
        {"thahc.csv",
         '\t',
         {"ma_ban_an", "ma_don_vi", "ten_don_vi", "so_ban_an", "toa_an", "nguoi_phai_thi_hanh",
          "noi_dung", "cap_phai_thi_hanh", "ngay_thu_ly", "ngay_qd_buoc", "ngay_xong",
          "ngay_huy_hoan_tdc", "ngay_kien_nghi", NULL}},
    };
    for (size_t k = 0; k < N_ELEMS(want); k++) {
        ttab t;
        tab_load(d, want[k].file, want[k].delim, &t);
        size_t nkeys = 0;
        for (const char *const *p = want[k].keys; *p; p++, nkeys++)
            (void)col(&t, *p); /* asserts the column exists */
        /* the spelling differs from the canonical key for at least one column */
        size_t plain = 0;
        for (size_t j = 0; j < t.r[0].n; j++)
            for (size_t i = 0; i < nkeys; i++)
                plain += strcmp(t.r[0].f[j], want[k].keys[i]) == 0;
        cr_expect_lt(plain, nkeys, "%s headers are all canonical", want[k].file);
        /* and the columns come in another order */
        size_t in_place = 0;
        for (size_t i = 0; i < nkeys; i++)
            in_place += col(&t, want[k].keys[i]) == i;
        cr_expect_lt(in_place, nkeys, "%s keeps the canonical column order", want[k].file);
    }
}

Test(sample, messy_mode_writes_the_same_cases_and_events_as_clean_mode)
{
    char *cd = gen(1200, 77, 6, false), *md = gen(1200, 77, 6, true);
    ttab cc, mc, ce, me;
    tab_load(cd, "cases.csv", ',', &cc);
    tab_load(md, "cases.csv", ';', &mc);
    tab_load(cd, "events.csv", ',', &ce);
    tab_load(md, "events.csv", ',', &me);
    cr_assert_eq(mc.n, cc.n);
    cr_assert_eq(me.n, ce.n);
    size_t a = col(&cc, "ma_viec"), b = col(&mc, "ma_viec");
    size_t ao = col(&cc, "so_tien_phai_thi_hanh"), bo = col(&mc, "so_tien_phai_thi_hanh");
    size_t at = col(&cc, "ngay_thu_ly"), bt = col(&mc, "ngay_thu_ly");
    size_t ac = col(&cc, "chap_hanh_vien"), bc = col(&mc, "chap_hanh_vien");
    thk_buf nfc = {0};
    for (size_t r = 1; r < cc.n; r++) {
        cr_assert_str_eq(cc.r[r].f[a], mc.r[r].f[b]);
        cr_assert_eq(pmoney(cc.r[r].f[ao]), pmoney(mc.r[r].f[bo]), "row %zu", r);
        cr_assert_eq(pdate(cc.r[r].f[at]), pdate(mc.r[r].f[bt]), "row %zu", r);
        text_nfc(mc.r[r].f[bc], strlen(mc.r[r].f[bc]), &nfc);
        cr_assert_str_eq(cc.r[r].f[ac], nfc.data, "row %zu", r);
    }
    buf_free(&nfc);
    /* the same events per case, whatever the order and spelling */
    size_t ea = col(&ce, "ma_viec"), eb = col(&me, "ma_viec");
    size_t da = col(&ce, "ngay"), db = col(&me, "ngay");
    tid *ia = index_ids(&ce, ea), *ib = index_ids(&me, eb);
    for (size_t i = 0; i + 1 < ce.n; i++)
        cr_assert_str_eq(ia[i].id, ib[i].id);
    thk_date sa = 0, sb = 0;
    for (size_t i = 1; i < ce.n; i++) {
        sa += pdate(ce.r[i].f[da]);
        sb += pdate(me.r[i].f[db]);
    }
    cr_expect_eq(sa, sb, "event dates differ");
    free(ia);
    free(ib);
}

/* ---- options and writing -------------------------------------------------------------- */

Test(sample, option_errors_return_the_usage_exit_code)
{
    char *d = own(tu_tempdir());
    static const char *const bad[][6] = {
        {"sample", NULL},
        {"sample", "--cases", "10", NULL},
        {"sample", "--out", NULL},
        {"sample", "--out=", NULL},
        {"sample", "--out", "X", "--bogus", NULL},
        {"sample", "--out", "X", "extra", NULL},
        {"sample", "--out", "X", "--cases", "abc", NULL},
        {"sample", "--out", "X", "--cases", "-5", NULL},
        {"sample", "--out", "X", "--cases", "100000001", NULL},
        {"sample", "--out", "X", "--seed", "1.5", NULL},
        {"sample", "--out", "X", "--seed", "18446744073709551616", NULL},
        {"sample", "--out", "X", "--units", "0", NULL},
        {"sample", "--out", "X", "--units", "1001", NULL},
        {"sample", "--out", "X", "--units", NULL},
    };
    for (size_t i = 0; i < N_ELEMS(bad); i++) {
        char *argv[6];
        int argc = 0;
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/out", d);
        for (; bad[i][argc]; argc++)
            argv[argc] = strcmp(bad[i][argc], "X") == 0 ? sub : (char *)bad[i][argc];
        argv[argc] = NULL;
        cr_expect_eq(sample_main(argc, argv), THK_EXIT_USAGE, "case %zu", i);
        cr_expect(!exists(d, "out/cases.csv"), "case %zu wrote output", i);
    }
    sample_opts o;
    sample_opts_init(&o);
    char err[256];
    cr_expect_eq(sample_write(&o, err, sizeof err), THK_EXIT_USAGE);
    cr_expect_not_null(strstr(err, "--out"));
    o.out_dir = d;
    o.units = 0;
    cr_expect_eq(sample_write(&o, err, sizeof err), THK_EXIT_USAGE);
    o.units = 8;
    o.cases = SAMPLE_MAX_CASES + 1;
    cr_expect_eq(sample_write(&o, err, sizeof err), THK_EXIT_USAGE);
}

Test(sample, help_succeeds_and_options_accept_both_spellings)
{
    char *help[] = {"sample", "--help", NULL};
    cr_expect_eq(sample_main(2, help), THK_EXIT_OK);
    char *d = own(tu_tempdir());
    char out[4096];
    snprintf(out, sizeof out, "--out=%s/deep/er", d);
    char *argv[] = {"sample", out, "--cases=25", "--seed", "9", "--units=2", "--messy", NULL};
    cr_assert_eq(sample_main(7, argv), THK_EXIT_OK);
    char sub[4096];
    snprintf(sub, sizeof sub, "%s/deep/er", d);
    cr_expect(exists(sub, "cases.csv") && exists(sub, "events.csv") && exists(sub, "thahc.csv"));
    cr_expect(!exists(sub, ".cases.csv.tmp") && !exists(sub, ".events.csv.tmp") &&
              !exists(sub, ".thahc.csv.tmp"));
}

Test(sample, an_unwritable_output_returns_4_and_leaves_old_files_and_no_temporary)
{
    char *d = own(tu_tempdir());
    /* a folder that cannot be created: its parent is a regular file */
    own(tu_write_str(d, "plain", "x"));
    char bad[4096];
    snprintf(bad, sizeof bad, "%s/plain/sub", d);
    sample_opts o;
    sample_opts_init(&o);
    o.out_dir = bad;
    o.cases = 10;
    char err[512];
    cr_expect_eq(sample_write(&o, err, sizeof err), THK_EXIT_OUTPUT);
    cr_expect_not_null(strstr(err, bad), "message does not name the path: %s", err);

    /* a write that fails (full disk): the temporary of events.csv is /dev/full */
    if (access("/dev/full", W_OK) != 0)
        return;
    own(tu_write_str(d, "cases.csv", "old\n"));
    char link[4096];
    snprintf(link, sizeof link, "%s/.events.csv.tmp", d);
    cr_assert_eq(symlink("/dev/full", link), 0);
    o.out_dir = d;
    o.cases = 2000;
    cr_expect_eq(sample_write(&o, err, sizeof err), THK_EXIT_OUTPUT);
    cr_expect_not_null(strstr(err, ".events.csv.tmp"), "message: %s", err);
    char *old = slurp(d, "cases.csv", NULL);
    cr_expect_str_eq(old, "old\n", "cases.csv was replaced by a failed run");
    free(old);
    cr_expect(!exists(d, "events.csv") && !exists(d, "thahc.csv"));
    cr_expect(!exists(d, ".cases.csv.tmp") && !exists(d, ".events.csv.tmp") &&
              !exists(d, ".thahc.csv.tmp"));
}

/* --profile backlog (issue "speed on a backlog-heavy export"): the same generator, other
 * odds. Debts mostly not round thousands; more judgments; older stock. The default profile
 * is unchanged (its files are pinned by the other tests of this suite). */
Test(sample, the_backlog_profile_draws_an_old_open_stock_with_uneven_amounts)
{
    char *plain = gen(4000, 11, 8, false);
    char *dir = own(tu_tempdir());
    sample_opts o;
    sample_opts_init(&o);
    o.out_dir = dir;
    o.cases = 4000;
    o.seed = 11;
    o.backlog = true;
    char err[512];
    cr_assert_eq(sample_write(&o, err, sizeof err), THK_EXIT_OK, "%s", err);
    size_t round[2] = {0, 0}, old[2] = {0, 0}, n[2] = {0, 0}, nh[2];
    const char *dirs[2] = {plain, dir};
    for (int k = 0; k < 2; k++) {
        ttab c, h;
        tab_load(dirs[k], "cases.csv", ',', &c);
        tab_load(dirs[k], "thahc.csv", ',', &h);
        size_t m = col(&c, "so_tien_phai_thi_hanh"), d = col(&c, "ngay_thu_ly");
        for (size_t i = 1; i < c.n; i++) {
            n[k]++;
            round[k] += pmoney(c.r[i].f[m]) % 1000 == 0;
            old[k] += pdate(c.r[i].f[d]) < date_from_ymd(2021, 1, 1);
        }
        nh[k] = h.n - 1;
    }
    /* court fees and fines stay round in both; the debts are uneven in a backlog */
    size_t uneven0 = n[0] - round[0], uneven1 = n[1] - round[1];
    cr_expect_gt(uneven1, 2 * uneven0, "backlog: uneven amounts %zu vs %zu", uneven1, uneven0);
    cr_expect_gt(uneven1 * 10, n[1] * 3, "backlog: over 30 %% uneven (%zu of %zu)", uneven1, n[1]);
    cr_expect_gt(old[1] * 4, old[0] * 5, "backlog: older stock (%zu vs %zu before 2021)", old[1],
                 old[0]);
    cr_expect_gt(nh[1], nh[0], "backlog: more administrative judgments");
}
