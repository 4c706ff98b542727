/* Tests of load: schema binding, typed rows, every reject code the loader emits, file errors. */
#include "load.h"
#include "sha256.h"
#include "testutil.h"

#include <criterion/criterion.h>

#define CASES_HDR                                                                                  \
    "ma_viec,ma_don_vi,ten_don_vi,ngay_thu_ly,ngay_quyet_dinh,so_tien_phai_thi_hanh,loai_an\n"

typedef struct {
    model *m;
    reject_log *rej;
    rule_map *su_kien, *loai_an;
    load_opts o;
    load_stats st;
    thk_buf err;
} fixture;

static void fx_init(fixture *f)
{
    memset(f, 0, sizeof *f);
    f->m = model_new();
    f->rej = rejects_new();
    char e[256];
    size_t off;
    f->su_kien = rule_map_new("su_kien");
    cr_assert_geq(rule_map_add(f->su_kien, "thu_tien", "thu\\s*tiền", strlen("thu\\s*tiền"), RULE_PAT_I | RULE_PAT_A, e,
                               sizeof e, &off), 0);
    cr_assert_geq(rule_map_add(f->su_kien, "xong", "xong", strlen("xong"), RULE_PAT_I, e, sizeof e, &off), 0);
    cr_assert_geq(rule_map_add(f->su_kien, "lam_sai", "sai", strlen("sai"), RULE_PAT_I, e, sizeof e, &off), 0);
    cr_assert_geq(rule_map_add(f->su_kien, "xong", "^(a+)+$", strlen("^(a+)+$"), 0, e, sizeof e, &off), 0);
    f->loai_an = rule_map_new("loai_an");
    cr_assert_geq(rule_map_add(f->loai_an, "dan_su", "dân\\s*sự", strlen("dân\\s*sự"), RULE_PAT_I | RULE_PAT_A, e,
                               sizeof e, &off), 0);
    cr_assert_geq(rule_map_add(f->loai_an, "hinh_su", "hình\\s*sự", strlen("hình\\s*sự"), RULE_PAT_I | RULE_PAT_A, e,
                               sizeof e, &off), 0);
    f->o.su_kien = f->su_kien;
    f->o.loai_an = f->loai_an;
    f->o.rejects = f->rej;
}

static void fx_free(fixture *f)
{
    model_free(f->m);
    rejects_free(f->rej);
    rule_map_free(f->su_kien);
    rule_map_free(f->loai_an);
    buf_free(&f->err);
}

static int load_str(fixture *f, load_kind k, const char *name, const char *text)
{
    buf_clear(&f->err);
    return load_memory(f->m, k, name, text, strlen(text), &f->o, &f->st, &f->err);
}

/* The single reject of the log: asserts its code, line and column and that its message holds
 * the catalogue text. */
static void expect_one(fixture *f, thk_reject code, uint32_t line, const char *column)
{
    cr_assert_eq(rejects_count(f->rej), 1, "rejects: %zu", rejects_count(f->rej));
    const reject_entry *e = rejects_get(f->rej, 0);
    cr_assert_eq(e->code, code, "code %s, want %s", thk_reject_code(e->code), thk_reject_code(code));
    cr_assert_eq(e->line, line);
    cr_assert_str_eq(e->column, column);
    thk_buf msg = {0};
    rejects_message(e, &msg);
    cr_assert(strstr(msg.data, thk_reject_message(code)) == msg.data, "%s", msg.data);
    buf_free(&msg);
}

Test(load, binds_columns_in_any_order_with_accents_case_and_spaces)
{
    fixture f;
    fx_init(&f);
    const char *csv = "Số tiền phải thi hành; NGÀY QUYẾT ĐỊNH ;Ngày-thụ-lý;Mã đơn vị;Mã việc;Ghi chú lạ\n"
                      "1.234.567 đ;05/11/2025;2025-11-01;GL-KV01;V1;x\n";
    f.o.delimiter = 0;
    cr_assert_eq(load_str(&f, LOAD_CASES, "cases.csv", csv), 0, "%s", f.err.data);
    cr_assert_eq(f.m->ncases, 1);
    cr_assert_eq(f.m->cases[0].so_tien, 1234567);
    cr_assert_str_eq(model_str(f.m, f.m->cases[0].ma_viec), "V1");
    cr_assert_eq(f.st.read, 1);
    cr_assert_eq(f.st.accepted, 1);
    cr_assert_eq(f.m->nunits, 1);
    cr_assert_eq(f.m->units[0].seen, MODEL_SEEN_CASES);
    fx_free(&f);
}

Test(load, binds_a_header_through_a_rule_alias)
{
    fixture f;
    fx_init(&f);
    load_alias al[] = {{LOAD_CASES, "ngay_quyet_dinh", "Ngày ra QĐ THA"}};
    f.o.aliases = al;
    f.o.naliases = 1;
    const char *csv = "ma_viec,ma_don_vi,ngay_thu_ly,Ngày ra QĐ THA,so_tien_phai_thi_hanh\n"
                      "V1,U,01/11/2025,5/11/2025,0\n";
    cr_assert_eq(load_str(&f, LOAD_CASES, "cases.csv", csv), 0, "%s", f.err.data);
    cr_assert_eq(f.m->ncases, 1);
    cr_assert_neq(f.m->cases[0].ngay_quyet_dinh, THK_DATE_NONE);
    fx_free(&f);
}

Test(load, a_missing_required_column_is_a_file_error_naming_it)
{
    fixture f;
    fx_init(&f);
    int rc = load_str(&f, LOAD_CASES, "cases.csv", "ma_viec,ma_don_vi,ngay_thu_ly\nV1,U,01/01/2025\n");
    cr_assert_eq(rc, THK_EXIT_INPUT);
    cr_assert(strstr(f.err.data, "cases.csv") && strstr(f.err.data, "ngay_quyet_dinh"), "%s",
              f.err.data);
    fx_free(&f);
}

Test(load, an_empty_file_is_a_file_error)
{
    fixture f;
    fx_init(&f);
    cr_assert_eq(load_str(&f, LOAD_CASES, "cases.csv", ""), THK_EXIT_INPUT);
    cr_assert(strstr(f.err.data, "cases.csv") != NULL);
    fx_free(&f);
}

Test(load, an_undecodable_header_is_a_file_error)
{
    fixture f;
    fx_init(&f);
    cr_assert_eq(load_str(&f, LOAD_CASES, "cases.csv", "ma_vi\xFF" "c,x\n1,2\n"), THK_EXIT_INPUT);
    cr_assert(strstr(f.err.data, "encoding") != NULL, "%s", f.err.data);
    fx_free(&f);
}

Test(load, a_column_bound_twice_is_a_file_error)
{
    fixture f;
    fx_init(&f);
    int rc = load_str(&f, LOAD_CASES, "cases.csv", "ma_viec,Mã việc\n1,2\n");
    cr_assert_eq(rc, THK_EXIT_INPUT);
    cr_assert(strstr(f.err.data, "hai lần") != NULL, "%s", f.err.data);
    fx_free(&f);
}

typedef struct {
    const char *row; /* a cases.csv data row under CASES_HDR */
    thk_reject code;
    const char *column;
} row_case;

