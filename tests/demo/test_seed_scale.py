"""seed_scale: the national data set in small, keeping every database rule, with the triggers back on
(the licence, move-on and aftercare records included)."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.urls import reverse

from aftercare.dates import add_months
from aftercare.models import Deposit, DepositFund, FollowUpCheck
from agencies.models import HomeVisit
from alerts.models import Alert
from bench.__main__ import API_CLIENT_ID
from bench.targets import pick_targets
from demo.scale import LOADED_TABLES
from moveon.models import MoveOnAction, MoveOnPlan
from placements.models import (
    LicenceAgreement,
    LicenceBreachEnding,
    LicenceTerm,
    LicenceWarning,
    PersonCondition,
    Placement,
    Property,
)
from referrals.models import Offender, OffenderEvent, Referral, ReferralEvent

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)
PEOPLE = 300


def run_seed(*extra: str) -> str:
    out = StringIO()
    call_command(
        "seed_scale", "--offenders", str(PEOPLE), "--today", TODAY.isoformat(), "--force", *extra, stdout=out
    )
    return out.getvalue()


# Loading takes a few seconds, so one test loads once and checks the data set in steps.
def test_a_small_national_data_set_keeps_every_rule(client, settings):
    seeded = run_seed()
    counts_scale_with_the_number_of_people(seeded)
    rows_pass_the_models_own_validation()
    licence_terms_are_consecutive_and_end_with_the_placement()
    every_term_has_its_agreement_and_warnings_fall_within_the_stay()
    every_stay_that_began_has_a_move_on_plan_of_one_to_four_actions()
    deposits_and_follow_up_checks_follow_the_departures(settings)
    last_activity_is_what_the_audit_trigger_would_set()
    the_triggers_are_on_again_after_the_load()
    the_events_feed_is_in_time_order()
    sweeps_ran_and_the_demo_logins_sign_in(seeded, client, settings)
    the_benchmark_finds_something_of_each_kind_to_ask_for()
    a_second_run_does_nothing()


def counts_scale_with_the_number_of_people(seeded):
    assert Offender.objects.count() == PEOPLE
    assert (
        Property.objects.count() == 6 and Property.objects.values("local_authority").distinct().count() == 1
    )
    assert 0.8 * 3 * PEOPLE <= Placement.objects.count() <= 1.2 * 3 * PEOPLE
    assert 0.8 * 30 * PEOPLE <= HomeVisit.objects.count() <= 1.2 * 30 * PEOPLE
    assert 0.8 * 5 * PEOPLE <= OffenderEvent.objects.count() <= 1.2 * 5 * PEOPLE
    assert "rows/s" in seeded


def rows_pass_the_models_own_validation():
    for offender in Offender.objects.all()[:50]:
        offender.clean_fields()  # PNC ID, CRN and prison number patterns; choices
    for visit in HomeVisit.objects.all()[:200]:
        visit.clean_fields(exclude=["placement", "agency", "recorded_by"])
    statuses = set(Placement.objects.values_list("status", flat=True))
    assert {"active", "ended", "confirmed", "cancelled"} <= statuses
    assert set(Referral.objects.values_list("status", flat=True)) >= {"accepted", "declined", "withdrawn"}


def licence_terms_are_consecutive_and_end_with_the_placement():
    for placement in Placement.objects.exclude(status__in=Placement.RELEASED_STATUSES).prefetch_related(
        "licence_terms"
    )[:300]:
        terms: list[LicenceTerm] = list(placement.licence_terms.all())
        assert terms[0].starts_on == placement.starts_on
        assert terms[-1].ends_on == placement.ends_on
        for before, after in zip(terms, terms[1:], strict=False):
            assert after.starts_on == before.ends_on


def every_term_has_its_agreement_and_warnings_fall_within_the_stay():
    assert LicenceAgreement.objects.count() == LicenceTerm.objects.count()
    statuses = dict(LicenceAgreement.objects.values_list("status").annotate(n=Count("pk")))
    assert statuses["signed"] > 0.8 * sum(statuses.values()) and statuses["refused"] and statuses["issued"]
    assert not LicenceAgreement.objects.filter(
        status="signed", term__placement__status__in=["confirmed", "provisional"]
    ).exists()
    began = Placement.objects.filter(arrived_on__isnull=False).count()
    assert 0.15 * began <= PersonCondition.objects.count() <= 0.35 * began
    warned = LicenceWarning.objects.values("placement").distinct().count()
    assert 0.2 * began <= warned <= 0.45 * began
    for warning in LicenceWarning.objects.select_related("placement")[:300]:
        stay = warning.placement
        assert stay.arrived_on < warning.issued_on <= (stay.departed_on or TODAY)
    endings = LicenceBreachEnding.objects.select_related("placement")
    assert endings.exists()
    for ending in endings:
        assert ending.placement.departure_reason == "eviction"
        assert ending.leave_by == ending.placement.departed_on
        assert all(w.issued_on <= ending.notice_on for w in ending.warnings.all())
    for model in (LicenceAgreement, PersonCondition, LicenceWarning, LicenceBreachEnding):
        for row in model.objects.all()[:50]:
            row.full_clean(validate_unique=False, validate_constraints=True)


def every_stay_that_began_has_a_move_on_plan_of_one_to_four_actions():
    began = Placement.objects.filter(arrived_on__isnull=False)
    assert MoveOnPlan.objects.count() == began.count()
    per_plan = MoveOnPlan.objects.annotate(n=Count("actions")).values_list("n", flat=True)
    assert set(per_plan) <= {1, 2, 3, 4} and len(set(per_plan)) > 1
    for action in MoveOnAction.objects.select_related("plan__placement")[:500]:
        stay = action.plan.placement
        assert stay.arrived_on <= action.opened_on <= (stay.departed_on or TODAY)
        assert action.outcome_on is None or action.outcome_on <= (stay.departed_on or TODAY)
        action.full_clean(validate_unique=False, validate_constraints=True)
    open_ones = MoveOnAction.objects.filter(status__in=["not_started", "in_progress"])
    assert not open_ones.filter(plan__placement__status="ended").exists()
    assert open_ones.filter(due_on__lt=TODAY).exists()  # some overdue, for the sweep to find
    assert {"done", "not_needed"} <= set(MoveOnAction.objects.values_list("status", flat=True))


def deposits_and_follow_up_checks_follow_the_departures(settings):
    assert DepositFund.objects.count() == 1
    deposits = Deposit.objects.select_related("placement")
    assert deposits.filter(outcome="").exists() and deposits.exclude(outcome="").exists()
    for deposit in deposits:
        assert deposit.placement.destination in ("private_rent", "social_rent", "supported_long_term")
        assert deposit.paid_on <= deposit.placement.departed_on
    ended = Placement.objects.filter(status="ended")
    assert FollowUpCheck.objects.count() == ended.count() * len(settings.FOLLOW_UP_MONTHS)
    for check in FollowUpCheck.objects.select_related("placement")[:500]:
        assert check.due_on == add_months(check.placement.departed_on, check.months)
        assert check.recorded_at is None or check.due_on < TODAY
    old = FollowUpCheck.objects.filter(due_on__lt=TODAY - timedelta(days=21))
    assert old.filter(recorded_at__isnull=False).count() > 0.8 * old.count()
    assert FollowUpCheck.objects.filter(recorded_at__isnull=True, due_on__lt=TODAY).exists()


def last_activity_is_what_the_audit_trigger_would_set():
    before = dict(Offender.objects.values_list("pk", "last_activity_on"))
    assert None not in before.values()
    with connection.cursor() as cursor:
        cursor.execute("SELECT audit_offender_refresh_activity(id) FROM referrals_offender")
    assert dict(Offender.objects.values_list("pk", "last_activity_on")) == before


def the_triggers_are_on_again_after_the_load():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT tgenabled FROM pg_trigger WHERE NOT tgisinternal AND tgrelid::regclass::text = ANY(%s)",
            [LOADED_TABLES],
        )
        assert cursor.fetchall() == [("O",)]
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        ReferralEvent.objects.update(kind="submitted")


def the_events_feed_is_in_time_order():
    times = list(ReferralEvent.objects.order_by("pk").values_list("occurred_at", flat=True))
    assert times == sorted(times)


def sweeps_ran_and_the_demo_logins_sign_in(seeded, client, settings):
    assert Alert.objects.exists()
    for username in ("officer", "manager", "probation", "ddas", "opcc"):
        response = client.post(reverse("login"), {"username": username, "password": settings.DEMO_PASSWORD})
        assert response.status_code == 302, username
        client.post(reverse("logout"))
        assert username in seeded


def the_benchmark_finds_something_of_each_kind_to_ask_for():
    targets = pick_targets(today=TODAY, api_client_id=API_CLIENT_ID)
    assert all(targets.counts().values()), targets.counts()
    assert {username for username, _ in targets.visits} == {"probation", "ddas"}


def a_second_run_does_nothing():
    counts = (Offender.objects.count(), HomeVisit.objects.count())
    assert "already loaded" in run_seed()
    assert (Offender.objects.count(), HomeVisit.objects.count()) == counts


def test_refuses_a_database_that_holds_other_people():
    call_command("seed_demo", "--today", TODAY.isoformat(), "--force", stdout=StringIO())
    with pytest.raises(CommandError, match="empty"):
        run_seed()


def test_refuses_without_debug_or_force(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_scale", "--offenders", "100", stdout=StringIO())
