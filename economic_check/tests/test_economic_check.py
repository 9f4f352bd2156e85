"""The economic check at intake: authorisation, every kind of contradiction with its rule, sources not
checked, the block on the street review and its release (correction, explanation), the applicant's
objection, the automatic run after intake, refused actions changing nothing, and one query per source."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Event
from applications.models import Application
from applications.services import applications as services
from applications.tests.factories import FAST_HASHERS, TODAY, application_at, standard_make
from applications.tests.factories import application_state as app_state
from config.errors import PermissionDenied, ServiceError
from conftest import HOME_COMMUNITY, make_id
from economic_check import services as economic
from economic_check.models import CheckObjection, EconomicCheck, EconomicCheckItem, EconomicContradiction
from economic_check.sources import CHECK_KINDS
from economic_check.tasks import economic_check_auto
from households.services import HOUSEHOLD_FIELDS, PERSON_FIELDS, household_save
from households.tests.factories import household_make
from ledgers.models import Extract
from ledgers.services import extract_upload
from ledgers.tests.factories import csv_upload

pytestmark = pytest.mark.django_db

PERIOD = "2018H1"
HEADERS = {
    "death": ["身份证号码", "姓名", "死亡日期"],
    "move": ["身份证号码", "姓名", "迁出日期", "迁入地区划代码"],
    "vehicle": ["身份证号码", "姓名", "号牌号码"],
    "business": ["身份证号码", "姓名", "统一社会信用代码", "登记状态"],
    "real_estate": ["身份证号码", "姓名", "不动产权证号"],
    "tax_income": ["身份证号码", "姓名", "月均收入（元）"],
    "social_insurance": ["身份证号码", "姓名", "月缴费基数或月养老金（元）", "险种"],
    "housing_fund": ["身份证号码", "姓名", "月缴存基数（元）"],
    "financial": ["身份证号码", "姓名", "余额（元）"],
    "benefit": ["身份证号码", "姓名", "待遇金额（元）"],
}


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.ECONOMIC_CHECK_MAX_AGE_DAYS = 180
    settings.ECONOMIC_CHECK_ADAPTERS = {}
    standard_make(year=2018)


@pytest.fixture
def load(county_officer, django_capture_on_commit_callbacks):
    """Upload and load an extract of `kind` for 东湖区 (360102), loaded on `loaded_on` (default: TODAY)."""

    def do(kind: str, rows: list[list], program: str = "", loaded_on: dt.date = TODAY) -> Extract:
        with django_capture_on_commit_callbacks(execute=True):
            e = extract_upload(
                principal=county_officer,
                file=csv_upload(HEADERS[kind], rows),
                original_name=f"{kind}.csv",
                kind=kind,
                program=program,
                period=PERIOD,
                mode="strict",
            )
        e.refresh_from_db()
        assert e.status == "loaded", (e.status, e.error, list(e.errors.values_list("message", flat=True)))
        moment = timezone.make_aware(dt.datetime.combine(loaded_on, dt.time(9, 0)))
        Extract.objects.filter(pk=e.pk).update(loaded_at=moment)
        return e

    return do


@pytest.fixture
def household(db):
    return household_make(community_id=HOME_COMMUNITY, members=2, address="滕王阁路18号")


@pytest.fixture
def people(household):
    head, child = household.members.order_by("id")
    return head, child


def check_state() -> dict:
    return {
        "checks": list(EconomicCheck.objects.order_by("pk").values()),
        "items": EconomicCheckItem.objects.count(),
        "contradictions": list(EconomicContradiction.objects.order_by("pk").values()),
        "contradiction_history": EconomicContradiction.history.count(),
        "objections": CheckObjection.objects.count(),
        "app": app_state(),
        "events": Event.objects.count(),
    }


def run(application, user, today=TODAY, **kw) -> EconomicCheck:
    return economic.economic_check_run(acting_user=user, application=application, today=today, **kw)


# --- authorisation --------------------------------------------------------------------------------


def test_a_check_without_the_applicants_authorisation_is_refused_and_changes_nothing(household, caseworker):
    application = Application.objects.create(
        household=household,
        category="dibao",
        reasons="测试",
        status="investigating",
        received_on=TODAY,
        created_by=caseworker,
        check_authorised=False,
    )
    before = check_state()
    with pytest.raises(ServiceError) as exc:
        run(application, caseworker)
    assert exc.value.errors == [
        {
            "field": "check_authorised",
            "message": "申请人尚未签署家庭经济状况核对授权书（赣发〔2018〕7号 四(三)），不能进行核对",
        }
    ]
    assert economic.economic_check_auto(application_id=application.pk, today=TODAY) is None
    assert check_state() == before


def test_only_the_communitys_caseworker_runs_a_check(household, caseworker, street_officer, make_user):
    application = application_at("investigating", household=household, caseworker=caseworker)
    before = check_state()
    for user in (street_officer, make_user("caseworker", "360102002002", "cw-other")):
        with pytest.raises(PermissionDenied):
            run(application, user)
    assert check_state() == before


def test_no_check_after_the_street_review(household, caseworker, street_officer):
    application = application_at(
        "street_approved", household=household, caseworker=caseworker, street=street_officer
    )
    before = check_state()
    with pytest.raises(ServiceError) as exc:
        run(application, caseworker)
    assert exc.value.code == "wrong_state"
    assert check_state() == before


# --- the automatic run ---------------------------------------------------------------------------


def test_intake_queues_the_check_which_runs_once(
    household, caseworker, load, people, django_capture_on_commit_callbacks
):
    # the automatic run checks as of the real date, so the extract is loaded today
    load("tax_income", [[people[0].id_number, "", "3000"]], loaded_on=timezone.localdate())
    with django_capture_on_commit_callbacks(execute=True):
        application = application_at("investigating", household=household, caseworker=caseworker)
    check = EconomicCheck.objects.get()
    assert (check.application_id, check.trigger, check.run_by_id, check.members) == (
        application.pk,
        "auto",
        None,
        2,
    )
    event = application.events.get(step="economic_check")
    assert (event.verb, event.actor_id, event.data["open"]) == (
        "家庭经济状况核对（系统自动）",
        caseworker.pk,
        1,
    )
    assert economic_check_auto.delay(application.pk).get() == check.pk  # a second delivery does nothing new
    assert EconomicCheck.objects.count() == 1


# --- every kind of contradiction, with its rule ------------------------------------------------------

CASES = [
    # kind, rows (h = head, c = child), program, expected (rule, member or "" for the household, clause, message)
    (
        "death",
        [["c", "", "2018-05-01"]],
        "",
        (
            "member_deceased",
            "c",
            "赣发〔2018〕7号 六(三)",
            "{c}已于2018-05-01死亡注销户籍，不能作为申请家庭成员",
        ),
    ),
    (
        "move",
        [["h", "", "2018-03-01", "440300"]],
        "",
        ("member_moved", "h", "赣发〔2018〕7号 六(三)", "{h}户籍已于2018-03-01迁出本县（迁入地区划440300）"),
    ),
    (
        "vehicle",
        [["c", "", "赣A12345"], ["c", "", "赣A12345"]],
        "",
        ("vehicle_undeclared", "", "赣发〔2018〕7号 四(二)", "家庭成员名下机动车1辆（赣A12345），申报0辆"),
    ),
    (
        "business",
        [["h", "", "92360102MA00000001", "存续"]],
        "",
        (
            "business_undeclared",
            "",
            "赣发〔2018〕7号 四(二)",
            "家庭成员名下有存续的市场主体登记（92360102MA00000001），申报无营业执照",
        ),
    ),
    (
        "real_estate",
        [["h", "", "赣(2017)南昌市不动产权第1号"]],
        "",
        ("house_undeclared", "", "赣发〔2018〕7号 四(二)", "家庭成员名下不动产1处，申报房产0套"),
    ),
    (
        "tax_income",
        [["h", "", "3000"]],
        "",
        (
            "income_undeclared",
            "h",
            "赣发〔2018〕7号 四(一)–(三)",
            "{h}个人所得税收入月均3000.00元，高于申报的工资性、经营性、财产性收入300.00元",
        ),
    ),
    (
        "social_insurance",
        [["c", "", "1200", "城乡居民养老金"]],
        "",
        (
            "income_undeclared",
            "c",
            "赣发〔2018〕7号 四(一)–(三)",
            "{c}社会保险缴费与养老金月均1200.00元，高于申报的转移性收入（养老金等）0.00元",
        ),
    ),
    (
        "housing_fund",
        [["h", "", "1800"]],
        "",
        (
            "income_undeclared",
            "h",
            "赣发〔2018〕7号 四(一)–(三)",
            "{h}住房公积金缴存月均1800.00元，高于申报的工资性收入300.00元",
        ),
    ),
    (
        "financial",
        [["h", "", "20000"], ["c", "", "500.50"]],
        "",
        ("assets_undeclared", "", "赣发〔2018〕7号 四(二)", "家庭成员金融资产合计20500.50元，申报0.00元"),
    ),
    (
        "benefit",
        [["c", "", "400"]],
        "union_hardship",
        (
            "benefit_undeclared",
            "c",
            "赣发〔2018〕7号 四(二)",
            "{c}领取工会困难职工帮扶400.00元，高于申报的转移性收入0.00元",
        ),
    ),
]


@pytest.mark.parametrize("kind,rows,program,expected", CASES, ids=[c[0] for c in CASES])
def test_each_kind_of_contradiction_is_found_and_linked_to_its_rule(
    kind, rows, program, expected, household, people, caseworker, load
):
    head, child = people
    who = {"h": head, "c": child}
    extract = load(kind, [[who[r[0]].id_number, *r[1:]] for r in rows], program=program)
    application = application_at("investigating", household=household, caseworker=caseworker)
    check = run(application, caseworker)
    (c,) = check.contradictions.all()
    rule, member, clause, message = expected
    assert (c.rule, c.id_number, c.clause, c.status, c.source) == (
        rule,
        who[member].id_number if member else "",
        clause,
        "open",
        kind,
    )
    assert c.message == message.format(h=head.name, c=child.name)
    assert (c.extract_id, c.extract_date) == (extract.pk, TODAY)
    # the member × source items: this source checked for both members, the owner's cell flagged
    items = {(i.id_number, i.source): i for i in check.items.all()}
    assert set(items) == {(p.id_number, kind) for p in people}
    owners = {who[r[0]].id_number for r in rows}
    assert {n for (n, _), i in items.items() if i.contradiction} == owners
    # every other source is listed as not checked, with the reason
    assert [(s["kind"], s["status"]) for s in check.sources] == [
        (k, "checked" if k == kind else "not_checked") for k in CHECK_KINDS
    ]
    vehicle = next(s for s in check.sources if s["kind"] == "vehicle")
    if kind != "vehicle":
        assert vehicle["reason"] == "本地区没有已导入的机动车登记数据"


@pytest.mark.parametrize(
    "kind,rows,program",
    [
        ("move", [["h", "", "2018-03-01", "360102003000"]], ""),  # moved within the county
        ("business", [["h", "", "92360102MA00000002", "注销"]], ""),  # a closed business
        ("tax_income", [["h", "", "300"]], ""),  # exactly what was declared
        ("housing_fund", [["h", "", "250"]], ""),
        ("benefit", [["c", "", "380"]], "medical_premium"),  # a subsidised premium is not income
        ("death", [["c", "", "2018-07-01"]], ""),  # after the check date
    ],
)
def test_facts_that_agree_with_the_declaration_are_found_but_no_contradiction(
    kind, rows, program, household, people, caseworker, load
):
    who = {"h": people[0], "c": people[1]}
    load(kind, [[who[r[0]].id_number, *r[1:]] for r in rows], program=program)
    check = run(application_at("investigating", household=household, caseworker=caseworker), caseworker)
    assert check.contradictions.count() == 0
    owner = who[rows[0][0]]
    item = check.items.get(id_number=owner.id_number, source=kind)
    assert item.found and not item.contradiction


def test_declared_property_is_not_a_contradiction(caseworker, load):
    household = household_make(
        community_id=HOME_COMMUNITY,
        members=2,
        vehicles=1,
        houses=1,
        business=True,
        financial_assets=Decimal("20500.50"),
    )
    head = household.members.order_by("id").first()
    load("vehicle", [[head.id_number, "", "赣A1"]])
    load("real_estate", [[head.id_number, "", "赣(2017)不动产权第9号"]])
    load("business", [[head.id_number, "", "92360102MA00000009", "存续"]])
    load("financial", [[head.id_number, "", "20500.50"]])
    check = run(application_at("investigating", household=household, caseworker=caseworker), caseworker)
    assert check.contradictions.count() == 0
    assert check.items.filter(contradiction=False).exclude(found=[]).count() == 4


# --- sources not checked ------------------------------------------------------------------------------


def test_a_stale_or_foreign_extract_is_listed_as_not_checked_never_passed(
    household, people, caseworker, load, settings
):
    head = people[0]
    stale = load("tax_income", [[head.id_number, "", "3000"]], loaded_on=TODAY - dt.timedelta(days=181))
    # an extract of another county never covers this household
    foreign = load("vehicle", [[head.id_number, "", "赣A9"]])
    Extract.objects.filter(pk=foreign.pk).update(region_id="360103")
    application = application_at("investigating", household=household, caseworker=caseworker)
    check = run(application, caseworker)
    sources = {s["kind"]: s for s in check.sources}
    assert sources["tax_income"]["status"] == "not_checked"
    assert sources["tax_income"]["reason"] == (
        f"最近一次个人所得税收入数据（比对数据#{stale.pk}，{TODAY - dt.timedelta(days=181):%Y-%m-%d}导入）"
        "已超过180天，须部门提供新数据"
    )
    assert sources["vehicle"] == {
        "kind": "vehicle",
        "label": "机动车登记",
        "status": "not_checked",
        "reason": "本地区没有已导入的机动车登记数据",
        "extracts": [],
        "adapter": "ledgers.sources.ExtractSource",
    }
    assert check.contradictions.count() == 0 and check.items.count() == 0
    assert "未核对：户籍死亡注销" in application.events.get(step="economic_check").note

    settings.ECONOMIC_CHECK_MAX_AGE_DAYS = 365  # configurable: a year-old extract is then used
    check = run(application, caseworker)
    assert [c.rule for c in check.contradictions.all()] == ["income_undeclared"]


def test_a_live_interface_replaces_an_adapter_by_configuration(household, people, caseworker, settings):
    settings.ECONOMIC_CHECK_ADAPTERS = {"vehicle": "economic_check.tests.test_economic_check.FakeVehicleApi"}
    check = run(application_at("investigating", household=household, caseworker=caseworker), caseworker)
    vehicle = next(s for s in check.sources if s["kind"] == "vehicle")
    assert (vehicle["status"], vehicle["adapter"]) == ("checked", "交管接口（测试）")
    assert [c.evidence["items"] for c in check.contradictions.all()] == [["赣A-LIVE"]]


class FakeVehicleApi:
    """A department's live interface as a test double: the same `check` contract as ExtractSource."""

    def __init__(self, *, kind, region, as_of):
        self.kind, self.label = kind, "机动车登记"

    def check(self, members, region, as_of):
        from economic_check.sources import Fact, SourceResult

        return SourceResult(
            self.kind,
            self.label,
            "checked",
            facts=[Fact(id_number=members[0], ref="赣A-LIVE")],
            extracts=[],
            adapter="交管接口（测试）",
        )


