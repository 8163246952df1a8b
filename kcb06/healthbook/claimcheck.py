"""Before a visit closes: the problems its claim file would have, on the closing form.

Closing writes the closure rows, then (same transaction) asks whoever listens to
signals.visit_closing — interchange builds the XML 4750 tables from those rows and runs its
validator, the same rules the outbox applies. Each problem the clinician can fix on the form
(weight, sick leave, a drug line, a diagnosis, the outcome…) is mapped to that form field with
a Vietnamese message, and the closing is rolled back. Problems with data the clinician does
not enter (the patient's address, the facility's codes) do not block the closing: they reach
the outbox as today, where staff fix them and re-send. The rules are the interchange rule
catalogue (interchange.core.rules) with the facility's switches: a rule the facility made a
warning or switched off does not block; each message ends with the rule's next step.

Tender data (TT_THAU) and the registration number (SO_DANG_KY) of a drug line come only from
the facility's drug catalogue: the clinician cannot fix them on the form, so they do not stop
the closing (the clinician's entry is saved, the claim is kept as invalid in the claim-error
queue with its next step); the clinician is told at closing that the facility admin must
import (or complete) the drug catalogue — see docs/catalogue.md.
"""

import re

from kcb06.catalogue import services as catalogue
from kcb06.errors import DomainError
from kcb06.healthbook import signals

# (table, field) -> (form field, message). "{msg}" is the validator's own message.
FIELDS = {
    ("XML1", "CAN_NANG"): (
        "weight_kg",
        "Cần nhập cân nặng: hồ sơ gửi BHXH bắt buộc ghi cân nặng (XML1, CAN_NANG).",
    ),
    ("XML1", "MA_BENH_CHINH"): ("main_icd10", "Mã bệnh chính không hợp lệ: {msg}"),
    ("XML1", "MA_BENH_KT"): ("secondary_icd10", "Mã bệnh kèm theo không hợp lệ: {msg}"),
    ("XML1", "CHAN_DOAN_RV"): ("final_diagnosis_text", "Chẩn đoán ra viện: {msg}"),
    ("XML1", "CHAN_DOAN_VAO"): ("final_diagnosis_text", "Chẩn đoán: {msg}"),
    ("XML1", "KET_QUA_DTRI"): ("outcome", "Kết quả điều trị: {msg}"),
    ("XML1", "MA_LOAI_RV"): ("discharge_type", "Loại ra viện: {msg}"),
    ("XML1", "GHI_CHU"): ("note", "Lời dặn: {msg}"),
    ("XML1", "PP_DIEU_TRI"): ("treatment_summary", "Tóm tắt điều trị: {msg}"),
    ("XML11", "MA_BHXH"): (
        "sick_leave_days",
        "Người bệnh chưa có mã số BHXH (không có thẻ BHYT hay mã số BHXH trong hồ sơ), nên "
        "không lập được giấy nghỉ việc hưởng BHXH (XML11). Bỏ số ngày nghỉ, hoặc nhờ tiếp đón "
        "ghi mã số BHXH của người bệnh rồi kết thúc khám.",
    ),
    # Not the clinician's to fix, but no claim can be built at all: the closing says why.
    ("XML1", "MA_TTDV"): ("form", "{msg}"),
    ("XML11", "DON_VI"): ("sick_leave_employer", "Giấy nghỉ việc hưởng BHXH: {msg}"),
    ("XML13", "MA_NOI_DEN"): ("referral_to", "Giấy chuyển tuyến: {msg}"),
    ("XML13", "MA_CSKCB_DEN"): ("referral_to", "Giấy chuyển tuyến: {msg}"),
    ("XML13", "PHUONGTIEN_VC"): ("referral_transport", "Giấy chuyển tuyến: {msg}"),
    ("XML13", "TINH_TRANG_CT"): ("referral_condition", "Giấy chuyển tuyến: {msg}"),
    ("XML2", "DON_GIA"): ("unit_price", "Cần ghi đơn giá lớn hơn 0 (XML2, DON_GIA)."),
    ("XML2", "SO_LUONG"): ("quantity", "Cần ghi số lượng lớn hơn 0 (XML2, SO_LUONG)."),
    ("XML2", "MA_THUOC"): (
        "drug_code",
        "Thuốc ngoài danh mục BHYT (mã 00.0000) không được tính vào phần BHYT chi trả: {msg}",
    ),
}
TABLE_FIELDS = {  # any other field of these tables
    "XML11": ("sick_leave_days", "Giấy nghỉ việc hưởng BHXH: {msg}"),
    "XML13": ("discharge_type", "Giấy chuyển tuyến: {msg}"),
    "XML14": ("follow_up_date", "Giấy hẹn khám lại: {msg}"),
    "XML2": ("drug_name", "{msg}"),
    "XML4": ("form", "Kết quả cận lâm sàng: {msg}"),
    "XML5": ("form", "Diễn biến: {msg}"),
}
ROW = re.compile(r"dòng (\d+)")
# The rules whose fix is the facility's drug catalogue, not the closing form.
CATALOGUE_RULES = frozenset({"K2.05", "S2.14"})
NO_DRUG_CATALOGUE = (
    "Đã lưu kết thúc khám, nhưng hồ sơ BHYT chưa gửi được: cơ sở chưa nhập danh mục thuốc, nên "
    "dòng thuốc không có số đăng ký (SO_DANG_KY) và thông tin thầu (TT_THAU) — cổng BHXH sẽ từ "
    "chối. Hồ sơ được giữ trong danh sách “Hồ sơ BHYT cần sửa”. Quản trị cơ sở cần nhập danh mục "
    "thuốc; sau đó mở lại lượt khám này, chọn thuốc từ danh mục và lưu lại."
)
INCOMPLETE_DRUG_CATALOGUE = (
    "Đã lưu kết thúc khám, nhưng hồ sơ BHYT chưa gửi được: {msg} Hồ sơ được giữ trong danh sách "
    "“Hồ sơ BHYT cần sửa”. → {next_step}"
)


