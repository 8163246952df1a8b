"""A trigram index on the folded name (PostgreSQL only).

Name search and the likely-duplicate check fall back to "every word contained"
(`name_key LIKE '%word%'`) when no record has exactly the same folded name. Without an index
that reads every patient of a birth year (about 15,000 in a million); pg_trgm's GIN index
answers LIKE '%word%' directly. SQLite (the embedded default, small databases) does without.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS patient_name_trgm "
    "ON patients_patient USING gin (name_key gin_trgm_ops)"
)
DROP = "DROP INDEX IF EXISTS patient_name_trgm"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("patients", "0002_patientmerge")]

    operations = [migrations.RunPython(forwards, backwards)]
