"""Everything a forecast refresh fits, gathered from the store: the published annual series
(``data.forecast_series``), the case-level monthly ones with their disclosure flags and the
episodes they were counted from (``data.case_series``), and the areas each adds up to."""

from __future__ import annotations

from sqlalchemy import Engine

from data import case_series, forecast_series
from data.sources import ENGLAND
from forecasting import pipeline


def case_levels(engine: Engine) -> dict[str, dict[str, str]]:
    """Each level's LA -> area map for the case-level series (RCCs by name)."""
    la_rcc, la_region = case_series.geography(engine)
    return {"la": {code: code for code in la_region}, "rcc": la_rcc, "region": la_region,
            "england": {code: ENGLAND for code in la_region}}


def inputs(engine: Engine) -> pipeline.Inputs:
    """Everything a refresh fits, read from the store."""
    episodes = case_series.episodes_frame(engine)
    monthly = case_series.case_series(engine, episodes) if len(episodes) else None
    return pipeline.Inputs(annual=forecast_series.annual_series(engine),
                           tiers=forecast_series.tiers(engine), monthly=monthly,
                           episodes=episodes, levels=case_levels(engine))
