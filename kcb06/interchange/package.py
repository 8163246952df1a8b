"""From visit data to a signed file, and from a file back to a verdict.

build_claim / build_checkin: tables + validation errors (nothing is signed when there are
errors). sign_claim / sign_checkin: signed bytes. check_file: what `kcb06 xml verify` and
portalsim's receiving side both run — signature, XSD per table, cross-table rules.
"""

import hashlib
from datetime import UTC, datetime

from lxml import etree

from kcb06.interchange import envelope, signing, validation
from kcb06.interchange.builders import build_checkin, build_tables, to_bytes
from kcb06.interchange.data import VisitData


def content_hash(tables: dict[str, etree._Element]) -> str:
    """Hash of the unsigned table contents: the idempotency key with MA_LK."""
    h = hashlib.sha256()
    for code, root in tables.items():
        h.update(code.encode())
        h.update(etree.tostring(root, method="c14n"))
    return h.hexdigest()


def build_claim(v: VisitData) -> tuple[dict[str, etree._Element], list[dict]]:
    tables = build_tables(v)
    return tables, validation.validate_tables(tables)


def build_checkin_doc(v: VisitData) -> tuple[etree._Element, list[dict]]:
    root = build_checkin(v)
    return root, validation.validate_checkin(root)


def sign_claim(
    ma_cskcb: str,
    tables: dict[str, etree._Element | bytes],
    signer: signing.Signer,
    when: datetime | None = None,
) -> bytes:
    root = envelope.wrap(ma_cskcb, tables, when or datetime.now(UTC))
    signer.sign(root)
    return envelope.serialize(root)


def sign_checkin(root: etree._Element, signer: signing.Signer) -> bytes:
    signer.sign(root)
    return to_bytes(root)


def check_file(data: bytes, cert=None, root: etree._Element | None = None) -> dict:
    """{"valid", "kind" ("claim"/"checkin"), "ma_lk", "ma_cskcb", "signature", "cert",
    "tables", "errors"} for a signed check-in or GIAMDINHHS file. `root`: the caller's
    envelope.parse(data), when it already has it (portalsim does)."""
    errors: list[dict] = []
    result = {
        "valid": False,
        "kind": "",
        "ma_lk": "",
        "ma_cskcb": "",
        "signature": "",
        "cert": None,
        "errors": errors,
    }
    if root is None:
        try:
            root = envelope.parse(data)
        except envelope.EnvelopeError:
            errors.append(validation.error("FILE", "", "not_xml", "Tệp không phải XML hợp lệ."))
            return result
    status, cert_used = signing.verify(data, cert, root)
    result["signature"] = status
    result["cert"] = cert_used
    if status == "unsigned":
        errors.append(
            validation.error(
                "CHUKYDONVI", "CHUKYDONVI", "unsigned", "Tệp chưa được ký số (CHUKYDONVI trống)."
            )
        )
    elif status == "invalid":
        errors.append(
            validation.error(
                "CHUKYDONVI",
                "Signature",
                "signature_invalid",
                "Chữ ký số không hợp lệ: tệp có thể đã bị sửa sau khi ký.",
            )
        )
    if root.tag == "CHI_TIEU_TRANG_THAI_KCB":
        result["kind"] = "checkin"
        errors.extend(validation.validate_checkin(root))
        result["ma_lk"] = root.findtext("DSACH_TRANG_THAI_KCB/TRANG_THAI_KCB/MA_LK") or ""
        result["ma_cskcb"] = root.findtext("DSACH_TRANG_THAI_KCB/TRANG_THAI_KCB/MA_CSKCB") or ""
        result["tables"] = {"XML0": root}
    elif root.tag == "GIAMDINHHS":
        result["kind"] = "claim"
        errors.extend(validation.xsd_errors("GIAMDINHHS", root))
        result["ma_cskcb"] = root.findtext("THONGTINDONVI/MACSKCB") or ""
        try:
            packages = envelope.unwrap(root)
        except envelope.EnvelopeError as exc:
            errors.append(
                validation.error(
                    "GIAMDINHHS",
                    "NOIDUNGFILE",
                    "base64",
                    f"NOIDUNGFILE không phải XML mã hóa base64 ({exc}).",
                )
            )
            packages = []
        if len(packages) != 1:
            errors.append(
                validation.error(
                    "GIAMDINHHS", "HOSO", "one_hoso", "Mỗi tệp chỉ chứa một hồ sơ (HOSO)."
                )
            )
        for tables in packages[:1]:
            errors.extend(validation.validate_tables(tables))
            xml1 = tables.get("XML1")
            result["ma_lk"] = xml1.findtext("MA_LK") if xml1 is not None else ""
            if xml1 is not None and (xml1.findtext("MA_CSKCB") or "") != result["ma_cskcb"]:
                errors.append(
                    validation.error(
                        "XML1",
                        "MA_CSKCB",
                        "facility_mismatch",
                        "MA_CSKCB của XML1 khác MACSKCB của hồ sơ.",
                    )
                )
            result["tables"] = tables
    else:
        errors.append(
            validation.error(
                "FILE", root.tag, "wrong_root", f"Phần tử gốc {root.tag} không phải hồ sơ XML 4750."
            )
        )
    result["valid"] = not errors
    return result
