"""Disclosure control for case-level monthly series, one decision per whole series.

Why series level: a case-level series (``forecasting.monthly``) is a column of counts of
children, and everything made from it repeats those counts. Its history shows them; a
backtest's "actual" column shows them again; and a forecast shows them too: the naive
forecast *is* the last month's count, drift is the last count plus the mean change
(first and last counts), ETS and Prophet start from a smoothed last level, and interval
widths come from the month-to-month changes. Hiding single months as "c" would not
stop that (the forecast of a series would give back its hidden last month), and a
series with holes cannot be forecast anyway. So a series is shown, and forecast, whole
or not at all.

The rule: each series is one cell of ``analysis.disclosure.protect``.

* *Primary*: a series with any month counting 1 to 4 children is hidden. The value
  ``protect`` sees is the series' smallest non-zero monthly count (0 for a series of
  zeros, which discloses nothing), so a cell is primary exactly when some month is 1-4,
  and among partners the series with the smallest counts is hidden first.
* *Lines* (sums the reader knows), for each of the three series:
  an RCC's LA series add up to the RCC's, a region's LAs to the region's, all LAs to
  England's (the "all" series: LAs are not broken down); an RCC's placement-group series
  add up to its "all" series, and so do its cohort series. And the stock-and-flow
  identity, stock(t) = stock(t-1) + started(t) - ceased(t), per area and breakdown, as a
  line with members (children looked after, ceased) and total (started). It holds for
  "all" and for cohorts (a child keeps their cohort); not for placement groups, where
  children also move from one group to another between months, so a reader cannot use
  it there.

Why this is conservative: a line ties whole series, as if the reader knew the relation
in every month of both even where an area's series is shorter; one month of 1-4 hides
all the months; and the identity only gives the reader the *change* of the stock from
the flows, which reveals the stock only with one month's stock known from elsewhere
(DfE's count at 31 March): at series level we assume that month is known.
``protect`` then hides partners until no hidden series is determined by the shown ones
through these lines, and a hidden series is never forecast or backtested in public.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import disclosure
from analysis.disclosure import Line
from forecasting.monthly import ALL, CEASED, COHORT_PREFIX, SERIES, STARTED, STOCK

KEY = ["level", "area_code", "breakdown", "series"]
GROUP_LEVEL = "rcc"  # the level that has placement-group and cohort breakdowns
SHOWN = "shown"
PRIMARY = "a month with 1 to 4 children"
SECONDARY = "hidden with a small series it would give away"
COLUMNS = KEY + ["shown", "reason"]


def smallest_count(values: pd.Series) -> float:
    """The smallest non-zero count of a series (0 if every month is 0): what ``protect``
    compares, so that a series is primary exactly when a month is 1-4."""
    positive = values[values > 0]
    return float(positive.min()) if len(positive) else 0.0


def shown(series_frame: pd.DataFrame, la_rcc: dict[str, str],
          la_region: dict[str, str]) -> pd.DataFrame:
    """Which series may be shown and forecast: one row per series (level, area_code,
    breakdown, series, shown, reason). ``series_frame``: the long monthly series (level,
    area_code, breakdown, series, month, value); ``la_rcc`` / ``la_region``: each LA's
    RCC (name, the RCC rows' area_code) and region code, for the lines that tie them."""
    if series_frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    cells = (series_frame.groupby(KEY, sort=True)["value"].agg(smallest_count)
             .rename("proxy").reset_index())
    values = cells["proxy"].to_numpy(dtype=float)
    hidden = disclosure.protect(values, series_lines(cells, la_rcc, la_region))
    primary = disclosure.is_primary(values)
    reason = np.where(~hidden, SHOWN, np.where(primary, PRIMARY, SECONDARY))
    return cells[KEY].assign(shown=~hidden, reason=reason)


def series_lines(cells: pd.DataFrame, la_rcc: dict[str, str],
                 la_region: dict[str, str]) -> list[Line]:
    """The sums a reader knows between whole series (module docstring), as lines over
    the rows of ``cells``."""
    index = {key: i for i, key in enumerate(cells[KEY].itertuples(index=False, name=None))}
    las = sorted(set(cells.loc[cells["level"] == "la", "area_code"]))
    england = {code: area for area in cells.loc[cells["level"] == "england", "area_code"]
               for code in las}
    lines = []
    for name in SERIES:
        for level, parent_of in (("rcc", la_rcc), ("region", la_region),
                                 ("england", england)):
            lines += area_lines(index, las, level, parent_of, name)
        lines += breakdown_lines(cells, index, name)
    return lines + identity_lines(cells, index)


def area_lines(index: dict, las: list[str], level: str, parent_of: dict[str, str],
               name: str) -> list[Line]:
    """Each area's LA series adding up to its "all" series."""
    members: dict[str, list[int]] = {}
    for code in las:
        cell = index.get(("la", code, ALL, name))
        if cell is not None and code in parent_of:
            members.setdefault(parent_of[code], []).append(cell)
    return [Line(tuple(mine), index[(level, area, ALL, name)])
            for area, mine in members.items() if (level, area, ALL, name) in index]


def breakdown_lines(cells: pd.DataFrame, index: dict, name: str) -> list[Line]:
    """An RCC's placement-group series, and its cohort series, adding up to its "all"."""
    lines = []
    rows = cells[(cells["level"] == GROUP_LEVEL) & (cells["series"] == name)]
    for area, mine in rows.groupby("area_code"):
        total = index.get((GROUP_LEVEL, area, ALL, name))
        cohort = mine["breakdown"].str.startswith(COHORT_PREFIX)
        groups = mine[~cohort & (mine["breakdown"] != ALL)]
        for family in (groups, mine[cohort]):
            if total is not None and len(family):
                lines.append(Line(tuple(index[(GROUP_LEVEL, area, b, name)]
                                        for b in family["breakdown"]), total))
    return lines


def identity_lines(cells: pd.DataFrame, index: dict) -> list[Line]:
    """The stock-and-flow identity as a line (stock and ceased add up to started) for each
    area and breakdown it holds for: "all" and the cohorts."""
    lines = []
    areas = cells[(cells["breakdown"] == ALL) | cells["breakdown"].str.startswith(COHORT_PREFIX)]
    for level, code, breakdown in areas[["level", "area_code", "breakdown"]].drop_duplicates(
            ).itertuples(index=False, name=None):
        stock, ceased, started = (index.get((level, code, breakdown, name))
                                  for name in (STOCK, CEASED, STARTED))
        if None not in (stock, ceased, started):
            lines.append(Line((stock, ceased), started))
    return lines
