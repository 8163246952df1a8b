"""`kcb06 backup create|restore`."""

import json
from pathlib import Path

import typer

HELP = "Backups: create a consistent backup, restore it into an empty database."
app = typer.Typer(no_args_is_help=True)


@app.command()
def create(
    out: Path = typer.Option(..., "--out", help="Backup file to write (must not exist)."),
    even_if_audit_broken: bool = typer.Option(
        False, help="Take the backup even though the audit trail does not verify (forensics)."
    ),
):
    """Back up the database (SQLite online backup, or pg_dump custom format), after checking
    the audit trail since its last checkpoint."""
    from kcb06.cli import setup_django

    setup_django()
    from kcb06.backup.services import BackupError
    from kcb06.backup.services import create as create_backup

    try:
        result = create_backup(out, even_if_audit_broken=even_if_audit_broken)
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
    from kcb06.backup.services import BackupError, verify_restored
    from kcb06.backup.services import restore as restore_backup

    try:
        kind = restore_backup(path, force=force)
    except BackupError as exc:
        typer.echo(f"{exc.message_vi}\n{exc.message_en}", err=True)
        raise typer.Exit(1) from None
    report, lost, real = verify_restored()
    typer.echo(
        f"restored {kind} backup {path}; audit chain "
        f"{'BROKEN' if real else 'ok'} ({report.entries} entries)"
    )
    if lost:
        typer.echo(
            f"{len(lost)} audit chain(s) checkpointed after this backup end earlier now: their "
            "later entries were not in the backup. The restored trail is the new baseline."
        )
    for problem in real:
        typer.echo(json.dumps(problem, ensure_ascii=False), err=True)
    raise typer.Exit(2 if real else 0)
