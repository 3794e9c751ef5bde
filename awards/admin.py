from django.contrib import admin

from .models import AwardScheme, Category, Edition, Stage


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
