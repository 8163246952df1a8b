import typer

HELP = "Reception: department closures, announcement sounds."
app = typer.Typer(no_args_is_help=True)


@app.command()
def close(
    department: str = typer.Option(..., help="MA_KHOA of the department."),
    facility: str = typer.Option(..., help="MA_CSKCB of the facility."),
    day: str = typer.Option("", help="YYYY-MM-DD (default: today)."),
    reason: str = typer.Option("", help="Shown to the clerk and at the kiosk."),
):
    """Close a department for one day: check-ins to it are refused with the reason."""
    from kcb06.cli import setup_django

    setup_django()
    from datetime import date

    from kcb06.facilities.models import Department
    from kcb06.visits.departments import local_day
    from kcb06.visits.models import DepartmentClosure

    dep = Department.objects.get(facility__code=facility, code=department.upper())
    the_day = date.fromisoformat(day) if day else local_day()
    DepartmentClosure.objects.update_or_create(
        department=dep, day=the_day, defaults={"reason": reason}
    )
    typer.echo(f"{facility}/{dep.code} closed on {the_day.isoformat()}")


@app.command("build-sounds")
def build_sounds():
    """Regenerate the board's Vietnamese announcement fragments with espeak-ng (offline)."""
    from kcb06.visits.sounds import build

    for path in build():
        typer.echo(f"{path.name} {path.stat().st_size} bytes")
