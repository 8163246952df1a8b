"""Code lists as data files of our own (each file names its source in its header comments).

load(name) -> {code: row}; small(list_name) -> {code: name_vi}. Read once per process."""

import csv
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent


@cache
def load(name: str) -> dict[str, dict[str, str]]:
    with open(HERE / f"{name}.csv", encoding="utf-8") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        return {r["code"]: r for r in rows}


@cache
def _small() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    with open(HERE / "small.csv", encoding="utf-8") as f:
        for r in csv.DictReader(line for line in f if not line.startswith("#")):
            out.setdefault(r["list"], {})[r["code"]] = r["name_vi"]
    return out


def small(list_name: str) -> frozenset[str]:
    return frozenset(_small()[list_name])


def codes(name: str) -> frozenset[str]:
    return frozenset(load(name))
