"""Views for agency editors: start, write, attach, preview, submit, withdraw.

Every view declares its permission with require_perm; the object is the nomination,
loaded with everything its page shows (selectors.nomination_for_dossier). Writes go
through awards.services; a NominationError is shown to the user and changes nothing."""

from __future__ import annotations

from collections import defaultdict
from types import SimpleNamespace

from django.contrib import messages
from django.db.models import OuterRef, Subquery
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from agencies.enums import Role
from agencies.models import localized
from agencies.numbers import parse_int
from agencies.permissions import require_perm, user_may
from agencies.rules import is_secretariat
from agencies.selectors import user_agency_paths
from workflow.selectors import about, message_log

from . import selectors, services, textformat
from .enums import NominationState as S
from .filetypes import CONTENT_TYPES, LABELS
from .forms import ACCEPT, AttachmentForm, NominationStartForm, SectionForm, WithdrawForm
from .models import Attachment, Category, DossierSection, Nomination

# --- loading -----------------------------------------------------------------------------


def _load_nomination(request, pk, **kwargs):
    try:
        return selectors.nomination_for_dossier(pk)
    except Nomination.DoesNotExist as exc:
        raise Http404 from exc


def _section_of(nomination, section_pk):
    for section in nomination.sections.all():
        if section.pk == section_pk:
            return section
    raise Http404


def _dossier_url(nomination, anchor=""):
    url = reverse("awards:dossier", args=[nomination.pk])
    return f"{url}#{anchor}" if anchor else url


def _local(edition, moment):
    return timezone.localtime(moment, edition.tzinfo) if moment else None


# --- list and start ----------------------------------------------------------------------


def _open_editions(user, user_nominations):
    """Editions open for nomination today, each with its categories (rubric totals) and
    the user's agencies' live nominations in each category."""
    open_now = selectors.editions_open_for_nomination()
    editions = [edition for edition, _stage in open_now]
    categories = (
        Category.objects.filter(edition__in=editions)
        .select_related("rubric")
        .order_by("order", "code")
    )
    by_edition = defaultdict(list)
    for category in categories:
        by_edition[category.edition_id].append(category)
    started = defaultdict(list)
    for nomination in user_nominations:
        if nomination.state != S.WITHDRAWN:
            started[nomination.category_id].append(nomination)
    several_agencies = len(user_agency_paths(user, Role.AGENCY_EDITOR)) > 1
    rows = []
    for edition, stage in sorted(open_now, key=lambda pair: (pair[1].ends_on, pair[0].pk)):
        rows.append(
            {
                "edition": edition,
                "stage": stage,
                "categories": [
                    {
                        "category": category,
                        "rubric_total": getattr(
                            getattr(category, "rubric", None), "total_points", None
                        ),
                        "started": started.get(category.pk, []),
                        "can_start": several_agencies
                        or services.may_start_another(category, len(started.get(category.pk, []))),
                    }
                    for category in by_edition.get(edition.pk, [])
                ],
            }
        )
    return rows


def _last_saved():
    return Subquery(
        DossierSection.objects.filter(nomination=OuterRef("pk"), updated_at__isnull=False)
        .order_by("-updated_at")
        .values("updated_at")[:1]
    )


@require_perm("awards.start_nomination")
def nomination_list(request):
    nominations = list(
        selectors.nominations_for_editor(request.user).annotate(last_saved=_last_saved())
    )
    rows = []
    for nomination in nominations:
        edition = nomination.edition
        deadline = services.dossier_deadline(nomination)
        today = selectors.edition_today(edition)
        rows.append(
            {
                "nomination": nomination,
                "deadline": deadline,
                "days_left": (deadline - today).days if deadline else None,
                "editable": nomination.state in services.EDITABLE_STATES,
                "last_saved": _local(edition, nomination.last_saved),
            }
        )
    return render(
        request,
        "awards/nominations/list.html",
        {"rows": rows, "open_editions": _open_editions(request.user, nominations)},
    )


