"""From intake to enrolment in Debian's chromium: the caseworker receives an application with a document;
the economic check that runs on intake finds a car the household did not declare; the caseworker records
the home visit and the 民主评议; the street cannot approve while the contradiction is open; the caseworker
explains it; the street approves and starts the 7-day notice; the test moves the clock past the notice; the
county approves; the enrolment shows on the household page."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from accounts.models import User
from applications.models import Application
from applications.tests.factories import FAST_HASHERS, PDF, standard_make
from benefits.models import Enrolment
from conftest import HOME_COMMUNITY
from households.tests.factories import household_make
from ledgers.models import Extract
from ledgers.services import extract_upload
from ledgers.tests.factories import csv_upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

START = dt.date(2026, 6, 1)  # a Monday
PASSWORD = "pass-Word-123"


class Clock:
    """timezone.now() as seen by the test and by the live server's thread (same process): it runs from
    START at the real pace, and `advance` moves it forward."""

    def __init__(self, start: dt.date) -> None:
        self._real = timezone.now
        self._began = self._real()
        self._base = timezone.make_aware(dt.datetime.combine(start, dt.time(9, 0)))

    def now(self) -> dt.datetime:
        return self._base + (self._real() - self._began)

    def advance(self, days: int) -> None:
        self._base += dt.timedelta(days=days)


@pytest.fixture
def clock():
    clock = Clock(START)
    with mock.patch("django.utils.timezone.now", clock.now):
        yield clock


def login(page, base: str, username: str) -> None:
    if page.locator("form[action='/logout/'] button").count():
        page.click("form[action='/logout/'] button")
        page.wait_for_url("**/login/**")
    page.goto(base + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


def test_application_from_intake_to_enrolment(browser_page, live_server, settings, tmp_path, clock):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = FAST_HASHERS
    for year in (START.year, START.year + 1):
        standard_make(year=year)
    for username, role, region in (
        ("cw", "caseworker", HOME_COMMUNITY),
        ("st", "street", "360102002000"),
        ("co", "county", "360102"),
    ):
        User.objects.create_user(
            username=username,
            password=PASSWORD,
            role=role,
            region_id=region,
            full_name={"cw": "李敏", "st": "万志刚", "co": "胡建华"}[username],
        )
    household = household_make(community_id=HOME_COMMUNITY, members=2, address="滕王阁路18号")
    page, base = browser_page, live_server.url
    # 交管 has sent its vehicle register: the household's second member owns a car the household did not declare
    child = household.members.order_by("id").last()
    extract = extract_upload(
        principal=User.objects.get(username="co"),
        kind="vehicle",
        period="2026H1",
        original_name="vehicles.csv",
        mode="strict",
        file=csv_upload(["身份证号码", "姓名", "号牌号码"], [[child.id_number, "", "赣A12345"]]),
    )
    assert Extract.objects.get(pk=extract.pk).status == "loaded"

    # 受理: the caseworker opens the household and receives the application with the ID card scan
    login(page, base, "cw")
    page.goto(f"{base}/households/{household.pk}/")
    page.click("text=受理救助申请")
    page.check("input[name=category][value=dibao]")
    page.fill("#id_reasons", "户主因病失去工作，家庭人均收入低于低保标准")
    page.check("#id_check_authorised")
    page.check("input[name=residence_basis][value=hukou]")
    page.select_option("#id_doc_kind_1", "id_card")
    page.set_input_files(
        "#id_doc_file_1", files=[{"name": "户主身份证.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.click("#intake-form button[type=submit].primary")
    page.wait_for_url("**/households/applications/*/")
    application = Application.objects.get()
    assert page.inner_text("#status") == "待入户调查"
    assert "户主身份证.pdf" in page.inner_text("#documents")
    download = page.request.get(base + page.locator("#documents a").first.get_attribute("href"))
    assert download.status == 200 and download.body() == PDF
    # the economic check ran on intake and found the undeclared car, with its rule; other sources: not checked
    assert "1 项与申报不符待处理" in page.inner_text("#check-open")
    assert "机动车多于申报" in page.inner_text("#check-contradictions")
    assert "赣发〔2018〕7号 四(二)" in page.inner_text("#check-contradictions")
    assert "本地区没有已导入的户籍死亡注销数据" in page.inner_text("#check-not-checked")
    assert child.id_masked in page.inner_text("#check-table") and child.id_number not in page.content()
    page.screenshot(path="/tmp/jiekun-application-check.png", full_page=True)

    # 入户调查 by two investigators, then 民主评议
    page.click("#actions >> text=录入入户调查")
    page.fill("#id_investigators", "李敏、王强")
    page.fill("#id_findings", "实地查看住房，核实工资收入，与申报一致")
    page.click("#step-form button[type=submit]")
    page.wait_for_url(f"**/households/applications/{application.pk}/")
    assert page.inner_text("#status") == "待民主评议"
    page.click("#actions >> text=录入民主评议")
    page.fill("#id_participants", "社区两委成员3人、居民代表7人")
    page.fill("#id_representatives", "7")
    page.check("input[name=conclusion][value=agree]")
    page.click("#step-form button[type=submit]")
    page.wait_for_url(f"**/households/applications/{application.pk}/")
    assert page.inner_text("#status") == "待街道审核"

    # the street may not approve while the check's contradiction is open
    login(page, base, "st")
    page.goto(f"{base}/households/applications/{application.pk}/")
    page.click("#actions >> text=街道审核")
    assert "待处理 1 项" in page.inner_text("#street-check")
    page.check("input[name=decision][value=approve]")
    page.click("#step-form button[type=submit]")
    assert "家庭经济状况核对发现1项与申报不符的情况尚未处理" in page.inner_text("#step-form .errors")
    assert Application.objects.get(pk=application.pk).status == "street_review"

    # the caseworker explains the car (sold, the transfer not yet registered); the block is released
    login(page, base, "cw")
    page.goto(f"{base}/households/applications/{application.pk}/")
    page.fill(
        "#check-contradictions textarea[name=reason]", "车辆已于2026年3月出售，过户登记办理中（附买卖合同）"
    )
    page.click("#check-contradictions .explain-form button[type=submit]")
    page.wait_for_url(f"**/households/applications/{application.pk}/#economic-check")
    assert page.inner_text("#check-open") == "没有待处理的不符情况"
    assert "已说明理由：车辆已于2026年3月出售" in page.inner_text("#check-contradictions")

    # 街道审核 with the rules' amount, then the public notice
    login(page, base, "st")
    page.goto(f"{base}/households/applications/{application.pk}/")
    page.click("#actions >> text=街道审核")
    assert page.inner_text("#rules td[data-category=dibao]") == "560.00"
    page.check("input[name=decision][value=approve]")
    page.click("#step-form button[type=submit]")
    page.wait_for_url(f"**/households/applications/{application.pk}/")
    assert page.inner_text("#status") == "街道审核通过，待公示"
    page.click("#actions >> text=开始公示")
    page.click("#step-form button[type=submit]")
    page.wait_for_url(f"**/households/applications/{application.pk}/")
    assert page.inner_text("#status") == "公示中"
    assert "2026年6月1日 至 2026年6月7日" in page.content()

    # the county may not decide during the notice
    login(page, base, "co")
    page.goto(f"{base}/households/applications/{application.pk}/")
    assert page.locator("#actions >> text=县级审批").count() == 0

    # the clock moves past the notice (7 days: 1–7 June); on 8 June the county decides
    clock.advance(7)
    login(page, base, "co")
    page.goto(f"{base}/households/applications/")
    assert page.locator(f"#queue a[href$='/applications/{application.pk}/']").count() >= 1
    page.screenshot(path="/tmp/jiekun-application-queue.png", full_page=True)
    page.goto(f"{base}/households/applications/{application.pk}/")
    page.click("#actions >> text=县级审批")
    page.check("input[name=decision][value=approve]")
    page.fill("#id_reason", "经审批，同意纳入城镇最低生活保障")
    page.click("#step-form button[type=submit]")
    page.wait_for_url(f"**/households/applications/{application.pk}/")
    assert page.inner_text("#status") == "县级批准"
    assert "月救助金 560.00 元，自 2026年7月 起发放" in page.inner_text("#enrolment")
    page.screenshot(path="/tmp/jiekun-application-detail.png", full_page=True)

    page.click("#actions >> text=打印通知书")
    page.wait_for_url(f"**/applications/{application.pk}/letter/")
    assert "审批通知书" in page.inner_text("#letter") and "2026年7月起" in page.inner_text("#letter")
    page.emulate_media(media="print")
    assert not page.locator(".toolbar").is_visible()  # the print view shows the letter only
    page.screenshot(path="/tmp/jiekun-application-letter.png", full_page=True)
    page.emulate_media(media="screen")

    # the enrolment is on the household page
    page.goto(f"{base}/households/{household.pk}/")
    text = page.inner_text("#applications")
    assert "城镇最低生活保障（低保）（享受中）" in text and "月救助金 560.00 元，自 2026年7月 起" in text
    page.screenshot(path="/tmp/jiekun-application-enrolled.png", full_page=True)

    enrolment = Enrolment.objects.get()
    assert (enrolment.application_id, str(enrolment.monthly_amount), enrolment.start_month) == (
        application.pk,
        "560.00",
        dt.date(2026, 7, 1),
    )
    assert list(application.events.order_by("id").values_list("step", flat=True)) == [
        "intake",
        "economic_check",
        "visit",
        "review",
        "check_explain",
        "street_approve",
        "notice_start",
        "county_approve",
    ]
    assert application.events.get(step="county_approve").on_date == dt.date(2026, 6, 8)
