"""HTML → PDF for the printed papers, with WeasyPrint (pango does the Chinese text layout and font fallback).

Static files are read from the project's static finders or STATIC_ROOT, never fetched over HTTP (the server
would be asking itself), and any other URL is refused: a paper's PDF contains only what the page links from
/static/.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse

BASE = "https://papers.invalid/"


def _static_path(url: str) -> Path:
    prefix = BASE + settings.STATIC_URL.lstrip("/")
    if not url.startswith(prefix):
        raise ValueError(f"PDF 只读取本系统的静态文件：{url}")
    name = url[len(prefix) :].split("?")[0]
    return Path(finders.find(name) or (Path(settings.STATIC_ROOT) / name))


def render_pdf(html: str) -> bytes:
    # Imported here: pango is loaded only when a PDF is made, not by every process that imports the views.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            path = _static_path(url)
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    return HTML(string=html, base_url=BASE, url_fetcher=StaticFetcher()).write_pdf()


def pdf_response(html: str, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "private, no-store"
    return response