# --- the block on the street review and its release -------------------------------------------------


def _correct(household, caseworker, person, **changes):
    """The caseworker corrects the household's facts through the household service."""
    data = {f: getattr(household, f) for f in HOUSEHOLD_FIELDS}
    members = []
    for p in household.members.order_by("id"):
        m = {f: getattr(p, f) for f in PERSON_FIELDS} | {"id": p.pk}
        if p.pk == person.pk:
            m.update(changes)
        members.append(m)
    household_save(acting_user=caseworker, household=household, data=data, members=members)


def test_no_street_review_before_the_household_is_checked(household, people, caseworker, street_officer):
    """The check comes before the street review (四(三)): if the check intake queued has not run, the street
    officer is told so and nothing moves; once it has run (nothing contradicts), the review goes ahead."""
    application = application_at("street_review", household=household, caseworker=caseworker, checked=False)
    before = check_state()
    with pytest.raises(ServiceError) as exc:
        services.application_street_approve(acting_user=street_officer, application=application, today=TODAY)
    assert exc.value.code == "check_missing"
    assert exc.value.errors == [
        {
            "field": "economic_check",
            "message": (
                "尚未进行家庭经济状况核对：受理后系统会自动核对；如仍未完成，请社区工作人员在申请页进行核对后再街道审核"
            ),
        }
    ]
    assert check_state() == before
    application.refresh_from_db()
    assert (application.status, application.proposed_amount) == ("street_review", None)
    run(application, caseworker)
    services.application_street_approve(acting_user=street_officer, application=application, today=TODAY)
    application.refresh_from_db()
    assert application.status == "street_approved"


