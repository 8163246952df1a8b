"""`{% traced row "figure" day=… department=… %}` (row[figure]): a figure of the facility's own pages as
a link to the rows behind it (kcb06.reports.trace), when the page is the facility's own
administrator's (`trace` in the context); everyone else reads the bare number.

`|check_in_method` and `|card_outcome`: a listed visit's stored codes in the words of the
figure that counted it (a stored "cccd_qr" is what the "QR CCCD" column counts)."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import format_html

from kcb06.eligibility.models import Outcome
from kcb06.reports.rollups import METHOD_COLUMNS
from kcb06.reports.views import VISIT_COLUMNS

register = template.Library()


@register.simple_tag(takes_context=True)
def traced(context, row, figure: str, day=None, department=None):
    value = row.get(figure)
    trace = context.get("trace")
    if not trace or not value:
        return value
    params = {"period": trace["period"]}
    if day:
        params["day"] = day.isoformat()
    if department:
        params["department"] = department
    url = reverse("reports:rows", args=[trace["code"], figure]) + "?" + urlencode(params)
    return format_html('<a href="{}" data-testid="trace-{}">{}</a>', url, figure, value)


HEADINGS = dict(VISIT_COLUMNS)  # the facility page's own column headings


@register.filter
def check_in_method(code: str) -> str:
    """The document the visit was checked in with; anything the rollups do not count as a
    document is "no document", as they count it."""
    return HEADINGS[METHOD_COLUMNS.get(code, "by_no_document")]


@register.filter
def card_outcome(code: str) -> str:
    return Outcome(code).label if code in Outcome.values else "—"
