"""The API reference pages (Swagger UI and Redoc) render in Debian's chromium from our own static files:
every request the page makes goes to this server, none to a CDN or any other host."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("path", "rendered"),
    [
        ("/api/docs/", ".swagger-ui .opblock-summary-path >> text=/api/v1/persons/{id_number}"),
        ("/api/redoc/", "text=人员救助状态查询 / Is this person covered"),
    ],
)
def test_api_reference_loads_nothing_from_outside_this_server(browser_page, live_server, path, rendered):
    page = browser_page
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(live_server.url + path)
    page.wait_for_selector(rendered)
    page.wait_for_load_state("networkidle")
    outside = [url for url in requested if not url.startswith(live_server.url + "/")]
    assert outside == []
    assert live_server.url + "/api/schema/" in requested
    assert any("/static/drf_spectacular_sidecar/" in url for url in requested)
