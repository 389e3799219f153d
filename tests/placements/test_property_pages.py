"""Scheme managers' pages for properties and bedspaces, the list of areas they choose from, and
the postcode check the pages and the admin share."""

import importlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.models import BedspaceHistory, PropertyHistory
from placements import services_properties
from placements.areas import CEREDIGION, POWYS, known_area
from placements.forms import BedspaceForm, PropertyForm
from placements.models import (
    Bedspace,
    LocalAuthority,
    Placement,
    Property,
    normalised_postcode,
    validate_uk_postcode,
)
from tests.factories import BedspaceFactory, PlacementFactory, PropertyFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 7)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(timezone.make_aware(timezone.datetime(2026, 12, 7, 10, 0)), tick=False)


def property_post(**changes) -> dict:
    data = {
        "name": "Ty Gwyn",
        "address_line_1": "1 Heol y Wig",
        "address_line_2": "",
        "town": "Aberystwyth",
        "postcode": "sy23 2ln",
        "local_authority": CEREDIGION,
        "provider": "Tai Ceredigion",
        "weekly_cost": "160.00",
        "restriction": Property.Restriction.NONE,
        "turnaround_days": "2",
        "notes": "",
        "active": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# Postcodes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("sy23 1ab", "SY23 1AB"),
        ("SY231AB", "SY23 1AB"),
        ("  ec1a   1bb ", "EC1A 1BB"),
        ("W1A 0AX", "W1A 0AX"),
        ("m1 1ae", "M1 1AE"),
        ("CR2 6XH", "CR2 6XH"),
        ("DN55 1PT", "DN55 1PT"),
        ("ll57 2dg", "LL57 2DG"),
    ],
)
def test_a_uk_postcode_is_accepted_and_written_as_royal_mail_writes_it(typed, stored):
    validate_uk_postcode(typed)
    assert normalised_postcode(typed) == stored


@pytest.mark.parametrize(
    "typed", ["", "SY23", "12345", "SY23 1CA", "QY23 1AB", "SY23 1A", "SY23 1ABC", "SY23-1AB", "ZZ1 1AB"]
)
def test_a_postcode_that_is_not_a_uk_one_is_refused(typed):
    with pytest.raises(ValidationError) as refused:
        validate_uk_postcode(typed)
    assert refused.value.messages == ["Enter a real UK postcode, like SY23 1AB"]


def test_the_admin_refuses_a_bad_postcode_and_stores_a_good_one_normalised(scheme_manager_client):
    url = reverse("admin:placements_property_add")
    management = {
        f"{prefix}-{key}": value
        for prefix in ("bedspaces", "exclusions")
        for key, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))
    }
    fields = property_post(postcode="SY23 1CA", active="on") | management
    refused = scheme_manager_client.post(url, fields)
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors == {
        "postcode": ["Enter a real UK postcode, like SY23 1AB"]
    }
    assert not Property.objects.exists()

    added = scheme_manager_client.post(url, fields | {"postcode": "sy23 2ln"})
    assert added.status_code == 302
    assert Property.objects.get().postcode == "SY23 2LN"


# The list of areas ----------------------------------------------------------------------------


def test_the_welsh_principal_areas_are_on_the_list_with_their_codes_and_welsh_names():
    welsh = LocalAuthority.objects.filter(code__startswith="W06")
    assert welsh.count() == 22
    assert {
        (a.code, a.name, a.name_cy) for a in welsh.filter(code__in=["W06000008", "W06000009", "W06000001"])
    } == {
        ("W06000008", "Ceredigion", "Ceredigion"),
        ("W06000009", "Pembrokeshire", "Sir Benfro"),
        ("W06000001", "Isle of Anglesey", "Ynys Môn"),
    }
    assert not welsh.filter(code__in=["W06000007", "W06000017"]).exists()  # codes retired by the ONS


def test_an_area_is_named_in_the_pages_language():
    pembrokeshire = known_area("W06000009")
    with translation.override("cy"):
        assert str(pembrokeshire) == "Sir Benfro"
    with translation.override("en-gb"):
        assert str(pembrokeshire) == "Pembrokeshire"
    bristol = known_area("Bristol")  # no Welsh name: the English one in Welsh too
    with translation.override("cy"):
        assert bristol.display_name == "Bristol"


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("W06000008", "An area with this GSS code is already on the list"),
        ("E10000017", "Enter the area's 9-character GSS code"),  # a county: not a housing authority
        ("W0600008", "Enter the area's 9-character GSS code"),
        ("w06000099", "Enter the area's 9-character GSS code"),
        ("X06000001", "Enter the area's 9-character GSS code"),
    ],
)
def test_an_area_added_needs_a_real_shaped_unique_gss_code(code, error):
    known_area(CEREDIGION)
    with pytest.raises(ValidationError) as refused:
        LocalAuthority(code=code, name=f"Somewhere {code}").full_clean()
    assert any(message.startswith(error) for message in refused.value.message_dict["code"])


