"""Admin of help beyond money: leads, pairings, school records, charity offers and matches."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin import ReadOnlyAdmin
from help import models


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
