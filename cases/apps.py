from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "历史迁移（家庭、申请、核对、帮扶、导入）"
