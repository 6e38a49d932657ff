"""Saved scenarios: saved by RCC and name, a second save under the same name replaces the
first (one row, the new values), names are listed per RCC, deletion removes one, and the
migration and schema agree on the table (a unique RCC and name)."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, insert, inspect, select
from sqlalchemy.exc import IntegrityError

from data import scenario_store
from data import schema as s
from forecasting.scenarios import Scenario

FEWER = Scenario("Fewer entries", "Greater Manchester", entries_change_pct=-10)
HOME = Scenario("A new home", "Greater Manchester", bring_back_pct=50, bring_back_year=3,
                new_home_places=4, new_home_cohort="2. Complex trauma", new_home_year=2)


@pytest.fixture
def engine(migrated_engine):
    return migrated_engine


def test_a_saved_scenario_loads_as_it_was_saved(engine):
    scenario_store.save(engine, HOME, by="tester")
    assert scenario_store.load(engine, HOME.rcc, HOME.name) == HOME
    assert scenario_store.load(engine, HOME.rcc, "no such name") is None
    assert scenario_store.load(engine, "North East", HOME.name) is None


def test_saving_under_the_same_name_replaces_it(engine):
    scenario_store.save(engine, FEWER, by="first")
    changed = Scenario(FEWER.name, FEWER.rcc, entries_change_pct=-25.5)
    scenario_store.save(engine, changed, by="second")
    assert scenario_store.load(engine, FEWER.rcc, FEWER.name) == changed
    with engine.connect() as connection:
        rows = connection.execute(select(s.Scenario.created_by)).scalars().all()
    assert rows == ["second"]


def test_names_are_listed_per_rcc_and_deleted_one_at_a_time(engine):
    for scenario in (FEWER, HOME, Scenario("Fewer entries", "North East")):
        scenario_store.save(engine, scenario, by="tester")
    assert scenario_store.list_names(engine, "Greater Manchester") == ["A new home",
                                                                       "Fewer entries"]
    assert scenario_store.list_names(engine, "Nowhere") == []
    assert scenario_store.delete(engine, "Greater Manchester", "Fewer entries")
    assert not scenario_store.delete(engine, "Greater Manchester", "Fewer entries")
    assert scenario_store.list_names(engine, "Greater Manchester") == ["A new home"]
    assert scenario_store.load(engine, "North East", "Fewer entries") is not None


def test_the_store_refuses_two_scenarios_of_one_name_in_one_rcc(engine):
    row = {"rcc": "R", "name": "N", "parameters": "{}", "created_by": "x",
           "created_at": s.datetime(2026, 1, 1)}
    with engine.begin() as connection:
        connection.execute(insert(s.Scenario).values(**row))
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert(s.Scenario).values(**row))
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(s.Scenario)).scalar() == 1


def test_the_migration_makes_the_table_the_schema_describes(engine):
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), s.Base.metadata)
    assert not [change for change in diff if "scenario" in str(change)]
    unique = inspect(engine).get_unique_constraints("scenario")
    assert [sorted(u["column_names"]) for u in unique] == [["name", "rcc"]]
