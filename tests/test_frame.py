"""The shared number format of every table, and download names a trustee can tell apart.

One format everywhere: thousands separators (81,766, never 81766), a blank where there is
no value (never 'None'), DfE's letters where DfE shows one, with what it means in the
column heading's tooltip; and a download's file name says which table, scope, year and
model it holds, as ``python -m data export`` names the table.
"""

from __future__ import annotations

import pandas as pd

from analysis.scope import Scope
from analysis.suppression import SYMBOL_MEANINGS
from data import cli
from views import frame

#: The neighbours' table as the store gives it: nullable counts, gaps for rows that have
#: no count of their own (the neighbours' average) and no rank (England).
BENCHMARKS = pd.DataFrame({
    "comparator": ["Isles of Scilly (this LA)", "England", "Neighbours' average"],
    "children_looked_after": pd.array([None, 81766, None], dtype="Int64"),
    "rate_per_10k": [None, 67.0, 64.0],
    "rank": pd.array([None, None, None], dtype="Int64"),
    "year": [2025, 2025, 2025],
})


def test_counts_read_with_thousands_separators_and_gaps_are_blank():
    """81766 reads 81,766; an empty cell is blank, never 'None', 'nan' or '<NA>'."""
    shown = frame.for_display(BENCHMARKS)
    assert shown.at[1, "children_looked_after"] == "81,766"
    assert shown.at[2, "rate_per_10k"] == "64"
    cells = {str(value) for value in shown.drop(columns="year").to_numpy().ravel()}
    assert not cells & {"None", "nan", "<NA>", "NaN"}
    assert shown.at[0, "children_looked_after"] == "" and shown.at[0, "rank"] == ""


def test_full_number_columns_keep_numbers_with_a_separator_format():
    """A column with no gaps stays numeric (it sorts as numbers) and is formatted with a
    thousands separator; years and ids never get one."""
    table = pd.DataFrame({"children": [81766, 120], "year": [2025, 2024], "import_id": [1, 2],
                          "pct_outside_la": [12.5, 3.0]})
    shown = frame.for_display(table)
    assert shown["children"].tolist() == [81766, 120]
    settings = frame.column_settings(table)
    assert settings["children"]["type_config"]["format"] == "%,.0f"
    assert settings["year"]["type_config"]["format"] == "%.0f"
    assert settings["import_id"]["type_config"]["format"] == "%.0f"
    assert settings["pct_outside_la"]["type_config"]["format"] == "%,.1f"
    assert settings["children"]["label"] == "Children"


def test_dfe_letters_are_explained_in_the_heading():
    """A column of figures holding DfE's letters explains each letter it holds; a column
    of names is not mistaken for one."""
    table = pd.DataFrame({"la_name": ["x", "Leeds"], "pct_outside_la": [12, "c"]},
                         dtype=object)
    settings = frame.column_settings(table)
    assert settings["pct_outside_la"]["help"] == f"c: {SYMBOL_MEANINGS['c']}"
    assert settings["la_name"]["help"] is None
    assert frame.for_display(table).at[1, "pct_outside_la"] == "c"


def test_a_page_heading_keeps_the_shared_format():
    """A page that renames a column keeps its thousands separators."""
    table = pd.DataFrame({"rows": [1234, 5]})
    settings = frame.column_settings(table, {"rows": "Rows read"})
    assert settings["rows"]["label"] == "Rows read"
    assert settings["rows"]["type_config"]["format"] == "%,.0f"


def test_download_names_say_what_the_file_holds():
    """Table (its export name), scope, year and model: the two models' neighbours, or two
    LAs, never share a file name."""
    la = Scope("la", "E06000053")
    assert frame.download_name("benchmarks", la, 2025, "2021") == \
        "benchmarks-la-E06000053-2025-model-2021.csv"
    assert frame.download_name("benchmarks", la, 2025, "2025") == \
        "benchmarks-la-E06000053-2025-model-2025.csv"
    assert frame.download_name("overview", Scope(), 2024) == "overview-england-2024.csv"
    assert frame.download_name("flows", year=2025, part='level-rcc --placement "Foster care"') \
        == "flows-level-rcc-placement-Foster-care-2025.csv"
    assert "benchmarks" in cli.EXPORTS and "overview" in cli.EXPORTS and "flows" in cli.EXPORTS
