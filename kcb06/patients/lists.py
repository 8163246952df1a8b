"""Two lists of the facility's patients for the desk's pages: by date or year of birth alone,
and groups of records that look like one person (same folded name and birth year), for the
merge page. Scoped to the principal's facilities and audited like every other search."""

from __future__ import annotations

from datetime import date

from django.db.models import Count

from kcb06.patients.models import IdentifierKind, PatientIdentifier, PatientMerge
from kcb06.patients.services import MERGE_ROLES, _audit_search, _scope


def by_birth(principal, *, born: date | None = None, year: int | None = None, limit: int = 50):
    """Patients born that day (or that year); a record holding only a birth year matches a
    full date of that year, since it may be the same person."""
    qs = _scope(principal)
    if born is not None:
        qs = qs.filter(birth_year=born.year).exclude(dob_precision="day", date_of_birth__lt=born)
        qs = qs.exclude(dob_precision="day", date_of_birth__gt=born)
    elif year is not None:
        qs = qs.filter(birth_year=year)
    else:
        return []
    rows = list(qs.order_by("name_key", "pk")[:limit])
    _audit_search(principal, rows, "birth")
    return rows


def duplicate_groups(principal, *, limit: int = 30) -> list[list]:
    """Records of this facility that share the folded name and birth year, each group oldest
    first, leaving out groups whose records all hold different ID numbers (two hard keys are
    two people). For the merge page (facility admin)."""
    principal.require_role(*MERGE_ROLES)
    scope = _scope(principal)
    keys = (
        scope.values("name_key", "birth_year")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by("name_key", "birth_year")[:limit]
    )
    groups, seen = [], []
    for key in keys:
        members = list(
            scope.filter(name_key=key["name_key"], birth_year=key["birth_year"]).order_by("pk")
        )
        ids = dict(
            PatientIdentifier.objects.filter(
                patient__in=members, kind=IdentifierKind.ID_NUMBER, is_active=True
            ).values_list("patient_id", "value")
        )
        for p in members:
            p.id_number_tail = ids.get(p.pk, "")[-4:]
        if len({ids[p.pk] for p in members if p.pk in ids}) == len(members):
            continue  # every record holds its own ID number: different people
        groups.append(members)
        seen += members
    _audit_search(principal, seen, "duplicates")
    return groups


def recent_merges(principal, *, limit: int = 20) -> list[PatientMerge]:
    principal.require_role(*MERGE_ROLES)
    ids = principal.patient_data_facility_ids()
    return list(
        PatientMerge.objects.filter(target__facility_links__facility_id__in=ids)
        .select_related("source", "target", "merged_by", "undone_by")
        .distinct()
        .order_by("-merged_at")[:limit]
    )
