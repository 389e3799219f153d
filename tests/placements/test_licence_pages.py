"""The licence pages: the placement page's agreements, conditions and warnings (for officers and
the supporting agency), printing an agreement, recording it signed, a warning, the breach ending
with its check-answers step, and the wording a scheme manager keeps.

Today is pinned to Thursday 3 December 2026 (London, winter time)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from audit.models import AccessLogEntry
from iom_housing.access import Role
from placements import services_licence as licence
from placements.models import BreachEndingKind, LicenceBreachEnding, LicenceWarning, LicenceWording, Placement
from placements.views_licence import agreement_context
from tests.clock import london
from tests.factories import AgencyFactory, SupportAgencyFactory, SupportPlanFactory
from tests.helpers import date_fields, page_queries, post_as_shown, signed_in_client, user_with_role
from tests.placements import helpers as h

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 3)


@pytest.fixture(autouse=True)
def _pinned(time_machine):
    time_machine.move_to(london(2026, 12, 3, 11, 30), tick=False)


@pytest.fixture
def stay():
    """Active since Mon 23 November; term 1 covers the nights of 23 Nov to 20 Dec (28 nights)."""
    placement = h.make_placement(
        h.make_bedspace(address_line_1="4 Bridge Street", town="Aberystwyth", postcode="SY23 1QB"),
        starts_on=date(2026, 11, 23),
        status=Placement.Status.ACTIVE,
    )
    placement.offender.first_name, placement.offender.last_name = "Dafydd", "Prydderch"
    placement.offender.save()
    return placement


@pytest.fixture
def supporter(stay):
    """A worker of the agency on the stay's support plan."""
    agency = AgencyFactory(name="Probation")
    SupportAgencyFactory(support_plan=SupportPlanFactory(placement=stay), agency=agency)
    return user_with_role(Role.AGENCY_WORKER, agency)


def _warn(stay, officer, n=1):
    for i in range(n):
        licence.licence_warning_record(
            placement_id=stay.pk,
            level="verbal",
            condition="standard:2",
            what_happened=f"Rubbish left out ({i}).",
            issued_on=TODAY,
            by=officer,
        )


def test_the_placement_page_shows_each_terms_agreement_conditions_and_warnings(
    stay, iom_officer, iom_officer_client
):
    licence.person_condition_add(placement_id=stay.pk, text="No visitors after 22:00", by=iom_officer)
    _warn(stay, iom_officer)
    page = iom_officer_client.get(stay.get_absolute_url()).content.decode()
    assert "23 Nov 2026 to 20 Dec 2026 (28 nights)" in page
    assert "Not issued yet" in page  # a term written before agreements (the factory's)
    assert "No visitors after 22:00" in page
    assert "Rubbish left out (0)." in page
    assert reverse("placements:licence-agreement", args=[stay.public_id, 1]) in page
    assert reverse("placements:warning-add", args=[stay.public_id]) in page
    assert reverse("placements:breach-end", args=[stay.public_id]) in page


def test_the_supporting_agency_reads_conditions_and_warnings_but_records_neither(
    stay, iom_officer, supporter
):
    licence.person_condition_add(placement_id=stay.pk, text="No visitors after 22:00", by=iom_officer)
    _warn(stay, iom_officer)
    client = signed_in_client(supporter)
    page = client.get(stay.get_absolute_url()).content.decode()
    assert "No visitors after 22:00" in page and "Rubbish left out (0)." in page
    for name in ("warning-add", "condition-add", "breach-end", "condition-remove"):
        assert reverse(f"placements:{name}", args=[stay.public_id]) not in page
        assert client.post(reverse(f"placements:{name}", args=[stay.public_id])).status_code == 403
    assert reverse("placements:licence-agreement", args=[stay.public_id, 1]) not in page


def test_the_placement_page_makes_the_same_number_of_queries_for_2_or_20_warnings(
    stay, iom_officer, iom_officer_client
):
    _warn(stay, iom_officer, 2)
    with_two = page_queries(iom_officer_client, stay.get_absolute_url())
    _warn(stay, iom_officer, 18)
    licence.person_condition_add(placement_id=stay.pk, text="Curfew", by=iom_officer)
    assert page_queries(iom_officer_client, stay.get_absolute_url()) == with_two