def test_a_contradiction_blocks_the_street_review_until_the_facts_are_corrected(
    household, people, caseworker, street_officer, load
):
    head = people[0]
    load("tax_income", [[head.id_number, "", "3000"]])
    application = application_at("street_review", household=household, caseworker=caseworker, checked=False)
    first = run(application, caseworker)
    before = check_state()
    with pytest.raises(ServiceError) as exc:
        services.application_street_approve(acting_user=street_officer, application=application, today=TODAY)
    assert exc.value.code == "check_contradiction"
    assert exc.value.errors == [
        {
            "field": "economic_check",
            "message": (
                f"家庭经济状况核对发现1项与申报不符的情况尚未处理（{head.name}个人所得税收入月均3000.00元，高于申报的工资性、"
                "经营性、财产性收入300.00元）：须由社区工作人员更正申报后重新核对，或写明理由作出说明，才能街道审核通过"
            ),
        }
    ]
    assert check_state() == before
    assert services.application_determination(application=application, today=TODAY)["categories"] == ["dibao"]

    # the caseworker corrects the declared wage; the re-check closes the contradiction as corrected
    _correct(household, caseworker, head, income_wage=Decimal("3000"))
    second = run(application, caseworker)
    assert second.contradictions.count() == 0
    old = first.contradictions.get()
    assert (old.status, old.resolved_by_id) == ("corrected", caseworker.pk)
    assert old.reason == f"2018年6月4日重新核对（核对#{second.pk}）未再发现，家庭申报已更正"
    assert old.history.first().history_user_id == caseworker.pk
    # the live determination follows the corrected facts: (3000 + 300) / 2 = 1650 per person, no category
    determination = services.application_determination(application=application, today=TODAY)
    assert (determination["per_capita_income"], determination["categories"]) == ("1650.00", [])
    # the block is gone; what remains is the ordinary rule that a category the rules do not give needs a reason
    with pytest.raises(ServiceError) as exc:
        services.application_street_approve(acting_user=street_officer, application=application, today=TODAY)
    assert exc.value.code == "override_without_reason"
    services.application_street_reject(
        acting_user=street_officer, application=application, reason="核对收入超标", today=TODAY
    )


