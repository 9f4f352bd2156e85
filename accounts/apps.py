"""The accounts app: records logins without a history row, and registers background list exports with the one
sweeper of stuck work (common/background.py)."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "账户与区划"

    def ready(self) -> None:
        from django.contrib.auth import user_logged_in
        from django.contrib.auth.models import update_last_login
        from django.utils import timezone

        # Record last_login with a plain UPDATE: a login is not a change to the staff record, and
        # saving the user would write a history row on every login.
        def record_last_login(sender, user, **kwargs):
            type(user).objects.filter(pk=user.pk).update(last_login=timezone.now())

        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(record_last_login, dispatch_uid="jiekun_record_last_login")

        from accounts import export_jobs
        from common import background

        background.register_sweep("export", export_jobs.export_jobs_sweep)
