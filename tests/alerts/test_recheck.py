"""`alerts_recheck`: each service that changes a case re-checks, for that one case, exactly the kinds
of alert its change can affect (`RECHECKS`): the sweeps of those kinds run, no other sweep does,
and afterwards a full sweep of the case finds nothing left to raise or resolve."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.services import visit_correct, visit_record
from alerts import sweeps
from alerts.models import Alert
from alerts.services import RECHECKS, Change, alerts_recheck
from iom_housing.access import Role
from placements.models import Placement
from placements.services import (
    licence_renew,
    place_offender,
    placement_arrive,
    placement_cancel,
    placement_confirm,
    placement_end,
    placement_not_arrived,
    support_plan_set,
)
from referrals.models import Referral
from referrals.services import referral_accept, referral_decline, referral_withdraw
from tests.alerts.helpers import placed, today
from tests.clock import london
from tests.factories import (
    AgencyFactory,
    BedspaceFactory,
    HomeVisitFactory,
    OffenderFactory,
    ReferralFactory,
    SupportAgencyFactory,
    SupportPlanFactory,
)
from tests.helpers import user_with_role

pytestmark = pytest.mark.django_db

# An ordinary Thursday at mid-morning: what each re-check finds depends on today (terms ending,
# visits due, referrals waiting working days), so the day is pinned.
NOW = london(2026, 12, 3, 10, 30)


@pytest.fixture(autouse=True)
def _pinned(time_machine):
    time_machine.move_to(NOW, tick=False)


K = Alert.Kind


@pytest.fixture
def rechecked(monkeypatch):
    """The kinds whose sweep ran for one case, in order (the scheduled sweeps are not counted)."""
    kinds = []
    for table in (sweeps.PLACEMENT_SWEEPS, sweeps.REFERRAL_SWEEPS):
        for kind, sweep in list(table.items()):

            def spy(*, _kind=kind, _sweep=sweep, **one_case):
                assert set(one_case) - {"today"} in ({"placement_id"}, {"referral_id"})
                kinds.append(_kind)
                return _sweep(**one_case)

            monkeypatch.setitem(table, kind, spy)
    return kinds


def supported_by(placement: Placement, agency=None):
    agency = agency or AgencyFactory()
    SupportAgencyFactory(support_plan=SupportPlanFactory(placement=placement), agency=agency)
    return agency


def supervision_ending_soon():
    return OffenderFactory(licence_ends_on=today() + timedelta(days=20))


@dataclass
class Case:
    """A case before a change, the change (a service call), and the case's open alerts after it."""

    change: Change
    placement: Placement | None
    referral: Referral | None
    act: Callable[[], object]
    before: set[str]
    after: set[str]
    rechecks: list[str]  # the sweeps the change should run, in RECHECKS' order


# Each case: the state, then what the service a person would use does to it.


def booking(officer) -> Case:
    referral = ReferralFactory(status=Referral.Status.ACCEPTED)
    bedspace = BedspaceFactory()
    return Case(
        Change.BOOKED,
        None,
        None,
        lambda: place_offender(
            referral_id=referral.pk,
            bedspace_id=bedspace.pk,
            starts_on=today() - timedelta(days=2),
            days=5,
            by=officer,
        ),
        before=set(),
        after={K.BOOKING_UNCONFIRMED, K.LICENCE_ENDING},
        rechecks=[K.LICENCE_ENDING, K.BOOKING_UNCONFIRMED],
    )


def confirming(officer) -> Case:
    placement = placed(days_in=1, term_days=28, status=Placement.Status.PROVISIONAL)
    return Case(
        Change.CONFIRMED,
        placement,
        None,
        lambda: placement_confirm(placement_id=placement.pk, by=officer),
        before={K.BOOKING_UNCONFIRMED},
        after={K.ARRIVAL_MISSING},
        rechecks=[K.BOOKING_UNCONFIRMED, K.ARRIVAL_MISSING],
    )


