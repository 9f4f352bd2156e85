"""Demo applications in every state for the households that `seed_demo` loaded, made through the real
services with back-dated business days, so every queue has work and some of it is overdue.

Run after `seed_demo`. Safe to run again: if any application exists it says so and changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from applications.models import Application
from applications.services import applications as services
from common.dates import add_months
from config.errors import ServiceError
from economic_check.services import economic_check_auto
from households.models import Household

DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

# Cases approved over the last HISTORY_MONTHS months (one received early each month), their monthly payment rolls
# generated and locked by the county, and a few exits: what the oversight reports and the ledgers show.
HISTORY_MONTHS = 20
DEMO_EXITS = (
    ("income", "家庭成员就业后人均收入超过保障标准（演示）", {}),
    ("moved", "全家迁往外省（演示）", {"moved_to": "浙江省杭州市"}),
)

# (final state, days ago the case was received, note); the steps follow on the next days.
PLAN = (
    ("investigating", 0, "今天受理，待入户调查"),
    ("investigating", 20, "受理已久，入户调查超期"),
    ("reviewing", 12, "入户调查后民主评议超期"),
    ("street_review", 4, "待街道审核"),
    ("street_approved", 5, "街道审核通过，待公示"),
    ("notice", 4, "公示中"),
    ("notice_over", 12, "公示期满，待县级审批"),
    ("approved", 20, "已批准并纳入救助"),
    ("street_rejected", 10, "街道审核不予通过"),
)


class Command(BaseCommand):
    help = "载入演示救助申请（各环节各一件，部分超期），须先运行 seed_demo。"

    def handle(self, *args, **options):
        if Application.objects.exists():
            self.stdout.write(self.style.WARNING("已有救助申请，未做任何改动。"))
            return
        users = {u.username: u for u in User.objects.filter(username__in=["caseworker", "street", "county"])}
        if len(users) != 3:
            raise CommandError("缺少演示账号（caseworker、street、county），请先运行 seed_demo。")
        today = timezone.localdate()
        cw, street, county = users["caseworker"], users["street"], users["county"]
        households = list(Household.objects.filter(community_id=cw.region_id).order_by("id"))
        made: list[str] = []
        with transaction.atomic():
            for final, days_ago, note in PLAN:
                start = today - dt.timedelta(days=days_ago)
                for household in households:
                    if household.applications.exists():
                        continue
                    category = self._category(household, start)
                    if final in ("investigating", "reviewing", "street_rejected"):
                        category = category or "dibao"
                    elif category != "dibao":  # the approvable demo cases pay a 低保 amount
                        continue
                    try:
                        with transaction.atomic():
                            application = self._drive(
                                household, category, final, start, today, cw, street, county
                            )
                    except ServiceError as exc:
                        self.stdout.write(self.style.WARNING(f"跳过家庭#{household.pk}：{exc.message}"))
                        continue
                    application.refresh_from_db()
                    made.append(
                        f"  申请#{application.pk} 家庭#{household.pk} {application.get_status_display()}"
                        f"（{note}）"
                    )
                    break
            history = self._history(households, today, cw, street, county)
        self.stdout.write(f"已创建 {len(made)} 件演示救助申请（{cw.region.name}）：")
        for line in made:
            self.stdout.write(line)
        self.stdout.write(history)

    def _history(self, households, today: dt.date, cw, street, county) -> str:
        """Approved cases received over the last months, each month's 低保 roll generated and locked, two exits."""
        from benefits.models import Enrolment
        from benefits.services import enrolments as enrolment_services
        from benefits.services import rolls as roll_services

        this_month = today.replace(day=1)
        approved = 0
        free = [h for h in households if not h.applications.exists()]
        for months_ago in range(HISTORY_MONTHS, 1, -1):
            start = add_months(this_month, -months_ago) + dt.timedelta(days=4)
            for household in list(free):
                if self._category(household, start) != "dibao":
                    continue
                try:
                    with transaction.atomic():
                        self._drive(household, "dibao", "approved", start, today, cw, street, county)
                except ServiceError as exc:
                    self.stdout.write(self.style.WARNING(f"跳过家庭#{household.pk}：{exc.message}"))
                    continue
                free.remove(household)
                approved += 1
                break
        exited = 0
        for enrolment, (reason, note, details) in zip(
            Enrolment.objects.filter(household__in=households).order_by("id")[1:3], DEMO_EXITS, strict=False
        ):
            enrolment_services.enrolment_exit(
                enrolment=enrolment,
                acting_user=county,
                reason=reason,
                note=note,
                details=details,
                today=add_months(this_month, -3) + dt.timedelta(days=9),
            )
            exited += 1
        first = Enrolment.objects.order_by("start_month").values_list("start_month", flat=True).first()
        locked = 0
        month = first
        while month is not None and month < this_month:
            roll, _ = roll_services.roll_request(
                acting_user=county,
                county=county.region_id,
                month=month,
                program="dibao",
                today=month,
                queue=False,
            )
            roll_services.roll_fill(roll_id=roll.pk)
            roll.refresh_from_db()
            roll_services.roll_lock(roll=roll, acting_user=county)
            locked += 1
            month = add_months(month, 1)
        return (
            f"历史数据：近{HISTORY_MONTHS}个月批准 {approved} 户，退出 {exited} 户，"
            f"生成并锁定低保发放花名册 {locked} 个月\n" + self._policy_v2(households, today, cw, county)
        )

    def _policy_v2(self, households, today: dt.date, cw, county) -> str:
        """Policy version 2 in the money (policy.md §8), once each: a 增发, a member's share stopped after three
        refusals of work, a death confirmed after two locked rolls paid for months after it, and 特别救助 (§6): one
        approved by the county, one waiting for its approval."""
        from benefits.models import CountyTask, Enrolment
        from benefits.services import followups
        from eligibility.ages import age_on, is_working_age
        from help.services.jobs import work_refusal_record

        active = list(
            Enrolment.objects.filter(household__in=households, status=Enrolment.Status.ACTIVE)
            .select_related("household", "payee")
            .order_by("id")
        )
        said: list[str] = []
        this_month = today.replace(day=1)
        used: set[int] = set()

        def attempt(label: str, action) -> None:
            try:
                with transaction.atomic():
                    said.append(f"  {label}：{action()}")
            except ServiceError as exc:
                self.stdout.write(self.style.WARNING(f"跳过{label}演示：{exc.message}"))

        def able(enrolment):
            for row in enrolment.covered.filter(ended_on__isnull=True).select_related("person"):
                p = row.person
                if is_working_age(age_on(p.birth_date, today)) and p.labor_capacity != "none":
                    return p
            return None

        family = next((e for e in active if e.covered.count() > 1 and able(e)), None)
        if family is not None:
            used.add(family.pk)
            member = able(family)

            def refuse_and_stop() -> str:
                for weeks in (10, 6, 2):
                    work_refusal_record(
                        acting_user=cw,
                        person=member,
                        offered_on=today - dt.timedelta(weeks=weeks),
                        offer="社区保洁员（公益性岗位）",
                        offered_by="街道劳动保障所",
                        reason_given="不愿从事保洁工作（演示）",
                        today=today,
                    )
                r = followups.member_share_reduce(
                    enrolment=family,
                    person=member,
                    acting_user=county,
                    action="stop",
                    note="连续三次无正当理由拒绝介绍的适当工作（演示）",
                    today=today,
                )
                return f"家庭#{family.household_id} {member.name} 份额停发，自{r.from_month:%Y年%m月}起"

            attempt("拒绝工作减发", refuse_and_stop)
        extra = next((e for e in active if e.pk not in used), None)
        if extra is not None:
            used.add(extra.pk)
            attempt(
                "增发",
                lambda: "家庭#{} 每月{}元".format(
                    extra.household_id,
                    followups.supplement_grant(
                        enrolment=extra,
                        acting_user=county,
                        amount="100",
                        reason="家中有重病患者，医疗支出大（演示）",
                        start_month=add_months(this_month, 1).isoformat(),
                        end_month=add_months(this_month, 6).isoformat(),
                        today=today,
                    ).amount,
                ),
            )
        died = next(
            (
                e
                for e in active
                if e.pk not in used and e.payee_id and e.start_month <= add_months(this_month, -4)
            ),
            None,
        )
        if died is not None:

            def death() -> str:
                followups.fact_confirm(
                    person=died.payee,
                    kind="death",
                    event_on=add_months(this_month, -3) + dt.timedelta(days=9),
                    acting_user=cw,
                    source="入户核查，见死亡医学证明（演示）",
                    today=today,
                )
                over = CountyTask.objects.filter(enrolment=died, kind="overpayment").first()
                return f"家庭#{died.household_id} {died.payee.name} 死亡，多发{over.total if over else 0}元待追回"

            attempt("死亡核实", death)

        def special(household, gross, deductions, amount, approve: bool) -> str:
            from benefits.services import relief

            grant = relief.relief_special_apply(
                acting_user=cw,
                household=household,
                person=household.members.order_by("id").first(),
                amount=amount,
                reason="户主突患重病住院手术，医疗费用远超家庭承受能力（演示）",
                gross_expenditure=gross,
                deductions=deductions,
                today=today,
            )
            if approve:
                relief.relief_county_approve(
                    grant=grant,
                    acting_user=county,
                    note="经核实，同意特别救助（演示）",
                    duplicate_reason="扣除项已含此前的临时救助（演示）",
                    today=today,
                )
            state = "县级已审批发放" if approve else "待县级审批"
            return (
                f"家庭#{household.pk} 特别救助 {grant.amount} 元（实际负担 {grant.net_burden} 元），{state}"
            )

        spare = [e.household for e in active if e.pk not in used and e.pk != getattr(died, "pk", None)]
        if len(spare) >= 2:
            attempt(
                "特别救助",
                lambda: special(
                    spare[0],
                    "68000",
                    {"deduction_insurance": "38000", "deduction_relief": "6000", "deduction_charity": "4000"},
                    "15000",
                    approve=True,
                ),
            )
            attempt(
                "特别救助申请",
                lambda: special(
                    spare[1],
                    "42000",
                    {"deduction_insurance": "25000", "deduction_relief": "3000", "deduction_charity": "0"},
                    "10000",
                    approve=False,
                ),
            )
        return "政策第2版演示：\n" + "\n".join(said) if said else "政策第2版演示：无合适的家庭"

    @staticmethod
    def _category(household: Household, as_of: dt.date) -> str | None:
        from eligibility.services import determine_household

        try:
            found = determine_household(household=household, as_of=as_of)["categories"]
        except ServiceError:
            return None
        return next((c for c in ("dibao", "zhichu", "tekun") if c in found), None)

    @staticmethod
    def _drive(household, category, final, start, today, cw, street, county) -> Application:
        """Walk one application to `final`, a step a day from `start`, never past today."""
        day = start

        def step() -> dt.date:
            nonlocal day
            day = min(day + dt.timedelta(days=1), today)
            return day

        application = services.application_intake(
            acting_user=cw,
            household=household,
            category=category,
            reasons="家庭收入低，生活困难（演示）",
            check_authorised=True,
            check_authorised_on=start,
            today=start,
            documents=[("id_card", SimpleUploadedFile("户主身份证.pdf", DEMO_PDF))],
            residence_basis="hukou",
        )
        economic_check_auto(application_id=application.pk, today=start)  # what intake queues (idempotent)
        if final == "investigating":
            return application
        visited = step() if final != "reviewing" else start
        services.application_visit_record(
            acting_user=cw,
            application=application,
            visited_on=visited,
            investigators=["李敏", "王强"],
            findings="入户核实居住、收入和财产情况，与申报一致",
            today=visited,
        )
        if final == "reviewing":
            return application
        held = step()
        services.application_review_record(
            acting_user=cw,
            application=application,
            held_on=held,
            participants="社区两委成员、居民代表",
            representatives=7,
            conclusion="agree",
            today=held,
        )
        if final == "street_review":
            return application
        reviewed = step()
        if final == "street_rejected":
            services.application_street_reject(
                acting_user=street,
                application=application,
                reason="经核查家庭人均收入高于当地低保标准",
                today=reviewed,
            )
            return application
        services.application_street_approve(acting_user=street, application=application, today=reviewed)
        if final == "street_approved":
            return application
        services.application_notice_start(acting_user=street, application=application, today=step())
        if final == "notice":
            return application
        application.refresh_from_db()
        decided = application.notice_ends_on + dt.timedelta(days=1)
        if decided > today:
            raise ServiceError("公示期尚未届满，无法生成该状态的演示申请")
        if final == "notice_over":
            return application
        services.application_county_approve(
            acting_user=county, application=application, note="同意（演示）", today=decided
        )
        return application
