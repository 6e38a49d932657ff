"""The fee disclosure family: no count of 1-4 shown, shown counts true, statistics only on
5 or more placements, and an attacker holding every LA, RCC, region and England table of
every breakdown at once pins no hidden count of 1-4. The attacker's equations are built
here from the fee frame, independently of the family's own lines, and solved with numpy
(a hidden cell is pinned when it is constant over the null space of the equations)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.fee_cap import REFERENCE_CAP

from analysis import fee_cap
from analysis.disclosure import SUPPRESSED
from analysis.fee_family import block_knowledge, block_recoverable, build_family
from analysis.disclosure import Line, known_combinations, recoverable
from analysis.scope import Scope
from data import fee_cap_tables, fee_frame
from data.errors import UserInputError
from data.store import make_engine

CAP = 10.0


@pytest.fixture(scope="module")
def store(cohort_url):
    engine = make_engine(cohort_url)
    frame = fee_frame.fee_frame(engine)
    rcc_of, region_of = fee_cap_tables.geography(engine)
    family = build_family(frame, CAP, rcc_of, region_of)
    yield frame, rcc_of, region_of, family
    engine.dispose()


def value_columns(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """Each breakdown's value per placement, as the agreed names define them (None: the
    placement is in no shown cell of it; "?": in the cell a reader never sees)."""
    where = {c: frame[c].map({True: "inside", False: "outside"}).fillna("?")
             for c in ("inside_la", "inside_rcc")}
    status = fee_cap.cap_status(frame, CAP)
    return {"all": pd.Series("all", index=frame.index),
            **{c: frame[c] for c in ("sector", "provider_size", "placement", "cohort")},
            "cap": status,
            "cohort_inside_la": pd.Series(list(zip(frame["cohort"], where["inside_la"])),
                                          index=frame.index),
            "cohort_inside_rcc": pd.Series(list(zip(frame["cohort"], where["inside_rcc"])),
                                           index=frame.index),
            "cap_provider": frame["provider_id"].fillna("?").where(status == "above")}


def area_of(frame, rcc_of, region_of) -> dict[Scope, pd.Series]:
    """Which placements each area holds."""
    out = {Scope(): pd.Series(True, index=frame.index)}
    for la in region_of:
        out[Scope("la", la)] = frame["la_code"] == la
    for rcc in {r for r in rcc_of.values() if r}:
        out[Scope("rcc", rcc)] = frame["la_code"].map(rcc_of) == rcc
    for region in set(region_of.values()):
        out[Scope("region", region)] = frame["la_code"].map(region_of) == region
    return out


def true_cells(frame, rcc_of, region_of) -> dict:
    """(area, breakdown, value) -> placements, for every value met anywhere."""
    cells = {}
    values = value_columns(frame)
    for area, mask in area_of(frame, rcc_of, region_of).items():
        for name, column in values.items():
            counts = column[mask].value_counts()
            for value in column.dropna().unique():
                cells[(area, name, value)] = int(counts.get(value, 0))
    return cells


def relations(cells: dict, rcc_of, region_of) -> list[tuple[list, object]]:
    """Every sum a reader knows: LAs to RCC, to region, all LAs to England, for each value;
    each breakdown's values to the area's placements; a cohort's inside, outside and
    unknown to the cohort; providers above the cap to the area's placements above."""
    out = []
    by_value: dict = {}
    for (area, name, value) in cells:
        by_value.setdefault((name, value), []).append(area)
    for name, value in by_value:
        out.append(([(Scope("la", la), name, value) for la in region_of],
                    (Scope(), name, value)))
        for rcc in {r for r in rcc_of.values() if r}:
            out.append(([(Scope("la", la), name, value) for la in region_of
                         if rcc_of.get(la) == rcc], (Scope("rcc", rcc), name, value)))
        for region in set(region_of.values()):
            out.append(([(Scope("la", la), name, value) for la, r in region_of.items()
                         if r == region], (Scope("region", region), name, value)))
    grouped: dict = {}
    for key in cells:
        grouped.setdefault((key[0], key[1]), []).append(key)
    for (area, name), keys in grouped.items():
        if name in ("sector", "provider_size", "placement", "cohort", "cap"):
            out.append((keys, (area, "all", "all")))
        elif name in ("cohort_inside_la", "cohort_inside_rcc"):
            for cohort in {k[2][0] for k in keys}:
                out.append(([k for k in keys if k[2][0] == cohort], (area, "cohort", cohort)))
        elif name == "cap_provider":
            out.append((keys, (area, "cap", "above")))
    return out


