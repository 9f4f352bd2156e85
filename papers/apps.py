"""Django app config of the printed papers."""

from django.apps import AppConfig


class PapersConfig(AppConfig):
    name = "papers"
    verbose_name = "打印文书"
    default_auto_field = "django.db.models.BigAutoField"
