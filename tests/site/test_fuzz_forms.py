"""Hostile input to every form and every query parameter of the site's pages never answers 500.

The pages are the ones `test_access_matrix` walks, each opened by a role that may use it; the forms
are read from the HTML each page sends (so a new field is fuzzed without a line here), plus the
admin's change lists (search, filters, actions) and add forms. Each form gets:

- every field at once set to each of a few hostile values (a NUL byte, a lone surrogate, 20 digits…):
  what a field does with its own value;
- on the site's pages, each text box alone set to the sharpest value for its kind (20 digits in a
  day, month or number box, year 9999, 11,000 characters of text) in an otherwise sensible answer:
  what reaches the service and the database;
- a few hypothesis examples changing one or two fields of the sensible answer to anything hostile.

Every answer must be below 500. Each request runs in a transaction that is rolled back, so one
booking or ending does not change the page the next request fuzzes. The inputs a penetration test
found answering 500 are pinned one by one at the bottom."""

from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.site import test_access_matrix
from tests.site.test_access_matrix import ANON, MANAGER, MATRIX, OFFICER, OPCC, OTHER, OWN, _routes, _url

pytestmark = pytest.mark.django_db

# The matrix's records: a person referred and supported by one agency, placed, visited, alerted.
scene = test_access_matrix.scene

TWENTY_DIGITS = "9" * 20
LONG_TEXT = "x" * 11_000

# Values a careless or hostile client sends. Lone surrogates cannot be UTF-8 encoded: they are sent
# as the bytes a "surrogatepass" encoder makes, as a browser or script might.
HOSTILE = [
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    TWENTY_DIGITS,
    "-" + TWENTY_DIGITS,
    "-1",
    "0",
    "32768",
    "2147483648",
    "9223372036854775808",
    "1e400",
    "-1e-400",
    "NaN",
    "Infinity",
    "1.5",
    "0000",
    "9999",
    LONG_TEXT,
    "9" * 11_000,
    " ",
    "\u202e\u0301Ŵŷñ 🏠\ufeff",
    "٣",  # an Arabic-Indic digit: isdigit() is true, int() accepts it
    "%00",
    "../../etc/passwd",
    "<script>alert(1)</script>",
]
# Sent in every field at once; in every loose query parameter at once (a NUL byte there is the
# middleware's, pinned below).
EVERY_FIELD = ["\x00", "\ud800", TWENTY_DIGITS, "-1", LONG_TEXT, "٣"]
ADMIN_VALUES = ["\ud800", TWENTY_DIGITS, "-1", LONG_TEXT]
LOOSE_VALUES = ["\ud800", TWENTY_DIGITS, LONG_TEXT]

hostile_values = st.one_of(
    st.sampled_from(HOSTILE),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.text(max_size=40),
)

# Query parameters some pages read outside a form (pagination, export format, the sign-in's next).
LOOSE_QUERY_PARAMS = ("page", "format", "next", "reason", "q", "o", "p", "e", "all")

# Role used to open each page: the first role in this order the matrix lets in.
ROLE_ORDER = (OFFICER, OWN, MANAGER, OPCC, OTHER, ANON)

# Hypothesis examples per page form and per admin form, after the fixed requests.
EXAMPLES_PER_FORM = 3
ADMIN_EXAMPLES = 1
FUZZ = settings(
    max_examples=EXAMPLES_PER_FORM,
    deadline=None,
    derandomize=True,  # the same examples every run: a failure is never down to chance
    database=None,
    suppress_health_check=list(HealthCheck),
)

# An admin inline's form counts are left as the page sent them: Django caps a huge count at 2,000
# forms, which is no error but takes a minute to build.
FORMSET_COUNTS = ("-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS")

TEXT_BOXES = ("text", "hidden", "textarea", "password", "email", "number", "search", "tel", "url")


