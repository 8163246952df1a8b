"""Card check `KQNhanLichSuKCB2024` of the simulated portal (docs/specs/portal-api.md#card-check,
docs/specs/portal-api.md#result-codes).

Order of checks (our reading of the official annex; the real order is not documented):
fault injection -> token/account (401) -> parameter formats (205) -> officer (054/055) ->
card lookup (050/051/052/053) -> name (060/061) -> date of birth (070) -> the card's forced
code (fixtures: 001, 002, 100, 101, 110, 120-124, 130, 500, ...) -> validity (003/004/010/000).

maThe may be a 15-character card code, a 10-digit BHXH number (the annex's example) or a
12-digit personal ID number. Whether the real portal accepts the ID number is an OPEN QUESTION
(docs/specs/portal-api.md#lookup-by-personal-id-number); portalsim accepts it so kcb06's
lookup-by-ID path can be exercised.
"""

import json
import re
import unicodedata
from datetime import date

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from portalsim.cards.models import Card
from portalsim.core.models import Officer
from portalsim.core.views import account_for_token, injected_fault, password_matches

CARD_RE = re.compile(r"^[A-Z]{2}[1-5]\d{12}$")
DOB_RE = re.compile(r"^(\d{2})/?(\d{2})/?(\d{4})$")

MESSAGES = {
    "000": "Thông tin thẻ chính xác",
    "001": "Thẻ do BHXH Bộ Quốc Phòng quản lý, đề nghị kiểm tra thẻ và thông tin giấy tờ tùy thân",
    "002": "Thẻ do BHXH Bộ Công An quản lý, đề nghị kiểm tra thẻ và thông tin giấy tờ tùy thân",
    "003": "Thẻ cũ hết giá trị sử dụng nhưng đã được cấp thẻ mới",
    "004": "Thẻ cũ còn giá trị sử dụng nhưng đã được cấp thẻ mới",
    "010": "Thẻ hết giá trị sử dụng",
    "050": "Không có thông tin thẻ",
    "051": "Mã thẻ không đúng",
    "052": "Mã tỉnh cấp thẻ (kí tự thứ 4,5 của mã thẻ) không đúng",
    "053": "Mã quyền lợi thẻ (kí tự thứ 3 của mã thẻ) không đúng",
    "054": "CCCD của cán bộ tra cứu không có trong danh sách đăng ký của cơ sở",
    "055": "Họ và tên cán bộ tra cứu không khớp với CCCD",
    "060": "Thẻ sai họ tên",
    "061": "Thẻ sai họ tên (đúng ký tự đầu)",
    "070": "Thẻ sai ngày sinh",
    "100": "Lỗi khi lấy dữ liệu sổ thẻ",
    "101": "Lỗi server",
    "110": "Thẻ đã thu hồi",
    "120": "Thẻ đã báo giảm",
    "121": "Thẻ đã báo giảm. Giảm chuyển ngoại tỉnh",
    "122": "Thẻ đã báo giảm. Giảm chuyển nội tỉnh",
    "123": "Thẻ đã báo giảm. Do tăng lại cùng đơn vị",
    "124": "Thẻ đã báo giảm. Ngừng tham gia",
    "130": "Trẻ em không xuất trình thẻ",
    "205": "Lỗi sai định dạng tham số",
    "401": "Lỗi xác thực tài khoản",
    "500": "Lỗi server",
}
WITH_CARD = {"000", "001", "002", "003", "004", "010", "110", "120", "121", "122", "123", "124"}


def fold(text: str) -> str:
    text = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.lower().split())


