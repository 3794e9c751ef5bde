"""Setting up a telephone poll (the secretariat): its texts, sample size, sampling frame,
strata with their population shares (the weights), fieldwork dates and interviewers.

Every write is atomic, checked, and filed in the edition's configuration history with
its before → after values (workflow.audit.config_change_record). A change that would
invalidate what has been collected is refused with the reason: the question or the strata
once calls were made, the tie rule or award places once the results are published.
Refusals raise ValidationError with a dict {form field: [messages]}."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agencies.enums import Role
from agencies.models import User
from workflow.audit import config_change_record, snapshot

from .enums import PollStatus
from .models import CallAttempt, Poll, Stratum

SETTING_FIELDS = [
    "title_zh",
    "title_en",
    "question_zh",
    "question_en",
    "suggestion_question_zh",
    "suggestion_question_en",
    "target_sample_size",
    "award_places",
    "tie_rule",
    "sampling_frame_zh",
    "sampling_frame_en",
    "fieldwork_starts_on",
    "fieldwork_ends_on",
]
# Texts the interviewers read out: changing them after calls were made would mix
# answers to different questions.
ASKED_FIELDS = ["question_zh", "question_en", "suggestion_question_zh", "suggestion_question_en"]
# What decides the published winners.
RESULT_FIELDS = ["award_places", "tie_rule"]
HUNDRED = Decimal(100)


def calls_made(poll: Poll) -> int:
    """Calls recorded or responses imported so far: collected data."""
    return max(CallAttempt.objects.filter(household__poll=poll).count(), poll.responses.count())


def _lock(poll: Poll) -> Poll:
    return Poll.objects.select_for_update().get(pk=poll.pk)


def _check_settings(poll: Poll | None, values: dict) -> dict:
    """Checks of what `values` holds (a new poll: of every field); a field not given
    keeps the poll's value."""

    def given(f):
        return poll is None or f in values

    def value(f):
        return values.get(f) if f in values or poll is None else getattr(poll, f)

    errors: dict = {}
    for f in ("title_zh", "question_zh"):
        if given(f) and not (value(f) or "").strip():
            errors[f] = [_("This field is required.")]
    size = value("target_sample_size")
    if given("target_sample_size") and (size is None or size <= 0):
        errors["target_sample_size"] = [
            _("The sample size must be at least 1 completed interview.")
        ]
    places = value("award_places")
    if given("award_places"):
        if places is None or places <= 0:
            errors["award_places"] = [_("The poll must give at least one award place.")]
        elif poll is not None:
            candidates = poll.candidates.count()
            if candidates and places > candidates:
                errors["award_places"] = [
                    _("%(n)d award places is more than the poll's %(c)d candidate departments.")
                    % {"n": places, "c": candidates}
                ]
    start, end = value("fieldwork_starts_on"), value("fieldwork_ends_on")
    if start and end and end < start:
        errors["fieldwork_ends_on"] = [
            _("The fieldwork cannot end (%(end)s) before it starts (%(start)s).")
            % {"end": end.isoformat(), "start": start.isoformat()}
        ]
    if poll is None:
        return errors
    changed = [f for f in SETTING_FIELDS if f in values and getattr(poll, f) != values[f]]
    n_calls = calls_made(poll)
    if n_calls:
        for f in ASKED_FIELDS:
            if f in changed:
                errors.setdefault(f, []).append(
                    ngettext(
                        "The question cannot change: %(n)d call has been made with the "
                        "current wording, and its answer would no longer match it.",
                        "The question cannot change: %(n)d calls have been made with the "
                        "current wording, and their answers would no longer match it.",
                        n_calls,
                    )
                    % {"n": n_calls}
                )
    if poll.status == PollStatus.PUBLISHED:
        for f in RESULT_FIELDS:
            if f in changed:
                errors.setdefault(f, []).append(
                    _(
                        "The poll's results are published; changing this would change who "
                        "won. It can no longer be changed."
                    )
                )
    return errors


def _clean(values: dict) -> dict:
    out = {f: values.get(f) for f in SETTING_FIELDS if f in values}
    for f, v in out.items():
        if isinstance(v, str):
            out[f] = v.strip()
    return out