def pinned(cells: dict, shown: dict, sums: list) -> list:
    """Hidden cells of 1-4 that the equations determine (null-space test)."""
    unknown = [k for k in cells if shown[k] == SUPPRESSED]
    column = {k: i for i, k in enumerate(unknown)}
    rows = []
    for members, total in sums:
        row = np.zeros(len(unknown))
        for k in members:
            if k in column:
                row[column[k]] += 1
        if total in column:
            row[column[total]] -= 1
        if row.any():
            rows.append(row)
    _, singular, vt = np.linalg.svd(np.array(rows), full_matrices=False)
    span = vt[singular > 1e-9 * singular.max()]
    in_span = (span ** 2).sum(axis=0)  # 1 exactly when the unit vector is in the row space
    return [k for k in unknown if 1 <= cells[k] <= 4 and in_span[column[k]] > 1 - 1e-8]

def test_no_count_of_1_to_4_is_shown_and_shown_counts_are_true(store):
    frame, rcc_of, region_of, family = store
    cells = true_cells(frame, rcc_of, region_of)
    for (area, name, value), count in cells.items():
        if value == "?" or (isinstance(value, tuple) and value[1] == "?"):
            continue
        shown = family.shown_count(area, name, value)
        assert shown == SUPPRESSED or (shown == count and not 1 <= count <= 4), \
            (area, name, value, count, shown)
        assert family.may_describe(area, name, value) == (shown != SUPPRESSED and shown >= 5)
    assert any(family.shown_count(*key) == SUPPRESSED for key in cells)  # it had work
    assert not family.withheld  # settled without withholding anything


@pytest.fixture(scope="module")
def north_east(store):
    """The family of the North East's LAs alone (the attacker's SVD stays small): its
    placements, geography, family, true cells and the sums a reader knows."""
    frame, rcc_of, region_of, _ = store
    region_of = {la: r for la, r in region_of.items() if r == "E12000001"}
    frame = frame[frame["la_code"].isin(set(region_of))]
    cells = true_cells(frame, rcc_of, region_of)
    return (frame, build_family(frame, CAP, rcc_of, region_of), cells,
            relations(cells, rcc_of, region_of))


def test_an_attacker_with_every_table_pins_no_hidden_count(north_east):
    frame, family, cells, sums = north_east
    assert len(frame) > 1000
    shown = {k: (SUPPRESSED if (k[2] == "?" or (isinstance(k[2], tuple) and k[2][1] == "?"))
                 else family.shown_count(*k)) for k in cells}
    assert any(value == SUPPRESSED for value in shown.values())
    assert pinned(cells, shown, sums) == []


def test_the_attacker_finds_what_primary_suppression_alone_would_give_away(north_east):
    """The check above has teeth: hiding only the counts of 1-4 leaves some pinned."""
    _, _, cells, sums = north_east
    naive = {k: (SUPPRESSED if 1 <= v <= 4 or k[2] == "?" or
                 (isinstance(k[2], tuple) and k[2][1] == "?") else v)
             for k, v in cells.items()}
    assert pinned(cells, naive, sums)


