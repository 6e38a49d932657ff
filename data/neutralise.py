"""Make tables safe to open in a spreadsheet: text that would run as a formula is defused.

A cell such as ``=HYPERLINK("http://x","y")`` in a CSV runs when the file is opened in
Excel or LibreOffice (CSV injection). Every export, from the command line or a page's
download button, goes through ``neutralise``: a text cell starting with =, +, -, @, tab or
carriage return gets a leading apostrophe, so it shows as the text it is. Numbers are left
alone (a negative number is not a formula).

The importers refuse such values with the same rule (``looks_like_formula``, rule
RCC-FORMULA), except that a text that is just a negative number ('-12', '-3.5') is read
as the number it is; an export defuses that too, as an apostrophe there costs nothing.
"""

from __future__ import annotations

import re

import pandas as pd

#: What a formula starts with, to a spreadsheet: the one list both rules use.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: A text that would run as a formula: any FORMULA_START, but '-' only when what follows
#: is not a plain number.
FORMULA = ("^(?:[" + "".join(re.escape(c) for c in FORMULA_START if c != "-")
           + r"]|-(?!\d+(?:\.\d+)?$))")


def looks_like_formula(values: pd.Series) -> pd.Series:
    """True where text would run as a formula in a spreadsheet ('=HYPERLINK(...)', '+1+1').

    A leading '-' is a formula only when what follows is not a plain number.
    """
    return values.astype("string").str.contains(FORMULA, regex=True).fillna(False).astype(bool)


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with formula-like text cells prefixed by an apostrophe."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values)):
            continue
        is_text = values.map(lambda v: isinstance(v, str))
        risky = is_text & values.where(is_text, "").astype(str).str.startswith(FORMULA_START)
        if risky.any():
            out[column] = values.astype(object).where(~risky, "'" + values.where(risky, ""))
    return out
