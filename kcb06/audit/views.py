"""Audit log page for auditors and facility admins: only their own facility's entries.

Filters travel by POST (an ID number typed to find a patient must never be in a URL or an
access log), pages and exports are buttons of the same form. Every view and every export of
the log is itself audited.
"""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from kcb06.audit import browse
from kcb06.audit.services import Action, record
from kcb06.facilities.access import role_required
from kcb06.facilities.models import Role

PAGE_SIZE = 50
EXPORTS = {
    "csv": ("text/csv; charset=utf-8", browse.export_csv),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        browse.export_xlsx,
    ),
}


@role_required(Role.AUDITOR, Role.FACILITY_ADMIN)
@require_http_methods(["GET", "POST"])
def log(request):
    form = browse.AuditFilterForm(request.POST if request.method == "POST" else None)
    if form.is_bound and not form.is_valid():
        return render(request, "audit/log.html", {"form": form, "page": None})
    data = form.cleaned_data if form.is_bound else {}
    match = browse.find_patients(data["patient"]) if data.get("patient") else None
    entries = browse.filtered_entries(request.principal, data, match)
    filters = browse.filters_for_audit(data, match)
    single = match.patient_ids[0] if match and len(match.patient_ids) == 1 else None

    export = request.POST.get("export")
    if export in EXPORTS:
        content_type, build = EXPORTS[export]
        table = browse.rows(entries[: browse.EXPORT_LIMIT])
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
    table = browse.rows(page.object_list)  # read before the read is itself audited
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
