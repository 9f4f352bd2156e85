"""Admin of households and persons (history kept by simple-history)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from benefits.services.enrolments import household_enrolments_follow
from households.models import Household, Person


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