static const row_case case_rejects[] = {
    {"V1,U,,01/11/2025,05/11/2025,100", REJ_FIELD_COUNT, ""},
    {"V1,U,,01/11/2025,05/11/2025,100,Dân sự,extra", REJ_FIELD_COUNT, ""},
    {"V1,U,T\xC3(n,01/11/2025,05/11/2025,100,", REJ_UTF8, "ten_don_vi"},
    {",U,,01/11/2025,05/11/2025,100,", REJ_REQUIRED, "ma_viec"},
    {"V1,,,01/11/2025,05/11/2025,100,", REJ_REQUIRED, "ma_don_vi"},
    {"V1,U,,2025/11/01,05/11/2025,100,", REJ_DATE_FORMAT, "ngay_thu_ly"},
    {"V1,U,,31/02/2024,05/11/2025,100,", REJ_DATE_IMPOSSIBLE, "ngay_thu_ly"},
    {"V1,U,,01/11/1900,05/11/2025,100,", REJ_DATE_RANGE, "ngay_thu_ly"},
    {"V1,U,,01/11/2025,05/11/2025,12a,", REJ_MONEY_FORMAT, "so_tien_phai_thi_hanh"},
    {"V1,U,,01/11/2025,05/11/2025,-100,", REJ_MONEY_NEGATIVE, "so_tien_phai_thi_hanh"},
    {"V1,U,,01/11/2025,05/11/2025,\"12,5\",", REJ_MONEY_FRACTION, "so_tien_phai_thi_hanh"},
    {"V1,U,,01/11/2025,05/11/2025,900000000000000001,", REJ_MONEY_RANGE, "so_tien_phai_thi_hanh"},
    {"V1,U,,01/11/2025,05/11/2025,100,Phá sản", REJ_UNKNOWN_VALUE, "loai_an"},
};

Test(load, each_row_reject_code_names_line_column_and_message)
{
    for (size_t i = 0; i < sizeof case_rejects / sizeof case_rejects[0]; i++) {
        fixture f;
        fx_init(&f);
        char csv[512];
        snprintf(csv, sizeof csv, CASES_HDR "V0,U,,01/11/2025,05/11/2025,1,\n%s\n",
                 case_rejects[i].row);
        cr_assert_eq(load_str(&f, LOAD_CASES, "cases.csv", csv), 0, "%s", f.err.data);
        expect_one(&f, case_rejects[i].code, 3, case_rejects[i].column);
        cr_assert_eq(f.st.read, 2);
        cr_assert_eq(f.st.accepted, 1);
        cr_assert_eq(f.st.rejected, 1, "row %zu", i);
        cr_assert_eq(f.m->ncases, 1);
        fx_free(&f);
    }
}

Test(load, a_field_longer_than_64k_is_rejected)
{
    fixture f;
    fx_init(&f);
    size_t n = 70000;
    char *csv = malloc(n + 256);
    int k = snprintf(csv, 256, CASES_HDR "V1,U,");
    memset(csv + k, 'x', n);
    snprintf(csv + k + n, 200, ",01/11/2025,05/11/2025,1,\n");
    cr_assert_eq(load_str(&f, LOAD_CASES, "cases.csv", csv), 0);
    expect_one(&f, REJ_FIELD_TOO_LONG, 2, "ten_don_vi");
    free(csv);
    fx_free(&f);
}

Test(load, a_duplicate_case_id_keeps_the_first_row)
{
    fixture f;
    fx_init(&f);
    const char *csv = CASES_HDR "V1,U,,01/11/2025,05/11/2025,1,\nV1,U,,01/11/2025,05/11/2025,2,\n";
    cr_assert_eq(load_str(&f, LOAD_CASES, "cases.csv", csv), 0);
    expect_one(&f, REJ_DUPLICATE_ID, 3, "ma_viec");
    cr_assert_eq(f.m->cases[0].so_tien, 1);
    cr_assert(strstr(rejects_get(f.rej, 0)->detail, "dòng 2") != NULL);
    fx_free(&f);
}

Test(load, a_different_unit_name_is_a_warning_and_the_row_is_kept)
{
    fixture f;
    fx_init(&f);
    const char *csv = CASES_HDR "V1,U,Tên A,01/11/2025,05/11/2025,1,\nV2,U,Tên B,01/11/2025,05/11/2025,1,\n";
    cr_assert_eq(load_str(&f, LOAD_CASES, "cases.csv", csv), 0);
    expect_one(&f, WARN_UNIT_NAME, 3, "ten_don_vi");
    cr_assert_eq(f.m->ncases, 2);
    cr_assert_eq(f.st.warned, 1);
    cr_assert_str_eq(model_str(f.m, f.m->units[0].name), "Tên A");
    fx_free(&f);
}

Test(load, a_unit_from_a_rejected_row_does_not_appear)
{
    fixture f;
    fx_init(&f);
    const char *csv = CASES_HDR "V1,U,,01/11/2025,05/11/2025,1,\nV2,BAD,,xx,05/11/2025,1,\n";
    cr_assert_eq(load_str(&f, LOAD_CASES, "cases.csv", csv), 0);
    cr_assert_eq(f.m->nunits, 1);
    fx_free(&f);
}

#define EVENTS_HDR "ma_viec,ngay,su_kien,so_tien,ghi_chu\n"

static void load_two_cases(fixture *f)
{
    const char *csv = CASES_HDR "V1,U,,01/11/2025,05/11/2025,1000,\nV2,U,,01/11/2025,05/11/2025,1000,\n";
    cr_assert_eq(load_str(f, LOAD_CASES, "cases.csv", csv), 0);
}

Test(load, events_attach_to_their_case_in_date_then_file_order)
{
    fixture f;
    fx_init(&f);
    load_two_cases(&f);
    const char *ev = EVENTS_HDR "V2,10/12/2025,Xong,,\n"
                                "V1,09/12/2025,Thu tien,100,a\n"
                                "V1,01/12/2025,THU TIỀN,\"1.000\",\n"
                                "V1,09/12/2025,xong,,b\n";
    cr_assert_eq(load_str(&f, LOAD_EVENTS, "events.csv", ev), 0, "%s", f.err.data);
    cr_assert_eq(rejects_count(f.rej), 0);
    model_finish(f.m);
    const model_case *c = &f.m->cases[0];
    cr_assert_eq(c->ev_count, 3);
    const model_event *e = &f.m->events[c->ev_first];
    cr_assert_eq(model_event_amount(f.m, &e[0]), 1000);
    cr_assert_eq(e[1].kind, EV_THU_TIEN);
    cr_assert_eq(e[1].line, 3);
    cr_assert_eq(e[2].kind, EV_XONG);
    cr_assert_str_eq(model_str(f.m, model_event_note(f.m, &e[2])), "b");
    cr_assert_eq(f.m->cases[1].ev_count, 1);
    fx_free(&f);
}

typedef struct {
    const char *row;
    thk_reject code;
    const char *column;
} ev_case;

static const ev_case event_rejects[] = {
    {"V9,01/12/2025,Xong,,", REJ_UNKNOWN_CASE, "ma_viec"},
    {"V1,01/12/2025,Không rõ,,", REJ_UNKNOWN_VALUE, "su_kien"},
    {"V1,01/12/2025,Làm sai,,", REJ_UNKNOWN_VALUE, "su_kien"},
    {"V1,01/12/2025,Thu tiền,,", REJ_AMOUNT_REQUIRED, "so_tien"},
    {"V1,01/12/2025,Thu tiền,0,", REJ_AMOUNT_REQUIRED, "so_tien"},
    {"V1,01/12/2025,Thu tiền,abc,", REJ_MONEY_FORMAT, "so_tien"},
    {"V1,,Xong,,", REJ_REQUIRED, "ngay"},
    {"V1,01/12/2025,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab,,", REJ_PATTERN_LIMIT, "su_kien"},
};

