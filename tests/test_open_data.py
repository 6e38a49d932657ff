"""Integrity of the vendored open data in data/open.

The app must show published figures exactly as released, so the vendored files are pinned
by SHA-256 in data/open/SHA256SUMS and documented in data/open/PROVENANCE.md. These tests
catch a file that was edited, added without a checksum, or added without provenance.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OPEN_DATA = ROOT / "data" / "open"
SUMS = OPEN_DATA / "SHA256SUMS"
PROVENANCE = OPEN_DATA / "PROVENANCE.md"
NOT_DATA = {SUMS.name, PROVENANCE.name}


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in blocks so large GeoJSON files stay cheap."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def listed_sums() -> dict[str, str]:
    """SHA256SUMS as {relative path: digest}; sha256sum's '*' binary marker is ignored."""
    sums = {}
    for line in SUMS.read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, rel = line.split(maxsplit=1)
            sums[rel.strip().lstrip("*")] = digest.lower()
    return sums


def data_files() -> list[str]:
    """Every vendored data file, as a POSIX path relative to data/open."""
    return sorted(p.relative_to(OPEN_DATA).as_posix() for p in OPEN_DATA.rglob("*")
                  if p.is_file() and p.relative_to(OPEN_DATA).as_posix() not in NOT_DATA)


def test_checksums_match():
    """A changed byte means a figure may no longer be the published one."""
    sums = listed_sums()
    assert sums, "SHA256SUMS lists no files"
    missing = [rel for rel in sums if not (OPEN_DATA / rel).is_file()]
    assert not missing, f"listed in SHA256SUMS but missing: {missing}"
    wrong = [rel for rel, digest in sums.items() if sha256(OPEN_DATA / rel) != digest]
    assert not wrong, f"checksum mismatch (file changed?): {wrong}"


def test_every_file_has_a_checksum():
    """A file with no checksum could be swapped or edited without anyone noticing."""
    unlisted = [rel for rel in data_files() if rel not in listed_sums()]
    assert not unlisted, f"in data/open but not in SHA256SUMS: {unlisted}"


def test_every_file_has_provenance():
    """Every vendored file must say where it came from and under what licence."""
    text = PROVENANCE.read_text(encoding="utf-8")
    undocumented = [rel for rel in data_files() if rel not in text]
    assert not undocumented, f"not named in PROVENANCE.md: {undocumented}"
