"""Every non-trivial read of the telephone poll."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from agencies.rules import is_poll_interviewer, is_secretariat
from workflow import jobs
from workflow.models import ACTIVE_JOB_STATUSES, JobStatus

from .enums import Disposition, PollStatus
from .models import CallAttempt, Household, Poll, PollTallyRun, Response
from .rules import visible_polls_filter


def polls_for_user(user) -> QuerySet[Poll]:
    """The polls the user may see (the rule of surveys.see_poll, as a filter)."""
    qs = Poll.objects.select_related("edition__scheme").order_by("-edition__number", "pk")
    visible = visible_polls_filter(user)
    return qs if visible is None else qs.filter(visible)


def households_due(poll: Poll, now=None) -> int:
    from .services import MAX_ATTEMPTS

    now = now or timezone.now()
    return (
        Household.objects.filter(poll=poll)
        .filter(
            Q(disposition="")
            | Q(
                disposition__in=[Disposition.CALLBACK, Disposition.NON_CONTACT],
                callback_at__lte=now,
                attempts__lt=MAX_ATTEMPTS,
            )
        )
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lte=now))
        .count()
    )


def calls_of_interviewer(poll: Poll, user) -> QuerySet[CallAttempt]:
    return (
        CallAttempt.objects.filter(household__poll=poll, interviewer=user)
        .select_related("household__stratum", "household__response__candidate__agency")
        .order_by("-at", "-id")
    )


def fieldwork_progress(poll: Poll) -> dict:
    """Completes against the target, by stratum and by disposition: two GROUP BY queries
    and one for the strata, however many households there are."""
    strata = list(poll.strata.order_by("order", "code"))
    cells = (
        Household.objects.filter(poll=poll)
        .values("stratum_id", "disposition")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_stratum = {s.pk: {"stratum": s, "households": 0, "dispositions": {}} for s in strata}
    by_stratum[None] = {"stratum": None, "households": 0, "dispositions": {}}
    dispositions = {d.value: 0 for d in Disposition}
    dispositions[""] = 0
    for row in cells:
        entry = by_stratum.setdefault(
            row["stratum_id"], {"stratum": None, "households": 0, "dispositions": {}}
        )
        entry["households"] += row["n"]
        entry["dispositions"][row["disposition"]] = (
            entry["dispositions"].get(row["disposition"], 0) + row["n"]
        )
        dispositions[row["disposition"]] = dispositions.get(row["disposition"], 0) + row["n"]
    rows = []
    target = poll.target_sample_size
    for key, entry in by_stratum.items():
        if key is None and not entry["households"]:
            continue
        completes = entry["dispositions"].get(Disposition.COMPLETE, 0)
        stratum = entry["stratum"]
        stratum_target = round(target * float(stratum.population_share)) if stratum else None
        rows.append(
            {
                "stratum": stratum,
                "households": entry["households"],
                "completes": completes,
                "target": stratum_target,
                "percent": round(100 * completes / stratum_target) if stratum_target else None,
                "not_called": entry["dispositions"].get("", 0),
            }
        )
    completes = dispositions.get(Disposition.COMPLETE, 0)
    return {
        "target": target,
        "completes": completes,
        "percent": min(100, round(100 * completes / target)) if target else 0,
        "households": sum(dispositions.values()),
        "strata": rows,
        "dispositions": [
            {"code": d.value, "label": d.label, "count": dispositions.get(d.value, 0)}
            for d in Disposition
        ],
        "not_called": dispositions.get("", 0),
    }


def suggestions(poll: Poll, query: str = "") -> QuerySet[Response]:
    qs = (
        Response.objects.filter(poll=poll)
        .exclude(suggestion="")
        .select_related("candidate__agency", "household")
        .order_by("candidate__order", "candidate__agency__code", "id")
    )
    if query:
        qs = qs.filter(
            Q(suggestion__icontains=query)
            | Q(candidate__agency__name_zh__icontains=query)
            | Q(candidate__agency__name_en__icontains=query)
            | Q(candidate__agency__code__iexact=query)
        )
    return qs


def tally_runs(poll: Poll) -> QuerySet[PollTallyRun]:
    return PollTallyRun.objects.filter(poll=poll).select_related("requested_by", "job")


def active_run(poll: Poll) -> PollTallyRun | None:
    run = tally_runs(poll).filter(job__status__in=ACTIVE_JOB_STATUSES).first()
    if run is not None:
        jobs.notice_stale([run.job])
    return run if run is not None and run.is_active else None


def tally_health(run: PollTallyRun, tz, now=None) -> dict:
    """Whether an active run still shows signs of life. A run is stalled once it has been
    silent longer than its heartbeat interval; `since` is its last sign of life in the
    edition's local time. For a failed run, `failure` is why (see services._failure)
    with its time in local time."""
    from . import services  # the intervals are the tally's own settings

    now = now or timezone.now()
    out = {"stalled": False, "heartbeat": services.heartbeat_seconds(), "failure": None}
    out["stale"] = services.stale_seconds()
    if run.is_active:
        beat = run.heartbeat_at or run.requested_at
        if beat is not None:
            silent = (now - beat).total_seconds()
            out.update(
                stalled=silent > out["heartbeat"],
                since=timezone.localtime(beat, tz),
                silent=int(silent),
            )
    failure = (run.inputs or {}).get("failure")
    if run.status in (JobStatus.FAILED, JobStatus.STALE) and failure:
        at = failure.get("at")
        out["failure"] = {
            **failure,
            "at": timezone.localtime(datetime.datetime.fromisoformat(at), tz) if at else None,
        }
    return out


def latest_done_run(poll: Poll) -> PollTallyRun | None:
    return tally_runs(poll).filter(job__status=JobStatus.DONE).first()


def result_rows(results: dict, lang: str) -> list[dict]:
    """Rows of a tally's results with the display name in the current language."""
    english = (lang or "").startswith("en")
    rows = []
    for row in results.get("rows", []):
        name = (row["name_en"] or row["name_zh"]) if english else (row["name_zh"] or row["name_en"])
        est = row["estimate"]
        m = row["moe"]
        rows.append(
            {
                **row,
                "name": name,
                "estimate_pct": None if est is None else round(100 * est, 1),
                "share_pct": None if row["share"] is None else round(100 * row["share"], 1),
                "moe_pct": None if m is None else round(100 * m, 1),
                "low_pct": None if est is None else round(100 * max(est - m, 0), 1),
                "high_pct": None if est is None else round(100 * min(est + m, 1), 1),
            }
        )
    return rows


