from django.apps import AppConfig


class HelpConfig(AppConfig):
    name = "help"
    verbose_name = "帮扶"

    def ready(self) -> None:
        # benefits and ledgers (lower apps) reach job help and proactive discovery only through these.
        from benefits import hooks as benefits_hooks
        from help.models import WorkRefusal
        from help.receivers import on_extract_loaded
        from ledgers.signals import extract_loaded

        benefits_hooks.register("refusals_in_a_row", WorkRefusal.unjustified_in_a_row)
        extract_loaded.connect(on_extract_loaded, dispatch_uid="help.medical_expense_leads")