class FormReader(HTMLParser):
    """The forms of a page: method, action, and each named control with its sensible value and
    its kind (an input's type, "textarea" or "select")."""

    def __init__(self):
        super().__init__()
        self.forms = []
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            form = {"method": (attrs.get("method") or "get").lower(), "action": attrs.get("action")}
            self.forms.append(form | {"fields": {}, "kinds": {}})
            return
        if not self.forms or not attrs.get("name"):
            if tag == "option" and self._select is not None:
                self._option(attrs)
            return
        fields, kinds, name = self.forms[-1]["fields"], self.forms[-1]["kinds"], attrs["name"]
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            value = attrs.get("value") or ""
            if kind in ("radio", "checkbox"):
                if name not in fields or "checked" in attrs or not fields[name]:
                    fields[name] = value
            else:
                fields.setdefault(name, value or _sensible(name, attrs))
            kinds.setdefault(name, "numeric" if attrs.get("inputmode") in ("numeric", "decimal") else kind)
        elif tag == "textarea":
            fields.setdefault(name, "Fuzzing note")
            kinds.setdefault(name, "textarea")
        elif tag == "select":
            self._select = name
            fields.setdefault(name, "")
            kinds.setdefault(name, "select")

    def _option(self, attrs):
        fields = self.forms[-1]["fields"]
        value = attrs.get("value") or ""
        if value and (not fields.get(self._select) or "selected" in attrs):
            fields[self._select] = value

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def _sensible(name: str, attrs: dict) -> str:
    """An answer most forms accept: today's date in date boxes, 1 in number boxes, words elsewhere."""
    today = timezone.localdate()
    parts = {"_0": str(today.day), "_1": str(today.month), "_2": str(today.year)}
    if "time" in name:
        return {"_0": "10", "_1": "30"}.get(name[-2:], "10")
    if name[-2:] in parts:
        return parts[name[-2:]]
    if attrs.get("inputmode") in ("numeric", "decimal"):
        return "1"
    if "password" in (attrs.get("type") or ""):
        return "a-long-test-password"
    return "Fuzz"


def _sharpest(name: str, kind: str, value: str) -> str:
    """The value most likely to break a text box of this kind: past every range for a number or a
    date's part (year 9999: date arithmetic past it overflows), past every column for text."""
    if name.endswith("_2") and value.isdigit():
        return "9999"
    if kind in ("numeric", "hidden") or (name[-2:] in ("_0", "_1") and value.isdigit()):
        return TWENTY_DIGITS
    return LONG_TEXT


def _encode(data: dict) -> str:
    return urlencode(data, doseq=True, encoding="utf-8", errors="surrogatepass")


def _send(client, method: str, path: str, data: dict):
    if method == "post":
        return client.generic("POST", path, _encode(data), content_type="application/x-www-form-urlencoded")
    return client.get(f"{path}?{_encode(data)}")


def _forms_of(client, url: str) -> list[dict]:
    """The forms on the page at `url`, and the query parameters it may read outside them."""
    response = client.get(url)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return []
    reader = FormReader()
    reader.feed(response.content.decode())
    path = urlsplit(url).path
    found = [{**form, "path": urlsplit(form["action"] or url).path or path} for form in reader.forms]
    loose = dict.fromkeys(LOOSE_QUERY_PARAMS, "")
    found.append({"method": "get", "path": path, "fields": loose, "kinds": {}, "loose": True})
    return found


def _fuzz(
    client, form: dict, examples=EXAMPLES_PER_FORM, every_field=EVERY_FIELD, one_by_one=True
) -> list[str]:
    """The fixed hostile answers to one form (each of `every_field` in every field at once; with
    `one_by_one`, each text box alone) and `examples` of hypothesis's; the requests that answered
    5xx, described."""
    baseline = form["fields"]
    names = sorted(
        name for name in baseline if name != "csrfmiddlewaretoken" and not name.endswith(FORMSET_COUNTS)
    )
    if not names:
        return []
    failures = []

    def attempt(changes: dict) -> None:
        with transaction.atomic():  # rolled back: each request starts from the same records
            response = _send(client, form["method"], form["path"], {**baseline, **changes})
            transaction.set_rollback(True)
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {form['method'].upper()} {form['path']} {changes!r}")

    if form.get("loose"):
        # Each parameter is read on its own: two requests give each two of the values.
        for turn in range(2):
            attempt({name: LOOSE_VALUES[(turn + i) % len(LOOSE_VALUES)] for i, name in enumerate(names)})
        return failures
    for value in every_field:
        attempt(dict.fromkeys(names, value))
    for name in names if one_by_one else ():
        kind = form["kinds"].get(name, "text")
        if kind in TEXT_BOXES or kind == "numeric":
            attempt({name: _sharpest(name, kind, baseline[name])})

    @settings(FUZZ, max_examples=examples)
    @given(st.dictionaries(st.sampled_from(names), hostile_values, min_size=1, max_size=2))
    def explore(changes):
        attempt(changes)

    explore()
    return failures


def _pages(scene_data) -> list[tuple[str, str]]:
    """(role, url) for every page, opened by the first role the matrix lets in."""
    users, by_segment = scene_data
    routes = _routes()
    pages = []
    for name, expected in MATRIX.items():
        if name.startswith("api:") or name == "admin:index":
            continue
        role = next((role for role in ROLE_ORDER if expected[role] == 200), None)
        if role is not None:
            pages.append((role, _url(routes[name], by_segment)))
    return pages


