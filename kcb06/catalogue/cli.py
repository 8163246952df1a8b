"""`kcb06 catalogue …`: import a catalogue file (preview, then apply) and export to XLSX."""

import json
from pathlib import Path

import typer

HELP = "Danh mục của cơ sở: nhập từ Excel/CSV (xem thay đổi rồi áp dụng), xuất ra Excel."
app = typer.Typer(no_args_is_help=True)

KINDS = "drugs, services, supplies, staff, departments, beds"


def _principal(username: str):
    from django.contrib.auth import get_user_model

    from kcb06.facilities.services import principal_for_user

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        typer.echo(f"Lỗi: không có tài khoản {username!r}.", err=True)
        raise typer.Exit(1)
    return principal_for_user(user, via="cli")


@app.command("import")
def import_(
    catalogue: str = typer.Argument(..., help=KINDS),
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    user: str = typer.Option(..., help="Tài khoản quản trị cơ sở đứng tên lần nhập (nhật ký)."),
    yes: bool = typer.Option(False, "--yes", help="Áp dụng luôn, không hỏi lại."),
):
    """Read an XLSX or CSV catalogue, show what would change (added / changed / retired),
    and apply it in one transaction when confirmed. Exit 1 on a bad file, with each bad row."""
    from kcb06.cli import setup_django

    setup_django()
    from kcb06.catalogue import services
    from kcb06.errors import DomainError

    principal = _principal(user)
    try:
        preview = services.preview_import(principal, catalogue, file.name, file.read_bytes())
    except DomainError as exc:
        typer.echo(f"Lỗi: {exc.message_vi}", err=True)
        raise typer.Exit(1) from None
    if preview.batch is None:
        for error in preview.errors:
            typer.echo(error.message_vi, err=True)
        typer.echo(f"Lỗi: {len(preview.errors)} dòng sai; chưa nhập gì.", err=True)
        raise typer.Exit(1)
    diff = preview.batch.diff
    for label, key in (("Thêm", "added"), ("Sửa", "changed"), ("Ngừng", "retired")):
        for item in diff[key]:
            extra = ""
            if key == "changed":
                extra = "; ".join(
                    f"{f['column']}: {f['before']} -> {f['after']}" for f in item["fields"]
                )
            typer.echo(f"{label}\t{item['code']}\t{item['name']}\t{extra}".rstrip())
    summary = {k: len(diff[k]) for k in ("added", "changed", "retired")}
    summary["unchanged"] = diff["unchanged"]
    if not yes and not typer.confirm(f"Áp dụng {json.dumps(summary)}?", default=False):
        services.discard(principal, preview.batch.pk)
        typer.echo("Đã hủy; danh mục không thay đổi.")
        raise typer.Exit(0)
    try:
        applied = services.confirm(principal, preview.batch.pk)
    except DomainError as exc:
        typer.echo(f"Lỗi: {exc.message_vi}", err=True)
        raise typer.Exit(1) from None
    typer.echo(json.dumps({"applied": applied, "batch": preview.batch.pk}, ensure_ascii=False))


@app.command()
def export(
    catalogue: str = typer.Argument(..., help=KINDS),
    out: Path = typer.Argument(..., dir_okay=False),
    user: str = typer.Option(..., help="Tài khoản quản trị cơ sở (nhật ký)."),
):
    """Write the whole catalogue (every validity period) to an XLSX file that imports back."""
    from kcb06.cli import setup_django

    setup_django()
    from kcb06.catalogue import services
    from kcb06.errors import DomainError

    try:
        content = services.export_xlsx(_principal(user), catalogue)
    except DomainError as exc:
        typer.echo(f"Lỗi: {exc.message_vi}", err=True)
        raise typer.Exit(1) from None
    out.write_bytes(content)
    typer.echo(json.dumps({"written": str(out), "bytes": len(content)}))
