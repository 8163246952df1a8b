"""Refusing XML in which a reader could see something other than what was signed.

Our signatures (and every signature the portal accepts) use C14N 1.0 *without comments*, so:

- a comment or processing instruction inserted into signed text after signing changes nothing
  the signature covers, yet lxml's ``.text`` then stops at it (``<MA_LK>27901<!---->.X</MA_LK>``
  reads "27901"): the class of CVE-2017-11427;
- a DOCTYPE can declare entities; left unexpanded they reach libxml2's schema validator as
  entity nodes (which it cannot handle), expanded they are text the signer never wrote;
- the enveloped-signature transform removes the whole ``ds:Signature`` from the signed data, so
  anything placed inside it (a ``ds:Object`` carrying a second TONG_HOP, say) is unsigned.

Rather than hope every reader ignores these, a document that contains any of them is refused
before its signature is looked at, each with its own code and a Vietnamese and English message.
The same check runs on every table document decoded from NOIDUNGFILE. Pure: lxml only.
"""

from dataclasses import dataclass

from lxml import etree

DS = "http://www.w3.org/2000/09/xmldsig#"
SIGNATURE = f"{{{DS}}}Signature"
SIGNATURE_CHILDREN = (f"{{{DS}}}SignedInfo", f"{{{DS}}}SignatureValue", f"{{{DS}}}KeyInfo")

# No DTD is loaded, no entity is expanded, nothing is fetched: the file is read as it is.
PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=False,
    remove_pis=False,
)


def _vi(where: str) -> str:
    return "Tệp" if where == "FILE" else f"Bảng {where}"


def _en(where: str) -> str:
    return "The file" if where == "FILE" else f"Table {where}"


@dataclass
class StructureError(Exception):
    """Why a document's structure is refused: code + Vietnamese and English messages."""

    code: str
    message_vi: str
    message: str
    where: str = "FILE"

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def as_error(self) -> dict:
        return {
            "table": self.where,
            "field": "",
            "code": self.code,
            "message_vi": self.message_vi,
            "message": self.message,
        }


def parse(data: bytes, where: str = "FILE") -> etree._Element:
    """The document's root, or StructureError (not XML, DOCTYPE, comment, PI, entity)."""
    try:
        root = etree.fromstring(data, parser=PARSER)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise StructureError(
            "not_xml",
            f"{_vi(where)} không phải XML hợp lệ.",
            f"{_en(where)} is not well-formed XML ({getattr(exc, 'msg', exc)}).",
            where,
        ) from None
    check_markup(root, where)
    return root


def check_markup(root: etree._Element, where: str = "FILE") -> None:
    """No DOCTYPE, and no comment, processing instruction or entity reference anywhere (also
    before or after the root element)."""
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise StructureError(
            "doctype",
            f"{_vi(where)} có khai báo DOCTYPE — không được chấp nhận.",
            f"{_en(where)} has a DOCTYPE declaration, which is not accepted.",
            where,
        )
    outside = [*root.itersiblings(preceding=True), *root.itersiblings()]
    for node in [*outside, *root.iter(etree.Comment, etree.ProcessingInstruction, etree.Entity)]:
        if isinstance(node, etree._Comment):
            raise StructureError(
                "comment",
                f"{_vi(where)} có chú thích XML (<!-- -->) — không được chấp nhận vì chữ ký "
                "không bao gồm chú thích.",
                f"{_en(where)} has an XML comment, which is not accepted (the signature does not "
                "cover comments).",
                where,
            )
        if isinstance(node, etree._ProcessingInstruction):
            raise StructureError(
                "processing_instruction",
                f"{_vi(where)} có chỉ thị xử lý (<?…?>) — không được chấp nhận.",
                f"{_en(where)} has a processing instruction, which is not accepted.",
                where,
            )
        if isinstance(node, etree._Entity):
            raise StructureError(
                "entity",
                f"{_vi(where)} có tham chiếu thực thể (&…;) — không được chấp nhận.",
                f"{_en(where)} has an entity reference, which is not accepted.",
                where,
            )


def _bad_signature(detail_vi: str, detail_en: str) -> StructureError:
    return StructureError(
        "signature_structure",
        "Chữ ký số không đúng cấu trúc: ds:Signature chỉ được chứa SignedInfo, SignatureValue "
        f"và KeyInfo/X509Data ({detail_vi}).",
        "Signature structure not accepted: ds:Signature may hold only SignedInfo, "
        f"SignatureValue and KeyInfo/X509Data ({detail_en}).",
        "CHUKYDONVI",
    )


def signature_of(root: etree._Element) -> etree._Element | None:
    """The one ds:Signature, checked to sit alone in CHUKYDONVI (the root's last child) and to
    hold nothing but SignedInfo, SignatureValue and KeyInfo with one X509Data holding one
    X509Certificate. None when CHUKYDONVI is empty (an unsigned file). StructureError
    otherwise, also for a second CHUKYDONVI or a Signature anywhere else."""
    slots = root.findall("CHUKYDONVI")
    if not slots:
        return None
    if len(slots) > 1 or root[-1] is not slots[0]:
        raise StructureError(
            "chukydonvi_position",
            "CHUKYDONVI phải là phần tử cuối cùng, duy nhất của hồ sơ.",
            "CHUKYDONVI must be the root's last child and appear once.",
            "CHUKYDONVI",
        )
    slot = slots[0]
    everywhere = list(root.iter(SIGNATURE))
    if not everywhere:
        if len(slot) or (slot.text or "").strip():
            raise _bad_signature("CHUKYDONVI chứa nội dung khác", "CHUKYDONVI holds other content")
        return None
    if len(everywhere) > 1 or len(slot) != 1 or slot[0] is not everywhere[0]:
        raise _bad_signature(
            "có nhiều chữ ký hoặc chữ ký nằm ngoài CHUKYDONVI",
            "more than one signature, or a signature outside CHUKYDONVI",
        )
    signature = slot[0]
    if (slot.text or "").strip() or (signature.tail or "").strip():
        raise _bad_signature("CHUKYDONVI chứa văn bản", "text inside CHUKYDONVI")
    tags = [child.tag for child in signature]
    if tuple(tags) != SIGNATURE_CHILDREN:
        names = ", ".join(etree.QName(t).localname if isinstance(t, str) else "?" for t in tags)
        raise _bad_signature(f"đang có: {names}", f"found: {names}")
    if len(signature[1]):
        raise _bad_signature(
            "SignatureValue không được chứa phần tử con", "SignatureValue holds an element"
        )
    key_info = signature[2]
    if (
        len(key_info) != 1
        or key_info[0].tag != f"{{{DS}}}X509Data"
        or len(key_info[0]) != 1
        or key_info[0][0].tag != f"{{{DS}}}X509Certificate"
        or len(key_info[0][0])
    ):
        raise _bad_signature(
            "KeyInfo phải chứa đúng một X509Data/X509Certificate",
            "KeyInfo must hold exactly one X509Data/X509Certificate",
        )
    return signature
