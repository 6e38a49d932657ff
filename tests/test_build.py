"""The build: idempotent, complete, with provenance, and all-or-nothing on a bad source."""

from __future__ import annotations

import csv
import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text

from data import schema
from data.build import build, dataset_checksum, read_all
from data.config import OPEN_DATA, sqlite_path
from data.errors import SourceError
from data.sources import DATASETS
from data.store import make_engine

ROOT = Path(__file__).resolve().parents[1]
TABLES = [table.name for table in schema.Base.metadata.sorted_tables]
POPULATION = "population/ons_mye_children_0_17_by_la_2012_2024.csv"
CLA = "dfe_cla/dfe_cla_number_and_rate_per_10k_children_2021_2025.csv"
HOMES = "ofsted/ofsted_childrens_homes_at_31_march_2023.csv"
BENCHMARKS = "costs/published_cost_benchmarks.csv"
RO3 = "costs/mhclg_ro3_2024_25_cla_expenditure_by_upper_tier_la_gbp_thousands.csv"
REGIONS_GEOJSON = "boundaries/england_regions_2023_dissolved_from_ctyua_buc.geojson"
GREATER_MANCHESTER = {f"E0800000{n}" for n in range(1, 10)} | {"E08000010"}


def row_counts(url: str) -> dict[str, int]:
    """SELECT COUNT(*) for every table in the schema."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return {name: connection.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar()
                    for name in TABLES}
    finally:
        engine.dispose()


def releases(url: str) -> list[tuple]:
    """Every data_release row, in a stable order."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(
                select(schema.DataRelease).order_by(schema.DataRelease.dataset))]
    finally:
        engine.dispose()


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_cli(*args: str, url: str) -> subprocess.CompletedProcess:
    """Run ``python -m data ...`` from the repo root against the store at ``url``."""
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "data", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


# --- a good build -------------------------------------------------------------------------

def test_building_twice_changes_nothing(fresh_url):
    """A rebuild replaces tables rather than appending, so counts stay put and nothing doubles."""
    url = fresh_url
    build(url, progress=False)
    first = row_counts(url)
    build(url, progress=False)
    second = row_counts(url)
    assert first == second
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            for name in TABLES:
                distinct = connection.execute(text(  # PostgreSQL < 16 needs the alias
                    f'SELECT COUNT(*) FROM (SELECT DISTINCT * FROM "{name}") AS rows')).scalar()
                assert distinct == second[name], f"duplicate rows in {name}"
    finally:
        engine.dispose()


@pytest.mark.parametrize("table", [
    "local_authority", "la_code_change", "rcc", "rcc_membership", "population", "cla_count",
    "lait_indicator", "cla_characteristic", "new_placement", "childrens_home", "ro3_expenditure",
    "cost_benchmark", "boundary", "data_release", "statistical_neighbour", "region",
])
def test_every_table_is_populated(built_url, table):
    """Every page reads one of these tables; an empty one would mean a silently missing source."""
    assert row_counts(built_url)[table] > 0


def test_every_dataset_has_provenance(built_url):
    """Each chart's source line reads publisher, URL, licence and checksum from data_release."""
    rows = {row.dataset: row for row in releases_as_records(built_url)}
    assert set(rows) == {d.key for d in DATASETS}
    for dataset in DATASETS:
        row = rows[dataset.key]
        assert row.publisher == dataset.publisher and row.publisher
        assert row.url == dataset.url and row.url
        assert row.licence == dataset.licence and row.licence
        assert re.fullmatch(r"[0-9a-f]{64}", row.checksum), row.checksum
        assert row.checksum == dataset_checksum(dataset)
        assert row.loaded_at is not None


