"""The GIAMDINHHS envelope (docs/specs/xml-tables.md#envelope): one HOSO per file, each table
base64-encoded in a FILEHOSO/NOIDUNGFILE, CHUKYDONVI last. Written without the
xmlns:xsi/xmlns:xsd declarations (a portal-accepted tool omits them) so the signature's
canonical form has nothing inherited.
"""

import base64
import binascii
from datetime import datetime
from zoneinfo import ZoneInfo

from lxml import etree

from kcb06.interchange.core.builders import to_bytes

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def wrap(
    ma_cskcb: str, tables: dict[str, etree._Element | bytes], when: datetime
) -> etree._Element:
    """The unsigned envelope. A table given as bytes is taken as its document already
    serialized by to_bytes (the outbox stores them so), and is not parsed again."""
    root = etree.Element("GIAMDINHHS")
    info = etree.SubElement(root, "THONGTINDONVI")
    etree.SubElement(info, "MACSKCB").text = ma_cskcb
    hs = etree.SubElement(root, "THONGTINHOSO")
    etree.SubElement(hs, "NGAYLAP").text = when.astimezone(VN).strftime("%Y%m%d")
    etree.SubElement(hs, "SOLUONGHOSO").text = "1"
    hoso = etree.SubElement(etree.SubElement(hs, "DANHSACHHOSO"), "HOSO")
    for code, table in tables.items():
        f = etree.SubElement(hoso, "FILEHOSO")
        etree.SubElement(f, "LOAIHOSO").text = code
        document = table if isinstance(table, bytes) else to_bytes(table)
        etree.SubElement(f, "NOIDUNGFILE").text = base64.b64encode(document).decode()
    etree.SubElement(root, "CHUKYDONVI")
    return root


class EnvelopeError(ValueError):
    pass


def unwrap(root: etree._Element) -> list[dict[str, etree._Element]]:
    """Tables of each HOSO of an envelope: [{"XML1": root, ...}, ...]. Each decoded table
    document passes the same markup check as the envelope (structure.StructureError); a table
    given twice in one HOSO is an EnvelopeError, not silently the last one."""
    from kcb06.interchange.core import structure

    out = []
    for hoso in root.iterfind("THONGTINHOSO/DANHSACHHOSO/HOSO"):
        tables: dict[str, etree._Element] = {}
        for f in hoso.iterfind("FILEHOSO"):
            code = (f.findtext("LOAIHOSO") or "").strip()
            if code in tables:
                raise EnvelopeError(f"{code}: given twice in one HOSO")
            try:
                raw = base64.b64decode((f.findtext("NOIDUNGFILE") or "").strip(), validate=True)
            except (binascii.Error, ValueError) as exc:
                raise EnvelopeError(f"{code}: NOIDUNGFILE is not base64 XML") from exc
            try:
                tables[code] = structure.parse(raw, where=code or "FILEHOSO")
            except structure.StructureError as exc:
                if exc.code == "not_xml":
                    raise EnvelopeError(f"{code}: NOIDUNGFILE is not base64 XML") from None
                raise
        out.append(tables)
    return out


def serialize(root: etree._Element) -> bytes:
    """Final bytes of a signed document (declaration outside the canonical form)."""
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")
