"""The province a facility belongs to since 1 July 2025, from the first two digits of its
code (portalsim's own table; it imports nothing from kcb06).

Source: Nghị quyết 202/2025/QH15 (which provinces merged, in force 01/07/2025) and the province
codes of Quyết định 19/2025/QĐ-TTg (the code of each merged province is the code of one of its
former provinces). Facility codes (QĐ 384/QĐ-BYT) keep the old province's two digits until a new
code is issued, so the portal's maTinh ("mã tỉnh của cơ sở KCB trực thuộc", CV 1245/BHXH-CNTT)
is this table's value, not the facility code's prefix: Bắc Ninh's old code 27 -> 24.
"""

# former province code (2 digits) -> province code since 01/07/2025
CURRENT = {
    "01": "01", "02": "08", "04": "04", "06": "19", "08": "08", "10": "15", "11": "11",
    "12": "12", "14": "14", "15": "15", "17": "25", "19": "19", "20": "20", "22": "22",
    "24": "24", "25": "25", "26": "25", "27": "24", "30": "31", "31": "31", "33": "33",
    "34": "33", "35": "37", "36": "37", "37": "37", "38": "38", "40": "40", "42": "42",
    "44": "44", "45": "44", "46": "46", "48": "48", "49": "48", "51": "51", "52": "52",
    "54": "66", "56": "56", "58": "56", "60": "68", "62": "51", "64": "52", "66": "66",
    "67": "68", "68": "68", "70": "75", "72": "80", "74": "79", "75": "75", "77": "79",
    "79": "79", "80": "80", "82": "82", "83": "86", "84": "86", "86": "86", "87": "82",
    "89": "91", "91": "91", "92": "92", "93": "92", "94": "92", "95": "96", "96": "96",
}  # fmt: skip


def province_of(facility_code: str) -> str:
    """The maTinh the portal expects for this facility ("" for an unknown prefix)."""
    return CURRENT.get((facility_code or "")[:2], "")
