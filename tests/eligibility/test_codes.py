"""Every portal result code (docs/specs/portal-api.md#result-codes), asked over real HTTP to
portalsim, becomes the right outcome with the right Vietnamese reason."""

import pytest

from kcb06.eligibility.models import CheckStatus, EligibilityCheck, ReconciliationEntry
from kcb06.eligibility.services import check_eligibility

# code, maThe to send, ID-card name, DOB, outcome, words of the reason
CASES = [
    ("000", "HC4272700000000", "Nguyễn Văn Hợp Lệ Demo", "1985-08-15", "valid", "Thẻ BHYT hợp lệ"),
    ("001", "QN5272700000011", "Hoàng Văn Quân Đội Demo", "1988-05-05", "valid", "Bộ Quốc phòng"),
    ("002", "CA5272700000012", "Vũ Văn Công An Demo", "1987-06-06", "valid", "Bộ Công an"),
    ("003", "HC4272700000013", "Đặng Thị Thẻ Mới Demo", "1979-07-07", "invalid", "HC4272700000113"),
    ("004", "HC4272700000014", "Đỗ Văn Hai Thẻ Demo", "1982-08-08", "valid", "HC4272700000114"),
    ("010", "GD4272700000010", "Bùi Văn Hết Hạn Demo", "1970-09-09", "invalid", "đã hết hạn"),
    ("050", "GD4272700009999", "Ai Đó Demo", "1970-09-09", "invalid", "không có thông tin thẻ"),
    ("051", "DN4272700000051", "Cao Thị Sai Mã Demo", "1991-10-10", "invalid", "Mã thẻ BHYT không đúng"),
    ("052", "GD4012700000052", "Tạ Văn Sai Tỉnh Demo", "1992-11-11", "invalid", "Mã tỉnh"),
    ("053", "GD3272700000053", "Hà Thị Sai Quyền Lợi Demo", "1993-12-12", "invalid", "ký tự thứ 3"),
    ("060", "GD4272700000060", "Lưu Văn Đổi Demo", "1984-02-01", "invalid", "Họ tên không khớp"),
    ("061", "GD4272700000061", "Lý Thị Hoa Demo", "1986-03-02", "invalid", "chỉ đúng chữ cái đầu"),
    ("070", "GD4272700000070", "Châu Văn Ngày Sinh Demo", "1980-02-20", "invalid", "Ngày sinh không khớp"),
    ("100", "GD4272700000100", "Mạc Văn Lỗi Đọc Demo", "1981-03-03", "unverified", "lỗi khi đọc dữ liệu thẻ"),
    ("101", "GD4272700000101", "Mạc Văn Lỗi Máy Chủ Demo", "1981-04-04", "unverified", "Máy chủ Cổng BHXH đang lỗi"),
    ("110", "GD4272700000110", "Kiều Văn Thu Hồi Demo", "1975-05-05", "invalid", "đã bị thu hồi"),
    ("120", "DN4272700000120", "Lâm Thị Báo Giảm Demo", "1983-06-06", "invalid", "đã bị báo giảm"),
    ("121", "DN4272700000121", "Lâm Văn Ngoại Tỉnh Demo", "1983-06-07", "invalid", "chuyển sang tỉnh khác"),
    ("122", "DN4272700000122", "Lâm Văn Nội Tỉnh Demo", "1983-06-08", "invalid", "trong tỉnh"),
    ("123", "DN4272700000123", "Lâm Văn Tăng Lại Demo", "1983-06-09", "invalid", "tăng lại tại cùng đơn vị"),
    ("124", "DN4272700000124", "Lâm Văn Ngừng Demo", "1983-06-10", "invalid", "ngừng tham gia"),
    ("130", "TE1272700000130", "Trịnh Bé Demo", "2024-01-01", "invalid", "Trẻ em chưa xuất trình"),
    ("205", "GD4272700000205", "Phan Văn Tham Số Demo", "1977-01-01", "unverified", "sai định dạng"),
    ("401", "GD4272700000401", "Phan Văn Xác Thực Demo", "1977-01-02", "unverified", "từ chối tài khoản"),
    ("500", "GD4272700000500", "Phan Văn Máy Chủ Demo", "1977-01-03", "unverified", "Máy chủ Cổng BHXH đang lỗi"),
]  # fmt: skip


@pytest.mark.parametrize(("code", "card", "name", "dob", "outcome", "words"), CASES)
def test_every_result_code(sim, principal, code, card, name, dob, outcome, words):
    verdict = check_eligibility(principal(), card_number=card, full_name=name, date_of_birth=dob)
    assert verdict.portal_code == code
    assert verdict.outcome == outcome
    assert words.lower() in (verdict.reason_vi + " " + verdict.next_step_vi).lower()
    assert verdict.next_step_vi
    check = EligibilityCheck.objects.get(pk=verdict.check_id)
    assert check.portal_code == code and check.outcome == outcome
    if outcome == "invalid":
        assert ReconciliationEntry.objects.filter(source_check=check).exists()
    if outcome == "unverified" and code in ("100", "101", "401", "500"):
        assert verdict.pending and check.status == CheckStatus.PENDING
    if code == "401":
        assert sim.calls("token") == 2  # logged in again once, then gave up


