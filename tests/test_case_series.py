"""The case-level monthly series read from the store: every LA with data, the synthetic
label, DfE's count at 31 March 2025 given back, cohorts only from a stored fit."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from functools import partial

import pandas as pd
import pytest
from sqlalchemy import func, insert, select

from analysis import lca
from data import case_series, queries
from data import schema as s
from data.store import make_engine
from forecasting import monthly
from tests.conftest import COHORT_LAS

MARCH_2025 = pd.Timestamp("2025-03-31")


@pytest.fixture(scope="module")
def engine(cohort_engine):
    return cohort_engine


@pytest.fixture(scope="module")
def table(engine):
    return case_series.case_series(engine)


def fits(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(s.CohortFit)).scalar_one()


def test_episodes_frame_columns_and_label(engine):
    episodes = case_series.episodes_frame(engine)
    assert list(episodes.columns) == case_series.EPISODE_COLUMNS
    assert set(episodes["la_code"]) == set(COHORT_LAS)
    assert episodes.attrs["synthetic"] and case_series.is_synthetic(engine)
    assert episodes["birth"].notna().all() and (episodes["birth"].dt.day == 1).all()
    assert (episodes["end"].dropna() >= episodes.loc[episodes["end"].notna(), "start"]).all()
    assert episodes["end"].isna().any()  # open episodes are NaT


def test_every_la_and_level_with_the_shown_flag(table):
    assert list(table.columns) == monthly.SERIES_COLUMNS + ["shown"]
    assert table.attrs["synthetic"]
    las = table[table["level"] == "la"]
    assert set(las["area_code"]) == set(COHORT_LAS)
    assert set(las["breakdown"]) == {"all"}
    assert set(table.loc[table["level"] == "rcc", "area_code"]) >= {"Greater Manchester"}
    assert set(table.loc[table["level"] == "england", "area_code"]) == {"E92000001"}
    # one unbroken run of month ends per series, ending March 2025
    for _, months in table.groupby(["level", "area_code", "breakdown", "series"])["month"]:
        expected = pd.date_range(months.min(), MARCH_2025, freq="ME")
        assert list(months) == list(expected)
    assert table["shown"].dtype == bool
    assert table.groupby(["level", "area_code", "breakdown", "series"])["shown"].nunique() \
        .eq(1).all()
    # the synthetic flows run from LAIT's first year, 2015-16
    assert las["month"].min() == pd.Timestamp("2015-04-30")


def test_stock_at_31_march_2025_is_dfe_s_count(engine, table):
    dfe = queries.cla_counts(engine)
    dfe = dfe[(dfe["year"] == 2025) & (dfe["level"] == "la")].set_index("area_code")["children"]
    stock = table[(table["level"] == "la") & (table["series"] == monthly.STOCK)
                  & (table["month"] == MARCH_2025)].set_index("area_code")["value"]
    assert len(stock) == len(COHORT_LAS)
    assert (stock == dfe.reindex(stock.index)).all()


def test_an_empty_store_gives_empty_frames(built_url):
    engine = make_engine(built_url)
    try:
        assert case_series.episodes_frame(engine).empty
        assert list(case_series.episodes_frame(engine).columns) == case_series.EPISODE_COLUMNS
        table = case_series.case_series(engine)
        assert table.empty and "shown" in table.columns
        assert not case_series.is_synthetic(engine)
    finally:
        engine.dispose()


@pytest.fixture
def copied(cohort_url, tmp_path):
    """A writable copy of the cohort store (SQLite only)."""
    if not cohort_url.startswith("sqlite:///"):
        pytest.skip("the copy is made of the SQLite file")
    copy = tmp_path / "copy.sqlite"
    shutil.copyfile(cohort_url.removeprefix("sqlite:///"), copy)
    engine = make_engine(f"sqlite:///{copy}")
    yield engine
    engine.dispose()


def add_real_child(engine, la: str, episodes: list[tuple]) -> None:
    """One real (imported) child of ``la`` with (start, end, PLACE, legal status) episodes."""
    with engine.begin() as connection:
        import_id = connection.execute(insert(s.CaseImport).values(
            imported_at=datetime(2026, 1, 1), imported_by="test", file_hash="x",
            format="ssda903", la_code=la, period="2025", rows="{}", outcome="imported",
            is_synthetic=False)).inserted_primary_key[0]
        child = connection.execute(insert(s.Child).values(
            import_id=import_id, la_code=la, child_ref="real-1", birth_year_month="2012-05",
            uasc=False, is_synthetic=False)).inserted_primary_key[0]
        connection.execute(insert(s.Episode), [
            {"child_id": child, "period_of_care": k + 1, "start_date": start,
             "end_date": end, "placement_type": place, "legal_status": legal,
             "placing_la": la, "placement_la_source": "pl_la", "distance_band": "unknown",
             "is_synthetic": False}
            for k, (start, end, place, legal) in enumerate(episodes)])


def test_real_children_replace_an_la_s_synthetic_ones_and_short_breaks_do_not_count(copied):
    la = COHORT_LAS[0]
    add_real_child(copied, la, [(date(2024, 4, 10), date(2024, 4, 12), "U1", "V3"),
                                (date(2024, 5, 2), None, "K2", "C2")])
    episodes = case_series.episodes_frame(copied)
    mine = episodes[episodes["la_code"] == la]
    assert len(mine) == 1 and mine["place"].tolist() == ["K2"]  # the short break left out
    assert set(episodes["la_code"]) == set(COHORT_LAS)  # the others stay synthetic
    assert episodes.attrs["synthetic"] and case_series.is_synthetic(copied)
    table = case_series.case_series(copied)
    stock = table[(table["area_code"] == la) & (table["series"] == monthly.STOCK)]
    assert stock.set_index("month")["value"].loc[MARCH_2025] == 1


def test_cohorts_come_only_from_a_stored_fit(engine, copied, monkeypatch):
    """Reading series never starts a fit; once one is stored, RCCs get cohort series."""
    before = fits(engine)
    episodes = case_series.episodes_frame(engine)
    assert fits(engine) == before
    if before == 0:
        assert episodes["cohort"].isna().all()
    monkeypatch.setattr(lca, "fit_cohorts", partial(lca.fit_cohorts, max_classes=3, n_init=2))
    from data import cohort_store
    summary = cohort_store.cohorts(copied, 2025)
    named = case_series.episodes_frame(copied)["cohort"].dropna()
    assert set(named) <= set(summary.names().values()) and len(named)
    rcc = case_series.case_series(copied).query("level == 'rcc'")
    cohorts = {b for b in rcc["breakdown"] if b.startswith("cohort: ")}
    assert "cohort: not assessed" in cohorts and len(cohorts) >= 2
    # the cohorts of an RCC add up to its total, month by month
    wide = rcc.pivot_table(index=["area_code", "series", "month"], columns="breakdown",
                           values="value")
    assert (wide[sorted(cohorts)].sum(axis=1) == wide["all"]).all()
