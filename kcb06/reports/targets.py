"""The Project 06 targets the dashboard measures against, with the plan each comes from.

Decision 06/QĐ-TTg (Đề án 06) and the Ministry of Health's plans for it ask that every facility
checks patients in by chip ID card or VNeID (with a QR reader at every facility), that 80 % of
visits reach the electronic health book, and that 50 % of payments be cashless. The numbers are
percentages; where kcb06 records nothing yet (payments), the figure is None and the page says
"chưa có dữ liệu".
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    key: str
    label_vi: str
    percent: int
    source_vi: str


CHIP_FACILITIES = Target(
    "chip_facilities",
    "Cơ sở tiếp đón bằng CCCD gắn chip / VNeID",
    100,
    "Đề án 06 (QĐ 06/QĐ-TTg); kế hoạch triển khai của Bộ Y tế: 100 % cơ sở KCB",
)
HEALTH_BOOK = Target(
    "health_book",
    "Lượt khám có dữ liệu lên sổ sức khỏe điện tử",
    80,
    "Kế hoạch triển khai sổ sức khỏe điện tử (Bộ Y tế): 80 % lượt khám",
)
CASHLESS = Target(
    "cashless",
    "Thanh toán không dùng tiền mặt",
    50,
    "Kế hoạch thanh toán không dùng tiền mặt trong y tế: 50 % số giao dịch",
)
TARGETS = (CHIP_FACILITIES, HEALTH_BOOK, CASHLESS)
