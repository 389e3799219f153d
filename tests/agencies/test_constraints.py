"""The database's own rules for staff memberships and home visits: rows written directly (no
services) that break a rule are refused, and the nearest rows that keep it are accepted. Each
refusal is matched on the constraint's name."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from agencies.models import StaffMembership
from iom_housing.access import Role
from tests.factories import HomeVisitFactory, StaffMembershipFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["admin", "", "IOM_OFFICER"])
def test_staff_membership_with_an_unknown_role_is_refused(role):
    with pytest.raises(IntegrityError, match="staffmembership_role_valid"), transaction.atomic():
        StaffMembershipFactory(role=role)


@pytest.mark.parametrize("role", Role.values)
def test_staff_membership_with_each_role_is_allowed(role):
    StaffMembershipFactory(role=role)

    assert StaffMembership.objects.filter(role=role).count() == 1


def test_update_giving_a_member_an_unknown_role_is_refused():
    membership = StaffMembershipFactory()

    with pytest.raises(IntegrityError, match="staffmembership_role_valid"), transaction.atomic():
        StaffMembership.objects.filter(pk=membership.pk).update(role="superuser")


@pytest.mark.parametrize("hours", ["-0.01", "-1", "24.01", "25"])
def test_visit_with_support_hours_outside_0_to_24_is_refused(hours):
    with pytest.raises(IntegrityError, match="homevisit_hours_0_to_24"), transaction.atomic():
        HomeVisitFactory(support_hours=Decimal(hours))


@pytest.mark.parametrize("hours", ["0", "24"])
def test_visit_with_support_hours_from_0_to_24_is_allowed(hours):
    assert HomeVisitFactory(support_hours=Decimal(hours)).support_hours == Decimal(hours)


def test_visit_raising_a_concern_without_saying_what_it_is_is_refused():
    with pytest.raises(IntegrityError, match="homevisit_concern_has_text"), transaction.atomic():
        HomeVisitFactory(concern_raised=True, concern="")


def test_visit_raising_a_concern_with_its_text_is_allowed():
    visit = HomeVisitFactory(concern_raised=True, concern="Visitors at the flat late at night.")

    assert visit.concern_raised


def test_visit_without_a_concern_needs_no_concern_text():
    assert HomeVisitFactory(concern_raised=False, concern="").concern == ""
