from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import ApiClient, Event, Region, User


@admin.register(User)
class StaffAdmin(UserAdmin, SimpleHistoryAdmin):
    list_display = ("username", "full_name", "role", "region", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = UserAdmin.fieldsets + (("岗位", {"fields": ("full_name", "role", "region")}),)
    raw_id_fields = ("region",)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "verb", "target_type", "target_id", "region_code")
    list_select_related = ("actor",)


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ("name", "department", "region", "is_active")
    raw_id_fields = ("region",)
