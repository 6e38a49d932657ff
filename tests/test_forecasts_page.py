"""The Forecasts page reads stored forecasts: it says so when there are none or when the
data have changed since, answers first in words (what the forecast says, how far out past
forecasts were, which model is shown and why) and lets the reader switch models. Series
here are planted (for England, Blackpool and North West RCC) and fitted for real."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
from sqlalchemy import insert
from streamlit.testing.v1 import AppTest

from tests.app_pages import opened, words

from data import forecast_series, forecast_store
from data import schema as s
from data.build import build
from data.store import make_engine

PAGE = "views/forecasts_page.py"
ENGLAND, BLACKPOOL, SCILLY, CITY = "E92000001", "E06000009", "E06000053", "E09000001"


def planted() -> pd.DataFrame:
    """England growing by 1,000 a year; Blackpool's and North West RCC's own series."""
    rows = []
    for level, code, name, values in (
            ("england", ENGLAND, "England", [72000 + 1000 * t for t in range(10)]),
            ("la", BLACKPOOL, "Blackpool", [500, 530, 560, 600, 640, 630, 610, 600, 590, 580]),
            ("rcc", "North West", "North West", [13000 + 150 * t for t in range(10)])):
        rows += [{"level": level, "area_code": code, "area_name": name, "series": series,
                  "year": 2016 + t, "value": value}
                 for series in forecast_series.series.SERIES.values()
                 for t, value in enumerate(values)]
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A built store of the module's own, its forecasts refreshed once from the planted
    series (which stand in for the published ones while the module runs)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('forecasts') / 'rcc.sqlite'}"
    build(url, progress=False)
    engine = make_engine(url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(forecast_series, "annual_series", lambda engine: planted())
        forecast_store.refresh_store(engine, workers=1)
        yield engine
    engine.dispose()


@pytest.fixture
def app(store, monkeypatch):
    """The app on that store, with empty caches."""
    import cached

    monkeypatch.setenv("DATABASE_URL", store.url.render_as_string(hide_password=False))
    cached.clear()
    yield store
    cached.clear()


def forecasts_page(params: dict) -> AppTest:
    return opened(PAGE, params)


text = words


def test_without_stored_forecasts_the_page_says_so(app, monkeypatch):
    import live

    monkeypatch.setattr(live, "forecast_run", lambda: None)
    at = forecasts_page({"scope": "england"})
    assert "have not been made for this data yet" in text(at)


def test_the_answer_the_accuracy_and_the_default_model_in_words(app):
    at = forecasts_page({"scope": "england"})
    words = text(at)
    assert "At 31 March 2025, 81,000 children were looked after in England." in words
    assert "Continuing the average change gives about 84,000 for 2028" in words, \
        "a planted straight line"
    assert "80% range held what happened in" in words
    assert "Shown by default: Trend of the past" in words
    assert at.selectbox(key="forecast_model_drift").value == "drift"
    assert len(at.get("vega_lite_chart")) == 1
    assert len(at.dataframe) == 3 == len(at.get("download_button")), "each table downloads"


def test_switching_to_prophet_shows_its_forecast(app):
    at = forecasts_page({"scope": "england"})
    at.selectbox(key="forecast_model_drift").select("prophet").run()
    assert "Prophet gives about" in text(at)


@pytest.mark.parametrize("params, name", [
    ({"scope": "la", "la": BLACKPOOL}, "Blackpool"),
    ({"scope": "rcc", "rcc": "north-west"}, "North West RCC"),
    ({"scope": "la", "la": SCILLY}, "Isles of Scilly"),
    ({"scope": "la", "la": CITY}, "City of London")])
def test_every_scope_including_the_smallest_las(app, params, name):
    at = forecasts_page(params)
    assert at.title[0].value == f"Forecasts: {name}"
    if name in ("Isles of Scilly", "City of London"):
        assert f"no figures for {name} to forecast from" in text(at)
    else:
        assert "forecasts" in text(at)


def test_stale_forecasts_are_flagged(app):
    with app.begin() as connection:
        connection.execute(insert(s.DataRelease).values(
            dataset="later-build", title="t", publisher="p", period="2026", url="u",
            licence="l", file="f", checksum="0" * 64, rows=1, loaded_at=datetime(2031, 1, 1)))
    try:
        at = forecasts_page({"scope": "england"})
        assert "before the data last changed" in text(at)
    finally:
        with app.begin() as connection:
            connection.execute(s.DataRelease.__table__.delete().where(
                s.DataRelease.dataset == "later-build"))
