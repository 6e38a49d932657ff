"""The explanations register: validated, versioned, never silently overwritten, kept on rebuild."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from data import schema
from data.build import build
from data.errors import UserInputError
from data.register import (ConflictError, create_request, history, requests,
                           update_request)
from data.store import make_engine

ROOT = Path(__file__).resolve().parents[1]
HARTLEPOOL = "E06000001"
SETTINGS = {"target": "england", "limit": "99.8%", "trend_years": 5, "adjust": True}


def new_request(engine, **overrides) -> int:
    """A request to Hartlepool about 2025, asked by Sam, with ``overrides`` applied."""
    values = dict(la_code=HARTLEPOOL, year=2025, requested_on=date(2025, 10, 1),
                  meeting="Board, 1 October 2025", reason="Rate above the 99.8% funnel limit.",
                  asked_by="Sam", rule_settings=SETTINGS)
    return create_request(engine, **{**values, **overrides})


def counts(engine) -> tuple[int, int]:
    """Rows in explanation_request and explanation_change."""
    with engine.connect() as connection:
        return tuple(connection.execute(select(func.count()).select_from(table)).scalar()
                     for table in (schema.ExplanationRequest, schema.ExplanationChange))


def one(engine, request_id: int) -> dict:
    """The register row for ``request_id`` as a dict."""
    table = requests(engine)
    return table[table["id"] == request_id].iloc[0].to_dict()


def test_create_then_read_back(own_store):
    """A new request is stored as given, with its creation in the history."""
    _, engine = own_store
    request_id = new_request(engine)
    row = one(engine, request_id)
    assert row["la_code"] == HARTLEPOOL and row["la_name"] == "Hartlepool"
    assert row["year"] == 2025 and row["requested_on"] == date(2025, 10, 1)
    assert row["status"] == "requested" and row["version"] == 1
    assert row["asked_by"] == "Sam" and row["updated_by"] == "Sam"
    assert json.loads(row["rule_settings"]) == SETTINGS
    changes = history(engine, request_id)
    assert set(changes["field"]) == {"la_code", "year", "requested_on", "meeting", "reason",
                                     "asked_by", "status", "rule_settings"}
    assert changes["old_value"].isna().all()
    assert set(changes["version"]) == {1} and set(changes["changed_by"]) == {"Sam"}
    assert changes.set_index("field").loc["requested_on", "new_value"] == "2025-10-01"


def test_requests_filter_by_la_and_newest_first(own_store):
    """The register lists newest first and can be limited to some LAs."""
    _, engine = own_store
    older = new_request(engine, requested_on=date(2025, 9, 1))
    newer = new_request(engine, la_code="E06000002", requested_on=date(2025, 11, 1))
    assert list(requests(engine)["id"]) == [newer, older]
    assert list(requests(engine, {HARTLEPOOL})["id"]) == [older]
    assert requests(engine, set()).empty


def test_update_records_only_changed_fields(own_store):
    """A save bumps the version and records who changed which field from what to what."""
    _, engine = own_store
    request_id = new_request(engine)
    version = update_request(engine, request_id, 1, "Alex", status="received",
                             response="Two large sibling groups entered care.",
                             response_on=date(2025, 11, 3), meeting="Board, 1 October 2025")
    assert version == 2
    row = one(engine, request_id)
    assert row["status"] == "received" and row["response_on"] == date(2025, 11, 3)
    assert row["version"] == 2 and row["updated_by"] == "Alex"
    changes = history(engine, request_id)
    latest = changes[changes["version"] == 2].set_index("field")
    assert set(latest.index) == {"status", "response", "response_on"}  # meeting unchanged
    assert set(latest["changed_by"]) == {"Alex"}
    assert latest.loc["status", "old_value"] == "requested"
    assert latest.loc["status", "new_value"] == "received"
    assert pd_isna(latest.loc["response", "old_value"])
    assert latest.loc["response_on", "new_value"] == "2025-11-03"
    assert latest["changed_at"].notna().all()


def pd_isna(value) -> bool:
    """True for NULL read back through pandas (None or NaN)."""
    return value is None or value != value


def test_a_save_that_changes_nothing_keeps_the_version(own_store):
    """Pressing save without editing must not look like a new version to everyone else."""
    _, engine = own_store
    request_id = new_request(engine)
    before = counts(engine)
    assert update_request(engine, request_id, 1, "Alex", status="requested",
                          meeting="  Board, 1 October 2025 ", outcome="") == 1
    assert one(engine, request_id)["version"] == 1
    assert counts(engine) == before


def test_a_stale_save_is_refused_and_the_other_edit_kept(own_store):
    """Two people open version 1; the second to save is told who saved first, not overwritten."""
    _, engine = own_store
    request_id = new_request(engine)
    opened_a = opened_b = one(engine, request_id)["version"]
    assert update_request(engine, request_id, opened_a, "Alex", outcome="Explained: accepted.",
                          status="accepted") == 2
    before = counts(engine)
    with pytest.raises(ConflictError) as caught:
        update_request(engine, request_id, opened_b, "Priya", outcome="Ask again in March.")
    message = str(caught.value)
    assert "Alex" in message and "version 2" in message and "version 1" in message
    assert "not saved" in message
    row = one(engine, request_id)
    assert row["outcome"] == "Explained: accepted." and row["status"] == "accepted"
    assert row["version"] == 2 and row["updated_by"] == "Alex"
    assert counts(engine) == before
    assert "Priya" not in set(history(engine)["changed_by"])


def test_simultaneous_saves_exactly_one_wins(own_store):
    """Two saves racing from version 1 on separate connections: one saved, one refused."""
    url, engine = own_store
    request_id = new_request(engine)
    start = threading.Barrier(2)
    results: dict[str, object] = {}

    def save(name: str) -> None:
        own = make_engine(url)
        try:
            start.wait()
            results[name] = update_request(own, request_id, 1, name, outcome=f"{name}'s view")
        except Exception as exc:  # noqa: BLE001 - the test inspects whatever was raised
            results[name] = exc
        finally:
            own.dispose()

    threads = [threading.Thread(target=save, args=(name,)) for name in ("Alex", "Priya")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(type(r).__name__ for r in results.values()) == ["ConflictError", "int"], results
    winner = next(name for name, r in results.items() if r == 2)
    row = one(engine, request_id)
    assert row["version"] == 2 and row["outcome"] == f"{winner}'s view"
    assert set(history(engine, request_id).query("version == 2")["changed_by"]) == {winner}


@pytest.mark.parametrize("act, words", [
    (lambda e, rid: new_request(e, la_code="E99999999"), "Unknown LA code"),
    (lambda e, rid: new_request(e, la_code="E10000006"), "Unknown LA code"),  # Cumbria, abolished
    (lambda e, rid: new_request(e, asked_by="   "), "who asked"),
    (lambda e, rid: new_request(e, meeting=""), "meeting"),
    (lambda e, rid: new_request(e, year="2025"), "year"),
    (lambda e, rid: update_request(e, rid, 1, "Alex", status="pending"), "Unknown status"),
    (lambda e, rid: update_request(e, rid, 1, " ", status="received"), "your name"),
    (lambda e, rid: update_request(e, rid, 1, "Alex", la_code="E06000002"), "Cannot change"),
    (lambda e, rid: update_request(e, rid, 1, "Alex", reason=""), "reason"),
    (lambda e, rid: update_request(e, rid, 1, "Alex", response_on="soon"), "date"),
    (lambda e, rid: update_request(e, rid + 99, 1, "Alex", status="received"), "No request"),
])
def test_bad_input_is_refused_and_writes_nothing(own_store, act, words):
    """Each mistake gets a plain message and neither table changes."""
    _, engine = own_store
    request_id = new_request(engine)
    before = counts(engine)
    with pytest.raises(UserInputError, match=words):
        act(engine, request_id)
    assert counts(engine) == before


def test_rebuild_keeps_the_register(own_store):
    """Rebuilding published data must never delete the board's requests or their history."""
    url, engine = own_store
    request_id = new_request(engine)
    update_request(engine, request_id, 1, "Alex", status="received", response="Noted.")
    register_before, history_before = requests(engine), history(engine)
    build(url, progress=False)
    assert requests(engine).equals(register_before)
    assert history(engine).equals(history_before)


def test_cli_exports_the_register(own_store):
    """`python -m data export register` (and register-history) write the tables as CSV."""
    url, engine = own_store
    new_request(engine)
    headers = {}
    for table in ("register", "register-history"):
        result = subprocess.run([sys.executable, "-m", "data", "export", table], cwd=ROOT,
                                env={**os.environ, "DATABASE_URL": url}, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        headers[table], *rows = result.stdout.splitlines()
        assert rows, table
    register_columns = headers["register"].split(",")
    assert register_columns[:2] == ["id", "la_code"] and "status" in register_columns
    assert headers["register-history"].startswith("request_id,version,changed_at,changed_by")
