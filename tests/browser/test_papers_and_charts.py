"""The printed papers and the report charts in a real browser, at phone and desktop size (issue 16 items 4, 10)."""

import datetime as dt

import pytest

from applications.tests.factories import application_at
from benefits.tests.factories import household, standard
from conftest import HOME_COMMUNITY
from papers.models import DecisionNotice
from tests.browser.layout import DESKTOP, PHONE, login, measure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_county_issues_a_notice_and_prints_it_at_both_sizes(browser_page, live_server, make_user):
    standard(year=2018)
    caseworker = make_user("caseworker", HOME_COMMUNITY, "cw-print")
    street = make_user("street", "360102002000", "st-print")
    county = make_user("county", "360102", "co-print")
    approved = application_at(
        "approved",
        household=household({"income": "300", "name": "王建国"}),
        caseworker=caseworker,
        street=street,
        county=county,
    )
    page, base = browser_page, live_server.url
    login(page, base, "co-print", "pass-Word-123")
    page.goto(f"{base}/households/applications/{approved.pk}/")
    page.click("#actions >> text=打印文书")
    page.wait_for_url(f"**/papers/applications/{approved.pk}/")
    page.click("#notices button:has-text('出具通知书')")
    page.wait_for_url("**/papers/notices/*/")
    notice = DecisionNotice.objects.get()
    assert page.inner_text("#notice-reference") == "东民救〔2018〕1号" == notice.reference
    assert "行政复议" in page.inner_text("#notice-appeal")

    for width, height in (PHONE, DESKTOP):
        page.set_viewport_size({"width": width, "height": height})
        assert measure(page) == [], width
        page.screenshot(path=f"/tmp/jiekun-notice-{width}.png", full_page=True)
    # Printed: the toolbar is gone, the sheet has no navigation, the page is A4 with the heading first.
    page.emulate_media(media="print")
    assert not page.locator(".paper-toolbar").is_visible()
    assert page.locator("header.topbar, nav#main-nav").count() == 0
    assert page.locator("h1.paper-title").inner_text().replace(" ", "") == "批准救助通知书"
    pdf = page.pdf(format="A4")  # chromium's own print of the page: it lays out on A4 without error
    assert pdf[:5] == b"%PDF-"
    page.emulate_media(media="screen")
    download = page.request.get(f"{base}/papers/notices/{notice.pk}/pdf/")
    assert download.status == 200 and download.headers["content-type"] == "application/pdf"

    # The 公示名单 and the application's forms fit a phone too.
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    for url in (
        f"/papers/applications/{approved.pk}/",
        f"/papers/applications/{approved.pk}/form/",
        f"/papers/applications/{approved.pk}/visit/",
        f"/papers/applications/{approved.pk}/review/",
        f"/papers/public-notice/?community={HOME_COMMUNITY}",
    ):
        page.goto(base + url)
        assert measure(page) == [], url
    page.goto(f"{base}/papers/applications/{approved.pk}/form/")
    page.screenshot(path="/tmp/jiekun-approval-form-390.png", full_page=True)


def test_report_charts_resize_never_overlap_and_have_their_numbers_beside(
    browser_page, live_server, make_user
):
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    call_command("seed_demo_applications", verbosity=0)
    page, base = browser_page, live_server.url
    login(page, base, "county", "jiekun-demo-2018")
    page.goto(f"{base}/ledgers/reports/")
    charts = page.locator("#report-charts .chart")
    assert charts.count() >= 5
    widths = {}
    for width, height in (DESKTOP, PHONE, (768, 1024)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(100)
        assert measure(page) == [], width
        for i in range(charts.count()):
            chart = charts.nth(i)
            svg, box = chart.locator("svg").bounding_box(), chart.bounding_box()
            # Drawn at its box's width (not scaled): the text stays 12 px at every width.
            assert abs(svg["width"] - box["width"]) <= 1, (width, i, svg, box)
            assert chart.locator("svg text").first.evaluate("t => t.getBoundingClientRect().height") >= 12
            table = chart.locator(
                "xpath=following-sibling::div[contains(@class,'chart-numbers')]"
            ).bounding_box()
            if width >= 1366:
                assert table["x"] >= box["x"] + box["width"], "the numbers beside the chart"
            else:
                assert table["y"] >= box["y"] + box["height"] - 1, "the numbers below the chart"
        widths[width] = charts.first.locator("svg").bounding_box()["width"]
        page.screenshot(path=f"/tmp/jiekun-report-charts-{width}.png", full_page=True)
    assert widths[PHONE[0]] < widths[768] and widths[PHONE[0]] <= PHONE[0]
    # The trend table holds exactly the numbers the chart draws.
    data = page.evaluate("JSON.parse(document.getElementById('chart-trend').textContent)")
    cells = page.locator("#chart-trend-table tbody tr").all_inner_texts()
    assert [c.split("\t")[0] for c in cells] == data["labels"]
    assert [int(c.split("\t")[1]) for c in cells] == data["series"][0]["values"]
    # The what-if's two charts (each with its numbers beside it): test_every_chart_has_its_numbers_beside_it…


CHART_NUMBERS = "xpath=following-sibling::div[contains(@class,'chart-numbers')]"


def test_every_chart_has_its_numbers_beside_it_and_no_label_overlaps(browser_page, live_server):
    """Issue 16 item 10 beyond the report: the reconciliation run's chart and the what-if's two charts each have
    their numbers as a table beside them (below on a phone), and no label overlaps at 390 px or 1366 px."""
    from django.core.management import call_command

    from ledgers.models import ReconciliationRun

    call_command("seed_demo", verbosity=0)
    call_command("seed_demo_applications", verbosity=0)
    call_command("seed_demo_workday", verbosity=0)
    run = ReconciliationRun.objects.filter(status="done").order_by("-id").first()
    assert run is not None, "the workday demo runs a reconciliation"
    page, base = browser_page, live_server.url
    login(page, base, "county", "jiekun-demo-2018")
    pages = {
        f"/ledgers/runs/{run.pk}/": 1,
        f"/standards/whatif/?region=360102&year={dt.date.today().year}&dibao=700&subsidy_target=450": 2,
    }
    for url, expected in pages.items():
        page.goto(base + url)
        charts = page.locator(".chart-figure .chart")
        assert charts.count() == expected, url
        for width, height in (DESKTOP, PHONE):
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(150)
            assert measure(page) == [], (url, width)
            for i in range(charts.count()):
                chart = charts.nth(i)
                assert chart.locator("svg text").count() > 0, (url, i)
                box, table = chart.bounding_box(), chart.locator(CHART_NUMBERS).bounding_box()
                if width == DESKTOP[0]:
                    assert table["x"] >= box["x"] + box["width"], (url, "the numbers beside the chart")
                elif width == PHONE[0]:
                    assert table["y"] >= box["y"] + box["height"] - 1, (url, "the numbers below the chart")
            page.screenshot(path=f"/tmp/jiekun-charts-{expected}-{width}.png", full_page=True)
