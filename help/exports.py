"""Excel rows of the help lists: leads, pairings, job help, students, charity needs and matches (same selectors,
scope and filters as the pages; heads and counts as subqueries)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import OuterRef, QuerySet, Subquery

from common.idnumber import mask
from households.exports import CHUNK, head_subqueries
from households.exports import day as _day
from households.models import Person
from workcalendar.calendar import work_calendar

LEAD_HEADER = (
    "编号",
    "姓名",
    "身份证号码",
    "社区代码",
    "社区",
    "来源",
    "报送部门",
    "发现原因",
    "发现日期",
    "首次走访时限",
    "超期（工作日）",
    "状态",
)


def lead_rows(leads: QuerySet, today) -> Iterator[tuple]:
    from help.models import Lead

    calendar = work_calendar()

    sources, reasons, statuses = (
        dict(Lead.Source.choices),
        dict(Lead.Reason.choices),
        dict(Lead.Status.choices),
    )
    rows = leads.values_list(
        "pk",
        "name",
        "id_number",
        "community_id",
        "community__name",
        "source",
        "api_client__department",
        "reason",
        "reported_on",
        "visit_due_on",
        "status",
    )
    for pk, name, number, code, community, source, department, reason, reported, due, status in rows.iterator(
        chunk_size=CHUNK
    ):
        overdue = calendar.working_days_after(due, today) if status == Lead.Status.OPEN and due else 0
        yield (
            pk,
            name,
            mask(number),
            code,
            community,
            sources.get(source, source),
            department or "",
            reasons.get(reason, reason),
            _day(reported),
            _day(due),
            overdue or None,
            statuses.get(status, status),
        )


PAIRING_HEADER = (
    "结对编号",
    "家庭编号",
    "户主",
    "身份证号码",
    "社区",
    "帮扶责任人",
    "身份",
    "单位",
    "结对日期",
    "状态",
    "结束日期",
    "走访次数",
    "最近走访",
)


def pairing_rows(pairings: QuerySet) -> Iterator[tuple]:
    from help.models import Pairing

    kinds, statuses = dict(Pairing.HelperKind.choices), dict(Pairing.Status.choices)
    rows = (
        pairings.prefetch_related(None)
        .annotate(**head_subqueries("household_id"))
        .values_list(
            "pk",
            "household_id",
            "x_head_name",
            "x_head_id",
            "household__community__name",
            "helper_name",
            "helper_kind",
            "helper_unit",
            "started_on",
            "status",
            "ended_on",
            "visit_count",
            "last_visit",
        )
    )
    for (
        pk,
        household,
        name,
        number,
        community,
        helper,
        kind,
        unit,
        started,
        status,
        ended,
        visits,
        last,
    ) in rows.iterator(chunk_size=CHUNK):
        yield (
            pk,
            household,
            name or "",
            mask(number),
            community,
            helper,
            kinds.get(kind, kind),
            unit,
            _day(started),
            statuses.get(status, status),
            _day(ended),
            visits,
            _day(last) or "从未走访",
        )


JOB_HEADER = (
    "姓名",
    "身份证号码",
    "家庭编号",
    "社区",
    "劳动能力",
    "就业状况",
    "新就业日期",
    "帮扶次数",
    "最近帮扶",
)


def able_member_rows(members: QuerySet) -> Iterator[tuple]:
    labors, employments = dict(Person.Labor.choices), dict(Person.Employment.choices)
    rows = members.values_list(
        "name",
        "id_number",
        "household_id",
        "household__community__name",
        "labor_capacity",
        "employment",
        "newly_employed_since",
        "support_count",
        "last_support",
    )
    for name, number, household, community, labor, employment, since, supports, last in rows.iterator(
        chunk_size=CHUNK
    ):
        yield (
            name,
            mask(number),
            household,
            community,
            labors.get(labor, labor),
            employments.get(employment, employment),
            _day(since),
            supports,
            _day(last),
        )


STUDENT_HEADER = (
    "学生",
    "身份证号码",
    "家庭编号",
    "社区",
    "学校",
    "学段",
    "年级",
    "在读状态",
    "救助对象",
    "资助笔数",
    "资助金额合计（元）",
    "更新日期",
)


def student_rows(records: QuerySet) -> Iterator[tuple]:
    from django.db.models import Count, DecimalField, Sum
    from django.db.models.functions import Coalesce
    from django.utils import timezone

    from help.models import SchoolRecord, StudentAid

    stages, statuses = dict(SchoolRecord.Stage.choices), dict(SchoolRecord.Status.choices)
    aids = StudentAid.objects.filter(school_record=OuterRef("pk")).order_by().values("school_record")
    rows = (
        records.prefetch_related(None)
        .annotate(
            x_aids=Coalesce(Subquery(aids.annotate(n=Count("id")).values("n")), 0),
            x_amount=Subquery(
                aids.annotate(s=Sum("amount")).values("s"),
                output_field=DecimalField(max_digits=12, decimal_places=2),
            ),
        )
        .values_list(
            "person__name",
            "person__id_number",
            "person__household_id",
            "person__household__community__name",
            "school",
            "stage",
            "grade",
            "status",
            "enrolled",
            "x_aids",
            "x_amount",
            "updated_at",
        )
    )
    for (
        name,
        number,
        household,
        community,
        school,
        stage,
        grade,
        status,
        enrolled,
        aids_n,
        amount,
        updated,
    ) in rows.iterator(chunk_size=CHUNK):
        yield (
            name,
            mask(number),
            household,
            community,
            school,
            stages.get(stage, stage),
            grade,
            statuses.get(status, status),
            "是" if enrolled else "否",
            aids_n,
            amount,
            timezone.localtime(updated).date() if updated else None,
        )


NEED_HEADER = (
    "需求编号",
    "家庭编号",
    "户主",
    "身份证号码",
    "社区",
    "类别",
    "说明（公开）",
    "所需金额（元）",
    "发布日期",
    "状态",
)


def need_rows(needs: QuerySet) -> Iterator[tuple]:
    from help.models import AidKind, AidNeed

    kinds, statuses = dict(AidKind.choices), dict(AidNeed.Status.choices)
    rows = (
        needs.prefetch_related(None)
        .annotate(**head_subqueries("household_id"))
        .values_list(
            "pk",
            "household_id",
            "x_head_name",
            "x_head_id",
            "household__community__name",
            "kind",
            "description",
            "amount_needed",
            "published_on",
            "status",
        )
    )
    for pk, household, name, number, community, kind, description, amount, published, status in rows.iterator(
        chunk_size=CHUNK
    ):
        yield (
            pk,
            household,
            name or "",
            mask(number),
            community,
            kinds.get(kind, kind),
            description,
            amount,
            _day(published),
            statuses.get(status, status),
        )


MATCH_HEADER = (
    "对接编号",
    "家庭编号",
    "户主",
    "身份证号码",
    "社区",
    "帮扶资源",
    "提供方",
    "家庭同意人",
    "同意日期",
    "状态",
    "落实日期",
    "实际帮扶金额（元）",
)


def match_rows(matches: QuerySet) -> Iterator[tuple]:
    from help.models import AidMatch

    statuses = dict(AidMatch.Status.choices)
    rows = (
        matches.prefetch_related(None)
        .annotate(**head_subqueries("household_id"))
        .values_list(
            "pk",
            "household_id",
            "x_head_name",
            "x_head_id",
            "household__community__name",
            "offer__title",
            "offer__provider_name",
            "consent_by",
            "consent_on",
            "status",
            "delivered_on",
            "delivered_amount",
        )
    )
    for (
        pk,
        household,
        name,
        number,
        community,
        title,
        provider,
        consent_by,
        consent_on,
        status,
        delivered,
        amount,
    ) in rows.iterator(chunk_size=CHUNK):
        yield (
            pk,
            household,
            name or "",
            mask(number),
            community,
            title,
            provider,
            consent_by,
            _day(consent_on),
            statuses.get(status, status),
            _day(delivered),
            amount,
        )
