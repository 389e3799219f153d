"""The date rules at awkward moments: each test runs with the clock stopped at every moment of
tests/clock.py (the last day of a month, New Year's Eve at 23:59, 29 February, the two days the UK
clocks change, the hour between local midnight and UTC's under BST), and checks what a person
would see against dates worked out by hand for that day (EXPECTED), never against the code's own
arithmetic.

Every "today" the app uses is the local (London) date: a visit, referral or record made between
00:00 and 01:00 BST belongs to the local day, although in UTC it is still the day before."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.selectors import visit_history
from alerts import sweeps
from alerts.models import Alert
from audit.selectors import retention_due, review_date
from audit.tasks import list_retention_due
from placements.models import Placement
from referrals.models import Offender
from reports.builder import build_report
from reports.forms import ReportForm
from tests.clock import london
from tests.factories import (
    AgencyFactory,
    BedspaceFactory,
    HomeVisitFactory,
    OffenderEventFactory,
    OffenderFactory,
    PlacementFactory,
    ReferralFactory,
    SupportAgencyFactory,
    SupportPlanFactory,
)

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Expected:
    """One local day's answers, worked out with a calendar (and the bank holidays of England and
    Wales: Christmas 2026 on Fri 25 and Mon 28 December, New Year's Day on Fri 1 January 2027,
    Easter 2027 from Good Friday 26 March to Easter Monday 29 March, the day the clocks go forward)."""

    monday: date  # of this Monday-to-Sunday week
    # The occupancy calendar's first and last cells: the Monday 4 weeks before this week's, and
    # the Sunday ending the 8th week from this one.
    calendar: tuple[str, str]
    licence: tuple[str, str, str, str]  # yesterday, today, in 7 days, in 8 days, as alerts write them
    visit_since: tuple[str, str]  # a last visit on this day is overdue (8 days ago); on this one not yet
    decision: tuple[date, date]  # the last submission day overdue for a 2-working-day decision; its due day
    retention: date  # the last activity 6 years ago that is due for review today
    review_of_today: date  # the review date of a record recorded today
    month_to_yesterday: int  # nights from the 1st of yesterday's month to yesterday


EXPECTED = {
    # Monday 30 November 2026, the last day of a 30-day month.
    date(2026, 11, 30): Expected(
        monday=date(2026, 11, 30),
        calendar=("2 November", "24 January"),
        licence=("29 November 2026", "30 November 2026", "7 December 2026", "8 December 2026"),
        visit_since=("22 November 2026", "23 November 2026"),
        decision=(date(2026, 11, 26), date(2026, 11, 30)),  # Thursday: Friday, Monday
        retention=date(2020, 11, 30),
        review_of_today=date(2032, 11, 30),
        month_to_yesterday=29,
    ),
    # Thursday 31 December 2026: the week began on the Boxing Day holiday (Monday 28).
    date(2026, 12, 31): Expected(
        monday=date(2026, 12, 28),
        calendar=("30 November", "21 February"),
        licence=("30 December 2026", "31 December 2026", "7 January 2027", "8 January 2027"),
        visit_since=("23 December 2026", "24 December 2026"),
        # Submitted on Tuesday 29th: due Thursday 31st. On the 30th: due Monday 4 January (1st a holiday).
        decision=(date(2026, 12, 29), date(2026, 12, 31)),
        retention=date(2020, 12, 31),
        review_of_today=date(2032, 12, 31),
        month_to_yesterday=30,
    ),
    # Tuesday 29 February 2028.
    date(2028, 2, 29): Expected(
        monday=date(2028, 2, 28),
        calendar=("31 January", "23 April"),
        licence=("28 February 2028", "29 February 2028", "7 March 2028", "8 March 2028"),
        visit_since=("21 February 2028", "22 February 2028"),
        decision=(date(2028, 2, 27), date(2028, 2, 29)),  # Sunday: Monday 28th, Tuesday 29th
        retention=date(2022, 2, 28),  # 2022 has no 29 February
        review_of_today=date(2034, 2, 28),  # nor has 2034: the last day of that February
        month_to_yesterday=28,
    ),
    # Sunday 28 March 2027: the clocks go forward, and it is Easter Sunday.
    date(2027, 3, 28): Expected(
        monday=date(2027, 3, 22),
        calendar=("22 February", "16 May"),
        licence=("27 March 2027", "28 March 2027", "4 April 2027", "5 April 2027"),
        visit_since=("20 March 2027", "21 March 2027"),
        # Tuesday 23rd: due Thursday 25th. Wednesday 24th: Thursday, then (Good Friday, Easter
        # Monday) Tuesday 30th.
        decision=(date(2027, 3, 23), date(2027, 3, 25)),
        retention=date(2021, 3, 28),
        review_of_today=date(2033, 3, 28),
        month_to_yesterday=27,
    ),
    # Easter Monday 29 March 2027, in BST; 00:30 here is 23:30 on Sunday in UTC.
    date(2027, 3, 29): Expected(
        monday=date(2027, 3, 29),
        calendar=("1 March", "23 May"),
        licence=("28 March 2027", "29 March 2027", "5 April 2027", "6 April 2027"),
        visit_since=("21 March 2027", "22 March 2027"),
        decision=(date(2027, 3, 23), date(2027, 3, 25)),
        retention=date(2021, 3, 29),
        review_of_today=date(2033, 3, 29),
        month_to_yesterday=28,  # the night the clocks went forward counts once, short as it is
    ),
    # Sunday 31 October 2027: the clocks go back.
    date(2027, 10, 31): Expected(
        monday=date(2027, 10, 25),
        calendar=("27 September", "19 December"),
        licence=("30 October 2027", "31 October 2027", "7 November 2027", "8 November 2027"),
        visit_since=("23 October 2027", "24 October 2027"),
        decision=(date(2027, 10, 27), date(2027, 10, 29)),  # Wednesday: Thursday, Friday
        retention=date(2021, 10, 31),
        review_of_today=date(2033, 10, 31),
        month_to_yesterday=30,
    ),
}


@pytest.fixture
def expected(awkward_now) -> Expected:
    today = timezone.localdate()
    assert today == awkward_now.at.date()  # the local date, whatever UTC's is
    return EXPECTED[today]


def _day(text: str) -> date:
    """'7 December 2026', as the alerts write it, as a date."""
    return datetime.strptime(text, "%d %B %Y").date()


def test_the_calendar_outlines_today_and_shows_twelve_monday_weeks(iom_officer_client, expected):
    today = timezone.localdate()
    bedspace = BedspaceFactory()
    # The licence ended yesterday and they are still there: today is an overrun day.
    yesterday = _day(expected.licence[0])
    PlacementFactory(
        bedspace=bedspace,
        status=Placement.Status.ACTIVE,
        starts_on=yesterday - timedelta(days=20),
        arrived_on=yesterday - timedelta(days=20),
        ends_on=yesterday,
        free_from=yesterday,
    )
    content = iom_officer_client.get(
        reverse("placements:property-detail", args=[bedspace.property_id])
    ).content.decode()
    cells = re.findall(r'app-calendar__day--(\w+)( app-calendar__day--today)?" title="([^"]+)"', content)
    assert len(cells) == 12 * 7
    assert (cells[0][2], cells[-1][2]) == expected.calendar
    # Free before the stay; held to the calendar's end while they stay on without a licence.
    assert (cells[0][0], cells[-1][0]) == ("free", "overrun")
    (marked,) = [cell for cell in cells if cell[1]]
    assert marked[0] == "overrun" and marked[2] == f"{today.day} {today:%B}"
    # Monday first: the row of today starts on this week's Monday.
    assert cells.index(marked) % 7 == (today - expected.monday).days


def test_licence_terms_ending_within_7_days_and_overruns_are_alerted(expected):
    yesterday, today, in_7, in_8 = expected.licence
    for ends in expected.licence:
        ends_on = _day(ends)
        PlacementFactory(
            status=Placement.Status.ACTIVE,
            starts_on=ends_on - timedelta(days=20),
            arrived_on=ends_on - timedelta(days=20),
            ends_on=ends_on,
            free_from=ends_on,
        )
    sweeps.run_sweep("licence_ending")
    sweeps.run_sweep("licence_overrun")
    ending = sorted(Alert.objects.filter(kind=Alert.Kind.LICENCE_ENDING).values_list("message", flat=True))
    assert ending == sorted(
        f"The licence term ends on {day} and no renewal is booked." for day in (today, in_7)
    )
    (overrun,) = Alert.objects.filter(kind=Alert.Kind.LICENCE_OVERRUN).values_list("message", flat=True)
    assert overrun.startswith(f"The licence term ended on {yesterday} and no departure is recorded")


def test_no_visit_in_7_days_counts_local_days(expected):
    overdue_since, not_yet_since = expected.visit_since
    placement = PlacementFactory(
        status=Placement.Status.ACTIVE,
        starts_on=timezone.localdate() - timedelta(days=20),
        arrived_on=timezone.localdate() - timedelta(days=20),
        ends_on=timezone.localdate() + timedelta(days=8),
        free_from=timezone.localdate() + timedelta(days=8),
    )
    plan = SupportPlanFactory(placement=placement)
    late, on_time = AgencyFactory(name="Late Agency"), AgencyFactory(name="On-time Agency")
    for agency in (late, on_time):
        SupportAgencyFactory(support_plan=plan, agency=agency, visit_every_days=7)
    # The last minute of the day 8 days ago, and the first of the day 7 days ago, in local time.
    last, first = _day(overdue_since), _day(not_yet_since)
    HomeVisitFactory(
        placement=placement, agency=late, visited_at=london(last.year, last.month, last.day, 23, 59)
    )
    HomeVisitFactory(
        placement=placement, agency=on_time, visited_at=london(first.year, first.month, first.day, 0, 1)
    )
    sweeps.run_sweep("visit_missed")
    (alert,) = Alert.objects.filter(kind=Alert.Kind.VISIT_MISSED)
    assert alert.agency == late
    assert (
        alert.message == f"No visit by Late Agency since {overdue_since}: a visit every 7 days is expected."
    )


def test_a_referral_is_undecided_2_working_days_after_its_local_submission_day(expected):
    last_overdue, due_on = expected.decision
    after = last_overdue + timedelta(days=1)
    # 00:30 and 23:30 London time on the last day that is overdue, and 00:30 the next day: under
    # BST 00:30 is still the day before in UTC.
    early, late = (
        ReferralFactory(
            submitted_at=london(last_overdue.year, last_overdue.month, last_overdue.day, hour, 30)
        )
        for hour in (0, 23)
    )
    ReferralFactory(submitted_at=london(after.year, after.month, after.day, 0, 30))
    sweeps.run_sweep("referral_undecided")
    alerts = Alert.objects.filter(kind=Alert.Kind.REFERRAL_UNDECIDED)
    assert sorted((a.referral_id, a.due_on) for a in alerts) == [(early.pk, due_on), (late.pk, due_on)]


def test_support_weeks_run_monday_to_sunday_in_local_time(agency_worker, agency, expected):
    monday = expected.monday
    sunday_before = monday - timedelta(days=1)
    arrived = monday - timedelta(days=8)  # the Sunday a week before last: one day of that week
    placement = PlacementFactory(
        status=Placement.Status.ACTIVE,
        starts_on=arrived,
        arrived_on=arrived,
        ends_on=arrived + timedelta(days=28),
        free_from=arrived + timedelta(days=28),
    )
    SupportAgencyFactory(support_plan=SupportPlanFactory(placement=placement, tier="t2"), agency=agency)
    # Late on Sunday belongs to last week; ten past midnight on Monday to this one.
    late_sunday = london(sunday_before.year, sunday_before.month, sunday_before.day, 23, 50)
    just_monday = london(monday.year, monday.month, monday.day, 0, 10)
    HomeVisitFactory(placement=placement, agency=agency, visited_at=late_sunday, support_hours=Decimal("1.5"))
    HomeVisitFactory(placement=placement, agency=agency, visited_at=just_monday, support_hours=Decimal("2"))

    weeks = visit_history(user=agency_worker, placement=placement).weeks
    assert [w.starts_on for w in weeks] == [monday, monday - timedelta(days=7), monday - timedelta(days=14)]
    assert [(w.days, w.visits, w.hours, w.in_progress) for w in weeks] == [
        (7, 1, Decimal("2"), True),
        (7, 1, Decimal("1.5"), False),
        (1, 0, Decimal("0"), False),
    ]
    # The tier's 5 hours a week, for the one night of the first week: 5/7 of an hour.
    assert weeks[2].target == Decimal("0.7") and weeks[1].met is False


def _period(start: date, end: date) -> dict:
    return {
        **{f"start_{i}": str(v) for i, v in enumerate((start.day, start.month, start.year))},
        **{f"end_{i}": str(v) for i, v in enumerate((end.day, end.month, end.year))},
    }


def test_a_report_runs_to_yesterday_and_counts_every_night_of_the_month(expected):
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    first = yesterday.replace(day=1)
    assert (yesterday - first).days + 1 == expected.month_to_yesterday
    refused = ReportForm(_period(first, today), audiences=["officer"])
    assert not refused.is_valid() and "must be in the past" in " ".join(refused.errors["end"])
    accepted = ReportForm(_period(first, yesterday), audiences=["officer"])
    assert accepted.is_valid(), accepted.errors
    PlacementFactory(
        status=Placement.Status.ACTIVE,
        starts_on=first,
        arrived_on=first,
        ends_on=first + timedelta(days=28),
        free_from=first + timedelta(days=28),
    )  # in the bedspace all month, past its licence if need be
    report = build_report(start=first, end=yesterday, audience="officer")
    (occupancy,) = [m for m in report.metrics() if m.key == "occupancy"]
    total = occupancy.table.total.values
    assert (total["available"], total["occupied"]) == (expected.month_to_yesterday,) * 2


def _last_active_on(day: date) -> Offender:
    person = OffenderFactory()
    Offender.objects.filter(pk=person.pk).update(created_at=london(2000, 1, 1))
    OffenderEventFactory(offender=person, occurred_on=day)
    person.refresh_from_db()
    assert person.last_activity_on == day
    return person


def test_retention_is_due_six_years_after_the_last_activity(expected):
    due = _last_active_on(expected.retention)
    _last_active_on(expected.retention + timedelta(days=1))
    assert list(retention_due(today=timezone.localdate())) == [due]
    assert list_retention_due.delay().get() == [str(due.public_id)]
    # Someone recorded now: active today (the local day), and due on the day worked out.
    recorded = OffenderFactory()
    recorded.refresh_from_db()
    assert recorded.last_activity_on == timezone.localdate()
    assert review_date(recorded) == expected.review_of_today
    assert recorded in retention_due(today=expected.review_of_today)
    assert recorded not in retention_due(today=expected.review_of_today - timedelta(days=1))


UTC_OFFSET_HOURS = {
    "2026-11-30-month-end": 0,
    "2026-12-31-2359": 0,
    "2028-02-29-leap-day": 0,
    "2027-03-28-0059-gmt": 0,
    "2027-03-28-0230-bst": 1,
    "2027-03-29-0030-bst": 1,
    "2027-10-31-0015-bst": 1,
    "2027-10-31-0130-bst": 1,
    "2027-10-31-0130-gmt": 0,
}


def test_the_moments_are_the_ones_named(awkward_now):
    """A guard on tests/clock.py itself: the clocks change where it says, and the app's clock is
    stopped there."""
    assert awkward_now.at.utcoffset() == timedelta(hours=UTC_OFFSET_HOURS[awkward_now.id])
    assert timezone.now() == awkward_now.at.astimezone(UTC)  # (an ambiguous time equals no UTC one)
