"""What the case-level importers share: the report, careful file reading and the write.

An import is all or nothing. Files are read and every row validated first; any blocking
error refuses the whole import with a report (row, column, value, rule, message) and
nothing is written. A clean submission is written in one transaction that first removes
the previous submission for the same LA, period and format (its children, episodes,
needs assessments, fees and providers, deleted explicitly rather than by cascade) and
logs the import. If the file is byte-for-byte the current submission, only the log line
is written ('unchanged'): the same file twice changes nothing.

The ``case_import`` rows are the import log, so they are kept: an earlier submission's
row stays (with its original outcome) after its data are replaced, and the submission in
force is the newest 'imported' or 'replaced' row for its LA, period and format.
"""

from __future__ import annotations

import csv
import getpass
import hashlib
import io
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, TypeVar

import pandas as pd
from sqlalchemy import Connection, Engine, delete, insert, select

from analysis.access import Viewer
from data import audit
from data import schema as s
from data.importers.codes import RULES

SHOWN = 50  # errors printed in full; the total is always given
CHUNK = 10_000  # rows per executemany
IN_FORCE = ("imported", "replaced")
Result = TypeVar("Result")
SOURCE_WORDS = {"pl_la": "the LA given", "postcode": "the postcode", "urn": "the Ofsted URN",
                "unknown": "nowhere (unknown)"}


@dataclass(frozen=True)
class Issue:
    """One problem found in a submission; row is the line in the file (header = line 1)."""

    code: str
    table: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    detail: str | None = None

    @property
    def message(self) -> str:
        """The rule's wording, with any detail that names the specific problem."""
        text = RULES[self.code].message
        return f"{text} {self.detail}" if self.detail else text

    def line(self) -> str:
        """'Episodes, row 7, column PLACE, value 'Q9': Placement type code ... [146]'."""
        where = [self.table] if self.table else []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        if self.value is not None:
            where.append(f"value '{self.value}'")
        return f"{', '.join(where)}: {self.message} [{self.code}]"

    def record(self) -> dict:
        """The issue as a table row (for the page and for tests)."""
        return {"table": self.table, "row": self.row, "column": self.column,
                "value": self.value, "rule": self.code, "problem": self.message}


@dataclass
class ImportReport:
    """Blocking errors and warnings, kept apart: warnings never stop an import."""

    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, code: str, table: str, **where) -> None:
        self.errors.append(Issue(code, table, **where))

    def warn(self, code: str, table: str, **where) -> None:
        self.warnings.append(Issue(code, table, **where))

    def extend(self, other: "ImportReport") -> None:
        self.errors.extend(other.errors)
        self.warnings.extend(other.warnings)

    def sort(self) -> None:
        """File order: table, then row, then column, so the report reads top to bottom."""
        def key(i):
            return (i.table or "", i.row if i.row is not None else -1, i.column or "", i.code)

        self.errors.sort(key=key)
        self.warnings.sort(key=key)

    def format(self, shown: int = SHOWN) -> str:
        """The report as text: the first ``shown`` errors and warnings, and the totals."""
        lines = []
        for title, issues in (("error", self.errors), ("warning", self.warnings)):
            if not issues:
                continue
            plural = "s" if len(issues) != 1 else ""
            head = (f"{len(issues):,} {title}{plural}"
                    + (f" (the first {shown} shown)" if len(issues) > shown else "") + ":")
            lines.append(("Blocking " if title == "error" else "") + head)
            lines += [f"  {issue.line()}" for issue in issues[:shown]]
        if self.errors:
            lines.append(f"Total: {len(self.errors):,} blocking error"
                         f"{'s' if len(self.errors) != 1 else ''}; nothing was imported.")
        return "\n".join(lines)

    def frame(self, which: str = "errors") -> pd.DataFrame:
        """Errors or warnings as a table (row, column, value, rule, problem)."""
        issues = self.errors if which == "errors" else self.warnings
        columns = ["table", "row", "column", "value", "rule", "problem"]
        return pd.DataFrame([i.record() for i in issues], columns=columns)


