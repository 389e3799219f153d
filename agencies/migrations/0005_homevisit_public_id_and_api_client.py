# A visit gets a public id for the API, and may be recorded by an agency's case system.

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('agencies', '0004_apiclient'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='homevisit',
            name='public_id',
            field=models.UUIDField(editable=False, null=True),
        ),
        # One random id per existing row (a Python default would give every row the same one).
        migrations.RunSQL(
            "UPDATE agencies_homevisit SET public_id = gen_random_uuid() WHERE public_id IS NULL",
            migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name='homevisit',
            name='public_id',
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name='homevisit',
            name='recorded_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='recorded_visits', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='homevisit',
            name='recorded_by_client',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='recorded_visits', to='agencies.apiclient', verbose_name='recorded by API client'),
        ),
        migrations.AddConstraint(
            model_name='homevisit',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('recorded_by__isnull', False), ('recorded_by_client__isnull', True)), models.Q(('recorded_by__isnull', True), ('recorded_by_client__isnull', False)), _connector='OR'), name='homevisit_recorded_by_one'),
        ),
    ]
