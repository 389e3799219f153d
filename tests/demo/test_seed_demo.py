"""seed_demo: realistic, deterministic demo data that keeps every database rule, and safe re-runs."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agencies.models import HomeVisit
from alerts.models import Alert
from iom_housing.access import Role
from placements.dates import free_from
from placements.models import (
    LEAVING_REASONS,
    LICENCE_TERM_MAX_DAYS,
    Destination,
    Placement,
    Property,
    PropertyExclusion,
    VoidPeriod,
    ending_contradiction,
)
from referrals.models import Gender, Offender, OffenderEvent, Referral
from reports.models import UNIT_COST_USES, Funding, UnitCost

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)
PROJECT_APPS = {"auth", "agencies", "referrals", "placements", "alerts", "reports"}


def run_seed(*extra: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--today", TODAY.isoformat(), "--force", *extra, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded() -> str:
    return run_seed()


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in PROJECT_APPS
    }


def occupying(queryset=None):
    queryset = Placement.objects.all() if queryset is None else queryset
    return queryset.exclude(status__in=Placement.RELEASED_STATUSES)


# --- guard ------------------------------------------------------------------------------------


def test_refuses_to_run_when_debug_is_off_without_force(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo", "--today", TODAY.isoformat(), stdout=StringIO())
    assert Property.objects.count() == 0
    assert get_user_model().objects.count() == 0


def test_runs_without_force_when_debug_is_on(settings):
    settings.DEBUG = True
    call_command("seed_demo", "--today", TODAY.isoformat(), stdout=StringIO())
    assert Property.objects.count() == 3


def test_a_bad_date_is_refused():
    with pytest.raises(CommandError, match="2026-11-23"):
        call_command("seed_demo", "--today", "23/11/2026", "--force", stdout=StringIO())


# --- the scheme -------------------------------------------------------------------------------


def test_counts_are_in_range(seeded):
    assert Property.objects.count() == 3
    assert set(Property.objects.values_list("town", flat=True)) == {"Aberystwyth", "Cardigan", "Lampeter"}
    assert 25 <= Offender.objects.count() <= 40
    assert Placement.objects.filter(starts_on__lt=TODAY - timedelta(days=300)).exists()
    assert not Placement.objects.filter(starts_on__lt=TODAY - timedelta(days=366)).exists()
    # Before the sweeps, only the follow-up checks the demo's past endings made due: recording
    # the demo's history through the services raises those as it goes (aftercare).
    assert not Alert.objects.exclude(kind=Alert.Kind.FOLLOWUP_DUE).exists()


def test_properties_have_restrictions_voids_and_an_exclusion(seeded):
    assert Property.objects.filter(restriction=Property.Restriction.WOMEN_ONLY).count() == 1
    assert Property.objects.filter(accessible=True).exists()
    assert VoidPeriod.objects.filter(ends_on__lte=TODAY).exists()
    assert VoidPeriod.objects.filter(ends_on__gt=TODAY).exists()
    assert PropertyExclusion.objects.count() == 1
    for prop in Property.objects.all():
        assert prop.local_authority.code == "W06000008" and str(prop.local_authority) == "Ceredigion"
        assert prop.postcode.split()[0] in {"SY23", "SA43", "SA48"}


def test_offenders_have_valid_identifiers_and_needs(seeded):
    offenders = list(Offender.objects.all())
    for offender in offenders:
        offender.clean_fields()  # regex validators for PNC ID, CRN and prison number; choices
        assert "accommodation" in offender.needs and len(offender.needs) >= 3
    genders = {offender.gender for offender in offenders}
    assert {Gender.MALE, Gender.FEMALE} <= genders
    assert any(offender.safety_warnings for offender in offenders)
    assert any(offender.aliases for offender in offenders)


def test_referrals_in_every_status_with_dates_in_order(seeded):
    assert set(Referral.objects.values_list("status", flat=True)) == set(Referral.Status.values)
    now = timezone.now()
    for referral in Referral.objects.all():
        referral.clean_fields()
        assert referral.submitted_at.date() < TODAY and referral.submitted_at < now
        if referral.status in Referral.DECIDED_STATUSES:
            assert referral.submitted_at <= referral.decided_at
        if referral.status == Referral.Status.DECLINED:
            assert referral.decline_reason
    assert Referral.objects.filter(external_ref__startswith="PROB-").count() > Referral.objects.count() / 2
    assert Referral.objects.filter(referring_agency__code="ddas").exists()
    assert Referral.objects.filter(referring_agency__code="police").exists()
    for placement in Placement.objects.select_related("referral"):
        assert placement.referral.status == Referral.Status.ACCEPTED
        assert placement.referral.offender_id == placement.offender_id


def test_placements_in_every_status_and_every_departure_reason(seeded):
    assert set(Placement.objects.values_list("status", flat=True)) == set(Placement.Status.values)
    ended = Placement.objects.filter(status=Placement.Status.ENDED)
    # Every reason for leaving (the demo moves nobody to another bedspace).
    assert set(ended.values_list("departure_reason", flat=True)) == {value for value, _ in LEAVING_REASONS}
    destinations = list(ended.values_list("destination", flat=True))
    assert len(set(destinations)) >= 6
    settled = [d for d in destinations if d in {Destination.SOCIAL_RENT, Destination.PRIVATE_RENT,
                                                 Destination.SUPPORTED_LONG_TERM, Destination.FAMILY}]  # fmt: skip
    assert len(settled) > len(destinations) / 2
    assert (
        Placement.objects.filter(status=Placement.Status.CANCELLED).exclude(cancellation_reason="").exists()
    )
    for status in Placement.BOOKED_STATUSES:
        assert Placement.objects.filter(status=status, starts_on__gt=TODAY).exists()


def test_each_booking_is_dated_when_it_was_made_not_when_the_demo_was_seeded(seeded):
    """The timeline's "Bedspace booked" is the placement's creation: after the referral's decision,
    by 9am on the day of arrival, and months back for the old stays."""
    for placement in Placement.objects.select_related("referral"):
        assert placement.referral.decided_at <= placement.created_at, placement
        assert timezone.localdate(placement.created_at) <= placement.starts_on, placement
    assert Placement.objects.filter(created_at__date__lt=TODAY - timedelta(days=180)).exists()
    # and none of its endings pairs a reason with a destination that contradicts it
    for reason, destination in Placement.objects.filter(status=Placement.Status.ENDED).values_list(
        "departure_reason", "destination"
    ):
        assert ending_contradiction(reason, destination) is None, (reason, destination)


def test_licence_terms_are_consecutive_and_match_the_placement(seeded):
    renewed = 0
    for placement in Placement.objects.select_related("bedspace__property").prefetch_related("licence_terms"):
        terms = list(placement.licence_terms.all())
        assert [term.number for term in terms] == list(range(1, len(terms) + 1))
        assert terms[0].starts_on == placement.starts_on
        assert terms[-1].ends_on == placement.ends_on
        for before, after in zip(terms, terms[1:], strict=False):
            assert after.starts_on == before.ends_on
            assert after.reason
        assert all(1 <= term.days <= LICENCE_TERM_MAX_DAYS for term in terms)
        assert placement.free_from == free_from(
            placement.ends_on, placement.bedspace.property.turnaround_days
        )
        if placement.status == Placement.Status.ENDED:
            assert placement.ends_on == placement.departed_on
            assert placement.arrived_on == placement.starts_on
        renewed += len(terms) >= 2
    assert renewed >= 3


def test_active_placements_include_an_overrun_and_one_ending_within_a_week(seeded):
    active = Placement.objects.filter(status=Placement.Status.ACTIVE, departed_on__isnull=True)
    assert all(p.starts_on <= TODAY for p in active)
    assert active.filter(ends_on__lt=TODAY).exists()  # overrun: the last term has ended
    assert active.filter(ends_on__gt=TODAY, ends_on__lte=TODAY + timedelta(days=7)).exists()
    assert active.filter(ends_on__gt=TODAY + timedelta(days=7)).exists()


def test_bedspaces_are_never_double_booked_or_used_while_void(seeded):
    by_bedspace = defaultdict(list)
    for placement in occupying().order_by("starts_on"):
        by_bedspace[placement.bedspace_id].append(placement)
    for stays in by_bedspace.values():
        for before, after in zip(stays, stays[1:], strict=False):
            assert after.starts_on >= before.free_from
    for void in VoidPeriod.objects.all():
        for placement in by_bedspace[void.bedspace_id]:
            assert placement.free_from <= void.starts_on or placement.starts_on >= void.ends_on


def test_restrictions_and_exclusions_are_respected(seeded):
    women_only = occupying().filter(bedspace__property__restriction=Property.Restriction.WOMEN_ONLY)
    assert women_only.exists() and not women_only.exclude(offender__gender=Gender.FEMALE).exists()
    men_only = occupying().filter(bedspace__property__restriction=Property.Restriction.MEN_ONLY)
    assert not men_only.exclude(offender__gender=Gender.MALE).exists()
    exclusion = PropertyExclusion.objects.get()
    assert not Placement.objects.filter(
        offender=exclusion.offender, bedspace__property=exclusion.property
    ).exists()


def test_weekly_visits_by_four_agencies_with_joint_visits_and_concerns(seeded):
    visits = HomeVisit.objects.select_related("placement", "recorded_by__membership")
    codes = set(visits.values_list("agency__code", flat=True))
    assert {"police", "probation", "ddas", "care-society"} <= codes
    assert visits.filter(other_agencies__isnull=False).exists()
    assert visits.filter(concern_raised=True).exclude(concern="").exists()
    assert set(visits.values_list("outcome", flat=True)) == set(HomeVisit.Outcome.values)
    assert visits.filter(drug_test=HomeVisit.DrugTest.POSITIVE).exists()
    for visit in visits:
        visit.clean_fields()
        placement = visit.placement
        day = timezone.localtime(visit.visited_at).date()
        assert placement.status in (Placement.Status.ACTIVE, Placement.Status.ENDED)
        assert placement.arrived_on <= day < (placement.departed_on or TODAY)
        assert 9 <= timezone.localtime(visit.visited_at).hour <= 17
        assert visit.recorded_by.membership.agency_id == visit.agency_id
        assert visit.support_hours == 0 or visit.outcome == HomeVisit.Outcome.SEEN
    assert visits.filter(support_hours__gt=0).count() > visits.count() / 2


def test_offending_events_before_during_and_after_placements(seeded):
    events = defaultdict(list)
    for event in OffenderEvent.objects.all():
        assert event.occurred_on < TODAY
        events[event.offender_id].append(event)
    before = during = after = 0
    for placement in Placement.objects.filter(status=Placement.Status.ENDED):
        for event in events[placement.offender_id]:
            if event.occurred_on < placement.starts_on:
                before += 1
            elif event.occurred_on < placement.departed_on:
                during += 1
            else:
                after += 1
    assert before and during and after
    kinds = set(OffenderEvent.objects.values_list("kind", flat=True))
    assert set(OffenderEvent.Kind.values) <= kinds


def test_funding_and_unit_costs(seeded):
    assert sum(Funding.objects.values_list("amount", flat=True)) == Decimal("25000")
    assert Funding.objects.filter(amount=Decimal("11000")).exists()
    assert set(UnitCost.objects.values_list("key", flat=True)) == set(UNIT_COST_USES)
    assert not UnitCost.objects.filter(source="").exists()
    # Every figure is a range in order (the database refuses one that is not).
    for cost in UnitCost.objects.all():
        assert 0 < cost.low < cost.central < cost.high


# --- logins -----------------------------------------------------------------------------------

DEMO_LOGINS = {
    "officer": (Role.IOM_OFFICER, "police"),
    "probation": (Role.AGENCY_WORKER, "probation"),
    "ddas": (Role.AGENCY_WORKER, "ddas"),
    "manager": (Role.SCHEME_MANAGER, "police"),
    "opcc": (Role.OPCC_ANALYST, "opcc"),
    "swyddog": (Role.IOM_OFFICER, "police"),
}


def _password_accepted(client, username: str, password: str) -> bool:
    """Through the sign-in page (django-axes needs the request that `client.login` does not pass)."""
    response = client.post(reverse("login"), {"username": username, "password": password})
    client.post(reverse("logout"))
    return response.status_code == 302


def test_demo_logins_have_their_roles_and_the_demo_password(seeded, client, settings):
    for username, (role, agency_code) in DEMO_LOGINS.items():
        user = get_user_model().objects.select_related("membership__agency").get(username=username)
        assert (user.membership.role, user.membership.agency.code) == (role, agency_code)
        assert user.email == f"{username}@example.org"
        assert _password_accepted(client, username, settings.DEMO_PASSWORD)
        assert username in seeded
    assert settings.DEMO_PASSWORD in seeded


def test_demo_api_client_for_probation_gets_a_token_with_the_demo_password(seeded, client, settings):
    import base64

    credentials = base64.b64encode(f"demo-probation:{settings.DEMO_PASSWORD}".encode()).decode()
    response = client.post(
        "/o/token/",
        {"grant_type": "client_credentials", "scope": "referrals:read referrals:write visits:write"},
        HTTP_AUTHORIZATION=f"Basic {credentials}",
    )
    assert response.status_code == 200
    token = response.json()["access_token"]
    listing = client.get("/api/v1/referrals/", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert listing["results"]
    assert {row["external_ref"][:5] for row in listing["results"]} <= {"PROB-"}
    assert "demo-probation" in seeded


def test_staff_who_only_record_visits_cannot_sign_in(seeded):
    others = get_user_model().objects.exclude(username__in=DEMO_LOGINS)
    assert others.exists()
    assert not any(user.has_usable_password() for user in others)


def test_the_welsh_speaking_officer_gets_the_service_in_welsh(seeded, client, settings):
    """`swyddog` prefers Welsh: signed in, the pages say so (`<html lang="cy">`), the others'
    pages stay in English."""
    assert get_user_model().objects.get(username="swyddog").membership.preferred_language == "cy"
    assert get_user_model().objects.get(username="officer").membership.preferred_language == ""
    assert _password_accepted(client, "swyddog", settings.DEMO_PASSWORD)
    client.force_login(get_user_model().objects.get(username="swyddog"))
    assert '<html lang="cy"' in client.get(reverse("placements:dashboard")).content.decode()


# --- re-runs ----------------------------------------------------------------------------------


def test_running_twice_duplicates_nothing(seeded):
    counts = row_counts()
    output = run_seed()
    assert "Demo data already present; logins refreshed." in output
    assert row_counts() == counts


def test_a_changed_demo_password_takes_effect_on_the_next_run(seeded, client, settings):
    settings.DEMO_PASSWORD = "another-demo-password"
    run_seed()
    assert _password_accepted(client, "officer", "another-demo-password")
    assert not _password_accepted(client, "officer", "demo-password")


class _Rollback(Exception):
    pass


def fingerprint() -> dict[str, list]:
    def name(offender) -> str:
        return offender.full_name

    return {
        "offenders": sorted(
            (o.first_name, o.last_name, o.date_of_birth, o.gender, o.pnc_id, o.crn, tuple(o.needs))
            for o in Offender.objects.all()
        ),
        "placements": sorted(
            (
                name(p.offender),
                p.bedspace.label,
                p.status,
                p.starts_on,
                p.ends_on,
                p.free_from,
                p.departed_on,
                p.departure_reason,
                p.destination,
            )
            for p in Placement.objects.select_related("offender", "bedspace")
        ),  # fmt: skip
        "referrals": sorted(
            (name(r.offender), r.external_ref, r.status, r.submitted_at, r.decided_at, r.decline_reason)
            for r in Referral.objects.select_related("offender")
        ),
        "visits": sorted(
            (name(v.placement.offender), v.agency.code, v.visited_at, v.outcome, v.support_hours, v.concern)
            for v in HomeVisit.objects.select_related("placement__offender", "agency")
        ),
        "events": sorted(
            (name(e.offender), e.kind, e.occurred_on, e.offence_category)
            for e in OffenderEvent.objects.select_related("offender")
        ),
        "voids": sorted(
            (v.bedspace.label, v.starts_on, v.ends_on) for v in VoidPeriod.objects.select_related("bedspace")
        ),
    }


def fresh_run_fingerprint() -> dict[str, list]:
    """Seed inside a savepoint, take the fingerprint, and roll the seed back."""
    try:
        with transaction.atomic():
            run_seed()
            result = fingerprint()
            raise _Rollback
    except _Rollback:
        pass
    assert Property.objects.count() == 0
    return result


def test_the_same_date_gives_identical_data():
    first = fresh_run_fingerprint()
    second = fresh_run_fingerprint()
    assert first == second
    assert len(first["visits"]) > 100


def test_the_events_feed_tells_each_demo_referrals_story_in_order(seeded):
    from referrals.models import ReferralEvent

    events = list(ReferralEvent.objects.order_by("pk").values_list("referral_id", "kind", "occurred_at"))
    assert [when for _, _, when in events] == sorted(when for _, _, when in events)
    first = {}
    for referral_id, kind, _ in events:
        first.setdefault(referral_id, kind)
    assert set(first) == set(Referral.objects.values_list("pk", flat=True))
    assert set(first.values()) == {"submitted"}
    kinds = {kind for _, kind, _ in events}
    assert {"accepted", "declined", "placed", "arrived", "renewed", "departed"} <= kinds


def test_current_stays_have_case_notes_and_their_licence_agreement(seeded, document_storage):
    from casefiles.models import CaseNote, Document

    assert CaseNote.objects.count() >= 2
    assert CaseNote.objects.filter(author__username="probation").exists()
    assert not CaseNote.objects.filter(created_at__date__gte=TODAY).exists()
    documents = Document.objects.filter(kind=Document.Kind.LICENCE_AGREEMENT)
    assert documents.exists() and all(d.placement.status == Placement.Status.ACTIVE for d in documents)
    assert all(document_storage.exists(d.file.name) for d in documents)
