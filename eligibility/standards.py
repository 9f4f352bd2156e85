"""Finding the standards that apply to a region in a year (policy.md §2, version 2).

A lookup for region R in year Y takes EACH FIELD separately from the nearest record for Y walking up
R → … → province that has that field set, and records where each came from (`Standards.sources`). No
record for Y anywhere on the chain is a ServiceError naming the region and the year, never a silent
default; a field set nowhere stays None (the rules name it when they need it).

`StandardsLookup` remembers what it has read, so a batch (`evaluate --jsonl`) asks the database once
per region and once per (region, year), not once per line. Create a fresh one where fresh data matters
(one per API request).
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import Region
from config.errors import ServiceError
from eligibility import rules
from eligibility.models import Standard


@dataclass(frozen=True)
class RegionInfo:
    code: str
    name: str
    parent: str | None


def standards_from_model(standard: Standard) -> rules.Standards:
    """One record on its own (no inheritance): what that record itself says."""
    return standards_from_records([standard])


def standards_from_records(records: list[Standard]) -> rules.Standards:
    """Field-by-field inheritance over the records of one year, nearest region first (§2): each field
    from the first record that has it set; `region` is the nearest record's."""
    values: dict[str, object] = {}
    sources: list[tuple[str, str]] = []
    for name in rules.STANDARD_FIELDS:
        for record in records:
            value = getattr(record, name)
            if value is not None:
                values[name] = value
                sources.append((name, record.region_id))
                break
    return rules.Standards(
        region=records[0].region_id,
        year=records[0].year,
        sources=tuple(sources),
        **values,  # type: ignore[arg-type]
    )


def _candidate_ancestors(code: str) -> list[str]:
    """The codes a region's ancestors have under GB/T 2260 (360102002001 → 360102002000, 360102, …)."""
    out = [code]
    if len(code) == 12:
        out += [code[:9] + "000", code[:6]]
    out += [code[:4] + "00", code[:2] + "0000"]
    return out


class StandardsLookup:
    """Reads regions and standards once and remembers them.

    `preload=True` (batches) reads the whole region table and each year's standards in one query each;
    otherwise a region costs one query for its chain and a (region, year) one query for its standards.
    """

    def __init__(self, *, preload: bool = False) -> None:
        self.preload = preload
        self._regions: dict[str, RegionInfo | None] = {}
        self._all_regions = False
        self._by_year: dict[int, dict[str, Standard]] = {}
        self._standards: dict[tuple[str, int], rules.Standards | ServiceError] = {}
        # The merged standards by the records they come from: regions whose chains reach the same records
        # (every community under a county with no record of its own) share one object, made once.
        self._merged: dict[tuple[int, ...], rules.Standards] = {}

    def _load(self, codes: list[str] | None) -> None:
        rows = Region.objects.values_list("code", "name", "parent_id")
        if codes is not None:
            rows = rows.filter(code__in=codes)
        for code, name, parent in rows:
            self._regions[code] = RegionInfo(code, name, parent)

    def region(self, code: str) -> RegionInfo | None:
        if code not in self._regions:
            if self.preload and not self._all_regions:
                self._load(None)
                self._all_regions = True
            elif not self._all_regions:
                # One query fetches the region and, by the shape of its code, its likely ancestors.
                self._load(_candidate_ancestors(code))
            self._regions.setdefault(code, None)
        return self._regions[code]

    def region_exists(self, code: str) -> bool:
        return self.region(code) is not None

    def chain(self, code: str) -> list[RegionInfo]:
        """The region and the regions above it, nearest first."""
        out: list[RegionInfo] = []
        node = self.region(code)
        while node is not None and len(out) < 10:
            out.append(node)
            node = self.region(node.parent) if node.parent else None
        return out

    def standards_for(self, region_code: str, year: int) -> rules.Standards:
        """The nearest standard for `region_code` in `year`; ServiceError (field "standards") if none."""
        key = (region_code, year)
        if key not in self._standards:
            self._standards[key] = self._find(region_code, year)
        found = self._standards[key]
        if isinstance(found, ServiceError):
            raise ServiceError(errors=found.errors, code=found.code)
        return found

    def _find(self, region_code: str, year: int) -> rules.Standards | ServiceError:
        chain = self.chain(region_code)
        if not chain:
            return ServiceError(f"区划代码 {region_code} 不存在", field="region", code="unknown_region")
        if self.preload:
            if year not in self._by_year:
                self._by_year[year] = {s.region_id: s for s in Standard.objects.filter(year=year)}
            rows = self._by_year[year]
        else:
            rows = {
                s.region_id: s
                for s in Standard.objects.filter(region_id__in=[r.code for r in chain], year=year)
            }
        records = [rows[node.code] for node in chain if node.code in rows]
        if records:
            key = tuple(record.pk for record in records)
            if key not in self._merged:
                self._merged[key] = standards_from_records(records)
            return self._merged[key]
        above = "、".join(f"{r.name}（{r.code}）" for r in chain[1:])
        where = f"{chain[0].name}（{region_code}）" + (f"及上级区划{above}" if above else "")
        return ServiceError(
            f"没有 {year} 年度标准：{where}均未录入 {year} 年标准", field="standards", code="no_standard"
        )


def find_standards(*, region_code: str, year: int) -> rules.Standards:
    """One-off lookup (no cache kept between calls)."""
    return StandardsLookup().standards_for(region_code, year)
