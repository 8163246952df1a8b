"""PostgreSQL: the check-in's statements are prepared; value-dependent searches never are.

A prepared statement may run from one generic plan for every value. For `name_key LIKE
'%word%'` that plan cannot use the trigram index and reads the whole patient table, so a
name search over a million patients would slow from milliseconds to seconds.
"""

from datetime import date

import pytest
from django.db import connection

from kcb06.patients import services as mpi
from kcb06.patients.duplicates import likely_duplicates
from kcb06.patients.models import PatientFacility
from tests.visits.helpers import principal

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
    ),
]


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_name_search_and_duplicate_search_are_planned_with_their_values(org):
    for i in range(3):
        patient = mpi.safe_create(mpi.PersonData(f"Trần Văn Thử{i} Demo", date(1970, 1, 1), "male"))
        PatientFacility.objects.create(patient=patient, facility=org["facilities"]["27901"])
    p = principal(org)
    for _ in range(8):  # well past psycopg's threshold and PostgreSQL's five custom plans
        mpi.search(p, "thu1 demo", 1970)
        mpi.search(p, "van", 1970)
        likely_duplicates(
            mpi.PersonData("Trần Văn Thử9 Demo", date(1970, 1, 1), "male"), facility_ids={1}
        )
    assert not [s for s in _prepared() if " LIKE " in s.upper()]
    # ...while plain key lookups are prepared (the connection does use prepared statements).
    for _ in range(3):
        mpi.by_identifier("id_number", "027070000001")
    assert any("patients_patientidentifier" in s for s in _prepared())
