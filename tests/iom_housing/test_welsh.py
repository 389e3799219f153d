"""The service in Welsh: the header's language link (signed out and signed in), the saved
preference, `<html lang>`, dates, API problems by Accept-Language, emails in the recipient's
language and documents in the reader's (or, for residents, both: Welsh first).

Expected Welsh is the catalogue's own (`gettext` under `cy`), checked to differ from the English,
so that these tests hold whoever words the translation."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from agencies.models import StaffMembership
from alerts.notifications import concern_email_send, digest_send
from iom_housing import dates
from iom_housing.access import Role
from iom_housing.i18n import html_lang
from placements import services_licence as licence
from placements.views_licence import agreement_context
from referrals.models import ReferralEvent
from referrals.notifications import referrer_email_send
from tests.factories import AlertFactory, ReferralFactory
from tests.helpers import user_with_role

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME


def welsh(text: str, context: str | None = None) -> str:
    with translation.override("cy"):
        translated = translation.pgettext(context, text) if context else translation.gettext(text)
    assert translated != text, f"{text!r} has no Welsh in the catalogue"
    return translated


def prefers(user, language: str):
    StaffMembership.objects.filter(user=user).update(preferred_language=language)
    user.refresh_from_db()
    return user


# --- the language link, signed out ------------------------------------------------------------


def test_signed_out_pages_are_english_with_a_link_to_cymraeg(client):
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="en-GB"' in page
    switch = reverse("language", args=["cy"]) + "?next=%2Faccounts%2Flogin%2F"
    assert f'href="{switch}" lang="cy" hreflang="cy" data-testid="language-switch">Cymraeg</a>' in page


def test_the_link_remembers_welsh_in_the_cookie_for_the_sign_in_and_error_pages(client):
    response = client.get(reverse("language", args=["cy"]), {"next": "/accounts/login/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert response.cookies[COOKIE].value == "cy"
    page = client.get(reverse("login"))
    text = page.content.decode()
    assert '<html lang="cy"' in text and page["Content-Language"] == "cy"
    assert f'<h1 class="govuk-heading-l">{welsh("Sign in")}</h1>' in text
    assert 'lang="en" hreflang="en" data-testid="language-switch">English</a>' in text
    missing = client.get("/no-such-page/").content.decode()
    assert '<html lang="cy"' in missing and welsh("Page not found") in missing
    client.get(reverse("language", args=["en-gb"]))
    assert '<html lang="en-GB"' in client.get(reverse("login")).content.decode()


def test_the_schemes_name_is_in_the_pages_language(client, settings):
    settings.SCHEME_NAME, settings.SCHEME_NAME_CY = (
        "Ceredigion IOM housing scheme",
        "Cynllun tai IOM Ceredigion",
    )
    client.cookies[COOKIE] = "cy"
    page = client.get(reverse("login")).content.decode()
    assert f"{welsh('Sign in')} – Cynllun tai IOM Ceredigion – " in page
    assert "Ceredigion IOM housing scheme" not in page
    client.cookies[COOKIE] = "en-gb"
    assert "Ceredigion IOM housing scheme" in client.get(reverse("login")).content.decode()
    # A scheme with no Welsh name set shows its one name in both languages.
    settings.SCHEME_NAME, settings.SCHEME_NAME_CY = "Dyfed-Powys IOM scheme", ""
    client.cookies[COOKIE] = "cy"
    assert "Dyfed-Powys IOM scheme" in client.get(reverse("login")).content.decode()


@pytest.mark.parametrize("target", ["https://evil.example.org/", "//evil.example.org/", ""])
def test_the_link_goes_back_only_to_this_site(client, target):
    response = client.get(reverse("language", args=["cy"]), {"next": target})
    assert response["Location"] == "/"


def test_an_unknown_language_changes_nothing(client, iom_officer):
    client.force_login(iom_officer)
    response = client.get(reverse("language", args=["fr"]), {"next": "/alerts/"})
    assert response["Location"] == "/alerts/" and COOKIE not in response.cookies
    assert StaffMembership.objects.get(user=iom_officer).preferred_language == ""


def test_the_browsers_language_applies_until_one_is_chosen(client):
    assert '<html lang="cy"' in client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="cy").content.decode()


# --- signed in: the saved preference ----------------------------------------------------------


def test_the_link_saves_the_signed_in_users_language_on_their_account(client, iom_officer):
    client.force_login(iom_officer)
    client.get(reverse("language", args=["cy"]), {"next": reverse("placements:dashboard")})
    assert StaffMembership.objects.get(user=iom_officer).preferred_language == "cy"
    # Another browser, no cookie, an English browser: their choice follows them on signing in.
    elsewhere = client_class()
    elsewhere.force_login(iom_officer)
    response = elsewhere.get(reverse("placements:dashboard"), HTTP_ACCEPT_LANGUAGE="en-GB")
    page = response.content.decode()
    assert '<html lang="cy"' in page and welsh("Dashboard") in page
    assert response["Content-Language"] == "cy"
    assert response.cookies[COOKIE].value == "cy"  # so that signing out keeps Welsh
    elsewhere.post(reverse("logout"))
    assert '<html lang="cy"' in elsewhere.get(reverse("login")).content.decode()


def test_the_saved_preference_wins_over_the_cookie(client, agency_worker):
    prefers(agency_worker, "en-gb")
    client.cookies[COOKIE] = "cy"
    client.force_login(agency_worker)
    response = client.get(reverse("agencies:caseload"))
    assert '<html lang="en-GB"' in response.content.decode()
    assert response.cookies[COOKIE].value == "en-gb"


def test_english_users_pages_show_welsh_names_as_they_are(client, iom_officer):
    """Welsh text in an English page (a property's name) is UTF-8 through and through."""
    from tests.factories import PropertyFactory

    PropertyFactory(name="Tŷ Glan yr Afon, Llanbedr Pont Steffan")
    client.force_login(iom_officer)
    response = client.get(reverse("placements:property-list"))
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "Tŷ Glan yr Afon, Llanbedr Pont Steffan" in response.content.decode()


def client_class():
    from django.test import Client

    return Client()


def test_html_lang_tags():
    assert (html_lang("cy"), html_lang("en-gb"), html_lang(None)) == ("cy", "en-GB", "en-GB")


# --- dates --------------------------------------------------------------------------------------


def test_the_date_inputs_boxes_are_labelled_in_welsh():
    """The GOV.UK form library writes these labels itself (iom_housing/library_messages.py)."""
    from crispy_forms_gds.widgets import DateInputWidget

    with translation.override("cy"):
        labels = [str(widget.attrs["label"]) for widget in DateInputWidget().widgets]
    assert labels == ["Diwrnod", "Mis", "Blwyddyn"]


def test_dates_are_written_in_welsh():
    thursday = date(2026, 12, 3)
    evening = datetime(2026, 12, 3, 17, 30, tzinfo=ZoneInfo("Europe/London"))
    with translation.override("cy"):
        assert dates.day(thursday) == "3 Rhagfyr 2026"
        assert dates.weekday(thursday) == "Dydd Iau 3 Rhagfyr 2026"
        assert dates.day_short(date(2026, 2, 9)) == "9 Chw 2026"
        assert dates.weekday_abbr(thursday) == "Iau"
        assert dates.time_of_day(evening) == "5:30" + welsh("pm", "time of day")
    with translation.override("en-gb"):  # the per-language cache keeps them apart
        assert dates.day(thursday) == "3 December 2026"
        assert dates.weekday(thursday) == "Thursday 3 December 2026"


# --- the API ------------------------------------------------------------------------------------


def test_api_problems_are_in_welsh_when_the_client_asks(api_client_for):
    from tests.factories import AgencyFactory

    client = api_client_for(AgencyFactory(kind="probation"))
    bad = client.post("/api/v1/referrals/", {}, format="json", HTTP_ACCEPT_LANGUAGE="cy")
    assert bad.status_code == 400 and bad["Content-Language"] == "cy"
    assert bad.json()["title"] == welsh("Bad Request", "HTTP status")
    assert bad.json()["detail"] == welsh("Check the fields named in errors.")
    missing = client.get("/api/v1/referrals/by-ref/NO-SUCH/", HTTP_ACCEPT_LANGUAGE="cy")
    assert missing.status_code == 404 and missing["Content-Language"] == "cy"
    assert (missing.json()["title"], missing.json()["detail"]) == (
        welsh("Not Found", "HTTP status"),
        welsh("Not found."),
    )
    english = client.get("/api/v1/referrals/by-ref/NO-SUCH/", HTTP_ACCEPT_LANGUAGE="en-GB")
    assert (english.json()["title"], english.json()["detail"]) == ("Not Found", "Not found.")
    assert english["Content-Language"] == "en-gb"


def test_an_unknown_api_address_answers_in_welsh_too(client):
    response = client.get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE="cy")
    assert response.status_code == 404
    assert response.json()["title"] == welsh("Not Found", "HTTP status")


