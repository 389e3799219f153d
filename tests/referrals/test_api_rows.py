"""The API writes a referral with a plain function (`referral_representation`), not field by field
through DRF: here it is checked against what the serializer's own declared fields write, for
referrals in every state a client sees (undecided and seen only as sent, accepted and placed with
terms, arrived, declined with a reason, withdrawn), at times in summer and in winter, on the list
and on one referral."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from iom_housing.access import Role
from placements.models import Placement
from referrals.api import ReferralSerializer, referral_representation, referral_representations, referral_rows
from referrals.models import Referral
from referrals.selectors import referral_sync_list
from tests.factories import LicenceTermFactory, PlacementFactory, ReferralFactory
from tests.helpers import user_with_role

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
SUMMER = datetime(2026, 7, 1, 0, 30, tzinfo=LONDON)  # 23:30 UTC the day before
WINTER = datetime(2026, 12, 1, 9, 15, 5, 123456, tzinfo=LONDON)


def _history(agency=None) -> None:
    # The first is the agency worker's agency's own, undecided: it sees the person only as sent.
    ReferralFactory(
        submitted_at=SUMMER,
        wanted_from=date(2026, 7, 6),
        needs=["drugs", "housing"],
        # As the referrer sent the person, which differs from the record.
        person_details={
            "first_name": "Siôn",
            "last_name": "Carter",
            "date_of_birth": "1990-02-28",
            "pnc_id": "2008/3749382C",
            "crn": "X123456",
        },
        **({"referring_agency": agency} if agency else {}),
    )
    ReferralFactory(status=Referral.Status.IN_REVIEW, submitted_at=WINTER, urgency=Referral.Urgency.EMERGENCY)
    ReferralFactory(
        status=Referral.Status.DECLINED,
        submitted_at=WINTER,
        decline_reason=Referral.DeclineReason.choices[0][0],
    )
    ReferralFactory(status=Referral.Status.WITHDRAWN, submitted_at=SUMMER)
    booked = ReferralFactory(
        status=Referral.Status.ACCEPTED, submitted_at=SUMMER, decided_at=SUMMER + timedelta(days=1)
    )
    PlacementFactory(referral=booked, offender=booked.offender, starts_on=date(2026, 7, 10), with_term=True)
    lived = ReferralFactory(status=Referral.Status.ACCEPTED, submitted_at=WINTER, decided_at=WINTER)
    stay = PlacementFactory(
        referral=lived,
        offender=lived.offender,
        status=Placement.Status.ACTIVE,
        starts_on=date(2026, 11, 2),
        arrived_on=date(2026, 11, 2),
        ends_on=date(2026, 11, 30),
    )
    LicenceTermFactory(placement=stay, number=1, starts_on=date(2026, 11, 2), ends_on=date(2026, 11, 30))


@pytest.mark.parametrize("role", [Role.IOM_OFFICER, Role.AGENCY_WORKER])
def test_a_referral_is_written_as_the_serializers_fields_would_write_it(role, django_assert_max_num_queries):
    user = user_with_role(role)
    _history(agency=user.membership.agency)
    referrals = list(referral_sync_list(user=user))
    if role == Role.IOM_OFFICER:
        assert len(referrals) == 6
        assert any(r.live_placements and r.live_placements[0].terms_in_order for r in referrals)
        assert all(r.person_visible for r in referrals)
    else:
        assert [r.person_visible for r in referrals] == [False]
        assert referral_representation(referrals[0])["person"] == {
            "id": None,
            "first_name": "Siôn",
            "last_name": "Carter",
            "date_of_birth": "1990-02-28",
            "pnc_id": "2008/3749382C",
            "crn": "X123456",
        }
    serializer = ReferralSerializer()
    for referral in referrals:
        assert referral_representation(referral) == serializer.fields_representation(referral)
    rows = ReferralSerializer(referrals, many=True).data
    assert rows == [serializer.fields_representation(r) for r in referrals]
    # A list page is written from values() rows, in three queries whatever their number.
    expected = {r.pk: serializer.fields_representation(r) for r in referrals}
    with django_assert_max_num_queries(3):  # the terms are not asked for when no one is placed
        page = list(referral_rows(referral_sync_list(user=user)))
        written = referral_representations(page)
    assert {row["pk"]: w for row, w in zip(page, written, strict=True)} == expected


def test_times_are_in_uk_time_with_z_only_for_utc():
    _history()
    user = user_with_role(Role.IOM_OFFICER)
    written = {r["submitted_at"] for r in ReferralSerializer(referral_sync_list(user=user), many=True).data}
    assert written == {"2026-07-01T00:30:00+01:00", "2026-12-01T09:15:05.123456Z"}
