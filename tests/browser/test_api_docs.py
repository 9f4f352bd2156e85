"""The API reference pages (Swagger UI and Redoc) render in Debian's chromium from our own static files:
every request the page makes goes to this server, none to a CDN or any other host."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("path", "rendered"),
    [
        ("/api/docs/", '.swagger-ui .opblock-summary-path[data-path="/api/v1/persons/{id_number}"]'),
        ("/api/redoc/", 'h2:has-text("人员救助状态查询 / Is this person covered")'),
    ],
)
def test_api_reference_loads_nothing_from_outside_this_server(browser_page, live_server, path, rendered):
    page = browser_page
    requested: list[str] = []
    blocked: dict[str, str] = {}
    page.on("request", lambda request: requested.append(request.url))
    page.on("requestfailed", lambda request: blocked.update({request.url: request.failure or ""}))
    response = page.goto(live_server.url + path)
    assert "default-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(rendered)
    page.wait_for_load_state("networkidle")
    here = (live_server.url + "/", f"blob:{live_server.url}/")
    outside = [url for url in requested if not url.startswith(here)]
    # Redoc's bundle asks for its maker's logo from cdn.redoc.ly: the page's CSP stops it in the browser, so
    # it never leaves the host. (Without network a CDN request would fail anyway; only the CSP block counts.)
    assert {url: blocked.get(url) for url in outside} == {url: "csp" for url in outside}
    assert set(outside) <= {"https://cdn.redoc.ly/redoc/logo-mini.svg"}
    assert live_server.url + "/api/schema/" in requested
    assert any("/static/drf_spectacular_sidecar/" in url for url in requested)
