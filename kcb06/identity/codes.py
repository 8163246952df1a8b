"""Code lists the parsers validate against: docs/specs/qr-codes.md#personal-id-number,
docs/specs/bhyt-card.md#benefit-levels, docs/specs/bhyt-card.md#object-codes and
docs/specs/admin-units.md#provinces-from-1-july-2025 say where each comes from.

Plain dicts wrapped read-only so every importer sees the same values and nobody can change
them at run time. Names are Vietnamese because they are shown to reception staff.
"""

from dataclasses import dataclass
from types import MappingProxyType

# 3-digit code of the province where the birth was registered (first 3 digits of the personal
# ID number): the 63 provinces before the 2025 mergers. Numbers already issued never change.
PROVINCE_BIRTH_CODES = MappingProxyType(
    {
        "001": "Hà Nội",
        "002": "Hà Giang",
        "004": "Cao Bằng",
        "006": "Bắc Kạn",
        "008": "Tuyên Quang",
        "010": "Lào Cai",
        "011": "Điện Biên",
        "012": "Lai Châu",
        "014": "Sơn La",
        "015": "Yên Bái",
        "017": "Hòa Bình",
        "019": "Thái Nguyên",
        "020": "Lạng Sơn",
        "022": "Quảng Ninh",
        "024": "Bắc Giang",
        "025": "Phú Thọ",
        "026": "Vĩnh Phúc",
        "027": "Bắc Ninh",
        "030": "Hải Dương",
        "031": "Hải Phòng",
        "033": "Hưng Yên",
        "034": "Thái Bình",
        "035": "Hà Nam",
        "036": "Nam Định",
        "037": "Ninh Bình",
        "038": "Thanh Hóa",
        "040": "Nghệ An",
        "042": "Hà Tĩnh",
        "044": "Quảng Bình",
        "045": "Quảng Trị",
        "046": "Thừa Thiên Huế",
        "048": "Đà Nẵng",
        "049": "Quảng Nam",
        "051": "Quảng Ngãi",
        "052": "Bình Định",
        "054": "Phú Yên",
        "056": "Khánh Hòa",
        "058": "Ninh Thuận",
        "060": "Bình Thuận",
        "062": "Kon Tum",
        "064": "Gia Lai",
        "066": "Đắk Lắk",
        "067": "Đắk Nông",
        "068": "Lâm Đồng",
        "070": "Bình Phước",
        "072": "Tây Ninh",
        "074": "Bình Dương",
        "075": "Đồng Nai",
        "077": "Bà Rịa - Vũng Tàu",
        "079": "TP Hồ Chí Minh",
        "080": "Long An",
        "082": "Tiền Giang",
        "083": "Bến Tre",
        "084": "Trà Vinh",
        "086": "Vĩnh Long",
        "087": "Đồng Tháp",
        "089": "An Giang",
        "091": "Kiên Giang",
        "092": "Cần Thơ",
        "093": "Hậu Giang",
        "094": "Sóc Trăng",
        "095": "Bạc Liêu",
        "096": "Cà Mau",
    }
)

# 34 provincial units from 01/07/2025 (QĐ 19/2025/QĐ-TTg, docs/specs/admin-units.md), with
# their official names (kcb06.facilities.adminunits reads them from here). Every code is also an
# old code, so the BHYT province check below is unchanged by the mergers.
PROVINCE_CODES_2025 = MappingProxyType(
    {
        "01": "Thành phố Hà Nội",
        "04": "Cao Bằng",
        "08": "Tuyên Quang",
        "11": "Điện Biên",
        "12": "Lai Châu",
        "14": "Sơn La",
        "15": "Lào Cai",
        "19": "Thái Nguyên",
        "20": "Lạng Sơn",
        "22": "Quảng Ninh",
        "24": "Bắc Ninh",
        "25": "Phú Thọ",
        "31": "Thành phố Hải Phòng",
        "33": "Hưng Yên",
        "37": "Ninh Bình",
        "38": "Thanh Hóa",
        "40": "Nghệ An",
        "42": "Hà Tĩnh",
        "44": "Quảng Trị",
        "46": "Thành phố Huế",
        "48": "Thành phố Đà Nẵng",
        "51": "Quảng Ngãi",
        "52": "Gia Lai",
        "56": "Khánh Hòa",
        "66": "Đắk Lắk",
        "68": "Lâm Đồng",
        "75": "Đồng Nai",
        "79": "Thành phố Hồ Chí Minh",
        "80": "Tây Ninh",
        "82": "Đồng Tháp",
        "86": "Vĩnh Long",
        "91": "An Giang",
        "92": "Thành phố Cần Thơ",
        "96": "Cà Mau",
    }
)