class ImportRefused(Exception):
    """The submission has blocking errors: nothing was written. Carries the report."""

    def __init__(self, report: ImportReport):
        self.report = report
        super().__init__(report.format())


@dataclass
class ImportResult:
    """A written (or unchanged) submission.

    ``child_ids`` maps the submission's CHILD (child_ref) to ``child.id``; ``episode_ids``
    maps each input episode row (the index of the episodes frame given) to ``episode.id``,
    so callers can attach fees and needs. For an 'unchanged' import they point at the rows
    of the submission already in force.
    """

    import_id: int
    outcome: str
    la_code: str
    period: str
    rows: dict[str, int]
    report: ImportReport
    child_ids: dict[str, int] = field(default_factory=dict)
    episode_ids: pd.Series = field(default_factory=lambda: pd.Series(dtype="int64"))
    placement_la_sources: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        """'Imported ...: 120 child rows, 310 episode rows' and the warnings count."""
        counts = ", ".join(f"{n:,} {table} rows" for table, n in self.rows.items())
        verb = {"imported": "Imported", "replaced": "Replaced the previous submission with",
                "unchanged": "Unchanged (same file as the submission in force):"}[self.outcome]
        text = f"{verb} {self.la_code} {self.period}: {counts} (import {self.import_id})."
        if self.placement_la_sources:
            text += " Placement LA from " + ", ".join(
                f"{SOURCE_WORDS.get(source, source)} {n:,}"
                for source, n in self.placement_la_sources.items()) + "."
        if self.report.warnings:
            text += f" {len(self.report.warnings):,} warning(s)."
        return text

    def audit_detail(self) -> dict:
        """What the audit trail keeps of a written (or unchanged) submission."""
        return {"outcome": self.outcome, "period": self.period, "rows": self.rows,
                "import_id": self.import_id, "warnings": len(self.report.warnings)}


def default_user() -> str:
    """Who is importing when nobody says: the operating-system user."""
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


def audited(engine: Engine, viewer: Viewer | None, by: str, what: dict,
            attempt: Callable[[], Result]) -> Result:
    """Run an import (``attempt``) and add one row to the audit trail whatever happens:
    its outcome and rows, or 'refused' with the number of blocking errors (the refusal is
    then raised again). ``what`` says what was given (``import_details``); the CLI and the
    app both import through here, the app with its signed-in ``viewer``."""
    try:
        result = attempt()
    except ImportRefused as refused:
        audit.record_change(engine, viewer, "import", {
            **what, "outcome": "refused", "errors": len(refused.report.errors)}, by=by)
        raise
    audit.record_change(engine, viewer, "import", {**what, **result.audit_detail()}, by=by)
    return result


def import_details(format: str, files: list[tuple[str, bytes]], la_code: str | None = None,
                   year: int | None = None) -> dict:
    """What an import was given, for the audit trail: format, LA, year, the files' names
    and their hash (as the import log computes it, so the two can be matched)."""
    return {"format": format, "la": la_code, "year": year,
            "files": [name for name, _ in files],
            "file_hash": sha256_bytes(*(raw for _, raw in files)) if files else None}


# --- reading files ---------------------------------------------------------------------------

def sha256_bytes(*blobs: bytes) -> str:
    """One hash for one or more files, independent of their order."""
    parts = sorted(hashlib.sha256(blob).hexdigest() for blob in blobs)
    if len(parts) == 1:
        return parts[0]
    return hashlib.sha256("".join(parts).encode()).hexdigest()


def frame_hash(*frames: pd.DataFrame) -> str:
    """A stable hash of DataFrames (for submissions given as frames, not files)."""
    digest = hashlib.sha256()
    for frame in frames:
        digest.update(frame.to_csv(index=False, lineterminator="\n").encode())
    return digest.hexdigest()


