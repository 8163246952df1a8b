"""Synthetic visits for tests, the benchmark and the demo (all values invented)."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from kcb06.interchange.core.data import DrugLine, NoteLine, ResultLine, ServiceLine, VisitData

VN = ZoneInfo("Asia/Ho_Chi_Minh")

DRUGS = [
    ("40.9101", "Paracetamol 500mg", "Viên", "500mg", "1.01", Decimal("10"), Decimal("450")),
    ("40.1", "Amoxicilin 500mg", "Viên", "500mg", "1.01", Decimal("21"), Decimal("1250.5")),
    ("40.677", "Omeprazol 20mg", "Viên", "20mg", "1.01", Decimal("14"), Decimal("890")),
    ("40.48", "Loratadin 10mg", "Viên", "10mg", "1.01", Decimal("7"), Decimal("320")),
    ("40.999", "Vitamin C 500mg", "Viên", "500mg", "1.01", Decimal("20"), Decimal("150")),
]
SERVICES = [
    ("02.1896", "Khám Nội", 13, Decimal("1"), Decimal("34500")),
    ("23.0020.1494", "Định lượng Glucose", 1, Decimal("1"), Decimal("21500")),
    ("18.0001.0001", "Chụp X-quang ngực thẳng", 2, Decimal("1"), Decimal("65400")),
]


def outpatient_visit(
    ma_lk: str = "27901.20261123.000001", *, start: datetime | None = None, uses_bhyt: bool = True
) -> VisitData:
    """A typical outpatient visit: XML1 + 5 drugs + 3 services (+ results, notes)."""
    t0 = start or datetime(2026, 11, 23, 8, 5, tzinfo=VN)
    services = [
        ServiceLine(
            code,
            name,
            qty,
            price,
            ordered_at=t0 + timedelta(minutes=5 + 10 * i),
            performed_at=t0 + timedelta(minutes=10 + 10 * i),
            result_at=t0 + timedelta(minutes=30 + 10 * i) if group in (1, 2) else None,
            group=group,
            performer="0279010002",
        )
        for i, (code, name, group, qty, price) in enumerate(SERVICES)
    ]
    drugs = [
        DrugLine(
            code,
            name,
            unit,
            strength,
            route,
            f"1 {unit.lower()} x 2 lần/ngày",
            qty,
            price,
            ordered_at=t0 + timedelta(minutes=70),
            registration="VD-12345-20",
            tender="123/QĐ-SYT;G1;N4;2026",
        )
        for code, name, unit, strength, route, qty, price in DRUGS
    ]
    return VisitData(
        ma_lk=ma_lk,
        ma_cskcb="27901",
        ma_bn="BN000123",
        full_name="Nguyễn Văn Thử",
        birth="198503150000",
        sex="1",
        id_number="027085000123",
        arrived_at=t0,
        closed_at=t0 + timedelta(minutes=90),
        ma_khoa="K01",
        address="Thôn Đông, xã Thử Nghiệm, tỉnh Bắc Ninh",
        province="27",
        ward="09193",
        uses_bhyt=uses_bhyt,
        card_number="DN4271234567890" if uses_bhyt else "",
        ma_dkbd="27901" if uses_bhyt else "",
        card_from=datetime(2026, 1, 1).date() if uses_bhyt else None,
        card_to=datetime(2026, 12, 31).date() if uses_bhyt else None,
        benefit_level="4" if uses_bhyt else "",
        ma_doituong_kcb="1.1" if uses_bhyt else "9",
        reason="Sốt, ho 3 ngày",
        admission_diagnosis="Theo dõi viêm họng",
        final_diagnosis="Viêm họng cấp",
        main_icd="J02.9",
        other_icds=["R50.9"],
        treatment="Điều trị nội khoa",
        doctor_code="0279010001",
        doctor_name="Trần Văn Bác Sĩ",
        head_code="0279010000",
        weight_kg=Decimal("62.5"),
        first_cost=services[0],
        services=services,
        drugs=drugs,
        results=[
            ResultLine(
                "23.0020.1494",
                "GLU",
                "Glucose",
                "5.4",
                "mmol/L",
                result_at=t0 + timedelta(minutes=40),
                reader="0279010003",
            )
        ],
        notes=[
            NoteLine("Mạch 80, nhiệt độ 38.2, họng đỏ", t0 + timedelta(minutes=10), "0279010001")
        ],
    )
