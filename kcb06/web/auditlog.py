"""Audit log page for auditors and facility admins: only their own facility's entries.

It stands above patients and audit (kcb06/web): it finds the patients an auditor types by ID
number or name and labels them by name and masked ID number, so that kcb06.audit imports
nothing from kcb06.patients (docs/architecture.md). The filters, labels and exports are
kcb06.audit.browse.

Filters travel by POST (an ID number typed to find a patient must never be in a URL or an
access log), pages and exports are buttons of the same form. Every view and every export of
the log is itself audited.
"""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from kcb06.audit import browse
from kcb06.audit.services import Action, record
from kcb06.facilities.access import role_required
from kcb06.facilities.models import Role
from kcb06.identity.names import name_key
from kcb06.patients.models import IdentifierKind, Patient, PatientIdentifier

PAGE_SIZE = 50
EXPORTS = {
    "csv": ("text/csv; charset=utf-8", browse.export_csv),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        browse.export_xlsx,
    ),
}


def find_patients(text: str) -> browse.PatientMatch:
    """Patients an auditor means by an ID number (current or former, CCCD or old CMND) or by
    a name (diacritics optional, all words contained)."""
    digits = text.replace(" ", "")
    if browse.ID_NUMBER.fullmatch(digits):
        kinds = [IdentifierKind.ID_NUMBER, IdentifierKind.OLD_ID_NUMBER]
        ids = PatientIdentifier.objects.filter(kind__in=kinds, value=digits)
        found = sorted(set(ids.values_list("patient_id", flat=True)))
        return browse.PatientMatch("id_number", found)
    qs = Patient.objects.all()
    for word in name_key(text).split():
        qs = qs.filter(name_key__contains=word)
    return browse.PatientMatch("name", list(qs.order_by("pk").values_list("pk", flat=True)[:500]))


def patient_labels(patient_ids: set[int]) -> dict[int, str]:
    """Each patient by name and masked ID number (only the last four digits)."""
    names = dict(Patient.objects.filter(pk__in=patient_ids).values_list("pk", "full_name"))
    numbers = dict(
        PatientIdentifier.objects.filter(
            patient_id__in=patient_ids, kind=IdentifierKind.ID_NUMBER, is_active=True
        ).values_list("patient_id", "value")
    )
    labels = {}
    for pk in patient_ids:
        name = names.get(pk) or f"Người bệnh #{pk}"
        number = numbers.get(pk)
        labels[pk] = f"{name} ({browse.mask_id(number)})" if number else name
    return labels


@role_required(Role.AUDITOR, Role.FACILITY_ADMIN)
@require_http_methods(["GET", "POST"])
def log(request):
    form = browse.AuditFilterForm(request.POST if request.method == "POST" else None)
    if form.is_bound and not form.is_valid():
        return render(request, "audit/log.html", {"form": form, "page": None})
    data = form.cleaned_data if form.is_bound else {}
    match = find_patients(data["patient"]) if data.get("patient") else None
    entries = browse.filtered_entries(request.principal, data, match)
    filters = browse.filters_for_audit(data, match)
    single = match.patient_ids[0] if match and len(match.patient_ids) == 1 else None

    export = request.POST.get("export")
    if export in EXPORTS:
        content_type, build = EXPORTS[export]
        table = browse.rows(entries[: browse.EXPORT_LIMIT], patient_labels)
        record(
            request.principal,
            Action.EXPORT,
            object_type="audit_log",
            purpose="xuất nhật ký truy cập",
            patient_id=single,
            detail={**filters, "format": export, "rows": len(table)},
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = HttpResponse(build(table), content_type=content_type)
        response["Content-Disposition"] = (
            f'attachment; filename="nhat-ky-truy-cap-{stamp}.{export}"'
        )
        return response

    page = Paginator(entries, PAGE_SIZE).get_page(request.POST.get("page"))
    table = browse.rows(page.object_list, patient_labels)  # read before the read is itself audited
    # Reading who-read-what is itself a read of personal data: audit it.
    record(
        request.principal,
        Action.READ,
        object_type="audit_log",
        purpose="giám sát nhật ký truy cập",
        patient_id=single,
        detail=filters,
    )
    return render(request, "audit/log.html", {"form": form, "page": page, "table": table})


# Included by kcb06/urls.py at /audit/ under the "audit" namespace ({% url 'audit:log' %}).
app_name = "audit"
urlpatterns = [path("", log, name="log")]