Test(load, each_event_reject_code_names_line_column_and_message)
{
    for (size_t i = 0; i < sizeof event_rejects / sizeof event_rejects[0]; i++) {
        fixture f;
        fx_init(&f);
        load_two_cases(&f);
        char csv[512];
        snprintf(csv, sizeof csv, EVENTS_HDR "%s\n", event_rejects[i].row);
        cr_assert_eq(load_str(&f, LOAD_EVENTS, "events.csv", csv), 0, "%s", f.err.data);
        expect_one(&f, event_rejects[i].code, 2, event_rejects[i].column);
        cr_assert_eq(f.m->nevents, 0);
        cr_assert_eq(f.st.rejected, 1);
        fx_free(&f);
    }
}

Test(load, money_is_ignored_on_events_that_carry_none)
{
    fixture f;
    fx_init(&f);
    load_two_cases(&f);
    cr_assert_eq(load_str(&f, LOAD_EVENTS, "events.csv", EVENTS_HDR "V1,01/12/2025,Xong,abc,\n"), 0);
    cr_assert_eq(rejects_count(f.rej), 0);
    cr_assert_eq(model_event_amount(f.m, &f.m->events[0]), 0);
    fx_free(&f);
}

Test(load, thahc_rows_with_optional_dates_and_duplicates)
{
    fixture f;
    fx_init(&f);
    const char *csv = "ma_ban_an,ma_don_vi,ngay_thu_ly,ngay_xong,cap_phai_thi_hanh\n"
                      "B1,U,01/11/2025,,UBND tỉnh\n"
                      "B1,U,01/11/2025,,\n"
                      "B2,U2,01/11/2025,32/12/2025,\n";
    cr_assert_eq(load_str(&f, LOAD_THAHC, "thahc.csv", csv), 0, "%s", f.err.data);
    cr_assert(f.m->has_thahc);
    cr_assert_eq(f.m->nthahc, 1);
    cr_assert_eq(f.m->thahc[0].ngay_xong, THK_DATE_NONE);
    cr_assert_eq(f.m->thahc[0].cap, MODEL_NO_VALUE, "no cap map given: unmapped");
    cr_assert_eq(rejects_count(f.rej), 2);
    cr_assert_eq(rejects_get(f.rej, 0)->code, REJ_DUPLICATE_ID);
    cr_assert_eq(rejects_get(f.rej, 1)->code, REJ_DATE_IMPOSSIBLE);
    cr_assert_eq(f.m->nunits, 1, "U2 came from a rejected row");
    fx_free(&f);
}

Test(load, a_cp1258_file_loads_as_nfc)
{
    fixture f;
    fx_init(&f);
    f.o.encoding = "cp1258";
    const char csv[] = CASES_HDR "V1,U,Vi\xEA\xF2" "c,01/11/2025,05/11/2025,1,\n";
    cr_assert_eq(load_memory(f.m, LOAD_CASES, "cases.csv", csv, sizeof csv - 1, &f.o, &f.st, &f.err),
                 0, "%s", f.err.data);
    cr_assert_eq(rejects_count(f.rej), 0);
    cr_assert_str_eq(model_str(f.m, f.m->units[0].name), "Vi\xE1\xBB\x87" "c");
    fx_free(&f);
}

Test(load, keeps_requested_extra_columns_as_text)
{
    fixture f;
    fx_init(&f);
    const char *extra[] = {"ly_do"};
    f.o.extra_cases = extra;
    f.o.nextra_cases = 1;
    const char *csv = "ma_viec,ma_don_vi,ngay_thu_ly,ngay_quyet_dinh,so_tien_phai_thi_hanh,Lý do\n"
                      "V1,U,01/11/2025,05/11/2025,1,tranh chấp\nV2,U,01/11/2025,05/11/2025,1,\n";
    cr_assert_eq(load_str(&f, LOAD_CASES, "cases.csv", csv), 0, "%s", f.err.data);
    cr_assert_eq(f.m->case_extra.ncols, 1);
    cr_assert_str_eq(model_str(f.m, f.m->case_extra.values[0][0]), "tranh chấp");
    cr_assert_eq(f.m->case_extra.values[0][1], 0);
    fx_free(&f);
}

Test(load, events_already_grouped_by_case_are_used_in_place)
{
    fixture f;
    fx_init(&f);
    load_two_cases(&f);
    const char *ev = EVENTS_HDR "V2,01/12/2025,Thu tiền,5,\n"
                                "V2,03/12/2025,Xong,,\n"
                                "V1,02/12/2025,Thu tiền,7,\n";
    cr_assert_eq(load_str(&f, LOAD_EVENTS, "events.csv", ev), 0);
    model_event *before = f.m->events;
    model_finish(f.m);
    cr_assert_eq(f.m->events, before, "no copy for grouped input");
    cr_assert_eq(f.m->cases[1].ev_first, 0);
    cr_assert_eq(f.m->cases[1].ev_count, 2);
    cr_assert_eq(f.m->cases[0].ev_first, 2);
    cr_assert_eq(model_event_amount(f.m, &f.m->events[f.m->cases[0].ev_first]), 7);
    fx_free(&f);
}

Test(load, a_case_whose_events_are_split_or_unordered_is_sorted)
{
    fixture f;
    fx_init(&f);
    load_two_cases(&f);
    const char *ev = EVENTS_HDR "V1,05/12/2025,Xong,,\n"
                                "V2,01/12/2025,Thu tiền,5,\n"
                                "V1,02/12/2025,Thu tiền,7,\n";
    cr_assert_eq(load_str(&f, LOAD_EVENTS, "events.csv", ev), 0);
    model_finish(f.m);
    const model_case *c = &f.m->cases[0];
    cr_assert_eq(c->ev_count, 2);
    cr_assert_eq(model_event_amount(f.m, &f.m->events[c->ev_first]), 7, "date order within the case");
    cr_assert_eq(f.m->events[c->ev_first + 1].kind, EV_XONG);
    fx_free(&f);
}

/* The events of b are those of a once both are finished: each case has the same slice,
 * holding the same events (date, kind, line, amount, note) in the same order. */
static void expect_same_events(model *a, model *b)
{
    model_finish(a);
    model_finish(b);
    cr_assert_eq(b->nevents, a->nevents);
    cr_assert_eq(b->ncases, a->ncases);
    for (size_t c = 0; c < a->ncases; c++) {
        cr_assert_eq(b->cases[c].ev_first, a->cases[c].ev_first, "case %zu", c);
        cr_assert_eq(b->cases[c].ev_count, a->cases[c].ev_count, "case %zu", c);
    }
    for (size_t i = 0; i < a->nevents; i++) {
        const model_event *x = &a->events[i], *y = &b->events[i];
        cr_assert_eq(y->line, x->line);
        cr_assert_eq(y->date, x->date);
        cr_assert_eq(y->kind, x->kind);
        cr_assert_eq(model_event_amount(b, y), model_event_amount(a, x));
        cr_assert_str_eq(model_str(b, model_event_note(b, y)), model_str(a, model_event_note(a, x)));
    }
}

