"""Rules of the other tables: results (XML4), clinical notes (XML5), the discharge paper (XML7),
the record summary (XML8), sick leave (XML11), the referral (XML13), the follow-up paper
(XML14), and two that read every table (MA_LK, real calendar dates)."""

import re

from kcb06.interchange.core import codelists
from kcb06.interchange.core.fields import TABLES
from kcb06.interchange.core.rules.base import REGISTRY, Hit, Rule, before, day, real_time, rule, t

OTHERS = ("XML4", "XML5", "XML7", "XML8", "XML11", "XML13", "XML14")


@rule(
    "K0.01",
    ",".join(OTHERS),
    "MA_LK",
    "ma_lk_mismatch",
    "MA_LK của bảng khác MA_LK của XML1.",
    "The table's MA_LK differs from XML1's.",
    "Lập lại hồ sơ từ lượt khám; nếu vẫn sai, báo quản trị hệ thống.",
)
def _ma_lk(ctx):
    ma_lk = t(ctx.xml1, "MA_LK")
    for code in OTHERS:
        for rec in ctx.recs.get(code, ()):
            if t(rec, "MA_LK") != ma_lk:
                yield Hit(code, "MA_LK", t(rec, "STT"), t(rec, "MA_LK"))
                break


def _is_time(name: str) -> bool:
    return (
        ("NGAY" in name and not name.startswith("SO_NGAY"))
        or name.startswith("GT_THE_")
        or name == "THOI_DIEM_DBLS"
        or name == "NAM_NAM_LIEN_TUC"
    )


TIME_FIELDS = {code: tuple(n for n in tbl.names if _is_time(n)) for code, tbl in TABLES.items()}


@rule(
    "K0.02",
    "XML1,XML2,XML3,XML4,XML5,XML7,XML8,XML11,XML13,XML14",
    "NGAY_*",
    "date",
    "Ngày/giờ không có thật trên lịch (dạng yyyymmdd hoặc yyyymmddHHMM).",
    "A date or time that does not exist on the calendar (yyyymmdd or yyyymmddHHMM).",
    "Sửa ngày giờ ở nơi nhập (tiếp đón, phiếu khám, chỉ định) rồi lập lại hồ sơ.",
)
def _real_dates(ctx):
    for code, recs in ctx.recs.items():
        names = TIME_FIELDS.get(code, ())
        for rec in recs:
            for name in names:
                value = rec.get(name)
                if not value:
                    continue
                for part in value.split(";"):
                    part = part.strip()
                    if part and not real_time(part, birth=name.startswith("NGAY_SINH")):
                        yield Hit(code, name, t(rec, "STT"), part)


def _not_before_vao(code, name):
    def check(ctx):
        vao = t(ctx.xml1, "NGAY_VAO")
        for rec in ctx.recs.get(code, ()):
            if before(vao, t(rec, name)):
                yield Hit(code, name, t(rec, "STT"), t(rec, name))

    return check


rule(
    "K4.01",
    "XML4",
    "NGAY_KQ",
    "date_order",
    "NGAY_KQ của kết quả cận lâm sàng không được trước NGAY_VAO.",
    "A result's NGAY_KQ cannot be before NGAY_VAO.",
    "Kỹ thuật viên kiểm tra giờ trả kết quả.",
)(_not_before_vao("XML4", "NGAY_KQ"))
rule(
    "K5.01",
    "XML5",
    "THOI_DIEM_DBLS",
    "date_order",
    "THOI_DIEM_DBLS (thời điểm diễn biến) không được trước NGAY_VAO.",
    "THOI_DIEM_DBLS cannot be before NGAY_VAO.",
    "Bác sĩ kiểm tra giờ ghi diễn biến bệnh.",
)(_not_before_vao("XML5", "THOI_DIEM_DBLS"))


@rule(
    "S7.23",
    "XML7",
    "SO_NGAY_NGHI,NGOAITRU_TUNGAY,NGOAITRU_DENNGAY",
    "required",
    "SO_NGAY_NGHI, NGOAITRU_TUNGAY, NGOAITRU_DENNGAY: có một trường thì phải có cả ba.",
    "SO_NGAY_NGHI, NGOAITRU_TUNGAY, NGOAITRU_DENNGAY: all three or none.",
    "Bác sĩ ghi đủ số ngày nghỉ và từ ngày, đến ngày trên giấy ra viện.",
)
def _xml7_leave(ctx):
    rec = ctx.one("XML7")
    names = ("SO_NGAY_NGHI", "NGOAITRU_TUNGAY", "NGOAITRU_DENNGAY")
    given = [n for n in names if t(rec, n)]
    if given and len(given) != 3:
        missing = next(n for n in names if n not in given)
        yield Hit("XML7", missing)


