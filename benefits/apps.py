"""The benefits app: fills the hook slots of lower apps and registers its payment rolls with the sweeper."""

from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "benefits"
    verbose_name = "待遇与发放"

    def ready(self) -> None:
        # applications and households (lower apps) act on enrolments through these hooks rather than
        # importing benefits.
        from applications import hooks
        from benefits import application_hooks as h
        from households import hooks as household_hooks

        household_hooks.register("covered_members", h.covered_members)
        hooks.register("current_categories", h.current_categories)
        hooks.register("category_amount", h.category_amount)
        hooks.register("on_county_approve", h.on_county_approve)

        # A roll 生成中 is watched by the one sweeper of stuck work.
        from benefits.services.rolls import ROLL_KIND
        from common import background

        background.register(ROLL_KIND)
