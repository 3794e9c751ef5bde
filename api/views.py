"""The API's endpoints (mounted at /api/v1/, see api/urls.py). Read-only: every view
answers GET (and HEAD/OPTIONS); anything else is 405.

- Public (no token): published editions per scheme, an edition's winners, history
  figures, certificate verification. Only published results: the same selectors as the
  public pages (awards.results.selectors, awards.results.history).
- Signed in (a token, or the session): the nominations the user may see
  (awards.see_nomination, as the dossier pages); for the secretariat a category's
  standings in a stage (scoring.view_standings) and the export jobs (results.manage).
  What a user may not see is 404, as on the pages."""

from __future__ import annotations

from itertools import groupby

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, pagination, permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.permissions import user_may
from awards.enums import NominationState
from awards.models import AwardScheme, Category, Edition, Stage
from awards.results import selectors as results
from awards.results.enums import JobKind
from awards.results.history import scheme_history
from awards.results.models import ResultVersion
from awards.results.services import serial_normalise
from scoring.selectors import final_standings, stage_standings
from workflow.models import Job

from . import serializers as s
from .selectors import nominations_visible

LANGUAGES = ("zh-hant", "en")


def request_language(request) -> str:
    """?lang= (zh-hant or en), else the `lang` cookie, else Accept-Language, else zh-Hant."""
    wanted = (request.GET.get("lang") or "").lower()
    if wanted in LANGUAGES:
        return wanted
    return translation.get_language_from_request(request)


class ApiView(APIView):
    """Every endpoint: answers in the request's language (and says so in
    Content-Language); errors are JSON (api.exceptions)."""

    def initial(self, request, *args, **kwargs):
        self.language = request_language(request._request)
        translation.activate(self.language)
        request._request.LANGUAGE_CODE = self.language
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        language = getattr(self, "language", None) or request_language(request._request)
        response["Content-Language"] = language
        vary = [v.strip() for v in response.get("Vary", "").split(",") if v.strip()]
        for header in ("Accept-Language", "Cookie", "Authorization"):
            if header not in vary:
                vary.append(header)
        response["Vary"] = ", ".join(vary)
        return response


class SignedInApiView(ApiView):
    """A token (or the session) is needed: 401 without one. What the user may not see is
    404 (`may` below)."""

    permission_classes = [permissions.IsAuthenticated]

    def may(self, perm: str, obj=None) -> None:
        if not user_may(self.request.user, perm, obj):
            raise Http404


