"""The referrals waiting for a bedspace (`WaitingReferral`): accepted, with no booking held on them.
Kept by triggers rather than the services, so that every way a referral's status or a placement's
status or referral changes (services, bulk updates, the admin, erasure) keeps the list right; and
filled here from what is already recorded."""

import django.db.models.deletion
from django.db import migrations, models

# A placement that no longer holds its referral: cancelled, or the person did not arrive
# (placements.models.RELEASED_PLACEMENT_STATUSES when this was written).
REFRESH = """
CREATE FUNCTION referrals_refresh_waiting(referral bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF referral IS NULL THEN
        RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM referrals_referral r WHERE r.id = referral AND r.status = 'accepted')
       AND NOT EXISTS (SELECT 1 FROM placements_placement p
                       WHERE p.referral_id = referral AND p.status NOT IN ('cancelled', 'not_arrived')) THEN
        INSERT INTO referrals_waitingreferral (referral_id) VALUES (referral) ON CONFLICT DO NOTHING;
    ELSE
        DELETE FROM referrals_waitingreferral WHERE referral_id = referral;
    END IF;
END;
$$;

CREATE FUNCTION referrals_waiting_on_referral() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM referrals_waitingreferral WHERE referral_id = OLD.id;
        RETURN OLD;
    END IF;
    PERFORM referrals_refresh_waiting(NEW.id);
    RETURN NULL;
END;
$$;

CREATE FUNCTION referrals_waiting_on_placement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM referrals_refresh_waiting(OLD.referral_id);
    END IF;
    IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.referral_id IS DISTINCT FROM OLD.referral_id
                              OR NEW.status IS DISTINCT FROM OLD.status) THEN
        PERFORM referrals_refresh_waiting(NEW.referral_id);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER referral_waiting AFTER INSERT OR UPDATE OF status ON referrals_referral
    FOR EACH ROW EXECUTE FUNCTION referrals_waiting_on_referral();
CREATE TRIGGER referral_waiting_gone BEFORE DELETE ON referrals_referral
    FOR EACH ROW EXECUTE FUNCTION referrals_waiting_on_referral();
CREATE TRIGGER placement_waiting AFTER INSERT OR UPDATE OF status, referral_id OR DELETE ON placements_placement
    FOR EACH ROW EXECUTE FUNCTION referrals_waiting_on_placement();
"""

# Also what `seed_scale` runs after its load, which has the triggers off (demo/scale.py).
FILL = """
INSERT INTO referrals_waitingreferral (referral_id)
SELECT r.id FROM referrals_referral r
WHERE r.status = 'accepted'
  AND NOT EXISTS (SELECT 1 FROM placements_placement p
                  WHERE p.referral_id = r.id AND p.status NOT IN ('cancelled', 'not_arrived'))
ON CONFLICT DO NOTHING;
"""

UNDO = """
DROP TRIGGER placement_waiting ON placements_placement;
DROP TRIGGER referral_waiting_gone ON referrals_referral;
DROP TRIGGER referral_waiting ON referrals_referral;
DROP FUNCTION referrals_waiting_on_placement();
DROP FUNCTION referrals_waiting_on_referral();
DROP FUNCTION referrals_refresh_waiting(bigint);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0016_constraint_messages_for_sharing_and_releases"),
        ("placements", "0015_constraint_messages_for_sharing_and_releases"),
    ]

    operations = [
        migrations.CreateModel(
            name="WaitingReferral",
            fields=[
                (
                    "referral",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="referrals.referral",
                        verbose_name="referral",
                    ),
                ),
            ],
            options={
                "verbose_name": "referral waiting for a bedspace",
            },
        ),
        migrations.RunSQL(REFRESH + FILL, UNDO),
    ]