# --- emails -------------------------------------------------------------------------------------


def test_the_referrer_is_emailed_in_their_own_language(mailoutbox):

    welsh_worker = prefers(user_with_role(Role.AGENCY_WORKER, email="cy@example.org"), "cy")
    english_worker = user_with_role(Role.AGENCY_WORKER, email="en@example.org")
    for worker in (welsh_worker, english_worker):
        referral = ReferralFactory(
            submitted_by=worker,
            referring_agency=worker.membership.agency,
            submitted_at=datetime(2026, 12, 3, 10, tzinfo=ZoneInfo("UTC")),
        )
        event = ReferralEvent.objects.create(
            referral=referral, kind=ReferralEvent.Kind.ACCEPTED, occurred_at=timezone.now()
        )
        assert referrer_email_send(event_id=event.pk) == 1
    cymraeg, english = mailoutbox
    assert cymraeg.to == ["cy@example.org"]
    assert cymraeg.subject == welsh("IOM Housing: your referral was accepted")
    assert (
        "3 Rhagfyr 2026" in cymraeg.body
        and welsh("Sign in to IOM Housing to see it: %(url)s")[:20] in cymraeg.body
    )
    assert english.subject == "IOM Housing: your referral was accepted"
    assert "3 December 2026" in english.body
    assert translation.get_language() == "en-gb"  # nothing left switched after


