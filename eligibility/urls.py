from django.urls import path

from eligibility import views

urlpatterns = [
    path("", views.standard_list, name="standard_list"),
    path("new/", views.standard_edit, name="standard_create"),
    path("<int:pk>/edit/", views.standard_edit, name="standard_edit"),
    path("whatif/", views.standard_whatif, name="standard_whatif"),
    path("whatif/export/", views.standard_whatif_export, name="standard_whatif_export"),
]
