"""The board's cap store: every cap kept (never overwritten), the cap in force on a day,
bad input refused with nothing written, and the command line's exit codes and words."""

from __future__ import annotations

import argparse
from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select

from data import caps
from data import schema as s
from data.cli import EXIT_BAD_INPUT
from data.errors import UserInputError


@pytest.fixture
def engine(migrated_engine):
    return migrated_engine


def rows(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(s.FeeCap)).scalar()


def test_history_keeps_every_cap_newest_first(engine):
    caps.set_cap(engine, 10, "2025-04-01", "Chair", note="Board, 12 March")
    caps.set_cap(engine, 12.5, date(2025, 10, 1), "Vice chair")
    history = caps.cap_history(engine)
    assert history["percent"].tolist() == [12.5, 10]
    assert history["set_by"].tolist() == ["Vice chair", "Chair"]
    assert history["note"].tolist()[1] == "Board, 12 March"


def test_the_cap_in_force_on_a_day(engine):
    assert caps.current_cap(engine) is None
    caps.set_cap(engine, 10, "2025-04-01", "A")
    caps.set_cap(engine, 15, "2026-04-01", "B")
    assert caps.current_cap(engine, on="2025-03-31") is None  # before any cap
    assert caps.current_cap(engine, on="2025-04-01")["percent"] == 10
    assert caps.current_cap(engine, on="2026-05-01")["percent"] == 15
    # A later decision about an earlier date replaces the cap in force from then on.
    caps.set_cap(engine, 8, "2025-01-01", "C")
    assert caps.current_cap(engine, on="2026-05-01")["percent"] == 8
    assert len(caps.cap_history(engine)) == 3


@pytest.mark.parametrize("percent, day, by, words", [
    (-1, "2025-04-01", "A", "between 0% and 100%"),
    (100.5, "2025-04-01", "A", "between 0% and 100%"),
    ("ten", "2025-04-01", "A", "must be a number"),
    (float("nan"), "2025-04-01", "A", "between 0% and 100%"),
    (10, "2025-02-30", "A", "real date"),
    (10, "01/04/2025", "A", "real date"),
    (10, "2025-04-01", "  ", "who set the cap"),
])
def test_bad_input_is_refused_and_nothing_is_written(engine, percent, day, by, words):
    with pytest.raises(UserInputError, match=words):
        caps.set_cap(engine, percent, day, by)
    assert rows(engine) == 0


def test_the_edges_of_the_range_are_accepted(engine):
    caps.set_cap(engine, 0, "2025-04-01", "A")
    caps.set_cap(engine, 100, "2025-04-01", "A")
    assert rows(engine) == 2


def test_the_migration_makes_the_table_the_schema_describes(engine):
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), s.Base.metadata)
    assert not [change for change in diff if "fee_cap" in str(change)]


def run(argv: list[str]) -> int:
    """The cap commands as the CLI runs them (data.cli's error handling: one line, exit 2)."""
    root = argparse.ArgumentParser(prog="python -m data")
    caps.add_cap_commands(root.add_subparsers(dest="command", required=True))
    try:
        return caps.run_cap(root.parse_args(argv))
    except UserInputError as exc:
        print(f"Error: {exc}")
        return EXIT_BAD_INPUT


def test_the_command_line_sets_and_lists_caps(own_store, monkeypatch, capsys):
    url, engine = own_store
    monkeypatch.setenv("DATABASE_URL", url)
    assert run(["cap", "set", "--percent", "10", "--from", "2025-04-01", "--by", "Chair",
                "--note", "Board, 12 March"]) == 0
    assert "Recorded a cap of 10% above operating cost from 01 April 2025, set by Chair." \
        in capsys.readouterr().err
    assert run(["cap", "set", "--percent", "101", "--from", "2025-04-01"]) == EXIT_BAD_INPUT
    assert "between 0% and 100%" in capsys.readouterr().out
    assert run(["cap", "set", "--percent", "5", "--from", "2025-13-01"]) == EXIT_BAD_INPUT
    assert "real date" in capsys.readouterr().out
    assert run(["cap", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0] == ",".join(caps.COLUMNS)
    assert len(listed) == 2 and listed[1].startswith("10.0,2025-04-01,Chair,")
    with pytest.raises(SystemExit):  # argparse: --from is required
        run(["cap", "set", "--percent", "10"])
