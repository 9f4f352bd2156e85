"""The floor of bench_lookup.py: the product's WSGI application plus one bare DRF endpoint on the same tables.

gunicorn loads this module (`lookup_floor:application`, with bench/ on the path) instead of config.wsgi, so the
product's lookup (/api/v1/persons/<id>) and the floor (/bench/floor/persons/<id>) are served by the same
workers. The floor is what the lookup would cost with nothing around it: a static token compared in memory, no
throttle, no access log, the same coverage statement (benefits.selectors._COVERAGE, province-wide) and the
same response body. Never part of the product: only the benchmark starts it.
"""

from __future__ import annotations

import hmac
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.urls import include, path  # noqa: E402
from rest_framework import exceptions  # noqa: E402
from rest_framework.authentication import BaseAuthentication  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402

from applications.models import CATEGORY_SHORT_LABELS  # noqa: E402
from benefits.selectors import _COVERAGE, COVERED_STATUSES  # noqa: E402

TOKEN = os.environ.get("BENCH_FLOOR_TOKEN", "bench-floor-token")


class StaticToken(BaseAuthentication):
    def authenticate(self, request):
        if not hmac.compare_digest(request.META.get("HTTP_AUTHORIZATION", ""), f"Token {TOKEN}"):
            raise exceptions.AuthenticationFailed("bad token")
        return (None, TOKEN)


class FloorLookup(APIView):
    authentication_classes = [StaticToken]
    permission_classes: list = []
    throttle_classes: list = []

    def get(self, request, id_number: str):
        with connection.cursor() as cursor:
            cursor.execute(_COVERAGE, [id_number, *COVERED_STATUSES, "%"])
            row = cursor.fetchone()
        if row is None:
            body = {"id_number": id_number, "covered": False, "category": None}
            body |= {"category_label": None, "since": None, "region": None}
        else:
            category, since, community = row
            body = {"id_number": id_number, "covered": True, "category": category}
            body |= {
                "category_label": CATEGORY_SHORT_LABELS.get(category),
                "since": since.isoformat(),
                "region": community[:6],
            }
        response = Response(body)
        response["Cache-Control"] = "no-store"
        return response


urlpatterns = [
    path("bench/floor/persons/<str:id_number>", FloorLookup.as_view()),
    path("", include(settings.ROOT_URLCONF)),
]
settings.ROOT_URLCONF = __name__
