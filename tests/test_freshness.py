"""Fresh data: a rebuild or an import shows in a running app at the next interaction.

Every cached table and figure is keyed by the store's data version (``DataVersion``: the
build's time, the schema revision and the newest case-level import), read in one query at
the start of each run; the store's readiness is re-checked by that same query. The app
under AppTest stands for a running server: its caches live in this process between runs,
as they would between a visitor's clicks.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from sqlalchemy import event
from streamlit.testing.v1 import AppTest

from data.build import build
from data.config import sqlite_path
from data.errors import StoreUnavailable
from data.importers import ssda903
from data.store import check_ready, data_version, head_revision, make_engine
from tests.test_import import LA, YEAR, files_903

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
ENGLAND_CLA = "dfe_cla/dfe_cla_number_and_rate_per_10k_children_2021_2025.csv"
ENGLAND_2025 = ("2025,Reporting year,National,E92000001,England,,,,,,"
                "Children looked after on 31 March each year,12183016,")
NO_CASE_DATA = "No children's records (case-level data) are loaded yet"


@pytest.fixture
def app_on(monkeypatch):
    """Point the app at a store (DATABASE_URL, as AppTest ignores secrets), with empty
    Streamlit caches before and after."""
    import cached

    def point(url: str) -> None:
        monkeypatch.setenv("DATABASE_URL", url)
        cached.clear()

    yield point
    cached.clear()


def open_app(params: dict | None = None, page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update(params or {"scope": "england", "year": "2025"})
    at.run()
    return at.switch_page(page).run() if page else at


def metric(at: AppTest, label: str) -> str:
    return {m.label: m.value for m in at.metric}[label]


def set_england_children(open_dir: Path, children: int) -> None:
    """Change England's published count of children looked after at 31 March 2025."""
    path = open_dir / ENGLAND_CLA
    text = path.read_text(encoding="utf-8-sig")
    assert text.count(ENGLAND_2025) == 1
    text = re.sub(re.escape(ENGLAND_2025) + r"\d+", ENGLAND_2025 + str(children), text)
    path.write_text(text, encoding="utf-8-sig")


# --- the data version --------------------------------------------------------------------------

def test_data_version_changes_with_a_rebuild_or_an_import_and_only_then(own_store):
    url, engine = own_store
    built = data_version(engine)
    assert built.revision == head_revision() and built.releases > 0
    assert built.built_at and built.case_import == 0
    assert data_version(engine) == built, "reading it changes nothing"
    assert check_ready(engine) == built

    ssda903.import_files(engine, files_903(), la_code=LA, year=YEAR, imported_by="t")
    imported = data_version(engine)
    assert imported.case_import > 0
    assert imported._replace(case_import=0) == built, "an import is not a rebuild"
    ssda903.import_files(engine, files_903(), la_code=LA, year=YEAR, imported_by="t")
    again = data_version(engine)
    assert again.case_import > imported.case_import, "even an unchanged re-import is logged"

    build(url, progress=False)
    rebuilt = data_version(engine)
    assert rebuilt.built_at != again.built_at, "each build stamps its release rows"
    assert rebuilt.case_import == again.case_import, "a rebuild keeps the case-level data"


def test_data_version_is_one_statement(own_store):
    _, engine = own_store
    statements = []
    event.listen(engine, "before_cursor_execute",
                 lambda *args: statements.append(args[2]))
    check_ready(engine)
    assert len(statements) == 1, statements


@pytest.mark.sqlite_only
def test_check_ready_refuses_missing_empty_and_corrupt_stores(tmp_path):
    missing = make_engine(f"sqlite:///{tmp_path / 'missing.sqlite'}")
    with pytest.raises(StoreUnavailable, match="does not exist yet"):
        check_ready(missing)
    empty = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    with empty.connect():
        pass
    with pytest.raises(StoreUnavailable, match="not built for this version"):
        check_ready(empty)
    corrupt = tmp_path / "corrupt.sqlite"
    corrupt.write_bytes(b"not a database" * 200)
    with pytest.raises(StoreUnavailable, match="cannot be read"):
        check_ready(make_engine(f"sqlite:///{corrupt}"))
    for engine in (missing, empty):
        engine.dispose()


