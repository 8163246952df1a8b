"""Regulation versions: which field tables, code lists, XSD files and portal endpoints apply to
a visit, chosen by the visit's date.

    version_for(visit_date) -> Version

The date is the visit's admission (NGAY_VAO), in Asia/Ho_Chi_Minh. No text read names the date
that decides (admission, discharge or submission; an open question, docs/specs/xml-tables.md#3176-changes); one working
implementation keys the 2026 changes on NGAY_VAO, and so do we. A visit built under one version
is re-validated under the same one: the outbox row stores `Version.code`, and `kcb06 xml verify`
reads the version from the file's own NGAY_VAO.

Each version is its own module (qd4750, qd3176, qd1931_2026, qd1804_2026), a patch on the one
before; the XSD of each is generated into core/xsd/<code>/ by `python -m
kcb06.interchange.core.xsdgen`. docs/interchange.md ("Regulation versions") says where each fact
comes from and which ones are of low confidence.
"""

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from kcb06.interchange.core.versions import qd1804_2026, qd1931_2026, qd3176, qd4750
from kcb06.interchange.core.versions.table import Table

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MA_LOAI_KCB_824 = tuple(f"{i:02d}" for i in range(1, 10))  # QĐ 824/2023 App. 1 (01-09)


@dataclass(frozen=True)
class Version:
    code: str  # stored on the outbox row; also the XSD folder name
    title: str
    starts: date  # first visit date (NGAY_VAO) it applies to
    tables: dict[str, Table]
    checkin_path: str  # portal endpoint of the check-in (XML0)
    claim_path: str  # portal endpoint of the claim file (GIAMDINHHS)
    ma_loai_kcb: tuple[str, ...] = MA_LOAI_KCB_824
    muc_huong_max: int = 3  # characters of MUC_HUONG (XML2, XML3)
    low_confidence: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        return self.code


QD4750 = Version(
    "qd4750",
    "QĐ 4750/QĐ-BYT",
    date(2024, 7, 1),
    qd4750.TABLES,
    "/api/qd130/checkInKcbQd4750",
    "/api/qd130/guiHoSoXmlQD4750",
)
QD3176 = Version(
    "qd3176",
    "QĐ 3176/QĐ-BYT",
    date(2025, 1, 1),
    qd3176.TABLES,
    "/api/qd130/checkInKcbQd3176",
    "/api/qd130/guiHoSoXmlQD3176",
    low_confidence=(
        "MA_TTDV maximum 255 (255 or 225) and its meaning",
        "XML13 MA_CSKCB_DEN and TINH_TRANG_CT required or not",
    ),
)
# The 2026 amendments patch 3176 and keep its endpoints: each is the one before, changed.
QD3176_20260701 = replace(
    QD3176, code="qd3176_20260701", title="QĐ 3176/QĐ-BYT + QĐ 1931/QĐ-BYT (2026)",
    starts=date(2026, 7, 1), tables=qd1931_2026.TABLES, muc_huong_max=4,
    low_confidence=(*QD3176.low_confidence, "MUC_HUONG 4 characters, with a decimal point (one news source)"),
)  # fmt: skip
QD3176_20260801 = replace(
    QD3176_20260701, code="qd3176_20260801", starts=date(2026, 8, 1),
    title="QĐ 3176/QĐ-BYT + QĐ 1931/QĐ-BYT + QĐ 1804/QĐ-BYT (2026)",
    tables=qd1804_2026.TABLES, ma_loai_kcb=qd1804_2026.MA_LOAI_KCB,
)  # fmt: skip

# Oldest first. A new amendment: a module patching the latest tables, and a row here.
VERSIONS: tuple[Version, ...] = (QD4750, QD3176, QD3176_20260701, QD3176_20260801)
BY_CODE: dict[str, Version] = {v.code: v for v in VERSIONS}
LATEST = VERSIONS[-1]


def version_for(visit_date: date | datetime) -> Version:
    """The version in force for a visit admitted on `visit_date` (a datetime is taken in
    Asia/Ho_Chi_Minh). Visits before 01/07/2024 (QĐ 4210/130, not built by kcb06) get 4750."""
    if isinstance(visit_date, datetime):
        visit_date = visit_date.astimezone(VN).date() if visit_date.tzinfo else visit_date.date()
    chosen = VERSIONS[0]
    for v in VERSIONS:
        if v.starts <= visit_date:
            chosen = v
    return chosen


def get(code: str | None) -> Version:
    """The version stored on an outbox row; rows written before versions were stored ("")
    were built with the 4750 tables."""
    if not code:
        return QD4750
    try:
        return BY_CODE[code]
    except KeyError:
        raise ValueError(f"unknown regulation version {code!r}") from None


def from_timestamp(text: str | None) -> Version | None:
    """The version of a file from its NGAY_VAO (yyyyMMddHHmm or yyyyMMdd), None if unreadable."""
    text = (text or "").strip()
    try:
        return version_for(date(int(text[:4]), int(text[4:6]), int(text[6:8])))
    except ValueError:
        return None
