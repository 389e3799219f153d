"""A correction is made on the visit the page showed: it carries the latest correction it was
shown with, so a second person's correction cannot silently undo the first's; the same correction
sent twice is "already done" (docs/adr/006-stale-form-basis.md)."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import HomeVisit, VisitCorrection
from agencies.services import visit_correct, visit_record
from iom_housing.access import Role
from iom_housing.basis import StaleBasis
from tests.agencies.helpers import answers, supported_placement
from tests.clock import london
from tests.helpers import form_basis, user_with_role

pytestmark = pytest.mark.django_db

NOW = london(2026, 12, 3, 11, 30)


@pytest.fixture(autouse=True)
def _pinned(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def worker(agency):
    return user_with_role(Role.AGENCY_WORKER, agency, first_name="Owain", last_name="Recorder")


@pytest.fixture
def officer():
    return user_with_role(Role.IOM_OFFICER, first_name="Morwenna", last_name="Staleworth")


@pytest.fixture
def visit(agency, worker):
    placement = supported_placement(agency)
    return visit_record(placement_id=placement.pk, by=worker, **answers())


def test_a_correction_on_a_page_shown_before_another_correction_is_refused_naming_it(visit, worker, officer):
    visit_correct(visit_id=visit.pk, by=officer, reason="Was not in", outcome="not_in", based_on_correction=0)
    with pytest.raises(StaleBasis) as refused:
        visit_correct(visit_id=visit.pk, by=worker, reason="Hours", support_hours="2", based_on_correction=0)
    assert refused.value.messages == [
        "This home visit was changed by Morwenna Staleworth at 11:30am since you opened this page: these "
        "answers were corrected: outcome. Check it and try again."
    ]
    visit = HomeVisit.objects.get(pk=visit.pk)
    assert (visit.outcome, visit.support_hours) == ("not_in", Decimal("1.5"))
    assert VisitCorrection.objects.count() == 1


def test_the_same_correction_sent_twice_is_already_done(visit, worker):
    visit_correct(visit_id=visit.pk, by=worker, reason="Hours", support_hours="2", based_on_correction=0)
    with pytest.raises(StaleBasis) as refused:
        visit_correct(visit_id=visit.pk, by=worker, reason="Hours", support_hours="2", based_on_correction=0)
    assert refused.value.already_done
    assert refused.value.messages[0].startswith("This was already done at 11:30am (the form was sent twice)")
    assert VisitCorrection.objects.count() == 1


def test_a_different_correction_on_your_own_old_page_is_refused(visit, worker):
    visit_correct(visit_id=visit.pk, by=worker, reason="Hours", support_hours="2", based_on_correction=0)
    with pytest.raises(StaleBasis) as refused:
        visit_correct(visit_id=visit.pk, by=worker, reason="Hours", support_hours="3", based_on_correction=0)
    assert not refused.value.already_done
    assert refused.value.messages[0].startswith("This home visit was changed by you at 11:30am")


def test_a_correction_on_the_latest_one_is_made(visit, worker):
    first = visit_correct(
        visit_id=visit.pk, by=worker, reason="Hours", support_hours="2", based_on_correction=0
    )
    latest = first.corrections.get().pk
    visit_correct(visit_id=visit.pk, by=worker, reason="Again", support_hours="3", based_on_correction=latest)
    assert HomeVisit.objects.get(pk=visit.pk).support_hours == Decimal("3")


def test_the_correction_page_carries_the_latest_correction(client, visit, worker):
    client.force_login(worker)
    url = reverse("agencies:visit-correct", args=[visit.pk])
    assert form_basis(client.get(url)) == "0"
    visit_correct(visit_id=visit.pk, by=worker, reason="Hours", support_hours="2")
    assert form_basis(client.get(url)) == str(VisitCorrection.objects.get().pk)


def test_a_stale_correction_page_says_what_was_corrected_and_keeps_the_answers(
    client, visit, worker, officer
):
    client.force_login(worker)
    url = reverse("agencies:visit-correct", args=[visit.pk])
    page = client.get(url)
    visit_correct(visit_id=visit.pk, by=officer, reason="Was not in", outcome="not_in")
    local = timezone.localtime(visit.visited_at)
    data = {
        "visited_on_0": local.day,
        "visited_on_1": local.month,
        "visited_on_2": local.year,
        "visited_time_0": local.hour,
        "visited_time_1": local.minute,
        "kind": "home",
        "outcome": "seen",
        "staff_names": "PC Jones",
        "engagement": "good",
        "support_hours": "2.25",
        "reason": "Hours were wrong",
        "basis": form_basis(page),
    }
    response = client.post(url, data)
    content = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in content
    assert "since you opened this page: these answers were corrected: outcome" in content
    assert 'value="2.25"' in content
    assert form_basis(response) == str(VisitCorrection.objects.get().pk)
    assert HomeVisit.objects.get(pk=visit.pk).outcome == "not_in"
