"""seed_demo shows policy version 2 on its own households: the supporter check (fired and explained, and
fired and waiting) and orphans (issue 15 item 6)."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from accounts.models import User
from config.errors import ServiceError
from demo.tests.test_seed_demo import fast_passwords, seeded  # noqa: F401  (fixtures)
from eligibility.services import determine_household
from households.models import Household


def _household(seeded_text: str, marker: str) -> Household:
    match = re.search(rf"家庭#(\d+)（[^）]*户）：{marker}", seeded_text)
    assert match, seeded_text
    return Household.objects.get(pk=int(match.group(1)))


@pytest.mark.django_db
def test_supporter_check_fired_then_explained_by_the_caseworker(seeded):  # noqa: F811
    household = _household(seeded, "赡养人核查已说明原因")
    parent = household.members.get(relation="parent")
    assert parent.has_able_supporter is False and parent.supporter_unable_reason.startswith("儿子患尿毒症")
    caseworker = User.objects.get(username="caseworker")
    steps = list(
        parent.history.order_by("history_id").values_list("history_user_id", "history_change_reason")
    )
    assert steps[-2:] == [
        (caseworker.pk, "入户核查：老人登记为无有履行能力的赡养人"),
        (caseworker.pk, "赡养人核查提示后，经办人说明原因"),
    ]
    result = determine_household(household=household, as_of=timezone.localdate())
    assert any("儿子患尿毒症" in t["detail"] for t in result["trace"])


@pytest.mark.django_db
def test_supporter_check_waiting_for_a_reason(seeded):  # noqa: F811
    household = _household(seeded, "老人登记为无赡养人")
    with pytest.raises(ServiceError) as exc:
        determine_household(household=household, as_of=timezone.localdate())
    assert [e["field"].rsplit(".", 1)[1] for e in exc.value.errors] == ["has_able_supporter"]
    assert "请核实并说明其无履行义务能力的原因" in exc.value.errors[0]["message"]


@pytest.mark.django_db
def test_orphans_are_in_the_demo(seeded):  # noqa: F811
    assert re.search(r"家庭#\d+：(散居孤儿|机构供养孤儿) ", seeded)


@pytest.mark.django_db
def test_disabled_persons_have_a_kind_and_the_deeming_by_kind_shows(seeded):  # noqa: F811
    from eligibility import rules
    from eligibility.facts import _member
    from households.models import Person

    disabled = list(Person.objects.filter(disability_grade__gt=0))
    assert disabled and all(p.disability_kind in Person.DisabilityKind.values for p in disabled)
    assert not Person.objects.filter(disability_grade=0).exclude(disability_kind="").exists()
    kinds = {p.disability_kind for p in disabled}
    assert {"physical", "hearing", "visual", "intellectual", "mental", "multiple"} <= kinds
    # policy.md §4: a working-age person with 智力/精神 三级 and partial labour capacity by the caseworker's
    # record is deemed without labour capacity by kind and grade (民发〔2021〕43号)
    today = timezone.localdate()
    deemed = [
        p
        for p in disabled
        if p.disability_grade == 3
        and p.disability_kind in ("intellectual", "mental")
        and 16 <= rules.age_on(p.birth_date, today) < 60
        and (ground := rules.deemed_without_labor(_member(p), today)) is not None
        and "残疾三级" in ground[1]
    ]
    assert deemed, [(p.disability_grade, p.disability_kind, p.birth_date) for p in disabled]
