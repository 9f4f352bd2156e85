from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
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


@admin.register(User)
class StaffAdmin(UserAdmin, SimpleHistoryAdmin):
    list_display = ("username", "full_name", "role", "region", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = UserAdmin.fieldsets + (("岗位", {"fields": ("full_name", "role", "region")}),)
    raw_id_fields = ("region",)


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
