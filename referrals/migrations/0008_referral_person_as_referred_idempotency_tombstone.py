"""Referrals keep the person as their referrer sent them and how the person was found; stored
API replies keep the ids of the people they name (so that erasing one turns the key into a
tombstone instead of deleting it). Existing replies get their people from the referral or visit
they created."""

import uuid

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.core.serializers.json
from django.db import migrations, models


def people_of_stored_replies(apps, schema_editor):
    IdempotencyKey = apps.get_model("referrals", "IdempotencyKey")
    Referral = apps.get_model("referrals", "Referral")
    HomeVisit = apps.get_model("agencies", "HomeVisit")
    for record in IdempotencyKey.objects.exclude(response_body=None).iterator():
        body = record.response_body
        try:
            public_id = uuid.UUID(str(body.get("id"))) if isinstance(body, dict) else None
        except ValueError:  # a reply that is not a record's (an error) names no one
            public_id = None
        if public_id is None:
            continue
        offender_id = (
            Referral.objects.filter(public_id=public_id).values_list("offender_id", flat=True).first()
            or HomeVisit.objects.filter(public_id=public_id)
            .values_list("placement__offender_id", flat=True)
            .first()
        )
        if offender_id:
            record.offender_ids = [offender_id]
            record.save(update_fields=["offender_ids"])


class Migration(migrations.Migration):

    dependencies = [
        ('agencies', '0006_report_visit_indexes'),
        ('referrals', '0007_report_referral_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='idempotencykey',
            name='offender_ids',
            field=django.contrib.postgres.fields.ArrayField(base_field=models.BigIntegerField(), blank=True, default=list, size=None, verbose_name='people'),
        ),
        migrations.AddField(
            model_name='idempotencykey',
            name='subject_erased_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='person erased'),
        ),
        migrations.AddField(
            model_name='referral',
            name='person_details',
            field=models.JSONField(blank=True, default=dict, encoder=django.core.serializers.json.DjangoJSONEncoder, verbose_name='person as referred'),
        ),
        migrations.AddField(
            model_name='referral',
            name='person_match',
            field=models.CharField(blank=True, choices=[('new', 'Recorded from this referral'), ('confirmed', 'The referrer confirmed the person recorded with this name and date of birth'), ('identifier', 'Found by the PNC ID or CRN given')], max_length=12, verbose_name='how the person was found'),
        ),
        migrations.AddIndex(
            model_name='idempotencykey',
            index=django.contrib.postgres.indexes.GinIndex(fields=['offender_ids'], name='idempotency_key_people_idx'),
        ),
        migrations.RunPython(people_of_stored_replies, migrations.RunPython.noop),
    ]
