"""The history of alerts points at `alerts.Alert` now that the model lives there (alerts 0001).
State only: the link has no database constraint, and the table it names is the same one."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0001_initial"),
        ("audit", "0006_history_version_db_default"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="alerthistory",
                    name="pgh_obj",
                    field=models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="history",
                        to="alerts.alert",
                    ),
                ),
            ],
        ),
    ]
