"""Who may run which ``python -m data export``: each export's kind of table
(``analysis.access.KINDS``) and how it is cut, checked the way the app checks a page part.

Three ways an export is cut, by what its arguments choose:

* ``SCOPED``: one scope (``--scope``/``--code``; a scenario's ``--rcc`` names its RCC),
  checked as the app checks a page at that scope: a trustee may cut their own RCC or one
  of its LAs;
* ``LEVEL``: every area of ``--level`` at once: case-level figures of every RCC, so a
  trustee or ADCS lead is refused (they cut one area with a scoped export); a provider may
  have needs and gaps of every RCC, region or England but not of every LA;
* ``WHOLE``: the whole table, whatever the arguments (every RCC's gap, the register):
  checked as at England.

Published open data is open to everyone whatever the cut.
"""

from __future__ import annotations

import argparse

from sqlalchemy import Engine

from analysis import access
from analysis.access import ADMIN, AGGREGATE, FORECAST, NEEDS, OWN, PUBLISHED, Viewer
from data import queries
from data.store import make_engine

SCOPED, LEVEL, WHOLE = "scoped", "level", "whole"

#: Every export: (kind of table, how its arguments cut it).
EXPORT_ACCESS: dict[str, tuple[str, str]] = {
    **{name: (PUBLISHED, WHOLE) for name in (
        "la-rates", "overview", "rate-trend", "scope-comparison", "rate-check",
        "rcc-membership", "benchmarks", "rule-variants", "data-releases", "code-changes",
        "homes-by-la", "map-metrics", "out-of-area", "needs-vocabulary", "costs", "spend",
        "unit-costs", "cost-benchmarks")},
    "register": (AGGREGATE, WHOLE), "register-history": (AGGREGATE, WHOLE),
    "case-imports": (ADMIN, WHOLE),
    "flows": (AGGREGATE, LEVEL), "needs": (NEEDS, LEVEL),
    "cohorts": (NEEDS, WHOLE), "cohort-fit": (NEEDS, WHOLE),
    "cohort-profile": (AGGREGATE, SCOPED),  # with each cohort's typical fee
    "cohort-trend": (NEEDS, SCOPED),
    "cohort-grids": (NEEDS, SCOPED), "specificity-gap": (NEEDS, WHOLE),
    "rcc-exports": (NEEDS, SCOPED), "provider-offers": (NEEDS, WHOLE),
    "forecasts": (FORECAST, LEVEL), "forecast-scores": (FORECAST, WHOLE),
    "backtest": (FORECAST, WHOLE), "homes-needed": (NEEDS, WHOLE),
    "scenario": (AGGREGATE, SCOPED),
    **{name: (AGGREGATE, LEVEL) for name in (
        "fees", "fees-inside-outside", "fee-model", "fee-providers", "cap-breaches")},
    "cap-make-up": (AGGREGATE, SCOPED), "cap-by-year": (AGGREGATE, SCOPED),
    "cap-history": (AGGREGATE, WHOLE), "projected-spend": (AGGREGATE, SCOPED),
    "own-placements": (OWN, WHOLE),
    "audit": (ADMIN, WHOLE),
    "packs": (AGGREGATE, WHOLE),
    "rcc-comparison": (AGGREGATE, WHOLE),
}
#: Each export's kind of table (the contract the tests and the audit page read).
EXPORT_KINDS: dict[str, str] = {name: kind for name, (kind, _) in EXPORT_ACCESS.items()}


def check_export(viewer: Viewer, name: str, args: argparse.Namespace,
                 engine: Engine | None = None) -> None:
    """Raise access.AccessDenied, saying why, unless ``viewer`` may run export ``name``
    with ``args`` (``engine``: the store, to find the RCC an LA or scenario lies in)."""
    kind, cut = EXPORT_ACCESS[name]
    if cut == SCOPED:
        scope_kind, rcc = export_scope(engine or make_engine(), name, args)
    elif cut == LEVEL and getattr(args, "level", "la") == "la":
        scope_kind, rcc = "la", None  # every LA: no one RCC
    else:
        scope_kind, rcc = "england", None
    if cut == LEVEL and kind != PUBLISHED and viewer.role in ("trustee", "adcs"):
        raise access.AccessDenied(
            "A table of every area holds other RCCs' figures: cut it to your RCC or one of "
            "its LAs with a scoped table (--scope rcc|la --code), or ask a National Steering "
            "Group member or an analyst.")
    access.require(viewer, kind, scope_kind, rcc)


def export_scope(engine: Engine, name: str, args: argparse.Namespace) -> tuple[str, str | None]:
    """The scope a scoped export is cut to, and the RCC it lies in (as the app's
    ``cached.run_scope``): --scope/--code, or a scenario's RCC by its name."""
    if name == "scenario":
        names = queries.rccs(engine).set_index("name")["id"]
        return "rcc", names.get(getattr(args, "rcc", None) or "")
    scope_kind, code = getattr(args, "scope", "england"), getattr(args, "code", None)
    if scope_kind == "rcc":
        return "rcc", code
    if scope_kind == "la":
        return "la", queries.local_authorities(engine).set_index("code")["rcc_id"].get(code)
    return scope_kind, None