/* b's reject log holds a's entries; in the same order, or once both are sorted when `sort`. */
static void expect_same_rejects(reject_log *a, reject_log *b, bool sort)
{
    if (sort) {
        rejects_sort(a);
        rejects_sort(b);
    }
    cr_assert_eq(rejects_count(b), rejects_count(a));
    for (size_t i = 0; i < rejects_count(a); i++) {
        const reject_entry *x = rejects_get(a, i), *y = rejects_get(b, i);
        cr_assert_eq(y->code, x->code);
        cr_assert_eq(y->line, x->line);
        cr_assert_str_eq(y->column, x->column);
        cr_assert_str_eq(y->value, x->value);
        cr_assert_str_eq(y->file, x->file);
    }
}

/* 150 characters: its length takes two bytes where the events thread keeps run keys */
#define LONG_KEY                                                                                   \
    "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijk" \
    "lmnopqrstuvwxyz0123456789abcdefghijklmnopqrstu"

Test(load, two_threads_give_the_same_model_and_rejects_as_one)
{
    char *dir = tu_tempdir();
    char *cp = tu_write_str(dir, "cases.csv",
                            CASES_HDR "V1,U,,01/11/2025,05/11/2025,1000,\n"
                                      "V2,U,,01/11/2025,05/11/2025,1000,\n"
                                      "V2,U,,01/11/2025,05/11/2025,1000,\n");
    char *ep = tu_write_str(dir, "events.csv",
                            "Mã việc,ngay,su_kien,so_tien,ghi_chu\n"
                            "V1,01/12/2025,Thu tiền,100,ghi chú A\n"
                            "V9,01/12/2025,Xong,,\n"
                            "V2,02/12/2025,Xong,,ghi chú B\n"
                            "V1,03/12/2025,Xong,,ghi chú A\n"
                            "V1,xx,Xong,,\n"
                            "V8,04/12/2025,Xong,,\n"
                            "V2,05/12/2025,Xong,,\n"
                            "V8,06/12/2025,Xong,,\n"
                            "V7-" LONG_KEY ",07/12/2025,Xong,,\n"
                            "V7-" LONG_KEY ",08/12/2025,Xong,,\n"
                            "V6,09/12/2025,Xong,,\n");
    fixture a, b;
    fx_init(&a);
    fx_init(&b);
    load_stats c1, e1, c2, e2;
    cr_assert_eq(load_file(a.m, LOAD_CASES, cp, &a.o, &c1, &a.err), 0);
    cr_assert_eq(load_file(a.m, LOAD_EVENTS, ep, &a.o, &e1, &a.err), 0);
    cr_assert_eq(load_cases_events(b.m, cp, ep, &b.o, &c2, &e2, NULL, &b.err), 0, "%s", b.err.data);
    cr_assert_eq(b.m->ncases, a.m->ncases);
    cr_assert_eq(b.m->nevents, 4);
    expect_same_events(a.m, b.m);
    cr_assert_eq(e2.read, e1.read);
    cr_assert_eq(e2.accepted, e1.accepted);
    cr_assert_eq(e2.rejected, e1.rejected);
    cr_assert_eq(e2.rejected, 7);
    /* each reader hashes its own file */
    char want[65];
    cr_assert_eq(sha256_file(cp, want, NULL, NULL), 0);
    cr_assert_str_eq(c2.sha256, want);
    cr_assert_str_eq(c2.sha256, c1.sha256);
    cr_assert_eq(sha256_file(ep, want, NULL, NULL), 0);
    cr_assert_str_eq(e2.sha256, want);
    cr_assert_str_eq(e2.sha256, e1.sha256);
    expect_same_rejects(a.rej, b.rej, true);
    fx_free(&a);
    fx_free(&b);
    free(cp);
    free(ep);
    free(dir);
}

/* The extra column's text of case i: long for the first 150 rows, short after. */
static void extra_reason(char *out, size_t n, size_t i)
{
    if (i < 150)
        snprintf(out, n, "lý do dài %zu %0300zu", i, i);
    else
        snprintf(out, n, "ld%zu", i);
}

/* The case rows are reserved from the file's estimated count before its header is read; an
 * extra column kept for the rules must have room for every case all the same, also when the
 * estimate was short (long lines first, then short ones) and the rows grow past it. */
Test(load, extra_columns_have_room_for_reserved_and_grown_rows)
{
    char *dir = tu_tempdir();
    thk_buf csv = {0};
    buf_printf(&csv, "ma_viec,ma_don_vi,ngay_thu_ly,ngay_quyet_dinh,so_tien_phai_thi_hanh,Lý do\n");
    const size_t n = 6000;
    for (size_t i = 0; i < n; i++) {
        char why[400];
        extra_reason(why, sizeof why, i);
        buf_printf(&csv, "V%zu,U,01/11/2025,05/11/2025,1,%s\n", i, why);
    }
    char *cp = tu_write(dir, "cases.csv", csv.data, csv.len);
    char *ep = tu_write_str(dir, "events.csv", EVENTS_HDR "V1,02/12/2025,Xong,,\n");
    cr_assert_lt(load_estimate_rows(cp), n, "the estimate must fall short for this test");
    fixture f;
    fx_init(&f);
    const char *extra[] = {"ly_do"};
    f.o.extra_cases = extra;
    f.o.nextra_cases = 1;
    load_stats cs, es;
    cr_assert_eq(load_cases_events(f.m, cp, ep, &f.o, &cs, &es, NULL, &f.err), 0, "%s",
                 f.err.data);
    cr_assert_eq(f.m->ncases, n);
    cr_assert_eq(f.m->case_extra.ncols, 1);
    for (size_t i = 0; i < n; i++) {
        char want[400];
        extra_reason(want, sizeof want, i);
        cr_assert_str_eq(model_str(f.m, f.m->case_extra.values[0][i]), want, "case %zu", i);
    }
    fx_free(&f);
    buf_free(&csv);
    free(cp);
    free(ep);
    free(dir);
}

/* A file of short lines (broken, or made to exhaust memory) is estimated at many rows; the
 * case rows reserved for it stay within what its bytes could hold as cases. */
Test(load, short_lines_do_not_size_the_case_rows_past_the_file)
{
    char *dir = tu_tempdir();
    thk_buf csv = {0};
    buf_printf(&csv, CASES_HDR);
    while (csv.len < (1u << 20))
        buf_append(&csv, "x\n", 2);
    char *cp = tu_write(dir, "cases.csv", csv.data, csv.len);
    char *ep = tu_write_str(dir, "events.csv", EVENTS_HDR);
    cr_assert_gt(load_estimate_rows(cp), csv.len / 4, "the estimate counts the short lines");
    fixture f;
    fx_init(&f);
    load_stats cs, es;
    cr_assert_eq(load_cases_events(f.m, cp, ep, &f.o, &cs, &es, NULL, &f.err), 0, "%s",
                 f.err.data);
    cr_assert_eq(f.m->ncases, 0);
    cr_expect_leq(f.m->cases_cap, csv.len / 16 + csv.len / 256 + 1, "%zu rows reserved",
                  f.m->cases_cap);
    fx_free(&f);
    buf_free(&csv);
    free(cp);
    free(ep);
    free(dir);
}

