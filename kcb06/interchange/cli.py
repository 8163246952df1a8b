"""`kcb06 xml ...`: export signed envelopes, verify a file, deliver the outbox once, install a
certificate."""

import json
import sys
from datetime import date
from pathlib import Path

import typer

HELP = "Hồ sơ XML 4750: xuất tệp đã ký, kiểm tra tệp, gửi hàng đợi, cài chứng thư số."
app = typer.Typer(no_args_is_help=True, add_completion=False)


def _print(data: dict) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=1, default=str))


@app.command()
def verify(file: Path = typer.Argument(..., help="Tệp GIAMDINHHS hoặc check-in (XML0) đã ký.")):
    """Check signature (embedded certificate), XSD per table and the cross-table rules; print
    {"valid", "errors"} as JSON; exit 1 when invalid."""
    from kcb06.interchange import package

    try:
        data = file.read_bytes()
    except OSError:
        _print(
            {
                "valid": False,
                "errors": [
                    {
                        "table": "FILE",
                        "field": "",
                        "code": "unreadable",
                        "message_vi": f"Không đọc được tệp {file}.",
                    }
                ],
            }
        )
        raise typer.Exit(1) from None
    report = package.check_file(data)
    cert = report["cert"]
    _print(
        {
            "valid": report["valid"],
            "kind": report["kind"],
            "ma_lk": report["ma_lk"],
            "ma_cskcb": report["ma_cskcb"],
            "signature": report["signature"],
            "signer": cert.subject.rfc4514_string() if cert is not None else "",
            "errors": report["errors"],
        }
    )
    raise typer.Exit(0 if report["valid"] else 1)


@app.command()
def export(
    day: str = typer.Option(..., "--date", help="Ngày khám YYYY-MM-DD."),
    out: Path = typer.Option(..., "--out", help="Thư mục ghi tệp."),
    facility: str = typer.Option("", "--facility", help="Chỉ cơ sở này (MA_CSKCB)."),
):
    """Write one signed GIAMDINHHS file per closed visit of that day (<MA_LK>.xml). Visits
    whose data fails validation are listed with their errors and not written."""
    from kcb06.cli import setup_django

    setup_django()
    from kcb06.audit.services import Action, record
    from kcb06.errors import DomainError
    from kcb06.interchange import jobs, package, signing
    from kcb06.interchange.mapper import visit_data
    from kcb06.visits.models import Visit, VisitStatus

    try:
        when = date.fromisoformat(day)
    except ValueError:
        typer.echo("Ngày phải có dạng YYYY-MM-DD.", err=True)
        raise typer.Exit(2) from None
    visits = Visit.objects.filter(visit_date=when, status=VisitStatus.CLOSED).select_related(
        "facility", "patient", "department"
    )
    if facility:
        visits = visits.filter(facility__code=facility)
    out.mkdir(parents=True, exist_ok=True)
    written, invalid, refused = [], [], []
    for visit in visits.order_by("facility__code", "ma_lk"):
        data = visit_data(visit)
        tables, errors = package.build_claim(data)
        if errors:
            invalid.append({"ma_lk": visit.ma_lk, "errors": errors})
            continue
        try:
            signer = signing.signer_for(visit.facility.code)
            if not jobs._registered(visit.facility, signer):
                raise signing.SigningError(
                    "certificate_not_registered",
                    f"Chứng thư số không được đăng ký cho cơ sở {visit.facility.code}.",
                    "Certificate not registered for this facility.",
                )
        except DomainError as exc:
            refused.append({"ma_lk": visit.ma_lk, "reason": exc.message_vi})
            continue
        path = out / f"{visit.ma_lk}.xml"
        path.write_bytes(package.sign_claim(visit.facility.code, tables, signer))
        record(
            None,
            Action.EXPORT,
            object_type="visit_xml",
            object_id=visit.pk,
            patient_id=visit.patient_id,
            purpose="xml_export_cli",
            facility_id=visit.facility_id,
        )
        written.append(str(path))
    _print(
        {
            "date": day,
            "written": len(written),
            "files": written,
            "invalid": invalid,
            "refused": refused,
        }
    )
    if invalid or refused:
        raise typer.Exit(1)


@app.command()
def deliver(limit: int = typer.Option(100, help="Số hồ sơ tối đa.")):
    """Deliver due outbox rows once (what the worker does every second)."""
    from kcb06.cli import setup_django

    setup_django()
    from kcb06.interchange.jobs import deliver_pending

    total = 0
    while total < limit:
        n = deliver_pending(min(20, limit - total))
        if not n:
            break
        total += n
    _print({"handled": total})


@app.command("install-cert")
def install_cert(
    facility: str = typer.Option(..., "--facility", help="MA_CSKCB."),
    p12: Path = typer.Option(..., "--p12", help="Tệp PKCS#12 (.p12/.pfx)."),
):
    """Register a facility's PKCS#12 certificate (password asked, never stored). The worker
    then loads the key from KCB06_SIGNING_P12(+_PASSWORD) or from this path with
    KCB06_SIGNING_P12_PASSWORD."""
    from kcb06.cli import setup_django

    setup_django()
    from kcb06.errors import DomainError
    from kcb06.facilities.models import Facility
    from kcb06.interchange import certificates, signing

    fac = Facility.objects.filter(code=facility).first()
    if fac is None:
        typer.echo(f"Không có cơ sở {facility}.", err=True)
        raise typer.Exit(2)
    password = typer.prompt("Mật khẩu PKCS#12", hide_input=True)
    try:
        signer = signing.load_pkcs12_file(p12, password)
        row = certificates.register(fac, signer, p12_path=str(p12.resolve()))
    except DomainError as exc:
        typer.echo(exc.message_vi, err=True)
        raise typer.Exit(1) from None
    _print({"facility": facility, "subject": row.subject, "not_after": row.not_after})


if __name__ == "__main__":
    sys.exit(app())
