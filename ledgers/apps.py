"""The ledgers app: registers its default economic-check sources and its stuck-work kinds at start."""

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

        # Extracts and runs are watched by the one sweeper of stuck work.
        from common import background
        from ledgers.services import EXTRACT_KIND, RUN_KIND

        background.register(EXTRACT_KIND)
        background.register(RUN_KIND)
