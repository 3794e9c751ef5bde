"""A scheme's own settings, as the secretariat keeps them in the app: its names, organiser,
description and how long individual and team nominees' personal data is kept (months after
an edition's last stage, awards.nominees.retention_ends_on). Audited before → after; the
change shows in the configuration history of every edition of the scheme."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from workflow.audit import config_change_record, snapshot

from .models import AwardScheme

SCHEME_FIELDS = [
    "name_zh",
    "name_en",
    "organiser_zh",
    "organiser_en",
    "description_zh",
    "description_en",
    "nominee_retention_months",
]
MAX_RETENTION_MONTHS = 120


class SchemeError(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def scheme_problems(values: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not (values.get("name_zh") or "").strip():
        errors["name_zh"] = [_("Give the scheme's name in Chinese.")]
    months = values.get("nominee_retention_months")
    if months is None or not 1 <= months <= MAX_RETENTION_MONTHS:
        errors["nominee_retention_months"] = [
            _("Keep the personal data from 1 to %(max)s months.") % {"max": MAX_RETENTION_MONTHS}
        ]
    return errors


def scheme_save(*, actor, scheme: AwardScheme, values: dict) -> AwardScheme:
    """Change the scheme's settings; refused with SchemeError, nothing changed, when
    scheme_problems has anything to say."""
    values = {f: values.get(f) for f in SCHEME_FIELDS}
    for f in SCHEME_FIELDS[:-1]:
        values[f] = (values[f] or "").strip()
    errors = scheme_problems(values)
    if errors:
        raise SchemeError(errors)
    with transaction.atomic():
        scheme = AwardScheme.objects.select_for_update().get(pk=scheme.pk)
        before = snapshot(scheme, SCHEME_FIELDS)
        for field, value in values.items():
            setattr(scheme, field, value)
        scheme.save(update_fields=SCHEME_FIELDS)
        entry = config_change_record(
            actor=actor,
            action="config.scheme_change",
            obj=scheme,
            edition_id=None,
            before=before,
            after=snapshot(scheme, SCHEME_FIELDS),
        )
        if entry is not None:  # filed under every edition of the scheme's history
            entry.data["scheme"] = scheme.pk
            entry.save(update_fields=["data"])
    return scheme