def test_cached_functions_all_follow_the_data_version():
    """Only the engine is cached by Streamlit directly; every table and figure goes through
    @table or @figure, so none can outlive the data it was computed from."""
    source = (ROOT / "cached.py").read_text()
    direct = re.findall(r"^@st\.cache_\w+\(.*\)\ndef (\w+)", source, re.MULTILINE)
    assert direct == ["engine"]
    assert len(re.findall(r"^@(table|figure)\b", source, re.MULTILINE)) > 20


# --- the running app ---------------------------------------------------------------------------

def test_a_rebuild_shows_at_the_next_run(open_copy, fresh_url, app_on):
    """`python -m data build` while the app runs: the next click shows the new figures."""
    build(fresh_url, progress=False)
    app_on(fresh_url)
    at = open_app()
    assert metric(at, "Children looked after") == "81,770"
    set_england_children(open_copy, 81_771)
    at.run()
    assert metric(at, "Children looked after") == "81,770", "no rebuild yet: cached"
    build(fresh_url, progress=False)
    at.run()
    assert not at.exception
    assert metric(at, "Children looked after") == "81,771"


def test_an_import_shows_at_the_next_run(own_store, app_on):
    """Case-level data imported elsewhere (another tab, the CLI) shows on the Maps page."""
    url, engine = own_store
    app_on(url)
    at = open_app({"scope": "la", "la": LA, "year": str(YEAR)}, "views/maps_page.py")
    at.radio(key="map_view").set_value("Where children are placed (case level)").run()
    assert any(NO_CASE_DATA in i.value for i in at.info)
    ssda903.import_files(engine, files_903(), la_code=LA, year=YEAR, imported_by="t")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not any(NO_CASE_DATA in i.value for i in at.info), [i.value for i in at.info]


@pytest.mark.sqlite_only
def test_the_store_is_checked_at_every_run(fresh_url, app_on):
    """Readiness is re-checked at every run, not once per process: a store removed while the
    app runs gives the rebuild message, and the rebuilt store is then shown."""
    app_on(fresh_url)
    at = open_app()
    assert any("make build" in e.value for e in at.error), [e.value for e in at.error]
    build(fresh_url, progress=False)
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert metric(at, "Children looked after") == "81,770"
    path = sqlite_path(fresh_url)
    path.unlink()
    at.run()
    assert any("does not exist yet" in e.value for e in at.error), [e.value for e in at.error]
    build(fresh_url, progress=False)
    at.run()
    assert not at.error and metric(at, "Children looked after") == "81,770"


@pytest.mark.sqlite_only
def test_a_replaced_store_file_is_read_afresh(open_copy, fresh_url, tmp_path, app_on):
    """A new file moved over the store (as a rebuild after a corrupt file is set aside, or
    `make clean build`): the app's pooled connections must not keep reading the old one."""
    build(fresh_url, progress=False)
    app_on(fresh_url)
    at = open_app()
    assert metric(at, "Children looked after") == "81,770"
    set_england_children(open_copy, 81_772)
    other = tmp_path / "other.sqlite"
    build(f"sqlite:///{other}", progress=False)
    os.replace(other, sqlite_path(fresh_url))
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert metric(at, "Children looked after") == "81,772"


def test_an_unchanged_store_is_read_once_a_run(own_store, app_on):
    """A warm run asks the store one thing: its data version. Nothing else is re-read."""
    import cached

    url, _ = own_store
    app_on(url)
    at = open_app()
    at.run()
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(cached.engine(), "before_cursor_execute", listener)
    try:
        at.run()
    finally:
        event.remove(cached.engine(), "before_cursor_execute", listener)
    assert not at.exception
    assert len(statements) == 1 and "data_release" in statements[0], statements
