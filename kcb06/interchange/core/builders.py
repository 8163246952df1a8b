"""Build the table documents (lxml) from VisitData, in the shapes of the regulation version in
force on the visit's date (versions.version_for), one function per table.

Every table is written with all of the regulation's elements in the regulation's order (empty
when there is nothing to say), because that is what the portal's XSD and the CV 1245 skeletons
show. Dates are local Asia/Ho_Chi_Minh; codes are strings; quantities and unit prices carry up to
3 decimals, amounts 2 (docs/specs/xml-tables.md#formats).
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from lxml import etree

from kcb06.interchange.core.amounts import ZERO, fmt, in_scope_lines, line_amounts, visit_benefit
from kcb06.interchange.core.data import DrugLine, ServiceLine, VisitData
from kcb06.interchange.core.versions import Version, version_for
from kcb06.interchange.core.versions.table import Table

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SUPPLY_GROUP = 10  # MA_NHOM 10: medical supplies in the list
GROUPS_NEEDING_PERFORMER = {1, 2, 3, 8, 18}
INPATIENT_LIKE = {"02", "03", "04", "06"}  # MA_LOAI_KCB with treatment days and XML7


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


def _record_xml(table: Table, values: dict[str, str]) -> str:
    """One record with every field of the table, in order, as XML text (assembled as a string
    and parsed once: several times faster than one lxml SubElement call per field). Values
    for names the table does not have (another version's fields) are not written."""
    parts = []
    get = values.get
    for name, start, end, empty in table.tags:
        value = get(name)
        if value:
            if "&" in value or "<" in value or ">" in value:
                value = escape(value)
            parts.append(start + value + end)
        else:
            parts.append(empty)
    return "".join(parts)


def _flat(tables: dict[str, Table], code: str, values: dict[str, str]) -> etree._Element:
    table = tables[code]
    return etree.fromstring(f"<{table.root}>{_record_xml(table, values)}</{table.root}>")


def _listed(
    tables: dict[str, Table], code: str, rows: list[dict[str, str]], tail: str = ""
) -> etree._Element:
    table = tables[code]
    wrapper, record = table.list_path
    body = "".join(f"<{record}>{_record_xml(table, row)}</{record}>" for row in rows)
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


def build_checkin(v: VisitData, version: Version | None = None) -> etree._Element:
    """XML0 (CHI_TIEU_TRANG_THAI_KCB) with one TRANG_THAI_KCB and an empty CHUKYDONVI."""
    version = version or version_for(v.arrived_at)
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
    return _listed(version.tables, "XML0", [row], tail="<CHUKYDONVI/>")


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


@dataclass
class Built:
    """What the XML1 builder and the later tables share: the visit's amounts and dates."""

    v: VisitData
    version: Version
    benefit: object
    drug_rows: list[dict[str, str]]
    drug_amounts: list
    service_rows: list[dict[str, str]]
    service_amounts: list
    closed: datetime

    @property
    def lines(self) -> list:
        return self.drug_amounts + [a for _s, a in self.service_amounts]

    def total(self, attr: str) -> Decimal:
        return sum((getattr(a, attr) for a in self.lines), ZERO)

    @property
    def doc_date(self) -> str:
        return day(self.closed)


def _treatment_days(v: VisitData, closed: datetime) -> int:
    if v.visit_type not in INPATIENT_LIKE:
        return 0
    return (closed.astimezone(VN).date() - v.arrived_at.astimezone(VN).date()).days + 1


def _xml1(b: Built) -> dict[str, str]:
    v, closed = b.v, b.closed
    local_closed = closed.astimezone(VN)
    t_bh = b.total("thanh_tien_bh")
    t_bncct = b.total("t_bncct")
    values = {
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
        "SO_NGAY_DTRI": str(_treatment_days(v, closed)),
        "PP_DIEU_TRI": v.treatment,
        "KET_QUA_DTRI": v.outcome,
        "MA_LOAI_RV": v.discharge_type,
        "GHI_CHU": v.note,
        "NGAY_TTOAN": ts(v.paid_at),
        "T_THUOC": fmt(sum((a.thanh_tien_bv for a in b.drug_amounts), ZERO)),
        "T_VTYT": fmt(sum((a.thanh_tien_bv for s, a in b.service_amounts if s.is_supply), ZERO)),
        "T_TONGCHI_BV": fmt(b.total("thanh_tien_bv")),
        "T_TONGCHI_BH": fmt(t_bh),
        "T_BNTT": fmt(b.total("t_bntt")),
        "T_BNCCT": fmt(t_bncct),
        "T_BHTT": fmt(t_bh - t_bncct),
        "T_NGUONKHAC": "0",
        "T_BHTT_GDV": fmt(b.total("t_bhtt")),
        "NAM_QT": str(local_closed.year),
        "THANG_QT": str(local_closed.month),
        "MA_LOAI_KCB": v.visit_type,
        "MA_KHOA": v.ma_khoa,
        "MA_CSKCB": v.ma_cskcb,
        "MA_KHUVUC": v.area_code if v.uses_bhyt else "",
        "CAN_NANG": f"{v.weight_kg:.2f}" if v.weight_kg is not None else "",
        "NGAY_TAI_KHAM": day(v.follow_up),
        "MA_HSBA": v.record_no or v.ma_lk,
        "MA_TTDV": v.head_code,
        "NAM_NAM_LIEN_TUC": day(v.five_year_date) if v.uses_bhyt else "",
        "NGAY_MIEN_CCT": b.benefit.ngay_mien_cct,
    }
    return values


def _xml4(b: Built) -> list[dict[str, str]]:
    """Paraclinical results, each linked to the service it is a result of (MA_DICH_VU) and its
    indicator (MA_CHI_SO). The mapper keeps vital signs out of here (XML1 CAN_NANG, XML5)."""
    v = b.v
    return [
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
    ]


def _xml5(b: Built) -> list[dict[str, str]]:
    v = b.v
    return [
        {
            "MA_LK": v.ma_lk,
            "STT": str(i),
            "DIEN_BIEN_LS": n.text,
            "THOI_DIEM_DBLS": ts(n.at),
            "NGUOI_THUC_HIEN": n.author or v.doctor_code,
        }
        for i, n in enumerate(v.notes, 1)
    ]


def _xml7(b: Built) -> dict[str, str]:
    v = b.v
    return {
        "MA_LK": v.ma_lk,
        "SO_LUU_TRU": v.record_no or v.ma_lk,
        "MA_YTE": v.ma_bn,
        "MA_KHOA_RV": v.ma_khoa,
        "NGAY_VAO": ts(v.arrived_at),
        "NGAY_RA": ts(b.closed),
        "CHAN_DOAN_RV": v.final_diagnosis,
        "PP_DIEUTRI": v.treatment,
        "GHI_CHU": v.note,
        "MA_TTDV": v.head_code,
        "MA_BS": v.doctor_code,
        "TEN_BS": v.doctor_name,
        "NGAY_CT": b.doc_date,
    }


def results_summary(v: VisitData) -> str:
    """TOMTAT_KQ from the visit's own results ("Glucose: 5.4 mmol/L; ..."), "" without any."""
    parts = []
    for r in v.results:
        value = " ".join(x for x in (r.value, r.unit) if x)
        text = f"{r.indicator_name}: {value}" if value else r.indicator_name
        if r.conclusion:
            text = f"{text} ({r.conclusion})"
        parts.append(text)
    return "; ".join(parts)


def _xml8(b: Built) -> dict[str, str]:
    v = b.v
    return {
        "MA_LK": v.ma_lk,
        "MA_LOAI_KCB": v.visit_type,
        "NGAY_VAO": ts(v.arrived_at),
        "NGAY_RA": ts(b.closed),
        "CHAN_DOAN_VAO": v.admission_diagnosis,
        "CHAN_DOAN_RV": v.final_diagnosis,
        "QT_BENHLY": v.course_summary or v.final_diagnosis,
        "TOMTAT_KQ": v.results_summary or results_summary(v) or "Không làm cận lâm sàng",
        "PP_DIEUTRI": v.treatment,
        "KET_QUA_DTRI": v.outcome,
        "MA_TTDV": v.head_code,
        "NGAY_CT": b.doc_date,
    }


def _xml11(b: Built) -> dict[str, str]:
    v, s = b.v, b.v.sick_leave
    return {
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
        "NGAY_CT": b.doc_date,
        "MAU_SO": "CT07",
    }


def _xml13(b: Built) -> dict[str, str]:
    """The referral paper. Both versions' names are given (4750: MA_NOI_DI/MA_NOI_DEN,
    TEN_DICH_VU, TEN_THUOC, PP_DIEU_TRI; 3176: MA_CSKCB_DI/MA_CSKCB_DEN, TINH_TRANG_CT): the
    version's table writes only its own fields."""
    v, r = b.v, b.v.referral
    return {
        **_person(v),
        "SO_HOSO": v.record_no or v.ma_lk,
        "SO_CHUYENTUYEN": r.number,
        "GIAY_CHUYEN_TUYEN": r.number,
        "MA_CSKCB": v.ma_cskcb,
        "MA_NOI_DI": r.from_facility,
        "MA_CSKCB_DI": r.from_facility,
        "MA_NOI_DEN": r.to_facility,
        "MA_CSKCB_DEN": r.to_facility,
        "MA_QUOCTICH": v.nationality,
        "MA_DANTOC": v.ethnicity,
        "MA_NGHE_NGHIEP": v.occupation,
        "DIA_CHI": v.address,
        "NGAY_VAO": ts(v.arrived_at),
        "NGAY_VAO_NOI_TRU": ts(v.admitted_at),
        "NGAY_RA": ts(b.closed),
        "DAU_HIEU_LS": r.clinical_signs or v.reason,
        "CHAN_DOAN_RV": v.final_diagnosis,
        "QT_BENHLY": r.course or v.final_diagnosis,
        # Optional on the portal: the results the visit has, or nothing.
        "TOMTAT_KQ": r.results_summary or results_summary(v),
        "PP_DIEUTRI": v.treatment,
        "MA_BENH_CHINH": v.main_icd,
        "MA_BENH_KT": ";".join(v.other_icds),
        "MA_BENH_YHCT": "",
        "TINH_TRANG_CT": r.condition,
        "TEN_DICH_VU": "; ".join(s.name for s in v.services) or "Khám bệnh",
        "TEN_THUOC": "; ".join(d.name for d in v.drugs),
        "PP_DIEU_TRI": v.treatment,
        "MA_LOAI_RV": v.discharge_type,
        "MA_LYDO_CT": str(r.reason_code),
        "HUONG_DIEU_TRI": r.plan or v.note or v.treatment,
        "PHUONGTIEN_VC": r.transport,
        "MA_BAC_SI": v.doctor_code,
        "MA_TTDV": v.head_code,
    }


def _xml14(b: Built) -> dict[str, str]:
    """The re-visit appointment. NGAY_HEN_KL is a date: 4750 writes it as yyyymmddHHMM with
    0000 (the paper gives no time), 3176 as yyyymmdd."""
    v = b.v
    short = b.version.tables["XML14"].field("NGAY_HEN_KL")[2] == "8"
    follow_up = v.follow_up.strftime("%Y%m%d") + ("" if short else "0000")
    return {
        **_person(v),
        "SO_GIAYHEN_KL": v.appointment_number or v.record_no or v.ma_lk,
        "MA_CSKCB": v.ma_cskcb,
        "DIA_CHI": v.address,
        "NGAY_VAO": ts(v.arrived_at),
        "NGAY_VAO_NOI_TRU": ts(v.admitted_at),
        "NGAY_RA": ts(b.closed),
        "NGAY_HEN_KL": follow_up,
        "CHAN_DOAN_RV": v.final_diagnosis,
        "MA_BENH_CHINH": v.main_icd,
        "MA_BENH_KT": ";".join(v.other_icds),
        "MA_DOITUONG_KCB": v.ma_doituong_kcb,
        "MA_BAC_SI": v.doctor_code,
        "MA_TTDV": v.head_code,
        "NGAY_CT": b.doc_date,
    }


def prepare(v: VisitData, version: Version | None = None) -> Built:
    """Amounts (benefit engine, per line) and the episode's end, once for every table."""
    version = version or version_for(v.arrived_at)
    drug_bh, service_bh = in_scope_lines(v)
    benefit = visit_benefit(v, (drug_bh, service_bh))
    muc = benefit.muc_huong
    drug_rows, drug_amounts = _drug_rows(v, muc, drug_bh)
    service_rows, service_amounts = _service_rows(v, muc, service_bh)
    return Built(
        v,
        version,
        benefit,
        drug_rows,
        drug_amounts,
        service_rows,
        service_amounts,
        v.closed_at or v.arrived_at,
    )


def build_tables(v: VisitData, version: Version | None = None) -> dict[str, etree._Element]:
    """The tables a closed visit needs, keyed by LOAIHOSO (XML1, XML2, ...), in order, in the
    shapes of `version` (default: the version in force on the visit's date)."""
    b = prepare(v, version)
    t = b.version.tables
    tables: dict[str, etree._Element] = {"XML1": _flat(t, "XML1", _xml1(b))}
    if b.drug_rows:
        tables["XML2"] = _listed(t, "XML2", b.drug_rows)
    if b.service_rows:
        tables["XML3"] = _listed(t, "XML3", b.service_rows)
    if v.results:
        tables["XML4"] = _listed(t, "XML4", _xml4(b))
    if v.notes:
        tables["XML5"] = _listed(t, "XML5", _xml5(b))
    if v.visit_type in INPATIENT_LIKE:
        tables["XML7"] = _flat(t, "XML7", _xml7(b))
    if v.visit_type in {"03", "04", "06"}:
        tables["XML8"] = _flat(t, "XML8", _xml8(b))
    if v.sick_leave:
        tables["XML11"] = _flat(t, "XML11", _xml11(b))
    if v.referral:
        tables["XML13"] = _flat(t, "XML13", _xml13(b))
    if v.follow_up:
        tables["XML14"] = _flat(t, "XML14", _xml14(b))
    return tables


def to_bytes(root: etree._Element) -> bytes:
    """A table document as the envelope carries it: UTF-8 with the XML declaration."""
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")
