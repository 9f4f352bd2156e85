"""The inbox app; in the embedded mode its ready() starts the daily jobs' scheduler (inbox/scheduler.py)."""

from django.apps import AppConfig


class InboxConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "inbox"
    verbose_name = "我的待办"

    def ready(self) -> None:
        from inbox import scheduler

        scheduler.start_if_embedded_server()
