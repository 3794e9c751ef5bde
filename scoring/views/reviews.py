"""Views for reviewers and site assessors: their list, the conflict declaration, the
scoring form with the dossier beside it, site tests, and permission-checked downloads;
for the secretariat, a review's record with its history and the reopening form.

Every view declares its permission (scoring.rules); a user who may not see the
assignment gets 404. Writes go through scoring.services."""

from __future__ import annotations

import datetime
import functools
from collections import OrderedDict
from decimal import Decimal

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.models import Agency
from agencies.numbers import parse_int
from agencies.permissions import require_perm, user_may
from awards.dossier_views import submission_document
from awards.filetypes import CONTENT_TYPES
from awards.forms import ACCEPT
from awards.models import Attachment, Edition

from .. import selectors, services
from ..enums import ReviewState, SiteTestKind
from ..models import Assignment, PanelMember, Review, SiteTest, SiteTestEvidence
from ..review_forms import DeclarationForm, ReopenForm
from ..selectors.reviews import review_for_form
from ..services.conflicts import conflicts_remembered


def remembering(view):
    """The view (and its permission check) with the reviewer's declaration and conflicts
    read once: the rules ask them again for the form, its actions and its closing."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        with conflicts_remembered():
            return view(request, *args, **kwargs)

    return wrapped


# --- loading -----------------------------------------------------------------------------


def _load_assignment(request, assignment_pk, **kwargs):
    try:
        return selectors.assignment_for_review(assignment_pk)
    except Assignment.DoesNotExist as exc:
        raise Http404 from exc


def _load_edition(request, edition_pk, **kwargs):
    return get_object_or_404(Edition.objects.select_related("scheme"), pk=edition_pk)


def _local(edition, moment):
    return timezone.localtime(moment, edition.tzinfo) if moment else None


def fmt_points(value) -> str:
    """12.0 -> "12", 12.5 -> "12.5", None -> ""."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    return str(value.quantize(Decimal("1"))) if value == value.to_integral() else str(value)


def _review_url(assignment, anchor=""):
    url = reverse("scoring:review", args=[assignment.pk])
    return f"{url}#{anchor}" if anchor else url


# --- the reviewer's list and declarations ------------------------------------------------


@require_perm("scoring.review_home")
def my_reviews(request):
    home = selectors.reviewer_home(request.user)
    return render(request, "scoring/reviews/my_reviews.html", home)


@require_perm("scoring.review_home")
def my_areas(request):
    """The reviewer's (or assessor's) own areas of expertise, per scheme whose panels
    they serve on. POST saves one scheme's ticks (its id in "scheme"): a scheme they do
    not serve in is a 404; a refused save shows the reason beside that scheme's list,
    keeps what was ticked and changes nothing."""
    entries = selectors.own_area_schemes(request.user)
    errors, status = {}, 200
    if request.method == "POST":
        raw = request.POST.get("scheme")
        scheme_pk = parse_int(raw)
        entry = next((e for e in entries if e["scheme"].pk == scheme_pk), None)
        if scheme_pk is not None and entry is None:
            raise Http404
        ids = [parse_int(v) for v in request.POST.getlist("areas")]
        try:
            if entry is None:
                raise services.ExpertiseError(_("Choose the scheme whose areas you are saving."))
            services.own_areas_set(actor=request.user, scheme=entry["scheme"], area_ids=ids)
        except services.ExpertiseError as exc:
            errors[scheme_pk] = exc.messages
            status = 400
            if entry is not None:  # keep what was ticked
                entry["held"] = {pk for pk in ids if pk is not None}
        else:
            messages.success(
                request,
                _("Your areas of expertise in %(scheme)s were saved.")
                % {"scheme": entry["scheme"].name},
            )
            return redirect("scoring:my_areas")
    for entry in entries:
        entry["errors"] = errors.get(entry["scheme"].pk, [])
    return render(
        request,
        "scoring/reviews/my_areas.html",
        {"entries": entries, "errors": errors.get(None, [])},
        status=status,
    )


