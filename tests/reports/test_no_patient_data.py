"""A health-department user can never reach a patient, a visit or a name through reports.

Every reports URL (pages of the "reports" namespace and API operations under /reports/, found by
walking the URL configuration, so a new one is covered the day it is added) is requested by the
health department for every period and every facility under it, with a visit of a named patient
counted in the figures. The answer must hold the counts and none of: the patient's name, ID
number, card number, the visit's MA_LK, nor any field naming a patient or a visit.
"""

import io
import json
import re
import subprocess

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from kcb06.facilities.models import Department, Facility
from kcb06.reports import periodic, rollups, services, trace
from tests.platform.scope import api_endpoints, page_endpoints
from tests.reports import factories as f

FORBIDDEN_KEYS = {"patient", "patient_id", "visit", "visit_id", "ma_lk", "full_name", "id_number"}
FACILITIES = ["27901", "27902", "27903", "27904"]
# Pages of other apps the health department reaches with counts only (HTML; their exports are
# checked where they are made, e.g. tests/interchange/test_claim_queue.py for the workbook).
COUNTS_PAGES = {"interchange:queue"}
FACILITY_HEAD_ONLY = {"/reports/briefing/"}
# The rows behind a facility's figures: its own administrator's, refused to the department.
FACILITY_HEAD_ONLY_PREFIX = re.compile(r"^/reports/facility/\w+/rows/")
# The one write: a facility's kcb06 sending its counts (answers {"written": n}; test_federation).
WRITES = {"POST /api/v1/reports/facility-days"}


def reports_urls(report_pk: int = 0) -> list[str]:
    urls = []
    for key, route in page_endpoints().items():
        if key.startswith("reports:") or key in COUNTS_PAGES:
            urls.append("/" + route)
    for key in api_endpoints():
        method, path = key.split(" ", 1)
        if path.startswith("/api/v1/reports"):
            if key in WRITES:
                continue
            assert method == "GET", f"{key}: reports answers reads only"
            urls.append(path)
    expanded = []
    for url in urls:
        params = set(re.findall(r"<(?:\w+:)?(\w+)>|\{(\w+)\}", url))
        names = {a or b for a, b in params}
        known = {"code", "pk", "fmt", "department_id", "figure"}
        assert names <= known, f"{url}: teach this test the parameter(s) {names - known}"
        variants = [url]
        if "code" in names:
            variants = [
                re.sub(r"<(?:\w+:)?code>|\{code\}", c, u) for u in variants for c in FACILITIES
            ]
        if "department_id" in names:  # the first department of the facility in the URL
            variants = [
                re.sub(r"<(?:\w+:)?department_id>|\{department_id\}", str(_department_of(u)), u)
                for u in variants
            ]
        if "figure" in names:  # every figure a facility's list can be asked for
            variants = [
                re.sub(r"<(?:\w+:)?figure>", fig, u) for u in variants for fig in trace.LABELS
            ]
        if "pk" in names:  # a kept progress report
            variants = [re.sub(r"<(?:\w+:)?pk>", str(report_pk), u) for u in variants]
        if "fmt" in names:
            variants = [re.sub(r"<(?:\w+:)?fmt>", x, u) for u in variants for x in ("pdf", "xlsx")]
        expanded.extend(variants)
    return expanded


def _department_of(url: str) -> int:
    code = re.search(r"/facilit(?:y|ies)/(\w+)/", url).group(1)
    return Department.objects.filter(facility__code=code).order_by("pk").first().pk


def _text(response) -> str:
    """What a person reads in the answer: the page or JSON, the PDF's text, the XLSX's cells."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if not response.streaming and not content.startswith(b"%PDF"):
        return content.decode()
    if content.startswith(b"%PDF"):
        return subprocess.run(
            ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
        ).stdout.decode()
    book = load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row
    )


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_every_reports_url_is_walked(org):
    urls = reports_urls()
    assert "/reports/" in urls and "/api/v1/reports/targets" in urls
    assert "/reports/facility/27903/" in urls and "/api/v1/reports/facilities/27903" in urls
    assert "/reports/progress/" in urls and "/reports/progress/0/pdf/" in urls
    assert "/reports/facility/27903/rows/by_id_number/" in urls
    assert any(re.match(r"^/reports/facility/27903/khoa/\d+/$", u) for u in urls)


@pytest.mark.parametrize("period", [*services.PERIODS, ""])
def test_health_department_never_reaches_a_patient_visit_or_name(
    login, org, period, settings, tmp_path
):
    settings.KCB06_REPORTS_DIR = tmp_path
    who = f.patient("Trịnh Thị Không Được Lộ")
    v = f.visit("27903", who=who, ended_hours_ago=30, accepted_after_hours=1)
    rollups.rebuild(timezone.localdate(), timezone.localdate())
    department = Facility.objects.get(kind="so_yte")
    report = periodic.generate(
        department, "pilot", timezone.localdate(), timezone.localdate()
    )  # the pilot report: every table there is
    secrets = [who.full_name, who.full_name.upper(), v.ma_lk, "Không Được Lộ"]
    client = login("soyte")
    seen_count = False
    for url in reports_urls(report.pk):
        response = client.get(url, {"period": period} if period else {})
        body = _text(response)
        # The morning briefing is the facility head's page: the department is refused.
        head_only = url in FACILITY_HEAD_ONLY or FACILITY_HEAD_ONLY_PREFIX.match(url)
        expected = 403 if head_only else 200
        assert response.status_code == expected, (url, response.status_code, body[:300])
        leaked = [s for s in secrets if s in body or s in json.dumps(body, ensure_ascii=False)]
        assert not leaked, f"{url} shows {leaked} to the health department"
        assert f"/visits/{v.pk}" not in body and f"/patients/{who.pk}" not in body
        if url.startswith("/api/"):
            data = response.json()
            assert not _keys(data) & FORBIDDEN_KEYS, (url, _keys(data) & FORBIDDEN_KEYS)
            seen_count = seen_count or '"visits": 1' in json.dumps(data)
    assert seen_count, "the visit was not counted: this test would not see a leak"


def test_the_facility_head_briefing_shows_counts_not_names(login, org):
    who = f.patient("Trịnh Thị Không Được Lộ")
    v = f.visit("27901", who=who)
    page = login("quantri").get("/reports/briefing/").content.decode()
    assert "Không Được Lộ" not in page and v.ma_lk not in page
    assert f"/visits/{v.pk}" not in page and f"/patients/{who.pk}" not in page