Test(load, two_threads_report_a_file_error_of_either_file)
{
    char *dir = tu_tempdir();
    char *cp = tu_write_str(dir, "cases.csv", CASES_HDR "V1,U,,01/11/2025,05/11/2025,1000,\n");
    fixture f;
    fx_init(&f);
    load_stats cs, es;
    cr_assert_eq(load_cases_events(f.m, cp, "/nonexistent/events.csv", &f.o, &cs, &es, NULL, &f.err),
                 THK_EXIT_INPUT);
    cr_assert(strstr(f.err.data, "/nonexistent/events.csv") != NULL, "%s", f.err.data);
    fx_free(&f);
    free(cp);
    free(dir);
}

Test(load, a_reserved_case_index_finds_and_grows_like_an_unreserved_one)
{
    model *m = model_new();
    model_reserve_cases(m, 10);
    char k[32];
    bool dup;
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(k, sizeof k, "V-%d", i);
        cr_assert_eq(model_case_add(m, k, (size_t)n, &dup), (uint32_t)i);
        cr_assert_not(dup);
    }
    model_reserve_cases(m, 100000); /* re-indexing keeps every key */
    for (int i = 0; i < 5000; i += 37) {
        int n = snprintf(k, sizeof k, "V-%d", i);
        cr_assert_eq(model_case_find(m, k, (size_t)n), (uint32_t)i);
        cr_assert_eq(model_case_add(m, k, (size_t)n, &dup), (uint32_t)i);
        cr_assert(dup);
    }
    cr_assert_eq(model_case_find(m, "V-5000", 6), UINT32_MAX);
    model_free(m);
}

/* An event's line shares 32 bits with its kind: past the limit the load stops, naming the
 * file and line, rather than storing a wrong line (the limit is lowered here to reach it). */
Test(load, estimates_rows_from_the_first_64k_and_counts_a_small_file)
{
    char *dir = tu_tempdir();
    char *small = tu_write_str(dir, "small.csv", "h\na\nb\nlast-without-newline");
    cr_assert_eq(load_estimate_rows(small), 4);
    char *empty = tu_write_str(dir, "empty.csv", "");
    cr_assert_eq(load_estimate_rows(empty), 0);
    cr_assert_eq(load_estimate_rows("/nonexistent/cases.csv"), 0);
    /* 200000 rows of 20 to 39 bytes: 5.9 MB, of which the first 64 KiB are read */
    thk_buf b = {0};
    for (int i = 0; i < 200000; i++) {
        buf_printf(&b, "V-%07d,U%d,", i, i % 7);
        for (int k = 0; k < i % 20; k++)
            buf_append(&b, "x", 1);
        buf_append(&b, "\n", 1);
    }
    char *big = tu_write(dir, "big.csv", b.data, b.len);
    size_t est = load_estimate_rows(big);
    cr_assert(est >= 196000 && est <= 204000, "estimate %zu for 200000 rows", est);
    /* one line longer than the sample: at least one row per 64 KiB */
    thk_buf w = {0};
    for (int i = 0; i < 200000; i++)
        buf_append(&w, "y", 1);
    char *wide = tu_write(dir, "wide.csv", w.data, w.len);
    cr_assert_eq(load_estimate_rows(wide), 3);
    buf_free(&b);
    buf_free(&w);
    free(small);
    free(empty);
    free(big);
    free(wide);
    free(dir);
}

Test(load, an_events_file_past_the_line_limit_is_a_file_error)
{
    fixture f;
    fx_init(&f);
    load_two_cases(&f);
    f.o.max_event_line = 3;
    const char *ev = EVENTS_HDR "V1,01/12/2025,Xong,,\n"
                                "V1,02/12/2025,Xong,,\n"
                                "V2,03/12/2025,Xong,,\n";
    cr_assert_eq(load_str(&f, LOAD_EVENTS, "events.csv", ev), THK_EXIT_INPUT);
    cr_expect(strstr(f.err.data, "events.csv: dòng 4") != NULL, "%s", f.err.data);
    cr_expect(strstr(f.err.data, "3 dòng") != NULL, "%s", f.err.data);
    f.o.max_event_line = 4;
    model_free(f.m);
    f.m = model_new();
    load_two_cases(&f);
    cr_assert_eq(load_str(&f, LOAD_EVENTS, "events.csv", ev), 0, "%s", f.err.data);
    cr_expect_eq(f.m->nevents, 3);
    cr_expect_eq(f.m->events[2].line, 4);
    cr_expect_eq(f.m->events[2].kind, EV_XONG);
    fx_free(&f);
}

/* Loads a cases file of n rows whose so_quyet_dinh and nguoi_phai_thi_hanh are text_of(i). */
static void load_many_cases(fixture *f, size_t n, void (*text_of)(size_t, char *, size_t))
{
    thk_buf csv = {0};
    buf_printf(&csv, "ma_viec,ma_don_vi,ngay_thu_ly,ngay_quyet_dinh,so_tien_phai_thi_hanh,"
                     "so_quyet_dinh,nguoi_phai_thi_hanh\n");
    char t[64];
    for (size_t i = 0; i < n; i++) {
        text_of(i, t, sizeof t);
        buf_printf(&csv, "V%zu,U,01/11/2025,05/11/2025,1000,%s,%s\n", i, t, t);
    }
    cr_assert_eq(load_memory(f->m, LOAD_CASES, "cases.csv", csv.data, csv.len, &f->o, &f->st,
                             &f->err),
                 0, "%s", f->err.data);
    buf_free(&csv);
}

static void repeating_text(size_t i, char *out, size_t n)
{
    snprintf(out, n, "%zu/QĐ-CCTHADS", i % 1000);
}

static void unique_text(size_t i, char *out, size_t n)
{
    snprintf(out, n, "Người %zu", i);
}

/* Decision numbers and debtors' names that repeat are stored once: the same text, the same
 * string id, and the pool holds one copy per distinct text. */
Test(load, repeated_decision_numbers_and_names_are_stored_once)
{
    fixture f;
    fx_init(&f);
    size_t n = 100000;
    load_many_cases(&f, n, repeating_text);
    cr_assert_eq(f.m->ncases, n);
    for (size_t i = 0; i < n; i++) {
        const model_case *c = &f.m->cases[i];
        char want[64];
        repeating_text(i, want, sizeof want);
        cr_assert_str_eq(model_str(f.m, c->so_qd), want);
        cr_assert_str_eq(model_str(f.m, c->debtor), want);
        if (i >= 1000)
            cr_assert_eq(c->so_qd, f.m->cases[i % 1000].so_qd, "row %zu", i);
    }
    /* ids: "", n case ids, 1000 texts per column, the unit */
    cr_expect_leq(strpool_count(f.m->strings), 1 + n + 2 * 1000 + 2);
    fx_free(&f);
}

/* A column whose texts are mostly new stops being looked up after the probe (an internal
 * verdict); every text still reads back, each stored once. */
Test(load, mostly_unique_texts_are_stored_without_an_index)
{
    fixture f;
    fx_init(&f);
    size_t n = 100000;
    load_many_cases(&f, n, unique_text);
    for (size_t i = 0; i < n; i += 997) {
        char want[64];
        unique_text(i, want, sizeof want);
        cr_assert_str_eq(model_str(f.m, f.m->cases[i].debtor), want, "row %zu", i);
    }
    cr_expect_eq(strpool_count(f.m->strings), 1 + n + 2 * n + 1);
    fx_free(&f);
}