def releases_as_records(url: str):
    """data_release rows with attribute access."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(select(schema.DataRelease)))
    finally:
        engine.dispose()


def test_default_rccs(engine):
    """Ten default RCCs: nine regional ones plus the Greater Manchester pathfinder."""
    with engine.connect() as connection:
        rccs = connection.execute(select(schema.Rcc.id, schema.Rcc.name)).all()
        gm = set(connection.execute(select(schema.RccMembership.la_code).where(
            schema.RccMembership.rcc_id == "greater-manchester")).scalars())
    assert len(rccs) == 10
    assert ("greater-manchester", "Greater Manchester") in rccs
    assert gm == GREATER_MANCHESTER


def test_every_current_la_is_in_exactly_one_rcc(engine):
    """An LA in no RCC (or two) would vanish from (or double in) RCC totals."""
    with engine.connect() as connection:
        current = list(connection.execute(select(schema.LocalAuthority.code).where(
            schema.LocalAuthority.is_current.is_(True))).scalars())
        members = list(connection.execute(select(schema.RccMembership.la_code)).scalars())
    assert len(current) == 153
    assert sorted(members) == sorted(current)


def test_childrens_homes_store_no_names_or_addresses(engine):
    """Ofsted's list names homes and their addresses; the store must never keep them."""
    columns = [c["name"] for c in inspect(engine).get_columns("childrens_home")]
    for word in ("name", "address", "postcode", "constituency"):
        assert not [c for c in columns if word in c], (word, columns)


def test_childrens_homes_match_ofsted_file(engine):
    """Every Ofsted home is loaded and the places total is the published one."""
    with (OPEN_DATA / HOMES).open(encoding="utf-8-sig", newline="") as handle:
        expected = sum(int(row["places"]) for row in csv.DictReader(handle))
    with engine.connect() as connection:
        count, places = connection.execute(
            text("SELECT COUNT(*), SUM(places) FROM childrens_home")).one()
    assert count == 3119
    assert places == expected


# --- a bad source stops the build and leaves the database as it was ------------------------

def read_rows(path: Path) -> list[list[str]]:
    """A CSV as lists of cells (line n of the file is item n - 1: no cell spans lines)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    """Write rows back as UTF-8 CSV."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def missing_file(root: Path):
    """Delete the population file."""
    (root / POPULATION).unlink()
    return POPULATION, None, None, "missing"


def missing_column(root: Path):
    """Drop children_count from the CLA counts file."""
    rows = read_rows(root / CLA)
    drop = rows[0].index("children_count")
    write_rows(root / CLA, [row[:drop] + row[drop + 1:] for row in rows])
    return CLA, 1, None, "children_count"


def bad_token(root: Path):
    """Manchester's 2025 count becomes 'abc'."""
    rows = read_rows(root / CLA)
    header = rows[0]
    line = next(n for n, row in enumerate(rows, start=1)
                if row[header.index("new_la_code")] == "E08000003"
                and row[header.index("time_period")] == "2025"
                and row[header.index("population_type")].startswith("Children looked after on"))
    rows[line - 1][header.index("children_count")] = "abc"
    write_rows(root / CLA, rows)
    return CLA, line, "children_count", "'abc'"


def unknown_la(root: Path):
    """The 100th Ofsted home is filed under an LA code that does not exist."""
    rows = read_rows(root / HOMES)
    rows[99][rows[0].index("new_la_code")] = "E06999999"
    write_rows(root / HOMES, rows)
    return HOMES, 100, "new_la_code", "E06999999"


def duplicate_row(root: Path):
    """The CLA file states its first figure twice (a copy appended at the end)."""
    rows = read_rows(root / CLA)
    write_rows(root / CLA, rows + [rows[1]])
    return CLA, len(rows) + 1, None, "duplicate"


def header_only(root: Path):
    """The cost benchmarks file has its header and no rows."""
    rows = read_rows(root / BENCHMARKS)
    write_rows(root / BENCHMARKS, rows[:1])
    return BENCHMARKS, 2, None, "no data rows"


def empty_file(root: Path):
    """The CLA file is zero bytes."""
    (root / CLA).write_bytes(b"")
    return CLA, None, None, "is empty"


def not_utf8(root: Path):
    """Latin-1 junk bytes in the middle of the Ofsted homes file."""
    raw = (root / HOMES).read_bytes()
    middle = len(raw) // 2
    (root / HOMES).write_bytes(raw[:middle] + "\xff\xfe junk caf\xe9".encode("latin-1")
                               + raw[middle:])
    return HOMES, None, None, "not UTF-8"


