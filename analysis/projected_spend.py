"""Projected spend: what the children forecast to be looked after would cost in each of the
next one to five years, if a week of care in each placement group cost what it costs today,
raised by an inflation rate the reader sets. Cash terms.

The assumption, in plain words: prices are held at today's level plus inflation; the ranges
come from the forecast of how many children there will be, not from any uncertainty in
prices. A year's spend is the children forecast for that year x today's weekly cost x
``WEEKS_PER_YEAR`` x (1 + inflation) ^ years ahead.

Ranges of the total: each group's range is its forecast's range x its cost. The groups'
ranges cannot simply be added: all four groups at the top of their range at once is less
likely than the total at the top of its own. Where the total number of children has its own
forecast, the total's range is that forecast's range at today's average cost per child
(``scaled``); otherwise the groups' bounds are added (``summed``), which gives a range at
least as wide as the true one (said so where it is shown).

Pure: frames in, frames out. Which forecast and which costs are used is ``data``'s choice.
"""

from __future__ import annotations

from typing import Callable

import pandas as pd

#: 365.25 / 7: the weeks in an average year (leap years included).
WEEKS_PER_YEAR = 52.18
YEARS = 5
DEFAULT_INFLATION = 0.03
MAX_INFLATION = 0.10
TOTAL = "All placements"
BOUNDS = ["lower_80", "upper_80", "lower_95", "upper_95"]
FORECAST = ["forecast", *BOUNDS]
SPEND = ["spend", *[f"spend_{bound}" for bound in BOUNDS]]
#: How the total's range was found (module docstring), in words for the page.
INTERVAL_WORDS = {
    "own": "the range of the group's own forecast",
    "scaled": "the range of the forecast of all children, at today's average cost per child",
    "summed": "the groups' ranges added together, which is wider than the true range (every "
              "group at the edge of its range at once)",
    "single": "the range of the forecast of all children",
}
MIN_PLACEMENTS = 5  # no fee statistic on fewer placements (disclosure rule)


def financial_year(year_ending: int) -> str:
    """'2029-30' for the year ending 31 March 2030."""
    return f"{year_ending - 1}-{year_ending % 100:02d}"


def check_inflation(inflation: float) -> float:
    """The inflation rate as a fraction, refused outside 0-10% a year."""
    if not 0 <= inflation <= MAX_INFLATION:
        raise ValueError(f"Inflation is a rate from 0 to {MAX_INFLATION:.0%} a year, not "
                         f"{inflation:.1%}.")
    return float(inflation)


def yearly(monthly: pd.DataFrame, as_at: pd.Timestamp, years: int = YEARS) -> pd.DataFrame:
    """Month-end forecasts (``period``, ``breakdown``, ``FORECAST`` columns) as yearly
    ones: each year's children are the average of its twelve month ends (children on an
    average day of the year), its bounds the average of the months' bounds (the months of
    one year move together, so this is close to the year's own range and if anything
    wider). ``years_ahead`` 1 is the year starting the day after ``as_at``; years with
    fewer than twelve forecast months are left out."""
    months = pd.to_datetime(monthly["period"]).dt.to_period("M")
    ahead = (months - as_at.to_period("M")).map(lambda offset: offset.n)
    year = (ahead + 11) // 12
    rows = monthly.assign(years_ahead=year)
    rows = rows[(rows["years_ahead"] >= 1) & (rows["years_ahead"] <= years)]
    grouped = rows.groupby(["breakdown", "years_ahead"])
    out = grouped[FORECAST].mean()[grouped.size() == 12].reset_index()
    return out.astype({"years_ahead": int})


def with_today(ahead: pd.DataFrame, today: pd.Series) -> pd.DataFrame:
    """``ahead`` with year 0 added: today's children (``today``: breakdown -> count), whose
    range is the count itself."""
    now = pd.DataFrame({"breakdown": today.index, "years_ahead": 0,
                        **{column: today.to_numpy(dtype=float) for column in FORECAST}})
    return pd.concat([now, ahead], ignore_index=True)


