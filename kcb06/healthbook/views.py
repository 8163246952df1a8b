"""Clinician pages of the health book. Thin: parse the request, call services, render.

Errors from services (DomainError / FieldError) are rendered next to the field they name;
nothing here writes to the database directly.
"""

from datetime import timedelta

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kcb06.catalogue import services as catalogue
from kcb06.errors import DomainError
from kcb06.facilities.access import error_page, role_required
from kcb06.facilities.models import Department, Role
from kcb06.healthbook import consent as consent_service
from kcb06.healthbook import icd10, printing, services
from kcb06.healthbook.claimcheck import ClosureProblems
from kcb06.healthbook.icd10 import FieldError
from kcb06.healthbook.models import (
    BookEntry,
    DischargeType,
    EntryKind,
    Outcome,
    Severity,
    VisitClosure,
)
from kcb06.limits import CLOSURE_MAX_ROWS, parse_count

READERS = (Role.CLINICIAN, Role.FACILITY_ADMIN)
RX_FIELDS = (
    "catalogue_id",
    "drug_code",
    "drug_name",
    "strength",
    "dose",
    "duration_days",
    "quantity",
    "unit",
    "unit_price",
)
# A result is linked to the service it comes from (XML4 MA_DICH_VU) and its indicator
# (MA_CHI_SO); a row without a service (a vital sign) goes to the clinical course (XML5).
RES_FIELDS = ("service_code", "indicator_code", "indicator_name", "value", "unit", "conclusion")
SVC_FIELDS = ("catalogue_id", "service_code", "service_name", "quantity", "unit_price")
ENTRY_FIELDS = ("kind", "title", "code", "severity", "reaction", "detail", "event_date", "status")


def _htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _book_or_error(
    request, token: str, purpose: str = services.PURPOSE_CARE, *, full: bool = False
):
    book = services.book_for_token(token)
    return services.read_book(
        request.principal, book.patient_id, purpose=purpose, full=full, book=book
    )


def _entry_context(view, form=None, errors=None, entry=None):
    sections = [
        (k, label, view.entries.get(k, []), view.entry_counts.get(k, 0))
        for k, label in EntryKind.choices
    ]
    return {
        "view": view,
        "token": view.book.token,
        "sections": sections,
        "kinds": EntryKind.choices,
        "severities": Severity.choices,
        "form": form or {},
        "errors": errors or {},
        "entry": entry,
    }


@role_required(Role.CLINICIAN)
@require_GET
def worklist(request):
    """Today's patients: waiting / called / in examination / closed, by department, searched
    by name (diacritics optional) or ticket number."""
    departments = Department.objects.filter(facility_id=request.principal.facility_id)
    dep = request.GET.get("department", "")
    dep_id = int(dep) if dep.isdigit() and departments.filter(pk=dep).exists() else None
    q = request.GET.get("q", "")[:100]
    state = request.GET.get("state", "")
    visits = services.worklist(request.principal, department_id=dep_id, q=q, state=state)
    return render(
        request,
        "healthbook/worklist.html",
        {
            "visits": visits,
            "departments": departments,
            "department_id": dep_id,
            "q": q,
            "state": state if state in services.WORK_STATES else "",
            "states": services.WORK_STATES.items(),
        },
    )


@role_required(*READERS)
@require_GET
def visit_book(request, visit_id):
    """The book of a visit's patient (the call page links here: it knows visits, not books)."""
    try:
        visit = services.require_visit_access(request.principal, visit_id)
        token = services.book_of(visit.patient).token
    except DomainError as exc:
        return error_page(request, exc)
    return redirect("healthbook:book", token=token)


@role_required(*READERS)
@require_GET
def book(request, token):
    try:
        view = _book_or_error(request, token)
    except DomainError as exc:
        return error_page(request, exc)
    ctx = _entry_context(view)
    ctx["today"] = timezone.localdate()
    ctx["now_dt"] = timezone.now()
    return render(request, "healthbook/book.html", ctx)


@role_required(Role.CLINICIAN)
@require_POST
def entry_add(request, token):
    data = {k: request.POST.get(k, "") for k in ENTRY_FIELDS}
    data["confidential"] = request.POST.get("confidential", "")
    try:
        book = services.book_for_token(token)
        services.add_entry(request.principal, book.patient_id, data)
    except FieldError as exc:
        resp = render(
            request,
            "healthbook/_entry_form.html",
            {
                "token": token,
                "kinds": EntryKind.choices,
                "severities": Severity.choices,
                "form": data,
                "errors": {exc.field: exc.message_vi},
            },
            status=422 if not _htmx(request) else 200,
        )
        resp["HX-Retarget"] = "#entry-form"
        resp["HX-Reswap"] = "outerHTML"
        return resp
    except DomainError as exc:
        return error_page(request, exc)
    if not _htmx(request):
        messages.success(request, "Đã thêm vào sổ sức khỏe.")
        return redirect("healthbook:book", token=token)
    view = _book_or_error(request, token)
    ctx = _entry_context(view)
    ctx["added"] = True
    return render(request, "healthbook/_entries.html", ctx)