def test_the_agreement_prints_the_person_the_property_the_nights_and_the_conditions_in_order(
    stay, iom_officer
):
    licence.licence_wording_save(
        **{
            **_wording_fields(),
            "conditions": "Keep the flat clean.\nNo drugs.",
            "weekly_charge": Decimal("12.50"),
        },
        by=user_with_role(Role.SCHEME_MANAGER),
    )
    licence.person_condition_add(
        placement_id=stay.pk, text="Not to enter Aberystwyth harbour", by=iom_officer
    )
    term = stay.licence_terms.get()
    html = render_to_string(
        "placements/licence/agreement.pdf.html",
        agreement_context(term, licence.licence_agreement_issue(term=term)),
    )
    assert "Dafydd Prydderch" in html
    assert "4 Bridge Street" in html and "SY23 1QB" in html
    assert "Monday 23 November 2026" in html  # first night
    assert "Sunday 20 December 2026" in html  # last night (the term ends on the 21st)
    assert "£12.50" in html
    clean, drugs, harbour = (
        html.index(t) for t in ("Keep the flat clean.", "No drugs.", "Not to enter Aberystwyth harbour")
    )
    assert clean < drugs < harbour  # the person's own after the standard ones
    assert "Signed (licensee)" in html


def test_printing_an_agreement_issues_it_downloads_a_pdf_and_is_logged_as_an_export(
    stay, iom_officer, iom_officer_client
):
    url = reverse("placements:licence-agreement", args=[stay.public_id, 1])
    response = iom_officer_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert stay.licence_terms.get().agreement.status == "issued"
    entry = AccessLogEntry.objects.latest("pk")
    assert (entry.action, entry.offender_ids, entry.user, entry.url) == (
        "export",
        [stay.offender_id],
        iom_officer,
        url,
    )


def test_a_term_that_does_not_exist_is_not_found(stay, iom_officer_client):
    assert (
        iom_officer_client.get(reverse("placements:licence-agreement", args=[stay.public_id, 9])).status_code
        == 404
    )


def test_recording_the_signature_shows_a_future_date_as_an_error_by_its_field(stay, iom_officer_client):
    url = reverse("placements:licence-agreement-record", args=[stay.public_id, 1])
    refused = iom_officer_client.post(
        url, {"status": "signed", **date_fields("responded_on", TODAY + timedelta(days=1))}
    )
    assert refused.status_code == 200
    assert "govuk-error-summary" in refused.content.decode()
    assert "The date must be today or in the past." in refused.content.decode()
    done = iom_officer_client.post(url, {"status": "signed", **date_fields("responded_on", TODAY)})
    assert done.status_code == 302
    page = iom_officer_client.get(stay.get_absolute_url()).content.decode()
    assert "Signed</strong> on 3 Dec 2026" in page


def test_an_officer_records_a_warning_and_the_form_says_what_is_missing(stay, iom_officer_client):
    url = reverse("placements:warning-add", args=[stay.public_id])
    missing = iom_officer_client.post(url, {"level": "written", **date_fields("issued_on", TODAY)})
    assert "Enter what happened" in missing.content.decode()
    assert "Select the condition that was breached" in missing.content.decode()
    done = iom_officer_client.post(
        url,
        {
            "level": "written",
            "condition": "standard:3",
            "what_happened": "Cannabis smell.",
            **date_fields("issued_on", TODAY),
        },
    )
    assert done.status_code == 302
    warning = LicenceWarning.objects.get()
    assert (warning.level, warning.condition) == (
        "written",
        licence.licence_wording_current().condition_list[2],
    )


