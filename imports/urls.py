"""Pages of the household import from an office's Excel ledger: template, upload, preview, confirm (all or
nothing), progress — under /households/import/ (config/urls.py), where they have always been."""

from django.urls import path

from imports import views

urlpatterns = [
    path("import/", views.import_home, name="import_home"),
    path("import/template/", views.import_template, name="import_template"),
    path("import/<int:pk>/", views.import_detail, name="import_detail"),
    path("import/<int:pk>/status/", views.import_status, name="import_status"),
    path(
        "import/<int:pk>/errors.xlsx",
        views.import_issues_export,
        {"ext": "xlsx"},
        name="import_issues_export",
    ),
    path("import/<int:pk>/errors.csv", views.import_issues_export, {"ext": "csv"}, name="import_issues_csv"),
    path("import/<int:pk>/confirm/", views.import_decide, {"action": "confirm"}, name="import_confirm"),
    path("import/<int:pk>/discard/", views.import_decide, {"action": "discard"}, name="import_discard"),
    path("import/<int:pk>/retry/", views.import_decide, {"action": "retry"}, name="import_retry"),
    path("import/<int:pk>/abandon/", views.import_decide, {"action": "abandon"}, name="import_abandon"),
]
