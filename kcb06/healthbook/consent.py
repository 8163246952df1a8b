"""Consent: a patient lets clinicians of another facility read their book, with a scope and
an expiry, revocable at any time (the Personal Data Protection Law 91/2025/QH15). Every grant and revoke is audited.

Who records a consent and for how long (docs/healthbook.md, "Who may read a book"): a
clinician or the facility admin of the facility the patient consents to — the roles that read
the book there — never reception; for at most MAX_DAYS. A consent covers the entries other
facilities marked confidential only when it says so (`covers_confidential`)."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from kcb06.audit.services import Action, record_about
from kcb06.errors import NotFound
from kcb06.facilities.models import Role
from kcb06.healthbook.entries import _parse_date
from kcb06.healthbook.icd10 import FieldError
from kcb06.healthbook.models import Consent
from kcb06.patients.models import Patient
from kcb06.visits.models import Visit

GRANT_ROLES = (Role.CLINICIAN, Role.FACILITY_ADMIN)
REVOKE_ROLES = (Role.CLINICIAN, Role.RECEPTION, Role.FACILITY_ADMIN)
# A consent lasts at most a year; the patient renews it at a later visit.
MAX_DAYS = 365


def grant_consent(principal, patient_id: int, data: dict) -> Consent:
    """Recorded by a clinician (or the facility admin) of the facility the patient consents
    to."""
    principal.require_role(*GRANT_ROLES)
    if (
        not Patient.objects.filter(
            pk=patient_id, facility_links__facility_id=principal.facility_id
        ).exists()
        and not Visit.objects.filter(
            patient_id=patient_id, facility_id=principal.facility_id
        ).exists()
    ):
        raise NotFound("patient_not_found", "Không tìm thấy người bệnh.", "Patient not found.")
    scope = data.get("scope") or "read"
    if scope not in dict(Consent.SCOPES):
        raise FieldError("scope", "Phạm vi đồng ý không hợp lệ.", "Invalid consent scope.")
    expires = _parse_date(data.get("expires_on"), "expires_on", label="Ngày hết hạn")
    if expires is None:
        raise FieldError("expires_on", "Cần ghi ngày hết hạn đồng ý.", "Expiry date is required.")
    if expires <= timezone.localdate():
        raise FieldError(
            "expires_on",
            "Ngày hết hạn phải sau hôm nay (đồng ý đã hết hạn thì không có giá trị).",
            "The expiry date must be after today.",
        )
    if expires > timezone.localdate() + timedelta(days=MAX_DAYS):
        raise FieldError(
            "expires_on",
            f"Đồng ý chia sẻ có hạn tối đa {MAX_DAYS} ngày (đến "
            f"{timezone.localdate() + timedelta(days=MAX_DAYS):%d/%m/%Y}); người bệnh có thể "
            "đồng ý lại sau.",
            f"A consent lasts at most {MAX_DAYS} days.",
        )
    covers = data.get("covers_confidential") in (True, "1", "on", "true")
    end = timezone.make_aware(datetime.combine(expires, datetime.max.time()))
    with transaction.atomic():
        consent = Consent.objects.create(
            patient_id=patient_id,
            facility_id=principal.facility_id,
            scope=scope,
            granted_at=timezone.now(),
            expires_at=end,
            recorded_by=principal.user,
            note=(data.get("note") or "").strip()[:255],
            covers_confidential=covers,
        )
        record_about(
            principal,
            Action.CREATE,
            "healthbook_consent",
            consent,
            "ghi nhận đồng ý chia sẻ sổ sức khỏe",
            patient_id=patient_id,
            detail={
                "scope": scope,
                "expires": expires.isoformat(),
                "covers_confidential": covers,
            },
        )
    return consent


def revoke_consent(principal, consent_id: int) -> Consent:
    """Revoking only narrows access: reception may record it too, at the patient's request."""
    principal.require_role(*REVOKE_ROLES)
    with transaction.atomic():
        consent = (
            Consent.objects.select_for_update()
            .filter(pk=consent_id, facility_id=principal.facility_id)
            .first()
        )
        if consent is None:
            raise NotFound("consent_not_found", "Không tìm thấy đồng ý.", "Consent not found.")
        if consent.revoked_at is None:
            consent.revoked_at = timezone.now()
            consent.save(update_fields=["revoked_at"])
            record_about(
                principal,
                Action.UPDATE,
                "healthbook_consent",
                consent,
                "rút lại đồng ý chia sẻ sổ sức khỏe",
            )
    return consent
