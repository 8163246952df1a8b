"""Build the QĐ 4750 table documents (lxml) from VisitData.

Every table is written with all of the regulation's elements in the regulation's order (empty
when there is nothing to say), because that is what the portal's XSD and the CV 1245 skeletons
show. Dates are local Asia/Ho_Chi_Minh; codes are strings; quantities and unit prices carry up to
3 decimals, amounts 2 (docs/specs/xml-tables.md#formats).
"""

from datetime import date, datetime
from decimal import Decimal
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from lxml import etree

from kcb06.interchange.core.amounts import ZERO, fmt, in_scope_lines, line_amounts, visit_benefit
from kcb06.interchange.core.data import DrugLine, ServiceLine, VisitData
from kcb06.interchange.core.fields import TABLES

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SUPPLY_GROUP = 10  # MA_NHOM 10: medical supplies in the list
GROUPS_NEEDING_PERFORMER = {1, 2, 3, 8, 18}


def ts(value: datetime | None) -> str:
    if not value:
        return ""
    d = value.astimezone(VN)
    return f"{d.year:04d}{d.month:02d}{d.day:02d}{d.hour:02d}{d.minute:02d}"


def day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(VN).date()
    return value.strftime("%Y%m%d")


def _record_xml(code: str, values: dict[str, str]) -> str:
    """One record with every field of the table, in order, as XML text (assembled as a string
    and parsed once: several times faster than one lxml SubElement call per field)."""
    parts = []
    get = values.get
    for name, start, end, empty in TABLES[code].tags:
        value = get(name)
        if value:
            if "&" in value or "<" in value or ">" in value:
                value = escape(value)
            parts.append(start + value + end)
        else:
            parts.append(empty)
    return "".join(parts)


def _flat(code: str, values: dict[str, str]) -> etree._Element:
    root = TABLES[code].root
    return etree.fromstring(f"<{root}>{_record_xml(code, values)}</{root}>")


def _listed(code: str, rows: list[dict[str, str]], tail: str = "") -> etree._Element:
    table = TABLES[code]
    wrapper, record = table.list_path
    body = "".join(f"<{record}>{_record_xml(code, row)}</{record}>" for row in rows)
    return etree.fromstring(f"<{table.root}><{wrapper}>{body}</{wrapper}>{tail}</{table.root}>")


def _card(v: VisitData) -> dict[str, str]:
    if not v.uses_bhyt:
        return {}
    return {
        "MA_THE_BHYT": v.card_number,
        "MA_DKBD": v.ma_dkbd,
        "GT_THE_TU": day(v.card_from),
        "GT_THE_DEN": day(v.card_to),
    }


def _person(v: VisitData) -> dict[str, str]:
    return {
        "MA_LK": v.ma_lk,
        "MA_BN": v.ma_bn,
        "HO_TEN": v.full_name,
        "SO_CCCD": v.id_number,
        "NGAY_SINH": v.birth,
        "GIOI_TINH": v.sex,
        **_card(v),
    }


def build_checkin(v: VisitData) -> etree._Element:
    """XML0 (CHI_TIEU_TRANG_THAI_KCB) with one TRANG_THAI_KCB and an empty CHUKYDONVI."""
    row = {
        **_person(v),
        "STT": "1",
        "MA_DOITUONG_KCB": v.ma_doituong_kcb,
        "NGAY_VAO": ts(v.arrived_at),
        "NGAY_VAO_NOI_TRU": ts(v.admitted_at),
        "LY_DO_VNT": v.admission_reason if v.admitted_at else "",
        "MA_LOAI_KCB": v.visit_type,
        "MA_CSKCB": v.ma_cskcb,
    }
    first = v.first_cost
    if isinstance(first, DrugLine):
        row.update(MA_THUOC=first.code, TEN_THUOC=first.name, NGAY_YL=ts(first.ordered_at))
    elif isinstance(first, ServiceLine) and first.is_supply:
        row.update(MA_VAT_TU=first.code, TEN_VAT_TU=first.name, NGAY_YL=ts(first.ordered_at))
    elif isinstance(first, ServiceLine):
        row.update(MA_DICH_VU=first.code, TEN_DICH_VU=first.name, NGAY_YL=ts(first.ordered_at))
    return _listed("XML0", [row], tail="<CHUKYDONVI/>")


