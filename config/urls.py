from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
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


def server_error(request):
    """A crash still answers the API's one error format; pages get the plain Chinese page."""
    from django.http import HttpResponseServerError, JsonResponse

    if request.path.startswith("/api/"):
        return JsonResponse(
            {"errors": [{"field": "__all__", "message": "服务器内部错误，已记录，请稍后重试"}]}, status=500
        )
    return HttpResponseServerError("<h1>服务器内部错误</h1><p>已记录，请稍后重试或联系管理员。</p>")


handler500 = server_error
