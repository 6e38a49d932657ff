"""The slow shared results, made once per data version and kept in the store.

The needs family of a year (30-70 s on all of England), the fee frame (5-9 s) and the fee
family (6-18 s) are each made from the whole store and shared by every page, export and
board pack. The app caches them in memory, but every new process (a server restart, the
command line, ``python -m data pack``) used to make them again. ``kept`` makes each once
per data version and keeps it in the store (``kept_result``), where every later process,
on this machine or another, reads it back in a few seconds.

What a result was made from (its ``data_key``): the store's data version (migration,
build, newest case-level import), that import's time (a rerun of the synthetic cohort can
reuse an import id), the RCCs and their membership (the board edits them without a
rebuild), the source of the code that makes results (so a fix takes effect at once, not
at the next import) and ``FORMAT``. A row made from anything else is never read. Storing
a result replaces its name's row and deletes every row made from other data (they can
never be read again), in one transaction.

Payloads are pickles, written only by this module into the project's own store and read
only from there: pickle is never read from anywhere else. A payload that cannot be
unpickled (the classes changed) is made again, not an error; a result that cannot be
stored is still returned.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import time
from pathlib import Path
from typing import Callable, TypeVar

from sqlalchemy import Engine, delete, insert, or_, select
from sqlalchemy.exc import SQLAlchemyError

from data import schema as s
from data.register import now
from data.store import data_version

#: Bump when what is kept changes in a way the source digest cannot see (a library upgrade
#: that changes the pickled classes or what the builders make).
FORMAT = 1
#: The packages whose code makes kept results: any change to them is a new data key.
SOURCES = ("analysis", "data", "forecasting")
ROOT = Path(__file__).resolve().parents[1]
LOG = logging.getLogger(__name__)
T = TypeVar("T")
_MISSING = object()


def kept(engine: Engine, name: str, make: Callable[[], T], inputs: str = "") -> T:
    """The result kept under ``name`` for the store's current data (and ``inputs``: a
    digest of anything the caller hands ``make`` besides the store), else ``make()``, kept
    and returned. ``make`` raising stores nothing."""
    key = data_key(engine)
    found = read(engine, name, key, inputs)
    if found is not _MISSING:
        return found
    started = time.perf_counter()
    made = make()
    LOG.info("made %s in %.1f s", name, time.perf_counter() - started)
    store(engine, name, key, inputs, made)
    return made


def data_key(engine: Engine) -> str:
    """What a result made now is made from (the module docstring), as one string."""
    version = data_version(engine)
    c, r, m = s.CaseImport, s.Rcc, s.RccMembership
    with engine.connect() as connection:
        imported = connection.execute(
            select(c.imported_at).where(c.id == version.case_import)).scalar()
        rccs = connection.execute(select(r.id, r.name).order_by(r.id)).all()
        members = connection.execute(select(m.la_code, m.rcc_id).order_by(m.la_code)).all()
    board = hashlib.sha256(repr((rccs, members)).encode()).hexdigest()[:16]
    return (f"format={FORMAT}|code={code_digest()}|revision={version.revision}|"
            f"built={version.built_at}|releases={version.releases}|"
            f"import={version.case_import}@{imported}|rccs={board}")


def code_digest() -> str:
    """A digest of the ``SOURCES`` packages' Python files (read each time, a few ms: a
    reloaded module must not be served a result its old code made)."""
    digest = hashlib.sha256()
    for path in sorted(p for folder in SOURCES for p in (ROOT / folder).rglob("*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def read(engine: Engine, name: str, key: str, inputs: str):
    """The result kept under ``name`` for ``key`` and ``inputs``, unpickled; ``_MISSING``
    when there is none or it cannot be unpickled."""
    k = s.KeptResult
    started = time.perf_counter()
    with engine.connect() as connection:
        payload = connection.execute(select(k.payload).where(
            k.name == name, k.data_key == key, k.inputs == inputs)).scalar()
    if payload is None:
        return _MISSING
    try:
        found = pickle.loads(payload)
    except Exception as exc:  # any failure to unpickle (code changed): make it again
        LOG.warning("kept %s cannot be read back (%s): making it again", name, exc)
        return _MISSING
    LOG.info("read %s (%.0f MB) in %.1f s", name, len(payload) / 1e6,
             time.perf_counter() - started)
    return found


def store(engine: Engine, name: str, key: str, inputs: str, made) -> bool:
    """Keep ``made`` under ``name``, replacing the name's row and deleting rows made from
    other data, in one transaction; False (logged, nothing changed) if it cannot be
    pickled or written."""
    started = time.perf_counter()
    try:
        payload = pickle.dumps(made, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError) as exc:
        LOG.warning("%s cannot be kept (%s)", name, exc)
        return False
    k = s.KeptResult
    try:
        with engine.begin() as connection:
            connection.execute(delete(k).where(or_(k.name == name, k.data_key != key)))
            connection.execute(insert(k).values(name=name, data_key=key, inputs=inputs,
                                                made_at=now(), payload=payload))
    except SQLAlchemyError as exc:
        LOG.warning("%s could not be kept in the store (%s)", name, exc)
        return False
    LOG.info("kept %s (%.0f MB) in %.1f s", name, len(payload) / 1e6,
             time.perf_counter() - started)
    return True


def kept_names(engine: Engine) -> list[str]:
    """The names kept for the store's current data, in name order."""
    k = s.KeptResult
    with engine.connect() as connection:
        return list(connection.execute(select(k.name).where(k.data_key == data_key(engine))
                                       .order_by(k.name)).scalars())


def forget(engine: Engine) -> int:
    """Delete every kept result (the next use makes each again); returns how many."""
    with engine.begin() as connection:
        return connection.execute(delete(s.KeptResult)).rowcount
