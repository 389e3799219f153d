"""The follow-up API writes a list page from values() rows with a plain function
(`follow_up_representations`), not field by field through DRF: here it is checked against what the
serializer's own fields write, for checks not yet recorded and recorded by an officer, by an agency
worker and by the agency's case system (moved on, or not), at times in summer and in winter; and
the list keeps its queries whatever its length."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftercare.api import FollowUpSerializer, follow_up_representations, follow_up_rows
from aftercare.models import FollowUpCheck
from aftercare.selectors import follow_up_list
from aftercare.services import follow_up_record, follow_ups_schedule
from audit.models import AccessLogEntry
from iom_housing.access import Role
from placements.models import Destination
from tests.aftercare.helpers import ended_placement
from tests.factories import AgencyFactory
from tests.helpers import user_with_role

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
WINTER = datetime(2026, 1, 5, 9, 15, 5, 123456, tzinfo=LONDON)  # UTC: written with "Z"
SUMMER = datetime(2026, 4, 2, 0, 30, tzinfo=LONDON)  # 23:30 UTC the day before


@pytest.fixture
def history(time_machine, api_client_for):
    """Three placements the agency supported, one it did not; their checks recorded in turn."""
    agency = AgencyFactory(code="probation")
    http = api_client_for(agency)
    time_machine.move_to(datetime(2025, 10, 1, 12, tzinfo=LONDON))
    ours = [ended_placement(date(2025, 10, 1), agency=agency) for _ in range(3)]
    other = ended_placement(date(2025, 10, 1), agency=AgencyFactory(), destination=Destination.FAMILY)
    follow_ups_schedule(placement_ids=[p.pk for p in [*ours, other]])
    three_months = {c.placement_id: c for c in FollowUpCheck.objects.filter(months=3)}
    time_machine.move_to(WINTER, tick=False)
    follow_up_record(
        check_id=three_months[ours[0].pk].pk,
        by=user_with_role(Role.IOM_OFFICER),
        accommodation="same",
        engaging="yes",
        notes="Spoke by phone.",
    )
    follow_up_record(
        check_id=three_months[other.pk].pk,
        by=user_with_role(Role.IOM_OFFICER),
        accommodation="custody",
        engaging="unknown",
    )
    time_machine.move_to(SUMMER, tick=False)
    follow_up_record(
        check_id=three_months[ours[1].pk].pk,
        by=user_with_role(Role.AGENCY_WORKER, agency),
        accommodation="moved",
        moved_to="family",
        engaging="no",
    )
    follow_up_record(
        check_id=three_months[ours[2].pk].pk,
        api_client=http.api_client,
        accommodation="not_known",
        engaging="unknown",
    )
    time_machine.move_to(datetime(2026, 6, 15, 12, tzinfo=LONDON))
    return http, agency


def test_a_check_is_written_as_the_serializers_fields_would_write_it(history):
    checks = list(follow_up_list(user=user_with_role(Role.IOM_OFFICER)).select_related("recorded_by_agency"))
    assert len(checks) == 12 and sum(c.is_recorded for c in checks) == 4
    rows = list(follow_up_rows(follow_up_list(user=user_with_role(Role.IOM_OFFICER))))
    expected = {c.pk: FollowUpSerializer(c).data for c in checks}
    assert {row["pk"]: w for row, w in zip(rows, follow_up_representations(rows), strict=True)} == expected
    written = {expected[c.pk]["recorded_at"] for c in checks if c.is_recorded}
    assert written == {"2026-01-05T09:15:05.123456Z", "2026-04-02T00:30:00+01:00"}


def test_the_list_is_what_the_serializer_writes_in_the_order_they_changed(history):
    http, agency = history
    response = http.get(reverse("api:followup-list"))
    assert response.status_code == 200
    mine = FollowUpCheck.objects.filter(placement__support_plan__support_agencies__agency=agency)
    in_order = mine.select_related("placement__offender", "recorded_by_agency").order_by("updated_at", "pk")
    assert response.json()["results"] == [FollowUpSerializer(c).data for c in in_order]
    assert len(response.json()["results"]) == 9
    entry = AccessLogEntry.objects.latest("pk")
    assert (entry.model, entry.api_client) == ("aftercare.FollowUpCheck", http.api_client)
    assert set(entry.offender_ids) == {c.placement.offender_id for c in in_order}


def test_the_list_keeps_its_queries_whatever_its_length(api_client_for, time_machine):
    time_machine.move_to(datetime(2026, 6, 15, 12, tzinfo=LONDON))
    agency = AgencyFactory()
    http = api_client_for(agency)
    url = reverse("api:followup-list")

    def add(n):
        placements = [ended_placement(date(2026, 1, 5), agency=agency) for _ in range(n)]
        follow_ups_schedule(placement_ids=[p.pk for p in placements])

    add(1)  # three checks
    with CaptureQueriesContext(connection) as few:
        assert len(http.get(url).json()["results"]) == 3
    add(7)
    with CaptureQueriesContext(connection) as many:
        assert len(http.get(url).json()["results"]) == 24
    assert len(few) == len(many)
