"""Who may see what: facility scope of a user, roles, and per-facility API keys."""

import hashlib
import secrets
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from kcb06.errors import DomainError, Forbidden
from kcb06.facilities.models import ApiKey, Facility, Role, StaffProfile
from kcb06.plumbing import rawrows
from kcb06.plumbing.shortcache import ShortCache

API_KEY_PREFIX = "kcb06"


@dataclass(frozen=True)
class Principal:
    """The acting staff member behind a request, whether by session or by API key."""

    user: AbstractBaseUser
    profile: StaffProfile | None
    via: str  # "session" | "api_key" | "cli"
    api_key_id: int | None = None
    ip: str | None = None

    @property
    def role(self) -> str | None:
        return self.profile.role if self.profile else None

    @property
    def facility(self) -> Facility | None:
        return self.profile.facility if self.profile else None

    @property
    def facility_id(self) -> int | None:
        return self.profile.facility_id if self.profile else None

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    def require_role(self, *roles: str) -> None:
        if not self.has_role(*roles):
            raise Forbidden(
                "forbidden_role",
                "Vai trò của bạn không được phép thực hiện thao tác này.",
                "Your role is not allowed to do this.",
            )

    def patient_data_facility_ids(self) -> set[int]:
        """Facilities whose patient records this principal may read: never a health department."""
        if not self.profile or self.role == Role.HEALTH_DEPT:
            return set()
        return {self.profile.facility_id}

    def aggregate_facility_ids(self) -> set[int]:
        """Facilities whose aggregate figures this principal may see."""
        if not self.profile:
            return set()
        if self.role == Role.HEALTH_DEPT:
            return self.profile.facility.descendant_ids()
        return {self.profile.facility_id}


def principal_for_user(user, via: str = "session", ip: str | None = None) -> Principal:
    profile = None
    if user and user.is_authenticated:
        # One query for profile and facility (user.staff would cost one more).
        profile = StaffProfile.objects.select_related("facility").filter(user_id=user.pk).first()
    return Principal(user=user, profile=profile, via=via, ip=ip)


def _hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(facility: Facility, name: str, acting_user, *, secret: str | None = None) -> str:
    """Create a key and return its full text; only the hash is kept, so show it once."""
    profile = getattr(acting_user, "staff", None)
    if profile is None or profile.facility_id != facility.pk:
        raise DomainError(
            "api_key_user",
            "Tài khoản đứng tên khóa API phải là nhân viên của chính cơ sở đó.",
            "The acting user of an API key must be staff of the same facility.",
        )
    prefix = secrets.token_hex(4)
    secret = secret or secrets.token_urlsafe(32)
    ApiKey.objects.create(
        facility=facility,
        name=name,
        prefix=prefix,
        key_hash=_hash_key(secret),
        acting_user=acting_user,
    )
    return f"{API_KEY_PREFIX}_{prefix}_{secret}"


def ensure_api_key(facility: Facility, name: str, acting_user, full_key: str) -> None:
    """Register a known key text (demo data only), idempotently."""
    _, prefix, secret = full_key.split("_", 2)
    ApiKey.objects.update_or_create(
        prefix=prefix,
        defaults={
            "facility": facility,
            "name": name,
            "key_hash": _hash_key(secret),
            "acting_user": acting_user,
            "revoked_at": None,
        },
    )


class InvalidApiKey(DomainError):
    status = 401


def authenticate_api_key(text: str, ip: str | None = None) -> Principal:
    parts = (text or "").strip().split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX or not parts[1] or not parts[2]:
        raise InvalidApiKey(
            "api_key_malformed",
            "Khóa API không đúng định dạng (kcb06_<tiền tố>_<bí mật>).",
            "Malformed API key (expected kcb06_<prefix>_<secret>).",
        )
    key = API_KEYS.get(parts[1], lambda: _api_key_with_staff(parts[1]))
    if key is None or not secrets.compare_digest(key.key_hash, _hash_key(parts[2])):
        raise InvalidApiKey(
            "api_key_invalid", "Khóa API không hợp lệ.", "The API key is not valid."
        )
    if key.revoked_at is not None:
        raise InvalidApiKey(
            "api_key_revoked", "Khóa API đã bị thu hồi.", "The API key has been revoked."
        )
    if not key.acting_user.is_active or not hasattr(key.acting_user, "staff"):
        raise InvalidApiKey(
            "api_key_user_inactive",
            "Tài khoản đứng tên khóa API đã bị khóa.",
            "The account behind this API key is disabled.",
        )
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now  # the cached row too
    return Principal(
        user=key.acting_user, profile=key.acting_user.staff, via="api_key", api_key_id=key.pk, ip=ip
    )


