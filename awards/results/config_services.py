"""Configuration of an edition's awards by the secretariat: the award rule of each
category (how its winners are decided and how many), the award levels, the special-award
selections and, for a poll-decided award, how many places the poll gives.

Every write checks, saves atomically and files a before → after entry in the edition's
configuration history (workflow.audit.config_change_record). Nothing changes once a
result version of the edition is approved: the results are frozen, and a change would
make the live rules disagree with the approved ones. Refusals raise ConfigError with a
translated message per form field (`errors`: {field name or None: [message]})."""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from awards.enums import NominationState
from awards.models import Category, Edition
from workflow.audit import config_change_record, snapshot

from .enums import AwardBasis, VersionStatus
from .models import AwardLevel, AwardRule, AwardSelection, ResultVersion

RULE_FIELDS = ["basis", "award_name_zh", "award_name_en", "winners", "min_score", "finalists_only"]
LEVEL_FIELDS = ["name_zh", "name_en", "min_score"]
SELECTION_FIELDS = ["category_id", "agency_id", "citation_zh", "citation_en"]

# The nominations an award count is measured against: those still in the running once
# the eligibility check is done (eligible or finalist), or, for a rule that awards
# finalists only, the finalists once the shortlist exists.
COUNTED_STATES = (NominationState.ELIGIBLE, NominationState.FINALIST)


class ConfigError(Exception):
    """A refused configuration change; `errors` maps a form field (None: the whole form)
    to translated messages."""

    def __init__(self, errors: dict):
        self.errors = {k: [str(m) for m in v] for k, v in errors.items()}
        super().__init__(" ".join(m for v in self.errors.values() for m in v))

    @property
    def messages(self) -> list[str]:
        return [m for v in self.errors.values() for m in v]


def fingerprint(obj, fields) -> str:
    """What the page showed of a row, as a short digest: a save that brings another
    digest than the row's current one is stale (someone saved in between)."""
    import hashlib
    import json

    if obj is None:
        return "new"
    return hashlib.sha256(
        json.dumps(snapshot(obj, fields), sort_keys=True, default=str).encode()
    ).hexdigest()[:16]


def _check_fresh(obj, fields, seen) -> None:
    if seen is not None and seen != fingerprint(obj, fields):
        raise ConfigError(
            {
                None: [
                    _(
                        "Someone else saved this in the meantime; nothing was changed. "
                        "Reload the page to see their change, then make yours again."
                    )
                ]
            }
        )


def frozen_version(edition: Edition) -> ResultVersion | None:
    """The approved result version that freezes the edition's award configuration."""
    return (
        ResultVersion.objects.filter(edition=edition, status=VersionStatus.APPROVED)
        .order_by("-number")
        .first()
    )


def _check_not_frozen(edition: Edition) -> None:
    version = frozen_version(edition)
    if version is not None:
        raise ConfigError(
            {
                None: [
                    _(
                        "The award rules of this edition cannot be changed: result version "
                        "%(n)d was approved, and its results are frozen. Changing the rules "
                        "now would make them disagree with the approved results."
                    )
                    % {"n": version.number}
                ]
            }
        )


def _lock_edition(edition: Edition) -> Edition:
    """Serialise configuration writes of one edition (two secretaries at once)."""
    return Edition.objects.select_for_update().get(pk=edition.pk)


def nomination_pool(category: Category, finalists_only: bool) -> tuple[int, str]:
    """(how many nominations an award count may not exceed, which ones, in words)."""
    finalists = category.nominations.filter(state=NominationState.FINALIST).count()
    if finalists_only and finalists:
        return finalists, _("finalists")
    return (
        category.nominations.filter(state__in=COUNTED_STATES).count(),
        _("eligible or finalist nominations"),
    )


def _poll_of(edition):
    from surveys.models import Poll

    return Poll.objects.filter(edition=edition).first()


