"""Fixtures named by role: a signed-in test client for each kind of user."""

import logging

import factory
import pytest
from django.test import Client
from django.utils import translation

from iom_housing.access import Role
from tests import factories
from tests.clock import AWKWARD_MOMENTS
from tests.factories import AgencyFactory
from tests.helpers import (
    ALL_API_SCOPES,
    api_client_with_scopes,
    fetch_token,
    sign_in,
    signed_in_client,
    user_with_role,
)


@pytest.fixture
def agency(db):
    return AgencyFactory()


@pytest.fixture
def iom_officer(db):
    return user_with_role(Role.IOM_OFFICER, AgencyFactory(kind="police", name="Dyfed-Powys Police IOM"))


@pytest.fixture
def scheme_manager(db):
    return user_with_role(Role.SCHEME_MANAGER)


@pytest.fixture
def agency_worker(agency):
    return user_with_role(Role.AGENCY_WORKER, agency)


@pytest.fixture
def opcc_analyst(db):
    return user_with_role(Role.OPCC_ANALYST, AgencyFactory(kind="commissioner", name="OPCC"))


# Two officers of one force, named: the messages refusing a change made on a stale basis name who
# made the change that moved it (tests/placements/test_stale_basis.py, tests/referrals/...).


@pytest.fixture
def police(db):
    return AgencyFactory(kind="police", name="Gwent Police IOM")


@pytest.fixture
def officer(police):
    return user_with_role(Role.IOM_OFFICER, police, first_name="Ffion", last_name="Basis-Tester")


@pytest.fixture
def colleague(police):
    return user_with_role(Role.IOM_OFFICER, police, first_name="Morwenna", last_name="Staleworth")


@pytest.fixture(autouse=True)
def _force_login_passes_two_factor(monkeypatch):
    """REQUIRE_2FA is on in the tests, as in production. `client.force_login(user)` stands for a
    whole sign-in, so it passes the second factor too; `helpers.force_login_password_only` stops
    after the password, for the tests of the two-factor step itself."""
    monkeypatch.setattr(Client, "force_login", sign_in)


@pytest.fixture
def security_log(caplog):
    """The `security` logger's records (it does not propagate to the root logger caplog reads)."""
    logger = logging.getLogger("security")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="security")
    yield caplog
    logger.removeHandler(caplog.handler)


# Each role's client is a client of its own, not pytest-django's `client` signed in: two roles in one
# test are two people, and `client` stays signed out.


@pytest.fixture
def iom_officer_client(iom_officer):
    return signed_in_client(iom_officer)


@pytest.fixture
def scheme_manager_client(scheme_manager):
    return signed_in_client(scheme_manager)


@pytest.fixture
def agency_worker_client(agency_worker):
    return signed_in_client(agency_worker)


@pytest.fixture
def opcc_client(opcc_analyst):
    return signed_in_client(opcc_analyst)


@pytest.fixture
def api_client_for(db):
    """`api_client_for(agency, scopes=...)`: a test client calling the API as that agency's case
    system, with a bearer token from /o/token/ (`.token` is the token's JSON)."""

    def make(agency, scopes=ALL_API_SCOPES):
        api_client = api_client_with_scopes(agency, scopes=scopes)
        http = Client()
        token = fetch_token(http, api_client, " ".join(scopes))
        http.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token['access_token']}"
        http.token, http.api_client = token, api_client
        return http

    return make


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    """Tests render templates without `collectstatic`; production uses the hashed manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Factories make many users; the real hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_run_eagerly():
    """Tasks run in the test's process even when REDIS_URL names a broker (as on CI); a test of a
    real worker opts out by setting these back."""
    from iom_housing.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


@pytest.fixture(autouse=True)
def _empty_cache(settings, worker_id):
    """API throttling counts requests in the cache (Redis on CI): each test starts with none.
    Clearing Redis empties its whole database, so each parallel worker (pytest-xdist's gw0, gw1…)
    has a database of its own, counting down from REDIS_URL's."""
    from django.core.cache import cache

    location = settings.CACHES["default"].get("LOCATION", "")
    if worker_id != "master" and location.startswith("redis://"):
        base, _, number = location.rpartition("/")
        own = (int(number or 0) - 1 - int(worker_id.removeprefix("gw"))) % 16
        settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": f"{base}/{own}"}}
    cache.clear()


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A request in Welsh leaves Welsh active in the thread (Django activates a language per
    request and never deactivates it): the next test starts in the default language again."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _report_files_in_tmp(settings, tmp_path):
    """Report files made in tests go to the test's own folder."""
    settings.REPORT_FILES_DIR = tmp_path / "reports"


@pytest.fixture(autouse=True)
def document_storage(monkeypatch, tmp_path):
    """Documents uploaded in tests are kept in the test's own folder (the documents' storage is
    chosen once, when the models load: casefiles.storage)."""
    from django.core.files.storage import FileSystemStorage

    from casefiles.models import Document

    storage = FileSystemStorage(location=tmp_path / "documents")
    monkeypatch.setattr(Document._meta.get_field("file"), "storage", storage)
    return storage


# Repeatable data and order (pytest-randomly) ------------------------------------------------


@pytest.fixture(autouse=True)
def _factory_sequences_from_zero():
    """pytest-randomly reseeds random, factory-boy and Faker from the run's seed and the test's id
    before each test; starting every factory sequence from 0 too makes a test's data the same
    whichever tests ran before it, and on whichever xdist worker, so one seed repeats a failure."""
    for model_factory in vars(factories).values():
        is_factory = isinstance(model_factory, type) and issubclass(model_factory, factory.Factory)
        if is_factory and model_factory._meta.model is not None:
            model_factory.reset_sequence()


def _seed(config) -> int | None:
    seed = config.getoption("randomly_seed", None)  # None with -p no:randomly
    return seed if isinstance(seed, int) else None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing test's report says how to run it again with the same data."""
    report = yield
    if report.failed and (seed := _seed(item.config)) is not None:
        report.sections.append(("random seed", f"repeat: pytest '{item.nodeid}' --randomly-seed={seed}"))
    return report


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    stats = terminalreporter.stats
    if (stats.get("failed") or stats.get("error")) and (seed := _seed(config)) is not None:
        terminalreporter.write_line(
            f"Random seed {seed}: repeat with the same factory data and test order with --randomly-seed={seed}"
        )


# Awkward dates -------------------------------------------------------------------------------


@pytest.fixture(params=AWKWARD_MOMENTS, ids=[moment.id for moment in AWKWARD_MOMENTS])
def awkward_now(request, time_machine):
    """A test that takes this fixture runs once at each awkward moment (tests/clock.py), with the
    clock stopped there; it is pinned before the test's other fixtures make users or data."""
    time_machine.move_to(request.param.at, tick=False)
    return request.param


def pytest_collection_modifyitems(items):
    for item in items:
        if "awkward_now" in item.fixturenames:
            item.fixturenames.remove("awkward_now")
            item.fixturenames.insert(0, "awkward_now")
