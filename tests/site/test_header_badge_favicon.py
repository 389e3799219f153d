"""The header's alert badge only when there are alerts, the favicon on every page, and the site's
one time format where the header's time-out warning writes a time."""

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from alerts.models import Alert
from tests.factories import AlertFactory, PlacementFactory

pytestmark = pytest.mark.django_db


def test_no_badge_when_no_alerts_are_open(iom_officer_client):
    content = iom_officer_client.get(reverse("placements:dashboard")).content.decode()
    assert ">Alerts</a>" in content  # the page is still in the menu
    assert "open-alert-count" not in content and "app-count" not in content


def test_the_badge_counts_open_alerts(iom_officer_client):
    placement = PlacementFactory()
    AlertFactory(offender=placement.offender, placement=placement, kind=Alert.Kind.LICENCE_OVERRUN)
    content = iom_officer_client.get(reverse("placements:dashboard")).content.decode()
    assert (
        'data-testid="open-alert-count">1</span><span class="govuk-visually-hidden"> open</span>' in content
    )


@pytest.mark.parametrize("name", ["images/favicon.svg", "images/favicon.ico", "images/favicon-180.png"])
def test_the_favicon_files_are_static_files(name):
    assert finders.find(name), name


def test_every_page_links_the_favicon(client, iom_officer_client):
    for response in (client.get(reverse("login")), iom_officer_client.get(reverse("placements:dashboard"))):
        content = response.content.decode()
        assert '<link rel="icon" href="/static/images/favicon.svg" type="image/svg+xml">' in content
        assert '<link rel="icon" href="/static/images/favicon.ico" sizes="48x48">' in content


def test_the_time_out_warning_is_given_the_words_of_the_sites_time_format(iom_officer_client):
    content = iom_officer_client.get(reverse("placements:dashboard")).content.decode()
    assert 'data-am="am" data-pm="pm" data-midnight="midnight" data-midday="midday"' in content
