"""The Homes needed page and the case-level forecasts, on a copy of the synthetic-cohort store
(Greater Manchester and the North East) with its forecasts refreshed once: the provider view
in words, chart and table; scenarios opened from a link, refused when the link is bad,
saved by name and exported; the smallest LAs; the Forecasts page counting by the month."""

from __future__ import annotations

import io
import shutil
from contextlib import redirect_stdout

import pandas as pd
import pytest
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest

from tests.app_pages import app_on, opened, words

from data import cli, forecast_inputs, forecast_series, forecast_store
from data.store import make_engine

PAGE = "views/homes_needed_page.py"
GM = "Greater Manchester"
SCILLY, CITY = "E06000053", "E09000001"


def planted_annual() -> pd.DataFrame:
    """A published series for England only (the published fits are tested elsewhere)."""
    return pd.DataFrame({"level": "england", "area_code": "E92000001", "area_name": "England",
                         "series": "children looked after", "year": range(2016, 2026),
                         "value": [72000.0 + 1000 * t for t in range(10)]})


def fewer_series(engine):
    """The store's inputs with the case-level LAs cut to two (fewer fits)."""
    given = original_inputs(engine)
    series = given.monthly
    given.monthly = series[(series["level"] != "la")
                           | series["area_code"].isin(["E08000003", "E06000047"])]
    return given


original_inputs = forecast_inputs.inputs


@pytest.fixture(scope="module")
def store(cohort_url, tmp_path_factory):
    """A copy of the cohort store with forecasts refreshed (SQLite only: the copy is a
    file copy)."""
    url = make_url(cohort_url)
    if url.get_backend_name() != "sqlite":
        pytest.skip("copies the SQLite cohort store")
    path = tmp_path_factory.mktemp("homes") / "rcc.sqlite"
    shutil.copy(url.database, path)
    copy = f"sqlite:///{path}"
    engine = make_engine(copy)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(forecast_series, "annual_series", lambda engine: planted_annual())
        patch.setattr(forecast_series, "tiers", lambda engine: pd.DataFrame())
        patch.setattr(forecast_inputs, "inputs", fewer_series)
        forecast_store.refresh_store(engine, workers=2)
        yield copy
    engine.dispose()


@pytest.fixture(scope="module")
def app(store):
    """The app on that store, caches kept between this module's tests (scenarios, the
    one thing they write, are read live)."""
    with app_on(store) as url:
        yield url


def page(params: dict, path: str = PAGE) -> AppTest:
    return opened(path, params, timeout=300)


text = words


def test_the_provider_view_in_words_chart_and_table(app):
    at = page({"scope": "rcc", "rcc": "greater-manchester"})
    words = text(at)
    assert at.title[0].value == "Homes needed: Greater Manchester RCC"
    assert "Greater Manchester, cohort" in words and "matching places" in words
    assert "Synthetic case-level data" in words
    assert len(at.get("vega_lite_chart")) == 2, "the outlook and the scenario"
    table = at.dataframe[0].value
    assert {"children_now", "in_5_years", "matching_places", "rank"} <= set(table.columns)
    assert len(at.get("download_button")) >= 2


def test_a_shared_link_opens_its_scenario(app):
    at = page({"scope": "rcc", "rcc": "greater-manchester", "scenario": "Fewer",
               "in": GM, "entries": "-10", "back": "50", "back_by": "2"})
    words = text(at)
    assert "Scenario “Fewer”: a what-if, not a forecast: 10% fewer children entering care; " \
        "50% of the children in residential care placed outside Greater Manchester brought " \
        "back by year 2." in words
    assert at.slider(key="scenario_entries_change_pct").value == -10


def test_a_bad_link_is_refused_naming_the_value(app):
    at = page({"scope": "rcc", "rcc": "greater-manchester", "scenario": "Bad", "in": GM,
               "entries": "lots"})
    assert "could not be read" in text(at) and "entries" in text(at)
    assert "no change (the baseline)" in text(at)


def test_a_scenario_is_saved_by_name_and_exported(app, monkeypatch):
    at = page({"scope": "rcc", "rcc": "greater-manchester"})
    at.slider(key="scenario_entries_change_pct").set_value(-20.0).run()
    at.text_input(key="scenario_name").input("Twenty fewer")
    at.text_input(key="scenario_by").input("Test analyst")
    at.button(key="scenario_save_button").click().run()
    assert not at.exception
    assert "Saved “Twenty fewer” for Greater Manchester." in " ".join(
        s.value for s in at.success)
    import live

    assert live.saved_scenarios(GM) == ["Twenty fewer"]
    monkeypatch.setenv("DATABASE_URL", app)
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(["export", "scenario", "--rcc", GM, "--name", "Twenty fewer"]) == 0
    assert out.getvalue().startswith("# Synthetic case-level data")
    exported = pd.read_csv(io.StringIO(out.getvalue()), skiprows=1)
    assert set(exported["measure"]) >= {"children looked after", "specificity gap"}
    looked = exported[exported["measure"] == "children looked after"]
    assert (looked["scenario"] <= looked["baseline"]).all(), "fewer entries, fewer children"


@pytest.mark.parametrize("code", [SCILLY, CITY])
def test_the_smallest_las_say_what_is_missing(app, code):
    at = page({"scope": "la", "la": code})
    assert "Homes needed:" in at.title[0].value
    assert "South West has no children in children's homes in the records held" in text(at) \
        if code == SCILLY else "London has no children" in text(at)
    assert not at.dataframe, "no empty table"


def test_england_ranks_every_rcc_and_cohort(app):
    at = page({"scope": "england"})
    table = at.dataframe[0].value
    ranks = pd.to_numeric(table["rank"], errors="coerce").dropna().astype(int).tolist()
    assert ranks == sorted(ranks) and ranks[0] == 1


def test_the_forecasts_page_counts_case_level_series_by_the_month(app):
    at = page({"scope": "rcc", "rcc": "greater-manchester"}, "views/forecasts_page.py")
    at.radio(key="forecast_source").set_value("case").run()
    words = text(at)
    assert "At the end of March 2025" in words and "Synthetic case-level data" in words
    assert "every 6 months" in words
    breakdowns = at.selectbox(key="forecast_breakdown").options
    assert "Children's homes" in breakdowns
