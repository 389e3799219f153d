"""Find a bedspace offers the earliest date: for a stay of a given length, each suitable bedspace
with the first day on or after the date asked for that it is free for the whole stay and its
turnaround (working days: weekends and England and Wales bank holidays skipped).

The hand-worked scenarios write out the dates; the property test checks the offered date against
the booking service itself: it books, and no earlier day does.
"""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from placements.models import Bedspace, Placement
from placements.selectors import earliest_free_bedspaces
from placements.services import place_offender
from tests.clock import london
from tests.factories import BedspaceFactory, OffenderFactory, PropertyFactory, VoidPeriodFactory
from tests.helpers import date_fields
from tests.placements.helpers import accepted_referral, make_bedspace, make_placement

pytestmark = pytest.mark.django_db

Status = Placement.Status
TODAY = date(2026, 12, 1)  # a Tuesday, before Christmas


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(london(2026, 12, 1, 10), tick=False)


def earliest(bedspace: Bedspace, starts_on: date, days: int, **search) -> date | None:
    free, _never = earliest_free_bedspaces(starts_on=starts_on, days=days, today=TODAY, **search)
    return next((row.starts_on for row in free if row.bedspace == bedspace), None)


# Hand-worked scenarios -------------------------------------------------------------------------


def test_a_free_bedspace_is_offered_on_the_date_asked_for():
    bedspace = make_bedspace()

    [row], never = earliest_free_bedspaces(starts_on=date(2026, 12, 7), days=28, today=TODAY)

    assert (row.bedspace, row.starts_on, row.days_later, never) == (bedspace, date(2026, 12, 7), 0, 0)


def test_a_turnaround_over_christmas_skips_christmas_boxing_day_and_the_weekend():
    # A stay ending on Thursday 24 December 2026, with 2 working days' turnaround: Christmas Day
    # (Friday), the weekend, and Boxing Day's substitute (Monday 28th) are not working days, so
    # the turnaround is Tuesday 29th and Wednesday 30th: free from Thursday 31 December.
    bedspace = make_bedspace(turnaround=2)
    make_placement(bedspace, starts_on=date(2026, 11, 26), length=28)  # ends 24 December

    assert earliest(bedspace, date(2026, 12, 14), 7) == date(2026, 12, 31)


def test_a_turnaround_over_new_year_skips_new_years_day():
    # Ending Thursday 24 December with 4 working days: 29, 30, 31 December, then New Year's Day
    # (Friday) and the weekend are skipped, so the fourth is Monday 4 January: free on the 5th.
    bedspace = make_bedspace(turnaround=4)
    make_placement(bedspace, starts_on=date(2026, 11, 26), length=28)

    assert earliest(bedspace, date(2026, 12, 2), 7) == date(2027, 1, 5)


def test_a_stay_too_long_to_fit_before_the_next_booking_is_offered_after_it():
    # The next booking is from Monday 4 January 2027 for 28 days (to 1 February), 2 days' turnaround.
    bedspace = make_bedspace(turnaround=2)
    make_placement(bedspace, starts_on=date(2027, 1, 4), length=28)

    # 14 nights from 14 December end on Monday 28th (Boxing Day's substitute); the turnaround is
    # 29 and 30 December, so the bedspace is free again on the 31st, before the 4 January booking.
    assert earliest(bedspace, date(2026, 12, 14), 14) == date(2026, 12, 14)
    # 21 nights end on 4 January itself: no earlier start fits, so the first day after that
    # booking's turnaround (2 and 3 February): Thursday 4 February.
    assert earliest(bedspace, date(2026, 12, 14), 21) == date(2027, 2, 4)


def test_the_stays_own_turnaround_must_end_before_the_next_booking():
    # Next booking from Thursday 24 December; 7 nights from 14 December end on Monday 21st and
    # its 2 days' turnaround (22, 23) is over on the 24th: it fits. 8 nights end on the 22nd and
    # its turnaround runs to Christmas: it does not, so the earliest is after that booking.
    bedspace = make_bedspace(turnaround=2)
    make_placement(bedspace, starts_on=date(2026, 12, 24), length=7)  # ends 31 December

    assert earliest(bedspace, date(2026, 12, 14), 7) == date(2026, 12, 14)
    # The booking ends on Thursday 31 December; New Year's Day and the weekend are skipped, so
    # its turnaround is Monday 4 and Tuesday 5 January: free on Wednesday 6 January.
    assert earliest(bedspace, date(2026, 12, 14), 8) == date(2027, 1, 6)


