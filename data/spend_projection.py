"""Projected spend for a scope (``analysis.projected_spend``): which forecast of children and
which weekly costs it multiplies.

By placement group (RCCs): the stored case-level stock-and-flow forecasts of the RCC's
children in each placement group (the model the Homes needed page uses; placement-group
forecasts are made for RCCs only), times each group's weekly cost per child today: the
fees of the RCC's current placements in the group shared over the group's children now
(``fee_frame``; where the fee disclosure family allows and at least 5 placements have a
fee), else the published S251 unit cost (residential care for children's homes, fostering
for fostering, the average per child looked after for the other two, which have no
published figure of their own). The total's range is the range of the RCC's stock-and-flow
forecast of all its children.

All children (an LA, a region, England, or an RCC without placement-group forecasts): the
stored published forecast of children looked after at 31 March (the series' default
model) times the published S251 weekly unit cost per child looked after.

An RCC's S251 figure is its LAs' figures weighted by their children looked after (DfE
publishes no RCC figure)."""

from __future__ import annotations

from typing import Callable

import pandas as pd
from sqlalchemy import Engine, select

from analysis import projected_spend as ps
from analysis.disclosure import label_if_synthetic
from analysis.scope import Scope
from data import case_series, fee_frame, forecast_reads, forecast_store, queries
from data import schema as s
from data.sources import ENGLAND
from forecasting import monthly

CLA = "children looked after"
MODEL = "stock_flow"  # the placement groups' model, as on Homes needed (outlook_tables)
GROUPS = list(monthly.GROUPS)
NO_FORECASTS = "Forecasts have not been made for this data yet."
NO_SERIES = "No forecast of children looked after is stored for this area."
NO_COST = "No published unit cost per child looked after is held for this area."
#: The published S251 weekly unit cost standing in for each group, and the words for it.
PER_CHILD = ("LACFinance", "Published S251 unit cost per child looked after")
S251 = {"children's homes": ("RescareFinance", "Published S251 residential care unit cost"),
        "fostering": ("FosteringFinance", "Published S251 fostering unit cost"),
        "supported accommodation": PER_CHILD, monthly.OTHER: PER_CHILD}
CHILDREN_NUMBER = "LACnum"  # LAIT's count of children looked after: the RCC's weights

Predicate = Callable[[Scope, str, object], bool]


def projection(engine: Engine, scope: Scope, inflation: float = ps.DEFAULT_INFLATION,
               years: int = ps.YEARS, *, may_describe: Predicate,
               fees: pd.DataFrame | None = None) -> pd.DataFrame:
    """The scope's projected spend (``analysis.projected_spend.project``'s columns), years
    0 (today) to ``years``. ``may_describe(area, breakdown, value)``: the fee disclosure
    family's test, asked for each group (``"placement"``); ``fees``: the scope's fee frame
    rows (read here if not given). Empty, with ``attrs['reason']``, when no forecast is
    stored. ``attrs``: mode ("groups" or "total"), model, as_at (the forecasts' last
    count, YYYY-MM-DD), cost_year (of the S251 figures), reason."""
    ps.check_inflation(inflation)
    run = forecast_store.latest_run(engine)
    if run is None:
        return empty(NO_FORECASTS)
    level, code = forecast_reads.area_of(engine, scope)
    stored = group_forecasts(engine, level, code) if level == "rcc" else None
    if stored is not None:
        if fees is None:
            fees = scope_fees(engine, scope)
        return by_group(engine, scope, stored, fees, inflation, years,
                        lambda group: may_describe(scope, "placement", group))
    return all_children(engine, scope, level, code, run.with_backtest, inflation, years)


def empty(reason: str) -> pd.DataFrame:
    out = pd.DataFrame(columns=["years_ahead", "year_ending", "financial_year", "placement",
                                "children", "weekly_cost", "cost_source", "price_factor",
                                *ps.SPEND, "interval"])
    out.attrs["reason"] = reason
    return out


def scope_fees(engine: Engine, scope: Scope) -> pd.DataFrame:
    """The fee frame's placements made by the scope's LAs."""
    codes = set(scope.members(queries.local_authorities(engine))["code"])
    return fee_frame.scope_rows(fee_frame.fee_frame(engine), scope, codes)


def group_forecasts(engine: Engine, level: str, code: str) -> pd.DataFrame | None:
    """The area's stock-and-flow forecasts of all children and of every placement group,
    with their histories (None unless all four groups are stored)."""
    rows = forecast_reads.forecasts(engine, tested=False, source="case", level=level,
                                    area_code=code, series=CLA, model=MODEL)
    if not set(GROUPS) <= set(rows["breakdown"]) or forecast_reads.ALL not in set(
            rows["breakdown"]):
        return None
    history = forecast_reads.histories(engine, source="case", level=level, area_code=code,
                                       series=CLA)
    return rows.assign(history_end=history["period"].max()).merge(
        history[history["period"] == history["period"].max()][["breakdown", "value"]],
        on="breakdown", how="left")


