"""Geometry of the dashboard's bar charts, drawn as SVG by the template (no JavaScript, so the
page works offline and under the strict Content-Security-Policy).

One horizontal bar per facility, its length the share in percent, and a vertical line at the
target; a facility with no visits in the period gets no bar and says so. Coordinates are handed
to the template as strings: a float would be localised ("320,0" in Vietnamese), which SVG reads
as no number at all.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import get_format

LABEL_WIDTH = 260  # room for "27901 — name" left of the bars
PLOT_WIDTH = 400  # 100 % = this many units
ROW_HEIGHT = 26
BAR_HEIGHT = 16
TOP = 24  # room for the scale labels
_TENTH = Decimal("0.1")


def _n(value: float) -> str:
    return f"{value:.1f}"


def _length(share: float | None) -> float:
    return PLOT_WIDTH * min(max(share or 0, 0), 100) / 100


def percent(value) -> str:
    """As `{{ value|floatformat:1 }} %` renders it (half up, the locale's decimal separator),
    or — with no figure: the template filter costs more than the page's queries when a
    province's ~300 facilities each show several."""
    if value is None:
        return "—"
    rounded = Decimal(repr(value)).quantize(_TENTH, rounding=ROUND_HALF_UP)
    return f"{rounded}".replace(".", get_format("DECIMAL_SEPARATOR")) + " %"


def bars(rows: list[dict], share_key: str, target_percent: int) -> dict:
    """The chart of `share_key` (percent or None) per facility against `target_percent`."""
    items = []
    for i, row in enumerate(rows):
        share = row.get(share_key)
        y = TOP + i * ROW_HEIGHT
        items.append(
            {
                "label": f"{row['code']} — {row['name']}",
                "share": share,
                "share_text": percent(share),
                "y": str(y),
                "text_y": str(y + BAR_HEIGHT - 3),
                "width": _n(_length(share)),
                "meets": share is not None and share >= target_percent,
                "value_x": _n(LABEL_WIDTH + 6 + _length(share)),
            }
        )
    height = TOP + len(rows) * ROW_HEIGHT + 16
    return {
        "items": items,
        "width": str(LABEL_WIDTH + PLOT_WIDTH + 60),
        "height": str(height),
        "plot_bottom": str(height - 14),
        "label_x": str(LABEL_WIDTH - 8),
        "label_width": str(LABEL_WIDTH),
        "none_x": str(LABEL_WIDTH + 6),
        "bar_height": str(BAR_HEIGHT),
        "target_percent": target_percent,
        "target_x": _n(LABEL_WIDTH + PLOT_WIDTH * target_percent / 100),
        "ticks": [
            {"x": _n(LABEL_WIDTH + PLOT_WIDTH * p / 100), "label": f"{p} %"} for p in (0, 50, 100)
        ],
    }


TREND_WIDTH = 560
TREND_HEIGHT = 200
TREND_LEFT = 40
TREND_TOP = 12
TREND_SERIES = (
    ("chip_share", "Lượt khám tiếp đón bằng CCCD gắn chip / VNeID", "chip"),
    ("health_book_share", "Lượt khám lên sổ sức khỏe điện tử", "book"),
    ("cashless_share", "Thanh toán không dùng tiền mặt (số giao dịch)", "cashless"),
)


def lines(weeks: list[dict], targets: dict[str, int]) -> dict:
    """Weekly trend lines (percent 0..100 upwards) of the target shares; a week without data
    breaks the line (a polyline per run of weeks with a value)."""
    n = max(len(weeks), 2)
    step = TREND_WIDTH / (n - 1)

    def x(i: int) -> float:
        return TREND_LEFT + i * step

    def y(p: float) -> float:
        return TREND_TOP + TREND_HEIGHT * (1 - min(max(p, 0), 100) / 100)

    series = []
    for key, label, css in TREND_SERIES:
        runs, run, points = [], [], []
        for i, w in enumerate(weeks):
            v = w.get(key)
            if v is None:
                if run:
                    runs.append(" ".join(run))
                run = []
                continue
            run.append(f"{_n(x(i))},{_n(y(v))}")
            points.append({"x": _n(x(i)), "y": _n(y(v)), "value": v, "week": w["week"]})
        if run:
            runs.append(" ".join(run))
        target = targets.get(key)
        series.append(
            {
                "key": key,
                "label": label,
                "css": css,
                "runs": runs,
                "points": points,
                "target": target,
                "target_y": _n(y(target)) if target is not None else None,
                "last": next((w.get(key) for w in reversed(weeks) if w.get(key) is not None), None),
            }
        )
    return {
        "series": series,
        "width": str(TREND_LEFT + TREND_WIDTH + 20),
        "height": str(TREND_TOP + TREND_HEIGHT + 30),
        "left": str(TREND_LEFT),
        "right": _n(TREND_LEFT + TREND_WIDTH),
        "bottom": _n(TREND_TOP + TREND_HEIGHT),
        "label_y": _n(TREND_TOP + TREND_HEIGHT + 18),
        "gridlines": [{"y": _n(y(p)), "label": f"{p} %"} for p in (0, 50, 100)],
        "weeks": [
            {"x": _n(x(i)), "label": w["week"].strftime("%d/%m")}
            for i, w in enumerate(weeks)
            if i % 2 == (len(weeks) - 1) % 2  # every other week, ending on the current one
        ],
    }