def test_a_deceased_member_is_corrected_by_removing_them(household, people, caseworker, street_officer, load):
    head, child = people
    load("death", [[child.id_number, "", "2018-05-01"]])
    application = application_at("street_review", household=household, caseworker=caseworker, checked=False)
    run(application, caseworker)
    data = {f: getattr(household, f) for f in HOUSEHOLD_FIELDS}
    household_save(
        acting_user=caseworker,
        household=household,
        data=data,
        members=[{f: getattr(head, f) for f in PERSON_FIELDS} | {"id": head.pk}],
        removed_member_ids=[child.pk],
    )
    check = run(application, caseworker)
    assert check.members == 1 and check.contradictions.count() == 0
    assert EconomicContradiction.objects.get(status="corrected").rule == "member_deceased"
    determination = services.application_determination(application=application, today=TODAY)
    assert (determination["per_capita_income"], determination["dibao_subsidy"]) == ("300.00", "280.00")
    services.application_street_approve(acting_user=street_officer, application=application, today=TODAY)
    assert Application.objects.get(pk=application.pk).rules_amount == Decimal("280.00")


def test_an_explained_contradiction_releases_the_block_and_stays_explained(
    household, people, caseworker, street_officer, load
):
    load("vehicle", [[people[1].id_number, "", "赣A12345"]])
    application = application_at("street_review", household=household, caseworker=caseworker, checked=False)
    check = run(application, caseworker)
    c = check.contradictions.get()
    before = check_state()
    with pytest.raises(ServiceError) as exc:
        economic.economic_contradiction_explain(
            acting_user=caseworker, application=application, contradiction_id=c.pk, reason="  ", today=TODAY
        )
    assert exc.value.errors == [{"field": "reason", "message": "请写明说明理由"}]
    with pytest.raises(PermissionDenied):
        economic.economic_contradiction_explain(
            acting_user=street_officer,
            application=application,
            contradiction_id=c.pk,
            reason="已出售",
            today=TODAY,
        )
    assert check_state() == before

    economic.economic_contradiction_explain(
        acting_user=caseworker,
        application=application,
        contradiction_id=c.pk,
        reason="车辆已于2018年3月出售，过户手续未办结（附买卖合同）",
        today=TODAY,
    )
    c.refresh_from_db()
    assert (c.status, c.resolved_by_id, c.reason) == (
        "explained",
        caseworker.pk,
        "车辆已于2018年3月出售，过户手续未办结（附买卖合同）",
    )
    assert application.events.filter(step="check_explain").count() == 1
    with pytest.raises(ServiceError) as exc:  # explained twice
        economic.economic_contradiction_explain(
            acting_user=caseworker, application=application, contradiction_id=c.pk, reason="再次", today=TODAY
        )
    assert exc.value.errors[0]["message"] == "该不符情况已处理（已说明理由）"
    # a re-check finding the same plate keeps the explanation: no new block
    again = run(application, caseworker)
    kept = again.contradictions.get()
    assert (kept.status, kept.reason) == ("explained", c.reason)
    services.application_street_approve(acting_user=street_officer, application=application, today=TODAY)
    assert Application.objects.get(pk=application.pk).status == "street_approved"


