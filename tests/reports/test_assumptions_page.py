"""The report's assumptions page: every report reader sees the unit costs with their source and
date; a scheme manager changes them (one service call, kept in the change history); bad input is
an error by its field, never a 500."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import UnitCostHistory
from reports.services import unit_cost_update
from tests.factories import UnitCostFactory

pytestmark = pytest.mark.django_db

LIST = reverse("reports:assumptions")


@pytest.fixture
def custody():
    return UnitCostFactory(
        key="custody-night",
        name="A night in custody",
        low=Decimal("110"),
        central=Decimal("140"),
        high=Decimal("190"),
        source="Ministry of Justice: costs per prison place (illustrative)",
        source_date=date(2024, 10, 31),
    )


def _edit(cost) -> str:
    return reverse("reports:assumption-edit", args=[cost.pk])


def _post(low="100", central="150", high="200", source="MoJ costs per prison place 2024", day=(31, 10, 2024)):
    return {
        "low": low,
        "central": central,
        "high": high,
        "source": source,
        "source_date_0": str(day[0]),
        "source_date_1": str(day[1]),
        "source_date_2": str(day[2]),
        "notes": "",
    }


@pytest.mark.parametrize("role", ["iom_officer_client", "scheme_manager_client", "opcc_client"])
def test_every_report_reader_sees_the_assumptions_with_source_and_date(request, role, custody):
    client = request.getfixturevalue(role)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert "A night in custody" in page and "£110.00" in page and "£140.00" in page and "£190.00" in page
    assert "Ministry of Justice: costs per prison place (illustrative)" in page and "31 October 2024" in page
    # The unit costs not set yet are listed as such, with what they are used for.
    assert (
        "A night in approved premises" not in page and "approved-premises-night" in page and "Not set" in page
    )
    # Only a scheme manager is offered the change.
    assert (_edit(custody) in page) is (role == "scheme_manager_client")
    assert len(queries) <= 8  # the session, the user, their membership, the unit costs: not one a row


def test_the_report_page_links_to_the_assumptions(opcc_client):
    assert LIST in opcc_client.get(reverse("reports:report")).content.decode()


@pytest.mark.parametrize("role", ["iom_officer_client", "opcc_client", "agency_worker_client"])
def test_only_a_scheme_manager_may_change_a_unit_cost(request, role, custody):
    client = request.getfixturevalue(role)
    assert client.get(_edit(custody)).status_code == 403
    assert client.post(_edit(custody), _post()).status_code == 403
    custody.refresh_from_db()
    assert custody.central == Decimal("140.00")


def test_a_scheme_manager_changes_a_unit_cost_and_the_history_keeps_the_old_figures(
    scheme_manager_client, scheme_manager, custody
):
    assert scheme_manager_client.get(_edit(custody)).status_code == 200
    response = scheme_manager_client.post(_edit(custody), _post())
    assert response.status_code == 302 and response["Location"] == LIST
    custody.refresh_from_db()
    assert (custody.low, custody.central, custody.high) == (Decimal("100"), Decimal("150"), Decimal("200"))
    assert custody.source == "MoJ costs per prison place 2024"
    update = UnitCostHistory.objects.filter(pgh_obj=custody, pgh_label="update").get()
    assert update.central == Decimal("150")
    assert update.pgh_context.metadata["user"] == scheme_manager.pk
    insert = UnitCostHistory.objects.filter(pgh_obj=custody, pgh_label="insert").get()
    assert insert.central == Decimal("140")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (_post(central="90"), "central", "at least the low figure"),
        (_post(high="140"), "high", "at least the central figure"),
        (_post(low="-1"), "low", "£0 or more"),
        (_post(low="ten"), "low", "Enter an amount in pounds"),
        (_post(central="1.005"), "central", "2 decimal places"),
        (_post(high="99999999999"), "high", "less than £10,000,000,000"),
        (_post(source=" "), "source", "Enter where the figure comes from"),
        (_post(day=(31, 2, 2024)), "source_date", "real date"),
        (_post(day=(1, 1, 99999)), "source_date", "4 numbers"),
    ],
    ids=[
        "central-below-low",
        "high-below-central",
        "negative",
        "not-a-number",
        "fractions-of-pence",
        "too-big",
        "no-source",
        "not-a-date",
        "year-too-long",
    ],  # fmt: skip
)
def test_bad_figures_are_an_error_by_their_field(scheme_manager_client, custody, data, field, message):
    response = scheme_manager_client.post(_edit(custody), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    assert "govuk-error-summary" in response.content.decode()
    custody.refresh_from_db()
    assert custody.central == Decimal("140.00")


def test_a_unit_cost_that_does_not_exist_is_not_found(scheme_manager_client):
    assert scheme_manager_client.get(reverse("reports:assumption-edit", args=[987654])).status_code == 404


def test_the_service_refuses_figures_out_of_order_by_field(scheme_manager, custody):
    with pytest.raises(ValidationError) as error:
        unit_cost_update(
            unit_cost_id=custody.pk,
            low=Decimal("200"),
            central=Decimal("100"),
            high=Decimal("50"),
            source="x",
            source_date=date(2024, 1, 1),
            by=scheme_manager,
        )
    assert set(error.value.error_dict) == {"central", "high"}


def test_a_change_made_outside_a_request_names_who_made_it_in_the_history(scheme_manager, custody):
    unit_cost_update(
        unit_cost_id=custody.pk,
        low=Decimal("110"),
        central=Decimal("145"),
        high=Decimal("190"),
        source="MoJ",
        source_date=date(2024, 10, 31),
        by=scheme_manager,
    )
    update = UnitCostHistory.objects.filter(pgh_obj=custody, pgh_label="update").get()
    assert update.central == Decimal("145") and update.pgh_context.metadata["user"] == scheme_manager.pk


def test_a_report_made_after_a_change_prices_with_the_new_figures(scheme_manager, custody):
    from reports.builder import build_report

    unit_cost_update(
        unit_cost_id=custody.pk,
        low=Decimal("120"),
        central=Decimal("150"),
        high=Decimal("210"),
        source="New source",
        source_date=date(2025, 10, 1),
        by=scheme_manager,
    )
    report = build_report(
        start=date(2026, 3, 1), end=date(2026, 3, 31), audience="published", today=date(2026, 11, 23)
    )
    used = {m.key: m for m in report.metrics()}["assumptions_used"].table
    row = next(r for r in used.rows if r.label == "A night in custody")
    assert (row.values["low"], row.values["central"], row.values["high"]) == (
        Decimal("120.00"),
        Decimal("150.00"),
        Decimal("210.00"),
    )
    assert row.values["source"] == "New source" and row.values["source_date"] == "October 2025"
