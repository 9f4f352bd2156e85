from django.urls import path

from cases import api, api_help, api_persons

urlpatterns = [
    path("applications", api.ApplicationList.as_view(), name="api_application_list"),
    path("applications/<int:pk>", api.ApplicationDetail.as_view(), name="api_application_detail"),
    path("applications/<int:pk>/events", api.ApplicationEvents.as_view(), name="api_application_events"),
    path("persons/<str:id_number>", api_persons.PersonLookupView.as_view(), name="api_person_lookup"),
    path("leads", api_help.LeadReportView.as_view(), name="api_lead_report"),
    path("lists/students", api_help.StudentListView.as_view(), name="api_student_list"),
]