def decode_text(raw: bytes, name: str, report: ImportReport) -> str | None:
    """UTF-8 text (a byte-order mark is allowed), or None with the error reported."""
    if not raw.strip():
        report.error("RCC-EMPTY", name)
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        report.error("RCC-ENCODING", name, row=line,
                     detail=f"Byte {exc.start} ({raw[exc.start]:#04x}) is not valid UTF-8.")
        return None


def read_csv_text(raw: bytes, name: str, report: ImportReport) -> pd.DataFrame | None:
    """A CSV file as a frame of stripped strings (blank = missing), checked for shape.

    Every field stays text so codes such as '01' or 'E4A' are never turned into numbers;
    a file cut short or a row with the wrong number of fields is refused, because pandas
    would pad the row with blanks and a truncated row could pass as a short one.
    """
    text = decode_text(raw, name, report)
    if text is None:
        return None
    rows = list(csv.reader(io.StringIO(text, newline="")))
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()  # trailing blank lines
    if not rows:
        report.error("RCC-EMPTY", name)
        return None
    header = [cell.strip() for cell in rows[0]]
    if not text.endswith(("\n", "\r")):
        report.error("RCC-TRUNCATED", name, row=len(rows))
    bad = [(number, len(row)) for number, row in enumerate(rows[1:], start=2)
           if len(row) != len(header)]
    for number, width in bad:
        report.error("RCC-SHAPE", name, row=number,
                     detail=f"It has {width} fields; the header has {len(header)}.")
    if bad or not report.ok:
        return None
    frame = pd.DataFrame(rows[1:], columns=header, dtype=object)
    return tidy(frame, name, report)


