"""Reads of the API: the user's tokens, and the lists the endpoints answer with, each
built from the same rules as the pages' predicates."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from agencies.enums import Role
from agencies.rules import is_secretariat
from agencies.selectors import subtree_filter, user_agency_paths
from awards.models import Nomination
from awards.rules import AUTHORITY_SEES

from .models import ApiToken


def tokens_of(user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at", "-id")


def token_by_hash(key_hash: str) -> ApiToken | None:
    return ApiToken.objects.select_related("user").filter(key_hash=key_hash).first()


def nominations_visible_filter(user) -> Q:
    """awards.see_nomination as a filter: the secretariat sees every nomination, an
    agency editor their agency's, a competent authority's officer those of the agencies
    under it once submitted (awards.rules.AUTHORITY_SEES)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if is_secretariat(user):
        return Q()
    editor = user_agency_paths(user, Role.AGENCY_EDITOR)
    officer = user_agency_paths(user, Role.AUTHORITY_OFFICER)
    seen = Q(agency__path__in=editor) if editor else Q(pk__in=[])
    if officer:
        seen |= subtree_filter(officer, field="agency") & AUTHORITY_SEES
    return seen


def nominations_visible(user) -> QuerySet[Nomination]:
    return (
        Nomination.objects.filter(nominations_visible_filter(user))
        .select_related("edition__scheme", "category", "agency")
        .order_by(
            "edition__scheme__code", "-edition__number", "category__order", "agency__code", "pk"
        )
    )
