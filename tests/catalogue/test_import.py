"""Facility admin: import a catalogue (preview of what changes, then confirm), export it back."""

import io
from datetime import date, timedelta

import openpyxl
import pytest
from django.utils import timezone

from kcb06.audit.models import AuditEntry
from kcb06.catalogue import services
from kcb06.catalogue.models import Drug, ImportBatch
from kcb06.errors import DomainError
from kcb06.facilities.services import principal_for_user
from tests.catalogue.files import DRUG_HEADER, csv, drug, xlsx


@pytest.fixture
def admin(org):
    return principal_for_user(org["users"]["quantri"])


def _import(admin, content, name="thuoc.xlsx", slug="drugs"):
    preview = services.preview_import(admin, slug, name, content)
    assert preview.batch is not None, [e.message_vi for e in preview.errors]
    return preview


def test_import_preview_confirm_export_round_trip(admin):
    first = xlsx(
        DRUG_HEADER,
        [
            drug("40.1", "Paracetamol", 1200, end="20260630"),
            drug("40.1", "Paracetamol", 1350, start="20260701"),
            drug("40.2", "Amlodipin", "450"),
            drug("40.3", "Vitamin C", 300),
        ],
    )
    preview = _import(admin, first)
    assert len(preview.diff["added"]) == 4 and not preview.diff["changed"]
    assert Drug.objects.count() == 0  # nothing until confirmed
    assert services.confirm(admin, preview.batch.pk)["added"] == 4
    assert Drug.objects.filter(facility_id=admin.facility_id).count() == 4
    entry = AuditEntry.objects.filter(object_type="catalogue_drugs").latest("seq")
    assert entry.action == "update" and entry.detail["added"] == 4

    # Second file: Amlodipin's price changes, Vitamin C is gone, Omeprazol is new.
    second = csv(
        DRUG_HEADER,
        [
            drug("40.1", "Paracetamol", 1200, end="20260630"),
            drug("40.1", "Paracetamol", 1350, start="20260701"),
            drug("40.2", "Amlodipin", "500"),
            drug("40.4", "Omeprazol", 690, strength="20mg"),
        ],
    )
    preview = _import(admin, second, "thuoc.csv")
    diff = preview.diff
    assert [a["name"] for a in diff["added"]] == ["Omeprazol"]
    assert diff["changed"][0]["fields"] == [{"column": "DON_GIA", "before": "450", "after": "500"}]
    assert [r["name"] for r in diff["retired"]] == ["Vitamin C"]
    assert diff["unchanged"] == 2
    services.confirm(admin, preview.batch.pk)
    vitamin = Drug.objects.get(name="Vitamin C")
    assert vitamin.valid_to == timezone.localdate() - timedelta(days=1)
    assert not services.search(admin.facility_id, "drugs", "vitamin")

    # Export, then import the export: nothing changes.
    content = services.export_xlsx(admin, "drugs")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert [c.value for c in sheet[1]] == DRUG_HEADER
    again = _import(admin, content, "export.xlsx")
    assert again.diff["added"] == [] and again.diff["changed"] == []
    assert again.diff["retired"] == [] and again.diff["unchanged"] == 5


def test_confirm_refuses_when_the_catalogue_changed_since_the_preview(admin):
    a = _import(admin, xlsx(DRUG_HEADER, [drug("40.1", "Paracetamol", 1200)]))
    b = _import(admin, xlsx(DRUG_HEADER, [drug("40.2", "Amlodipin", 450)]))
    services.confirm(admin, a.batch.pk)
    with pytest.raises(DomainError) as err:
        services.confirm(admin, b.batch.pk)
    assert err.value.code == "catalogue_changed" and "xem lại" in err.value.message_vi
    with pytest.raises(DomainError):
        services.confirm(admin, a.batch.pk)  # once only
    assert ImportBatch.objects.get(pk=b.batch.pk).state == "pending"


def test_bad_rows_are_each_named_in_vietnamese_and_nothing_is_imported(admin):
    content = xlsx(
        DRUG_HEADER,
        [
            drug("40.1", "Paracetamol", -5),
            drug("40.2", "Amlodipin", 450, start="31/02/2026"),
            drug("40.3", "Metformin", 380, tender="thầu năm nay"),
            drug("40.4", "Omeprazol", 690),
            drug("40.4", "Omeprazol", 700),
            drug("40.5", "Meloxicam", 520, start="20260501", end="20260101"),
            drug("40 6", "", "abc"),
        ],
    )
    preview = services.preview_import(admin, "drugs", "bad.xlsx", content)
    assert preview.batch is None
    messages = [e.message_vi for e in preview.errors]
    assert any("Dòng 2" in m and "không được âm" in m for m in messages)
    assert any("Dòng 3" in m and "không phải ngày có thật" in m for m in messages)
    assert any("Dòng 4" in m and "TT_THAU" in m for m in messages)
    assert any("Dòng 6" in m and "trùng với dòng 5" in m for m in messages)
    assert any("Dòng 7" in m and "DEN_NGAY" in m for m in messages)
    assert any("Dòng 8" in m and "thiếu tên thuốc" in m for m in messages)
    assert any("Dòng 8" in m and "phải là số" in m for m in messages)
    assert not Drug.objects.exists()