@require_perm("scoring.declare_own_conflicts", _load_edition)
def declare(request, edition_pk, obj):
    edition = obj
    groups = selectors.declaration_choices(edition)
    agencies = {a.pk: a for g in groups for a in g["agencies"]}
    already = services.has_declared(edition, request.user)
    declared = list(
        Agency.objects.filter(conflicts__edition=edition, conflicts__reviewer=request.user)
        .order_by("path")
        .distinct()
    )
    form = DeclarationForm(
        request.POST if request.method == "POST" else None,
        agency_ids=list(agencies),
        already_declared=already,
    )
    if request.method == "POST" and form.is_valid():
        chosen = [agencies[int(pk)] for pk in form.cleaned_data["agencies"]]
        withdrawn = services.conflicts_declare(
            actor=request.user, edition=edition, agencies=chosen, reason=form.cleaned_data["reason"]
        )
        if chosen:
            messages.success(
                request,
                _("Declared: you have a conflict of interest with %(agencies)s.")
                % {"agencies": "、".join(a.name for a in chosen)},
            )
        else:
            messages.success(request, _("Declared: no conflict of interest."))
        if withdrawn:
            messages.info(
                request,
                _("Assignments withdrawn because of the conflicts: %(count)s.")
                % {"count": len(withdrawn)},
            )
        return redirect("scoring:my_reviews")
    chosen_ids = set(form["agencies"].value() or []) if form.is_bound else set()
    return render(
        request,
        "scoring/reviews/declare.html",
        {
            "edition": edition,
            "groups": groups,
            "form": form,
            "already": already,
            "declared": declared,
            "declared_ids": {a.pk for a in declared},
            "chosen_ids": {i for i in map(parse_int, chosen_ids) if i is not None},
        },
        status=400 if form.is_bound else 200,
    )


# --- the scoring page --------------------------------------------------------------------


def _document(assignment, submission):
    """The submission as reviewers read it, with attachment links to our checked view."""
    if submission is None:
        return None
    document = submission_document(submission)
    ours = {}
    for item in submission.content.get("attachments", []):
        theirs = reverse("awards:attachment_download", args=[assignment.nomination_id, item["id"]])
        ours[theirs] = reverse("scoring:review_attachment", args=[assignment.pk, item["id"]])
    for section in document["sections"]:
        for item in section["attachments"]:
            item["url"] = ours[item["url"]]
    for item in document["attachments"]:
        item["url"] = ours[item["url"]]
    return document


def _score_rows(review, typed=None, errors=None, conflict=False, scores=None):
    """The form's rows grouped by dimension: saved values, or what was typed (with the
    saved value beside it when a save was refused as stale)."""
    typed = typed or {}
    errors = errors or {}
    dimensions = OrderedDict()
    for score in scores if scores is not None else selectors.review_scores(review):
        indicator = score.indicator
        key = f"points-{indicator.pk}"
        saved_points, saved_comment = fmt_points(score.points), score.comment
        if indicator.pk in typed:
            points, comment = typed[indicator.pk]
            points = (points or "").strip()
        else:
            points, comment = saved_points, saved_comment
        dim = dimensions.setdefault(
            indicator.dimension_id, {"dimension": indicator.dimension, "rows": []}
        )
        dim["rows"].append(
            {
                "score": score,
                "indicator": indicator,
                "field": key,
                "points": points,
                "comment": comment,
                "saved_points": saved_points,
                "saved_comment": saved_comment,
                "differs": conflict and (points != saved_points or comment != saved_comment),
                "errors": errors.get(key, []),
            }
        )
    return list(dimensions.values())


def _site_form(values=None, errors=None):
    values = values or {}
    return {
        "kind": values.get("kind", ""),
        "tested_at": values.get("tested_at", ""),
        "subject": values.get("subject", ""),
        "findings": values.get("findings", ""),
        "indicators": set(values.get("indicators", [])),
        "errors": errors or {},
        "error_list": [m for msgs in (errors or {}).values() for m in msgs],
    }