/* Logs kept apart by threads are joined entry for entry, in order. */
Test(load, rejects_append_copies_every_entry_in_order)
{
    reject_log *a = rejects_new(), *b = rejects_new();
    rejects_add(a, "cases.csv", 2, "ma_viec", "X", 1, REJ_REQUIRED, NULL);
    rejects_add(b, "events.csv", 7, "ngay", "32/01/2025", 10, REJ_DATE_IMPOSSIBLE, "d");
    rejects_add(b, "events.csv", 9, "so_tien", "-1", 2, REJ_MONEY_NEGATIVE, NULL);
    rejects_append(a, b);
    cr_assert_eq(rejects_count(a), 3);
    cr_assert_eq(rejects_count(b), 2);
    const reject_entry *e = rejects_get(a, 1);
    cr_expect_str_eq(e->file, "events.csv");
    cr_expect_eq(e->line, 7);
    cr_expect_str_eq(e->column, "ngay");
    cr_expect_str_eq(e->value, "32/01/2025");
    cr_expect_eq(e->code, REJ_DATE_IMPOSSIBLE);
    cr_expect_str_eq(e->detail, "d");
    cr_expect_eq(rejects_get(a, 2)->code, REJ_MONEY_NEGATIVE);
    rejects_free(a);
    rejects_free(b);
}

/* A cases file of n rows over many of the piped loader's batches, with a bad row of each kind
 * now and then (a duplicate, a bad date, a short row, bad UTF-8, a quoted field over two
 * lines), and its events. */
static void write_mixed_cases(const char *dir, size_t n, bool bad_rows, char **cp, char **ep)
{
    thk_buf csv = {0}, ev = {0};
    buf_printf(&csv, CASES_HDR);
    buf_printf(&ev, "ma_viec,ngay,su_kien,so_tien,ghi_chu\n");
    for (size_t i = 0; i < n; i++) {
        switch (bad_rows ? i % 97 : 0) {
        case 13:
            buf_printf(&csv, "V%zu,U,,01/11/2025,05/11/2025,1000,\n", i - 1); /* duplicate */
            break;
        case 29:
            buf_printf(&csv, "V%zu,U,,31/02/2025,05/11/2025,1000,\n", i);
            break;
        case 41:
            buf_printf(&csv, "V%zu,U,,01/11/2025\n", i);
            break;
        case 53:
            buf_printf(&csv, "V%zu,U%zu,\"Phòng\xff\",01/11/2025,05/11/2025,1000,\n", i, i % 5);
            break;
        case 71:
            buf_printf(&csv, "V%zu,U%zu,\"Phòng\nkhu vực\",01/11/2025,05/11/2025,%zu,\n", i,
                       i % 5, i);
            break;
        default:
            buf_printf(&csv, "V%zu,U%zu,Phòng %zu,01/11/2025,05/11/2025,%zu,\n", i, i % 5,
                       i % 5, 1000 + i);
        }
        buf_printf(&ev, "V%zu,01/12/2025,Thu tiền,%zu,ghi chú %zu\n", i, 10 + i % 7, i % 3);
    }
    *cp = tu_write(dir, "cases.csv", csv.data, csv.len);
    *ep = tu_write(dir, "events.csv", ev.data, ev.len);
    buf_free(&csv);
    buf_free(&ev);
}

Test(load, cases_read_and_loaded_on_two_threads_give_the_same_model_and_rejects)
{
    char *dir = tu_tempdir();
    char *cp, *ep;
    write_mixed_cases(dir, 6000, true, &cp, &ep); /* 6 batches: the ring of 4 wraps */
    fixture a, b;
    fx_init(&a);
    fx_init(&b);
    a.o.cases_pipe = -1;
    b.o.cases_pipe = 1;
    load_stats c1, e1, c2, e2;
    cr_assert_eq(load_cases_events(a.m, cp, ep, &a.o, &c1, &e1, NULL, &a.err), 0, "%s", a.err.data);
    cr_assert_eq(load_cases_events(b.m, cp, ep, &b.o, &c2, &e2, NULL, &b.err), 0, "%s", b.err.data);
    cr_assert_gt(a.m->ncases, 5000);
    cr_assert_eq(b.m->ncases, a.m->ncases);
    for (size_t i = 0; i < a.m->ncases; i++) {
        const model_case *x = &a.m->cases[i], *y = &b.m->cases[i];
        cr_assert_str_eq(model_str(b.m, y->ma_viec), model_str(a.m, x->ma_viec));
        cr_assert_eq(y->line, x->line);
        cr_assert_eq(y->so_tien, x->so_tien);
        cr_assert_eq(y->ngay_thu_ly, x->ngay_thu_ly);
        cr_assert_eq(y->unit, x->unit);
        cr_assert_eq(y->ev_count, x->ev_count);
    }
    cr_assert_eq(b.m->nunits, a.m->nunits);
    cr_assert_eq(b.m->nevents, a.m->nevents);
    cr_assert_eq(c2.read, c1.read);
    cr_assert_eq(c2.rejected, c1.rejected);
    cr_assert_eq(c2.warned, c1.warned);
    cr_assert_eq(c2.bytes, c1.bytes);
    cr_assert_str_eq(c2.sha256, c1.sha256);
    cr_assert_gt(c1.rejected, 200);
    expect_same_rejects(a.rej, b.rej, false); /* the loader keeps the file's order */
    fx_free(&a);
    fx_free(&b);
    free(cp);
    free(ep);
    free(dir);
}

/* A file-level error, of the reader (an unterminated quote after thousands of rows) or of the
 * loader (a header without ma_viec), reads the same on two threads as on one. */
Test(load, cases_on_two_threads_report_the_same_file_errors_as_on_one)
{
    char *dir = tu_tempdir();
    thk_buf tail = {0}, nohdr = {0};
    buf_printf(&tail, CASES_HDR);
    buf_printf(&nohdr, "ma_don_vi,ten_don_vi,ngay_thu_ly\n");
    for (int i = 0; i < 5000; i++) {
        buf_printf(&tail, "V%d,U,,01/11/2025,05/11/2025,1000,\n", i);
        buf_printf(&nohdr, "U,,01/11/2025\n");
    }
    buf_printf(&tail, "V-last,U,\"never closed,01/11/2025,05/11/2025,1000,\n");
    char *files[2] = {tu_write(dir, "cases.csv", tail.data, tail.len),
                      tu_write(dir, "nohdr.csv", nohdr.data, nohdr.len)};
    char *ep = tu_write_str(dir, "events.csv", "ma_viec,ngay,su_kien,so_tien,ghi_chu\n");
    for (int k = 0; k < 2; k++) {
        fixture a, b;
        fx_init(&a);
        fx_init(&b);
        a.o.cases_pipe = -1;
        b.o.cases_pipe = 1;
        load_stats cs, es;
        cr_assert_eq(load_cases_events(a.m, files[k], ep, &a.o, &cs, &es, NULL, &a.err),
                     THK_EXIT_INPUT);
        cr_assert_eq(load_cases_events(b.m, files[k], ep, &b.o, &cs, &es, NULL, &b.err),
                     THK_EXIT_INPUT);
        cr_assert_str_eq(b.err.data, a.err.data);
        cr_assert(strstr(a.err.data, k == 0 ? "cases.csv" : "ma_viec"), "%s", a.err.data);
        fx_free(&a);
        fx_free(&b);
        free(files[k]);
    }
    buf_free(&tail);
    buf_free(&nohdr);
    free(ep);
    free(dir);
}

/* 70000 cases with events: load_resolve_events walks the runs (and, when every event has its
 * case, remaps the events) in two halves on two threads. The result is the one of loading the
 * files one after the other. */
