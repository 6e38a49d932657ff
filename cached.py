"""The app's one API module, and the only one that uses Streamlit caching.

Pages call these instead of ``data.tables`` and ``components`` directly, so each table
and each figure is computed once per process, parameter set and *data version*. The data
version (``data.store.DataVersion``: the build's time, the schema's revision and the newest
case-level import) is read by ``store_ready`` in one cheap query at the start of every run,
and every ``@table`` and ``@figure`` below is keyed by it as well as by its arguments: so a
rebuild (``python -m data build``) or an import shows at the next interaction, without a
restart, while an unchanged store is never re-queried. The register and the import log
are read live, never cached.

A new cached function: decorate it with ``@table(kind=...)`` (a DataFrame or other data;
takes ``show_spinner=...`` like ``st.cache_data``) or ``@figure(kind=...)`` (a shared
object such as a plotly figure, like ``st.cache_resource``), never ``st.cache_*``
directly, and read the store through ``engine()``. Its arguments must be hashable; the
data version is added to them by the decorator. ``kind`` is what the result is made of
(``analysis.access.KINDS``): the decorator checks that this run's viewer (``viewer``) may
see that kind at this run's scope before it computes or answers, else AccessDenied.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from typing import Callable, TypeVar

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit import dataframe_util
from sqlalchemy import Engine

from analysis import access, geometry, lca, reorganisation
from analysis.accountability import LIMIT_WORDS, RuleSettings, assessable, target_name
from analysis.funnel import curve as funnel_curve
from analysis.scope import Scope
from data import cohort_store, gap_tables, map_tables, offer_register, queries, tables
from data import needs_tables as needs_tables_data
from data.importers import case_tables
from analysis.disclosure import uses_synthetic
from components import charts, needs_charts, overview_charts
from components.source import case_level_source, source_line
from data.store import DataVersion, check_state, make_engine

F = TypeVar("F", bound=Callable)
#: Where store_ready keeps the data version and whether any local account exists.
VERSION_KEY, ACCOUNTS_KEY = "data_version", "local_accounts"


@st.cache_resource(show_spinner=False)
def engine() -> Engine:
    """One engine (and connection pool) per server process."""
    return make_engine()


def store_ready() -> DataVersion:
    """Check the store is built and current (raises StoreUnavailable saying how to rebuild)
    and read its data version for this run. app.py calls it first thing in every run: one
    cheap query, so a rebuilt, broken or newly imported store is seen at the next click."""
    try:
        version, local_accounts = check_state(engine())
    except Exception:
        st.session_state.pop(VERSION_KEY, None)
        raise
    st.session_state[VERSION_KEY] = version
    st.session_state[ACCOUNTS_KEY] = local_accounts
    _forget_other_versions(version)
    return version


def current_version() -> DataVersion:
    """This run's data version, as store_ready read it (read now if it has not been, as
    when a cached function is called outside the app)."""
    version = st.session_state.get(VERSION_KEY)
    return version if version is not None else store_ready()


#: Every function cached by @table or @figure (Streamlit's cached object).
_VERSIONED: list = []
_newest: dict[str, DataVersion | None] = {"version": None}
_newest_lock = threading.Lock()


def _forget_other_versions(version: DataVersion) -> None:
    """When the data version changes, drop what was cached for the old one (it would never
    be asked for again), so a long-running server does not keep a copy per import."""
    with _newest_lock:
        if version == _newest["version"]:
            return
        if _newest["version"] is not None:
            for stored in _VERSIONED:
                stored.clear()
        _newest["version"] = version


def _by_version(cache, func: F) -> F:
    """``func`` cached by ``cache`` under its arguments and this run's data version."""

    @functools.wraps(func)  # Streamlit names the cache after func and hashes func's source
    def compute(*args, data_version: DataVersion, **kwargs):
        return func(*args, **kwargs)

    stored = cache(compute)
    _VERSIONED.append(stored)

    @functools.wraps(func)
    def lookup(*args, **kwargs):
        return stored(*args, data_version=current_version(), **kwargs)

    lookup.clear = stored.clear
    return lookup  # type: ignore[return-value]


