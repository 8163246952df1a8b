"""The portal sheet's rows of Bảng 2 (XML2, drugs) and Bảng 3 (XML3, services, supplies,
beds), as data: (code, table, field, kind, message_vi, message, next step, test). Registered, in
this order and before our own, by lines.py."""

from kcb06.interchange.core.rules.base import dec, t
from kcb06.interchange.core.rules.linechecks import (
    BNCCT,
    BNTT,
    DONE_GROUPS,
    DRUG_GROUPS,
    GASES_WITHOUT_REGISTRATION,
    GOI,
    LK,
    NEXT_LINE,
    OUT_OF_LIST_DRUG,
    SERVICE_GROUPS,
    SUPPLY_GROUPS,
    WITHIN_VISIT,
    WOUND,
    _khoa,
    _line_bncct,
    _line_bnt,
    _not_before,
    _null_or_1,
    _positive,
    _required,
    _same_lk,
    _within_visit,
)

SHEET_RULES = [
    # XML2, the portal's sheet
    ("S2.01", "XML2", *LK, _same_lk("XML2")),
    (
        "S2.03",
        "XML2",
        "MA_THUOC",
        "required",
        "MA_THUOC (mã hoạt chất) bắt buộc.",
        "MA_THUOC is required.",
        "Bác sĩ chọn thuốc từ danh mục thuốc của cơ sở.",
        _required("MA_THUOC"),
    ),
    (
        "S2.06",
        "XML2",
        "MA_NHOM",
        "code_list",
        "MA_NHOM của thuốc phải là 4, 5, 6, 7 hoặc 17 (danh mục nhóm chi phí).",
        "A drug line's MA_NHOM must be 4, 5, 6, 7 or 17.",
        "Quản trị cơ sở sửa nhóm chi phí của thuốc trong danh mục thuốc.",
        lambda rec, ctx: t(rec, "MA_NHOM") if t(rec, "MA_NHOM") not in DRUG_GROUPS else None,
    ),
    (
        "S2.07",
        "XML2",
        "TEN_THUOC",
        "required",
        "TEN_THUOC (tên thuốc) bắt buộc.",
        "TEN_THUOC is required.",
        "Bác sĩ chọn thuốc từ danh mục thuốc của cơ sở.",
        _required("TEN_THUOC"),
    ),
    (
        "S2.14",
        "XML2",
        "SO_DANG_KY",
        "required",
        "SO_DANG_KY (số đăng ký/giấy phép nhập khẩu) bắt buộc với thuốc trong danh mục, trừ máu và "
        "chế phẩm máu (nhóm 7, 17), khí oxy (40.17), khí NO (40.573) và thuốc ngoài danh mục "
        "(00.0000).",
        "SO_DANG_KY is required for listed drugs except blood products (groups 7, 17), oxygen "
        "(40.17) and nitric oxide (40.573).",
        "Quản trị cơ sở nhập danh mục thuốc (có số đăng ký) hoặc bổ sung số đăng ký của thuốc; "
        "rồi mở lại lượt khám, chọn thuốc từ danh mục và lưu lại.",
        _required(
            "SO_DANG_KY",
            lambda r: (
                t(r, "MA_NHOM") not in {"7", "17"}
                and t(r, "MA_THUOC") != OUT_OF_LIST_DRUG
                and t(r, "MA_THUOC") not in GASES_WITHOUT_REGISTRATION
            ),
        ),
    ),
    (
        "S2.17",
        "XML2",
        "TYLE_TT_BH",
        "rule",
        "TYLE_TT_BH phải là số từ 0 đến 100.",
        "TYLE_TT_BH must be a number from 0 to 100.",
        "Quản trị cơ sở sửa tỷ lệ thanh toán của thuốc trong danh mục thuốc.",
        lambda rec, ctx: (
            None
            if (d := dec(t(rec, "TYLE_TT_BH"))) is not None and 0 <= d <= 100
            else t(rec, "TYLE_TT_BH")
        ),
    ),
    (
        "S2.18",
        "XML2",
        "SO_LUONG",
        "quantity",
        "Số lượng thuốc (SO_LUONG) phải lớn hơn 0.",
        "SO_LUONG must be above 0.",
        "Bác sĩ ghi số lượng thuốc lớn hơn 0.",
        _positive("SO_LUONG"),
    ),
    (
        "S2.19",
        "XML2",
        "DON_GIA",
        "price",
        "Đơn giá thuốc (DON_GIA) phải lớn hơn 0.",
        "DON_GIA must be above 0.",
        "Bác sĩ/quản trị cơ sở ghi đơn giá thuốc lớn hơn 0.",
        _positive("DON_GIA"),
    ),
    ("S2.28", "XML2", *BNTT, _line_bnt),
    ("S2.29", "XML2", *BNCCT, _line_bncct),
    (
        "S2.33",
        "XML2",
        "MA_DICH_VU",
        "rule",
        "MA_DICH_VU của thuốc phải là mã một dịch vụ có trong XML3 của lượt khám.",
        "A drug's MA_DICH_VU must be a service of the visit's XML3.",
        "Bác sĩ chọn dịch vụ kỹ thuật mà thuốc được dùng trong đó, hoặc bỏ trống.",
        lambda rec, ctx: (
            t(rec, "MA_DICH_VU")
            if t(rec, "MA_DICH_VU")
            and t(rec, "MA_DICH_VU") not in {t(r, "MA_DICH_VU") for _, r in ctx.lines("XML3")}
            else None
        ),
    ),
    (
        "S2.35",
        "XML2",
        "NGAY_TH_YL",
        "date_order",
        "NGAY_TH_YL phải là thời điểm có thật, không trước NGAY_YL.",
        "NGAY_TH_YL must be a real time, not before NGAY_YL.",
        NEXT_LINE,
        _not_before("NGAY_YL", "NGAY_TH_YL"),
    ),
    ("S2.38", "XML2", *WOUND, _null_or_1("VET_THUONG_TP")),
    # XML3, the portal's sheet
    ("S3.01", "XML3", *LK, _same_lk("XML3")),
    (
        "S3.03",
        "XML3",
        "MA_DICH_VU",
        "required",
        "Dòng dịch vụ (MA_NHOM khác 10, 11) phải có MA_DICH_VU.",
        "A service line (MA_NHOM other than 10, 11) needs MA_DICH_VU.",
        "Bác sĩ chọn dịch vụ từ danh mục dịch vụ kỹ thuật của cơ sở.",
        _required("MA_DICH_VU", lambda r: t(r, "MA_NHOM") not in SUPPLY_GROUPS),
    ),
    (
        "S3.05",
        "XML3",
        "MA_VAT_TU",
        "required",
        "Dòng vật tư y tế (MA_NHOM 10, 11) phải có MA_VAT_TU.",
        "A supply line (MA_NHOM 10, 11) needs MA_VAT_TU.",
        "Chọn vật tư từ danh mục vật tư y tế của cơ sở.",
        _required("MA_VAT_TU", lambda r: t(r, "MA_NHOM") in SUPPLY_GROUPS),
    ),
    (
        "S3.06",
        "XML3",
        "MA_NHOM",
        "code_list",
        "MA_NHOM của dòng XML3 phải thuộc danh mục nhóm chi phí (1–3, 8–16, 18).",
        "An XML3 line's MA_NHOM must be 1-3, 8-16 or 18.",
        "Quản trị cơ sở sửa nhóm chi phí của dịch vụ trong danh mục.",
        lambda rec, ctx: t(rec, "MA_NHOM") if t(rec, "MA_NHOM") not in SERVICE_GROUPS else None,
    ),
    (
        "S3.07",
        "XML3",
        "GOI_VTYT",
        "format",
        "GOI_VTYT phải là chữ G và số từ 1 đến 999.",
        "GOI_VTYT must be G followed by 1 to 999.",
        NEXT_LINE,
        lambda rec, ctx: (
            t(rec, "GOI_VTYT") if t(rec, "GOI_VTYT") and not GOI.match(t(rec, "GOI_VTYT")) else None
        ),
    ),
    (
        "S3.08",
        "XML3",
        "TEN_VAT_TU",
        "required",
        "Có MA_VAT_TU thì phải ghi TEN_VAT_TU.",
        "With MA_VAT_TU, TEN_VAT_TU is required.",
        "Chọn vật tư từ danh mục vật tư y tế.",
        _required("TEN_VAT_TU", lambda r: bool(t(r, "MA_VAT_TU"))),
    ),
    (
        "S3.09",
        "XML3",
        "TEN_DICH_VU",
        "required",
        "Có MA_DICH_VU thì phải ghi TEN_DICH_VU.",
        "With MA_DICH_VU, TEN_DICH_VU is required.",
        "Chọn dịch vụ từ danh mục dịch vụ kỹ thuật.",
        _required("TEN_DICH_VU", lambda r: bool(t(r, "MA_DICH_VU"))),
    ),
    ("S3.28", "XML3", *BNTT, _line_bnt),
    (
        "S3.31",
        "XML3",
        "MA_KHOA",
        "code_list",
        "MA_KHOA không có trong danh mục khoa (K01–K60, K99).",
        "MA_KHOA is not in the department list (K01-K60, K99).",
        "Quản trị cơ sở sửa mã khoa của khoa/phòng theo danh mục dùng chung.",
        _khoa,
    ),
    ("S3.35", "XML3", *WITHIN_VISIT, _within_visit),
    (
        "S3.36",
        "XML3",
        "NGAY_TH_YL",
        "date_order",
        "NGAY_TH_YL phải là thời điểm có thật, không trước NGAY_YL; bắt buộc với xét nghiệm, "
        "CĐHA, TDCN, phẫu thuật, thủ thuật (MA_NHOM 1, 2, 3, 8, 18).",
        "NGAY_TH_YL must be a real time not before NGAY_YL; required for MA_NHOM 1, 2, 3, 8, 18.",
        NEXT_LINE,
        lambda rec, ctx: (
            ""
            if t(rec, "MA_NHOM") in DONE_GROUPS and not t(rec, "NGAY_TH_YL")
            else _not_before("NGAY_YL", "NGAY_TH_YL")(rec, ctx)
        ),
    ),
    (
        "S3.37",
        "XML3",
        "NGAY_KQ",
        "date_order",
        "NGAY_KQ phải là thời điểm có thật, không trước NGAY_YL.",
        "NGAY_KQ must be a real time, not before NGAY_YL.",
        NEXT_LINE,
        _not_before("NGAY_YL", "NGAY_KQ"),
    ),
    ("S3.39", "XML3", *WOUND, _null_or_1("VET_THUONG_TP")),
    (
        "S3.44",
        "XML3",
        "TAI_SU_DUNG",
        "code_list",
        "TAI_SU_DUNG chỉ được để trống hoặc ghi 1.",
        "TAI_SU_DUNG must be empty or 1.",
        NEXT_LINE,
        _null_or_1("TAI_SU_DUNG"),
    ),
]
