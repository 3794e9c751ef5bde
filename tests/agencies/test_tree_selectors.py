"""The agency tree's questions, answered in agencies/selectors.py and nowhere else."""

import re
from pathlib import Path

import pytest

from agencies.models import Agency, User
from agencies.selectors import (
    agency_ancestor_ids,
    agency_ancestors,
    agency_is_under,
    agency_subtree,
    agency_trees,
    agency_under_any,
    nearest_authorities,
    nearest_authority,
    subtree_filter,
)
from agencies.services import path_segment
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tree():
    """GOV (not an authority) > MIN (authority) > BUR (authority) > OFF > DESK, and
    GOV > LONE (no authority on its chain but GOV), plus a second root OTHER."""
    gov = AgencyFactory(code="GOV")
    ministry = AgencyFactory(code="MIN", parent=gov, is_competent_authority=True)
    bureau = AgencyFactory(code="BUR", parent=ministry, is_competent_authority=True)
    office = AgencyFactory(code="OFF", parent=bureau)
    desk = AgencyFactory(code="DESK", parent=office)
    lone = AgencyFactory(code="LONE", parent=gov)
    other = AgencyFactory(code="OTHER", is_competent_authority=True)
    return {a.code: a for a in [gov, ministry, bureau, office, desk, lone, other]}


def codes(qs) -> set[str]:
    return set(qs.values_list("code", flat=True))


def test_ancestor_ids_root_first_without_a_query(tree, django_assert_num_queries):
    t = tree
    with django_assert_num_queries(0):
        assert agency_ancestor_ids(t["DESK"]) == [
            t["GOV"].pk,
            t["MIN"].pk,
            t["BUR"].pk,
            t["OFF"].pk,
        ]
        assert agency_ancestor_ids(t["DESK"], include_self=True)[-1] == t["DESK"].pk
        assert agency_ancestor_ids(t["GOV"]) == []
        assert agency_ancestor_ids(t["GOV"], include_self=True) == [t["GOV"].pk]
        assert agency_ancestor_ids(t["OFF"].path) == [t["GOV"].pk, t["MIN"].pk, t["BUR"].pk]


def test_ancestors_are_a_queryset_root_first(tree, django_assert_num_queries):
    t = tree
    with django_assert_num_queries(1):
        assert [a.code for a in agency_ancestors(t["DESK"])] == ["GOV", "MIN", "BUR", "OFF"]
    with django_assert_num_queries(1):
        assert [a.code for a in agency_ancestors(t["MIN"], include_self=True)] == ["GOV", "MIN"]
    assert list(agency_ancestors(t["OTHER"])) == []


def test_is_under_with_and_without_itself(tree, django_assert_num_queries):
    t = tree
    with django_assert_num_queries(0):
        assert agency_is_under(t["DESK"], t["GOV"])
        assert agency_is_under(t["DESK"], t["BUR"])
        assert agency_is_under(t["BUR"], t["BUR"])
        assert not agency_is_under(t["BUR"], t["BUR"], include_self=False)
        assert not agency_is_under(t["BUR"], t["DESK"])
        assert not agency_is_under(t["LONE"], t["MIN"])
        assert not agency_is_under(t["DESK"], t["OTHER"])
        assert agency_is_under(t["DESK"].path, t["OFF"].path)
        assert agency_under_any(t["DESK"], [t["OTHER"], t["OFF"]])
        assert not agency_under_any(t["LONE"], [t["OTHER"].path, t["MIN"].path])
        assert not agency_under_any(t["LONE"], [])


def test_is_under_does_not_confuse_ids_that_share_digits():
    """Zero-padded segments: agency 1 is not above agency 12, nor 12 above 123."""
    one, twelve = "/" + path_segment(1), "/" + path_segment(12)
    assert not agency_is_under(twelve, one)
    assert not agency_is_under("/" + path_segment(123), twelve)
    assert agency_is_under(one + path_segment(12), one)


def test_subtree_with_and_without_itself(tree, django_assert_num_queries):
    t = tree
    with django_assert_num_queries(1):
        assert codes(agency_subtree(t["MIN"])) == {"MIN", "BUR", "OFF", "DESK"}
    assert codes(agency_subtree(t["MIN"], include_self=False)) == {"BUR", "OFF", "DESK"}
    assert codes(agency_subtree(t["DESK"])) == {"DESK"}
    assert codes(agency_subtree(t["DESK"], include_self=False)) == set()
    assert codes(agency_subtree(t["GOV"])) == {"GOV", "MIN", "BUR", "OFF", "DESK", "LONE"}