def table(func: F | None = None, *, kind: str, wide: bool = False,
          show_spinner: bool | str = False):
    """``st.cache_data`` keyed by the data version too, for tables and other data (copied
    per caller): ``@table(kind=access.NEEDS, show_spinner="Counting…")``. ``kind`` is what
    it is made of (``analysis.access.KINDS``), checked on every call (``checked``)."""
    if func is None:
        return functools.partial(table, kind=kind, wide=wide, show_spinner=show_spinner)
    return checked(kind, wide)(_by_version(st.cache_data(show_spinner=show_spinner), func))


def figure(func: F | None = None, *, kind: str, wide: bool = False,
           max_entries: int | None = 512):
    """``st.cache_resource`` keyed by the data version too: one shared object per arguments
    and version (callers must not change it), at most ``max_entries``; ``kind`` as ``table``."""
    if func is None:
        return functools.partial(figure, kind=kind, wide=wide, max_entries=max_entries)
    return checked(kind, wide)(_by_version(
        st.cache_resource(show_spinner=False, max_entries=max_entries), func))


# --- who may see what: every cached reader checks the viewer before it computes or returns

def viewer() -> access.Viewer:
    """Who is looking in this run (app.py sets it before the page runs); if unset, nobody
    signed in (a page run without app.py sees published data only)."""
    return st.session_state.get("viewer", access.ANONYMOUS)


def run_scope() -> tuple[str, str | None]:
    """The kind of this run's scope (the sidebar's filters) and the RCC it lies in: what
    a trustee's access is checked against. England before any filters are chosen."""
    filters = st.session_state.get("filters")
    kind, code = (filters.scope.kind, filters.scope.code) if filters else ("england", None)
    if kind == "la":
        code = local_authorities().set_index("code")["rcc_id"].get(code)
    return kind, code if kind in ("rcc", "la") else None


def require(kind: str, wide: bool = False) -> None:
    """Raise access.AccessDenied (saying why) unless this run's viewer may see ``kind`` at
    this run's scope; ``wide``: it holds every RCC's rows, so it is checked as at England."""
    if kind != access.PUBLISHED:
        scope_kind, rcc = ("england", None) if wide else run_scope()
        access.require(viewer(), kind, scope_kind, rcc)


_inside = threading.local()


@contextlib.contextmanager
def checked_already():
    """The readers called inside are not checked again (``checked``; ``cached_packs``)."""
    outer, _inside.checked = getattr(_inside, "checked", False), True
    try:
        yield
    finally:
        _inside.checked = outer


def checked(kind: str, wide: bool = False) -> Callable[[F], F]:
    """Check the viewer (``require``) before ``func`` runs or answers from the cache. Only
    the outermost checked call is checked: what an allowed reader reads to make its answer
    (England's needs for comparison, the family of every RCC's tables a scope's are cut
    from) is not shown by itself. An unknown kind fails at import (access.may raises)."""
    access.may(access.SINGLE_USER, kind)

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def guarded(*args, **kwargs):
            if getattr(_inside, "checked", False):
                return func(*args, **kwargs)
            require(kind, wide)
            with checked_already():
                return func(*args, **kwargs)

        guarded.kind, guarded.wide, guarded.clear = kind, wide, getattr(func, "clear", None)
        return guarded  # type: ignore[return-value]

    return decorate


@table(kind=access.PUBLISHED)
def local_authorities() -> pd.DataFrame:
    return queries.local_authorities(engine())


@table(kind=access.PUBLISHED)
def rccs() -> pd.DataFrame:
    return queries.rccs(engine())


@table(kind=access.PUBLISHED)
def regions() -> pd.DataFrame:
    return queries.regions(engine())


@table(kind=access.PUBLISHED)
def years() -> list[int]:
    return tables.available_years(engine())


