"""The rows of the portal's validation sheet (Check_Valid_QD4750.xlsx, BHXH's "Validate CTN
QĐ 4750") that carry a rule in its VALID column, for the tables kcb06 emits (XML1, 2, 3, 4, 5,
7, 8, 11, 13, 14). Keyed "<table>.<STT>" as in the sheet; the rule texts are not copied here,
each implementing rule (rules/*.py, code S<table>.<STT>) says what it checks in our own words.
Bảng 4 and Bảng 5 have no VALID rule. A row that cannot be tested from the XML is listed in
UNTESTABLE with the reason.
"""

_ROWS = {
    "XML1": (
        "1 MA_LK, 2 STT, 3 MA_BN, 4 HO_TEN, 5 SO_CCCD, 6 NGAY_SINH, 7 GIOI_TINH, 17 MA_THE_BHYT, "
        "18 MA_DKBD, 19 GT_THE_TU, 20 GT_THE_DEN, 21 NGAY_MIEN_CCT, 27 MA_BENH_CHINH, "
        "28 MA_BENH_KT, 30 MA_PTTT_QT, 32 MA_NOI_DI, 33 MA_NOI_DEN, 35 NGAY_VAO, "
        "36 NGAY_VAO_NOI_TRU, 37 NGAY_RA, 39 SO_NGAY_DTRI, 44 NGAY_TTOAN, 45 T_THUOC, 46 T_VTYT, "
        "47 T_TONGCHI_BV, 49 T_BNTT, 50 T_BNCCT, 51 T_BHTT, 52 T_NGUONKHAC, 54 NAM_QT, "
        "55 THANG_QT, 58 MA_CSKCB, 59 MA_KHUVUC, 60 CAN_NANG, 62 NAM_NAM_LIEN_TUC, 65 MA_TTDV"
    ),
    "XML2": (
        "1 MA_LK, 2 STT, 3 MA_THUOC, 6 MA_NHOM, 7 TEN_THUOC, 14 SO_DANG_KY, 17 TYLE_TT_BH, "
        "18 SO_LUONG, 19 DON_GIA, 28 T_BNTT, 29 T_BNCCT, 33 MA_DICH_VU, 35 NGAY_TH_YL, "
        "38 VET_THUONG_TP"
    ),
    "XML3": (
        "1 MA_LK, 2 STT, 3 MA_DICH_VU, 5 MA_VAT_TU, 6 MA_NHOM, 7 GOI_VTYT, 8 TEN_VAT_TU, "
        "9 TEN_DICH_VU, 28 T_BNTT, 31 MA_KHOA, 35 NGAY_YL, 36 NGAY_TH_YL, 37 NGAY_KQ, "
        "39 VET_THUONG_TP, 44 TAI_SU_DUNG"
    ),
    "XML7": "23 SO_NGAY_NGHI",
    "XML8": "1 MA_LK",
    "XML11": "6 MA_BHXH, 22 MAU_SO",
    "XML13": (
        "5 MA_CSKCB, 6 MA_NOI_DI, 7 MA_NOI_DEN, 8 HO_TEN, 9 NGAY_SINH, 10 GIOI_TINH, "
        "11 MA_QUOCTICH, 12 MA_DANTOC, 13 MA_NGHE_NGHIEP, 14 DIA_CHI, 15 MA_THE_BHYT, "
        "16 GT_THE_DEN, 17 NGAY_VAO, 18 NGAY_VAO_NOI_TRU, 19 NGAY_RA, 21 CHAN_DOAN_RV, "
        "23 TOMTAT_KQ, 24 PP_DIEUTRI, 25 MA_BENH_CHINH, 26 MA_BENH_KT, 27 MA_BENH_YHCT, "
        "30 PP_DIEU_TRI, 31 MA_LOAI_RV"
    ),
    "XML14": (
        "5 NGAY_SINH, 6 GIOI_TINH, 7 DIA_CHI, 8 MA_THE_BHYT, 9 GT_THE_DEN, 10 NGAY_VAO, "
        "11 NGAY_VAO_NOI_TRU, 12 NGAY_RA, 13 NGAY_HEN_KL, 15 CHAN_DOAN_RV, 16 MA_BENH_CHINH, "
        "17 MA_BENH_KT, 18 MA_BENH_YHCT, 19 MA_DOITUONG_KCB, 22 NGAY_CT"
    ),
}

SHEET_ROWS: dict[str, tuple[str, str]] = {}
for _table, _text in _ROWS.items():
    for _item in _text.split(", "):
        _stt, _field = _item.split(" ")
        SHEET_ROWS[f"{_table[3:]}.{_stt}"] = (_table, _field)

UNTESTABLE: dict[str, str] = {
    "13.24": (
        "XML13 PP_DIEUTRI phải giống XML1, nhưng XML1 không có trường PP_DIEUTRI (chỉ có "
        "PP_DIEU_TRI, đã kiểm ở dòng 30) / XML1 has no PP_DIEUTRI to compare with"
    ),
}
