"""A move to another bedspace (a transfer) is not a leaving: the evaluation report counts neither
a move-on nor a placement ended for it, nor a leaver; the person's last stay is what ends.

June 2026 by hand: Cai arrives at Flat 1 on 1 May, moves to Flat 2 on 10 June (a repair: ended,
"moved to another bedspace", no destination) and leaves Flat 2 on 25 June for social rent.
Ended in June: 1 (the 25 June departure). Move-on total 1, settled 1. Reasons for leaving:
planned move-on 1, and no "moved" row counted. Leavers: 1 person."""

from datetime import date

import pytest

from placements.models import DepartureReason
from tests.factories import BedspaceFactory, OffenderFactory, PropertyFactory
from tests.reports import scenario
from tests.reports.test_period_edges import _report

pytestmark = pytest.mark.django_db


def test_a_transfer_is_not_counted_as_a_move_on_or_a_leaving():
    place = PropertyFactory(local_authority="Ceredigion", turnaround_days=0)
    cai = OffenderFactory()
    scenario._stay(
        cai,
        BedspaceFactory(property=place, label="Flat 1"),
        date(2026, 5, 1),
        date(2026, 6, 10),
        departure_reason=DepartureReason.TRANSFERRED,
        destination="",
        terms=2,
    )
    scenario._stay(
        cai,
        BedspaceFactory(property=place, label="Flat 2"),
        date(2026, 6, 10),
        date(2026, 6, 25),
        departure_reason="planned_move_on",
        destination="social_rent",
    )

    june = _report(date(2026, 6, 1), date(2026, 6, 30))

    assert june["placement_activity"]["Placements ended"]["count"] == 1
    assert june["move_on"]["Placements ended"]["count"] == 1
    assert june["length_of_stay"]["Placements ended in the period"]["ended"] == 1
    reasons = {label: row["count"] for label, row in june["departure_reasons"].items()}
    assert reasons.get("Moved to another bedspace", 0) == 0
    assert reasons["Planned move-on"] == 1
    # The nights in both bedspaces are occupied nights: 9 in Flat 1 (1–9 June) and 15 in Flat 2.
    assert june["placement_activity"]["Placements in the period"]["count"] == 2
