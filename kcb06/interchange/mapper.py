"""ORM -> VisitData: the only place that knows both the models and the XML's needs.

Staff codes (MA_BAC_SI, NGUOI_THUC_HIEN) are the practising-certificate code when set, else
the staff's personal ID number (the "mã định danh y tế" of the regulation). MA_TTDV (BHXH
number of the facility head who signs) comes from KCB06_MA_TTDV_<MA_CSKCB> in the environment;
in production (KCB06_ENV=production, not a demo, not DEBUG) a claim is not built without it;
elsewhere the stand-in <MA_CSKCB>00000 is written and docs/interchange.md says so.

What the card check returned (the visit's eligibility verdict) is written as BHXH has it:
NGAY_SINH as on the card (a year-only card gives yyyy00000000), MA_KHUVUC, NAM_NAM_LIEN_TUC.
"""

import logging
import os
import re
import time
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings

from kcb06.bhxh import client as bhxh_client
from kcb06.bhxh import copayments
from kcb06.errors import DomainError
from kcb06.interchange.core.data import (
    DrugLine,
    NoteLine,
    Referral,
    ResultLine,
    ServiceLine,
    SickLeave,
    VisitData,
)
from kcb06.interchange.core.validation import OUT_OF_LIST_DRUG

VN = ZoneInfo("Asia/Ho_Chi_Minh")
log = logging.getLogger(__name__)
SEX = {"male": "1", "female": "2", "m": "1", "f": "2", "nam": "1", "nu": "2", "1": "1", "2": "2"}
EXAM_SERVICE = ("02.1896", "Khám bệnh")  # examination fee: the first cost of an outpatient visit


def staff_code(user) -> str:
    profile = getattr(user, "staff", None) if user is not None else None
    if profile is None:
        return ""
    return profile.practitioner_code or profile.id_number or ""


def _stand_in_allowed() -> bool:
    from django.conf import settings

    return bool(
        settings.DEBUG
        or getattr(settings, "KCB06_DEMO", False)
        or getattr(settings, "KCB06_ENV", "development") != "production"
    )


def head_code(facility_code: str, required: bool = True) -> str:
    """MA_TTDV of the facility head (or delegate) who signs: KCB06_MA_TTDV_<MA_CSKCB>. Without
    it, production refuses to build (a made-up number would pass the portal's format check and
    be attributed to nobody); development and the demo write <MA_CSKCB>00000."""
    value = os.environ.get(f"KCB06_MA_TTDV_{facility_code}", "").strip()
    if value:
        return value[:255]
    if not _stand_in_allowed():
        if not required:  # a check-in (XML0) has no MA_TTDV
            return ""
        raise DomainError(
            "ma_ttdv_missing",
            f"Chưa khai báo mã định danh (MA_TTDV) của thủ trưởng cơ sở {facility_code}: "
            f"quản trị viên cần đặt biến môi trường KCB06_MA_TTDV_{facility_code} trước khi "
            "lập hồ sơ XML gửi cổng BHXH.",
            f"MA_TTDV of the head of facility {facility_code} is not configured: set "
            f"KCB06_MA_TTDV_{facility_code} before claim files can be built.",
            status=503,
        )
    return f"{facility_code}00000"


_CARD_BIRTH = (
    (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})"), (3, 2, 1)),  # dd/mm/yyyy, as the card writes it
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), (1, 2, 3)),  # yyyy-mm-dd
)


def card_birth_text(text: str) -> str:
    """NGAY_SINH from the card's ngaySinh: dd/mm/yyyy -> yyyymmdd0000, mm/yyyy ->
    yyyymm000000, yyyy -> yyyy00000000; "" when it is none of these. Runs at every check-in
    (the check-in file carries NGAY_SINH): a regex and date() cost a tenth of strptime."""
    text = (text or "").strip()
    for pattern, order in _CARD_BIRTH:
        m = pattern.fullmatch(text)
        if m:
            year, month, day = (int(m.group(i)) for i in order)
            try:
                date(year, month, day)  # a real calendar date
            except ValueError:
                return ""
            return f"{year:04d}{month:02d}{day:02d}0000"
    m = re.fullmatch(r"(\d{1,2})/(\d{4})", text)
    if m and 1 <= int(m.group(1)) <= 12:
        return f"{m.group(2)}{int(m.group(1)):02d}000000"
    if re.fullmatch(r"\d{4}", text):
        return f"{text}00000000"
    return ""


def birth_text(patient, card: dict | None = None) -> str:
    """As written on the BHYT card when the visit uses one (the portal compares NGAY_SINH with
    the card), else from the patient record."""
    from_card = card_birth_text((card or {}).get("date_of_birth", ""))
    if from_card:
        return from_card
    dob = patient.date_of_birth
    if dob is None or patient.dob_precision == "year":
        return f"{patient.birth_year:04d}00000000"
    return dob.strftime("%Y%m%d") + "0000"


