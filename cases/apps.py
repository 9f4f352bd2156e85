from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "家庭与人员"

    def ready(self) -> None:
        from cases.receivers import on_extract_loaded
        from ledgers.signals import extract_loaded

        extract_loaded.connect(on_extract_loaded, dispatch_uid="cases.medical_expense_leads")