def chart(rows: list[dict], width: int = 760, bar_height: int = 22, gap: int = 8) -> dict:
    """Geometry of a horizontal bar chart with 95 % error bars, drawn as inline SVG."""
    label_w, right_pad = 290, 60
    plot_w = width - label_w - right_pad
    top = 24
    shown = [r for r in rows if r["estimate_pct"] is not None]
    max_pct = max([r["high_pct"] for r in shown] + [1.0])
    # a round scale: 5, 10, 20, 25, 50 or 100 per cent
    scale = next(s for s in (5, 10, 15, 20, 25, 30, 40, 50, 60, 80, 100) if s >= max_pct)
    step = 5 if scale <= 30 else 10 if scale <= 60 else 20

    def x(pct):
        return round(label_w + plot_w * pct / scale, 1)

    bars = []
    for i, r in enumerate(shown):
        y = top + i * (bar_height + gap)
        mid = y + bar_height / 2
        bars.append(
            {
                **r,
                "y": y,
                "text_y": round(mid + 5, 1),
                "mid": mid,
                "x0": label_w,
                "w": round(x(r["estimate_pct"]) - label_w, 1),
                "lo": x(r["low_pct"]),
                "hi": x(r["high_pct"]),
                "cap_top": y + 4,
                "cap_bottom": y + bar_height - 4,
                "value_x": x(r["high_pct"]) + 6,
            }
        )
    height = top + len(shown) * (bar_height + gap) + 16
    ticks = [{"pct": p, "x": x(p)} for p in range(0, scale + 1, step)]
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "ticks": ticks,
        "axis_top": top - 6,
        "axis_bottom": height - 14,
        "label_x": label_w - 8,
    }


def dashboard_context(user) -> dict:
    """What the dashboard shows of the poll: for interviewers, polls in fieldwork with
    the households due and their own calls today; for the secretariat, each poll's
    completes against the target and its latest tally."""
    context = {"poll_interviewer_polls": [], "poll_secretariat_polls": []}
    if not user.is_authenticated:
        return context
    now = timezone.now()
    if is_poll_interviewer(user):
        for poll in Poll.objects.filter(status=PollStatus.FIELDWORK).select_related("edition"):
            start = timezone.localtime(now, poll.edition.tzinfo).replace(
                hour=0, minute=0, second=0, microsecond=0
            )
            context["poll_interviewer_polls"].append(
                {
                    "poll": poll,
                    "due": households_due(poll, now),
                    "my_calls_today": CallAttempt.objects.filter(
                        household__poll=poll, interviewer=user, at__gte=start
                    ).count(),
                }
            )
    if is_secretariat(user):
        polls = Poll.objects.select_related("edition").annotate(
            completes=Count("responses", filter=Q(responses__disposition=Disposition.COMPLETE))
        )
        for poll in polls:
            context["poll_secretariat_polls"].append(
                {
                    "poll": poll,
                    "completes": poll.completes,
                    "percent": min(100, round(100 * poll.completes / poll.target_sample_size))
                    if poll.target_sample_size
                    else 0,
                    "latest_run": tally_runs(poll).first(),
                }
            )
    return context
