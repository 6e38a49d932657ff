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

from analysis import fee_family, fee_model, fee_stats
from analysis.disclosure import label_if_synthetic
from analysis.fee_stats import Gate
from analysis.scope import Scope
from data import fee_frame, queries

LEVELS = ("la", "rcc", "region", "england")
#: The columns that say which area a row of an export describes.
AREA_COLUMNS = ["level", "area_code", "area_name"]
#: Whether the fee family protects each provider's count of placements (breakdown
#: "provider"), which a provider's residual needs beside it; until it does, none is shown.
PROVIDERS_PROTECTED = "provider" in fee_family.BREAKDOWNS
PROVIDERS_PENDING = ("Each provider's fees against its children's needs will be shown once "
                     "providers' placement counts are protected by the disclosure control.")


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
    providers = fee_model.provider_residuals(model, scope, family) \
        if PROVIDERS_PROTECTED else table.iloc[:0]
    fit = fee_model.summary(model)
    summary = {**fit, "placements": family.shown_count(scope, "all", "all")
               if fit["placements"] == len(frame) else None,
               "dropped": model.dropped, "note": model.note}
    words = fee_model.model_sentences(model, table, providers)
    if model.fit is not None and not PROVIDERS_PROTECTED:
        words.append(PROVIDERS_PENDING)
    return summary, labelled(table, frame), labelled(providers, frame), words


def labelled(table: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """A table labelled synthetic when the fee frame it comes from is."""
    return label_if_synthetic(table, bool(frame.attrs.get("synthetic")))


# --- exports: every area of a level ----------------------------------------------------------

def areas(engine: Engine, level: str) -> list[tuple[Scope, str, set[str]]]:
    """Every area of ``level``: its scope, name and current LA codes."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    las = queries.local_authorities(engine)
    if level == "england":
        return [(Scope(), "England", set(las["code"]))]
    column, names = {"la": ("code", "name"), "rcc": ("rcc_id", "rcc_name"),
                     "region": ("region_code", "region_name")}[level]
    known = las[las[column].notna()]
    return [(Scope(level, code), group[names].iloc[0], set(group["code"]))
            for code, group in known.groupby(column, sort=True)]


def per_area(engine: Engine, level: str, frame: pd.DataFrame, make) -> pd.DataFrame:
    """``make(rows, scope)`` for every area of ``level`` with placements, stacked, each
    row headed by its area (level, code, name); labelled synthetic where the frame is."""
    tables = []
    for scope, name, las in areas(engine, level):
        rows = scope_frame(frame, scope, las)
        if len(rows):
            table = make(rows, scope)
            tables.append(table.assign(level=level, area_code=scope.code or "E92000001",
                                       area_name=name)[AREA_COLUMNS + list(table.columns)])
    return labelled(pd.concat(tables, ignore_index=True) if tables else
                    pd.DataFrame(columns=AREA_COLUMNS), frame)


def fees_export(engine: Engine, level: str, family: Gate,
                frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """``export fees``: the weekly fee distribution (placements, median, quartiles, mean;
    GBP a week, cash terms) of every area of ``level`` by every breakdown, then each
    area's fees inside and outside the LA and the RCC by needs cohort."""
    frame = fee_frame.fee_frame(engine) if frame is None else frame
    return per_area(engine, level, frame,
                    lambda rows, scope: fee_stats.fee_distribution(rows, scope, family))


def inside_outside_export(engine: Engine, level: str, family: Gate,
                          frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """``export fees-inside-outside``: each area's average weekly fee and distance inside and
    outside the LA and the RCC by needs cohort, with the difference's 95% interval."""
    frame = fee_frame.fee_frame(engine) if frame is None else frame

    def both(rows: pd.DataFrame, scope: Scope) -> pd.DataFrame:
        return pd.concat([fee_stats.inside_outside(rows, scope, family, boundary)
                          .assign(boundary=boundary) for boundary in fee_stats.BOUNDARIES],
                         ignore_index=True)
    return per_area(engine, level, frame, both)


def model_export(engine: Engine, level: str, family: Gate, part: str,
                 frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """``export fee-model`` (``part`` "coefficients": each area's % effects with 95%
    intervals, R² and n) or ``export fee-providers`` ("providers": each provider's mean
    residual). An area too small for a model gets one row saying so (an LA usually is:
    use --level rcc or england)."""
    frame = fee_frame.fee_frame(engine) if frame is None else frame

    def one(rows: pd.DataFrame, scope: Scope) -> pd.DataFrame:
        summary, table, providers, _ = model_tables(rows, scope, family)
        if summary["note"]:
            return pd.DataFrame({"note": [summary["note"]]})
        shown = table if part == "coefficients" else providers
        return shown.assign(placements_in_model=summary["placements"],
                            r_squared=summary["r_squared"],
                            adj_r_squared=summary["adj_r_squared"])
    return per_area(engine, level, frame, one)
