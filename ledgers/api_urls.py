from django.urls import path

from ledgers import api

urlpatterns = [
    path("ledgers/extracts", api.ExtractListCreate.as_view(), name="api_ledger_extracts"),
    path("ledgers/extracts/<int:pk>", api.ExtractDetail.as_view(), name="api_ledger_extract_detail"),
    path("ledgers/extracts/<int:pk>/errors", api.ExtractErrors.as_view(), name="api_ledger_extract_errors"),
    path(
        "ledgers/extracts/<int:pk>/load",
        api.ExtractLoad.as_view(),
        name="api_ledger_extract_load",
    ),
    path(
        "ledgers/extracts/<int:pk>/discard",
        api.ExtractDiscard.as_view(),
        name="api_ledger_extract_discard",
    ),
    path("ledgers/findings", api.FindingList.as_view(), name="api_ledger_findings"),
]
