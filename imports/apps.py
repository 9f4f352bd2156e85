"""The household import app: registers its batches with the one sweeper of stuck work (common/background.py)."""

from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = "台账导入"

    def ready(self) -> None:
        from common import background
        from imports.services import KIND

        background.register(KIND)
