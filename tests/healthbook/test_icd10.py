"""ICD-10 catalogue: WHO list, Vietnamese CSV import (encodings, separators), the CLI."""

import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kcb06.errors import DomainError
from kcb06.healthbook import icd10
from kcb06.healthbook.models import Icd10Name

CSV = "code,name_vi\nJ06.9,Nhiễm trùng hô hấp trên cấp\nI10,Tăng huyết áp vô căn (nguyên phát)\n"


def test_who_list_knows_common_codes_and_rejects_unknown(db):
    assert icd10.validate("j069") == "J06.9"
    assert icd10.validate(" I10 ") == "I10"
    for bad in ("J06.99", "ABC", "1234", "Z99.999"):
        with pytest.raises(icd10.FieldError):
            icd10.validate(bad)


@pytest.mark.parametrize(
    "raw",
    [
        CSV.encode("utf-8"),
        b"\xef\xbb\xbf" + CSV.encode("utf-8"),
        CSV.replace(",", ";").encode("utf-8-sig"),
        CSV.replace("\n", "\r\n").encode("utf-8"),
    ],
    ids=["utf8", "utf8-bom", "semicolon", "crlf"],
)
def test_csv_import_variants(db, raw):
    assert icd10.import_rows(icd10.parse_csv(raw)) == 2
    assert Icd10Name.objects.get(code="I10").name_vi == "Tăng huyết áp vô căn (nguyên phát)"
    assert icd10.search("tang huyet ap")[0]["name_vi"].startswith("Tăng huyết áp")


def test_csv_windows_1258(db):
    # Windows-1258 stores "ă" as a byte; plain ASCII + that byte is not valid UTF-8.
    raw = "code;name_vi\nI10;Tăng áp\n".encode("cp1258")
    rows = icd10.parse_csv(raw)
    assert rows[0][0] == "I10" and "T" in rows[0][1]


def test_bad_csv_saves_nothing(db):
    with pytest.raises(DomainError) as err:
        icd10.parse_csv(b"ma,ten\nI10,x\n")
    assert "code và name_vi" in err.value.message_vi
    with pytest.raises(DomainError) as err:
        icd10.parse_csv(b"code,name_vi\nI10,ok\nnot a code,x\n")
    assert "Dòng 3" in err.value.message_vi
    assert not Icd10Name.objects.exists()


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_parse_csv_never_crashes_on_garbage(raw):
    try:
        icd10.parse_csv(raw)
    except DomainError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=20))
def test_normalize_and_validate_never_crash(text):
    code = icd10.normalize(text)
    assert isinstance(code, str)
    if not icd10.CODE_RE.match(code):
        assert code not in icd10.who_catalogue()


def test_cli_import(tmp_path):
    data = tmp_path / "data"
    csv = tmp_path / "icd.csv"
    csv.write_bytes(("\ufeff" + CSV).encode("utf-8"))
    env = {**os.environ, "KCB06_DATA_DIR": str(data)}
    env.pop("DATABASE_URL", None)
    run = lambda *a: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "kcb06.cli", *a],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0", "--noinput"],
        env=env,
        check=True,
        timeout=300,
    )
    out = run("icd10", "import", str(csv))
    assert out.returncode == 0, out.stderr
    assert '"imported": 2' in out.stdout
    found = run("icd10", "search", "huyet ap")
    assert "I10\tTăng huyết áp" in found.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n1,2\n")
    out = run("icd10", "import", str(bad))
    assert out.returncode == 1 and "code và name_vi" in out.stderr