def weekly_costs(fees: pd.DataFrame, children_now: pd.Series, published: pd.DataFrame,
                 may_describe: Callable[[str], bool]) -> pd.DataFrame:
    """Each group's weekly cost per child today: the scope's current weekly fees for the
    group shared over the group's children now (``children_now``: group -> count; children
    placed with parents or with no fee count as costing nothing), where at least
    ``MIN_PLACEMENTS`` placements have a fee and ``may_describe(group)`` (the fee
    disclosure family) allows it; else the published S251 unit cost in ``published``
    (group, weekly_cost, cost_source). Columns: breakdown, weekly_cost, cost_source."""
    by_group = fees.groupby("placement")["weekly_fee"].agg(["size", "sum"])
    rows = []
    for group, children in children_now.items():
        paid, total = (by_group.loc[group] if group in by_group.index else (0, 0.0))
        if paid >= MIN_PLACEMENTS and children > 0 and may_describe(group):
            rows.append((group, total / children, "Fees of today's placements"))
        else:
            fallback = published.set_index("group").loc[group]
            rows.append((group, fallback["weekly_cost"], fallback["cost_source"]))
    return pd.DataFrame(rows, columns=["breakdown", "weekly_cost", "cost_source"])


def project(children: pd.DataFrame, costs: pd.DataFrame, inflation: float,
            year_ending_now: int, total: pd.DataFrame | None = None,
            years: int = YEARS) -> pd.DataFrame:
    """Spend by group and year, and the total (``TOTAL``).

    ``children``: breakdown, years_ahead (0 today, 1-5), ``FORECAST`` columns.
    ``costs``: breakdown, weekly_cost (today's, cash), cost_source.
    ``total``: the forecast of all children (years_ahead, ``FORECAST``), if there is one:
    the total's range is then ``scaled`` from it; without it the groups' bounds are
    ``summed``. One breakdown alone (e.g. ``TOTAL``: all children) is its own total
    (``single``).
    Columns: years_ahead, year_ending, financial_year, placement, children, weekly_cost,
    cost_source, price_factor, ``SPEND``, interval (how the range was found:
    ``INTERVAL_WORDS``)."""
    rate = check_inflation(inflation)
    rows = children[children["years_ahead"] <= years].merge(costs, on="breakdown",
                                                            validate="many_to_one")
    factor = (1 + rate) ** rows["years_ahead"]
    yearly_cost = rows["weekly_cost"] * WEEKS_PER_YEAR * factor
    groups = rows.assign(price_factor=factor,
                         **{spend: rows[column] * yearly_cost
                            for spend, column in zip(SPEND, FORECAST)})
    groups = groups.rename(columns={"breakdown": "placement", "forecast": "children"}
                           ).assign(interval="own")
    if groups["placement"].nunique() > 1:
        out = pd.concat([groups, totals(groups, total)], ignore_index=True)
    else:
        out = groups.assign(interval="single")
    out["year_ending"] = year_ending_now + out["years_ahead"]
    out["financial_year"] = out["year_ending"].map(financial_year)
    columns = ["years_ahead", "year_ending", "financial_year", "placement", "children",
               "weekly_cost", "cost_source", "price_factor", *SPEND, "interval"]
    order = {name: at for at, name in enumerate(dict.fromkeys(out["placement"]))}
    return out.reindex(columns=columns).sort_values(
        ["years_ahead", "placement"], key=lambda c: c.map(order) if c.name == "placement"
        else c, kind="stable").reset_index(drop=True)


def totals(groups: pd.DataFrame, total: pd.DataFrame | None) -> pd.DataFrame:
    """The total row of each year: spend summed over the groups, its range by the
    module docstring's rule, and the average weekly cost per child."""
    summed = groups.groupby("years_ahead")[["children", *SPEND]].sum()
    summed["price_factor"] = groups.groupby("years_ahead")["price_factor"].first()
    if total is not None:
        own = total.set_index("years_ahead").reindex(summed.index)
        for spend, bound in zip(SPEND[1:], BOUNDS):
            summed[spend] = summed["spend"] * (own[bound] / own["forecast"]).fillna(1.0)
    per_child = summed["spend"] / (summed["children"] * WEEKS_PER_YEAR
                                   * summed["price_factor"])
    return summed.assign(placement=TOTAL, cost_source="Average of the groups",
                         interval="scaled" if total is not None else "summed",
                         weekly_cost=per_child.where(summed["children"] > 0)).reset_index()


def headline(table: pd.DataFrame, years_ahead: int) -> dict | None:
    """The total's spend ``years_ahead`` from now and today's, for the page's sentence:
    {'year', 'spend', 'lower_80', 'upper_80', 'today'} (None if the table lacks them)."""
    rows = table[table["placement"] == TOTAL].set_index("years_ahead")
    if years_ahead not in rows.index or 0 not in rows.index:
        return None
    row = rows.loc[years_ahead]
    return {"year": row["financial_year"], "spend": row["spend"],
            "lower_80": row["spend_lower_80"], "upper_80": row["spend_upper_80"],
            "today": rows.loc[0, "spend"], "today_year": rows.loc[0, "financial_year"]}
