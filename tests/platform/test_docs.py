"""Every environment variable the code reads is documented in docs/configuration.md."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
NAME = re.compile(r"""["']((?:KCB06|PORTALSIM)_[A-Z0-9_]*[A-Z0-9])["']""")
PREFIX = re.compile(r"""f["']((?:KCB06|PORTALSIM)_[A-Z0-9_]+_)\{""")


def _names_in_code() -> set[str]:
    found = set()
    for base in ("kcb06", "portalsim"):
        for path in (ROOT / base).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            found.update(m for m in NAME.findall(text) if "environ" in text or "env(" in text)
            found.update(p + "<" for p in PREFIX.findall(text))
    # Names that are settings attributes only, never read from the environment.
    return {n for n in found if not n.startswith("KCB06_DEMO_")}


def test_every_environment_variable_is_documented():
    docs = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = sorted(n for n in _names_in_code() if f"`{n}" not in docs)
    assert not missing, "Add these to docs/configuration.md: " + ", ".join(missing)


def test_readme_starts_with_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#", 1)[0].strip() for line in block.strip().splitlines()]
    assert commands == ["scripts/demo", "scripts/test"]


JOURNEY_TEST = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def test_every_journey_names_a_test_that_exists():
    """docs/journeys.md: a journey without a test is not done, and a renamed test must not
    leave the catalogue pointing at nothing."""
    text = (ROOT / "docs" / "journeys.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    journeys = [row for row in rows if not row.startswith("| journey |")]
    assert len(journeys) >= 40
    missing = []
    for row in journeys:
        refs = JOURNEY_TEST.findall(row)
        if not refs:
            missing.append(f"no test named: {row[:80]}")
        for path, name in refs:
            source = ROOT / path
            if not source.exists() or f"def {name}(" not in source.read_text(encoding="utf-8"):
                missing.append(f"{path}::{name}")
    assert not missing, missing


def test_pages_and_docs_cite_the_personal_data_law_in_force():
    """Decree 13/2023/NĐ-CP was replaced by the Personal Data Protection Law 91/2025/QH15 on
    01/01/2026: what a citizen or an operator reads must not cite the repealed decree."""
    stale = [
        str(path.relative_to(ROOT))
        for base in ("kcb06", "docs")
        for path in (ROOT / base).rglob("*")
        if path.suffix in {".html", ".md", ".py"}
        and "13/2023/NĐ-CP" in path.read_text(encoding="utf-8")
    ]
    assert stale == []
    footer = (ROOT / "kcb06/web/templates/web/base.html").read_text(encoding="utf-8")
    assert "91/2025/QH15" in footer


# Notes kept outside the repository must not be cited: the facts live in docs/specs/ (issue #18).
# The names are split so that this file does not match itself.
_OUTSIDE_NOTES = re.compile(r"(?<![A-Za-z])" + "SPE" + r"CS(?![A-Za-z])|\b" + "DES" + r"IGN\.md\b")
_TEXT_SUFFIXES = {".py", ".md", ".html", ".toml"}
_SKIP_DIRS = {".venv", ".git", "node_modules", "var", "__pycache__"}
# docs/specs/<file>.md#<heading> or docs/measurements.md#<heading>, as code and docs cite them.
_DOC_REF = re.compile(r"docs/((?:specs/)?[\w.-]+\.md)(?:#([\w-]+))?")
_MD_LINK = re.compile(r"\]\(([\w./-]*\.md)?(?:#([\w-]+))?\)")


def _text_files():
    for path in ROOT.rglob("*"):
        rel = path.relative_to(ROOT)
        if path.suffix in _TEXT_SUFFIXES and path.is_file():
            if not _SKIP_DIRS.intersection(rel.parts[:-1]):
                yield path


def _anchors(doc: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    found, fenced = set(), False
    for line in doc.read_text(encoding="utf-8").splitlines():
        fenced ^= line.startswith("```")
        if line.startswith("#") and not fenced:
            title = line.lstrip("#").strip().lower()
            found.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return found


def test_no_reference_to_notes_outside_the_repository():
    stale = []
    for path in _text_files():
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _OUTSIDE_NOTES.search(line):
                stale.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:80]}")
    assert stale == [], "Point to docs/specs/ instead:\n" + "\n".join(stale)


def test_references_to_specs_and_measurements_name_a_file_and_heading_that_exist():
    """`docs/specs/<file>.md#<heading>` (and docs/measurements.md) cited anywhere, and the links
    inside those documents, must lead somewhere: a renamed heading breaks the test, not the
    reader."""
    docs = ROOT / "docs"
    targets = {docs / "measurements.md", *(docs / "specs").glob("*.md")}
    broken = []

    def check(where: str, doc: Path, anchor: str | None):
        doc = doc.resolve()
        if not doc.is_file():
            broken.append(f"{where}: no file {doc.relative_to(ROOT)}")
        elif anchor and anchor not in _anchors(doc):
            broken.append(f"{where}: no heading #{anchor} in {doc.relative_to(ROOT)}")

    for path in _text_files():
        text = path.read_text(encoding="utf-8")
        where = str(path.relative_to(ROOT))
        for name, anchor in _DOC_REF.findall(text):
            if name.startswith("specs/") or name == "measurements.md":
                check(where, docs / name, anchor or None)
        if path.suffix == ".md" and docs in path.parents:
            for name, anchor in _MD_LINK.findall(text):
                target = (path.parent / name) if name else path
                if target.resolve() in targets or path in targets:
                    check(where, target, anchor or None)
    assert (docs / "specs" / "README.md").is_file()
    assert broken == [], "\n".join(broken)