def _leave_days(code, count, start, end):
    def check(ctx):
        rec = ctx.one(code)
        n, a, b = t(rec, count), day(t(rec, start)), day(t(rec, end))
        if not rec or not n:
            return
        if a and b and (b < a or n != str((b - a).days + 1)):
            yield Hit(code, count, value=n)

    return check


rule(
    "K7.01",
    "XML7",
    "SO_NGAY_NGHI",
    "rule",
    "SO_NGAY_NGHI phải bằng số ngày từ NGOAITRU_TUNGAY đến NGOAITRU_DENNGAY (tính cả hai đầu).",
    "SO_NGAY_NGHI must equal the days from NGOAITRU_TUNGAY to NGOAITRU_DENNGAY inclusive.",
    "Bác sĩ sửa số ngày nghỉ cho khớp từ ngày, đến ngày.",
)(_leave_days("XML7", "SO_NGAY_NGHI", "NGOAITRU_TUNGAY", "NGOAITRU_DENNGAY"))
rule(
    "K11.01",
    "XML11",
    "SO_NGAY_NGHI",
    "rule",
    "SO_NGAY_NGHI phải bằng số ngày từ TU_NGAY đến DEN_NGAY (tính cả hai đầu), TU_NGAY không "
    "sau DEN_NGAY.",
    "SO_NGAY_NGHI must equal the days from TU_NGAY to DEN_NGAY inclusive.",
    "Bác sĩ sửa số ngày nghỉ cho khớp từ ngày, đến ngày trên phiếu kết thúc khám.",
)(_leave_days("XML11", "SO_NGAY_NGHI", "TU_NGAY", "DEN_NGAY"))


@rule(
    "S8.01",
    "XML8",
    "MA_LK",
    "table_not_allowed",
    "Chỉ gửi bảng XML8 khi MA_LOAI_KCB là 03, 04 hoặc 06.",
    "XML8 goes with MA_LOAI_KCB 03, 04 or 06 only.",
    "Bác sĩ kiểm tra hình thức điều trị: ngoại trú thì không lập tóm tắt hồ sơ bệnh án.",
)
def _xml8(ctx):
    if ctx.has("XML8") and t(ctx.xml1, "MA_LOAI_KCB") not in {"03", "04", "06"}:
        yield Hit("XML8", "MA_LK")


@rule(
    "S11.06",
    "XML11",
    "MA_BHXH",
    "format",
    "MA_BHXH phải là mã số BHXH 10 chữ số, không được toàn số 0.",
    "MA_BHXH must be a 10-digit social insurance number, not all zeros.",
    "Tiếp đón ghi mã số BHXH của người bệnh (in trên thẻ BHYT) rồi kết thúc khám lại.",
)
def _ma_bhxh(ctx):
    if not ctx.has("XML11"):
        return
    v = t(ctx.one("XML11"), "MA_BHXH")
    if not re.fullmatch(r"[0-9]{10}", v) or set(v) == {"0"}:
        yield Hit("XML11", "MA_BHXH", value=v)


@rule(
    "S11.22",
    "XML11",
    "MAU_SO",
    "code_list",
    "MAU_SO chỉ được để trống hoặc ghi CT07.",
    "MAU_SO must be empty or CT07.",
    "Lập lại hồ sơ; mẫu giấy nghỉ việc hưởng BHXH là CT07.",
)
def _mau_so(ctx):
    v = t(ctx.one("XML11"), "MAU_SO")
    if v and v not in codelists.small("MAU_SO"):
        yield Hit("XML11", "MAU_SO", value=v)


@rule(
    "K11.02",
    "XML11",
    "DEN_NGAY",
    "date_order",
    "DEN_NGAY của giấy nghỉ việc không được trước TU_NGAY.",
    "DEN_NGAY cannot be before TU_NGAY.",
    "Bác sĩ sửa từ ngày, đến ngày nghỉ.",
)
def _xml11_order(ctx):
    rec = ctx.one("XML11")
    if before(t(rec, "TU_NGAY"), t(rec, "DEN_NGAY")):
        yield Hit("XML11", "DEN_NGAY", value=t(rec, "DEN_NGAY"))


def _paper_not_before(name, xml1_name):
    """A check that the follow-up paper's (XML14) `name` is not before XML1's `xml1_name`."""

    def check(ctx):
        if ctx.has("XML14") and before(t(ctx.xml1, xml1_name), t(ctx.one("XML14"), name)):
            yield Hit("XML14", name, value=t(ctx.one("XML14"), name))

    return check


