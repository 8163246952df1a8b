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