def test_a_contradiction_of_a_source_gone_stale_is_carried_not_dropped(
    household, people, caseworker, street_officer, load
):
    extract = load("tax_income", [[people[0].id_number, "", "3000"]])
    application = application_at("street_review", household=household, caseworker=caseworker, checked=False)
    run(application, caseworker)
    Extract.objects.filter(pk=extract.pk).update(loaded_at=timezone.now() - dt.timedelta(days=4000))
    later = run(application, caseworker)
    c = later.contradictions.get()
    assert (c.carried, c.status, c.rule, c.extract_id) == (True, "open", "income_undeclared", extract.pk)
    with pytest.raises(ServiceError) as exc:
        services.application_street_approve(acting_user=street_officer, application=application, today=TODAY)
    assert exc.value.code == "check_contradiction"


# --- the applicant's objection --------------------------------------------------------------------------


def test_the_applicants_objection_is_recorded_with_its_recheck(
    household, people, caseworker, street_officer, load
):
    load("vehicle", [[people[1].id_number, "", "赣A12345"]], loaded_on=TODAY - dt.timedelta(days=30))
    application = application_at("street_review", household=household, caseworker=caseworker, checked=False)
    before = check_state()
    with pytest.raises(ServiceError) as exc:  # nothing to object to yet
        economic.economic_check_objection_record(
            acting_user=caseworker, application=application, received_on=TODAY, content="车已卖", today=TODAY
        )
    assert exc.value.code == "no_check"
    assert check_state() == before
    c = run(application, caseworker).contradictions.get()

    before = check_state()
    with pytest.raises(ServiceError) as exc:
        economic.economic_check_objection_record(
            acting_user=caseworker,
            application=application,
            received_on=TODAY + dt.timedelta(days=1),
            content="",
            contradiction_id=c.pk,
            today=TODAY,
        )
    assert exc.value.errors == [
        {"field": "received_on", "message": "收到日期不能晚于今天"},
        {"field": "content", "message": "请填写异议内容及申请人提供的证明"},
    ]
    with pytest.raises(PermissionDenied):
        economic.economic_check_objection_record(
            acting_user=street_officer,
            application=application,
            received_on=TODAY,
            content="车已卖",
            today=TODAY,
        )
    assert check_state() == before

    # the objection, then the 交管 department's newer extract no longer holds the plate: the re-check clears it
    objection = economic.economic_check_objection_record(
        acting_user=caseworker,
        application=application,
        received_on=TODAY,
        contradiction_id=c.pk,
        content="申请人称车辆赣A12345已于2018年3月过户，提供了过户登记证明",
        today=TODAY,
    )
    recheck = objection.recheck
    assert (recheck.trigger, recheck.run_by_id) == ("objection", caseworker.pk)
    assert objection.outcome == f"复查（核对#{recheck.pk}）：1项不符，待处理1项"
    load("vehicle", [[make_id(county="360102", birth="19900101"), "", "赣B1"]])  # someone else's car only
    second = economic.economic_check_objection_record(
        acting_user=caseworker,
        application=application,
        received_on=TODAY,
        contradiction_id=recheck.contradictions.get().pk,
        content="交管部门已更新登记数据",
        today=TODAY,
    )
    assert (
        second.outcome == f"复查（核对#{second.recheck.pk}）：0项不符，待处理0项；所异议的情况复查后未再发现"
    )
    assert recheck.contradictions.get().status == "corrected"
    assert second.recheck.contradictions.count() == 0
    assert list(
        application.events.filter(step="check_objection").values_list("data__recheck", flat=True)
    ) == [recheck.pk, second.recheck.pk]
    services.application_street_approve(acting_user=street_officer, application=application, today=TODAY)


