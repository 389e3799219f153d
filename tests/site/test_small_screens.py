"""Lists that must work on a phone: Find a bedspace is a summary card per bedspace, and Referrals
is stacked into cards below tablet width (static/scss/app.scss, .app-table--stacked), each cell
labelled by its column, so the Book button and the status are on screen at 390 px. The layout itself was checked in screenshots;
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


def test_find_a_bedspace_shows_a_card_per_bedspace_with_its_book_button(iom_officer_client):
    """Find a bedspace lists bedspaces as GOV.UK summary cards (no table to scroll sideways), each
    with its earliest date and the Book button inside the card."""
    referral = ReferralFactory(status=Referral.Status.ACCEPTED)
    BedspaceFactory()
    response = iom_officer_client.get(
        reverse("placements:find-bedspace", args=[referral.public_id]),
        {"starts_on_0": "10", "starts_on_1": "12", "starts_on_2": "2026", "days": "28"},
    )
    html = response.content.decode()
    assert "<table" not in html.split('<h2 class="govuk-heading-m">', 1)[1]
    card = html.split('<div class="govuk-summary-card">', 1)[1]
    assert "Earliest arrival" in card and "Book from 10 Dec 2026" in card


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
