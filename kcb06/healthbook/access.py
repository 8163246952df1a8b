"""Who may open a health book: the patient's token, a clinician of a visit (open, or closed
less than GRACE_AFTER_CLOSE ago), a facility the patient has consented to, and which entries a
facility sees (confidential ones only under consent). services.py re-exports these."""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from kcb06.errors import Forbidden, NotFound
from kcb06.facilities.models import Role
from kcb06.healthbook.models import (
    Consent,
    HealthBook,
)
from kcb06.patients.models import Patient
from kcb06.visits.models import Visit, VisitStatus

# After a visit closes, its clinicians keep access this long (to print the book, correct
# the closure). The brief says "open visit"; see docs/healthbook.md.
GRACE_AFTER_CLOSE = timedelta(hours=24)
PURPOSE_CARE = "khám chữa bệnh"


# --- access ------------------------------------------------------------------------------


def book_for_token(token: str) -> HealthBook:
    book = HealthBook.objects.select_related("patient").filter(token=token or "").first()
    if book is None:
        raise NotFound("book_not_found", "Không tìm thấy sổ sức khỏe.", "Health book not found.")
    return book


def book_of(patient: Patient) -> HealthBook:
    book, _ = HealthBook.objects.get_or_create(patient=patient)
    return book


def access_basis(principal, patient_id: int) -> str | None:
    """Why this principal may read the patient's book ("visit" / "consent"), or None.

    Only clinicians (and the facility admin, for printing on the patient's request) of a
    facility with an open (or just-closed) visit or an unexpired, unrevoked consent. A health
    department never reads a book."""
    if principal is None or principal.profile is None:
        return None
    if principal.role not in (Role.CLINICIAN, Role.FACILITY_ADMIN):
        return None
    if principal.facility_id not in principal.patient_data_facility_ids():
        return None
    now = timezone.now()
    if Visit.objects.filter(
        Q(status=VisitStatus.OPEN) | Q(closed_at__gte=now - GRACE_AFTER_CLOSE),
        patient_id=patient_id,
        facility_id=principal.facility_id,
    ).exists():
        return "visit"
    if Consent.objects.filter(
        patient_id=patient_id,
        facility_id=principal.facility_id,
        revoked_at__isnull=True,
        expires_at__gt=now,
    ).exists():
        return "consent"
    return None


def require_access(principal, patient_id: int) -> str:
    basis = access_basis(principal, patient_id)
    if (
        basis is None
        and principal is not None
        and principal.role
        in (
            Role.CLINICIAN,
            Role.FACILITY_ADMIN,
        )
    ):
        last = (
            Consent.objects.filter(patient_id=patient_id, facility_id=principal.facility_id)
            .order_by("-granted_at")
            .first()
        )
        if last is not None and last.revoked_at is not None:
            raise Forbidden(
                "healthbook_consent_revoked",
                f"Người bệnh đã rút lại đồng ý chia sẻ sổ với cơ sở của bạn lúc "
                f"{timezone.localtime(last.revoked_at):%H:%M %d/%m/%Y}.",
                "The patient revoked the consent for your facility.",
            )
        if last is not None and last.expires_at <= timezone.now():
            raise Forbidden(
                "healthbook_consent_expired",
                f"Đồng ý chia sẻ sổ của người bệnh với cơ sở của bạn đã hết hạn ngày "
                f"{timezone.localtime(last.expires_at):%d/%m/%Y}. Cần người bệnh đồng ý lại.",
                "The patient's consent for your facility has expired.",
            )
    if basis is None:
        raise Forbidden(
            "healthbook_no_access",
            "Bạn chỉ xem được sổ sức khỏe của người bệnh đang khám tại cơ sở mình hoặc đã đồng ý "
            "chia sẻ với cơ sở mình (còn hạn).",
            "You may read a health book only during a visit at your facility or with the "
            "patient's unexpired consent for your facility.",
        )
    return basis


def confidential_visible(reader_facility_id: int | None) -> Q:
    """Which entries a reader of facility `reader_facility_id` sees: every entry not marked
    confidential, the confidential ones its own facility recorded, and those of other
    facilities only while the patient's consent for the reader's facility covers confidential
    entries (docs/healthbook.md, "Confidential entries"). A condition of the entries' own query
    (an EXISTS on the consent), so reading costs no extra statement."""
    covering = Consent.objects.filter(
        patient_id=OuterRef("patient_id"),
        facility_id=reader_facility_id,
        covers_confidential=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
    return Q(confidential=False) | Q(facility_id=reader_facility_id) | Q(Exists(covering))


def require_visit_access(principal, visit_id: int, *, for_update: bool = False) -> Visit:
    """A visit of the principal's facility that a clinician may close or correct."""
    principal.require_role(Role.CLINICIAN)
    qs = Visit.objects.select_related("patient", "facility", "department")
    if for_update:
        qs = qs.select_for_update()
    visit = qs.filter(pk=visit_id, facility_id=principal.facility_id).first()
    if visit is None or principal.facility_id not in principal.patient_data_facility_ids():
        raise NotFound("visit_not_found", "Không tìm thấy đợt khám.", "Visit not found.")
    return visit
