from django.urls import path

from cases import views
from cases import views_applications as app_views

urlpatterns = [
    path("", views.household_list, name="household_list"),
    path("new/", views.household_edit, name="household_create"),
    path("<int:pk>/", views.household_detail, name="household_detail"),
    path("<int:pk>/edit/", views.household_edit, name="household_edit"),
    # Applications (救助申请): intake → visit → 民主评议 → street review → notice → county decision.
    path("applications/", app_views.application_list, name="application_list"),
    path("applications/limits/", app_views.step_limits, name="application_step_limits"),
    path("applications/new/<int:household_pk>/", app_views.application_intake, name="application_intake"),
    path("applications/<int:pk>/", app_views.application_detail, name="application_detail"),
    path("applications/<int:pk>/visit/", app_views.application_visit, name="application_visit"),
    path("applications/<int:pk>/review/", app_views.application_review, name="application_review"),
    path("applications/<int:pk>/street/", app_views.application_street, name="application_street"),
    path("applications/<int:pk>/notice/", app_views.application_notice, name="application_notice"),
    path("applications/<int:pk>/objection/", app_views.application_objection, name="application_objection"),
    path("applications/<int:pk>/county/", app_views.application_county, name="application_county"),
    path("applications/<int:pk>/letter/", app_views.application_letter, name="application_letter"),
    path("applications/<int:pk>/documents/", app_views.application_document_add, name="application_document_add"),
    path("applications/<int:pk>/documents/<int:doc_id>/", app_views.document_download,
         name="application_document"),
]
