"""The `kcb06` command. Each app may add a command group in its own `cli.py` (a Typer `app`)."""

import importlib
import os
import sys

import typer

app = typer.Typer(
    help="kcb06 — tiếp đón bằng CCCD/VNeID, kiểm tra thẻ BHYT, sổ sức khỏe điện tử, XML 4750.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,  # locals in tracebacks could show secrets
)

# Command groups contributed by apps: name -> module with a Typer `app` and a `HELP` line.
GROUPS = {
    "audit": "kcb06.audit.cli",
    "identity": "kcb06.identity.cli",
    "vietqr": "kcb06.identity.vietqr_cli",
    "eligibility": "kcb06.eligibility.cli",
    "patients": "kcb06.patients.cli",
    "visits": "kcb06.visits.cli",
    "icd10": "kcb06.healthbook.cli",
    "catalogue": "kcb06.catalogue.cli",
    "xml": "kcb06.interchange.cli",
    "backup": "kcb06.backup.cli",
    "reports": "kcb06.reports.cli",
}


def setup_django(settings_module: str = "kcb06.settings") -> None:
    """Configure Django; a settings error (e.g. production with the demo SECRET_KEY) ends the
    command with its message on stderr and exit code 2, not a traceback."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        typer.echo(f"kcb06: configuration error: {exc}", err=True)
        raise SystemExit(2) from None


def _manage(*args: str) -> None:
    setup_django()
    from django.core.management import call_command

    call_command(*args)


@app.command()
def demo(
    port: int = typer.Option(8000, help="Cổng web."),
    portal_port: int = typer.Option(8765, help="Cổng của cổng BHXH giả lập (portalsim)."),
    host: str = typer.Option("127.0.0.1", help="Địa chỉ lắng nghe."),
):
    """Start everything with synthetic demo data on SQLite (web, portal simulator, worker)."""
    from kcb06.demo import run_demo

    run_demo(host=host, port=port, portal_port=portal_port)


def _serve_as_production() -> None:
    """`kcb06 serve` is the production server: its start-up guards (no demo SECRET_KEY, no
    DEBUG) apply whatever KCB06_ENV says, unless the installation is a demo (KCB06_DEMO=1, as
    `kcb06 demo` sets it). Before, any KCB06_ENV other than "production" skipped the guards."""
    from kcb06.env import env_bool

    try:
        demo = env_bool("KCB06_DEMO", False)
    except Exception as exc:  # ImproperlyConfigured: a typo in the flag
        typer.echo(f"kcb06: configuration error: {exc}", err=True)
        raise SystemExit(2) from None
    if demo:
        return
    current = os.environ.get("KCB06_ENV", "")
    if current and current != "production":
        typer.echo(
            f"kcb06 serve: KCB06_ENV={current} ignored, serving as production "
            "(a demo: kcb06 demo, or KCB06_DEMO=1).",
            err=True,
        )
    os.environ["KCB06_ENV"] = "production"


@app.command()
def serve(
    bind: str = typer.Option("127.0.0.1:8000", help="host:port for gunicorn."),
    workers: int = typer.Option(2, help="Gunicorn worker processes."),
    threads: int = typer.Option(16, help="Threads per worker (portal calls wait on I/O)."),
):
    """Run the web server for production (gunicorn); refuses the demo secret key and DEBUG."""
    _serve_as_production()
    setup_django()
    os.execvp(  # noqa: S606 - replaces this process with gunicorn on purpose
        sys.executable,
        [
            sys.executable,
            "-m",
            "gunicorn",
            "kcb06.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--access-logfile",
            "-",
            "--timeout",
            "60",
            # Reception desks and HIS clients keep their connections; with gunicorn's 2 s
            # default a kept-alive connection whose request waits for a thread is closed.
            "--keep-alive",
            "30",
        ],
    )


@app.command()
def worker(
    once: bool = typer.Option(False, help="Run every job once and exit (for cron or tests)."),
):
    """Run background work: re-verify pending cards, deliver XML, checkpoints, rollups."""
    setup_django()
    from kcb06.worker import run

    run(once=once)


@app.command("portal-sim")
def portal_sim(
    port: int = typer.Option(8765, help="Port to listen on."),
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    threads: int = typer.Option(
        64, help="Concurrent requests (simulated latency blocks a thread)."
    ),
):
    """Run the BHXH portal simulator (portalsim) with its own database."""
    from portalsim.server import serve as serve_portalsim

    serve_portalsim(host=host, port=port, threads=threads)


@app.command("bank-sim")
def bank_sim(
    port: int = typer.Option(8766, help="Port to listen on."),
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    webhook_url: str = typer.Option(
        "", help="kcb06's bank webhook (default: BANKSIM_WEBHOOK_URL)."
    ),
):
    """Run the bank simulator (banksim): pays VietQR codes and calls kcb06's webhook.

    The shared secret is read from BANKSIM_WEBHOOK_SECRET (never from the command line)."""
    from banksim.server import serve as serve_banksim

    serve_banksim(host=host, port=port, webhook_url=webhook_url)


@app.command()
def migrate():
    """Create or upgrade the database schema."""
    _manage("migrate", "--noinput")


@app.command()
def createsuperuser():
    """Create a superuser (asks for name and password)."""
    _manage("createsuperuser")


def _register_groups() -> None:
    """Every group listed is loaded: a module that is missing (a typo, a file moved) fails the
    command at once instead of dropping the group (tests/platform/test_loaders.py)."""
    for name, module_name in GROUPS.items():
        module = importlib.import_module(module_name)
        app.add_typer(module.app, name=name, help=getattr(module, "HELP", None))


_register_groups()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
