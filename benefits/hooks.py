"""The points where a higher app acts for benefits, registered by that app when it starts (architecture.md:
imports only go down; config.hooks.HookSlots).

    refusals_in_a_row(person) -> list     help (job help): the member's latest refusals of work without good
                                          reason, in a row, oldest first (policy.md §8.2), each with
                                          .pk, .offered_on and .offer
"""

from __future__ import annotations

from config.hooks import HookSlots

hooks = HookSlots("benefits", ["refusals_in_a_row"])
register, call = hooks.register, hooks.call
