"""Shared fixtures: one store built from the vendored open data, and a corruptible copy of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import data.build
import data.config
import data.readers
import data.sources
from data.build import build
from data.store import make_engine

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def built_url(tmp_path_factory) -> str:
    """A fresh SQLite store built once per session from the repo's data/open."""
    path = tmp_path_factory.mktemp("store") / "rcc.sqlite"
    url = f"sqlite:///{path}"
    build(url, progress=False)
    return url


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
