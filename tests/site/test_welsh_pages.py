"""Every page in Welsh shows no English of the catalogue: each URL of the access matrix, opened in
Welsh by the first role that may see it, has no text (a text between tags, or a label a screen
reader reads: aria-label, title, alt, placeholder, a button's value) that is exactly an English
message of the catalogue still untranslated.

Only messages of two words or more and eight letters or more are looked for (a short word such as
"IOM" or "Beta" may be the same in both languages), and those with a placeholder are left to the
catalogue's own test (their text on the page has the value in it). Names and other data the scene
types are English on purpose and are not messages."""

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.utils import translation

from tests.site.catalogue import catalogue
from tests.site.test_access_matrix import MATRIX, ROLES, _routes, _url, scene  # noqa: F401

pytestmark = pytest.mark.django_db

# Not this site's pages: Django's admin (Django's own Welsh) and the API's browsable documentation.
OTHER_LAYOUTS = {"admin:index", "api:docs"}
READ_ALOUD = ("aria-label", "title", "alt", "placeholder")
SPACES = re.compile(r"\s+")
# Data the access matrix's scene types that is also a message (a document's title, as typed, and
# the label of its kind): on the page as data, English because the scene wrote it so.
SCENE_DATA = {"Risk assessment"}


class VisibleText(HTMLParser):
    """The page's texts as a person sees or hears them, each whitespace-normalised; not scripts or
    styles, and not what is marked `lang="en"` (English on purpose, such as the "English" link)."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skip: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("script", "style") or (attributes.get("lang") or "").startswith("en"):
            if tag not in ("input", "img", "br", "meta", "link"):
                self._skip.append(tag)
            return
        for name in READ_ALOUD:
            if attributes.get(name):
                self._add(attributes[name])
        if tag == "input" and attributes.get("type") in ("submit", "button") and attributes.get("value"):
            self._add(attributes["value"])

    def handle_endtag(self, tag):
        if self._skip and self._skip[-1] == tag:
            self._skip.pop()

    def handle_data(self, data):
        if not self._skip:
            self._add(data)

    def _add(self, text: str) -> None:
        text = SPACES.sub(" ", text).strip()
        if text:
            self.texts.append(text)


def visible_texts(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return parser.texts


def english_messages() -> set[str]:
    """The English messages that should not be seen on a Welsh page: long enough to be words of
    the service, with no placeholder, and translated to something else (or not yet at all)."""
    messages = set()
    for entry in catalogue("django"):
        text = SPACES.sub(" ", entry.msgid).strip()
        if len(text) < 8 or " " not in text or "%" in text or "{" in text:
            continue
        if entry.msgstr.strip() != text:
            messages.add(text)
    return messages - SCENE_DATA


def english_on(html: str, english: set[str]) -> list[str]:
    return sorted({text for text in visible_texts(html) if text in english})


def test_the_check_finds_english_text_and_ignores_scripts_and_english_parts():
    english = {"Record a visit", "Sign out of the service"}
    html = (
        '<h1>Cofnodi ymweliad</h1><p>Record a visit</p><button aria-label="Sign out of the service">X</button>'
        '<script>var s = "Record a visit";</script><a lang="en" hreflang="en">Record a visit</a>'
    )
    assert english_on(html, english) == ["Record a visit", "Sign out of the service"]
    assert english_on("<p>Cofnodi ymweliad</p>", english) == []


def test_every_page_in_welsh_shows_no_english_message(client, scene):  # noqa: F811
    users, by_segment = scene
    english = english_messages()
    routes = _routes()
    found, seen = [], 0
    for name, expected in MATRIX.items():
        if name in OTHER_LAYOUTS:
            continue
        role = next((role for role in ROLES if expected[role] == 200), None)
        if role is None:
            continue
        client.logout()
        if role != "anonymous":
            client.force_login(users[role])
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
        url = _url(routes[name], by_segment)
        response = client.get(url)
        if not response["Content-Type"].startswith("text/html"):
            continue
        seen += 1
        html = response.content.decode()
        assert '<html lang="cy"' in html, f"{name} ({url}) is not in Welsh"
        found += [f"{name} ({url}): {text!r}" for text in english_on(html, english)]
    translation.deactivate()
    assert seen > 30
    assert not found, f"{len(found)} English texts on Welsh pages, the first: " + "\n".join(found[:20])


ENGLISH_MONTH = re.compile(r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) 20\d\d\b")
REPORTS = {
    # The operational version of March 2026, made for the page.
    "officer": {
        "start_0": "1",
        "start_1": "3",
        "start_2": "2026",
        "end_0": "31",
        "end_1": "3",
        "end_2": "2026",
    },
    # The published version of March 2026: made (and released) by the first request, then read from
    # the release, whose labels were written in English.
    "published": {"period": "month:2026-03-01", "area": "", "audience": "published"},
}


@pytest.mark.parametrize("version", REPORTS)
def test_a_report_in_welsh_shows_no_english_message(version, request, time_machine):
    from tests.reports import scenario

    time_machine.move_to("2026-11-23 10:00 +00:00", tick=False)
    scenario.build()
    client = request.getfixturevalue("iom_officer_client")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    # The scenario's unit cost named "Recall to custody" is data a scheme manager typed (in English),
    # which happens to be a message too.
    english = english_messages() - {"Recall to custody"}
    for attempt in ("made", "read again"):
        response = client.get("/reports/", REPORTS[version])
        assert response.status_code == 200, attempt
        html = response.content.decode()
        assert "app-definition" in html  # a report, not only its form
        assert not english_on(html, english), (attempt, english_on(html, english)[:20])
        # Labels made from dates too: the trends' months ("Maw 2026", not "Mar 2026").
        shown = " ".join(visible_texts(html))
        # And messages joined into longer texts (a definition and its note): no long English
        # message's opening words anywhere.
        openings = {text[:40] for text in english if len(text) >= 40 and "%" not in text[:40]}
        assert not [o for o in openings if o in shown], (attempt, [o for o in openings if o in shown][:5])
        assert not ENGLISH_MONTH.search(shown), (attempt, ENGLISH_MONTH.findall(shown)[:5])
        assert "Maw 2026" in shown
    translation.deactivate()
