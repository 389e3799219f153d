import pytest

from tests.casefiles.helpers import make_scene


@pytest.fixture
def scene(db):
    return make_scene()
