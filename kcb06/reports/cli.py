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
