"""Results' message group (awards.messaging): the winners with an open obligation in the
edition's programme (asked or confirmed, not yet delivered or missed): the editors of
each winning agency, the message logged on the obligation (the first open one of each)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _l

from agencies.enums import Role
from awards.messaging import WINNERS_WITH_OPEN_OBLIGATION, Recipient, group_register, people_of

from .enums import ObligationStatus
from .models import Obligation

OPEN = (ObligationStatus.ASKED, ObligationStatus.CONFIRMED)


def open_obligations(stage, category=None):
    qs = Obligation.objects.filter(
        event__edition_id=stage.edition_id, award__isnull=False, status__in=OPEN
    )
    if category is not None:
        qs = qs.filter(award__nomination__category=category)
    return qs.select_related("agency", "event").order_by("agency__code", "event__starts_at", "pk")


def winners_with_open_obligation(stage, category=None) -> list[Recipient]:
    obligations = list(open_obligations(stage, category))
    editors = people_of([o.agency_id for o in obligations], Role.AGENCY_EDITOR)
    out: dict[int, Recipient] = {}
    for obligation in obligations:
        for user in editors.get(obligation.agency_id, []):
            out.setdefault(user.pk, Recipient(user, obligation, obligation.agency))
    return list(out.values())


def obligation_link(obj, user) -> str:
    """The agency answers its obligations on its programme page."""
    return reverse("results:my_programme")


group_register(
    WINNERS_WITH_OPEN_OBLIGATION,
    _l("Winners with an open obligation"),
    winners_with_open_obligation,
)
