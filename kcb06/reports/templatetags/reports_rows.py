"""`{% facility_row r period %}` and `{% bar_items chart %}`: the dashboard's per-facility table
row and chart bars, built in Python.

A province has ~300 facilities and the row has 21 figures: through the template engine
(a variable node, `localize` and `floatformat` per cell) the table was most of the dashboard's
time (docs/reports.md, "Speed"). The HTML is what the template wrote, element for element."""

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext

from kcb06.reports.charts import percent

register = template.Library()

_COUNTS_BEFORE_PORTAL = (
    "visits",
    "by_cccd_qr",
    "by_vneid_qr",
    "by_id_number",
    "by_bhyt_card",
    "by_no_document",
    "elig_valid",
    "elig_invalid",
    "elig_no_card",
    "elig_unverified",
)


def _portal_p95(row) -> str:
    if not row.get("portal_timed"):
        return "—"
    return "&gt; 5000" if row.get("portal_p95_ms") is None else escape(row["portal_p95_ms"])


@register.simple_tag
def facility_row(row, period_key: str) -> str:
    period = "week" if period_key == "today" else period_key
    url = reverse("reports:facility", args=[row["code"]]) + f"?period={period}"
    cells = [escape(row[key]) for key in _COUNTS_BEFORE_PORTAL]
    cells += [
        percent(row.get("portal_availability")),
        _portal_p95(row),
        escape(row["accepted"]),
        percent(row.get("health_book_share")),
        escape(row["accepted_on_time"]),
        escape(row["late"]),
        escape(row["payments"]),
        percent(row.get("cashless_share")),
        percent(row.get("cashless_value_share")),
    ]
    tds = "".join(f'<td class="num">{cell}</td>' for cell in cells)
    return mark_safe(  # noqa: S308 - every value above is escaped or a fixed string
        f'<tr data-testid="facility-row" data-code="{escape(row["code"])}">'
        f'<td><a href="{escape(url)}">{escape(row["code"])} — {escape(row["name"])}</a></td>'
        f"{tds}</tr>"
    )


@register.simple_tag
def bar_items(chart: dict) -> str:
    """The `<g>` of each facility's bar (kcb06.reports.charts.bars)."""
    none = escape(gettext("chưa có lượt khám"))
    out = []
    for b in chart["items"]:
        label = escape(b["label"])
        head = (
            f'<g data-testid="bar"><text class="label" x="{chart["label_x"]}" y="{b["text_y"]}" '
            f'text-anchor="end">{escape(Truncator(b["label"]).chars(36))}</text>'
        )
        if b["share"] is None:
            body = f'<text class="none" x="{chart["none_x"]}" y="{b["text_y"]}">{none}</text>'
        else:
            body = (
                f'<rect class="{"meets" if b["meets"] else "below"}" x="{chart["label_width"]}" '
                f'y="{b["y"]}" width="{b["width"]}" height="{chart["bar_height"]}">'
                f'<title>{label}: {b["share_text"]}</title></rect><text class="value" '
                f'x="{b["value_x"]}" y="{b["text_y"]}">{b["share_text"]}</text>'
            )
        out.append(f"{head}{body}</g>")
    return mark_safe("\n".join(out))  # noqa: S308 - labels escaped; the rest is our numbers
