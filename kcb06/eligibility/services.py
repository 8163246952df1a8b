"""Check a citizen's BHYT card with the BHXH portal and turn the answer into a Verdict.

Four outcomes (codes.py maps every portal result code): valid, invalid, no_card, unverified.
Unverified checks are stored as pending and re-checked by jobs.recheck_pending. A valid answer
is cached per facility, per looked-up card (or ID number), per name and date of birth, per
calendar day in Asia/Ho_Chi_Minh (and at most KCB06_ELIGIBILITY_CACHE_HOURS old; 0 turns the
cache off): the second check-in of the day costs no portal call. Invalid,
no-card and unverified answers are never served from the cache (the data may be fixed within
the hour, and the clerk must see the portal's current word).
"""

import re
import time
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kcb06.audit.services import Action, record_about
from kcb06.bhxh import client as portal
from kcb06.eligibility import cache, codes, officers, portalstats
from kcb06.eligibility.daycache import CachedCheck
from kcb06.eligibility.models import (
    CheckStatus,
    EligibilityCheck,
    MismatchKind,
    Outcome,
    ReconciliationEntry,
)
from kcb06.eligibility.signals import verdict_resolved
from kcb06.errors import DomainError
from kcb06.identity import fold_name, names_match, parse_bhyt_card, parse_id_number
from kcb06.identity.names import check_name

CHECK_ROLES = ("reception", "cashier", "facility_admin")
# The kiosk checks cards only inside its own check-in flow (kcb06.visits), never through the
# eligibility API: CHECK_ROLES stays the API's list.
SERVICE_ROLES = (*CHECK_ROLES, "kiosk")
SEX_VI = {"male": "Nam", "female": "Nữ"}


@dataclass
class CardInfo:
    card_number: str
    valid_from: date | None
    valid_to: date | None
    ma_dkbd: str
    benefit_level: int | None
    object_code: str
    bhxh_number: str
    five_year_date: date | None
    area_code: str
    # Re-issued card (codes 003/004): the card to use from now on.
    new_card_number: str = ""
    new_valid_from: date | None = None
    new_valid_to: date | None = None
    new_ma_dkbd: str = ""
    # Holder data as BHXH has it (for the clerk's comparison with the ID card).
    full_name: str = ""
    date_of_birth: str = ""
    sex: str = ""


@dataclass
class Mismatch:
    field: str  # "full_name" | "date_of_birth" | "sex"
    id_card_value: str
    insurance_value: str
    kind: str  # "diacritics_only" | "year_only" | "different"
    message_vi: str


@dataclass
class Verdict:
    outcome: str  # "valid" | "invalid" | "no_card" | "unverified"
    portal_code: str | None
    reason_vi: str
    next_step_vi: str
    card: CardInfo | None
    mismatches: list[Mismatch] = field(default_factory=list)
    check_id: int | None = None
    from_cache: bool = False
    pending: bool = False

    def as_dict(self) -> dict:
        # Flat fields of str/int/date: read directly (dataclasses.asdict deep-copies every
        # value, a tenth of a cached check's CPU at each check-in).
        card = None
        if self.card is not None:
            card = {
                f.name: (v.isoformat() if isinstance(v := getattr(self.card, f.name), date) else v)
                for f in fields(self.card)
            }
        return {
            "outcome": self.outcome,
            "portal_code": self.portal_code,
            "reason_vi": self.reason_vi,
            "next_step_vi": self.next_step_vi,
            "card": card,
            "mismatches": [asdict(m) for m in self.mismatches],
            "check_id": self.check_id,
            "pending": self.pending,
            "from_cache": self.from_cache,
        }


# --- input --------------------------------------------------------------------------------


@dataclass
class Request:
    card_number: str
    id_number: str
    full_name: str
    date_of_birth: date
    sex: str

    @property
    def lookup_key(self) -> str:
        return self.card_number or self.id_number

    @property
    def by_id(self) -> bool:
        return not self.card_number and bool(self.id_number)


def _bad(code: str, vi: str, en: str) -> DomainError:
    return DomainError(code, vi, en, status=400)


