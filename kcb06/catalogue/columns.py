"""The columns of each catalogue as a facility keeps it (BHXH-style spreadsheets), and how a
spreadsheet header maps to a model field.

Column names are the XML 4750 field names (QĐ 4750/QĐ-BYT, Bảng 2 and 3; QĐ 130/QĐ-BYT for
the catalogue files facilities send to BHXH) plus TU_NGAY/DEN_NGAY for the validity dates.
Each column also accepts the Vietnamese headings facilities commonly use ("Tên thuốc",
"Đơn giá"...): a header is matched after folding (no diacritics, lower case, no punctuation).
No Django here: the parser (kcb06.catalogue.parsing) and the hypothesis fuzz use it alone.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str  # canonical header, as exported
    field: str  # model field
    kind: str  # text | code | price | int | date | group | scope | tender | bed
    required: bool = False
    max_length: int = 255
    aliases: tuple[str, ...] = ()
    label: str = ""  # Vietnamese label for pages and errors


@dataclass(frozen=True)
class Catalogue:
    slug: str
    label: str  # Vietnamese
    model: str  # model name in kcb06.catalogue.models
    columns: tuple[Column, ...]
    # Fields that identify one item across validity periods (with valid_from: one row).
    key_fields: tuple[str, ...] = ("code",)
    default_group: int | None = None

    def column(self, field: str) -> Column:
        return next(c for c in self.columns if c.field == field)

    @property
    def fields(self) -> list[str]:
        return [c.field for c in self.columns]


# Columns every priced catalogue has the same way.
PRICE = Column(
    "DON_GIA", "price", "price", True, aliases=("don gia", "gia", "don gia bh"), label="Đơn giá"
)
UNIT = Column("DON_VI_TINH", "unit", "text", False, 50, ("don vi tinh", "dvt"), "Đơn vị tính")
FROM = Column(
    "TU_NGAY",
    "valid_from",
    "date",
    True,
    aliases=("tu ngay", "hieu luc tu", "ngay hieu luc"),
    label="Từ ngày",
)
TO = Column(
    "DEN_NGAY",
    "valid_to",
    "date",
    aliases=("den ngay", "hieu luc den", "ngay het hieu luc"),
    label="Đến ngày",
)


def _department(field: str, kind: str = "text", required: bool = False) -> Column:
    """MA_KHOA: a department's code (the department catalogue's key, or a reference to it)."""
    return Column("MA_KHOA", field, kind, required, 20, ("ma khoa",), "Mã khoa")


def _group(required: bool) -> Column:
    return Column(
        "MA_NHOM", "group", "group", required, aliases=("ma nhom", "nhom"), label="Mã nhóm"
    )


def _tender(required: bool) -> Column:
    return Column(
        "TT_THAU", "tender", "tender", required, 50, ("tt thau", "thong tin thau"), "Thông tin thầu"
    )


def _dated(slug: str, label: str, model: str, *columns: Column, **options) -> Catalogue:
    """A catalogue whose rows each hold for a period (TU_NGAY to DEN_NGAY), as every one here
    does: a line takes the row valid on the visit's date."""
    return Catalogue(slug, label, model, (*columns, FROM, TO), **options)


DRUGS = _dated(
    "drugs",
    "Thuốc",
    "Drug",
    Column(
        "MA_THUOC", "code", "code", True, aliases=("ma thuoc", "ma hoat chat"), label="Mã thuốc"
    ),
    Column("TEN_THUOC", "name", "text", True, 1024, ("ten thuoc", "ten biet duoc"), "Tên thuốc"),
    Column(
        "HAM_LUONG",
        "strength",
        "text",
        False,
        1024,
        ("ham luong", "nong do ham luong"),
        "Hàm lượng",
    ),
    Column("DUONG_DUNG", "route", "text", False, 4, ("duong dung", "ma duong dung"), "Đường dùng"),
    UNIT,
    Column("SO_DANG_KY", "registration", "text", True, 255, ("so dang ky", "sdk"), "Số đăng ký"),
    _tender(False),
    PRICE,
    Column("PHAM_VI", "scope", "scope", False, aliases=("pham vi",), label="Phạm vi"),
    _group(False),
    key_fields=("code", "registration", "tender"),
    default_group=4,
)
SERVICES = _dated(
    "services",
    "Dịch vụ kỹ thuật",
    "Service",
    Column(
        "MA_DICH_VU",
        "code",
        "code",
        True,
        50,
        ("ma dich vu", "ma dvkt", "ma tuong duong"),
        "Mã dịch vụ",
    ),
    Column("TEN_DICH_VU", "name", "text", True, 1024, ("ten dich vu", "ten dvkt"), "Tên dịch vụ"),
    UNIT,
    PRICE,
    _group(True),
)
SUPPLIES = _dated(
    "supplies",
    "Vật tư y tế",
    "Supply",
    Column("MA_VAT_TU", "code", "code", True, aliases=("ma vat tu", "ma vtyt"), label="Mã vật tư"),
    Column("TEN_VAT_TU", "name", "text", True, 1024, ("ten vat tu", "ten vtyt"), "Tên vật tư"),
    UNIT,
    _tender(True),
    PRICE,
    _group(False),
    key_fields=("code", "tender"),
    default_group=10,
)
STAFF = _dated(
    "staff",
    "Nhân viên y tế",
    "Staff",
    Column(
        "MA_BAC_SI",
        "code",
        "code",
        True,
        aliases=("ma bac si", "ma nhan vien", "ma dinh danh y te"),
        label="Mã bác sĩ",
    ),
    Column("HO_TEN", "name", "text", True, aliases=("ho ten", "ho va ten"), label="Họ và tên"),
    Column(
        "SO_CCHN",
        "certificate",
        "text",
        False,
        64,
        ("so cchn", "so chung chi hanh nghe", "chung chi hanh nghe"),
        "Số chứng chỉ hành nghề",
    ),
    Column(
        "PHAM_VI_CM",
        "practice_scope",
        "text",
        False,
        1024,
        ("pham vi cm", "pham vi chuyen mon"),
        "Phạm vi chuyên môn",
    ),
    _department("department"),
)
DEPARTMENTS = _dated(
    "departments",
    "Khoa, phòng",
    "DepartmentEntry",
    _department("code", "code", True),
    Column(
        "TEN_KHOA",
        "name",
        "text",
        True,
        aliases=("ten khoa", "ten khoa phong"),
        label="Tên khoa",
    ),
)
BEDS = _dated(
    "beds",
    "Giường bệnh",
    "Bed",
    Column("MA_GIUONG", "code", "bed", True, 50, ("ma giuong",), "Mã giường"),
    Column(
        "TEN_GIUONG", "name", "text", False, aliases=("ten giuong", "mo ta"), label="Tên giường"
    ),
    _department("department", required=True),
)

CATALOGUES: dict[str, Catalogue] = {
    c.slug: c for c in (DRUGS, SERVICES, SUPPLIES, STAFF, DEPARTMENTS, BEDS)
}
