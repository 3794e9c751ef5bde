"""Every write about an edition's programme after the awards (docs/programme.md): its
events (configuration, audited before -> after), the participants' obligations (a
transition table), registrations with a waiting list, attendance and visitor counts.
Nothing here knows about HTTP. Mail goes through workflow.outbox.mail_user."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from agencies.enums import Role
from agencies.models import Agency, User
from workflow.audit import audit_record, config_change_record, snapshot
from workflow.outbox import mail_user
from workflow.transitions import Transition, TransitionError, Workflow

from .enums import (
    REGISTRATION_KINDS,
    ObligationStatus,
    RegistrationStatus,
)
from .models import Obligation, ProgrammeEvent, Registration, VisitorCount

EVENT_FIELDS = [
    "kind",
    "name_zh",
    "name_en",
    "starts_at",
    "ends_at",
    "venue_zh",
    "venue_en",
    "capacity",
    "description_zh",
    "description_en",
    "is_published",
    "outside_reason",
]


# --- events ----------------------------------------------------------------------------


def edition_span(edition) -> tuple[datetime.date, datetime.date] | None:
    """The first and last day of the edition's stages (its dates), or None without stages."""
    span = edition.stages.aggregate(first=Min("starts_on"), last=Max("ends_on"))
    if span["first"] is None:
        return None
    return span["first"], span["last"]


def event_problems(edition, values: dict) -> dict[str, str]:
    """Field -> translated message for what is wrong with an event's values (empty: none).
    Shared by the form page and event_save, so the page says it beside the field."""
    problems: dict[str, str] = {}
    starts, ends = values.get("starts_at"), values.get("ends_at")
    if starts and ends and ends <= starts:
        problems["ends_at"] = _("An event cannot end before it starts.")
    span = edition_span(edition)
    if starts and ends and span and not (values.get("outside_reason") or "").strip():
        tz = edition.tzinfo
        first, last = span
        if starts.astimezone(tz).date() < first or ends.astimezone(tz).date() > last:
            problems["outside_reason"] = _(
                "The event lies outside the edition's dates (%(first)s to %(last)s): "
                "say why it is held then."
            ) % {"first": first.isoformat(), "last": last.isoformat()}
    return problems


@transaction.atomic
def event_save(*, edition, actor, values: dict, event: ProgrammeEvent | None = None):
    """Create or change an event of `edition`; audited before -> after under the edition."""
    problems = event_problems(edition, values)
    if problems:
        raise ValidationError(problems)
    values = {k: values.get(k) for k in EVENT_FIELDS}
    for key in ("name_en", "venue_en", "description_zh", "description_en", "outside_reason"):
        values[key] = (values[key] or "").strip()
    values["is_published"] = bool(values["is_published"])
    for key in ("starts_at", "ends_at"):  # kept in UTC, so that before -> after compares
        values[key] = values[key].astimezone(datetime.UTC)
    before = None
    if event is None:
        event = ProgrammeEvent(edition=edition, **values)
        event.save()
        action = "results.programme.event_created"
    else:
        event = ProgrammeEvent.objects.select_for_update().get(pk=event.pk)
        before = snapshot(event, EVENT_FIELDS)
        for key, value in values.items():
            setattr(event, key, value)
        event.save(update_fields=EVENT_FIELDS)
        action = "results.programme.event_changed"
    config_change_record(
        actor=actor,
        action=action,
        obj=event,
        edition_id=edition.pk,
        before=before,
        after=snapshot(event, EVENT_FIELDS),
    )
    return event


# --- obligations -----------------------------------------------------------------------


def _obligation_refusal(obligation, from_state, to_state) -> str:
    return _("The obligation is “%(from)s” and cannot become “%(to)s”.") % {
        "from": ObligationStatus(from_state).label,
        "to": ObligationStatus(to_state).label,
    }


# The agency confirms what it was asked to bring; the secretariat records whether it was
# delivered or missed (a missed one may then open a revocation of the winner's award).
OBLIGATION_WORKFLOW = Workflow(
    model=Obligation,
    states=ObligationStatus,
    field="status",
    initial=(ObligationStatus.ASKED,),
    refusal=_obligation_refusal,
    audit_action="results.obligation.transition",
    transitions=[
        Transition(
            "confirm",
            (ObligationStatus.ASKED,),
            ObligationStatus.CONFIRMED,
            _l("Confirm"),
            permission="results.confirm_obligation",
        ),
        Transition(
            "deliver",
            (ObligationStatus.ASKED, ObligationStatus.CONFIRMED, ObligationStatus.MISSED),
            ObligationStatus.DELIVERED,
            _l("Delivered"),
            permission="results.manage_programme",
        ),
        Transition(
            "miss",
            (ObligationStatus.ASKED, ObligationStatus.CONFIRMED, ObligationStatus.DELIVERED),
            ObligationStatus.MISSED,
            _l("Missed"),
            permission="results.manage_programme",
        ),
    ],
)


