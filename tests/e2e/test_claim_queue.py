"""The claim-error work queue in Chromium: the billing clerk filters the claims not accepted yet
by error and opens one (its errors and the re-send button); the head of department (a
clinician) opens the visit where the fix is made; the health department sees counts only."""

from tests.e2e.conftest import DESK


def test_clerk_filters_by_error_and_opens_a_claim(logged_in_page, screenshot, e2e_org):
    from kcb06.interchange import outbox
    from kcb06.interchange.core.samples import outpatient_visit
    from tests.interchange.claims import claim, error
    from tests.reports import factories

    v = factories.visit("27901", ended_hours_ago=30)
    data = outpatient_visit(ma_lk=v.ma_lk)
    data.main_icd = "VIEMHONG"
    bad = outbox.enqueue_claim_data(e2e_org["facilities"]["27901"], v, data)
    other = claim(state="invalid", errors=[error("XML1", "MA_THE_BHYT", "required")])
    claim(state="rejected", result_code="125", department_code="K19")
    claim(state="accepted", result_code="200")

    page = logged_in_page("thungan", DESK)
    page.goto(page.kcb06_url + "/interchange/")
    page.click("[data-testid=to-claim-queue]")
    page.wait_for_url("**/interchange/queue/")
    assert page.locator("[data-testid=funnel-built-n]").inner_text() == "4"
    assert page.locator("[data-testid=funnel-accepted-n]").inner_text() == "1"
    assert page.locator("[data-testid=queue-row]").count() == 3

    option = page.locator("[data-testid=filter-error] option", has_text="MA_BENH_CHINH")
    key = option.get_attribute("value")
    assert key.startswith("XML1.MA_BENH_CHINH:")
    page.select_option("[data-testid=filter-error]", key)
    page.click("[data-testid=filter-submit]")
    page.wait_for_url("**error=*")
    rows = page.locator("[data-testid=queue-row]")
    assert rows.count() == 1
    text = rows.first.inner_text()
    assert v.ma_lk in text and other.ma_lk not in text
    assert "MA_BENH_CHINH: dài quá 7 ký tự" in text  # the message stored with the claim
    fix = page.locator("[data-testid=queue-fix]").first.inner_text()
    assert "Rút gọn nội dung MA_BENH_CHINH" in fix and "Gửi lại" in fix
    screenshot("claim-queue", page, full_page=True)

    page.click(f"[data-testid=queue-item-{bad.pk}]")
    page.wait_for_url(f"**/interchange/files/{bad.pk}/")
    assert "MA_BENH_CHINH" in page.locator("[data-testid=item-errors]").inner_text()

    doctor = logged_in_page("bacsi", DESK)
    doctor.goto(doctor.kcb06_url + "/interchange/queue/?error=" + key)
    doctor.click(f"[data-testid=queue-visit-{bad.pk}]")
    doctor.wait_for_url(f"**/healthbook/visits/{v.pk}/close/")

    health = logged_in_page("soyte", DESK)
    health.goto(health.kcb06_url + "/interchange/queue/")
    counts = health.locator("[data-testid=queue-counts]").inner_text()
    assert "27901" in counts and v.ma_lk not in counts
    assert health.locator("[data-testid=queue-row]").count() == 0
