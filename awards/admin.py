from django.contrib import admin

from .models import AwardScheme, Category, Edition, Nomination, Stage, Submission


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 0


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0


@admin.register(AwardScheme)
class AwardSchemeAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en"]
    search_fields = ["code", "name_zh", "name_en"]


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["scheme", "number", "name_zh", "year_label", "time_zone"]
    list_filter = ["scheme"]
    inlines = [CategoryInline, StageInline]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name_zh", "name_en", "kind", "edition"]
    list_filter = ["edition__scheme", "kind"]
    search_fields = ["name_zh", "name_en", "code"]


class SubmissionInline(admin.TabularInline):
    model = Submission
    extra = 0
    fields = ["version", "submitted_at", "submitted_by", "pdf", "pdf_sha256"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Nomination)
class NominationAdmin(admin.ModelAdmin):
    """Read-mostly: a nomination's state changes only through awards.services, so that
    it is audited and mailed; the admin shows it and lets the title be corrected."""

    list_display = ["agency", "category", "edition", "state", "recommendation_rank", "submitted_at"]
    list_filter = ["edition__scheme", "edition", "state"]
    search_fields = ["agency__name_zh", "agency__name_en", "agency__code", "title"]
    list_select_related = ["agency", "category", "edition"]
    readonly_fields = [
        "edition",
        "category",
        "agency",
        "state",
        "recommendation_rank",
        "state_reason",
        "state_reason_visibility",
        "created_by",
        "created_at",
        "state_changed_at",
        "submitted_at",
    ]
    inlines = [SubmissionInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