def _fmt(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def _answer(code: str, card: Card | None = None) -> JsonResponse:
    body = {"maKetQua": code, "ghiChu": MESSAGES.get(code, "")}
    if card is not None and code in WITH_CARD:
        period = f"{_fmt(card.valid_from)} - {_fmt(card.valid_to)}"
        body["ghiChu"] = (
            f"{MESSAGES[code]}. Họ tên: {card.full_name}, Ngày sinh: {card.dob}, Giới tính: "
            f"{card.sex}! (ĐC: {card.address}; Nơi KCBBĐ: {card.ma_dkbd}; Hạn thẻ: {period}; "
            f"Thời điểm đủ 5 năm liên tục: {_fmt(card.five_year_date)})."
        )
        body.update(
            {
                "maThe": card.card_number,
                "hoTen": card.full_name,
                "ngaySinh": card.dob,
                "gioiTinh": card.sex,
                "diaChi": card.address,
                "maDKBD": card.ma_dkbd,
                "cqBHXH": card.cq_bhxh,
                "gtTheTu": _fmt(card.valid_from),
                "gtTheDen": _fmt(card.valid_to),
                "maKV": card.area_code,
                "ngayDu5Nam": _fmt(card.five_year_date),
                "maSoBHXH": card.bhxh_number,
                "maTheCu": "",
                "maTheMoi": card.new_card_number,
                "gtTheTuMoi": _fmt(card.new_valid_from),
                "gtTheDenMoi": _fmt(card.new_valid_to),
                "maDKBDMoi": card.new_ma_dkbd,
                "tenDKBDMoi": "",
                "dsLichSuKCB2018": [],
                "dsLichSuKT2018": [],
            }
        )
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


def _body(request) -> dict:
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
    return request.POST.dict()  # S7 sends the same keys as form fields


def _find(ma_the: str) -> tuple[Card | None, str | None]:
    """(card, None) or (None, code) for a maThe that finds no usable card."""
    if CARD_RE.match(ma_the):
        card = Card.objects.filter(card_number=ma_the).first()
        if card:
            return card, None
        same_person = Card.objects.filter(bhxh_number=ma_the[5:]).first()
        if same_person is None:
            return None, "050"
        known = same_person.card_number
        if known[:3] == ma_the[:3] and known[3:5] != ma_the[3:5]:
            return None, "052"
        if known[:2] == ma_the[:2] and known[2] != ma_the[2]:
            return None, "053"
        return None, "051"
    if re.fullmatch(r"\d{10}", ma_the):
        card = Card.objects.filter(bhxh_number=ma_the).order_by("-valid_to").first()
        return (card, None) if card else (None, "050")
    if re.fullmatch(r"\d{12}", ma_the):
        card = Card.objects.filter(id_number=ma_the).order_by("-valid_to").first()
        return (card, None) if card else (None, "050")
    return None, "051"


def _dob_matches(sent: str, known: str) -> bool:
    m = DOB_RE.match(sent)
    if re.fullmatch(r"\d{4}", known):
        return (m.group(3) if m else sent) == known
    return bool(m) and f"{m.group(1)}/{m.group(2)}/{m.group(3)}" == known


@csrf_exempt
@require_POST
def card_check(request):
    data = _body(request)
    ma_the = str(data.get("maThe") or "").strip().upper()
    if (broken := injected_fault("card_check", ma_the)) is not None:
        return broken

    q = request.GET
    account = account_for_token(q.get("token", ""), q.get("id_token", ""))
    if (
        account is None
        or account.username != q.get("username", "")
        or not password_matches(account, q.get("password", ""))
    ):
        return _answer("401")

    ho_ten = str(data.get("hoTen") or "").strip()
    ngay_sinh = str(data.get("ngaySinh") or "").strip()
    ho_ten_cb = str(data.get("hoTenCb") or "").strip()
    cccd_cb = str(data.get("cccdCb") or "").strip()
    if not (ma_the and ho_ten and ho_ten_cb and re.fullmatch(r"\d{12}", cccd_cb)):
        return _answer("205")
    if not (DOB_RE.match(ngay_sinh) or re.fullmatch(r"\d{4}", ngay_sinh)):
        return _answer("205")

    officer = Officer.objects.filter(account=account, id_number=cccd_cb).first()
    if officer is None:
        return _answer("054")
    if fold(officer.full_name) != fold(ho_ten_cb):
        return _answer("055")

    card, code = _find(ma_the)
    if card is None:
        return _answer(code)
    if fold(card.full_name) != fold(ho_ten):
        same_first = fold(card.full_name)[:1] == fold(ho_ten)[:1]
        return _answer("061" if same_first else "060")
    if not _dob_matches(ngay_sinh, card.dob):
        return _answer("070")
    if card.forced_code:
        return _answer(card.forced_code, card)
    today = date.today()
    if card.valid_to < today:
        return _answer("003" if card.new_card_number else "010", card)
    if card.new_card_number:
        return _answer("004", card)
    return _answer("000", card)
