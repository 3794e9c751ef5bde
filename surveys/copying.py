"""What surveys copies into a new edition (through the hook registered in
SurveysConfig.ready): the poll's settings, its strata (weights) and candidates, as a
draft poll with no sample, calls, responses or tallies."""

from __future__ import annotations

from django.utils.translation import gettext as _

from awards.copying import CopyContext, EditionCopyHook, model_values

from .enums import PollStatus
from .models import Poll, PollCandidate, Stratum

# A poll's state and results are not settings: the copy starts as a draft.
NOT_COPIED = ("edition", "status", "published_run")


def _preview(source, copy_panels: bool) -> list[tuple[str, list[str]]]:
    poll = Poll.objects.filter(edition=source).first()
    if poll is None:
        return []
    lines = [
        poll.title,
        _("Target number of completes: %(n)s") % {"n": poll.target_sample_size},
        _("Award places: %(n)s") % {"n": poll.award_places},
        _("Strata (weights): %(n)s") % {"n": poll.strata.count()},
        _("Candidates: %(n)s") % {"n": poll.candidates.count()},
        _("Sample, calls, responses and tallies are not copied."),
    ]
    return [(_("Telephone poll"), lines)]


def _copy(context: CopyContext) -> None:
    poll = Poll.objects.filter(edition=context.source).first()
    if poll is None:
        return
    new = Poll.objects.create(
        edition=context.target, status=PollStatus.DRAFT, **model_values(poll, exclude=NOT_COPIED)
    )
    Stratum.objects.bulk_create(
        Stratum(poll=new, **model_values(s, exclude=("poll",))) for s in poll.strata.all()
    )
    PollCandidate.objects.bulk_create(
        PollCandidate(poll=new, **model_values(c, exclude=("poll",))) for c in poll.candidates.all()
    )
    context.counts["poll"] = 1


HOOK = EditionCopyHook(name="surveys", preview=_preview, copy=_copy)