# Key, user, profile and facility of the API keys in use, for API_KEY_SECONDS (kcb06.plumbing.shortcache):
# a revoked key, a disabled user or a changed role counts at once in the process that changed
# it and within that time in the others. The secret is compared at every call.
API_KEY_SECONDS = 2.0
API_KEYS = ShortCache(API_KEY_SECONDS)


def _api_key_with_staff(prefix: str) -> ApiKey | None:
    """Every API call starts here: key, acting user, staff profile and facility in one
    hand-written read (kcb06.plumbing.rawrows)."""
    user_model = ApiKey.acting_user.field.related_model
    cols = rawrows.select_list(
        (ApiKey, "k"), (user_model, "u"), (StaffProfile, "s"), (Facility, "f")
    )
    found = rawrows.fetch_one(
        f"SELECT {cols} FROM facilities_apikey k "  # noqa: S608 - generated column list
        f"JOIN {user_model._meta.db_table} u ON u.id = k.acting_user_id "
        "LEFT JOIN facilities_staffprofile s ON s.user_id = u.id "
        "LEFT JOIN facilities_facility f ON f.id = s.facility_id "
        "WHERE k.prefix = %s",
        [prefix],
        ApiKey,
        user_model,
        StaffProfile,
        Facility,
    )
    if found is None:
        return None
    key, user, profile, facility = found
    if profile is not None:
        StaffProfile.facility.field.set_cached_value(profile, facility)
        StaffProfile.user.field.set_cached_value(profile, user)
    # Reverse one-to-one: set even when absent, so `user.staff` asks no query either way.
    StaffProfile.user.field.remote_field.set_cached_value(user, profile)
    ApiKey.acting_user.field.set_cached_value(key, user)
    return key


@transaction.atomic
def revoke_api_key(key: ApiKey) -> None:
    ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    API_KEYS.clear()


def facility_by_code(code: str) -> Facility:
    facility = Facility.objects.filter(code=(code or "").strip().upper()).first()
    if facility is None:
        raise DomainError(
            "facility_unknown",
            f"Không có cơ sở y tế với mã {code!r} trong hệ thống.",
            f"No facility with code {code!r}.",
            status=404,
        )
    return facility


def validate_code_text(code: str) -> str:
    code = (code or "").strip().upper()
    if len(code) != 5 or not code.isalnum():
        raise DomainError(
            "facility_code_invalid",
            "Mã cơ sở KCB (MA_CSKCB) phải có đúng 5 ký tự chữ hoặc số.",
            "A facility code (MA_CSKCB) has exactly 5 letters or digits.",
            status=400,
        )
    return code


def facility_info_for(principal: Principal, code: str) -> dict:
    """Public facts of a facility, only when it lies within the caller's scope.

    Scope is the caller's own facility or, for a health department, the facilities under it.
    A known facility outside that scope answers 403 with its own code, so an operator can tell
    a typo (404) from a missing permission (403).
    """
    facility = facility_by_code(validate_code_text(code))
    allowed = principal.aggregate_facility_ids() | (
        {principal.facility_id} if principal.facility_id else set()
    )
    if facility.pk not in allowed:
        raise Forbidden(
            "facility_out_of_scope",
            f"Cơ sở {facility.code} không thuộc phạm vi của bạn.",
            f"Facility {facility.code} is outside your scope.",
        )
    return {
        "code": facility.code,
        "name": facility.name,
        "kind": facility.kind,
        "parent_code": facility.parent.code if facility.parent_id else None,
        "province_code": facility.province_code,
        "old_province_code": facility.old_province_code,
        "ward_code": facility.ward_code,
        "address": facility.address,
        "is_active": facility.is_active,
    }
