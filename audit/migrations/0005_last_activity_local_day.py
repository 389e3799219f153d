# A person's last activity is a day in London, as every "today" of the app is: the session time zone
# Django gives PostgreSQL is UTC, so `created_at::date` put a record made between 00:00 and 01:00
# BST on the day before (and its retention review a day early). The zone is written out, as in
# reports.metrics.LOCAL_ZONE, so that every database ends with the same functions.
from django.db import migrations

FUNCTIONS = """
CREATE OR REPLACE FUNCTION audit_offender_refresh_activity(person bigint) RETURNS void AS $$
    UPDATE referrals_offender o
    SET last_activity_on = a.day
    FROM (
        SELECT GREATEST(
            (SELECT (created_at AT TIME ZONE '{zone}')::date FROM referrals_offender WHERE id = person),
            (SELECT max(GREATEST(starts_on, COALESCE(departed_on, ends_on)))
               FROM placements_placement WHERE offender_id = person),
            (SELECT max(occurred_on) FROM referrals_offenderevent WHERE offender_id = person),
            (SELECT (max(submitted_at) AT TIME ZONE '{zone}')::date FROM referrals_referral WHERE offender_id = person)
        ) AS day
    ) a
    WHERE o.id = person AND o.last_activity_on IS DISTINCT FROM a.day;
$$ LANGUAGE sql;

CREATE OR REPLACE FUNCTION audit_offender_activity_on_insert() RETURNS trigger AS $$
BEGIN
    NEW.last_activity_on := GREATEST(NEW.last_activity_on, (NEW.created_at AT TIME ZONE '{zone}')::date);
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

# The last activity of everyone already recorded, on the new rule.
REFRESH = "SELECT audit_offender_refresh_activity(id) FROM referrals_offender;"


def functions(zone: str) -> str:
    return FUNCTIONS.replace("{zone}", zone)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0004_history_versions"),
    ]

    operations = [
        migrations.RunSQL(
            functions("Europe/London") + REFRESH,
            # Back to the session's zone (UTC), as 0001 wrote them.
            functions("UTC") + REFRESH,
        ),
    ]
