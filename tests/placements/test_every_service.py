"""What every placement service does: refuse an unknown id with a ValidationError, and move the
referral's `updated_at` on at each step (the API's changed-since sync)."""

import pytest
from django.core.exceptions import ValidationError

from placements import services
from placements.models import DepartureReason, Destination
from tests.placements import helpers as h

pytestmark = pytest.mark.django_db


# --- Unknown records ----------------------------------------------------------------------------

UNKNOWN = 999_999


@pytest.mark.parametrize(
    "call",
    [
        "place_offender:referral",
        "place_offender:bedspace",
        "placement_confirm",
        "placement_arrive",
        "placement_not_arrived",
        "placement_cancel",
        "licence_renew",
        "placement_end",
        "void_add",
        "void_end",
    ],
)
def test_an_unknown_id_is_refused_with_a_validation_error(iom_officer, call):
    known = {"referral": h.accepted_referral().pk, "bedspace": h.make_bedspace().pk}
    calls = {
        "place_offender:referral": lambda: services.place_offender(
            referral_id=UNKNOWN, bedspace_id=known["bedspace"], starts_on=h.today(), by=iom_officer
        ),
        "place_offender:bedspace": lambda: services.place_offender(
            referral_id=known["referral"], bedspace_id=UNKNOWN, starts_on=h.today(), by=iom_officer
        ),
        "placement_confirm": lambda: services.placement_confirm(placement_id=UNKNOWN, by=iom_officer),
        "placement_arrive": lambda: services.placement_arrive(
            placement_id=UNKNOWN, arrived_on=h.today(), by=iom_officer
        ),
        "placement_not_arrived": lambda: services.placement_not_arrived(placement_id=UNKNOWN, by=iom_officer),
        "placement_cancel": lambda: services.placement_cancel(
            placement_id=UNKNOWN, reason="No.", by=iom_officer
        ),
        "licence_renew": lambda: services.licence_renew(
            placement_id=UNKNOWN, days=7, reason="More.", by=iom_officer
        ),
        "placement_end": lambda: services.placement_end(
            placement_id=UNKNOWN,
            departed_on=h.today(),
            reason=DepartureReason.RECALLED,
            destination=Destination.CUSTODY,
            by=iom_officer,
        ),
        "void_add": lambda: services.void_add(
            bedspace_id=UNKNOWN, starts_on=h.today(), ends_on=None, reason="repairs", by=iom_officer
        ),
        "void_end": lambda: services.void_end(void_id=UNKNOWN, ends_on=h.today(), by=iom_officer),
    }

    with pytest.raises(ValidationError):
        calls[call]()


# --- The referral's updated_at (what the API's changed-since sync reads) ---------------------------


def test_each_step_of_a_placement_bumps_its_referrals_updated_at_for_api_sync(iom_officer):
    from referrals.models import Referral as ReferralModel

    referral = h.accepted_referral()
    stamps = []

    def stamp():
        stamps.append(ReferralModel.objects.get(pk=referral.pk).updated_at)

    stamp()
    placement = h.book(referral, h.make_bedspace(), h.today(), iom_officer)
    stamp()
    services.placement_confirm(placement_id=placement.pk, by=iom_officer)
    stamp()
    services.placement_arrive(placement_id=placement.pk, arrived_on=h.today(), by=iom_officer)
    stamp()
    services.licence_renew(placement_id=placement.pk, days=7, reason="Waiting for a flat", by=iom_officer)
    stamp()
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
