"""How fees vary and the fee model, as the Costs page shows them and ``python -m data export``
writes them: for one scope, or for every area of a level (LA, RCC, region, England).

Every count and statistic is gated by the fee disclosure family (``analysis.fee_family``),
passed in by the caller so the page, its downloads and the exports are cut from one family
(the same protection everywhere: tables protected differently could be differenced).
Fees are GBP a week, cash terms, at the records' last day (the frame's ``as_at``).
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

from analysis import fee_model, fee_stats
from analysis.disclosure import label_if_synthetic
from analysis.fee_family import FeeFamily
from analysis.fee_stats import Gate
from analysis.scope import Scope
from data import caps, fee_cap_tables, fee_frame

LEVELS = fee_cap_tables.LEVELS
#: The columns that say which area a row of an export describes.
AREA_COLUMNS = ["level", "area_code"]
ENGLAND = "E92000001"
def scope_frame(frame: pd.DataFrame, scope: Scope, las: set[str]) -> pd.DataFrame:
    """The fee frame's placements made by the scope's LAs (``las``)."""
    return fee_frame.scope_rows(frame, scope, las)


def spread(frame: pd.DataFrame, scope: Scope, family: Gate) -> pd.DataFrame:
    """The scope's fee distribution by every breakdown (``fee_stats.fee_distribution``)."""
    return labelled(fee_stats.fee_distribution(frame, scope, family), frame)


def inside_outside(frame: pd.DataFrame, scope: Scope, family: Gate,
                   boundary: str) -> tuple[pd.DataFrame, dict | None]:
    """The scope's inside/outside comparison by cohort for ``boundary`` ("la" or "rcc") and
    its cohort-adjusted answer (``fee_stats``)."""
    table = fee_stats.inside_outside(frame, scope, family, boundary)
    return labelled(table, frame), fee_stats.adjusted_inside_outside(frame, table, boundary)


def model_tables(frame: pd.DataFrame, scope: Scope,
                 family: Gate) -> tuple[dict, pd.DataFrame, pd.DataFrame, list[str]]:
    """The scope's fee model: its summary (placements as the family shows the area's count,
    R², adjusted R², dropped terms, note), the coefficients as % effects, the providers'
    residuals, and the words for them. No model where the family may not describe the
    area's placements."""
    if not family.may_describe(scope, "all", "all"):
        frame = frame.iloc[:0]
    model = fee_model.fit_fee_model(frame)
    table = fee_model.coefficients(model)
    providers = fee_model.provider_residuals(model, scope, family)
    fit = fee_model.summary(model)
    summary = {**fit, "placements": family.shown_count(scope, "all", "all")
               if fit["placements"] == len(frame) else None,
               "dropped": model.dropped, "note": model.note}
    words = fee_model.model_sentences(model, table, providers)
    return summary, labelled(table, frame), labelled(providers, frame), words


def labelled(table: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """A table labelled synthetic when the fee frame it comes from is."""
    return label_if_synthetic(table, bool(frame.attrs.get("synthetic")))


# --- the family, and exports: every area of a level ---------------------------------------

def board_family(engine: Engine, frame: pd.DataFrame) -> FeeFamily:
    """The fee family against the board's current cap (the reference cap where none is
    set): the one family the page, its downloads and these exports are all cut from."""
    return fee_cap_tables.fee_family(engine, frame, caps.percent_in_use(engine))


def per_area(engine: Engine, level: str, frame: pd.DataFrame, make) -> pd.DataFrame:
    """``make(rows, scope)`` for every area of ``level`` with placements, stacked, each
    row headed by its area (level, code); labelled synthetic where the frame is."""
    tables = []
    for scope, las in fee_cap_tables.areas(engine, level):
        rows = scope_frame(frame, scope, las)
        if len(rows):
            table = make(rows, scope)
            tables.append(table.assign(level=level, area_code=scope.code or ENGLAND)[
                AREA_COLUMNS + list(table.columns)])
    return labelled(pd.concat(tables, ignore_index=True) if tables else
                    pd.DataFrame(columns=AREA_COLUMNS), frame)


def inputs(engine: Engine, family: Gate | None,
           frame: pd.DataFrame | None) -> tuple[Gate, pd.DataFrame]:
    """The fee frame and the board's family, read where the caller has not passed them."""
    frame = fee_frame.fee_frame(engine) if frame is None else frame
    return (board_family(engine, frame) if family is None else family), frame


def fees_export(engine: Engine, level: str, family: Gate | None = None,
                frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """``export fees``: the weekly fee distribution (placements, median, quartiles, mean;
    GBP a week, cash terms) of every area of ``level`` by every breakdown."""
    family, frame = inputs(engine, family, frame)
    return per_area(engine, level, frame,
                    lambda rows, scope: fee_stats.fee_distribution(rows, scope, family))


def inside_outside_export(engine: Engine, level: str, family: Gate | None = None,
                          frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """``export fees-inside-outside``: each area's average weekly fee and distance inside and
    outside the LA and the RCC by needs cohort, with the difference's 95% interval."""
    family, frame = inputs(engine, family, frame)

    def both(rows: pd.DataFrame, scope: Scope) -> pd.DataFrame:
        tables = [fee_stats.inside_outside(rows, scope, family, boundary)
                  for boundary in fee_stats.BOUNDARIES]
        return pd.concat([table.assign(boundary=boundary)[["boundary", *table.columns]]
                          for boundary, table in zip(fee_stats.BOUNDARIES, tables)],
                         ignore_index=True)
    return per_area(engine, level, frame, both)


def model_export(engine: Engine, level: str, part: str, family: Gate | None = None,
                 frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """``export fee-model`` (``part`` "coefficients": each area's % effects with 95%
    intervals, R² and n) or ``export fee-providers`` ("providers": each provider's mean
    residual). An area too small for a model gets one row saying so (an LA usually is:
    use --level rcc or england)."""
    family, frame = inputs(engine, family, frame)

    def one(rows: pd.DataFrame, scope: Scope) -> pd.DataFrame:
        summary, table, providers, _ = model_tables(rows, scope, family)
        if summary["note"]:
            return pd.DataFrame({"note": [summary["note"]]})
        shown = table if part == "coefficients" else providers
        return shown.assign(placements_in_model=summary["placements"],
                            r_squared=summary["r_squared"],
                            adj_r_squared=summary["adj_r_squared"])
    return per_area(engine, level, frame, one)
