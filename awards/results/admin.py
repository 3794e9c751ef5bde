from django.contrib import admin

from .models import AwardLevel, AwardRule, AwardSelection, CertificateTemplate, ResultVersion


@admin.register(AwardRule)
class AwardRuleAdmin(admin.ModelAdmin):
    list_display = ["category", "basis", "winners", "min_score", "finalists_only"]
    list_filter = ["basis", "category__edition__scheme"]
    list_select_related = ["category__edition"]
    autocomplete_fields = []


@admin.register(AwardLevel)
class AwardLevelAdmin(admin.ModelAdmin):
    list_display = ["name_zh", "name_en", "edition", "min_score"]
    list_filter = ["edition__scheme"]
    list_select_related = ["edition"]


@admin.register(AwardSelection)
class AwardSelectionAdmin(admin.ModelAdmin):
    list_display = ["category", "agency", "created_at"]
    list_select_related = ["category__edition", "agency"]
    raw_id_fields = ["agency"]
    exclude = ["created_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(CertificateTemplate)
class CertificateTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "scheme", "is_active", "refused_at", "updated_at"]
    readonly_fields = ["refused_at"]


@admin.register(ResultVersion)
class ResultVersionAdmin(admin.ModelAdmin):
    """Read-only: versions are made by compiling and changed only by the approval steps."""

    list_display = ["edition", "number", "status", "compiled_at", "publish_at"]
    list_filter = ["status"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
