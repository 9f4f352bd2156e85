"""Pages of the oversight reports, under /ledgers/reports/ where they have always been (config/urls.py)."""

from django.urls import path

from reports import views

urlpatterns = [
    path("reports/", views.report_view, {"kind": "custom"}, name="report"),
    path("reports/export.xlsx", views.report_export, {"kind": "custom"}, name="report_export"),
    path("reports/quarterly/", views.report_view, {"kind": "quarterly"}, name="report_quarterly"),
    path(
        "reports/quarterly/export.xlsx",
        views.report_export,
        {"kind": "quarterly"},
        name="report_quarterly_export",
    ),
    path("reports/half-year/", views.report_view, {"kind": "half"}, name="report_half"),
    path(
        "reports/half-year/export.xlsx",
        views.report_export,
        {"kind": "half"},
        name="report_half_export",
    ),
    path("reports/yearly/", views.report_view, {"kind": "yearly"}, name="report_yearly"),
    path(
        "reports/yearly/export.xlsx",
        views.report_export,
        {"kind": "yearly"},
        name="report_yearly_export",
    ),
]