class ClosureProblems(DomainError):
    """The closing would produce an invalid claim; `problems` = [(form field, message_vi)]."""

    status = 422

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        listing = " ".join(f"({i}) {m}" for i, (_, m) in enumerate(problems, 1))
        super().__init__(
            "closure_claim_invalid",
            f"Chưa kết thúc khám: hồ sơ gửi BHXH sẽ bị từ chối. {listing}",
            "Not closed: the claim file would be invalid; fix the listed fields.",
        )


def _drug_rows(data: dict) -> list[int]:
    """Form indices of the drug lines that became claim lines, in XML2 order (STT 1, 2, …):
    those picked from the catalogue or carrying a code (free text is a note, not in XML2)."""
    rows = data.get("prescriptions") or []
    return [
        i
        for i, p in enumerate(rows)
        if (p.get("drug_code") or "").strip() or str(p.get("catalogue_id") or "").strip()
    ]


def form_problems(errors: list[dict], data: dict) -> list[tuple[str, str]]:
    """The validator's errors the clinician can fix on the form, as (form field, message)."""
    drug_rows = _drug_rows(data)
    out: list[tuple[str, str]] = []
    for err in errors:
        if err.get("rule") in CATALOGUE_RULES:
            continue  # the facility's catalogue, not the form: see catalogue_notices
        table, field, msg = err.get("table", ""), err.get("field", ""), err.get("message_vi", "")
        target = FIELDS.get((table, field)) or TABLE_FIELDS.get(table)
        if target is None:
            continue
        form_field, text = target
        text = text.format(msg=msg)
        if "{msg}" in target[1] and err.get("next_step"):
            text = f"{text} → {err['next_step']}"
        if table == "XML2":
            stt = str(err.get("row") or "") or (ROW.search(msg).group(1) if ROW.search(msg) else "")
            index = int(stt) - 1 if stt.isdigit() else 0
            if 0 <= index < len(drug_rows):
                form_field = f"prescriptions.{drug_rows[index]}.{form_field}"
            else:
                form_field = "form"
        if (form_field, text) not in out:
            out.append((form_field, text))
    return out


def catalogue_notices(errors: list[dict], facility_id: int) -> list[str]:
    """What the clinician is told when the claim lacks data only the drug catalogue gives."""
    found = [e for e in errors if e.get("rule") in CATALOGUE_RULES]
    if not found:
        return []
    if not catalogue.has_rows(facility_id, "drugs"):
        return [NO_DRUG_CATALOGUE]
    return list(
        dict.fromkeys(
            INCOMPLETE_DRUG_CATALOGUE.format(
                msg=e.get("message_vi", ""), next_step=e.get("next_step", "")
            )
            for e in found
        )
    )


def check(visit, principal, data: dict) -> list[str]:
    """Raise ClosureProblems if the rows just written would make an invalid claim the clinician
    can fix on the form; else the notices the closing page shows (catalogue_notices)."""
    errors: list[dict] = []
    for _receiver, answer in signals.visit_closing.send(
        sender=type(visit), visit=visit, principal=principal
    ):
        errors.extend(answer or [])
    problems = form_problems(errors, data)
    if problems:
        raise ClosureProblems(problems)
    return catalogue_notices(errors, visit.facility_id)
