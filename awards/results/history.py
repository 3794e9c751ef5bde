"""History statistics of a scheme: each edition's participants, finalists, winners and
award rate. Past editions use the counts recorded on the edition (from the scheme's own
reports); editions run in this system are counted from their data:

- participants: nominations submitted at least once and not withdrawn;
- finalists: nominations shortlisted (state 'finalist');
- winners: agencies with an award in the edition's public version (selectors.public_version),
  counted as published: an award revoked later still counts as won, and the awards
  revoked since are counted in their own column (`revoked`).

A demonstration edition (Edition.is_demo: invented data, loaded by the demo) is listed,
labelled, and left out of the totals.

An edition counted from this system's data is shown only once its results are
published: until then even its participant and finalist counts are not public (who
took part and who was shortlisted can be read from them while the results are under
embargo). `History.unpublished` counts the editions left out, so the page can say so.

Recorded counts win when an edition has them, so a history imported from reports is
shown as reported; recorded editions are past ones, published by definition."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q

from awards.enums import NominationState
from awards.models import Edition

from .models import Award, ResultVersion
from .selectors import public_version_ids


@dataclass
class HistoryRow:
    edition: Edition
    participants: int | None
    finalists: int | None
    winners: int | None
    recorded: bool
    revoked: int | None = None  # awards of the published results revoked since

    @property
    def is_demo(self) -> bool:
        return bool(self.edition is not None and self.edition.is_demo)

    @property
    def rate(self) -> float | None:
        if not self.participants or self.winners is None:
            return None
        return self.winners / self.participants


@dataclass
class History:
    scheme: object
    rows: list[HistoryRow] = field(default_factory=list)
    unpublished: int = 0  # editions with data whose results are not yet published

    def _total(self, rows) -> HistoryRow | None:
        rows = [
            r
            for r in rows
            if None not in (r.participants, r.finalists, r.winners) and not r.is_demo
        ]
        if not rows:
            return None
        return HistoryRow(
            edition=None,
            participants=sum(r.participants for r in rows),
            finalists=sum(r.finalists for r in rows),
            winners=sum(r.winners for r in rows),
            recorded=all(r.recorded for r in rows),
            revoked=None
            if all(r.revoked is None for r in rows)
            else sum(r.revoked or 0 for r in rows),
        )

    @property
    def demo_rows(self) -> list[HistoryRow]:
        return [r for r in self.rows if r.is_demo]

    @property
    def recorded_rows(self) -> list[HistoryRow]:
        return [r for r in self.rows if r.recorded]

    @property
    def recorded_total(self) -> HistoryRow | None:
        """The total of the editions with recorded counts (e.g. TW 1st–7th)."""
        return self._total(self.recorded_rows)

    @property
    def total(self) -> HistoryRow | None:
        """The total of every edition with all three figures, demonstrations left out."""
        return self._total(self.rows)


def scheme_history(scheme, now=None) -> History:
    """Three queries whatever the number of editions."""
    # The public version of each edition (a published one stays public until its
    # successor's publication time).
    public = public_version_ids(now, edition__scheme=scheme)
    editions = list(
        Edition.objects.filter(scheme=scheme)
        .annotate(
            n_participants=Count(
                "nominations",
                filter=Q(nominations__submitted_at__isnull=False)
                & ~Q(nominations__state=NominationState.WITHDRAWN),
            ),
            n_finalists=Count("nominations", filter=Q(nominations__state=NominationState.FINALIST)),
            published=Exists(ResultVersion.objects.filter(edition=OuterRef("pk"), pk__in=public)),
        )
        .order_by("number")
    )
    counted = {
        edition_id: (n, revoked)
        for edition_id, n, revoked in Award.objects.filter(version__in=public)
        .values_list("version__edition_id")
        .annotate(
            n=Count("agency_id", distinct=True),
            revoked=Count("pk", filter=Q(revoked_on__isnull=False)),
        )
        .values_list("version__edition_id", "n", "revoked")
        .order_by()
    }
    history = History(scheme=scheme)
    for e in editions:
        if e.recorded_participants is not None:
            history.rows.append(
                HistoryRow(
                    edition=e,
                    participants=e.recorded_participants,
                    finalists=e.recorded_finalists,
                    winners=e.recorded_winners,
                    recorded=True,
                )
            )
        elif e.n_participants and not e.published:
            history.unpublished += 1
        elif e.n_participants:
            history.rows.append(
                HistoryRow(
                    edition=e,
                    participants=e.n_participants,
                    finalists=e.n_finalists,
                    winners=counted.get(e.pk, (0, 0))[0],
                    recorded=False,
                    revoked=counted.get(e.pk, (0, 0))[1],
                )
            )
    return history
