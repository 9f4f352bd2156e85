from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cases import models
from cases.models import Household, Person


class PersonInline(admin.TabularInline):
    model = Person
    extra = 0
    fields = ("name", "id_number", "relation", "labor_capacity", "disability_grade", "self_care")


@admin.register(Household)
class HouseholdAdmin(SimpleHistoryAdmin):
    list_display = ("id", "community", "address", "housing")
    list_select_related = ("community",)
    raw_id_fields = ("community",)
    inlines = [PersonInline]


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
