"""Board packs: make one (freeze the data version, cut every table, draw the figures, lay out
the PDF and write the XLSX), store it, list and read stored ones, and the command
``python -m data pack --rcc ID --date YYYY-MM-DD``.

Making a pack is all or nothing: everything is made in memory first and the pack is
stored in one transaction only when every part succeeded, then recorded in the audit
trail. A pack link (``/board_pack?pack=ID``) reopens the stored files and manifest.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, insert, select

from analysis import access
from analysis.access import Viewer
from components import pack_render
from components.source import source_line
from analysis import geometry
from data import audit, map_tables, pack_manifest, pack_tables, pack_workbook, tables
from data import schema as s
from data.errors import UserInputError
from data.store import check_ready, make_engine

LIST_COLUMNS = ["id", "rcc", "meeting_date", "made_by", "made_at", "data_version"]


@dataclass
class Made:
    """A pack as made: its stored id, manifest, files, and seconds per stage."""

    id: int
    manifest: dict
    pdf: bytes
    xlsx: bytes
    seconds: dict[str, float] = field(default_factory=dict)


class Stages:
    """Times each stage of making a pack and reports its start (``progress``)."""

    def __init__(self, progress) -> None:
        self.progress = progress
        self.seconds: dict[str, float] = {}
        self.started = time.perf_counter()
        self.current: str | None = None

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        if self.current is not None:
            self.seconds[self.current] = now - self.started
        self.current, self.started = name, now
        self.progress(name)

    def done(self) -> dict[str, float]:
        self("")
        self.seconds.pop("", None)
        return self.seconds


def figures(engine: Engine, manifest: dict, found: list[pack_tables.Section]) -> dict:
    """The pack's figures (PNG) by section key: the map and the bars of the LAs' rates."""
    rates = next(t.frame for section in found for t in section.tables
                 if t.name == "scope-comparison")
    summary = next(t.frame for section in found for t in section.tables if t.name == "overview")
    england = summary.set_index("measure")["england_value"].get("Rate per 10,000 children")
    releases = tables.releases(engine)
    year = manifest["year"]
    source = source_line(releases, ["cla_count", "population", "boundaries"],
                         f"31 March {year}. Rate computed by RCC Insight")
    boundaries = map_tables.boundaries(engine, "la")
    collection = geometry.feature_collection(boundaries[boundaries["code"].isin(rates["code"])])
    title = f"Children looked after per 10,000 children, 31 March {year}"
    drawn = pack_render.pngs([pack_render.rate_map(collection, rates, title, source),
                              pack_render.rate_bars(rates, england, f"{title}, by LA",
                                                    source)])
    return {"map": drawn}


def make_pack(engine: Engine, rcc_id: str, meeting, viewer: Viewer, *,
              parts: pack_tables.Parts | None = None,
              progress=lambda _: None) -> Made:
    """Make, store and audit one pack for ``rcc_id``'s meeting on ``meeting`` (a date or
    YYYY-MM-DD). Raises AccessDenied if the viewer may not make packs or see the RCC's
    case-level figures, UserInputError for an unknown RCC or bad date; nothing is stored
    unless every part was made."""
    access.require_action(viewer, access.MAKE_PACK)
    stages = Stages(progress)
    stages("freezing the data version")
    manifest = pack_manifest.freeze(engine, rcc_id, meeting, viewer.who)
    access.require(viewer, access.AGGREGATE, "rcc", rcc_id)
    found = pack_tables.sections(engine, manifest, parts, stages)
    synthetic = manifest["synthetic"] = manifest["synthetic"] or pack_tables.any_synthetic(found)
    stages("figures")
    drawn = figures(engine, manifest, found)
    stages("PDF")
    pdf = pack_render.pdf(pack_render.document(manifest, found, drawn, synthetic))
    stages("XLSX")
    xlsx = pack_workbook.workbook(manifest, pack_tables.every_table(found), synthetic)
    stages("storing")
    pack_id = store(engine, manifest, pdf, xlsx)
    audit.record(engine, viewer, "pack", {"pack": pack_id, "rcc": rcc_id,
                                          "meeting_date": manifest["meeting_date"]})
    return Made(pack_id, manifest, pdf, xlsx, stages.done())


def store(engine: Engine, manifest: dict, pdf: bytes, xlsx: bytes) -> int:
    """Store a made pack in one transaction; returns its id."""
    row = {"rcc_id": manifest["rcc"]["id"],
           "meeting_date": datetime.fromisoformat(manifest["meeting_date"]).date(),
           "created_at": datetime.fromisoformat(manifest["made_at"]),
           "created_by": manifest["made_by"][:254], "manifest": json.dumps(manifest),
           "pdf": pdf, "xlsx": xlsx}
    with engine.begin() as connection:
        return int(connection.execute(insert(s.BoardPack).values(**row))
                   .inserted_primary_key[0])


def packs(engine: Engine, rcc_ids=None) -> pd.DataFrame:
    """The packs made, newest first (only ``rcc_ids``' if given): id, RCC, meeting date,
    made by and at, and the data version they froze (``python -m data export packs``)."""
    b = s.BoardPack
    query = select(b.id, b.rcc_id, b.meeting_date, b.created_by, b.created_at,
                   b.manifest).order_by(b.created_at.desc(), b.id.desc())
    if rcc_ids is not None:
        query = query.where(b.rcc_id.in_(sorted(rcc_ids)))
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return pd.DataFrame([{
        "id": row.id, "rcc": row.rcc_id, "meeting_date": row.meeting_date,
        "made_by": row.created_by, "made_at": row.created_at,
        "data_version": version_words(json.loads(row.manifest)["data_version"])}
        for row in rows], columns=LIST_COLUMNS)


def version_words(version: dict) -> str:
    """A data version in one line: the build and the newest case-level import."""
    return f"build {version['built_at']}, import #{version['case_import']}"


@dataclass(frozen=True)
class Stored:
    """A stored pack: id, RCC, manifest, PDF and XLSX."""

    id: int
    rcc_id: str
    manifest: dict
    pdf: bytes
    xlsx: bytes


def read_pack(engine: Engine, pack_id, viewer: Viewer) -> Stored:
    """A stored pack, if the viewer may see its RCC's case-level figures (AccessDenied
    otherwise); a UserInputError if there is no such pack."""
    try:
        wanted = int(pack_id)
    except (TypeError, ValueError):
        raise UserInputError(f"No board pack '{pack_id}': a pack's number is a whole "
                             "number.") from None
    b = s.BoardPack
    with engine.connect() as connection:
        row = connection.execute(select(b.id, b.rcc_id, b.manifest, b.pdf, b.xlsx)
                                 .where(b.id == wanted)).first()
    if row is None:
        raise UserInputError(f"No board pack number {wanted} has been made.")
    access.require(viewer, access.AGGREGATE, "rcc", row.rcc_id)
    return Stored(row.id, row.rcc_id, json.loads(row.manifest), row.pdf, row.xlsx)


def file_stem(manifest: dict) -> str:
    """``<rcc>-<date>``: the pack's file names without extension."""
    return f"{manifest['rcc']['id']}-{manifest['meeting_date']}"


