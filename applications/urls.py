"""Pages of applications (救助申请): intake → visit → 民主评议 → street review → notice → county decision,
under /households/applications/ (config/urls.py), where they have always been."""

from django.urls import path

from applications import views

urlpatterns = [
    path("applications/", views.application_list, name="application_list"),
    path("applications/export.xlsx", views.application_export, name="application_export"),
    path("applications/limits/", views.step_limits, name="application_step_limits"),
    path("applications/new/<int:household_pk>/", views.application_intake, name="application_intake"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/visit/", views.application_visit, name="application_visit"),
    path("applications/<int:pk>/review/", views.application_review, name="application_review"),
    path("applications/<int:pk>/street/", views.application_street, name="application_street"),
    path("applications/<int:pk>/notice/", views.application_notice, name="application_notice"),
    path("applications/<int:pk>/objection/", views.application_objection, name="application_objection"),
    path("applications/<int:pk>/county/", views.application_county, name="application_county"),
    path("applications/<int:pk>/check/", views.application_check_run, name="application_check_run"),
    path(
        "applications/<int:pk>/check/objection/",
        views.application_check_objection,
        name="application_check_objection",
    ),
    path(
        "applications/<int:pk>/check/<int:contradiction_id>/explain/",
        views.application_check_explain,
        name="application_check_explain",
    ),
    path("applications/<int:pk>/letter/", views.application_letter, name="application_letter"),
    path(
        "applications/<int:pk>/documents/",
        views.application_document_add,
        name="application_document_add",
    ),
    path(
        "applications/<int:pk>/documents/<int:doc_id>/",
        views.document_download,
        name="application_document",
    ),
]
