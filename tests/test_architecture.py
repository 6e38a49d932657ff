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


def test_no_two_modules_share_a_name():
    """Every module's name is unique (packages' __init__ and __main__ aside: Python names
    those, and `python -m data` / `python -m forecasting` need them), so a name in a
    traceback, an import or a search says which file it is."""
    seen: dict[str, list[str]] = {}
    for path in python_files():
        if path.name not in {"__init__.py", "__main__.py", "conftest.py"}:
            seen.setdefault(path.name, []).append(str(path.relative_to(ROOT)))
    assert {name: paths for name, paths in seen.items() if len(paths) > 1} == {}


def test_page_files_and_their_addresses():
    """Pages are views/<page>_page.py, served at /<page>: links to /maps or /accountability
    keep working whatever else is renamed."""
    from views.frame import DEFAULT_PAGE, PAGES, url_path

    paths = [path for pages in PAGES.values() for path, _, _ in pages]
    assert all((ROOT / path).is_file() and path.endswith("_page.py") for path in paths)
    assert DEFAULT_PAGE in paths
    assert [url_path(path) for path in paths] == ["overview", "rccs", "maps", "needs",
                                                  "forecasts", "homes_needed", "costs",
                                                  "accountability", "board_pack", "present",
                                                  "data_methods", "audit"]


def test_every_table_a_page_shows_is_an_export_table():
    """Each ``frame.table(table, "name", ...)`` on a page is downloaded as "name…csv", and
    "name" must be a ``python -m data export`` table: read from the pages' own code, so a
    new table without its export fails here."""
    import ast

    from data.cli import EXPORTS

    names = {}
    for path in python_files("views"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr == "table" and isinstance(node.func.value, ast.Name) \
                    and node.func.value.id == "frame" and len(node.args) >= 2 \
                    and isinstance(node.args[1], ast.Constant):
                names[node.args[1].value] = path.name
    assert names, "no page tables found"
    assert {name: page for name, page in names.items() if name not in EXPORTS} == {}
