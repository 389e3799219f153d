"""A follow-up check belongs to an ended placement and falls due its `months` after the
departure (PostgreSQL's month arithmetic, as `aftercare.services.follow_ups_schedule` computes
it). A trigger, since the rule reads the placement's row: a check constraint cannot."""

from django.db import migrations

FUNCTION = """
CREATE FUNCTION aftercare_followup_follows_departure() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    placement_status text;
    departed date;
BEGIN
    SELECT status, departed_on INTO placement_status, departed
    FROM placements_placement WHERE id = NEW.placement_id;
    IF placement_status IS DISTINCT FROM 'ended' OR departed IS NULL THEN
        RAISE EXCEPTION 'followup_placement_ended: placement % has not ended', NEW.placement_id
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.due_on <> (departed + make_interval(months => NEW.months))::date THEN
        RAISE EXCEPTION 'followup_due_after_departure: due % is not % months after %',
            NEW.due_on, NEW.months, departed USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER aftercare_followupcheck_follows_departure
    BEFORE INSERT OR UPDATE OF placement_id, months, due_on ON aftercare_followupcheck
    FOR EACH ROW EXECUTE FUNCTION aftercare_followup_follows_departure();
-- A deposit's version moves on every change, as a placement's does (placements 0004).
CREATE TRIGGER aftercare_deposit_version BEFORE UPDATE ON aftercare_deposit
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION placements_bump_version();
"""

REVERSE = """
DROP TRIGGER aftercare_deposit_version ON aftercare_deposit;
DROP TRIGGER aftercare_followupcheck_follows_departure ON aftercare_followupcheck;
DROP FUNCTION aftercare_followup_follows_departure();
"""


class Migration(migrations.Migration):
    dependencies = [("aftercare", "0001_deposits_and_follow_ups")]

    operations = [migrations.RunSQL(FUNCTION, REVERSE)]