def test_each_officer_gets_the_concern_email_in_their_language(mailoutbox):
    alert = AlertFactory(kind="visit_concern")
    prefers(user_with_role(Role.IOM_OFFICER, email="a-cy@example.org"), "cy")
    user_with_role(Role.IOM_OFFICER, email="b-en@example.org")
    assert concern_email_send(alert_id=alert.pk) == 2
    by_address = {message.to[0]: message for message in mailoutbox}
    assert by_address["a-cy@example.org"].subject == welsh("IOM Housing: a concern was raised on a visit")
    assert by_address["b-en@example.org"].subject == "IOM Housing: a concern was raised on a visit"


def test_the_digest_is_in_the_officers_language(mailoutbox, time_machine):
    time_machine.move_to("2026-06-28 23:30 +00:00", tick=False)  # 00:30 BST on 29 June: the UK day
    officer = prefers(user_with_role(Role.IOM_OFFICER, email="cy@example.org"), "cy")
    AlertFactory()
    assert digest_send(user_id=officer.pk) == 1
    [message] = mailoutbox
    with translation.override("cy"):
        one = translation.ngettext(
            "IOM Housing: %(count)s new alert, %(day)s", "IOM Housing: %(count)s new alerts, %(day)s", 1
        )
    assert not one.startswith("IOM Housing: %(count)s new alert,")
    assert message.subject == one % {"count": 1, "day": welsh_day(date(2026, 6, 29))}


def test_an_alert_raised_in_english_reads_in_welsh_to_a_welsh_reader():
    """A night's sweep raises alerts with no one's language active: each reader sees its message
    in their own, the date and a move-on action's kind included."""
    from alerts.models import Alert, alert_message
    from moveon.models import MoveOnAction

    template = "Move-on action “%(action)s” was due on %(day)s and is not done."
    fields = alert_message(template, action=MoveOnAction.Kind.HOUSING_REGISTER.label, day=date(2026, 3, 2))
    alert = AlertFactory(kind=Alert.Kind.MOVEON_OVERDUE, **fields)
    english = "Move-on action “Housing register application” was due on 2 March 2026 and is not done."
    assert alert.message == english and alert.text == english
    with translation.override("cy"):
        text = Alert.objects.get(pk=alert.pk).text
    assert text == welsh(template) % {
        "action": welsh(str(MoveOnAction.Kind.HOUSING_REGISTER.label)),
        "day": welsh_day(date(2026, 3, 2)),
    }
    assert "March" not in text and "2 Mawrth 2026" in text