rule(
    "S14.13",
    "XML14",
    "NGAY_HEN_KL",
    "date_order",
    "NGAY_HEN_KL (ngày hẹn khám lại) không được trước NGAY_RA.",
    "NGAY_HEN_KL cannot be before NGAY_RA.",
    "Bác sĩ chọn ngày hẹn khám lại sau ngày kết thúc khám.",
)(_paper_not_before("NGAY_HEN_KL", "NGAY_RA"))


rule(
    "S14.22",
    "XML14",
    "NGAY_CT",
    "date_order",
    "NGAY_CT (ngày chứng từ) của giấy hẹn không được trước NGAY_VAO.",
    "NGAY_CT cannot be before NGAY_VAO.",
    "Lập lại giấy hẹn khám lại với ngày chứng từ đúng.",
)(_paper_not_before("NGAY_CT", "NGAY_VAO"))


# "If given, must equal XML1's": the sheet's rows of Bảng 13 and Bảng 14.
SAME_AS_XML1 = {
    "XML13": {
        5: "MA_CSKCB", 6: "MA_NOI_DI", 7: "MA_NOI_DEN", 8: "HO_TEN", 9: "NGAY_SINH",
        10: "GIOI_TINH", 11: "MA_QUOCTICH", 12: "MA_DANTOC", 13: "MA_NGHE_NGHIEP",
        14: "DIA_CHI", 15: "MA_THE_BHYT", 16: "GT_THE_DEN", 17: "NGAY_VAO",
        18: "NGAY_VAO_NOI_TRU", 19: "NGAY_RA", 21: "CHAN_DOAN_RV", 25: "MA_BENH_CHINH",
        26: "MA_BENH_KT", 27: "MA_BENH_YHCT", 30: "PP_DIEU_TRI", 31: "MA_LOAI_RV",
    },
    "XML14": {
        5: "NGAY_SINH", 6: "GIOI_TINH", 7: "DIA_CHI", 8: "MA_THE_BHYT", 9: "GT_THE_DEN",
        10: "NGAY_VAO", 11: "NGAY_VAO_NOI_TRU", 12: "NGAY_RA", 15: "CHAN_DOAN_RV",
        16: "MA_BENH_CHINH", 17: "MA_BENH_KT", 18: "MA_BENH_YHCT", 19: "MA_DOITUONG_KCB",
    },
}  # fmt: skip
PAPER = {"XML13": "giấy chuyển tuyến", "XML14": "giấy hẹn khám lại"}


# QĐ 3176 renamed two XML13 fields (docs/specs/xml-tables.md#3176-changes); the sheet's rule
# "same as XML1" still holds for them under the new name. A field 3176 removed (XML13
# PP_DIEU_TRI) is simply absent and has nothing to compare.
RENAMED = {"XML13": {"MA_NOI_DI": "MA_CSKCB_DI", "MA_NOI_DEN": "MA_CSKCB_DEN"}}


def _same(code, name):
    def check(ctx):
        if not ctx.has(code):
            return
        record = ctx.one(code)
        here = name
        if name not in record and name in RENAMED.get(code, {}):
            here = RENAMED[code][name]
        given = t(record, here)
        if given and given != t(ctx.xml1, name):
            yield Hit(code, here, value=given)

    return check


for _code, _fields in SAME_AS_XML1.items():
    for _row, _name in _fields.items():
        rule(
            f"S{_code[3:]}.{_row:02d}",
            _code,
            _name,
            "differs_from_xml1",
            f"Bảng {_code}: {_name} phải trùng với XML1.",
            f"{_code} {_name} must equal XML1's.",
            f"Lập lại {PAPER[_code]} từ lượt khám (không sửa tay) để lấy đúng thông tin như XML1.",
        )(_same(_code, _name))

# The sheet made XML13 TOMTAT_KQ optional ("Sửa thành Không bắt buộc"): nothing to refuse, and
# the XSD no longer requires it. The catalogue lists it so coverage and the harness see it.
REGISTRY["S13.23"] = Rule(
    "S13.23",
    ("XML13",),
    ("TOMTAT_KQ",),
    "relaxation",
    "TOMTAT_KQ của giấy chuyển tuyến không bắt buộc (cổng đã bỏ yêu cầu).",
    "XML13 TOMTAT_KQ is optional (the portal dropped the requirement).",
    "Không cần làm gì: bỏ trống được.",
    None,
    sheet="13.23",
    relaxation=True,
)