def test_subtree_filter_on_a_related_model_and_many_scopes(tree, django_assert_num_queries):
    t = tree
    desk = UserFactory(affiliated_agency=t["DESK"])
    lone = UserFactory(affiliated_agency=t["LONE"])
    other = UserFactory(affiliated_agency=t["OTHER"])
    bureau = UserFactory(affiliated_agency=t["BUR"])
    UserFactory(affiliated_agency=None)

    def pks(q):
        return set(User.objects.filter(q).values_list("pk", flat=True))

    field = "affiliated_agency"
    with django_assert_num_queries(1):
        assert pks(subtree_filter(t["BUR"], field=field)) == {desk.pk, bureau.pk}
    assert pks(subtree_filter(t["BUR"], field=field, include_self=False)) == {desk.pk}
    assert pks(subtree_filter([t["OFF"].path, t["OTHER"]], field=field)) == {desk.pk, other.pk}
    assert pks(subtree_filter(t["GOV"], field=field)) == {desk.pk, lone.pk, bureau.pk}
    assert pks(subtree_filter([], field=field)) == set()
    assert codes(Agency.objects.filter(subtree_filter([t["OFF"], t["LONE"]]))) == {
        "OFF",
        "DESK",
        "LONE",
    }


def test_nearest_authority(tree, django_assert_num_queries):
    t = tree
    with django_assert_num_queries(1):
        assert nearest_authority(t["DESK"]) == t["BUR"]
    # An agency that is itself an authority is its own nearest, unless asked for above.
    with django_assert_num_queries(0):
        assert nearest_authority(t["BUR"]) == t["BUR"]
    assert nearest_authority(t["BUR"], include_self=False) == t["MIN"]
    assert nearest_authority(t["MIN"], include_self=False) is None
    # A root: no authority above it; an authority root is its own.
    with django_assert_num_queries(0):
        assert nearest_authority(t["GOV"]) is None
        assert nearest_authority(t["OTHER"]) == t["OTHER"]
    assert nearest_authority(t["OTHER"], include_self=False) is None
    # No authority on the chain but a root that is not one.
    assert nearest_authority(t["LONE"]) is None


def test_nearest_authorities_in_one_query_whatever_the_depth(django_assert_num_queries):
    top = AgencyFactory(code="TOP", is_competent_authority=True)
    chain, parent = [], top
    for level in range(30):
        parent = AgencyFactory(
            code=f"L{level}", parent=parent, is_competent_authority=level in (9, 19)
        )
        chain.append(parent)
    by_code = {a.code: a for a in chain}
    leaves = [Agency.objects.get(pk=a.pk) for a in chain]
    with django_assert_num_queries(1):
        found = nearest_authorities(leaves)
    assert found[by_code["L29"].pk] == by_code["L19"]
    assert found[by_code["L19"].pk] == by_code["L19"]
    assert found[by_code["L18"].pk] == by_code["L9"]
    assert found[by_code["L5"].pk] == top
    with django_assert_num_queries(1):
        above = nearest_authorities(leaves, include_self=False)
    assert above[by_code["L19"].pk] == by_code["L9"]
    assert above[by_code["L9"].pk] == top
    with django_assert_num_queries(0):
        assert nearest_authorities([]) == {}


def test_agency_trees_are_whole_trees_of_the_roots(tree):
    t = tree
    assert codes(agency_trees([t["DESK"].path])) == {"GOV", "MIN", "BUR", "OFF", "DESK", "LONE"}
    assert codes(agency_trees([t["OTHER"].path])) == {"OTHER"}
    assert codes(agency_trees([])) == set()


# --- nowhere else parses Agency.path ---------------------------------------------------

PARSING = re.compile(
    r"path__(i?startswith|contains|regex|endswith)"
    r"|\.path\.(split|strip|lstrip|rstrip|startswith|endswith|partition)\b"
    r"|\bpath_segment\b"
    r"|path\.strip\(\"/\"\)"
)
# Every package of the project but agencies (and the tests): apps added later included.
PACKAGES = sorted(
    p
    for p in ROOT.iterdir()
    if (p / "__init__.py").exists() and p.name not in {"agencies", "tests"}
)


def test_no_module_outside_agencies_parses_agency_paths():
    assert {"awards", "scoring", "surveys", "config", "workflow"} <= {p.name for p in PACKAGES}
    offenders = []
    for package in PACKAGES:
        for file in sorted(package.rglob("*.py")):
            if "migrations" in file.parts:
                continue
            for number, line in enumerate(file.read_text().splitlines(), start=1):
                if "request.path" in line or "parts.path" in line:  # a URL's path (urlsplit)
                    continue
                if PARSING.search(line):
                    offenders.append(f"{file.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_the_grep_sees_a_reimplementation():
    assert PARSING.search("qs.filter(agency__path__startswith=authority.path)")
    assert PARSING.search('[int(p) for p in agency.path.strip("/").split("/")]')
    assert PARSING.search("nomination.agency.path.startswith(a.path)")
