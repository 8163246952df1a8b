"""Dates read dd/mm/yyyy on every page and printout, in both interface languages (ISO only in
the API and the XML). Pages are rendered as their users see them and their visible text is
searched for any other way of writing a date."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from kcb06.healthbook import services
from tests.healthbook import factories as f

OTHER_DATE_SHAPES = [
    re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),  # ISO
    re.compile(r"\b\d{1,2}-\d{1,2}-\d{4}\b"),  # Django's Vietnamese SHORT_DATE_FORMAT
    re.compile(r"Ngày \d{1,2} tháng \d{1,2}"),  # Django's Vietnamese DATE_FORMAT
    re.compile(r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d{1,2}, \d{4}"),
]


def visible_text(html: str) -> str:
    html = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    return re.sub(r"<[^>]+>", " ", html)  # attribute values (ISO in <input type=date>) go too


def other_dates(html: str) -> list[str]:
    text = visible_text(html)
    return [m.group(0) for rx in OTHER_DATE_SHAPES for m in rx.finditer(text)]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_dates_and_times_print_day_month_year(language):
    tpl = Template(
        "{{ d }}|{{ dt }}|{{ d|date }}|{{ d|date:'SHORT_DATE_FORMAT' }}|{{ dt|date:'DATETIME_FORMAT' }}"
    )
    ctx = Context(
        {
            "d": date(2026, 3, 5),
            "dt": datetime(2026, 3, 5, 14, 7, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
        }
    )
    with translation.override(language):
        assert (
            tpl.render(ctx) == "05/03/2026|14:07 05/03/2026|05/03/2026|05/03/2026|14:07 05/03/2026"
        )


def test_a_verdict_from_the_session_shows_card_dates_day_month_year():
    """The reception panel gets the verdict as JSON-ready text (ISO dates)."""
    html = render_to_string(
        "visits/_panel.html",
        {
            "verdict": {
                "outcome": "valid",
                "reason_vi": "Thẻ còn hạn",
                "card": {
                    "card_number": "DN4010123456789",
                    "valid_from": "2026-01-01",
                    "valid_to": "2026-12-31",
                    "ma_dkbd": "27901",
                    "benefit_level": 4,
                },
            }
        },
    )
    card = visible_text(html[html.index('data-testid="verdict-card"') :])
    assert "01/01/2026 → 31/12/2026" in card


@pytest.fixture
def book_with_history(org):
    bacsi = f.principal(org)
    p = f.patient("Lương Thị Ngày Tháng", dob=date(1975, 11, 20))
    v = f.visit(p, days_ago=3)
    services.add_entry(
        bacsi,
        p.pk,
        {"kind": "allergy", "title": "Tôm", "severity": "mild", "event_date": "2020-06-15"},
    )
    services.close_visit(bacsi, v, f.CLOSE)
    f.visit(p)
    return p, services.book_of(p).token


def test_staff_pages_and_printouts_show_no_other_date_format(org, login, book_with_history):
    p, token = book_with_history
    pages = {
        "bacsi": [
            reverse("healthbook:worklist"),
            reverse("healthbook:book", kwargs={"token": token}),
            reverse("healthbook:print", kwargs={"token": token}),
        ],
        "kiemtra": [reverse("audit:log")],
        "quantri": [
            "/?stay=1",
            reverse("interchange:status"),
            reverse("eligibility:reconciliation"),
            "/admin/facilities/apikey/",
        ],
    }
    found = {}
    for username, urls in pages.items():
        client = login(username)
        for url in urls:
            resp = client.get(url)
            assert resp.status_code == 200, (username, url, resp.status_code)
            bad = other_dates(resp.content.decode())
            if bad:
                found[url] = bad[:3]
    assert found == {}
