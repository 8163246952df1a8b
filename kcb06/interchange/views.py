"""Pages of interchange: the facility's outbox with every file's state and reason, one file's
errors, re-send, the signing certificate (install + expiry warnings), the overdue list, and the
facility's claim rules (switch off / warning, with how many recent claims each would flag)."""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from kcb06.audit.services import read_personal
from kcb06.errors import DomainError
from kcb06.facilities.access import role_required
from kcb06.facilities.models import Role
from kcb06.interchange import certificates, outbox, queue, queue_export, rulesettings, services
from kcb06.interchange.models import OutboxState, RuleMode

PURPOSE = "liên thông dữ liệu BHYT"
R = Role


class CertificateForm(forms.Form):
    p12 = forms.FileField(label=_("Tệp chứng thư số (.p12 / .pfx)"))
    password = forms.CharField(
        label=_("Mật khẩu tệp"), widget=forms.PasswordInput(render_value=False), strip=False
    )


@role_required(R.FACILITY_ADMIN, R.CASHIER, R.CLINICIAN)
@require_http_methods(["GET", "POST"])
def status(request):
    principal = request.principal
    state = request.GET.get("state", "")
    if state not in OutboxState.values:
        state = ""
    form = CertificateForm()
    if request.method == "POST":
        if not principal.has_role(R.FACILITY_ADMIN):
            return render(
                request,
                "web/error.html",
                {
                    "title": _("Không có quyền"),
                    "message": _("Chỉ quản trị cơ sở cài chứng thư số."),
                    "code": "forbidden_role",
                },
                status=403,
            )
        form = CertificateForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                row = certificates.install_pkcs12(
                    principal.facility,
                    form.cleaned_data["p12"].read()[: 1024 * 1024],
                    form.cleaned_data["password"],
                    user=request.user,
                )
            except DomainError as exc:
                form.add_error(None, exc.message_vi)
            else:
                messages.success(request, _("Đã cài chứng thư số: %(s)s") % {"s": row.subject})
                return redirect("interchange:status")
    data = read_personal(
        principal,
        lambda: services.facility_outbox(principal, state=state),
        what="interchange_outbox",
        patient_id=None,
        purpose=PURPOSE,
    )
    context = {
        "counts": [(v, label, data["counts"].get(v, 0)) for v, label in OutboxState.choices],
        "rows": [services.item_dict(i) for i in data["items"]],
        "state": state,
        "cert": certificates.status(principal.facility) if principal.facility else None,
        "can_install": principal.has_role(R.FACILITY_ADMIN),
        "form": form,
    }
    return render(request, "interchange/status.html", context)


@role_required(R.FACILITY_ADMIN, R.CASHIER, R.CLINICIAN)
def item(request, item_id: int):
    principal = request.principal
    try:
        found = services.item_for(principal, item_id)
    except DomainError as exc:
        return render(
            request,
            "web/error.html",
            {"title": _("Không tìm thấy"), "message": exc.message_vi, "code": exc.code},
            status=404,
        )
    row = read_personal(
        principal,
        lambda: services.item_dict(found),
        what="interchange_outbox_item",
        patient_id=found.visit.patient_id if found.visit_id else None,
        purpose=PURPOSE,
        object_id=found.pk,
    )
    return render(request, "interchange/item.html", {"item": row})


@role_required(R.FACILITY_ADMIN, R.CASHIER, R.CLINICIAN)
@require_POST
def resend(request, item_id: int):
    principal = request.principal
    try:
        found = services.item_for(principal, item_id)
        before_state = found.state
        fresh = outbox.resend(found, request.user)
    except DomainError as exc:
        messages.error(request, exc.message_vi)
        return redirect("interchange:status")
    ok, message = services.resend_outcome(found, before_state, fresh)
    (messages.success if ok else messages.error)(request, message)
    if not ok:
        return redirect("interchange:item", item_id=fresh.pk)
    return redirect("interchange:status")


@role_required(*services.OVERDUE_ROLES)
def overdue(request):
    data = services.overdue(request.principal)
    return render(request, "interchange/overdue.html", {"data": data})


