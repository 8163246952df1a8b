"""Audit log page for auditors and facility admins: only their own facility's entries."""

from datetime import datetime, time, timedelta

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from kcb06.audit.models import AuditEntry
from kcb06.audit.services import Action, record
from kcb06.facilities.access import role_required
from kcb06.facilities.models import Role

PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    date_from = forms.DateField(
        label="Từ ngày",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label="Đến ngày",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    username = forms.CharField(label="Tài khoản", required=False, max_length=150)
    patient = forms.IntegerField(label="Mã người bệnh", required=False, min_value=1)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("Ngày bắt đầu phải trước ngày kết thúc.")
        return data


def _local_midnight(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def filtered_entries(principal, data: dict):
    """Entries of the principal's facility only, newest first, narrowed by the filters."""
    qs = AuditEntry.objects.filter(facility_id=principal.facility_id).order_by("-at", "-pk")
    if data.get("date_from"):
        qs = qs.filter(at__gte=_local_midnight(data["date_from"]))
    if data.get("date_to"):
        qs = qs.filter(at__lt=_local_midnight(data["date_to"] + timedelta(days=1)))
    if data.get("username"):
        qs = qs.filter(username__iexact=data["username"].strip())
    if data.get("patient"):
        qs = qs.filter(patient_id=data["patient"])
    return qs


@role_required(Role.AUDITOR, Role.FACILITY_ADMIN)
def log(request):
    form = AuditFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page = None
    if not form.is_bound or form.is_valid():
        paginator = Paginator(filtered_entries(request.principal, data), PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)  # read before the read is itself audited
        # Reading who-read-what is itself a read of personal data: audit it.
        record(
            request.principal,
            Action.READ,
            object_type="audit_log",
            purpose="giám sát nhật ký truy cập",
            patient_id=data.get("patient"),
            detail={k: str(v) for k, v in data.items() if v not in (None, "") and k != "patient"},
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/log.html",
        {"form": form, "page": page, "query": query.urlencode(), "actions": _ACTION_LABELS},
    )


_ACTION_LABELS = {
    Action.READ: "Xem",
    Action.CREATE: "Tạo",
    Action.UPDATE: "Sửa",
    Action.DELETE: "Xóa",
    Action.EXPORT: "Xuất",
    Action.MERGE: "Gộp",
    Action.UNMERGE: "Tách",
    Action.LOGIN: "Đăng nhập",
    Action.LOGIN_FAILED: "Đăng nhập sai",
    Action.LOGOUT: "Đăng xuất",
}
