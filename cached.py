"""The app's one API module, and the only one that uses Streamlit caching.

Pages call these instead of ``data.tables`` and ``components`` directly, so each table
and each figure is computed once per process and parameter set (the store's published
tables change only on a rebuild, which restarts the app or clears the cache). The
register is read and written live, never cached.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from sqlalchemy import Engine

from analysis import geography
from analysis import geometry
from analysis.accountability import RuleSettings
from analysis.funnel import curve as funnel_curve
from analysis.scope import Scope
from data import maps, queries, register, tables
from data.importers import placements_v2, ssda903
from data.importers import tables as case_tables
from data.importers.common import ImportResult
from components import charts
from components.source import source_line
from data.store import check_ready, make_engine


@st.cache_resource(show_spinner=False)
def engine() -> Engine:
    """One engine (and connection pool) per server process."""
    return make_engine()


@st.cache_data(show_spinner=False)
def store_ready() -> None:
    """Raise StoreUnavailable (with how to rebuild) unless the store is built and current."""
    check_ready(engine())


@st.cache_data(show_spinner=False)
def local_authorities() -> pd.DataFrame:
    return queries.local_authorities(engine())


@st.cache_data(show_spinner=False)
def rccs() -> pd.DataFrame:
    return queries.rccs(engine())


@st.cache_data(show_spinner=False)
def regions() -> pd.DataFrame:
    return queries.regions(engine())


@st.cache_data(show_spinner=False)
def years() -> list[int]:
    return tables.available_years(engine())


@st.cache_data(show_spinner=False)
def releases() -> pd.DataFrame:
    return tables.releases(engine())


@st.cache_data(show_spinner=False)
def code_changes() -> pd.DataFrame:
    return tables.code_changes(engine())


@st.cache_data(show_spinner=False)
def la_rates(year: int) -> pd.DataFrame:
    return tables.la_rates(engine(), year)


@st.cache_data(show_spinner=False)
def scope_summary(scope: Scope, year: int) -> pd.DataFrame:
    return tables.scope_summary(engine(), scope, year)


@st.cache_data(show_spinner=False)
def rate_trend(scope: Scope) -> pd.DataFrame:
    return tables.rate_trend(engine(), scope)


@st.cache_data(show_spinner=False)
def comparison_rates(scope: Scope, year: int) -> pd.DataFrame:
    return tables.comparison_rates(engine(), scope, year)


@st.cache_data(show_spinner=False)
def rate_check() -> pd.DataFrame:
    return tables.rate_check(engine())


@st.cache_data(show_spinner=False)
def rcc_membership() -> pd.DataFrame:
    return tables.rcc_membership(engine())


@st.cache_data(show_spinner=False)
def accountability(year: int, settings: RuleSettings, scope: Scope) -> pd.DataFrame:
    return tables.accountability(engine(), year, settings, scope)


@st.cache_data(show_spinner=False)
def benchmarks(la_code: str, year: int, model: str) -> pd.DataFrame:
    return tables.benchmarks(engine(), la_code, year, model)


@st.cache_data(show_spinner=False)
def benchmark_trend(la_code: str, model: str) -> pd.DataFrame:
    return tables.benchmark_trend(engine(), la_code, model)


@st.cache_data(show_spinner=False)
def scope_codes(scope: Scope) -> set[str]:
    return tables.scope_codes(engine(), scope)


def register_requests(la_codes: set[str]) -> pd.DataFrame:
    """Live, not cached: the register changes while people use it."""
    return register.requests(engine(), la_codes)


def register_history(request_id: int) -> pd.DataFrame:
    return register.history(engine(), request_id)


def register_create(**fields) -> int:
    return register.create_request(engine(), **fields)


def register_update(request_id: int, expected_version: int, changed_by: str,
                    **changes) -> int:
    return register.update_request(engine(), request_id, expected_version, changed_by,
                                   **changes)


@st.cache_data(show_spinner=False)
def needs_vocabulary() -> pd.DataFrame:
    return case_tables.needs_vocabulary(engine())


def case_import_log() -> pd.DataFrame:
    """Live, not cached: an import on another tab must show at once."""
    return case_tables.import_log(engine())


def import_ssda903(files: list[tuple[str, bytes]], la_code: str, year: int,
                   imported_by: str) -> ImportResult:
    """Import 903 Header and Episodes files (raises ImportRefused; nothing then written)."""
    return ssda903.import_files(engine(), files, la_code=la_code, year=year,
                                imported_by=imported_by)


def import_placements_v2(name: str, raw: bytes, la_code: str, imported_by: str,
                         year: int | None = None) -> ImportResult:
    """Import one Placements Standard v2 file (raises ImportRefused; nothing then written)."""
    return placements_v2.import_file(engine(), name, raw, la_code=la_code,
                                     imported_by=imported_by, year=year)


# --- maps: published tables cached; case-level ones keyed by the import log's newest id,
# so an import on another tab shows at once

@st.cache_data(show_spinner=False)
def map_metrics(year: int) -> pd.DataFrame:
    return maps.map_metrics(engine(), year)


@st.cache_data(show_spinner=False)
def homes_by_la() -> pd.DataFrame:
    return maps.homes_by_la(engine())


@st.cache_data(show_spinner=False)
def homes_in_scope(scope: Scope) -> pd.DataFrame:
    return maps.homes_in_scope(engine(), scope)


@st.cache_data(show_spinner=False)
def out_of_area(scope: Scope) -> pd.DataFrame:
    return maps.out_of_area(engine(), scope)


@st.cache_resource(show_spinner=False)
def shapes() -> dict:
    """LA, region and RCC outlines (GeoJSON) and a point inside each LA, built once.
    Read-only after this: pages copy what they change."""
    la = geometry.feature_collection(maps.boundaries(engine(), "la"))
    members = local_authorities()
    rcc_names = rccs().set_index("id")["name"]
    rcc = geometry.dissolve(la, dict(zip(members["code"], members["rcc_id"].fillna(""))),
                            {**rcc_names.to_dict(), "": "No RCC"})
    rcc["features"] = [f for f in rcc["features"] if f["properties"]["code"]]
    return {"la": la, "region": geometry.feature_collection(maps.boundaries(engine(), "region")),
            "rcc": rcc, "points": geometry.points(la)}


def case_version() -> int:
    """The newest import's id (0 if none): live, so case-level caches follow imports."""
    return case_tables.latest_import_id(engine())


