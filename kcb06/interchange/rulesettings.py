"""A facility's switches over the claim rule catalogue (interchange.core.rules): switch a rule
off or make it a warning, audited; the policy the outbox and the closing form apply; and how
many of the facility's recent claims each rule would flag, to see before switching it on."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from lxml import etree

from kcb06.audit.services import Action, record
from kcb06.errors import DomainError
from kcb06.interchange.core import rules
from kcb06.interchange.models import OutboxItem, OutboxKind, OutboxState, RuleMode, RuleSetting

RECENT_DAYS = 30
RECENT_LIMIT = 2000  # the newest claims read for the counts (the page says so)
MODES = {m.value for m in RuleMode}


def policy_for(facility) -> dict[str, str]:
    """{rule code: mode} of the facility's switches (no row = the catalogue's severity)."""
    if facility is None:
        return {}
    return dict(RuleSetting.objects.filter(facility=facility).values_list("code", "mode"))


def set_mode(principal, code: str, mode: str) -> str:
    """Set a rule's mode for the principal's facility; "" when unchanged. Audited."""
    known = {r.code: r for r in rules.catalogue()}
    if code not in known or known[code].relaxation:
        raise DomainError(
            "unknown_rule", f"Không có quy tắc {code[:16]}.", f"Unknown rule {code[:16]}."
        )
    if mode not in MODES:
        raise DomainError(
            "invalid_rule_mode",
            "Chế độ phải là: chặn hồ sơ, chỉ cảnh báo hoặc tắt.",
            "Mode must be error, warning or off.",
        )
    facility = principal.facility
    with transaction.atomic():
        row = RuleSetting.objects.select_for_update().filter(facility=facility, code=code).first()
        before = row.mode if row else known[code].severity
        if before == mode:
            return ""
        if mode == known[code].severity:
            RuleSetting.objects.filter(facility=facility, code=code).delete()
        else:
            RuleSetting.objects.update_or_create(
                facility=facility,
                code=code,
                defaults={"mode": mode, "updated_by": principal.user},
            )
        record(
            principal,
            Action.UPDATE,
            object_type="claim_rule",
            object_id=code,
            purpose="rule_setting",
            detail={"code": code, "from": before, "to": mode},
            facility_id=facility.pk,
        )
    return mode


def _tables(item: OutboxItem) -> dict:
    out = {}
    for code, text in (item.tables or {}).items():
        try:
            out[code] = etree.fromstring(text.encode())
        except (etree.XMLSyntaxError, ValueError):
            return {}
    return out


def recent_flags(facility, days: int = RECENT_DAYS) -> dict:
    """{"claims": n read, "flags": {rule code: claims it flags}, "days", "limit"}: every rule at
    full strength (the facility's switches ignored), over the newest claims of the outbox."""
    since = timezone.now() - timedelta(days=days)
    items = (
        OutboxItem.objects.filter(facility=facility, kind=OutboxKind.CLAIM, created_at__gte=since)
        .exclude(state=OutboxState.SUPERSEDED)
        .order_by("-created_at")
        .only("tables")[:RECENT_LIMIT]
    )
    flags: dict[str, int] = {}
    n = 0
    for item in items.iterator(chunk_size=200):
        tables = _tables(item)
        if not tables:
            continue
        n += 1
        for code in {e["rule"] for e in rules.run(tables)}:
            flags[code] = flags.get(code, 0) + 1
    return {"claims": n, "flags": flags, "days": days, "limit": RECENT_LIMIT}


def rows(facility) -> dict:
    """What the page shows: every rule with its mode for this facility and its recent flags."""
    policy = policy_for(facility)
    recent = recent_flags(facility)
    out = []
    for r in rules.catalogue():
        if r.relaxation:
            continue
        out.append(
            {
                "code": r.code,
                "sheet": r.sheet,
                "table": r.table,
                "fields": ", ".join(r.fields),
                "message_vi": r.message_vi,
                "next_step": r.next_step,
                "default": r.severity,
                "mode": policy.get(r.code, r.severity),
                "changed": r.code in policy,
                "flags": recent["flags"].get(r.code, 0),
            }
        )
    return {
        "rules": out,
        "claims": recent["claims"],
        "days": recent["days"],
        "limit": recent["limit"],
    }