@table(kind=access.PUBLISHED)
def releases() -> pd.DataFrame:
    return tables.releases(engine())


@table(kind=access.PUBLISHED)
def code_changes() -> pd.DataFrame:
    return tables.code_changes(engine())


@table(kind=access.PUBLISHED)
def la_rates(year: int) -> pd.DataFrame:
    return tables.la_rates(engine(), year)


@table(kind=access.PUBLISHED)
def scope_summary(scope: Scope, year: int) -> pd.DataFrame:
    return tables.scope_summary(engine(), scope, year)


@table(kind=access.PUBLISHED)
def rate_trend(scope: Scope) -> pd.DataFrame:
    return tables.rate_trend(engine(), scope)


@table(kind=access.PUBLISHED)
def comparison_rates(scope: Scope, year: int) -> pd.DataFrame:
    return tables.comparison_rates(engine(), scope, year)


@table(kind=access.PUBLISHED)
def rate_check() -> pd.DataFrame:
    return tables.rate_check(engine())


@table(kind=access.PUBLISHED)
def rcc_membership() -> pd.DataFrame:
    return tables.rcc_membership(engine())


@table(kind=access.PUBLISHED)
def accountability(year: int, settings: RuleSettings, scope: Scope) -> pd.DataFrame:
    return tables.accountability(engine(), year, settings, scope)


@table(kind=access.PUBLISHED)
def rule_variants(settings: RuleSettings, scope: Scope) -> pd.DataFrame:
    return tables.rule_variants(engine(), settings, scope)


@table(kind=access.PUBLISHED)
def benchmarks(la_code: str, year: int, model: str) -> pd.DataFrame:
    return tables.benchmarks(engine(), la_code, year, model)


@table(kind=access.PUBLISHED)
def benchmark_trend(la_code: str, model: str) -> pd.DataFrame:
    return tables.benchmark_trend(engine(), la_code, model)


@table(kind=access.PUBLISHED)
def scope_codes(scope: Scope) -> set[str]:
    return tables.scope_codes(engine(), scope)


@table(kind=access.PUBLISHED)
def needs_vocabulary() -> pd.DataFrame:
    return case_tables.needs_vocabulary(engine())


# --- maps: published and case-level tables alike follow the data version, so an import on
# another tab shows at the next interaction

@table(kind=access.PUBLISHED)
def map_metrics(year: int) -> pd.DataFrame:
    return map_tables.map_metrics(engine(), year)


@table(kind=access.PUBLISHED)
def homes_by_la() -> pd.DataFrame:
    return map_tables.homes_by_la(engine())


@table(kind=access.PUBLISHED)
def homes_in_scope(scope: Scope) -> pd.DataFrame:
    return map_tables.homes_in_scope(engine(), scope)


@table(kind=access.PUBLISHED)
def out_of_area(scope: Scope) -> pd.DataFrame:
    return map_tables.out_of_area(engine(), scope)


@figure(kind=access.PUBLISHED, max_entries=4)
def shapes() -> dict:
    """LA, region and RCC outlines (GeoJSON), a point inside each LA (for symbols and flow
    ends) and where its name goes, built once. Read-only after this: pages copy what they
    change."""
    la = geometry.feature_collection(map_tables.boundaries(engine(), "la"))
    members = local_authorities()
    rcc_names = rccs().set_index("id")["name"]
    rcc = geometry.dissolve(la, dict(zip(members["code"], members["rcc_id"].fillna(""))),
                            {**rcc_names.to_dict(), "": "No RCC"})
    rcc["features"] = [f for f in rcc["features"] if f["properties"]["code"]]
    region = geometry.feature_collection(map_tables.boundaries(engine(), "region"))
    return {"la": la, "region": region, "rcc": rcc, "points": geometry.points(la),
            "labels": geometry.label_points(la)}


def case_version() -> int:
    """The newest import's id (0 if none), from this run's data version (no query). Every
    cached table already follows imports through the data version; the pages still pass
    this to the case-level ones, which is harmless."""
    return current_version().case_import


