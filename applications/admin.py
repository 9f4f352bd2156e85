"""Admin of applications, their events and the step time limits."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin import ReadOnlyAdmin
from applications import models


@admin.register(models.Application)
class ApplicationAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("id", "household", "category", "status", "due_on")
    list_filter = ("status", "category")
    raw_id_fields = ("household",)


@admin.register(models.ApplicationEvent)
class ApplicationEventAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("at", "application", "step", "actor")
    list_select_related = ("actor",)
    raw_id_fields = ("application",)


@admin.register(models.StepLimit)
class StepLimitAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("region", "step", "days")
    raw_id_fields = ("region",)
