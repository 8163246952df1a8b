"""VietQR (NAPAS) payment codes: EMVCo merchant-presented TLV with CRC-16/CCITT-FALSE.

Built for the payments work (a bill shows a QR the patient pays with a banking app) and
parsed to check what a bank or a test produced (docs/specs/vietqr.md). Values are kept ASCII:
the bank shows the purpose text, and diacritics are not reliably supported, so `build_vietqr` folds
them. The NAPAS specification itself was not available; field limits follow EMVCo as the
public implementations use them (docs/specs/vietqr.md#tlv).
"""

from dataclasses import dataclass

from unidecode import unidecode

from .errors import error

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
SERVICE_TO_CARD = "QRIBFTTC"
SERVICES = frozenset({SERVICE_TO_ACCOUNT, SERVICE_TO_CARD, "QRPUSH", "QRCASH"})
CURRENCY_VND = "704"
MAX_PURPOSE = 25  # EMVCo limit for a sub-field of ID 62; one VietQR library enforces it


def _crc_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
        table.append(crc)
    return tuple(table)


_CRC_TABLE = _crc_table()


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, no final XOR.

    Byte-wise with a 256-entry table: the bit-by-bit loop made the CRC most of a QR build's
    time (issue #20 asks for over 20,000 builds per second on one core)."""
    crc = 0xFFFF
    table = _CRC_TABLE
    for byte in data:
        crc = ((crc << 8) & 0xFFFF) ^ table[(crc >> 8) ^ byte]
    return crc


@dataclass(frozen=True, slots=True)
class VietQr:
    bank_bin: str  # 6-digit acquirer BIN, e.g. 970436 (Vietcombank)
    account: str  # account or card number (<= 19)
    service: str = SERVICE_TO_ACCOUNT
    amount: int | None = None  # VND, no decimals; None: payer types the amount
    purpose: str | None = None  # 62/08, shown as the transfer description
    bill_number: str | None = None  # 62/01
    merchant_name: str | None = None  # 59
    merchant_city: str | None = None  # 60
    dynamic: bool | None = None  # 01: 12 (one payment) / 11 (reusable); default: amount given

    @property
    def is_dynamic(self) -> bool:
        return self.dynamic if self.dynamic is not None else self.amount is not None


def _tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise error("vietqr_value", detail=f"trường {tag} dài quá 99 ký tự")
    return f"{tag}{len(value):02d}{value}"


def _ascii(value: str, what: str, limit: int) -> str:
    folded = " ".join(unidecode(value).split())
    if not folded or len(folded) > limit or not folded.isprintable():
        raise error("vietqr_value", detail=f"{what} phải có 1-{limit} ký tự")
    return folded


def build_vietqr(qr: VietQr) -> str:
    """The QR text for a transfer to `qr.account` at `qr.bank_bin`, CRC included."""
    if not (len(qr.bank_bin) == 6 and qr.bank_bin.isdigit() and qr.bank_bin.isascii()):
        raise error("vietqr_value", detail="mã BIN ngân hàng phải có 6 chữ số")
    if not (1 <= len(qr.account) <= 19 and qr.account.isascii() and qr.account.isalnum()):
        raise error("vietqr_value", detail="số tài khoản phải có 1-19 chữ/số")
    if qr.service not in SERVICES:
        raise error("vietqr_value", detail="mã dịch vụ không hợp lệ")
    beneficiary = _tlv("00", qr.bank_bin) + _tlv("01", qr.account)
    merchant = _tlv("00", NAPAS_GUID) + _tlv("01", beneficiary) + _tlv("02", qr.service)
    parts = [_tlv("00", "01"), _tlv("01", "12" if qr.is_dynamic else "11"), _tlv("38", merchant)]
    parts.append(_tlv("53", CURRENCY_VND))
    if qr.amount is not None:
        if not 0 < qr.amount < 10**13:
            raise error("vietqr_value", detail="số tiền phải lớn hơn 0")
        parts.append(_tlv("54", str(qr.amount)))
    parts.append(_tlv("58", "VN"))
    if qr.merchant_name:
        parts.append(_tlv("59", _ascii(qr.merchant_name, "tên người nhận", 25)))
    if qr.merchant_city:
        parts.append(_tlv("60", _ascii(qr.merchant_city, "thành phố", 15)))
    extra = ""
    if qr.bill_number:
        extra += _tlv("01", _ascii(qr.bill_number, "số hóa đơn", MAX_PURPOSE))
    if qr.purpose:
        extra += _tlv("08", _ascii(qr.purpose, "nội dung chuyển khoản", MAX_PURPOSE))
    if extra:
        parts.append(_tlv("62", extra))
    body = "".join(parts) + "6304"
    return body + f"{crc16_ccitt_false(body.encode('utf-8')):04X}"


def parse_tlv(text: str) -> list[tuple[str, str]]:
    """Split an EMVCo TLV string into (tag, value) pairs, in order."""
    items = []
    pos = 0
    while pos < len(text):
        head = text[pos : pos + 4]
        if len(head) < 4 or not (head.isdigit() and head.isascii()):
            raise error("vietqr_format", detail=f"vị trí {pos}")
        length = int(head[2:])
        value = text[pos + 4 : pos + 4 + length]
        if len(value) != length:
            raise error("vietqr_format", detail=f"trường {head[:2]} bị cắt")
        items.append((head[:2], value))
        pos += 4 + length
    return items


@dataclass(frozen=True, slots=True)
class VietQrReading:
    """What a QR text says, and whether its CRC matches: for an operator who inspects a code
    (`kcb06 vietqr parse`), a wrong CRC is a finding to show next to the fields, not a stop."""

    qr: VietQr
    crc: str  # the 4 hex digits at the end of the text
    crc_expected: str  # the CRC computed over the text
    crc_valid: bool

    def as_dict(self) -> dict:
        qr = self.qr
        return {
            "bank_bin": qr.bank_bin,
            "account": qr.account,
            "service": qr.service,
            "amount": qr.amount,
            "currency": CURRENCY_VND,
            "purpose": qr.purpose,
            "bill_number": qr.bill_number,
            "merchant_name": qr.merchant_name,
            "merchant_city": qr.merchant_city,
            "dynamic": qr.is_dynamic,
            "crc": self.crc,
            "crc_expected": self.crc_expected,
            "crc_valid": self.crc_valid,
        }


def read_vietqr(text: str) -> VietQrReading:
    """A VietQR payload -> its fields and the CRC verdict; the layout must be sound (else
    IdentityError), a wrong CRC is reported in `crc_valid` rather than raised."""
    text = text.strip()
    if len(text) < 8 or text[-8:-4] != "6304":
        raise error("vietqr_format", detail="thiếu mã CRC ở cuối")
    crc = text[-4:].upper()
    expected = f"{crc16_ccitt_false(text[:-4].encode('utf-8', 'surrogatepass')):04X}"
    return VietQrReading(_fields_to_qr(text[:-8]), crc, expected, crc == expected)


def parse_vietqr(text: str) -> VietQr:
    """A VietQR payload -> VietQr; checks the CRC, the NAPAS GUID and the mandatory fields."""
    text = text.strip()
    if len(text) < 8 or text[-8:-4] != "6304":
        raise error("vietqr_format", detail="thiếu mã CRC ở cuối")
    # The CRC first: a damaged code is reported as damaged, not as whichever field broke.
    if f"{crc16_ccitt_false(text[:-4].encode('utf-8', 'surrogatepass')):04X}" != text[-4:].upper():
        raise error("vietqr_crc")
    return _fields_to_qr(text[:-8])


def _fields_to_qr(body: str) -> VietQr:
    fields = dict(parse_tlv(body))
    if fields.get("00") != "01":
        raise error("vietqr_format", detail="trường 00 phải là 01")
    merchant = dict(parse_tlv(fields.get("38", "")))
    if merchant.get("00") != NAPAS_GUID:
        raise error("vietqr_format", detail="không phải mã NAPAS (trường 38)")
    beneficiary = dict(parse_tlv(merchant.get("01", "")))
    bank_bin, account = beneficiary.get("00", ""), beneficiary.get("01", "")
    if not (bank_bin and account):
        raise error("vietqr_format", detail="thiếu mã ngân hàng hoặc số tài khoản")
    amount_text = fields.get("54")
    if amount_text is not None and not (amount_text.isdigit() and amount_text.isascii()):
        raise error("vietqr_format", detail="số tiền không hợp lệ")
    extra = dict(parse_tlv(fields.get("62", "")))
    return VietQr(
        bank_bin=bank_bin,
        account=account,
        service=merchant.get("02", SERVICE_TO_ACCOUNT),
        amount=int(amount_text) if amount_text is not None else None,
        purpose=extra.get("08"),
        bill_number=extra.get("01"),
        merchant_name=fields.get("59"),
        merchant_city=fields.get("60"),
        dynamic=fields.get("01") == "12",
    )