def _drug_rows(v: VisitData, muc: Decimal, bhs: list) -> tuple[list[dict[str, str]], list]:
    rows, amounts = [], []
    for i, (d, bh) in enumerate(zip(v.drugs, bhs, strict=True), 1):
        a = line_amounts(
            d.quantity,
            d.unit_price,
            d.unit_price,
            in_scope=d.scope == 1 and v.uses_bhyt,
            ratio_bh=d.ratio,
            ratio_dv=100,
            muc_huong=muc,
            bh=bh,
        )
        amounts.append(a)
        rows.append(
            {
                "MA_LK": v.ma_lk,
                "STT": str(i),
                "MA_THUOC": d.code,
                "MA_NHOM": str(d.group),
                "TEN_THUOC": d.name,
                "DON_VI_TINH": d.unit,
                "HAM_LUONG": d.strength,
                "DUONG_DUNG": d.route,
                "LIEU_DUNG": d.dose,
                "CACH_DUNG": d.instructions,
                "SO_DANG_KY": d.registration,
                "TT_THAU": d.tender,
                "PHAM_VI": str(d.scope),
                "TYLE_TT_BH": str(d.ratio),
                "SO_LUONG": fmt(d.quantity, 3),
                "DON_GIA": fmt(d.unit_price, 3),
                "THANH_TIEN_BV": fmt(a.thanh_tien_bv),
                "THANH_TIEN_BH": fmt(a.thanh_tien_bh),
                "T_NGUONKHAC_NSNN": "0",
                "T_NGUONKHAC_VTNN": "0",
                "T_NGUONKHAC_VTTN": "0",
                "T_NGUONKHAC_CL": "0",
                "T_NGUONKHAC": "0",
                "MUC_HUONG": fmt(a.muc_huong),
                "T_BNTT": fmt(a.t_bntt),
                "T_BNCCT": fmt(a.t_bncct),
                "T_BHTT": fmt(a.t_bhtt),
                "MA_KHOA": v.ma_khoa,
                "MA_BAC_SI": d.doctor or v.doctor_code,
                "NGAY_YL": ts(d.ordered_at),
                "NGAY_TH_YL": ts(d.executed_at),
                "MA_PTTT": "1",
                "NGUON_CTRA": "1",
            }
        )
    return rows, amounts


def _service_rows(v: VisitData, muc: Decimal, bhs: list) -> tuple[list[dict[str, str]], list]:
    rows, amounts = [], []
    for i, (s, bh) in enumerate(zip(v.services, bhs, strict=True), 1):
        bh_price = s.bhyt_price if s.bhyt_price is not None else s.unit_price
        a = line_amounts(
            s.quantity,
            s.unit_price,
            bh_price,
            in_scope=s.scope == 1 and v.uses_bhyt,
            ratio_bh=s.ratio,
            ratio_dv=s.service_ratio,
            muc_huong=muc,
            bh=bh,
        )
        amounts.append((s, a))
        code_key, name_key = (
            ("MA_VAT_TU", "TEN_VAT_TU") if s.is_supply else ("MA_DICH_VU", "TEN_DICH_VU")
        )
        rows.append(
            {
                "MA_LK": v.ma_lk,
                "STT": str(i),
                code_key: s.code,
                name_key: s.name,
                "MA_NHOM": str(s.group),
                "TT_THAU": s.tender,
                "DON_VI_TINH": s.unit,
                "PHAM_VI": str(s.scope),
                "SO_LUONG": fmt(s.quantity, 3),
                "DON_GIA_BV": fmt(s.unit_price, 3),
                "DON_GIA_BH": fmt(bh_price, 3),
                "TYLE_TT_DV": str(s.service_ratio),
                "TYLE_TT_BH": str(s.ratio),
                "THANH_TIEN_BV": fmt(a.thanh_tien_bv),
                "THANH_TIEN_BH": fmt(a.thanh_tien_bh),
                "MUC_HUONG": fmt(a.muc_huong),
                "T_NGUONKHAC_NSNN": "0",
                "T_NGUONKHAC_VTNN": "0",
                "T_NGUONKHAC_VTTN": "0",
                "T_NGUONKHAC_CL": "0",
                "T_NGUONKHAC": "0",
                "T_BNTT": fmt(a.t_bntt),
                "T_BNCCT": fmt(a.t_bncct),
                "T_BHTT": fmt(a.t_bhtt),
                "MA_KHOA": v.ma_khoa,
                "MA_BAC_SI": s.doctor or v.doctor_code,
                "NGUOI_THUC_HIEN": s.performer or s.doctor or v.doctor_code,
                "MA_BENH": ";".join([v.main_icd, *v.other_icds]).strip(";"),
                "NGAY_YL": ts(s.ordered_at),
                "NGAY_TH_YL": ts(s.performed_at or s.ordered_at),
                "NGAY_KQ": ts(s.result_at),
                "MA_PTTT": "1",
            }
        )
    return rows, amounts