# --- one query per source -----------------------------------------------------------------------------


def _all_sources(load, people_ids: list[str]) -> None:
    n = people_ids
    load("death", [[n[0], "", "2018-05-01"]])
    load("move", [[n[0], "", "2018-03-01", "440300"]])
    load("vehicle", [[i, "", f"赣A{k}"] for k, i in enumerate(n)])
    load("business", [[n[0], "", "92360102MA00000001", "存续"]])
    load("real_estate", [[i, "", f"赣(2017)不动产权第{k}号"] for k, i in enumerate(n)])
    load("tax_income", [[i, "", "3000"] for i in n])
    load("social_insurance", [[i, "", "2000", "职工养老保险"] for i in n])
    load("housing_fund", [[i, "", "2000"] for i in n])
    load("financial", [[i, "", "10000"] for i in n])
    load("benefit", [[i, "", "400"] for i in n], program="union_hardship")
    load("benefit", [[i, "", "380"] for i in n], program="medical_premium")


def test_the_check_costs_the_same_queries_whatever_the_number_of_members(caseworker, load):
    small = household_make(community_id=HOME_COMMUNITY, members=2, address="小户")
    large = household_make(community_id=HOME_COMMUNITY, members=6, address="大户")
    ids = [p.id_number for h in (small, large) for p in h.members.all()]
    _all_sources(load, ids)
    counts, source_queries = [], []
    for h in (small, large):
        application = application_at("investigating", household=h, caseworker=caseworker)
        with CaptureQueriesContext(connection) as ctx:
            check = run(application, caseworker)
        counts.append(len(ctx))
        source_queries.append(sum(1 for q in ctx.captured_queries if '"ledgers_extractrow"' in q["sql"]))
        assert all(s["status"] == "checked" for s in check.sources)
        assert check.items.count() == len(CHECK_KINDS) * h.members.count()
    assert counts[0] == counts[1]
    assert source_queries == [
        len(CHECK_KINDS),
        len(CHECK_KINDS),
    ]  # one per source, the benefit ledgers in one


