"""The economic check app: fills the intake hooks of applications and registers its automatic check with the
one sweeper of stuck work."""

from django.apps import AppConfig


class EconomicCheckConfig(AppConfig):
    name = "economic_check"
    verbose_name = "经济状况核对"

    def ready(self) -> None:
        # applications (a lower app) queues the check and waits for it through these hooks.
        from applications import hooks
        from economic_check import services

        hooks.register("after_intake", services.queue_after_intake)
        hooks.register(
            "before_street_approve", lambda application: services.economic_block(application=application)
        )

        from common import background

        background.register(services.AUTO_KIND)