def parse_dob(value) -> date:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        dob = value
    else:
        text = str(value or "").strip()
        dob = None
        for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d%m%Y"):
            if fmt == "%Y-%m-%d" and len(text) == 10:  # the API's form; strptime is slow
                try:
                    dob = date.fromisoformat(text)
                    break
                except ValueError:
                    continue
            try:
                dob = datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
                break
            except ValueError:
                continue
        if dob is None:
            raise _bad(
                "invalid_date_of_birth",
                "Ngày sinh không hợp lệ: nhập theo dạng năm-tháng-ngày (ví dụ 1985-08-15).",
                "Invalid date of birth: use YYYY-MM-DD.",
            )
    if dob > timezone.localdate() or dob.year < 1880:
        raise _bad(
            "invalid_date_of_birth",
            "Ngày sinh không hợp lệ (ở tương lai hoặc quá xa).",
            "Date of birth is in the future or implausibly old.",
        )
    return dob


def parse_sex(value) -> str:
    text = str(value or "").strip().lower()
    if not text:
        return ""
    if text in ("male", "nam", "m"):
        return "male"
    if text in ("female", "nữ", "nu", "f"):
        return "female"
    raise _bad(
        "invalid_sex",
        "Giới tính không hợp lệ: chọn Nam (male) hoặc Nữ (female).",
        "Invalid sex: use male or female.",
    )


def parse_request(card_number, id_number, full_name, date_of_birth, sex) -> Request:
    card = re.sub(r"\s+", "", str(card_number or "")).upper()
    if card:
        if re.fullmatch(r"\d{10}", card):
            pass  # the 10-digit BHXH number printed on 2021+ cards (the annex's own example)
        else:
            card = parse_bhyt_card(card).card_number
    ident = re.sub(r"\s+", "", str(id_number or ""))
    if ident:
        ident = parse_id_number(ident).id_number
    name = " ".join(str(full_name or "").split())
    if not name or len(name) > 255:
        raise _bad(
            "invalid_full_name",
            "Cần nhập họ tên của người bệnh (như trên CCCD/thẻ BHYT).",
            "The patient's full name is required.",
        )
    name = check_name(name)  # no bidi/control characters, no markup (kcb06.identity.names)
    return Request(card, ident, name, parse_dob(date_of_birth), parse_sex(sex))


def require_facility(principal):
    facility = getattr(principal, "facility", None)
    if getattr(principal, "profile", None) is None or facility is None or not facility.code:
        raise DomainError(
            "no_facility",
            "Tài khoản của bạn không thuộc cơ sở khám chữa bệnh nào nên không tra cứu thẻ được.",
            "Your account belongs to no health facility, so it cannot check cards.",
            status=403,
        )
    return facility


def facility_account(facility, officer: officers.Officer) -> portal.Account:
    """The facility's portal account, asking as `officer`."""
    return portal.facility_account(facility, officer.full_name, officer.id_number)


def account_for(principal) -> portal.Account | officers.OfficerProblem:
    """The portal account a check by this principal uses: the facility's account, asked as
    the principal (a kiosk: as the facility's lookup officer); or why no check can be made."""
    facility = require_facility(principal)
    officer = officers.officer_for_profile(principal.profile)
    if isinstance(officer, officers.OfficerProblem):
        return officer
    return facility_account(facility, officer)


# --- portal answer -> verdict -------------------------------------------------------------


def _pdate(text) -> date | None:
    text = str(text or "").strip()
    if not text:
        return None
    day, month, year = (text.split("/") + ["", ""])[:3]
    try:  # dd/mm/yyyy, as the portal writes dates (strptime costs ten times more)
        return date(int(year), int(month), int(day)) if len(year) == 4 else None
    except ValueError:
        return None


def card_info(body: dict) -> CardInfo | None:
    number = str(body.get("maThe") or "").strip().upper()
    if not number:
        return None
    level = int(number[2]) if len(number) == 15 and number[2].isdigit() else None
    return CardInfo(
        card_number=number,
        valid_from=_pdate(body.get("gtTheTu")),
        valid_to=_pdate(body.get("gtTheDen")),
        ma_dkbd=str(body.get("maDKBD") or ""),
        benefit_level=level,
        object_code=number[:2] if len(number) == 15 else "",
        bhxh_number=str(body.get("maSoBHXH") or (number[5:] if len(number) == 15 else number)),
        five_year_date=_pdate(body.get("ngayDu5Nam")),
        area_code=str(body.get("maKV") or ""),
        new_card_number=str(body.get("maTheMoi") or ""),
        new_valid_from=_pdate(body.get("gtTheTuMoi")),
        new_valid_to=_pdate(body.get("gtTheDenMoi")),
        new_ma_dkbd=str(body.get("maDKBDMoi") or ""),
        full_name=str(body.get("hoTen") or ""),
        date_of_birth=str(body.get("ngaySinh") or ""),
        sex=str(body.get("gioiTinh") or ""),
    )


