"""One mutation per rule of the catalogue (kcb06.interchange.core.rules): which valid package to
start from, what to break, and which other rules may fire with it because they check the same
value from another side (e.g. a line's amount and XML1's total). test_rule_catalogue.py walks
the catalogue: a rule without an entry here fails the test."""

import shlex
from dataclasses import dataclass, field
from datetime import timedelta

from kcb06.interchange.core import package, versions
from kcb06.interchange.core.data import Referral, SickLeave
from kcb06.interchange.core.fields import TABLES
from kcb06.interchange.core.rules.papers import SAME_AS_XML1
from kcb06.interchange.core.samples import outpatient_visit


def _referral():
    v = outpatient_visit()
    v.discharge_type = "2"
    v.referral = Referral(
        to_facility="27001", number="CT-0001", transport="Xe cứu thương", condition="Ổn định"
    )
    v.sick_leave = SickLeave(
        3,
        v.arrived_at.date(),
        v.arrived_at.date() + timedelta(days=2),
        "CT1",
        "S1",
        "Công ty A",
        "2712345678",
    )
    v.follow_up = (v.arrived_at + timedelta(days=7)).date()
    return v


def _inpatient():
    v = outpatient_visit()
    v.visit_type = "03"
    v.admitted_at = v.arrived_at + timedelta(minutes=30)
    v.admission_reason = "Sốt cao"
    v.closed_at = v.arrived_at + timedelta(days=3)
    return v


BASES = {
    "out": outpatient_visit,  # XML1-5, BHYT card
    "ref": _referral,  # + XML11 sick leave, XML13 referral, XML14 follow-up
    "inp": _inpatient,  # + XML7 discharge paper, XML8 summary
}


def build(base: str):
    """The sheet's rules are written against the QĐ 4750 shapes: the mutations start from
    packages built under 4750 (tests/interchange/test_rule_catalogue.py also checks the rules
    that follow 3176's renamed fields)."""
    tables, errors = package.build_claim(BASES[base](), version=versions.get("qd4750"))
    assert errors == [], errors
    return tables


def element(tables, table: str, name: str, row: int = 1):
    spec = TABLES[table]
    root = tables[table]
    if spec.repeated:
        root = root.findall(f"{spec.list_path[0]}/{spec.list_path[1]}")[row - 1]
    found = root.find(name)
    assert found is not None, (table, name)
    return found


@dataclass
class Mutation:
    base: str
    changes: tuple  # (table, field, value[, row]) ... or a callable(tables)
    also: frozenset = field(default_factory=frozenset)

    def apply(self, tables):
        if callable(self.changes):
            self.changes(tables)
            return
        for change in self.changes:
            table, name, value, *row = change
            element(tables, table, name, *(row or [1])).text = value


def m(base, *changes, also=()):
    return Mutation(base, changes, frozenset(also))


def fn(base, func, also=()):
    return Mutation(base, func, frozenset(also))


def _clear_ma_lk(tables):
    for code in tables:
        spec = TABLES[code]
        for el in tables[code].iter("MA_LK"):
            el.text = ""
        assert spec


