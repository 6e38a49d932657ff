"""Benchmark the needs audit's cohort fit: every child in residential care in England at
31 March 2025, needs read, latent class models fitted for k = 1..6 and the fit stored.

Target: <= 15 s on 2 cores. Reads the store named by DATABASE_URL (else var/rcc.sqlite)
and never writes to it: a SQLite store is copied to a temporary folder first (not
timed) and the fit is stored there; for any other store only reading and fitting are
timed. Prints the time, the load average (other work on the machine slows EM, which is
single-threaded Python), and the BIC table. Run: .venv/bin/python bench/cohorts.py [year]
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import delete

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import lca  # noqa: E402
from data import cohort_store  # noqa: E402
from data import schema  # noqa: E402
from data.store import make_engine, sqlite_path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 15.0


def timed(step, *args):
    """(result, seconds) of one call."""
    start = time.perf_counter()
    result = step(*args)
    return result, time.perf_counter() - start


def fit_in(url: str, year: int, store: bool) -> tuple[lca.FitSummary, float, float, float]:
    """The summary, the seconds to read the population, the seconds of the whole step
    (read + fit, + store when ``store``) and of reading the stored fit back (0 if not
    stored): what every later call for the same data costs."""
    engine = make_engine(url)
    try:
        labels = cohort_store.need_labels(engine)
        (matrix, synthetic), read = timed(cohort_store.residential_needs, engine, year,
                                          list(labels))
        if store:
            summary, total = timed(cohort_store.cohorts, engine, year)
            return summary, read, total, timed(cohort_store.cohorts, engine, year)[1]
        (summary, _), fit = timed(lambda: lca.fit_cohorts(matrix, labels, synthetic=synthetic))
        return summary, read, read + fit, 0.0
    finally:
        engine.dispose()


def forget_fits(url: str) -> None:
    """Delete the copy's stored fits: the app may have stored this data's fit already, and
    the bench times the fit, not reading it back."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(delete(schema.CohortMember))
            connection.execute(delete(schema.CohortFit))
    finally:
        engine.dispose()


def main(year: int = 2025) -> None:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{ROOT / 'var' / 'rcc.sqlite'}"
    source = sqlite_path(url)
    _, imports = timed(lambda: __import__("stepmix.stepmix"))
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        if source is not None:
            copy = Path(folder) / "rcc.sqlite"
            shutil.copyfile(source, copy)
            url = f"sqlite:///{copy}"
            forget_fits(url)
        summary, read, total, again = fit_in(url, year, store=source is not None)
    print(f"Cohort fit, children in residential care at 31 March {year}: {summary.children:,} "
          f"children{' (synthetic)' if summary.synthetic else ''}, k = 1..{lca.MAX_CLASSES}, "
          f"{lca.N_INIT} starts each, EM tolerance {lca.ABS_TOL:g} per child")
    print(f"  read {read:.1f} s + fit{' + store' if source is not None else ''} "
          f"{total - read:.1f} s = {total:.1f} s (target <= {TARGET_SECONDS:.0f} s: "
          f"{'met' if total <= TARGET_SECONDS else 'NOT met'}); importing stepmix "
          f"{imports:.1f} s before; load average {load:.1f} at the start")
    if again:
        print(f"  the stored fit read back for the same data: {again * 1000:.0f} ms")
    print(lca.bic_table(summary).to_string(index=False, float_format="{:.3f}".format))
    for cohort in summary.cohorts:
        print(f"  cohort {cohort.number}: {cohort.name} ({cohort.share:.0%})")


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:2]))
