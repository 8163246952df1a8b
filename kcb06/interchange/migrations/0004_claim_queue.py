"""The claim-error work queue: the visit's department on each outbox row, three columns the
database computes (first error, funnel stage, the time the claim's age runs from) and partial
indexes so the queue answers from indexes on a million claims (docs/claims.md)."""

import django.db.models.deletion
import django.db.models.fields.json
import django.db.models.functions.comparison
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('facilities', '0003_facility_former_route_level'),
        ('interchange', '0003_rule_settings'),
        ('visits', '0007_visit_check_in_method'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='outboxitem',
            name='department',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='facilities.department'),
        ),
        migrations.AddField(
            model_name='outboxitem',
            name='queue_error',
            field=models.GeneratedField(db_persist=True, expression=django.db.models.functions.text.Left(models.Case(models.When(errors__0__code__isnull=False, then=django.db.models.functions.text.Concat(django.db.models.fields.json.KeyTextTransform('table', django.db.models.fields.json.KeyTextTransform('0', 'errors')), models.Value('.'), django.db.models.fields.json.KeyTextTransform('field', django.db.models.fields.json.KeyTextTransform('0', 'errors')), models.Value(':'), django.db.models.fields.json.KeyTextTransform('code', django.db.models.fields.json.KeyTextTransform('0', 'errors')), output_field=models.TextField())), models.When(models.Q(('result_code__in', ('', '200', '401')), _negated=True), then=django.db.models.functions.text.Concat(models.Value('CONG:'), 'result_code', output_field=models.TextField())), models.When(state='failed', then=models.Value('GUI_LOI')), default=models.Value(''), output_field=models.TextField()), 120), output_field=models.CharField(max_length=120)),
        ),
        migrations.AddField(
            model_name='outboxitem',
            name='queue_since',
            field=models.GeneratedField(db_persist=True, expression=django.db.models.functions.comparison.Coalesce('visit_ended_at', 'created_at'), output_field=models.DateTimeField()),
        ),
        migrations.AddField(
            model_name='outboxitem',
            name='queue_stage',
            field=models.GeneratedField(db_persist=True, expression=models.Case(models.When(state='invalid', then=models.Value(1)), models.When(signed__isnull=True, state__in=('waiting', 'failed'), then=models.Value(2)), models.When(state__in=('waiting', 'failed'), then=models.Value(3)), models.When(state='sent', then=models.Value(4)), models.When(state='rejected', then=models.Value(5)), models.When(state='accepted', then=models.Value(6)), default=models.Value(0), output_field=models.SmallIntegerField()), output_field=models.SmallIntegerField()),
        ),
        # Claims already written take their visit's department.
        migrations.RunSQL(
            "UPDATE interchange_outboxitem SET department_id = ("
            "SELECT v.department_id FROM visits_visit v WHERE v.id = interchange_outboxitem.visit_id"
            ") WHERE visit_id IS NOT NULL",
            migrations.RunSQL.noop,
        ),
        migrations.AddIndex(
            model_name='outboxitem',
            index=models.Index(condition=models.Q(('kind', 'claim')), fields=['facility', 'queue_since', 'queue_stage', 'state'], name='outbox_claim_funnel'),
        ),
        migrations.AddIndex(
            model_name='outboxitem',
            index=models.Index(condition=models.Q(('kind', 'claim'), ('state__in', ('invalid', 'waiting', 'sent', 'rejected', 'failed'))), fields=['facility', 'queue_since', 'id'], name='outbox_queue_age'),
        ),
        migrations.AddIndex(
            model_name='outboxitem',
            index=models.Index(condition=models.Q(('kind', 'claim'), ('state__in', ('invalid', 'waiting', 'sent', 'rejected', 'failed'))), fields=['facility', 'queue_error', 'queue_since', 'id', 'department'], name='outbox_queue_error'),
        ),
        migrations.AddIndex(
            model_name='outboxitem',
            index=models.Index(condition=models.Q(('kind', 'claim'), ('state__in', ('invalid', 'waiting', 'sent', 'rejected', 'failed'))), fields=['facility', 'department', 'queue_since', 'id'], name='outbox_queue_dept'),
        ),
        migrations.AddIndex(
            model_name='outboxitem',
            index=models.Index(condition=models.Q(('kind', 'claim'), models.Q(('queue_error', ''), _negated=True)), fields=['facility', 'queue_since', 'queue_error'], name='outbox_claim_errors'),
        ),
    ]
