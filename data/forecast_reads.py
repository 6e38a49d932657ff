"""Reading the stored forecasts: what pages and exports show. Each read names one series
(source, level, area, series, breakdown) and is filtered in the database, so a page asks for
the rows it draws and nothing else. Periods are dates: 31 March for the published annual
series, the month end for the case-level monthly ones.

Writing them (``python -m forecasting refresh``) is ``data.forecast_store``'s."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, and_, select

from analysis.scope import Scope
from data import queries
from data import schema as s
from data.errors import UserInputError
from data.sources import ENGLAND

LEVELS = ("la", "rcc", "region", "england")
SOURCES = {"published": "Published (DfE, each 31 March)",
           "case": "Case-level records (each month end)"}
#: With no backtest to choose by, pages show Prophet's forecasts (the issue's model).
UNTESTED_DEFAULT = "prophet"
ALL = "all"  # the breakdown of a series' total


@dataclass(frozen=True)
class Pick:
    """One series: which data (``source``), area, count and breakdown."""

    source: str
    level: str
    area_code: str
    series: str
    breakdown: str = ALL


def where(table, pick: Pick | None = None, **columns) -> list:
    """The filters naming ``pick`` in ``table``, or the rows whose ``columns`` (name ->
    value, None: any) have the values given."""
    if pick is not None:
        return [table.source == pick.source, table.level == pick.level,
                table.area_code == pick.area_code, table.series == pick.series,
                table.breakdown == pick.breakdown]
    return [getattr(table, name) == value for name, value in columns.items()
            if value is not None]


def scored(table) -> list:
    """The join of ``table`` to its series' score (the ``default`` flag)."""
    sc = s.ForecastScore
    return [sc.run_id == table.run_id, sc.source == table.source, sc.level == table.level,
            sc.area_code == table.area_code, sc.series == table.series,
            sc.breakdown == table.breakdown, sc.model == table.model]


def flags(values: pd.Series) -> pd.Series:
    """True/False from a joined flag column (missing: False)."""
    return pd.Series(pd.array(values, dtype="boolean"), index=values.index).fillna(False) \
        .astype(bool)


def dated(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """``columns`` as pandas timestamps, whatever the database returned."""
    for column in columns:
        frame[column] = pd.to_datetime(frame[column])
    return frame


def history(engine: Engine, pick: Pick) -> pd.DataFrame:
    """The counts the stored run fitted for one series: period, value."""
    h = s.ForecastHistory
    return dated(queries.frame(engine, select(h.period, h.value).where(*where(h, pick))
                               .order_by(h.period)), "period")


def histories(engine: Engine, **columns) -> pd.DataFrame:
    """The counts the stored run fitted for the series whose ``columns`` have the values
    given: source, level, area_code, area_name, series, breakdown, period, value."""
    h = s.ForecastHistory
    return dated(queries.frame(engine, select(
        h.source, h.level, h.area_code, h.area_name, h.series, h.breakdown, h.period, h.value)
        .where(*where(h, **columns)).order_by(h.level, h.area_code, h.breakdown, h.period)),
        "period")


def forecasts(engine: Engine, pick: Pick | None = None, level: str | None = None,
              tested: bool = True, **columns) -> pd.DataFrame:
    """The stored forecasts (every model) of one series or a level, each marked
    ``default`` for its series' default model: source, level, area_code, area_name, series,
    breakdown, model, default, period, forecast, lower_80, upper_80, lower_95, upper_95,
    reconciled. ``tested``: whether the run has backtests (without, Prophet is shown);
    ``columns``: more filters (e.g. source, series, breakdown)."""
    v, sc = s.ForecastValue, s.ForecastScore
    statement = select(v.source, v.level, v.area_code, v.area_name, v.series, v.breakdown,
                       v.model, sc.is_default.label("default"), v.period, v.forecast,
                       v.lower_80, v.upper_80, v.lower_95, v.upper_95, v.reconciled
                       ).outerjoin(sc, and_(*scored(v))).where(
        *where(v, pick, level=level, **columns))
    out = dated(queries.frame(engine, statement.order_by(
        v.source, v.level, v.area_code, v.series, v.breakdown, v.model, v.period)), "period")
    out["default"] = flags(out["default"]) if tested else out["model"] == UNTESTED_DEFAULT
    return out


def backtests(engine: Engine, pick: Pick | None = None) -> pd.DataFrame:
    """The stored backtests: source, level, series, area_code, breakdown, model, default,
    origin, target, horizon, forecast, its ranges, actual (one row per origin and
    horizon)."""
    b, sc = s.ForecastBacktest, s.ForecastScore
    statement = select(b.source, b.level, b.series, b.area_code, b.breakdown, b.model,
                       sc.is_default.label("default"), b.origin, b.target, b.horizon,
                       b.forecast, b.lower_80, b.upper_80, b.lower_95, b.upper_95,
                       b.actual).outerjoin(sc, and_(*scored(b))).where(*where(b, pick))
    out = dated(queries.frame(engine, statement.order_by(
        b.source, b.level, b.area_code, b.series, b.breakdown, b.model, b.origin, b.target)),
        "origin", "target")
    out["default"] = flags(out["default"])
    return out


def scores(engine: Engine, pick: Pick | None = None) -> pd.DataFrame:
    """Each model's backtest scores (mase, mape, coverage_80, coverage_95, forecasts) and
    which is the default."""
    sc = s.ForecastScore
    out = queries.frame(engine, select(sc.source, sc.level, sc.area_code, sc.series,
                                       sc.breakdown, sc.model, sc.mase, sc.mape,
                                       sc.coverage_80, sc.coverage_95, sc.forecasts,
                                       sc.is_default.label("default")).where(*where(sc, pick)))
    out["default"] = flags(out["default"])
    return out


def breakdowns(engine: Engine, source: str, level: str, area_code: str) -> list[str]:
    """The breakdowns stored for an area (``ALL`` first): placement groups and cohorts."""
    h = s.ForecastHistory
    found = queries.frame(engine, select(h.breakdown).distinct().where(
        h.source == source, h.level == level, h.area_code == area_code))["breakdown"]
    return sorted(found, key=lambda b: (b != ALL, b.startswith("cohort"), b))


def area_of(engine: Engine, scope: Scope) -> tuple[str, str]:
    """The (level, area_code) a scope's forecasts are stored under (RCCs by name)."""
    if scope.kind == "england":
        return "england", ENGLAND
    if scope.kind == "rcc":
        return "rcc", queries.rccs(engine).set_index("id")["name"].get(scope.code, scope.code)
    return scope.kind, scope.code


def pick_for(engine: Engine, scope: Scope, source: str, series: str,
             breakdown: str = ALL) -> Pick:
    """The stored series a page's scope and choices name."""
    if source not in SOURCES:
        raise UserInputError(f"Forecasts come from {', '.join(SOURCES)}, not {source!r}.")
    level, code = area_of(engine, scope)
    return Pick(source, level, code, series, breakdown)


def view(engine: Engine, pick: Pick, tested: bool) -> dict[str, pd.DataFrame]:
    """What the Forecasts page shows for one series: ``history`` (period, value),
    ``forecasts`` (every model, with ``default``), ``backtests`` and ``scores``."""
    return {"history": history(engine, pick), "forecasts": forecasts(engine, pick,
                                                                    tested=tested),
            "backtests": backtests(engine, pick), "scores": scores(engine, pick)}
