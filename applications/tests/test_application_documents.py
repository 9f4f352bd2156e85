"""Uploaded documents: only real PDF/JPG/PNG files of at most 10 MB with plain names are kept, under
generated names outside the web root, and only users whose scope holds the household can fetch them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.models import Application, Document
from applications.services import documents as documents_service
from applications.tests.factories import (
    FAST_HASHERS,
    JPG,
    PDF,
    PNG,
    TODAY,
    RawUpload,
    application_at,
    pdf,
    standard_make,
)
from config.errors import ServiceError
from conftest import HOME_COMMUNITY, HOME_COMMUNITY_2
from households.tests.factories import household_make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = FAST_HASHERS
    standard_make(year=2018)


def stored_files(root) -> list[str]:
    return sorted(p.name for p in (root / "documents").glob("*")) if (root / "documents").exists() else []


@pytest.mark.parametrize(
    "name,content,stored_ext,content_type",
    [
        ("户口簿.pdf", PDF, ".pdf", "application/pdf"),
        ("收入证明.PDF", PDF, ".pdf", "application/pdf"),
        ("残疾证.png", PNG, ".png", "image/png"),
        ("医疗票据.jpg", JPG, ".jpg", "image/jpeg"),
        ("医疗票据2.jpeg", JPG, ".jpg", "image/jpeg"),
        ("scan 2018-06-01 (1).pdf", PDF, ".pdf", "application/pdf"),
    ],
)
def test_real_files_are_accepted_and_stored_under_a_generated_name(
    tmp_path, name, content, stored_ext, content_type
):
    checked = documents_service.document_check(
        upload=SimpleUploadedFile(name, content, content_type="text/html")
    )
    assert (checked.original_name, checked.stored_ext, checked.content_type) == (
        name,
        stored_ext,
        content_type,
    )
    stored_name, sha = documents_service.document_write(checked=checked)
    assert documents_service.STORED_NAME.match(stored_name) and stored_name.endswith(stored_ext)
    assert (tmp_path / "documents" / stored_name).read_bytes() == content
    assert len(sha) == 64


@pytest.mark.parametrize(
    "name,content,code,message",
    [
        ("病历.exe", b"MZ\x90\x00", "bad_type", "只接受 PDF、JPG、PNG 格式的材料"),
        ("照片.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "bad_type", "只接受 PDF、JPG、PNG"),
        ("page.html", b"<html><script>alert(1)</script>", "bad_type", "只接受 PDF、JPG、PNG"),
        ("证明.pdf.exe", b"%PDF-1.4", "bad_type", "只接受 PDF、JPG、PNG"),
        ("无扩展名", PDF, "bad_type", "只接受 PDF、JPG、PNG"),
        ("伪装.pdf", b"<html><script>alert(1)</script>", "bad_content", "文件内容与扩展名.pdf不符"),
        ("伪装.png", JPG, "bad_content", "文件内容与扩展名.png不符"),
        ("伪装.jpg", PNG, "bad_content", "不是有效的JPG文件"),
        ("空文件.pdf", b"", "empty", "文件为空"),
        ("../../etc/passwd.pdf", PDF, "bad_name", "路径分隔符"),
        ("/etc/cron.d/x.pdf", PDF, "bad_name", "路径分隔符"),
        ("..\\..\\windows\\x.pdf", PDF, "bad_name", "路径分隔符"),
        ("a..pdf", PDF, "bad_name", "不能包含“..”"),
        ("..", PDF, "bad_name", "不能包含“..”"),
        ("x\x00.pdf", PDF, "bad_name", "控制字符"),
        ("x\n.pdf", PDF, "bad_name", "控制字符"),
        ("\u202efdp.exe.pdf", PDF, "bad_name", "控制字符"),  # right-to-left override disguises the name
        (".htaccess.pdf", PDF, "bad_name", "不能以“.”开头"),
        ("", PDF, "bad_name", "文件名为空"),
        ("长" * 201 + ".pdf", PDF, "bad_name", "文件名过长"),
    ],
)
def test_bad_uploads_are_refused_before_anything_is_written(tmp_path, name, content, code, message):
    with pytest.raises(ServiceError) as exc:
        documents_service.document_check(upload=RawUpload(name, content), field="documents[0].file")
    assert exc.value.code == code and message in exc.value.message
    assert exc.value.errors[0]["field"] == "documents[0].file"
    assert stored_files(tmp_path) == []


def test_too_large_is_refused(settings, tmp_path):
    settings.DOCUMENT_MAX_BYTES = 1024
    with pytest.raises(ServiceError, match="文件过大") as exc:
        documents_service.document_check(upload=RawUpload("大.pdf", PDF + b"0" * 1024))
    assert exc.value.code == "too_large"
    documents_service.document_check(upload=RawUpload("刚好.pdf", PDF + b"0" * (1024 - len(PDF))))


def test_the_default_limit_is_ten_megabytes(tmp_path):
    with pytest.raises(ServiceError, match="不超过 10 MB"):
        documents_service.document_check(upload=RawUpload("大.pdf", PDF + b"0" * (10 * 1024 * 1024)))


def test_a_file_larger_than_it_claimed_is_refused_while_writing(settings, tmp_path):
    settings.DOCUMENT_MAX_BYTES = 1024
    upload = RawUpload("谎报.pdf", PDF + b"0" * 5000)
    upload.size = 100
    checked = documents_service.document_check(upload=upload)
    with pytest.raises(ServiceError, match="文件过大"):
        documents_service.document_write(checked=checked)
    assert stored_files(tmp_path) == []


@pytest.mark.parametrize(
    "stored_name", ["../../etc/passwd", "x.pdf", "0" * 32 + ".exe", "0" * 32 + ".pdf/.."]
)
def test_only_generated_names_map_to_a_path(stored_name):
    with pytest.raises(ServiceError):
        documents_service.document_path(stored_name)


# ------------------------------------------------------------------------------------------------
# Through the pages


def intake_data(**files) -> dict:
    data = {
        "category": "dibao",
        "reasons": "因病致贫",
        "check_authorised": "on",
        "residence_basis": "hukou",
        "check_authorised_on": "2018-06-01",
    }
    data.update(files)
    return data


@pytest.fixture
def household():
    return household_make(community_id=HOME_COMMUNITY, members=2)


def test_intake_page_stores_the_document_and_lists_it(client, caseworker, household, tmp_path):
    client.force_login(caseworker)
    response = client.post(
        reverse("application_intake", args=[household.pk]),
        intake_data(
            doc_kind_1="id_card",
            doc_file_1=SimpleUploadedFile("身份证.pdf", PDF, content_type="text/plain"),
            doc_kind_2="disability",
            doc_file_2=SimpleUploadedFile("残疾证.png", PNG, content_type="image/png"),
        ),
    )
    application = Application.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "application_detail", args=[application.pk]
    )
    kinds = {d.kind: (d.original_name, d.content_type) for d in application.documents.all()}
    assert kinds == {"id_card": ("身份证.pdf", "application/pdf"), "disability": ("残疾证.png", "image/png")}
    assert sorted(stored_files(tmp_path)) == sorted(d.stored_name for d in application.documents.all())
    body = client.get(response.url).content.decode()
    assert "身份证.pdf" in body and "残疾证.png" in body


@pytest.mark.parametrize(
    "upload,message",
    [
        (
            SimpleUploadedFile("病毒.exe", b"MZ\x90\x00", content_type="application/pdf"),
            "只接受 PDF、JPG、PNG",
        ),
        (
            SimpleUploadedFile("伪装.pdf", b"<html>", content_type="application/pdf"),
            "文件内容与扩展名.pdf不符",
        ),
        (SimpleUploadedFile("空.pdf", b"", content_type="application/pdf"), "文件为空"),
    ],
)
def test_intake_page_refuses_a_bad_upload_and_saves_nothing(
    client, caseworker, household, tmp_path, upload, message
):
    client.force_login(caseworker)
    response = client.post(
        reverse("application_intake", args=[household.pk]),
        intake_data(doc_kind_1="income", doc_file_1=upload),
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["doc_file_1"])
    assert not Application.objects.exists() and not Document.objects.exists()
    assert stored_files(tmp_path) == []


def test_intake_page_refuses_a_too_large_upload(client, caseworker, household, settings, tmp_path):
    settings.DOCUMENT_MAX_BYTES = 2048
    client.force_login(caseworker)
    response = client.post(
        reverse("application_intake", args=[household.pk]),
        intake_data(doc_kind_1="medical", doc_file_1=SimpleUploadedFile("票据.pdf", PDF + b"0" * 4096)),
    )
    assert "文件过大" in " ".join(response.context["form"].errors["doc_file_1"])
    assert not Application.objects.exists() and stored_files(tmp_path) == []


def test_a_path_in_the_uploaded_name_never_reaches_the_disk(client, caseworker, household, tmp_path):
    """Django's parser already cuts directories from the name; the service refuses what is left of a trick,
    and the file is stored under a generated name in any case."""
    client.force_login(caseworker)
    upload = SimpleUploadedFile("x.pdf", PDF)
    upload.name = "../../../../tmp/evil.pdf"  # UploadedFile strips it; the multipart parser strips it again
    client.post(
        reverse("application_intake", args=[household.pk]), intake_data(doc_kind_1="other", doc_file_1=upload)
    )
    document = Document.objects.get()
    assert "/" not in document.original_name and ".." not in document.original_name
    assert documents_service.STORED_NAME.match(document.stored_name)
    assert stored_files(tmp_path) == [document.stored_name]


def test_document_kind_is_required_with_a_file(client, caseworker, household):
    client.force_login(caseworker)
    response = client.post(
        reverse("application_intake", args=[household.pk]),
        intake_data(doc_file_1=SimpleUploadedFile("a.pdf", PDF)),
    )
    assert "请选择材料类型" in " ".join(response.context["form"].errors["doc_kind_1"])
    assert not Application.objects.exists()


# ------------------------------------------------------------------------------------------------
# Download


@pytest.fixture
def with_document(household, caseworker):
    application = application_at(
        "investigating",
        household=household,
        caseworker=caseworker,
        documents=[("id_card", pdf("户主身份证.pdf"))],
    )
    return application, application.documents.get()


@pytest.mark.parametrize("who", ["caseworker", "street_officer", "county_officer", "auditor"])
def test_users_in_scope_download_the_document(client, request, with_document, who):
    application, document = with_document
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("application_document", args=[application.pk, document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E6%88%B7" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    "role,region",
    [
        ("caseworker", HOME_COMMUNITY_2),  # the next community of the same street
        ("street", "360102004000"),  # another street of the county
        ("county", "360103"),  # another county of the city
        ("county", "360702"),  # a county of another city
    ],
)
def test_another_region_cannot_fetch_a_document_by_guessing_its_url(
    client, make_user, with_document, role, region
):
    application, document = with_document
    client.force_login(make_user(role, region))
    for pk in range(1, document.pk + 3):  # guessing every id around it
        response = client.get(reverse("application_document", args=[application.pk, pk]))
        assert response.status_code == 404
        assert PDF not in b"".join(getattr(response, "streaming_content", [response.content]))


def test_a_document_is_only_served_under_its_own_application(client, make_user, with_document):
    """A caseworker with an application of their own cannot fetch another community's document by putting
    its id under their own application's URL."""
    _, document = with_document
    other_caseworker = make_user("caseworker", HOME_COMMUNITY_2)
    own = application_at(
        "investigating",
        household=household_make(community_id=HOME_COMMUNITY_2),
        caseworker=other_caseworker,
        today=TODAY,
    )
    client.force_login(other_caseworker)
    assert client.get(reverse("application_document", args=[own.pk, document.pk])).status_code == 404