class Page(pagination.PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


# --- public -------------------------------------------------------------------------------


class SchemeList(ApiView):
    """Every award scheme with its editions whose results are published (newest first)."""

    @extend_schema(
        operation_id="schemes_list",
        summary=gettext_lazy("Award schemes and their published editions"),
        responses=s.SchemeSerializer(many=True),
        tags=["public"],
    )
    def get(self, request):
        schemes = list(AwardScheme.objects.order_by("code"))
        by_scheme: dict[int, list] = {}
        seen = set()
        versions = results.published_versions().order_by(
            "edition__scheme__code", "-edition__number", "-number"
        )
        for version in versions:
            if version.edition_id in seen:
                continue
            seen.add(version.edition_id)
            by_scheme.setdefault(version.edition.scheme_id, []).append(version)
        for scheme in schemes:
            scheme.published = by_scheme.get(scheme.pk, [])
        return Response(s.SchemeSerializer(schemes, many=True, context={"request": request}).data)


def _public_edition(scheme_code, number):
    edition = get_object_or_404(
        Edition.objects.select_related("scheme"), scheme__code=scheme_code, number=number
    )
    version = results.published_version(edition)
    if version is None:  # nothing published: an unpublished edition does not exist here
        raise Http404
    version.edition = edition
    return edition, version


class EditionWinners(ApiView):
    """An edition's published winners per category; 404 while nothing is published."""

    @extend_schema(
        operation_id="edition_winners",
        summary=gettext_lazy("An edition's published winners"),
        responses=s.EditionWinnersSerializer,
        tags=["public"],
    )
    def get(self, request, scheme_code, number):
        edition, version = _public_edition(scheme_code, number)
        awards = list(results.awards_of(version))
        categories = [
            {"category": category, "winners": list(rows)}
            for category, rows in groupby(awards, key=lambda a: a.category)
        ]
        data = {
            "edition": edition,
            "version": version,
            "published_on": timezone.localtime(version.publish_at, edition.tzinfo).date(),
            "categories": categories,
        }
        return Response(s.EditionWinnersSerializer(data).data)


def _history_row(row) -> dict:
    edition = row.edition
    return {
        "edition": edition.number if edition else None,
        "name_zh": edition.name_zh if edition else "合計",
        "name_en": edition.name_en if edition else "Total",
        "participants": row.participants,
        "finalists": row.finalists,
        "winners": row.winners,
        "revoked": row.revoked,
        "award_rate": None if row.rate is None else round(row.rate, 4),
        "recorded": row.recorded,
        "demo": row.is_demo,
    }


class SchemeHistory(ApiView):
    """Participants, finalists, winners and award rate per edition, as the history page
    (only editions whose results are published, or with recorded counts)."""

    @extend_schema(
        operation_id="scheme_history",
        summary=gettext_lazy("History figures of a scheme"),
        responses=s.HistorySerializer,
        tags=["public"],
    )
    def get(self, request, scheme_code):
        scheme = get_object_or_404(AwardScheme, code=scheme_code)
        history = scheme_history(scheme)
        data = {
            "scheme": scheme.code,
            "editions": [_history_row(r) for r in history.rows],
            "total": _history_row(history.total) if history.total else None,
            "unpublished": history.unpublished,
        }
        return Response(s.HistorySerializer(data).data)


CERTIFICATE_STATES = {
    "valid": gettext_lazy("Valid certificate"),
    "revoked": gettext_lazy("This award was revoked"),
    "withdrawn": gettext_lazy("This certificate is no longer valid"),
}


class CertificateVerify(ApiView):
    """What /verify/<serial>/ says: valid, revoked, or withdrawn (the results were
    approved again without it). A serial of results still under embargo is 404, exactly
    like an unknown one."""

    @extend_schema(
        operation_id="certificate_verify",
        summary=gettext_lazy("Verify a certificate by its serial number"),
        responses=s.CertificateSerializer,
        tags=["public"],
    )
    def get(self, request, serial):
        canonical = serial_normalise(serial)
        if canonical is None:
            raise exceptions.ValidationError(
                {
                    "serial": [
                        _(
                            "This is not a certificate serial number: it has 16 letters and "
                            "digits, e.g. %(example)s."
                        )
                        % {"example": "7K3M-Q9TX-2B8W-RZ4D"}
                    ]
                }
            )
        award = results.award_by_serial(canonical)
        found = results.certificate_state(award) if award is not None else None
        if found is None:
            raise exceptions.NotFound(
                _("No certificate has the serial number %(serial)s.") % {"serial": canonical}
            )
        shown = found.award
        edition = shown.version.edition
        data = {
            "serial": canonical,
            "state": found.state,
            "state_label": str(CERTIFICATE_STATES[found.state]),
            "agency": shown.agency,
            "award_zh": shown.name_zh,
            "award_en": shown.name_en,
            "category": shown.category,
            "edition": edition,
            "issued_on": shown.issued_on,
            "revoked_on": shown.revoked_on,
            "revocation_reason": shown.revocation_reason,
            "withdrawn_since": timezone.localtime(found.since, edition.tzinfo).date()
            if found.since
            else None,
        }
        return Response(s.CertificateSerializer(data).data)


# --- signed in: an agency's own nominations -----------------------------------------------


class NominationList(SignedInApiView):
    """The nominations the user may see: their agency's (editor), those of the agencies
    under their competent authority once submitted (officer), every one (secretariat)."""

    @extend_schema(
        operation_id="nominations_list",
        summary=gettext_lazy("Your nominations"),
        parameters=[
            OpenApiParameter("scheme", str, description="A scheme's code, e.g. tw"),
            OpenApiParameter("edition", int, description="An edition's number (with scheme)"),
            OpenApiParameter("state", str, enum=NominationState.values),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int, description="At most 500; 100 by default."),
        ],
        responses=s.PaginatedNominations,
        tags=["nominations"],
    )
    def get(self, request):
        qs = nominations_visible(request.user)
        scheme = request.GET.get("scheme")
        if scheme:
            qs = qs.filter(edition__scheme__code=scheme)
        number = request.GET.get("edition")
        if number:
            if not number.isascii() or not number.isdigit():
                raise exceptions.ValidationError(
                    {"edition": [_("Enter an edition number, in digits only.")]}
                )
            qs = qs.filter(edition__number=int(number))
        state = request.GET.get("state")
        if state:
            if state not in NominationState.values:
                raise exceptions.ValidationError(
                    {
                        "state": [
                            _("Unknown state “%(state)s”: one of %(states)s.")
                            % {"state": state, "states": ", ".join(NominationState.values)}
                        ]
                    }
                )
            qs = qs.filter(state=state)
        paginator = Page()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(s.NominationSerializer(page, many=True).data)