def test_050_by_id_number_means_no_card(sim, principal):
    verdict = check_eligibility(
        principal(), id_number="027200000050", full_name="Ngô Thị Chưa Thẻ Demo",
        date_of_birth="2000-05-05",
    )  # fmt: skip
    assert (verdict.outcome, verdict.portal_code) == ("no_card", "050")
    assert "không có thông tin thẻ BHYT của người này" in verdict.reason_vi


def test_no_card_and_no_id_document(sim, principal):
    verdict = check_eligibility(
        principal(), full_name="Người Không Giấy Tờ", date_of_birth="1990-01-01"
    )
    assert verdict.outcome == "no_card" and verdict.portal_code is None
    assert "không có CCCD" in verdict.reason_vi
    assert sim.calls("card_check") == 0


def test_054_officer_not_registered(sim, staff):
    p = staff("tiepdon_moi", "Nguyễn Văn Chưa Đăng Ký", "027185999999")
    verdict = check_eligibility(
        p,
        card_number="HC4272700000000",
        full_name="Nguyễn Văn Hợp Lệ Demo",
        date_of_birth="1985-08-15",
    )
    assert (verdict.outcome, verdict.portal_code) == ("unverified", "054")
    assert "CNTT" in verdict.next_step_vi and "01/dk-ctn" in verdict.next_step_vi


def test_055_officer_name_does_not_match(sim, staff):
    p = staff("tiepdon_ten_sai", "Nguyễn Thị Tên Khác", "027190000101")
    verdict = check_eligibility(
        p,
        card_number="HC4272700000000",
        full_name="Nguyễn Văn Hợp Lệ Demo",
        date_of_birth="1985-08-15",
    )
    assert (verdict.outcome, verdict.portal_code) == ("unverified", "055")
    assert "không khớp với số CCCD" in verdict.next_step_vi


def test_lookup_by_id_number_finds_the_card(sim, principal):
    verdict = check_eligibility(
        principal(), id_number="027085000001", full_name="Nguyễn Văn Hợp Lệ Demo",
        date_of_birth="1985-08-15", sex="male",
    )  # fmt: skip
    assert verdict.outcome == "valid"
    assert verdict.card.card_number == "HC4272700000000"
    assert verdict.card.benefit_level == 4 and verdict.card.object_code == "HC"
    assert verdict.card.ma_dkbd == "27901" and verdict.card.valid_to is not None


def test_portal_rejecting_id_lookup_is_a_clear_unverified(sim, principal):
    sim.fault(scope="027085000001", mode="code:205")
    verdict = check_eligibility(
        principal(), id_number="027085000001", full_name="Nguyễn Văn Hợp Lệ Demo",
        date_of_birth="1985-08-15",
    )  # fmt: skip
    assert verdict.outcome == "unverified" and not verdict.pending
    assert "theo số định danh cá nhân" in verdict.reason_vi
    assert "mã thẻ BHYT" in verdict.next_step_vi


def test_valid_lists_every_difference(sim, principal):
    p = principal()
    v = check_eligibility(
        p,
        card_number="GD4272700000002",
        full_name="Trần Thị Dấu Demo",
        date_of_birth="1990-03-12",
        sex="female",
    )
    assert v.outcome == "valid"
    assert [(m.field, m.kind) for m in v.mismatches] == [("full_name", "diacritics_only")]
    assert "Tran Thi Dau Demo" in v.mismatches[0].message_vi
    v = check_eligibility(
        p,
        card_number="HT3272700000003",
        full_name="Lê Văn Năm Sinh Demo",
        date_of_birth="1950-01-01",
        sex="male",
    )
    assert [(m.field, m.kind) for m in v.mismatches] == [("date_of_birth", "year_only")]
    v = check_eligibility(
        p,
        card_number="DN4272700000004",
        full_name="Phạm Minh Giới Demo",
        date_of_birth="1995-11-20",
        sex="male",
    )
    assert [(m.field, m.kind, m.insurance_value) for m in v.mismatches] == [
        ("sex", "different", "Nữ")
    ]
    assert "danh sách đối soát" in v.next_step_vi
    kinds = set(ReconciliationEntry.objects.values_list("kinds", flat=True))
    assert kinds == {"name_diacritics", "dob", "sex"}
    v = check_eligibility(
        p,
        card_number="HC4272700000000",
        full_name="Nguyễn Văn Hợp Lệ Demo",
        date_of_birth="1985-08-15",
        sex="male",
    )
    assert v.mismatches == []


def test_lookup_by_10_digit_bhxh_number(sim, principal):
    verdict = check_eligibility(
        principal(), card_number="2700000000", full_name="Nguyễn Văn Hợp Lệ Demo",
        date_of_birth="1985-08-15",
    )  # fmt: skip
    assert (verdict.outcome, verdict.portal_code) == ("valid", "000")
    assert verdict.card.card_number == "HC4272700000000"
