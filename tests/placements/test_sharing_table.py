"""The sharing rule (placements.sharing) as a hand-written table: a person, the property and the
people staying there, and the conflicts that must (and must not) follow; then the overlap edges
of who counts as a co-resident."""

from datetime import date

import pytest

from placements.models import Placement, Property
from placements.sharing import Resident, Risks, property_conflicts, resident_conflicts, sharing_check
from referrals.models import Gender, SexualRiskToAdults
from tests.factories import BedspaceFactory, OffenderFactory, PropertyFactory
from tests.placements import helpers as h

M, F, NB, NK = Gender.MALE, Gender.FEMALE, Gender.NON_BINARY, Gender.NOT_KNOWN
WOMEN, MEN, ANY = SexualRiskToAdults.WOMEN, SexualRiskToAdults.MEN, SexualRiskToAdults.ANY


def person(gender=M, adults="", children=False, arson=False, violence=False) -> Risks:
    return Risks(gender, adults, children, arson, violence)


def a_property(restriction="none", sexual=False, arson=False, school=False) -> Property:
    return Property(
        name="Tŷ Glas",
        restriction=restriction,
        unsuitable_for_sexual_risk=sexual,
        unsuitable_for_arson=arson,
        near_school=school,
    )


# (the person, the property, the conflict codes that follow; False where the code is a refusal)
PROPERTY_TABLE = [
    (person(M), a_property(), []),
    (person(F), a_property(), []),
    (person(M), a_property("women_only"), ["restriction"]),
    (person(F), a_property("women_only"), []),
    (person(NB), a_property("women_only"), []),
    (person(F), a_property("men_only"), ["restriction"]),
    (person(M), a_property("men_only"), []),
    (person(NK), a_property("men_only"), []),
    (person(M, adults=WOMEN), a_property(sexual=True), ["property_sexual_risk"]),
    (person(M, adults=ANY), a_property(sexual=True), ["property_sexual_risk"]),
    (person(M, children=True), a_property(sexual=True), ["property_sexual_risk"]),
    (person(M, arson=True, violence=True), a_property(sexual=True), []),
    (person(M, arson=True), a_property(arson=True), ["property_arson"]),
    (person(M, adults=MEN, violence=True), a_property(arson=True), []),
    (person(M, children=True), a_property(school=True), ["property_near_school"]),
    # Near a school is about children: a sexual risk to adults alone does not conflict.
    (person(M, adults=ANY), a_property(school=True), []),
    (
        person(M, adults=WOMEN, children=True, arson=True),
        a_property("women_only", sexual=True, arson=True, school=True),
        ["restriction", "property_sexual_risk", "property_arson", "property_near_school"],
    ),
]


@pytest.mark.parametrize(("who", "property_", "codes"), PROPERTY_TABLE)
def test_the_person_against_the_property(who, property_, codes):
    conflicts = property_conflicts(property_, who)

    assert [c.code for c in conflicts] == codes
    assert [c.overridable for c in conflicts] == [code != "restriction" for code in codes]


def resident(gender=M, adults="", children=False, arson=False, violence=False) -> Resident:
    return Resident("Resident A", Risks(gender, adults, children, arson, violence), date(2027, 1, 3), None)


# (the person, a co-resident, the conflict codes that follow, in the rule's order)
RESIDENT_TABLE = [
    (person(M), resident(M), []),
    (person(F), resident(M), []),
    # Sexual risk to women: any co-resident not recorded as male.
    (person(M, adults=WOMEN), resident(F), ["sexual_risk_to_resident"]),
    (person(M, adults=WOMEN), resident(NB), ["sexual_risk_to_resident"]),
    (person(M, adults=WOMEN), resident(NK), ["sexual_risk_to_resident"]),
    (person(M, adults=WOMEN), resident(M), []),
    # Sexual risk to men: any co-resident not recorded as female.
    (person(M, adults=MEN), resident(M), ["sexual_risk_to_resident"]),
    (person(M, adults=MEN), resident(NK), ["sexual_risk_to_resident"]),
    (person(M, adults=MEN), resident(F), []),
    (person(F, adults=ANY), resident(F), ["sexual_risk_to_resident"]),
    (person(F, adults=ANY), resident(M), ["sexual_risk_to_resident"]),
    # The other way round: the co-resident's risk to the person.
    (person(F), resident(M, adults=WOMEN), ["resident_sexual_risk"]),
    (person(M), resident(M, adults=WOMEN), []),
    (person(M), resident(M, adults=MEN), ["resident_sexual_risk"]),
    (person(NB), resident(M, adults=ANY), ["resident_sexual_risk"]),
    # Violence to other residents: with anyone, either way round.
    (person(M, violence=True), resident(M), ["violence_to_resident"]),
    (person(M), resident(F, violence=True), ["resident_violence"]),
    (person(M, violence=True), resident(M, violence=True), ["violence_to_resident", "resident_violence"]),
    # Children and arson are the property's question, never a co-resident's.
    (person(M, children=True, arson=True), resident(F, children=True, arson=True), []),
    (
        person(M, adults=MEN, violence=True),
        resident(M, adults=ANY, violence=True),
        ["sexual_risk_to_resident", "resident_sexual_risk", "violence_to_resident", "resident_violence"],
    ),
]


