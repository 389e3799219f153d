"""Tables that must work on a phone: Find a bedspace and Referrals are stacked into cards below
tablet width (static/scss/app.scss, .app-table--stacked), each cell labelled by its column, so the
Book button and the status are on screen at 390 px. The layout itself was checked in screenshots;
here, that the markup the stylesheet needs is there."""

import re

import pytest
from django.urls import reverse

from referrals.models import Referral
from tests.clock import london
from tests.factories import BedspaceFactory, ReferralFactory

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(london(2026, 12, 2, 10), tick=False)]


def _cells(html: str) -> list[str]:
    return re.findall(r'<td class="govuk-table__cell[^"]*"[^>]*>', html)


def test_find_a_bedspace_stacks_with_labels_and_the_book_button_last(iom_officer_client):
    referral = ReferralFactory(status=Referral.Status.ACCEPTED)
    BedspaceFactory()
    response = iom_officer_client.get(
        reverse("placements:find-bedspace", args=[referral.public_id]),
        {"starts_on_0": "10", "starts_on_1": "12", "starts_on_2": "2026", "days": "28"},
    )
    html = response.content.decode()
    assert '<table class="govuk-table app-table--stacked">' in html
    cells = _cells(html)
    assert cells == [
        '<td class="govuk-table__cell">',
        '<td class="govuk-table__cell" data-label="Area">',
        '<td class="govuk-table__cell" data-label="Restriction">',
        '<td class="govuk-table__cell" data-label="Next booked">',
        '<td class="govuk-table__cell govuk-table__cell--action">',
    ]
    assert ">Book<span" in html


def test_referrals_stack_with_every_column_labelled(iom_officer_client):
    ReferralFactory(status=Referral.Status.SUBMITTED)
    html = iom_officer_client.get(reverse("referrals:referral-list")).content.decode()
    assert 'class="govuk-table app-table--stacked"' in html
    labels = [re.search(r'data-label="([^"]*)"', cell) for cell in _cells(html)]
    assert [label[1] if label else None for label in labels] == [
        None,  # the person's name heads the card
        "Referred by",
        "Received",
        "Wanted from",
        "Urgency",
        "Status",
    ]


def test_the_stylesheet_stacks_the_tables_below_tablet_width():
    from pathlib import Path

    scss = (Path(__file__).resolve().parents[2] / "static" / "scss" / "app.scss").read_text()
    block = scss[scss.index(".app-table--stacked {") :]
    assert "govuk-media-query($until: tablet)" in block[:200]
    assert "content: attr(data-label)" in block