def obligation_transition(obligation: Obligation, to: str, *, actor, reason: str = ""):
    return OBLIGATION_WORKFLOW.apply(obligation, to, actor=actor, reason=reason)


def agency_editors(agency) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            role_assignments__role=Role.AGENCY_EDITOR,
            role_assignments__agency=agency,
        )
        .exclude(email="")
        .distinct()
        .order_by("email")
    )


def _winner_awards(edition):
    from .selectors import approved_version

    version = approved_version(edition)
    if version is None:
        return []
    return list(
        version.awards.filter(revoked_on__isnull=True, serial__isnull=False)
        .select_related("agency")
        .order_by("category__order", "order", "pk")
    )


@transaction.atomic
def obligations_ask(
    *,
    event: ProgrammeEvent,
    actor,
    kind: str,
    detail: str = "",
    agencies=(),
    all_winners: bool = False,
) -> list[Obligation]:
    """Ask every winner of the edition (its approved awards) and/or the given agencies to
    bring `kind` to the event, in one action. Who was already asked for that is left as
    it is. Each new obligation is audited and its agency's editors told by mail. Returns
    the new obligations."""
    event = ProgrammeEvent.objects.select_for_update().select_related("edition").get(pk=event.pk)
    wanted: dict[int, tuple[Agency, object]] = {}
    if all_winners:
        for award in _winner_awards(event.edition):
            wanted.setdefault(award.agency_id, (award.agency, award))
    for agency in agencies:
        wanted.setdefault(agency.pk, (agency, None))
    if not wanted:
        raise ValidationError({"agencies": _("Choose the agencies to ask, or ask all winners.")})
    asked = set(
        Obligation.objects.filter(event=event, kind=kind, agency_id__in=wanted).values_list(
            "agency_id", flat=True
        )
    )
    created = []
    for agency_id, (agency, award) in wanted.items():
        if agency_id in asked:
            continue
        obligation = Obligation.objects.create(
            event=event,
            agency=agency,
            award=award,
            kind=kind,
            detail=(detail or "").strip(),
            status=ObligationStatus.ASKED,
        )
        audit_record(
            actor=actor,
            action="results.obligation.asked",
            obj=obligation,
            to_state=ObligationStatus.ASKED,
            data={"event": event.pk, "agency": agency.code, "kind": kind},
        )
        for user in agency_editors(agency):
            mail_user(
                user,
                kind="programme_obligation_asked",
                subject_template="results/email/obligation_asked_subject.txt",
                body_template="results/email/obligation_asked.txt",
                context={"obligation": obligation, "event": event, "agency": agency},
                obj=obligation,
            )
        created.append(obligation)
    return created


# --- registration and attendance -------------------------------------------------------


def _registration_refusal(registration, from_state, to_state) -> str:
    return _("The registration is “%(from)s” and cannot become “%(to)s”.") % {
        "from": RegistrationStatus(from_state).label,
        "to": RegistrationStatus(to_state).label,
    }


REGISTRATION_WORKFLOW = Workflow(
    model=Registration,
    states=RegistrationStatus,
    field="status",
    initial=(RegistrationStatus.REGISTERED, RegistrationStatus.WAITING),
    refusal=_registration_refusal,
    audit_action="results.registration.transition",
    transitions=[
        Transition(
            "cancel",
            (RegistrationStatus.REGISTERED, RegistrationStatus.WAITING),
            RegistrationStatus.CANCELLED,
            _l("Cancel my registration"),
            permission="results.cancel_registration",
        ),
        # A place freed by a cancellation goes to the first on the waiting list (the system).
        Transition(
            "promote",
            (RegistrationStatus.WAITING,),
            RegistrationStatus.REGISTERED,
            _l("Given a place"),
        ),
    ],
)


def registration_problem(event: ProgrammeEvent, now=None) -> str | None:
    """Why nobody may register for the event now, or None."""
    now = now or timezone.now()
    if event.kind not in REGISTRATION_KINDS:
        return _("Registration is only for seminars and results presentations.")
    if not event.is_published:
        return _("This event is not published yet.")
    if event.ends_at <= now:
        return _("This event is over.")
    return None


def places_taken(event: ProgrammeEvent) -> int:
    return event.registrations.filter(status=RegistrationStatus.REGISTERED).count()


