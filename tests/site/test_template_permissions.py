"""Templates ask the access rules, never role names: what each `can_…` answers per role, that the
context processor asks nothing of the database, and a grep that fails when a role comparison returns."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from iom_housing import access
from iom_housing.access import Role
from iom_housing.context_processors import TEMPLATE_PERMISSIONS, service
from tests.factories import StaffMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

TEMPLATES = settings.BASE_DIR / "templates"
ROLE_NAMES = "|".join(re.escape(role.value) for role in Role)
ROLE_COMPARISON = re.compile(rf"user_role|\brole\s*(==|!=|\bin\b)|[\"']({ROLE_NAMES})[\"']")


def test_no_template_compares_role_names():
    found = [
        f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if ROLE_COMPARISON.search(line)
    ]
    assert found == [], "Ask a can_… rule from iom_housing.access instead:\n" + "\n".join(found)


@pytest.fixture
def superuser(db):
    return UserFactory(is_superuser=True, is_staff=True)


@pytest.fixture
def inactive_member(agency):
    return StaffMembershipFactory(role=Role.AGENCY_WORKER, agency=agency, active=False).user


USERS = (
    "anonymous",
    "iom_officer",
    "scheme_manager",
    "agency_worker",
    "opcc_analyst",
    "superuser",
    "inactive_member",
)

# Each new rule, per kind of user (in the order of USERS).
EXPECTED = {
    access.has_role: (False, True, True, True, True, False, False),
    access.can_user_use_admin: (False, False, True, False, False, True, False),
    access.can_user_view_own_agency_work: (False, False, False, True, False, False, False),
    access.can_user_visit_anyone: (False, True, False, False, False, False, False),
}


@pytest.mark.parametrize("rule", EXPECTED, ids=lambda rule: rule.__name__)
def test_each_rule_answers_per_role(request, rule):
    users = [AnonymousUser()] + [request.getfixturevalue(name) for name in USERS[1:]]
    assert tuple(rule(user) for user in users) == EXPECTED[rule]


def test_the_context_processor_asks_each_rule_lazily_without_a_query(iom_officer, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = type(iom_officer).objects.get(pk=iom_officer.pk)  # membership not yet loaded
    with django_assert_num_queries(0):
        context = service(request)
    assert set(TEMPLATE_PERMISSIONS) <= set(context)
    with django_assert_num_queries(1):  # the membership, once, however many rules are asked
        answers = {name: context[name]() for name in TEMPLATE_PERMISSIONS}
    assert answers == {name: rule(iom_officer) for name, rule in TEMPLATE_PERMISSIONS.items()}
    assert answers["can_manage_placements"] is True and answers["can_manage_scheme"] is False
