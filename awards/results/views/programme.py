"""The programme after the awards (docs/programme.md).

- cycle/results/editions/<id>/programme/ (secretariat): the edition's events, a new one;
- cycle/results/programme/<id>/ (secretariat): an event with its participants'
  obligations (ask winners or agencies; delivered / missed), registrations and
  attendance, visitor counts; its edit form;
- cycle/results/my-programme/ (civil servants): the obligations of their agencies (to
  confirm), the seminars and results presentations open for registration, their own
  registrations (to cancel);
- results/<scheme>/<number>/programme/ (no login) and programme.ics, and
  programme/<agency code>.ics: the published events of a published edition (404
  otherwise: the same "published" as the public results pages).
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.models import Agency
from agencies.permissions import require_perm, user_may
from awards.models import Edition
from workflow.site import site_url_or_request
from workflow.zones import zone_label

from .. import programme_selectors as selectors
from .. import programme_services as services
from ..enums import REGISTRATION_KINDS, VISITOR_KINDS, RegistrationStatus
from ..models import Obligation, ProgrammeEvent, Registration
from ..programme_forms import AskForm, EventForm, VisitorsForm


def _load_edition(request, edition_pk, **kwargs):
    return get_object_or_404(Edition.objects.select_related("scheme"), pk=edition_pk)


def _load_event(request, event_pk, **kwargs):
    return get_object_or_404(ProgrammeEvent.objects.select_related("edition__scheme"), pk=event_pk)


def _load_obligation(request, obligation_pk, **kwargs):
    return get_object_or_404(
        Obligation.objects.select_related("event__edition__scheme", "agency", "award"),
        pk=obligation_pk,
    )


def _load_registration(request, registration_pk, **kwargs):
    return get_object_or_404(
        Registration.objects.select_related("event__edition__scheme"), pk=registration_pk
    )


def _local(event, moment):
    return timezone.localtime(moment, event.edition.tzinfo)


def _with_local_times(events, edition=None):
    for event in events:
        tz = (edition or event.edition).tzinfo
        event.local_start = timezone.localtime(event.starts_at, tz)
        event.local_end = timezone.localtime(event.ends_at, tz)
    return events


# --- the secretariat: events ------------------------------------------------------------


@require_perm("results.manage_programme", _load_edition)
def programme(request, edition_pk, obj):
    events = _with_local_times(list(selectors.events_of(obj)), obj)
    return render(
        request,
        "results/programme/list.html",
        {
            "edition": obj,
            "events": events,
            "zone": zone_label(obj.time_zone),
            "span": services.edition_span(obj),
            "public": selectors.edition_is_public(obj),
        },
    )


def _event_form_page(request, edition, event=None):
    initial = EventForm.initial_for(event) if event else {}
    form = EventForm(request.POST or None, edition=edition, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                saved = services.event_save(
                    edition=edition, actor=request.user, values=form.cleaned_data, event=event
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The event “%(name)s” was saved.") % {"name": saved})
                return redirect("results:programme_event", event_pk=saved.pk)
    return render(
        request,
        "results/programme/event_form.html",
        {
            "edition": edition,
            "event": event,
            "form": form,
            "zone": zone_label(edition.time_zone),
            "span": services.edition_span(edition),
        },
        status=status,
    )


@require_perm("results.manage_programme", _load_edition)
def event_new(request, edition_pk, obj):
    return _event_form_page(request, obj)


@require_perm("results.manage_programme", _load_event)
def event_edit(request, event_pk, obj):
    return _event_form_page(request, obj.edition, obj)


def _event_page(request, event, *, ask_form=None, visitors_form=None, status=200):
    obligations = list(selectors.event_obligations(event))
    registrations = list(selectors.event_registrations(event))
    for o in obligations:
        o.actions = services.OBLIGATION_WORKFLOW.actions(o, request.user, names=["deliver", "miss"])
    event.local_start = _local(event, event.starts_at)
    event.local_end = _local(event, event.ends_at)
    return render(
        request,
        "results/programme/event.html",
        {
            "edition": event.edition,
            "event": event,
            "obligations": obligations,
            "registered": [r for r in registrations if r.status == RegistrationStatus.REGISTERED],
            "waiting": [r for r in registrations if r.status == RegistrationStatus.WAITING],
            "takes_registration": event.kind in REGISTRATION_KINDS,
            "counts_visitors": event.kind in VISITOR_KINDS,
            "visitor_counts": list(event.visitor_counts.all()),
            "visitors_total": selectors.visitors_total(event),
            "ask_form": ask_form or AskForm(edition=event.edition),
            "visitors_form": visitors_form or VisitorsForm(),
            "zone": zone_label(event.edition.time_zone),
        },
        status=status,
    )


@require_perm("results.manage_programme", _load_event)
def event_detail(request, event_pk, obj):
    return _event_page(request, obj)


@require_POST
@require_perm("results.manage_programme", _load_event)
def event_ask(request, event_pk, obj):
    form = AskForm(request.POST, edition=obj.edition)
    if form.is_valid():
        try:
            created = services.obligations_ask(
                event=obj,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                detail=form.cleaned_data["detail"],
                agencies=form.cleaned_data["agencies"],
                all_winners=form.cleaned_data["all_winners"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(n)d agencies were asked and told by mail.") % {"n": len(created)}
                if len(created) != 1
                else _("1 agency was asked and told by mail."),
            )
            return redirect("results:programme_event", event_pk=obj.pk)
    return _event_page(request, obj, ask_form=form, status=400)


@require_POST
@require_perm("results.manage_programme", _load_event)
def event_attendance(request, event_pk, obj):
    ids = [i for i in request.POST.getlist("attended") if i.isdigit()]
    changed = services.attendance_record(event=obj, actor=request.user, attended_ids=ids)
    messages.success(request, _("Attendance recorded (%(n)d changed).") % {"n": changed})
    return redirect("results:programme_event", event_pk=obj.pk)


@require_POST
@require_perm("results.manage_programme", _load_event)
def event_visitors(request, event_pk, obj):
    form = VisitorsForm(request.POST)
    if form.is_valid():
        try:
            services.visitors_record(
                event=obj,
                actor=request.user,
                day=form.cleaned_data["day"],
                visitors=form.cleaned_data["visitors"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The visitor count was saved."))
            return redirect("results:programme_event", event_pk=obj.pk)
    return _event_page(request, obj, visitors_form=form, status=400)


# --- obligations: the agency confirms, the secretariat records --------------------------

OBLIGATION_TARGETS = {
    "confirm": "confirmed",
    "deliver": "delivered",
    "miss": "missed",
}


def _may_see_obligation(user, obligation) -> bool:
    return user_may(user, "results.manage_programme") or user_may(
        user, "results.confirm_obligation", obligation
    )


@require_POST
def obligation_action(request, obligation_pk, action):
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    obligation = _load_obligation(request, obligation_pk)
    if action not in OBLIGATION_TARGETS or not _may_see_obligation(request.user, obligation):
        raise Http404
    transition = services.OBLIGATION_WORKFLOW.by_name(action)[0]
    if not user_may(request.user, transition.permission, obligation):
        raise Http404
    back = (
        reverse("results:programme_event", args=[obligation.event_id])
        if user_may(request.user, "results.manage_programme")
        else reverse("results:my_programme")
    )
    try:
        services.obligation_transition(obligation, OBLIGATION_TARGETS[action], actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    messages.success(
        request,
        _("%(agency)s: %(what)s is now “%(status)s”.")
        % {
            "agency": obligation.agency.name,
            "what": obligation.get_kind_display(),
            "status": obligation.get_status_display(),
        },
    )
    return redirect(back)


# --- civil servants: my programme -------------------------------------------------------


def _my_programme_page(request, *, errors=None, status=200):
    user = request.user
    obligations = list(selectors.obligations_for_user(user))
    for o in obligations:
        o.actions = services.OBLIGATION_WORKFLOW.actions(o, user, names=["confirm"])
    _with_local_times([o.event for o in obligations])
    registrations = list(selectors.registrations_of(user))
    mine = {r.event_id: r for r in registrations}
    positions = selectors.waiting_positions(registrations)
    for r in registrations:
        r.position = positions.get(r.pk)
    _with_local_times([r.event for r in registrations])
    events = _with_local_times(list(selectors.events_open_for_registration()))
    for event in events:
        event.mine = mine.get(event.pk)
        event.places_left = (
            None if event.capacity is None else max(event.capacity - event.n_registered, 0)
        )
    return render(
        request,
        "results/programme/my_programme.html",
        {
            "obligations": obligations,
            "registrations": registrations,
            "events": events,
            "errors": errors or {},
        },
        status=status,
    )


@require_perm("results.view_my_programme")
def my_programme(request):
    return _my_programme_page(request)


@require_POST
@require_perm("results.register_for_events", _load_event)
def event_register(request, event_pk, obj):
    if obj.kind not in REGISTRATION_KINDS or not obj.is_published:
        raise Http404
    try:
        registration = services.event_register(event=obj, user=request.user)
    except ValidationError as error:
        return _my_programme_page(request, errors={obj.pk: " ".join(error.messages)}, status=400)
    if registration.status == RegistrationStatus.WAITING:
        messages.warning(
            request,
            _(
                "“%(event)s” is full: you are on its waiting list (number %(n)d). You will be "
                "told by mail if a place becomes free."
            )
            % {"event": obj.name, "n": selectors.waiting_position(registration)},
        )
    else:
        messages.success(request, _("You are registered for “%(event)s”.") % {"event": obj.name})
    return redirect("results:my_programme")


@require_POST
@require_perm("results.cancel_registration", _load_registration)
def registration_cancel(request, registration_pk, obj):
    try:
        services.registration_cancel(registration=obj, actor=request.user)
    except ValidationError as error:
        return _my_programme_page(
            request, errors={obj.event_id: " ".join(error.messages)}, status=400
        )
    messages.success(request, _("Your registration was cancelled."))
    return redirect("results:my_programme")


# --- public: the programme page and the calendar feeds ----------------------------------


def _public_edition(scheme_code, number) -> Edition:
    edition = get_object_or_404(
        Edition.objects.select_related("scheme"), scheme__code=scheme_code, number=number
    )
    if not selectors.edition_is_public(edition):
        raise Http404
    return edition


def public_programme(request, scheme_code, number):
    edition = _public_edition(scheme_code, number)
    events = _with_local_times(list(selectors.public_events(edition)), edition)
    return render(
        request,
        "results/public/programme.html",
        {
            "scheme": edition.scheme,
            "edition": edition,
            "events": events,
            "zone": zone_label(edition.time_zone),
        },
    )


def _calendar(request, edition, events, name: str) -> HttpResponse:
    import icalendar

    site = site_url_or_request(request)
    host = site.split("://", 1)[-1].split("/", 1)[0] or "localhost"
    cal = icalendar.Calendar()
    cal.add("prodid", "-//award-cycle//programme//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", edition.time_zone)
    stamp = timezone.now().astimezone(datetime.UTC)
    page = site + reverse("results:public_programme", args=[edition.scheme.code, edition.number])
    for event in events:
        item = icalendar.Event()
        item.add("uid", f"programme-event-{event.pk}@{host}")
        item.add("dtstamp", stamp)
        item.add("dtstart", event.starts_at.astimezone(datetime.UTC))
        item.add("dtend", event.ends_at.astimezone(datetime.UTC))
        item.add("summary", event.name)
        item.add("categories", [str(event.get_kind_display())])
        item.add("location", event.venue)
        if event.description:
            item.add("description", event.description)
        item.add("url", page)
        cal.add_component(item)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="programme.ics"'
    return response


def programme_ics(request, scheme_code, number):
    edition = _public_edition(scheme_code, number)
    name = f"{edition.scheme.name} · {edition.name}"
    return _calendar(request, edition, selectors.public_events(edition), name)


def agency_ics(request, scheme_code, number, agency_code):
    edition = _public_edition(scheme_code, number)
    agency = get_object_or_404(Agency, code=agency_code)
    name = f"{edition.name} · {agency.name}"
    return _calendar(request, edition, selectors.public_agency_events(edition, agency), name)


urlpatterns = [
    path("cycle/results/editions/<int:edition_pk>/programme/", programme, name="programme_events"),
    path(
        "cycle/results/editions/<int:edition_pk>/programme/new/",
        event_new,
        name="programme_event_new",
    ),
    path("cycle/results/programme/<int:event_pk>/", event_detail, name="programme_event"),
    path("cycle/results/programme/<int:event_pk>/edit/", event_edit, name="programme_event_edit"),
    path("cycle/results/programme/<int:event_pk>/ask/", event_ask, name="programme_ask"),
    path(
        "cycle/results/programme/<int:event_pk>/attendance/",
        event_attendance,
        name="programme_attendance",
    ),
    path(
        "cycle/results/programme/<int:event_pk>/visitors/",
        event_visitors,
        name="programme_visitors",
    ),
    path(
        "cycle/results/programme/<int:event_pk>/register/",
        event_register,
        name="programme_register",
    ),
    path(
        "cycle/results/obligations/<int:obligation_pk>/<slug:action>/",
        obligation_action,
        name="obligation_action",
    ),
    path(
        "cycle/results/registrations/<int:registration_pk>/cancel/",
        registration_cancel,
        name="registration_cancel",
    ),
    path("cycle/results/my-programme/", my_programme, name="my_programme"),
    path(
        "results/<slug:scheme_code>/<int:number>/programme/",
        public_programme,
        name="public_programme",
    ),
    path(
        "results/<slug:scheme_code>/<int:number>/programme.ics",
        programme_ics,
        name="programme_ics",
    ),
    path(
        "results/<slug:scheme_code>/<int:number>/programme/<str:agency_code>.ics",
        agency_ics,
        name="agency_ics",
    ),
]
