import pytest

from accounts.models import Region
from accounts.scope import can_write_region, communities_for, region_prefix, scope_filter

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "role,region,prefix",
    [
        ("caseworker", "360102002001", "360102002001"),
        ("street", "360102002000", "360102002"),
        ("county", "360102", "360102"),
        ("city", "360100", "3601"),
        ("province", "360000", "36"),
        ("auditor", "360000", ""),
    ],
)
def test_region_prefix_per_role(make_user, role, region, prefix):
    assert region_prefix(make_user(role, region)) == prefix


def test_a_user_without_role_or_region_sees_nothing(make_user):
    assert region_prefix(make_user("", None)) is None
    assert region_prefix(make_user("county", None)) is None
    assert scope_filter(Region.objects.all(), make_user("", None), "code").count() == 0


def test_regions_loaded_with_real_codes():
    assert Region.objects.get(code="360000").name == "江西省"
    assert Region.objects.get(code="360102").name == "东湖区"
    assert Region.objects.get(code="360102002000").parent_id == "360102"
    assert Region.objects.filter(level=Region.Level.CITY).count() == 11
    assert Region.objects.filter(level=Region.Level.COUNTY).count() == 100
    assert Region.objects.get(code="360102002001").full_name == "江西省南昌市东湖区滕王阁街道民巷社区居委会"


def test_only_caseworkers_write_and_only_in_their_community(make_user):
    cw = make_user("caseworker", "360102002001")
    assert can_write_region(cw, "360102002001")
    assert not can_write_region(cw, "360102002002")
    assert not can_write_region(make_user("street", "360102002000"), "360102002001")
    assert not can_write_region(make_user("auditor", "360000"), "360102002001")
    assert list(communities_for(cw).values_list("code", flat=True)) == ["360102002001"]
    assert communities_for(make_user("county", "360102")).count() == 0
