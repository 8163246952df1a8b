"""Geometry of the dashboard's bar charts, drawn as SVG by the template (no JavaScript, so the
page works offline and under the strict Content-Security-Policy).

One horizontal bar per facility, its length the share in percent, and a vertical line at the
target; a facility with no visits in the period gets no bar and says so. Coordinates are handed
to the template as strings: a float would be localised ("320,0" in Vietnamese), which SVG reads
as no number at all.
"""

LABEL_WIDTH = 260  # room for "27901 — name" left of the bars
PLOT_WIDTH = 400  # 100 % = this many units
ROW_HEIGHT = 26
BAR_HEIGHT = 16
TOP = 24  # room for the scale labels


def _n(value: float) -> str:
    return f"{value:.1f}"


def _length(share: float | None) -> float:
    return PLOT_WIDTH * min(max(share or 0, 0), 100) / 100


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
