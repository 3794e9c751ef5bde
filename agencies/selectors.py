"""Reads for organisations and people."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .enums import Role
from .models import Agency, RoleAssignment, User

# --- the agency tree ----------------------------------------------------------------------
# The one place that reads Agency.path (the chain of zero-padded ids from the root that
# agencies.services maintains). Everything else asks these functions: the nearest
# competent authority, a subtree (as a queryset or a filter), the ancestors, "is under".
# A "scope" is an Agency or the path of one (user_agency_paths gives paths, cached).

AgencyOrPath = Agency | str


def _path(scope: AgencyOrPath) -> str:
    return scope if isinstance(scope, str) else scope.path


def _ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


def agency_ancestor_ids(agency: AgencyOrPath, *, include_self: bool = False) -> list[int]:
    """Ids of the agencies above `agency`, the root first (no query)."""
    ids = _ids(_path(agency))
    return ids if include_self else ids[:-1]


def agency_ancestors(agency: Agency, *, include_self: bool = False) -> QuerySet[Agency]:
    """The agencies above `agency`, the root first (one query)."""
    return Agency.objects.filter(
        pk__in=agency_ancestor_ids(agency, include_self=include_self)
    ).order_by("depth")


def agency_is_under(
    agency: AgencyOrPath, scope: AgencyOrPath, *, include_self: bool = True
) -> bool:
    """Whether `agency` is in the subtree of `scope` (itself included unless
    include_self=False). No query."""
    path, prefix = _path(agency), _path(scope)
    return path.startswith(prefix) and (include_self or path != prefix)


def agency_under_any(agency: AgencyOrPath, scopes) -> bool:
    """Whether `agency` is in the subtree of any of `scopes` (themselves included)."""
    return any(agency_is_under(agency, scope) for scope in scopes)


def subtree_filter(scopes, *, field: str = "", include_self: bool = True) -> Q:
    """A filter for the rows whose agency is in the subtree of any of `scopes` (an Agency,
    a path, or an iterable of them). `field` names the agency from the filtered model
    ("agency", "nomination__agency"); "" filters agencies themselves. No scope: no rows."""
    if isinstance(scopes, Agency | str):
        scopes = [scopes]
    lookup = f"{field}__path" if field else "path"
    match = Q(pk__in=[])
    for scope in scopes:
        here = Q(**{f"{lookup}__startswith": _path(scope)})
        if not include_self:
            here &= ~Q(**{lookup: _path(scope)})
        match |= here
    return match


def agency_subtree(agency: Agency, *, include_self: bool = True) -> QuerySet[Agency]:
    """The agencies under `agency` (and itself unless include_self=False)."""
    return Agency.objects.filter(subtree_filter(agency, include_self=include_self))


def nearest_authorities(agencies, *, include_self: bool = True) -> dict[int, Agency | None]:
    """For each agency (by id), its nearest competent authority above it, or the agency
    itself if it is one and include_self; None when there is none. One query at most,
    whatever the number of agencies."""
    given = {a.pk: a for a in agencies}
    chains = {pk: agency_ancestor_ids(a, include_self=include_self) for pk, a in given.items()}
    known = {pk: a for pk, a in given.items() if a.is_competent_authority}
    missing = set()
    for chain in chains.values():
        for pk in reversed(chain):  # nearest first; stop at an authority already in hand
            if pk in known:
                break
            if pk not in given:
                missing.add(pk)
    if missing:
        known.update(
            (a.pk, a) for a in Agency.objects.filter(pk__in=missing, is_competent_authority=True)
        )
    return {
        agency_id: next((known[pk] for pk in reversed(chain) if pk in known), None)
        for agency_id, chain in chains.items()
    }


def nearest_authority(agency: Agency, *, include_self: bool = True) -> Agency | None:
    """The nearest competent authority above `agency` (the agency itself if it is one and
    include_self), or None. At most one query."""
    return nearest_authorities([agency], include_self=include_self)[agency.pk]


def agency_trees(paths) -> QuerySet[Agency]:
    """Every agency of the trees that the agencies at `paths` belong to: all agencies
    under their roots, the roots included (e.g. the whole government of a scheme whose
    nominations came from it). Empty when `paths` is."""
    roots = {"/" + p.strip("/").split("/")[0] + "/" for p in paths if p.strip("/")}
    return Agency.objects.filter(subtree_filter(sorted(roots)))


def agencies_for_list() -> QuerySet[Agency]:
    return Agency.objects.select_related("parent").order_by("path")


def user_roles(user: User) -> set[str]:
    """The set of role values a user holds (cached on the user object per request)."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_role_cache", None)
    if cached is None:
        cached = set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
        user._role_cache = cached
    return cached


def user_agencies(user: User, role: str) -> QuerySet[Agency]:
    return Agency.objects.filter(role_assignments__user=user, role_assignments__role=role)


def has_role(user: User, role: Role | str) -> bool:
    return str(role) in user_roles(user)


def user_agency_paths(user: User, role: str) -> list[str]:
    """Tree paths of the agencies for which the user holds `role` (cached per request)."""
    if not user.is_authenticated:
        return []
    cache = user.__dict__.setdefault("_agency_path_cache", {})
    if role not in cache:
        cache[role] = list(
            Agency.objects.filter(
                role_assignments__user=user, role_assignments__role=role
            ).values_list("path", flat=True)
        )
    return cache[role]