@table(kind=access.NEEDS)
def case_years(version: int) -> list[int]:
    return map_tables.case_years(engine())


@figure(kind=access.AGGREGATE, wide=True, max_entries=2)
def placement_family(year: int, version: int):
    """Every case-level placement table of a year, protected together (the slow step: once
    per year and data version, shared by every session)."""
    return map_tables.placement_family(engine(), year)


SPINNER = "Counting placements and applying disclosure control to every table at once…"


@table(kind=access.AGGREGATE, wide=True, show_spinner=SPINNER)
def england_la_flows(year: int, version: int) -> pd.DataFrame:
    return map_tables.england_la_flows(engine(), year, placement_family(year, version))


@checked(access.AGGREGATE)
def la_flows(year: int, scope: Scope, version: int) -> pd.DataFrame:
    """The LA-to-LA flows leaving or entering the scope (all of them for England), cut
    from England's, which are disclosure-controlled once and cached."""
    every = england_la_flows(year, version)
    return every if scope.kind == "england" else map_tables.flows_touching(every,
                                                                           scope_codes(scope))


@table(kind=access.AGGREGATE, wide=True, show_spinner=SPINNER)
def area_flows(year: int, level: str, placement: str | None, need: str | None,
               version: int) -> pd.DataFrame:
    return map_tables.area_flows(engine(), year, level, placement, need,
                                 placement_family(year, version))


# --- figures: built once per view and shared (plotly's validation costs ~30 ms a chart;
# st.plotly_chart only reads a figure, so sharing one object between sessions is safe)

@figure(kind=access.PUBLISHED)
def trend_figure(scope: Scope, title: str) -> dict:
    """The Overview's rate-over-time chart for a scope (Vega-Lite)."""
    breaks = (reorganisation.break_years(code_changes(), {scope.code})
              if scope.kind == "la" else {})
    source = source_line(releases(), ["lait", "population"],
                         "Rates computed by RCC Insight from DfE counts and ONS population")
    return arrow_ready(overview_charts.rate_trend(rate_trend(scope), title, breaks, source))


def compared_with(scope: Scope, title: str) -> str:
    """What the Overview compares a scope with, in words."""
    home_rcc = local_authorities().set_index("code")["rcc_name"].get(scope.code)
    return {"england": "the RCCs", "la": f"the LAs of {home_rcc} RCC"}.get(
        scope.kind, f"the LAs of {title}")


@figure(kind=access.PUBLISHED)
def comparison_figure(scope: Scope, year: int, title: str) -> dict:
    """The Overview's bar chart of the RCCs' or LAs' rates (Vega-Lite)."""
    summary = scope_summary(scope, year).set_index("measure")
    england_rate = summary.at["Rate per 10,000 children", "england_value"]
    source = source_line(releases(), ["cla_count", "population"], "Rates computed by RCC Insight")
    return arrow_ready(overview_charts.rate_bars(
        comparison_rates(scope, year), england_rate,
        f"Children looked after per 10,000 children, 31 March {year}: "
        f"{compared_with(scope, title)}", source,
        highlight=scope.code if scope.kind == "la" else None))


@figure(kind=access.PUBLISHED)
def funnel_figure(year: int, settings: RuleSettings, scope: Scope, title: str) -> go.Figure:
    """The Accountability funnel plot, the scope's LAs highlighted."""
    table = accountability(year, settings, scope)
    kind = table["limits_used"].iloc[0]
    target = target_name(table, settings, scope.kind, scope_codes(scope))
    source = source_line(releases(), ["cla_count", "population"],
                         f"31 March {year}. Limits {LIMIT_WORDS[kind]}; target line: "
                         f"{target}'s rate")
    members = scope_codes(scope)
    shown = assessable(table[table["la_code"].isin(members)]).any()
    return charts.build_funnel(
        table, funnel_curve(table), kind, target, members,
        f"Rate per 10,000 against number of children, 31 March {year}: {title} "
        + ("highlighted" if shown else "not shown (no rate)"), source)


