"""Validation under one regulation version: the version's own XSD per table
(core/xsd/<version>/), then the cross-table rules of kcb06.interchange.core.validation.

package.build_claim validates under the version of the visit's date, the outbox stores that
version, and re-validation (a resend, `kcb06 xml verify`) uses the same version again.
"""

import re
from functools import cache

from lxml import etree

from kcb06.interchange.core import validation
from kcb06.interchange.core.versions import LATEST, Version, from_timestamp
from kcb06.interchange.core.xsdgen import XSD_DIR


@cache
def schema(version_code: str, name: str) -> etree.XMLSchema:
    path = XSD_DIR / version_code / f"{name}.xsd"
    return etree.XMLSchema(etree.parse(str(path), parser=etree.XMLParser(no_network=True)))


def _message(msg: str) -> tuple[str, str]:
    if "is not an element of the set" in msg:
        return "code_list", "không có trong danh mục của phiên bản quy định này"
    return validation._xsd_message(msg)


def xsd_errors(version: Version, code: str, root: etree._Element) -> list[dict]:
    xsd = schema(version.code, code)
    if xsd.validate(root):
        return []
    out = []
    for e in xsd.error_log:
        m = re.search(r"Element '([A-Z0-9_]+)'", e.message)
        field = m.group(1) if m else ""
        if "Missing child element" in e.message:
            expected = re.search(r"Expected is .*?\( ?([A-Z0-9_]+)", e.message)
            field = expected.group(1) if expected else field
        kind, what = _message(e.message)
        out.append(
            validation.error(
                code,
                field,
                f"xsd_{kind}",
                f"Bảng {code}, trường {field}: {what} ({version.title}).",
            )
        )
    return out


def check_tables(
    tables: dict[str, etree._Element], version: Version, policy: dict[str, str] | None = None
) -> list[dict]:
    """The version's XSD per table, then the rule catalogue: errors and warnings (key
    "severity"; policy: a facility's rule switches)."""
    errs: list[dict] = []
    for code, root in tables.items():
        if code not in version.tables:
            errs.append(
                validation.error(code, "", "unknown_table", f"Bảng {code} không được hỗ trợ.")
            )
            continue
        errs.extend(xsd_errors(version, code, root))
    errs.extend(validation.rules_claim(tables, policy))
    return errs


def validate_tables(
    tables: dict[str, etree._Element], version: Version, policy: dict[str, str] | None = None
) -> list[dict]:
    """What refuses the package: every finding whose severity is "error" (XSD errors always)."""
    return [
        e for e in check_tables(tables, version, policy) if e.get("severity", "error") == "error"
    ]


def validate_checkin(root: etree._Element, version: Version) -> list[dict]:
    return xsd_errors(version, "XML0", root) + validation.rules_checkin(root)


def version_of_tables(tables: dict[str, etree._Element]) -> Version:
    """The version a received claim is checked under: from XML1's NGAY_VAO (the latest version
    when it cannot be read — the XSD then reports the date)."""
    xml1 = tables.get("XML1")
    found = from_timestamp(xml1.findtext("NGAY_VAO") if xml1 is not None else "")
    return found or LATEST


def version_of_checkin(root: etree._Element) -> Version:
    text = root.findtext("DSACH_TRANG_THAI_KCB/TRANG_THAI_KCB/NGAY_VAO")
    return from_timestamp(text) or LATEST
