"""Admin of the economic checks at intake and their contradictions."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin import ReadOnlyAdmin
from economic_check import models


@admin.register(models.EconomicCheck)
class EconomicCheckAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("id", "application", "trigger", "run_at", "run_by", "members")
    list_filter = ("trigger",)
    raw_id_fields = ("application",)


@admin.register(models.EconomicContradiction)
class EconomicContradictionAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("id", "check_run", "rule", "source", "status", "resolved_by")
    list_filter = ("rule", "status")
    raw_id_fields = ("check_run",)