@require_perm("awards.start_nomination")
def nomination_start(request):
    nominations = list(selectors.nominations_for_editor(request.user))
    open_editions = _open_editions(request.user, nominations)
    category_ids = [c["category"].pk for row in open_editions for c in row["categories"]]
    form_kwargs = {"user": request.user, "category_ids": category_ids}
    if request.method == "POST":
        form = NominationStartForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                nomination = services.nomination_start(
                    actor=request.user,
                    agency=form.cleaned_data["agency"],
                    category=form.cleaned_data["category"],
                    title=form.cleaned_data["title"],
                )
            except services.NominationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                if nomination.takes_nominee:
                    messages.success(
                        request,
                        _(
                            "Dossier started. First give the details of the officer or team you "
                            "nominate; then write each section."
                        ),
                    )
                    return redirect("awards:nominee", pk=nomination.pk)
                messages.success(
                    request,
                    _("Dossier started. Write each section; your text is saved as you type."),
                )
                return redirect(_dossier_url(nomination))
        status = 400
    else:
        initial = {}
        category_pk = parse_int(request.GET.get("category"))
        if category_pk is not None:
            initial["category"] = category_pk
        form = NominationStartForm(initial=initial, **form_kwargs)
        status = 200
    return render(
        request,
        "awards/nominations/start.html",
        {
            "form": form,
            "open_editions": open_editions,
            "selected": str(form["category"].value() or ""),
        },
        status=status,
    )


# --- the dossier page ---------------------------------------------------------------------

STATE_REASON_LABELS = {
    S.RETURNED: gettext_lazy("Returned by the competent authority: %(reason)s"),
    S.INELIGIBLE: gettext_lazy("Found ineligible by the secretariat: %(reason)s"),
    S.WITHDRAWN: gettext_lazy("Withdrawn: %(reason)s"),
}


def _state_reason(nomination, user):
    """The note on the last change as this user may read it: the agency's side reads only
    a note marked for the agency; the secretariat also reads an internal one, labelled."""
    if not nomination.state_reason:
        return ""
    if nomination.agency_reason:
        label = STATE_REASON_LABELS.get(nomination.state) or _("Note: %(reason)s")
    elif is_secretariat(user):
        label = _("Internal note (not shown to the agency): %(reason)s")
    else:
        return ""
    return str(label) % {"reason": nomination.state_reason}


def _over_message(body, limit):
    """What the status line says of saved text over the limit (it is kept as a draft)."""
    over = textformat.char_count(body) - limit
    if over <= 0:
        return ""
    return ngettext(
        "Saved, but %(over)s character over the limit of %(limit)s: shorten it before you submit.",
        "Saved, but %(over)s characters over the limit of %(limit)s: shorten it before you submit.",
        over,
    ) % {"over": over, "limit": limit}


