"""Alerts, their emails and the job runs now belong to the `alerts` app (alerts 0001): dropped from
this app's state only. Their tables stay, under their old names, with every row."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0001_initial"),
        ("audit", "0007_alerthistory_follows_alert"),
        ("placements", "0005_version_db_default"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(model_name="alert", name="acknowledged_by"),
                migrations.RemoveField(model_name="alert", name="agency"),
                migrations.RemoveField(model_name="alert", name="offender"),
                migrations.RemoveField(model_name="alert", name="placement"),
                migrations.RemoveField(model_name="alert", name="referral"),
                migrations.RemoveField(model_name="alert", name="visit"),
                migrations.RemoveField(model_name="alertnotice", name="alert"),
                migrations.RemoveField(model_name="alertnotice", name="recipient"),
                migrations.DeleteModel(name="JobRun"),
                migrations.DeleteModel(name="Alert"),
                migrations.DeleteModel(name="AlertNotice"),
            ],
        ),
    ]