def test_an_area_is_unique_by_its_english_name():
    known_area(CEREDIGION)
    with pytest.raises(ValidationError) as refused:
        LocalAuthority(code="E06000099", name="Ceredigion").full_clean()
    assert refused.value.message_dict == {"name": ["An area with this name is already on the list"]}


@pytest.mark.parametrize(
    ("text", "folded"),
    [("ceredigion ", "ceredigion"), ("  Ynys  MÔN", "ynys mon"), ("Sir Benfro", "sir benfro")],
)
def test_the_migration_matches_texts_trimmed_without_case_or_accents(text, folded):
    migration = importlib.import_module("placements.migrations.0011_local_authorities")
    assert migration.folded(text) == folded


@pytest.mark.parametrize(
    ("text", "area"),
    [
        ("Ceredigion County Council", "ceredigion"),
        ("Cyngor Sir Ceredigion", "ceredigion"),
        ("City and County of Swansea", "swansea"),
        ("Wrexham County Borough Council", "wrexham"),
        ("Cyngor Sir Ynys Môn", "ynys mon"),
        ("Birmingham City Council", "birmingham"),
    ],
)
def test_the_move_on_migration_finds_the_area_in_a_councils_name(text, area):
    migration = importlib.import_module("moveon.migrations.0002_local_authority_from_the_list")
    assert migration.area_part(text) == area


# Adding and changing a property ---------------------------------------------------------------


def test_a_scheme_manager_adds_a_property_chosen_area_normalised_postcode_and_history(
    scheme_manager, scheme_manager_client
):
    response = scheme_manager_client.post(reverse("placements:property-add"), property_post())

    added = Property.objects.get()
    assert response.status_code == 302 and response.url == added.get_absolute_url()
    assert (added.name, added.postcode, added.local_authority_id, added.weekly_cost) == (
        "Ty Gwyn",
        "SY23 2LN",
        CEREDIGION,
        Decimal("160.00"),
    )
    event = PropertyHistory.objects.get(pgh_obj=added)
    assert event.pgh_label == "insert" and event.pgh_context.metadata["user"] == scheme_manager.pk


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "harbour view"}, "name", "There is already a property with this name"),
        ({"postcode": "SY23"}, "postcode", "Enter a real UK postcode, like SY23 1AB"),
        ({"postcode": "not a postcode at all"}, "postcode", "Enter a real UK postcode, like SY23 1AB"),
        ({"weekly_cost": "-0.01"}, "weekly_cost", "The weekly cost cannot be less than £0"),
        ({"weekly_cost": "lots"}, "weekly_cost", "Enter the weekly cost as a number of pounds, like 150.00"),
        ({"turnaround_days": "21"}, "turnaround_days", "The turnaround must be 20 working days or fewer"),
        ({"turnaround_days": "-1"}, "turnaround_days", "The turnaround cannot be less than 0 working days"),
        ({"local_authority": None}, "local_authority", "Select the area the property is in"),
        ({"local_authority": "Ceredigion"}, "local_authority", "Select the area the property is in"),
        ({"local_authority": "E06000099"}, "local_authority", "Select the area the property is in"),
        ({"name": ""}, "name", "Enter the property's name"),
    ],
)
def test_a_property_with_a_mistake_is_refused_by_the_field(scheme_manager_client, changes, field, message):
    PropertyFactory(name="Harbour View")
    response = scheme_manager_client.post(reverse("placements:property-add"), property_post(**changes))

    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    page = response.content.decode()
    assert (
        "<title>Error:" in page and "govuk-error-summary" in page and message.replace("'", "&#x27;") in page
    )
    assert not Property.objects.filter(name="Ty Gwyn").exists()


