"""What the Maps page can colour LAs by, and how each value is shown and ranked.

Each metric names its column in the ``map-metrics`` table, its unit, the datasets its
source line cites and the date it describes, so a map never shows a number without
saying where and when it comes from.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.suppression import show


@dataclass(frozen=True)
class Metric:
    """One choropleth metric: the label people read, the column, unit and its source."""

    label: str
    column: str
    unit: str
    datasets: tuple[str, ...]
    decimals: int = 0
    diverging: bool = False  # coloured either side of zero (net flow)
    homes_date: bool = False  # described at Ofsted's 31 March 2023, not the chosen year


METRICS = {
    "cla_rate": Metric("Children looked after per 10,000 children", "cla_rate_per_10k",
                       "per 10,000 children aged 0-17", ("cla_count", "population")),
    "home_places_rate": Metric("Children's-home places per 10,000 children",
                               "home_places_per_10k", "places per 10,000 children aged 0-17",
                               ("ofsted_homes", "population"), decimals=1, homes_date=True),
    "homes": Metric("Children's homes", "homes", "homes", ("ofsted_homes",), homes_date=True),
    "places": Metric("Children's-home places", "places", "places", ("ofsted_homes",),
                     homes_date=True),
    "outside_la": Metric("% placed outside their LA",
                         "pct_outside_la", "% of children looked after",
                         ("cla_characteristic",)),
    "over_20_miles": Metric("% placed more than 20 miles from home (in or outside the LA)",
                            "pct_over_20_miles",
                            "% of children looked after", ("cla_characteristic",)),
    "net_flow": Metric("Net flow: children placed in minus children placed out", "net_flow",
                       "children (placed in by other LAs minus placed outside)",
                       ("cla_characteristic",), diverging=True),
}


def ordinal(number: int) -> str:
    """1 -> '1st', 2 -> '2nd', 11 -> '11th', 23 -> '23rd'."""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(
        number % 10, "th")
    return f"{number}{suffix}"


def rank_in_region(values: pd.Series, regions: pd.Series) -> pd.Series:
    """'3rd highest of 12 in North East' for each LA with a value ('' where none): where an
    LA stands among its region's LAs is what a board asks first."""
    ranks = values.groupby(regions).rank(ascending=False, method="min")
    sizes = values.groupby(regions).transform("count")
    return pd.Series([f"{ordinal(int(rank))} highest of {int(size)} in {region}"
                      if pd.notna(rank) else "" for rank, size, region in
                      zip(ranks, sizes, regions)], index=values.index)


def metric_values(table: pd.DataFrame, metric: Metric) -> pd.DataFrame:
    """The map's values for one metric, indexed by LA code: value (NaN where DfE or Ofsted
    give a symbol), shown (the text a tooltip shows, symbol included) and rank in region."""
    rows = table.set_index("la_code")
    values = pd.to_numeric(rows[metric.column], errors="coerce")
    symbols = rows[f"{metric.column}_symbol"].where(rows[f"{metric.column}_symbol"].notna(),
                                                     None)
    values = values.where(symbols.isna())
    suffix = "%" if metric.unit.startswith("%") else ""
    shown = [signed(value, metric) + suffix if symbol is None and pd.notna(value)
             else show(value, symbol, metric.decimals)
             for value, symbol in zip(values, symbols)]
    return pd.DataFrame({"value": values, "shown": shown,
                         "rank": rank_in_region(values, rows["region_name"])},
                        index=rows.index)


def signed(value: float, metric: Metric) -> str:
    """A value as text: with its sign for a diverging metric (+70, -15), else plain."""
    text = f"{value:,.{metric.decimals}f}"
    return f"+{text}" if metric.diverging and value > 0 else text