def _dossier_context(request, nomination, overrides=None, upload_errors=None):
    """Everything the dossier page shows. `overrides` maps a section id to what the
    user typed and why it was not saved, so a refused save loses nothing;
    `upload_errors` maps a section id (None for the whole dossier) to why an upload
    was refused, shown beside that section's upload control."""
    overrides = overrides or {}
    upload_errors = upload_errors or {}
    edition = nomination.edition
    today = selectors.edition_today(edition)
    deadline = services.dossier_deadline(nomination)
    may_edit = user_may(request.user, "awards.edit_dossier", nomination)
    in_editable_state = nomination.state in services.EDITABLE_STATES
    # The service's own date rule, so the page never disagrees with what a save would do.
    problem = services.dossier_window_problem(nomination) if may_edit and in_editable_state else ""
    editable = may_edit and in_editable_state and not problem
    closed_note = problem

    attachments = list(nomination.attachments.all())
    by_section = defaultdict(list)
    for attachment in attachments:
        attachment.type_label = LABELS.get(attachment.file_type, attachment.file_type)
        by_section[attachment.section_id].append(attachment)

    sections = []
    for item in services.dossier_checklist(nomination):
        section = item["section"]
        typed = overrides.get(section.pk, {})
        body = typed.get("body", section.body)
        sections.append(
            {
                **item,
                "body": body,
                "typed_chars": textformat.char_count(body),
                "over_by": max(textformat.char_count(body) - section.max_chars, 0),
                "over_message": "" if typed else _over_message(body, section.max_chars),
                "version": typed.get("version", section.version),
                "conflict": typed.get("conflict"),
                "error": typed.get("error", ""),
                "updated_at": _local(edition, section.updated_at),
                "attachments": by_section.get(section.pk, []),
                "upload_errors": upload_errors.get(section.pk, []),
            }
        )
    actions = services.NOMINATION_WORKFLOW.actions(nomination, request.user)
    nominee_problem = services.nominee_problem(nomination) if nomination.takes_nominee else ""
    return {
        "may_see_nominee": nomination.takes_nominee
        and user_may(request.user, "awards.see_nominee", nomination),
        "nominee_problem": nominee_problem,
        "nomination": nomination,
        "edition": edition,
        "today": today,
        "deadline": deadline,
        "editable": editable,
        "may_edit": may_edit,
        "show_deadline": in_editable_state,
        "closed_note": closed_note,
        "state_reason": _state_reason(nomination, request.user),
        "sections": sections,
        "complete": all(item["ok"] for item in sections) and not nominee_problem,
        "general_attachments": by_section.get(None, []),
        "general_upload_errors": upload_errors.get(None, []),
        "attachments_total": sum(a.size for a in attachments),
        "submissions": [
            {"submission": s, "submitted_at": _local(edition, s.submitted_at)}
            for s in nomination.submissions.all()
        ],
        "actions": actions,
        "withdraw_form": WithdrawForm(),
        "accepted_types": ", ".join(LABELS.values()),
        "accept": ACCEPT,
        "dossier_url": _dossier_url(nomination),
        "document": None if editable else dossier_document(nomination),
        # What the site sent about this nomination: all of it for the secretariat, to
        # anyone else only what they received.
        "message_log": list(
            message_log(
                about(nomination),
                recipient=None if user_may(request.user, "workflow.see_mail") else request.user,
            )
        ),
    }


@require_perm("awards.see_nomination", _load_nomination)
def dossier(request, pk, obj):
    return render(request, "awards/nominations/dossier.html", _dossier_context(request, obj))


# --- saving a section ---------------------------------------------------------------------


def _conflict_info(edition, conflict):
    info = {
        "name": conflict.saved_by,
        "time": _local(edition, conflict.saved_at),
        "theirs": conflict.current_body,
        "yours": conflict.your_body,
        "version": conflict.current_version,
    }
    info["message"] = _conflict_message(info)
    return info


@require_perm("awards.edit_dossier", _load_nomination)
@require_POST
def section_save(request, pk, section_pk, obj):
    nomination = obj
    section = _section_of(nomination, section_pk)
    form = SectionForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("The form was incomplete; reload the page."))
    body, version = form.cleaned_data["body"], form.cleaned_data["version"]
    edition = nomination.edition
    conflict = error = None
    saved = None
    if textformat.normalise(body) == section.body and version == section.version:
        saved = section  # nothing new (e.g. a blur without typing): nothing to write
    else:
        try:
            saved = services.section_save(
                actor=request.user, section=section, body=body, based_on_version=version
            )
        except services.SaveConflict as exc:
            conflict = _conflict_info(edition, exc)
        except services.NominationError as exc:
            error = " ".join(exc.messages)

    if request.htmx:
        check = None
        if saved is not None:
            fresh = services.dossier_checklist(Nomination(pk=nomination.pk))
            check = next(item for item in fresh if item["section"].pk == saved.pk)
        return render(
            request,
            "awards/nominations/_save_result.html",
            {
                "section": section,
                "saved_at": _local(edition, saved.updated_at) if saved else None,
                "over_message": _over_message(saved.body, saved.max_chars) if saved else "",
                "version": saved.version
                if saved
                else (conflict["version"] if conflict else version),
                "conflict": conflict,
                "error": error,
                "check": check,
                "dossier_url": _dossier_url(nomination),
            },
        )

    if saved is not None:
        messages.success(
            request,
            _("Saved “%(section)s” at %(time)s.")
            % {
                "section": saved.heading,
                "time": _local(edition, saved.updated_at).strftime("%H:%M")
                if saved.updated_at
                else "",
            },
        )
        over = _over_message(saved.body, saved.max_chars)
        if over:
            messages.warning(request, f"{saved.heading}: {over}")
        return redirect(_dossier_url(nomination, f"section-{section.pk}"))
    # Without JavaScript: show the page again with the typed text kept in the box.
    nomination = selectors.nomination_for_dossier(nomination.pk)
    if conflict:
        overrides = {
            section.pk: {"body": body, "version": conflict["version"], "conflict": conflict}
        }
        messages.error(request, conflict["message"])
        status = 409
    else:
        overrides = {section.pk: {"body": body, "version": version, "error": error}}
        messages.error(request, error)
        status = 400
    return render(
        request,
        "awards/nominations/dossier.html",
        _dossier_context(request, nomination, overrides),
        status=status,
    )


