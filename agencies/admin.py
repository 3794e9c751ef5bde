from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Agency, AuditEntry, RoleAssignment, User
from .services import agency_refresh_paths, audit_record


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 1
    autocomplete_fields = ["agency"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "affiliation_type", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "role_assignments__role", "affiliation_type"]
    search_fields = ["email", "full_name", "affiliation"]
    inlines = [RoleAssignmentInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "affiliation_type", "affiliation")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "agency_type", "parent", "is_active"]
    list_filter = ["agency_type", "is_competent_authority", "is_active"]
    search_fields = ["code", "name_zh", "name_en"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "parent" not in form.changed_data:
            audit_record(actor=request.user, action="agency.update", obj=obj)
            return
        agency_refresh_paths(obj)
        audit_record(
            actor=request.user, action="agency.update" if change else "agency.create", obj=obj
        )


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "object_repr", "from_state", "to_state"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "reason", "actor__email"]
    list_select_related = ["actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
