"""`kcb06 eligibility check`: ask the BHXH portal about a card, as a named staff member."""

import json
import sys

import typer

HELP = "Kiểm tra thẻ BHYT với Cổng BHXH (theo mã thẻ hoặc số định danh cá nhân)."
app = typer.Typer(no_args_is_help=True, add_completion=False)


def _fail(code: str, message_vi: str, message_en: str) -> None:
    error = {"code": code, "message_vi": message_vi, "message_en": message_en}
    typer.echo(json.dumps({"error": error}, ensure_ascii=False))
    raise typer.Exit(2)


@app.command()
def check(
    card: str = typer.Option("", "--card", help="Mã thẻ BHYT (15 ký tự) hoặc mã số BHXH."),
    id_number: str = typer.Option("", "--id-number", help="Số định danh cá nhân (12 số)."),
    name: str = typer.Option(..., "--name", help="Họ tên như trên CCCD."),
    dob: str = typer.Option(..., "--dob", help="Ngày sinh YYYY-MM-DD."),
    sex: str = typer.Option("", "--sex", help="male | female"),
    operator: str = typer.Option(..., "--operator", help="Tên đăng nhập của nhân viên tra cứu."),
):
    """Print the verdict as JSON; exit 0 for any verdict, 2 for bad input."""
    from kcb06.cli import setup_django

    setup_django()
    from django.contrib.auth import get_user_model

    from kcb06.eligibility.services import check_eligibility
    from kcb06.errors import DomainError
    from kcb06.facilities.services import principal_for_user

    user = get_user_model().objects.filter(username=operator, is_active=True).first()
    if user is None:
        _fail(
            "unknown_operator",
            f"Không có nhân viên với tên đăng nhập «{operator}».",
            "No active staff member with that username.",
        )
    principal = principal_for_user(user, via="cli")
    try:
        verdict = check_eligibility(
            principal,
            card_number=card or None,
            id_number=id_number or None,
            full_name=name,
            date_of_birth=dob,
            sex=sex or None,
        )
    except DomainError as exc:
        _fail(exc.code, exc.message_vi, exc.message_en)
    out = verdict.as_dict()
    typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
    sys.stdout.flush()
