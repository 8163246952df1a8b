"""`kcb06 xml export` / `kcb06 xml verify` on closed visits: files verify with our verifier,
signxml and xmlsec1 using only the embedded certificate; a changed file is reported invalid
with a non-zero exit."""

import json
import shutil
import subprocess

import pytest
from django.utils import timezone
from typer.testing import CliRunner

from kcb06.healthbook import services
from kcb06.interchange.cli import app
from tests.healthbook import factories as f

runner = CliRunner()
CLOSE = dict(f.CLOSE, weight_kg="61")


@pytest.fixture
def closed_visits(org, signer_27901, drug_catalogue):
    bacsi = f.principal(org)
    visits = [f.visit(f.patient(name=f"Người Bệnh {i}")) for i in range(2)]
    for v in visits:
        services.close_visit(bacsi, v, dict(CLOSE))
    return visits


@pytest.mark.django_db
def test_export_writes_one_signed_file_per_visit_that_verifies_everywhere(closed_visits, tmp_path):
    day = timezone.localdate().isoformat()
    result = runner.invoke(app, ["export", "--date", day, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["written"] == 2
    for visit in closed_visits:
        path = tmp_path / f"{visit.ma_lk}.xml"
        ok = runner.invoke(app, ["verify", str(path)])
        assert ok.exit_code == 0, ok.output
        assert json.loads(ok.output) | {"errors": []} == json.loads(ok.output)
        assert json.loads(ok.output)["valid"] is True
        assert json.loads(ok.output)["trust"]["basis"] == "not_checked"
        trusted = runner.invoke(app, ["verify", str(path), "--facility", "27901"])
        assert trusted.exit_code == 0, trusted.output
        assert json.loads(trusted.output)["trust"]["basis"] == "registered"
        assert runner.invoke(app, ["verify", str(path), "--facility", "99999"]).exit_code == 2
        if shutil.which("xmlsec1"):
            done = subprocess.run(
                ["xmlsec1", "--verify", "--insecure", "--enabled-key-data", "x509", str(path)],
                capture_output=True,
                text=True,
            )
            assert done.returncode == 0, done.stderr
    # signxml with the embedded certificate only (what `verify` uses) is covered above; a
    # changed byte inside the signed content breaks it:
    path = tmp_path / f"{closed_visits[0].ma_lk}.xml"
    data = path.read_bytes().replace(b"<SOLUONGHOSO>1<", b"<SOLUONGHOSO>2<")
    path.write_bytes(data)
    bad = runner.invoke(app, ["verify", str(path)])
    assert bad.exit_code == 1
    errors = json.loads(bad.output)["errors"]
    assert {"table", "field", "code", "message_vi"} <= set(errors[0])
    assert any(e["code"] == "signature_invalid" for e in errors)


@pytest.mark.django_db
def test_export_without_certificate_refuses_and_says_why(org, drug_catalogue, tmp_path):
    from kcb06.interchange.core import signing

    signing.forget()
    bacsi = f.principal(org)
    v = f.visit(f.patient())
    services.close_visit(bacsi, v, dict(CLOSE))
    result = runner.invoke(
        app, ["export", "--date", timezone.localdate().isoformat(), "--out", str(tmp_path)]
    )
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["written"] == 0
    assert "chứng thư số" in report["refused"][0]["reason"]
    assert not list(tmp_path.glob("*.xml"))


def test_verify_of_garbage_and_missing_file(tmp_path):
    junk = tmp_path / "junk.xml"
    junk.write_bytes(b"\x00\x01 not xml")
    for path in (junk, tmp_path / "missing.xml"):
        result = runner.invoke(app, ["verify", str(path)])
        assert result.exit_code == 1
        assert json.loads(result.output)["valid"] is False


def test_rules_lists_the_catalogue_and_counts_the_portal_sheet_rows():
    from kcb06.interchange.core import rules

    cov = runner.invoke(app, ["rules", "--coverage"])
    assert cov.exit_code == 0, cov.output
    cov_json = runner.invoke(app, ["rules", "--coverage", "--json"])
    data = json.loads(cov_json.output)
    assert data["count"] == data["testable"] == len(data["implemented"])
    assert f"{data['count']}/{data['testable']}" in cov.output
    for sid, table, field, reason in data["missing"]:
        assert f"{sid} {table}.{field}: {reason}" in cov.output
    listing = json.loads(runner.invoke(app, ["rules", "--json"]).output)["rules"]
    assert [r["code"] for r in listing] == [r.code for r in rules.catalogue()]
    text = runner.invoke(app, ["rules"]).output
    assert "K1.07" in text and "→ Tiếp đón chọn lại MATINH_CU_TRU từ danh mục." in text


def _signed_claim(tmp_path, visit):
    from kcb06.interchange.core import certs, package, signing

    key, cert = certs.make_certificate("27901", "TTYT Thử nghiệm")
    tables, _ = package.build_claim(visit)
    path = tmp_path / "claim.xml"
    path.write_bytes(package.sign_claim("27901", tables, signing.Signer(key, cert)))
    return path


def test_verify_reports_warnings_without_failing_the_file(tmp_path):
    from tests.interchange.rule_mutations import BASES

    v = BASES["inp"]()
    v.admission_reason = ""  # LY_DO_VNT missing: rule K1.12 warns
    result = runner.invoke(app, ["verify", str(_signed_claim(tmp_path, v))])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [w["rule"] for w in report["warnings"]] == ["K1.12"]
    assert report["warnings"][0]["next_step"]


def test_verify_refuses_a_drug_without_tender_data_or_registration(tmp_path):
    """The portal refuses a drug line without TT_THAU or SO_DANG_KY (except blood, groups 7 and
    17): so does `verify`, with each rule's next step (issue #19)."""
    from kcb06.interchange.core.samples import outpatient_visit

    v = outpatient_visit()
    v.drugs[0].tender = ""
    v.drugs[1].registration = ""
    result = runner.invoke(app, ["verify", str(_signed_claim(tmp_path, v))])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert report["valid"] is False
    found = {(e["rule"], e.get("row")) for e in report["errors"]}
    assert {("K2.05", "1"), ("S2.14", "2")} <= found
    assert all(e["next_step"] for e in report["errors"] if e["rule"] in {"K2.05", "S2.14"})
