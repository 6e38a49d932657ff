"""Every page at every year the filter offers, at every kind of scope, and every export
table at every year and scope it accepts: no crash anywhere a trustee can click.

The scopes include the awkward ones: the two tiny LAs whose figures DfE does not publish
(Isles of Scilly, City of London), a large LA and the areas with a synthetic cohort
(Greater Manchester RCC, the North East region), so case-level pages have data to show.
One store (the cohort store) serves the whole module, and Streamlit's caches are kept
across its tests, as a running server keeps them across sessions.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from data import cli, tables
from data.schema import Episode
from data.store import make_engine
from views.frame import PAGES as APP_PAGES
from tests.app_pages import app_on

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = {path: title for pages in APP_PAGES.values() for path, title, _ in pages}
#: name -> (query parameters of a link to the scope, the export command's scope arguments)
SCOPES = {
    "england": ({"scope": "england"}, []),
    "region-north-east": ({"scope": "region", "region": "E12000001"},
                          ["--scope", "region", "--code", "E12000001"]),
    "rcc-greater-manchester": ({"scope": "rcc", "rcc": "greater-manchester"},
                               ["--scope", "rcc", "--code", "greater-manchester"]),
    "la-birmingham": ({"scope": "la", "la": "E08000025"},
                      ["--scope", "la", "--code", "E08000025"]),
    "la-isles-of-scilly": ({"scope": "la", "la": "E06000053"},
                           ["--scope", "la", "--code", "E06000053"]),
    "la-city-of-london": ({"scope": "la", "la": "E09000001"},
                          ["--scope", "la", "--code", "E09000001"]),
}
#: Generous: two cores shared with other work, and a page's first run fills the caches.
TIMEOUT = 300


@pytest.fixture(scope="module")
def store(cohort_url):
    """The app and the export command pointed at the cohort store for the whole module,
    with Streamlit's caches emptied before and after."""
    with app_on(cohort_url) as url:
        yield url


@pytest.fixture(scope="module")
def years(store) -> list[int]:
    """The years with DfE counts in the store: the years the filter offers."""
    engine = make_engine(store)
    try:
        return tables.available_years(engine)
    finally:
        engine.dispose()


def problems(at: AppTest, title: str) -> list[str]:
    """What is wrong with a page's run: exceptions raised, or no title (the page's name)."""
    found = [f"{e.message}\n" + "\n".join(e.stack_trace[-4:]) for e in at.exception]
    if not any(t.value.startswith(title) for t in at.title):
        found.append(f"no title starting {title!r}: {[t.value for t in at.title]}")
    return found


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("page", PAGES)
def test_page_runs_at_every_year(store, years, page, scope):
    """Open a link to the scope, go to the page, then choose each year the filter offers
    in turn, as a trustee would in a meeting; every year must show the page, not a trace."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(SCOPES[scope][0])
    at.run()
    at.switch_page(page).run()
    offered = at.sidebar.selectbox(key="f_year").options
    assert sorted(int(y) for y in offered) == years, "the filter offers the store's years"
    failures = {}
    for year in years:
        at.sidebar.selectbox(key="f_year").set_value(year).run()
        assert at.session_state.f_year == year
        found = problems(at, PAGES[page])
        if found:
            failures[year] = found
    assert not failures, "\n\n".join(f"{page} at {scope}, {year}:\n" + "\n".join(found)
                                      for year, found in failures.items())


EXPORT_FUNCTIONS = {name: function for name, (_, function) in cli.EXPORTS.items()}
#: Tables counted from case-level placements: they accept only the years those are held for.
CASE_LEVEL = {"flows", "needs", "cohorts", "cohort-fit", "cohort-profile", "cohort-trend",
              "cohort-grids", "specificity-gap", "rcc-exports"}
#: Tables of stored forecasts: before any refresh they refuse in one line, saying how to
#: make one (their contents are tested in test_forecast_store.py).
STORED_FORECASTS = {"forecasts", "backtest", "forecast-scores", "homes-needed", "scenario",
                    "projected-spend"}
#: The needs tables' scopes on the cohort store: England, its RCC and an LA with records
#: (an LA without them, or a region, is refused in one line: tested below).
NEEDS_SCOPES = [[], ["--scope", "rcc", "--code", "greater-manchester"],
                ["--scope", "la", "--code", "E08000003"]]


def accepts(name: str, argument: str) -> bool:
    """Whether an export table reads this argument (``year``, ``level``) or calls this
    function (``scope_of``, ``la_scope``): read from the table's own code, so a new table
    is covered without editing this test."""
    return argument in EXPORT_FUNCTIONS[name].__code__.co_names


def export_cases(name: str, years: list[int]) -> list[list[str]]:
    """The command lines to try for one table: each of these years if it reads --year
    (else the default), at each scope it takes, at each level it takes."""
    year_args = [["--year", str(y)] for y in years] if accepts(name, "year") else [[]]
    if accepts(name, "la_scope"):
        scope_args = [args for _, args in SCOPES.values() if "la" in args]
    elif accepts(name, "rcc_scope"):
        scope_args = [args for _, args in SCOPES.values() if "rcc" in args]
    elif accepts(name, "needs_scope"):
        scope_args = NEEDS_SCOPES
    elif accepts(name, "scope_of"):
        scope_args = [args for _, args in SCOPES.values()]
    else:
        scope_args = [[]]
    levels = (cli.needs_tables.LEVELS if accepts(name, "needs_export") else
              cli.forecast_reads.LEVELS if accepts(name, "forecast_export") else
              cli.cost_tables.LEVELS if any(accepts(name, module) for module in (
                  "cost_tables", "fee_stat_tables", "fee_cap_tables")) else
              cli.map_tables.LEVELS)
    level_args = [["--level", level] for level in levels] if accepts(name, "level") else [[]]
    return [["export", name, *y, *s, *lv]
            for y in year_args for s in scope_args for lv in level_args]


def first_provider(url: str) -> str:
    """A provider with placements in the store: a table of one provider's own placements
    (own-placements) must name it on the command line."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(select(func.min(Episode.provider_id))).scalar()
    finally:
        engine.dispose()


