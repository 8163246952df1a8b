"""Closing a visit: write the validated closure in one transaction, send the signal.

Split from services.py so each module stays readable; kcb06.healthbook.services.close_visit
is the front door callers use. The form or API body is validated by
kcb06.healthbook.closure_form.clean_closure (one function per section of the form).
"""

from django.db import transaction
from django.utils import timezone

from kcb06.audit.services import Action, record_about
from kcb06.errors import DomainError
from kcb06.healthbook import claimcheck, signals
from kcb06.healthbook.closure_form import clean_closure
from kcb06.healthbook.models import (
    Diagnosis,
    Prescription,
    ProgressNote,
    Result,
    ServiceOrder,
    VisitClosure,
)
from kcb06.healthbook.services import PURPOSE_CARE, require_visit_access
from kcb06.visits.models import Visit, VisitStatus


def _version(value) -> int | None:
    """The closure version the clinician saw (a hidden field): a whole number, or None."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise DomainError(
            "closure_version_invalid",
            "Phiên bản của lần kết thúc khám không hợp lệ: hãy tải lại trang.",
            "version must be a whole number; reload the visit first.",
        )
    return int(text)


def _snapshot(closure: VisitClosure) -> dict:
    visit = closure.visit
    return {
        "version": closure.version,
        "closed_at": closure.closed_at.isoformat(),
        "closed_by": closure.closed_by_id,
        **{
            k: (str(getattr(closure, k)) if getattr(closure, k) is not None else None)
            for k in (
                "main_icd10",
                "final_diagnosis_text",
                "treatment_summary",
                "outcome",
                "discharge_type",
                "referral_to",
                "follow_up_date",
                "sick_leave_days",
                "note",
                "weight_kg",
            )
        },
        "diagnoses": [d.icd10 for d in visit.diagnoses.order_by("position")],
        "prescriptions": [
            {"drug_name": p.drug_name, "dose": p.dose, "duration_days": p.duration_days}
            for p in visit.prescriptions.all()
        ],
    }


def close_visit(principal, visit, data: dict) -> VisitClosure:
    """Close (or, with `version` of the existing closure, correct) a visit in ONE transaction.

    Sends signals.visit_closed (first closure) or visit_corrected (later) inside the
    transaction, so the interchange outbox row commits or rolls back with the closure. The
    closure's `claim_notices` say why its claim cannot be sent yet though the closing stands
    (a drug catalogue the facility has not imported: claimcheck.catalogue_notices)."""
    visit_id = visit.pk if isinstance(visit, Visit) else int(visit)
    with transaction.atomic():
        visit = require_visit_access(principal, visit_id, for_update=True)
        if visit.status == VisitStatus.CANCELLED:
            raise DomainError(
                "visit_cancelled", "Đợt khám đã bị hủy.", "The visit was cancelled.", status=409
            )
        clean = clean_closure(visit, data)
        now = timezone.now()
        existing = VisitClosure.objects.filter(visit=visit).first()
        if existing is not None:
            expected = _version(data.get("version"))
            if expected is None or expected != existing.version:
                raise DomainError(
                    "closure_conflict",
                    f"Đợt khám đã được kết thúc (phiên bản {existing.version}) lúc "
                    f"{timezone.localtime(existing.closed_at):%H:%M %d/%m/%Y} với chẩn đoán "
                    f"{existing.main_icd10}. Hãy tải lại trang để xem trước khi sửa.",
                    f"The visit was already closed (version {existing.version}); reload first.",
                    status=409,
                )
            history = [*existing.history, _snapshot(existing)]
            for k, v in clean.fields.items():
                setattr(existing, k, v)
            existing.history = history
            existing.version += 1
            existing.closed_by = principal.user
            existing.closed_at = now
            existing.save()
            closure = existing
            visit.diagnoses.all().delete()
            visit.prescriptions.all().delete()
            visit.results.all().delete()
            visit.services.all().delete()
            visit.progress_notes.all().delete()
        else:
            closure = VisitClosure.objects.create(
                visit=visit, closed_by=principal.user, closed_at=now, **clean.fields
            )
        Diagnosis.objects.bulk_create(
            [
                Diagnosis(visit=visit, icd10=c, name=n[:512], is_main=(i == 0), position=i)
                for i, (c, n) in enumerate(clean.diagnoses)
            ]
        )
        Prescription.objects.bulk_create(
            [
                Prescription(visit=visit, ordered_at=now, prescriber=principal.user, **p)
                for p in clean.prescriptions
            ]
        )
        Result.objects.bulk_create([Result(visit=visit, result_at=now, **r) for r in clean.results])
        ServiceOrder.objects.bulk_create(
            [
                ServiceOrder(
                    visit=visit,
                    ordered_at=visit.arrived_at,
                    performed_at=visit.arrived_at,
                    performer=principal.user,
                    **sv,
                )
                for sv in clean.services
            ]
        )
        ProgressNote.objects.bulk_create(
            [
                ProgressNote(visit=visit, text=t, at=now, author=principal.user)
                for t in clean.progress_notes
            ]
        )
        # Raises (the whole closing rolls back) on what the form can fix; else the notices.
        notices = claimcheck.check(visit, principal, data)
        first = existing is None
        if first or visit.status != VisitStatus.CLOSED:
            visit.status = VisitStatus.CLOSED
            visit.closed_at = now
            visit.save(update_fields=["status", "closed_at", "updated_at"])
        record_about(
            principal,
            Action.UPDATE,
            "visit_closure",
            visit,
            PURPOSE_CARE,
            detail={"version": closure.version, "main_icd10": closure.main_icd10},
        )
        (signals.visit_closed if first else signals.visit_corrected).send(
            sender=VisitClosure, visit=visit, principal=principal
        )
    closure.claim_notices = notices  # shown by the closing page and the API, not stored
    return closure
