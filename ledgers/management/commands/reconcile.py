"""Start a reconciliation run from the shell, or print the rules' SQL.

manage.py reconcile --explain [--vendor postgresql|sqlite]       the rules as Markdown (ledgers/RULES.md)
manage.py reconcile --user county_officer --region 360102 --period 2025H2 [--wait]
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from ledgers import periods


class Command(BaseCommand):
    help = "发起比对，或打印比对规则的 SQL（--explain）"

    def add_arguments(self, parser):
        parser.add_argument("--explain", action="store_true", help="print every rule's SQL and policy clause")
        parser.add_argument(
            "--vendor", default=None, help="SQL dialect for --explain (default: this database)"
        )
        parser.add_argument("--user", help="the officer starting the run (username)")
        parser.add_argument("--region", help="county, city or province code")
        parser.add_argument("--period", help="e.g. 2025H2 (default: the half-year that ended last)")
        parser.add_argument(
            "--wait", action="store_true", help="wait for the run to end and print its counts"
        )

    def handle(self, *args, **opts):
        if opts["explain"]:
            from django.db import connection

            from ledgers.rules import explain

            self.stdout.write(explain(opts["vendor"] or connection.vendor))
            return
        from django.utils import timezone

        from accounts.models import Region, User
        from config.errors import ServiceError
        from ledgers.models import ReconciliationRun
        from ledgers.services import run_start

        if not opts["user"] or not opts["region"]:
            raise CommandError("give --user and --region (or --explain)")
        try:
            user = User.objects.get(username=opts["user"])
            region = Region.objects.get(code=opts["region"])
        except (User.DoesNotExist, Region.DoesNotExist) as exc:
            raise CommandError(str(exc)) from None
        period = opts["period"] or periods.default_period(timezone.localdate())
        try:
            run = run_start(acting_user=user, region=region, period=period)
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"比对#{run.pk} {region.name} {periods.label(run.period)} 已发起")
        if not opts["wait"]:
            return
        while True:
            run = ReconciliationRun.objects.get(pk=run.pk)
            if not run.is_active:
                break
            time.sleep(1)
        if run.status != ReconciliationRun.Status.DONE:
            raise CommandError(f"比对#{run.pk} 失败：{run.error}")
        for rule, n in sorted(run.summary.items()):
            self.stdout.write(f"{rule}\t{n}")
