"""Build the store from the vendored open data: all or nothing, and idempotent.

Every source is read and checked before anything is written; then, in one
transaction, each published table is emptied and reloaded and its ``data_release``
row written. A bad file therefore stops the build with the file, row and problem and
leaves the previous database exactly as it was. Board-owned tables (RCCs and their
membership) are seeded only when empty, so a rebuild never undoes the board's edits.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from dataclasses import dataclass
from datetime import datetime, timezone

import pandas as pd
from sqlalchemy import Engine, delete, func, insert, select
from sqlalchemy.exc import DatabaseError
from tqdm import tqdm

from data import schema
from data.config import OPEN_DATA, REFERENCE, sqlite_path
from data.errors import SourceError
from data.readers import file_sha256
from data.sources import DATASETS, Context, Dataset
from data.store import current_revision, head_revision, make_engine, migrate

BOARD_OWNED = {"rcc", "rcc_membership", "explanation_request", "explanation_change"}
CHUNK = 5000


@dataclass
class Loaded:
    """One dataset read and tidied, ready to write."""

    dataset: Dataset
    tables: dict[str, pd.DataFrame]
    checksum: str

    @property
    def rows(self) -> int:
        return sum(len(frame) for frame in self.tables.values())


def dataset_checksum(dataset: Dataset) -> str:
    """SHA-256 of the dataset's file, or of its files' checksums (open data, then reference)."""
    paths = [(rel, OPEN_DATA / rel) for rel in dataset.files]
    paths += [(rel, REFERENCE / rel) for rel in dataset.reference]
    for rel, path in paths:
        if not path.is_file():
            raise SourceError(rel, "file is missing")
    sums = [file_sha256(path) for _, path in paths]
    if len(sums) == 1:
        return sums[0]
    return hashlib.sha256("".join(sums).encode()).hexdigest()


def read_all(progress: bool = True) -> list[Loaded]:
    """Read and check every dataset in dependency order; raises SourceError on the first fault."""
    ctx = Context()
    loaded = []
    for dataset in tqdm(DATASETS, desc="Reading sources", unit="dataset", disable=not progress,
                        file=sys.stderr):
        checksum = dataset_checksum(dataset)
        loaded.append(Loaded(dataset, dataset.read(ctx), checksum))
    return loaded


def is_stale(engine: Engine) -> bool:
    """True when the store is missing, unmigrated, or was built from other source files."""
    try:
        if current_revision(engine) != head_revision():
            return True
        with engine.connect() as connection:
            recorded = dict(connection.execute(
                select(schema.DataRelease.dataset, schema.DataRelease.checksum)).all())
    except DatabaseError:
        return True
    return recorded != {d.key: dataset_checksum(d) for d in DATASETS}


def write_all(engine: Engine, loaded: list[Loaded], progress: bool = True) -> dict[str, int]:
    """Replace every published table in one transaction; seed board-owned tables if empty."""
    counts: dict[str, int] = {}
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    tables = schema.Base.metadata.tables
    with engine.begin() as connection:
        for name in reversed(ordered_tables(loaded)):
            if name not in BOARD_OWNED:
                connection.execute(delete(tables[name]))
        connection.execute(delete(schema.DataRelease))
        for item in loaded:
            bar = tqdm(total=item.rows, desc=f"Loading {item.dataset.key}", unit="row",
                       disable=not progress, file=sys.stderr)
            for name, frame in item.tables.items():
                if name in BOARD_OWNED and connection.execute(
                        select(func.count()).select_from(tables[name])).scalar():
                    bar.update(len(frame))
                    continue
                for start in range(0, len(frame), CHUNK):
                    chunk = frame.iloc[start:start + CHUNK]
                    connection.execute(insert(tables[name]), records(chunk))
                    bar.update(len(chunk))
                counts[name] = len(frame)
            bar.close()
            connection.execute(insert(schema.DataRelease), [release_row(item, now)])
    return counts


def ordered_tables(loaded: list[Loaded]) -> list[str]:
    """Table names in load order (parents before children)."""
    return [name for item in loaded for name in item.tables]


def release_row(item: Loaded, loaded_at: datetime) -> dict:
    """The data_release record for a loaded dataset."""
    d = item.dataset
    return {"dataset": d.key, "publisher": d.publisher, "title": d.title, "period": d.period,
            "url": d.url, "licence": d.licence, "file": "; ".join(d.files),
            "checksum": item.checksum, "rows": item.rows, "loaded_at": loaded_at}


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts with pandas' missing values turned into SQL NULL."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def set_aside_if_corrupt(engine: Engine) -> str | None:
    """Move an unreadable SQLite file aside (never delete it) so a fresh build can proceed."""
    path = sqlite_path(engine.url.render_as_string(hide_password=False))
    if path is None or not path.exists():
        return None
    try:
        current_revision(engine)
        return None
    except DatabaseError:
        engine.dispose()
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        aside = path.with_name(f"{path.name}.corrupt-{stamp}")
        shutil.move(path, aside)
        return str(aside)


def build(url: str | None = None, progress: bool = True, if_stale: bool = False) -> dict[str, int]:
    """Build (or rebuild) the store; returns rows written per table ({} if already current)."""
    engine = make_engine(url)
    try:
        aside = set_aside_if_corrupt(engine)
        if aside:
            print(f"The database could not be read; it was moved to {aside} and rebuilt.",
                  file=sys.stderr)
        if if_stale and not is_stale(engine):
            return {}
        loaded = read_all(progress)
        migrate(engine)
        return write_all(engine, loaded, progress)
    finally:
        engine.dispose()