def build_tables(v: VisitData) -> dict[str, etree._Element]:
    """The tables a closed visit needs, keyed by LOAIHOSO (XML1, XML2, ...), in order."""
    drug_bh, service_bh = in_scope_lines(v)
    benefit = visit_benefit(v, (drug_bh, service_bh))
    muc = benefit.muc_huong
    drug_rows, drug_amounts = _drug_rows(v, muc, drug_bh)
    service_rows, service_amounts = _service_rows(v, muc, service_bh)
    lines = drug_amounts + [a for _s, a in service_amounts]

    def total(attr: str) -> Decimal:
        return sum((getattr(a, attr) for a in lines), ZERO)

    t_bh = total("thanh_tien_bh")
    t_bncct = total("t_bncct")
    closed = v.closed_at or v.arrived_at
    local_closed = closed.astimezone(VN)
    days = 0
    if v.visit_type in {"02", "03", "04", "06"}:
        days = (local_closed.date() - v.arrived_at.astimezone(VN).date()).days + 1
    xml1 = {
        **_person(v),
        "STT": "1",
        "MA_QUOCTICH": v.nationality,
        "MA_DANTOC": v.ethnicity,
        "MA_NGHE_NGHIEP": v.occupation,
        "DIA_CHI": v.address,
        "MATINH_CU_TRU": v.province,
        "MAHUYEN_CU_TRU": v.district,
        "MAXA_CU_TRU": v.ward,
        "DIEN_THOAI": v.phone,
        "LY_DO_VV": v.reason,
        "LY_DO_VNT": v.admission_reason if v.admitted_at else "",
        "CHAN_DOAN_VAO": v.admission_diagnosis,
        "CHAN_DOAN_RV": v.final_diagnosis,
        "MA_BENH_CHINH": v.main_icd,
        "MA_BENH_KT": ";".join(v.other_icds),
        "MA_DOITUONG_KCB": v.ma_doituong_kcb,
        "MA_NOI_DEN": v.referral.to_facility if v.referral else "",
        "NGAY_VAO": ts(v.arrived_at),
        "NGAY_VAO_NOI_TRU": ts(v.admitted_at),
        "NGAY_RA": ts(closed),
        "GIAY_CHUYEN_TUYEN": v.referral.number if v.referral else "",
        "SO_NGAY_DTRI": str(days),
        "PP_DIEU_TRI": v.treatment,
        "KET_QUA_DTRI": v.outcome,
        "MA_LOAI_RV": v.discharge_type,
        "GHI_CHU": v.note,
        "NGAY_TTOAN": ts(v.paid_at),
        "T_THUOC": fmt(sum((a.thanh_tien_bv for a in drug_amounts), ZERO)),
        "T_VTYT": fmt(sum((a.thanh_tien_bv for s, a in service_amounts if s.is_supply), ZERO)),
        "T_TONGCHI_BV": fmt(total("thanh_tien_bv")),
        "T_TONGCHI_BH": fmt(t_bh),
        "T_BNTT": fmt(total("t_bntt")),
        "T_BNCCT": fmt(t_bncct),
        "T_BHTT": fmt(t_bh - t_bncct),
        "T_NGUONKHAC": "0",
        "T_BHTT_GDV": fmt(total("t_bhtt")),
        "NAM_QT": str(local_closed.year),
        "THANG_QT": str(local_closed.month),
        "MA_LOAI_KCB": v.visit_type,
        "MA_KHOA": v.ma_khoa,
        "MA_CSKCB": v.ma_cskcb,
        "MA_KHUVUC": v.area_code,
        "CAN_NANG": fmt(v.weight_kg) if v.weight_kg is not None else "",
        "NGAY_TAI_KHAM": day(v.follow_up),
        "MA_HSBA": v.record_no or v.ma_lk,
        "MA_TTDV": v.head_code,
        "NAM_NAM_LIEN_TUC": day(v.five_year_date),
        "NGAY_MIEN_CCT": benefit.ngay_mien_cct,
    }
    if v.weight_kg is not None:
        xml1["CAN_NANG"] = f"{v.weight_kg:.2f}"
    tables: dict[str, etree._Element] = {"XML1": _flat("XML1", xml1)}
    if drug_rows:
        tables["XML2"] = _listed("XML2", drug_rows)
    if service_rows:
        tables["XML3"] = _listed("XML3", service_rows)
    if v.results:
        tables["XML4"] = _listed(
            "XML4",
            [
                {
                    "MA_LK": v.ma_lk,
                    "STT": str(i),
                    "MA_DICH_VU": r.service_code,
                    "MA_CHI_SO": r.indicator_code,
                    "TEN_CHI_SO": r.indicator_name,
                    "GIA_TRI": r.value,
                    "DON_VI_DO": r.unit,
                    "MO_TA": r.description,
                    "KET_LUAN": r.conclusion,
                    "NGAY_KQ": ts(r.result_at),
                    "MA_BS_DOC_KQ": r.reader,
                }
                for i, r in enumerate(v.results, 1)
            ],
        )
    if v.notes:
        tables["XML5"] = _listed(
            "XML5",
            [
                {
                    "MA_LK": v.ma_lk,
                    "STT": str(i),
                    "DIEN_BIEN_LS": n.text,
                    "THOI_DIEM_DBLS": ts(n.at),
                    "NGUOI_THUC_HIEN": n.author or v.doctor_code,
                }
                for i, n in enumerate(v.notes, 1)
            ],
        )
    doc_date = day(closed)
    if v.visit_type in {"02", "03", "04", "06"}:
        tables["XML7"] = _flat(
            "XML7",
            {
                "MA_LK": v.ma_lk,
                "SO_LUU_TRU": v.record_no or v.ma_lk,
                "MA_YTE": v.ma_bn,
                "MA_KHOA_RV": v.ma_khoa,
                "NGAY_VAO": ts(v.arrived_at),
                "NGAY_RA": ts(closed),
                "CHAN_DOAN_RV": v.final_diagnosis,
                "PP_DIEUTRI": v.treatment,
                "GHI_CHU": v.note,
                "MA_TTDV": v.head_code,
                "MA_BS": v.doctor_code,
                "TEN_BS": v.doctor_name,
                "NGAY_CT": doc_date,
            },
        )
    if v.visit_type in {"03", "04", "06"}:
        tables["XML8"] = _flat(
            "XML8",
            {
                "MA_LK": v.ma_lk,
                "MA_LOAI_KCB": v.visit_type,
                "NGAY_VAO": ts(v.arrived_at),
                "NGAY_RA": ts(closed),
                "CHAN_DOAN_VAO": v.admission_diagnosis,
                "CHAN_DOAN_RV": v.final_diagnosis,
                "QT_BENHLY": v.course_summary or v.final_diagnosis,
                "TOMTAT_KQ": v.results_summary or "Không có",
                "PP_DIEUTRI": v.treatment,
                "KET_QUA_DTRI": v.outcome,
                "MA_TTDV": v.head_code,
                "NGAY_CT": doc_date,
            },
        )
    if v.sick_leave:
        s = v.sick_leave
        tables["XML11"] = _flat(
            "XML11",
            {
                "MA_LK": v.ma_lk,
                "SO_CT": s.number,
                "SO_SERI": s.serial,
                "SO_KCB": v.record_no or v.ma_lk,
                "DON_VI": s.employer,
                "MA_BHXH": s.social_insurance_no or (v.card_number[-10:] if v.card_number else ""),
                "MA_THE_BHYT": v.card_number if v.uses_bhyt else "",
                "CHAN_DOAN_RV": v.final_diagnosis,
                "PP_DIEUTRI": v.treatment,
                "SO_NGAY_NGHI": str(s.days),
                "TU_NGAY": day(s.start),
                "DEN_NGAY": day(s.end),
                "MA_TTDV": v.head_code,
                "MA_BS": v.doctor_code,
                "NGAY_CT": doc_date,
                "MAU_SO": "CT07",
            },
        )
    if v.referral:
        r = v.referral
        tables["XML13"] = _flat(
            "XML13",
            {
                **_person(v),
                "SO_HOSO": v.record_no or v.ma_lk,
                "SO_CHUYENTUYEN": r.number,
                "GIAY_CHUYEN_TUYEN": r.number,
                "MA_CSKCB": v.ma_cskcb,
                "MA_NOI_DEN": r.to_facility,
                "MA_QUOCTICH": v.nationality,
                "MA_DANTOC": v.ethnicity,
                "MA_NGHE_NGHIEP": v.occupation,
                "DIA_CHI": v.address,
                "NGAY_VAO": ts(v.arrived_at),
                "NGAY_VAO_NOI_TRU": ts(v.admitted_at),
                "NGAY_RA": ts(closed),
                "DAU_HIEU_LS": r.clinical_signs or v.reason,
                "CHAN_DOAN_RV": v.final_diagnosis,
                "QT_BENHLY": r.course or v.final_diagnosis,
                "TOMTAT_KQ": r.results_summary or "Không có",
                "PP_DIEUTRI": v.treatment,
                "MA_BENH_CHINH": v.main_icd,
                "MA_BENH_KT": ";".join(v.other_icds),
                "TEN_DICH_VU": "; ".join(s.name for s in v.services) or "Khám bệnh",
                "TEN_THUOC": "; ".join(d.name for d in v.drugs),
                "PP_DIEU_TRI": v.treatment,
                "MA_LOAI_RV": v.discharge_type,
                "MA_LYDO_CT": str(r.reason_code),
                "HUONG_DIEU_TRI": r.plan or "Tiếp tục điều trị tại tuyến trên",
                "PHUONGTIEN_VC": r.transport,
                "MA_BAC_SI": v.doctor_code,
                "MA_TTDV": v.head_code,
            },
        )
    if v.follow_up:
        tables["XML14"] = _flat(
            "XML14",
            {
                **_person(v),
                "SO_GIAYHEN_KL": f"HK-{v.ma_lk}"[:50],
                "MA_CSKCB": v.ma_cskcb,
                "DIA_CHI": v.address,
                "NGAY_VAO": ts(v.arrived_at),
                "NGAY_VAO_NOI_TRU": ts(v.admitted_at),
                "NGAY_RA": ts(closed),
                "NGAY_HEN_KL": v.follow_up.strftime("%Y%m%d") + "0700",
                "CHAN_DOAN_RV": v.final_diagnosis,
                "MA_BENH_CHINH": v.main_icd,
                "MA_BENH_KT": ";".join(v.other_icds),
                "MA_DOITUONG_KCB": v.ma_doituong_kcb,
                "MA_BAC_SI": v.doctor_code,
                "MA_TTDV": v.head_code,
                "NGAY_CT": doc_date,
            },
        )
    return tables


def to_bytes(root: etree._Element) -> bytes:
    """A table document as the envelope carries it: UTF-8 with the XML declaration."""
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")
