"""The cached reads of the All RCCs page (every RCC side by side, for the National Steering
Group): the comparison table, built from the app's shared placement and fee families, and
the small multiples of the CLA rate. Cached with ``cached``'s decorators, like every other
reader; the table holds case-level figures of every RCC, so it is checked as at England
(``wide``): only National Steering Group members and analysts are let through."""

from __future__ import annotations

import pandas as pd

from analysis import access
from cached import case_version, engine, figure, placement_family, releases, table
from cached_costs import fee_family, fees
from components import rcc_charts
from components.source import source_line
from data import rcc_comparison as comparison


@table(kind=access.AGGREGATE, wide=True,
       show_spinner="Setting every RCC side by side (the first time takes a minute)…")
def rcc_comparison(year: int, cap_percent: float) -> pd.DataFrame:
    """Every RCC and England at 31 March ``year`` (``data.rcc_comparison``), with fees
    counted against ``cap_percent`` (the cap in force: the key changes when the board sets
    one)."""
    case_year = comparison.placements_year(engine(), year)
    placements = placement_family(case_year, case_version()) if case_year else None
    return comparison.rcc_comparison(engine(), year, placements, fees(),
                                     fee_family(cap_percent))


@table(kind=access.PUBLISHED)
def rate_series() -> pd.DataFrame:
    """The CLA rate over time of every RCC and England."""
    return comparison.rate_series(engine())


@table(kind=access.PUBLISHED)
def rate_range() -> tuple[float, float]:
    """The lowest and highest rate any area had (every small chart shares this axis)."""
    rates = rate_series()["rate_per_10k"]
    return float(rates.min()), float(rates.max())


@figure(kind=access.PUBLISHED, max_entries=64)
def small_rate_figure(rcc_id: str, year: int, caption: str):
    """One RCC's small chart of its rate over time beside England's, up to ``year``."""
    series = rate_series()
    series = series[series["year"] <= year]
    return rcc_charts.small_rate_chart(series[series["rcc_id"] == rcc_id],
                                       series[series["rcc"] == "England"], caption,
                                       rate_range())


def rate_source() -> str:
    """The small multiples' source line."""
    return source_line(releases(), ["lait", "population"],
                       "Rates computed by RCC Insight; England dashed in every chart")