@transaction.atomic
def event_register(*, event: ProgrammeEvent, user) -> Registration:
    """Register `user` for the event: a place while there is one, else the waiting list
    (the caller says which from the returned status). Registering twice is refused."""
    event = ProgrammeEvent.objects.select_for_update().get(pk=event.pk)
    problem = registration_problem(event)
    if problem:
        raise ValidationError(problem, code="closed")
    live = (
        Registration.objects.filter(event=event, user=user)
        .exclude(status=RegistrationStatus.CANCELLED)
        .first()
    )
    if live is not None:
        if live.status == RegistrationStatus.WAITING:
            raise ValidationError(
                _("You are already on the waiting list of this event."), code="twice"
            )
        raise ValidationError(_("You are already registered for this event."), code="twice")
    full = event.capacity is not None and places_taken(event) >= event.capacity
    if full:
        registration = Registration.objects.create(
            event=event, user=user, status=RegistrationStatus.WAITING
        )
    else:
        registration = Registration.objects.create(
            event=event, user=user, status=RegistrationStatus.REGISTERED
        )
    audit_record(
        actor=user,
        action="results.registration.created",
        obj=registration,
        to_state=registration.status,
        data={"event": event.pk},
    )
    return registration


@transaction.atomic
def registration_cancel(*, registration: Registration, actor) -> Registration | None:
    """Cancel a registration; a freed place goes to the first on the waiting list, who is
    told by mail. Returns the promoted registration, if any."""
    event = ProgrammeEvent.objects.select_for_update().get(pk=registration.event_id)
    locked = Registration.objects.select_for_update().get(pk=registration.pk)
    had_place = locked.status == RegistrationStatus.REGISTERED
    REGISTRATION_WORKFLOW.apply(
        registration, RegistrationStatus.CANCELLED, actor=actor, locked=locked
    )
    if not had_place:
        return None
    if event.capacity is not None and places_taken(event) >= event.capacity:
        return None
    first = (
        Registration.objects.select_for_update()
        .filter(event=event, status=RegistrationStatus.WAITING)
        .select_related("user")
        .order_by("created_at", "pk")
        .first()
    )
    if first is None:
        return None
    REGISTRATION_WORKFLOW.apply(first, RegistrationStatus.REGISTERED, actor=None, locked=first)
    mail_user(
        first.user,
        kind="programme_place_given",
        subject_template="results/email/place_given_subject.txt",
        body_template="results/email/place_given.txt",
        context={"event": event},
        obj=first,
    )
    return first


@transaction.atomic
def attendance_record(*, event: ProgrammeEvent, actor, attended_ids) -> int:
    """Record who of the registered came (the others: did not). Returns how many changed."""
    attended_ids = {int(i) for i in attended_ids}
    changed = 0
    rows = Registration.objects.select_for_update().filter(
        event=event, status=RegistrationStatus.REGISTERED
    )
    for registration in rows:
        came = registration.pk in attended_ids
        if registration.attended is came:
            continue
        before = registration.attended
        registration.attended = came
        registration.save(update_fields=["attended"])
        config_change_record(
            actor=actor,
            action="results.registration.attendance",
            obj=registration,
            edition_id=event.edition_id,
            before={"attended": before},
            after={"attended": came},
        )
        changed += 1
    return changed


@transaction.atomic
def visitors_record(*, event: ProgrammeEvent, actor, day, visitors: int) -> VisitorCount:
    """The visitors of one day of the event (or its total, day None)."""
    if day is not None:
        tz = event.edition.tzinfo
        first, last = event.starts_at.astimezone(tz).date(), event.ends_at.astimezone(tz).date()
        if not first <= day <= last:
            raise ValidationError(
                {
                    "day": _("The event runs from %(first)s to %(last)s.")
                    % {"first": first.isoformat(), "last": last.isoformat()}
                }
            )
    count = VisitorCount.objects.select_for_update().filter(event=event, day=day).first()
    before = None if count is None else {"visitors": count.visitors}
    if count is None:
        count = VisitorCount.objects.create(event=event, day=day, visitors=visitors)
    else:
        count.visitors = visitors
        count.save(update_fields=["visitors"])
    config_change_record(
        actor=actor,
        action="results.programme.visitors",
        obj=count,
        edition_id=event.edition_id,
        before=before,
        after={"visitors": visitors},
    )
    return count


__all__ = [
    "OBLIGATION_WORKFLOW",
    "REGISTRATION_WORKFLOW",
    "TransitionError",
    "attendance_record",
    "event_problems",
    "event_register",
    "event_save",
    "obligation_transition",
    "obligations_ask",
    "registration_cancel",
    "registration_problem",
    "visitors_record",
]
