from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from inbox import views as inbox_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", inbox_views.home, name="home"),  # 我的待办 is the home page
    path("", include("accounts.urls")),
    path("inbox/", include("inbox.urls")),
    # Households and everything that hangs off them keep the /households/ prefix their bookmarks have.
    path("households/", include("households.urls")),
    path("households/", include("imports.urls")),
    path("households/", include("applications.urls")),
    path("households/", include("help.urls")),
    path("standards/", include("eligibility.urls")),
    path("ledgers/", include("ledgers.urls")),
    path("ledgers/", include("reports.urls")),
    path("benefits/", include("benefits.urls")),
    path("papers/", include("papers.urls")),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api_docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api_redoc"),
]


handler403 = "config.error_pages.permission_denied"
handler404 = "config.error_pages.page_not_found"
handler500 = "config.error_pages.server_error"