@figure(kind=access.PUBLISHED)
def benchmark_figure(la_code: str, model: str, title: str) -> dict:
    """An LA's rate over time beside its region, RCC, England and statistical neighbours
    (Vega-Lite, like the rest of the Overview)."""
    source = source_line(releases(), ["lait", "population", "statistical_neighbours"],
                         "Rates computed by RCC Insight")
    trend, _ = charts.merge_identical(benchmark_trend(la_code, model), [title, "England"])
    return arrow_ready(overview_charts.rate_trend(
        trend, title, {}, source,
        title=f"Children looked after per 10,000 children: {title} beside its region, RCC, "
              f"England and its statistical neighbours (DfE {model} model)"))


def clear() -> None:
    """Forget every cached table and the engine (tests pointing the app at another store;
    a rebuild needs no clear, as the data version changes)."""
    st.cache_data.clear()
    st.cache_resource.clear()
    with _newest_lock:
        _newest["version"] = None


# --- needs audit: cohorts are fitted once per year and data version and kept in the store;
# provider offers change on the page, so they are read live and the gap follows them

@figure(kind=access.NEEDS, max_entries=2)
def cohorts(year: int, version: int):
    """The cohort fit of a year's children in residential care: read from the store, or
    fitted and stored by the first visitor after an import (seconds, not every view)."""
    return cohort_store.cohorts(engine(), year)


@table(kind=access.NEEDS, wide=True)
def cohort_members(year: int, version: int) -> pd.DataFrame:
    cohorts(year, version)
    return cohort_store.members(engine(), year)


@figure(kind=access.NEEDS, wide=True, max_entries=2)
def needs_family(year: int, version: int):
    """Every needs table of a year protected together (the slow step: once per year and
    data version, shared by every session)."""
    return needs_tables_data.needs_family(engine(), year)


@checked(access.NEEDS)
def cohort_names(year: int, version: int) -> list[str]:
    """The cohorts found in a year's children in residential care, in the page's order."""
    return list(needs_family(year, version).cohort_order)


@table(kind=access.NEEDS,
       show_spinner="Counting needs and applying disclosure control to every table at once…")
def needs_tables(year: int, scope: Scope, population: str, version: int) -> dict:
    return needs_tables_data.needs_tables(engine(), year, scope, population,
                                          needs_family(year, version))


@table(kind=access.PUBLISHED)
def need_labels() -> dict[str, str]:
    return needs_tables_data.need_labels(engine())


@table(kind=access.NEEDS,
       show_spinner="Matching children's needs against the homes' offers…")
def specificity_gap(year: int, offers: tuple, version: int) -> pd.DataFrame:
    """Every RCC's gap by cohort; ``offers`` (``offers_version``) keys it to the register."""
    return gap_tables.gap_table(engine(), year, needs_family(year, version),
                                offer_register.register(engine()))


@table(kind=access.NEEDS)
def rcc_exports(year: int, rcc: str, version: int) -> pd.DataFrame:
    return gap_tables.exports_table(year, needs_family(year, version), rcc)


@table(kind=access.AGGREGATE)  # with the typical fee: not a needs table alone
def cohort_profile(year: int, scope: Scope, version: int) -> pd.DataFrame:
    family = needs_family(year, version)
    return gap_tables.cohort_profile_table(
        year, family, needs_tables_data.scope_area(engine(), scope, family))


# --- needs figures: built once per view and data version, shared between sessions

def _needs_source(year: int, scope: Scope, population: str, version: int) -> tuple:
    """The scope's protected tables, need labels and the figures' source line."""
    tables = needs_tables(year, scope, population, version)
    return tables, need_labels(), case_level_source(year, uses_synthetic(tables["summary"]))


