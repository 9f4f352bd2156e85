"""`manage.py run_daily_jobs`: the daily jobs once, now (what beat or the embedded scheduler run every day)."""

from django.core.management.base import BaseCommand

from inbox.scheduler import run_daily_jobs


class Command(BaseCommand):
    help = "立即运行一次每日任务（复核提醒、渐退到期、变化家庭重算、每日待办邮件）"

    def handle(self, *args, **options):
        for name, result in run_daily_jobs().items():
            self.stdout.write(f"{name}: {result}")