def arriving(officer) -> Case:
    # Booked 12 days ago for 11 days, arrived the day after: the licence has ended since, no
    # agency has visited, and the supervision licence ends within 28 days.
    placement = placed(
        days_in=12, term_days=11, status=Placement.Status.CONFIRMED, offender=supervision_ending_soon()
    )
    supported_by(placement)
    return Case(
        Change.ARRIVED,
        placement,
        None,
        lambda: placement_arrive(
            placement_id=placement.pk, arrived_on=today() - timedelta(days=11), by=officer
        ),
        before={K.ARRIVAL_MISSING},
        after={K.LICENCE_OVERRUN, K.SUPERVISION_ENDING, K.VISIT_MISSED},
        rechecks=[
            K.BOOKING_UNCONFIRMED,
            K.ARRIVAL_MISSING,
            K.LICENCE_OVERRUN,
            K.SUPERVISION_ENDING,
            K.VISIT_MISSED,
        ],
    )


def not_arriving(officer) -> Case:
    placement = placed(days_in=2, term_days=5, status=Placement.Status.CONFIRMED)
    return Case(
        Change.NOT_ARRIVED,
        placement,
        None,
        lambda: placement_not_arrived(placement_id=placement.pk, by=officer),
        before={K.ARRIVAL_MISSING, K.LICENCE_ENDING},
        after=set(),
        rechecks=[K.LICENCE_ENDING, K.BOOKING_UNCONFIRMED, K.ARRIVAL_MISSING],
    )


def cancelling(officer) -> Case:
    placement = placed(days_in=1, term_days=5, status=Placement.Status.PROVISIONAL)
    return Case(
        Change.CANCELLED,
        placement,
        None,
        lambda: placement_cancel(placement_id=placement.pk, reason="Found a flat", by=officer),
        before={K.BOOKING_UNCONFIRMED, K.LICENCE_ENDING},
        after=set(),
        rechecks=[K.LICENCE_ENDING, K.BOOKING_UNCONFIRMED, K.ARRIVAL_MISSING],
    )


def renewing(officer) -> Case:
    # Overrun, overdue a visit and near the end of supervision: a renewal deals with the first only.
    placement = placed(days_in=30, term_days=28, offender=supervision_ending_soon())
    supported_by(placement)
    return Case(
        Change.RENEWED,
        placement,
        None,
        lambda: licence_renew(placement_id=placement.pk, days=7, reason="One more week", by=officer),
        before={K.LICENCE_OVERRUN, K.VISIT_MISSED, K.SUPERVISION_ENDING},
        after={K.LICENCE_ENDING, K.VISIT_MISSED, K.SUPERVISION_ENDING},
        rechecks=[K.LICENCE_ENDING, K.LICENCE_OVERRUN],
    )


def ending(officer) -> Case:
    placement = placed(days_in=30, term_days=28, offender=supervision_ending_soon())
    supported_by(placement)
    return Case(
        Change.ENDED,
        placement,
        None,
        lambda: placement_end(
            placement_id=placement.pk,
            departed_on=today(),
            reason="planned_move_on",
            destination="social_rent",
            by=officer,
        ),
        before={K.LICENCE_OVERRUN, K.VISIT_MISSED, K.SUPERVISION_ENDING},
        after=set(),
        rechecks=[
            K.LICENCE_ENDING,
            K.LICENCE_OVERRUN,
            K.SUPERVISION_ENDING,
            K.VISIT_MISSED,
            K.MOVEON_OVERDUE,
            K.FOLLOWUP_DUE,
        ],
    )


def planning_support(officer) -> Case:
    placement = placed(days_in=10, term_days=28)
    agency = AgencyFactory()
    return Case(
        Change.SUPPORT_PLAN_SET,
        placement,
        None,
        lambda: support_plan_set(placement_id=placement.pk, tier="t1", agencies={agency.pk: 7}, by=officer),
        before=set(),
        after={K.VISIT_MISSED},
        rechecks=[K.VISIT_MISSED],
    )


def visiting(officer) -> Case:
    placement = placed(days_in=10, term_days=28)
    worker = user_with_role(Role.AGENCY_WORKER, supported_by(placement))
    return Case(
        Change.VISIT_RECORDED,
        placement,
        None,
        lambda: visit_record(
            placement_id=placement.pk,
            by=worker,
            visited_at=timezone.now() - timedelta(hours=1),
            kind="home",
            staff_names="A. Worker",
            outcome="seen",
        ),
        before={K.VISIT_MISSED},
        after=set(),
        rechecks=[K.VISIT_MISSED],
    )


