"""The one module that owns Streamlit caching: a shared engine and cached table reads.

Pages call these instead of ``data.tables`` so each table is computed once per
process and parameter set (the store changes only on a rebuild, which restarts
the app or clears the cache).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from analysis.accountability import RuleSettings
from analysis.scope import Scope
from data import queries, register, tables
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


def clear() -> None:
    """Forget every cached table and the engine (tests; after a rebuild)."""
    st.cache_data.clear()
    st.cache_resource.clear()
