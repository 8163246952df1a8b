"""Which regulation version a received file is judged under, and its XSD (docs/portalsim.md,
"Regulation versions") — portalsim's own reading of the decisions (docs/specs/xml-tables.md),
written apart from kcb06's versions package, as everything portalsim checks.

The endpoint names the regulation (…Qd4750 or …QD3176); within QĐ 3176 the visit's admission
date (NGAY_VAO, local yyyyMMdd…) picks the amendment in force. A visit the endpoint's regulation
does not cover (admitted from 01/01/2025 on a 4750 endpoint, or before it on a 3176 one) is
refused: the file was built under the other regulation. The XSD files are kcb06's committed
ones, one folder per version, read as data (PORTALSIM_XSD_DIR overrides the parent folder).
"""

import os
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from lxml import etree


@dataclass(frozen=True)
class Version:
    folder: str  # the XSD folder under xsd_dir()
    title: str
    starts: date  # first NGAY_VAO it applies to


@dataclass(frozen=True)
class Regulation:
    code: str  # as the endpoint names it
    versions: tuple[Version, ...]  # oldest first
    ends: date  # first NGAY_VAO it no longer covers
    endpoints: str  # the endpoint names, for the refusal's message

    def version_for(self, day: date | None) -> Version:
        """The amendment in force on `day`; the first one when the day is unreadable (the XSD
        then says what is wrong with NGAY_VAO)."""
        chosen = self.versions[0]
        for v in self.versions:
            if day is not None and v.starts <= day:
                chosen = v
        return chosen

    def covers(self, day: date | None) -> bool:
        return day is None or self.versions[0].starts <= day < self.ends


QD3176_STARTS = date(2025, 1, 1)
REGULATIONS = {
    "4750": Regulation(
        "4750",
        (Version("qd4750", "QĐ 4750", date.min),),
        QD3176_STARTS,
        "checkInKcbQd4750 / guiHoSoXmlQD4750",
    ),
    "3176": Regulation(
        "3176",
        (
            Version("qd3176", "QĐ 3176", QD3176_STARTS),
            Version("qd3176_20260701", "QĐ 3176 + QĐ 1931 (MUC_HUONG 4 ký tự)", date(2026, 7, 1)),
            Version("qd3176_20260801", "QĐ 3176 + QĐ 1931 + QĐ 1804", date(2026, 8, 1)),
        ),
        date.max,
        "checkInKcbQd3176 / guiHoSoXmlQD3176",
    ),
}


def admission_day(text: str) -> date | None:
    """NGAY_VAO (yyyyMMddHHmm) as a day; None if it is not one."""
    text = (text or "").strip()
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def regulation_for(day: date | None) -> Regulation:
    """The regulation that covers a visit admitted on `day`: where it should have been sent."""
    return next(r for r in REGULATIONS.values() if r.covers(day))


# --- the XSD of a version ------------------------------------------------------------------


def xsd_dir() -> Path:
    default = Path(__file__).resolve().parents[2] / "kcb06" / "interchange" / "core" / "xsd"
    return Path(os.environ.get("PORTALSIM_XSD_DIR") or default)


@cache
def schema(folder: str, name: str) -> etree.XMLSchema | None:
    path = xsd_dir() / folder / f"{name}.xsd"
    if not path.is_file():
        return None
    return etree.XMLSchema(etree.parse(str(path), parser=etree.XMLParser(no_network=True)))


def xsd_errors(version: Version, name: str, root: etree._Element) -> list[dict]:
    xsd = schema(version.folder, name)
    if xsd is None:
        return [{"bang": name, "loi": f"Bảng {name} không được hỗ trợ ({version.title})"}]
    if xsd.validate(root):
        return []
    return [{"bang": name, "loi": e.message} for e in xsd.error_log]