# --- the command line: python -m data pack ---------------------------------------------------

def add_pack_command(commands) -> None:
    """Add ``pack`` to the CLI's subcommands."""
    pack = commands.add_parser("pack", help="make a board pack (PDF + XLSX) for an RCC's "
                               "meeting, frozen at today's data, and store it")
    pack.add_argument("--rcc", required=True, help="the RCC's id, e.g. greater-manchester")
    pack.add_argument("--date", required=True, metavar="YYYY-MM-DD",
                      help="the board meeting's date")
    pack.add_argument("--out", default=".", help="folder for <rcc>-<date>.pdf/.xlsx "
                      "(default: the current folder)")


def run_pack(args: argparse.Namespace) -> int:
    """Make a pack, write its files, print its id, link and the time taken."""
    started = time.perf_counter()
    out = Path(args.out)
    if not out.is_dir():
        raise UserInputError(f"--out {args.out} is not a folder.")
    engine = make_engine()
    check_ready(engine)
    pack_manifest.checked_rcc(engine, args.rcc)
    pack_manifest.checked_meeting(args.date)
    made = make_pack(engine, args.rcc, args.date, access.COMMAND_LINE,
                     progress=lambda stage: stage and print(f"… {stage}", file=sys.stderr))
    stem = out / file_stem(made.manifest)
    stem.with_suffix(".pdf").write_bytes(made.pdf)
    stem.with_suffix(".xlsx").write_bytes(made.xlsx)
    print(f"Board pack {made.id}: {stem}.pdf, {stem}.xlsx")
    print(f"Link: /board_pack?pack={made.id}")
    print(f"Made in {time.perf_counter() - started:.1f} s.", file=sys.stderr)
    return 0

