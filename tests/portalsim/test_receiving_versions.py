"""portalsim judges a received file under the regulation version it was sent under, over real
HTTP (issue #19, docs/portalsim.md "Regulation versions"): the endpoint names QĐ 4750 or QĐ
3176, the visit's NGAY_VAO the 3176 amendment. A file built under the other version's tables is
refused by that version's XSD, and a visit the endpoint's regulation does not cover is refused
with the endpoint it belongs to."""

from datetime import date

import pytest

from kcb06.interchange.core import package, versions
from tests.interchange.claimhelpers import referred_visit
from tests.portalsim.sending import outcome, send

OLD_DAY, NEW_DAY = date(2024, 11, 20), date(2025, 3, 4)


def _claim(own, day, version, ma_lk):
    tables, _ = package.build_claim(referred_visit(day, ma_lk), version=version)
    return package.sign_claim("27901", tables, own)


def _checkin(own, day, ma_lk):
    root, errors = package.build_checkin_doc(referred_visit(day, ma_lk))
    assert errors == []
    return package.sign_checkin(root, own)


@pytest.mark.parametrize(
    ("day", "version"),
    [
        (OLD_DAY, versions.QD4750),
        (NEW_DAY, versions.QD3176),
        (date(2026, 7, 15), versions.QD3176_20260701),
        (date(2026, 8, 3), versions.QD3176_20260801),
    ],
)
def test_each_version_sent_to_its_endpoint_is_accepted(ps, own, day, version):
    ma_lk = f"27901.V{day:%Y%m%d}"
    answer = send(ps, _claim(own, day, version, ma_lk), version=version)
    assert outcome(answer) == ("200", "") and answer["maGiaoDich"], answer["thongDiep"]
    assert outcome(send(ps, _checkin(own, day, ma_lk), "checkin", version=version)) == ("200", "")


@pytest.mark.parametrize(
    ("day", "built_under", "sent_to", "regulation"),
    [
        (NEW_DAY, versions.QD4750, versions.QD3176, "QĐ 3176"),  # a 4750 file of a 2025 visit
        (OLD_DAY, versions.QD3176, versions.QD4750, "QĐ 4750"),  # a 3176 file of a 2024 visit
    ],
)
def test_a_file_of_the_other_versions_tables_is_refused_by_the_xsd_with_its_reason(
    ps, own, day, built_under, sent_to, regulation
):
    answer = send(ps, _claim(own, day, built_under, "27901.W000001"), version=sent_to)
    assert outcome(answer) == ("400", "content")
    assert f"không hợp lệ theo {regulation}" in answer["thongDiep"]
    wrong = {row["bang"] for row in answer["dsLoi"]}
    assert {"XML13", "XML14"} <= wrong, answer["dsLoi"]
    assert any("MA_CSKCB_DI" in row["loi"] or "MA_NOI_DI" in row["loi"] for row in answer["dsLoi"])
    assert ps.get("/_control/receiving/stats").json()["claim"]["versions"] == 0


@pytest.mark.parametrize(
    ("day", "sent_to", "belongs"),
    [
        (NEW_DAY, versions.QD4750, "guiHoSoXmlQD3176"),
        (OLD_DAY, versions.QD3176, "guiHoSoXmlQD4750"),
    ],
)
def test_a_visit_sent_to_the_other_regulations_endpoint_is_refused_naming_its_own(
    ps, own, day, sent_to, belongs
):
    """Even with tables its XSD would take (no referral: the shapes are the same)."""
    v = referred_visit(day, "27901.X000001")
    v.referral, v.discharge_type, v.follow_up = None, "1", None
    tables, errors = package.build_claim(v)
    assert errors == []
    answer = send(ps, package.sign_claim("27901", tables, own), version=sent_to)
    assert outcome(answer) == ("400", "wrong_regulation")
    assert f"NGAY_VAO {day:%d/%m/%Y}" in answer["thongDiep"] and belongs in answer["thongDiep"]
    checkin = _checkin(own, day, "27901.X000002")
    assert outcome(send(ps, checkin, "checkin", version=sent_to)) == ("400", "wrong_regulation")
