"""Make tables safe to open in a spreadsheet: text that would run as a formula is defused.

A cell such as ``=HYPERLINK("http://x","y")`` in a CSV runs when the file is opened in
Excel or LibreOffice (CSV injection). Every export, from the command line or a page's
download button, goes through ``neutralise``: a text cell starting with =, +, -, @, tab or
carriage return gets a leading apostrophe, so it shows as the text it is. Numbers are left
alone (a negative number is not a formula).
"""

from __future__ import annotations

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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