Test(load, many_events_are_matched_to_their_cases_in_two_halves_as_in_one_pass)
{
    for (int bad = 0; bad < 2; bad++) {
        char *dir = tu_tempdir();
        char *cp, *ep;
        write_mixed_cases(dir, 70000, bad, &cp, &ep);
        fixture a, b;
        fx_init(&a);
        fx_init(&b);
        load_stats c1, e1, c2, e2;
        cr_assert_eq(load_file(a.m, LOAD_CASES, cp, &a.o, &c1, &a.err), 0, "%s", a.err.data);
        cr_assert_eq(load_file(a.m, LOAD_EVENTS, ep, &a.o, &e1, &a.err), 0, "%s", a.err.data);
        cr_assert_eq(load_cases_events(b.m, cp, ep, &b.o, &c2, &e2, NULL, &b.err), 0, "%s",
                     b.err.data);
        model_finish(a.m);
        model_finish(b.m);
        cr_assert_eq(e2.rejected, e1.rejected);
        cr_assert(bad ? e1.rejected > 1000 : e1.rejected == 0, "%d: %lu", bad,
                  (unsigned long)e1.rejected);
        expect_same_events(a.m, b.m);
        expect_same_rejects(a.rej, b.rej, true);
        fx_free(&a);
        fx_free(&b);
        free(cp);
        free(ep);
        free(dir);
    }
}

/* Writes cases.csv and events.csv into dir, then loads them into a one file after the other
 * and into b beside each other (load_cases_events); e1 and e2 get the events' stats. */
static void load_both_ways(const char *dir, const thk_buf *csv, const thk_buf *ev, fixture *a,
                           fixture *b, load_stats *e1, load_stats *e2)
{
    char *cp = tu_write(dir, "cases.csv", csv->data, csv->len);
    char *ep = tu_write(dir, "events.csv", ev->data, ev->len);
    fx_init(a);
    fx_init(b);
    load_stats c1, c2;
    cr_assert_eq(load_file(a->m, LOAD_CASES, cp, &a->o, &c1, &a->err), 0, "%s", a->err.data);
    cr_assert_eq(load_file(a->m, LOAD_EVENTS, ep, &a->o, e1, &a->err), 0, "%s", a->err.data);
    cr_assert_eq(load_cases_events(b->m, cp, ep, &b->o, &c2, e2, NULL, &b->err), 0, "%s",
                 b->err.data);
    free(cp);
    free(ep);
}

/* An events file in journal order (a run of its own for nearly every row, each key coming
 * back far apart) read beside cases.csv keeps a key a row, front coded by its unit: a few
 * bytes a row, half of a full entry (issue 15: a journal of a million cases kept 66 MB of
 * keys in full). Every event still reaches its case with its amount, line and note, and the
 * events of keys without a case (repeated, one of them longer than 127 bytes) are rejected one
 * by one, exactly as loading the files one after the other does; grouped by case, the file
 * keeps a key a case. */
#define JKEY "DL-KV%02zu-2021-%06zu"
Test(load, a_journal_across_cases_keeps_a_few_bytes_a_row_and_loads_as_in_one_pass)
{
    enum { NC = 110000, HOT = 1000, PER = 2, FIRST = 70000 };
    char *dir = tu_tempdir();
    thk_buf csv = {0}, ev = {0};
    buf_printf(&csv, CASES_HDR);
    buf_printf(&csv, "%s,U1,,01/11/2025,05/11/2025,1000,\n", LONG_KEY);
    for (size_t i = 0; i < NC; i++)
        buf_printf(&csv, JKEY ",U%zu,Phòng %zu,01/11/2020,05/11/2020,%zu,\n", i % 8, i, i % 8,
                   i % 8, 1000000 + i);
    buf_printf(&ev, "ma_viec,ngay,su_kien,so_tien,ghi_chu\n");
    /* first a journal over HOT cases, then rounds over the other cases, each visiting every
     * one once in a scattered order */
    for (size_t i = 0; i < FIRST; i++)
        buf_printf(&ev, JKEY ",01/01/2021,Thu tiền,%zu,đầu %zu\n", i % HOT % 8, i % HOT,
                   1 + i % 13, i % 4);
    size_t rows = FIRST;
    for (size_t r = 0; r < PER; r++)
        for (size_t i = HOT; i < NC; i++) {
            size_t c = HOT + (i * 7919 + r * 104729) % (NC - HOT);
            buf_printf(&ev, JKEY ",%02zu/0%zu/2021,Thu tiền,%zu,ghi chú %zu\n", c % 8, c,
                       1 + i % 28, 1 + r, 10 + (c * PER + r) % 997, (c + r) % 5);
            rows++;
            if (i % 1000 == 17)
                buf_printf(&ev, "KHONG%zu,01/01/2021,Thu tiền,5,\n", i % 3000), rows++;
            if (i % 4000 == 5)
                buf_printf(&ev, "%s,02/01/2021,Thu tiền,7,dài\n", LONG_KEY), rows++;
        }
    fixture a, b;
    load_stats e1, e2;
    load_both_ways(dir, &csv, &ev, &a, &b, &e1, &e2);
    cr_assert_gt(e2.keys_kept, rows * 9 / 10, "a run a row: %lu of %zu",
                 (unsigned long)e2.keys_kept, rows);
    cr_assert_lt(e2.keys_bytes, e2.keys_kept * 11, "%lu bytes for %lu keys of 19 bytes",
                 (unsigned long)e2.keys_bytes, (unsigned long)e2.keys_kept);
    cr_assert_eq(e1.rejected, (size_t)PER * ((NC - HOT) / 1000));
    cr_assert_eq(e2.rejected, e1.rejected);
    cr_assert_eq(e2.accepted, e1.accepted);
    cr_assert_not_null(b.m->ev_case, "a journal: each event's case is kept for model_finish");
    model_finish(a.m);
    model_finish(b.m);
    expect_same_events(a.m, b.m);
    for (size_t i = 0; i < a.m->nevents; i++)
        cr_assert_eq(model_event_amount(b.m, &b.m->events[i]),
                     model_event_amount(a.m, &a.m->events[i]));
    expect_same_rejects(a.rej, b.rej, false);
    fx_free(&a);
    fx_free(&b);

    /* the same events grouped by case: one run a case */
    buf_clear(&ev);
    buf_printf(&ev, "ma_viec,ngay,su_kien,so_tien,ghi_chu\n");
    for (size_t i = 0; i < NC; i++)
        for (size_t r = 0; r < PER; r++)
            buf_printf(&ev, JKEY ",01/0%zu/2021,Thu tiền,%zu,\n", i % 8, i, 1 + r, 10 + r);
    load_both_ways(dir, &csv, &ev, &a, &b, &e1, &e2);
    cr_assert_eq(e2.keys_kept, NC);
    cr_assert_eq(e2.accepted, (size_t)NC * PER);
    cr_assert_null(b.m->ev_case, "grouped by case: each case's slice is set while loading");
    cr_assert_not_null(a.m->ev_case, "loaded alone, events name their cases until finished");
    model_finish(a.m);
    model_finish(b.m);
    expect_same_events(a.m, b.m);
    fx_free(&a);
    fx_free(&b);
    buf_free(&csv);
    buf_free(&ev);
    free(dir);
}