# One field broken on the outpatient package, nothing else firing: "code table field value
# [line]" ('' is empty, ' ' a blank; line: which line of a line table, default the first).
ONE_FIELD = """
S1.02 XML1 STT 0
S1.03 XML1 MA_BN ''
S1.04 XML1 HO_TEN ' '
S1.05 XML1 SO_CCCD 12345
S1.06 XML1 NGAY_SINH 202612010000
S1.07 XML1 GIOI_TINH 4
S1.17 XML1 MA_THE_BHYT DN427123
S1.18 XML1 MA_DKBD 2790
S1.19 XML1 GT_THE_TU 20261201
S1.20 XML1 GT_THE_DEN 20261120
S1.21 XML1 NGAY_MIEN_CCT 20261224
S1.27 XML1 MA_BENH_CHINH J02.99
S1.28 XML1 MA_BENH_KT R50.9;J02.99
S1.30 XML1 MA_PTTT_QT ABC
S1.32 XML1 MA_NOI_DI 123
S1.33 XML1 MA_NOI_DEN 123
S1.39 XML1 SO_NGAY_DTRI 2
S1.44 XML1 NGAY_TTOAN 202611230700
S1.45 XML1 T_THUOC 1
S1.46 XML1 T_VTYT 1
S1.47 XML1 T_TONGCHI_BV 1
S1.49 XML1 T_BNTT 1
S1.51 XML1 T_BHTT 1
S1.52 XML1 T_NGUONKHAC 1
S1.54 XML1 NAM_QT 1999
S1.55 XML1 THANG_QT 13
S1.58 XML1 MA_CSKCB 2790A
S1.59 XML1 MA_KHUVUC K4
S1.60 XML1 CAN_NANG abc
S1.65 XML1 MA_TTDV 12345
K1.02 XML1 MA_LOAI_KCB 42
K1.03 XML1 KET_QUA_DTRI 9
K1.04 XML1 MA_LOAI_RV 9
K1.05 XML1 MA_DOITUONG_KCB 5.5
K1.06 XML1 MA_DANTOC 99
K1.07 XML1 MATINH_CU_TRU 03
K1.08 XML1 MA_QUOCTICH VN
K1.09 XML1 MA_KHOA K77
S2.01 XML2 MA_LK OTHER
S2.02 XML2 STT 5 2
S2.03 XML2 MA_THUOC ''
S2.06 XML2 MA_NHOM 13
S2.07 XML2 TEN_THUOC ''
S2.14 XML2 SO_DANG_KY ''
S2.17 XML2 TYLE_TT_BH 150
S2.33 XML2 MA_DICH_VU 99.9999
S2.35 XML2 NGAY_TH_YL 202611230900
S2.38 XML2 VET_THUONG_TP 2
K2.01 XML2 SO_LUONG 11
K2.03 XML2 NGAY_YL 202611230700
K2.04 XML2 MA_THUOC 00.0000
K2.05 XML2 TT_THAU ''
K2.06 XML2 MA_KHOA K77
K2.07 XML2 NGUON_CTRA 7
S3.01 XML3 MA_LK OTHER
S3.02 XML3 STT 7 2
S3.03 XML3 MA_DICH_VU ''
S3.05 XML3 MA_NHOM 10
S3.06 XML3 MA_NHOM 4
S3.07 XML3 GOI_VTYT G0
S3.09 XML3 TEN_DICH_VU ''
S3.31 XML3 MA_KHOA K77
S3.35 XML3 NGAY_YL 202611230700
S3.36 XML3 NGAY_TH_YL 202611230805
S3.37 XML3 NGAY_KQ 202611230815 2
S3.39 XML3 VET_THUONG_TP 2
S3.44 XML3 TAI_SU_DUNG 3
K3.01 XML3 SO_LUONG 2
K3.03 XML3 PP_VO_CAM 9
K3.04 XML3 MA_GIUONG X12
K3.05 XML3 MA_NHOM 12
K3.06 XML3 NGUOI_THUC_HIEN '' 2
K23.01 XML2 PHAM_VI 5
K23.02 XML3 MA_PTTT 7
K0.01 XML4 MA_LK OTHER
K4.01 XML4 NGAY_KQ 202611220845
K5.01 XML5 THOI_DIEM_DBLS 202611220815
"""


def _one_field() -> dict[str, Mutation]:
    out = {}
    for line in ONE_FIELD.strip().splitlines():
        code, table, name, value, *row = shlex.split(line)
        out[code] = m("out", (table, name, value, *map(int, row)))
    return out


