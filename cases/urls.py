from django.urls import path

from cases import views
from cases import views_applications as app_views
from cases import views_exports as export_views
from cases import views_help as help_views
from cases import views_import as import_views

urlpatterns = [
    path("", views.household_list, name="household_list"),
    path("export.xlsx", export_views.household_export, name="household_export"),
    path("new/", views.household_edit, name="household_create"),
    path("<int:pk>/", views.household_detail, name="household_detail"),
    path("<int:pk>/edit/", views.household_edit, name="household_edit"),
    # Import from an office's Excel ledger: template, upload, preview, confirm (all or nothing), progress.
    path("import/", import_views.import_home, name="import_home"),
    path("import/template/", import_views.import_template, name="import_template"),
    path("import/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("import/<int:pk>/status/", import_views.import_status, name="import_status"),
    path(
        "import/<int:pk>/confirm/", import_views.import_decide, {"action": "confirm"}, name="import_confirm"
    ),
    path(
        "import/<int:pk>/discard/", import_views.import_decide, {"action": "discard"}, name="import_discard"
    ),
    path("import/<int:pk>/retry/", import_views.import_decide, {"action": "retry"}, name="import_retry"),
    path(
        "import/<int:pk>/abandon/", import_views.import_decide, {"action": "abandon"}, name="import_abandon"
    ),
    # Applications (救助申请): intake → visit → 民主评议 → street review → notice → county decision.
    path("applications/", app_views.application_list, name="application_list"),
    path("applications/export.xlsx", export_views.application_export, name="application_export"),
    path("applications/limits/", app_views.step_limits, name="application_step_limits"),
    path("applications/new/<int:household_pk>/", app_views.application_intake, name="application_intake"),
    path("applications/<int:pk>/", app_views.application_detail, name="application_detail"),
    path("applications/<int:pk>/visit/", app_views.application_visit, name="application_visit"),
    path("applications/<int:pk>/review/", app_views.application_review, name="application_review"),
    path("applications/<int:pk>/street/", app_views.application_street, name="application_street"),
    path("applications/<int:pk>/notice/", app_views.application_notice, name="application_notice"),
    path("applications/<int:pk>/objection/", app_views.application_objection, name="application_objection"),
    path("applications/<int:pk>/county/", app_views.application_county, name="application_county"),
    path("applications/<int:pk>/check/", app_views.application_check_run, name="application_check_run"),
    path(
        "applications/<int:pk>/check/objection/",
        app_views.application_check_objection,
        name="application_check_objection",
    ),
    path(
        "applications/<int:pk>/check/<int:contradiction_id>/explain/",
        app_views.application_check_explain,
        name="application_check_explain",
    ),
    path("applications/<int:pk>/letter/", app_views.application_letter, name="application_letter"),
    path(
        "applications/<int:pk>/documents/",
        app_views.application_document_add,
        name="application_document_add",
    ),
    path(
        "applications/<int:pk>/documents/<int:doc_id>/",
        app_views.document_download,
        name="application_document",
    ),
]

# Help beyond money (五(二), 五(四), 五(八), 六(二), 六(三)): leads, pairings, job help, students, charity.
urlpatterns += [
    path("leads/", help_views.lead_list, name="lead_list"),
    path("leads/export.xlsx", export_views.lead_export, name="lead_export"),
    path("leads/new/", help_views.lead_create, name="lead_create"),
    path("leads/<int:pk>/", help_views.lead_detail, name="lead_detail"),
    path("leads/<int:pk>/visit/", help_views.lead_visit, name="lead_visit"),
    path("leads/<int:pk>/link/", help_views.lead_link, name="lead_link"),
    path("leads/<int:pk>/apply/", help_views.lead_apply, name="lead_apply"),
    path("leads/<int:pk>/close/", help_views.lead_close, name="lead_close"),
    path("pairings/", help_views.pairing_list, name="pairing_list"),
    path("pairings/export.xlsx", export_views.pairing_export, name="pairing_export"),
    path("pairings/new/<int:household_pk>/", help_views.pairing_create, name="pairing_create"),
    path("pairings/<int:pk>/", help_views.pairing_detail, name="pairing_detail"),
    path("pairings/<int:pk>/visit/", help_views.pairing_visit, name="pairing_visit"),
    path("pairings/<int:pk>/end/", help_views.pairing_end, name="pairing_end"),
    path("jobs/", help_views.job_list, name="job_list"),
    path("jobs/export.xlsx", export_views.job_export, name="job_export"),
    path("jobs/person/<int:person_pk>/", help_views.job_person, name="job_person"),
    path("jobs/person/<int:person_pk>/start/", help_views.job_start, name="job_start"),
    path("jobs/person/<int:person_pk>/end/", help_views.job_end, name="job_end"),
    path("jobs/person/<int:person_pk>/support/", help_views.job_support, name="job_support"),
    path("students/", help_views.student_list, name="student_list"),
    path("students/export.xlsx", export_views.student_export, name="student_export"),
    path("students/person/<int:person_pk>/", help_views.student_edit, name="student_edit"),
    path("students/<int:pk>/", help_views.student_detail, name="student_detail"),
    path("students/<int:pk>/aid/", help_views.student_aid, name="student_aid"),
    path("charity/", help_views.charity_home, name="charity_home"),
    path("charity/public/", help_views.charity_public, name="charity_public"),
    path("charity/needs/", help_views.need_list, name="need_list"),
    path("charity/needs/export.xlsx", export_views.need_export, name="need_export"),
    path("charity/needs/new/<int:household_pk>/", help_views.need_create, name="need_create"),
    path("charity/needs/<int:pk>/withdraw/", help_views.need_withdraw, name="need_withdraw"),
    path("charity/matches/", help_views.match_list, name="match_list"),
    path("charity/matches/export.xlsx", export_views.match_export, name="match_export"),
    path("charity/matches/<int:pk>/deliver/", help_views.match_deliver, name="match_deliver"),
    path("charity/matches/<int:pk>/cancel/", help_views.match_cancel, name="match_cancel"),
    path("charity/offers/new/", help_views.offer_create, name="offer_create"),
    path("charity/offers/<int:pk>/", help_views.offer_detail, name="offer_detail"),
    path("charity/offers/<int:pk>/close/", help_views.offer_close, name="offer_close"),
    path("charity/offers/<int:pk>/match/", help_views.offer_match, name="offer_match"),
]
