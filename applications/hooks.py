"""The points of the application flow where a higher app acts, registered by that app when it starts.

applications sits below economic_check and benefits (architecture.md: imports only go down), yet intake must
queue the economic check, the street review must wait for it, and the county's approval must enrol the household.
Rather than import upward, this module holds one slot per point; the app that owns the work fills it in its
AppConfig.ready():

    after_intake(application)                          economic_check: queue the check once the intake commits
    before_street_approve(application)                 economic_check: refuse while the check is not done
    current_categories(household) -> set[str]          benefits: the categories the household is enrolled in
    category_amount(determination, category) -> Decimal   benefits: the monthly amount a category pays
    on_county_approve(application, determination, acting_user, today) -> dict
                                                       benefits: enrol the household; returns the event data

Each slot is called inside the caller's transaction, so a refusal or a failure rolls the whole step back. A
slot nobody filled is a configuration error, raised at the first call, never a silent no-op.
"""

from __future__ import annotations

from config.hooks import HookSlots

hooks = HookSlots(
    "applications",
    ["after_intake", "before_street_approve", "current_categories", "category_amount", "on_county_approve"],
)
register, call = hooks.register, hooks.call
