"""Demo work that every role can complete today, on top of `seed_demo` and `seed_demo_applications`:

* caseworker: a lead reported two days ago (visit within three working days), the review tasks the daily job
  raises (reviews due this month and overdue ones), the findings of a reconciliation to confirm;
* street officer: a temporary-relief application to approve from the reserve fund, which the county has
  topped up; the application whose public notice has not started (from seed_demo_applications);
* county officer: the application whose seven-day public notice is over (from seed_demo_applications), this
  month's payment roll generated and waiting to be checked and locked;
* the second community's caseworker: a lead to visit.

Everything goes through the services, as a user would do it; then the daily jobs run once. Safe to run again:
if the demo lead exists it says so and changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import Region, User
from benefits.models import Enrolment
from benefits.services import relief as relief_services
from config.errors import ServiceError
from help.models import Lead
from help.services import leads as lead_services
from households.models import Household
from inbox.scheduler import run_daily_jobs
from ledgers.services import extract_upload, run_start

DEMO_LEAD_DETAIL = "邻居反映该户老人独居、长期患病，近期无人照料（演示）"


def _csv(header: list[str], rows: list[list[str]], name: str) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8"), content_type="text/csv")


class Command(BaseCommand):
    help = "载入演示待办（线索、临时救助、比对疑点），并运行一次每日任务；须先运行 seed_demo 和 seed_demo_applications。"

    def handle(self, *args, **options):
        if Lead.objects.filter(detail=DEMO_LEAD_DETAIL).exists():
            self.stdout.write(self.style.WARNING("演示待办已存在，未做任何改动。"))
            return
        users = {
            u.username: u
            for u in User.objects.filter(username__in=["caseworker", "caseworker2", "street", "county"])
        }
        if len(users) != 4:
            raise CommandError("缺少演示账号（caseworker、street、county），请先运行 seed_demo。")
        cw, street, county = users["caseworker"], users["street"], users["county"]
        today = timezone.localdate()
        done = []
        with transaction.atomic():
            done.append(self._lead(cw, today))
            done.append(self._lead(users["caseworker2"], today))
            done.append(self._relief(cw, street, county, today))
            done.append(self._roll(county, today))
        done.append(self._reconciliation(cw, county, today))
        results = run_daily_jobs()
        done.append(f"每日任务：{results}")
        for line in done:
            self.stdout.write(line)

    @staticmethod
    def _lead(cw, today: dt.date) -> str:
        lead = lead_services.lead_report(
            acting_user=cw,
            community=Region.objects.get(code=cw.region_id),
            name="刘桂兰",
            reason=Lead.Reason.ILLNESS,
            detail=DEMO_LEAD_DETAIL,
            source=Lead.Source.HELPER,
            reporter_name="协理员张芳",
            address=f"{Region.objects.get(code=cw.region_id).name}12栋3单元",
            today=today - dt.timedelta(days=2),
        )
        return f"主动发现线索#{lead.pk}：待走访，时限 {lead.visit_due_on:%Y-%m-%d}"

    @staticmethod
    def _roll(county, today: dt.date) -> str:
        """This month's 低保 roll, generated and waiting for the county to check and lock it."""
        from benefits.services import rolls as roll_services

        roll, _ = roll_services.roll_request(
            acting_user=county,
            county=county.region_id,
            month=today.replace(day=1),
            program="dibao",
            today=today,
            queue=False,
        )
        roll_services.roll_fill(roll_id=roll.pk)
        roll.refresh_from_db()
        return f"发放花名册#{roll.pk}（{roll.month:%Y年%m月}）：{roll.get_status_display()}"

    @staticmethod
    def _relief(cw, street, county, today: dt.date) -> str:
        relief_services.reserve_fund_topup(
            street=Region.objects.get(code=street.region_id),
            amount="20000",
            acting_user=county,
            note="演示拨付",
        )
        household = (
            Household.objects.filter(community_id=cw.region_id, applications__isnull=True)
            .order_by("id")
            .first()
        )
        if household is None:
            return "临时救助：本社区没有可用的演示家庭，跳过"
        grant = relief_services.relief_apply(
            acting_user=cw,
            household=household,
            person=household.members.order_by("id").first(),
            kind="urgent",
            amount="800",
            reason="家中突发火灾，衣物被褥损毁，急需基本生活救助（演示）",
            today=today,
        )
        return f"临时救助#{grant.pk}：{grant.get_status_display()}"

    @staticmethod
    def _reconciliation(cw, county, today: dt.date) -> str:
        """A death register that lists an enrolled person of the caseworker's community, and a run over it."""
        period = f"{today.year}H{1 if today.month <= 6 else 2}"
        enrolment = (
            Enrolment.objects.filter(household__community_id=cw.region_id, status=Enrolment.Status.ACTIVE)
            .order_by("id")
            .first()
        )
        if enrolment is None:
            return "比对：本社区没有在保家庭，跳过"
        person = enrolment.household.members.order_by("id").first()
        died = max(today - dt.timedelta(days=3), dt.date(today.year, 1 if today.month <= 6 else 7, 1))
        try:
            extract_upload(
                principal=county,
                file=_csv(
                    ["身份证号码", "姓名", "死亡日期"],
                    [[person.id_number, person.name, died.isoformat()]],
                    "death.csv",
                ),
                original_name="公安死亡人员名单（演示）.csv",
                kind="death",
                period=period,
                mode="strict",
            )
            run = run_start(
                acting_user=county, region=Region.objects.get(code=county.region_id), period=period
            )
        except ServiceError as exc:
            return f"比对：跳过（{exc.message}）"
        run.refresh_from_db()
        return f"比对#{run.pk}（{period}）：{run.get_status_display()}"
