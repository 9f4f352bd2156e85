"""Admin of households and persons (history kept by simple-history)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin import ReadOnlyAdmin
from households.models import Household, Person


class PersonInline(ReadOnlyAdmin, admin.TabularInline):
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
