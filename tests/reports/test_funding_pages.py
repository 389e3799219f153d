"""The funding pages: a scheme manager lists, adds and changes the scheme's funding lines, with an
error by the field for each thing wrong (never a 500), each change kept in the change history;
the report's "Funding received" counts what was entered there."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.models import FundingHistory
from reports.builder import build_report
from reports.models import Funding
from tests.factories import FundingFactory
from tests.helpers import page_queries

pytestmark = pytest.mark.django_db

LIST = reverse("reports:funding")
ADD = reverse("reports:funding-add")


def _post(**changes) -> dict:
    data = {
        "name": "Initial investment",
        "funder": "Police and Crime Commissioner",
        "kind": "grant",
        "amount": "11000",
        "starts_on_0": "1",
        "starts_on_1": "4",
        "starts_on_2": "2025",
        "ends_on_0": "31",
        "ends_on_1": "3",
        "ends_on_2": "2026",
        "notes": "",
    }
    return data | changes


def test_a_manager_adds_funding_that_the_report_counts(scheme_manager_client, scheme_manager):
    response = scheme_manager_client.post(ADD, _post())
    assert response["Location"] == LIST
    funding = Funding.objects.get()
    assert (funding.amount, funding.starts_on, funding.ends_on) == (
        Decimal("11000"),
        date(2025, 4, 1),
        date(2026, 3, 31),
    )
    # March 2026 is 31 of its 365 days: 11,000 × 31 / 365 = 934.2466 → £934.25.
    report = build_report(
        start=date(2026, 3, 1), end=date(2026, 3, 31), audience="officer", today=date(2026, 11, 23)
    )
    table = {metric.key: metric.table for metric in report.metrics()}["funding"]
    assert str({row.label: row.values for row in table.all_rows()}["Funding received"]["amount"]) == "934.25"
    insert = FundingHistory.objects.filter(pgh_obj_id=funding.pk, pgh_label="insert").get()
    assert insert.pgh_context.metadata["user"] == scheme_manager.pk
    page = scheme_manager_client.get(LIST).content.decode()
    assert "Initial investment" in page and "£11,000.00" in page


def test_a_manager_changes_funding_and_the_history_keeps_the_old_amount(scheme_manager_client):
    funding = FundingFactory(amount=Decimal("14000"), name="Match funding")
    url = reverse("reports:funding-edit", args=[funding.pk])
    assert 'value="14000.00"' in scheme_manager_client.get(url).content.decode()
    response = scheme_manager_client.post(url, _post(name="Match funding", amount="15000.50", kind="match"))
    assert response["Location"] == LIST
    funding.refresh_from_db()
    assert (funding.amount, funding.kind) == (Decimal("15000.50"), "match")
    update = FundingHistory.objects.filter(pgh_obj_id=funding.pk, pgh_label="update").get()
    assert update.amount == Decimal("15000.50")
    assert FundingHistory.objects.filter(pgh_obj_id=funding.pk, pgh_label="insert").get().amount == Decimal(
        "14000"
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"ends_on_0": "31", "ends_on_1": "3", "ends_on_2": "2025"},
            "ends_on",
            "The end date must be the same as or after the start date",
        ),
        ({"amount": "-1"}, "amount", "The amount must be £0 or more"),
        ({"amount": "12.345"}, "amount", "The amount must have no more than 2 decimal places (pence)"),
        ({"amount": "ten"}, "amount", "Enter an amount in pounds, for example 140 or 140.50"),
        ({"amount": "9" * 20}, "amount", "The amount must be less than £10,000,000,000"),
        ({"name": ""}, "name", "Enter the funding's name"),
        ({"funder": "x" * 201}, "funder", "Enter a funder of 200 characters or fewer"),
        ({"kind": "loan"}, "kind", "Select a valid choice. loan is not one of the available choices."),
        (
            {"starts_on_0": "31", "starts_on_1": "2"},
            "starts_on",
            "The date the funding starts must be a real date",
        ),
        (
            {"starts_on_2": "9999"},
            "starts_on",
            "The year of the date the funding starts must be from 1900 to 2100",
        ),
    ],
)
def test_bad_funding_is_refused_by_the_field(scheme_manager_client, changes, field, message):
    response = scheme_manager_client.post(ADD, _post(**changes))
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert not Funding.objects.exists()


def test_a_one_off_amount_needs_no_end_date_and_the_same_day_is_in_order(scheme_manager_client):
    scheme_manager_client.post(ADD, _post(ends_on_0="", ends_on_1="", ends_on_2=""))
    scheme_manager_client.post(ADD, _post(name="One day", ends_on_0="1", ends_on_1="4", ends_on_2="2025"))
    assert sorted(Funding.objects.values_list("name", "ends_on")) == [
        ("Initial investment", None),
        ("One day", date(2025, 4, 1)),
    ]


def test_the_funding_list_has_a_fixed_number_of_queries(scheme_manager_client):
    counts = []
    for rows in (2, 18):
        FundingFactory.create_batch(rows)
        counts.append(page_queries(scheme_manager_client, LIST))
    assert Funding.objects.count() == 20
    assert counts[0] == counts[1]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    fields=st.fixed_dictionaries(
        {},
        optional={
            name: st.one_of(
                st.text(max_size=50), st.sampled_from(["", "0", "-0.01", "1e5", "9" * 20, "NaN", "29", "2"])
            )
            for name in (
                "name",
                "funder",
                "kind",
                "amount",
                "starts_on_0",
                "starts_on_1",
                "starts_on_2",
                "ends_on_0",
                "ends_on_1",
                "ends_on_2",
            )
        },
    )
)
def test_the_funding_form_answers_hostile_input_with_errors_never_a_500(scheme_manager_client, fields):
    fields = {name: value.replace("\x00", "") for name, value in fields.items()}
    response = scheme_manager_client.post(ADD, _post(**fields))
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        funding = Funding.objects.get()
        assert funding.amount >= 0 and (funding.ends_on is None or funding.ends_on >= funding.starts_on)
        funding.delete()
    else:
        assert not Funding.objects.exists()
