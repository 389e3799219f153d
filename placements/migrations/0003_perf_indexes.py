from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("placements", "0002_alert_emails_job_runs_and_alert_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="alert",
            index=models.Index(fields=["status", "due_on", "-raised_at", "id"], name="alert_status_due_idx"),
        ),
        migrations.AddIndex(
            model_name="placement",
            index=models.Index(
                condition=models.Q(("status", "active")),
                fields=["bedspace", "starts_on"],
                name="placement_active_idx",
            ),
        ),
    ]
