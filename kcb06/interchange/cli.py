"""`kcb06 xml ...`: export signed envelopes, verify a file, deliver the outbox once, install a
certificate, list the claim rules (and their coverage of the portal's sheet), check or rebuild
the claim queue's counters."""

import json
import sys
from datetime import date, datetime
from pathlib import Path

import typer

HELP = "Hồ sơ XML 4750: xuất tệp đã ký, kiểm tra tệp, gửi hàng đợi, cài chứng thư số."
app = typer.Typer(no_args_is_help=True, add_completion=False)


def _print(data: dict) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=1, default=str))


def _unreadable(file: Path) -> dict:
    return {
        "valid": False,
        "file": str(file),
        "signer": None,
        "trust": None,
        "errors": [
            {
                "table": "FILE",
                "field": "",
                "code": "unreadable",
                "message_vi": f"Không đọc được tệp {file}.",
                "message": f"Cannot read {file}.",
            }
        ],
    }


@app.command()
def verify(
    file: Path = typer.Argument(..., help="Tệp GIAMDINHHS hoặc check-in (XML0) đã ký."),
    facility: str = typer.Option(
        "",
        "--facility",
        help="MA_CSKCB: người ký phải là chứng thư đã đăng ký cho cơ sở này (hoặc do CA tin "
        "cậy cấp, KCB06_SIGNING_CA_FILE).",
    ),
):
    """Check markup, signature, signer certificate (key usage, facility, validity on the signing
    day; with --facility: the facility's trust list), XSD per table and the cross-table rules,
    all on the signed data. Prints a JSON report; exit 0 only when everything passes, 1 when the
    file fails, 2 for an unknown facility."""
    from kcb06.interchange.core import package

    try:
        data = file.read_bytes()
    except OSError:
        _print(_unreadable(file))
        raise typer.Exit(1) from None
    trust_check = None
    if facility:
        from kcb06.cli import setup_django

        setup_django()
        from kcb06.facilities.models import Facility
        from kcb06.interchange.certificates import trust_check

        if not Facility.objects.filter(code=facility).exists():
            typer.echo(f"Không có cơ sở {facility}. / Unknown facility {facility}.", err=True)
            raise typer.Exit(2)
    report = package.check_file(data, facility=facility or None, trust_check=trust_check)
    _print(
        {
            "valid": report["valid"],
            "file": str(file),
            "kind": report["kind"],
            "ma_lk": report["ma_lk"],
            "ma_cskcb": report["ma_cskcb"],
            "signature": report["signature"],
            "signing_day": report["signing_day"],
            "signer": report["signer"],
            "trust": report["trust"],
            "errors": report["errors"],
            "warnings": report.get("warnings", []),
        }
    )
    raise typer.Exit(0 if report["valid"] else 1)


