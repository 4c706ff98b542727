/* form_fixture — a small form set built by hand (TH, B01, B01-CHV, L1), shared by the writer
 * tests (csv_out, xlsx_out) so both render exactly the same tables. */
#ifndef FORM_FIXTURE_H
#define FORM_FIXTURE_H

#include "form.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>


/* ---- fixture: a small form set built by hand (TH, B01, B01-CHV, L1) ---------------------- */
#define EMPTY INT64_MIN

static form_table *fx_table(form_set *fs, const char *id, const char *title, const char *code,
                            const char *subtitle, bool list, size_t nrf, const char *const *rf,
                            size_t ncols, size_t nrows)
{
    fs->tables = thk_xrealloc(fs->tables, (fs->ntables + 1) * sizeof *fs->tables);
    form_table *t = &fs->tables[fs->ntables++];
    *t = (form_table){0};
    t->id = thk_xstrdup(id);
    t->title = title ? thk_xstrdup(title) : NULL;
    t->form_code = code ? thk_xstrdup(code) : NULL;
    t->subtitle = subtitle ? thk_xstrdup(subtitle) : NULL;
    t->is_list = list;
    t->rows_by_unit = !list && nrf == 1; /* the fixtures' one-level forms are by unit */
    t->nrowfields = nrf;
    t->rowfield_labels = thk_xcalloc(nrf ? nrf : 1, sizeof(char *));
    for (size_t i = 0; i < nrf; i++)
        t->rowfield_labels[i] = thk_xstrdup(rf[i]);
    t->ncols = ncols;
    t->cols = thk_xcalloc(ncols, sizeof *t->cols);
    t->nrows = nrows;
    t->rows = thk_xcalloc(nrows ? nrows : 1, sizeof *t->rows);
    t->cells = thk_xcalloc((nrows && ncols) ? nrows * ncols : 1, sizeof *t->cells);
    if (list)
        t->texts = thk_xcalloc((nrows && ncols) ? nrows * ncols : 1, sizeof(char *));
    t->scale = list ? 0 : 1000; /* as the shipped rules' workbook block: money in 1.000 đồng */
    return t;
}

static void fx_col(form_table *t, size_t c, const char *code, const char *label, form_kind kind,
                   int group, const char *target)
{
    t->cols[c].code = thk_xstrdup(code);
    t->cols[c].label = thk_xstrdup(label);
    t->cols[c].kind = (uint8_t)kind;
    t->cols[c].group = group;
    t->cols[c].target = target ? thk_xstrdup(target) : NULL;
}

static void fx_group(form_table *t, const char *label, int parent)
{
    t->groups = thk_xrealloc(t->groups, (t->ngroups + 1) * sizeof *t->groups);
    t->groups[t->ngroups].label = thk_xstrdup(label);
    t->groups[t->ngroups].parent = parent;
    t->ngroups++;
}

/* Row r: key, kind, nrowfields labels, ncols values (EMPTY = empty cell). */
static void fx_row(form_table *t, size_t r, const char *key, form_row_kind kind,
                   const char *const *labels, const int64_t *v)
{
    t->rows[r].key = thk_xstrdup(key);
    t->rows[r].kind = (uint8_t)kind;
    t->rows[r].labels = thk_xcalloc(t->nrowfields ? t->nrowfields : 1, sizeof(char *));
    for (size_t i = 0; i < t->nrowfields; i++)
        t->rows[r].labels[i] = thk_xstrdup(labels[i]);
    for (size_t c = 0; c < t->ncols; c++) {
        form_cell *cell = form_cell_at(t, r, c);
        cell->empty = v[c] == EMPTY;
        cell->v = cell->empty ? 0 : v[c];
    }
}

static void fx_text(form_table *t, size_t r, size_t c, const char *s)
{
    t->texts[r * t->ncols + c] = thk_xstrdup(s);
}

static void fx_target(form_set *fs, const char *name, int64_t v)
{
    fs->targets = thk_xrealloc(fs->targets, (fs->ntargets + 1) * sizeof *fs->targets);
    fs->targets[fs->ntargets].name = thk_xstrdup(name);
    fs->targets[fs->ntargets].v = v;
    fs->ntargets++;
}

