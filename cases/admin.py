from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin import ReadOnlyAdmin
from cases import models
from cases.models import Household, Person


class PersonInline(ReadOnlyAdmin, admin.TabularInline):
    model = Person
    extra = 0
    fields = ("name", "id_number", "relation", "labor_capacity", "disability_grade", "self_care")


@admin.register(Household)
class HouseholdAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("id", "community", "address", "housing")
    list_select_related = ("community",)
    raw_id_fields = ("community",)
    inlines = [PersonInline]


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("name", "relation", "household")
    search_fields = ("name", "id_number")
    raw_id_fields = ("household",)


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


@admin.register(models.Lead)
class LeadAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("id", "community", "source", "reason", "status", "visit_due_on")
    list_filter = ("status", "source", "reason")
    raw_id_fields = ("community", "household", "person", "application", "api_client")


@admin.register(models.Pairing)
class PairingAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("id", "household", "helper_name", "helper_unit", "status")
    list_filter = ("status", "helper_kind")
    raw_id_fields = ("household",)


@admin.register(models.SchoolRecord)
class SchoolRecordAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("id", "person", "school", "stage", "status")
    raw_id_fields = ("person",)


@admin.register(models.AidOffer)
class AidOfferAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("id", "title", "provider_name", "kind", "region", "status")
    raw_id_fields = ("region",)


@admin.register(models.AidMatch)
class AidMatchAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("id", "offer", "household", "status", "consent_on")
    raw_id_fields = ("offer", "household", "need")


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