def test_a_turnaround_over_easter_skips_good_friday_and_easter_monday():
    # Easter 2027: Good Friday 26 March, Easter Monday 29 March. A stay ending on Thursday 25 March
    # with 1 working day's turnaround takes Tuesday 30 March: free on Wednesday 31 March.
    bedspace = make_bedspace(turnaround=1)
    make_placement(bedspace, starts_on=date(2027, 2, 25), length=28)  # ends 25 March

    assert earliest(bedspace, date(2027, 3, 20), 7) == date(2027, 3, 31)


def test_a_void_is_waited_out_and_the_turnaround_must_end_before_it():
    # Void from Friday 15 January 2027, back in use on Wednesday 20 January; 2 days' turnaround.
    bedspace = make_bedspace(turnaround=2)
    VoidPeriodFactory(bedspace=bedspace, starts_on=date(2027, 1, 15), ends_on=date(2027, 1, 20))

    # 8 nights from Monday 4 January end on Tuesday 12th; turnaround 13 and 14: free on the 15th.
    assert earliest(bedspace, date(2027, 1, 4), 8) == date(2027, 1, 4)
    # 9 nights end on the 13th; the turnaround (14, 15) runs into the void: after it, then.
    assert earliest(bedspace, date(2027, 1, 4), 9) == date(2027, 1, 20)


def test_a_gap_between_two_bookings_is_used_when_the_stay_fits_it():
    bedspace = make_bedspace(turnaround=1)
    # 1 to 8 December (free on the 10th: turnaround Wednesday 9th), then from Monday 21 December.
    make_placement(bedspace, starts_on=date(2026, 12, 1), length=7)
    make_placement(bedspace, starts_on=date(2026, 12, 21), length=7)

    # 7 nights from the 10th end on Thursday 17th; its turnaround is Friday 18th: it fits the gap.
    assert earliest(bedspace, date(2026, 12, 2), 7) == date(2026, 12, 10)
    # 8 nights end on Friday 18th; the next working day, Monday 21st, is the booking's first: it
    # does not fit, nor does any later start in the gap. After the second booking (to Monday 28th,
    # Boxing Day's substitute; turnaround Tuesday 29th): Wednesday 30 December.
    assert earliest(bedspace, date(2026, 12, 2), 8) == date(2026, 12, 30)


@pytest.mark.parametrize("status", [Status.CANCELLED, Status.NOT_ARRIVED])
def test_a_released_booking_holds_nothing(status):
    bedspace = make_bedspace()
    make_placement(bedspace, starts_on=date(2026, 12, 7), status=status)

    assert earliest(bedspace, date(2026, 12, 7), 28) == date(2026, 12, 7)


def test_an_ended_stay_holds_the_bedspace_to_its_turnaround():
    bedspace = make_bedspace(turnaround=2)
    make_placement(bedspace, starts_on=date(2026, 11, 1), length=29, status=Status.ENDED)  # left Mon 30 Nov

    assert earliest(bedspace, date(2026, 12, 1), 7) == date(2026, 12, 3)


def test_an_open_ended_void_or_an_overrun_has_no_free_date_and_is_counted():
    void = make_bedspace()
    VoidPeriodFactory(bedspace=void, starts_on=date(2026, 12, 10), ends_on=None)
    overrun = make_bedspace()
    make_placement(overrun, starts_on=date(2026, 10, 1), length=28, status=Status.ACTIVE)  # ended 29 Oct
    free = make_bedspace()

    rows, never = earliest_free_bedspaces(starts_on=date(2026, 12, 7), days=7, today=TODAY)

    assert [row.bedspace for row in rows] == [free]
    assert never == 2
    # Before the open-ended void starts there is room for a short stay.
    assert earliest(void, date(2026, 12, 1), 5) == date(2026, 12, 1)