def _review_context(
    request,
    assignment,
    *,
    typed=None,
    overall=None,
    errors=None,
    conflict=None,
    site_form=None,
):
    stage, edition = assignment.stage, assignment.stage.edition
    review, scores = review_for_form(assignment)
    if review is None:  # the first opening: the review and its empty scores are made
        services.review_open(assignment)
        review, scores = review_for_form(assignment)
    if review is None:  # a rubric without indicators
        review, scores = services.review_open(assignment), []
        review.assignment = assignment
    rubric = assignment.nomination.category.rubric
    closed_reason = services.review_closed_reason(assignment, review)
    submission = selectors.latest_submission(assignment.nomination)
    errors = errors or {}
    dimensions = _score_rows(review, typed, errors, conflict=conflict is not None, scores=scores)
    summary = []
    for dim in dimensions:
        for row in dim["rows"]:
            for message in row["errors"]:
                summary.append({"field": row["field"], "message": message})
    for message in errors.get("__all__", []):
        summary.append({"field": "", "message": message})
    review_all = [r for d in dimensions for r in d["rows"]]
    context = {
        "message_log": selectors.assignment_messages(assignment, recipient=request.user),
        "assignment": assignment,
        "stage": stage,
        "edition": edition,
        "nomination": assignment.nomination,
        "rubric": rubric,
        "review": review,
        "dimensions": dimensions,
        "editable": not closed_reason,
        "actions": services.REVIEW_WORKFLOW.actions(review, request.user),
        "closed_reason": closed_reason,
        "submitted_at": _local(edition, review.submitted_at),
        "updated_at": _local(edition, review.updated_at),
        "version": conflict.current_version if conflict else review.version,
        "overall_comment": overall if overall is not None else review.overall_comment,
        "saved_overall_comment": review.overall_comment,
        "overall_differs": conflict is not None and overall != review.overall_comment,
        "error_summary": summary,
        "conflict": conflict,
        "total": fmt_points(services.review_total(review)),
        "step": "0.5" if rubric.allows_half_points else "1",
        "submission": submission,
        "submission_at": _local(edition, submission.submitted_at) if submission else None,
        "document": _document(assignment, submission),
        "others": selectors.others_submitted_totals(assignment)
        if stage.reviewers_see_others
        else None,
        "is_site_visit": stage.is_site_visit,
        "scored_count": sum(1 for r in review_all if r["saved_points"] != ""),
        "indicator_count": len(review_all),
        # The scoring form is shown only to the assigned reviewer (scoring.recuse).
        "may_recuse": True,
    }
    if stage.is_site_visit:
        context.update(
            {
                "site_tests": selectors.site_tests_for(assignment),
                "site_form": site_form or _site_form(),
                "site_kinds": SiteTestKind.choices,
                "may_log": user_may(request.user, "scoring.log_site_test", assignment)
                and not closed_reason,
                "accept": ACCEPT,
                "indicators": [r["indicator"] for r in review_all],
                "now_local": _local(edition, timezone.now()).strftime("%Y-%m-%dT%H:%M"),
                "max_mb": edition.attachment_max_mb,
            }
        )
    return context


def _typed_scores(post, review):
    scores = {}
    for score in review.scores.all():
        key = f"points-{score.indicator_id}"
        if key in post or f"comment-{score.indicator_id}" in post:
            scores[score.indicator_id] = (
                post.get(key, ""),
                post.get(f"comment-{score.indicator_id}", ""),
            )
    return scores


def _posted_scores(post) -> dict:
    """{indicator id: (points text, comment)} for every score the form sent. The save
    checks each id against the rubric (an unknown one is refused with a message), so the
    view need not read the scores first."""
    scores = {}
    for key in post:
        name, _sep, pk = key.partition("-")
        indicator_id = parse_int(pk) if name in ("points", "comment") else None
        if indicator_id is not None and indicator_id not in scores:
            scores[indicator_id] = (
                post.get(f"points-{indicator_id}", ""),
                post.get(f"comment-{indicator_id}", ""),
            )
    return scores


def _refused_after_close(request, assignment, reason):
    """The scoring form again, with what was typed and why nothing was saved: the
    reviewer loses no work when the stage closes under an open page. The dossier is not
    shown again (the stage that let them read it is over), and the form cannot be sent."""
    review = Review.objects.filter(assignment=assignment).first()
    if review is None:  # no form was ever shown for this assignment
        raise Http404
    typed = _typed_scores(request.POST, review)
    stage, edition = assignment.stage, assignment.stage.edition
    rubric = assignment.nomination.category.rubric
    context = {
        "assignment": assignment,
        "stage": stage,
        "edition": edition,
        "nomination": assignment.nomination,
        "rubric": rubric,
        "review": review,
        "dimensions": _score_rows(review, typed),
        "editable": False,
        "refused_closed": True,
        "closed_reason": reason,
        "overall_comment": request.POST.get("overall_comment", ""),
        "step": "0.5" if rubric.allows_half_points else "1",
        "updated_at": _local(edition, review.updated_at),
    }
    return render(request, "scoring/reviews/review.html", context, status=409)


