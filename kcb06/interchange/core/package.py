"""From visit data to a signed file, and from a file back to a verdict.

build_claim / build_checkin: tables + validation errors (nothing is signed when there are
errors). sign_claim / sign_checkin: signed bytes, by the facility's own certificate only.
check_file: what `kcb06 xml verify` runs — markup and signature structure, signature, the
signer's certificate (key usage, facility, validity on the signing day, optionally a trust
list), then XSD per table and the cross-table rules, all read from the data the signature
covers. (portalsim has its own, independent implementation of the portal's checks.)
"""

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime

from cryptography import x509
from lxml import etree

from kcb06.interchange.core import envelope, signing, structure, trust, validation
from kcb06.interchange.core.builders import build_checkin, build_tables, to_bytes
from kcb06.interchange.core.data import VisitData


def content_hash(tables: dict[str, etree._Element]) -> str:
    """Hash of the unsigned table contents: the idempotency key with MA_LK."""
    h = hashlib.sha256()
    for code, root in tables.items():
        h.update(code.encode())
        h.update(etree.tostring(root, method="c14n"))
    return h.hexdigest()


def build_claim(
    v: VisitData, policy: dict[str, str] | None = None
) -> tuple[dict[str, etree._Element], list[dict]]:
    """Tables and the findings that refuse them (policy: a facility's rule switches)."""
    tables = build_tables(v)
    return tables, validation.validate_tables(tables, policy)


def build_checkin_doc(v: VisitData) -> tuple[etree._Element, list[dict]]:
    root = build_checkin(v)
    return root, validation.validate_checkin(root)


def sign_claim(
    ma_cskcb: str,
    tables: dict[str, etree._Element | bytes],
    signer: signing.Signer,
    when: datetime | None = None,
) -> bytes:
    signer.check_usable(ma_cskcb)  # before building anything
    root = envelope.wrap(ma_cskcb, tables, when or datetime.now(UTC))
    signer.sign(root, ma_cskcb)
    return envelope.serialize(root)


def sign_checkin(root: etree._Element, signer: signing.Signer) -> bytes:
    signer.sign(root, root.findtext("DSACH_TRANG_THAI_KCB/TRANG_THAI_KCB/MA_CSKCB") or "")
    return to_bytes(root)


Trust = Callable[[x509.Certificate, str, "trust.SigningDay | None"], trust.TrustDecision]


def _err(table: str, field: str, code: str, message_vi: str, message: str) -> dict:
    return {
        "table": table,
        "field": field,
        "code": code,
        "message_vi": message_vi,
        "message": message,
    }


