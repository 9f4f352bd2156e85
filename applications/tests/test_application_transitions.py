"""Every transition of an application: the happy path with exact fields, events and history, and every
refused move (wrong role, wrong region, wrong state, notice not over, bad input) with nothing changed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from applications.models import Application, ApplicationEvent
from applications.services import applications as services
from applications.tests.factories import FAST_HASHERS, TODAY, RawUpload, application_at, pdf, standard_make
from applications.tests.factories import application_state as state
from benefits.models import Enrolment
from config.errors import PermissionDenied, ServiceError
from conftest import HOME_COMMUNITY, HOME_COMMUNITY_2
from households.tests.factories import household_make

pytestmark = pytest.mark.django_db

D = dt.date
NOTICE_OVER = D(2018, 6, 11)  # a notice started on Monday 4 June runs to Sunday 10 June


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = FAST_HASHERS
    standard_make(year=2018)


@pytest.fixture
def people(caseworker, street_officer, county_officer, auditor, make_user):
    return {
        "caseworker": caseworker,
        "caseworker_other": make_user("caseworker", HOME_COMMUNITY_2),
        "street": street_officer,
        "street_other": make_user("street", "360102004000"),
        "county": county_officer,
        "county_other": make_user("county", "360103"),
        "city": make_user("city", "360100"),
        "auditor": auditor,
    }


@pytest.fixture
def household():
    return household_make(community_id=HOME_COMMUNITY, members=2)


def at(status, household, people, **kw):
    return application_at(
        status,
        household=household,
        caseworker=people["caseworker"],
        street=people["street"],
        county=people["county"],
        **kw,
    )


def last_event(application) -> ApplicationEvent:
    return application.events.order_by("-id").first()


# ------------------------------------------------------------------------------------------------
# Happy paths


def test_intake_opens_the_case_with_a_deadline_documents_event_and_history(household, people, tmp_path):
    application = services.application_intake(
        acting_user=people["caseworker"],
        household=household,
        category="dibao",
        reasons="  因病致贫  ",
        check_authorised=True,
        check_authorised_on=D(2018, 6, 1),
        documents=[("id_card", pdf("户主身份证.pdf"))],
        today=TODAY,
    )
    application.refresh_from_db()
    assert application.status == "investigating"
    assert (application.received_on, application.due_on) == (
        TODAY,
        D(2018, 6, 19),
    )  # 10 working days (18 June: 端午节)
    assert (application.reasons, application.check_authorised, application.check_authorised_on) == (
        "因病致贫",
        True,
        D(2018, 6, 1),
    )
    assert application.created_by == people["caseworker"]
    document = application.documents.get()
    assert (document.kind, document.original_name, document.content_type) == (
        "id_card",
        "户主身份证.pdf",
        "application/pdf",
    )
    assert (tmp_path / "documents" / document.stored_name).read_bytes().startswith(b"%PDF-")
    event = application.events.get()
    assert (event.step, event.verb, event.from_status, event.to_status) == (
        "intake",
        "受理申请",
        "",
        "investigating",
    )
    assert (event.actor, event.on_date, event.note, event.region_code) == (
        people["caseworker"],
        TODAY,
        "因病致贫",
        HOME_COMMUNITY,
    )
    assert event.data == {"category": "dibao", "documents": [document.pk], "due_on": "2018-06-19"}
    assert application.history.get().history_user == people["caseworker"]


def test_home_visit_moves_to_democratic_review_due_five_working_days_after_the_visit(household, people):
    application = at("investigating", household, people)
    visit = services.application_visit_record(
        acting_user=people["caseworker"],
        application=application,
        visited_on=D(2018, 6, 5),
        investigators=["李敏", " 王强 ", "李敏", ""],
        findings="实地查看，收入属实",
        facts_confirmed=False,
        corrections="更正住址门牌号",
        today=D(2018, 6, 6),
    )
    application.refresh_from_db()
    assert (application.status, application.due_on) == ("reviewing", D(2018, 6, 12))
    assert (visit.investigators, visit.visited_on, visit.facts_confirmed, visit.corrections) == (
        ["李敏", "王强"],
        D(2018, 6, 5),
        False,
        "更正住址门牌号",
    )
    event = last_event(application)
    assert (event.step, event.from_status, event.to_status, event.on_date) == (
        "visit",
        "investigating",
        "reviewing",
        D(2018, 6, 6),
    )
    assert event.data["investigators"] == ["李敏", "王强"] and event.data["due_on"] == "2018-06-12"
    assert application.history.count() == 2
    assert application.history.first().history_user == people["caseworker"]


def test_democratic_review_sends_the_case_to_the_street(household, people):
    application = at("reviewing", household, people)
    review = services.application_review_record(
        acting_user=people["caseworker"],
        application=application,
        held_on=TODAY,
        participants="社区书记、居民代表",
        representatives=7,
        conclusion="agree",
        note="一致同意",
        today=TODAY,
    )
    application.refresh_from_db()
    assert (application.status, application.due_on) == ("street_review", D(2018, 6, 19))  # 18 June: 端午节
    assert (review.representatives, review.conclusion, review.note) == (7, "agree", "一致同意")
    event = last_event(application)
    assert (event.step, event.verb, event.to_status, event.actor) == (
        "review",
        "民主评议",
        "street_review",
        people["caseworker"],
    )


def test_street_approves_with_the_rules_category_and_amount(household, people):
    application = at("street_review", household, people)
    services.application_street_approve(
        acting_user=people["street"], application=application, note="同意", today=TODAY
    )
    application.refresh_from_db()
    assert application.status == "street_approved"
    assert (application.proposed_category, application.proposed_amount, application.rules_amount) == (
        "dibao",
        Decimal("560.00"),
        Decimal("560.00"),
    )  # (580 − 300) × 2
    assert application.override_reason == "" and application.street_reviewed_on == TODAY
    assert application.determination["categories"] == ["dibao"]
    assert application.due_on == D(
        2018, 6, 19
    )  # the street's limit covers starting the notice too (18 June: 端午节)
    event = last_event(application)
    assert (event.step, event.actor, event.note) == ("street_approve", people["street"], "同意")
    assert event.data == {
        "category": "dibao",
        "amount": "560.00",
        "rules_amount": "560.00",
        "override": False,
        "override_reason": "",
    }
    assert application.history.first().history_user == people["street"]


def test_street_override_of_the_amount_with_a_written_reason(household, people):
    application = at("street_review", household, people)
    services.application_street_approve(
        acting_user=people["street"],
        application=application,
        amount="600",
        override_reason="重病患者，经集体研究上浮",
        today=TODAY,
    )
    application.refresh_from_db()
    assert (application.proposed_amount, application.rules_amount) == (Decimal("600.00"), Decimal("560.00"))
    assert application.override_reason == "重病患者，经集体研究上浮"
    assert last_event(application).data["override"] is True


def test_street_override_of_the_category_with_a_written_reason(household, people):
    application = at("street_review", household, people)
    services.application_street_approve(
        acting_user=people["street"],
        application=application,
        category="zhichu",
        amount="200",
        override_reason="大病支出，按支出型认定",
        today=TODAY,
    )
    application.refresh_from_db()
    assert (application.proposed_category, application.proposed_amount, application.rules_amount) == (
        "zhichu",
        Decimal("200.00"),
        Decimal("0.00"),
    )


def test_street_return_sends_the_case_back_with_a_new_investigation_deadline(household, people):
    application = at("street_review", household, people)
    services.application_street_return(
        acting_user=people["street"],
        application=application,
        reason="收入证明不全，请补充",
        today=D(2018, 6, 8),
    )
    application.refresh_from_db()
    assert (application.status, application.due_on) == (
        "investigating",
        D(2018, 6, 25),
    )  # 10 working days, 端午节 between
    event = last_event(application)
    assert (event.step, event.from_status, event.to_status, event.note) == (
        "street_return",
        "street_review",
        "investigating",
        "收入证明不全，请补充",
    )


def test_street_reject_closes_the_case_with_the_reason(household, people):
    application = at("street_review", household, people)
    services.application_street_reject(
        acting_user=people["street"], application=application, reason="家庭人均收入高于低保标准", today=TODAY
    )
    application.refresh_from_db()
    assert (application.status, application.due_on, application.decided_on) == (
        "street_rejected",
        None,
        TODAY,
    )
    assert application.decision_reason == "家庭人均收入高于低保标准"
    assert last_event(application).step == "street_reject"


def test_notice_runs_seven_calendar_days_and_the_county_is_due_five_working_days_after(household, people):
    application = at("street_approved", household, people)
    services.application_notice_start(acting_user=people["street"], application=application, today=TODAY)
    application.refresh_from_db()
    assert application.status == "notice"
    assert (application.notice_started_on, application.notice_ends_on) == (TODAY, D(2018, 6, 10))
    assert application.due_on == D(2018, 6, 15)
    event = last_event(application)
    assert event.note == "公示期2018年6月4日至2018年6月10日"
    assert event.data == {
        "notice_started_on": "2018-06-04",
        "notice_ends_on": "2018-06-10",
        "days": 7,
        "due_on": "2018-06-15",
    }


def test_an_objection_sends_the_case_back_and_clears_the_notice(household, people):
    application = at("notice", household, people)
    objection = services.application_objection_record(
        acting_user=people["street"],
        application=application,
        received_on=D(2018, 6, 6),
        objector="邻居（匿名）",
        content="其子女有经营性收入",
        today=D(2018, 6, 6),
    )
    application.refresh_from_db()
    assert (application.status, application.due_on) == (
        "investigating",
        D(2018, 6, 21),
    )  # 10 working days, 端午节 between
    assert application.notice_started_on is None and application.notice_ends_on is None
    assert application.proposed_category == "" and application.proposed_amount is None
    assert application.determination is None
    assert (objection.content, objection.objector) == ("其子女有经营性收入", "邻居（匿名）")
    event = last_event(application)
    assert (event.step, event.from_status, event.to_status) == ("objection", "notice", "investigating")
    assert event.data["published"] == {
        "notice_started_on": "2018-06-04",
        "notice_ends_on": "2018-06-10",
        "category": "dibao",
        "amount": "560.00",
    }
    # the published proposal is still in the history
    assert application.history.filter(status="notice").exists()


def test_county_approval_enrols_the_household_from_the_next_month(household, people):
    application = at("notice", household, people)
    services.application_county_approve(
        acting_user=people["county"], application=application, note="同意", today=NOTICE_OVER
    )
    application.refresh_from_db()
    assert (application.status, application.decided_on, application.due_on) == ("approved", NOTICE_OVER, None)
    enrolment = Enrolment.objects.get()
    assert (enrolment.application, enrolment.household, enrolment.category) == (
        application,
        household,
        "dibao",
    )
    assert (enrolment.monthly_amount, enrolment.start_month, enrolment.status) == (
        Decimal("560.00"),
        D(2018, 7, 1),
        "active",
    )
    assert enrolment.created_by == people["county"]
    assert enrolment.components == {
        "dibao_subsidy": "560.00",
        "zhichu_subsidy": "0.00",
        "tekun_basic": "0.00",
        "orphan": "0.00",
        "care": "0.00",
        "disability_living": "0.00",
        "disability_care": "0.00",
    }
    covered = {m.person_id: m.category for m in enrolment.covered.all()}
    assert covered == {p.pk: "dibao" for p in household.members.all()}
    assert enrolment.history.get().history_user == people["county"]
    event = last_event(application)
    assert (event.step, event.verb, event.actor) == ("county_approve", "县级审批批准", people["county"])
    assert event.data == {
        "enrolment": enrolment.pk,
        "category": "dibao",
        "monthly_amount": "560.00",
        "start_month": "2018-07-01",
    }


def test_an_adjusted_amount_is_enrolled_with_the_difference_as_a_component(household, people):
    application = at("street_review", household, people)
    services.application_street_approve(
        acting_user=people["street"],
        application=application,
        amount="600",
        override_reason="集体研究上浮",
        today=TODAY,
    )
    services.application_notice_start(acting_user=people["street"], application=application, today=TODAY)
    services.application_county_approve(
        acting_user=people["county"], application=application, today=D(2018, 12, 20)
    )
    enrolment = Enrolment.objects.get()
    assert enrolment.monthly_amount == Decimal("600.00") and enrolment.components["adjustment"] == "40.00"
    assert enrolment.start_month == D(2019, 1, 1)


def test_county_rejection_closes_the_case_without_enrolment(household, people):
    application = at("notice", household, people)
    services.application_county_reject(
        acting_user=people["county"],
        application=application,
        reason="公示后核实有机动车辆",
        today=NOTICE_OVER,
    )
    application.refresh_from_db()
    assert (application.status, application.decided_on, application.decision_reason) == (
        "rejected",
        NOTICE_OVER,
        "公示后核实有机动车辆",
    )
    assert not Enrolment.objects.exists()
    assert last_event(application).step == "county_reject"


def test_documents_can_be_added_while_the_case_is_open(household, people):
    application = at("reviewing", household, people)
    document = services.application_document_add(
        acting_user=people["caseworker"],
        application=application,
        kind="medical",
        upload=pdf("医疗票据.pdf"),
        today=TODAY,
    )
    assert document.kind == "medical" and document.uploaded_by == people["caseworker"]
    assert last_event(application).data == {"document": document.pk}
    assert Application.objects.get(pk=application.pk).status == "reviewing"


def test_the_whole_path_with_a_return_and_an_objection_is_in_the_events_and_history(household, people):
    cw, st, co = people["caseworker"], people["street"], people["county"]
    application = at("street_review", household, people)
    services.application_street_return(
        acting_user=st, application=application, reason="补充材料", today=TODAY
    )
    services.application_visit_record(
        acting_user=cw,
        application=application,
        visited_on=TODAY,
        investigators=["李敏", "王强"],
        findings="复查属实",
        today=TODAY,
    )
    services.application_review_record(
        acting_user=cw,
        application=application,
        held_on=TODAY,
        participants="代表",
        representatives=5,
        conclusion="agree",
        today=TODAY,
    )
    services.application_street_approve(acting_user=st, application=application, today=TODAY)
    services.application_notice_start(acting_user=st, application=application, today=TODAY)
    services.application_objection_record(
        acting_user=st, application=application, received_on=TODAY, content="有异议", today=TODAY
    )
    services.application_visit_record(
        acting_user=cw,
        application=application,
        visited_on=D(2018, 6, 5),
        investigators=["李敏", "张华"],
        findings="异议不实",
        today=D(2018, 6, 5),
    )
    services.application_review_record(
        acting_user=cw,
        application=application,
        held_on=D(2018, 6, 5),
        participants="代表",
        representatives=5,
        conclusion="agree",
        today=D(2018, 6, 5),
    )
    services.application_street_approve(acting_user=st, application=application, today=D(2018, 6, 5))
    services.application_notice_start(acting_user=st, application=application, today=D(2018, 6, 6))
    services.application_county_approve(acting_user=co, application=application, today=D(2018, 6, 13))
    steps = list(application.events.order_by("id").values_list("step", flat=True))
    assert steps == [
        "intake",
        "visit",
        "review",
        "economic_check",
        "street_return",
        "visit",
        "review",
        "street_approve",
        "notice_start",
        "objection",
        "visit",
        "review",
        "street_approve",
        "notice_start",
        "county_approve",
    ]
    assert (
        application.history.count() == len(steps) - 1
    )  # the check records its result, the application is unchanged
    assert list(application.history.order_by("history_id").values_list("status", flat=True))[-1] == "approved"
    assert Enrolment.objects.get().start_month == D(2018, 7, 1)


def test_allowed_actions_follow_role_region_state_and_notice(household, people):
    application = at("notice", household, people)

    def actions(user, today):
        return services.application_actions(application=application, user=user, today=today)

    assert actions(people["street"], TODAY) == ["objection"]
    assert actions(people["county"], D(2018, 6, 10)) == []
    assert actions(people["county"], NOTICE_OVER) == ["county_approve", "county_reject"]
    assert actions(people["county_other"], NOTICE_OVER) == []
    assert actions(people["caseworker"], TODAY) == ["document"]
    assert actions(people["auditor"], NOTICE_OVER) == []


# ------------------------------------------------------------------------------------------------
# Refused transitions: the message says why, and nothing changed


def _intake(user, household, **kw):
    args = {
        "category": "dibao",
        "reasons": "困难",
        "check_authorised": True,
        "check_authorised_on": TODAY,
        "documents": [],
        "today": TODAY,
    }
    args.update(kw)
    return lambda: services.application_intake(acting_user=user, household=household, **args)


INTAKE_REFUSALS = [
    ("street", {}, PermissionDenied, "只有社区工作人员可以受理申请"),
    ("auditor", {}, PermissionDenied, "只有社区工作人员可以受理申请"),
    ("caseworker_other", {}, PermissionDenied, "只能受理本人负责社区的家庭的申请"),
    ("caseworker", {"check_authorised": False}, ServiceError, "须签署家庭经济状况核对授权书"),
    ("caseworker", {"check_authorised_on": None}, ServiceError, "请填写授权日期"),
    ("caseworker", {"check_authorised_on": D(2018, 6, 5)}, ServiceError, "授权日期不能晚于今天"),
    ("caseworker", {"category": "wealth"}, ServiceError, "请选择申请类别"),
    ("caseworker", {"reasons": "   "}, ServiceError, "请填写申请理由"),
    (
        "caseworker",
        {"documents": [("id_card", pdf("a.exe", b"MZ\x90\x00"))]},
        ServiceError,
        "只接受 PDF、JPG、PNG",
    ),
    ("caseworker", {"documents": [("passport", pdf())]}, ServiceError, "请选择材料类型"),
    # policy.md §8.5: where to apply — a member's 户籍 here, or a local 居住证 for at least 12 months
    ("caseworker", {"residence_basis": ""}, ServiceError, "请选择申请地依据"),
    ("caseworker", {"residence_basis": "none"}, ServiceError, "不能在本地受理：请到户籍地申请"),
    (
        "caseworker",
        {"residence_basis": "permit", "residence_months": "11"},
        ServiceError,
        "持本地居住证居住满12个月方可在本地申请（现11个月）",
    ),
    (
        "caseworker",
        {"residence_basis": "permit", "residence_months": "一年"},
        ServiceError,
        "请填写持本地居住证居住的月数",
    ),
]


@pytest.mark.parametrize("basis,months,shown", [("hukou", None, None), ("permit", "12", 12)])
def test_the_application_records_where_it_may_be_made(household, people, basis, months, shown):
    application = _intake(people["caseworker"], household, residence_basis=basis, residence_months=months)()
    application.refresh_from_db()
    assert (application.residence_basis, application.residence_months) == (basis, shown)


@pytest.mark.parametrize("who,kwargs,error,message", INTAKE_REFUSALS)
def test_refused_intake_changes_nothing(household, people, tmp_path, who, kwargs, error, message):
    before = state(tmp_path)
    with pytest.raises(error) as exc:
        _intake(people[who], household, **kwargs)()
    assert message in str(exc.value)
    assert state(tmp_path) == before


def test_a_second_open_application_for_the_same_household_is_refused(household, people, tmp_path):
    first = at("reviewing", household, people)
    before = state(tmp_path)
    with pytest.raises(ServiceError, match=f"该家庭已有办理中的申请#{first.pk}（待民主评议）"):
        _intake(people["caseworker"], household, documents=[("id_card", pdf())])()
    assert state(tmp_path) == before  # the checked file was not written either


def test_an_enrolled_household_cannot_apply_again_for_the_same_category(household, people, tmp_path):
    at("approved", household, people)
    before = state(tmp_path)
    with pytest.raises(ServiceError, match="该家庭已是城镇最低生活保障（低保）保障对象"):
        _intake(people["caseworker"], household, today=D(2018, 8, 1))()
    assert state(tmp_path) == before


def visit(user, **kw):
    args = {"visited_on": TODAY, "investigators": ["李敏", "王强"], "findings": "属实", "today": TODAY}
    args.update(kw)
    return lambda app: services.application_visit_record(acting_user=user, application=app, **args)


def review(user, **kw):
    args = {
        "held_on": TODAY,
        "participants": "代表",
        "representatives": 5,
        "conclusion": "agree",
        "today": TODAY,
    }
    args.update(kw)
    return lambda app: services.application_review_record(acting_user=user, application=app, **args)


def street_approve(user, **kw):
    return lambda app: services.application_street_approve(
        acting_user=user, application=app, **{"today": TODAY, **kw}
    )


def street_return(user, reason="补充材料", **kw):
    return lambda app: services.application_street_return(
        acting_user=user, application=app, reason=reason, **{"today": TODAY, **kw}
    )


def street_reject(user, reason="不符合", **kw):
    return lambda app: services.application_street_reject(
        acting_user=user, application=app, reason=reason, **{"today": TODAY, **kw}
    )


def notice_start(user, **kw):
    return lambda app: services.application_notice_start(
        acting_user=user, application=app, **{"today": TODAY, **kw}
    )


def objection(user, **kw):
    args = {"received_on": TODAY, "content": "有异议", "today": TODAY}
    args.update(kw)
    return lambda app: services.application_objection_record(acting_user=user, application=app, **args)


def county_approve(user, today=NOTICE_OVER):
    return lambda app: services.application_county_approve(acting_user=user, application=app, today=today)


def county_reject(user, reason="不符合", today=NOTICE_OVER):
    return lambda app: services.application_county_reject(
        acting_user=user, application=app, reason=reason, today=today
    )


def document_add(user, name="材料.pdf", content=None):
    from applications.tests.factories import PDF

    return lambda app: services.application_document_add(
        acting_user=user, application=app, kind="other", upload=RawUpload(name, content or PDF), today=TODAY
    )


# (state, who, action builder, error, message)
REFUSALS = [
    # 入户调查
    (
        "investigating",
        "street",
        lambda u: visit(u),
        PermissionDenied,
        "只有本社区的社区工作人员可以录入入户调查",
    ),
    (
        "investigating",
        "auditor",
        lambda u: visit(u),
        PermissionDenied,
        "只有本社区的社区工作人员可以录入入户调查",
    ),
    ("investigating", "caseworker_other", lambda u: visit(u), PermissionDenied, "无权办理其他地区的申请"),
    ("reviewing", "caseworker", lambda u: visit(u), ServiceError, "当前状态为“待民主评议”，不能录入入户调查"),
    (
        "investigating",
        "caseworker",
        lambda u: visit(u, investigators=["李敏"]),
        ServiceError,
        "至少2名调查人员，现有1名",
    ),
    (
        "investigating",
        "caseworker",
        lambda u: visit(u, investigators=["李敏", " 李敏 ", ""]),
        ServiceError,
        "至少2名调查人员，现有1名",
    ),
    (
        "investigating",
        "caseworker",
        lambda u: visit(u, visited_on=D(2018, 6, 5)),
        ServiceError,
        "调查日期不能晚于今天",
    ),
    (
        "investigating",
        "caseworker",
        lambda u: visit(u, visited_on=D(2018, 6, 1)),
        ServiceError,
        "调查日期不能早于受理日期",
    ),
    (
        "investigating",
        "caseworker",
        lambda u: visit(u, facts_confirmed=False),
        ServiceError,
        "须写明更正情况",
    ),
    ("investigating", "caseworker", lambda u: visit(u, findings=" "), ServiceError, "请填写调查情况"),
    # 民主评议
    (
        "reviewing",
        "street",
        lambda u: review(u),
        PermissionDenied,
        "只有本社区的社区工作人员可以录入民主评议",
    ),
    ("reviewing", "caseworker_other", lambda u: review(u), PermissionDenied, "无权办理其他地区的申请"),
    (
        "investigating",
        "caseworker",
        lambda u: review(u),
        ServiceError,
        "当前状态为“待入户调查”，不能录入民主评议",
    ),
    ("reviewing", "caseworker", lambda u: review(u, representatives=0), ServiceError, "须有居民代表参加"),
    ("reviewing", "caseworker", lambda u: review(u, conclusion="maybe"), ServiceError, "请选择评议结论"),
    (
        "reviewing",
        "caseworker",
        lambda u: review(u, held_on=D(2018, 6, 1)),
        ServiceError,
        "评议日期不能早于入户调查日期",
    ),
    # 街道审核
    (
        "street_review",
        "caseworker",
        lambda u: street_approve(u),
        PermissionDenied,
        "只有本街道的民政专干可以街道审核",
    ),
    (
        "street_review",
        "county",
        lambda u: street_approve(u),
        PermissionDenied,
        "只有本街道的民政专干可以街道审核",
    ),
    (
        "street_review",
        "street_other",
        lambda u: street_approve(u),
        PermissionDenied,
        "无权办理其他地区的申请",
    ),
    (
        "reviewing",
        "street",
        lambda u: street_approve(u),
        ServiceError,
        "当前状态为“待民主评议”，不能街道审核",
    ),
    (
        "street_review",
        "street",
        lambda u: street_approve(u, amount="600"),
        ServiceError,
        "审核结果与规则测算不一致（规则测算月救助金为560.00元），调整须写明理由",
    ),
    (
        "street_review",
        "street",
        lambda u: street_approve(u, category="tekun", override_reason=" "),
        ServiceError,
        "规则认定类别为城镇最低生活保障（低保）",
    ),
    (
        "street_review",
        "street",
        lambda u: street_approve(u, amount="-1", override_reason="x"),
        ServiceError,
        "金额不能为负数",
    ),
    (
        "street_review",
        "street",
        lambda u: street_approve(u, today=D(2031, 1, 6)),
        ServiceError,
        "无法按规则测算：没有 2031 年度标准",
    ),
    ("street_review", "street", lambda u: street_return(u, reason=" "), ServiceError, "退回须写明理由"),
    ("street_review", "caseworker", lambda u: street_return(u), PermissionDenied, "只有本街道的民政专干"),
    ("notice", "street", lambda u: street_return(u), ServiceError, "当前状态为“公示中”，不能退回重新调查"),
    ("street_review", "street", lambda u: street_reject(u, reason=""), ServiceError, "不予通过须写明理由"),
    ("street_review", "street_other", lambda u: street_reject(u), PermissionDenied, "无权办理其他地区的申请"),
    ("street_approved", "street", lambda u: street_reject(u), ServiceError, "不能街道审核"),
    # 公示
    (
        "street_approved",
        "caseworker",
        lambda u: notice_start(u),
        PermissionDenied,
        "只有本街道的民政专干可以开始公示",
    ),
    (
        "street_approved",
        "street_other",
        lambda u: notice_start(u),
        PermissionDenied,
        "无权办理其他地区的申请",
    ),
    (
        "street_review",
        "street",
        lambda u: notice_start(u),
        ServiceError,
        "当前状态为“待街道审核”，不能开始公示",
    ),
    ("notice", "street", lambda u: notice_start(u), ServiceError, "当前状态为“公示中”，不能开始公示"),
    ("notice", "county", lambda u: objection(u), PermissionDenied, "只有本街道的民政专干可以录入公示异议"),
    ("street_approved", "street", lambda u: objection(u), ServiceError, "不能录入公示异议"),
    ("notice", "street", lambda u: objection(u, content=""), ServiceError, "请填写异议内容"),
    (
        "notice",
        "street",
        lambda u: objection(u, received_on=D(2018, 6, 1)),
        ServiceError,
        "收到日期不能早于公示开始日期",
    ),
    # 县级审批
    (
        "notice",
        "county",
        lambda u: county_approve(u, today=TODAY),
        ServiceError,
        "公示期至2018年6月10日结束，公示期满后才能审批",
    ),
    (
        "notice",
        "county",
        lambda u: county_approve(u, today=D(2018, 6, 10)),
        ServiceError,
        "公示期满后才能审批",
    ),
    (
        "notice",
        "county",
        lambda u: county_reject(u, today=D(2018, 6, 10)),
        ServiceError,
        "公示期满后才能审批",
    ),
    (
        "notice",
        "street",
        lambda u: county_approve(u),
        PermissionDenied,
        "只有本县（区）的民政部门可以县级审批",
    ),
    ("notice", "city", lambda u: county_approve(u), PermissionDenied, "只有本县（区）的民政部门可以县级审批"),
    (
        "notice",
        "auditor",
        lambda u: county_approve(u),
        PermissionDenied,
        "只有本县（区）的民政部门可以县级审批",
    ),
    ("notice", "county_other", lambda u: county_approve(u), PermissionDenied, "无权办理其他地区的申请"),
    (
        "street_approved",
        "county",
        lambda u: county_approve(u),
        ServiceError,
        "当前状态为“街道审核通过，待公示”，不能县级审批",
    ),
    (
        "approved",
        "county",
        lambda u: county_approve(u, today=D(2018, 6, 12)),
        ServiceError,
        "当前状态为“县级批准”，不能县级审批",
    ),
    ("rejected", "county", lambda u: county_approve(u, today=D(2018, 6, 12)), ServiceError, "不能县级审批"),
    ("approved", "county", lambda u: county_reject(u, today=D(2018, 6, 12)), ServiceError, "不能县级审批"),
    ("notice", "county", lambda u: county_reject(u, reason=" "), ServiceError, "不予批准须写明理由"),
    # 补充材料
    (
        "approved",
        "caseworker",
        lambda u: document_add(u),
        ServiceError,
        "当前状态为“县级批准”，不能补充申请材料",
    ),
    (
        "reviewing",
        "street",
        lambda u: document_add(u),
        PermissionDenied,
        "只有本社区的社区工作人员可以补充申请材料",
    ),
    (
        "reviewing",
        "caseworker",
        lambda u: document_add(u, name="../../etc/passwd.pdf"),
        ServiceError,
        "文件名不能包含路径分隔符",
    ),
    (
        "reviewing",
        "caseworker",
        lambda u: document_add(u, content=b"<html>"),
        ServiceError,
        "文件内容与扩展名.pdf不符",
    ),
]


@pytest.mark.parametrize(
    "status,who,action,error,message", REFUSALS, ids=[f"{r[0]}-{r[1]}-{i}" for i, r in enumerate(REFUSALS)]
)
def test_refused_transition_changes_nothing(household, people, tmp_path, status, who, action, error, message):
    application = at(status, household, people)
    before = state(tmp_path)
    with pytest.raises(error) as exc:
        action(people[who])(application)
    assert message in str(exc.value)
    assert type(exc.value) is error
    assert state(tmp_path) == before


def test_approving_twice_gives_one_enrolment_and_one_approval_event(household, people):
    application = at("notice", household, people)
    services.application_county_approve(
        acting_user=people["county"], application=application, today=NOTICE_OVER
    )
    before = state()
    with pytest.raises(ServiceError, match="当前状态为“县级批准”"):
        services.application_county_approve(
            acting_user=people["county"], application=application, today=NOTICE_OVER
        )
    assert state() == before
    assert Enrolment.objects.count() == 1
    assert application.events.filter(step="county_approve").count() == 1


def test_inactive_user_cannot_act(household, people):
    application = at("investigating", household, people)
    people["caseworker"].is_active = False
    before = state()
    with pytest.raises(PermissionDenied):
        visit(people["caseworker"])(application)
    assert state() == before
