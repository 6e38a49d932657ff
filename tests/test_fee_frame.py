"""The fee frame against counts made independently in SQL on the synthetic cohort store."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import text

from data.fee_frame import COLUMNS, fee_frame
from data.store import make_engine


@pytest.fixture(scope="module")
def engine(cohort_engine):
    return cohort_engine


@pytest.fixture(scope="module")
def frame(engine):
    return fee_frame(engine)


def sql(engine, statement: str) -> pd.DataFrame:
    with engine.connect() as connection:
        return pd.read_sql(text(statement), connection)


def test_one_row_per_open_placement_with_a_fee(engine, frame):
    expected = sql(engine, "SELECT f.episode_id FROM placement_fee f JOIN episode e "
                           "ON e.id = f.episode_id WHERE e.end_date IS NULL")
    assert sorted(frame["episode_id"]) == sorted(expected["episode_id"])
    assert list(frame.columns) == COLUMNS
    assert frame.attrs["synthetic"] and frame.attrs["as_at"] == pd.Timestamp("2025-03-31")


def test_inside_the_rcc_matches_the_membership_table(engine, frame):
    truth = sql(engine, """
        SELECT e.id AS episode_id,
               CASE WHEN e.placement_la IS NULL THEN NULL
                    WHEN mine.rcc_id IS NOT NULL AND mine.rcc_id = there.rcc_id THEN 1
                    ELSE 0 END AS inside
        FROM episode e JOIN child c ON c.id = e.child_id
        LEFT JOIN rcc_membership mine ON mine.la_code = c.la_code
        LEFT JOIN rcc_membership there ON there.la_code = e.placement_la
        WHERE e.end_date IS NULL""").set_index("episode_id")["inside"]
    mine = frame.set_index("episode_id")["inside_rcc"]
    expected = truth.reindex(mine.index)
    assert (mine.isna() == expected.isna()).all()
    known = mine.notna()
    assert (mine[known].astype(bool) == expected[known].astype(bool)).all()
    assert set(frame.loc[frame["inside_la"].eq(True), "inside_rcc"]) <= {True}


def test_provider_size_counts_the_providers_placements(frame):
    counts = frame["provider_id"].value_counts()
    for provider, size in frame.drop_duplicates("provider_id")[
            ["provider_id", "provider_size"]].dropna().itertuples(index=False):
        low = int(size.split("-")[0].split(" ")[0])
        assert counts[provider] >= low
        if size.startswith("1-"):
            assert counts[provider] <= 9


def test_needs_are_those_of_the_latest_assessment(engine, frame):
    truth = sql(engine, """
        SELECT n.child_id, COUNT(DISTINCT n.need) AS needs,
               COUNT(DISTINCT CASE WHEN n.intensity = 'high' THEN n.need END) AS high
        FROM needs_assessment n
        JOIN (SELECT child_id, MAX(assessed_on) AS day FROM needs_assessment
              WHERE assessed_on <= '2025-03-31' GROUP BY child_id) latest
          ON latest.child_id = n.child_id AND latest.day = n.assessed_on
        GROUP BY n.child_id""").set_index("child_id")
    mine = frame.drop_duplicates("child_id").set_index("child_id")
    expected = truth.reindex(mine.index).fillna(0)
    assert (mine["needs"] == expected["needs"]).all()
    assert (mine["high_intensity"] == expected["high"]).all()


def test_an_empty_store_gives_an_empty_frame(built_url):
    engine = make_engine(built_url)
    try:
        out = fee_frame(engine)
    finally:
        engine.dispose()
    assert out.empty and list(out.columns) == COLUMNS
