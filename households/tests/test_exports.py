"""Excel exports of the case lists: exact rows, masking, scope, filters, the access log, constant queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AccessLog
from common.idnumber import mask
from conftest import HOME_COMMUNITY, HOME_COMMUNITY_2, export_sheets, query_count
from households.tests.factories import household_make

pytestmark = pytest.mark.django_db

HOUSEHOLD_HEADER = ("编号", "户主", "身份证号码", "人数", "社区代码", "社区", "住址")


@pytest.fixture
def households(other_community):
    a = household_make(community_id=HOME_COMMUNITY, members=2, address="民巷1号")
    b = household_make(community_id=HOME_COMMUNITY, members=1, address="民巷2号")
    c = household_make(community_id=HOME_COMMUNITY_2, members=3, address="邻社区3号")
    far = household_make(community_id=other_community.code, members=2, address="外区4号")
    return a, b, c, far


def _row(h):
    head = h.members.get(relation="head")
    return (
        h.pk,
        head.name,
        mask(head.id_number),
        h.members.count(),
        h.community_id,
        h.community.name,
        h.address,
    )


def test_household_export_has_the_lists_rows_masked(client, county_officer, households):
    a, b, c, _far = households
    client.force_login(county_officer)
    sheets = export_sheets(client.get(reverse("household_export")))
    rows = sheets["家庭档案"]
    assert rows[0][0].startswith("家庭档案　导出：co　")
    assert rows[1] == HOUSEHOLD_HEADER
    assert rows[2:] == [_row(c), _row(b), _row(a)]  # newest first, as the list
    body = repr(rows)
    for h in (a, b, c):
        for p in h.members.all():
            assert p.id_number not in body
    log = AccessLog.objects.get()
    assert (log.user, log.count, log.endpoint, log.what) == (
        county_officer,
        3,
        reverse("household_export"),
        "导出家庭档案",
    )


@pytest.mark.parametrize(
    "role,region,expected",
    [
        ("caseworker", HOME_COMMUNITY, 2),
        ("street", "360102002000", 3),
        ("county", "360102", 3),
        ("city", "360100", 3),
        ("auditor", "360000", 4),
    ],
)
def test_household_export_is_scoped(client, make_user, households, role, region, expected):
    client.force_login(make_user(role, region))
    rows = export_sheets(client.get(reverse("household_export")))["家庭档案"][2:]
    assert len(rows) == expected
    if expected < 4:
        assert households[3].pk not in [r[0] for r in rows] and "外区4号" not in repr(rows)
    assert AccessLog.objects.get().count == expected


def test_household_export_honours_the_search(client, county_officer, households):
    a, *_ = households
    head = a.members.get(relation="head")
    client.force_login(county_officer)
    rows = export_sheets(client.get(reverse("household_export"), {"q": head.name, "page": "7"}))["家庭档案"]
    assert rows[2:] == [_row(a)] and "查询：" + head.name in rows[0][0]
    AccessLog.objects.all().delete()
    rows = export_sheets(client.get(reverse("household_export"), {"q": head.id_number}))["家庭档案"]
    assert rows[2:] == [_row(a)]
    log = AccessLog.objects.get()
    # the searched full ID number appears nowhere, neither in the workbook nor in the log
    assert (
        head.id_number not in repr(rows)
        and head.id_number not in log.what
        and mask(head.id_number) in log.what
    )


def test_household_list_offers_the_export_with_its_query(client, county_officer, households):
    client.force_login(county_officer)
    body = client.get(reverse("household_list"), {"q": "成员"}).content.decode()
    assert f'href="{reverse("household_export")}?q=%E6%88%90%E5%91%98"' in body


def test_household_export_query_count_is_constant(client, county_officer):
    client.force_login(county_officer)
    household_make(community_id=HOME_COMMUNITY, members=2)
    small = query_count(client, reverse("household_export"))
    for _ in range(25):
        household_make(community_id=HOME_COMMUNITY_2, members=3)
    assert query_count(client, reverse("household_export")) == small


def test_export_refuses_post_and_changes_nothing(client, county_officer, households):
    client.force_login(county_officer)
    assert client.post(reverse("household_export")).status_code == 405
    assert not AccessLog.objects.exists()


def test_a_list_longer_than_the_cap_goes_to_a_background_export(
    client, county_officer, households, settings, tmp_path, django_capture_on_commit_callbacks
):
    from accounts.models import ExportJob

    settings.EXPORT_MAX_ROWS, settings.MEDIA_ROOT = 2, str(tmp_path)
    client.force_login(county_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("household_export"), {"q": "成员"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("export_job_detail", args=[job.pk])
    assert (job.query, job.rows_total, job.status) == ("q=%E6%88%90%E5%91%98", 3, "done")
    assert (
        AccessLog.objects.get().count == 3
    )  # written and logged by the job (accounts/tests/test_export_jobs.py)
    a = households[0]
    rows = export_sheets(client.get(reverse("household_export"), {"q": a.members.get(relation="head").name}))
    assert len(rows["家庭档案"]) == 3  # a narrower search is exported directly
    assert ExportJob.objects.count() == 1


def test_a_list_longer_than_the_background_cap_is_refused_on_the_list_page(
    client, county_officer, households, settings
):
    from accounts.models import ExportJob

    settings.EXPORT_MAX_ROWS, settings.EXPORT_JOB_MAX_ROWS = 1, 2
    client.force_login(county_officer)
    response = client.get(reverse("household_export"), {"q": "成员"})
    assert response.status_code == 302 and response.url == reverse("household_list") + "?q=%E6%88%90%E5%91%98"
    page = client.get(response.url).content.decode()
    assert "共3行，超过后台导出上限2行，请缩小筛选范围后分批导出" in page
    assert not AccessLog.objects.exists() and not ExportJob.objects.exists()
