"""Load the demo: staff of every role around 南昌市东湖区, ~330 households, and demo standards.

Deterministic (same --seed and --as-of give the same rows). Safe to run again: if any demo user exists
it says so and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import Region, User
from demo.generator import DEFAULT_AS_OF, Community, DemoGenerator, IdAllocator, household_dict, person_dict
from eligibility.models import Standard
from households.models import Household, Person

DEMO_PASSWORD = "jiekun-demo-2018"

COUNTY = "360102"  # 南昌市东湖区
STREET = "360102002000"  # 滕王阁街道
CASEWORKER_COMMUNITY = "360102002001"  # 民巷社区居委会
CASEWORKER2_COMMUNITY = "360102002002"  # 章江路社区居委会
OTHER_COUNTY = "360702"  # 赣州市章贡区: outside every demo officer's scope but the province's

# Households per part of the map.
IN_CASEWORKER_COMMUNITY = 48
IN_CASEWORKER2_COMMUNITY = 24
IN_REST_OF_STREET = 120
IN_REST_OF_COUNTY = 108
IN_OTHER_COUNTY = 30

# (username, role, region code or None, full name); the region codes are resolved at run time.
USERS = (
    ("caseworker", User.Role.CASEWORKER, "caseworker_community", "李敏"),
    ("caseworker2", User.Role.CASEWORKER, "caseworker2_community", "熊丽娟"),
    ("street", User.Role.STREET, STREET, "万志刚"),
    ("county", User.Role.COUNTY, COUNTY, "胡建华"),
    ("city", User.Role.CITY, "360100", "邓文斌"),
    ("province", User.Role.PROVINCE, "360000", "罗海燕"),
    ("auditor", User.Role.AUDITOR, "360000", "程卫东"),
    ("admin", "", None, "系统管理员"),
)
DEMO_USERNAMES = tuple(u[0] for u in USERS)

# 赣发〔2018〕7号 五(一) figures (as the shipped 360000 row) plus placeholders for what the seed leaves local.
SEED_FIGURES = {
    "dibao": Decimal("580"),
    "subsidy_target": Decimal("380"),
    "tekun": Decimal("755"),
    "care_ratio_full": Decimal("0.80"),
    "care_ratio_semi": Decimal("0.20"),
    "orphan_scattered": Decimal("800"),
    "orphan_institutional": Decimal("1200"),
    "disability_living": Decimal("60"),
    "disability_care": Decimal("70"),
    "zhichu_multiplier": Decimal("1.5"),
    "extension_months": 12,
    "extension_months_disabled": 24,
}
PLACEHOLDERS = {
    "min_wage": Decimal("1680"),
    "property_months": Decimal("24"),
    "property_vehicles": 0,
    "property_houses": 1,
    "property_business_allowed": False,
    "per_event_cap": Decimal("3000"),
    "annual_cap": Decimal("10000"),
    "annual_times": 2,
    "extra_times": 2,
    "street_limit": Decimal("1000"),
    "uplift_max": Decimal("0.50"),
}
PLACEHOLDER_SOURCE = "演示数据：占位值，非当地正式标准"


def community_list(prefix: str) -> list[Community]:
    """The communities under `prefix`, in code order, with their street's name."""
    rows = (
        Region.objects.filter(level=Region.Level.COMMUNITY, code__startswith=prefix)
        .order_by("code")
        .values_list("code", "name", "parent__name")
    )
    return [Community(*row) for row in rows]


def spread(communities: list[Community], count: int) -> list[Community]:
    """`count` households over `communities`, round-robin (even, deterministic)."""
    if not communities:
        return []
    return [communities[i % len(communities)] for i in range(count)]


