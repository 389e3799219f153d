"""The users and roles pages: a scheme manager adds a member of staff (who chooses their password
from an emailed link naming no one), changes their role or agency (what they see follows at once,
nothing of the old agency's kept), switches an account off and on (never deleting it; never their
own, never the last scheme manager), and resets two-factor authentication. Each change is kept in
the change history."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agencies.models import StaffMembership
from agencies.services import (
    staff_add,
    staff_change,
    staff_switch_off,
    staff_switch_on,
    staff_two_factor_reset,
)
from audit.models import StaffMembershipHistory, UserHistory
from iom_housing.access import Role
from iom_housing.models import UserSession
from outbox.models import OutboxMessage
from referrals.models import Referral, ReferralEvent
from referrals.notifications import referrer_email_send
from tests.factories import AgencyFactory, OffenderFactory, ReferralFactory
from tests.helpers import at_the_same_moment, signed_in_client, user_with_role

pytestmark = pytest.mark.django_db
User = get_user_model()

LIST = reverse("agencies:staff-list")
ADD = reverse("agencies:staff-add")
# A surname no factory makes: the emails and lists must not show a person on the scheme.
PERSON_SURNAME = "Quillbrook-Ystrad"


def _detail(account) -> str:
    return reverse("agencies:staff-detail", args=[account.pk])


def _add_post(to, **changes) -> dict:
    return {
        "first_name": "Nia",
        "last_name": "Griffiths",
        "email": "nia.griffiths@example.org",
        "username": "",
        "role": Role.AGENCY_WORKER,
        "agency": to.pk,
        "job_title": "Probation practitioner",
        **changes,
    }


def test_a_manager_adds_a_member_of_staff_who_chooses_a_password_from_the_emailed_link(
    scheme_manager_client, scheme_manager, agency, mailoutbox, django_capture_on_commit_callbacks
):
    OffenderFactory(last_name=PERSON_SURNAME)
    with django_capture_on_commit_callbacks(execute=True):
        response = scheme_manager_client.post(ADD, _add_post(agency))
    assert response.status_code == 302
    account = User.objects.get(email="nia.griffiths@example.org")
    assert account.username == "nia.griffiths@example.org"  # no username given: the email
    assert not account.has_usable_password()
    assert (account.membership.role, account.membership.agency, account.membership.active) == (
        Role.AGENCY_WORKER,
        agency,
        True,
    )
    assert OutboxMessage.objects.filter(task="agencies.send_password_link").count() == 1
    (email,) = mailoutbox
    assert email.to == ["nia.griffiths@example.org"]
    assert email.subject == "IOM Housing: choose your password"
    assert "Your username is: nia.griffiths@example.org" in email.body
    assert PERSON_SURNAME not in email.body
    link = re.search(r"http://\S+/accounts/set-password/\S+/", email.body)[0]
    path = link.split("://", 1)[1].split("/", 1)[1]

    anonymous = Client()
    form_url = anonymous.get("/" + path)["Location"]  # Django hides the token behind a redirect
    page = anonymous.get(form_url)
    assert "Choose your password" in page.content.decode()
    done = anonymous.post(
        form_url, {"new_password1": "harbour lantern velvet 42", "new_password2": "harbour lantern velvet 42"}
    )
    assert done["Location"] == reverse("password_set_done")
    account.refresh_from_db()
    assert account.check_password("harbour lantern velvet 42")
    # The link works once.
    again = Client().get("/" + path, follow=True)
    assert "This link has expired or has been used" in again.content.decode()
    history = StaffMembershipHistory.objects.filter(
        pgh_obj_id=account.membership.pk, pgh_label="insert"
    ).get()
    assert history.pgh_context.metadata["user"] == scheme_manager.pk


def test_the_link_of_a_switched_off_account_stops_working(
    scheme_manager, agency, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        account = staff_add(
            first_name="Owain", last_name="Rees", email="owain@example.org", role=Role.IOM_OFFICER,
            agency_id=agency.pk, by=scheme_manager,
        )  # fmt: skip
    path = re.search(r"/accounts/set-password/\S+/", mailoutbox[0].body)[0]
    staff_switch_off(user_id=account.pk, by=scheme_manager)
    assert "This link has expired or has been used" in Client().get(path, follow=True).content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "taken@example.org"}, "email", "Another account already uses this email address"),
        ({"email": "TAKEN@example.org"}, "email", "Another account already uses this email address"),
        ({"username": "Taken-User"}, "username", "Another account already has this username: choose another"),
        (
            {"username": "has space"},
            "username",
            "A username may have only letters, numbers and the characters @ . + - _",
        ),
        (
            {"email": "not an email"},
            "email",
            "Enter an email address in the correct format, like name@example.org",
        ),
        ({"role": ""}, "role", "Select their role"),
        (
            {"role": "superuser"},
            "role",
            "Select a valid choice. superuser is not one of the available choices.",
        ),
        ({"agency": ""}, "agency", "Select the agency they work for"),
        ({"first_name": " "}, "first_name", "Enter their first name"),
    ],
)
def test_a_member_of_staff_with_bad_details_is_refused_by_the_field(
    scheme_manager_client, agency, changes, field, message
):
    user_with_role(Role.AGENCY_WORKER, username="taken-user", email="taken@example.org")
    before = User.objects.count()
    response = scheme_manager_client.post(ADD, _add_post(agency, **changes))
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert User.objects.count() == before


def test_an_agency_that_left_the_scheme_is_not_offered(scheme_manager_client):
    gone = AgencyFactory(name="Closed Service", active=False)
    response = scheme_manager_client.post(ADD, _add_post(gone))
    assert response.context["form"].errors["agency"] == ["Select an agency from the list"]


def _accepted_person(agency):
    referral = ReferralFactory(referring_agency=agency, status=Referral.Status.ACCEPTED)
    return referral


def test_moving_a_worker_to_another_agency_takes_the_old_agencys_people_away(scheme_manager):
    old, new = AgencyFactory(name="Probation West"), AgencyFactory(name="Probation East")
    worker = user_with_role(Role.AGENCY_WORKER, old)
    referral = _accepted_person(old)
    person_url = reverse("referrals:offender-detail", args=[referral.offender.public_id])
    http = signed_in_client(worker)
    assert http.get(person_url).status_code == 200
    staff_change(user_id=worker.pk, role=Role.AGENCY_WORKER, agency_id=new.pk, by=scheme_manager)
    assert http.get(person_url).status_code == 404  # the same session, at once
    assert http.get(reverse("referrals:referral-detail", args=[referral.public_id])).status_code == 404
    assert referral.offender.last_name not in http.get(reverse("referrals:my-referrals")).content.decode()


def test_a_referrer_moved_to_another_agency_is_not_emailed_about_the_old_ones_referral(
    scheme_manager, mailoutbox
):
    old, new = AgencyFactory(), AgencyFactory()
    worker = user_with_role(Role.AGENCY_WORKER, old, email="mover@example.org")
    referral = ReferralFactory(referring_agency=old, submitted_by=worker, status=Referral.Status.ACCEPTED)
    event = ReferralEvent.objects.create(referral=referral, kind=ReferralEvent.Kind.ACCEPTED, data={})
    staff_change(user_id=worker.pk, role=Role.AGENCY_WORKER, agency_id=new.pk, by=scheme_manager)
    assert referrer_email_send(event_id=event.pk) == 0
    staff_change(user_id=worker.pk, role=Role.AGENCY_WORKER, agency_id=old.pk, by=scheme_manager)
    assert referrer_email_send(event_id=event.pk) == 1  # back at the agency: told again


def test_a_change_of_role_is_kept_in_the_history_and_named_on_the_page(
    scheme_manager_client, scheme_manager, agency_worker
):
    police = AgencyFactory(name="Dyfed-Powys Police IOM", kind="police")
    response = scheme_manager_client.post(
        reverse("agencies:staff-change", args=[agency_worker.pk]),
        {"role": Role.IOM_OFFICER, "agency": police.pk, "job_title": "PC"},
    )
    assert response["Location"] == _detail(agency_worker)
    membership = StaffMembership.objects.get(user=agency_worker)
    assert (membership.role, membership.agency, membership.job_title) == (Role.IOM_OFFICER, police, "PC")
    update = StaffMembershipHistory.objects.filter(pgh_obj_id=membership.pk, pgh_label="update").get()
    assert update.pgh_context.metadata["user"] == scheme_manager.pk
    page = scheme_manager_client.get(_detail(agency_worker)).content.decode()
    assert "IOM officer" in page and "Dyfed-Powys Police IOM" in page


def test_a_manager_cannot_switch_themself_off_or_drop_their_own_role(scheme_manager_client, scheme_manager):
    user_with_role(Role.SCHEME_MANAGER)  # not the last one
    page = scheme_manager_client.get(_detail(scheme_manager)).content.decode()
    assert "Switch the account off" not in page and "This is your account" in page
    response = scheme_manager_client.post(reverse("agencies:staff-switch-off", args=[scheme_manager.pk]))
    assert response["Location"] == _detail(scheme_manager)
    scheme_manager.refresh_from_db()
    assert scheme_manager.is_active
    with pytest.raises(ValidationError, match="your own account"):
        staff_switch_off(user_id=scheme_manager.pk, by=scheme_manager)
    with pytest.raises(ValidationError, match="your own account"):
        staff_change(
            user_id=scheme_manager.pk, role=Role.IOM_OFFICER, agency_id=scheme_manager.membership.agency_id,
            by=scheme_manager,
        )  # fmt: skip
    # Their own job title they may change.
    staff_change(
        user_id=scheme_manager.pk, role=Role.SCHEME_MANAGER, agency_id=scheme_manager.membership.agency_id,
        job_title="Scheme lead", by=scheme_manager,
    )  # fmt: skip
    assert StaffMembership.objects.get(user=scheme_manager).job_title == "Scheme lead"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change", ["switch off", "another role"])
def test_two_managers_removing_each_other_at_once_leave_one_scheme_manager(change):
    first, second = user_with_role(Role.SCHEME_MANAGER), user_with_role(Role.SCHEME_MANAGER)

    def remove(account, by):
        if change == "switch off":
            return staff_switch_off(user_id=account.pk, by=by)
        return staff_change(
            user_id=account.pk, role=Role.IOM_OFFICER, agency_id=account.membership.agency_id, by=by
        )

    outcomes = at_the_same_moment(lambda: remove(second, first), lambda: remove(first, second))
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 1 and type(refused[0]) is ValidationError, outcomes
    assert "the only scheme manager" in refused[0].messages[0]
    assert StaffMembership.objects.filter(role=Role.SCHEME_MANAGER, user__is_active=True).count() == 1


def test_switching_an_account_off_signs_them_out_and_back_on_keeps_its_role(
    scheme_manager_client, agency_worker, django_capture_on_commit_callbacks
):
    worker = signed_in_client(agency_worker)
    assert worker.get(reverse("agencies:caseload")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = scheme_manager_client.post(reverse("agencies:staff-switch-off", args=[agency_worker.pk]))
    assert response["Location"] == _detail(agency_worker)
    agency_worker.refresh_from_db()
    assert not agency_worker.is_active
    assert not UserSession.objects.filter(user_id=agency_worker.pk).exists()
    assert worker.get(reverse("agencies:caseload"))["Location"].startswith(reverse("login"))
    assert User.objects.filter(pk=agency_worker.pk).exists()  # never deleted
    # Off accounts are listed only when asked for.
    assert agency_worker.username not in scheme_manager_client.get(LIST).content.decode()
    assert agency_worker.username in scheme_manager_client.get(LIST, {"switched_off": "on"}).content.decode()
    scheme_manager_client.post(reverse("agencies:staff-switch-on", args=[agency_worker.pk]))
    agency_worker.refresh_from_db()
    assert agency_worker.is_active and agency_worker.membership.role == Role.AGENCY_WORKER
    assert UserHistory.objects.filter(pgh_obj_id=agency_worker.pk, pgh_label="update").count() == 2


def test_switching_on_an_account_that_is_on_changes_nothing(scheme_manager, agency_worker):
    with pytest.raises(ValidationError, match="already switched on"):
        staff_switch_on(user_id=agency_worker.pk, by=scheme_manager)


def test_resetting_two_factor_removes_the_authenticator(scheme_manager_client, scheme_manager, agency_worker):
    TOTPDevice.objects.create(user=agency_worker, name="Authenticator app", confirmed=True)
    assert (
        "Reset two-factor authentication"
        in scheme_manager_client.get(_detail(agency_worker)).content.decode()
    )
    scheme_manager_client.post(reverse("agencies:staff-reset-two-factor", args=[agency_worker.pk]))
    assert not TOTPDevice.objects.filter(user=agency_worker).exists()
    with pytest.raises(ValidationError, match="not set up two-factor"):
        staff_two_factor_reset(user_id=agency_worker.pk, by=scheme_manager)


def test_a_manager_cannot_change_a_superusers_account(scheme_manager_client, scheme_manager, admin_user):
    page = scheme_manager_client.get(_detail(admin_user)).content.decode()
    assert "only a superuser changes it" in page and "Switch the account off" not in page
    assert (
        scheme_manager_client.get(reverse("agencies:staff-change", args=[admin_user.pk])).status_code == 404
    )
    with pytest.raises(ValidationError, match="Only a superuser"):
        staff_switch_off(user_id=admin_user.pk, by=scheme_manager)


def test_a_manager_sends_a_new_link_for_a_forgotten_password(
    scheme_manager_client, agency_worker, mailoutbox, django_capture_on_commit_callbacks
):
    url = reverse("agencies:staff-password-link", args=[agency_worker.pk])
    for _ in range(2):  # a second link is a second email, not swallowed by the outbox's key
        with django_capture_on_commit_callbacks(execute=True):
            assert scheme_manager_client.post(url).status_code == 302
    assert [m.to for m in mailoutbox] == [[agency_worker.email]] * 2
    assert agency_worker.username in mailoutbox[0].body


def test_the_list_shows_each_accounts_role_agency_sign_in_and_two_factor(scheme_manager_client):
    worker = user_with_role(
        Role.AGENCY_WORKER, AgencyFactory(name="Women's Centre Aber"), first_name="Heledd", last_name="Morgan"
    )
    TOTPDevice.objects.create(user=worker, name="Authenticator app", confirmed=True)
    html = scheme_manager_client.get(LIST, {"role": Role.AGENCY_WORKER}).content.decode()
    row = html.split("Heledd Morgan", 1)[1].split("</tr>", 1)[0]
    assert "Agency worker" in row and "Women&#x27;s Centre Aber" in row and "Never" in row and "Set up" in row
    assert 'class="govuk-table app-table--stacked"' in html


def test_the_users_list_has_a_fixed_number_of_queries(scheme_manager_client):
    counts = []
    for rows in (2, 18):
        for _ in range(rows):
            worker = user_with_role(Role.AGENCY_WORKER)
            TOTPDevice.objects.create(user=worker, name="Authenticator app", confirmed=True)
        scheme_manager_client.get(LIST)
        with CaptureQueriesContext(connection) as queries:
            response = scheme_manager_client.get(LIST)
        assert response.status_code == 200
        counts.append(len(queries))
    assert len(response.context["page"].object_list) == 21  # 20 workers and the manager
    assert counts[0] == counts[1], [q["sql"] for q in queries.captured_queries]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    fields=st.fixed_dictionaries(
        {},
        optional={
            name: st.one_of(
                st.text(max_size=300), st.sampled_from(["", "0", "-1", "9" * 20, "x" * 400, "a@b", "manager"])
            )
            for name in ("first_name", "last_name", "email", "username", "role", "agency", "job_title")
        },
    )
)
def test_the_add_form_answers_hostile_input_with_errors_never_a_500_or_half_an_account(
    scheme_manager_client, agency, fields
):
    fields = {name: value.replace("\x00", "") for name, value in fields.items()}
    before = (User.objects.count(), StaffMembership.objects.count())
    response = scheme_manager_client.post(
        ADD, _add_post(agency, email="", **fields) if "email" not in fields else _add_post(agency, **fields)
    )
    assert response.status_code in (200, 302)
    after = (User.objects.count(), StaffMembership.objects.count())
    if response.status_code == 200:
        assert after == before
    else:
        assert after == (before[0] + 1, before[1] + 1)
        User.objects.filter(pk=User.objects.latest("pk").pk).delete()


def test_the_header_offers_managing_the_scheme_to_scheme_managers_only(
    scheme_manager_client, iom_officer_client
):
    hub = reverse("manage-scheme")
    manager_page = scheme_manager_client.get(reverse("placements:dashboard")).content.decode()
    assert f'href="{hub}">Manage the scheme</a>' in manager_page
    assert f'href="{hub}"' not in iom_officer_client.get(reverse("placements:dashboard")).content.decode()
    links = re.findall(
        r'<a class="govuk-link" href="([^"]+)"', scheme_manager_client.get(hub).content.decode()
    )
    for name in ("placements:property-list", "agencies:staff-list", "reports:funding", "reports:assumptions",
                 "placements:licence-wording", "admin:index"):  # fmt: skip
        assert reverse(name) in links, name
