"""Reads for organisations and people."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .enums import Role
from .models import Agency, RoleAssignment, User


def agency_subtree(agency: Agency, *, include_self: bool = True) -> QuerySet[Agency]:
    qs = Agency.objects.filter(path__startswith=agency.path)
    if not include_self:
        qs = qs.exclude(pk=agency.pk)
    return qs


def agency_trees(paths) -> QuerySet[Agency]:
    """Every agency of the trees that the agencies at `paths` belong to: all agencies
    under their roots, the roots included (e.g. the whole government of a scheme whose
    nominations came from it). Empty when `paths` is."""
    roots = {"/" + p.strip("/").split("/")[0] + "/" for p in paths if p.strip("/")}
    if not roots:
        return Agency.objects.none()
    within = Q()
    for root in sorted(roots):
        within |= Q(path__startswith=root)
    return Agency.objects.filter(within)


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