def read_xlsx(raw: bytes, name: str, report: ImportReport) -> dict[str, pd.DataFrame] | None:
    """Every sheet of a workbook as frames of stripped strings (blank = missing)."""
    try:
        sheets = pd.read_excel(io.BytesIO(raw), sheet_name=None, dtype=str,
                               keep_default_na=False, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        report.error("RCC-PARSE", name, detail=f"({type(exc).__name__}: {exc})")
        return None
    tidied = {}
    for sheet, frame in sheets.items():
        frame.columns = [str(c).strip() for c in frame.columns]
        frame = frame.dropna(how="all")
        tidied[sheet] = tidy(frame.astype(object), f"{name} [{sheet}]", report)
    return tidied


def tidy(frame: pd.DataFrame, name: str, report: ImportReport) -> pd.DataFrame | None:
    """Strip every cell, make blanks missing, refuse duplicate column names."""
    duplicated = frame.columns[frame.columns.duplicated()].unique()
    for column in duplicated:
        report.error("RCC-DUPLICATE-COLUMN", name, row=1, column=column)
    if len(duplicated):
        return None
    frame = frame.apply(lambda c: c.astype("string").str.strip()).replace("", pd.NA)
    frame.index = pd.RangeIndex(len(frame))
    return frame


def check_columns(frame: pd.DataFrame, name: str, required: list[str], optional: list[str],
                  report: ImportReport) -> bool:
    """Refuse missing required columns and columns the format does not have."""
    for column in required:
        if column not in frame.columns:
            report.error("RCC-MISSING-COLUMN", name, row=1, column=column)
    allowed = set(required) | set(optional)
    for column in frame.columns:
        if column not in allowed:
            report.error("RCC-EXTRA-COLUMN", name, row=1, column=column)
    return all(column in frame.columns for column in required) and set(frame.columns) <= allowed


def row_of(index) -> int:
    """The line in the file of a 0-based data row (line 1 is the header)."""
    return int(index) + 2


def report_cells(report: ImportReport, table: str, frame: pd.DataFrame, mask: pd.Series,
                 column: str, code: str, *, warning: bool = False,
                 detail: str | None = None) -> None:
    """Add one issue per flagged row of ``column``, so the report's totals are true."""
    flagged = mask[mask].index
    add = report.warn if warning else report.error
    values = frame[column] if column in frame.columns else None
    for index in flagged:
        value = None if values is None or pd.isna(values.at[index]) else str(values.at[index])
        add(code, table, row=row_of(index), column=column, value=value, detail=detail)


# --- the write ---------------------------------------------------------------------------------

@dataclass
class Submission:
    """Validated, enriched rows ready to write, with what identifies the submission."""

    format: str
    la_code: str
    period: str
    file_hash: str
    imported_by: str
    synthetic: bool
    children: pd.DataFrame  # child columns except id/import_id; 'child_ref' unique
    episodes: pd.DataFrame  # episode columns except id/child_id; 'child_ref' to link
    needs: pd.DataFrame | None = None  # needs_assessment columns; 'child_ref' to link
    fees: pd.DataFrame | None = None  # placement_fee columns; 'episode_row' to link
    report: ImportReport = field(default_factory=ImportReport)

    def counts(self) -> dict[str, int]:
        counts = {"child": len(self.children), "episode": len(self.episodes)}
        if self.needs is not None:
            counts["needs_assessment"] = len(self.needs)
        if self.fees is not None:
            counts["placement_fee"] = len(self.fees)
        return counts


def in_force(connection: Connection, sub: Submission):
    """The newest import of the same LA, period, format and kind that wrote rows, or None."""
    c = s.CaseImport
    return connection.execute(
        select(c.id, c.file_hash)
        .where(c.la_code == sub.la_code, c.period == sub.period, c.format == sub.format,
               c.is_synthetic.is_(sub.synthetic), c.outcome.in_(IN_FORCE))
        .order_by(c.id.desc()).limit(1)).first()


def remove_previous(connection: Connection, sub: Submission) -> bool:
    """Delete every case-level row of earlier imports of this LA, period, format and kind.

    Children's rows are removed before their parents, explicitly, so this works the same
    whether or not the database enforces foreign-key cascades. The log rows stay.
    """
    c = s.CaseImport
    earlier = (select(c.id).where(c.la_code == sub.la_code, c.period == sub.period,
                                  c.format == sub.format, c.is_synthetic.is_(sub.synthetic))
               .scalar_subquery())
    children = select(s.Child.id).where(s.Child.import_id.in_(earlier))
    episodes = select(s.Episode.id).where(s.Episode.child_id.in_(children))
    removed = connection.execute(
        delete(s.PlacementFee).where(s.PlacementFee.episode_id.in_(episodes))).rowcount
    removed += connection.execute(
        delete(s.NeedsAssessment).where(s.NeedsAssessment.child_id.in_(children))).rowcount
    removed += connection.execute(
        delete(s.Episode).where(s.Episode.child_id.in_(children))).rowcount
    removed += connection.execute(delete(s.Child).where(s.Child.import_id.in_(earlier))).rowcount
    removed += connection.execute(
        delete(s.Provider).where(s.Provider.import_id.in_(earlier))).rowcount
    return removed > 0


def insert_frame(connection: Connection, table, frame: pd.DataFrame) -> None:
    """executemany in chunks, pandas' missing values as NULL."""
    if frame.empty:
        return
    clean = frame.astype(object).where(frame.notna(), None)
    columns = list(clean.columns)
    rows = [dict(zip(columns, values)) for values in clean.itertuples(index=False, name=None)]
    for start in range(0, len(rows), CHUNK):
        connection.execute(insert(table), rows[start:start + CHUNK])


def log_import(connection: Connection, sub: Submission, outcome: str, now: datetime) -> int:
    """Write the import-log row and return its id."""
    result = connection.execute(insert(s.CaseImport).values(
        imported_at=now, imported_by=sub.imported_by[:120], file_hash=sub.file_hash,
        format=sub.format, la_code=sub.la_code, period=sub.period,
        rows=json.dumps(sub.counts()), outcome=outcome, is_synthetic=sub.synthetic))
    return int(result.inserted_primary_key[0])


def child_ids(connection: Connection, import_id: int) -> dict[str, int]:
    """child_ref -> child.id for one import."""
    rows = connection.execute(select(s.Child.child_ref, s.Child.id)
                              .where(s.Child.import_id == import_id))
    return dict(rows.all())


def episode_ids(connection: Connection, import_id: int, episodes: pd.DataFrame,
                ids: dict[str, int]) -> pd.Series:
    """Each input episode row -> episode.id, matched on (child, start date): a unique key."""
    e = s.Episode
    stored = pd.DataFrame(connection.execute(
        select(e.id, e.child_id, e.start_date).join(s.Child, s.Child.id == e.child_id)
        .where(s.Child.import_id == import_id)).all(), columns=["id", "child_id", "start_date"])
    if stored.empty:
        return pd.Series(dtype="int64")
    wanted = pd.DataFrame({"child_id": episodes["child_ref"].map(ids).astype("int64"),
                           "start_date": episodes["start_date"]}, index=episodes.index)
    stored["start_date"] = pd.to_datetime(stored["start_date"]).dt.date
    wanted["start_date"] = pd.to_datetime(wanted["start_date"]).dt.date
    merged = wanted.reset_index().merge(stored, on=["child_id", "start_date"], how="left")
    return pd.Series(merged["id"].to_numpy(), index=merged["index"].to_numpy(),
                     name="episode_id").astype("int64")


def source_counts(episodes: pd.DataFrame) -> dict[str, int]:
    """How many episodes got their placement LA from each source (unknown included)."""
    counts = episodes["placement_la_source"].value_counts()
    order = ["pl_la", "postcode", "urn", "unknown"]
    return {source: int(counts[source]) for source in order if source in counts}


def write_submission(connection: Connection, sub: Submission) -> ImportResult:
    """Write one validated submission inside the caller's transaction."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    current = in_force(connection, sub)
    sources = source_counts(sub.episodes)
    if current is not None and current.file_hash == sub.file_hash:
        import_id = log_import(connection, sub, "unchanged", now)
        ids = child_ids(connection, current.id)
        return ImportResult(import_id, "unchanged", sub.la_code, sub.period, sub.counts(),
                            sub.report, ids, episode_ids(connection, current.id,
                                                         sub.episodes, ids), sources)
    replaced = remove_previous(connection, sub) or current is not None
    outcome = "replaced" if replaced else "imported"
    import_id = log_import(connection, sub, outcome, now)
    children = sub.children.assign(import_id=import_id, is_synthetic=sub.synthetic)
    insert_frame(connection, s.Child.__table__, children)
    ids = child_ids(connection, import_id)
    episodes = sub.episodes.assign(child_id=sub.episodes["child_ref"].map(ids),
                                   is_synthetic=sub.synthetic)
    insert_frame(connection, s.Episode.__table__, episodes.drop(columns=["child_ref"]))
    episode_map = episode_ids(connection, import_id, sub.episodes, ids)
    if sub.needs is not None and not sub.needs.empty:
        needs = sub.needs.assign(child_id=sub.needs["child_ref"].map(ids),
                                 is_synthetic=sub.synthetic)
        insert_frame(connection, s.NeedsAssessment.__table__, needs.drop(columns=["child_ref"]))
    if sub.fees is not None and not sub.fees.empty:
        fees = sub.fees.assign(episode_id=sub.fees["episode_row"].map(episode_map),
                               is_synthetic=sub.synthetic)
        insert_frame(connection, s.PlacementFee.__table__, fees.drop(columns=["episode_row"]))
    return ImportResult(import_id, outcome, sub.la_code, sub.period, sub.counts(), sub.report,
                        ids, episode_map, sources)


def write_all(engine: Engine, submissions: list[Submission]) -> list[ImportResult]:
    """Write several submissions in one transaction: all of them or none."""
    with engine.begin() as connection:
        return [write_submission(connection, sub) for sub in submissions]

