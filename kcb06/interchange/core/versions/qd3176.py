"""QĐ 3176/QĐ-BYT (29/10/2024): the "temporary" amendment of the 4750 tables, for visits from
01/01/2025. Everything it does not amend stays as in 4750.

The 3176 appendix itself was not available to us; the changes below are the ones that several
independent producers and validators of real 3176 files agree on (docs/interchange.md,
"Regulation versions", names the confidence of each). Confirmed by 2 or more sources:
- XML13 (referral): MA_NOI_DI -> MA_CSKCB_DI (String 100, several 5-character codes joined by
  ";"), MA_NOI_DEN -> MA_CSKCB_DEN (String 5); TEN_DICH_VU, TEN_THUOC and PP_DIEU_TRI removed
  (PP_DIEUTRI stays); TINH_TRANG_CT (condition of the patient at transfer, String n) added after
  MA_BENH_YHCT: 39 -> 37 fields;
- XML14 (re-visit appointment): NGAY_HEN_KL String 12 -> 8 (yyyymmdd, a date without time);
- MA_TTDV wider than 10 in XML1, XML7, XML8, XML11, XML13, XML14. LOW CONFIDENCE: the exact
  maximum (255 in two code bases, 225 in a third) and its new meaning (practising licence?)
  are not confirmed; we take 255.
Required flags of the new XML13 fields are not confirmed either (LOW CONFIDENCE): MA_CSKCB_DEN
and TINH_TRANG_CT are treated as optional by the XSD, and kcb06's closing form asks for both
on a transfer, so they are always written.
Portal endpoints: checkInKcbQd3176 / guiHoSoXmlQD3176 (loaiHoSo 130), per the BHXH 3176 guide
as summarised by two sources and used by two implementations.
"""

from kcb06.interchange.core.versions import qd4750
from kcb06.interchange.core.versions.table import Table

MA_TTDV_MAX = "255"  # LOW CONFIDENCE (255 or 225; see the module docstring)
WIDER_MA_TTDV = ("XML1", "XML7", "XML8", "XML11", "XML13", "XML14")


def _xml13(t: Table) -> Table:
    return (
        t.changed("MA_NOI_DI", name="MA_CSKCB_DI", size="100")
        .changed("MA_NOI_DEN", name="MA_CSKCB_DEN")
        .without("TEN_DICH_VU", "TEN_THUOC", "PP_DIEU_TRI")
        .inserted_after("MA_BENH_YHCT", ("TINH_TRANG_CT", "S", "n", "", ""))
    )


def _tables() -> dict[str, Table]:
    tables = dict(qd4750.TABLES)
    tables["XML13"] = _xml13(tables["XML13"])
    tables["XML14"] = tables["XML14"].changed("NGAY_HEN_KL", size="8")
    for code in WIDER_MA_TTDV:
        tables[code] = tables[code].changed("MA_TTDV", size=MA_TTDV_MAX)
    return tables


TABLES: dict[str, Table] = _tables()
