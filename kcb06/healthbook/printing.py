"""The citizen's printable health book: HTML print view and PDF (WeasyPrint).

The QR encodes the staff URL of the book (opaque token, never an ID number); the access list
(who read the book, when, why) is printed with it as the Personal Data Protection Law 91/2025/QH15 requires on request.
"""

import segno
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from kcb06.facilities.models import Facility, Role, StaffProfile
from kcb06.healthbook import services

# Purposes other apps record as code words: what the citizen reads on the printed list.
PURPOSE_VI = {
    "api_lookup": "tra cứu qua hệ thống kết nối (API)",
    "bhyt_eligibility": "kiểm tra thẻ BHYT",
    "bhyt_eligibility_recheck": "kiểm tra lại thẻ BHYT",
    "check_in": "tiếp đón khám bệnh",
    "check_in_preview": "tiếp đón: xem trước thông tin",
    "doi_soat_du_lieu_cong_an_bhxh": "đối soát dữ liệu Công an – BHXH",
    "merge_duplicates": "gộp hồ sơ trùng",
    "undo_merge": "hủy gộp hồ sơ",
    "search": "tìm kiếm người bệnh",
    "visit_lookup": "tra cứu đợt khám",
    "xml_export_cli": "xuất dữ liệu XML",
}
VIA_VI = {"worker": "hệ thống tự động", "cli": "dòng lệnh quản trị", "system": "hệ thống"}


def purpose_vi(purpose: str) -> str:
    """Vietnamese text of an audit purpose (already Vietnamese ones pass through)."""
    text = (purpose or "").strip()
    if not text:
        return "không ghi mục đích"
    if text in PURPOSE_VI:
        return PURPOSE_VI[text]
    if text.isascii() and (" " not in text):
        return f"mục đích khác ({text})"
    return text


def role_vi(role: str, via: str = "") -> str:
    if role in Role.values:
        return str(Role(role).label)
    return VIA_VI.get(via, "hệ thống")


def access_rows(patient_id: int) -> list[dict]:
    rows = services.access_list(patient_id)
    users = {r.user_id for r in rows if r.user_id}
    names = dict(StaffProfile.objects.filter(user_id__in=users).values_list("user_id", "full_name"))
    facilities = dict(
        Facility.objects.filter(pk__in={r.facility_id for r in rows if r.facility_id}).values_list(
            "pk", "name"
        )
    )
    return [
        {
            "at": r.at,
            "who": names.get(r.user_id) or r.username or "hệ thống",
            "role": role_vi(r.role, r.via),
            "facility": facilities.get(r.facility_id, ""),
            "what": r.object_type,
            "purpose": purpose_vi(r.purpose),
            "via": r.via,
        }
        for r in rows
    ]


def context(request, view) -> dict:
    url = request.build_absolute_uri(reverse("healthbook:book", kwargs={"token": view.book.token}))
    qr = segno.make(url, error="m")
    return {
        "view": view,
        "facility": request.principal.facility,
        "printed_at": timezone.localtime(),
        "printed_by": request.principal.profile.full_name,
        "qr_svg": qr.svg_data_uri(scale=3, border=1),
        "book_url": url,
        "access": access_rows(view.patient.pk),
    }


def pdf_bytes(request, view) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "healthbook/print.html", {**context(request, view), "pdf": True}, request
    )
    return HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
