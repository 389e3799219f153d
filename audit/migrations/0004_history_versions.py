"""The change history keeps each row's version (docs/adr/006-stale-form-basis.md), so that a page
refused as stale can say what changed since the version it was shown from. Rows written before this
read as version 1: the latest of them is the row as it was when versions began."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0003_referralhistory_person_as_referred"),
    ]

    operations = [
        migrations.AddField(
            model_name="placementhistory",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
        ),
        migrations.AddField(
            model_name="referralhistory",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
        ),
        migrations.AddField(
            model_name="supportplanhistory",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
        ),
        migrations.AddField(
            model_name="voidperiodhistory",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
        ),
    ]