@app.command("rules")
def rules_cmd(
    coverage: bool = typer.Option(
        False, "--coverage", help="Đếm dòng của bảng kiểm tra cổng đã làm / có thể kiểm tra."
    ),
    as_json: bool = typer.Option(False, "--json", help="In dạng JSON."),
):
    """The claim rule catalogue: code, severity, table, field(s), message and next step. With
    --coverage: how many rows of the portal's validation sheet (Check_Valid_QD4750.xlsx) for
    the tables kcb06 emits are implemented out of the testable ones, and each missing row with
    the reason it cannot be tested from the XML."""
    from kcb06.interchange.core import rules

    if coverage:
        cov = rules.coverage()
        done = len(cov["implemented"])
        if as_json:
            _print({**cov, "count": done})
            return
        typer.echo(
            f"Bảng kiểm tra của cổng (Check_Valid_QD4750): {done}/{cov['testable']} quy tắc có "
            f"thể kiểm tra đã làm ({cov['total']} dòng có quy tắc VALID cho các bảng kcb06 gửi). "
            f"/ Portal sheet rules implemented: {done} of {cov['testable']} testable."
        )
        for sid, table, field, reason in cov["missing"]:
            typer.echo(f"  thiếu / missing {sid} {table}.{field}: {reason}")
        return
    catalogue = rules.catalogue()
    if as_json:
        _print(
            {
                "rules": [
                    {
                        "code": r.code,
                        "sheet": r.sheet,
                        "tables": list(r.tables),
                        "fields": list(r.fields),
                        "severity": r.severity,
                        "message_vi": r.message_vi,
                        "message": r.message,
                        "next_step": r.next_step,
                    }
                    for r in catalogue
                ]
            }
        )
        return
    for r in catalogue:
        sheet = f"[bảng {r.sheet}]" if r.sheet else "[kcb06]"
        typer.echo(
            f"{r.code:8} {r.severity:7} {r.table}.{','.join(r.fields)} {sheet}\n"
            f"         {r.message_vi}\n         → {r.next_step}"
        )
    typer.echo(f"{len(catalogue)} quy tắc / rules.")


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
    from kcb06.audit.services import Action, record_about
    from kcb06.errors import DomainError
    from kcb06.interchange import jobs
    from kcb06.interchange.core import package, signing
    from kcb06.interchange.mapper import visit_data
    from kcb06.interchange.rulesettings import policy_for
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
        tables, errors = package.build_claim(data, policy_for(visit.facility))
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
        record_about(
            None, Action.EXPORT, "visit_xml", visit, "xml_export_cli", facility_id=visit.facility_id
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


@app.command("queue-counts")
def queue_counts(
    first: datetime = typer.Option(
        None, "--from", formats=["%Y-%m-%d"], help="Ngày đầu (UTC), mặc định: từ đầu."
    ),
    last: datetime = typer.Option(
        None, "--to", formats=["%Y-%m-%d"], help="Ngày cuối (UTC), mặc định: đến nay."
    ),
    rebuild: bool = typer.Option(False, "--rebuild", help="Đếm lại và ghi đè số liệu."),
):
    """Compare the claim queue's counters (the funnel's figures) with a recount of the outbox
    for a period; exit 1 if they differ. --rebuild writes the recount (docs/claims.md)."""
    from kcb06.cli import setup_django

    setup_django()
    from kcb06.interchange import queue_rollup

    days = (first.date() if first else None, last.date() if last else None)
    if first and last and last < first:
        typer.echo("--to: ngày cuối không sớm hơn ngày đầu. / --to must not precede --from.")
        raise typer.Exit(2)
    if rebuild:
        written = queue_rollup.rebuild(*days)
        _print({"rebuilt": True, "counters": written, "from": days[0], "to": days[1]})
        return
    found = queue_rollup.differences(*days)
    sample = [
        {"counter": list(key), "counters": held, "recount": n}
        for key, (held, n) in sorted(found.items(), key=str)[:20]
    ]
    _print({"differences": len(found), "from": days[0], "to": days[1], "sample": sample})
    if found:
        raise typer.Exit(1)


@app.command("install-cert")
def install_cert(
    facility: str = typer.Option(..., "--facility", help="MA_CSKCB."),
    p12: Path = typer.Option(None, "--p12", help="Tệp PKCS#12 (.p12/.pfx)."),
    pem: Path = typer.Option(
        None, "--pem", help="Chỉ chứng thư (PEM, không có khóa): token PKCS#11, máy khác."
    ),
):
    """Register a facility's signing certificate on its trust list: a PKCS#12 (password asked,
    never stored; the worker then loads the key from KCB06_SIGNING_P12(+_PASSWORD) or from this
    path with KCB06_SIGNING_P12_PASSWORD), or a certificate alone (--pem)."""
    from kcb06.cli import setup_django

    setup_django()
    from kcb06.errors import DomainError
    from kcb06.facilities.models import Facility
    from kcb06.interchange import certificates
    from kcb06.interchange.core import signing

    fac = Facility.objects.filter(code=facility).first()
    if fac is None:
        typer.echo(f"Không có cơ sở {facility}.", err=True)
        raise typer.Exit(2)
    if (p12 is None) == (pem is None):
        typer.echo("Cần đúng một trong --p12 hoặc --pem.", err=True)
        raise typer.Exit(2)
    try:
        if pem is not None:
            try:
                data = pem.read_bytes()
            except OSError:
                typer.echo(f"Không đọc được tệp {pem}.", err=True)
                raise typer.Exit(2) from None
            row = certificates.install_pem(fac, data)
        else:
            password = typer.prompt("Mật khẩu PKCS#12", hide_input=True)
            signer = signing.load_pkcs12_file(p12, password)
            row = certificates.register(fac, signer, p12_path=str(p12.resolve()))
    except DomainError as exc:
        typer.echo(exc.message_vi, err=True)
        raise typer.Exit(1) from None
    _print({"facility": facility, "subject": row.subject, "not_after": row.not_after})


if __name__ == "__main__":
    sys.exit(app())