def _sex_of(text: str) -> str:
    folded = fold_name(text or "")
    return {"nam": "male", "nu": "female"}.get(folded, "")


def mismatches(req: Request, card: CardInfo | None) -> list[Mismatch]:
    """Every difference between what the ID card says and what BHXH holds."""
    if card is None:
        return []
    found: list[Mismatch] = []
    if card.full_name:
        match = names_match(req.full_name, card.full_name)
        if match == "folded":
            found.append(
                Mismatch(
                    "full_name",
                    req.full_name,
                    card.full_name,
                    "diacritics_only",
                    f"Họ tên chỉ khác dấu/chữ hoa: CCCD ghi «{req.full_name}», BHXH ghi "
                    f"«{card.full_name}».",
                )
            )
        elif match == "different":
            found.append(
                Mismatch(
                    "full_name",
                    req.full_name,
                    card.full_name,
                    "different",
                    f"Họ tên khác: CCCD ghi «{req.full_name}», BHXH ghi «{card.full_name}».",
                )
            )
    ins_dob = card.date_of_birth.strip()
    id_dob = req.date_of_birth.strftime("%d/%m/%Y")
    if ins_dob and ins_dob != id_dob:
        if re.fullmatch(r"\d{4}", ins_dob) and int(ins_dob) == req.date_of_birth.year:
            kind, msg = "year_only", f"BHXH chỉ ghi năm sinh {ins_dob}; CCCD ghi {id_dob}."
        else:
            kind, msg = "different", f"Ngày sinh khác: CCCD ghi {id_dob}, BHXH ghi {ins_dob}."
        found.append(Mismatch("date_of_birth", id_dob, ins_dob, kind, msg))
    ins_sex = _sex_of(card.sex)
    if req.sex and ins_sex and ins_sex != req.sex:
        found.append(
            Mismatch(
                "sex",
                SEX_VI[req.sex],
                card.sex,
                "different",
                f"Giới tính khác: CCCD ghi {SEX_VI[req.sex]}, BHXH ghi {card.sex}.",
            )
        )
    return found


def _fill(text: str, code: str | None, card: CardInfo | None) -> str:
    new_card = (card.new_card_number if card else "") or "(xem trên Cổng BHXH)"
    return text.format(new_card=new_card, code=code or "")


def verdict_from_rule(
    rule: codes.CodeRule, code: str | None, req: Request, body: dict | None
) -> Verdict:
    card = card_info(body or {}) if rule.outcome in (codes.VALID, codes.INVALID) else None
    found = mismatches(req, card) if rule.outcome == codes.VALID else []
    next_step = _fill(rule.next_step_vi, code, card)
    if found:
        next_step += " Có khác biệt giữa CCCD và dữ liệu BHXH: " + " ".join(
            m.message_vi for m in found
        )
        next_step += " Người bệnh đã được đưa vào danh sách đối soát gửi công an và BHXH."
    return Verdict(
        outcome=rule.outcome,
        portal_code=code,
        reason_vi=_fill(rule.reason_vi, code, card),
        next_step_vi=next_step,
        card=card,
        mismatches=found,
        pending=rule.outcome == codes.UNVERIFIED and not rule.final,
    )


def ask_portal(
    account: portal.Account | officers.OfficerProblem,
    req: Request,
    deadline: float,
    facility_id: int | None = None,
) -> tuple[Verdict, dict]:
    """One portal round (token + check) -> (verdict, response summary). An unusable lookup
    officer is a configuration verdict without asking (the portal would answer 205/054).
    With `facility_id`, the call is counted in that facility's PortalDay (portalstats)."""
    if isinstance(account, officers.OfficerProblem):
        rule = codes.OFFICER_PROBLEMS[account.code]
        return verdict_from_rule(rule, None, req, None), {"failure": account.code}
    started = time.monotonic()
    try:
        answer = portal.check_card(
            account,
            ma_the=req.lookup_key,
            full_name=req.full_name,
            dob_text=req.date_of_birth.strftime("%d/%m/%Y"),
            deadline=deadline,
        )
    except portal.PortalError as exc:
        if facility_id is not None:
            portalstats.record(facility_id, time.monotonic() - started, exc.kind)
        rule = codes.FAILURES.get(exc.kind, codes.FAILURES["connect"])
        return verdict_from_rule(rule, None, req, None), {"failure": exc.kind}
    if facility_id is not None:
        failed = "server" if answer.code in portal.SERVER_FAILURE_CODES else None
        portalstats.record(facility_id, time.monotonic() - started, failed)
    rule = codes.rule_for(answer.code, by_id=req.by_id)
    summary = {k: v for k, v in answer.body.items() if not k.startswith("dsLichSu")}
    return verdict_from_rule(rule, answer.code, req, answer.body), summary


