"""`{% traced row "figure" day=… department=… %}` (row[figure]): a figure of the facility's own pages as
a link to the rows behind it (kcb06.reports.trace), when the page is the facility's own
administrator's (`trace` in the context); everyone else reads the bare number."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import format_html

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
