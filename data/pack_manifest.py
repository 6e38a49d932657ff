"""A board pack's frozen data version: the manifest stored with every pack.

The manifest says exactly what the pack's numbers were made from, so a pack reopened
months later can say "as frozen on <date>" and whether the store has changed since:
every dataset's release and checksum, the case-level imports in force for the RCC's LAs,
the stored forecast run, the cap in force and the flag rule's settings, the store's
data version and the app's git commit.
"""

from __future__ import annotations

import subprocess
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Engine, select

from analysis.accountability import RuleSettings
from analysis.scope import Scope
from data import caps, forecast_store, map_tables, queries, tables
from data import schema as s
from data.errors import UserInputError
from data.store import DataVersion, data_version

ROOT = Path(__file__).resolve().parents[1]
RELEASE_FIELDS = ["dataset", "publisher", "title", "period", "url", "licence", "file",
                  "checksum", "rows", "loaded_at"]


def checked_rcc(engine: Engine, rcc_id: str) -> dict:
    """The RCC's id and name, or a UserInputError naming the RCCs there are."""
    found = queries.rccs(engine).set_index("id")["name"]
    if rcc_id not in found.index:
        raise UserInputError(f"Unknown RCC '{rcc_id}': choose one of "
                             f"{', '.join(found.index)}.")
    return {"id": rcc_id, "name": str(found[rcc_id])}


def checked_meeting(value) -> date:
    """The meeting date from a date or YYYY-MM-DD text (read as a cap's date is)."""
    try:
        return caps.checked_date(value)
    except UserInputError:
        raise UserInputError(f"The meeting date must be a real date as YYYY-MM-DD, not "
                             f"'{value}'.") from None


def data_year(engine: Engine, meeting: date) -> int:
    """The newest 31 March with DfE figures on or before the meeting (a board cannot be
    shown figures dated after it meets)."""
    years = [year for year in tables.available_years(engine) if date(year, 3, 31) <= meeting]
    if not years:
        first = tables.available_years(engine)[0]
        raise UserInputError(f"No DfE figures are dated on or before {meeting:%-d %B %Y}: "
                             f"the first are for 31 March {first}.")
    return years[-1]


def case_year(engine: Engine, year: int) -> int | None:
    """The newest year of case-level records at or before ``year`` (None if none held)."""
    held = [held for held in map_tables.case_years(engine) if held <= year]
    return held[-1] if held else None


def case_imports(engine: Engine, la_codes: set[str]) -> list[dict]:
    """The case-level imports of the RCC's LAs, oldest first: id, LA, period, format, file
    hash, outcome, whether synthetic."""
    c = s.CaseImport
    rows = queries.frame(engine, select(c.id, c.la_code, c.period, c.format, c.file_hash,
                                        c.imported_at, c.outcome, c.is_synthetic)
                         .where(c.la_code.in_(sorted(la_codes))).order_by(c.id))
    rows["is_synthetic"] = rows["is_synthetic"].astype(bool)
    rows["imported_at"] = rows["imported_at"].astype(str)
    return rows.to_dict(orient="records")


def forecast_run(engine: Engine) -> dict | None:
    """The stored forecast run (id, when fitted, series, backtested, stale) or None."""
    run = forecast_store.latest_run(engine)
    if run is None:
        return None
    return {"id": run.id, "fitted_at": str(run.fitted_at), "series": run.series,
            "with_backtest": run.with_backtest, "stale": run.stale}


def cap_in_force(engine: Engine, meeting: date) -> dict:
    """The board's cap in force today (what every fee figure counts against) and on the
    meeting day, or the reference cap when the board has set none."""
    today = caps.current_cap(engine)
    on_meeting = caps.current_cap(engine, meeting)
    return {"percent_in_use": caps.percent_in_use(engine),
            "board_cap": None if today is None else {
                "percent": float(today["percent"]), "effective_from": str(today["effective_from"]),
                "set_by": today["set_by"], "set_at": str(today["set_at"])},
            "board_cap_on_meeting_day": None if on_meeting is None
            else float(on_meeting["percent"])}


def git_commit() -> str | None:
    """The app's git commit, if it runs from a git checkout."""
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


def version_dict(version: DataVersion) -> dict:
    """The store's data version as JSON can write it."""
    return dict(version._asdict())


def freeze(engine: Engine, rcc_id: str, meeting, made_by: str) -> dict:
    """The manifest of a pack for ``rcc_id`` meeting on ``meeting``, made now by
    ``made_by``: raises UserInputError (nothing made) for an unknown RCC or a bad date."""
    rcc = checked_rcc(engine, rcc_id)
    meeting = checked_meeting(meeting)
    year = data_year(engine, meeting)
    la_codes = tables.scope_codes(engine, Scope("rcc", rcc_id))
    las = queries.local_authorities(engine)
    rcc["las"] = las.loc[las["rcc_id"] == rcc_id, "code"].tolist()
    releases = queries.releases(engine)[RELEASE_FIELDS].astype({"loaded_at": str})
    imports = case_imports(engine, la_codes)
    return {"rcc": rcc, "meeting_date": meeting.isoformat(), "year": year,
            "case_year": case_year(engine, year),
            "made_by": made_by, "made_at": datetime.now().replace(microsecond=0).isoformat(),
            "data_version": version_dict(data_version(engine)),
            "releases": releases.to_dict(orient="records"),
            "case_imports": imports,
            "synthetic": any(row["is_synthetic"] for row in imports),
            "forecast_run": forecast_run(engine),
            "cap": cap_in_force(engine, meeting),
            "rule_settings": asdict(RuleSettings()),
            "git_commit": git_commit()}


def changed_since(engine: Engine, manifest: dict) -> bool:
    """Whether the store's data have changed since the pack was frozen (a rebuild, a
    migration or a case-level import changes the data version)."""
    return version_dict(data_version(engine)) != manifest["data_version"]