def test_the_application_page_costs_the_same_queries_with_a_check_of_2_or_6_members(client, caseworker, load):
    small = household_make(community_id=HOME_COMMUNITY, members=2, address="小户")
    large = household_make(community_id=HOME_COMMUNITY, members=6, address="大户")
    _all_sources(load, [p.id_number for h in (small, large) for p in h.members.all()])
    client.force_login(caseworker)
    counts = []
    for h in (small, large):
        application = application_at("investigating", household=h, caseworker=caseworker)
        run(application, caseworker)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/households/applications/{application.pk}/")
        assert response.status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1]


# --- pages ---------------------------------------------------------------------------------------


def test_the_application_page_shows_the_check_with_masked_ids_and_not_checked_sources(
    client, household, people, caseworker, load
):
    load("vehicle", [[people[1].id_number, "", "赣A12345"]])
    application = application_at("investigating", household=household, caseworker=caseworker)
    check = run(application, caseworker)
    client.force_login(caseworker)
    body = client.get(f"/households/applications/{application.pk}/").content.decode()
    assert f"核对#{check.pk}" in body and "1 项与申报不符待处理，暂不能街道审核" in body
    assert people[1].id_masked in body and people[1].id_number not in body  # the child's full ID never shows
    assert "本地区没有已导入的户籍死亡注销数据" in body
    assert "赣发〔2018〕7号 四(二)" in body and "✘ 1项：赣A12345" in body