def check_file(
    data: bytes, *, facility: str | None = None, trust_check: Trust | None = None
) -> dict:
    """The verdict on a signed check-in or GIAMDINHHS file:
    {"valid", "kind" ("claim"/"checkin"), "ma_lk", "ma_cskcb", "signature" ("ok"/"unsigned"/
    "invalid"/"refused"), "signer" (trust.describe, or None), "signing_day", "trust"
    (TrustDecision as a dict), "tables", "errors"}.

    Nothing outside the signed data is read: a file refused on its markup or signature gets
    only that error. `facility` (MA_CSKCB): the file must be that facility's, and with
    `trust_check` its signer must be trusted for it; without them the report says the signer
    was not checked against a trust list."""
    errors: list[dict] = []
    result = {
        "valid": False,
        "kind": "",
        "ma_lk": "",
        "ma_cskcb": "",
        "signature": "",
        "signer": None,
        "signing_day": None,
        "trust": trust.NOT_CHECKED.as_dict(),
        "tables": {},
        "errors": errors,
        "warnings": [],  # findings of rules whose severity is "warning"
    }
    try:
        root = structure.parse(data)
        verification = signing.verify_document(data, root)
    except structure.StructureError as exc:
        result["signature"] = "refused"
        errors.append(exc.as_error())
        return result
    result["signature"] = verification.status
    if verification.cert is not None:
        result["signer"] = trust.describe(verification.cert)
    if verification.status == "unsigned":
        errors.append(
            _err(
                "CHUKYDONVI",
                "CHUKYDONVI",
                "unsigned",
                "Tệp chưa được ký số (CHUKYDONVI trống).",
                "The file is not signed (empty CHUKYDONVI).",
            )
        )
        return result
    if verification.status != "ok":
        errors.append(verification.error)
        return result
    signed = verification.signed  # from here on, only the signed data is read
    cert = verification.cert
    if signed.tag == "CHI_TIEU_TRANG_THAI_KCB":
        result["kind"] = "checkin"
        record = "DSACH_TRANG_THAI_KCB/TRANG_THAI_KCB/"
        result["ma_lk"] = signed.findtext(record + "MA_LK") or ""
        result["ma_cskcb"] = signed.findtext(record + "MA_CSKCB") or ""
    elif signed.tag == "GIAMDINHHS":
        result["kind"] = "claim"
        result["ma_cskcb"] = signed.findtext("THONGTINDONVI/MACSKCB") or ""
    else:
        errors.append(
            _err(
                "FILE",
                signed.tag,
                "wrong_root",
                f"Phần tử gốc {signed.tag} không phải hồ sơ XML 4750.",
                f"Root element {signed.tag} is not a QĐ 4750 file.",
            )
        )
        return result
    day = trust.signing_day(signed)
    result["signing_day"] = day.as_dict() if day else None
    errors.extend(trust.certificate_errors(cert, day, result["ma_cskcb"]))
    if facility:
        if result["ma_cskcb"] != facility:
            errors.append(
                _err(
                    "FILE",
                    "MACSKCB",
                    "facility_mismatch",
                    f"Hồ sơ của cơ sở {result['ma_cskcb'] or '(không rõ)'}, không phải {facility}.",
                    f"The file belongs to facility {result['ma_cskcb'] or '(unknown)'}, "
                    f"not {facility}.",
                )
            )
        if trust_check is not None:
            decision = trust_check(cert, facility, day)
            result["trust"] = decision.as_dict()
            if not decision.trusted:
                errors.append(
                    _err(
                        "CHUKYDONVI",
                        "X509Certificate",
                        "certificate_not_trusted",
                        decision.message_vi,
                        decision.message,
                    )
                )
    try:
        _check_content(signed, result, errors)
    except structure.StructureError as exc:
        errors.append(exc.as_error())
    result["valid"] = not errors
    return result


def _check_content(signed: etree._Element, result: dict, errors: list[dict]) -> None:
    """XSD per table and the cross-table rules, on the signed data."""
    if result["kind"] == "checkin":
        errors.extend(validation.validate_checkin(signed))
        result["tables"] = {"XML0": signed}
        return
    errors.extend(validation.xsd_errors("GIAMDINHHS", signed))
    try:
        packages = envelope.unwrap(signed)
    except envelope.EnvelopeError as exc:
        errors.append(
            _err(
                "GIAMDINHHS",
                "NOIDUNGFILE",
                "base64",
                f"NOIDUNGFILE không phải XML mã hóa base64, hoặc một bảng có hai lần ({exc}).",
                f"A NOIDUNGFILE is not base64 XML, or a table is given twice ({exc}).",
            )
        )
        packages = []
    if len(packages) != 1:
        errors.append(
            validation.error("GIAMDINHHS", "HOSO", "one_hoso", "Mỗi tệp chỉ chứa một hồ sơ (HOSO).")
        )
    for tables in packages[:1]:
        found = validation.check_tables(tables)  # the full rule catalogue, no facility switches
        errors.extend(e for e in found if e.get("severity", "error") == "error")
        result["warnings"] = [e for e in found if e.get("severity") == "warning"]
        xml1 = tables.get("XML1")
        result["ma_lk"] = (xml1.findtext("MA_LK") or "") if xml1 is not None else ""
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
