"""`kcb06 backup create|restore`."""

from pathlib import Path

import typer

HELP = "Backups: create a consistent backup, restore it into an empty database."
app = typer.Typer(no_args_is_help=True)


@app.command()
def create(out: Path = typer.Option(..., "--out", help="Backup file to write (must not exist).")):
    """Back up the database (SQLite online backup, or pg_dump custom format)."""
    from kcb06.cli import setup_django

    setup_django()
    from kcb06.backup.services import BackupError
    from kcb06.backup.services import create as create_backup

    try:
        result = create_backup(out)
    except BackupError as exc:
        typer.echo(f"{exc.message_vi}\n{exc.message_en}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"backup {result.engine} -> {result.path} ({result.size} bytes)")


@app.command()
def restore(
    path: Path = typer.Argument(..., help="Backup file made by `kcb06 backup create`."),
    force: bool = typer.Option(False, help="Overwrite a database that already has data."),
):
    """Restore a backup into the configured (empty) database, then verify the audit trail."""
    from kcb06.cli import setup_django

    setup_django()
    from kcb06.audit.services import verify
    from kcb06.backup.services import BackupError
    from kcb06.backup.services import restore as restore_backup

    try:
        kind = restore_backup(path, force=force)
    except BackupError as exc:
        typer.echo(f"{exc.message_vi}\n{exc.message_en}", err=True)
        raise typer.Exit(1) from None
    report = verify()
    typer.echo(
        f"restored {kind} backup {path}; audit chain "
        f"{'ok' if report.ok else 'BROKEN'} ({report.entries} entries)"
    )
    raise typer.Exit(0 if report.ok else 2)
