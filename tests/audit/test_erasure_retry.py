"""Erasure is not undone by a retry: a client retrying the request that created a person, with
the same Idempotency-Key, is answered as a replay of a request whose person was erased (410 Gone)
and creates nothing; the key stays as a tombstone with no personal data."""

import pytest

from audit.models import AccessLogEntry
from audit.services import offender_erase
from iom_housing.access import Role
from referrals.models import IdempotencyKey, Offender, Referral
from tests.agencies.helpers import supported_placement
from tests.factories import AgencyFactory
from tests.helpers import user_with_role

pytestmark = pytest.mark.django_db

LIST = "/api/v1/referrals/"
JSON = "application/json"
# Values that cannot be on a row by chance.
FIRST, LAST, PNC, CRN = "Marker-Ynyr", "Marker-Quellyn", "2004/5550123M", "M555012"


def _body(**overrides) -> dict:
    return {
        "person": {
            "first_name": FIRST,
            "last_name": LAST,
            "date_of_birth": "1984-02-29",
            "gender": "male",
            "ethnicity": "white_british",
            "pnc_id": PNC,
            "crn": CRN,
            "iom_category": "fixed",
            "risk_of_serious_harm": "medium",
        },
        "urgency": "routine",
        "needs": [],
        "risk_summary": "None known.",
        "reason": "Released without an address.",
        "external_ref": "PROB-77",
    } | overrides


def _post(api, data, key="key-1"):
    return api.post(LIST, data, content_type=JSON, HTTP_IDEMPOTENCY_KEY=key)


@pytest.fixture
def api(api_client_for):
    return api_client_for(AgencyFactory(name="Probation", kind="probation"))


def _erase(person_id):
    offender_erase(offender_id=person_id, reason="Retention review", by=user_with_role(Role.SCHEME_MANAGER))


def test_a_retry_after_erasure_is_410_and_creates_nothing(api):
    first = _post(api, _body())
    assert first.status_code == 201, first.content
    person = Offender.objects.get()
    _erase(person.pk)

    retry = _post(api, _body())

    # Before the fix the stored key went with the reply, and this made the person again (201).
    assert retry.status_code == 410, retry.content
    assert retry["Content-Type"] == "application/problem+json"
    assert retry.json()["title"] == "Gone" and "erased" in retry.json()["detail"]
    assert Offender.objects.count() == 1 and Referral.objects.count() == 1
    assert not Offender.objects.filter(first_name=FIRST).exists()
    for body in (retry.content.decode(),):
        assert FIRST not in body and PNC not in body


def test_the_tombstone_keeps_the_key_and_fingerprint_and_no_personal_data(api):
    assert _post(api, _body()).status_code == 201
    record = IdempotencyKey.objects.get()
    fingerprint, people = record.fingerprint, record.offender_ids
    assert people == [Offender.objects.get().pk]
    _erase(people[0])
    record.refresh_from_db()
    assert (record.key, record.fingerprint, record.offender_ids) == ("key-1", fingerprint, people)
    assert record.response_body is None and record.subject_erased_at is not None
    stored = str(IdempotencyKey.objects.filter(pk=record.pk).values().get())
    for secret in (FIRST, LAST, PNC, CRN, "PROB-77"):
        assert secret not in stored


def test_the_same_key_with_another_body_is_still_422_and_a_new_key_is_a_new_request(api):
    assert _post(api, _body()).status_code == 201
    _erase(Offender.objects.get().pk)
    assert _post(api, _body(reason="Something else")).status_code == 422
    # A new key is a new request: the client refers someone (again) on purpose.
    assert _post(api, _body(), key="key-2").status_code == 201
    assert Offender.objects.count() == 2


def test_a_visit_retry_after_erasure_is_410(api_client_for):
    """Every stored reply keeps the people it named, so a visit's key becomes a tombstone too."""
    from datetime import timedelta

    from django.utils import timezone

    from agencies.models import HomeVisit

    agency = AgencyFactory(name="Drugs service")
    placement = supported_placement(agency, arrived_days_ago=5, with_term=True)
    http = api_client_for(agency)
    body = {
        "placement": str(placement.public_id),
        "visited_at": (timezone.now() - timedelta(hours=2)).isoformat(),
        "kind": HomeVisit.Kind.HOME,
        "staff_names": "Rhian Evans",
        "outcome": HomeVisit.Outcome.values[0],
    }
    first = http.post("/api/v1/visits/", body, content_type=JSON, HTTP_IDEMPOTENCY_KEY="v-1")
    assert first.status_code == 201, first.content
    assert IdempotencyKey.objects.get().offender_ids == [placement.offender_id]
    _erase(placement.offender_id)
    retry = http.post("/api/v1/visits/", body, content_type=JSON, HTTP_IDEMPOTENCY_KEY="v-1")
    assert retry.status_code == 410 and HomeVisit.objects.count() == 1


def test_a_replay_is_logged_as_showing_the_person_again(api):
    assert _post(api, _body()).status_code == 201
    person = Offender.objects.get()
    before = AccessLogEntry.objects.count()
    again = _post(api, _body())
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    entry = AccessLogEntry.objects.order_by("pk").last()
    assert AccessLogEntry.objects.count() == before + 1
    assert entry.offender_ids == [person.pk] and entry.action == "disclose"