def test_the_breach_ending_asks_for_the_answers_then_checks_them_before_ending(
    stay, iom_officer, iom_officer_client
):
    _warn(stay, iom_officer)
    warning = LicenceWarning.objects.get()
    url = reverse("placements:breach-end", args=[stay.public_id])
    check = reverse("placements:breach-end-check", args=[stay.public_id])
    answers = {
        "kind": BreachEndingKind.NOTICE,
        "reason": "Repeated nuisance after a final warning.",
        "warnings": [str(warning.pk)],
        **date_fields("notice_on", TODAY),
    }
    assert post_as_shown(iom_officer_client, url, answers)["Location"] == check
    assert not LicenceBreachEnding.objects.exists()  # nothing is done before the check

    page = iom_officer_client.get(check).content.decode()
    assert "Check your answers before ending the licence" in page
    assert "10 December 2026" in page  # 3 December + the 7 days' notice
    assert "Repeated nuisance after a final warning." in page
    assert f"{url}#id_reason" in page  # each answer can be changed
    assert "Repeated nuisance" in iom_officer_client.get(url).content.decode()  # ...and is kept there

    assert iom_officer_client.post(check)["Location"] == stay.get_absolute_url()
    ending = LicenceBreachEnding.objects.get()
    assert (ending.leave_by, list(ending.warnings.all())) == (date(2026, 12, 10), [warning])
    shown = iom_officer_client.get(stay.get_absolute_url()).content.decode()
    assert "Notice to leave for a breach was given on 3 December 2026" in shown
    dashboard = iom_officer_client.get(reverse("placements:dashboard")).content.decode()
    assert "Notices to leave for a breach" in dashboard and stay.offender.full_name in dashboard
    assert iom_officer_client.get(check)["Location"] == url  # the answers are gone once used


def test_a_refusal_at_the_check_step_shows_the_form_with_the_error_by_its_field(stay, iom_officer_client):
    url = reverse("placements:breach-end", args=[stay.public_id])
    check = reverse("placements:breach-end-check", args=[stay.public_id])
    post_as_shown(
        iom_officer_client,
        url,
        {
            "kind": BreachEndingKind.NOTICE,
            "reason": "Nuisance.",
            **date_fields("notice_on", date(2026, 11, 20)),
        },
    )
    refused = iom_officer_client.post(check)
    assert refused.status_code == 200
    assert "The notice date cannot be before they arrived on 23 November 2026." in refused.content.decode()
    assert not LicenceBreachEnding.objects.exists()


def test_an_immediate_ending_needs_where_they_went_and_ends_the_placement(stay, iom_officer_client):
    url = reverse("placements:breach-end", args=[stay.public_id])
    base = {
        "kind": BreachEndingKind.IMMEDIATE,
        "reason": "Assaulted a neighbour.",
        **date_fields("notice_on", TODAY),
    }
    assert (
        "Select where the person moved on to" in post_as_shown(iom_officer_client, url, base).content.decode()
    )
    post_as_shown(iom_officer_client, url, {**base, "destination": "custody"})
    check = reverse("placements:breach-end-check", args=[stay.public_id])
    assert "Evicted for breach of licence" in iom_officer_client.get(check).content.decode()
    iom_officer_client.post(check)
    stay.refresh_from_db()
    assert (stay.status, stay.departure_reason, stay.destination) == ("ended", "eviction", "custody")


def _wording_fields() -> dict:
    current = licence.licence_wording_current()
    return {
        "title": current.title,
        "conditions": current.conditions,
        "house_rules": current.house_rules,
        "breach": current.breach,
        "contacts": current.contacts,
        "weekly_charge": current.weekly_charge,
        "charge_text": current.charge_text,
        "notice_days": current.notice_days,
    }


def test_a_scheme_manager_saves_the_wording_as_a_new_version(scheme_manager_client):
    url = reverse("placements:licence-wording-edit")
    before = LicenceWording.objects.count()
    fields = {k: ("" if v is None else v) for k, v in _wording_fields().items()}
    refused = scheme_manager_client.post(
        url, {**fields, "notice_days": "0", "basis": licence.licence_wording_current().version}
    )
    assert "The notice period must be from 1 to 28 days" in refused.content.decode()
    done = post_as_shown(
        scheme_manager_client, url, {**fields, "title": "Licence to occupy (2027)", "basis": ""}
    )
    assert done["Location"] == reverse("placements:licence-wording")
    assert LicenceWording.objects.count() == before + 1
    page = scheme_manager_client.get(reverse("placements:licence-wording")).content.decode()
    assert "Licence to occupy (2027)" in page