class NominationDetail(SignedInApiView):
    """One nomination, for whoever may see its dossier; anyone else gets 404."""

    @extend_schema(
        operation_id="nomination_detail",
        summary=gettext_lazy("One of your nominations"),
        responses=s.NominationSerializer,
        tags=["nominations"],
    )
    def get(self, request, pk):
        from awards.models import Nomination

        nomination = get_object_or_404(
            Nomination.objects.select_related("edition__scheme", "category", "agency"), pk=pk
        )
        self.may("awards.see_nomination", nomination)
        return Response(s.NominationSerializer(nomination).data)


class NominationFeedback(SignedInApiView):
    """A nomination's feedback report once released to its agency (the secretariat reads
    it too); before release, or for anyone else, 404."""

    @extend_schema(
        operation_id="nomination_feedback",
        summary=gettext_lazy("The feedback report of one of your nominations"),
        responses=s.FeedbackReportSerializer,
        tags=["nominations"],
    )
    def get(self, request, pk):
        from awards.models import Nomination
        from awards.results.enums import FeedbackState
        from awards.results.feedback import feedback_report_for

        nomination = get_object_or_404(Nomination, pk=pk)
        self.may("awards.see_nomination", nomination)
        report = feedback_report_for(nomination)
        if report is None or report.state != FeedbackState.RELEASED:
            raise Http404
        self.may("results.see_feedback", report)
        return Response(s.FeedbackReportSerializer(report).data)


# --- signed in: the secretariat -----------------------------------------------------------


class StageStandings(SignedInApiView):
    """A category's standings in a scoring stage, as the standings page (the secretariat)."""

    @extend_schema(
        operation_id="stage_standings",
        summary=gettext_lazy("A category's standings in a stage"),
        responses=s.StandingsSerializer,
        tags=["secretariat"],
    )
    def get(self, request, stage_pk, category_pk):
        self.may("scoring.view_standings")
        category = get_object_or_404(
            Category.objects.select_related("edition__scheme"), pk=category_pk
        )
        stage = get_object_or_404(
            Stage, pk=stage_pk, edition_id=category.edition_id, allows_scoring=True
        )
        stage.edition = category.edition
        table = stage_standings(stage, category)
        rows = [
            {
                "nomination": row.nomination.pk,
                "agency": row.nomination.agency,
                "rank": row.rank,
                "position": row.position,
                "score": row.score,
                "dimensions": _dimensions(row.dimensions),
                "reviews_submitted": row.submitted,
                "reviews_assigned": row.assigned,
                "spread": row.spread,
                "disagreement": row.disagreement,
                "incomplete": row.incomplete,
                "tied": row.tied,
            }
            for row in table.rows
        ]
        data = {
            "edition": category.edition,
            "stage": stage,
            "category": category,
            "method": table.method,
            "method_label": str(table.method_label),
            "maximum": table.maximum,
            "rows": rows,
        }
        return Response(s.StandingsSerializer(data).data)


def _dimensions(pairs) -> list[dict]:
    return [{"dimension_zh": d.name_zh, "dimension_en": d.name_en, "score": v} for d, v in pairs]


class FinalStandings(SignedInApiView):
    """A category's final ranking over the weighted stages, as the final standings page
    (the secretariat)."""

    @extend_schema(
        operation_id="final_standings",
        summary=gettext_lazy("A category's final standings"),
        responses=s.FinalStandingsSerializer,
        tags=["secretariat"],
    )
    def get(self, request, edition_pk, category_pk):
        self.may("scoring.view_standings")
        category = get_object_or_404(
            Category.objects.select_related("edition__scheme"),
            pk=category_pk,
            edition_id=edition_pk,
        )
        table = final_standings(category.edition, category)
        rows = [
            {
                "nomination": row.nomination.pk,
                "agency": row.nomination.agency,
                "rank": row.rank,
                "position": row.position,
                "score": row.score,
                "stages": [
                    {"stage": st.stage.pk, "weight": st.weight, "score": st.score}
                    for st in row.stages
                ],
                "dimensions": _dimensions(row.dimensions),
                "incomplete": row.incomplete,
                "tied": row.tied,
            }
            for row in table.rows
        ]
        data = {
            "edition": category.edition,
            "category": category,
            "method": table.method,
            "method_label": str(table.method_label),
            "stages": table.stages,
            "rows": rows,
        }
        return Response(s.FinalStandingsSerializer(data).data)


