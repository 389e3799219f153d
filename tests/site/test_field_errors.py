"""Errors that name their field: GOV.UK date inputs say which date is wrong, a required answer left
out gets a sentence (never Django's "This field is required."), the drug-test answers are told
apart, and un-ticking a concern while correcting a visit clears its hidden text."""

from datetime import timedelta

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from agencies.forms import VisitForm
from agencies.models import HomeVisit, VisitCorrection
from iom_housing.forms import GovukDateField, ServiceForm, _name_the_required_field
from referrals.models import Referral
from tests.agencies.helpers import supported_placement
from tests.factories import HomeVisitFactory, ReferralFactory
from tests.helpers import date_fields, post_as_shown

pytestmark = pytest.mark.django_db

DJANGO_REQUIRED = "This field is required."


# The date input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("boxes", "message"),
    [
        (["", "", ""], "Enter the date the licence ends"),
        (["31", "2", "2027"], "The date the licence ends must be a real date"),
        (["1", "2", "27"], "The year of the date the licence ends must include 4 numbers"),
        (["1", "2", "1850"], "The year of the date the licence ends must be from 1900 to 2100"),
        (["1", "x", "2027"], "Enter the date the licence ends in numbers, for example 27 3 2026"),
        (["123", "2", "2027"], "The date the licence ends must be a real date"),
    ],
)
def test_a_date_field_names_its_date_in_every_message(boxes, message):
    class TwoDates(forms.Form):
        licence_ends_on = GovukDateField(label="Licence end", error_name="the date the licence ends")
        wanted_from = GovukDateField(label="Wanted from", error_name="the date a place is needed from")

    form = TwoDates(
        {
            **{f"licence_ends_on_{i}": value for i, value in enumerate(boxes)},
            **date_fields("wanted_from", timezone.localdate()),
        }
    )
    assert not form.is_valid()
    assert form.errors["licence_ends_on"] == [message]
    assert "wanted_from" not in form.errors


def test_a_date_field_without_a_name_still_reads_as_a_sentence():
    class OneDate(forms.Form):
        on = GovukDateField(label="On")

    assert OneDate({"on_0": "", "on_1": "", "on_2": ""}).errors["on"] == ["Enter the date"]
    assert OneDate({"on_0": "30", "on_1": "2", "on_2": "2026"}).errors["on"] == [
        "The date must be a real date"
    ]


def test_the_message_is_translated_when_shown_not_when_the_form_class_is_made():
    field = GovukDateField(label="On", error_name="the visit's date")
    with override("en"):
        assert str(field.error_messages["required"]) == "Enter the visit's date"


def test_the_visit_form_says_which_of_its_two_dates_is_wrong(agency, agency_worker_client):
    placement = supported_placement(agency)
    response = agency_worker_client.post(
        reverse("agencies:visit-record", args=[placement.public_id]),
        {
            **date_fields("visited_on", None),
            "next_visit_on_0": "40",
            "next_visit_on_1": "1",
            "next_visit_on_2": "2027",
        },
    )
    errors = response.context["form"].errors
    assert errors["visited_on"] == ["Enter the visit's date"]
    assert errors["next_visit_on"] == ["The date of the next visit must be a real date"]
    assert "Enter the day, month and year" not in response.content.decode()


# Required answers -----------------------------------------------------------------------------------


def test_declining_without_a_reason_says_what_to_choose(iom_officer_client):
    referral = ReferralFactory(status=Referral.Status.IN_REVIEW)
    response = post_as_shown(
        iom_officer_client, reverse("referrals:referral-decline", args=[referral.public_id]), {"notes": ""}
    )
    content = response.content.decode()
    assert response.context["form"].errors["reason"] == ["Select the reason for declining the referral"]
    assert DJANGO_REQUIRED not in content
    assert "<title>Error: " in content


@pytest.mark.parametrize(
    ("field", "message"),
    [
        (forms.CharField(label="Address line 1"), "Enter address line 1"),
        (forms.CharField(label="PNC ID"), "Enter PNC ID"),
        (forms.ChoiceField(label="Format", choices=[("a", "A")]), "Select format"),
        (
            forms.ChoiceField(label="Why did they leave?", choices=[("a", "A")]),
            "Answer the question: Why did they leave?",
        ),
        (forms.CharField(label="Name", error_messages={"required": "Enter their name"}), "Enter their name"),
        (forms.CharField(widget=forms.HiddenInput), DJANGO_REQUIRED),
    ],
)
def test_a_required_field_without_its_own_message_gets_a_sentence_naming_it(field, message):
    _name_the_required_field(field)
    assert str(field.error_messages["required"]) == message


def test_no_visible_required_field_of_a_service_form_says_this_field_is_required():
    """Every form the apps hand to a service, as it is made for a page."""
    import importlib

    for module in ("referrals.forms", "placements.forms", "agencies.forms", "aftercare.forms", "audit.forms"):
        importlib.import_module(module)
    bare = []
    for form_class in _subclasses(ServiceForm):
        for name, field in form_class.base_fields.items():
            copy = field.__class__.__new__(field.__class__)
            copy.__dict__ = {**field.__dict__, "error_messages": dict(field.error_messages)}
            _name_the_required_field(copy)
            visible = not isinstance(field.widget, forms.HiddenInput)
            if field.required and visible and str(copy.error_messages["required"]) == DJANGO_REQUIRED:
                bare.append(f"{form_class.__name__}.{name}")
    assert not bare, bare


def _subclasses(cls) -> set:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


# The drug test ------------------------------------------------------------------------------------------


def test_not_taken_and_no_test_are_told_apart(agency):
    choices = dict(VisitForm(agency=agency).fields["drug_test"].choices)
    assert choices["not_taken"] == "Asked for, but not taken"
    assert choices[""] == "Not asked for this time"
    assert "refused or could not give a sample" in str(VisitForm(agency=agency).fields["drug_test"].help_text)
    assert HomeVisit.DrugTest.NOT_TAKEN.label == "Asked for, but not taken"


# Un-ticking a concern while correcting -----------------------------------------------------------------


def test_unticking_a_concern_while_correcting_clears_its_text(agency, agency_worker, agency_worker_client):
    placement = supported_placement(agency)
    visit = HomeVisitFactory(
        placement=placement,
        agency=agency,
        recorded_by=agency_worker,
        concern_raised=True,
        concern="Visitors late at night",
        visited_at=timezone.now() - timedelta(hours=2),
    )
    url = reverse("agencies:visit-correct", args=[visit.pk])
    local = timezone.localtime(visit.visited_at)
    data = {
        **date_fields("visited_on", local.date()),
        "visited_time_0": str(local.hour),
        "visited_time_1": str(local.minute),
        "kind": visit.kind,
        "outcome": visit.outcome,
        "staff_names": visit.staff_names,
        "support_hours": "1",
        # The box is hidden once un-ticked, but the browser still sends what was in it.
        "concern": "Visitors late at night",
        "reason": "The concern was about a different person",
    }
    response = post_as_shown(agency_worker_client, url, data)
    assert response.status_code == 302, response.context["form"].errors
    visit.refresh_from_db()
    assert (visit.concern_raised, visit.concern) == (False, "")
    assert VisitCorrection.objects.get().changes["concern"] == ["Visitors late at night", ""]