def test_images_open_inline_in_a_sandbox(client, caseworker, household):
    from applications.tests.factories import PNG

    application = application_at(
        "investigating",
        household=household,
        caseworker=caseworker,
        documents=[("disability", pdf("残疾证.png", PNG))],
    )
    client.force_login(caseworker)
    response = client.get(
        reverse("application_document", args=[application.pk, application.documents.get().pk])
    )
    assert response["Content-Type"] == "image/png" and response["Content-Disposition"].startswith("inline;")
    assert response["Content-Security-Policy"].startswith("sandbox;")
    assert b"".join(response.streaming_content) == PNG


def test_anonymous_users_are_sent_to_login(client, with_document):
    application, document = with_document
    response = client.get(reverse("application_document", args=[application.pk, document.pk]))
    assert response.status_code == 302 and "/login/" in response.url


def test_a_missing_file_is_a_404(client, caseworker, with_document, tmp_path):
    application, document = with_document
    (tmp_path / "documents" / document.stored_name).unlink()
    client.force_login(caseworker)
    assert client.get(reverse("application_document", args=[application.pk, document.pk])).status_code == 404


def test_document_add_page(client, caseworker, street_officer, with_document):
    application, _ = with_document
    url = reverse("application_document_add", args=[application.pk])
    client.force_login(street_officer)
    assert client.get(url).status_code == 403
    assert (
        client.post(url, {"kind": "income", "file": SimpleUploadedFile("收入.pdf", PDF)}).status_code == 403
    )
    client.force_login(caseworker)
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": "income", "file": SimpleUploadedFile("收入.jpg", PDF)})
    assert "文件内容与扩展名.jpg不符" in response.content.decode()
    response = client.post(url, {"kind": "income", "file": SimpleUploadedFile("收入.pdf", PDF)})
    assert response.status_code == 302
    assert sorted(application.documents.values_list("kind", flat=True)) == ["id_card", "income"]
