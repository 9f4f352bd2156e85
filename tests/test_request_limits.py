"""Request bodies and form fields have limits on every endpoint (issue 20 item 3): over a limit the answer is a
413 / 400 naming the limit in Chinese (JSON under /api/), never a 500, and nothing is written."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from households.models import Household

pytestmark = pytest.mark.django_db


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=64 * 1024)
def test_api_json_body_over_the_limit_is_refused_413_json(client):
    # DRF reads the raw stream, so Django's own limit never applied to the API before this middleware.
    body = json.dumps({"members": [{"note": "x" * 1000} for _ in range(100)]})
    response = client.post("/api/v1/eligibility/evaluate", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {
        "errors": [{"field": "__all__", "message": "提交的内容过大（99 KB），上限为 64 KB"}]
    }


@override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=50)
def test_form_with_too_many_fields_is_refused_in_chinese(client, caseworker):
    client.force_login(caseworker)
    data = {f"f{i}": "1" for i in range(60)}
    response = client.post("/households/new/", data)
    assert response.status_code == 400
    assert response.content.decode() == "表单字段过多，上限为 50 个"
    assert not Household.objects.exists()


@override_settings(UPLOAD_MAX_BYTES=10 * 1024)
def test_multipart_upload_over_the_default_cap_is_refused(client, caseworker):
    client.force_login(caseworker)
    from django.core.files.uploadedfile import SimpleUploadedFile

    big = SimpleUploadedFile("ledger.xlsx", b"0" * 20 * 1024)
    response = client.post("/households/import/", {"file": big})
    assert response.status_code == 413
    assert "上限为 10 KB" in response.content.decode()


@override_settings(UPLOAD_MAX_BYTES=10 * 1024, EXTRACT_UPLOAD_MAX_BYTES=1024)
def test_the_extract_view_has_its_own_cap(client, county_officer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(county_officer)
    response = client.post("/ledgers/extracts/upload/", {"file": SimpleUploadedFile("a.csv", b"1" * 4096)})
    assert response.status_code == 413
    assert "上限为 1 KB" in response.content.decode()


def test_an_invalid_content_length_is_a_400_not_a_500(client):
    response = client.generic(
        "POST", "/api/v1/eligibility/evaluate", b"{}", content_type="application/json", CONTENT_LENGTH="abc"
    )
    assert response.status_code == 400