def facility_level(facility) -> str:
    """The benefit engine's facility level (benefit.FacilityLevel): a commune health station is
    primary level; another facility has its former route level, district when not set."""
    if facility.kind == "tram_y_te":
        return "primary"
    return getattr(facility, "former_route_level", "") or "district"


def route(visit) -> str:
    """registered at the card's MA_DKBD, else self-referred. kcb06 does not record incoming
    transfer forms or emergencies yet: such a visit is corrected at settlement."""
    return "registered" if visit.ma_dkbd == visit.facility.code else "self_referred"


def doi_tuong(visit) -> str:
    """MA_DOITUONG_KCB (QĐ 3276 App. 1, first matching row): 1.1 at the registered facility,
    1.2 at a primary-level facility, a self-referral code by the facility's former route level
    elsewhere (simplified; the facility confirms it at settlement), 9 without BHYT."""
    if not visit.uses_bhyt:
        return "9"
    level = facility_level(visit.facility)
    if level == "primary":
        return "1.2"
    if visit.ma_dkbd == visit.facility.code:
        return "1.1"
    inpatient = visit.visit_type in {"03", "04", "06", "09"}
    return {
        "district": "3.3",
        "provincial": "3.2" if inpatient else "1.18",
        "central": "3.1",
    }[level]


def checked_card(visit) -> dict:
    """The card as the card check returned it (the visit's eligibility verdict), {} without
    one. When the check answered with a re-issued card, the visit's card is that one."""
    detail = visit.eligibility_detail or {}
    card = detail.get("card") if isinstance(detail, dict) else None
    return card if isinstance(card, dict) else {}


def area_code(visit) -> str:
    """MA_KHUVUC (K1/K2/K3) from the card check's maKV."""
    return str(checked_card(visit).get("area_code") or "").strip()[:2]


def five_year_date(visit) -> date | None:
    """NAM_NAM_LIEN_TUC: the date of 5 consecutive years the card check returned (ngayDu5Nam),
    kept in the visit's eligibility verdict."""
    card = checked_card(visit)
    try:
        return date.fromisoformat(card.get("five_year_date") or "")
    except (TypeError, ValueError):
        return None


_XML1_FIELD = {name: re.compile(f"<{name}>([^<]*)</{name}>") for name in ("T_BNCCT", "NGAY_RA")}


def copayments_this_year(visit) -> list[tuple[datetime, Decimal]]:
    """The patient's co-payments of this calendar year before this visit: kcb06's own claims
    at this facility (own_copayments) and what BHXH's co-payment lookup reports for every other
    facility (bhxh_copayments). BHXH's rows of this facility are left out: kcb06's own claims
    are the same episodes, and also count the ones BHXH has not received yet
    (docs/interchange.md, "Co-payment exemption")."""
    own = own_copayments(visit)
    others = [
        (at, amount)
        for facility, at, amount in bhxh_copayments(visit)
        if facility != visit.facility.code and at < visit.arrived_at
    ]
    return sorted(own + others)


def bhxh_copayments(visit) -> list[tuple[str, datetime, Decimal]]:
    """(MA_CSKCB, end of episode, co-payment) of the card's episodes this year as BHXH's
    co-payment lookup reports them; [] when the portal is not configured or cannot answer now
    (the claim is then built from kcb06's own records, and logged)."""
    if not settings.KCB06_PORTAL_COPAYMENT_LOOKUP or not visit.card_number:
        return []
    card = (visit.eligibility_detail or {}).get("card") or {}
    patient = visit.patient
    dob = patient.date_of_birth
    if card.get("date_of_birth"):  # as BHXH holds it (dd/MM/yyyy, or yyyy)
        dob_text = card["date_of_birth"]
    elif dob is None or patient.dob_precision == "year":
        dob_text = f"{patient.birth_year:04d}"
    else:
        dob_text = dob.strftime("%d/%m/%Y")
    account = bhxh_client.facility_account(visit.facility)
    try:
        episodes = copayments.lookup_cached(
            account,
            ma_the=visit.card_number,
            full_name=card.get("full_name") or patient.full_name,
            dob_text=dob_text,
            deadline=time.monotonic() + settings.KCB06_PORTAL_TIMEOUT,
        )
    except bhxh_client.PortalError as exc:
        log.info("co-payment lookup unavailable (%s): own records only", exc.kind)
        return []
    year = visit.visit_date.year
    return [
        (e.facility_code, datetime.combine(e.discharged, dtime(23, 59), tzinfo=VN), e.copayment)
        for e in episodes
        if e.discharged.year == year
    ]


