"""The case-level monthly series read from the store: every LA with data, the synthetic
label, DfE's count at 31 March 2025 given back, cohorts only from a stored fit."""

from __future__ import annotations

import shutil
from functools import partial

import pandas as pd
import pytest
from sqlalchemy import func, select

from analysis import lca
from data import case_series, queries
from data import schema as s
from data.store import make_engine
from forecasting import monthly
from tests.conftest import COHORT_LAS

MARCH_2025 = pd.Timestamp("2025-03-31")


@pytest.fixture(scope="module")
def engine(cohort_url):
    engine = make_engine(cohort_url)
    yield engine
    engine.dispose()


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


def test_cohorts_come_only_from_a_stored_fit(engine, cohort_url, tmp_path, monkeypatch):
    """Reading series never starts a fit; once one is stored, RCCs get cohort series."""
    before = fits(engine)
    episodes = case_series.episodes_frame(engine)
    assert fits(engine) == before
    if before == 0:
        assert episodes["cohort"].isna().all()
    if not cohort_url.startswith("sqlite:///"):
        pytest.skip("the fitted copy is made of the SQLite file")
    copy = tmp_path / "copy.sqlite"
    shutil.copyfile(cohort_url.removeprefix("sqlite:///"), copy)
    monkeypatch.setattr(lca, "fit_cohorts", partial(lca.fit_cohorts, max_classes=3, n_init=2))
    own = make_engine(f"sqlite:///{copy}")
    try:
        from data import cohort_store
        summary = cohort_store.cohorts(own, 2025)
        fitted = case_series.episodes_frame(own)
        named = fitted["cohort"].dropna()
        assert set(named) <= set(summary.names().values()) and len(named)
        table = case_series.case_series(own)
    finally:
        own.dispose()
    rcc = table[table["level"] == "rcc"]
    cohorts = {b for b in rcc["breakdown"] if b.startswith("cohort: ")}
    assert "cohort: not assessed" in cohorts and len(cohorts) >= 2
    # the cohorts of an RCC add up to its total, month by month
    wide = rcc.pivot_table(index=["area_code", "series", "month"], columns="breakdown",
                           values="value")
    assert (wide[sorted(cohorts)].sum(axis=1) == wide["all"]).all()