@st.cache_data(show_spinner=False)
def case_years(version: int) -> list[int]:
    return maps.case_years(engine())


@st.cache_data(show_spinner="Counting placements and applying disclosure control…")
def england_la_flows(year: int, placement: str | None, need: str | None,
                     version: int) -> pd.DataFrame:
    return maps.england_la_flows(engine(), year, placement, need)


def la_flows(year: int, scope: Scope, placement: str | None, need: str | None,
             version: int) -> pd.DataFrame:
    """The LA-to-LA flows leaving or entering the scope (all of them for England), cut
    from England's, which are disclosure-controlled once and cached."""
    every = england_la_flows(year, placement, need, version)
    return every if scope.kind == "england" else maps.flows_touching(every,
                                                                     scope_codes(scope))


@st.cache_data(show_spinner="Counting placements and applying disclosure control…")
def area_flows(year: int, level: str, placement: str | None, need: str | None,
               version: int) -> pd.DataFrame:
    return maps.area_flows(engine(), year, level, placement, need)


# --- figures: built once per view and shared (plotly's validation costs ~30 ms a chart;
# st.plotly_chart only reads a figure, so sharing one object between sessions is safe)

@st.cache_resource(show_spinner=False, max_entries=512)
def trend_figure(scope: Scope, title: str) -> go.Figure:
    """The Overview's rate-over-time chart for a scope."""
    breaks = (geography.break_years(code_changes(), {scope.code})
              if scope.kind == "la" else {})
    source = source_line(releases(), ["lait", "population"],
                         "Rates computed by RCC Insight from DfE counts and ONS population")
    return charts.build_rate_trend(rate_trend(scope), title, breaks, source)


def compared_with(scope: Scope, title: str) -> str:
    """What the Overview compares a scope with, in words."""
    home_rcc = local_authorities().set_index("code")["rcc_name"].get(scope.code)
    return {"england": "the RCCs", "la": f"the LAs of {home_rcc} RCC"}.get(
        scope.kind, f"the LAs of {title}")


@st.cache_resource(show_spinner=False, max_entries=512)
def comparison_figure(scope: Scope, year: int, title: str) -> go.Figure:
    """The Overview's bar chart of the RCCs' or LAs' rates."""
    summary = scope_summary(scope, year).set_index("measure")
    england_rate = summary.at["Rate per 10,000 children", "england_value"]
    source = source_line(releases(), ["cla_count", "population"], "Rates computed by RCC Insight")
    return charts.build_rate_bars(
        comparison_rates(scope, year), england_rate,
        f"Children looked after per 10,000 children, 31 March {year}: "
        f"{compared_with(scope, title)}", source,
        highlight=scope.code if scope.kind == "la" else None)


@st.cache_resource(show_spinner=False, max_entries=512)
def funnel_figure(year: int, settings: RuleSettings, scope: Scope, title: str) -> go.Figure:
    """The Accountability funnel plot, the scope's LAs highlighted."""
    table = accountability(year, settings, scope)
    kind = table["limits_used"].iloc[0]
    target = table_target_name(table, settings, scope)
    source = source_line(releases(), ["cla_count", "population"],
                         f"31 March {year}. Limits: {kind}; target {target}")
    return charts.build_funnel(
        table, funnel_curve(table), kind, target, scope_codes(scope),
        f"Rate per 10,000 against number of children, 31 March {year}: {title} highlighted",
        source)


def table_target_name(table: pd.DataFrame, settings: RuleSettings, scope: Scope) -> str:
    """'England' or '<RCC> RCC': the name of the funnel's target line."""
    if settings.target == "england" or scope.kind not in ("rcc", "la"):
        return "England"
    rows = table[table["la_code"].isin(scope_codes(scope))]
    return f"{rows['rcc'].iloc[0]} RCC"


@st.cache_resource(show_spinner=False, max_entries=512)
def benchmark_figure(la_code: str, model: str, title: str) -> go.Figure:
    """An LA's rate over time beside its region, RCC, England and statistical neighbours."""
    source = source_line(releases(), ["lait", "population", "statistical_neighbours"],
                         "Rates computed by RCC Insight")
    return charts.build_rate_trend(benchmark_trend(la_code, model), title, {}, source)


def clear() -> None:
    """Forget every cached table and the engine (tests; after a rebuild)."""
    st.cache_data.clear()
    st.cache_resource.clear()