def own_copayments(visit) -> list[tuple[datetime, Decimal]]:
    """The patient's co-payments (XML1 T_BNCCT, at NGAY_RA) of their earlier claims this
    calendar year, from kcb06's own claim files: the newest file of each earlier visit."""
    from kcb06.interchange.models import OutboxItem, OutboxKind, OutboxState

    rows = (
        OutboxItem.objects.filter(
            kind=OutboxKind.CLAIM,
            visit__patient_id=visit.patient_id,
            visit__visit_date__year=visit.visit_date.year,
            visit__arrived_at__lt=visit.arrived_at,
        )
        .exclude(visit_id=visit.pk)
        .exclude(state=OutboxState.SUPERSEDED)
        .order_by("visit_id", "-created_at")
        .values_list("visit_id", "tables")
    )
    seen, found = set(), []
    for visit_id, tables in rows:
        if visit_id in seen:
            continue
        seen.add(visit_id)
        xml1 = (tables or {}).get("XML1", "")
        amount, ended = (_XML1_FIELD[f].search(xml1) for f in ("T_BNCCT", "NGAY_RA"))
        if not amount or not ended:
            continue
        try:
            at = datetime.strptime(ended.group(1), "%Y%m%d%H%M").replace(tzinfo=VN)
            found.append((at, Decimal(amount.group(1) or "0")))
        except (ValueError, InvalidOperation):
            continue
    return found


def visit_data(visit, identifiers=None) -> VisitData:
    """`identifiers`: the patient's active (kind, value) pairs when the caller holds them
    (a check-in has just read or written them), else they are read."""
    patient = visit.patient
    if identifiers is None:
        identifiers = [(i.kind, i.value) for i in patient.identifiers.all() if i.is_active]
    ids = dict(identifiers)
    facility = visit.facility
    uses_bhyt = visit.uses_bhyt and bool(visit.card_number)
    card = checked_card(visit) if uses_bhyt else {}
    closure = getattr(visit, "closure", None) if hasattr(visit, "closure") else None
    doctor = closure.closed_by if closure is not None else None
    data = VisitData(
        ma_lk=visit.ma_lk,
        ma_cskcb=facility.code,
        ma_bn=f"BN{patient.pk:08d}",
        full_name=patient.full_name,
        birth=birth_text(patient, card),
        sex=SEX.get(str(patient.sex).lower(), "3"),
        arrived_at=visit.arrived_at,
        ma_khoa=visit.department.code,
        visit_type=visit.visit_type or "01",
        ma_doituong_kcb=doi_tuong(visit),
        # A facility's own record of a claimed ID number (kcb06.patients.identity) still
        # declares that number: the portal compares it with the name and date of birth.
        id_number=ids.get("id_number", "")
        or ids.get("old_id_number", "")
        or ids.get("claimed_id", ""),
        nationality=patient.nationality_code or "000",
        ethnicity=patient.ethnicity_code or "01",
        occupation=patient.occupation_code or "00000",
        address=patient.address or facility.address,
        province=patient.province_code or facility.province_code,
        ward=patient.ward_code or facility.ward_code,
        phone=patient.phone,
        uses_bhyt=uses_bhyt,
        card_number=visit.card_number,
        ma_dkbd=visit.ma_dkbd,
        card_from=visit.card_valid_from,
        card_to=visit.card_valid_to,
        benefit_level=visit.benefit_level,
        area_code=area_code(visit) if uses_bhyt else "",
        facility_level=facility_level(facility),
        route=route(visit),
        five_year_date=five_year_date(visit),
        reason=visit.reason or "Khám bệnh",
        closed_at=visit.closed_at,
        doctor_code=staff_code(doctor),
        doctor_name=getattr(getattr(doctor, "staff", None), "full_name", ""),
        head_code=head_code(facility.code, required=closure is not None),
        record_no=visit.ma_lk,
    )
    exam = ServiceLine(
        EXAM_SERVICE[0], EXAM_SERVICE[1], Decimal(1), Decimal(0), visit.arrived_at, group=13
    )
    data.first_cost = exam
    if closure is None:
        return data
    # The year's co-payments matter only once the 5 years are reached (benefit engine).
    if data.uses_bhyt and data.five_year_date and data.five_year_date <= visit.visit_date:
        data.copayments = copayments_this_year(visit)
    data.admission_diagnosis = closure.admission_diagnosis or closure.final_diagnosis_text
    data.final_diagnosis = closure.final_diagnosis_text
    diagnoses = sorted(visit.diagnoses.all(), key=lambda d: (not d.is_main, d.position))
    data.main_icd = closure.main_icd10 or (diagnoses[0].icd10 if diagnoses else "")
    data.other_icds = [d.icd10 for d in diagnoses if d.icd10 != data.main_icd][:12]
    data.treatment = closure.treatment_summary or "Điều trị nội khoa"
    data.outcome = closure.outcome or "1"
    data.discharge_type = closure.discharge_type or "1"
    data.note = closure.note
    data.follow_up = closure.follow_up_date
    data.weight_kg = closure.weight_kg
    data.closed_at = visit.closed_at or closure.closed_at
    data.drugs = [
        DrugLine(
            p.drug_code or OUT_OF_LIST_DRUG,
            p.drug_name,
            p.unit or "Viên",
            p.strength or "-",
            p.route or "1.01",
            p.dose,
            p.quantity,
            p.unit_price,
            ordered_at=p.ordered_at,
            doctor=staff_code(p.prescriber) or data.doctor_code,
            # A drug without a catalogue code is outside the BHYT list: the patient pays it.
            scope=p.scope or (1 if p.drug_code and p.drug_code != OUT_OF_LIST_DRUG else 2),
            ratio=(0 if p.scope == 2 else 100)
            if p.scope
            else (100 if p.drug_code and p.drug_code != OUT_OF_LIST_DRUG else 0),
            # From the catalogue row valid on the visit's date (kcb06.catalogue, issue #19).
            group=p.group_code or 4,
            registration=p.registration,
            tender=p.tender,
        )
        for p in visit.prescriptions.all()
        if p.billable  # a free-text drug is a note in the book, never a claim line
    ]
    data.services = [
        ServiceLine(
            s.service_code,
            s.service_name,
            s.quantity,
            s.unit_price,
            s.ordered_at,
            performed_at=s.performed_at,
            result_at=s.result_at,
            group=s.group_code,
            performer=staff_code(s.performer) or data.doctor_code,
        )
        for s in visit.services.all()
    ]
    data.notes = [
        NoteLine(n.text, n.at, staff_code(n.author) or data.doctor_code)
        for n in visit.progress_notes.all()
    ]
    _results(data, list(visit.results.all()))
    firsts = sorted([*data.services, *data.drugs], key=lambda line: line.ordered_at)
    if firsts:
        data.first_cost = firsts[0]
        # A correction re-records orders at correction time; NGAY_RA must not precede them
        # (QĐ 4750: NGAY_YL <= NGAY_RA), so the episode ends at its last recorded order.
        last = max(line.ordered_at for line in firsts)
        if data.closed_at is None or last > data.closed_at:
            data.closed_at = last
    if closure.sick_leave_days and closure.sick_leave_from:
        end = closure.sick_leave_to or closure.sick_leave_from + timedelta(
            days=closure.sick_leave_days - 1
        )
        data.sick_leave = SickLeave(
            closure.sick_leave_days,
            closure.sick_leave_from,
            end,
            number=f"NV-{visit.ma_lk}"[:200],
            serial=f"{facility.code}-{visit.pk}",
            employer=closure.sick_leave_employer,
            social_insurance_no=ids.get("bhxh_number", "")
            or (visit.card_number[-10:] if visit.card_number else ""),
        )
    if data.discharge_type in {"2", "5"}:
        data.referral = Referral(
            to_facility=closure.referral_to,
            number=f"CT-{visit.ma_lk}"[:50],
            clinical_signs=visit.reason,
            course=closure.treatment_summary or data.final_diagnosis,
            plan=closure.note,
            transport=closure.referral_transport,
            condition=closure.referral_condition,
        )
    return data


