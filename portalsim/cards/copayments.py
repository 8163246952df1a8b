"""Co-payment lookup `TraCuuTienMCCT` of the simulated portal (docs/portalsim.md, "Co-payment
lookup"; the service as one HIS describes it, docs/specs/benefit.md#co-payment-exemption, single source).

POST /api/TraCuuCCT/TraCuuTienMCCT, headers accessToken, tokenId, passwordHash; JSON body
username, maThe (15-character card, 10-digit BHXH number or 12-digit ID number), hoTen,
ngaySinh (dd/MM/yyyy, MM/yyyy or yyyy). Answer MaKetQua: 200 with DataCCT (one row per episode
of the current calendar year, by ngayRa: maCskcb, ngayVao, ngayRa as dd/MM/yyyy,
maDoiTuongKCB, tBNCCTMCCT = the episode's exempt part, tBNCCTLuyKe = running co-payment to the
end of that episode — not additive) and ThongTinSoThe; 204 nothing this year; 400 bad input;
500 authentication or system error (the service has no 401 of its own). It does not return the
5-year date (that comes from the card check, ngayDu5Nam).

Order: fault injection (endpoint "copayment", scope maThe) -> token, username, passwordHash
(500) -> body (400) -> card, name and date of birth (204 when no card matches) -> episodes.
"""

import json
import re
from datetime import date

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from portalsim.cards.views import _find, fold
from portalsim.core.views import account_for_token, injected_fault, password_matches

DOB_FORMS = (
    re.compile(r"^(\d{2})/(\d{2})/(\d{4})$"),
    re.compile(r"^(\d{2})/(\d{4})$"),
    re.compile(r"^(\d{4})$"),
)


def _answer(code: str, message: str, **extra) -> JsonResponse:
    return JsonResponse(
        {"MaKetQua": code, "ThongBao": message, **extra},
        json_dumps_params={"ensure_ascii": False},
    )


def _dob_matches(sent: str, known: str) -> bool:
    """The card's date of birth (dd/MM/yyyy or yyyy) against any of the three accepted forms:
    each form must agree on the parts it gives."""
    known_parts = known.split("/")
    sent_parts = sent.split("/")
    if len(known_parts) == 1:  # the record holds a year only
        return sent_parts[-1] == known_parts[0]
    return known_parts[-len(sent_parts) :] == sent_parts


def _vn(day: str) -> str:
    return date.fromisoformat(day).strftime("%d/%m/%Y")


def episodes_this_year(card, today: date | None = None) -> list[dict]:
    """The card's episodes ending this calendar year, oldest first, with the running total."""
    year = (today or date.today()).year
    rows = sorted(
        (e for e in card.copayments if date.fromisoformat(e["ngayRa"]).year == year),
        key=lambda e: e["ngayRa"],
    )
    running = 0
    out = []
    for e in rows:
        running += int(e.get("tBNCCT") or 0)
        out.append(
            {
                "maCskcb": e.get("maCskcb", ""),
                "ngayVao": _vn(e["ngayVao"]),
                "ngayRa": _vn(e["ngayRa"]),
                "maDoiTuongKCB": e.get("maDoiTuongKCB", "1.1"),
                "tBNCCTMCCT": int(e.get("tBNCCTMCCT") or 0),
                "tBNCCTLuyKe": running,
            }
        )
    return out


@csrf_exempt
@require_POST
def lookup(request):
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        data = None
    data = data if isinstance(data, dict) else {}
    ma_the = str(data.get("maThe") or "").strip().upper()
    if (broken := injected_fault("copayment", ma_the)) is not None:
        return broken
    account = account_for_token(
        request.headers.get("accessToken", ""), request.headers.get("tokenId", "")
    )
    if (
        account is None
        or account.username != str(data.get("username") or "")
        or not password_matches(account, request.headers.get("passwordHash", ""))
    ):
        return _answer("500", "Lỗi xác thực tài khoản")
    ho_ten = str(data.get("hoTen") or "").strip()
    ngay_sinh = str(data.get("ngaySinh") or "").strip()
    if (
        not re.fullmatch(r"[A-Z]{2}[1-5]\d{12}|\d{10}|\d{12}", ma_the)
        or not ho_ten
        or not any(f.match(ngay_sinh) for f in DOB_FORMS)
    ):
        return _answer("400", "Tham số không hợp lệ (maThe, hoTen, ngaySinh)")
    card, _code = _find(ma_the)
    if card is None or fold(card.full_name) != fold(ho_ten):
        return _answer("204", "Không có dữ liệu")
    if not _dob_matches(ngay_sinh, card.dob):
        return _answer("204", "Không có dữ liệu")
    rows = episodes_this_year(card)
    if not rows:
        return _answer("204", "Không có dữ liệu")
    return _answer(
        "200",
        "Thành công",
        DataCCT=rows,
        ThongTinSoThe={
            "maThe": card.card_number,
            "hoTen": card.full_name,
            "ngaySinh": card.dob,
            "maSoBHXH": card.bhxh_number,
        },
    )