def poll_create(*, edition, actor, values: dict) -> Poll:
    """A new poll, in draft, for an edition that has none."""
    values = _clean(values)
    values.setdefault("award_places", 3)
    with transaction.atomic():
        if Poll.objects.filter(edition=edition).exists():
            raise ValidationError({"edition": [_("This edition already has a poll.")]})
        errors = _check_settings(None, values)
        if errors:
            raise ValidationError(errors)
        poll = Poll.objects.create(edition=edition, **values)
        config_change_record(
            actor=actor,
            action="config.poll_create",
            obj=poll,
            edition_id=edition.pk,
            before=None,
            after=snapshot(poll, SETTING_FIELDS),
        )
    return poll


def poll_settings_save(*, poll: Poll, actor, values: dict) -> Poll:
    values = _clean(values)
    with transaction.atomic():
        poll = _lock(poll)
        errors = _check_settings(poll, values)
        if errors:
            raise ValidationError(errors)
        before = snapshot(poll, SETTING_FIELDS)
        for f, v in values.items():
            setattr(poll, f, v)
        poll.save(update_fields=list(values))
        config_change_record(
            actor=actor,
            action="config.poll_settings",
            obj=poll,
            edition_id=poll.edition_id,
            before=before,
            after=snapshot(poll, SETTING_FIELDS),
        )
    return poll


def poll_award_places_set(*, poll: Poll, actor, places: int) -> Poll:
    """How many departments the poll's award goes to (the top N by household votes)."""
    return poll_settings_save(poll=poll, actor=actor, values={"award_places": places})


def _strata_rows(poll: Poll) -> list[list]:
    return [
        [s.code, s.name_zh, s.name_en, str(s.population_share)]
        for s in poll.strata.order_by("order", "code")
    ]


def poll_strata_save(*, poll: Poll, actor, rows: list[dict]) -> Poll:
    """Replace the poll's strata. rows: [{code, name_zh, name_en, share}] with `share`
    in per cent (Decimal); the shares are the population weights and must add up to
    100 %. Refused once calls were made (their households are weighted by the strata),
    and a stratum that sampled households belong to cannot be removed."""
    with transaction.atomic():
        poll = _lock(poll)
        n_calls = calls_made(poll)
        if n_calls:
            raise ValidationError(
                {
                    "strata": [
                        ngettext(
                            "The strata cannot change: %(n)d call has been made, and the "
                            "households already called are weighted by the current strata.",
                            "The strata cannot change: %(n)d calls have been made, and the "
                            "households already called are weighted by the current strata.",
                            n_calls,
                        )
                        % {"n": n_calls}
                    ]
                }
            )
        errors = []
        if not rows:
            errors.append(_("Give at least one stratum."))
        codes = [r["code"] for r in rows]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            errors.append(
                _("Each stratum needs its own code; repeated: %(codes)s.")
                % {"codes": ", ".join(duplicates)}
            )
        for r in rows:
            if r["share"] <= 0 or r["share"] > HUNDRED:
                errors.append(
                    _("The share of “%(code)s” must be more than 0 %% and at most 100 %%.")
                    % {"code": r["code"]}
                )
        total = sum((r["share"] for r in rows), Decimal(0))
        if rows and abs(total - HUNDRED) > Decimal("0.01"):
            errors.append(
                _("The population shares add up to %(total)s %%; they must add up to 100 %%.")
                % {"total": f"{total.normalize():f}"}
            )
        existing = {s.code: s for s in poll.strata.all()}
        sampled = set(
            poll.households.filter(stratum__isnull=False)
            .values_list("stratum__code", flat=True)
            .distinct()
        )
        removed = sorted(c for c in sampled if c not in codes)
        if removed:
            errors.append(
                _("The stratum %(codes)s cannot be removed: sampled households belong to it.")
                % {"codes": ", ".join(removed)}
            )
        if errors:
            raise ValidationError({"strata": errors})
        before = {"strata": _strata_rows(poll)}
        keep = set()
        for order, r in enumerate(rows):
            stratum = existing.get(r["code"]) or Stratum(poll=poll, code=r["code"])
            stratum.name_zh, stratum.name_en = r["name_zh"], r["name_en"]
            stratum.population_share = (r["share"] / HUNDRED).quantize(Decimal("0.000001"))
            stratum.order = order
            stratum.save()
            keep.add(stratum.pk)
        poll.strata.exclude(pk__in=keep).delete()
        config_change_record(
            actor=actor,
            action="config.poll_strata",
            obj=poll,
            edition_id=poll.edition_id,
            before=before,
            after={"strata": _strata_rows(poll)},
        )
    return poll