PARACLINICAL_GROUPS = {1, 2, 3}  # MA_NHOM: tests, imaging, functional exploration


def _results(data: VisitData, rows) -> None:
    """XML4 takes the results of the paraclinical services the visit ordered, each with its
    MA_DICH_VU and MA_CHI_SO. A row not linked to such a service is not a paraclinical result
    (blood pressure, pulse, temperature ... measured at the examination): it goes to the
    clinical course (XML5) as the clinician wrote it, and a weight to XML1 CAN_NANG when the
    closing form left that empty."""
    ordered = {s.code for s in data.services if s.group in PARACLINICAL_GROUPS}
    for r in rows:
        code = (r.service_code or "").strip()
        if code and code in ordered:
            data.results.append(
                ResultLine(
                    code,
                    r.indicator_code,
                    r.indicator_name,
                    r.value,
                    r.unit,
                    r.description,
                    r.conclusion,
                    r.result_at,
                )
            )
            continue
        value = " ".join(x for x in (r.value, r.unit) if x)
        if data.weight_kg is None and r.indicator_name.strip().lower() in WEIGHT_NAMES:
            try:
                data.weight_kg = Decimal(r.value.replace(",", ".").strip())
                continue
            except (InvalidOperation, AttributeError):
                pass
        text = f"{r.indicator_name}: {value}" if value else r.indicator_name
        if r.conclusion:
            text = f"{text} ({r.conclusion})"
        data.notes.append(NoteLine(text, r.result_at or data.arrived_at, data.doctor_code))
    data.notes.sort(key=lambda n: n.at)


WEIGHT_NAMES = {"cân nặng", "can nang", "weight"}