def correcting_a_visit(officer) -> Case:
    placement = placed(days_in=10, term_days=28)
    agency = supported_by(placement)
    worker = user_with_role(Role.AGENCY_WORKER, agency)
    visit = HomeVisitFactory(
        placement=placement, agency=agency, recorded_by=worker, visited_at=timezone.now() - timedelta(days=9)
    )
    return Case(
        Change.VISIT_RECORDED,
        placement,
        None,
        lambda: visit_correct(
            visit_id=visit.pk, by=worker, reason="Wrong day", visited_at=timezone.now() - timedelta(hours=1)
        ),
        before={K.VISIT_MISSED},
        after=set(),
        rechecks=[K.VISIT_MISSED],
    )


def deciding(decide):
    def case(officer) -> Case:
        referral = ReferralFactory(submitted_at=timezone.now() - timedelta(days=10))
        return Case(
            Change.REFERRAL_DECIDED,
            None,
            referral,
            lambda: decide(referral_id=referral.pk, by=officer),
            before={K.REFERRAL_UNDECIDED},
            after=set(),
            rechecks=[K.REFERRAL_UNDECIDED],
        )

    return case


CASES = {
    "booking": booking,
    "confirming": confirming,
    "arriving": arriving,
    "not arriving": not_arriving,
    "cancelling": cancelling,
    "renewing": renewing,
    "ending": ending,
    "setting the support plan": planning_support,
    "recording a visit": visiting,
    "correcting a visit": correcting_a_visit,
    "accepting a referral": deciding(referral_accept),
    "declining a referral": deciding(
        lambda **kwargs: referral_decline(reason=Referral.DeclineReason.values[0], notes="No", **kwargs)
    ),
    "withdrawing a referral": deciding(referral_withdraw),
}


def open_kinds(*, placement=None, referral=None) -> set[str]:
    alerts = Alert.objects.exclude(status=Alert.Status.RESOLVED)
    return set(
        (alerts.filter(placement=placement) if placement else alerts.filter(referral=referral)).values_list(
            "kind", flat=True
        )
    )


def sweep_everything() -> None:
    for name in sweeps.SWEEPS:
        sweeps.run_sweep(name)


@pytest.mark.parametrize("make_case", CASES.values(), ids=CASES.keys())
def test_a_change_rechecks_exactly_the_kinds_it_can_affect_and_leaves_nothing_for_the_sweep(
    make_case, iom_officer, rechecked
):
    case = make_case(iom_officer)
    sweep_everything()  # the alerts are up to date before the change
    if case.placement or case.referral:
        assert open_kinds(placement=case.placement, referral=case.referral) == case.before
    rechecked.clear()

    changed = case.act()

    assert rechecked == case.rechecks == list(RECHECKS[case.change])
    if case.referral is None:
        placement = case.placement or changed  # a booking makes its placement
        assert open_kinds(placement=placement) == case.after
        # Every sweep of this placement, re-checked or not, finds its alerts already right.
        for name in sweeps.PLACEMENT_SWEEPS:
            result = sweeps.SWEEPS[name](today=today(), placement_id=placement.pk)
            assert (name, result.raised, result.resolved) == (name, 0, 0)
    else:
        assert open_kinds(referral=case.referral) == case.after
        result = sweeps.SWEEPS["referral_undecided"](today=today(), referral_id=case.referral.pk)
        assert (result.raised, result.resolved) == (0, 0)


def test_every_change_is_mapped_and_every_sweep_is_rechecked_by_some_change():
    assert set(RECHECKS) == set(Change)
    assert {kind for kinds in RECHECKS.values() for kind in kinds} == set(sweeps.SWEEPS)
    assert K.VISIT_CONCERN not in sweeps.SWEEPS  # raised by a visit, not by a sweep


def test_a_recheck_names_the_case_it_needs():
    with pytest.raises(TypeError, match="placement_id"):
        alerts_recheck(change=Change.RENEWED, referral_id=1)
    with pytest.raises(TypeError, match="referral_id"):
        alerts_recheck(change=Change.REFERRAL_DECIDED, placement_id=1)
