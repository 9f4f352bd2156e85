"""The economic check's default source: the departments' extracts loaded into `ledgers_extractrow`.

For each kind the check asks about, the latest loaded extract whose region covers the household (for the
departments' benefit ledgers, the latest of each program), read with one query on `ledgers_extractrow` filtered
by extract id and ID number (the index `ledgers_extractrow_person`). An extract older than
ECONOMIC_CHECK_MAX_AGE_DAYS, or none at all, makes the result "not checked" with the reason; the check lists it as
such and never treats it as clean. Registered with economic_check.sources when ledgers starts (ledgers/apps.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from accounts.kinds import KINDS, PROGRAMS, kind_label
from applications.selectors import region_chain
from economic_check.sources import CHECKED, NOT_CHECKED, Fact, SourceResult, _local_date, max_age_days


class ExtractSource:
    """A source read from the extracts loaded into `ledgers_extractrow`.

    Built by `sources_for` with the candidate extracts already found (one query for all kinds), so `check`
    costs at most one query: ExtractRow filtered by extract id(s) and the members' ID numbers.
    """

    def __init__(self, *, kind: str, region: str, as_of: dt.date, extracts: Iterable | None = None) -> None:
        self.kind = kind
        self.label = kind_label(kind)
        self.region = region
        self.as_of = as_of
        self.candidates = list(extracts or [])

    def _chosen(self) -> tuple[list, str]:
        """The extracts to read, newest per kind (per program for benefit ledgers), or the reason for none."""
        if not self.candidates:
            return [], f"本地区没有已导入的{self.label}数据"
        newest: dict[str, object] = {}
        for e in sorted(self.candidates, key=lambda e: (e.loaded_at or e.created_at, e.pk), reverse=True):
            newest.setdefault(e.program if self.kind == "benefit" else "", e)
        limit = self.as_of - dt.timedelta(days=max_age_days())
        fresh = [e for e in newest.values() if (_local_date(e.loaded_at) or dt.date.min) >= limit]
        if not fresh:
            last = max(newest.values(), key=lambda e: (e.loaded_at or e.created_at, e.pk))
            return [], (
                f"最近一次{self.label}数据（比对数据#{last.pk}，{_local_date(last.loaded_at):%Y-%m-%d}导入）"
                f"已超过{max_age_days()}天，须部门提供新数据"
            )
        stale = [e for e in newest.values() if e not in fresh]
        # benefit ledgers: a program whose latest ledger is too old is named, not silently left out
        note = (
            "以下台账超过{}天未核对：{}".format(
                max_age_days(),
                "、".join(
                    f"{PROGRAMS[e.program].label if e.program in PROGRAMS else e.program}（比对数据#{e.pk}）"
                    for e in stale
                ),
            )
            if stale
            else ""
        )
        return sorted(fresh, key=lambda e: e.pk), note

    def check(self, members: Sequence[str], region: str, as_of: dt.date) -> SourceResult:
        from ledgers.models import ExtractRow

        chosen, reason = self._chosen()
        adapter = f"{type(self).__module__}.{type(self).__qualname__}"
        if not chosen:
            return SourceResult(self.kind, self.label, NOT_CHECKED, reason=reason, adapter=adapter)
        program = {e.pk: e.program for e in chosen}
        rows = (
            ExtractRow.objects.filter(extract_id__in=list(program), id_number__in=list(members))
            .order_by("extract_id", "line")
            .values_list("extract_id", "id_number", "on_date", "amount", "code", "ref", "note")
        )
        facts = [
            Fact(id_number=n, on_date=d, amount=a, code=c, ref=r, note=t, program=program[x])
            for x, n, d, a, c, r, t in rows
        ]
        return SourceResult(
            self.kind,
            self.label,
            CHECKED,
            reason=reason,
            facts=facts,
            adapter=adapter,
            extracts=[
                {
                    "id": e.pk,
                    "period": e.period,
                    "date": _local_date(e.loaded_at).isoformat(),
                    "department": e.department or KINDS[self.kind].department,
                    "program": e.program,
                    "program_label": PROGRAMS[e.program].label if e.program in PROGRAMS else "",
                }
                for e in chosen
            ],
        )


def extract_sources(*, kinds: Sequence[str], region: str, as_of: dt.date) -> dict[str, ExtractSource]:
    """An ExtractSource per kind holding the loaded extracts whose region covers the household (one query
    for every kind)."""
    from ledgers.models import Extract

    by_kind: dict[str, list] = {k: [] for k in kinds}
    for e in Extract.objects.filter(
        status=Extract.Status.LOADED, kind__in=list(kinds), region_id__in=region_chain(region)
    ).only("id", "kind", "program", "period", "department", "loaded_at", "created_at"):
        by_kind[e.kind].append(e)
    return {
        kind: ExtractSource(kind=kind, region=region, as_of=as_of, extracts=by_kind[kind]) for kind in kinds
    }
