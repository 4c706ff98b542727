/* schema — the columns of the three input files (spec input.md), declared once. Each list is
 * X(ID, "name", TYPE, required) with TYPE one of TEXT, DATE, MONEY, MAP (a free text a rule
 * `map` turns into a value). The loader builds its field tables and slots from these lists,
 * the rule compiler the names, types and ids that expressions see, and a `columns` block its
 * canonical names: a column added here is added everywhere. */
#ifndef SCHEMA_H
#define SCHEMA_H

#define SCHEMA_CASES(X)                                                                          \
    X(MA_VIEC, "ma_viec", TEXT, true)                                                            \
    X(MA_DON_VI, "ma_don_vi", TEXT, true)                                                        \
    X(TEN_DON_VI, "ten_don_vi", TEXT, false)                                                     \
    X(CHV, "chap_hanh_vien", TEXT, false)                                                        \
    X(SO_QD, "so_quyet_dinh", TEXT, false)                                                       \
    X(NGAY_THU_LY, "ngay_thu_ly", DATE, true)                                                    \
    X(NGAY_QD, "ngay_quyet_dinh", DATE, true)                                                    \
    X(HINH_THUC, "hinh_thuc", MAP, false)                                                        \
    X(LOAI_AN, "loai_an", MAP, false)                                                            \
    X(NHOM_VIEC, "nhom_viec", TEXT, false)                                                       \
    X(SO_TIEN, "so_tien_phai_thi_hanh", MONEY, true)                                             \
    X(DEBTOR, "nguoi_phai_thi_hanh", TEXT, false)

#define SCHEMA_EVENTS(X)                                                                         \
    X(MA_VIEC, "ma_viec", TEXT, true)                                                            \
    X(NGAY, "ngay", DATE, true)                                                                  \
    X(SU_KIEN, "su_kien", MAP, true)                                                             \
    X(SO_TIEN, "so_tien", MONEY, false)                                                          \
    X(GHI_CHU, "ghi_chu", TEXT, false)

#define SCHEMA_THAHC(X)                                                                          \
    X(MA_BAN_AN, "ma_ban_an", TEXT, true)                                                        \
    X(MA_DON_VI, "ma_don_vi", TEXT, true)                                                        \
    X(TEN_DON_VI, "ten_don_vi", TEXT, false)                                                     \
    X(SO_BAN_AN, "so_ban_an", TEXT, false)                                                       \
    X(TOA_AN, "toa_an", TEXT, false)                                                             \
    X(DEBTOR, "nguoi_phai_thi_hanh", TEXT, false)                                                \
    X(NOI_DUNG, "noi_dung", TEXT, false)                                                         \
    X(CAP, "cap_phai_thi_hanh", MAP, false)                                                      \
    X(NGAY_THU_LY, "ngay_thu_ly", DATE, true)                                                    \
    X(NGAY_QD_BUOC, "ngay_qd_buoc", DATE, false)                                                 \
    X(NGAY_XONG, "ngay_xong", DATE, false)                                                       \
    X(NGAY_HUY, "ngay_huy_hoan_tdc", DATE, false)                                                \
    X(NGAY_KIEN_NGHI, "ngay_kien_nghi", DATE, false)

#endif
