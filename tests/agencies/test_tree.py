import pytest

from agencies.selectors import agency_subtree
from agencies.services import agency_refresh_paths
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def test_subtree_reaches_any_depth_and_nothing_else():
    authority = AgencyFactory(code="MOTC", is_competent_authority=True)
    bureau = AgencyFactory(code="TB", parent=authority)
    office = AgencyFactory(code="SML", parent=bureau)
    other = AgencyFactory(code="MOF", is_competent_authority=True)
    AgencyFactory(code="NTBT", parent=other)

    assert set(agency_subtree(authority).values_list("code", flat=True)) == {"MOTC", "TB", "SML"}
    assert set(agency_subtree(bureau, include_self=False).values_list("code", flat=True)) == {"SML"}
    assert office.depth == 2


def test_moving_a_branch_moves_its_descendants():
    a = AgencyFactory(code="A")
    b = AgencyFactory(code="B")
    child = AgencyFactory(code="C", parent=a)
    grandchild = AgencyFactory(code="D", parent=child)
    child.parent = b
    child.save()
    agency_refresh_paths(child)
    grandchild.refresh_from_db()
    assert grandchild.path == f"/{b.pk:010d}/{child.pk:010d}/{grandchild.pk:010d}/"
    assert set(agency_subtree(b).values_list("code", flat=True)) == {"B", "C", "D"}
    assert set(agency_subtree(a).values_list("code", flat=True)) == {"A"}
