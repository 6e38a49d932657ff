"""Writing the cohort: through the SSDA903 importer, in one transaction.

Synthetic rows take the path real files take (validation, enrichment, the same tables),
so the case-level pages cannot tell the two apart except by the ``is_synthetic`` flag
every row carries. A new cohort replaces the old one whole; real imports are never
touched.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from typing import Iterable

import pandas as pd
from sqlalchemy import Engine, delete, insert, select
from tqdm import tqdm

from data import schema as s
from data.synth.calibration import YEAR, load_calibration
from data.synth.cohort import Cohort, generate

IMPORTED_BY = "python -m data synth"
SYNTHETIC_TABLES = (s.PlacementFee, s.NeedsAssessment, s.Episode, s.Child, s.Provider,
                    s.CaseImport)  # children's rows before their parents'
FEE_COLUMNS = ["weekly_fee", "core", "extra_staffing", "education", "therapy", "surplus_pct"]


def run(engine: Engine, seed: int = 42, *, progress: bool = False,
        las: Iterable[str] | None = None) -> tuple[Cohort, dict[str, int]]:
    """Generate the cohort from the store's published figures and write it back, with
    the labelled synthetic provider offers the needs audit's specificity gap matches it
    against (Ofsted does not publish what a home offers)."""
    from data import offer_register

    cohort = generate(load_calibration(engine), seed, las=las, progress=progress)
    counts = write(engine, cohort, progress=progress)
    counts["provider_offer"] = offer_register.write_synthetic(engine, seed)
    return cohort, counts


def write(engine: Engine, cohort: Cohort, *, imported_by: str = IMPORTED_BY,
          progress: bool = False) -> dict[str, int]:
    """Replace the store's synthetic cohort with ``cohort`` in one transaction.

    Each LA goes through the SSDA903 importer's validation and enrichment (refused
    with its report if anything is invalid, writing nothing); then, in one transaction,
    every earlier synthetic row is deleted and each LA is written as a synthetic import
    (format 'synthetic'), with its needs assessments, fees and the providers used.
    Returns rows written per table.
    """
    from data.importers.common import write_submission
    from data.importers.validation import load_reference

    reference = load_reference(engine)
    las = sorted(cohort.children["la"].unique())
    subs = submissions(cohort, las, reference, imported_by, progress)
    counts: dict[str, int] = {}
    with engine.begin() as connection:
        remove_synthetic(connection)
        first_import = {}
        for sub in tqdm(subs, desc="Writing", unit="LA", disable=not progress, file=sys.stderr):
            result = write_submission(connection, sub)
            for table, rows in result.rows.items():
                counts[table] = counts.get(table, 0) + rows
            for provider in sub.episodes["provider_id"].dropna().unique():
                first_import.setdefault(provider, result.import_id)
        providers = cohort.providers[cohort.providers["id"].isin(first_import)]
        rows = [{"id": row.id, "import_id": first_import[row.id], "sector": row.sector,
                 "places": None if pd.isna(row.places) else int(row.places),
                 "is_synthetic": True} for row in providers.itertuples()]
        if rows:
            connection.execute(insert(s.Provider), rows)
        counts["provider"] = len(rows)
        counts["case_import"] = len(subs)
    return counts


def remove_synthetic(connection) -> dict[str, int]:
    """Delete every synthetic row (and the synthetic import log rows), children first.

    Real imports are never touched: every synthetic row carries is_synthetic, and real
    rows never do. The log rows go too, so a re-run is a clean replacement rather than
    an 'unchanged' import of data that were just deleted.
    """
    removed = {}
    for table in SYNTHETIC_TABLES:
        result = connection.execute(delete(table).where(table.is_synthetic.is_(True)))
        removed[table.__tablename__] = result.rowcount
    return removed


def submission(cohort: Cohort, la: str, reference, imported_by: str):
    """One LA's cohort validated and enriched by the SSDA903 importer (the path real
    files take), with its needs assessments, fees and provider ids attached."""
    from data.importers import ssda903
    from data.importers.common import frame_hash

    header, episodes = cohort.ssda903(la)
    header = ssda903.as_text(header, f"{la} {ssda903.HEADER}")
    episodes = ssda903.as_text(episodes, f"{la} {ssda903.EPISODES}")
    sub = ssda903.prepare(header, episodes, la_code=la, year=YEAR, imported_by=imported_by,
                          synthetic=True, file_hash=frame_hash(header, episodes),
                          reference=reference, header_name=f"{la} {ssda903.HEADER}",
                          episodes_name=f"{la} {ssda903.EPISODES}")
    sub.format = "synthetic"
    typed = cohort.episodes.iloc[cohort.files_903[3].get(la, [])].reset_index(drop=True)
    sub.episodes["provider_id"] = typed["provider_id"].to_numpy()
    row_of = pd.Series(typed.index, index=pd.MultiIndex.from_arrays(
        [typed["child_ref"], typed["decom"]]))
    fees = cohort.fees[cohort.fees["la"] == la]
    sub.fees = pd.DataFrame({
        "episode_row": row_of.reindex(pd.MultiIndex.from_arrays(
            [fees["child_ref"], fees["decom"]])).to_numpy(),
        **{column: fees[column].to_numpy() for column in FEE_COLUMNS}})
    needs = cohort.needs[cohort.needs["la"] == la]
    sub.needs = pd.DataFrame({
        "child_ref": needs["child_ref"].to_numpy(),
        "assessed_on": pd.to_datetime(needs["assessed_on"]).dt.date.to_numpy(),
        "need": needs["need"].to_numpy(), "frequency": needs["frequency"].to_numpy(),
        "intensity": needs["intensity"].to_numpy()})
    return sub


_JOB: tuple | None = None  # (cohort, reference, imported_by) shared with forked workers


def _prepare(la: str):
    """Worker: one LA's submission (the cohort is inherited from the parent by fork)."""
    cohort, reference, imported_by = _JOB
    return submission(cohort, la, reference, imported_by)


def submissions(cohort: Cohort, las: list[str], reference, imported_by: str,
                progress: bool = False, workers: int | None = None) -> list:
    """Every LA's submission, validated on all CPUs: validation is per LA and needs no
    database, so LAs are prepared in forked worker processes (serially where fork is
    unavailable or there is one CPU). Results come back in ``las`` order."""
    global _JOB
    workers = workers or min(os.cpu_count() or 1, 8)
    _ = cohort.files_903  # built once, before forking, so every worker shares it
    bar = dict(desc="Validating", unit="LA", total=len(las), disable=not progress,
               file=sys.stderr)
    if workers <= 1 or "fork" not in mp.get_all_start_methods() or len(las) < 4:
        return [submission(cohort, la, reference, imported_by) for la in tqdm(las, **bar)]
    _JOB = (cohort, reference, imported_by)
    try:
        with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
            return list(tqdm(pool.map(_prepare, las, chunksize=2), **bar))
    finally:
        _JOB = None


def present(engine: Engine) -> bool:
    """True when the store already holds synthetic case-level rows."""
    with engine.connect() as connection:
        return connection.execute(select(s.Child.id).where(s.Child.is_synthetic.is_(True))
                                  .limit(1)).first() is not None
