"""QĐ 4750/QĐ-BYT field tables: the baseline every later version patches.

Source: the appendix of QĐ 4750 (PHU_LUC_QD_4750.xlsx) for names, order, kinds and maximum
lengths; the portal's validation sheet (Check_Valid_QD4750.xlsx) for the portal's own lengths
and the required flags. Applies to visits up to 31/12/2024 (mandatory from 01/07/2024; earlier
visits were QĐ 4210/130, which kcb06 does not build: they get these tables too).

The 331 fields are data, in `data/qd4750_fields.csv` (our own transcription; one row a field, in
the appendix's order): table, element name, kind "S" string / "N" number, max length per the
4750 appendix ("n" = unlimited), portal max length from the validator sheet when it differs
("" = same), required flag as the validator sheet states it ("Y", "" optional, or the condition
text), and a note where the sheet changed something.
"""

import csv
from pathlib import Path

from kcb06.interchange.core.versions.table import Table

FIELDS_CSV = Path(__file__).with_name("data") / "qd4750_fields.csv"

# Each table's root element and, for tables of repeated records, the wrapper and record element.
SHAPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "XML0": ("CHI_TIEU_TRANG_THAI_KCB", ("DSACH_TRANG_THAI_KCB", "TRANG_THAI_KCB")),
    "XML1": ("TONG_HOP", ()),
    "XML2": ("CHITIEU_CHITIET_THUOC", ("DSACH_CHI_TIET_THUOC", "CHI_TIET_THUOC")),
    "XML3": ("CHITIEU_CHITIET_DVKT_VTYT", ("DSACH_CHI_TIET_DVKT", "CHI_TIET_DVKT")),
    "XML4": ("CHITIEU_CHITIET_DICHVUCANLAMSANG", ("DSACH_CHI_TIET_CLS", "CHI_TIET_CLS")),
    "XML5": (
        "CHITIEU_CHITIET_DIENBIENLAMSANG",
        ("DSACH_CHI_TIET_DIEN_BIEN_BENH", "CHI_TIET_DIEN_BIEN_BENH"),
    ),
    "XML7": ("CHI_TIEU_DU_LIEU_GIAY_RA_VIEN", ()),
    "XML8": ("CHI_TIEU_DU_LIEU_TOM_TAT_HO_SO_BENH_AN", ()),
    "XML11": ("CHI_TIEU_DU_LIEU_GIAY_CHUNG_NHAN_NGHI_VIEC_HUONG_BAO_HIEM_XA_HOI", ()),
    "XML13": ("CHI_TIEU_GIAYCHUYENTUYEN", ()),
    "XML14": ("CHI_TIEU_GIAYHEN_KHAMLAI", ()),
}


def _load() -> dict[str, Table]:
    fields: dict[str, list] = {code: [] for code in SHAPES}
    with FIELDS_CSV.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            fields[row["table"]].append(
                (row["field"], row["kind"], row["size"], row["portal_size"], row["required"])
            )
    return {
        code: Table(code, root, list_path, tuple(fields[code]))
        for code, (root, list_path) in SHAPES.items()
    }


TABLES: dict[str, Table] = _load()
