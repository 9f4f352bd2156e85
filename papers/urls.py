"""URLs of the printed papers: each paper as a print page and, with /pdf/, as a PDF download."""

from django.urls import path

from papers import views

urlpatterns = [
    path("public-notice/", views.public_notice, name="public_notice"),
    path("public-notice/pdf/", views.public_notice, {"pdf": True}, name="public_notice_pdf"),
    path("applications/<int:pk>/", views.application_papers, name="application_papers"),
    path("applications/<int:pk>/notices/", views.notice_issue, name="notice_issue"),
    path("applications/<int:pk>/<str:paper>/", views.application_form, name="application_form"),
    path(
        "applications/<int:pk>/<str:paper>/pdf/",
        views.application_form,
        {"pdf": True},
        name="application_form_pdf",
    ),
    path("notices/<int:pk>/", views.notice_print, name="notice_print"),
    path("notices/<int:pk>/pdf/", views.notice_print, {"pdf": True}, name="notice_print_pdf"),
]
