from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "benefits"
    verbose_name = "待遇与发放"
