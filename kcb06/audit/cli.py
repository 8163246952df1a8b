import json
from pathlib import Path

import typer

HELP = "Audit trail: verify the MAC chains against the signed checkpoints; write a checkpoint."
app = typer.Typer(no_args_is_help=True)


@app.command()
def verify(
    checkpoints: list[Path] = typer.Option(
        None,
        "--checkpoints",
        help="Checkpoint file(s) to hold the trail against (default: KCB06_AUDIT_CHECKPOINT_FILE;"
        " give the copy shipped off the server too).",
    ),
    since_checkpoint: bool = typer.Option(
        False, help="Check only the entries after each chain's newest checkpoint (fast)."
    ),
):
    """Recompute every chain under KCB06_AUDIT_KEY and hold it against the signed checkpoints;
    exit 1 if an entry was edited, forged, removed or inserted, a chain truncated or deleted."""
    from kcb06.cli import setup_django

    setup_django()
    from kcb06.audit.services import verify as verify_chain

    report = verify_chain(checkpoint_files=checkpoints or None, since_checkpoint=since_checkpoint)
    typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    raise typer.Exit(0 if report.ok else 1)


@app.command()
def checkpoint(
    file: Path = typer.Option(
        None, "--file", help="Checkpoint file to append to (default KCB06_AUDIT_CHECKPOINT_FILE)."
    ),
):
    """Sign the head of every chain and append it to the checkpoint file (the worker does this
    daily). Refused (exit 1) when the trail does not verify since the last checkpoint."""
    from kcb06.cli import setup_django

    setup_django()
    from kcb06.audit.checkpoints import CheckpointRefused, write

    try:
        written = write(path=file)
    except CheckpointRefused as exc:
        typer.echo(
            "Nhật ký không toàn vẹn, không ghi điểm kiểm tra.\n"
            "The audit trail does not verify; no checkpoint written.",
            err=True,
        )
        typer.echo(json.dumps(exc.report.as_dict(), ensure_ascii=False, indent=2), err=True)
        raise typer.Exit(1) from None
    typer.echo(f"checkpoint of {len(written.heads)} chains -> {written.source}")
