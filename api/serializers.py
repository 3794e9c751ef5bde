"""What each endpoint answers with. Names come in both languages (`*_zh`, `*_en`);
labels (a state's, a kind's) in the request's language."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers


def _local_date(moment, tz):
    return timezone.localtime(moment, tz).date() if moment else None


class AgencySerializer(serializers.Serializer):
    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()


class CategorySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()


class EditionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    scheme = serializers.CharField(source="scheme.code")
    number = serializers.IntegerField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()


# --- public -------------------------------------------------------------------------------


class PublishedEditionSerializer(serializers.Serializer):
    """An edition whose results are published; `version` is the public result version."""

    number = serializers.IntegerField(source="edition.number")
    year_label = serializers.CharField(source="edition.year_label")
    name_zh = serializers.CharField(source="edition.name_zh")
    name_en = serializers.CharField(source="edition.name_en")
    time_zone = serializers.CharField(source="edition.time_zone")
    published_on = serializers.SerializerMethodField(
        help_text="The publication date, in the edition's time zone."
    )
    winners_url = serializers.SerializerMethodField()

    def get_published_on(self, version) -> str:
        return _local_date(version.publish_at, version.edition.tzinfo).isoformat()

    def get_winners_url(self, version) -> str:
        from django.urls import reverse

        url = reverse(
            "api:edition",
            kwargs={"scheme_code": version.edition.scheme.code, "number": version.edition.number},
        )
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class SchemeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    organiser_zh = serializers.CharField()
    organiser_en = serializers.CharField()
    editions = PublishedEditionSerializer(many=True, source="published")


class WinnerSerializer(serializers.Serializer):
    agency = AgencySerializer()
    award_zh = serializers.CharField(source="name_zh")
    award_en = serializers.CharField(source="name_en")
    level_zh = serializers.CharField()
    level_en = serializers.CharField()
    citation_zh = serializers.CharField()
    citation_en = serializers.CharField()
    good_practice_zh = serializers.CharField(source="summary_zh")
    good_practice_en = serializers.CharField(source="summary_en")
    revoked_on = serializers.DateField(allow_null=True)
    revocation_reason = serializers.CharField()


class CategoryWinnersSerializer(serializers.Serializer):
    category = CategorySerializer()
    winners = WinnerSerializer(many=True)


class EditionWinnersSerializer(serializers.Serializer):
    scheme = serializers.CharField(source="edition.scheme.code")
    number = serializers.IntegerField(source="edition.number")
    year_label = serializers.CharField(source="edition.year_label")
    name_zh = serializers.CharField(source="edition.name_zh")
    name_en = serializers.CharField(source="edition.name_en")
    time_zone = serializers.CharField(source="edition.time_zone")
    version = serializers.IntegerField(source="version.number")
    published_on = serializers.DateField()
    categories = CategoryWinnersSerializer(many=True)


class HistoryRowSerializer(serializers.Serializer):
    edition = serializers.IntegerField(
        allow_null=True, help_text="Edition number; null for a total."
    )
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    participants = serializers.IntegerField(allow_null=True)
    finalists = serializers.IntegerField(allow_null=True)
    winners = serializers.IntegerField(allow_null=True)
    revoked = serializers.IntegerField(
        allow_null=True, help_text="Awards of the published results revoked since."
    )
    award_rate = serializers.FloatField(allow_null=True, help_text="winners / participants")
    recorded = serializers.BooleanField(
        help_text="True: the scheme's reported counts; false: counted from this system."
    )
    demo = serializers.BooleanField(help_text="Demonstration data, left out of the totals.")


class HistorySerializer(serializers.Serializer):
    scheme = serializers.CharField()
    editions = HistoryRowSerializer(many=True)
    total = HistoryRowSerializer(allow_null=True)
    unpublished = serializers.IntegerField(
        help_text="Editions left out because their results are not yet published."
    )


class CertificateSerializer(serializers.Serializer):
    serial = serializers.CharField()
    state = serializers.ChoiceField(
        choices=["valid", "revoked", "withdrawn"],
        help_text="withdrawn: the edition's results were approved again without this award.",
    )
    state_label = serializers.CharField()
    agency = AgencySerializer()
    award_zh = serializers.CharField()
    award_en = serializers.CharField()
    category = CategorySerializer()
    edition = EditionRefSerializer()
    issued_on = serializers.DateField(allow_null=True)
    revoked_on = serializers.DateField(allow_null=True)
    revocation_reason = serializers.CharField()
    withdrawn_since = serializers.DateField(allow_null=True)


# --- signed in ----------------------------------------------------------------------------


class NominationSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    edition = EditionRefSerializer()
    category = CategorySerializer()
    agency = AgencySerializer()
    title = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField(source="get_state_display")
    state_reason = serializers.CharField(
        source="agency_reason",
        help_text="The reason for the last change, when it is the agency's to read.",
    )
    state_changed_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    recommendation_rank = serializers.IntegerField(allow_null=True)


class DimensionScoreSerializer(serializers.Serializer):
    dimension_zh = serializers.CharField()
    dimension_en = serializers.CharField()
    score = serializers.FloatField(allow_null=True)


class StandingRowSerializer(serializers.Serializer):
    nomination = serializers.IntegerField()
    agency = AgencySerializer()
    rank = serializers.IntegerField(allow_null=True)
    position = serializers.IntegerField()
    score = serializers.FloatField(allow_null=True)
    dimensions = DimensionScoreSerializer(many=True)
    reviews_submitted = serializers.IntegerField()
    reviews_assigned = serializers.IntegerField()
    spread = serializers.FloatField(allow_null=True)
    disagreement = serializers.BooleanField()
    incomplete = serializers.BooleanField()
    tied = serializers.BooleanField()


class StageRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()


class StandingsSerializer(serializers.Serializer):
    edition = EditionRefSerializer()
    stage = StageRefSerializer()
    category = CategorySerializer()
    method = serializers.CharField()
    method_label = serializers.CharField()
    maximum = serializers.IntegerField()
    rows = StandingRowSerializer(many=True)


class StageScoreSerializer(serializers.Serializer):
    stage = serializers.IntegerField(help_text="The stage's id.")
    weight = serializers.IntegerField()
    score = serializers.FloatField(allow_null=True)


class FinalRowSerializer(serializers.Serializer):
    nomination = serializers.IntegerField()
    agency = AgencySerializer()
    rank = serializers.IntegerField(allow_null=True)
    position = serializers.IntegerField()
    score = serializers.FloatField(allow_null=True, help_text="Σ weight · stage score / Σ weight")
    stages = StageScoreSerializer(many=True)
    dimensions = DimensionScoreSerializer(many=True)
    incomplete = serializers.BooleanField()
    tied = serializers.BooleanField()


class FinalStandingsSerializer(serializers.Serializer):
    edition = EditionRefSerializer()
    category = CategorySerializer()
    method = serializers.CharField()
    method_label = serializers.CharField()
    stages = StageRefSerializer(many=True, help_text="The weighted stages.")
    rows = FinalRowSerializer(many=True)


class ExportFileSerializer(serializers.Serializer):
    name = serializers.CharField()
    size = serializers.IntegerField(allow_null=True)
    download_url = serializers.CharField(help_text="The download page (a signed-in session).")


class ExportJobSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    progress = serializers.IntegerField()
    edition = EditionRefSerializer(allow_null=True)
    version = serializers.IntegerField(allow_null=True, help_text="The result version's number.")
    requested_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    file = ExportFileSerializer(allow_null=True)
    archive = ExportFileSerializer(allow_null=True)


def paginated(item: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The schema of a page of `item`s, as api.views.Page answers."""
    name = "Paginated" + item.__name__.removesuffix("Serializer") + "List"
    return type(
        name,
        (serializers.Serializer,),
        {
            "count": serializers.IntegerField(help_text="Items on every page together."),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item(many=True),
            "__module__": __name__,
        },
    )


PaginatedNominations = paginated(NominationSerializer)
PaginatedExportJobs = paginated(ExportJobSerializer)


class FeedbackItemSerializer(serializers.Serializer):
    indicator_zh = serializers.CharField(source="indicator.name_zh")
    indicator_en = serializers.CharField(source="indicator.name_en")
    strengths = serializers.CharField()
    opportunities = serializers.CharField()


class FeedbackReportSerializer(serializers.Serializer):
    """A released feedback report (issue 17): the nomination's band, never other scores;
    the reviewers' comments without their names."""

    nomination = serializers.IntegerField(source="nomination_id")
    score_band = serializers.CharField()
    level_zh = serializers.CharField()
    level_en = serializers.CharField()
    summary_zh = serializers.CharField()
    summary_en = serializers.CharField()
    released_at = serializers.DateTimeField()
    items = FeedbackItemSerializer(many=True)
