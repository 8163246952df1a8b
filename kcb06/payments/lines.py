"""What the patient owes for a visit, line by line, from the visit's claim data.

The benefit engine (fund's share, co-payment, out-of-scope) lives in kcb06.interchange; this
module only calls it: the claim tables a closed visit produces (XML1 totals, XML2 drugs, XML3
services and supplies) are the one source of the amounts, so the bill and the claim sent to
the fund can never disagree. A visit without a closing has no lines yet (nothing to bill)."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from kcb06.interchange.core.builders import build_tables
from kcb06.interchange.mapper import visit_data


@dataclass(frozen=True)
class BillLine:
    name: str
    quantity: str
    unit: str
    total: int  # THANH_TIEN_BV
    fund: int  # T_BHTT
    patient: int  # T_BNCCT + T_BNTT

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _dong(text: str | None) -> int:
    try:
        return int(Decimal(text or "0").quantize(Decimal(1), rounding=ROUND_HALF_UP))
    except InvalidOperation:
        return 0


REGISTRATION_FEE = "Phí đăng ký khám"


def registration_fee(facility_id: int) -> int:
    """The facility's registration fee (PaymentSettings; 0 where it charges none). Paid by the
    patient in full: it is outside what the fund pays for."""
    from .models import PaymentSettings

    row = PaymentSettings.objects.filter(facility_id=facility_id).only("registration_fee").first()
    return row.registration_fee if row else 0


def visit_lines(visit) -> tuple[list[BillLine], int]:
    """(lines, patient's total in whole đồng) of a visit: the claim's lines as far as the visit
    has them, plus the facility's registration fee."""
    fee = registration_fee(visit.facility_id)
    lines, owed = _claim_lines(visit)
    if fee:
        lines.insert(0, BillLine(REGISTRATION_FEE, "1", "lần", fee, 0, fee))
    return lines, owed + fee


def _claim_lines(visit) -> tuple[list[BillLine], int]:
    data = visit_data(visit)
    if not (data.drugs or data.services):
        return [], 0
    tables = build_tables(data)
    lines = []
    for code, name_tags in (("XML2", ("TEN_THUOC",)), ("XML3", ("TEN_DICH_VU", "TEN_VAT_TU"))):
        root = tables.get(code)
        if root is None:
            continue
        for row in root.iter():
            if not any(row.find(tag) is not None for tag in name_tags):
                continue
            name = next(row.findtext(t) for t in name_tags if row.find(t) is not None)
            lines.append(
                BillLine(
                    name=name or "",
                    quantity=row.findtext("SO_LUONG") or "",
                    unit=row.findtext("DON_VI_TINH") or "",
                    total=_dong(row.findtext("THANH_TIEN_BV")),
                    fund=_dong(row.findtext("T_BHTT")),
                    patient=_dong(row.findtext("T_BNCCT")) + _dong(row.findtext("T_BNTT")),
                )
            )
    xml1 = tables["XML1"]
    owed = _dong(xml1.findtext(".//T_BNCCT")) + _dong(xml1.findtext(".//T_BNTT"))
    return lines, owed
