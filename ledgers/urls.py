"""Pages of department extracts, reconciliation runs, findings and review tasks, under /ledgers/."""

from django.urls import path

from ledgers import views

urlpatterns = [
    path("", views.home, name="ledger_home"),
    path("extracts/", views.extract_list, name="ledger_extracts"),
    path("extracts/upload/", views.extract_upload_view, name="ledger_extract_upload"),
    path("extracts/<int:pk>/", views.extract_detail, name="ledger_extract_detail"),
    path("extracts/<int:pk>/status/", views.extract_status, name="ledger_extract_status"),
    path("extracts/<int:pk>/load/", views.extract_decide, {"action": "load"}, name="ledger_extract_load"),
    path(
        "extracts/<int:pk>/discard/",
        views.extract_decide,
        {"action": "discard"},
        name="ledger_extract_discard",
    ),
    path("extracts/<int:pk>/retry/", views.extract_unstick, {"action": "retry"}, name="ledger_extract_retry"),
    path(
        "extracts/<int:pk>/abandon/",
        views.extract_unstick,
        {"action": "abandon"},
        name="ledger_extract_abandon",
    ),
    path("runs/", views.run_list, name="ledger_runs"),
    path("runs/start/", views.run_start_view, name="ledger_run_start"),
    path("runs/<int:pk>/", views.run_detail, name="ledger_run_detail"),
    path("runs/<int:pk>/progress/", views.run_progress, name="ledger_run_progress"),
    path("runs/<int:pk>/restart/", views.run_restart_view, name="ledger_run_restart"),
    path("runs/<int:pk>/abandon/", views.run_abandon_view, name="ledger_run_abandon"),
    path("runs/<int:pk>/findings/", views.run_findings, name="ledger_run_findings"),
    path("runs/<int:pk>/export.xlsx", views.run_export, name="ledger_run_export"),
    path("findings/<int:pk>/", views.finding_detail, name="ledger_finding_detail"),
    path("tasks/", views.task_list, name="ledger_tasks"),
    path("tasks/export.xlsx", views.task_export, name="ledger_task_export"),
]
