from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from common.errors import api_not_found
from config.api_docs import RedocView, SwaggerView
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
    path("api/docs/", SwaggerView.as_view(url_name="schema"), name="api_docs"),
    path("api/redoc/", RedocView.as_view(url_name="schema"), name="api_redoc"),
    # Last: whatever else lies under /api/ answers the JSON 404, not the HTML page or a slash redirect.
    re_path(r"^api/", api_not_found),
]


handler403 = "config.error_pages.permission_denied"
handler404 = "config.error_pages.page_not_found"
handler500 = "config.error_pages.server_error"
