from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("households/", include("cases.urls")),
    path("standards/", include("eligibility.urls")),
    path("ledgers/", include("ledgers.urls")),
    path("benefits/", include("benefits.urls")),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file, so the page needs no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api_docs"),
    # Redoc writes its styles into <style> elements and renders in a blob: worker: allowed on this page only.
    path(
        "api/redoc/",
        csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]})(
            SpectacularRedocView.as_view(url_name="schema")
        ),
        name="api_redoc",
    ),
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
