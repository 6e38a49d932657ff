"""Slow shared results kept in the store per data version (``data.kept``): a planted maker
counting its calls shows what is made, what is read back (by another engine, as another
process would) and what is made again when the data, the code or the payload change."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import delete, func, insert, select, update

from analysis.scope import Scope
from data import fee_cap_tables, fee_frame, kept, rccs
from data import schema as s
from data.store import make_engine


class Maker:
    """make() for ``kept``: counts its calls and returns a fresh value each time."""

    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return {"made": self.calls, "rows": list(range(1000))}


def rows(engine) -> list[tuple]:
    k = s.KeptResult
    with engine.connect() as connection:
        return connection.execute(select(k.name, k.data_key, k.inputs).order_by(k.name)).all()


def new_import(engine, case_id: int | None = None) -> None:
    """A case-level import log row (``case_id``: reuse that id, as a synthetic rerun may)."""
    with engine.begin() as connection:
        if case_id is not None:
            connection.execute(delete(s.CaseImport).where(s.CaseImport.id == case_id))
        connection.execute(insert(s.CaseImport).values(
            **({} if case_id is None else {"id": case_id}), imported_at=datetime.now(),
            imported_by="test", file_hash="x", format="ssda903", la_code="E08000003",
            period="2025", rows="{}", outcome="imported", is_synthetic=False))


def new_build(engine) -> None:
    """What a rebuild leaves: a data release loaded now."""
    with engine.begin() as connection:
        connection.execute(insert(s.DataRelease).values(
            dataset=f"test-{datetime.now().timestamp()}", publisher="p", title="t",
            period="2025", url="u", licence="l", file="f", checksum="c", rows=1,
            loaded_at=datetime.now()))


def newest_import_id(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.max(s.CaseImport.id))).scalar_one()


def test_the_migration_makes_the_table_the_schema_describes(migrated_engine):
    with migrated_engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), s.Base.metadata)
    assert not [change for change in diff if "kept_result" in str(change)]


def test_made_once_and_read_back_by_another_engine(migrated_engine, fresh_url):
    make = Maker()
    first = kept.kept(migrated_engine, "thing", make)
    assert kept.kept(migrated_engine, "thing", make) == first
    other = make_engine(fresh_url)
    try:
        assert kept.kept(other, "thing", make) == first
        assert kept.kept_names(other) == ["thing"]
    finally:
        other.dispose()
    assert make.calls == 1


@pytest.mark.parametrize("change", [
    pytest.param(new_import, id="a case-level import"),
    pytest.param(new_build, id="a rebuild"),
    pytest.param(lambda engine: rccs.add_rcc(engine, "new-rcc", "New RCC", "test", by="t"),
                 id="the board adds an RCC"),
])
def test_made_again_when_the_data_change(migrated_engine, change):
    make = Maker()
    kept.kept(migrated_engine, "thing", make)
    kept.kept(migrated_engine, "other", Maker())
    change(migrated_engine)
    assert kept.kept(migrated_engine, "thing", make)["made"] == 2
    assert kept.kept(migrated_engine, "thing", make)["made"] == 2
    assert [name for name, *_ in rows(migrated_engine)] == ["thing"]  # stale rows deleted


def test_a_rerun_reusing_the_import_id_is_new_data(migrated_engine):
    new_import(migrated_engine)
    make = Maker()
    kept.kept(migrated_engine, "thing", make)
    new_import(migrated_engine, case_id=newest_import_id(migrated_engine))
    assert kept.kept(migrated_engine, "thing", make)["made"] == 2


def test_made_again_when_the_code_changes(migrated_engine, monkeypatch):
    make = Maker()
    kept.kept(migrated_engine, "thing", make)
    monkeypatch.setattr(kept, "code_digest", lambda: "changed")
    assert kept.kept(migrated_engine, "thing", make)["made"] == 2


def test_other_inputs_are_made_for_not_read(migrated_engine):
    make = Maker()
    kept.kept(migrated_engine, "thing", make, inputs="a")
    assert kept.kept(migrated_engine, "thing", make, inputs="b")["made"] == 2
    assert kept.kept(migrated_engine, "thing", make, inputs="b")["made"] == 2
    assert len(rows(migrated_engine)) == 1


def test_a_corrupt_payload_is_made_again(migrated_engine):
    make = Maker()
    kept.kept(migrated_engine, "thing", make)
    with migrated_engine.begin() as connection:
        connection.execute(update(s.KeptResult).values(payload=b"not a pickle"))
    assert kept.kept(migrated_engine, "thing", make)["made"] == 2
    assert kept.kept(migrated_engine, "thing", make)["made"] == 2


def test_nothing_is_stored_when_make_raises(migrated_engine):
    kept.kept(migrated_engine, "other", Maker())

    def broken():
        raise RuntimeError("cannot make it")

    with pytest.raises(RuntimeError, match="cannot make it"):
        kept.kept(migrated_engine, "thing", broken)
    assert [name for name, *_ in rows(migrated_engine)] == ["other"]


def test_a_result_that_cannot_be_pickled_is_returned_not_stored(migrated_engine):
    made = kept.kept(migrated_engine, "thing", lambda: lambda: 42)
    assert made() == 42 and rows(migrated_engine) == []


def test_a_failed_write_loses_neither_the_result_nor_the_kept_row(migrated_engine,
                                                                   monkeypatch):
    """The write fails after the old rows were deleted in its transaction: the made result
    is returned and the store keeps what it had."""
    make = Maker()
    kept.kept(migrated_engine, "thing", make)
    before = rows(migrated_engine)
    new_build(migrated_engine)
    monkeypatch.setattr(kept, "now", lambda: "not a time")
    assert kept.kept(migrated_engine, "thing", make)["made"] == 2
    assert rows(migrated_engine) == before


def test_the_fee_frame_is_kept_and_its_builder_is_not(migrated_engine, fresh_url,
                                                      monkeypatch):
    built = fee_frame.build_fee_frame(migrated_engine)
    assert rows(migrated_engine) == []
    calls = []
    monkeypatch.setattr(fee_frame, "build_fee_frame",
                        lambda engine: calls.append(engine) or built)
    fee_frame.fee_frame(migrated_engine)
    other = make_engine(fresh_url)
    try:
        read = fee_frame.fee_frame(other)
    finally:
        other.dispose()
    assert len(calls) == 1
    pd.testing.assert_frame_equal(read, built)
    assert read.attrs == built.attrs


def test_a_fee_family_is_kept_for_its_cap_and_frame(cohort_engine):
    """A family kept for the store's frame is not handed out for a planted one, nor for
    another cap: each is made from what it was given."""
    frame = fee_frame.fee_frame(cohort_engine)
    part = frame.iloc[: len(frame) // 2]
    england = Scope()

    def placements(family) -> int:
        return family.shown_count(england, "all", "all")

    whole = fee_cap_tables.fee_family(cohort_engine, frame, 10.0)
    planted = fee_cap_tables.fee_family(cohort_engine, part, 10.0)
    assert placements(whole) == placements(fee_cap_tables.build_fee_family(
        cohort_engine, frame, 10.0)) != placements(planted)
    assert placements(planted) == placements(fee_cap_tables.build_fee_family(
        cohort_engine, part, 10.0))
    assert fee_cap_tables.fee_family(cohort_engine, frame, 20.0).cap_percent == 20.0
    assert {"fee-frame", "fee-family:10.0", "fee-family:20.0"} <= set(
        kept.kept_names(cohort_engine))
