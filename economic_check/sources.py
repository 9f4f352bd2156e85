"""Where the economic check at intake gets each department's data: one adapter per source.

The check of an application (economic_check.services) asks every source about the household's members and
compares what comes back with what the household declared. It never reads department data itself: it calls

    source.check(members, region, as_of) -> SourceResult

on each adapter that `sources_for(region, as_of)` returns. A department's live interface replaces an adapter by
configuration, without touching the application flow: ECONOMIC_CHECK_ADAPTERS maps a kind to a dotted class path
(`vehicle=gov.jx.jiaoguan.VehicleApi`); the class is built as `Cls(kind=…, region=…, as_of=…)` and must answer
`check` with the same `SourceResult`.

Every other kind is answered by the default provider, which the app holding the departments' data registers
with `register_default_sources` when it starts (ledgers: the latest loaded extract of each kind, see
ledgers/sources.py). The provider is passed in rather than imported because ledgers sits above this app; with
none registered, every source is "not checked" with the reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.kinds import kind_label

# The sources of the check, in the order pages show them.
CHECK_KINDS = (
    "death",
    "move",
    "vehicle",
    "business",
    "real_estate",
    "tax_income",
    "social_insurance",
    "housing_fund",
    "financial",
    "benefit",
)
CHECKED, NOT_CHECKED = "checked", "not_checked"


@dataclass(frozen=True)
class Fact:
    """One thing a source holds about a person (a death date, a plate, a monthly income, a balance …)."""

    id_number: str
    on_date: dt.date | None = None
    amount: Decimal | None = None
    code: str = ""
    ref: str = ""
    note: str = ""
    program: str = ""  # benefit ledgers: the program


@dataclass
class SourceResult:
    """What one source answered: checked (with its facts and where they came from) or not checked (why)."""

    kind: str
    label: str
    status: str
    reason: str = ""
    facts: list[Fact] = field(default_factory=list)
    extracts: list[dict] = field(default_factory=list)  # [{"id", "period", "date", "department", "program"}]
    adapter: str = ""

    @property
    def checked(self) -> bool:
        return self.status == CHECKED

    def origin(self) -> dict:
        """The extract (first, for the benefit ledgers several) the facts came from."""
        return self.extracts[0] if self.extracts else {}


class Source(Protocol):
    kind: str
    label: str

    def check(self, members: Sequence[str], region: str, as_of: dt.date) -> SourceResult:
        """The facts about `members` (ID numbers) for a household of `region` (community code) on `as_of`."""
        ...


def max_age_days() -> int:
    return int(getattr(settings, "ECONOMIC_CHECK_MAX_AGE_DAYS", 180))


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment is not None else None


DefaultSources = Callable[..., dict[str, "Source"]]
_default_sources: list[DefaultSources] = []


def register_default_sources(provider: DefaultSources) -> None:
    """Set the provider of every source no live interface answers: `provider(kinds=…, region=…, as_of=…)`
    returns one Source per kind (called once per check, so it may load what all kinds need in one query)."""
    _default_sources[:] = [provider]


class UnavailableSource:
    """A source nobody provides: always "not checked", so the check lists it and never treats it as clean."""

    def __init__(self, *, kind: str, region: str, as_of: dt.date) -> None:
        self.kind, self.label = kind, kind_label(kind)

    def check(self, members: Sequence[str], region: str, as_of: dt.date) -> SourceResult:
        return SourceResult(self.kind, self.label, NOT_CHECKED, reason=f"未接入{self.label}数据")


def _adapters() -> dict[str, str]:
    configured = getattr(settings, "ECONOMIC_CHECK_ADAPTERS", {}) or {}
    return {kind: path for kind, path in configured.items() if kind in CHECK_KINDS}


def sources_for(*, region: str, as_of: dt.date) -> list[Source]:
    """One adapter per source for a household of `region`: the configured class, else the registered
    default provider's source for that kind."""
    configured = _adapters()
    wanted = [k for k in CHECK_KINDS if k not in configured]
    defaults: dict[str, Source] = {}
    if wanted and _default_sources:
        defaults = _default_sources[0](kinds=wanted, region=region, as_of=as_of)
    out: list[Source] = []
    for kind in CHECK_KINDS:
        if kind in configured:
            out.append(import_string(configured[kind])(kind=kind, region=region, as_of=as_of))
        else:
            out.append(defaults.get(kind) or UnavailableSource(kind=kind, region=region, as_of=as_of))
    return out
