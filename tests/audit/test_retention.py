"""Retention: review dates kept by the database, the daily list, retain or erase. After erasure
no page, export or API response names the person, and the anonymous facts are all still there."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from agencies.models import HomeVisit
from audit import models as audit_models
from audit.models import AccessLogEntry, RetentionReview
from audit.selectors import retention_due, review_date
from audit.services import offender_erase, offender_retain
from audit.tasks import list_retention_due
from iom_housing.access import Role
from placements.models import LicenceTerm, Placement
from referrals.models import Offender, OffenderEvent, Referral
from reports.models import ReportExport
from tests.audit.test_erasure_fields import history_tables_about_a_person
from tests.clock import london, written
from tests.factories import (
    HomeVisitFactory,
    OffenderEventFactory,
    OffenderFactory,
    PlacementFactory,
    ReferralFactory,
    ReportExportFactory,
    SupportAgencyFactory,
    SupportPlanFactory,
)
from tests.helpers import user_with_role

pytestmark = pytest.mark.django_db

LONG_AGO = date(2015, 3, 1)


def _old_person(**kwargs) -> Offender:
    """Someone whose last placement ended in 2015."""
    person = OffenderFactory(**kwargs)
    PlacementFactory(
        offender=person,
        status=Placement.Status.ENDED,
        starts_on=LONG_AGO,
        ends_on=LONG_AGO + timedelta(days=20),
        free_from=LONG_AGO + timedelta(days=20),
        arrived_on=LONG_AGO,
        departed_on=LONG_AGO + timedelta(days=20),
        departure_reason="planned",
        destination="social_rent",
    )
    Offender.objects.filter(pk=person.pk).update(
        created_at=timezone.make_aware(timezone.datetime(2015, 1, 1))
    )
    OffenderEventFactory(offender=person, occurred_on=LONG_AGO)
    person.refresh_from_db()
    return person


def test_the_last_activity_follows_placements_and_events_whatever_writes_them():
    person = OffenderFactory()
    person.refresh_from_db()
    assert person.last_activity_on == timezone.localdate()  # recorded today
    later = timezone.localdate() + timedelta(days=40)
    placement = PlacementFactory(offender=person, starts_on=timezone.localdate())
    person.refresh_from_db()
    assert person.last_activity_on == placement.ends_on
    Placement.objects.filter(pk=placement.pk).update(ends_on=later, free_from=later)  # a bulk update too
    person.refresh_from_db()
    assert person.last_activity_on == later


@pytest.mark.time_machine(london(2027, 6, 2, 0, 20), tick=False)
def test_the_last_activity_is_the_local_day_even_in_the_hour_after_midnight_in_summer():
    """00:20 BST on 2 June is 23:20 UTC on 1 June: the record and its referral belong to 2 June."""
    person = OffenderFactory()
    person.refresh_from_db()
    assert person.last_activity_on == date(2027, 6, 2)
    Offender.objects.filter(pk=person.pk).update(created_at=timezone.make_aware(datetime(2000, 1, 1)))
    ReferralFactory(offender=person, submitted_at=london(2027, 5, 20, 0, 30))
    person.refresh_from_db()
    assert person.last_activity_on == date(2027, 5, 20)


def test_a_record_is_due_six_years_after_its_last_activity(settings):
    old, recent = _old_person(), OffenderFactory()
    today = timezone.localdate()
    assert old.last_activity_on == LONG_AGO + timedelta(days=20)
    assert list(retention_due(today=today)) == [old]
    assert review_date(old) == date(2021, 3, 21)
    settings.RETENTION_REVIEW_YEARS = 50
    assert not retention_due(today=today).exists()
    assert recent in retention_due(today=today + timedelta(days=365 * 51))


def test_a_record_last_active_on_29_february_is_due_on_28_february_with_that_days_records():
    """Six years on there is no 29 February: the review falls on the 28th (review_date), and the
    list on that day must show it, with the records last active on the 28th."""
    leap, before = OffenderFactory(), OffenderFactory()
    Offender.objects.filter(pk__in=[leap.pk, before.pk]).update(
        created_at=timezone.make_aware(datetime(2000, 1, 1))
    )
    OffenderEventFactory(offender=leap, occurred_on=date(2028, 2, 29))
    OffenderEventFactory(offender=before, occurred_on=date(2028, 2, 28))
    leap.refresh_from_db()
    assert review_date(leap) == date(2034, 2, 28)
    assert list(retention_due(today=date(2034, 2, 27))) == []
    assert list(retention_due(today=date(2034, 2, 28))) == [before, leap]


def test_the_daily_job_lists_the_records_due():
    old = _old_person()
    assert list_retention_due.delay().get() == [str(old.public_id)]


def test_retaining_a_record_takes_it_off_the_list_until_the_new_date(scheme_manager):
    old = _old_person()
    today = timezone.localdate()
    offender_retain(
        offender_id=old.pk,
        reason="Linked investigation open",
        retain_until=today + timedelta(days=365),
        by=scheme_manager,
    )
    assert not retention_due(today=today).exists()
    assert list(retention_due(today=today + timedelta(days=365))) == [old]
    with pytest.raises(ValidationError) as refused:
        offender_retain(offender_id=old.pk, reason="", retain_until=today, by=scheme_manager)
    assert set(refused.value.error_dict) == {"reason", "retain_until"}


def test_the_retention_page_lists_records_due_and_refuses_a_retain_without_a_date(scheme_manager_client):
    old = _old_person(last_name="Oldrecord")
    assert "Oldrecord" in scheme_manager_client.get(reverse("audit:retention")).content.decode()
    url = reverse("audit:retention-review", args=[old.public_id])
    response = scheme_manager_client.post(url, {"decision": "retain", "reason": "Still open"})
    assert response.status_code == 200
    assert "The next review date must be in the future" in response.content.decode()
    assert not RetentionReview.objects.exists()


def _everything_about(person):
    """A person with a referral, a placement with terms, a support plan, a visit with a
    correction and a concern, an event: free text everywhere."""
    officer = user_with_role(Role.IOM_OFFICER)
    referral = ReferralFactory(
        offender=person,
        status=Referral.Status.ACCEPTED,
        risk_summary="Knows Mr Bloggs",
        decision_notes="Fine",
    )
    placement = PlacementFactory(
        offender=person,
        referral=referral,
        status=Placement.Status.ACTIVE,
        starts_on=LONG_AGO,
        ends_on=LONG_AGO + timedelta(days=28),
        free_from=LONG_AGO + timedelta(days=28),
        arrived_on=LONG_AGO,
        notes="Brother is Sam Quinby",
        with_term=True,
    )
    plan = SupportPlanFactory(placement=placement, notes="Sees Quinby family")
    SupportAgencyFactory(support_plan=plan, agency=referral.referring_agency)
    visit = HomeVisitFactory(
        placement=placement,
        agency=referral.referring_agency,
        recorded_by=officer,
        visited_at=timezone.make_aware(timezone.datetime(2015, 3, 5, 10)),
        concern_raised=True,
        concern="Quinby was drunk",
        notes="Quinby in good spirits",
    )
    HomeVisit.objects.filter(pk=visit.pk).update(notes="Quinby corrected")
    OffenderEventFactory(offender=person, occurred_on=LONG_AGO, notes="Arrested with Quinby")
    return referral, placement, visit


def histories_of_their_records(person) -> set[str]:
    """The history tables still holding rows of the person's records that erasure clears."""
    left = set()
    for event_model in history_tables_about_a_person():
        tracked = event_model.pgh_tracked_model
        if hasattr(tracked, "ERASURE"):
            theirs = tracked.objects.filter(**{tracked.ERASURE.person: person.pk}).values("pk")
            if event_model.objects.filter(pgh_obj_id__in=theirs).exists():
                left.add(event_model._meta.label)
    return left