def _check_rule(category: Category, values: dict) -> dict:
    errors: dict = {}
    winners = values.get("winners")
    basis = values["basis"]
    if winners is not None and winners < 0:
        errors["winners"] = [_("The number of winners cannot be negative.")]
    elif basis == AwardBasis.POLL:
        poll = _poll_of(category.edition)
        if poll is None:
            errors["basis"] = [
                _(
                    "This edition has no telephone poll, so no award can be decided by it. "
                    "Set up the poll first."
                )
            ]
        elif winners is not None:
            candidates = poll.candidates.count()
            if winners == 0:
                errors["winners"] = [_("A poll-decided award needs at least one place.")]
            elif candidates and winners > candidates:
                errors["winners"] = [
                    _(
                        "“%(category)s”: %(n)d places is more than the poll's %(c)d "
                        "candidate departments."
                    )
                    % {"category": category.name, "n": winners, "c": candidates}
                ]
    elif basis == AwardBasis.STANDINGS and winners:
        pool, which = nomination_pool(category, values["finalists_only"])
        if pool and winners > pool:
            errors["winners"] = [
                _("“%(category)s” has %(pool)d %(which)s, fewer than the %(n)d winners asked for.")
                % {"category": category.name, "pool": pool, "which": which, "n": winners}
            ]
    min_score = values.get("min_score")
    if min_score is not None and min_score < 0:
        errors["min_score"] = [_("The minimum score cannot be negative.")]
    return errors


def award_rule_save(
    *, category: Category, actor, values: dict, seen: str | None = None
) -> AwardRule:
    """Create or change the award rule of a category. `values`: basis, award_name_zh,
    award_name_en, winners (int|None), min_score (Decimal|None), finalists_only. For a
    poll-decided award, `winners` is the poll's number of award places."""
    values = {f: values.get(f) for f in RULE_FIELDS}
    values["award_name_zh"] = (values["award_name_zh"] or "").strip()
    values["award_name_en"] = (values["award_name_en"] or "").strip()
    values["finalists_only"] = bool(values["finalists_only"])
    values["min_score"] = _cents(values["min_score"])
    with transaction.atomic():
        edition = _lock_edition(category.edition)
        _check_not_frozen(edition)
        errors = _check_rule(category, values)
        if errors:
            raise ConfigError(errors)
        rule = AwardRule.objects.filter(category=category).first()
        _check_fresh(rule, RULE_FIELDS, seen)
        before = snapshot(rule, RULE_FIELDS) if rule else None
        if rule is None:
            rule = AwardRule(category=category)
        for f, v in values.items():
            setattr(rule, f, v)
        if values["basis"] == AwardBasis.POLL:
            _poll_places(edition, actor, values["winners"])
        rule.save()
        config_change_record(
            actor=actor,
            action="config.award_rule",
            obj=rule,
            edition_id=edition.pk,
            before=before,
            after=snapshot(rule, RULE_FIELDS),
        )
    return rule


def _poll_places(edition, actor, places) -> None:
    """A poll-decided award's count is the poll's award places (what its tally uses)."""
    if places is None:
        return
    from django.core.exceptions import ValidationError

    from surveys.config_services import poll_award_places_set

    try:
        poll_award_places_set(poll=_poll_of(edition), actor=actor, places=places)
    except ValidationError as exc:
        raise ConfigError({"winners": exc.messages}) from None


def award_rule_delete(*, category: Category, actor) -> None:
    """Remove the category's rule: it then awards nothing."""
    with transaction.atomic():
        edition = _lock_edition(category.edition)
        _check_not_frozen(edition)
        rule = AwardRule.objects.filter(category=category).first()
        if rule is None:
            return
        before = snapshot(rule, RULE_FIELDS)
        config_change_record(
            actor=actor,
            action="config.award_rule_delete",
            obj=rule,
            edition_id=edition.pk,
            before=before,
            after=None,
        )
        rule.delete()


def _check_level(edition, name_zh, name_en, min_score, exclude_pk=None) -> dict:
    errors: dict = {}
    if not name_zh:
        errors["name_zh"] = [_("Give the level's name in Chinese.")]
    if min_score is None:
        errors["min_score"] = [_("Give the level's minimum score.")]
    elif min_score < 0:
        errors["min_score"] = [_("The minimum score cannot be negative.")]
    others = AwardLevel.objects.filter(edition=edition).exclude(pk=exclude_pk)
    if name_zh and others.filter(name_zh=name_zh).exists():
        errors.setdefault("name_zh", []).append(
            _("This edition already has a level named “%(name)s”.") % {"name": name_zh}
        )
    if name_en and others.filter(name_en__iexact=name_en).exists():
        errors.setdefault("name_en", []).append(
            _("This edition already has a level named “%(name)s”.") % {"name": name_en}
        )
    if min_score is not None:
        same = others.filter(min_score=min_score).first()
        if same is not None:
            errors.setdefault("min_score", []).append(
                _("The level “%(name)s” already starts at %(score)s points.")
                % {"name": same.name_zh, "score": _points(min_score)}
            )
    return errors