def test_statistics_need_five_placements_behind_them(store):
    frame, rcc_of, region_of, family = store
    for la in sorted(set(frame["la_code"]))[:5]:
        scope = Scope("la", la)
        rows = frame[frame["la_code"] == la]
        table = fee_cap.make_up(rows, allowed=lambda g, at=scope: family.may_describe(
            at, "placement", g))
        for group, described in zip(table["group"], table["placements"]):
            assert described >= 5
            assert family.shown_count(scope, "placement", group) >= 5


def test_an_empty_frame_shows_zeros_and_describes_nothing(store):
    frame, rcc_of, region_of, _ = store
    family = build_family(frame.iloc[:0], CAP, rcc_of, region_of)
    assert family.shown_count(Scope(), "all", "all") == 0
    assert not family.may_describe(Scope(), "cap", "above")
    with pytest.raises(KeyError):
        family.shown_count(Scope(), "no such breakdown", "x")


def test_block_recoverable_agrees_with_the_plain_audit():
    """On a random block system, the structured audit answers as disclosure.recoverable."""
    rng = np.random.default_rng(3)
    for _ in range(20):
        n = 30
        hidden = rng.random(n) < 0.6
        blocks = [Line(tuple(int(c) for c in rng.choice(range(b, b + 6), 3, replace=False)),
                       b + 5 if rng.random() < 0.5 else None) for b in range(0, 24, 6)]
        blocks = [Line(tuple(m for m in line.members if m != line.total), line.total)
                  for line in blocks]
        coupling = [Line(tuple(int(c) for c in rng.choice(n, 4, replace=False)), None)
                    for _ in range(3)]
        expected = recoverable(hidden, blocks + coupling)
        assert (block_recoverable(hidden, blocks, coupling, None, hidden) == expected).all()


def test_the_cap_breaches_export_goes_through_the_family(store, cohort_url):
    frame, _, _, family = store
    engine = make_engine(cohort_url)
    try:
        reference = fee_cap_tables.cap_breaches_export(engine, "rcc")  # no cap set yet
        assert set(reference["cap_percent"]) <= {REFERENCE_CAP}
        with pytest.raises(UserInputError, match="--level"):
            fee_cap_tables.cap_breaches_export(engine, "ward", percent=CAP)
        table = fee_cap_tables.cap_breaches_export(engine, "rcc", percent=CAP)
    finally:
        engine.dispose()
    assert table.attrs["synthetic"]
    gm = table[table["area_code"] == "greater-manchester"]
    counts = gm["Placements above the cap"]
    assert len(gm) == frame[(frame["rcc"] == "greater-manchester") & (
        fee_cap.cap_status(frame, CAP) == "above")]["provider_id"].nunique()
    assert all(c == SUPPRESSED or c >= 5 for c in counts)
    amounts = gm["Amount above the cap, £ a week"]
    assert all((a == SUPPRESSED) == (c == SUPPRESSED or c < 5) for a, c in zip(amounts, counts))
    assert counts.tolist() == [family.shown_count(Scope("rcc", "greater-manchester"),
                                                  "cap_provider", p) for p in gm["Provider"]]


def test_block_knowledge_agrees_with_known_combinations():
    """What a block system tells about cells outside its blocks, as disclosure finds it."""
    rng = np.random.default_rng(5)
    for _ in range(20):
        n = 30  # blocks over cells 0-23, coupling lines reach 24-29 too
        hidden = rng.random(n) < 0.7
        blocks = [Line(tuple(int(c) for c in rng.choice(range(b, b + 5), 3, replace=False)),
                       b + 5) for b in range(0, 24, 6)]
        coupling = [Line(tuple(int(c) for c in rng.choice(n, 4, replace=False)), None)
                    for _ in range(4)]
        of = hidden & (np.arange(n) >= 24)
        mine = block_knowledge(hidden, blocks, coupling, of)
        theirs = known_combinations(hidden, blocks + coupling, of)
        both = np.vstack([mine, theirs])
        ranks = [np.linalg.matrix_rank(m) if len(m) else 0 for m in (mine, theirs, both)]
        assert ranks[0] == ranks[1] == ranks[2]