# Characters 4-5 of a BHYT card: the issuing BHXH office's province. The old 63 numbers (which
# include all 34 codes of 2025), plus the two BHXH offices of the armed forces whose cards
# carry their own office code (97, 98) -- inferred, see docs/identity.md.
BHYT_PROVINCE_CODES = MappingProxyType(
    {
        **{code[1:]: name for code, name in PROVINCE_BIRTH_CODES.items()},
        "97": "BHXH Bộ Quốc phòng",
        "98": "BHXH Bộ Công an",
    }
)


@dataclass(frozen=True, slots=True)
class BenefitLevel:
    level: int
    percent: int
    description_vi: str
    description_en: str


BENEFIT_LEVELS = MappingProxyType(
    {
        1: BenefitLevel(
            1,
            100,
            "Quỹ BHYT chi trả 100% chi phí trong phạm vi, không giới hạn tỷ lệ một số thuốc, "
            "vật tư, dịch vụ kỹ thuật; có chi phí vận chuyển",
            "100% of in-scope costs, no ceilings on certain drugs/supplies/services; transport",
        ),
        2: BenefitLevel(
            2,
            100,
            "Quỹ BHYT chi trả 100% chi phí trong phạm vi, có giới hạn tỷ lệ một số thuốc, "
            "vật tư, dịch vụ kỹ thuật; có chi phí vận chuyển",
            "100% of in-scope costs, ceilings apply to some items; transport",
        ),
        3: BenefitLevel(
            3, 95, "Quỹ BHYT chi trả 95% chi phí trong phạm vi", "95% of in-scope costs"
        ),
        4: BenefitLevel(
            4, 80, "Quỹ BHYT chi trả 80% chi phí trong phạm vi", "80% of in-scope costs"
        ),
        5: BenefitLevel(
            5,
            100,
            "Quỹ BHYT chi trả 100% chi phí, kể cả chi phí ngoài phạm vi BHYT; có chi phí vận "
            "chuyển",
            "100% including costs outside the BHYT scope; transport",
        ),
    }
)


@dataclass(frozen=True, slots=True)
class ObjectCode:
    code: str
    name_vi: str
    group: str
    usual_level: int | None  # None: the code is in no level list (TV)


_GROUP_EMPLOYER = "Người lao động và người sử dụng lao động đóng"
_GROUP_BHXH = "Tổ chức BHXH đóng"
_GROUP_BUDGET = "Ngân sách nhà nước đóng"
_GROUP_SUBSIDY = "Ngân sách nhà nước hỗ trợ mức đóng"
_GROUP_HOUSEHOLD = "Tham gia theo hộ gia đình"

