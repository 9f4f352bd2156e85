"""Moving the models of the old `cases` app into households, applications, economic_check, help and imports keeps
every row: a database as it stood before the move (cases 0007) migrates forward with its tables, rows, history,
content types and event labels intact, and back again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE_THE_MOVE = [
    ("cases", "0007_report_application_times"),
    ("benefits", "0004_enrolment_community_code_report_indexes"),
    ("ledgers", "0003_extractrow_person_index"),
    ("households", None),
    ("applications", None),
    ("economic_check", None),
    ("help", None),
    ("imports", None),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_move_migrates_forward_with_every_row():
    try:
        _moved_forward_and_back()
    finally:  # whatever failed, the database is left at the latest migrations for the tests after this one
        _migrate(_latest())


def _moved_forward_and_back():
    old = _migrate(BEFORE_THE_MOVE)
    Region = old.get_model("accounts", "Region")
    Household = old.get_model("cases", "Household")
    Person = old.get_model("cases", "Person")
    Application = old.get_model("cases", "Application")
    Event = old.get_model("accounts", "Event")
    ContentType = old.get_model("contenttypes", "ContentType")

    street = Region.objects.get(code="360102002000")
    community = Region.objects.create(
        code="360102999001", name="迁移社区", level=5, parent=street, prefix="360102999001"
    )
    household = Household.objects.create(community=community, address="东湖区 某路 1 号")
    Person.objects.create(
        household=household,
        name="王某某",
        id_number="360102195001011234",
        birth_date=dt.date(1950, 1, 1),
        sex="F",
        relation="head",
    )
    application = Application.objects.create(
        household=household, category="dibao", reasons="收入低于低保标准", received_on=dt.date(2026, 1, 5)
    )
    Event.objects.create(
        verb="受理申请",
        target_type="applications.application",
        target_id=str(application.pk),
        region_code=community.code,
    )
    ContentType.objects.get_or_create(app_label="cases", model="household")

    _migrate(_latest())

    from django.contrib.contenttypes.models import ContentType as NewContentType

    from accounts.models import Event as NewEvent
    from applications.models import Application as NewApplication
    from households.models import Household as NewHousehold

    moved = NewHousehold.objects.get(pk=household.pk)
    assert moved.address == "东湖区 某路 1 号"
    assert [p.name for p in moved.members.all()] == ["王某某"]
    assert NewApplication.objects.get(pk=application.pk).household_id == household.pk
    assert NewEvent.objects.get(target_id=str(application.pk)).target_type == "applications.application"
    assert NewContentType.objects.filter(app_label="cases").count() == 0
    assert NewContentType.objects.get_for_model(NewHousehold).app_label == "households"
    assert NewHousehold._meta.db_table == "cases_household"

    # and back: the labels return, the rows stay
    _migrate(BEFORE_THE_MOVE)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_household WHERE id = %s", [household.pk])
        assert cursor.fetchone()[0] == 1
        cursor.execute("SELECT target_type FROM accounts_event WHERE target_id = %s", [str(application.pk)])
        assert cursor.fetchone()[0] == "applications.application"
    _migrate(_latest())