def _signed_in(users, role) -> Client:
    client = Client(raise_request_exception=False)
    if role != ANON:
        client.force_login(users[role])
    return client


def _key(form: dict) -> tuple:
    return form["method"], form["path"], tuple(sorted(form["fields"]))


def test_no_form_or_query_parameter_of_a_page_answers_500(scene):
    users, _ = scene
    failures, clients, seen = [], {}, set()
    for role, url in _pages(scene):
        client = clients.setdefault(role, _signed_in(users, role))
        for form in _forms_of(client, url):
            if _key(form) not in seen:  # sign-out and keep-alive are on every page
                seen.add(_key(form))
                failures += _fuzz(client, form)
    assert not failures, "\n".join(failures)


def _list_filter_params(model_admin) -> dict:
    """The change list's filters as query parameters (each field's `__exact`, its id, its name)."""
    params = {}
    for item in model_admin.list_filter:
        name = item if isinstance(item, str) else getattr(item, "parameter_name", None)
        if isinstance(name, str):
            params |= {f"{name}__exact": "", f"{name}__id__exact": "", name: ""}
    return params


def test_no_admin_search_filter_or_form_answers_500(scene):
    users, _ = scene
    client = _signed_in(users, MANAGER)
    failures = []
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        params = {"q": "", "o": "", "p": "", **_list_filter_params(model_admin)}
        search = {
            "method": "get",
            "path": changelist,
            "fields": params,
            "kinds": dict.fromkeys(params, "text"),
        }
        failures += _fuzz(client, search, ADMIN_EXAMPLES, ADMIN_VALUES, one_by_one=False)
        add = reverse(f"admin:{meta.app_label}_{meta.model_name}_add")
        for form in _forms_of(client, changelist) + _forms_of(client, add):
            if form["method"] == "post" and form["path"] in (changelist, add):
                # Each field alone is left out here: the admin's model forms take their limits
                # from the model, and one request per field of every model would take minutes.
                failures += _fuzz(client, form, ADMIN_EXAMPLES, ADMIN_VALUES, one_by_one=False)
    autocomplete = {"term": "", "app_label": "referrals", "model_name": "referral", "field_name": "offender"}
    path = reverse("admin:autocomplete")
    failures += _fuzz(
        client, {"method": "get", "path": path, "fields": autocomplete, "kinds": {}}, one_by_one=False
    )
    assert not failures, "\n".join(failures)


# The inputs the penetration test found answering 500, each refused with a message -------------


def _page(scene_data, name: str) -> str:
    return _url(_routes()[name], scene_data[1])


def _answer(client, url: str, method: str = "post", **changes):
    """The form on the page at `url` (the one sent to `url` itself), answered sensibly but for
    `changes`."""
    path = urlsplit(url).path
    [form] = [
        form
        for form in _forms_of(client, url)
        if form["method"] == method and form["path"] == path and not form.get("loose")
    ]
    return _send(client, method, path, {**form["fields"], **changes})


def _errors(response) -> str:
    return response.content.decode()


REAL_DATE = "must be a real date"  # "The visit's date must be a real date", …
YEAR_RANGE = "must be from 1900 to 2100"


@pytest.mark.parametrize(
    "address",
    [
        "/admin/referrals/offender/?q=%00",
        "/admin/agencies/homevisit/?kind__exact=%00",
        "/admin/autocomplete/?term=%00&app_label=referrals&model_name=referral&field_name=offender",
        "/offenders/?q=%00",
        "/alerts/?kind=x%00",
        "/audit/access-log/?date_from=%00",
    ],
)
def test_a_nul_byte_in_a_search_or_filter_is_refused_with_a_message(scene, address):
    users, _ = scene
    role = MANAGER if address.startswith(("/admin/", "/audit/")) else OFFICER
    response = _signed_in(users, role).get(address)
    assert response.status_code == 400
    assert "contains a NUL character" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_a_nul_byte_in_an_api_query_is_a_problem_naming_the_parameter(client):
    response = client.get("/api/v1/referrals/?status=%00")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "status"


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"start_0": TWENTY_DIGITS}, REAL_DATE),
        ({"start_2": TWENTY_DIGITS}, "The year of the first day of the period must include 4 numbers"),
        ({"end_2": "1899"}, YEAR_RANGE),
    ],
)
def test_the_reports_date_fields_refuse_huge_numbers(scene, changes, message):
    users, _ = scene
    client = _signed_in(users, OFFICER)
    base = {"start_0": "1", "start_1": "1", "start_2": "2026", "end_0": "30", "end_1": "11", "end_2": "2026"}
    for address in ("/reports/", "/reports/download/"):
        response = client.get(f"{address}?{_encode({**base, **changes, 'format': 'csv'})}")
        assert response.status_code == 400
        assert message in _errors(response)