@role_required(R.FACILITY_ADMIN)
@require_http_methods(["GET", "POST"])
def rules(request):
    """The claim rule catalogue for this facility: each rule's mode (block / warn / off) and how
    many of the last 30 days' claims it would flag at full strength. POST code + mode changes one
    rule (audited)."""
    principal = request.principal
    if principal.facility is None:
        return render(
            request,
            "web/error.html",
            {
                "title": _("Không có cơ sở"),
                "message": _("Tài khoản chưa gắn với cơ sở nào."),
                "code": "no_facility",
            },
            status=403,
        )
    if request.method == "POST":
        code = (request.POST.get("code") or "")[:16]
        mode = (request.POST.get("mode") or "")[:8]
        try:
            changed = rulesettings.set_mode(principal, code, mode)
        except DomainError as exc:
            messages.error(request, exc.message_vi)
        else:
            if changed:
                label = dict(RuleMode.choices)[changed]
                messages.success(request, _("Quy tắc %(c)s: %(m)s.") % {"c": code, "m": label})
        table = (request.POST.get("table") or "")[:8]
        url = reverse("interchange:rules")
        return redirect(f"{url}?table={table}" if table else url)
    table = (request.GET.get("table") or "")[:8]
    data = rulesettings.rows(principal.facility)
    tables = sorted({t for r in data["rules"] for t in r["table"].split(",")}, key=_table_key)
    shown = [r for r in data["rules"] if not table or table in r["table"].split(",")]
    context = {
        "data": data,
        "rows": shown,
        "tables": tables,
        "table": table,
        "modes": RuleMode.choices,
    }
    return render(request, "interchange/rules.html", context)


def _table_key(code: str) -> int:
    return int(code[3:]) if code[3:].isdigit() else 99


@role_required(*queue.ROLES)
def claim_queue(request):
    """The claim-error work queue: the facility's claims not accepted yet (billing clerk, head
    of department, facility admin); counts by facility and error for the health department."""
    principal = request.principal
    f = queue.Filters.from_query(request.GET)
    if principal.has_role(*queue.COUNT_ROLES):
        data = queue.health_dept_view(principal, f)
        return render(
            request,
            "interchange/queue_counts.html",
            {"data": data, "f": f, "periods": queue.PERIODS},
        )
    data = read_personal(
        principal,
        lambda: queue.staff_view(principal, f),
        what="claim_queue",
        patient_id=None,
        purpose=PURPOSE,
    )
    # Two links a row: reversed once each, not 100 times per page.
    item_url = reverse("interchange:item", args=[0]).replace("/0/", "/{}/")
    visit_url = reverse("healthbook:close", args=[0]).replace("/0/", "/{}/")
    for row in data["rows"]:
        row["item_url"] = item_url.format(row["id"])
        row["visit_url"] = visit_url.format(row["visit_id"]) if row["visit_id"] else ""
    context = {
        "data": data,
        "f": f,
        "staff": True,  # the facility's page: filters kept, top errors link to their claims
        "periods": queue.PERIODS,
        "ages": queue.AGE_BUCKETS,
        "export_query": urlencode(f.query()),
        # The fix is made where the visit is closed: a clinician's page (healthbook:close);
        # the clerk opens the file (errors, re-send) and hands the fix to the clinician.
        "can_open_visit": principal.has_role(R.CLINICIAN),
        "next_query": urlencode(f.query(after=data["next"])) if data["next"] else "",
    }
    return render(request, "interchange/queue.html", context)


@role_required(*queue.ROLES)
def claim_queue_export(request):
    principal = request.principal
    f = queue.Filters.from_query(request.GET)

    def visit_url(visit_id: int) -> str:
        return request.build_absolute_uri(reverse("healthbook:close", args=[visit_id]))

    def build() -> bytes:
        return queue_export.export_xlsx(principal, f, visit_url)

    if principal.has_role(*queue.COUNT_ROLES):
        body = build()
    else:
        body = read_personal(
            principal, build, what="claim_queue_export", patient_id=None, purpose=PURPOSE
        )
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="ho-so-chua-tiep-nhan-{stamp}.xlsx"'
    return response
