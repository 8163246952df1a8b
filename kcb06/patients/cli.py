import typer

HELP = "Master patient index: bulk-load synthetic patients for benchmarks."
app = typer.Typer(no_args_is_help=True)


@app.command()
def generate(
    count: int = typer.Option(..., "--count", help="Number of synthetic patients to insert."),
    facility: str = typer.Option("27901", help="MA_CSKCB of the facility they are linked to."),
    seed: int = typer.Option(6, help="Random seed (same seed, same names)."),
):
    """Insert COUNT synthetic patients fast (COPY on PostgreSQL, executemany on SQLite)."""
    from kcb06.cli import setup_django

    setup_django()
    from kcb06.facilities.services import facility_by_code
    from kcb06.patients.generate import generate as run

    seconds = run(count, facility_by_code(facility).pk, seed=seed)
    typer.echo(f"inserted {count} patients in {seconds:.1f} s ({count / seconds:,.0f}/s)")
