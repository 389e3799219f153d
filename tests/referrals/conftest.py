"""Fixtures of the referral API tests: the probation service and its case system's API client."""

import pytest

from tests.factories import AgencyFactory


@pytest.fixture
def probation(db):
    return AgencyFactory(name="Probation", kind="probation")


@pytest.fixture
def probation_api(api_client_for, probation):
    return api_client_for(probation)
