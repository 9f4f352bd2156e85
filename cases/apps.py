from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "家庭与人员"
