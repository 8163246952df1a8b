import typer

HELP = "Reports: rebuild the daily rollups (counts per facility and day) for any period."
app = typer.Typer(no_args_is_help=True)


@app.command()
def rebuild(
    from_: str = typer.Option(..., "--from", help="First day, YYYY-MM-DD."),
    to: str = typer.Option(..., "--to", help="Last day, YYYY-MM-DD (inclusive)."),
):
    """Recount the daily rollups of every facility for the days FROM..TO from the visits and
    the outbox (idempotent: the period's rows are replaced)."""
    from datetime import date

    start_end = []
    for label, text in (("--from", from_), ("--to", to)):
        try:
            start_end.append(date.fromisoformat(text))
        except ValueError:
            typer.echo(f"{label}: ngày không hợp lệ ({text!r}), cần dạng YYYY-MM-DD.", err=True)
            raise typer.Exit(2) from None
    start, end = start_end
    if end < start:
        typer.echo("--to phải không sớm hơn --from.", err=True)
        raise typer.Exit(2)
    from kcb06.cli import setup_django

    setup_django()
    from kcb06.reports.rollups import rebuild as rebuild_rollups

    written = rebuild_rollups(start, end)
    typer.echo(f"rollups {start.isoformat()}..{end.isoformat()}: {written} facility-days")


@app.command()
def generate(
    owner: str = typer.Option(
        ..., "--owner", help="MA_CSKCB of the health department or facility."
    ),
    from_: str = typer.Option(..., "--from", help="First day, YYYY-MM-DD."),
    to: str = typer.Option(..., "--to", help="Last day, YYYY-MM-DD (inclusive)."),
    kind: str = typer.Option("custom", "--kind", help="weekly, monthly, pilot or custom."),
):
    """Make (or make again) one progress report, PDF and XLSX, kept under the data directory."""
    from datetime import date

    try:
        start, end = date.fromisoformat(from_), date.fromisoformat(to)
    except ValueError:
        typer.echo("--from/--to: ngày không hợp lệ, cần dạng YYYY-MM-DD.", err=True)
        raise typer.Exit(2) from None
    from kcb06.cli import setup_django

    setup_django()
    from kcb06.errors import DomainError
    from kcb06.facilities.models import Facility
    from kcb06.reports import periodic

    if kind not in periodic.ReportKind.values:
        typer.echo("--kind: chọn weekly, monthly, pilot hoặc custom.", err=True)
        raise typer.Exit(2)
    facility = Facility.objects.filter(code=owner).first()
    if facility is None:
        typer.echo(f"--owner: không có cơ sở mã {owner!r}.", err=True)
        raise typer.Exit(2)
    try:
        report = periodic.generate(facility, kind, start, end, by="cli")
    except DomainError as exc:
        typer.echo(exc.message_vi, err=True)
        raise typer.Exit(2) from None
    typer.echo(
        f"report {report.pk}: {report.facilities} facilities, {report.visits} visits, "
        f"{report.seconds:.2f} s -> {periodic.file_path(report, 'pdf')}, "
        f"{periodic.file_path(report, 'xlsx')}"
    )


@app.command()
def push(
    to_url: str = typer.Option(
        ..., "--to", help="The province's kcb06, e.g. https://kcb06.soyte.example/"
    ),
    key: str = typer.Option(
        ..., "--key", envvar="KCB06_REPORTS_PUSH_KEY", help="API key the province issued."
    ),
    days: int = typer.Option(
        7, "--days", min=0, max=366, help="Send today and this many days before."
    ),
):
    """Send this installation's daily figures (counts only) to the province's kcb06."""
    from kcb06.cli import setup_django

    setup_django()
    from datetime import timedelta
    from urllib.error import HTTPError, URLError

    from django.utils import timezone

    from kcb06.reports import federation

    today = timezone.localdate()
    try:
        written = federation.push(to_url, key, today - timedelta(days=days), today)
    except HTTPError as exc:
        typer.echo(
            f"Tỉnh từ chối ({exc.code}): {exc.read().decode(errors='replace')[:300]}", err=True
        )
        raise typer.Exit(1) from None
    except (URLError, OSError) as exc:
        typer.echo(f"Không kết nối được tới {to_url}: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"sent: {written} facility-days")
