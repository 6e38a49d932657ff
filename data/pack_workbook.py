"""A board pack's XLSX: one sheet per table (named as its export table), a "Version" sheet
with the frozen manifest and an "About" sheet with the sources, the licence and the
synthetic label; and reading the sheets back, so a reopened pack shows the numbers as the
board saw them rather than as the store holds them today."""

from __future__ import annotations

import io
import json

import pandas as pd

from analysis.disclosure import SYNTHETIC_LABEL
from components.source import OGL_ATTRIBUTION
from data.neutralise import neutralise

VERSION_SHEET = "Version"
ABOUT_SHEET = "About"


def workbook(manifest: dict, tables, synthetic: bool) -> bytes:
    """The XLSX bytes: About, one sheet per table in order, then Version."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="xlsxwriter") as writer:
        about(manifest, tables, synthetic).to_excel(writer, sheet_name=ABOUT_SHEET,
                                                    index=False)
        for table in tables:
            neutralise(plain(table.frame)).to_excel(writer, sheet_name=table.name[:31],
                                                    index=False)
            writer.sheets[table.name[:31]].freeze_panes(1, 0)
        version_rows(manifest).to_excel(writer, sheet_name=VERSION_SHEET, index=False)
    return buffer.getvalue()


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells Excel can hold: dates and times as text, nullable numbers as numbers."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].astype(str)
        elif out[column].dtype == object:
            out[column] = out[column].map(lambda v: v if v is None or isinstance(
                v, (str, int, float, bool)) else str(v))
    return out


def about(manifest: dict, tables, synthetic: bool) -> pd.DataFrame:
    """What the workbook is, its licence, and what each sheet holds."""
    rows = [("Pack", f"{manifest['rcc']['name']} RCC board pack for the meeting on "
                     f"{manifest['meeting_date']}"),
            ("Made", f"by {manifest['made_by']} at {manifest['made_at']}"),
            ("Licence", OGL_ATTRIBUTION)]
    if synthetic:
        rows.insert(0, ("Warning", SYNTHETIC_LABEL))
    rows += [(f"Sheet {table.name[:31]}", table.title) for table in tables]
    rows += [(f"Source {row['dataset']}", f"{row['publisher']}, {row['title']} "
                                           f"({row['period']}); {row['licence']}")
             for row in manifest["releases"]]
    return pd.DataFrame(rows, columns=["item", "value"])


def version_rows(manifest: dict) -> pd.DataFrame:
    """The manifest as key / value rows: every dataset's checksum, every import's hash."""
    rows = [("rcc", manifest["rcc"]["id"]), ("meeting_date", manifest["meeting_date"]),
            ("year", manifest["year"]), ("case_year", manifest["case_year"]),
            ("made_by", manifest["made_by"]), ("made_at", manifest["made_at"]),
            ("git_commit", manifest["git_commit"])]
    rows += [(f"data_version.{key}", value) for key, value in manifest["data_version"].items()]
    rows += [(f"release.{row['dataset']}.checksum", row["checksum"])
             for row in manifest["releases"]]
    rows += [(f"case_import.{row['id']}.file_hash", row["file_hash"])
             for row in manifest["case_imports"]]
    rows += [("forecast_run", json.dumps(manifest["forecast_run"])),
             ("cap", json.dumps(manifest["cap"])),
             ("rule_settings", json.dumps(manifest["rule_settings"]))]
    return pd.DataFrame([(key, "" if value is None else str(value)) for key, value in rows],
                        columns=["item", "value"])


def read_sheets(xlsx: bytes) -> dict[str, pd.DataFrame]:
    """Every table sheet of a stored pack, as frozen (About and Version left out)."""
    sheets = pd.read_excel(io.BytesIO(xlsx), sheet_name=None)
    return {name: frame for name, frame in sheets.items()
            if name not in (ABOUT_SHEET, VERSION_SHEET)}


def sheet_titles(xlsx: bytes) -> dict[str, str]:
    """Each table sheet's title in the pack, from the About sheet."""
    about_rows = pd.read_excel(io.BytesIO(xlsx), sheet_name=ABOUT_SHEET)
    return {item.removeprefix("Sheet "): title
            for item, title in zip(about_rows["item"], about_rows["value"])
            if item.startswith("Sheet ")}
