"""`kcb06 identity parse`: what a scan means, as one JSON object (no Django needed)."""

import json
import sys

import typer

from . import IdentityError, parse_scan

HELP = "Nhận dạng mã quét: QR CCCD, số định danh, thẻ BHYT, mã số BHXH, QR VNeID."

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)


def _read_stdin() -> str:
    raw = sys.stdin.buffer.read()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1258", errors="replace")


@app.command()
def parse():
    """Read one scanned text from stdin and print its kind and fields as JSON (exit 2 if bad)."""
    text = _read_stdin()
    try:
        result = parse_scan(text)
    except IdentityError as exc:
        typer.echo(json.dumps({"error": exc.as_dict()}, ensure_ascii=False))
        raise typer.Exit(2) from None
    typer.echo(json.dumps(result.as_dict(), ensure_ascii=False))


@app.callback()
def _group():
    """Identity parsing commands."""
