"""The published annual series to forecast, read from the store (``forecasting.series``
builds them; this module only gathers its inputs: LAIT counts, names, RCC membership and
the reorganisations that break a series)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

from analysis import reorganisation
from data import queries
from data.sources import ENGLAND
from forecasting import series


def lait_counts(engine: Engine) -> pd.DataFrame:
    """The LAIT counts behind the series: measure_code, area_code, year, level, value."""
    return pd.concat([queries.lait(engine, code).assign(measure_code=code)
                      for code in series.SERIES], ignore_index=True)


def area_names(engine: Engine) -> dict[str, str]:
    """Code -> name for every LA (abolished ones too), region and England."""
    names = queries.all_local_authorities(engine).set_index("code")["name"].to_dict()
    names.update(queries.regions(engine).set_index("code")["name"].to_dict())
    names[ENGLAND] = "England"
    return names


def rcc_members(engine: Engine, changes: pd.DataFrame) -> dict[str, set[str]]:
    """RCC name -> its LAs' codes and any abolished council wholly inside it."""
    las = queries.local_authorities(engine).dropna(subset=["rcc_name"])
    members = {rcc: set(rows["code"]) for rcc, rows in las.groupby("rcc_name")}
    return {rcc: codes | reorganisation.contained_predecessors(changes, codes)
            for rcc, codes in members.items()}


def breaks(changes: pd.DataFrame, members: dict[str, set[str]]) -> dict[str, int]:
    """LA code or RCC name -> the year of the last count before a split or merger that
    breaks its series: an LA made by one, and an RCC holding a successor whose old council
    lay partly outside it."""
    breaking = changes[changes["change"].isin(reorganisation.BREAKING)]
    out = breaking.groupby("new_code")["effective_year"].max().astype(int).to_dict()
    for rcc, codes in members.items():
        partial = breaking[breaking["new_code"].isin(codes) & ~breaking["old_code"].isin(codes)]
        if len(partial):
            out[rcc] = int(partial["effective_year"].max())
    return out


def annual_series(engine: Engine) -> pd.DataFrame:
    """Every published annual series (``forecasting.series.annual_series``)."""
    changes = queries.code_changes(engine)
    members = rcc_members(engine, changes)
    return series.annual_series(lait_counts(engine), area_names(engine),
                                breaks(changes, members), members)


def tiers(engine: Engine) -> pd.DataFrame:
    """Each current LA's RCC (by name, as the series name RCCs), region and England: the
    hierarchy the published forecasts are made to add up in."""
    las = queries.local_authorities(engine)
    return pd.DataFrame({"la": las["code"], "rcc": las["rcc_name"],
                         "region": las["region_code"], "england": ENGLAND})

