"""The points of the household services where a higher app acts, registered by that app when it starts.

    covered_members(person_ids) -> set[int]   benefits: the persons an enrolment covers, who may not be deleted

households sits at the bottom of the domain (architecture.md), so it asks rather than imports; see config/hooks.py.
"""

from __future__ import annotations

from config.hooks import HookSlots

hooks = HookSlots("households", ["covered_members"])
register, call = hooks.register, hooks.call
