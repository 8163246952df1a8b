"""`kcb06 vietqr build|parse`: make or inspect a VietQR payment text (no Django needed)."""

import json
import sys

import typer

from .errors import IdentityError
from .vietqr import VietQr, build_vietqr, read_vietqr

HELP = "Mã VietQR (NAPAS EMVCo): tạo nội dung mã chuyển khoản hoặc đọc một mã."

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)


def _fail(exc: IdentityError) -> None:
    typer.echo(json.dumps({"error": exc.as_dict()}, ensure_ascii=False))
    raise typer.Exit(2)


@app.command()
def build(
    bank_bin: str = typer.Option(..., "--bin", help="Mã BIN 6 số của ngân hàng (vd 970436)."),
    account: str = typer.Option(..., "--account", help="Số tài khoản nhận."),
    amount: int | None = typer.Option(None, "--amount", help="Số tiền (đồng); bỏ trống: tự nhập."),
    message: str | None = typer.Option(None, "--message", help="Nội dung chuyển khoản."),
):
    """Print the QR text of a transfer (exit 2 with a JSON error if a value is refused)."""
    try:
        text = build_vietqr(VietQr(bank_bin, account, amount=amount, purpose=message or None))
    except IdentityError as exc:
        _fail(exc)
    typer.echo(text)


@app.command()
def parse():
    """Read one QR text from stdin, print its fields as JSON with crc_valid (exit 2 if bad)."""
    raw = sys.stdin.buffer.read()
    text = raw.decode("utf-8", errors="replace")
    try:
        reading = read_vietqr(text)
    except IdentityError as exc:
        _fail(exc)
    typer.echo(json.dumps(reading.as_dict(), ensure_ascii=False))


@app.callback()
def _group():
    """VietQR commands."""
