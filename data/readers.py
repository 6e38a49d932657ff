"""Careful readers for published CSV files.

Published figures are read as text and split into a number and DfE's symbol, never
coerced: a token that is neither stops the build with the file, row and column, so a
malformed release is caught before anything is written.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

import pandas as pd

from data.config import OPEN_DATA
from data.errors import SourceError

#: DfE / GSS symbols kept as published. LAIT's '-' (not available) is stored as 'x'.
SYMBOLS = {"c", "z", "x", "low", "u", "k", ":"}
LAIT_MISSING = "-"
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
BRACKETED = r"^\[([\w ]+)\]$"  # GSS style '[x]' is the same symbol as DfE's 'x'
NOTE = re.compile(r"^note \d+$")  # MHCLG's '[note 4]': value withheld, see the release notes
GSS_CODE = re.compile(r"^[EWSN]\d{8}$")


def csv_row(index: int) -> int:
    """The 1-based line in the file for a 0-based data index (line 1 is the header)."""
    return int(index) + 2


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, as recorded in SHA256SUMS and data_release."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_csv(rel: str, required: list[str], root: Path = OPEN_DATA) -> pd.DataFrame:
    """Read a vendored CSV as text, checking it is whole, parses and has the columns we use."""
    path = root / rel
    if not path.is_file():
        raise SourceError(rel, "file is missing")
    text = decode(path.read_bytes(), rel)
    if not text.strip():
        raise SourceError(rel, "is empty")
    check_shape(text, rel)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise SourceError(rel, f"cannot be parsed as CSV: {exc}") from exc
    missing = [column for column in required if column not in frame.columns]
    if missing:
        raise SourceError(rel, f"missing column(s): {', '.join(missing)}", row=1)
    if frame.empty:
        raise SourceError(rel, "has a header but no data rows", row=2)
    return frame


def decode(raw: bytes, rel: str) -> str:
    """UTF-8 text without a byte-order mark, or a SourceError at the offending line."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise SourceError(rel, f"is not UTF-8 text (byte {exc.start}: {exc.reason})",
                          row=line) from exc


def check_shape(text: str, rel: str) -> None:
    """Stop on a file cut short (no final newline) or a row with the wrong number of fields.

    pandas would pad a short last row with blanks, which would then load as 'x'.
    """
    if not text.endswith("\n"):
        raise SourceError(rel, "is truncated: the last line does not end with a newline",
                          row=text.count("\n") + 1)
    rows = csv.reader(io.StringIO(text))
    width = len(next(rows))
    for row in rows:
        if len(row) != width:
            raise SourceError(rel, f"has {len(row)} fields where the header has {width}",
                              row=rows.line_num)


def published(frame: pd.DataFrame, column: str, rel: str, missing: str = "x"):
    """Split a published column into (numbers, symbols); raise on any other token.

    Blank cells count as ``missing`` so a gap in a release is visible, not zero; the GSS
    bracketed form '[x]' is read as 'x'.
    """
    text = frame[column].str.strip().str.replace(BRACKETED, r"\1", regex=True)
    text = text.mask(text.isin(["", LAIT_MISSING]), missing)
    is_number = text.str.match(NUMBER)
    is_symbol = text.isin(SYMBOLS) | text.str.match(NOTE)
    bad = ~(is_number | is_symbol)
    if bad.any():
        index = bad.idxmax()
        raise SourceError(
            rel, f"'{frame.at[index, column]}' is neither a number nor a DfE symbol",
            row=csv_row(index), column=column,
        )
    numbers = pd.to_numeric(text.where(is_number), errors="coerce")
    symbols = text.where(is_symbol)
    return numbers, symbols


def require_pattern(frame: pd.DataFrame, column: str, rel: str, pattern: re.Pattern, what: str):
    """Stop on the first value of ``column`` that does not look like ``what``."""
    bad = ~frame[column].str.match(pattern)
    if bad.any():
        index = bad.idxmax()
        raise SourceError(rel, f"'{frame.at[index, column]}' is not {what}",
                          row=csv_row(index), column=column)


def require_known(frame: pd.DataFrame, column: str, rel: str, known: set[str], what: str):
    """Stop on the first value of ``column`` that is not in ``known`` (e.g. an unknown LA code)."""
    bad = ~frame[column].isin(known)
    if bad.any():
        index = bad.idxmax()
        raise SourceError(rel, f"unknown {what} '{frame.at[index, column]}'",
                          row=csv_row(index), column=column)


def require_unique(frame: pd.DataFrame, key: list[str], rel: str):
    """Stop on the first duplicated key: a release must not state one figure twice."""
    dup = frame.duplicated(key, keep="first")
    if dup.any():
        index = dup.idxmax()
        values = ", ".join(f"{k}={frame.at[index, k]}" for k in key)
        raise SourceError(rel, f"duplicate row for {values}", row=csv_row(index))
