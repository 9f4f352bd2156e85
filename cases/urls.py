from django.urls import path

from cases import views

urlpatterns = [
    path("", views.household_list, name="household_list"),
    path("new/", views.household_edit, name="household_create"),
    path("<int:pk>/", views.household_detail, name="household_detail"),
    path("<int:pk>/edit/", views.household_edit, name="household_edit"),
]