def _cents(value):
    """A score as stored (two decimals), so before and after read alike."""
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


def _points(value: Decimal) -> str:
    return f"{value.normalize():f}" if isinstance(value, Decimal) else str(value)


def award_level_save(
    *, edition: Edition, actor, name_zh: str, name_en: str, min_score, level=None, seen=None
) -> AwardLevel:
    """Add a level (level None) or change one. Levels are ordered by their minimum
    score, highest first: a winner gets the highest level whose minimum it reaches."""
    name_zh, name_en = (name_zh or "").strip(), (name_en or "").strip()
    min_score = _cents(min_score)
    with transaction.atomic():
        edition = _lock_edition(edition)
        _check_not_frozen(edition)
        if level is not None:
            level.refresh_from_db()
            _check_fresh(level, LEVEL_FIELDS, seen)
        errors = _check_level(
            edition, name_zh, name_en, min_score, exclude_pk=level.pk if level else None
        )
        if errors:
            raise ConfigError(errors)
        before = snapshot(level, LEVEL_FIELDS) if level else None
        if level is None:
            level = AwardLevel(edition=edition)
        level.name_zh, level.name_en, level.min_score = name_zh, name_en, min_score
        try:
            with transaction.atomic():
                level.save()
        except IntegrityError:  # the same minimum saved at the same moment by another user
            raise ConfigError(
                {"min_score": [_("Another level was saved with this minimum meanwhile.")]}
            ) from None
        config_change_record(
            actor=actor,
            action="config.award_level",
            obj=level,
            edition_id=edition.pk,
            before=before,
            after=snapshot(level, LEVEL_FIELDS),
        )
    return level


def award_level_delete(*, level: AwardLevel, actor) -> None:
    with transaction.atomic():
        edition = _lock_edition(level.edition)
        _check_not_frozen(edition)
        config_change_record(
            actor=actor,
            action="config.award_level_delete",
            obj=level,
            edition_id=edition.pk,
            before=snapshot(level, LEVEL_FIELDS),
            after=None,
        )
        level.delete()


def award_selection_add(
    *, category: Category, actor, agency, citation_zh: str, citation_en: str
) -> AwardSelection:
    """The panel's choice of an agency for a special award (a category whose rule is
    'selected by the panel')."""
    with transaction.atomic():
        edition = _lock_edition(category.edition)
        _check_not_frozen(edition)
        rule = AwardRule.objects.filter(category=category).first()
        errors: dict = {}
        if rule is None or rule.basis != AwardBasis.SELECTION:
            errors["category"] = [
                _(
                    "“%(category)s” is not a special award: set its rule to “selected by "
                    "the panel” first."
                )
                % {"category": category.name}
            ]
        elif AwardSelection.objects.filter(category=category, agency=agency).exists():
            errors["agency"] = [
                _("%(agency)s is already selected for “%(category)s”.")
                % {"agency": agency.name, "category": category.name}
            ]
        if not (citation_zh or "").strip():
            errors["citation_zh"] = [
                _("Give the citation in Chinese (printed on the certificate).")
            ]
        if errors:
            raise ConfigError(errors)
        selection = AwardSelection.objects.create(
            category=category,
            agency=agency,
            citation_zh=citation_zh.strip(),
            citation_en=(citation_en or "").strip(),
            created_by=actor,
        )
        config_change_record(
            actor=actor,
            action="config.award_selection",
            obj=selection,
            edition_id=edition.pk,
            before=None,
            after=snapshot(selection, SELECTION_FIELDS),
        )
    return selection


def award_selection_delete(*, selection: AwardSelection, actor) -> None:
    with transaction.atomic():
        edition = _lock_edition(selection.category.edition)
        _check_not_frozen(edition)
        config_change_record(
            actor=actor,
            action="config.award_selection_delete",
            obj=selection,
            edition_id=edition.pk,
            before=snapshot(selection, SELECTION_FIELDS),
            after=None,
        )
        selection.delete()
