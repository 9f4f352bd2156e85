from django.urls import path

from eligibility.api import EvaluateView

app_name = "eligibility_api"

urlpatterns = [
    path("evaluate", EvaluateView.as_view(), name="evaluate"),
]
