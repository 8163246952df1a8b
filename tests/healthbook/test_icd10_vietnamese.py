"""Vietnamese ICD-10: `kcb06 icd10 import` reads the Ministry's workbook (QĐ 4469 layout), the
shipped subset names every category and the primary-care codes, search finds them with or
without diacritics, a closing writes the Vietnamese name, and a chronic condition already in
the book is refused a second time."""

import io
import os
import subprocess
import sys

import pytest

from kcb06.errors import DomainError
from kcb06.healthbook import icd10, icd10_source, services
from kcb06.healthbook.icd10 import FieldError
from kcb06.healthbook.models import Icd10Name
from tests.healthbook import factories as f


def ministry_workbook(rows) -> bytes:
    """A workbook laid out as the Ministry publishes it: two title rows, then the header."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "ICD10"
    sheet.append(["Phụ lục 1: Danh mục mã bệnh theo ICD-10"])
    sheet.append(["(Ban hành kèm theo Quyết định số 4469/QĐ-BYT)"])
    sheet.append(
        ["STT CHƯƠNG", "MÃ LOẠI", "MÃ BỆNH", "MÃ BỆNH KHÔNG DẤU", "DISEASE NAME", "TÊN BỆNH"]
    )
    for code, name_vi in rows:
        sheet.append(["I", code[:3], code, code.replace(".", ""), "x", name_vi])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


MINISTRY_ROWS = [
    ("G01", "Viêm màng não (dòng tiêu đề)"),
    ("G01*", "Viêm màng não trong bệnh nhiễm khuẩn phân loại ở mục khác"),
    ("I10", "Bệnh lý tăng huyết áp"),
    ("A17.0†", "Viêm màng não do lao"),
    ("Z99.9", "Phụ thuộc thiết bị hỗ trợ"),
]


def test_ministry_workbook_markers_removed_and_coded_row_wins():
    rows = dict(icd10_source.parse_ministry(ministry_workbook(MINISTRY_ROWS)))
    assert rows["G01"] == "Viêm màng não trong bệnh nhiễm khuẩn phân loại ở mục khác"
    assert rows["A17.0"] == "Viêm màng não do lao"
    assert rows["I10"] == "Bệnh lý tăng huyết áp"


def test_ministry_workbook_without_header_is_refused_in_vietnamese():
    with pytest.raises(DomainError) as err:
        icd10_source.parse_ministry(ministry_workbook([]).replace(b"xl/", b"xx/"))
    assert "Excel" in err.value.message_vi
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Mã", "Tên"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(DomainError) as err:
        icd10_source.parse_ministry(out.getvalue())
    assert "MÃ BỆNH" in err.value.message_vi


def test_extract_writes_categories_and_primary_care_codes_with_source(tmp_path):
    rows = [("I10", "Bệnh lý tăng huyết áp"), ("J02.9", "Viêm họng cấp, không đặc hiệu")]
    rows += [("C91.0", "Bệnh bạch cầu lympho cấp"), ("C91", "Bệnh bạch cầu lympho")]
    path = tmp_path / "icd.tsv"
    assert icd10_source.write_data_file(rows, path, "Phu_luc.xlsx") == 3
    text = path.read_text(encoding="utf-8")
    assert "4469/QĐ-BYT" in text.splitlines()[1]
    assert icd10_source.read_data_file(path) == {
        "C91": "Bệnh bạch cầu lympho",
        "I10": "Bệnh lý tăng huyết áp",
        "J02.9": "Viêm họng cấp, không đặc hiệu",
    }


def test_shipped_file_names_every_category_in_vietnamese():
    shipped = icd10.shipped_names()
    categories = {c for c in icd10.who_catalogue() if len(c) == 3}
    assert len(categories - set(shipped)) <= 3  # WHO's post-2020 additions (T76, U08, U09)
    assert shipped["I10"][0] == "Bệnh lý tăng huyết áp"
    assert shipped["J02.9"][0] == "Viêm họng cấp, không đặc hiệu"
    header = icd10_source.DATA_FILE.read_text(encoding="utf-8").splitlines()[:3]
    assert any("4469/QĐ-BYT" in line for line in header)


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("tăng huyết áp", "I10"),
        ("tang huyet ap", "I10"),
        ("viêm họng", "J02"),
        ("dai thao duong", "E11"),
    ],
)
def test_search_finds_primary_care_codes_by_vietnamese_words(db, query, code):
    found = icd10.search(query, limit=15)
    assert code in [r["code"] for r in found[:5]]
    assert all(r["name_vi"] for r in found)


def test_imported_name_wins_and_subcode_falls_back_to_category(db):
    assert icd10.vietnamese_names(["A17.0"])["A17.0"] == icd10.shipped_names()["A17"][0]
    icd10.import_rows([("I10", "Tăng huyết áp vô căn")])
    assert icd10.vietnamese_names(["I10"]) == {"I10": "Tăng huyết áp vô căn"}


def test_closing_writes_the_vietnamese_diagnosis(org):
    from kcb06.healthbook.closing import clean_closure

    visit = f.visit(f.patient("Ngô Văn Chẩn Đoán"))
    clean = clean_closure(
        visit,
        {"main_icd10": "J02.9", "secondary_icd10": ["I10"], "outcome": "2", "discharge_type": "1"},
    )
    assert clean.diagnoses == [
        ("J02.9", "Viêm họng cấp, không đặc hiệu"),
        ("I10", "Bệnh lý tăng huyết áp"),
    ]
    assert clean.fields["final_diagnosis_text"].startswith("J02.9 Viêm họng cấp")


def test_same_chronic_condition_twice_is_refused(org):
    patient = f.patient("Đỗ Thị Mạn Tính")
    f.visit(patient)
    principal = f.principal(org)
    services.add_entry(
        principal, patient.pk, {"kind": "chronic", "title": "Tăng huyết áp", "code": "I10"}
    )
    with pytest.raises(FieldError) as err:
        services.add_entry(
            principal, patient.pk, {"kind": "chronic", "title": "THA", "code": "I10"}
        )
    assert err.value.field == "code" and "đã có trong sổ" in err.value.message_vi
    # A different chronic disease is recorded.
    services.add_entry(principal, patient.pk, {"kind": "chronic", "title": "ĐTĐ", "code": "E11.9"})
    with pytest.raises(FieldError):
        services.add_entry(
            principal, patient.pk, {"kind": "chronic", "title": "ĐTĐ típ 2", "code": "E11"}
        )
    assert not Icd10Name.objects.exists()


def test_cli_import_reads_the_ministry_workbook(tmp_path):
    data = tmp_path / "data"
    book = tmp_path / "Phu_luc.xlsx"
    book.write_bytes(ministry_workbook(MINISTRY_ROWS))
    env = {**os.environ, "KCB06_DATA_DIR": str(data)}
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0", "--noinput"],
        env=env,
        check=True,
        timeout=300,
    )
    out = subprocess.run(
        [sys.executable, "-m", "kcb06.cli", "icd10", "import", str(book)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert '"imported": 4' in out.stdout
    extract = tmp_path / "shipped.tsv"
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "kcb06.cli",
            "icd10",
            "import",
            str(book),
            "--extract",
            str(extract),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "G01\tViêm màng não trong bệnh" in extract.read_text(encoding="utf-8")


def test_book_shows_an_old_english_diagnosis_name_in_vietnamese(org, login):
    from kcb06.healthbook.models import Diagnosis

    patient = f.patient("Tạ Văn Sổ Cũ")
    visit = f.visit(patient, days_ago=3)
    services.close_visit(f.principal(org), visit, f.CLOSE)
    # A closing made before the Vietnamese list stored WHO's English title.
    Diagnosis.objects.filter(visit=visit, icd10="I10").update(
        name="Essential (primary) hypertension"
    )
    token = services.book_of(patient).token
    html = login("bacsi").get(f"/healthbook/b/{token}/").content.decode()
    assert "Bệnh lý tăng huyết áp" in html and "Essential (primary)" not in html