@role_required(*READERS)
@require_GET
def timeline_more(request, token):
    try:
        book = services.book_for_token(token)
        offset = int(request.GET.get("offset") or 0)
        visits = services.more_visits(request.principal, book.patient_id, offset)
    except ValueError:
        return error_page(
            request, DomainError("bad_offset", "Tham số không hợp lệ.", "Bad offset.")
        )
    except DomainError as exc:
        return error_page(request, exc)
    next_offset = offset + len(visits) if len(visits) == 20 else None
    return render(
        request,
        "healthbook/_timeline_rows.html",
        {"visits": visits, "token": token, "next_offset": next_offset},
    )


@role_required(*READERS)
@require_GET
def section(request, token, kind):
    try:
        book = services.book_for_token(token)
        rows = services.section(request.principal, book.patient_id, kind)
    except DomainError as exc:
        return error_page(request, exc)
    return render(
        request,
        "healthbook/_section.html",
        {"kind": kind, "rows": rows, "total": len(rows), "token": token},
    )


@role_required(Role.CLINICIAN)
@require_http_methods(["GET", "POST"])
def entry_correct(request, token, entry_id):
    try:
        book = services.book_for_token(token)
        services.require_access(request.principal, book.patient_id)
        entry = BookEntry.objects.filter(pk=entry_id, patient_id=book.patient_id).first()
        if entry is None:
            raise services.NotFound("entry_not_found", "Không tìm thấy mục.", "Entry not found.")
    except DomainError as exc:
        return error_page(request, exc)
    ctx = {
        "token": token,
        "entry": entry,
        "severities": Severity.choices,
        "errors": {},
        "form": {k: getattr(entry, k) for k in ENTRY_FIELDS},
    }
    if request.method == "GET":
        ctx["form"]["version"] = entry.version
        return render(request, "healthbook/_entry_correct.html", ctx)
    data = {k: request.POST.get(k, "") for k in ENTRY_FIELDS if k != "kind"}
    data["reason"] = request.POST.get("reason", "")
    try:
        services.correct_entry(request.principal, entry.pk, request.POST.get("version"), data)
    except services.EditConflict as exc:
        ctx.update(
            form={**data, "version": exc.current.version},
            conflict=exc.message_vi,
            entry=exc.current,
        )
        return render(request, "healthbook/_entry_correct.html", ctx, status=200)
    except FieldError as exc:
        ctx.update(
            form={**data, "version": request.POST.get("version")},
            errors={exc.field: exc.message_vi},
        )
        return render(request, "healthbook/_entry_correct.html", ctx)
    except DomainError as exc:
        return error_page(request, exc)
    if not _htmx(request):
        return redirect("healthbook:book", token=token)
    view = _book_or_error(request, token)
    return render(request, "healthbook/_entries.html", _entry_context(view))


@role_required(*READERS)
@require_GET
def entry_history(request, token, entry_id):
    try:
        book = services.book_for_token(token)
        entry = BookEntry.objects.filter(pk=entry_id, patient_id=book.patient_id).first()
        if entry is None:
            raise services.NotFound("entry_not_found", "Không tìm thấy mục.", "Entry not found.")
        versions = services.entry_history(request.principal, book.patient_id, entry.lineage)
    except DomainError as exc:
        return error_page(request, exc)
    return render(request, "healthbook/_entry_history.html", {"versions": versions})


def _row_count(post, name: str, default: int) -> int:
    """How many rows the page sent (a hidden counter): a whole number up to
    CLOSURE_MAX_ROWS, else a 400 before any row is read."""
    count = parse_count(post.get(name), default=default, most=CLOSURE_MAX_ROWS)
    if count is None:
        raise DomainError(
            "too_many_rows",
            f"Số dòng của biểu mẫu không hợp lệ (phải là số nguyên, tối đa {CLOSURE_MAX_ROWS}).",
            f"{name} must be a whole number up to {CLOSURE_MAX_ROWS}.",
        )
    return count