def by_group(engine: Engine, scope: Scope, stored: pd.DataFrame, fees: pd.DataFrame,
             inflation: float, years: int, may_describe: Callable[[str], bool]
             ) -> pd.DataFrame:
    """Spend by placement group from the case-level forecasts (module docstring)."""
    as_at = pd.Timestamp(stored["history_end"].iloc[0])
    now = stored.drop_duplicates("breakdown").set_index("breakdown")["value"]
    ahead = ps.with_today(ps.yearly(stored, as_at, years), now)
    costs = ps.weekly_costs(fees, now.reindex(GROUPS).fillna(0),
                            published_costs(engine, scope), may_describe)
    is_group = ahead["breakdown"].isin(GROUPS)
    total = ahead[~is_group & (ahead["years_ahead"] > 0)]
    out = ps.project(ahead[is_group], costs, inflation, year_ending(as_at), total, years)
    synthetic = case_series.is_synthetic(engine)
    return described(label_if_synthetic(out, synthetic), mode="groups", model=MODEL,
                     as_at=f"{as_at:%Y-%m-%d}", cost_year=cost_year(engine))


def all_children(engine: Engine, scope: Scope, level: str, code: str, tested: bool,
                 inflation: float, years: int) -> pd.DataFrame:
    """Spend on all children from the published forecast (module docstring)."""
    pick = forecast_reads.Pick("published", level, code, CLA)
    history = forecast_reads.history(engine, pick)
    rows = forecast_reads.forecasts(engine, pick, tested=tested)
    rows = rows[rows["default"]]
    if history.empty or rows.empty:
        return empty(NO_SERIES)
    as_at = history["period"].max()
    rows = rows[rows["period"] > as_at].assign(
        breakdown=ps.TOTAL, years_ahead=lambda r: r["period"].dt.year - as_at.year)
    now = pd.Series({ps.TOTAL: history["value"].iloc[-1]})
    ahead = ps.with_today(rows[["breakdown", "years_ahead", *ps.FORECAST]], now)
    cost = s251(engine, scope, PER_CHILD[0])
    if cost is None:
        return empty(NO_COST)
    costs = pd.DataFrame({"breakdown": [ps.TOTAL], "weekly_cost": [cost],
                          "cost_source": [PER_CHILD[1]]})
    out = ps.project(ahead, costs, inflation, year_ending(as_at), None, years)
    return described(out, mode="total", model=rows["model"].iloc[0],
                     as_at=f"{as_at:%Y-%m-%d}", cost_year=cost_year(engine))


def described(frame: pd.DataFrame, **attrs) -> pd.DataFrame:
    frame.attrs.update(attrs, reason=None)
    return frame


def year_ending(day: pd.Timestamp) -> int:
    """The year (ending 31 March) a day falls in."""
    return day.year if day.month <= 3 else day.year + 1


def published_costs(engine: Engine, scope: Scope) -> pd.DataFrame:
    """Each group's stand-in published S251 weekly unit cost for the scope: group,
    weekly_cost, cost_source."""
    return pd.DataFrame([(group, s251(engine, scope, measure), words)
                         for group, (measure, words) in S251.items()],
                        columns=["group", "weekly_cost", "cost_source"])


def lait_values(engine: Engine, measures: list[str], codes: list[str]) -> pd.DataFrame:
    """LAIT's values of ``measures`` for ``codes``: measure_code, area_code, year, value."""
    li = s.LaitIndicator
    return queries.frame(engine, select(li.measure_code, li.area_code, li.year, li.value)
                         .where(li.measure_code.in_(measures), li.area_code.in_(codes),
                                li.value.is_not(None)))


def cost_year(engine: Engine) -> int | None:
    """The latest year (ending 31 March) of published S251 unit costs."""
    years = lait_values(engine, [PER_CHILD[0]], [ENGLAND])["year"]
    return int(years.max()) if len(years) else None


def s251(engine: Engine, scope: Scope, measure: str) -> float | None:
    """The scope's latest published S251 weekly unit cost ``measure``: the area's own (LA,
    region, England), or for an RCC its LAs' weighted by their children looked after in
    the same year."""
    if scope.kind != "rcc":
        values = lait_values(engine, [measure], [scope.code or ENGLAND])
        return float(values.sort_values("year")["value"].iloc[-1]) if len(values) else None
    codes = list(scope.members(queries.local_authorities(engine))["code"])
    values = lait_values(engine, [measure, CHILDREN_NUMBER], codes).pivot_table(
        index=["year", "area_code"], columns="measure_code", values="value").dropna()
    if values.empty or measure not in values:
        return None
    latest = values.loc[values.index.get_level_values("year").max()]
    weights = latest[CHILDREN_NUMBER]
    return float((latest[measure] * weights).sum() / weights.sum())


def projected_spend_export(engine: Engine, scope: Scope, inflation: float,
                           may_describe: Predicate) -> pd.DataFrame:
    """``python -m data export projected-spend``: the scope's projected spend, one row per
    year and placement group and the total; refused in one line before a refresh."""
    forecast_store.stored_run(engine)
    return projection(engine, scope, inflation, may_describe=may_describe)