/* TH (targets, a group, an empty rate, a negative change), B01 (two group levels, money, a
 * rate with a target, an all-zero unit with an empty rate, a total), B01-CHV (two row fields, a
 * subtotal, a key with a comma), L1 (a list with text, dates and money). */
static form_set *fx_set(void)
{
    form_set *fs = thk_xcalloc(1, sizeof *fs);
    /* the workbook block of the shipped rules */
    fs->basis = thk_xstrdup("Ban hành kèm theo Thông tư 05/2024/TT-BTP");
    static const char *const sign[4] = {"Người lập biểu", "(Ký, ghi rõ họ tên)",
                                        "Thủ trưởng đơn vị", "(Ký tên, đóng dấu)"};
    for (int k = 0; k < 4; k++)
        fs->sign[k] = thk_xstrdup(sign[k]);
    fx_target(fs, "ty_le_viec", 8450);
    fx_target(fs, "ty_le_tien", 4000);
    static const char *const unit[] = {"Đơn vị"};

    form_table *th = fx_table(fs, "TH", "TỔNG HỢP KẾT QUẢ SO VỚI CHỈ TIÊU", NULL, NULL, false, 1,
                              unit, 5, 3);
    fx_group(th, "So với cùng kỳ năm trước", -1);
    fx_col(th, 0, "ty_le_viec", "Tỷ lệ xong về việc (%)", FORM_KIND_RATE, -1, "ty_le_viec");
    fx_col(th, 1, "ty_le_tien", "Tỷ lệ xong về tiền (%)", FORM_KIND_RATE, -1, "ty_le_tien");
    fx_col(th, 2, "xong", "Xong (việc)", FORM_KIND_COUNT, -1, NULL);
    fx_col(th, 3, "xong_cung_ky", "Cùng kỳ", FORM_KIND_COUNT, 0, NULL);
    fx_col(th, 4, "thay_doi", "Tăng, giảm", FORM_KIND_COUNT, 0, NULL);
    fx_row(th, 0, "GL-KV01", FORM_ROW_DATA, (const char *const[]){"Chi cục THADS khu vực 1"},
           (const int64_t[]){8388, 4521, 120, 100, 20});
    fx_row(th, 1, "GL-KV02", FORM_ROW_DATA, (const char *const[]){"Chi cục THADS khu vực 2"},
           (const int64_t[]){8450, EMPTY, 50, 60, -10});
    fx_row(th, 2, "*", FORM_ROW_TOTAL, (const char *const[]){"Tổng cộng"},
           (const int64_t[]){8406, 4521, 170, 160, 10});

    form_table *b = fx_table(fs, "B01", "KẾT QUẢ THI HÀNH ÁN DÂN SỰ TÍNH BẰNG VIỆC",
                             "Biểu số B01/TK-THA", "Đơn vị tính: việc; tiền: 1.000 đồng", false,
                             1, unit, 8, 4);
    fx_group(b, "Trong đó", -1);
    fx_group(b, "Có điều kiện thi hành", -1);
    fx_group(b, "Chia ra", 1);
    fx_col(b, 0, "thu_ly", "Tổng số thụ lý", FORM_KIND_COUNT, -1, NULL);
    fx_col(b, 1, "chuyen_sang", "Năm trước chuyển sang", FORM_KIND_COUNT, 0, NULL);
    fx_col(b, 2, "moi", "Thụ lý mới", FORM_KIND_COUNT, 0, NULL);
    fx_col(b, 3, "co_dk", "Tổng số", FORM_KIND_COUNT, 1, NULL);
    fx_col(b, 4, "xong", "Thi hành xong", FORM_KIND_COUNT, 2, NULL);
    fx_col(b, 5, "dinh_chi", "Đình chỉ", FORM_KIND_COUNT, 2, NULL);
    fx_col(b, 6, "tien_xong", "Tiền đã thu", FORM_KIND_MONEY, -1, NULL);
    fx_col(b, 7, "ty_le", "Tỷ lệ (%)", FORM_KIND_RATE, -1, "ty_le_viec");
    fx_row(b, 0, "GL-KV01", FORM_ROW_DATA, (const char *const[]){"Chi cục THADS khu vực 1"},
           (const int64_t[]){100, 60, 40, 80, 60, 7, 1234500, 8375});
    fx_row(b, 1, "GL-KV02", FORM_ROW_DATA, (const char *const[]){"Chi cục \"KV2\", Gia Lai"},
           (const int64_t[]){50, 20, 30, 40, 33, 1, 1234499, 8500});
    fx_row(b, 2, "GL-KV03", FORM_ROW_DATA, (const char *const[]){"Chi cục THADS khu vực 3"},
           (const int64_t[]){0, 0, 0, 0, 0, 0, 0, EMPTY});
    fx_row(b, 3, "*", FORM_ROW_TOTAL, (const char *const[]){"Tổng cộng"},
           (const int64_t[]){150, 80, 70, 120, 93, 8, 2468999, 8417});

    static const char *const chv[] = {"Đơn vị", "Chấp hành viên"};
    form_table *c = fx_table(fs, "B01-CHV", "KẾT QUẢ THEO CHẤP HÀNH VIÊN", NULL, NULL, false, 2,
                             chv, 2, 4);
    fx_col(c, 0, "thu_ly", "Tổng số thụ lý", FORM_KIND_COUNT, -1, NULL);
    fx_col(c, 1, "ty_le", "Tỷ lệ (%)", FORM_KIND_RATE, -1, NULL);
    fx_row(c, 0, "GL-KV01|Nguyễn Văn An", FORM_ROW_DATA,
           (const char *const[]){"Chi cục 1", "Nguyễn Văn An"}, (const int64_t[]){10, 5000});
    fx_row(c, 1, "GL-KV01|Trần, Thị Bình", FORM_ROW_DATA,
           (const char *const[]){"Chi cục 1", "Trần, Thị Bình"}, (const int64_t[]){5, EMPTY});
    fx_row(c, 2, "GL-KV01|*", FORM_ROW_SUBTOTAL, (const char *const[]){"Chi cục 1", ""},
           (const int64_t[]){15, 5000});
    fx_row(c, 3, "*", FORM_ROW_TOTAL, (const char *const[]){"Tổng cộng", ""},
           (const int64_t[]){15, 5000});

    form_table *l = fx_table(fs, "L1", "DANH SÁCH VIỆC CÓ ĐIỀU KIỆN QUÁ 05 NĂM", NULL, NULL, true,
                             0, NULL, 6, 2);
    fx_col(l, 0, "ma_viec", "Mã việc", FORM_KIND_TEXT, -1, NULL);
    fx_col(l, 1, "don_vi", "Đơn vị", FORM_KIND_TEXT, -1, NULL);
    fx_col(l, 2, "ngay_qd", "Ngày quyết định", FORM_KIND_DATE, -1, NULL);
    fx_col(l, 3, "phai_thi_hanh", "Phải thi hành", FORM_KIND_MONEY, -1, NULL);
    fx_col(l, 4, "con_lai", "Còn lại", FORM_KIND_MONEY, -1, NULL);
    fx_col(l, 5, "tuoi", "Số năm", FORM_KIND_COUNT, -1, NULL);
    fx_row(l, 0, "V001", FORM_ROW_DATA, NULL,
           (const int64_t[]){EMPTY, EMPTY, 17970 /* 15/03/2019 */, 25000000000, 20000000000, 7});
    fx_row(l, 1, "V002", FORM_ROW_DATA, NULL,
           (const int64_t[]){EMPTY, EMPTY, EMPTY, 1500, 1500, 6});
    fx_text(l, 0, 0, "V001");
    fx_text(l, 0, 1, "GL-KV01");
    fx_text(l, 1, 0, "V002");
    fx_text(l, 1, 1, "GL-KV02");
    return fs;
}

#endif
