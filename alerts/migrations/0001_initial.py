"""Alerts move from `placements` to their own app, keeping their tables and their rows.

The models' state moves here (`SeparateDatabaseAndState`: nothing is run against the database);
their tables keep the names `placements_alert`, `placements_alertnotice` and `placements_jobrun`
(`Meta.db_table`), with their indexes, constraints and foreign keys as they were. The content
types are renamed rather than made anew, so that the admin's history and any permission given on
them follow the models. Then `placements` 0006 drops the models from its own state, after the
audit history's link to alerts is pointed here (`audit` 0007). The change-history triggers are not
migrations' business: `migrate` installs the new app's and prunes the old (PGTRIGGER_INSTALL_ON_MIGRATE).
docs/adr/008-one-home-for-alerts.md
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ("alert", "alertnotice", "jobrun")


def _rename_content_types(apps, schema_editor, *, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        # A fresh database has none yet (post_migrate makes them); skip one already there.
        if not ContentType.objects.using(db).filter(app_label=new, model=model).exists():
            ContentType.objects.using(db).filter(app_label=old, model=model).update(app_label=new)


def content_types_to_alerts(apps, schema_editor):
    _rename_content_types(apps, schema_editor, old="placements", new="alerts")


def content_types_to_placements(apps, schema_editor):
    _rename_content_types(apps, schema_editor, old="alerts", new="placements")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("agencies", "0006_report_visit_indexes"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("placements", "0005_version_db_default"),
        ("referrals", "0010_version_db_default"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="JobRun",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=60, unique=True, verbose_name="job")),
                        ("last_run_at", models.DateTimeField(verbose_name="last run")),
                        ("summary", models.CharField(blank=True, max_length=200, verbose_name="result")),
                    ],
                    options={
                        "verbose_name": "scheduled job run",
                        "db_table": "placements_jobrun",
                        "ordering": ["name"],
                    },
                ),
                migrations.CreateModel(
                    name="Alert",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("licence_ending", "Licence term ending"),
                                    ("licence_overrun", "Licence term overrun"),
                                    ("supervision_ending", "Supervision licence ending"),
                                    ("visit_missed", "No visit in 7 days"),
                                    ("referral_undecided", "Referral waiting for a decision"),
                                    ("booking_unconfirmed", "Provisional booking not confirmed"),
                                    ("arrival_missing", "Arrival not recorded"),
                                    ("visit_concern", "Concern raised on a visit"),
                                ],
                                max_length=24,
                                verbose_name="kind",
                            ),
                        ),
                        (
                            "key",
                            models.CharField(
                                help_text="The condition and its subject.", max_length=200, verbose_name="key"
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("open", "Open"),
                                    ("acknowledged", "Acknowledged"),
                                    ("resolved", "Resolved"),
                                ],
                                default="open",
                                max_length=12,
                                verbose_name="status",
                            ),
                        ),
                        ("message", models.CharField(max_length=300, verbose_name="message")),
                        ("due_on", models.DateField(blank=True, null=True, verbose_name="due")),
                        ("raised_at", models.DateTimeField(auto_now_add=True, verbose_name="raised")),
                        (
                            "acknowledged_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="acknowledged"),
                        ),
                        ("acknowledgement_note", models.TextField(blank=True, verbose_name="note")),
                        ("resolved_at", models.DateTimeField(blank=True, null=True, verbose_name="resolved")),
                        (
                            "acknowledged_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "agency",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="agencies.agency",
                            ),
                        ),
                        (
                            "offender",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="alerts",
                                to="referrals.offender",
                            ),
                        ),
                        (
                            "placement",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="alerts",
                                to="placements.placement",
                            ),
                        ),
                        (
                            "referral",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="alerts",
                                to="referrals.referral",
                            ),
                        ),
                        (
                            "visit",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="alerts",
                                to="agencies.homevisit",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "alert",
                        "db_table": "placements_alert",
                        "ordering": ["-raised_at"],
                    },
                ),
                migrations.CreateModel(
                    name="AlertNotice",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "channel",
                            models.CharField(
                                choices=[("digest", "Daily digest"), ("concern", "Concern email")],
                                max_length=10,
                                verbose_name="email",
                            ),
                        ),
                        ("sent_at", models.DateTimeField(auto_now_add=True, verbose_name="sent")),
                        (
                            "alert",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notices",
                                to="alerts.alert",
                            ),
                        ),
                        (
                            "recipient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "alert email",
                        "db_table": "placements_alertnotice",
                    },
                ),
                migrations.AddIndex(
                    model_name="alert",
                    index=models.Index(fields=["status", "kind"], name="alert_status_kind_idx"),
                ),
                migrations.AddIndex(
                    model_name="alert",
                    index=models.Index(
                        fields=["status", "due_on", "-raised_at", "id"], name="alert_status_due_idx"
                    ),
                ),
                migrations.AddIndex(
                    model_name="alert",
                    index=models.Index(
                        condition=models.Q(("status", "resolved"), _negated=True),
                        fields=["kind", "offender"],
                        name="alert_unresolved_idx",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="alert",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("status", "resolved"), _negated=True),
                        fields=("key",),
                        name="alert_one_unresolved_per_key",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="alert",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("status__in", ["open", "acknowledged", "resolved"])),
                        name="alert_status_valid",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="alert",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "resolved"), _negated=True),
                            ("resolved_at__isnull", False),
                            _connector="OR",
                        ),
                        name="alert_resolved_has_date",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="alert",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "acknowledged"), _negated=True),
                            ("acknowledged_at__isnull", False),
                            _connector="OR",
                        ),
                        name="alert_acknowledged_has_date",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="alertnotice",
                    constraint=models.UniqueConstraint(
                        fields=("recipient", "alert", "channel"), name="alertnotice_once_per_recipient"
                    ),
                ),
            ],
        ),
        migrations.RunPython(content_types_to_alerts, content_types_to_placements, elidable=False),
    ]