def test_the_soonest_are_listed_first_then_by_property_and_label():
    later = make_bedspace(name="A House")
    make_placement(later, starts_on=date(2026, 12, 1), length=10)
    soon_b = make_bedspace(name="C House")
    soon_a = make_bedspace(name="B House")

    rows, _never = earliest_free_bedspaces(starts_on=date(2026, 12, 2), days=7, today=TODAY)

    assert [row.bedspace for row in rows] == [soon_a, soon_b, later]
    assert rows[2].days_later > 0


def test_the_persons_own_other_stay_is_waited_out():
    person = OffenderFactory()
    elsewhere = make_bedspace()
    make_placement(elsewhere, starts_on=date(2026, 12, 1), length=14, offender=person)  # to 15 December
    bedspace = make_bedspace()

    assert earliest(bedspace, date(2026, 12, 7), 7, offender=person) == date(2026, 12, 15)


def test_unsuitable_bedspaces_are_not_offered():
    person = OffenderFactory(gender="male")
    make_bedspace(restriction="women_only")
    suitable = make_bedspace()

    rows, never = earliest_free_bedspaces(starts_on=date(2026, 12, 7), days=7, today=TODAY, offender=person)

    assert ([row.bedspace for row in rows], never) == ([suitable], 0)


def test_finding_the_earliest_dates_is_five_queries_however_many_bedspaces(django_assert_num_queries):
    def bedspaces(count: int) -> None:
        property_ = PropertyFactory(turnaround_days=2)
        for n in range(count):
            bedspace = BedspaceFactory(property=property_, label=f"Flat {n}")
            make_placement(bedspace, starts_on=date(2026, 12, 1 + n % 5), length=10)
            VoidPeriodFactory(bedspace=bedspace, starts_on=date(2027, 1, 10), ends_on=date(2027, 1, 12))

    person = OffenderFactory()
    bedspaces(2)
    with django_assert_num_queries(5):  # the fifth: who shares each property (placements.sharing)
        assert len(earliest_free_bedspaces(starts_on=TODAY, days=7, today=TODAY, offender=person)[0]) == 2
    bedspaces(20)
    with django_assert_num_queries(5):  # the fifth: who shares each property (placements.sharing)
        assert len(earliest_free_bedspaces(starts_on=TODAY, days=7, today=TODAY, offender=person)[0]) == 22


# The offered date is the one the booking service takes ---------------------------------------------

holds = st.lists(
    st.tuples(st.sampled_from(["booking", "void", "open_void"]), st.integers(-20, 60), st.integers(1, 28)),
    max_size=5,
)


def _bookable(referral_id: int, bedspace: Bedspace, starts_on: date, days: int, by) -> bool:
    try:
        with transaction.atomic():
            place_offender(
                referral_id=referral_id, bedspace_id=bedspace.pk, starts_on=starts_on, days=days, by=by
            )
            transaction.set_rollback(True)
    except ValidationError:
        return False
    return True


@hyp_settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    turnaround=st.integers(0, 4),
    written=holds,
    asked=st.integers(0, 40),
    days=st.integers(1, 28),
)
def test_the_offered_date_is_bookable_and_no_earlier_date_is(iom_officer, turnaround, written, asked, days):
    with transaction.atomic():
        bedspace = make_bedspace(turnaround=turnaround)
        for kind, offset, length in written:
            starts_on = TODAY + timedelta(days=offset)
            try:
                with transaction.atomic():  # one that overlaps another is left out
                    if kind == "booking":
                        make_placement(bedspace, starts_on=starts_on, length=length)
                    else:
                        ends_on = None if kind == "open_void" else starts_on + timedelta(days=length)
                        VoidPeriodFactory(bedspace=bedspace, starts_on=starts_on, ends_on=ends_on)
            except IntegrityError:
                pass
        referral = accepted_referral()
        from_day = TODAY + timedelta(days=asked)

        offered = earliest(bedspace, from_day, days, offender=referral.offender)

        if offered is None:
            # Never free: only an open-ended void does that here; no day in a long window books.
            assert bedspace.void_periods.filter(ends_on=None).exists()
            probe = [from_day + timedelta(days=n) for n in range(0, 120, 7)]
            assert not any(_bookable(referral.pk, bedspace, d, days, iom_officer) for d in probe)
        else:
            assert _bookable(referral.pk, bedspace, offered, days, iom_officer)
            for n in range((offered - from_day).days):
                assert not _bookable(referral.pk, bedspace, from_day + timedelta(days=n), days, iom_officer)
        transaction.set_rollback(True)