def run_export(argv: list[str], capsys) -> tuple[int | str, str, str]:
    """(exit code, stdout, stderr) of ``python -m data export``; a crash as its text."""
    try:
        code = cli.main(argv)
    except Exception as exc:  # noqa: BLE001 - report every crash, not just the first
        code = f"{type(exc).__name__}: {exc}"
    out, err = capsys.readouterr()
    return code, out, err


def csv_header(out: str) -> list[str]:
    """The CSV's column names (after the synthetic-data label line, if any)."""
    lines = [line for line in out.splitlines() if not line.startswith("# ")]
    return next(csv.reader(io.StringIO(lines[0]))) if lines else []


@pytest.mark.parametrize("name", sorted(cli.EXPORTS))
def test_export_runs_at_every_year_and_scope(store, years, name, capsys):
    """``python -m data export`` exits 0 with a CSV header at every year it accepts and
    every scope; a case-level table refuses the other years in one line (exit 2)."""
    engine = make_engine(store)
    try:
        accepted = cli.map_tables.case_years(engine) if name in CASE_LEVEL else years
    finally:
        engine.dispose()
    assert accepted, f"{name}: no year to try"
    failures = []
    named = ["--provider", first_provider(store)] if accepts(name, "provider") else []
    for argv in export_cases(name, accepted):
        code, out, err = run_export(argv + named, capsys)
        header = csv_header(out)
        if name in STORED_FORECASTS and code == cli.EXIT_BAD_INPUT \
                and "python -m forecasting refresh" in err:
            continue  # nothing refreshed in this store: the one-line refusal says how
        if code != 0 or not header or not all(header):
            failures.append(f"{' '.join(argv)}: exit {code}, header {header}, {err.strip()}")
    if accepts(name, "year"):
        for year in sorted(set(years) - set(accepted)):
            argv = export_cases(name, [year])[0]  # the first scope and level it takes
            code, out, err = run_export(argv, capsys)
            if code != cli.EXIT_BAD_INPUT or "Years held" not in err:
                failures.append(f"{' '.join(argv)}: exit {code}, {err.strip()} (expected a "
                                "one-line refusal naming the years held)")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("argv, words", [
    (["export", "cohort-profile", "--scope", "la", "--code", "E06000053"], "No case-level data"),
    (["export", "cohort-grids", "--scope", "region", "--code", "E12000001"], "not a region"),
    (["export", "rcc-exports"], "about one RCC")])
def test_needs_exports_refuse_what_they_cannot_show_in_one_line(store, argv, words, capsys):
    """An LA without records, a region, or England for a one-RCC table: exit 2, one line."""
    code, _, err = run_export(argv, capsys)
    assert code == cli.EXIT_BAD_INPUT and words in err and len(err.strip().splitlines()) == 1
