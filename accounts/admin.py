from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import ApiClient, Event, Region, User


class ReadOnlyAdmin:
    """Workflow records (statuses, events, rolls, decisions, case files) are read in the admin, never written:
    every change goes through its service, which checks the step, writes the history with the acting user and
    the event row. A mixin placed before the ModelAdmin class."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AdminSetPasswordForm(AdminPasswordChangeForm):
    """A password an administrator sets must be changed by its user at the next login."""

    def save(self, commit=True):
        self.user.must_change_password = True
        return super().save(commit=commit)


@admin.register(User)
class StaffAdmin(UserAdmin, SimpleHistoryAdmin):
    change_password_form = AdminSetPasswordForm
    list_display = ("username", "full_name", "role", "region", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = UserAdmin.fieldsets + (
        ("岗位", {"fields": ("full_name", "role", "region", "must_change_password")}),
    )
    raw_id_fields = ("region",)

    def save_model(self, request, obj, form, change):
        if not change and obj.has_usable_password():  # created with a password the administrator chose
            obj.must_change_password = True
        super().save_model(request, obj, form, change)


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("at", "actor", "verb", "target_type", "target_id", "region_code")
    list_select_related = ("actor",)


@admin.register(ApiClient)
class ApiClientAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("name", "department", "region", "is_active")
    raw_id_fields = ("region",)
