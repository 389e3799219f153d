"""Searching for people by name, alias, PNC ID or CRN on the people page, and the indexes that
keep it fast with a national number of people."""

import pytest
from django.db import connection
from django.urls import reverse

from referrals.selectors import offender_list
from tests.factories import OffenderFactory

pytestmark = pytest.mark.django_db


def _found(client, q: str) -> list[str]:
    response = client.get(reverse("referrals:offender-list"), {"q": q})
    assert response.status_code == 200
    return [f"{o.first_name} {o.last_name}" for o in response.context["page"].object_list]


def test_a_name_is_found_from_any_part_of_it_whatever_the_case(iom_officer_client):
    OffenderFactory(first_name="Rhys", last_name="Pritchard")
    OffenderFactory(first_name="Dafydd", last_name="Evans")
    assert _found(iom_officer_client, "ITCH") == ["Rhys Pritchard"]
    assert _found(iom_officer_client, "rhys") == ["Rhys Pritchard"]


def test_every_word_must_match_a_name_alias_or_identifier(iom_officer_client):
    OffenderFactory(first_name="Rhys", last_name="Evans")
    OffenderFactory(first_name="Rhys", last_name="Pritchard")
    OffenderFactory(first_name="Dafydd", last_name="Evans", aliases=["Rhys Bach"])
    assert _found(iom_officer_client, "rhys evans") == ["Dafydd Evans", "Rhys Evans"]


def test_an_alias_is_found_but_not_the_way_the_database_spells_a_list(iom_officer_client):
    OffenderFactory(first_name="David", last_name="Morgan", aliases=["Dai Morgan", "Big Dai"])
    assert _found(iom_officer_client, "big") == ["David Morgan"]
    # Aliases are searched as words, not as PostgreSQL's text form of a list ({"Dai Morgan",…}).
    assert _found(iom_officer_client, "{") == []
    assert _found(iom_officer_client, "morgan,") == []


def test_identifiers_must_be_given_whole(iom_officer_client):
    OffenderFactory(first_name="Rhys", last_name="Pritchard", pnc_id="2019/0000001A", crn="X123456")
    assert _found(iom_officer_client, "2019/0000001a") == ["Rhys Pritchard"]
    assert _found(iom_officer_client, "x123456") == ["Rhys Pritchard"]
    assert _found(iom_officer_client, "0000001") == []
    assert _found(iom_officer_client, "X12345") == []


def test_one_or_two_letters_match_the_start_of_a_name(iom_officer_client):
    OffenderFactory(first_name="Alun", last_name="Davies")
    OffenderFactory(first_name="Mary", last_name="Ann Lewis")
    OffenderFactory(first_name="Sally", last_name="Hughes")
    OffenderFactory(first_name="Owen", last_name="Price", aliases=["Big Al"])
    assert _found(iom_officer_client, "al") == ["Alun Davies", "Owen Price"]
    assert _found(iom_officer_client, "an") == ["Mary Ann Lewis"]
    assert _found(iom_officer_client, "al d") == ["Alun Davies"]


def test_wildcards_are_searched_for_as_they_are(iom_officer_client):
    OffenderFactory(first_name="Rhys", last_name="Pritchard")
    assert _found(iom_officer_client, "%") == []
    assert _found(iom_officer_client, "r_ys") == []


def test_results_are_in_name_order(iom_officer_client):
    for first, last in [("Zoe", "Jones"), ("Aled", "Jones"), ("Carys", "Ajones"), ("Bryn", "Jones")]:
        OffenderFactory(first_name=first, last_name=last)
    assert _found(iom_officer_client, "jones") == ["Carys Ajones", "Aled Jones", "Bryn Jones", "Zoe Jones"]


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # A handful of test rows would be read in full; ask what PostgreSQL would do with many.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_a_search_reads_the_trigram_and_identifier_indexes(iom_officer):
    plan = _plan(offender_list(user=iom_officer, q="Jones al"))
    for index in (
        "offender_first_folded_trgm_idx",
        "offender_last_folded_trgm_idx",
        "offender_aliases_folded_trgm_idx",
        "offender_pnc_id_unique",
        "offender_crn_unique",
    ):
        assert index in plan
    # The matches are sorted, not found by walking every person in name order.
    assert "offender_name_idx" not in plan
