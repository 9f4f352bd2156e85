"""The API reference pages (Swagger UI, Redoc) from drf-spectacular-sidecar's static files, with a
Content-Security-Policy that keeps the browser on this server: Redoc's bundle would otherwise fetch its
maker's logo from cdn.redoc.ly, and nothing on these pages may load from a CDN."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; worker-src 'self' blob:; connect-src 'self'; font-src 'self' data:"
)


class _SameOrigin:
    @extend_schema(exclude=True)  # pages about the API, not part of it
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = POLICY
        return response


class SwaggerView(_SameOrigin, SpectacularSwaggerSplitView):  # its start-up script is a file, not inline
    pass


class RedocView(_SameOrigin, SpectacularRedocView):
    pass
