"""The design's boundaries: pure packages stay free of Streamlit; one module owns caching."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PURE = ("analysis", "forecasting", "data", "components")
IMPORTS_STREAMLIT = re.compile(r"^\s*(import streamlit|from streamlit)", re.MULTILINE)
CACHE_DECORATOR = re.compile(r"st\.cache_(data|resource)\b")


def python_files(*folders: str):
    """Project Python files, optionally limited to some top-level folders."""
    skip = {".venv", "tests", "var"}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in skip:
            continue
        if not folders or parts[0] in folders:
            yield path


def test_pure_packages_do_not_import_streamlit():
    """analysis/, forecasting/, data/ and components/ must run without Streamlit."""
    offenders = [str(p.relative_to(ROOT)) for p in python_files(*PURE)
                 if IMPORTS_STREAMLIT.search(p.read_text())]
    assert not offenders


def test_exactly_one_module_owns_streamlit_caching():
    """Caching lives in one place, so what is cached and for how long is easy to see."""
    owners = {str(p.relative_to(ROOT)) for p in python_files()
              if CACHE_DECORATOR.search(p.read_text())}
    assert owners == {"cached.py"}