def _conflict_message(conflict):
    return _(
        "Someone else (%(name)s) saved this section at %(time)s. Your text was not saved "
        "over theirs; both are kept."
    ) % {
        "name": conflict["name"],
        "time": conflict["time"].strftime("%H:%M") if conflict["time"] else "",
    }


# --- attachments --------------------------------------------------------------------------


@require_perm("awards.edit_dossier", _load_nomination)
@require_POST
def attachment_upload(request, pk, obj):
    """Store an attachment, or show the page again with the reason beside the upload
    control that was used (not at the top of the page, out of view)."""
    nomination = obj
    form = AttachmentForm(request.POST, request.FILES, nomination=nomination)
    anchor = "attachments"
    section = None
    if form.is_valid():
        section = form.cleaned_data["section"]
        if section is not None:
            anchor = f"section-{section.pk}-attachments"
        upload = form.cleaned_data["file"]
        try:
            attachment = services.attachment_add(
                actor=request.user, nomination=nomination, upload=upload, section=section
            )
        except services.NominationError as error:
            refusal = list(error.messages)
        else:
            messages.success(
                request, _("Uploaded “%(name)s”.") % {"name": attachment.original_name}
            )
            return redirect(_dossier_url(nomination, anchor))
    else:
        refusal = [message for errors in form.errors.values() for message in errors]
        if "section" not in form.errors:
            section = form.cleaned_data.get("section")
    fresh = selectors.nomination_for_dossier(nomination.pk)
    context = _dossier_context(
        request, fresh, upload_errors={section.pk if section else None: refusal}
    )
    if not context["editable"]:  # no upload control to show it beside (e.g. past the deadline)
        for message in refusal:
            messages.error(request, message)
        return redirect(_dossier_url(nomination, anchor))
    return render(request, "awards/nominations/dossier.html", context, status=400)


def _attachment_of(nomination, attachment_pk, *, include_removed=False):
    for attachment in nomination.attachments.all():
        if attachment.pk == attachment_pk:
            return attachment
    if include_removed:
        # Removed from the dossier but kept because an earlier submitted version cites it.
        kept = Attachment.objects.filter(
            nomination=nomination, pk=attachment_pk, removed_at__isnull=False
        ).first()
        if kept is not None:
            return kept
    raise Http404


