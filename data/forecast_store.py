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

from analysis.disclosure import label_if_synthetic
from data import case_series, forecast_inputs, forecast_reads, queries
from data import schema as s
from data.errors import UserInputError
from data.store import data_version
from forecasting import backtest, models, pipeline, refresh, stock_flow

SETTINGS = {"models": [*models.MODELS, "stock_flow", pipeline.COHERENT],
            "horizon_years": refresh.HORIZON, "intervals": list(models.LEVELS),
            "origins": list(backtest.ORIGINS), "backtest_horizons": list(backtest.HORIZONS),
            "monthly_origins": f"every {backtest.MONTHS_BETWEEN_ORIGINS} months from "
                               f"{backtest.FIRST_MONTHLY_ORIGIN:%Y-%m-%d}",
            "monthly_backtest_horizons": list(backtest.MONTHLY_HORIZONS),
            "reconciliation": pipeline.METHOD, "stock_flow_window": stock_flow.WINDOW,
            "prophet": {"scale": "log(1 + count)",
                        "changepoints": f"one per {models.YEARS_PER_CHANGEPOINT} years",
                        "samples": models.SAMPLES}}
PUBLISHED = "published"


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
    """What the series come from: the build (its time and release count) and the newest
    case-level import (an import changes the case-level series)."""
    version = data_version(engine)
    return (f"built={version.built_at}|releases={version.releases}"
            f"|import={version.case_import}")


def settings_text() -> str:
    return json.dumps(SETTINGS, sort_keys=True)


def refresh_store(engine: Engine, *, with_backtest: bool = True, workers: int | None = None,
                  progress: Callable[[Iterable, int], Iterable] | None = None) -> Run:
    """Fit every series (published, and case-level where disclosure control lets it be
    shown) and store the results in place of any earlier run. ``progress(finished,
    total)`` wraps the stream of finished series (a progress bar)."""
    started = time.perf_counter()
    given = forecast_inputs.inputs(engine)
    frames = {pipeline.PUBLISHED: given.annual}
    if given.monthly is not None:
        frames[pipeline.CASE] = pipeline.shown(given.monthly)
    total = sum(len(refresh.histories(frame)[0]) for frame in frames.values())
    fitted = pipeline.fit_all(given, with_backtest=with_backtest, workers=workers,
                              progress=(lambda jobs: progress(jobs, total)) if progress
                              else iter)
    seconds = time.perf_counter() - started
    key = data_key(engine)  # read before the write begins (SQLite: one writer, no readers)
    tables = [stored_frames(frames[source], fits, source) for source, fits in fitted.items()]
    with engine.begin() as connection:
        connection.execute(delete(s.ForecastRun))
        run_id = connection.execute(insert(s.ForecastRun).values(
            data_key=key, settings=settings_text(), fitted_at=datetime.now(),
            seconds=seconds, series=sum(len(part[s.ForecastHistory].groupby(refresh.KEY))
                                        for part in tables),
            with_backtest=with_backtest)).inserted_primary_key[0]
        for part in tables:
            for table, frame in part.items():
                if len(frame):
                    connection.execute(insert(table), rows_for(table, frame, run_id))
    return latest_run(engine)


def as_dates(frame: pd.DataFrame, renames: dict[str, str]) -> pd.DataFrame:
    """Years (31 March) as dates under their stored names (``renames``: old -> new)."""
    out = frame.rename(columns=renames)
    for column in renames.values():
        if column in out and not pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = models.year_dates(out[column])
    return out


