"""Writes to households and persons: one transaction, the acting user, an event row."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.scope import can_write_region, in_scope
from accounts.services import event_record
from common import idnumber
from common.validators import hidden_message, not_in_future
from config.errors import PermissionDenied, ServiceError
from households import hooks
from households.models import Household, Person

HOUSEHOLD_FIELDS = (
    "community",
    "address",
    "phone",
    "housing",
    "bank_name",
    "bank_account",
    "financial_assets",
    "vehicles",
    "houses",
    "business",
    "monthly_rigid_expenditure",
    "hardship_causes",
)
PERSON_FIELDS = (
    "name",
    "id_number",
    "relation",
    "labor_capacity",
    "disability_grade",
    "disability_kind",
    "self_care",
    "has_able_supporter",
    "supporter_unable_reason",
    "orphan",
    *Person.INCOME_FIELDS,
    "employment",
    "newly_employed_since",
)
# Added with policy version 2: a caller that does not send them leaves the stored values as they are.
OPTIONAL_PERSON_FIELDS = ("disability_kind", "supporter_unable_reason")


def _check_members(*, acting_user, household: Household | None, members: list[dict[str, Any]]) -> None:
    """Invariants across the members: one head, no repeated ID, nobody already in another household."""
    errors: list[dict[str, str]] = []
    if not members:
        errors.append({"field": "members", "message": "家庭至少需要一名成员"})
    for i, m in enumerate(members):
        if m.get("disability_kind") and not m.get("disability_grade"):
            errors.append(
                {"field": f"members[{i}].disability_kind", "message": "残疾等级为“无”时不应填写残疾类别"}
            )
    heads = [m for m in members if m["relation"] == Person.Relation.HEAD]
    if members and len(heads) != 1:
        errors.append({"field": "members", "message": f"家庭须有且只有一名户主，现有{len(heads)}名"})
    seen: dict[str, int] = {}
    for i, m in enumerate(members):
        hidden = hidden_message(m.get("name") or "")
        if hidden:
            errors.append({"field": f"members[{i}].name", "message": f"姓名{hidden}"})
        try:
            number = m["id_number"] = idnumber.parse(m["id_number"]).number
        except idnumber.InvalidIdNumber as exc:
            errors.append({"field": f"members[{i}].id_number", "message": str(exc)})
            continue
        try:
            not_in_future(m.get("newly_employed_since"))
        except ValidationError as exc:
            errors.append(
                {"field": f"members[{i}].newly_employed_since", "message": f"新就业日期{exc.messages[0]}"}
            )
        if number in seen:
            errors.append(
                {"field": f"members[{i}].id_number", "message": f"与第{seen[number] + 1}名成员身份证号码重复"}
            )
        seen.setdefault(number, i)
    # An "id" names an existing member of THIS household; any other id (another household's member, a guess) would
    # have been saved as a new person with a taken ID number.
    mine = set(household.members.values_list("pk", flat=True)) if household is not None else set()
    own_ids = set()
    for i, m in enumerate(members):
        if m.get("id"):
            if m["id"] in mine:
                own_ids.add(m["id"])
            else:
                errors.append(
                    {"field": f"members[{i}].id", "message": "该成员不属于此家庭档案，请刷新页面后重新填写"}
                )
    elsewhere = Person.objects.filter(id_number__in=list(seen)).select_related("household__community")
    if household is not None:
        elsewhere = elsewhere.exclude(household=household)
    for person in elsewhere:
        if person.pk in own_ids:
            continue
        i = seen[person.id_number]
        other = person.household
        if in_scope(acting_user, other.community_id):
            message = f"此人已是家庭#{other.pk}（{other.community.name} {other.address}）的成员，一人只能属于一个家庭"
        else:
            message = "此人已在其他地区的家庭中登记，一人只能属于一个家庭，请联系其所在地核实"
        errors.append({"field": f"members[{i}].id_number", "message": message})
    if errors:
        raise ServiceError(errors=errors)


def _check_removable(*, household: Household, person_ids: list[int], members: list[dict[str, Any]]) -> None:
    """A member covered by an enrolment stays on record: ending their coverage is an exit or a change
    of the enrolment (with its reason and notice), not a deletion."""
    covered = hooks.call("covered_members", person_ids)
    if covered:
        names = [p.name for p in household.members.all() if p.pk in covered]
        raise ServiceError(
            f"{'、'.join(names)}已纳入救助保障，不能从家庭中删除；如已死亡或迁出，请办理退出或变更",
            field="members",
        )


@transaction.atomic
def household_save(
    *,
    acting_user,
    household: Household | None,
    data: dict[str, Any],
    members: list[dict[str, Any]],
    removed_member_ids: list[int] | tuple = (),
) -> Household:
    """Create a household (household=None) or update one with its members and property.

    `members` are dicts of PERSON_FIELDS, with "id" for an existing member. Refuses out-of-scope
    writes and broken invariants before writing anything.
    """
    community = data["community"]
    if not can_write_region(acting_user, community.code):
        raise PermissionDenied("只能在本人负责的社区登记或修改家庭档案", field="community")
    if household is not None:
        household = Household.objects.select_for_update().get(pk=household.pk)
        if not can_write_region(acting_user, household.community_id):
            raise PermissionDenied("无权修改此家庭档案")
    hidden = hidden_message(data.get("address") or "")
    if hidden:
        raise ServiceError(f"住址{hidden}", field="address")
    _check_members(acting_user=acting_user, household=household, members=members)
    if household is not None and removed_member_ids:
        _check_removable(household=household, person_ids=list(removed_member_ids), members=members)

    creating = household is None
    if creating:
        household = Household()
    for field in HOUSEHOLD_FIELDS:
        setattr(household, field, data[field])
    household.updated_at = timezone.now()
    household._history_user = acting_user
    household.save()

    existing = {p.pk: p for p in household.members.all()} if not creating else {}
    for pk in removed_member_ids:
        person = existing.pop(pk, None)
        if person is not None:
            person._history_user = acting_user
            person.delete()
    # Heads first out of the way: a member becoming head while another stops being head must not
    # collide with the one-head constraint mid-save.
    ordered = sorted(members, key=lambda m: m["relation"] == Person.Relation.HEAD)
    try:
        with transaction.atomic():
            for m in ordered:
                person = existing.get(m.get("id")) if m.get("id") else None
                if person is None:
                    person = Person(household=household)
                info = idnumber.parse(m["id_number"])
                for field in PERSON_FIELDS:
                    if field in m or field not in OPTIONAL_PERSON_FIELDS:
                        setattr(person, field, m[field])
                person.birth_date, person.sex = info.birth_date, info.sex
                person._history_user = acting_user
                person.save()
    except (
        IntegrityError
    ):  # the same person registered by another request at the same moment: that one stands
        raise ServiceError(
            "此人已在其他家庭中登记（可能刚由他人同时登记），一人只能属于一个家庭，请刷新后核对",
            field="members",
        ) from None

    event_record(
        actor=acting_user,
        verb="新建家庭档案" if creating else "修改家庭档案",
        target=household,
        region_code=household.community_id,
        data={"members": len(members), "removed": list(removed_member_ids)},
    )
    return household