class Command(BaseCommand):
    help = "载入演示数据：各角色演示账号、东湖区约300户家庭（另赣州章贡区30户）、演示年度标准。"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2018, help="随机种子（默认 2018）")
        parser.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            default=DEFAULT_AS_OF,
            help=f"计算年龄的基准日（默认 {DEFAULT_AS_OF.isoformat()}）",
        )

    def handle(self, *args, seed: int, as_of: dt.date, **options):
        existing = sorted(User.objects.filter(username__in=DEMO_USERNAMES).values_list("username", flat=True))
        if existing:
            self.stdout.write(
                self.style.WARNING(
                    f"演示数据已存在（已有账号：{', '.join(existing)}），未做任何改动。"
                    "如需重建，请先清空数据库再运行 seed_demo。"
                )
            )
            return
        if not Region.objects.filter(code=COUNTY).exists():
            raise CommandError("缺少行政区划数据（360102 东湖区），请先运行 migrate。")

        street = community_list(STREET[:9])
        if not street:
            raise CommandError(f"{STREET} 下没有社区")
        by_code = {c.code: c for c in street}
        cw = by_code.get(CASEWORKER_COMMUNITY, street[0])
        cw2 = by_code.get(CASEWORKER2_COMMUNITY) or next((c for c in street if c.code != cw.code), cw)
        rest_of_street = [c for c in street if c.code not in (cw.code, cw2.code)]
        rest_of_county = [c for c in community_list(COUNTY) if not c.code.startswith(STREET[:9])]
        other_county = community_list(OTHER_COUNTY)

        plan = (
            [cw] * IN_CASEWORKER_COMMUNITY
            + [cw2] * IN_CASEWORKER2_COMMUNITY
            + spread(rest_of_street, IN_REST_OF_STREET)
            + spread(rest_of_county, IN_REST_OF_COUNTY)
            + spread(other_county, IN_OTHER_COUNTY)
        )

        with transaction.atomic():
            users = self._users(cw.code, cw2.code)
            admin = users["admin"]
            allocator = IdAllocator(as_of)
            counties = sorted({c.code[:6] for c in plan})
            for county in counties:
                allocator.prime(
                    Person.objects.filter(id_number__startswith=county)
                    .values_list("id_number", flat=True)
                    .iterator()
                )
            generator = DemoGenerator(seed=seed, as_of=as_of, allocator=allocator)
            rows = [generator.household(c) for c in plan]
            now = timezone.now()
            reason = "演示数据初始化"
            households = bulk_create_with_history(
                [Household(**household_dict(h), created_at=now, updated_at=now) for h, _ in rows],
                Household,
                batch_size=500,
                default_user=admin,
                default_change_reason=reason,
                default_date=now,
            )
            persons = [
                Person(household=hh, **person_dict(p))
                for hh, (_, members) in zip(households, rows, strict=True)
                for p in members
            ]
            bulk_create_with_history(
                persons,
                Person,
                batch_size=500,
                default_user=admin,
                default_change_reason=reason,
                default_date=now,
            )
            standards = self._standards(admin)
            examples = self._policy_v2_examples(users["caseworker"], as_of)

        self._report(users, households, len(persons), standards, as_of, seed)
        for line in examples:
            self.stdout.write(line)

    def _users(self, cw_code: str, cw2_code: str) -> dict[str, User]:
        codes = {"caseworker_community": cw_code, "caseworker2_community": cw2_code}
        users = {}
        for username, role, region, full_name in USERS:
            user = User(
                username=username, role=role, region_id=codes.get(region, region), full_name=full_name
            )
            if username == "admin":
                user.is_staff = user.is_superuser = True
            user.set_password(DEMO_PASSWORD)
            user.save()
            users[username] = user
        return users

    @staticmethod
    def _policy_v2_examples(caseworker: User, as_of: dt.date) -> list[str]:
        """Policy version 2 shown on real demo households of the county, the caseworker's community first
        (no household is added, so the counts stay): the supporter check — an elderly parent recorded without an able
        supporter while an able adult child is the head — once with the caseworker's reason recorded
        afterwards (the history shows both steps) and once still waiting for it; and the orphans."""
        from config.errors import ServiceError
        from eligibility.rules import age_on
        from eligibility.services import determine_household

        today = timezone.localdate()
        lines = ["", "政策第2版演示："]
        candidates = []
        own = caseworker.region_id
        in_county = Household.objects.filter(community__code__startswith=COUNTY).prefetch_related("members")
        # the caseworker's own community first, so the examples open with the demo login
        ordered = sorted(in_county, key=lambda h: (h.community_id != own, h.pk))
        for household in ordered:
            people = list(household.members.all())
            heads = [p for p in people if p.relation == "head" and 18 <= age_on(p.birth_date, as_of) < 60]
            parents = [p for p in people if p.relation == "parent" and age_on(p.birth_date, as_of) >= 60]
            if not (heads and heads[0].labor_capacity != "none" and parents):
                continue
            # Only where the flag decides (the parent meets the other 特困 conditions) does the check fire.
            parents[0].has_able_supporter = False  # in memory: the prefetched member the rules read
            try:
                determine_household(household=household, as_of=today)
            except ServiceError as exc:
                if any(e["field"].endswith(".has_able_supporter") for e in exc.errors):
                    candidates.append((household, heads[0], parents[0]))
            parents[0].has_able_supporter = True
            if len(candidates) == 2:
                break
        for (household, head, parent), reason in zip(
            candidates, ("儿子患尿毒症，每周透析三次，无力赡养", ""), strict=False
        ):
            parent.has_able_supporter = False
            parent._history_user = caseworker
            parent._change_reason = "入户核查：老人登记为无有履行能力的赡养人"
            parent.save()
            if reason:
                parent.supporter_unable_reason = reason
                parent._change_reason = "赡养人核查提示后，经办人说明原因"
                parent.save()
                lines.append(f"  家庭#{household.pk}（{head.name}户）：赡养人核查已说明原因——{reason}")
            else:
                lines.append(
                    f"  家庭#{household.pk}（{head.name}户）：老人登记为无赡养人，户主有劳动能力，"
                    "待经办人说明原因（测算页显示核查提示）"
                )
        orphans = (
            Person.objects.filter(household__community__code__startswith=COUNTY)
            .exclude(orphan="")
            .select_related("household")
        )
        ordered_orphans = sorted(orphans, key=lambda p: (not p.household.community_id == own, p.household_id))
        for person in ordered_orphans[:3]:
            lines.append(
                f"  家庭#{person.household_id}：{person.get_orphan_display()} {person.name}（不发放特困照料护理费）"
            )
        return lines

    def _standards(self, admin: User) -> list[str]:
        done = []
        this_year = timezone.localdate().year
        for year in sorted({2018, this_year - 1, this_year}):  # last year: the demo's case history
            if Standard.objects.filter(region_id=COUNTY, year=year).exists():
                done.append(f"{COUNTY} {year}（已存在，未改动）")
                continue
            standard = Standard(
                region_id=COUNTY,
                year=year,
                **SEED_FIGURES,
                **PLACEHOLDERS,
                placeholder_fields=sorted(PLACEHOLDERS),
                source=PLACEHOLDER_SOURCE,
            )
            standard._history_user = admin
            standard.save()
            done.append(f"{COUNTY} {year}")
        return done

    def _report(self, users, households, persons: int, standards, as_of, seed) -> None:
        out = self.stdout.write
        counts = Counter(h.community_id for h in households)
        in_prefix = lambda prefix: sum(n for code, n in counts.items() if code.startswith(prefix))  # noqa: E731
        out(
            f"已创建 {len(households)} 户家庭、{persons} 名成员（种子 {seed}，年龄基准日 {as_of.isoformat()}）："
        )
        cw, cw2 = users["caseworker"].region, users["caseworker2"].region
        other = Region.objects.filter(code=OTHER_COUNTY).values_list("name", flat=True).first() or ""
        for label, n in (
            (f"  社区 {cw.code} {cw.name}", counts[cw.code]),
            (f"  社区 {cw2.code} {cw2.name}", counts[cw2.code]),
            (f"  街道 {STREET} {users['street'].region.name}", in_prefix(STREET[:9])),
            (f"  区县 {COUNTY} {users['county'].region.name}", in_prefix(COUNTY)),
            (f"  区县 {OTHER_COUNTY} {other}（范围对照）", in_prefix(OTHER_COUNTY)),
        ):
            out(f"{label}：{n} 户")
        out(f"年度标准：{'；'.join(standards)}（占位字段：{', '.join(sorted(PLACEHOLDERS))}）")
        out("")
        out("演示账号（密码均为下列密码）：")
        header = ("用户名", "角色", "区划代码", "区划")
        table = [header] + [
            (
                u.username,
                u.get_role_display() if u.role else "超级管理员",
                u.region_id or "-",
                u.region.name if u.region_id else "全部",
            )
            for u in users.values()
        ]
        widths = [max(_width(row[i]) for row in table) for i in range(len(header))]
        for row in table:
            out(
                "  "
                + "  ".join(cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)).rstrip()
            )
        out(f"  密码：{DEMO_PASSWORD}")


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
