"""Pages of a patient's identity data: its history (facility admin, auditor), a revert (facility
admin) and a clerk's correction from documents (reception, facility admin). Thin: the rules are
in kcb06.patients.identity."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from kcb06.errors import DomainError, NotFound
from kcb06.facilities.access import error_page, role_required
from kcb06.patients import identity
from kcb06.patients import services as mpi
from kcb06.patients.models import Sex

PAGE_ROLES = (*identity.HISTORY_ROLES, *identity.CORRECT_ROLES)


@role_required(*identity.HISTORY_ROLES)
@require_GET
def changes(request):
    rows = identity.recent_changes(request.principal)
    return render(request, "patients/identity_changes.html", {"rows": rows})


@role_required(*PAGE_ROLES)
@require_GET
def patient_identity(request, patient_id: int):
    principal = request.principal
    try:
        if principal.has_role(*identity.HISTORY_ROLES):
            patient, rows = identity.history(principal, patient_id)
        else:
            patient, rows = (
                mpi.patient_for(principal, patient_id, purpose="identity_correction"),
                [],
            )
    except NotFound as exc:
        return error_page(request, exc)
    return render(
        request,
        "patients/identity.html",
        {
            "patient": patient,
            "rows": rows,
            "sexes": Sex.choices,
            "may_correct": principal.has_role(*identity.CORRECT_ROLES),
            "may_revert": principal.has_role(*identity.REVERT_ROLES),
            "may_see_history": principal.has_role(*identity.HISTORY_ROLES),
        },
    )


@role_required(*identity.CORRECT_ROLES)
@require_POST
def correct(request, patient_id: int):
    post = request.POST
    try:
        identity.correct(
            request.principal,
            patient_id,
            {k: post.get(k, "") for k in ("full_name", "date_of_birth", "sex", "address")},
            post.get("reason", ""),
        )
    except DomainError as exc:
        if isinstance(exc, NotFound):
            return error_page(request, exc)
        messages.error(request, exc.message_vi)
        return redirect("patients:identity", patient_id=patient_id)
    messages.success(request, "Đã sửa thông tin định danh; giá trị cũ được lưu trong lịch sử.")
    return redirect("patients:identity", patient_id=patient_id)


@role_required(*identity.REVERT_ROLES)
@require_POST
def revert(request, change_id: int):
    try:
        change = identity.revert(request.principal, change_id, request.POST.get("reason", ""))
    except NotFound as exc:
        return error_page(request, exc)
    except DomainError as exc:
        messages.error(request, exc.message_vi)
        patient_id = request.POST.get("patient_id", "")
        if patient_id.isdigit():
            return redirect("patients:identity", patient_id=int(patient_id))
        return redirect("patients:identity_changes")
    messages.success(request, "Đã hoàn tác thay đổi; lần hoàn tác cũng được lưu trong lịch sử.")
    return redirect("patients:identity", patient_id=change.patient_id)