def test_an_area_no_longer_in_use_is_not_offered_except_to_the_property_in_it(scheme_manager_client):
    powys = known_area(POWYS)
    LocalAuthority.objects.filter(pk=POWYS).update(in_use=False)
    in_powys = PropertyFactory(local_authority=powys)

    offered = dict(PropertyForm().fields["local_authority"].choices)
    assert CEREDIGION in offered and POWYS not in offered
    assert POWYS in dict(PropertyForm(instance=in_powys).fields["local_authority"].choices)


def test_a_scheme_manager_changes_a_property(scheme_manager_client):
    place = PropertyFactory(name="Harbour View", postcode="SY23 1AA")
    url = reverse("placements:property-change", args=[place.pk])
    assert "Harbour View" in scheme_manager_client.get(url).content.decode()

    response = scheme_manager_client.post(
        url,
        property_post(name="Harbour View", local_authority=POWYS, weekly_cost="175.50", postcode="ld3 7ae"),
    )

    assert response.status_code == 302
    place.refresh_from_db()
    assert (place.local_authority_id, place.weekly_cost, place.postcode) == (
        POWYS,
        Decimal("175.50"),
        "LD3 7AE",
    )
    assert PropertyHistory.objects.filter(pgh_obj=place, pgh_label="update").count() == 1


def test_a_scheme_manager_records_what_the_sharing_rule_weighs_and_the_page_shows_it(scheme_manager_client):
    place = PropertyFactory(name="Harbour View", postcode="SY23 1AA")
    url = reverse("placements:property-change", args=[place.pk])

    response = scheme_manager_client.post(
        url, property_post(name="Harbour View", near_school="on", unsuitable_for_arson="on")
    )

    assert response.status_code == 302
    place.refresh_from_db()
    assert (place.near_school, place.unsuitable_for_arson, place.unsuitable_for_sexual_risk) == (
        True,
        True,
        False,
    )
    page = scheme_manager_client.get(place.get_absolute_url()).content.decode()
    assert "Near a school" in page
    assert "Not suitable for a person with an arson history" in page
    assert "Not suitable for a person with a sexual risk<" not in page


def _booked(bedspace, starts_on, days=10):
    return PlacementFactory(
        bedspace=bedspace,
        status=Placement.Status.CONFIRMED,
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=days),
        free_from=starts_on + timedelta(days=days + 2),
    )


def test_a_property_with_a_booking_cannot_be_taken_out_of_use(scheme_manager_client):
    bedspace = BedspaceFactory(label="Flat 1", property__name="Harbour View")
    _booked(bedspace, TODAY + timedelta(days=20))
    url = reverse("placements:property-change", args=[bedspace.property_id])

    response = scheme_manager_client.post(url, property_post(name="Harbour View", active=None))

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "active": ["Flat 1 is booked or lived in until 6 January 2027: move, end or cancel that first"]
    }
    assert Property.objects.get().active


# Bedspaces --------------------------------------------------------------------------------------


def test_a_scheme_manager_adds_renames_and_takes_a_bedspace_out_of_use_and_back(scheme_manager_client):
    place = PropertyFactory(name="Harbour View")
    added = scheme_manager_client.post(
        reverse("placements:bedspace-add", args=[place.pk]), {"label": " Flat 1 ", "active": "on"}
    )
    assert added.status_code == 302 and added.url == place.get_absolute_url()
    bedspace = Bedspace.objects.get()
    assert (bedspace.label, bedspace.active) == ("Flat 1", True)

    url = reverse("placements:bedspace-change", args=[bedspace.pk])
    assert scheme_manager_client.post(url, {"label": "Flat 1A"}).status_code == 302
    bedspace.refresh_from_db()
    assert (bedspace.label, bedspace.active) == ("Flat 1A", False)
    assert scheme_manager_client.post(url, {"label": "Flat 1A", "active": "on"}).status_code == 302
    bedspace.refresh_from_db()
    assert bedspace.active
    assert list(
        BedspaceHistory.objects.filter(pgh_obj=bedspace).order_by("pgh_id").values_list("label", "active")
    ) == [("Flat 1", True), ("Flat 1A", False), ("Flat 1A", True)]