def _interviewer_list(poll: Poll) -> list[str]:
    return sorted(poll.interviewers.values_list("email", flat=True))


def poll_interviewers_save(*, poll: Poll, actor, users: list[User]) -> Poll:
    """The interviewers who work on this poll (each must hold the poll interviewer
    role). With none listed every poll interviewer may work on it."""
    users = list(users)
    with transaction.atomic():
        poll = _lock(poll)
        holders = set(
            User.objects.filter(
                pk__in=[u.pk for u in users],
                role_assignments__role=Role.POLL_INTERVIEWER,
            ).values_list("pk", flat=True)
        )
        outsiders = [u for u in users if u.pk not in holders]
        if outsiders:
            raise ValidationError(
                {
                    "interviewers": [
                        _(
                            "%(names)s cannot be listed: not a poll interviewer. Give them "
                            "the poll interviewer role first."
                        )
                        % {"names": ", ".join(u.get_full_name() or u.email for u in outsiders)}
                    ]
                }
            )
        before = {"interviewers": _interviewer_list(poll)}
        poll.interviewers.set(users)
        config_change_record(
            actor=actor,
            action="config.poll_interviewers",
            obj=poll,
            edition_id=poll.edition_id,
            before=before,
            after={"interviewers": _interviewer_list(poll)},
        )
    return poll


def _candidate_codes(poll: Poll) -> list[str]:
    return list(
        poll.candidates.order_by("order", "agency__code").values_list("agency__code", flat=True)
    )


def poll_candidates_save(*, poll: Poll, actor, codes: list[str]) -> Poll:
    """The departments households may vote for, in the order they are read out, by
    agency code. Refused once calls were made (votes already cast name candidates)."""
    from agencies.models import Agency

    from .models import PollCandidate

    with transaction.atomic():
        poll = _lock(poll)
        n_calls = calls_made(poll)
        errors = []
        if n_calls:
            errors.append(
                ngettext(
                    "The candidates cannot change: %(n)d call has been made, and the votes "
                    "cast name the current candidates.",
                    "The candidates cannot change: %(n)d calls have been made, and the votes "
                    "cast name the current candidates.",
                    n_calls,
                )
                % {"n": n_calls}
            )
        elif not codes:
            errors.append(_("Give at least one candidate department."))
        else:
            agencies = {a.code: a for a in Agency.objects.filter(code__in=codes)}
            unknown = [c for c in codes if c not in agencies]
            if unknown:
                errors.append(
                    _("No agency has the code %(codes)s.") % {"codes": ", ".join(unknown)}
                )
            repeated = sorted({c for c in codes if codes.count(c) > 1})
            if repeated:
                errors.append(
                    _("Each department once; repeated: %(codes)s.") % {"codes": ", ".join(repeated)}
                )
            if len(set(codes)) < poll.award_places:
                errors.append(
                    _("%(n)d candidates are fewer than the poll's %(p)d award places.")
                    % {"n": len(set(codes)), "p": poll.award_places}
                )
        if errors:
            raise ValidationError({"candidates": errors})
        before = {"candidates": _candidate_codes(poll)}
        poll.candidates.all().delete()
        PollCandidate.objects.bulk_create(
            PollCandidate(poll=poll, agency=agencies[c], order=i) for i, c in enumerate(codes)
        )
        config_change_record(
            actor=actor,
            action="config.poll_candidates",
            obj=poll,
            edition_id=poll.edition_id,
            before=before,
            after={"candidates": _candidate_codes(poll)},
        )
    return poll