# --- storage ------------------------------------------------------------------------------


def _reconcile(check: EligibilityCheck, verdict: Verdict, req: Request) -> None:
    """Put the citizen on the facility's reconciliation list (one row per person per day)."""
    kinds = []
    for m in verdict.mismatches:
        if m.field == "full_name":
            kinds.append(
                MismatchKind.NAME_DIACRITICS
                if m.kind == "diacritics_only"
                else MismatchKind.NAME_DIFFERENT
            )
        elif m.field == "date_of_birth":
            kinds.append(MismatchKind.DOB)
        else:
            kinds.append(MismatchKind.SEX)
    if verdict.outcome == codes.INVALID:
        kinds.append(MismatchKind.PORTAL)
    if not kinds:
        return
    card = verdict.card
    entry, created = ReconciliationEntry.objects.select_for_update().get_or_create(
        facility_id=check.facility_id,
        person_key=req.id_number or req.lookup_key,
        day=check.check_date,
        defaults={"name_id_card": req.full_name, "dob_id_card": ""},
    )
    old = set(filter(None, entry.kinds.split(","))) if not created else set()
    entry.kinds = ",".join(sorted(old | {str(k) for k in kinds}))
    entry.source_check = check
    entry.patient_id = check.patient_id or entry.patient_id
    entry.id_number = req.id_number or entry.id_number
    entry.card_number = (card.card_number if card else "") or req.card_number or entry.card_number
    entry.name_id_card = req.full_name
    entry.name_insurance = (card.full_name if card else "") or entry.name_insurance
    entry.dob_id_card = req.date_of_birth.strftime("%d/%m/%Y")
    entry.dob_insurance = (card.date_of_birth if card else "") or entry.dob_insurance
    entry.sex_id_card = SEX_VI.get(req.sex, "")
    entry.sex_insurance = (card.sex if card else "") or entry.sex_insurance
    entry.portal_code = verdict.portal_code or entry.portal_code
    entry.sent_at = None  # changed data must be sent again
    entry.sent_by = None
    entry.save()


def _next_attempt(attempts: int) -> datetime:
    base = settings.KCB06_ELIGIBILITY_RECHECK_SECONDS
    return timezone.now() + timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def _store(principal, req: Request, verdict: Verdict, summary: dict, patient_id) -> Verdict:
    now = timezone.now()
    with transaction.atomic():
        check = EligibilityCheck.objects.create(
            facility_id=principal.facility_id,
            patient_id=patient_id,
            operator=principal.user if getattr(principal.user, "pk", None) else None,
            card_number=req.card_number,
            id_number=req.id_number,
            lookup_key=req.lookup_key,
            full_name=req.full_name,
            name_key=fold_name(req.full_name),
            date_of_birth=req.date_of_birth,
            sex=req.sex,
            outcome=verdict.outcome,
            portal_code=verdict.portal_code or "",
            response=summary,
            verdict=verdict.as_dict(),  # as answered (check_id is the row's own id)
            checked_at=now,
            check_date=timezone.localdate(now),
            status=CheckStatus.PENDING if verdict.pending else CheckStatus.FINAL,
            attempts=1,
            next_attempt_at=_next_attempt(1) if verdict.pending else None,
        )
        verdict.check_id = check.pk
        _reconcile(check, verdict, req)
        if check.outcome == Outcome.VALID and check.status == CheckStatus.FINAL:
            key = cache.key_for(
                principal.facility_id, req.lookup_key, req.full_name, req.date_of_birth
            )
            cache.remember_after_commit(key, CachedCheck(check.pk, check.portal_code, summary, now))
        record_about(
            principal,
            Action.READ,
            "eligibility_check",
            check,
            "bhyt_eligibility",
            patient_id=patient_id,
            detail={"outcome": verdict.outcome, "portal_code": verdict.portal_code},
        )
    return verdict


