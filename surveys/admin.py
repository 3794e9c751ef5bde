from django.contrib import admin

from .models import Poll, PollCandidate, PollImport, PollTallyRun, Stratum


class CandidateInline(admin.TabularInline):
    model = PollCandidate
    autocomplete_fields = ["agency"]
    extra = 0


class StratumInline(admin.TabularInline):
    model = Stratum
    extra = 0


@admin.register(Poll)
class PollAdmin(admin.ModelAdmin):
    list_display = ["title_zh", "edition", "status", "target_sample_size", "award_places"]
    # status and the published tally change only through surveys.services
    readonly_fields = ["status", "published_run"]
    inlines = [CandidateInline, StratumInline]


@admin.register(PollTallyRun)
class PollTallyRunAdmin(admin.ModelAdmin):
    list_display = ["pk", "poll", "status", "progress", "requested_by", "requested_at"]
    readonly_fields = [f.name for f in PollTallyRun._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(PollImport)
class PollImportAdmin(admin.ModelAdmin):
    list_display = ["filename", "poll", "kind", "status", "row_count", "uploaded_at"]
    exclude = ["content"]
    readonly_fields = [f.name for f in PollImport._meta.fields if f.name != "content"]

    def has_add_permission(self, request):
        return False
