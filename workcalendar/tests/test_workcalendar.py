"""The province's holiday table: it feeds the working-day deadlines, its years stop being estimates, it is
edited in the admin, and a deadline in a year nobody has entered says so on the page."""

import datetime as dt

import pytest
from django.urls import reverse

from common.dates import PACKAGE_YEARS
from workcalendar import calendar
from workcalendar.calendar import work_calendar
from workcalendar.models import CalendarDay, CalendarYear
from workcalendar.templatetags.workdays import note, unknown_year_note

pytestmark = pytest.mark.django_db
D = dt.date
UNKNOWN = max(PACKAGE_YEARS) + 1  # 2027 with chinesecalendar 1.11
SATURDAY = next(D(UNKNOWN, 1, d) for d in range(2, 9) if D(UNKNOWN, 1, d).weekday() == 5)


@pytest.fixture(autouse=True)
def _fresh_calendar():
    calendar.forget()
    yield
    calendar.forget()  # the rows go with the test's transaction; the kept calendar must go too


@pytest.fixture
def year_entered():
    year = CalendarYear.objects.create(year=UNKNOWN, source="国务院办公厅关于部分节假日安排的通知")
    # New Year's Day on Friday, and a made-up adjusted working Saturday after it.
    CalendarDay.objects.create(year=year, date=D(UNKNOWN, 1, 1), is_working_day=False, name="元旦")
    CalendarDay.objects.create(year=year, date=SATURDAY, is_working_day=True, name="调休上班")
    return year


def test_without_the_table_the_next_year_is_an_estimate():
    cal = work_calendar()
    assert not cal.knows(UNKNOWN)
    assert note(D(UNKNOWN, 3, 1)) == f"{UNKNOWN}年节假日安排尚未录入，此时限按周一至周五估算"
    assert note(D(UNKNOWN - 1, 3, 1)) == ""
    assert note(None) == ""
    assert "unknown-year" in unknown_year_note(D(UNKNOWN, 3, 1))


def test_the_table_counts_and_makes_the_year_known(year_entered):
    cal = work_calendar()
    assert cal.knows(UNKNOWN)
    assert note(D(UNKNOWN, 3, 1)) == ""
    assert not cal.is_working_day(D(UNKNOWN, 1, 1))
    assert cal.is_working_day(SATURDAY)
    assert cal.add_working_days(SATURDAY - dt.timedelta(days=1), 1) == SATURDAY


def test_the_calendar_is_read_once_and_again_after_a_change(django_assert_num_queries, year_entered):
    work_calendar()
    with django_assert_num_queries(0):
        for _ in range(50):
            work_calendar()
    assert work_calendar().is_working_day(SATURDAY)
    CalendarDay.objects.filter(date=SATURDAY).delete()
    with django_assert_num_queries(2):
        assert not work_calendar().is_working_day(SATURDAY)


def test_a_day_outside_its_year_is_refused(year_entered):
    from django.core.exceptions import ValidationError

    day = CalendarDay(year=year_entered, date=D(UNKNOWN + 1, 1, 1), is_working_day=False)
    with pytest.raises(ValidationError) as info:
        day.full_clean()
    assert info.value.message_dict == {"date": [f"日期应在{UNKNOWN}年内"]}


def test_the_admin_lists_and_adds_years(admin_client):
    url = reverse("admin:workcalendar_calendaryear_add")
    response = admin_client.post(
        url,
        {
            "year": UNKNOWN,
            "source": "国办发明电",
            "days-TOTAL_FORMS": "2",
            "days-INITIAL_FORMS": "0",
            "days-0-date": f"{UNKNOWN}-10-01",
            "days-0-name": "国庆节",
            "days-1-date": f"{UNKNOWN}-09-26",
            "days-1-is_working_day": "on",
            "days-1-name": "国庆节调休上班",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(CalendarDay.objects.values_list("date", "is_working_day")) == [
        (D(UNKNOWN, 9, 26), True),
        (D(UNKNOWN, 10, 1), False),
    ]
    assert not work_calendar().is_working_day(D(UNKNOWN, 10, 1))  # the save dropped the kept calendar
    body = admin_client.get(reverse("admin:workcalendar_calendaryear_changelist")).content.decode()
    assert f"软件内置 {min(PACKAGE_YEARS)}–{max(PACKAGE_YEARS)} 年的国家安排" in body
    assert "国办发明电" in body


def test_a_caseworker_cannot_reach_the_admin(client, caseworker):
    client.force_login(caseworker)
    response = client.get(reverse("admin:workcalendar_calendaryear_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
