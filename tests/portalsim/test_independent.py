"""portalsim is a separate implementation: none of its modules imports kcb06 (it may read the
committed XSD files as data). Proved twice: statically, on every import statement of every
portalsim module, and dynamically, by importing them all in a fresh interpreter and looking
at sys.modules."""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PORTALSIM = ROOT / "portalsim"


def _modules() -> list[str]:
    names = []
    for path in sorted(PORTALSIM.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if "migrations" in parts:
            continue
        names.append(".".join(p for p in parts if p != "__init__") or "portalsim")
    return names


def test_no_portalsim_source_file_imports_kcb06():
    offenders = []
    for path in PORTALSIM.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__":
                names = [a.value for a in node.args[:1] if isinstance(a, ast.Constant)]
            offenders += [
                f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] == "kcb06"
            ]
    assert offenders == []


def test_importing_every_portalsim_module_loads_nothing_of_kcb06(tmp_path):
    modules = _modules()
    assert "portalsim.receiving.checks" in modules and "portalsim.receiving.views" in modules
    script = (
        "import importlib, json, sys, django\n"
        "django.setup()\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "from portalsim.fixtures import load_fixtures\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'kcb06')))\n"
    )
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="portalsim.settings")
    env.update(PORTALSIM_DATA_DIR=str(tmp_path), PYTHONPATH=str(ROOT))
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_the_xsd_files_portalsim_reads_are_kcb06s_committed_ones_of_each_version():
    """portalsim keeps its own table of versions; each of kcb06's, sent to its endpoint on its
    first day, is judged under the XSD folder of the same version."""
    from kcb06.interchange.core import versions as kcb06_versions
    from portalsim.receiving import versions

    assert versions.xsd_dir() == ROOT / "kcb06" / "interchange" / "core" / "xsd"
    for v in kcb06_versions.VERSIONS:
        regulation = versions.REGULATIONS["4750" if "4750" in v.claim_path else "3176"]
        assert regulation.covers(v.starts), v.code
        assert regulation.version_for(v.starts).folder == v.code
        for name in ("GIAMDINHHS", "XML0", "XML1", "XML13"):
            assert versions.schema(v.code, name) is not None, (v.code, name)
    assert {v.folder for r in versions.REGULATIONS.values() for v in r.versions} == {
        v.code for v in kcb06_versions.VERSIONS
    }
