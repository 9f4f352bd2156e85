from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cases import models
from cases.models import Household, Person
from cases.services.households import household_enrolments_follow


class PersonInline(admin.TabularInline):
    model = Person
    extra = 0
    fields = (
        "name",
        "id_number",
        "relation",
        "labor_capacity",
        "disability_grade",
        "disability_kind",
        "self_care",
        "has_able_supporter",
        "supporter_unable_reason",
    )


@admin.register(Household)
class HouseholdAdmin(SimpleHistoryAdmin):
    list_display = ("id", "community", "address", "housing")
    list_select_related = ("community",)
    raw_id_fields = ("community",)
    inlines = [PersonInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "community" in form.changed_data:
            household_enrolments_follow(
                household=obj
            )  # the enrolments' community_code moves with the household


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ("name", "relation", "household")
    search_fields = ("name", "id_number")
    raw_id_fields = ("household",)


@admin.register(models.Application)
class ApplicationAdmin(SimpleHistoryAdmin):
    list_display = ("id", "household", "category", "status", "due_on")
    list_filter = ("status", "category")
    raw_id_fields = ("household",)


@admin.register(models.ApplicationEvent)
class ApplicationEventAdmin(admin.ModelAdmin):
    list_display = ("at", "application", "step", "actor")
    list_select_related = ("actor",)
    raw_id_fields = ("application",)


@admin.register(models.StepLimit)
class StepLimitAdmin(admin.ModelAdmin):
    list_display = ("region", "step", "days")
    raw_id_fields = ("region",)


@admin.register(models.Lead)
class LeadAdmin(SimpleHistoryAdmin):
    list_display = ("id", "community", "source", "reason", "status", "visit_due_on")
    list_filter = ("status", "source", "reason")
    raw_id_fields = ("community", "household", "person", "application", "api_client")


@admin.register(models.Pairing)
class PairingAdmin(SimpleHistoryAdmin):
    list_display = ("id", "household", "helper_name", "helper_unit", "status")
    list_filter = ("status", "helper_kind")
    raw_id_fields = ("household",)


@admin.register(models.SchoolRecord)
class SchoolRecordAdmin(SimpleHistoryAdmin):
    list_display = ("id", "person", "school", "stage", "status")
    raw_id_fields = ("person",)


@admin.register(models.AidOffer)
class AidOfferAdmin(SimpleHistoryAdmin):
    list_display = ("id", "title", "provider_name", "kind", "region", "status")
    raw_id_fields = ("region",)


@admin.register(models.AidMatch)
class AidMatchAdmin(SimpleHistoryAdmin):
    list_display = ("id", "offer", "household", "status", "consent_on")
    raw_id_fields = ("offer", "household", "need")


@admin.register(models.EconomicCheck)
class EconomicCheckAdmin(admin.ModelAdmin):
    list_display = ("id", "application", "trigger", "run_at", "run_by", "members")
    list_filter = ("trigger",)
    raw_id_fields = ("application",)


@admin.register(models.EconomicContradiction)
class EconomicContradictionAdmin(SimpleHistoryAdmin):
    list_display = ("id", "check_run", "rule", "source", "status", "resolved_by")
    list_filter = ("rule", "status")
    raw_id_fields = ("check_run",)
