"""Stored forecasts: a refresh writes every series' forecasts, backtests and scores in one
go (or nothing), marks one default model per series, says when a rebuild has made it
stale, and is what `python -m forecasting refresh` and the exports use. The series are a
small planted set (the real ones are tested in test_forecasting.py), so fits stay fast."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from datetime import datetime

import pandas as pd
import pytest
from sqlalchemy import insert

from data import cli, forecast_reads, forecast_series, forecast_store
from data import schema as s
from data.errors import UserInputError
from data.store import make_engine, migrate
from forecasting import __main__ as forecasting_cli
from forecasting import refresh

PLANTED = pd.DataFrame(
    [{"level": "la", "area_code": code, "area_name": name, "series": "children looked after",
      "year": 2016 + t, "value": value}
     for code, name, values in (("A", "Ashford", [100 + 6 * t for t in range(10)]),
                                ("B", "Bexley", [80, 82, 79, 85, 88, 86, 90, 95, 93, 97]))
     for t, value in enumerate(values)]
    + [{"level": "rcc", "area_code": "R", "area_name": "R", "series": "children looked after",
        "year": 2016 + t, "value": 180 + 10 * t} for t in range(10)])


@pytest.fixture
def engine(fresh_url, monkeypatch):
    """A migrated empty store whose published series are the planted ones."""
    monkeypatch.setenv("DATABASE_URL", fresh_url)
    monkeypatch.setattr(forecast_series, "annual_series", lambda engine: PLANTED)
    engine = make_engine(fresh_url)
    migrate(engine)
    yield engine
    engine.dispose()


def test_a_refresh_stores_every_series_model_and_year(engine):
    run = forecast_store.refresh_store(engine, workers=1)
    assert run.series == 3 and run.with_backtest and not run.stale
    stored = forecast_reads.forecasts(engine)
    per_series = stored.groupby(["area_code", "model"])["period"].agg(list)
    assert set(per_series.index.get_level_values(0)) == {"A", "B", "R"}
    assert all([p.strftime("%Y-%m-%d") for p in periods] == [
        f"{year}-03-31" for year in range(2026, 2031)] for periods in per_series)
    assert set(stored["source"]) == {"published"} and set(stored["breakdown"]) == {"all"}
    defaults = stored[stored["default"]].groupby("area_code")["model"].unique()
    assert all(len(models) == 1 for models in defaults) and set(defaults.index) == {"A", "B",
                                                                                   "R"}
    assert defaults["A"][0] == "drift", "a planted straight line: the trend forecasts it"


def test_the_backtest_export_has_one_row_per_origin_and_horizon_with_dates(engine):
    forecast_store.refresh_store(engine, workers=1)
    table = forecast_store.backtest_export(engine)
    one = table[(table["area_code"] == "B") & (table["model"] == "naive")]
    assert len(one) == 12  # origins 2020-2024, up to 3 years ahead, to 2025
    row = one[(one["origin"] == "2022-03-31") & (one["horizon"] == 2)].iloc[0]
    assert row["target"] == "2024-03-31" and row["forecast"] == 90 and row["actual"] == 93


def test_the_scores_export_has_one_default_per_series(engine):
    forecast_store.refresh_store(engine, workers=1)
    table = forecast_store.scores_export(engine)
    assert table.groupby("area_code")["default"].sum().to_dict() == {"A": 1, "B": 1, "R": 1}
    assert {"mase", "mape", "coverage_80", "coverage_95", "forecasts"} <= set(table.columns)


def test_the_view_reads_one_series_and_the_history_it_fitted(engine):
    run = forecast_store.refresh_store(engine, workers=1)
    pick = forecast_reads.Pick("published", "la", "B", "children looked after")
    view = forecast_reads.view(engine, pick, run.with_backtest)
    assert view["history"]["value"].tolist() == [80, 82, 79, 85, 88, 86, 90, 95, 93, 97]
    assert set(view["forecasts"]["area_code"]) == {"B"}
    assert set(view["backtests"]["area_code"]) == {"B"} and set(view["scores"]["area_code"]) \
        == {"B"}
    assert view["scores"]["default"].sum() == 1


def built(engine, when: datetime) -> None:
    """Record a build of the open data at ``when`` (what a rebuild leaves behind)."""
    with engine.begin() as connection:
        connection.execute(insert(s.DataRelease).values(
            dataset=f"test-{when:%Y}", title="t", publisher="p", period="2025", url="u",
            licence="l", file="f", checksum="0" * 64, rows=1, loaded_at=when))


def test_a_rebuild_makes_the_stored_forecasts_stale(engine):
    forecast_store.refresh_store(engine, workers=1)
    built(engine, datetime(2030, 1, 1))
    assert forecast_store.latest_run(engine).stale


def test_a_failed_refresh_leaves_the_previous_run(engine, monkeypatch):
    first = forecast_store.refresh_store(engine, workers=1)
    before = forecast_reads.forecasts(engine)

    def broken(table, frame, run_id):
        if table is s.ForecastScore:
            raise RuntimeError("disk full")
        return forecast_store.rows_for.__wrapped__(table, frame, run_id)

    broken.__wrapped__ = forecast_store.rows_for
    monkeypatch.setattr(forecast_store, "rows_for", broken)
    with pytest.raises(RuntimeError):
        forecast_store.refresh_store(engine, workers=1)
    assert forecast_store.latest_run(engine).id == first.id
    pd.testing.assert_frame_equal(forecast_reads.forecasts(engine), before)


def test_without_backtests_prophet_is_the_default_and_the_backtest_export_says_why(engine):
    forecast_store.refresh_store(engine, with_backtest=False, workers=1)
    stored = forecast_reads.forecasts(engine, tested=False)
    assert set(stored[stored["default"]]["model"]) == {"prophet"}
    assert set(forecast_store.forecast_export(engine, "la").query("default")["model"]) == {
        "prophet"}
    with pytest.raises(UserInputError, match="without backtests"):
        forecast_store.backtest_export(engine)


def test_exports_before_any_refresh_say_how_to_make_one(engine):
    with pytest.raises(UserInputError, match="python -m forecasting refresh"):
        forecast_store.forecast_export(engine, "la")


def test_the_command_line_refuses_an_unbuilt_store(engine, capsys):
    assert forecasting_cli.main(["refresh", "--quiet"]) == 2
    assert "not built" in capsys.readouterr().err
    assert forecast_store.latest_run(engine) is None


def test_the_command_line_refreshes_and_exports(engine, capsys):
    built(engine, datetime(2026, 1, 1))
    assert forecasting_cli.main(["refresh", "--quiet", "--workers", "1"]) == 0
    assert "Forecast 3 series" in capsys.readouterr().err
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(["export", "forecasts", "--level", "rcc"]) == 0
    table = pd.read_csv(io.StringIO(out.getvalue()))
    assert list(table.columns) == ["source", "level", "area_code", "area_name", "series",
                                   "breakdown", "model", "default", "year", "month",
                                   "forecast", "lower_80", "upper_80", "lower_95",
                                   "upper_95", "reconciled"]
    assert set(table["area_code"]) == {"R"} and len(table) == 5 * 4
    assert table["year"].tolist()[:5] == list(range(2026, 2031))
    assert table["month"].isna().all()


def test_too_short_series_are_not_forecast(engine):
    two_years = PLANTED[(PLANTED["area_code"] == "A") & (PLANTED["year"] >= 2024)]
    fitted = refresh.refresh(two_years, workers=1)
    assert fitted.forecasts.empty and fitted.too_short["years"].tolist() == [2]
