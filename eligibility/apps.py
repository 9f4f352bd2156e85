from django.apps import AppConfig


class EligibilityConfig(AppConfig):
    name = "eligibility"
    verbose_name = "标准与资格认定"