def _closure_form(request) -> dict:
    post = request.POST
    prescriptions = []
    for i in range(_row_count(post, "rx_rows", 5)):
        prescriptions.append({k: post.get(f"rx-{i}-{k}", "") for k in RX_FIELDS})
    results = []
    for i in range(_row_count(post, "res_rows", 3)):
        results.append({k: post.get(f"res-{i}-{k}", "") for k in RES_FIELDS})
    services_rows = []
    for i in range(_row_count(post, "svc_rows", 0)):
        services_rows.append({k: post.get(f"svc-{i}-{k}", "") for k in SVC_FIELDS})
    return {
        "services": services_rows,
        "main_icd10": post.get("main_icd10", ""),
        "secondary_icd10": [c for c in post.getlist("secondary_icd10") if c.strip()],
        "final_diagnosis_text": post.get("final_diagnosis_text", ""),
        "treatment_summary": post.get("treatment_summary", ""),
        "outcome": post.get("outcome", ""),
        "discharge_type": post.get("discharge_type", ""),
        "referral_to": post.get("referral_to", ""),
        "referral_condition": post.get("referral_condition", ""),
        "referral_transport": post.get("referral_transport", ""),
        "follow_up_date": post.get("follow_up_date", ""),
        "sick_leave_days": post.get("sick_leave_days", ""),
        "sick_leave_employer": post.get("sick_leave_employer", ""),
        "weight_kg": post.get("weight_kg", ""),
        "note": post.get("note", ""),
        "version": post.get("version", ""),
        "prescriptions": prescriptions,
        "results": results,
    }


def _attach_row_error(form: dict, field: str, message: str) -> None:
    """ "prescriptions.2.dose" -> form["prescriptions"][2]["error_dose"] for the template."""
    parts = field.split(".")
    if (
        len(parts) == 3
        and parts[0] in ("prescriptions", "results", "services")
        and parts[1].isdigit()
    ):
        rows = form.get(parts[0]) or []
        if int(parts[1]) < len(rows):
            rows[int(parts[1])]["error_" + parts[2]] = message


def _closure_initial(visit) -> dict:
    closure = VisitClosure.objects.filter(visit=visit).first()
    blank_rx = [{} for _ in range(5)]
    blank_res = [{} for _ in range(3)]
    blank_svc = [{} for _ in range(3)]
    if closure is None:
        return {
            "outcome": Outcome.IMPROVED,
            "discharge_type": DischargeType.DISCHARGED,
            "secondary_icd10": [],
            "prescriptions": blank_rx,
            "results": blank_res,
            "services": blank_svc,
        }
    svc = [
        {
            "catalogue_id": s.catalogue_item_id or "",
            "service_code": s.service_code,
            "service_name": s.service_name,
            "quantity": s.quantity,
            "unit_price": s.unit_price,
        }
        for s in visit.services.all()
    ]
    rx = [
        {
            "catalogue_id": p.catalogue_item_id or "",
            "drug_code": p.drug_code,
            "unit_price": p.unit_price or "",
            "drug_name": p.drug_name,
            "strength": p.strength,
            "dose": p.dose,
            "duration_days": p.duration_days or "",
            "quantity": p.quantity,
            "unit": p.unit,
        }
        for p in visit.prescriptions.all()
    ]
    res = [
        {
            "service_code": r.service_code,
            "indicator_code": r.indicator_code,
            "indicator_name": r.indicator_name,
            "value": r.value,
            "unit": r.unit,
            "conclusion": r.conclusion,
        }
        for r in visit.results.all()
    ]
    return {
        "main_icd10": closure.main_icd10,
        "secondary_icd10": [d.icd10 for d in visit.diagnoses.filter(is_main=False)],
        "final_diagnosis_text": closure.final_diagnosis_text,
        "treatment_summary": closure.treatment_summary,
        "outcome": closure.outcome,
        "discharge_type": closure.discharge_type,
        "referral_to": closure.referral_to,
        "referral_condition": closure.referral_condition,
        "referral_transport": closure.referral_transport,
        "follow_up_date": closure.follow_up_date.isoformat() if closure.follow_up_date else "",
        "sick_leave_days": closure.sick_leave_days or "",
        "sick_leave_employer": closure.sick_leave_employer,
        "weight_kg": closure.weight_kg or "",
        "note": closure.note,
        "version": closure.version,
        "prescriptions": (rx + blank_rx)[: max(5, len(rx) + 1)],
        "results": (res + blank_res)[: max(3, len(res) + 1)],
        "services": (svc + blank_svc)[: max(3, len(svc) + 1)],
    }


