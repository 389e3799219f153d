"""Placements, void periods and support plans get a version that a trigger raises on every change of
the row, so that pages can refuse a change made on an older version
(docs/adr/006-stale-form-basis.md). A trigger rather than the services, so that bulk updates, the
admin and erasure move it too."""

from django.db import migrations, models

TABLES = ("placements_placement", "placements_voidperiod", "placements_supportplan")

FUNCTION = """
CREATE FUNCTION placements_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := OLD.version + 1;
    RETURN NEW;
END;
$$;
"""

TRIGGER = """
CREATE TRIGGER {table}_version BEFORE UPDATE ON {table}
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION placements_bump_version();
"""


class Migration(migrations.Migration):

    dependencies = [
        ("placements", "0003_perf_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="placement",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
        ),
        migrations.AddField(
            model_name="supportplan",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
        ),
        migrations.AddField(
            model_name="voidperiod",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
        ),
        migrations.RunSQL(
            FUNCTION + "".join(TRIGGER.format(table=table) for table in TABLES),
            "".join(f"DROP TRIGGER {table}_version ON {table};" for table in TABLES)
            + "DROP FUNCTION placements_bump_version();",
        ),
    ]