def stored_frames(history: pd.DataFrame, fitted: refresh.Fitted,
                  source: str) -> dict[type, pd.DataFrame]:
    """What a refresh stores, by table: the fitted histories, forecasts, backtests and
    scores of one ``source``, periods as dates."""
    labelled = {"source": source}
    if "breakdown" not in history:
        history = history.assign(breakdown=forecast_reads.ALL)
    fitted_keys = fitted.forecasts[refresh.KEY].drop_duplicates() if len(fitted.forecasts) \
        else pd.DataFrame(columns=refresh.KEY)
    kept = history.merge(fitted_keys, on=refresh.KEY)
    periods = {"year": "period", "month": "period"}
    return {s.ForecastHistory: as_dates(kept, periods).assign(**labelled),
            s.ForecastValue: as_dates(fitted.forecasts, periods).assign(
                reconciled=fitted.forecasts["model"] == pipeline.COHERENT, **labelled),
            s.ForecastBacktest: as_dates(fitted.backtests, {"origin": "origin",
                                                            "target": "target"}).assign(
                **labelled),
            s.ForecastScore: fitted.scores.rename(columns={"default": "is_default"}).assign(
                **labelled)}


def rows_for(table, frame: pd.DataFrame, run_id: int) -> list[dict]:
    """``frame``'s rows as dicts of ``table``'s columns (NaN as NULL)."""
    columns = [c.name for c in table.__table__.columns if c.name != "run_id"]
    out = frame[columns].astype(object).where(frame[columns].notna(), None)
    for column in columns:  # dates as dates (SQLite and PostgreSQL both take them)
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            out[column] = frame[column].dt.date
    return [{"run_id": run_id, **row} for row in out.to_dict(orient="records")]


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


def stored_run(engine: Engine) -> Run:
    """The stored run, or a one-line refusal saying how to make one."""
    run = latest_run(engine)
    if run is None:
        raise UserInputError("No forecasts are stored yet: run `python -m forecasting "
                             "refresh` first.")
    return run


def with_year_or_month(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """``column`` (dates) as ``year`` for published series and ``month`` (YYYY-MM) for
    case-level ones, in its place: how each kind is read."""
    annual = frame["source"] == PUBLISHED
    at = frame.columns.get_loc(column)
    out = frame.drop(columns=[column])
    out.insert(at, "month", frame[column].dt.strftime("%Y-%m").where(~annual))
    out.insert(at, "year", frame[column].dt.year.astype("Int64").where(annual))
    return out


def forecast_export(engine: Engine, level: str) -> pd.DataFrame:
    """``python -m data export forecasts --level``: every stored forecast of the level."""
    if level not in forecast_reads.LEVELS:
        raise UserInputError(f"Forecasts are by {', '.join(forecast_reads.LEVELS)}, not "
                             f"{level!r}.")
    run = stored_run(engine)
    return labelled(engine, with_year_or_month(
        forecast_reads.forecasts(engine, level=level, tested=run.with_backtest), "period"))


def labelled(engine: Engine, table: pd.DataFrame) -> pd.DataFrame:
    """``table`` labelled synthetic when it holds case-level rows counted from synthetic
    records (the export's first line then says so)."""
    case = (table["source"] == pipeline.CASE).any() if len(table) else False
    return label_if_synthetic(table, bool(case) and case_series.is_synthetic(engine))


def backtest_export(engine: Engine) -> pd.DataFrame:
    """``python -m data export backtest``: one row per series, model, origin and horizon,
    origin and target as dates (31 March, or the month end)."""
    if not stored_run(engine).with_backtest:
        raise UserInputError("The stored forecasts were refreshed without backtests: run "
                             "`python -m forecasting refresh`.")
    out = forecast_reads.backtests(engine)
    for column in ("origin", "target"):
        out[column] = out[column].dt.strftime("%Y-%m-%d")
    return labelled(engine, out)


def scores_export(engine: Engine) -> pd.DataFrame:
    """``python -m data export forecast-scores``: each series' models' backtest scores
    (MASE, MAPE, coverage of the 80% and 95% ranges, how many past forecasts) and which
    is the default."""
    if not stored_run(engine).with_backtest:
        raise UserInputError("The stored forecasts were refreshed without backtests: run "
                             "`python -m forecasting refresh`.")
    return labelled(engine, forecast_reads.scores(engine))