@role_required(Role.CLINICIAN)
@require_http_methods(["GET", "POST"])
def close(request, visit_id):
    try:
        visit = services.require_visit_access(request.principal, visit_id)
        token = services.book_of(visit.patient).token
    except DomainError as exc:
        return error_page(request, exc)
    errors: dict = {}
    problems: list = []
    if request.method == "POST":
        try:
            form = _closure_form(request)
        except DomainError as exc:
            return error_page(request, exc)
        try:
            closure = services.close_visit(request.principal, visit, form)
        except FieldError as exc:
            errors = {exc.field: exc.message_vi}
            _attach_row_error(form, exc.field, exc.message_vi)
        except ClosureProblems as exc:
            # Every problem the claim file would have, each at its field (issue #16, 7).
            problems = exc.problems
            for field_name, message in problems:
                errors.setdefault(field_name, message)
                _attach_row_error(form, field_name, message)
        except DomainError as exc:
            errors = {"form": exc.message_vi}
        else:
            messages.success(request, "Đã kết thúc đợt khám và ghi vào sổ sức khỏe.")
            for notice in closure.claim_notices:
                messages.warning(request, notice)
            return redirect("healthbook:book", token=token)
    else:
        form = _closure_initial(visit)
    secondary = list(form.get("secondary_icd10") or [])
    secondary_rows = [
        {"value": v, "error": errors.get(f"secondary_icd10.{i}", "")}
        for i, v in enumerate((secondary + ["", "", ""])[: max(3, len(secondary) + 1)])
    ]
    return render(
        request,
        "healthbook/close.html",
        {
            "visit": visit,
            "token": token,
            "form": form,
            "errors": errors,
            "problems": problems,
            "secondary_rows": secondary_rows,
            "outcomes": Outcome.choices,
            "discharge_types": DischargeType.choices,
            "min_follow_up": timezone.localdate() + timedelta(days=1),
            # Said before saving: typed drug codes will lack SO_DANG_KY and TT_THAU.
            "no_drug_catalogue": not catalogue.has_rows(visit.facility_id, "drugs"),
        },
        status=422 if errors else 200,
    )


@role_required(Role.CLINICIAN, Role.FACILITY_ADMIN)
@require_GET
def icd10_search(request):
    # htmx sends the typed field under its own name (no inline JS needed to rename it to q).
    q = next(
        (
            request.GET.get(k)
            for k in ("q", "main_icd10", "secondary_icd10", "code")
            if request.GET.get(k)
        ),
        "",
    )[:100]
    rows = icd10.search(q, limit=15)
    return render(
        request,
        "healthbook/_icd10_results.html",
        {"rows": rows, "q": q, "target": request.GET.get("target", "")[:40]},
    )


@role_required(*READERS)
@require_GET
def print_view(request, token):
    try:
        view = _book_or_error(
            request, token, purpose="in sổ sức khỏe theo yêu cầu người bệnh", full=True
        )
    except DomainError as exc:
        return error_page(request, exc)
    ctx = printing.context(request, view)
    return render(request, "healthbook/print.html", ctx)


@role_required(*READERS)
@require_GET
def pdf(request, token):
    try:
        view = _book_or_error(
            request, token, purpose="in sổ sức khỏe (PDF) theo yêu cầu người bệnh", full=True
        )
    except DomainError as exc:
        return error_page(request, exc)
    data = printing.pdf_bytes(request, view)
    resp = HttpResponse(data, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="so-suc-khoe-{token}.pdf"'
    return resp


@role_required(Role.CLINICIAN, Role.FACILITY_ADMIN)
@require_POST
def consent_add(request, token):
    try:
        book = services.book_for_token(token)
        services.require_access(request.principal, book.patient_id)
        consent_service.grant_consent(
            request.principal,
            book.patient_id,
            {
                k: request.POST.get(k, "")
                for k in ("scope", "expires_on", "note", "covers_confidential")
            },
        )
    except FieldError as exc:
        view = _book_or_error(request, token)
        ctx = _entry_context(view)
        ctx.update(
            now_dt=timezone.now(),
            consent_errors={exc.field: exc.message_vi},
            consent_form=request.POST,
        )
        return render(request, "healthbook/book.html", ctx, status=422)
    except DomainError as exc:
        return error_page(request, exc)
    else:
        messages.success(request, "Đã ghi nhận đồng ý chia sẻ sổ sức khỏe.")
    return redirect(reverse("healthbook:book", kwargs={"token": token}) + "#consents")


@role_required(Role.CLINICIAN, Role.FACILITY_ADMIN)
@require_POST
def consent_revoke(request, token, consent_id):
    try:
        book = services.book_for_token(token)
        services.require_access(request.principal, book.patient_id)
        consent = services.Consent.objects.filter(pk=consent_id, patient_id=book.patient_id).first()
        if consent is None:
            raise services.NotFound(
                "consent_not_found", "Không tìm thấy đồng ý.", "Consent not found."
            )
        consent_service.revoke_consent(request.principal, consent.pk)
    except DomainError as exc:
        return error_page(request, exc)
    messages.success(request, "Đã rút lại đồng ý.")
    return redirect(reverse("healthbook:book", kwargs={"token": token}) + "#consents")
