from django.apps import AppConfig


class LedgersConfig(AppConfig):
    name = "ledgers"
    verbose_name = "台账与比对"

    def ready(self) -> None:
        # The economic check (a lower app) reads department data through adapters; ledgers provides the
        # default one, over the loaded extracts.
        from economic_check.sources import register_default_sources
        from ledgers.sources import extract_sources

        register_default_sources(extract_sources)
