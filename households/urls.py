"""Pages of households and persons, under /households/ (config/urls.py)."""

from django.urls import path

from households import views

urlpatterns = [
    path("", views.household_list, name="household_list"),
    path("export.xlsx", views.household_export, name="household_export"),
    path("members.xlsx", views.member_export, name="member_export"),
    path("new/", views.household_edit, name="household_create"),
    path("<int:pk>/", views.household_detail, name="household_detail"),
    path("<int:pk>/edit/", views.household_edit, name="household_edit"),
]
