"""The desk's pages through the Django client: navigation and what a clerk cannot do."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_only_the_closest_navigation_entry_is_active(login):
    html = login("tiepdon").get("/reception/today/").content.decode()
    active = re.findall(r'<a href="([^"]+)" class="active">', html)
    assert active == ["/reception/today/"]


def test_clerk_search_needs_some_text(login):
    r = login("tiepdon").post("/reception/patients/find/", {"q": "  "})
    assert r.status_code == 200 and 'data-testid="search-error"' in r.content.decode()


def test_merge_is_for_the_facility_admin_only(login):
    assert (
        login("tiepdon").post("/reception/merge/do/", {"source": 1, "target": 2}).status_code == 403
    )
