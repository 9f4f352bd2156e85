from django.apps import AppConfig


class EconomicCheckConfig(AppConfig):
    name = "economic_check"
    verbose_name = "经济状况核对"