def test_run_explain_and_objection_through_the_pages(
    client, household, people, caseworker, street_officer, load
):
    load(
        "vehicle", [[people[1].id_number, "", "赣A12345"]], loaded_on=timezone.localdate()
    )  # pages check today
    application = application_at("investigating", household=household, caseworker=caseworker)
    base = f"/households/applications/{application.pk}"
    client.force_login(street_officer)
    before = check_state()
    assert client.post(f"{base}/check/").status_code == 403
    assert client.get(f"{base}/check/objection/").status_code == 403
    assert client.get(f"{base}/check/").status_code == 405
    assert check_state() == before

    client.force_login(caseworker)
    response = client.post(f"{base}/check/")
    assert response.status_code == 302 and response.url.endswith("#economic-check")
    c = EconomicContradiction.objects.get()
    client.post(f"{base}/check/{c.pk}/explain/", {"reason": ""})
    assert EconomicContradiction.objects.get().status == "open"
    client.post(f"{base}/check/{c.pk}/explain/", {"reason": "车辆已报废，注销手续办理中"})
    assert EconomicContradiction.objects.get().status == "explained"
    response = client.post(
        f"{base}/check/objection/",
        {
            "received_on": timezone.localdate().isoformat(),
            "content": "申请人对核对结果有异议",
            "contradiction": c.pk,
        },
    )
    assert response.status_code == 302
    assert CheckObjection.objects.get().recheck.trigger == "objection"
    body = client.get(base + "/").content.decode()
    assert "申请人对核对结果有异议" in body and "复查（核对#" in body


def test_a_stale_benefit_ledger_is_named_beside_the_fresh_ones(household, people, caseworker, load):
    load("benefit", [[people[1].id_number, "", "400"]], program="union_hardship")
    old = load(
        "benefit",
        [[people[1].id_number, "", "380"]],
        program="medical_premium",
        loaded_on=TODAY - dt.timedelta(days=200),
    )
    check = run(application_at("investigating", household=household, caseworker=caseworker), caseworker)
    benefit = next(s for s in check.sources if s["kind"] == "benefit")
    assert benefit["status"] == "checked"
    assert benefit["reason"] == f"以下台账超过180天未核对：城乡居民医保个人缴费全额资助（比对数据#{old.pk}）"
    assert [e["program"] for e in benefit["extracts"]] == ["union_hardship"]