MUTATIONS: dict[str, Mutation] = {
    **_one_field(),
    # XML1 — the portal's sheet
    "S1.01": fn("out", _clear_ma_lk),
    "S1.35": m("out", ("XML1", "NGAY_VAO", "20261123080"), also={"K0.02"}),
    "S1.36": m("inp", ("XML1", "NGAY_VAO_NOI_TRU", "202611230700")),
    "S1.37": m("out", ("XML1", "NGAY_RA", "202611230800"), also={"S3.35", "K2.03"}),
    "S1.50": m("out", ("XML1", "T_BNCCT", "1"), also={"S1.51"}),
    "S1.62": m("out", ("XML1", "NAM_NAM_LIEN_TUC", "20261340"), also={"K0.02"}),
    # XML1 — our own
    "K1.01": m("out", ("XML1", "T_TONGCHI_BH", "1"), also={"S1.51"}),
    "K1.10": m("ref", ("XML1", "MA_NOI_DEN", ""), ("XML13", "MA_NOI_DEN", "")),
    "K1.11": fn("ref", lambda t: t.pop("XML13")),
    "K1.12": m("inp", ("XML1", "LY_DO_VNT", "")),
    # XML2
    "S2.18": m("out", ("XML2", "SO_LUONG", "0"), also={"K2.01"}),
    "S2.19": m("out", ("XML2", "DON_GIA", "0"), also={"K2.01"}),
    "S2.28": m("out", ("XML2", "T_BNTT", "5"), also={"S1.49"}),
    "S2.29": m("out", ("XML2", "T_BNCCT", "1"), also={"S1.50", "S1.51"}),
    "K2.02": m(
        "out", ("XML2", "T_BHTT", "4000"), ("XML2", "T_BNCCT", "500"), also={"S1.50", "S1.51"}
    ),
    # XML3
    "S3.08": m("out", ("XML3", "MA_VAT_TU", "N05.01.010"), also={"S1.46"}),
    "S3.28": m("out", ("XML3", "T_BNTT", "5"), also={"S1.49"}),
    "K3.02": m("out", ("XML3", "T_BNCCT", "1"), also={"S1.50", "S1.51"}),
    "K3.07": m(
        "out", ("XML3", "T_BHTT", "30000"), ("XML3", "T_BNCCT", "4500"), also={"S1.50", "S1.51"}
    ),
    "K23.03": m("out", ("XML2", "MUC_HUONG", "120"), also={"K2.02"}),
    # the other tables
    "K0.02": m("out", ("XML1", "NGAY_TAI_KHAM", "20261131")),
    "S7.23": m("inp", ("XML7", "SO_NGAY_NGHI", "3")),
    "K7.01": m(
        "inp",
        ("XML7", "SO_NGAY_NGHI", "5"),
        ("XML7", "NGOAITRU_TUNGAY", "20261126"),
        ("XML7", "NGOAITRU_DENNGAY", "20261127"),
    ),
    "S8.01": m("inp", ("XML1", "MA_LOAI_KCB", "01"), ("XML1", "SO_NGAY_DTRI", "0")),
    "S11.06": m("ref", ("XML11", "MA_BHXH", "0000000000")),
    "S11.22": m("ref", ("XML11", "MAU_SO", "CT08")),
    "K11.01": m("ref", ("XML11", "SO_NGAY_NGHI", "5")),
    "K11.02": m(
        "ref", ("XML11", "TU_NGAY", "20261125"), ("XML11", "DEN_NGAY", "20261123"), also={"K11.01"}
    ),
    "S13.23": m("ref", ("XML13", "TOMTAT_KQ", "")),  # a relaxation: must stay valid
    "S14.13": m("ref", ("XML14", "NGAY_HEN_KL", "202611220700")),
    "S14.22": m("ref", ("XML14", "NGAY_CT", "20261122")),
}

# "If given, must equal XML1's" (Bảng 13, 14): a plausible value different from XML1's.
OTHER_VALUE = {
    "NGAY_SINH": "198503160000",
    "GT_THE_DEN": "20261230",
    "NGAY_VAO": "202611230806",
    "NGAY_VAO_NOI_TRU": "202611230900",
    "NGAY_RA": "202611230936",
    "GIOI_TINH": "2",
}
for _table, _fields in SAME_AS_XML1.items():
    for _row, _name in _fields.items():
        MUTATIONS[f"S{_table[3:]}.{_row:02d}"] = m(
            "ref", (_table, _name, OTHER_VALUE.get(_name, "KHAC"))
        )