@figure(kind=access.NEEDS)
def needs_prevalence_figure(year: int, scope: Scope, population: str, title: str,
                            version: int) -> go.Figure:
    tables, labels, source = _needs_source(year, scope, population, version)
    compare = None if scope.kind == "england" else \
        needs_tables(year, Scope(), population, version)["prevalence"]
    return needs_charts.prevalence_bars(tables["prevalence"], labels, title, compare,
                                        source=source)


@figure(kind=access.NEEDS)
def needs_group_figure(year: int, scope: Scope, population: str, grouping: str, words: str,
                       version: int) -> go.Figure:
    tables, labels, source = _needs_source(year, scope, population, version)
    table = tables["prevalence"]
    return needs_charts.prevalence_by_group(table[table["grouping"] == grouping], labels,
                                            words, source=source)


@figure(kind=access.NEEDS)
def needs_count_figure(year: int, scope: Scope, population: str, version: int) -> go.Figure:
    tables, _, source = _needs_source(year, scope, population, version)
    summary = tables["summary"].iloc[0]
    return needs_charts.needs_per_child(tables["needs_per_child"], summary["mean_needs"],
                                        summary["share_4_plus_pct"], source=source)


@figure(kind=access.NEEDS)
def needs_pairs_figure(year: int, scope: Scope, population: str, measure: str,
                       version: int) -> go.Figure:
    tables, labels, source = _needs_source(year, scope, population, version)
    return needs_charts.co_occurrence_heatmap(tables["co_occurrence"], labels, measure,
                                              source=source)


@table(kind=access.NEEDS)
def cohort_grid(year: int, scope: Scope, cohort: str, version: int) -> pd.DataFrame:
    family = needs_family(year, version)
    return gap_tables.cohort_grid_table(
        year, family, needs_tables_data.scope_area(engine(), scope, family), cohort)


@figure(kind=access.NEEDS)
def needs_grid_figure(year: int, scope: Scope, population: str, need: str,
                      cohort: str | None, version: int) -> go.Figure:
    """One need's grid: the population's, or (residential care) one cohort's."""
    tables, labels, source = _needs_source(year, scope, population, version)
    grid = tables["intensity_frequency"] if cohort is None else \
        cohort_grid(year, scope, cohort, version)
    return needs_charts.intensity_frequency_grid(grid[grid["need"] == need], labels[need],
                                                 source=source)


@figure(kind=access.NEEDS)
def cohort_figure(year: int, version: int) -> go.Figure:
    fit = cohorts(year, version)
    return needs_charts.cohort_profiles(lca.profile_table(fit), need_labels(),
                                        source=case_level_source(year, fit.synthetic))


@figure(kind=access.NEEDS)
def gap_figure(year: int, rcc: str, offers: tuple, version: int) -> go.Figure:
    gap = specificity_gap(year, offers, version)
    return needs_charts.specificity_gap_bars(
        gap[gap["rcc"] == rcc], source=case_level_source(year, uses_synthetic(gap)))


@figure(kind=access.NEEDS)
def exports_figure(year: int, rcc: str, version: int) -> go.Figure:
    shares = rcc_exports(year, rcc, version)
    return needs_charts.exports_bars(shares, need_labels(),
                                     source=case_level_source(year, uses_synthetic(shares)))


@table(kind=access.NEEDS)
def cohort_trend(scope: Scope, version: int) -> pd.DataFrame:
    """Each cohort's children in the scope in every year with records."""
    families = {year: needs_family(year, version) for year in case_years(version)}
    areas = {year: needs_tables_data.scope_area(engine(), scope, family)
             for year, family in families.items()}
    return gap_tables.cohort_trend(families, areas)


def arrow_ready(spec: dict) -> dict:
    """A Vega-Lite spec with its datasets already in Arrow, as Streamlit sends them: done
    once per cached chart instead of on every run of every session."""
    datasets = {name: dataframe_util.convert_anything_to_arrow_bytes(rows)
                for name, rows in spec.get("datasets", {}).items()}
    return {**spec, "datasets": datasets} if datasets else spec
