"""Turning pandera's findings into the import report, and the checks both formats share.

Each check carries its rule code in pandera's ``error`` as ``CODE|COLUMN``, so a failure
maps straight to a report line: the rule's wording, the row and the offending value.
Cross-field checks are DataFrame-wide pandera checks that name the column they blame.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors
from sqlalchemy import Engine, select

from data import schema as s
from data.importers.common import ImportReport, row_of
from data.neutralise import looks_like_formula

DATE_FORMAT = "%d/%m/%Y"


@dataclass(frozen=True)
class Reference:
    """What validation and enrichment need from the store, read once per import (or batch)."""

    la_codes: frozenset[str]  # every LA code we know (current and historic)
    current_la_codes: frozenset[str]  # LAs that exist now: who can submit
    renames: dict[str, str]  # retired code -> today's code where the LA was only renamed
    home_la: dict[str, str]  # Ofsted URN -> LA of the children's home (31 March 2023)
    needs: pd.DataFrame  # need_category: code, placements_v2_fields
    la_names: dict[str, str]  # current LA name, lower case -> code (for free-text places)


def load_reference(engine: Engine) -> Reference:
    """Read LA codes, renames, Ofsted homes and the needs vocabulary from the store."""
    with engine.connect() as connection:
        las = connection.execute(select(s.LocalAuthority.code, s.LocalAuthority.is_current,
                                        s.LocalAuthority.name)).all()
        renames = connection.execute(select(s.LaCodeChange.old_code, s.LaCodeChange.new_code)
                                     .where(s.LaCodeChange.change == "rename")).all()
        homes = connection.execute(select(s.ChildrensHome.urn, s.ChildrensHome.la_code)).all()
        needs = connection.execute(select(s.NeedCategory.code,
                                          s.NeedCategory.placements_v2_fields)).all()
    return Reference(frozenset(code for code, _, _ in las),
                     frozenset(code for code, current, _ in las if current),
                     dict(renames), {str(urn): la for urn, la in homes},
                     pd.DataFrame(needs, columns=["code", "placements_v2_fields"]),
                     {name.lower(): code for code, current, name in las if current})


def rule(code: str, column: str) -> str:
    """The ``error`` string a check carries: rule code and the column to blame."""
    return f"{code}|{column}"




def isin(values, code: str, column: str) -> pa.Check:
    """The value must be one of ``values`` (case-sensitive, as DfE's validator)."""
    allowed = set(values)
    return pa.Check(lambda series: series.isin(allowed), error=rule(code, column))


def valid_date(code: str, column: str, date_format: str = DATE_FORMAT) -> pa.Check:
    """The value must be a real calendar date in the given format (31/02/2024 is not)."""
    return pa.Check(lambda series: pd.to_datetime(series, format=date_format,
                                                  errors="coerce").notna(),
                    error=rule(code, column))


def max_length(limit: int, column: str) -> pa.Check:
    return pa.Check(lambda series: series.str.len() <= limit, error=rule("RCC-TOO-LONG", column))


def no_formula(column: str) -> pa.Check:
    """Refuse text that a spreadsheet would run ('=HYPERLINK(...)')."""
    return pa.Check(lambda series: ~looks_like_formula(series), error=rule("RCC-FORMULA", column))


def wide(fn, code: str, column: str) -> pa.Check:
    """A DataFrame-wide check: ``fn(frame)`` is True for rows that pass; blames ``column``."""
    return pa.Check(lambda frame: fn(frame).fillna(True).astype(bool), error=rule(code, column))


def text_column(checks: list[pa.Check], *, name: str, nullable: bool = True,
                required: bool = True) -> pa.Column:
    """A text column (values are never coerced) with the formula check added."""
    return pa.Column(None, checks + [no_formula(name)], nullable=nullable, required=required)


#: Which rule a missing value breaks, where DfE's validator has one; else RCC-REQUIRED.
REQUIRED_CODES = {"SEX": "101", "DOB": "102", "ETHNIC": "103"}


def run_schema(schema: pa.DataFrameSchema, frame: pd.DataFrame, table: str,
               report: ImportReport) -> None:
    """Validate lazily and add every failure to the report, in file order."""
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        add_failures(exc.failure_cases, frame, table, report)


def add_failures(cases: pd.DataFrame, frame: pd.DataFrame, table: str,
                 report: ImportReport) -> None:
    """Map pandera's failure cases (one per cell) to report issues (one per row and rule)."""
    seen = set()
    for case in cases.itertuples(index=False):
        check = str(case.check)
        index = None if pd.isna(case.index) else int(case.index)
        if "|" in check:
            code, column = check.split("|", 1)
        elif check == "not_nullable":
            column = str(case.column)
            code = REQUIRED_CODES.get(column, "RCC-REQUIRED")
        elif check.startswith("column_in_dataframe"):
            code, column, index = "RCC-MISSING-COLUMN", str(case.failure_case), None
        else:  # a pandera check of its own (should not happen): report it plainly
            code, column = "RCC-CODE", str(case.column)
        key = (code, column, index)
        if key in seen:
            continue
        seen.add(key)
        value = None
        if index is not None and column in frame.columns:
            cell = frame.at[index, column]
            value = None if pd.isna(cell) else str(cell)
        report.error(code, table, row=row_of(index) if index is not None else 1,
                     column=column, value=value)
