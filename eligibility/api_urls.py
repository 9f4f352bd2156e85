from django.urls import path

from eligibility.api import EffectiveStandardView, EvaluateView, StandardListView

app_name = "eligibility_api"

urlpatterns = [
    path("evaluate", EvaluateView.as_view(), name="evaluate"),
    path("standards", StandardListView.as_view(), name="standards"),
    path("standards/effective", EffectiveStandardView.as_view(), name="standards_effective"),
]