@remembering
@require_perm("scoring.reach_review_form", _load_assignment)
def review(request, assignment_pk, obj):
    assignment = obj
    if not user_may(request.user, "scoring.score_assignment", assignment):
        if request.method == "POST" and user_may(
            request.user, "scoring.save_after_close", assignment
        ):
            return _refused_after_close(
                request, assignment, services.review_closed_reason(assignment)
            )
        if user_may(request.user, "scoring.see_assignment", assignment):
            # The secretariat reads reviews on the record page.
            return redirect("scoring:review_detail", assignment_pk=assignment.pk)
        raise Http404  # a reviewer after the stage closed, opening the page anew
    if request.method != "POST":
        return render(request, "scoring/reviews/review.html", _review_context(request, assignment))
    current = getattr(assignment, "review", None) or services.review_open(assignment)
    typed = _posted_scores(request.POST)
    overall = request.POST.get("overall_comment", "")
    submit = request.POST.get("action") == "submit"
    version = parse_int(request.POST.get("version"))
    if version is None:
        # A crafted or damaged form: say so, keep what was typed, save nothing.
        context = _review_context(
            request,
            assignment,
            typed=typed,
            overall=overall,
            errors={
                "__all__": [
                    _(
                        "The form arrived incomplete, so nothing was saved. Your scores are "
                        "shown below: check them and save again."
                    )
                ]
            },
        )
        return render(request, "scoring/reviews/review.html", context, status=400)
    try:
        saved = services.review_save(
            actor=request.user,
            review=current,
            scores=typed,
            overall_comment=overall,
            based_on_version=version,
            submit=submit,
        )
    except services.ReviewConflict as conflict:
        messages.error(request, conflict.message)
        context = _review_context(
            request, assignment, typed=typed, overall=overall.strip(), conflict=conflict
        )
        return render(request, "scoring/reviews/review.html", context, status=409)
    except services.ReviewInvalid as error:
        context = _review_context(
            request, assignment, typed=typed, overall=overall, errors=error.message_dict
        )
        return render(request, "scoring/reviews/review.html", context, status=400)
    except services.ReviewClosed as error:
        # Closed between the check above and the save (at midnight, or the secretariat
        # changed the stage's dates): the same page as a save after the close.
        return _refused_after_close(request, assignment, " ".join(error.messages))
    if submit:
        messages.success(
            request,
            _("Review submitted: %(total)s of %(max)s points.")
            % {
                "total": fmt_points(services.review_total(saved)),
                "max": assignment.nomination.category.rubric.total_points,
            },
        )
    else:
        messages.success(
            request,
            _("Draft saved at %(time)s.")
            % {"time": _local(assignment.stage.edition, saved.updated_at).strftime("%H:%M")},
        )
    return redirect(_review_url(assignment))


