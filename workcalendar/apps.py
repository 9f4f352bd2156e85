from django.apps import AppConfig


class WorkcalendarConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "workcalendar"
    verbose_name = "工作日历"

    def ready(self) -> None:
        from workcalendar import calendar  # noqa: F401  (connects the cache invalidation)
