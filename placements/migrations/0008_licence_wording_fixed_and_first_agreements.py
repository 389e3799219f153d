"""Licence wording versions cannot be changed (an edit is a new version); the scheme starts with
a first version in plain words for a manager to adapt; and every licence term granted before
agreements existed gets its agreement, issued on the day the term was granted."""

from django.db import migrations

FIXED = """
CREATE FUNCTION placements_licencewording_fixed() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'a licence wording version cannot be changed: save a new version (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER placements_licencewording_fixed BEFORE UPDATE ON placements_licencewording
    FOR EACH ROW EXECUTE FUNCTION placements_licencewording_fixed();
"""

UNFIXED = """
DROP TRIGGER placements_licencewording_fixed ON placements_licencewording;
DROP FUNCTION placements_licencewording_fixed();
"""

FIRST_WORDING = {
    "version": 1,
    "title": "Licence to occupy",
    "conditions": "\n".join(
        [
            "You may live in the property for the dates of this licence only. It is a licence to "
            "occupy, not a tenancy, and lasts no more than 4 weeks at a time.",
            "You must keep the property clean, safe and in good order, and report any repairs.",
            "You must not bring, use or sell illegal drugs in the property.",
            "You must not behave in a way that causes nuisance or annoyance to neighbours.",
            "You must let the IOM team and supporting agencies visit you at the property.",
            "You must keep to the conditions of your probation licence.",
        ]
    ),
    "house_rules": "\n".join(
        [
            "No one else may stay overnight.",
            "Do not change the locks or give anyone else a key.",
            "No smoking inside the property.",
        ]
    ),
    "breach": (
        "If you break a condition of this licence you may be given a verbal, written or final "
        "warning. If you keep breaking the conditions, or for a serious breach (violence, threats, "
        "dealing drugs, serious damage), the licence may be ended: with notice, or at once."
    ),
    "contacts": "IOM team (office hours): the number on your key card.\nOut of hours emergencies: 999.",
    "charge_text": "There is no charge for the property. Your support worker will help you with any benefit claims.",
    "notice_days": 7,
}


def first_wording_and_agreements(apps, schema_editor):
    Wording = apps.get_model("placements", "LicenceWording")
    Term = apps.get_model("placements", "LicenceTerm")
    Agreement = apps.get_model("placements", "LicenceAgreement")
    wording = Wording.objects.create(**FIRST_WORDING)
    from django.utils import timezone

    Agreement.objects.bulk_create(
        [
            Agreement(
                term_id=term.pk,
                wording_id=wording.pk,
                status="issued",
                issued_at=term.created_at,
                issued_on=timezone.localdate(term.created_at),
            )
            for term in Term.objects.only("pk", "created_at").iterator()
        ],
        batch_size=5000,
    )


class Migration(migrations.Migration):
    dependencies = [("placements", "0007_licence_agreements_warnings_breach_endings")]

    operations = [
        migrations.RunSQL(FIXED, UNFIXED),
        migrations.RunPython(first_wording_and_agreements, migrations.RunPython.noop),
    ]
