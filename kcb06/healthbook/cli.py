"""`kcb06 icd10 …`: the Vietnamese ICD-10 names of the Ministry of Health, and lookups."""

import json
from pathlib import Path

import typer

HELP = "ICD-10: import the Ministry's Vietnamese list (Excel or CSV), search codes."
app = typer.Typer(no_args_is_help=True)


@app.command("import")
def import_(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    extract: Path | None = typer.Option(
        None,
        help="Instead of importing, write the subset kcb06 ships (three-character categories "
        "and primary-care codes) to this TSV file, e.g. kcb06/healthbook/data/icd10_vi.tsv.",
    ),
):
    """Import the Ministry of Health's ICD-10 list (QĐ 4469/QĐ-BYT, Phụ lục 1): the workbook
    as published (.xlsx, sheet ICD10, columns "MÃ BỆNH" and "TÊN BỆNH"), the same saved as CSV,
    or a CSV with the header `code,name_vi` (UTF-8 with or without BOM, or Windows-1258;
    separator `,` or `;`). Re-importing replaces the names; nothing is saved if a line is
    invalid."""
    from kcb06.errors import DomainError
    from kcb06.healthbook import icd10_source

    try:
        rows = icd10_source.parse_ministry(file.read_bytes())
    except DomainError as exc:
        typer.echo(f"Lỗi: {exc.message_vi}", err=True)
        raise typer.Exit(1) from None
    if extract is not None:
        count = icd10_source.write_data_file(rows, extract, file.name)
        typer.echo(json.dumps({"written": count, "file": str(extract)}, ensure_ascii=False))
        return

    from kcb06.cli import setup_django

    setup_django()
    from kcb06.healthbook import icd10

    count = icd10.import_rows(rows)
    unknown = [c for c, _ in rows if c not in icd10.who_catalogue()]
    typer.echo(
        json.dumps(
            {"imported": count, "not_in_who_list": len(unknown), "examples": unknown[:5]},
            ensure_ascii=False,
        )
    )


@app.command()
def search(query: str, limit: int = 20):
    """Search by code prefix or by words, with or without diacritics."""
    from kcb06.cli import setup_django

    setup_django()
    from kcb06.healthbook import icd10

    for row in icd10.search(query, limit=limit):
        typer.echo(f"{row['code']}\t{row.get('name_vi') or row['name_en']}")
