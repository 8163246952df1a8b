"""PortalToken moves to the bhxh app (the one BHXH portal client): removed from eligibility's
state only; the table stays and kcb06/bhxh/migrations/0001 takes it over."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("eligibility", "0002_cache_index_ordered")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="PortalToken")],
            database_operations=[],
        )
    ]
