"""Referrals get a version that a trigger raises on every change of the row (a decision, the
referrer's changes, each step of its placement, which touches it), so that pages can refuse a change
made on an older version (docs/adr/006-stale-form-basis.md)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("referrals", "0008_referral_person_as_referred_idempotency_tombstone"),
    ]

    operations = [
        migrations.AddField(
            model_name="referral",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
        ),
        migrations.RunSQL(
            """
            CREATE FUNCTION referrals_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                NEW.version := OLD.version + 1;
                RETURN NEW;
            END;
            $$;
            CREATE TRIGGER referrals_referral_version BEFORE UPDATE ON referrals_referral
                FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION referrals_bump_version();
            """,
            """
            DROP TRIGGER referrals_referral_version ON referrals_referral;
            DROP FUNCTION referrals_bump_version();
            """,
        ),
    ]
