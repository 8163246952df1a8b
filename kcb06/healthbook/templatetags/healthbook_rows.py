"""The rows of a health-book section (`_section.html`), rendered in Python.

The first screen shows up to 10 entries in each of 10 sections, "Xem tất cả" a whole section.
Through the template engine each row went through about 40 nodes (two url tags, date filters,
display lookups, translations): half of the page's rendering
(docs/measurements.md#section-rows). Here one row is one string
format; the HTML is the same, byte for byte, as the template loop it replaces (checked by
tests/healthbook/test_pages.py::test_section_rows_html_is_unchanged).
"""

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()


def _date(value) -> str:
    """Django's `date:"d/m/Y"` of a date (or "")."""
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}" if value else ""


def _when(value) -> str:
    """Django's `date:"H:i d/m/Y"` of an aware datetime, in the current time zone."""
    if not value:
        return ""
    t = timezone.localtime(value)
    return f"{t.hour:02d}:{t.minute:02d} {t.day:02d}/{t.month:02d}/{t.year:04d}"


def _entry_url(name: str, token: str):
    """reverse() once per table instead of once per row (docs/measurements.md#section-rows): the
    entry id is a path segment of its own ("…/entries/<id>/correct/")."""
    url = reverse(name, kwargs={"token": token, "entry_id": 0})
    head, sep, tail = url.rpartition("/0/")
    if not sep:
        return lambda pk: reverse(name, kwargs={"token": token, "entry_id": pk})
    return lambda pk: f"{head}/{pk}/{tail}"


def entry_row(e, correct_url, history_url) -> str:
    """One <tr>; `correct_url` is None when the reader may not correct entries."""
    pk = e.pk
    active = e.status == "active"
    code = f" <code>{escape(e.code)}</code>" if e.code else ""
    if getattr(e, "confidential", False):  # docs/healthbook.md, "Across facilities"
        code += f' <span class="badge" data-testid="entry-confidential">{gettext("Bảo mật")}</span>'
    severity = (
        f'<span class="hb-sev {escape(e.severity)}">{escape(e.get_severity_display())}</span>'
        if e.severity
        else ""
    )
    reaction = f"— {escape(e.reaction)}" if e.reaction else ""
    detail = f'<br><span class="muted">{escape(e.detail)}</span>' if e.detail else ""
    status = "" if active else f"<em>({escape(e.get_status_display())})</em>"
    facility = ""
    if e.facility_id is not None:
        # services._entries_qs annotates the name (no Facility object per row)
        name = e.facility_name if hasattr(e, "facility_name") else e.facility.name
        facility = f" · {escape(name)}"
    edited = ""
    if e.version > 1:
        edited = " · " + gettext("đã sửa (bản %(v)s)") % {"v": e.version}
    correct = ""
    if correct_url is not None:
        correct = (
            f'<button class="link" hx-get="{escape(correct_url(pk))}" hx-target="#entry-{pk}" '
            f'hx-swap="afterend">{gettext("Sửa")}</button>'
        )
    history = ""
    if e.version > 1:
        history = (
            f'<button class="link" hx-get="{escape(history_url(pk))}" hx-target="#entry-{pk}" '
            f'hx-swap="afterend">{gettext("Lịch sử")}</button>'
        )
    return (
        f'\n    <tr id="entry-{pk}" class="{"" if active else "muted"}">\n'
        f"      <td><strong>{escape(e.title)}</strong>{code}\n"
        f"        {severity}\n"
        f"        {reaction} {detail}\n"
        f"        {status}</td>\n"
        f"      <td>{_date(e.event_date)}</td>\n"
        f'      <td class="muted">{escape(e.recorded_by_name)}, {_when(e.recorded_at)}'
        f"{facility}{edited}</td>\n"
        f"      <td>{correct}\n"
        f"          {history}</td>\n"
        "    </tr>\n  "
    )


@register.simple_tag(takes_context=True)
def entry_rows(context, rows):
    """`{% entry_rows rows %}`: the <tr> of each entry (needs `token`; `principal` decides
    whether the "Sửa" button is shown)."""
    principal = context.get("principal")
    token = context["token"]
    correct_url = None
    if getattr(principal, "role", None) == "clinician":
        correct_url = _entry_url("healthbook:entry_correct", token)
    history_url = _entry_url("healthbook:entry_history", token)
    return mark_safe("".join(entry_row(e, correct_url, history_url) for e in rows))  # noqa: S308 - every value escaped above


@register.filter
def diagnosis_vi(diagnosis) -> str:
    """The diagnosis name a person reads, in Vietnamese: the stored name unless it is the WHO
    English title a closing before the Vietnamese list stored, then the Vietnamese name of
    the code (shipped list, in memory: no query per row)."""
    from kcb06.healthbook import icd10

    name = diagnosis.name or ""
    who = icd10.who_catalogue().get(diagnosis.icd10)
    if name and (who is None or name != who.name_en):
        return name
    shipped = icd10.shipped_names()
    for code in (diagnosis.icd10, diagnosis.icd10[:3]):
        if code in shipped:
            return shipped[code][0]
    return name