/* Events read beside cases.csv (issue 15, 10M cases under 1.5 GB) are 12 bytes: an event does
 * not name its case. An export grouped by case has each case's slice set while loading, with
 * nothing kept per event; rows rejected inside a case's events (another key with a bad date)
 * do not split it. A case whose events are out of date order, a case whose events come back
 * later, or a key without a case, keep each event's case until model_finish, which sorts.
 * Every way gives the events, slices and rejects of loading the files one after the other. */
Test(load, events_beside_cases_are_placed_while_loading_when_grouped_by_case)
{
    static const struct {
        const char *events;
        bool placed;
    } shapes[] = {
        {"V1,01/12/2025,Thu tiền,5,\nV2,xx,Xong,,\nV1,02/12/2025,Xong,,a\n"
         "V3,01/12/2025,Xong,,\nV2,03/12/2025,Thu tiền,7,\n", true},
        {"V1,02/12/2025,Thu tiền,5,\nV1,01/12/2025,Thu tiền,6,\nV3,01/12/2025,Xong,,\n",
         false},
        {"V1,01/12/2025,Thu tiền,5,\nV3,01/12/2025,Xong,,\nV1,02/12/2025,Thu tiền,6,\n",
         false},
        {"V1,01/12/2025,Thu tiền,5,\nV1,01/12/2025,Xong,,\nV9,01/12/2025,Xong,,\n"
         "V9,02/12/2025,Xong,,\n"
         "V3,01/12/2025,Xong,,\n", false},
    };
    for (size_t k = 0; k < sizeof shapes / sizeof *shapes; k++) {
        char *dir = tu_tempdir();
        thk_buf csv = {0}, ev = {0};
        buf_printf(&csv, CASES_HDR "V1,U,,01/11/2025,05/11/2025,1000,\n"
                                   "V2,U,,01/11/2025,05/11/2025,1000,\n"
                                   "V3,U,,01/11/2025,05/11/2025,1000,\n");
        buf_printf(&ev, "ma_viec,ngay,su_kien,so_tien,ghi_chu\n%s", shapes[k].events);
        fixture a, b;
        load_stats e1, e2;
        load_both_ways(dir, &csv, &ev, &a, &b, &e1, &e2);
        cr_assert_eq(b.m->ev_case == NULL, shapes[k].placed, "shape %zu", k);
        cr_assert_eq(e2.accepted, e1.accepted, "shape %zu", k);
        cr_assert_eq(e2.rejected, e1.rejected, "shape %zu", k);
        expect_same_events(a.m, b.m);
        expect_same_rejects(a.rej, b.rej, false);
        cr_assert_null(b.m->ev_case);
        const model_case *v1 = &b.m->cases[0];
        cr_assert_eq(v1->ev_count, 2, "shape %zu", k);
        cr_assert_leq(b.m->events[v1->ev_first].date, b.m->events[v1->ev_first + 1].date);
        fx_free(&a);
        fx_free(&b);
        buf_free(&csv);
        buf_free(&ev);
        free(dir);
    }
}

/* Events appended to a model whose events the loader placed (no case written down per
 * event) still reach their cases: model_event_add writes the placed events' cases down again,
 * and model_finish sorts all of them as loading every file one after the other does. */
Test(load, events_added_after_placed_ones_are_sorted_into_their_cases)
{
    char *dir = tu_tempdir();
    thk_buf csv = {0}, ev = {0};
    buf_printf(&csv, CASES_HDR "V1,U,,01/11/2025,05/11/2025,1000,\n"
                               "V2,U,,01/11/2025,05/11/2025,1000,\n");
    buf_printf(&ev, "ma_viec,ngay,su_kien,so_tien,ghi_chu\n"
                    "V1,02/12/2025,Thu tiền,5,\nV2,03/12/2025,Thu tiền,6,\n");
    fixture a, b;
    load_stats e1, e2, e3, e4;
    load_both_ways(dir, &csv, &ev, &a, &b, &e1, &e2);
    cr_assert_null(b.m->ev_case, "placed while loading");
    char *more = tu_write_str(dir, "more.csv", "ma_viec,ngay,su_kien,so_tien,ghi_chu\n"
                                               "V2,01/12/2025,Thu tiền,7,\n"
                                               "V1,04/12/2025,Xong,,\n");
    cr_assert_eq(load_file(a.m, LOAD_EVENTS, more, &a.o, &e3, &a.err), 0, "%s", a.err.data);
    cr_assert_eq(load_file(b.m, LOAD_EVENTS, more, &b.o, &e4, &b.err), 0, "%s", b.err.data);
    expect_same_events(a.m, b.m);
    const model_case *v2 = &b.m->cases[1];
    cr_assert_eq(v2->ev_count, 2);
    cr_assert_eq(model_event_amount(b.m, &b.m->events[v2->ev_first]), 7, "date order");
    cr_assert_eq(b.m->cases[0].ev_count, 2);
    fx_free(&a);
    fx_free(&b);
    buf_free(&csv);
    buf_free(&ev);
    free(more);
    free(dir);
}

/* The case keys kept for events read beside cases.csv are front coded by bucket: keys of
 * units interleaved row by row ("DL-KV03-2016-000001", "GL-TINH-2016-000001", ...) each share
 * most of their bytes with their unit's key before, so a key costs a few bytes, and still every
 * event reaches its case and every unknown key is rejected with its text, past several marks
 * (where a walk starts from a full entry). */
Test(load, interleaved_units_keys_are_kept_in_a_few_bytes_and_resolve_as_in_one_pass)
{
    static const char *const units[] = {"DL-KV03", "GL-TINH", "DL-KV01", "KH-KV02",
                                        "DL-TINH", "GL-KV05", "KH-TINH", "PY-KV01"};
    enum { PER_UNIT = 30000, NU = 8 };
    char *dir = tu_tempdir();
    thk_buf csv = {0}, ev = {0};
    buf_printf(&csv, CASES_HDR);
    buf_printf(&ev, "ma_viec,ngay,su_kien,so_tien,ghi_chu\n");
    size_t unknown = 0;
    for (size_t i = 0; i < PER_UNIT; i++)
        for (size_t u = 0; u < NU; u++) {
            bool missing = (i * NU + u) % 7919 == 11;
            if (!missing)
                buf_printf(&csv, "%s-2016-%06zu,%s,,01/11/2020,05/11/2020,%zu,\n", units[u], i,
                           units[u], 1000 + i);
            unknown += missing;
            buf_printf(&ev, "%s-2016-%06zu,01/02/2021,Thu tiền,%zu,\n", units[u], i, 10 + u);
            buf_printf(&ev, "%s-2016-%06zu,01/03/2021,Thu tiền,%zu,n\n", units[u], i, 20 + u);
        }
    fixture a, b;
    load_stats e1, e2;
    load_both_ways(dir, &csv, &ev, &a, &b, &e1, &e2);
    cr_assert_eq(e2.keys_kept, (size_t)PER_UNIT * NU);
    cr_assert_lt(e2.keys_bytes, e2.keys_kept * 6, "%lu bytes for %lu keys of 18 bytes",
                 (unsigned long)e2.keys_bytes, (unsigned long)e2.keys_kept);
    cr_assert_eq(e1.rejected, 2 * unknown);
    cr_assert_eq(e2.rejected, e1.rejected);
    model_finish(a.m);
    model_finish(b.m);
    expect_same_events(a.m, b.m);
    expect_same_rejects(a.rej, b.rej, false);
    fx_free(&a);
    fx_free(&b);
    buf_free(&csv);
    buf_free(&ev);
    free(dir);
}