EXPORT_KINDS = (JobKind.WORKBOOK, JobKind.CERTIFICATES)


def _file(request, job, field: str, url_name: str) -> dict | None:
    f = getattr(job, field)
    if not f:
        return None
    try:
        size = f.size
    except OSError:  # the file is gone from the storage
        size = None
    return {
        "name": f.name.rsplit("/", 1)[-1],
        "size": size,
        # The API's own download, which takes the same token as this list.
        "download_url": request.build_absolute_uri(reverse(url_name, kwargs={"pk": job.pk})),
    }


class ExportFile(SignedInApiView):
    """An export's file (the workbook, or the certificates as one PDF), with the same
    token as the list: the secretariat's only (404 for anyone else, for a job that is no
    export, not done or without this file)."""

    field = "file"

    @extend_schema(
        operation_id="exports_file",
        summary=gettext_lazy("Download an export's file"),
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        tags=["secretariat"],
    )
    def get(self, request, pk):
        self.may("results.manage")
        job = Job.objects.filter(
            pk=pk,
            kind__in=[k.value for k in EXPORT_KINDS],
            target_type=Edition._meta.label_lower,
            status="done",
        ).first()
        f = getattr(job, self.field, None) if job is not None else None
        if not f:
            raise Http404
        try:
            handle = f.open("rb")
        except OSError as exc:  # the file is gone from the storage
            raise Http404 from exc
        name = f.name.rsplit("/", 1)[-1].split("-", 1)[-1]
        return FileResponse(handle, as_attachment=True, filename=name)


class ExportArchive(ExportFile):
    """An export's ZIP (the certificates one file each)."""

    field = "archive"

    @extend_schema(
        operation_id="exports_archive",
        summary=gettext_lazy("Download an export's ZIP of single files"),
        responses={(200, "application/zip"): OpenApiTypes.BINARY},
        tags=["secretariat"],
    )
    def get(self, request, pk):
        return super().get(request, pk)


class ExportList(SignedInApiView):
    """The results workbooks and certificate batches (background jobs), newest first."""

    @extend_schema(
        operation_id="exports_list",
        summary=gettext_lazy("Results exports (workbooks, certificates)"),
        parameters=[
            OpenApiParameter("edition", int, description="An edition's id"),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int, description="At most 500; 100 by default."),
        ],
        responses=s.PaginatedExportJobs,
        tags=["secretariat"],
    )
    def get(self, request):
        self.may("results.manage")
        qs = Job.objects.filter(
            kind__in=[k.value for k in EXPORT_KINDS], target_type=Edition._meta.label_lower
        ).order_by("-requested_at", "-id")
        edition = request.GET.get("edition")
        if edition:
            if not edition.isascii() or not edition.isdigit():
                raise exceptions.ValidationError(
                    {"edition": [_("Enter an edition id, in digits only.")]}
                )
            qs = qs.filter(target_id=int(edition))
        paginator = Page()
        jobs = paginator.paginate_queryset(qs, request, view=self)
        editions = Edition.objects.select_related("scheme").in_bulk({j.target_id for j in jobs})
        version_ids = {(j.params or {}).get("version") for j in jobs} - {None}
        numbers = dict(ResultVersion.objects.filter(pk__in=version_ids).values_list("pk", "number"))
        kinds = dict(JobKind.choices)
        data = [
            {
                "pk": job.pk,
                "kind": job.kind,
                "kind_label": str(kinds.get(job.kind, job.kind)),
                "status": job.status,
                "get_status_display": job.get_status_display(),
                "progress": job.progress,
                "edition": editions.get(job.target_id),
                "version": numbers.get((job.params or {}).get("version")),
                "requested_at": job.requested_at,
                "finished_at": job.finished_at,
                "file": _file(request, job, "file", "api:export_file"),
                "archive": _file(request, job, "archive", "api:export_archive"),
            }
            for job in jobs
        ]
        return paginator.get_paginated_response(s.ExportJobSerializer(data, many=True).data)