@require_perm("scoring.see_assignment", _load_assignment)
def review_pdf(request, assignment_pk, obj):
    submission = selectors.latest_submission(obj.nomination)
    if submission is None or not submission.pdf:
        raise Http404
    response = FileResponse(
        submission.pdf.storage.open(submission.pdf.name, "rb"),
        content_type="application/pdf",
        filename=f"dossier-{obj.nomination.agency.code}-v{submission.version}.pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_perm("scoring.see_assignment", _load_assignment)
def review_attachment(request, assignment_pk, attachment_id, obj):
    submission = selectors.latest_submission(obj.nomination)
    cited = submission is not None and any(
        item.get("id") == attachment_id for item in submission.content.get("attachments", [])
    )
    if not cited:
        raise Http404
    attachment = get_object_or_404(Attachment, pk=attachment_id, nomination=obj.nomination)
    response = FileResponse(
        attachment.file.storage.open(attachment.file.name, "rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=CONTENT_TYPES.get(attachment.file_type, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- site tests --------------------------------------------------------------------------


def _parse_local(edition, text):
    text = (text or "").strip()
    for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            naive = datetime.datetime.strptime(text, fmt)
        except ValueError:
            continue
        return naive.replace(tzinfo=edition.tzinfo)
    return None


@remembering
@require_perm("scoring.log_site_test", _load_assignment)
@require_POST
def site_test_add(request, assignment_pk, obj):
    assignment = obj
    edition = assignment.stage.edition
    post = request.POST
    values = {
        "kind": post.get("kind", ""),
        "tested_at": post.get("tested_at", ""),
        "subject": post.get("subject", ""),
        "findings": post.get("findings", ""),
        "indicators": [i for i in map(parse_int, post.getlist("indicators")) if i is not None],
    }
    tested_at = _parse_local(edition, values["tested_at"])
    try:
        if values["tested_at"].strip() and tested_at is None:
            raise services.SiteTestInvalid(
                {"tested_at": [_("Give the date and time as YYYY-MM-DD HH:MM.")]}
            )
        test = services.site_test_log(
            actor=request.user,
            assignment=assignment,
            kind=values["kind"],
            tested_at=tested_at,
            subject=values["subject"],
            findings=values["findings"],
            indicator_ids=values["indicators"],
            files=request.FILES.getlist("files"),
        )
    except services.SiteTestInvalid as error:
        context = _review_context(
            request, assignment, site_form=_site_form(values, error.message_dict)
        )
        return render(request, "scoring/reviews/review.html", context, status=400)
    except services.ReviewClosed as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_review_url(assignment, "site-tests"))
    messages.success(
        request,
        _("Logged: %(kind)s on %(time)s.")
        % {
            "kind": test.get_kind_display(),
            "time": _local(edition, test.tested_at).strftime("%Y-%m-%d %H:%M"),
        },
    )
    return redirect(_review_url(assignment, "site-tests"))


@require_perm("scoring.log_site_test", _load_assignment)
@require_POST
def site_test_remove(request, assignment_pk, test_pk, obj):
    test = get_object_or_404(SiteTest, pk=test_pk, assignment=obj)
    try:
        services.site_test_remove(actor=request.user, site_test=test)
    except services.ReviewClosed as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The site test was removed."))
    return redirect(_review_url(obj, "site-tests"))


@require_perm("scoring.see_assignment", _load_assignment)
def site_test_evidence(request, assignment_pk, evidence_pk, obj):
    evidence = get_object_or_404(SiteTestEvidence, pk=evidence_pk, site_test__assignment=obj)
    response = FileResponse(
        evidence.file.storage.open(evidence.file.name, "rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=CONTENT_TYPES.get(evidence.file_type, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the secretariat's record ------------------------------------------------------------


def _record_context(request, assignment, reopen_form=None):
    edition = assignment.stage.edition
    review = getattr(assignment, "review", None)
    history = []
    dimensions = []
    if review is not None:
        dimensions = _score_rows(review)
        history = selectors.review_history(review)
        for row in history:
            row["saved_at"] = _local(edition, row["revision"].saved_at)
            row["total"] = fmt_points(row["total"]) if row["total"] is not None else None
            for change in row["changes"]:
                change["before"] = fmt_points(change["before"])
                change["after"] = (
                    change["after"] if not row["revision"].accepted else fmt_points(change["after"])
                )
    submission = selectors.latest_submission(assignment.nomination)
    return {
        "message_log": selectors.assignment_messages(assignment),
        "assignment": assignment,
        "stage": assignment.stage,
        "edition": edition,
        "nomination": assignment.nomination,
        "rubric": assignment.nomination.category.rubric,
        "review": review,
        "dimensions": dimensions,
        "total": fmt_points(services.review_total(review)) if review else "",
        "submitted_at": _local(edition, review.submitted_at) if review else None,
        "history": history,
        "actions": services.REVIEW_WORKFLOW.actions(review, request.user) if review else {},
        "reopen_form": reopen_form or ReopenForm(),
        "submission": submission,
        "site_tests": selectors.site_tests_for(assignment)
        if assignment.stage.is_site_visit
        else [],
        "withdrawn_at": _local(edition, assignment.withdrawn_at),
    }


@require_perm("scoring.view_review_record", _load_assignment)
def review_detail(request, assignment_pk, obj):
    return render(request, "scoring/reviews/record.html", _record_context(request, obj))


@require_perm("scoring.reopen_review", _load_assignment)
@require_POST
def review_reopen(request, assignment_pk, obj):
    form = ReopenForm(request.POST)
    review = getattr(obj, "review", None)
    if review is None:
        raise Http404
    if form.is_valid():
        try:
            services.review_reopen(
                actor=request.user, review=review, reason=form.cleaned_data["reason"]
            )
        except services.ReviewInvalid as error:
            for message in error.message_dict.get("reason", []):
                form.add_error("reason", message)
        except services.ReviewError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("scoring:review_detail", assignment_pk=obj.pk)
        else:
            messages.success(
                request,
                _("The review was reopened; %(name)s has been told by e-mail.")
                % {"name": obj.reviewer.get_full_name()},
            )
            return redirect("scoring:review_detail", assignment_pk=obj.pk)
    return render(
        request, "scoring/reviews/record.html", _record_context(request, obj, form), status=400
    )


# --- invitations and recusal ----------------------------------------------------------------


def _load_invitation(request, member_pk, **kwargs):
    return get_object_or_404(
        PanelMember.objects.select_related("user", "panel__category", "panel__edition__scheme"),
        pk=member_pk,
    )


@require_perm("scoring.see_invitation", _load_invitation)
def invitation(request, member_pk, obj):
    """The invited person's page: accept, or decline with a reason. A refusal (answered
    twice, withdrawn meanwhile, no reason) shows the page again with what was typed."""
    member = obj
    errors, reason = [], ""
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        reason = request.POST.get("reason", "")
        try:
            if action == "accept":
                services.invitation_accept(actor=request.user, member=member)
                messages.success(
                    request,
                    _("Thank you: you are on the panel of %(category)s.")
                    % {"category": member.panel.category.name},
                )
            elif action == "decline":
                services.invitation_decline(actor=request.user, member=member, reason=reason)
                messages.success(
                    request,
                    _("You declined the invitation; the secretariat has your reason."),
                )
            else:
                raise services.PanelError(_("Choose whether you accept or decline."))
        except services.PanelError as exc:
            errors = exc.messages
            status = 400
            member.refresh_from_db()
        else:
            return redirect("scoring:invitation", member_pk=member.pk)
    return render(
        request,
        "scoring/reviews/invitation.html",
        {
            "member": member,
            "panel": member.panel,
            "category": member.panel.category,
            "edition": member.panel.edition,
            "actions": services.MEMBER_WORKFLOW.actions(member, request.user),
            "errors": errors,
            "reason": reason,
            "reason_error": status == 400 and request.POST.get("action") == "decline",
            "answered_at": _local(member.panel.edition, member.answered_at),
        },
        status=status,
    )


@remembering
@require_perm("scoring.recuse", _load_assignment)
def review_recuse(request, assignment_pk, obj):
    """A confirmation step, then the recusal (scoring.services.assignment_recuse). Refused
    with the way forward when the review is already submitted."""
    assignment = obj
    review = getattr(assignment, "review", None)
    submitted = review is not None and review.state == ReviewState.SUBMITTED
    error, reason, status = "", "", 200
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        try:
            services.assignment_recuse(actor=request.user, assignment=assignment, reason=reason)
        except services.AssignmentError as exc:
            error = " ".join(exc.messages)
            status = 409 if submitted else 400
        else:
            messages.success(
                request,
                _(
                    "You recused from %(agency)s. The secretariat has been told and will "
                    "give the dossier to another reviewer."
                )
                % {"agency": assignment.nomination.agency.name},
            )
            return redirect("scoring:my_reviews")
    return render(
        request,
        "scoring/reviews/recuse.html",
        {
            "assignment": assignment,
            "nomination": assignment.nomination,
            "stage": assignment.stage,
            "edition": assignment.stage.edition,
            "submitted": submitted,
            "error": error,
            "reason": reason,
        },
        status=status,
    )


urlpatterns = [
    path("reviews/", my_reviews, name="my_reviews"),
    path("reviews/my-areas/", my_areas, name="my_areas"),
    path("reviews/invitations/<int:member_pk>/", invitation, name="invitation"),
    path("reviews/<int:assignment_pk>/recuse/", review_recuse, name="review_recuse"),
    path("reviews/editions/<int:edition_pk>/declare/", declare, name="declare"),
    path("reviews/<int:assignment_pk>/", review, name="review"),
    path("reviews/<int:assignment_pk>/dossier.pdf", review_pdf, name="review_pdf"),
    path(
        "reviews/<int:assignment_pk>/attachments/<int:attachment_id>/",
        review_attachment,
        name="review_attachment",
    ),
    path("reviews/<int:assignment_pk>/site-tests/", site_test_add, name="site_test_add"),
    path(
        "reviews/<int:assignment_pk>/site-tests/<int:test_pk>/remove/",
        site_test_remove,
        name="site_test_remove",
    ),
    path(
        "reviews/<int:assignment_pk>/evidence/<int:evidence_pk>/",
        site_test_evidence,
        name="site_test_evidence",
    ),
    path("reviews/<int:assignment_pk>/record/", review_detail, name="review_detail"),
    path("reviews/<int:assignment_pk>/reopen/", review_reopen, name="review_reopen"),
]