@pytest.mark.parametrize(
    "changes, message",
    [({"starts_on_0": TWENTY_DIGITS}, REAL_DATE), ({"starts_on_2": "9999", "starts_on_1": "12"}, YEAR_RANGE)],
)
def test_finding_a_bedspace_refuses_dates_out_of_range(scene, changes, message):
    users, _ = scene
    client = _signed_in(users, OFFICER)
    response = _answer(client, _page(scene, "placements:find-bedspace"), method="get", **changes)
    assert response.status_code == 200
    assert message in _errors(response)


@pytest.mark.parametrize(
    "changes", [{"starts_on": "9999-12-31"}, {"bedspace": TWENTY_DIGITS}, {"days": TWENTY_DIGITS}]
)
def test_booking_a_bedspace_refuses_dates_and_ids_out_of_range(scene, changes):
    """The booking form of a free bedspace, as the search shows it, with a value changed."""
    users, _ = scene
    client = _signed_in(users, OFFICER)
    find = _page(scene, "placements:find-bedspace")
    free_from = timezone.localdate() + timedelta(days=40)
    query = {"starts_on_0": free_from.day, "starts_on_1": free_from.month, "starts_on_2": free_from.year}
    place = _page(scene, "placements:place")
    [booking, *_] = [
        form for form in _forms_of(client, f"{find}?{_encode({**query, 'days': 7})}") if form["path"] == place
    ]
    response = _send(client, "post", place, {**booking["fields"], **changes})
    assert response.status_code == 302
    assert [str(message) for message in response.wsgi_request._messages] == [
        "Choose the dates and a bedspace again."
    ]


@pytest.mark.parametrize(
    "page, role, field",
    [
        ("referrals:referral-new", OWN, "date_of_birth"),
        ("agencies:visit-record", OWN, "visited_on"),
        ("placements:placement-end", OFFICER, "departed_on"),
        ("referrals:offender-event-add", OFFICER, "occurred_on"),
    ],
)
@pytest.mark.parametrize("part", ["0", "1"])
def test_a_huge_day_or_month_is_not_a_real_date(scene, page, role, field, part):
    """int() of 20 digits overflowed date(): the form answered 500, not its field's error."""
    users, _ = scene
    response = _answer(_signed_in(users, role), _page(scene, page), **{f"{field}_{part}": TWENTY_DIGITS})
    assert response.status_code == 200
    assert REAL_DATE in _errors(response)


@pytest.mark.parametrize("hours", [TWENTY_DIGITS, "-1", "24.01", "99.99", "1e400"])
def test_support_hours_out_of_range_are_refused_by_the_field(scene, hours):
    users, _ = scene
    response = _answer(_signed_in(users, OWN), _page(scene, "agencies:visit-record"), support_hours=hours)
    assert response.status_code == 200
    assert "Support hours must be a number from 0 to 24" in _errors(response)


def test_an_exclusion_reason_longer_than_its_column_is_refused(scene):
    users, _ = scene
    response = _answer(_signed_in(users, OFFICER), _page(scene, "placements:exclusion-add"), reason="x" * 301)
    assert response.status_code == 200
    assert "The reason must be 300 characters or fewer" in _errors(response)


@pytest.mark.parametrize("address", ["/accounts/login/", "/admin/login/"])
def test_an_overlong_username_is_refused_by_the_sign_in_form(client, address):
    response = client.post(address, {"username": "u" * 11_000, "password": "a-long-test-password"})
    assert response.status_code == 200
    assert "Ensure this value has at most 150 characters" in _errors(response)


def test_an_admin_action_on_ids_that_are_not_ids_selects_nothing(scene):
    users, _ = scene
    changelist = reverse("admin:reports_reportexport_changelist")
    response = _signed_in(users, MANAGER).post(
        changelist, {"action": "delete_selected", "_selected_action": ["not-an-id"], "index": "0"}
    )
    assert response.status_code == 302
    assert [str(m) for m in response.wsgi_request._messages] == [
        "Items must be selected in order to perform actions on them. No items have been changed."
    ]


def test_an_admin_autocomplete_field_given_text_says_the_choice_is_invalid(scene):
    users, _ = scene
    client = _signed_in(users, MANAGER)
    response = _answer(client, reverse("admin:placements_voidperiod_add"), bedspace="not-an-id")
    assert response.status_code == 200
    assert "Select a valid choice" in _errors(response)
