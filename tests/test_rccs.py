"""RCC membership is the board's: editable, validated, and kept when published data is rebuilt."""

from __future__ import annotations

import pytest

from data import queries
from data.build import build
from data.errors import UserInputError
from data.rccs import add_rcc, assign_la


def membership(engine) -> dict[str, str]:
    """LA code -> RCC id."""
    las = queries.local_authorities(engine)
    return dict(zip(las["code"], las["rcc_id"]))


def test_an_edit_survives_a_rebuild(own_store):
    """Rebuilding published data must never undo the board's decision about membership."""
    url, engine = own_store
    add_rcc(engine, "tees-valley", "Tees Valley", "Board decision, test")
    assert assign_la(engine, "E06000001", "tees-valley") == "north-east"
    build(url, progress=False)
    assert membership(engine)["E06000001"] == "tees-valley"
    assert len(membership(engine)) == 153


@pytest.mark.parametrize("la, rcc, words", [
    ("E99999999", "north-east", "Unknown LA code"),
    ("E10000006", "north-west", "Unknown LA code"),  # Cumbria: abolished, not current
    ("E06000001", "atlantis", "Unknown RCC"),
])
def test_bad_assignment_is_refused_and_changes_nothing(own_store, la, rcc, words):
    """An unknown LA or RCC is refused with a clear message and membership is unchanged."""
    _, engine = own_store
    before = membership(engine)
    with pytest.raises(UserInputError, match=words):
        assign_la(engine, la, rcc)
    assert membership(engine) == before


@pytest.mark.parametrize("rcc_id", ["North East", "north-east", "x" * 41, "bad_id"])
def test_bad_or_duplicate_rcc_id_is_refused(own_store, rcc_id):
    """RCC ids appear in links, so they must be unique, short and URL-safe."""
    _, engine = own_store
    with pytest.raises(UserInputError):
        add_rcc(engine, rcc_id, "Name", "basis")
