"""Registry and world for the facility-scope test (tests/platform/test_scope.py).

Each area declares how to reach its endpoints with another facility's patient in a file
`tests/<area>/scope_cases.py` that exports:

    CASES = [Case(...), ...]          # endpoints that take or return patient data
    EXEMPT = [Exempt(...), ...]       # endpoints without patient data, with the reason
    def extend_world(world): ...      # optional: create your rows for world.patient/visit

They are collected automatically; see test_scope.py for the rules.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parent.parent

OWN = "27901"  # the attacker's facility (demo TTYT)
OTHER = "27903"  # the facility where the world's patient exists only (demo commune station)


@dataclass(frozen=True)
class Case:
    """One request that names or may reveal another facility's patient.

    endpoint: the key test_scope lists: "METHOD /api/v1/path/{param}" for the API (the path
              exactly as declared on the router) or the URL name "namespace:name" for pages
              (the route string, e.g. "patients/<int:pk>/", when the URL has no name).
    path:     world -> the URL to request, e.g. lambda w: f"/api/v1/visits/{w.visit.pk}".
    method:   HTTP method. data: world -> body (JSON for /api/, form data for pages).
    role:     role of the requesting user (a user of that role exists at both facilities).
    via:      "session" and/or "api_key" (API keys only reach /api/).
    expect:   statuses allowed for the outsider. 403/404 for detail endpoints; for lists and
              searches use {200} — the body must still not show the patient.
    control:  "sees"  — the owner (same role, facility 27903) gets < 400 and the patient's name:
                        proves the case really reaches the data;
              "ok"    — the owner gets < 400 (the answer carries no name, e.g. an action);
              None    — no owner control (say why in `note`).
    """

    endpoint: str
    path: Callable[[World], str]
    method: str = "GET"
    data: Callable[[World], dict] | None = None
    role: str = "reception"
    via: tuple[str, ...] = ("session", "api_key")
    expect: frozenset[int] = frozenset({403, 404})
    control: str | None = "sees"
    note: str = ""
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.endpoint} [{self.role}{'/' + self.label if self.label else ''}]"


@dataclass(frozen=True)
class Exempt:
    """An endpoint that neither takes nor returns patient data; `reason` says why."""

    endpoint: str
    reason: str


@dataclass
class World:
    """Facility 27903's patient and visit, and users of each role at both facilities."""

    org: dict
    patient: object = None
    visit: object = None
    id_number: str = "027095012345"
    card_number: str = "GD4272795012345"
    extra: dict = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)
    _keys: dict = field(default_factory=dict)

    def facility(self, code: str):
        from kcb06.facilities.models import Facility

        return Facility.objects.get(code=code)

    def user(self, code: str | None, role: str):
        """A user of `role` at facility `code` (None = the province health department)."""
        from django.contrib.auth import get_user_model

        from kcb06.facilities.models import StaffProfile

        facility = self.facility(code) if code else self.org["facilities"]["SYT"]
        found = (
            StaffProfile.objects.filter(facility=facility, role=role)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        if found:
            return found.user
        username = f"{role}_{code or 'syt'}"
        user = get_user_model().objects.create_user(username, password="demo")
        StaffProfile.objects.create(
            user=user, facility=facility, role=role, full_name=f"Nhân viên {username}"
        )
        return user

    def api_key(self, user) -> str:
        from kcb06.facilities.services import create_api_key

        if user.pk not in self._keys:
            self._keys[user.pk] = create_api_key(user.staff.facility, f"scope {user}", user)
        return self._keys[user.pk]

    def leaked(self, text: str) -> list[str]:
        """Which secrets of the world appear in a response body (JSON unescaped first)."""
        bodies = [text]
        try:
            bodies.append(json.dumps(json.loads(text), ensure_ascii=False))
        except ValueError:
            pass
        return sorted({s for s in self.secrets for b in bodies if s and s in b})


def build_world(org) -> World:
    from django.utils import timezone

    from kcb06.patients.models import IdentifierKind, Patient, PatientFacility, PatientIdentifier
    from kcb06.visits.models import Visit

    w = World(org=org)
    other = w.facility(OTHER)
    w.patient = Patient.objects.create(
        full_name="Lưu Thị Bí Mật",
        name_key="bi luu mat thi",
        date_of_birth=date(1995, 3, 14),
        birth_year=1995,
        sex="female",
        address="Thôn Kín, phường Tam Sơn, tỉnh Bắc Ninh",
        phone="0912000777",
    )
    PatientIdentifier.objects.create(
        patient=w.patient, kind=IdentifierKind.ID_NUMBER, value=w.id_number
    )
    PatientIdentifier.objects.create(
        patient=w.patient, kind=IdentifierKind.BHYT_CARD, value=w.card_number
    )
    PatientFacility.objects.create(patient=w.patient, facility=other)
    now = timezone.now()
    w.visit = Visit.objects.create(
        ma_lk=f"{OTHER}.SCOPE.000001",
        facility=other,
        patient=w.patient,
        department=other.departments.first(),
        arrived_at=now,
        visit_date=timezone.localdate(now),
        reason="Đau đầu bí mật",
        card_number=w.card_number,
        uses_bhyt=True,
    )
    w.secrets = [
        w.patient.full_name,
        w.patient.full_name.upper(),
        w.id_number,
        w.card_number,
        w.visit.ma_lk,
        "0912000777",
        "Thôn Kín",
    ]
    for module in scope_modules():
        hook = getattr(module, "extend_world", None)
        if hook:
            hook(w)
    return w


def scope_modules() -> list:
    """Every tests/<area>/scope_cases.py, imported."""
    modules = []
    for path in sorted(TESTS_DIR.glob("*/scope_cases.py")):
        modules.append(importlib.import_module(f"tests.{path.parent.name}.scope_cases"))
    return modules


def all_cases() -> list[Case]:
    return [case for m in scope_modules() for case in getattr(m, "CASES", [])]


def all_exempt() -> list[Exempt]:
    return [e for m in scope_modules() for e in getattr(m, "EXEMPT", [])]


# --- walking the project's endpoints --------------------------------------------------------


def api_endpoints() -> set[str]:
    """ "METHOD /api/v1/path" for every operation of the Ninja API."""
    from kcb06.api import api

    found = set()
    for bound in api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            full = "/" + "/".join(
                p.strip("/") for p in ("api/v1", bound.prefix, path) if p.strip("/")
            )
            for operation in path_view.operations:
                for method in operation.methods:
                    found.add(f"{method.upper()} {full}")
    return found


def page_endpoints() -> dict[str, str]:
    """URL name (or route) -> route, for every Django URL outside /api/v1/ and /admin/."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found: dict[str, str] = {}

    def walk(patterns, prefix: str, namespace: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                if route.startswith(("api/v1/", "admin/")):
                    continue  # the API is walked by operation; the admin by test_admin_scope
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
                walk(p.url_patterns, route, ns)
            elif isinstance(p, URLPattern):
                key = f"{namespace}:{p.name}" if namespace and p.name else (p.name or route)
                found[key] = route

    walk(get_resolver().url_patterns, "", "")
    return found


def has_parameter(route: str) -> bool:
    return bool(re.search(r"<[^>]+>|\{[^}]+\}|\(\?P<", route))


def now_iso() -> str:
    return datetime.now().isoformat()
