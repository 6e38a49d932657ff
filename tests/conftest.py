"""Shared fixtures: one store built from the vendored open data, and a corruptible copy of it.

The stores are SQLite files under tmp by default. Set ``TEST_DATABASE_URL`` (the shared,
session-built store), ``TEST_DATABASE_URL_OWN`` (emptied for each test that writes) and
``TEST_DATABASE_URL_COHORT`` (the store with a synthetic cohort) to run the same tests
against PostgreSQL: ``scripts/pg-parity`` does so. Both databases
are wiped by the tests, so never point them at anything you want to keep.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import MetaData, text

import data.build
import data.config
import data.readers
import data.sources
from data import synth
from data.build import build
from data.store import make_engine, migrate, sqlite_path
from tests.app_pages import app_on

ROOT = Path(__file__).resolve().parents[1]


def reset_database(url: str) -> str:
    """Drop every table in the database at ``url`` (alembic_version too); returns ``url``.
    On PostgreSQL the whole schema goes: the audit trail's trigger function (migration
    0011) would outlive its tables and stop the next migration."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
            else:
                metadata = MetaData()
                metadata.reflect(connection)
                metadata.drop_all(connection)
    finally:
        engine.dispose()
    return url


def copied_store(url: str, folder: Path) -> str:
    """A SQLite store in ``folder`` holding what the store at ``url`` holds (SQLite's online
    backup), or built afresh there when ``url`` is not SQLite: for tests that add rows
    (accounts, say) that must never reach a shared store."""
    copy = f"sqlite:///{folder / 'rcc.sqlite'}"
    source = sqlite_path(url)
    if source is None:
        build(copy, progress=False)
        return copy
    with sqlite3.connect(source) as origin, sqlite3.connect(sqlite_path(copy)) as target:
        origin.backup(target)
    return copy


@pytest.fixture(scope="session")
def built_url(tmp_path_factory) -> str:
    """A store built once per session from the repo's data/open: the database named by
    ``TEST_DATABASE_URL`` (emptied first) if set, else a fresh SQLite file."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        reset_database(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'rcc.sqlite'}"
    build(url, progress=False)
    return url


#: The LAs given a synthetic cohort in ``cohort_url``: Greater Manchester RCC and the
#: North East region, so flows within, between and out of two areas can be checked.
COHORT_LAS = ("E08000001", "E08000002", "E08000003", "E08000004", "E08000005", "E08000006",
              "E08000007", "E08000008", "E08000009", "E08000010",
              "E06000001", "E06000002", "E06000003", "E06000004", "E06000005", "E06000047",
              "E06000057", "E08000021", "E08000022", "E08000023", "E08000024", "E08000037")


@pytest.fixture(scope="session")
def cohort_url(tmp_path_factory) -> str:
    """A store with the synthetic cohort (seed 42) of the ``COHORT_LAS``, for the case-level
    maps, flows and their pages, built once per session and never written to after:
    ``TEST_DATABASE_URL_COHORT`` (emptied first) if set, else a SQLite file."""
    url = os.environ.get("TEST_DATABASE_URL_COHORT")
    url = reset_database(url) if url else \
        f"sqlite:///{tmp_path_factory.mktemp('cohort') / 'rcc.sqlite'}"
    build(url, progress=False)
    engine = make_engine(url)
    try:
        synth.run(engine, 42, las=COHORT_LAS)
    finally:
        engine.dispose()
    return url


@pytest.fixture
def fresh_url(tmp_path) -> str:
    """An empty store for a test that writes: ``TEST_DATABASE_URL_OWN`` emptied, if set,
    else a new SQLite file under this test's tmp_path."""
    url = os.environ.get("TEST_DATABASE_URL_OWN")
    if url:
        return reset_database(url)
    return f"sqlite:///{tmp_path / 'rcc.sqlite'}"


def module_store(tmp_path_factory, name: str):
    """A built store shared by one test module's writing tests, as (url, engine):
    ``TEST_DATABASE_URL_OWN`` emptied, if set (scripts/pg-parity), else a SQLite file.
    A generator for a module-scoped fixture: ``yield from module_store(...)``."""
    url = os.environ.get("TEST_DATABASE_URL_OWN")
    url = reset_database(url) if url else \
        f"sqlite:///{tmp_path_factory.mktemp(name) / 'rcc.sqlite'}"
    build_store(url, tmp_path_factory)
    engine = make_engine(url)
    yield url, engine
    engine.dispose()


#: The store ``build_store`` copies, built once per session (filled in on first use).
_PRISTINE: list[str] = []


def build_store(url: str, tmp_path_factory) -> None:
    """Fill the empty store at ``url`` as a build would. A SQLite file gets a copy of a
    store built once per session and never opened by a test (SQLite's online backup takes
    a fraction of a second; a build takes seconds, and dozens of tests each need a store
    of their own); PostgreSQL gets a build."""
    target = sqlite_path(url)
    if target is None:
        build(url, progress=False)
        return
    if not _PRISTINE:
        pristine = f"sqlite:///{tmp_path_factory.mktemp('pristine') / 'rcc.sqlite'}"
        build(pristine, progress=False)
        _PRISTINE.append(pristine)
    with sqlite3.connect(sqlite_path(_PRISTINE[0])) as origin, \
            sqlite3.connect(target) as copy:
        origin.backup(copy)


@pytest.fixture
def migrated_engine(fresh_url):
    """A migrated empty store of this test's own (nothing loaded), for tests that write."""
    engine = make_engine(fresh_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def cohort_engine(cohort_url):
    """An engine on the synthetic-cohort store, for one test module's reads."""
    engine = make_engine(cohort_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def app_store(built_url):
    """The app on the session's store for one module, caches kept between its tests (the
    store is never written to: a test that writes has a store of its own)."""
    with app_on(built_url) as url:
        yield url


@pytest.fixture(scope="module")
def cohort_app(cohort_url):
    """The app on the synthetic-cohort store for one module, caches kept between its tests
    (the fee and needs families are built once, as a server builds them once)."""
    with app_on(cohort_url) as url:
        yield url


@pytest.fixture(scope="session")
def engine(built_url):
    """An engine on the session's store."""
    engine = make_engine(built_url)
    yield engine
    engine.dispose()


@pytest.fixture
def open_copy(tmp_path, monkeypatch) -> Path:
    """A writable copy of data/open (and data/reference) that the build reads instead.

    ``read_csv``'s ``root`` default is bound when the function is defined, and build.py
    and sources.py import the paths by value, so every binding is patched, not just config.
    """
    open_dir = tmp_path / "open"
    reference_dir = tmp_path / "reference"
    # copyfile, not copy2: the vendored files are read-only and the copies must be writable.
    shutil.copytree(data.config.OPEN_DATA, open_dir, copy_function=shutil.copyfile)
    shutil.copytree(data.config.REFERENCE, reference_dir, copy_function=shutil.copyfile)
    for module in (data.config, data.build, data.sources):
        monkeypatch.setattr(module, "OPEN_DATA", open_dir)
        monkeypatch.setattr(module, "REFERENCE", reference_dir)
    monkeypatch.setattr(data.readers, "OPEN_DATA", open_dir)
    monkeypatch.setattr(data.readers.read_csv, "__defaults__", (open_dir,))
    yield open_dir


@pytest.fixture
def own_store(fresh_url, tmp_path_factory):
    """A built store of this test's own, for tests that change it: (url, engine)."""
    build_store(fresh_url, tmp_path_factory)
    engine = make_engine(fresh_url)
    yield fresh_url, engine
    engine.dispose()