def histories_naming(secrets) -> set[str]:
    """The history tables about people with a row holding any of `secrets` in any column."""
    return {
        event_model._meta.label
        for event_model in history_tables_about_a_person()
        for row in event_model.objects.values()
        if any(secret in str(value) for value in row.values() for secret in secrets)
    }


def test_erasure_removes_every_trace_of_the_person_and_keeps_the_facts(
    client, scheme_manager, api_client_for, django_capture_on_commit_callbacks
):
    person = OffenderFactory(
        first_name="Tobias",
        last_name="Quinby",
        aliases=["Toby Q"],
        licence_conditions="Curfew",
        date_of_birth=date(1977, 10, 23),
    )
    born = person.date_of_birth
    referral, placement, visit = _everything_about(person)
    # The whole date of birth in every way a page, export or the API writes one: a year alone
    # ("1977") can be part of a token, a reference or another person's date.
    secrets = ["Tobias", "Quinby", person.pnc_id, person.crn, referral.external_ref, "Bloggs", *written(born)]
    counts = lambda: (  # noqa: E731
        Placement.objects.filter(offender=person).count(),
        HomeVisit.objects.filter(placement__offender=person).count(),
        OffenderEvent.objects.filter(offender=person).count(),
        Referral.objects.filter(offender=person).count(),
        LicenceTerm.objects.filter(placement__offender=person).count(),
    )
    before = counts()
    assert audit_models.PlacementHistory.objects.filter(pgh_obj_id=placement.pk).exists()
    naming, other = ReportExportFactory(audience="officer", offender_ids=[person.pk]), ReportExportFactory()
    assert histories_naming(secrets) >= {
        "audit.OffenderHistory",
        "audit.OffenderEventHistory",
        "audit.ReferralHistory",
        "audit.PlacementHistory",
        "audit.SupportPlanHistory",
        "audit.HomeVisitHistory",
    }

    with django_capture_on_commit_callbacks(execute=True):
        erased = offender_erase(offender_id=person.pk, reason="Six years without contact", by=scheme_manager)

    assert counts() == before
    assert not naming.path.exists() and other.path.exists()
    assert list(ReportExport.objects.all()) == [other]
    assert (erased.gender, erased.ethnicity, erased.needs) == (person.gender, person.ethnicity, person.needs)
    assert erased.date_of_birth is None and erased.erased_at is not None
    placement.refresh_from_db()
    assert (placement.starts_on, placement.status) == (LONG_AGO, Placement.Status.ACTIVE)
    # Every history table of a model about a person: the history of each record erasure cleared
    # is gone, and no row left anywhere holds what it removed (before, six tables did).
    assert histories_of_their_records(person) == set()
    assert histories_naming(secrets) == set()
    assert not audit_models.OffenderHistory.objects.filter(pgh_obj_id=person.pk).exists()
    assert not audit_models.HomeVisitHistory.objects.filter(pgh_obj_id=visit.pk).exists()
    log = AccessLogEntry.objects.filter(action="erase").get()
    assert log.offender_ids == [person.pk] and log.user == scheme_manager

    # Walk every page, export and API response that could show them.
    pages = []
    for role in (Role.IOM_OFFICER, Role.SCHEME_MANAGER):
        client.force_login(user_with_role(role))
        for url in (
            reverse("referrals:offender-detail", args=[person.public_id]),
            reverse("referrals:offender-list"),
            reverse("referrals:referral-list") + "?status=accepted",
            reverse("referrals:referral-detail", args=[referral.public_id]),
            reverse("placements:placement-detail", args=[placement.public_id]),
            reverse("placements:dashboard"),
            reverse("agencies:visit-detail", args=[visit.pk]),
        ):
            pages.append((url, client.get(url)))
    pages.append(
        (
            "subject access",
            client.post(reverse("audit:subject-access", args=[person.public_id]), {"file_format": "json"}),
        )
    )
    pages.append(("access log", client.get(reverse("audit:access-log") + f"?person={person.public_id}")))
    api = api_client_for(referral.referring_agency)
    pages.append(("api list", api.get(reverse("api:referral-list"))))
    pages.append(("api detail", api.get(reverse("api:referral-detail", args=[referral.public_id]))))
    leaks = []
    for where, response in pages:
        assert response.status_code == 200, where
        body = response.content.decode()
        leaks += [f"{where}: {secret}" for secret in secrets if secret in body]
    assert not leaks, leaks
    assert "Erased record" in pages[0][1].content.decode()
    search = client.get(reverse("referrals:offender-list"), {"q": person.pnc_id})
    assert "No people match" in search.content.decode()


def test_an_erased_record_cannot_be_erased_or_retained_again(scheme_manager):
    person = _old_person()
    offender_erase(offender_id=person.pk, reason="Due", by=scheme_manager)
    with pytest.raises(ValidationError):
        offender_erase(offender_id=person.pk, reason="Again", by=scheme_manager)
    assert not retention_due(today=timezone.localdate()).exists()


def test_erasing_through_the_review_page(scheme_manager_client):
    person = _old_person()
    url = reverse("audit:retention-review", args=[person.public_id])
    response = scheme_manager_client.post(url, {"decision": "erase", "reason": "No contact for six years"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.erased_at is not None and person.last_name == ""