@pytest.mark.parametrize(("who", "other", "codes"), RESIDENT_TABLE)
def test_the_person_against_a_co_resident(who, other, codes):
    conflicts = resident_conflicts(who, other)

    assert [c.code for c in conflicts] == codes
    assert all(c.overridable for c in conflicts)


def test_each_conflict_is_a_plain_sentence_naming_no_one():
    conflicts = resident_conflicts(person(F, violence=True), resident(M, adults=WOMEN))

    assert [c.message for c in conflicts] == [
        "Resident A has a sexual risk to women, and this person is female.",
        "This person has a history of violence to other residents, and Resident A will be living there.",
    ]
    assert [c.message for c in property_conflicts(a_property(sexual=True), person(children=True))] == [
        "Tŷ Glas is not suitable for a person with a sexual risk, and this person has a sexual risk to children."
    ]


def test_a_co_resident_is_described_by_sex_and_risks_and_dates_only():
    other = Resident("Resident A", Risks(M, "", False, True, False), date(2027, 1, 3), date(2027, 1, 31))
    overrunning = Resident("Resident B", Risks(F), date(2026, 11, 1), None)

    assert other.describe() == "Resident A: male; arson history; from 3 January 2027 to 31 January 2027"
    assert overrunning.describe() == (
        "Resident B: female; no sharing risks recorded; from 1 November 2026, staying past their licence"
    )


# --- Who is a co-resident: the overlap edges, in the database --------------------------------


@pytest.fixture
def house(db):
    property_ = PropertyFactory(turnaround_days=0)
    return BedspaceFactory(property=property_, label="Room 1"), BedspaceFactory(
        property=property_, label="Room 2"
    )


def _stay(bedspace, starts_on, length, status=Placement.Status.CONFIRMED, **offender):
    return h.make_placement(
        bedspace, starts_on=starts_on, length=length, status=status, offender=OffenderFactory(**offender)
    )


def _residents(bedspace, starts_on, ends_on, offender=None, today=None):
    check = sharing_check(
        bedspace=bedspace,
        offender=offender or OffenderFactory(),
        starts_on=starts_on,
        ends_on=ends_on,
        today=today or h.today(),
    )
    return [(r.starts_on, r.until) for r in check.residents]


@pytest.mark.django_db
def test_someone_leaving_on_the_arrival_day_does_not_overlap(house):
    room1, room2 = house
    start = h.today() + h.days(10)
    _stay(room2, start - h.days(7), 7)  # leaves on `start`

    assert _residents(room1, start, start + h.days(7)) == []


@pytest.mark.django_db
def test_someone_arriving_on_the_last_day_overlaps_and_on_the_licence_end_does_not(house):
    room1, room2 = house
    start = h.today() + h.days(10)
    last_night = _stay(room2, start + h.days(6), 5)
    _stay(room2, start + h.days(20), 5)  # after the stay

    assert _residents(room1, start, start + h.days(7)) == [(last_night.starts_on, last_night.ends_on)]
    assert _residents(room1, start, start + h.days(6)) == []


@pytest.mark.django_db
def test_a_booking_not_yet_arrived_counts_from_its_arrival(house):
    room1, room2 = house
    start = h.today() + h.days(10)
    booked = _stay(room2, start + h.days(3), 10, status=Placement.Status.PROVISIONAL)

    assert _residents(room1, start, start + h.days(7)) == [(booked.starts_on, booked.ends_on)]


@pytest.mark.django_db
def test_someone_staying_past_their_licence_is_there_with_no_end(house):
    room1, room2 = house
    overrun = _stay(room2, h.today() - h.days(30), 20, status=Placement.Status.ACTIVE)

    assert _residents(room1, h.today() + h.days(40), h.today() + h.days(60)) == [(overrun.starts_on, None)]


@pytest.mark.django_db
def test_cancelled_and_not_arrived_bookings_and_other_properties_are_not_co_residents(house):
    room1, room2 = house
    start = h.today() + h.days(10)
    _stay(room2, start, 10, status=Placement.Status.CANCELLED)
    _stay(room2, start, 10, status=Placement.Status.NOT_ARRIVED)
    _stay(BedspaceFactory(), start, 10, violence_to_residents=True)

    assert _residents(room1, start, start + h.days(7)) == []


@pytest.mark.django_db
def test_the_persons_own_stay_in_the_property_is_not_a_co_resident(house):
    room1, room2 = house
    start = h.today()
    own = _stay(room2, start - h.days(5), 20, status=Placement.Status.ACTIVE)

    assert _residents(room1, start, start + h.days(7), offender=own.offender) == []


@pytest.mark.django_db
def test_co_residents_are_lettered_by_arrival_and_their_risks_conflict(house):
    room1, room2 = house
    room3 = BedspaceFactory(property=room1.property, label="Room 3")
    start = h.today() + h.days(10)
    _stay(room3, start + h.days(2), 10, gender=F)
    _stay(room2, start - h.days(2), 10, violence_to_residents=True)

    check = sharing_check(
        bedspace=room1,
        offender=OffenderFactory(gender=M, sexual_risk_to_adults=WOMEN),
        starts_on=start,
        ends_on=start + h.days(7),
        today=h.today(),
    )

    assert [r.label for r in check.residents] == ["Resident A", "Resident B"]
    assert [(r.risks.violence_to_residents, r.risks.gender) for r in check.residents] == [
        (True, M),
        (False, F),
    ]
    assert [c.code for c in check.conflicts] == ["resident_violence", "sexual_risk_to_resident"]
