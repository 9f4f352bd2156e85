"""REST routes of help beyond money (leads reported by departments, the students list), under /api/v1/."""

from django.urls import path

from help import api

urlpatterns = [
    path("leads", api.LeadReportView.as_view(), name="api_lead_report"),
    path("lists/students", api.StudentListView.as_view(), name="api_student_list"),
]
