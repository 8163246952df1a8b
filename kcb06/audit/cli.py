import json

import typer

HELP = "Audit trail: verify the hash chain."
app = typer.Typer(no_args_is_help=True)


@app.command()
def verify():
    """Recompute the hash chain; exit 1 if any entry was edited, removed or inserted."""
    from kcb06.cli import setup_django

    setup_django()
    from kcb06.audit.services import verify as verify_chain

    report = verify_chain()
    typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    raise typer.Exit(0 if report.ok else 1)