@require_perm("awards.see_nomination", _load_nomination)
def attachment_download(request, pk, attachment_pk, obj):
    attachment = _attachment_of(obj, attachment_pk, include_removed=True)
    response = FileResponse(
        attachment.file.storage.open(attachment.file.name, "rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=CONTENT_TYPES.get(attachment.file_type, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_perm("awards.edit_dossier", _load_nomination)
@require_POST
def attachment_delete(request, pk, attachment_pk, obj):
    attachment = _attachment_of(obj, attachment_pk)
    anchor = (
        f"section-{attachment.section_id}-attachments" if attachment.section_id else "attachments"
    )
    try:
        services.attachment_remove(actor=request.user, attachment=attachment)
    except services.NominationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Deleted “%(name)s”.") % {"name": attachment.original_name})
    return redirect(_dossier_url(obj, anchor))


# --- preview, submit, snapshots, withdraw -----------------------------------------------


def dossier_document(nomination):
    """The dossier as reviewers read it: headings, points, formatted text, attachments.
    Rendered by awards/nominations/_document.html."""
    attachments = list(nomination.attachments.all())
    by_section = defaultdict(list)
    for attachment in attachments:
        by_section[attachment.section_id].append(
            {
                "name": attachment.original_name,
                "type": LABELS.get(attachment.file_type, attachment.file_type),
                "size": attachment.size,
                "sha256": attachment.sha256,
                "url": reverse("awards:attachment_download", args=[nomination.pk, attachment.pk]),
            }
        )
    return {
        "sections": [
            {
                "id": section.pk,
                "kind": section.kind,
                "heading": section.heading,
                "max_points": section.max_points,
                "guidance": section.guidance,
                "html": textformat.render(section.body),
                "attachments": by_section.get(section.pk, []),
            }
            for section in nomination.sections.all()
        ],
        "attachments": by_section.get(None, []),
    }


def submission_document(submission):
    """The same structure as dossier_document, from a submission's frozen content: what
    reviewers read of that exact version (the text is rendered again from its body)."""
    content = submission.content
    nomination_pk = submission.nomination_id
    by_section = defaultdict(list)
    for item in content.get("attachments", []):
        by_section[item.get("section")].append(
            {
                "name": item["name"],
                "type": item["type"],
                "size": item["size"],
                "sha256": item["sha256"],
                "url": reverse("awards:attachment_download", args=[nomination_pk, item["id"]]),
            }
        )
    sections = []
    for item in content.get("sections", []):
        frozen = SimpleNamespace(**item)
        guidance = localized(frozen, "guidance")
        sections.append(
            {
                "id": item["id"],
                "kind": item["kind"],
                "heading": localized(frozen, "heading"),
                "max_points": item["max_points"],
                "guidance": [line.strip() for line in guidance.splitlines() if line.strip()],
                "html": textformat.render(item["body"]),
                "attachments": by_section.get(item["id"], []),
            }
        )
    return {"sections": sections, "attachments": by_section.get(None, [])}


@require_perm("awards.see_nomination", _load_nomination)
def dossier_preview(request, pk, obj):
    return render(
        request,
        "awards/nominations/preview.html",
        {
            "nomination": obj,
            "edition": obj.edition,
            "document": dossier_document(obj),
            "may_edit": user_may(request.user, "awards.edit_dossier", obj),
        },
    )


@require_perm("awards.edit_dossier", _load_nomination)
@require_POST
def dossier_submit(request, pk, obj):
    try:
        submission = services.nomination_submit(actor=request.user, nomination=obj)
    except services.NominationError as error:
        # Shown on the dossier page itself, as one list, with the page as it now is.
        context = _dossier_context(request, selectors.nomination_for_dossier(obj.pk))
        context["submit_errors"] = error.messages
        return render(request, "awards/nominations/dossier.html", context, status=400)
    messages.success(
        request,
        _("Submitted as version %(version)s. Its PDF snapshot is listed under “Submissions”.")
        % {"version": submission.version},
    )
    return redirect(_dossier_url(obj, "submissions"))


@require_perm("awards.see_nomination", _load_nomination)
def submission_pdf(request, pk, version, obj):
    submission = next((s for s in obj.submissions.all() if s.version == version), None)
    if submission is None:
        raise Http404
    response = FileResponse(
        submission.pdf.storage.open(submission.pdf.name, "rb"),
        content_type="application/pdf",
        filename=f"dossier-{obj.agency.code}-v{version}.pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_perm("awards.withdraw_nomination", _load_nomination)
def nomination_withdraw(request, pk, obj):
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.nomination_withdraw(
                actor=request.user, nomination=obj, reason=form.cleaned_data["reason"]
            )
        except services.NominationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The nomination has been withdrawn."))
        return redirect(_dossier_url(obj))
    return render(
        request,
        "awards/nominations/withdraw.html",
        {"nomination": obj, "edition": obj.edition, "form": form},
        status=400 if request.method == "POST" else 200,
    )