_OBJECTS = [
    ("DN", "Người lao động làm việc trong doanh nghiệp", _GROUP_EMPLOYER, 4),
    ("HX", "Người lao động làm việc trong hợp tác xã", _GROUP_EMPLOYER, 4),
    ("CH", "Người lao động làm việc trong cơ quan nhà nước, đơn vị sự nghiệp", _GROUP_EMPLOYER, 4),
    ("NN", "Người lao động làm việc cho cơ quan, tổ chức nước ngoài", _GROUP_EMPLOYER, 4),
    ("TK", "Người lao động làm việc trong các tổ chức khác", _GROUP_EMPLOYER, 4),
    ("HC", "Cán bộ, công chức, viên chức", _GROUP_EMPLOYER, 4),
    ("XK", "Người hoạt động không chuyên trách ở xã, phường", _GROUP_EMPLOYER, 4),
    ("HT", "Người hưởng lương hưu, trợ cấp mất sức lao động hằng tháng", _GROUP_BHXH, 3),
    ("TB", "Người hưởng trợ cấp tai nạn lao động, bệnh nghề nghiệp hằng tháng", _GROUP_BHXH, 4),
    ("NO", "Người lao động nghỉ việc hưởng chế độ ốm đau dài ngày", _GROUP_BHXH, 4),
    ("CT", "Người từ đủ 80 tuổi hưởng trợ cấp tuất hằng tháng", _GROUP_BHXH, 4),
    ("XB", "Cán bộ xã đã nghỉ việc hưởng trợ cấp BHXH hằng tháng", _GROUP_BHXH, 4),
    ("TN", "Người hưởng trợ cấp thất nghiệp", _GROUP_BHXH, 4),
    ("CS", "Công nhân cao su nghỉ việc hưởng trợ cấp hằng tháng", _GROUP_BHXH, 4),
    ("QN", "Quân nhân", _GROUP_BUDGET, 5),
    ("CA", "Công an nhân dân", _GROUP_BUDGET, 5),
    ("CY", "Người làm công tác cơ yếu", _GROUP_BUDGET, 5),
    ("XN", "Cán bộ xã đã nghỉ việc hưởng trợ cấp từ ngân sách nhà nước", _GROUP_BUDGET, 4),
    ("MS", "Người đã thôi hưởng trợ cấp mất sức lao động", _GROUP_BUDGET, 4),
    ("CC", "Người có công với cách mạng", _GROUP_BUDGET, 1),
    ("CK", "Người có công với cách mạng (nhóm khác)", _GROUP_BUDGET, 2),
    ("CB", "Cựu chiến binh", _GROUP_BUDGET, 2),
    ("KC", "Người tham gia kháng chiến", _GROUP_BUDGET, 2),
    ("HD", "Đại biểu Quốc hội, đại biểu Hội đồng nhân dân đương nhiệm", _GROUP_BUDGET, 4),
    ("TE", "Trẻ em dưới 6 tuổi", _GROUP_BUDGET, 1),
    ("BT", "Người hưởng trợ cấp bảo trợ xã hội hằng tháng", _GROUP_BUDGET, 2),
    ("HN", "Người thuộc hộ gia đình nghèo", _GROUP_BUDGET, 2),
    ("DT", "Người dân tộc thiểu số sống ở vùng kinh tế - xã hội khó khăn", _GROUP_BUDGET, 2),
    ("DK", "Người sống ở vùng kinh tế - xã hội đặc biệt khó khăn", _GROUP_BUDGET, 2),
    ("XD", "Người sống ở xã đảo, huyện đảo", _GROUP_BUDGET, 2),
    ("TS", "Thân nhân liệt sĩ", _GROUP_BUDGET, 2),
    ("TC", "Thân nhân người có công với cách mạng", _GROUP_BUDGET, 3),
    ("TQ", "Thân nhân quân nhân", _GROUP_BUDGET, 4),
    ("TV", "Thân nhân người lao động trong quốc phòng", _GROUP_BUDGET, None),
    ("TA", "Thân nhân công an nhân dân", _GROUP_BUDGET, 4),
    ("TY", "Thân nhân người làm công tác cơ yếu", _GROUP_BUDGET, 4),
    ("HG", "Người đã hiến bộ phận cơ thể", _GROUP_BUDGET, 4),
    ("LS", "Người nước ngoài học tập tại Việt Nam bằng học bổng ngân sách", _GROUP_BUDGET, 4),
    ("PV", "Người phục vụ người có công với cách mạng", _GROUP_BUDGET, 4),
    ("CN", "Người thuộc hộ gia đình cận nghèo", _GROUP_SUBSIDY, 3),
    ("HS", "Học sinh", _GROUP_SUBSIDY, 4),
    ("SV", "Sinh viên", _GROUP_SUBSIDY, 4),
    ("GB", "Hộ gia đình nông, lâm, ngư, diêm nghiệp có mức sống trung bình", _GROUP_SUBSIDY, 4),
    ("GD", "Người tham gia theo hộ gia đình", _GROUP_HOUSEHOLD, 4),
]

BHYT_OBJECT_CODES = MappingProxyType(
    {code: ObjectCode(code, name, group, level) for code, name, group, level in _OBJECTS}
)
