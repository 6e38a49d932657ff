"""The Costs page's ``python -m data export`` tables: each named as the page's download of
the same table, cut from the same fee family (the board's cap, or the reference cap until
the board sets one) so an export can never be differenced against the page."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

from analysis.scope import Scope
from data import fee_frame, fee_stat_tables, forecast_store, tables
from data.spend_projection import projected_spend_export


def family_and_frame(engine: Engine):
    """The fee frame and the one family every fee table is cut from."""
    frame = fee_frame.fee_frame(engine)
    return fee_stat_tables.board_family(engine, frame), frame


def projected_spend(engine: Engine, scope: Scope, inflation_pct: float) -> pd.DataFrame:
    """``export projected-spend``: weekly costs from fees only where the family allows."""
    forecast_store.stored_run(engine)
    family, _ = family_and_frame(engine)
    return projected_spend_export(engine, scope, inflation_pct / 100, family.may_describe)


def scope_table(engine: Engine, scope: Scope, make) -> pd.DataFrame:
    """``make(rows, family, scope)`` for the scope's placements, through the board's family."""
    family, frame = family_and_frame(engine)
    return make(fee_frame.scope_rows(frame, scope, tables.scope_codes(engine, scope)), family,
                scope)