# The page ----------------------------------------------------------------------------------------


def _find(client, referral, starts_on: date, days: int = 7, **extra):
    return client.get(
        reverse("placements:find-bedspace", args=[referral.public_id]),
        {**date_fields("starts_on", starts_on), "days": str(days), **extra},
    )


def test_the_page_offers_the_earliest_date_and_books_it(iom_officer_client):
    bedspace = make_bedspace(turnaround=2, name="Bridge Street")
    make_placement(bedspace, starts_on=date(2026, 11, 26), length=28)  # free from 31 December
    referral = accepted_referral()

    page = _find(iom_officer_client, referral, date(2026, 12, 14))

    html = page.content.decode()
    assert "Thursday 31 December 2026" in html
    assert "17 days after the date you asked for" in html
    assert "Book from 31 Dec 2026" in html
    response = iom_officer_client.post(
        reverse("placements:place", args=[referral.public_id]),
        {
            "bedspace": bedspace.pk,
            "starts_on": "2026-12-31",
            "days": "7",
            "basis": referral.version,
        },
    )
    placement = referral.placements.get()
    assert response["Location"] == placement.get_absolute_url()
    assert placement.starts_on == date(2026, 12, 31)


def test_a_past_date_is_refused_by_its_field(iom_officer_client):
    make_bedspace()
    referral = accepted_referral()

    page = _find(iom_officer_client, referral, date(2023, 5, 1))

    assert page.status_code == 200
    assert page.context["bedspaces"] is None
    assert page.context["form"].errors == {"starts_on": ["The arrival date must be today or in the future"]}
    assert "Error:" in page.content.decode()


def test_today_is_not_a_past_date(iom_officer_client):
    bedspace = make_bedspace()

    page = _find(iom_officer_client, accepted_referral(), TODAY)

    assert [row.bedspace for row in page.context["bedspaces"]] == [bedspace]


def test_a_refused_booking_goes_back_to_the_search_as_it_was_typed(iom_officer_client):
    bedspace = make_bedspace(name="Bridge Street")
    referral = accepted_referral()
    page = _find(iom_officer_client, referral, date(2026, 12, 14), days=10, area="Ceredigion")
    search = page.context["search"]
    assert "starts_on_0=14" in search and "area=Ceredigion" in search
    # Meanwhile someone books it for those dates.
    make_placement(bedspace, starts_on=date(2026, 12, 10), length=10)

    response = iom_officer_client.post(
        reverse("placements:place", args=[referral.public_id]) + "?" + search,
        {"bedspace": bedspace.pk, "starts_on": "2026-12-14", "days": "10", "basis": referral.version},
        follow=True,
    )

    [(url, _status)] = response.redirect_chain
    assert url == reverse("placements:find-bedspace", args=[referral.public_id]) + "?" + search
    form = response.context["form"]
    assert (
        form.data["starts_on_0"] == "14" and form.data["days"] == "10" and form.data["area"] == "Ceredigion"
    )
    assert "This bedspace cannot be booked" in response.content.decode()
    assert not referral.placements.exists()


@pytest.mark.parametrize(
    "role_client, status",
    [
        ("iom_officer_client", 200),
        ("scheme_manager_client", 200),
        ("agency_worker_client", 403),
        ("opcc_client", 403),
    ],
)
def test_only_officers_find_a_bedspace(request, role_client, status):
    client = request.getfixturevalue(role_client)
    referral = accepted_referral()

    assert _find(client, referral, TODAY).status_code in (status, 404)
