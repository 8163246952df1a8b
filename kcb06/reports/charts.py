"""Geometry of the dashboard's bar charts, drawn as SVG by the template (no JavaScript, so the
page works offline and under the strict Content-Security-Policy).

One horizontal bar per facility, its length the share in percent, and a vertical line at the
target; a facility with no visits in the period gets no bar and says so.
"""

LABEL_WIDTH = 260  # room for "27901 — name" left of the bars
PLOT_WIDTH = 400  # 100 % = this many units
ROW_HEIGHT = 26
BAR_HEIGHT = 16
TOP = 24  # room for the scale labels


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
                "y": y,
                "text_y": y + BAR_HEIGHT - 3,
                "width": round(PLOT_WIDTH * min(share, 100) / 100, 1) if share is not None else 0,
                "meets": share is not None and share >= target_percent,
                "value_x": LABEL_WIDTH
                + 6
                + (round(PLOT_WIDTH * min(share, 100) / 100, 1) if share else 0),
            }
        )
    height = TOP + len(rows) * ROW_HEIGHT + 4
    return {
        "items": items,
        "width": LABEL_WIDTH + PLOT_WIDTH + 60,
        "height": height,
        "label_width": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
        "target_percent": target_percent,
        "target_x": LABEL_WIDTH + PLOT_WIDTH * target_percent / 100,
        "ticks": [
            {"x": LABEL_WIDTH + PLOT_WIDTH * p / 100, "label": f"{p} %"} for p in (0, 50, 100)
        ],
    }