@pytest.mark.parametrize(
    "name,content,expected",
    [
        ("x.xlsx", b"PK\x03\x04broken", "Không đọc được tệp Excel"),
        ("x.pdf", b"%PDF-1.4", "Chỉ nhận tệp Excel"),
        ("x.csv", b"", "không có dữ liệu"),
        ("x.csv", b"MA_THUOC;TEN_THUOC\n40.1;Para\n", "thiếu cột: SO_DANG_KY, DON_GIA"),
        ("x.csv", b"MA_THUOC,\x81\x8d\n", "UTF-8"),
    ],
)
def test_bad_files_say_why_in_vietnamese(admin, name, content, expected):
    with pytest.raises(DomainError) as err:
        services.preview_import(admin, "drugs", name, content)
    assert expected in err.value.message_vi and err.value.status == 422


def test_vietnamese_headers_and_dates_are_understood(admin):
    header = ["Mã thuốc", "Tên thuốc", "Số đăng ký", "Thông tin thầu", "Đơn giá", "Từ ngày"]
    rows = [["40.1", "Paracetamol", "VD-1", "12/QĐ-BV;G1;N4;2026", "1.200", "01/01/2026"]]
    preview = _import(admin, csv(header, rows, sep=";"), "thuoc.csv")
    services.confirm(admin, preview.batch.pk)
    row = Drug.objects.get()
    assert row.price == 1200 and row.valid_from == date(2026, 1, 1) and row.group == 4


def test_only_a_facility_admin_imports(org):
    clinician = principal_for_user(org["users"]["bacsi"])
    with pytest.raises(DomainError) as err:
        services.preview_import(clinician, "drugs", "x.csv", b"")
    assert err.value.status == 403


def test_admin_pages_preview_then_confirm(login, org):
    client = login("quantri")
    page = client.get("/catalogue/")
    assert page.status_code == 200 and "Nhập danh mục từ tệp" in page.content.decode()
    content = xlsx(DRUG_HEADER, [drug("40.1", "Paracetamol", 1200)])
    from django.core.files.uploadedfile import SimpleUploadedFile

    answer = client.post(
        "/catalogue/import/",
        {"catalogue": "drugs", "file": SimpleUploadedFile("thuoc.xlsx", content)},
    )
    assert answer.status_code == 302
    preview = client.get(answer["Location"])
    assert "Thêm 1" in preview.content.decode() and not Drug.objects.exists()
    done = client.post(answer["Location"] + "confirm/")
    assert done.status_code == 302 and Drug.objects.count() == 1
    bad = client.post(
        "/catalogue/import/",
        {"catalogue": "drugs", "file": SimpleUploadedFile("x.csv", b"MA_THUOC\n40.1\n")},
    )
    assert bad.status_code == 422 and "thiếu cột" in bad.content.decode()
    export = client.get("/catalogue/drugs/export.xlsx")
    assert export.status_code == 200 and export.content[:2] == b"PK"
    assert login("bacsi").get("/catalogue/").status_code == 403


def test_cli_import_and_export(org, tmp_path):
    from typer.testing import CliRunner

    from kcb06.catalogue.cli import app

    path = tmp_path / "thuoc.xlsx"
    path.write_bytes(xlsx(DRUG_HEADER, [drug("40.1", "Paracetamol", 1200)]))
    runner = CliRunner()
    result = runner.invoke(app, ["import", "drugs", str(path), "--user", "quantri", "--yes"])
    assert result.exit_code == 0, result.output
    assert '"added": 1' in result.output and Drug.objects.count() == 1
    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["export", "drugs", str(out), "--user", "quantri"])
    assert result.exit_code == 0 and out.read_bytes()[:2] == b"PK"
    bad = tmp_path / "bad.csv"
    bad.write_text("MA_THUOC,TEN_THUOC\n")
    result = runner.invoke(app, ["import", "drugs", str(bad), "--user", "quantri", "--yes"])
    assert result.exit_code == 1 and "thiếu cột" in result.output


def test_another_facility_neither_sees_nor_confirms_the_import(admin, login):
    from django.contrib.auth import get_user_model

    from kcb06.facilities.models import Facility, StaffProfile

    other = get_user_model().objects.create_user("quantri3", password="demo")
    StaffProfile.objects.create(
        user=other,
        facility=Facility.objects.get(code="27903"),
        role="facility_admin",
        full_name="Quản trị Trạm",
    )
    preview = _import(admin, xlsx(DRUG_HEADER, [drug("40.1", "Paracetamol", 1200)]))
    outsider = principal_for_user(other)
    with pytest.raises(DomainError) as err:
        services.confirm(outsider, preview.batch.pk)
    assert err.value.status == 404
    client = login("quantri")
    client.force_login(other)
    assert client.get(f"/catalogue/import/{preview.batch.pk}/").status_code == 404
    services.confirm(admin, preview.batch.pk)
    assert services.search(outsider.facility_id, "drugs", "paracetamol") == []
    assert "Paracetamol" not in client.get("/catalogue/drugs/").content.decode()
