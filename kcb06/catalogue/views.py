"""Catalogue pages: the facility admin imports (preview, then confirm), browses and exports;
clinicians search (htmx) on the closing page. Thin: the work is in services."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kcb06.catalogue import services
from kcb06.catalogue.columns import CATALOGUES
from kcb06.errors import DomainError
from kcb06.facilities.access import error_page, refusals_shown, role_required
from kcb06.facilities.models import Role
from kcb06.limits import SEARCH_MAX_CHARS

SEARCHABLE = {"drugs", "services", "supplies"}


@role_required(Role.FACILITY_ADMIN)
@require_GET
def index(request):
    facility_id = request.principal.facility_id
    recent = services.models.ImportBatch.objects.filter(facility_id=facility_id)[:10]
    return render(
        request,
        "catalogue/index.html",
        {
            "counts": services.counts(facility_id).values(),
            "catalogues": CATALOGUES.values(),
            "recent": recent,
            "today": timezone.localdate(),
        },
    )


@role_required(Role.FACILITY_ADMIN)
@require_http_methods(["GET", "POST"])
def upload(request):
    if request.method == "GET":
        return redirect("catalogue:index")
    slug = request.POST.get("catalogue", "")
    upload = request.FILES.get("file")
    context = {
        "counts": services.counts(request.principal.facility_id).values(),
        "catalogues": CATALOGUES.values(),
        "chosen": slug,
        "today": timezone.localdate(),
    }
    if slug not in CATALOGUES:
        context["error"] = "Hãy chọn danh mục cần nhập."
    elif upload is None:
        context["error"] = "Hãy chọn tệp Excel (.xlsx) hoặc CSV."
    else:
        try:
            preview = services.preview_import(request.principal, slug, upload.name, upload.read())
        except DomainError as exc:
            context["error"] = exc.message_vi
        else:
            if preview.batch is not None:
                return redirect("catalogue:preview", batch_id=preview.batch.pk)
            context["row_errors"] = preview.errors[:200]
            context["more_errors"] = max(0, len(preview.errors) - 200)
            context["error"] = (
                f"Tệp có {len(preview.errors)} lỗi; chưa nhập gì. Hãy sửa các dòng dưới đây "
                "rồi tải lại."
            )
    return render(request, "catalogue/index.html", context, status=422)


@role_required(Role.FACILITY_ADMIN)
@require_GET
@refusals_shown
def preview(request, batch_id):
    batch = services.pending_batch(request.principal, batch_id)
    catalogue = CATALOGUES[batch.catalogue]
    return render(
        request,
        "catalogue/preview.html",
        {
            "batch": batch,
            "catalogue": catalogue,
            "columns": [c.name for c in catalogue.columns],
            "diff": batch.diff,
        },
    )


@role_required(Role.FACILITY_ADMIN)
@require_POST
def confirm(request, batch_id):
    try:
        summary = services.confirm(request.principal, batch_id)
    except DomainError as exc:
        if exc.code == "catalogue_changed":
            messages.error(request, exc.message_vi)
            return redirect("catalogue:index")
        return error_page(request, exc)
    batch = services.models.ImportBatch.objects.get(pk=batch_id)
    messages.success(
        request,
        f"Đã cập nhật danh mục {CATALOGUES[batch.catalogue].label.lower()}: "
        f"thêm {summary['added']}, sửa {summary['changed']}, ngừng {summary['retired']}, "
        f"giữ nguyên {summary['unchanged']}.",
    )
    return redirect("catalogue:rows", slug=batch.catalogue)


@role_required(Role.FACILITY_ADMIN)
@require_POST
@refusals_shown
def discard(request, batch_id):
    services.discard(request.principal, batch_id)
    messages.info(request, "Đã hủy lần nhập; danh mục không thay đổi.")
    return redirect("catalogue:index")


@role_required(Role.FACILITY_ADMIN)
@require_GET
@refusals_shown
def rows(request, slug):
    catalogue = services.catalogue_of(slug)
    facility_id = request.principal.facility_id
    q = (request.GET.get("q") or "")[:SEARCH_MAX_CHARS]
    if q.strip():
        found = services.search(facility_id, slug, q, limit=100)
    else:
        found = (
            services.MODELS[slug]
            .objects.filter(facility_id=facility_id)
            .order_by("code", "key", "valid_from")
        )
    page = Paginator(found, 100).get_page(request.GET.get("page"))
    table = [[getattr(r, c.field) for c in catalogue.columns] for r in page.object_list]
    return render(
        request,
        "catalogue/rows.html",
        {
            "catalogue": catalogue,
            "columns": catalogue.columns,
            "table": table,
            "page": page,
            "q": q,
        },
    )


@role_required(Role.FACILITY_ADMIN)
@require_GET
@refusals_shown
def export(request, slug):
    content = services.export_xlsx(request.principal, slug)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    day = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="danh-muc-{slug}-{day}.xlsx"'
    return response


@role_required(Role.CLINICIAN, Role.FACILITY_ADMIN)
@require_GET
def search(request, slug):
    """htmx: rows valid on the visit's date (`on`, else today) matching what was typed; each
    result fills the line it was searched from (static catalogue.js)."""
    if slug not in SEARCHABLE:
        return HttpResponse(status=404)
    q = next(
        (
            v
            for k, v in request.GET.items()
            if k == "q" or k.endswith(("drug_name", "service_name"))
        ),
        "",
    )[:SEARCH_MAX_CHARS]
    try:
        on = services.parse_day(request.GET.get("on"))
    except DomainError:
        on = None
    found = services.search(request.principal.facility_id, slug, q, on=on, limit=12)
    return render(
        request,
        "catalogue/_search_results.html",
        {"rows": found, "q": q, "slug": slug, "line": request.GET.get("line", "")[:12]},
    )