def _from_cache(principal, check: CachedCheck, req: Request, patient_id, audit=True) -> Verdict:
    rule = codes.rule_for(check.portal_code, by_id=req.by_id)
    verdict = verdict_from_rule(rule, check.portal_code, req, check.response)
    verdict.check_id = check.pk
    verdict.from_cache = True
    if not audit:
        return verdict
    record_about(
        principal,
        Action.READ,
        "eligibility_check",
        check,
        "bhyt_eligibility",
        patient_id=patient_id,
        detail={"outcome": verdict.outcome, "portal_code": verdict.portal_code, "cache": True},
    )
    return verdict


# --- entry points -------------------------------------------------------------------------


def check_eligibility(
    principal,
    *,
    card_number: str | None = None,
    id_number: str | None = None,
    full_name: str,
    date_of_birth: date | str,
    sex: str | None = None,
    patient_id: int | None = None,
    deadline: float | None = None,
    audit_cache_hit: bool = True,
) -> Verdict:
    """Ask the portal (or today's cache) whether the citizen's BHYT card can be used.

    `audit_cache_hit=False`: a verdict served from today's cache is not audited here; the
    caller records the read in its own audit entry, in the same transaction as what it does
    with the verdict (a check-in names the check in the visit's entry: one append, one commit
    fewer at every returning patient's scan).

    `deadline` is an absolute time.monotonic() value by which the portal part must finish
    (default: now + KCB06_PORTAL_TIMEOUT). Bad input raises DomainError (400); every portal
    outcome, including failures, is a Verdict.
    """
    principal.require_role(*SERVICE_ROLES)
    require_facility(principal)
    req = parse_request(card_number, id_number, full_name, date_of_birth, sex)
    if not req.lookup_key:
        rule = codes.NO_DOCUMENT
        verdict = Verdict(rule.outcome, None, rule.reason_vi, rule.next_step_vi, None)
        return _store(principal, req, verdict, {}, patient_id)
    hit = cache.lookup_request(principal.facility_id, req)
    if hit is not None:
        return _from_cache(principal, hit, req, patient_id, audit=audit_cache_hit)
    if deadline is None:
        deadline = time.monotonic() + settings.KCB06_PORTAL_TIMEOUT
    verdict, summary = ask_portal(account_for(principal), req, deadline, principal.facility_id)
    return _store(principal, req, verdict, summary, patient_id)


def recheck(check: EligibilityCheck) -> Verdict:
    """Ask the portal again for a pending check, as the operator who first asked; update the
    row (final or pending with a later attempt) and, when final, send verdict_resolved in the
    same transaction. Called by jobs.recheck_pending."""
    from kcb06.facilities.services import principal_for_user

    req = Request(
        check.card_number,
        check.id_number,
        check.full_name,
        check.date_of_birth,
        check.sex,
    )
    principal = principal_for_user(check.operator, via="worker") if check.operator else None
    if principal is None or principal.facility_id != check.facility_id:
        rule = codes.FAILURES["not_configured"]
        verdict, summary = verdict_from_rule(rule, None, req, None), {"failure": "no_operator"}
    else:
        account = account_for(principal)
        deadline = time.monotonic() + settings.KCB06_PORTAL_TIMEOUT
        verdict, summary = ask_portal(account, req, deadline, check.facility_id)
    verdict.check_id = check.pk
    with transaction.atomic():
        check.outcome = verdict.outcome
        check.portal_code = verdict.portal_code or ""
        check.response = summary
        check.verdict = verdict.as_dict()
        check.checked_at = timezone.now()
        if verdict.pending:
            check.next_attempt_at = _next_attempt(check.attempts)
        else:
            check.status = CheckStatus.FINAL
            check.next_attempt_at = None
            _reconcile(check, verdict, req)
            if principal is not None:
                record_about(
                    principal,
                    Action.READ,
                    "eligibility_check",
                    check,
                    "bhyt_eligibility_recheck",
                    detail={"outcome": verdict.outcome, "portal_code": verdict.portal_code},
                )
        check.save()
        if not verdict.pending:
            # Same transaction: the visit follows the check, or neither changes.
            verdict_resolved.send(sender=EligibilityCheck, check=check, verdict=verdict)
    return verdict
