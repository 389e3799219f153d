import pytest

from tests.factories import (
    HomeVisitFactory,
    LicenceTermFactory,
    SupportAgencyFactory,
)


@pytest.mark.django_db
def test_factories_build_a_visited_placement():
    visit = HomeVisitFactory()
    LicenceTermFactory(placement=visit.placement)
    SupportAgencyFactory(agency=visit.agency)
    assert visit.placement.licence_terms.count() == 1
