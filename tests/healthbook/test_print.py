"""The printed book: HTML print view and PDF (WeasyPrint) with facility, QR and access list."""

import shutil
import subprocess

import pytest
from django.urls import reverse

from kcb06.healthbook import services
from tests.healthbook import factories as f


@pytest.fixture
def closed_book(org, login):
    client = login("bacsi")
    bacsi = f.principal(org)
    p = f.patient("Đặng Thị Ưng Ý")
    v = f.visit(p)
    services.add_entry(
        bacsi,
        p.pk,
        {"kind": "allergy", "title": "Cua biển", "severity": "severe", "reaction": "Phù mặt"},
    )
    services.close_visit(bacsi, v, {**f.CLOSE, "secondary_icd10": ["I10"]})
    return client, p, services.book_of(p).token


def test_print_view_has_facility_qr_entries_and_access_list(closed_book):
    client, p, token = closed_book
    client.get(reverse("healthbook:book", kwargs={"token": token}))
    html = client.get(reverse("healthbook:print", kwargs={"token": token})).content.decode()
    assert "Trung tâm Y tế khu vực Từ Sơn" in html
    assert "data:image/svg+xml" in html
    assert "Cua biển" in html and "J06.9" in html and "I10" in html
    access = html[html.index('data-testid="access-list"') :]
    assert "Trần Văn Bác Sĩ" in access and "khám chữa bệnh" in access
    assert "in sổ sức khỏe" in access  # this very print is in the list


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_pdf_is_vietnamese_text(closed_book, tmp_path):
    client, p, token = closed_book
    resp = client.get(reverse("healthbook:pdf", kwargs={"token": token}))
    assert resp["Content-Type"] == "application/pdf"
    pdf = tmp_path / "book.pdf"
    pdf.write_bytes(resp.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Đặng Thị Ưng Ý" in text
    assert "SỔ SỨC KHỎE ĐIỆN TỬ" in text
    assert "Cua biển" in text and "J06.9" in text
    assert "Danh sách truy cập" in text
