"""The MAC era: entries appended from now on carry an HMAC under KCB06_AUDIT_KEY.

Entries already in a chain keep their plain SHA-256 value (the key did not exist when they were
written, and audit rows are never rewritten). Each existing chain's head records the first seq
of its MAC era, `mac_from` = its last seq + 1; chains begun later start at 1. The first MAC
entry of a chain hashes the last plain one, so from then on rewriting an old entry breaks a MAC;
run `kcb06 audit checkpoint` right after this migration so that the era boundary itself is
signed (see docs/operations.md, Security).
"""

from django.db import migrations, models
from django.db.models import F


def mark_era(apps, schema_editor):
    head = apps.get_model("audit", "AuditChainHead")
    head.objects.using(schema_editor.connection.alias).update(mac_from=F("seq") + 1)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_head_prev_hash")]
    operations = [
        migrations.AddField(
            model_name="auditchainhead",
            name="mac_from",
            field=models.BigIntegerField(db_default=1),
        ),
        migrations.RunPython(mark_era, migrations.RunPython.noop),
    ]
