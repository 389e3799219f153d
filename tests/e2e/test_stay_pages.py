"""The pages of a stay's two ends in a real browser, at desktop and phone width, each checked by
axe-core: the placement page with its licence and move-on plan, a warning, a breach ending and its
check-your-answers step, a move-on action, paying a deposit, the deposits and follow-ups lists, and
ending a placement with its check-your-answers step."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from aftercare import services as aftercare
from iom_housing.access import Role
from placements.models import Placement
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import AgencyFactory, OffenderFactory, PlacementFactory
from tests.helpers import user_with_role

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _fits(page) -> None:
    """No sideways scrolling: the page is no wider than the window."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_stays_licence_move_on_and_aftercare_pages_pass_axe(page, viewport):
    today = timezone.localdate()
    officer = user_with_role(Role.IOM_OFFICER, AgencyFactory(kind="police"), username="officer")
    start = today - timedelta(days=10)
    placement = PlacementFactory(
        offender=OffenderFactory(first_name="Llŷr", last_name="Parry"),
        status=Placement.Status.ACTIVE,
        starts_on=start,
        arrived_on=start,
        ends_on=start + timedelta(days=28),
        free_from=start + timedelta(days=28),
        with_term=True,
    )
    aftercare.fund_create(
        name="Rent deposit scheme", starting_amount=Decimal("1000.00"), starts_on=start, by=officer
    )
    page.set_viewport_size(viewport)
    sign_in(page, "officer")

    page.goto(placement.get_absolute_url())
    expect(page.get_by_role("heading", name="Move-on plan")).to_be_visible()
    expect(page.get_by_role("heading", name="Licence terms and agreements")).to_be_visible()
    assert_accessible(page)
    _fits(page)

    for url in (
        reverse("placements:warning-add", args=[placement.public_id]),
        reverse("placements:condition-add", args=[placement.public_id]),
        reverse("moveon:action-add", args=[placement.public_id]),
        reverse("aftercare:deposit-pay", args=[placement.public_id]),
        reverse("aftercare:deposits"),
        reverse("aftercare:follow-ups"),
    ):
        page.goto(url)
        expect(page.locator("h1")).to_be_visible()
        assert_accessible(page)
        _fits(page)

    # Ending for a breach: the answers, an error, then the check page (not confirmed here).
    page.goto(reverse("placements:breach-end", args=[placement.public_id]))
    page.click("main form [type=submit]")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)

    # Ending the placement: an error by the field, then the answers checked, then ended.
    page.goto(reverse("placements:placement-end", args=[placement.public_id]))
    for part, value in zip(("0", "1", "2"), (today.day, today.month, today.year), strict=True):
        page.fill(f"#id_departed_on_{part}", str(value))
    page.check("input[value=recalled]")
    page.check("input[value=social_rent]")
    page.click("main input[type=submit]")
    expect(page.locator(".govuk-error-summary")).to_contain_text("cannot go with")
    assert_accessible(page)
    page.check("input[value=custody]")
    page.click("main input[type=submit]")
    expect(page.locator("h1")).to_have_text("Check your answers before ending the placement")
    assert_accessible(page)
    _fits(page)
    page.get_by_role("button", name="End placement").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Placement ended")
    placement.refresh_from_db()
    assert (placement.status, placement.departure_reason, placement.destination) == (
        Placement.Status.ENDED,
        "recalled",
        "custody",
    )
    page.get_by_role("link", name="Correct the ending").click()
    assert_accessible(page)
    _fits(page)