def malformed_geojson(root: Path):
    """The regions GeoJSON is cut off mid-document."""
    raw = (root / REGIONS_GEOJSON).read_bytes()
    (root / REGIONS_GEOJSON).write_bytes(raw[: len(raw) // 2])
    return REGIONS_GEOJSON, None, None, "GeoJSON"


def truncated_csv(root: Path):
    """The CLA file is cut half way through, mid-line; the partial last line is reported."""
    raw = (root / CLA).read_bytes()
    cut = raw[: len(raw) // 2]
    assert not cut.endswith(b"\n")
    (root / CLA).write_bytes(cut)
    return CLA, cut.count(b"\n") + 1, None, ""


BAD_SOURCES = [missing_file, missing_column, bad_token, unknown_la, duplicate_row, header_only,
               empty_file, not_utf8, malformed_geojson, truncated_csv]


@pytest.fixture
def previous_store(open_copy, fresh_url) -> str:
    """A store built from the (still good) copy of the open data, before it is corrupted."""
    url = fresh_url
    build(url, progress=False)
    return url


@pytest.mark.parametrize("corrupt", BAD_SOURCES, ids=lambda f: f.__name__)
def test_bad_source_stops_build_and_leaves_store_unchanged(open_copy, previous_store, corrupt):
    """A bad file is named (with row and column) and the last good database is untouched
    (on SQLite, byte for byte)."""
    path = sqlite_path(previous_store)
    counts, release = row_counts(previous_store), releases(previous_store)
    digest = sha256(path) if path is not None else None
    rel, row, column, words = corrupt(open_copy)

    with pytest.raises(SourceError) as caught:
        build(previous_store, progress=False)

    error = caught.value
    assert error.file == rel and str(error).startswith(rel)
    assert words in str(error)
    if row is not None:
        assert error.row == row and f"row {row}" in str(error)
    if column is not None:
        assert error.column == column and f"column '{column}'" in str(error)
    assert row_counts(previous_store) == counts
    assert releases(previous_store) == release
    if path is not None:
        assert sha256(path) == digest
        assert not list(path.parent.glob("*.corrupt-*"))


def test_truncated_file_with_blank_tolerant_columns_is_rejected(open_copy):
    """A file cut mid-line loses rows; the build must say so even when blanks are allowed."""
    raw = (open_copy / RO3).read_bytes()
    (open_copy / RO3).write_bytes(raw[: len(raw) // 2])
    try:
        read_all(progress=False)
    except SourceError as error:
        assert error.file == RO3
    else:
        raise AssertionError("a truncated RO3 file was loaded without complaint")


def test_non_utf8_error_gives_the_offset_in_the_file(open_copy):
    """The byte offset in the message must lead someone to the bad bytes in the file."""
    raw = (open_copy / HOMES).read_bytes()
    middle = len(raw) // 2
    assert middle > 1 << 18 and not raw.startswith(b"\xef\xbb\xbf")
    (open_copy / HOMES).write_bytes(raw[:middle] + b"\xff\xfe junk" + raw[middle:])
    with pytest.raises(SourceError) as caught:
        read_all(progress=False)
    assert f"(byte {middle}:" in str(caught.value), str(caught.value)
    assert caught.value.row == raw[:middle].count(b"\n") + 1


@pytest.mark.sqlite_only
def test_corrupt_database_is_moved_aside_and_rebuilt(tmp_path):
    """An unreadable SQLite file is kept (renamed), never deleted, and a fresh store is built."""
    path = tmp_path / "rcc.sqlite"
    garbage = b"this is not a database\x00\xff" * 200
    path.write_bytes(garbage)

    counts = build(f"sqlite:///{path}", progress=False)

    assert counts["childrens_home"] == 3119
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("rcc.sqlite.corrupt-")]
    assert len(aside) == 1
    assert aside[0].read_bytes() == garbage
    assert len(releases(f"sqlite:///{path}")) == len(DATASETS)


def test_if_stale_on_current_store_does_nothing(built_url):
    """`make build` runs on every `make run`; an up-to-date store must not be rebuilt."""
    before = releases(built_url)
    result = run_cli("build", "--if-stale", "--quiet", url=built_url)
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stderr + result.stdout
    assert releases(built_url) == before


def test_migrations_match_schema(engine):
    """Alembic migrations and data/schema.py must describe the same tables and columns."""
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), schema.Base.metadata)
    assert diff == []
