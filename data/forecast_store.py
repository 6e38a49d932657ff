"""Stored forecasts: ``python -m forecasting refresh`` fits every series once and keeps the
results here, tagged with the build they came from and the settings used, so pages and
exports read them (no fitting on page load) and can say when a rebuild has made them
stale. A refresh is written in one transaction: a failed one leaves the previous run."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable

import pandas as pd
from sqlalchemy import Engine, delete, insert, select

from analysis.scope import Scope
from data import forecast_series, queries
from data import schema as s
from data.errors import UserInputError
from data.sources import ENGLAND
from data.store import data_version
from forecasting import backtest, models, refresh

LEVELS = ("la", "rcc", "region", "england")
SETTINGS = {"models": list(models.MODELS), "horizon_years": refresh.HORIZON,
            "intervals": list(models.LEVELS), "origins": list(backtest.ORIGINS),
            "backtest_horizons": list(backtest.HORIZONS), "prophet": {
                "scale": "log(1 + count)", "seasonality": "none",
                "changepoints": f"one per {models.YEARS_PER_CHANGEPOINT} years",
                "samples": models.SAMPLES}}
#: With no backtest to choose by, pages show Prophet's forecasts (the issue's model).
UNTESTED_DEFAULT = "prophet"
TOTAL = ""  # the breakdown of a series' total (breakdowns by placement or cohort to come)


@dataclass(frozen=True)
class Run:
    """The stored run: its id, when it was fitted, how long it took, how many series, and
    whether the data or settings have changed since (``stale``)."""

    id: int
    fitted_at: datetime
    seconds: float
    series: int
    with_backtest: bool
    stale: bool


def data_key(engine: Engine) -> str:
    """What the published series come from: the build (its time and release count)."""
    version = data_version(engine)
    return f"built={version.built_at}|releases={version.releases}"


def settings_text() -> str:
    return json.dumps(SETTINGS, sort_keys=True)


def refresh_store(engine: Engine, *, with_backtest: bool = True, workers: int | None = None,
                  progress: Callable[[Iterable, int], Iterable] | None = None) -> Run:
    """Fit every published series and store the results in place of any earlier run.
    ``progress(finished, total)`` wraps the stream of finished series (a progress bar)."""
    started = time.perf_counter()
    annual = forecast_series.annual_series(engine)
    total = len(refresh.histories(annual)[0])
    fitted = refresh.refresh(annual, with_backtest=with_backtest, workers=workers,
                             progress=(lambda jobs: progress(jobs, total)) if progress else iter)
    seconds = time.perf_counter() - started
    key = data_key(engine)  # read before the write begins (SQLite: one writer, no readers)
    with engine.begin() as connection:
        connection.execute(delete(s.ForecastRun))
        run_id = connection.execute(insert(s.ForecastRun).values(
            data_key=key, settings=settings_text(), fitted_at=datetime.now(),
            seconds=seconds, series=fitted.forecasts.groupby(refresh.KEY).ngroups,
            with_backtest=with_backtest)).inserted_primary_key[0]
        for table, frame in ((s.ForecastValue, fitted.forecasts.assign(reconciled=False)),
                             (s.ForecastBacktest, fitted.backtests),
                             (s.ForecastScore, fitted.scores.rename(
                                 columns={"default": "is_default"}))):
            if len(frame):
                connection.execute(insert(table), rows_for(table, frame, run_id))
    return latest_run(engine)


def rows_for(table, frame: pd.DataFrame, run_id: int) -> list[dict]:
    """``frame``'s rows as dicts of ``table``'s columns (NaN as NULL)."""
    columns = [c.name for c in table.__table__.columns if c.name not in ("run_id", "breakdown")]
    out = frame[columns].astype(object).where(frame[columns].notna(), None)
    return [{"run_id": run_id, "breakdown": TOTAL, **row}
            for row in out.to_dict(orient="records")]


def latest_run(engine: Engine) -> Run | None:
    """The stored run, or None if forecasts have never been refreshed."""
    r = s.ForecastRun
    rows = queries.frame(engine, select(r).order_by(r.id.desc()).limit(1))
    if rows.empty:
        return None
    row = rows.iloc[0]
    stale = row["data_key"] != data_key(engine) or row["settings"] != settings_text()
    return Run(int(row["id"]), row["fitted_at"], float(row["seconds"]), int(row["series"]),
               bool(row["with_backtest"]), bool(stale))


def forecasts(engine: Engine, level: str | None = None) -> pd.DataFrame:
    """The stored forecasts (every model), each marked ``default`` for its series' default
    model: level, area_code, area_name, series, breakdown, model, default, year, forecast,
    lower_80, upper_80, lower_95, upper_95, reconciled."""
    v, sc = s.ForecastValue, s.ForecastScore
    statement = select(v.level, v.area_code, v.area_name, v.series, v.breakdown, v.model,
                       sc.is_default.label("default"), v.year, v.forecast, v.lower_80,
                       v.upper_80, v.lower_95, v.upper_95, v.reconciled).outerjoin(
        sc, (sc.run_id == v.run_id) & (sc.level == v.level) & (sc.area_code == v.area_code)
        & (sc.series == v.series) & (sc.breakdown == v.breakdown) & (sc.model == v.model))
    if level is not None:
        statement = statement.where(v.level == level)
    out = queries.frame(engine, statement.order_by(v.level, v.area_code, v.series, v.model,
                                                   v.year))
    run = latest_run(engine)
    out["default"] = (flags(out["default"]) if run is None or run.with_backtest
                      else out["model"] == UNTESTED_DEFAULT)
    return out


def backtests(engine: Engine) -> pd.DataFrame:
    """The stored backtests: series, area_code, breakdown, model, default, origin, target,
    horizon, forecast, actual (one row per origin and horizon)."""
    b, sc = s.ForecastBacktest, s.ForecastScore
    statement = select(b.level, b.series, b.area_code, b.breakdown, b.model,
                       sc.is_default.label("default"), b.origin, b.target, b.horizon,
                       b.forecast, b.lower_80, b.upper_80, b.lower_95, b.upper_95,
                       b.actual).outerjoin(
        sc, (sc.run_id == b.run_id) & (sc.level == b.level) & (sc.area_code == b.area_code)
        & (sc.series == b.series) & (sc.breakdown == b.breakdown) & (sc.model == b.model))
    out = queries.frame(engine, statement.order_by(b.level, b.area_code, b.series, b.model,
                                                   b.origin, b.target))
    out["default"] = flags(out["default"])
    return out


def flags(values: pd.Series) -> pd.Series:
    """True/False from a joined flag column (missing: False)."""
    return pd.Series(pd.array(values, dtype="boolean"), index=values.index).fillna(False) \
        .astype(bool)


def stored_run(engine: Engine) -> Run:
    """The stored run, or a one-line refusal saying how to make one."""
    run = latest_run(engine)
    if run is None:
        raise UserInputError("No forecasts are stored yet: run `python -m forecasting "
                             "refresh` first.")
    return run


def forecast_export(engine: Engine, level: str) -> pd.DataFrame:
    """``python -m data export forecasts --level``: every stored forecast of the level."""
    if level not in LEVELS:
        raise UserInputError(f"Forecasts are by {', '.join(LEVELS)}, not {level!r}.")
    stored_run(engine)
    return forecasts(engine, level)


def backtest_export(engine: Engine) -> pd.DataFrame:
    """``python -m data export backtest``: one row per series, model, origin and horizon,
    origin and target as dates (31 March)."""
    if not stored_run(engine).with_backtest:
        raise UserInputError("The stored forecasts were refreshed without backtests: run "
                             "`python -m forecasting refresh`.")
    out = backtests(engine)
    for column in ("origin", "target"):
        out[column] = models.year_dates(out[column]).strftime("%Y-%m-%d")
    return out


def scores(engine: Engine) -> pd.DataFrame:
    """Each series' models' backtest scores (mase, mape, coverage_80, coverage_95,
    forecasts) and which is the default."""
    sc = s.ForecastScore
    out = queries.frame(engine, select(sc.level, sc.area_code, sc.series, sc.breakdown,
                                       sc.model, sc.mase, sc.mape, sc.coverage_80,
                                       sc.coverage_95, sc.forecasts,
                                       sc.is_default.label("default")))
    out["default"] = flags(out["default"])
    return out


def area_of(engine: Engine, scope: Scope) -> tuple[str, str]:
    """The (level, area_code) a scope's forecasts are stored under (RCCs by name)."""
    if scope.kind == "england":
        return "england", ENGLAND
    if scope.kind == "rcc":
        return "rcc", queries.rccs(engine).set_index("id")["name"].get(scope.code, scope.code)
    return scope.kind, scope.code


def forecast_view(engine: Engine, scope: Scope, series: str) -> dict[str, pd.DataFrame]:
    """What the Forecasts page shows for one scope and series: ``history`` (year, value),
    ``forecasts`` (every model, with ``default``), ``backtests`` and ``scores``."""
    level, code = area_of(engine, scope)
    annual = forecast_series.annual_series(engine)

    def mine(frame: pd.DataFrame) -> pd.DataFrame:
        if frame.empty:
            return frame
        rows = frame[(frame["level"] == level) & (frame["area_code"] == code)
                     & (frame["series"] == series)]
        return rows.reset_index(drop=True)

    return {"history": mine(annual)[["year", "value"]], "forecasts": mine(forecasts(engine)),
            "backtests": mine(backtests(engine)), "scores": mine(scores(engine))}
