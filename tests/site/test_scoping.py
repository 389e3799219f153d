"""Who sees which people: every selector that returns people applies `people_scope`."""

from datetime import date

import pytest

from iom_housing.access import Role, people_scope
from placements.models import Placement
from placements.selectors import placement_list
from referrals.models import Offender, Referral
from referrals.selectors import offender_list, referral_list
from tests.factories import (
    AgencyFactory,
    PlacementFactory,
    ReferralFactory,
    SupportAgencyFactory,
    SupportPlanFactory,
)
from tests.helpers import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    probation, ddas, other = AgencyFactory(), AgencyFactory(), AgencyFactory()
    # Probation referred this person and an officer accepted it; and referred another, not yet decided.
    referred = ReferralFactory(referring_agency=probation, status=Referral.Status.ACCEPTED)
    waiting = ReferralFactory(referring_agency=probation)
    supported = PlacementFactory()  # ddas supports this placement
    SupportAgencyFactory(support_plan=SupportPlanFactory(placement=supported), agency=ddas)
    formerly = PlacementFactory()  # ddas used to support this one
    SupportAgencyFactory(
        support_plan=SupportPlanFactory(placement=formerly), agency=ddas, ended_on=date(2026, 1, 1)
    )
    stranger = ReferralFactory(referring_agency=other)
    return {
        "probation": probation,
        "ddas": ddas,
        "referred": referred,
        "waiting": waiting,
        "supported": supported,
        "formerly": formerly,
        "stranger": stranger,
    }


def test_an_agency_worker_sees_the_people_their_agency_referred_once_accepted(world):
    worker = user_with_role(Role.AGENCY_WORKER, world["probation"])
    assert list(offender_list(user=worker)) == [world["referred"].offender]
    assert list(placement_list(user=worker)) == []


def test_an_agency_worker_sees_its_own_referrals_but_not_yet_the_person_of_one_undecided(world):
    worker = user_with_role(Role.AGENCY_WORKER, world["probation"])
    referrals = {referral: referral.person_visible for referral in referral_list(user=worker, status="all")}
    assert referrals == {world["referred"]: True, world["waiting"]: False}


@pytest.mark.parametrize(
    "status",
    [
        Referral.Status.SUBMITTED,
        Referral.Status.IN_REVIEW,
        Referral.Status.DECLINED,
        Referral.Status.WITHDRAWN,
    ],
)
def test_a_referral_not_accepted_opens_no_record(status):
    referral = ReferralFactory(status=status, decline_reason="other" if status == "declined" else "")
    worker = user_with_role(Role.AGENCY_WORKER, referral.referring_agency)
    assert not offender_list(user=worker).exists()
    assert not Offender.objects.filter(people_scope(worker, few=True)).exists()


def test_an_agency_worker_sees_the_placements_their_agency_supports_now_or_before(world):
    worker = user_with_role(Role.AGENCY_WORKER, world["ddas"])
    assert set(placement_list(user=worker)) == {world["supported"], world["formerly"]}
    assert set(offender_list(user=worker)) == {world["supported"].offender, world["formerly"].offender}
    assert list(referral_list(user=worker, status="all")) == []


def test_an_agency_worker_of_an_uninvolved_agency_sees_no_one(world):
    worker = user_with_role(Role.AGENCY_WORKER, AgencyFactory())
    assert not offender_list(user=worker).exists()
    assert not placement_list(user=worker).exists()
    assert not referral_list(user=worker, status="all").exists()


@pytest.mark.parametrize("role", [Role.IOM_OFFICER, Role.SCHEME_MANAGER])
def test_officers_and_managers_see_the_whole_scheme(world, role):
    user = user_with_role(role)
    assert offender_list(user=user).count() == 5
    assert placement_list(user=user).count() == 2


def test_analysts_and_people_without_a_role_see_no_one(world):
    from tests.factories import UserFactory

    for user in (user_with_role(Role.OPCC_ANALYST), UserFactory()):
        assert not offender_list(user=user).exists()
        assert not placement_list(user=user).exists()
        assert not referral_list(user=user, status="all").exists()


def test_a_deactivated_membership_sees_no_one(world):
    worker = user_with_role(Role.IOM_OFFICER)
    worker.membership.active = False
    worker.membership.save()
    assert not offender_list(user=worker).exists()


@pytest.mark.parametrize(
    "role", [Role.AGENCY_WORKER, Role.IOM_OFFICER, Role.SCHEME_MANAGER, Role.OPCC_ANALYST]
)
@pytest.mark.parametrize("agency", ["probation", "ddas", "other"])
def test_checking_a_few_people_one_by_one_sees_the_same_people(world, role, agency):
    worker = user_with_role(role, world[agency] if agency in world else AgencyFactory())
    for model, field in ((Offender, "pk"), (Placement, "offender")):
        whole_set = set(model.objects.filter(people_scope(worker, field)))
        one_by_one = set(model.objects.filter(people_scope(worker, field, few=True)))
        assert one_by_one == whole_set