def welsh_day(value: date) -> str:
    with translation.override("cy"):
        return dates.day(value)


# --- documents ----------------------------------------------------------------------------------


@pytest.fixture
def agreement_term():
    from placements.models import Placement
    from tests.factories import PlacementFactory

    today = date(2026, 11, 23)
    stay = PlacementFactory(status=Placement.Status.ACTIVE, starts_on=today, arrived_on=today, with_term=True)
    return stay.licence_terms.order_by("number").first()


def _agreement_html(term) -> str:
    return render_to_string(
        "placements/licence/agreement.pdf.html",
        agreement_context(term, licence.licence_agreement_issue(term=term)),
    )


def test_the_licence_agreement_is_bilingual_by_default_welsh_first(agreement_term):
    licence.licence_wording_save(
        title="Licence to occupy",
        conditions="Keep the flat clean.\nNo drugs.",
        house_rules="",
        breach="You may be warned.",
        contacts="IOM team: 01970 000000",
        weekly_charge=None,
        charge_text="",
        notice_days=7,
        by=user_with_role(Role.SCHEME_MANAGER),
        title_cy="Trwydded i feddiannu",
        conditions_cy="Cadw'r fflat yn lân.\nDim cyffuriau.",
    )
    html = _agreement_html(agreement_term)
    assert settings.SCHEME_RESIDENT_DOCUMENTS == "bilingual"
    assert '<html lang="cy">' in html
    cymraeg, english = html.index('<section lang="cy">'), html.index('<section lang="en-GB">')
    assert cymraeg < english
    welsh_half, english_half = html[cymraeg:english], html[english:]
    assert "<h1>Trwydded i feddiannu</h1>" in welsh_half and "Dim cyffuriau." in welsh_half
    assert welsh("Signed (licensee)") in welsh_half and "Signed (licensee)" not in welsh_half
    assert "You may be warned." in welsh_half  # no Welsh given: the English text
    assert "<h1>Licence to occupy</h1>" in english_half and "No drugs." in english_half
    assert "Signed (licensee)" in english_half and "Dim cyffuriau." not in english_half


@pytest.mark.parametrize(("setting", "sections"), [("en", ['lang="en-GB"']), ("cy", ['lang="cy"'])])
def test_a_scheme_can_have_its_agreements_in_one_language(agreement_term, settings, setting, sections):
    settings.SCHEME_RESIDENT_DOCUMENTS = setting
    html = _agreement_html(agreement_term)
    assert [f"<section {lang}>" for lang in sections] == [
        chunk.split(">")[0] + ">" for chunk in ["<section" + part for part in html.split("<section")[1:]]
    ]


def test_the_subject_access_pdf_is_in_the_requesting_managers_language(client, monkeypatch):
    from audit import exports

    manager = prefers(user_with_role(Role.SCHEME_MANAGER), "cy")
    offender = ReferralFactory().offender
    written = []
    monkeypatch.setattr(exports, "html_to_pdf", lambda html, **kw: written.append(html) or b"%PDF-1.4")
    client.force_login(manager)
    response = client.post(reverse("audit:subject-access", args=[offender.public_id]), {"file_format": "pdf"})
    assert response.content.startswith(b"%PDF")
    [html] = written
    assert '<html lang="cy">' in html and welsh("Subject access request") in html


def test_a_report_made_in_the_background_is_in_the_requesters_language(settings, tmp_path):
    from reports.services import export_make
    from tests.factories import ReportExportFactory

    settings.REPORT_FILES_DIR = tmp_path
    analyst = prefers(user_with_role(Role.OPCC_ANALYST), "cy")
    export = export_make(
        export_id=ReportExportFactory(requested_by=analyst, format="html", status="queued", file_name="").pk
    )
    assert export.status == "ready", export.error
    html = (tmp_path / export.file_name).read_text()
    assert '<html lang="cy">' in html and welsh("IOM housing scheme evaluation") in html
