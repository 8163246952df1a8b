"""Reconciliation page: list by date range, export XLSX/CSV via POST (no ID number in a URL)."""

from datetime import timedelta

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from kcb06.audit.services import Action, record
from kcb06.eligibility import reconciliation
from kcb06.errors import DomainError
from kcb06.facilities.access import role_required
from kcb06.facilities.models import Role


class RangeForm(forms.Form):
    start = forms.DateField(
        label=_("Từ ngày"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("Đến ngày"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc."))
        return data


class ExportForm(RangeForm):
    fmt = forms.ChoiceField(choices=[("xlsx", "XLSX"), ("csv", "CSV")])
    mark_sent = forms.BooleanField(required=False)


def _defaults() -> dict:
    today = timezone.localdate()
    return {"start": today - timedelta(days=30), "end": today}


@role_required(Role.FACILITY_ADMIN, Role.AUDITOR)
@require_http_methods(["GET", "POST"])
def reconciliation_page(request):
    principal = request.principal
    if request.method == "POST":
        form = ExportForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                content, name = reconciliation.export(
                    principal, d["start"], d["end"], d["fmt"], d["mark_sent"]
                )
            except DomainError as exc:
                form.add_error(None, exc.message_vi)
            else:
                ctype = (
                    "text/csv; charset=utf-8"
                    if d["fmt"] == "csv"
                    else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                )
                response = HttpResponse(content, content_type=ctype)
                response["Content-Disposition"] = f'attachment; filename="{name}"'
                response["Cache-Control"] = "no-store"
                return response
    else:
        form = RangeForm(request.GET or None, initial=_defaults())
    data = form.cleaned_data if form.is_bound and form.is_valid() else _defaults()
    rows = list(reconciliation.entries(principal, data["start"], data["end"])[:500])
    record(
        principal,
        Action.READ,
        object_type="reconciliation",
        purpose="doi_soat_du_lieu_cong_an_bhxh",
        detail={
            "from": data["start"].isoformat(),
            "to": data["end"].isoformat(),
            "rows": len(rows),
        },
    )
    return render(
        request,
        "eligibility/reconciliation.html",
        {
            "form": form,
            "range": data,
            "rows": [(e, reconciliation.row_values(e)) for e in rows],
            "columns": [title for title, _ in reconciliation.COLUMNS],
            "can_mark": principal.role in reconciliation.MARK_ROLES,
        },
    )
