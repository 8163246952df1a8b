"""The facility admin's claim rules page in Chromium: each rule with how many of the last 30
days' claims it would flag; the admin turns a rule into a warning, the change is audited, and
the next claim with that fault is built (not blocked). The cashier may not open the page."""

from tests.e2e.conftest import DESK


def _base(page):
    return page.url.split("/", 3)[0] + "//" + page.url.split("/")[2]


def test_admin_sees_recent_flags_and_makes_a_rule_a_warning(logged_in_page, screenshot, e2e_org):
    from kcb06.audit.models import AuditEntry
    from kcb06.interchange import outbox
    from kcb06.interchange.core.samples import outpatient_visit
    from kcb06.interchange.models import OutboxState

    facility = e2e_org["facilities"]["27901"]
    for n in (1, 2):
        v = outpatient_visit(ma_lk=f"27901.E2ER0000{n}")
        v.province = "03"  # not a province code of the list (rule K1.07)
        assert outbox.enqueue_claim_data(facility, None, v).state == OutboxState.INVALID

    admin = logged_in_page("quantri", DESK)
    admin.goto(_base(admin) + "/interchange/rules/?table=XML1")
    row = admin.locator("[data-rule='K1.07']")
    assert row.get_attribute("data-mode") == "error"
    assert row.locator("[data-testid=rule-flags]").inner_text() == "2"
    assert "mã tỉnh" in row.inner_text()
    assert "2 hồ sơ của 30 ngày" in admin.locator("[data-testid=rules-recent]").inner_text()
    row.locator("select[name=mode]").select_option("warning")
    with admin.expect_navigation():
        row.locator("button[type=submit]").click()
    assert "K1.07: Chỉ cảnh báo" in admin.content()
    assert admin.locator("[data-rule='K1.07']").get_attribute("data-mode") == "warning"
    screenshot("interchange-rules", admin)

    entry = AuditEntry.objects.filter(object_type="claim_rule", object_id="K1.07").get()
    assert entry.detail == {"code": "K1.07", "from": "error", "to": "warning"}
    v = outpatient_visit(ma_lk="27901.E2ER00003")
    v.province = "03"
    assert outbox.enqueue_claim_data(facility, None, v).state == OutboxState.WAITING

    cashier = logged_in_page("thungan", DESK)
    response = cashier.goto(_base(cashier) + "/interchange/rules/")
    assert response.status == 403
