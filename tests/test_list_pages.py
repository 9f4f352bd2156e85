"""Every list page filters, sorts and pages through the one helper (config.listing): the same number of queries
for 3 rows and for 30, paging links that keep the filters and the sort, and bad filter values (`?page=abc`,
`?status=nonsense`, `?month=2026-13`, a made-up region) answered with the page and a Chinese note, never a 500."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.tests.factories import standard_make
from benefits.models import EnrolmentReview, PaymentRoll, ReliefGrant
from benefits.tests.factories import enrol
from conftest import HOME_COMMUNITY
from help.models import Lead
from households.models import Household
from households.tests.factories import household_make

pytestmark = pytest.mark.django_db


def queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured.captured_queries), response.content.decode()


def households(n: int) -> list[Household]:
    return [household_make(community_id=HOME_COMMUNITY, members=1 + i % 3) for i in range(n)]


def reliefs(n: int, user) -> None:
    for h in households(n):
        ReliefGrant.objects.create(
            household=h,
            person=h.members.first(),
            kind="urgent",
            amount=Decimal("300"),
            reason="火灾",
            received_on=dt.date(2026, 5, 3),
            route="street",
            status="submitted",
            created_by=user,
        )


def leads(n: int) -> None:
    for i in range(n):
        Lead.objects.create(
            community_id=HOME_COMMUNITY,
            source="caseworker",
            name=f"张{i}",
            reason="medical",
            detail="住院",
            reported_on=dt.date(2026, 5, 4),
            visit_due_on=dt.date(2026, 5, 7),
        )


def reviews(n: int, county_officer) -> None:
    if not EnrolmentReview.objects.exists():
        standard_make(year=2018)
    enrolment = enrol(household_make(community_id=HOME_COMMUNITY), acting_user=county_officer)
    EnrolmentReview.objects.bulk_create(
        EnrolmentReview(enrolment=enrolment, due_on=dt.date(2018, 6, 1) + dt.timedelta(days=i))
        for i in range(n)
    )


def rolls(n: int, county_officer) -> None:
    start = PaymentRoll.objects.count()
    PaymentRoll.objects.bulk_create(
        PaymentRoll(
            county_id="360102",
            month=dt.date(2000 + i // 12, i % 12 + 1, 1),
            program="dibao",
            status="ready",
            created_by=county_officer,
        )
        for i in range(start, start + n)
    )


def review_tasks(n: int, caseworker) -> None:
    from conftest import make_id
    from ledgers.models import Finding, ReconciliationRun, ReviewTask

    run = ReconciliationRun.objects.filter(period="2018H2").first() or ReconciliationRun.objects.create(
        region_id="360102", period="2018H2", requested_by=caseworker, status="done"
    )
    for i in range(n):
        finding = Finding.objects.create(
            run=run,
            rule="deceased_paid",
            id_number=make_id(),
            source="death",
            region_id=HOME_COMMUNITY,
            name=f"王{i}",
            detail={"died_on": "2018-07-15"},
        )
        ReviewTask.objects.create(finding=finding, region_id=HOME_COMMUNITY)


def filed(n: int, user, *, kind: str = "urgent", community: str = HOME_COMMUNITY) -> None:
    from django.utils import timezone

    for h in [household_make(community_id=community) for _ in range(n)]:
        ReliefGrant.objects.create(
            household=h,
            person=h.members.first(),
            kind=kind,
            amount=Decimal("300"),
            reason="火灾",
            received_on=dt.date(2026, 5, 3),
            route="street",
            status="paid",
            filing="filed",
            filed_at=timezone.make_aware(dt.datetime(2026, 5, 20, 10)),
            paid_at=timezone.make_aware(dt.datetime(2026, 5, 19, 10)),
            created_by=user,
        )


def pairings(n: int, user, *, kind: str = "cadre", community: str = HOME_COMMUNITY) -> None:
    from help.models import Pairing

    for h in [household_make(community_id=community, members=1) for _ in range(n)]:
        Pairing.objects.create(
            household=h,
            helper_name="李干部",
            helper_kind=kind,
            helper_unit="区民政局",
            started_on=dt.date(2026, 5, 6),
            created_by=user,
        )


def school_records(n: int, user, *, stage: str = "junior", community: str = HOME_COMMUNITY) -> None:
    from help.models import SchoolRecord

    for h in [household_make(community_id=community, members=1) for _ in range(n)]:
        SchoolRecord.objects.create(
            person=h.members.first(), school="南昌二中", stage=stage, recorded_by=user
        )


def needs(n: int, user, *, kind: str = "medical", community: str = HOME_COMMUNITY) -> None:
    from help.models import AidNeed

    for h in [household_make(community_id=community, members=1) for _ in range(n)]:
        AidNeed.objects.create(
            household=h,
            kind=kind,
            description="住院费用",
            consent_on=dt.date(2026, 5, 7),
            published_on=dt.date(2026, 5, 8),
            published_by=user,
        )


def offers(n: int, user, *, kind: str = "medical") -> None:
    from help.models import AidOffer

    AidOffer.objects.bulk_create(
        AidOffer(
            provider_name="爱心基金会",
            provider_kind="organisation",
            title=f"医疗帮扶{i}",
            kind=kind,
            region_id="360102",
            registered_by=user,
        )
        for i in range(n)
    )


def access_logs(n: int, user, *, endpoint: str = "/api/v1/persons/") -> None:
    from accounts.models import AccessLog

    AccessLog.objects.bulk_create(
        AccessLog(
            at=dt.datetime(2026, 5, 9, 10, tzinfo=dt.UTC),
            user=user,
            endpoint=endpoint,
            what="人员查询",
            purpose="审计",
            count=1,
        )
        for _ in range(n)
    )


def api_clients(n: int, user, *, active: bool = True, region: str = "360102") -> None:
    from accounts.models import ApiClient

    start = ApiClient.objects.count()
    ApiClient.objects.bulk_create(
        ApiClient(name=f"人社接口{i}", department="人社", region_id=region, is_active=active)
        for i in range(start, start + n)
    )


def standards(n: int, user) -> None:
    from eligibility.models import Standard

    start = Standard.objects.filter(region_id="360102").count()
    for i in range(start, start + n):
        standard_make(year=1950 + i)


def lockouts(n: int, user, *, region: str = HOME_COMMUNITY, prefix: str = "cw") -> None:
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.utils import timezone

    from accounts.models import User

    start = AccessAttempt.objects.count()
    for i in range(start, start + n):
        User.objects.create(username=f"{prefix}{i}", role="caseworker", region_id=region)
        AccessAttempt.objects.create(
            username=f"{prefix}{i}",
            ip_address=f"10.0.0.{i % 250}",
            user_agent="test",
            failures_since_start=settings.AXES_FAILURE_LIMIT + i % 3,
            attempt_time=timezone.now(),
        )


def extracts(n: int, user, *, status: str = "loaded", region: str = HOME_COMMUNITY) -> None:
    from ledgers.models import Extract

    start = Extract.objects.count()
    Extract.objects.bulk_create(
        Extract(
            kind="death",
            period="2018H2",
            region_id=region,
            uploaded_by=user,
            original_name=f"死亡{i}.csv",
            stored_name=f"w16b-{i}.csv",
            file_format="csv",
            status=status,
        )
        for i in range(start, start + n)
    )


def runs(n: int, user, *, status: str = "done") -> None:
    from ledgers.models import ReconciliationRun

    ReconciliationRun.objects.bulk_create(
        ReconciliationRun(region_id="360102", period="2018H2", requested_by=user, status=status)
        for _ in range(n)
    )


LISTS = {
    # name: (url name, who, make rows, filters that narrow nothing away, a sort key the page offers)
    "households": (
        "household_list",
        "caseworker",
        lambda n, u: households(n),
        f"community={HOME_COMMUNITY}",
        "members",
    ),
    "relief": (
        "relief_list",
        "street_officer",
        reliefs,
        f"community={HOME_COMMUNITY}&month=2026-05&status=submitted",
        "amount",
    ),
    "leads": (
        "lead_list",
        "caseworker",
        lambda n, u: leads(n),
        f"community={HOME_COMMUNITY}&month=2026-05&status=open",
        "visit_due_on",
    ),
    "reviews": (
        "review_queue",
        "county_officer",
        reviews,
        f"community={HOME_COMMUNITY}&status=open",
        "due_on",
    ),
    "rolls": ("roll_list", "county_officer", rolls, "program=dibao&status=ready", "-month"),
    "review tasks": (
        "ledger_tasks",
        "caseworker",
        review_tasks,
        f"community={HOME_COMMUNITY}&status=open&rule=deceased_paid",
        "-id",
    ),
    "extracts": (
        "ledger_extracts",
        "county_officer",
        extracts,
        f"community={HOME_COMMUNITY}&status=loaded&kind=death&period=2018H2",
        "-rows_total",
    ),
    "street filings": (
        "relief_filed",
        "county_officer",
        filed,
        f"filing=filed&kind=urgent&community={HOME_COMMUNITY}&month=2026-05",
        "amount",
    ),
    "pairings": (
        "pairing_list",
        "street_officer",
        pairings,
        f"status=active&helper_kind=cadre&community={HOME_COMMUNITY}&month=2026-05",
        "started_on",
    ),
    "students": (
        "student_list",
        "street_officer",
        school_records,
        f"status=in_school&stage=junior&community={HOME_COMMUNITY}",
        "school",
    ),
    "charity needs": (
        "need_list",
        "street_officer",
        needs,
        f"status=published&kind=medical&community={HOME_COMMUNITY}&month=2026-05",
        "-published_on",
    ),
    "charity offers": ("charity_home", "county_officer", offers, "status=open&kind=medical", "title"),
    "access log": ("access_log", "auditor", access_logs, "source=staff&month=2026-05", "-count"),
    "api clients": (
        "api_client_list",
        "county_officer",
        api_clients,
        "state=active&q=%E4%BA%BA%E7%A4%BE",
        "-department",
    ),
    "standards": ("standard_list", "county_officer", standards, "region=360102", "-dibao"),
    "login lockouts": ("lockout_list", "county_officer", lockouts, "q=cw", "-failures"),
    "reconciliation runs": ("ledger_runs", "county_officer", runs, "status=done&period=2018H2", "period"),
}


@pytest.mark.parametrize("name", list(LISTS))
def test_a_list_costs_the_same_queries_for_3_and_30_rows_and_its_pages_keep_the_filters(
    name, client, request
):
    url_name, who, make, filters, sort = LISTS[name]
    user = request.getfixturevalue(who)
    client.force_login(user)
    url = f"{reverse(url_name)}?{filters}&sort={sort}"
    make(3, user)
    queries(client, url)  # the first request fills the caches (the working-day calendar)
    few, page = queries(client, url)
    assert "下一页" not in page
    make(27, user)
    many, page = queries(client, url)
    print(f"{name}: {few} queries for 3 rows, {many} for 30")
    assert many == few, f"{name}: {few} queries for 3 rows, {many} for 30"
    make(25, user)  # past one page of any list (20, 30 or 50 rows)
    assert queries(client, url)[0] == few
    page = queries(client, url)[1]
    assert "下一页" in page
    # the next page's link keeps every filter and the sort
    next_link = page.split('id="next-page"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    for part in [*filters.split("&"), f"sort={sort}", "page=2"]:
        assert part in next_link, (name, part, next_link)
    second, page2 = queries(client, url + "&page=2")
    assert second == few and "第 2 /" in page2


NO_MONTH = (
    "review_queue",
    "correction_list",
    "county_task_list",
    "ledger_extracts",
    "ledger_runs",
    "fund_list",
    "student_list",
    "job_list",
    "charity_home",
    "api_client_list",
    "standard_list",
    "lockout_list",
)
NO_SORT = ("correction_list", "county_task_list")  # lists in a fixed order, no sortable columns
BAD = "year=x&region=abc&state=x&provider_kind=x&helper_kind=x&stage=x&employment=x&fund=x&filing=x&period=2018H9&trigger=x&page=abc&status=nonsense&month=2026-13&community=abc&sort=password&kind=x&deadline=x&housing=x"


@pytest.mark.parametrize(
    "url_name,who",
    [
        ("household_list", "caseworker"),
        ("relief_list", "street_officer"),
        ("lead_list", "caseworker"),
        ("review_queue", "caseworker"),
        ("roll_list", "county_officer"),
        ("correction_list", "county_officer"),
        ("county_task_list", "county_officer"),
        ("application_list", "caseworker"),
        ("enrolment_list", "county_officer"),
        ("household_export", "caseworker"),
        ("relief_export", "street_officer"),
        ("lead_export", "caseworker"),
        ("review_export", "caseworker"),
        ("ledger_tasks", "caseworker"),
        ("ledger_task_export", "caseworker"),
        ("import_home", "caseworker"),
        ("ledger_extracts", "county_officer"),
        ("ledger_runs", "county_officer"),
        ("relief_filed", "county_officer"),
        ("fund_list", "county_officer"),
        ("pairing_list", "caseworker"),
        ("student_list", "caseworker"),
        ("job_list", "caseworker"),
        ("charity_home", "caseworker"),
        ("need_list", "caseworker"),
        ("match_list", "caseworker"),
        ("access_log", "auditor"),
        ("api_client_list", "county_officer"),
        ("standard_list", "county_officer"),
        ("lockout_list", "county_officer"),
    ],
)
def test_bad_filter_values_do_not_break_a_list(url_name, who, client, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(f"{reverse(url_name)}?{BAD}")
    assert response.status_code == 200
    if "export" not in url_name and url_name not in ("application_list", "enrolment_list", "lockout_list"):
        page = response.content.decode()
        assert "已忽略该筛选条件" in page
        assert "不是有效的月份" in page or url_name in NO_MONTH
        assert "不能按“password”排序，已按默认顺序排列" in page or url_name in NO_SORT


def test_the_household_list_filters_and_sorts(client, caseworker):
    small, big = (
        household_make(community_id=HOME_COMMUNITY, members=1),
        household_make(community_id=HOME_COMMUNITY, members=3),
    )
    household_make(community_id="360102002002", members=2)  # another community of the street
    client.force_login(caseworker)
    _, page = queries(client, f"{reverse('household_list')}?community={HOME_COMMUNITY}&sort=-members")
    assert page.index(f">#{big.pk}<") < page.index(f">#{small.pk}<")
    assert "共 2 户" in page
    _, page = queries(client, f"{reverse('household_list')}?community={HOME_COMMUNITY}&sort=members")
    assert page.index(f">#{small.pk}<") < page.index(f">#{big.pk}<")
    _, page = queries(client, f"{reverse('household_list')}?month=2026-13")
    assert "建档月份“2026-13”不是有效的月份（应为 2026-05 这样的年月），已忽略该筛选条件" in page
    assert "共 2 户" in page  # the caseworker's community only; the bad month is ignored, not "nothing"


def test_the_extract_list_narrows_by_status_and_stays_in_scope(client, county_officer, make_user):
    extracts(2, county_officer)
    extracts(3, county_officer, status="rejected")
    extracts(1, county_officer, region="360102002002")
    client.force_login(county_officer)
    url = reverse("ledger_extracts")
    assert "共 6 份" in queries(client, url)[1]
    assert "共 3 份" in queries(client, f"{url}?status=rejected")[1]
    assert "共 5 份" in queries(client, f"{url}?community={HOME_COMMUNITY}")[1]
    page = queries(client, f"{url}?period=2018H9")[1]
    assert "比对期“2018H9”不是有效的比对期" in page and "共 6 份" in page
    # an officer of another county sees none of them, whatever ?community= says
    other = make_user("county", "360103", "co2")
    client.force_login(other)
    assert "共 0 份" in queries(client, f"{url}?community={HOME_COMMUNITY}")[1]


def test_the_run_list_narrows_by_status_and_trigger(client, county_officer):
    runs(2, county_officer)
    runs(1, county_officer, status="failed")
    client.force_login(county_officer)
    url = reverse("ledger_runs")
    assert "共 3 次" in queries(client, url)[1]
    assert "共 1 次" in queries(client, f"{url}?status=failed")[1]
    assert "共 0 次" in queries(client, f"{url}?trigger=schedule")[1]
    assert "共 2 次" in queries(client, f"{url}?status=done&period=2018h2")[1]


def test_the_street_filings_narrow_by_kind_and_community_within_scope(client, county_officer, street_officer):
    filed(2, county_officer)
    filed(1, county_officer, kind="expenditure")
    filed(1, county_officer, community="360102002002")
    client.force_login(county_officer)
    url = reverse("relief_filed")
    assert queries(client, url)[1].count("<tr><td><a href") == 4
    assert queries(client, f"{url}?kind=expenditure")[1].count("<tr><td><a href") == 1
    assert queries(client, f"{url}?community={HOME_COMMUNITY}")[1].count("<tr><td><a href") == 3
    assert queries(client, f"{url}?month=2026-04")[1].count("<tr><td><a href") == 0
    page = queries(client, f"{url}?month=2026-13")[1]
    assert "备案月份“2026-13”不是有效的月份" in page and page.count("<tr><td><a href") == 4
    # a community outside the user's scope yields nothing
    assert queries(client, f"{url}?community=360103001001")[1].count("<tr><td><a href") == 0


def test_the_reserve_fund_list_narrows_by_fund_state(client, county_officer):
    from accounts.models import Region
    from benefits.models import ReserveFund

    streets = list(
        Region.objects.filter(level=Region.Level.STREET, code__startswith="360102").values_list(
            "code", flat=True
        )
    )
    ReserveFund.objects.create(street_id=streets[0], balance=Decimal("500"))
    ReserveFund.objects.create(street_id=streets[1], balance=Decimal("0"))
    client.force_login(county_officer)
    url = reverse("fund_list")
    assert f"共 {len(streets)} 个街道" in queries(client, url)[1]
    assert "共 1 个街道" in queries(client, f"{url}?fund=funded")[1]
    assert "共 1 个街道" in queries(client, f"{url}?fund=empty")[1]
    assert f"共 {len(streets) - 2} 个街道" in queries(client, f"{url}?fund=none")[1]
    # a street without a fund comes after the streets with one, whichever way the balance is sorted
    page = queries(client, f"{url}?sort=-balance")[1]
    assert page.index(f"/{streets[0]}/") < page.index(f"/{streets[1]}/") < page.index(f"/{streets[2]}/")
    page = queries(client, f"{url}?sort=balance")[1]
    assert page.index(f"/{streets[1]}/") < page.index(f"/{streets[0]}/") < page.index(f"/{streets[2]}/")
    assert "没有“x”这种备用金状态，已忽略该筛选条件" in queries(client, f"{url}?fund=x")[1]


def test_the_pairing_list_narrows_by_helper_kind_and_community_within_scope(
    client, street_officer, caseworker
):
    pairings(2, street_officer)
    pairings(1, street_officer, kind="party_member")
    pairings(1, street_officer, community="360102002002")
    client.force_login(street_officer)
    url = reverse("pairing_list")
    assert "共 4 个结对" in queries(client, url)[1]
    assert "共 1 个结对" in queries(client, f"{url}?helper_kind=party_member")[1]
    assert "共 3 个结对" in queries(client, f"{url}?community={HOME_COMMUNITY}")[1]
    assert "共 0 个结对" in queries(client, f"{url}?month=2026-04")[1]
    assert "共 0 个结对" in queries(client, f"{url}?status=ended")[1]
    # the caseworker of 民巷社区 asking for the neighbouring community sees nothing of it
    client.force_login(caseworker)
    assert "共 0 个结对" in queries(client, f"{url}?community=360102002002")[1]
    assert "共 3 个结对" in queries(client, url)[1]


def test_the_student_list_narrows_by_stage_and_community(client, street_officer):
    school_records(2, street_officer)
    school_records(1, street_officer, stage="senior")
    school_records(1, street_officer, community="360102002002")
    client.force_login(street_officer)
    url = reverse("student_list")
    assert "共 4 名学生" in queries(client, url)[1]
    assert "共 1 名学生" in queries(client, f"{url}?stage=senior")[1]
    assert "共 3 名学生" in queries(client, f"{url}?community={HOME_COMMUNITY}")[1]
    page = queries(client, f"{url}?stage=x")[1]
    assert "没有“x”这种学段，已忽略该筛选条件" in page and "共 4 名学生" in page


def test_the_job_list_narrows_by_community_and_employment(
    client, caseworker, street_officer, county_officer, make_user
):
    from help.tests.factories import enrolled_household

    neighbour = make_user("caseworker", "360102002002", "cw2")
    for worker, community in (
        (caseworker, HOME_COMMUNITY),
        (caseworker, HOME_COMMUNITY),
        (neighbour, "360102002002"),
    ):
        enrolled_household(
            caseworker=worker,
            street=street_officer,
            county=county_officer,
            community_id=community,
            members=1,
        )
    client.force_login(county_officer)
    url = reverse("job_list")
    assert "共 3 人" in queries(client, url)[1]
    assert "共 2 人" in queries(client, f"{url}?community={HOME_COMMUNITY}&sort=-support_count")[1]
    assert "共 0 人" in queries(client, f"{url}?employment=employed")[1]
    page = queries(client, f"{url}?employment=x")[1]
    assert "没有“x”这种就业状况，已忽略该筛选条件" in page and "共 3 人" in page


def test_the_charity_lists_narrow_by_kind_and_community(client, street_officer, county_officer):
    needs(2, street_officer)
    needs(1, street_officer, kind="education")
    needs(1, street_officer, community="360102002002")
    offers(2, county_officer)
    offers(1, county_officer, kind="education")
    client.force_login(street_officer)
    url = reverse("need_list")
    assert "共 4 项需求" in queries(client, url)[1]
    assert "共 1 项需求" in queries(client, f"{url}?kind=education")[1]
    assert "共 2 项需求" in queries(client, f"{url}?community={HOME_COMMUNITY}&kind=medical")[1]
    assert "共 0 项需求" in queries(client, f"{url}?status=withdrawn")[1]
    page = queries(client, f"{url}?month=2026-13")[1]
    assert "发布月份“2026-13”不是有效的月份" in page and "共 4 项需求" in page
    url = reverse("charity_home")
    assert "共 3 项" in queries(client, url)[1]
    assert "共 1 项" in queries(client, f"{url}?kind=education")[1]
    assert "共 0 项" in queries(client, f"{url}?provider_kind=union")[1]


def test_the_access_log_narrows_by_source_and_month(client, auditor):
    access_logs(3, auditor)
    client.force_login(auditor)
    url = reverse("access_log")
    before = queries(client, url)[1]
    total = int(before.split('<p class="hint">共 ')[1].split(" 条")[0])
    assert total >= 3
    assert "共 0 条" in queries(client, f"{url}?source=api&month=2026-05")[1]
    assert "共 3 条" in queries(client, f"{url}?source=staff&month=2026-05")[1]
    assert "共 0 条" in queries(client, f"{url}?month=2026-04")[1]
    page = queries(client, f"{url}?source=x&month=2026-13")[1]
    assert "没有“x”这种访问方，已忽略该筛选条件" in page and f"共 {total} 条" in page


def test_the_api_client_list_narrows_by_state_within_scope(client, county_officer):
    api_clients(2, county_officer)
    api_clients(1, county_officer, active=False)
    api_clients(1, county_officer, region="360103")  # another county: never on this officer's list
    client.force_login(county_officer)
    url = reverse("api_client_list")
    assert "共 3 个客户端" in queries(client, url)[1]
    assert "共 1 个客户端" in queries(client, f"{url}?state=inactive")[1]
    assert "共 2 个客户端" in queries(client, f"{url}?state=active")[1]
    assert "共 0 个客户端" in queries(client, f"{url}?q=医保")[1]
    page = queries(client, f"{url}?state=x")[1]
    assert "没有“x”这种状态，已忽略该筛选条件" in page and "共 3 个客户端" in page


def test_the_standard_list_narrows_by_year_and_region_within_scope(client, county_officer):
    from eligibility.models import Standard

    for year in (2024, 2025, 2026):
        standard_make(year=year)
    standard_make(year=2026, region_id="360103")  # another county: never on this officer's list
    mine = Standard.objects.filter(region_id__in=["360102", "360100", "360000"]).count()
    client.force_login(county_officer)
    url = reverse("standard_list")
    total = int(queries(client, url)[1].split("共 ")[1].split(" 条标准")[0])
    assert total >= 3 and total <= mine
    assert "共 1 条标准" in queries(client, f"{url}?year=2025&region=360102")[1]
    assert "共 0 条标准" in queries(client, f"{url}?region=360103")[1]
    page = queries(client, f"{url}?year=20x5")[1]
    assert "年度“20x5”不是有效的年份" in page and f"共 {total} 条标准" in page


def test_the_lockout_list_narrows_by_name_within_scope(client, county_officer):
    lockouts(2, county_officer)
    lockouts(1, county_officer, prefix="zz")
    lockouts(1, county_officer, region="360103001001", prefix="out")  # staff of another county: never shown
    client.force_login(county_officer)
    url = reverse("lockout_list")
    assert "共 3 个锁定" in queries(client, url)[1]
    assert "共 1 个锁定" in queries(client, f"{url}?q=zz")[1]
    assert "共 0 个锁定" in queries(client, f"{url}?q=out")[1]
    page = queries(client, f"{url}?sort=username")[1]
    assert page.index(">cw0<") < page.index(">cw1<") < page.index(">zz2<")
    page = queries(client, f"{url}?sort=-username&page=abc")[1]
    assert page.index(">zz2<") < page.index(">cw1<") < page.index(">cw0<")


def test_the_match_list_narrows_by_community_and_month(client, street_officer, county_officer):
    from help.models import AidMatch, AidOffer

    offers(1, county_officer)
    offer = AidOffer.objects.get()
    for community, day in ((HOME_COMMUNITY, 5), (HOME_COMMUNITY, 6), ("360102002002", 7)):
        AidMatch.objects.create(
            offer=offer,
            household=household_make(community_id=community, members=1),
            consent=True,
            consent_on=dt.date(2026, 5, day),
            consent_by="户主",
            matched_by=street_officer,
        )
    client.force_login(street_officer)
    url = reverse("match_list")
    assert "共 3 项对接" in queries(client, url)[1]
    assert "共 2 项对接" in queries(client, f"{url}?community={HOME_COMMUNITY}&sort=-consent_on")[1]
    assert "共 0 项对接" in queries(client, f"{url}?month=2026-04")[1]
    assert "共 0 项对接" in queries(client, f"{url}?community=360103001001")[1]  # outside the street: nothing