def test_a_label_used_in_the_property_is_refused_by_the_field_whatever_its_case(scheme_manager_client):
    place = PropertyFactory(name="Harbour View")
    BedspaceFactory(property=place, label="Flat 1")
    BedspaceFactory(label="Flat 2")  # in another property: no clash

    response = scheme_manager_client.post(
        reverse("placements:bedspace-add", args=[place.pk]), {"label": "flat 1", "active": "on"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"label": ["Harbour View already has a bedspace called flat 1"]}
    assert (
        scheme_manager_client.post(
            reverse("placements:bedspace-add", args=[place.pk]), {"label": "Flat 2", "active": "on"}
        ).status_code
        == 302
    )


def test_a_bedspace_lived_in_cannot_be_taken_out_of_use_but_can_be_renamed(scheme_manager_client):
    bedspace = BedspaceFactory(label="Flat 1")
    _booked(bedspace, TODAY - timedelta(days=3))
    url = reverse("placements:bedspace-change", args=[bedspace.pk])

    refused = scheme_manager_client.post(url, {"label": "Flat 1"})
    assert refused.context["form"].errors == {
        "active": ["Flat 1 is booked or lived in until 14 December 2026: move, end or cancel that first"]
    }
    assert scheme_manager_client.post(url, {"label": "Flat One", "active": "on"}).status_code == 302
    assert Bedspace.objects.get().label == "Flat One"


def test_a_bedspace_whose_stay_has_ended_can_be_taken_out_of_use(scheme_manager_client):
    bedspace = BedspaceFactory(label="Flat 1")
    _booked(bedspace, TODAY - timedelta(days=30))  # ended (its term) before today
    response = scheme_manager_client.post(
        reverse("placements:bedspace-change", args=[bedspace.pk]), {"label": "Flat 1"}
    )
    assert response.status_code == 302 and not Bedspace.objects.get().active


# Who sees the buttons ---------------------------------------------------------------------------


def test_officers_see_the_properties_without_the_managers_buttons(iom_officer_client, scheme_manager_client):
    bedspace = BedspaceFactory()
    detail = reverse("placements:property-detail", args=[bedspace.property_id])
    change = reverse("placements:property-change", args=[bedspace.property_id])
    add = reverse("placements:property-add")

    officer_pages = (
        iom_officer_client.get(detail).content.decode()
        + iom_officer_client.get(reverse("placements:property-list")).content.decode()
    )
    manager_pages = (
        scheme_manager_client.get(detail).content.decode()
        + scheme_manager_client.get(reverse("placements:property-list")).content.decode()
    )

    for link in (change, add, reverse("placements:bedspace-change", args=[bedspace.pk])):
        assert link not in officer_pages and link in manager_pages
    assert iom_officer_client.post(add, property_post()).status_code == 403
    assert not Property.objects.filter(name="Ty Gwyn").exists()


def test_the_services_refuse_anyone_but_a_scheme_manager(iom_officer):
    place = PropertyFactory()
    with pytest.raises(ValidationError, match="Only a scheme manager"):
        services_properties.bedspace_add(property_id=place.pk, label="Flat 9", by=iom_officer)


# Fuzzing the forms ------------------------------------------------------------------------------

text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)
PROPERTY_FIELD_NAMES = set(PropertyForm.Meta.fields)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.fixed_dictionaries(
        {},
        optional={
            name: st.one_of(
                text, st.sampled_from(["", "0", "-1", "21", "20", "1e9", "NaN", "W06000008", "sy23 1ab"])
            )
            for name in PROPERTY_FIELD_NAMES
        },
    )
)
def test_the_property_form_never_fails_whatever_is_typed(scheme_manager, data):
    """Valid or errors by the field; when valid, the service saves it, never a database error."""
    known_area(CEREDIGION)
    form = PropertyForm({key: value.replace("\x00", "") for key, value in data.items()})
    if form.is_valid():
        saved = services_properties.property_add(data=form.cleaned_data, by=scheme_manager)
        assert saved.pk and saved.postcode == normalised_postcode(saved.postcode)
        saved.delete()
    else:
        assert set(form.errors) <= PROPERTY_FIELD_NAMES


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.fixed_dictionaries({}, optional={"label": text, "active": st.sampled_from(["on", "", "false"])}))
def test_the_bedspace_form_never_fails_whatever_is_typed(scheme_manager, data):
    place = Property.objects.first() or PropertyFactory()
    form = BedspaceForm({key: value.replace("\x00", "") for key, value in data.items()}, property_=place)
    if form.is_valid():
        added = services_properties.bedspace_add(
            property_id=place.pk,
            label=form.cleaned_data["label"],
            active=form.cleaned_data["active"],
            by=scheme_manager,
        )
        added.delete()
    else:
        assert set(form.errors) <= {"label", "active"}
