"""Just enough EMVCo TLV reading to pay a VietQR text (the bank side; kept apart from kcb06)."""


class QrError(ValueError):
    pass


def _crc(data: bytes) -> int:
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def _tlv(text: str) -> dict[str, str]:
    out, pos = {}, 0
    while pos < len(text):
        head = text[pos : pos + 4]
        if len(head) < 4 or not (head.isascii() and head.isdigit()):
            raise QrError(f"bad TLV at {pos}")
        length = int(head[2:])
        value = text[pos + 4 : pos + 4 + length]
        if len(value) != length:
            raise QrError(f"field {head[:2]} truncated")
        out[head[:2]] = value
        pos += 4 + length
    return out


def read_payment_qr(text: str) -> dict:
    """The transfer a banking app would prefill from the QR: bin, account, amount, message."""
    text = text.strip()
    if len(text) < 8 or text[-8:-4] != "6304":
        raise QrError("no CRC")
    if f"{_crc(text[:-4].encode()):04X}" != text[-4:].upper():
        raise QrError("CRC mismatch")
    fields = _tlv(text[:-8])
    merchant = _tlv(fields.get("38", ""))
    beneficiary = _tlv(merchant.get("01", ""))
    if not beneficiary.get("00") or not beneficiary.get("01"):
        raise QrError("no beneficiary")
    amount = fields.get("54")
    return {
        "bank_bin": beneficiary["00"],
        "account": beneficiary["01"],
        "amount": int(amount) if amount and amount.isdigit() else None,
        "message": _tlv(fields.get("62", "")).get("08", ""),
    }
