"""Every count of placements the fee sections of the Costs page show, protected together so
that no combination of them gives back a count of 1 to 4.

Why together: the fee tables overlap. Each breakdown's values add up to the area's
placements ("all"); each cohort's placements inside and outside the LA (or RCC), with
those not known, add up to the cohort's; the providers above the cap add up to the area's
placements above it; and every LA count adds up to its RCC's, its region's and England's.
A reader holding several tables can subtract one from another, so every count is a cell
of one family, with those sums as ``disclosure.Line``s, suppressed with
``disclosure.protect`` and audited as a whole.

Cells: (area, breakdown, value), at every LA, RCC, region and England (``analysis.scope``
areas). Breakdowns (the names the panels ask by): "all"; "sector"; "provider_size";
"placement"; "cohort"; "cohort_inside_la" and "cohort_inside_rcc" ((cohort, "inside" |
"outside"); placements not known to be either are a latent cell, never shown, so the
sum still holds); "cap" ("above" | "within" | "not declared", against the cap the family
was built for); "cap_provider" (provider id: placements above the cap, by provider,
registered for providers above the cap only; above-cap placements with no provider are a
latent cell). RCCs lie within regions, so the area sums are: an RCC's LAs to the RCC; a
region's RCCs and its LAs in no RCC to the region; the regions to England.

How it scales (England: ~73,000 placements, 153 LAs, ~3,600 providers): the family is
protected in stages that share only the "all" and "cap" cells (the *base* stage): each
other breakdown (the cohort breakdowns together) is protected given what the base and
the other stages let a reader work out about the hidden base cells
(``disclosure.known_combinations``, handed over as extra equations), round after round
until no stage changes: then each stage has been protected against everything the others
give away. Providers are many; each provider's cells (its areas, tied by the area sums) are
protected on their own, and the area sums across providers (an area's providers add up to
its placements above the cap) are audited together by ``block_recoverable``, which
projects out each provider's own equations so the audit costs one small decomposition
per provider plus one over the area sums; a provider cell that can still be worked out
gets a partner hidden and its provider protected again; what the providers' tables tell
about hidden base cells (``block_knowledge``) goes back to the stages, round after round,
until it no longer grows. England's synthetic store (72,839 placements) protects in about
6 s on one BLAS thread (as app.py and the Makefile run it). Should the breakdown stages not
settle in ``ROUNDS`` rounds, or the providers not settle, those counts are withheld (all
"c", ``withheld`` set): safe by construction. As in ``analysis.disclosure``,
only exact recovery (and zeros pinned by non-negativity within a stage) is prevented.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import connected_components

from analysis import disclosure
from analysis.disclosure import Line
from analysis.fee_cap import ABOVE, STATUSES, cap_status
from analysis.placement_family import Cells
from analysis.scope import Scope

ALL = "all"
INSIDE, OUTSIDE, UNKNOWN = "inside", "outside", "unknown"
NO_PROVIDER = "no provider recorded"
PARTITIONS = ("sector", "provider_size", "placement", "cohort", "cap")
INSIDE_BREAKDOWNS = {"cohort_inside_la": "inside_la", "cohort_inside_rcc": "inside_rcc"}
BREAKDOWNS = (ALL, *PARTITIONS, *INSIDE_BREAKDOWNS, "cap_provider")
#: The stages protected in turn: the base, then each group of breakdowns tied only to it.
STAGES = ((ALL, "cap", "cohort"), ("sector",), ("provider_size",), ("placement",),
          *((name,) for name in INSIDE_BREAKDOWNS))
ROUNDS = 6
ENGLAND = Scope()


@dataclass
class Geography:
    """The areas and how they add up: LA -> RCC (if any) -> region -> England."""

    rcc_of: dict[str, str | None]
    region_of: dict[str, str]
    las: list[str] = field(init=False)

    def __post_init__(self):
        self.las = sorted(self.region_of)
        self.rccs = sorted({r for la, r in self.rcc_of.items() if r and la in self.region_of})
        self.regions = sorted(set(self.region_of.values()))
        self.area_sums = self.sums()

    def areas(self) -> list[Scope]:
        """Every area, LAs first and England last."""
        return ([Scope("la", la) for la in self.las] + [Scope("rcc", r) for r in self.rccs]
                + [Scope("region", r) for r in self.regions] + [ENGLAND])

    def sums(self) -> list[tuple[list[Scope], Scope]]:
        """(members, total) for every area sum."""
        out = []
        for rcc in self.rccs:
            out.append(([Scope("la", la) for la in self.las if self.rcc_of.get(la) == rcc],
                        Scope("rcc", rcc)))
        for region in self.regions:
            rccs = {self.rcc_of.get(la) for la in self.las if self.region_of[la] == region}
            members = [Scope("rcc", r) for r in sorted(r for r in rccs if r)]
            members += [Scope("la", la) for la in self.las
                        if self.region_of[la] == region and not self.rcc_of.get(la)]
            out.append((members, Scope("region", region)))
        out.append(([Scope("region", r) for r in self.regions], ENGLAND))
        return out

    def la_areas(self, la: str) -> list[Scope]:
        """The areas an LA's placements count in."""
        areas = [Scope("la", la)]
        if self.rcc_of.get(la):
            areas.append(Scope("rcc", self.rcc_of[la]))
        return areas + [Scope("region", self.region_of[la]), ENGLAND]


def counts_by_area(rows: pd.DataFrame, value: pd.Series, geo: Geography) -> dict:
    """(area, value) -> placements, summed from LA counts up to every area."""
    by_la = pd.Series(1, index=rows.index).groupby([rows["la_code"], value]).sum()
    out: dict = {}
    for (la, val), n in by_la.items():
        if la in geo.region_of:
            for area in geo.la_areas(la):
                out[(area, val)] = out.get((area, val), 0) + int(n)
    return out


@dataclass
class Stage:
    """One stage's cells and lines; ``base``: the base cells it registers, by index."""

    cells: Cells
    lines: list[Line]
    base: dict  # key -> index of base cells in this stage


class FeeFamily:
    """The protected fee counts (module docstring). ``frame``: the fee frame (or a scope's
    rows of it, for a family of those LAs); ``cap_percent``: the cap placements are counted
    above or within; ``rcc_of`` / ``region_of``: each current LA's RCC id (or None) and
    region code."""

    def __init__(self, frame: pd.DataFrame, cap_percent: float, rcc_of: dict,
                 region_of: dict):
        self.cap_percent = float(cap_percent)
        self.synthetic = disclosure.uses_synthetic(frame)
        self.geo = Geography(dict(rcc_of), dict(region_of))
        rows = frame[frame["la_code"].isin(set(self.geo.region_of))].copy()
        rows["cap"] = cap_status(rows, self.cap_percent).to_numpy()
        self.rows = rows
        self.values = self.breakdown_values()
        self.domains: dict[str, list] = {}
        self.shown_cells: dict = {}
        self.withheld = False  # True if the breakdowns had to be withheld (``protect``)
        self.protect()

    # --- the cells -------------------------------------------------------------------------

    def breakdown_values(self) -> dict[str, pd.Series]:
        """Each breakdown's value for every placement (None: in no cell of it)."""
        rows = self.rows
        values = {ALL: pd.Series(ALL, index=rows.index)}
        for name in PARTITIONS:
            values[name] = rows[name].astype(object)
        for name, column in INSIDE_BREAKDOWNS.items():
            where = rows[column].map({True: INSIDE, False: OUTSIDE}).fillna(UNKNOWN)
            values[name] = pd.Series(list(zip(rows["cohort"], where)), index=rows.index)
        provider = rows["provider_id"].astype(object).where(rows["provider_id"].notna(),
                                                             NO_PROVIDER)
        values["cap_provider"] = provider.where(rows["cap"] == ABOVE)
        return values

    def domain(self, name: str) -> list:
        """Every value a breakdown registers (at every area, zeros included)."""
        if name not in self.domains:
            self.domains[name] = self.values_of(name)
        return self.domains[name]

    def values_of(self, name: str) -> list:
        """The values of a breakdown (``domain``, worked out once)."""
        if name == ALL:
            return [ALL]
        if name == "cap":
            return list(STATUSES)
        if name in INSIDE_BREAKDOWNS:
            return [(c, w) for c in sorted(self.rows["cohort"].dropna().unique())
                    for w in (INSIDE, OUTSIDE, UNKNOWN)]
        return sorted(self.values[name].dropna().unique(), key=str)

    @staticmethod
    def is_latent(name: str, value) -> bool:
        """Cells never shown: placements not known to be inside or outside, above-cap
        placements with no provider."""
        return (name in INSIDE_BREAKDOWNS and value[1] == UNKNOWN) or \
            (name == "cap_provider" and value == NO_PROVIDER)

    def register(self, cells: Cells, name: str, values: list, areas: list[Scope]) -> None:
        """Register a breakdown's cells for ``values`` at ``areas``."""
        counts = counts_by_area(self.rows, self.values[name].dropna(), self.geo) \
            if len(self.rows) else {}
        for value in values:
            for area in areas:
                cells.add((area, name, value), counts.get((area, value), 0),
                          latent=self.is_latent(name, value))

    def area_lines(self, cells: Cells, name: str, values: list) -> list[Line]:
        """Each value's area sums (LAs to RCC, to region, regions to England)."""
        return [Line(tuple(cells.index[(m, name, v)] for m in members),
                     cells.index[(total, name, v)])
                for v in values for members, total in self.geo.area_sums if members]

    def partition_lines(self, cells: Cells, name: str, areas: list[Scope]) -> list[Line]:
        """At each area, a breakdown's values adding up to their total: the area's "all"
        (cohort x inside: the cohort's cell; providers: the placements above the cap)."""
        lines = []
        for area in areas:
            if name in INSIDE_BREAKDOWNS:
                for cohort in self.domain("cohort"):
                    lines.append(Line(tuple(cells.index[(area, name, (cohort, w))]
                                            for w in (INSIDE, OUTSIDE, UNKNOWN)
                                            if (area, name, (cohort, w)) in cells.index),
                                      cells.index[(area, "cohort", cohort)]))
                continue
            total = (area, "cap", ABOVE) if name == "cap_provider" else (area, ALL, ALL)
            lines.append(Line(tuple(cells.index[(area, name, v)] for v in self.domain(name)),
                              cells.index[total]))
        return lines

    def stage(self, names: tuple[str, ...], base: Stage | None) -> Stage:
        """A stage's cells (the base cells it sums to first) and lines."""
        cells, areas = Cells(), self.geo.areas()
        base_index = {}
        if base is not None:
            for key, index in base.cells.index.items():
                base_index[key] = cells.add(key, base.cells.values[index])
        lines = []
        for name in names:
            self.register(cells, name, self.domain(name), areas)
        for name in names:
            lines += self.area_lines(cells, name, self.domain(name))
            if name != ALL:
                lines += self.partition_lines(cells, name, areas)
        return Stage(cells, lines, base_index)

    # --- protection --------------------------------------------------------------------------

    def protect(self) -> None:
        """Protect the base and the breakdown stages round after round until none changes
        (module docstring), then the providers; what the providers' tables tell about the
        hidden base cells sends the stages round again, until that no longer grows. Record
        what each cell shows."""
        base = self.stage(STAGES[0], None)
        others = [self.stage(names, base) for names in STAGES[1:]]
        n_base = len(base.cells.values)
        state = {"base": np.zeros(n_base, dtype=bool),
                 "stages": [np.zeros(len(s.cells.values), dtype=bool) for s in others],
                 "told": [np.zeros((0, n_base)) for _ in others]}
        from_providers = np.zeros((0, n_base))
        for _ in range(ROUNDS):
            self.settle_stages(base, others, state, from_providers)
            told = np.vstack(state["told"])
            hidden_providers, tells = self.protect_providers(base, state["base"], told)
            if rank(np.vstack([from_providers, tells])) == rank(from_providers):
                break
            from_providers = np.vstack([from_providers, tells])
        else:
            hidden_providers = None
        self.record(base.cells, state["base"])
        for stage, mask in zip(others, state["stages"]):
            self.record(stage.cells, mask, skip=set(stage.base))
        self.record_providers(hidden_providers)

    def settle_stages(self, base: Stage, others: list[Stage], state: dict,
                      from_providers: np.ndarray) -> None:
        """The base and each breakdown stage protected in turn, each given what all the
        others (the providers too) tell about the hidden base cells, until none changes;
        withheld (every breakdown count "c") if they never settle."""
        b_values, b_latent, _ = base.cells.arrays()
        told = state["told"]
        for _ in range(ROUNDS):
            before = state["base"].copy(), [h.copy() for h in state["stages"]]
            extra = np.vstack([*told, from_providers])
            state["base"] = disclosure.protect(b_values, base.lines, hidden=state["base"],
                                               latent=b_latent,
                                               extra=extra if len(extra) else None)
            for i, stage in enumerate(others):
                rest = np.vstack([t for j, t in enumerate(told) if j != i] + [from_providers])
                state["stages"][i] = self.protect_stage(stage, state["stages"][i],
                                                        state["base"], base, rest)
                told[i] = self.stage_tells(stage, state["stages"][i], base, len(b_values))
            if (state["base"] == before[0]).all() and all(
                    (h == b).all() for h, b in zip(state["stages"], before[1])):
                return
        state["stages"] = [np.ones(len(mask), dtype=bool) for mask in state["stages"]]
        self.withheld = True

    def protect_stage(self, stage: Stage, hidden: np.ndarray, hidden_base: np.ndarray,
                      base: Stage, told: np.ndarray) -> np.ndarray:
        """A breakdown stage, its base cells hidden as the base hides them (shown ones
        fixed), given what the base and the other stages tell about the hidden ones."""
        values, latent, _ = stage.cells.arrays()
        start, public = hidden.copy(), np.zeros(len(values), dtype=bool)
        for key, index in stage.base.items():
            source = base.cells.index[key]
            start[index] = hidden_base[source]
            public[index] = not hidden_base[source] and not base.cells.latent[source]
        of = hidden_base | base.cells.arrays()[1]
        known = disclosure.known_combinations(of, base.lines, of,
                                              told if len(told) else None)
        extra = self.to_stage(known, stage, base)
        return disclosure.protect(values, stage.lines, hidden=start, latent=latent,
                                  public=public, extra=extra if len(extra) else None)

    @staticmethod
    def to_stage(rows: np.ndarray, stage: Stage, base: Stage) -> np.ndarray:
        """Equations over the base cells moved onto a stage's cells."""
        out = np.zeros((len(rows), len(stage.cells.values)))
        for key, index in stage.base.items():
            out[:, index] = rows[:, base.cells.index[key]]
        return out

    @staticmethod
    def stage_tells(stage: Stage, hidden: np.ndarray, base: Stage, n_base: int) -> np.ndarray:
        """What a stage lets a reader work out about the hidden base cells, as equations
        over the base cells."""
        latent = stage.cells.arrays()[1]
        of = np.zeros(len(hidden), dtype=bool)
        of[list(stage.base.values())] = True
        of &= hidden | latent
        known = disclosure.known_combinations(hidden | latent, stage.lines, of)
        rows = np.zeros((len(known), n_base))
        for key, index in stage.base.items():
            rows[:, base.cells.index[key]] = known[:, index]
        return rows

    def record(self, cells: Cells, hidden: np.ndarray, skip: set = frozenset()) -> None:
        """Store what each (non-latent) cell shows."""
        for key, index in cells.index.items():
            if key not in skip and not cells.latent[index]:
                self.shown_cells[key] = disclosure.SUPPRESSED if hidden[index] \
                    else int(cells.values[index])

    # --- providers -----------------------------------------------------------------------

    def protect_providers(self, base: Stage, hidden_base: np.ndarray,
                          told: np.ndarray) -> tuple[tuple, np.ndarray]:
        """Providers above the cap: each provider protected on its own (in batches), the area
        sums across providers audited together with what every other table tells about
        the hidden base cells (module docstring); a provider count still pinned gets a
        partner hidden, and its provider is protected again. Returns (the provider cells
        and which are hidden, None if they must be withheld) and what the providers'
        tables tell about the hidden base cells (equations over the base cells)."""
        cells, blocks = self.provider_cells()
        values, latent, _ = cells.arrays()
        n = len(values)
        joint = self.provider_system(cells, blocks, base, hidden_base, told)
        hidden = np.zeros(n, dtype=bool)
        for _ in range(ROUNDS * 4):
            hidden = self.protect_blocks(values, latent, blocks, hidden)
            mask = np.concatenate([hidden | latent, joint["base_hidden"]])
            determined = block_recoverable(mask, joint["blocks"], joint["coupling"],
                                           joint["extra"], joint["sensitive"] & mask)
            if not determined.any():
                of = np.arange(len(mask)) >= n
                tells = block_knowledge(mask, joint["blocks"], joint["coupling"], of & mask)
                return (cells, hidden), tells[:, n:]
            frozen = np.arange(len(mask)) >= n
            found = [disclosure.hide_partner(joint["values"], joint["lines"], mask, frozen,
                                             int(x)) for x in np.flatnonzero(determined)]
            if not any(found):
                break
            hidden = mask[:n] & ~latent
        return (cells, None), np.zeros((0, len(hidden_base)))

    def record_providers(self, providers: tuple | None) -> None:
        """Record the provider cells; withheld (every count "c") when they did not settle."""
        if providers is None:
            providers = (self.provider_cells()[0], None)
        cells, hidden = providers
        if hidden is None:
            self.withheld = True
            hidden = np.ones(len(cells.values), dtype=bool)
        self.record(cells, hidden)

    def provider_cells(self) -> tuple[Cells, list[tuple[np.ndarray, list[Line]]]]:
        """Provider cells at the areas each provider has placements above the cap in (a
        provider's other cells are true zeros, shown as 0), and each provider's block:
        its cells and its area sums."""
        cells, blocks = Cells(), []
        counts = counts_by_area(self.rows, self.values["cap_provider"].dropna(), self.geo) \
            if len(self.rows) else {}
        by_provider: dict = {}
        for (area, provider), n in counts.items():
            by_provider.setdefault(provider, []).append((area, n))
        for provider in sorted(by_provider, key=str):
            start = len(cells.values)
            for area, n in by_provider[provider]:
                cells.add((area, "cap_provider", provider), n,
                          latent=self.is_latent("cap_provider", provider))
            lines = []
            for members, total in self.geo.area_sums:
                key = (total, "cap_provider", provider)
                if key in cells.index:
                    inside = [cells.index[(m, "cap_provider", provider)] for m in members
                              if (m, "cap_provider", provider) in cells.index]
                    lines.append(Line(tuple(inside), cells.index[key]))
            blocks.append((np.arange(start, len(cells.values)), lines))
        return cells, blocks

    @staticmethod
    def protect_blocks(values: np.ndarray, latent: np.ndarray, blocks: list,
                       hidden: np.ndarray, batch: int = 60) -> np.ndarray:
        """Each provider's cells protected against its own area sums; providers that share
        no line are protected a batch at a time (one call of ``protect`` per batch)."""
        out = hidden.copy()
        todo = [b for b in blocks if (disclosure.is_primary(values[b[0]]) | hidden[b[0]]).any()]
        for first in range(0, len(todo), batch):
            chunk = todo[first:first + batch]
            cells = np.concatenate([b[0] for b in chunk])
            local = {int(c): i for i, c in enumerate(cells)}
            lines = [Line(tuple(local[m] for m in line.members), local[line.total])
                     for _, block_lines in chunk for line in block_lines]
            out[cells] = disclosure.protect(values[cells], lines, hidden=hidden[cells],
                                            latent=latent[cells])
        return out

    def provider_system(self, cells: Cells, blocks: list, base: Stage,
                        hidden_base: np.ndarray, told: np.ndarray) -> dict:
        """The providers' cells and the base cells as one system (providers first): each
        provider's area sums (block lines), each area's providers adding up to its
        placements above the cap (coupling lines), and what the base and breakdown stages
        tell about the hidden base cells (extra equations)."""
        n = len(cells.values)
        b_values, b_latent, _ = base.cells.arrays()
        values, latent, _ = cells.arrays()
        base_hidden = hidden_base | b_latent
        of = base_hidden
        known = disclosure.known_combinations(of, base.lines, of, told if len(told) else None)
        extra = np.zeros((len(known), n + len(b_values)))
        extra[:, n:] = known
        by_area: dict = {}
        for (area, _, _), index in cells.index.items():
            by_area.setdefault(area, []).append(index)
        coupling = [Line(tuple(members), n + base.cells.index[(area, "cap", ABOVE)])
                    for area, members in by_area.items()]
        block_lines = [line for _, lines in blocks for line in lines]
        all_values = np.concatenate([values, b_values])
        return {"blocks": block_lines, "coupling": coupling, "extra": extra,
                "lines": block_lines + coupling, "values": all_values,
                "base_hidden": base_hidden,
                "sensitive": disclosure.is_primary(all_values) & ~np.concatenate(
                    [latent, b_latent])}

    # --- what the panels ask ---------------------------------------------------------------

    def shown_count(self, area: Scope, breakdown: str, value) -> int | str:
        """The count a table may show for (area, breakdown, value): a number or "c". A
        value never registered (no placement anywhere) is 0."""
        if breakdown not in BREAKDOWNS:
            raise KeyError(f"Unknown breakdown '{breakdown}'.")
        return self.shown_cells.get((area, breakdown, value), 0)

    def may_describe(self, area: Scope, breakdown: str, value) -> bool:
        """Whether a statistic (mean, median, share, sum of fees) may be shown for the
        placements of a cell: its count is shown and at least 5."""
        count = self.shown_count(area, breakdown, value)
        return count != disclosure.SUPPRESSED and count >= disclosure.THRESHOLD


def project_blocks(hidden: np.ndarray, block_lines: list[Line], coupling_lines: list[Line],
                   extra: np.ndarray | None) -> tuple:
    """The coupling equations with the span of the block equations projected out, over
    the hidden cells: (unknown cells, each unknown's block, each block's (members, basis
    of its equations), the projected coupling equations). See ``block_recoverable``."""
    blocks, unknown = disclosure.equations(hidden, block_lines)
    coupling, _ = disclosure.equations(hidden, coupling_lines, extra)
    groups = connected_components(blocks.T @ blocks, directed=False)[1] if blocks.shape[0] \
        else np.arange(len(unknown))
    blocks, projected = blocks.tocsc(), coupling.toarray()
    bases = {}
    order = np.argsort(groups, kind="stable")
    starts = np.searchsorted(groups[order], np.arange(groups.max(initial=-1) + 2))
    for group in np.unique(groups[np.diff(blocks.indptr) > 0]):
        members = order[starts[group]:starts[group + 1]]
        rows = blocks[:, members]
        rows = rows[np.diff(rows.tocsr().indptr) > 0].toarray()
        basis = row_basis(rows)
        bases[group] = (members, basis)
        projected[:, members] -= (projected[:, members] @ basis.T) @ basis
    return unknown, groups, bases, projected


def row_basis(matrix: np.ndarray) -> np.ndarray:
    """An orthonormal basis of a dense matrix's row space (rows)."""
    if not matrix.size:
        return np.zeros((0, matrix.shape[1]))
    _, singular, vt = np.linalg.svd(matrix, full_matrices=False)
    return vt[singular > 1e-9 * max(singular.max(initial=0.0), 1.0)]


def rank(matrix: np.ndarray) -> int:
    """The number of independent equations among a matrix's rows."""
    return len(row_basis(matrix))


def block_recoverable(hidden: np.ndarray, block_lines: list[Line], coupling_lines: list[Line],
                      extra: np.ndarray | None, targets: np.ndarray) -> np.ndarray:
    """Target cells the system pins down exactly, for a system of many small blocks of
    lines (each provider's area sums) tied by a few coupling lines (each area's providers'
    sum) and ``extra`` equations: what ``disclosure.recoverable`` answers, at a cost that
    grows with the blocks' sizes and the coupling lines, not with all lines at once.

    A hidden cell x is pinned when its unit vector e lies in span(H) + span(C) (H: the
    block equations, C: the coupling ones), that is when P e lies in span(P C), P
    projecting out span(H). P is block-diagonal (one small SVD per block of linked
    cells), and span(P C) has one row per coupling equation."""
    out = np.zeros(len(hidden), dtype=bool)
    if not (targets & hidden).any():
        return out
    unknown, groups, bases, projected = project_blocks(hidden, block_lines, coupling_lines,
                                                       extra)
    span = row_basis(projected)
    for column in np.flatnonzero(targets[unknown]):
        members, basis = bases.get(groups[column], (np.array([column]), np.zeros((0, 1))))
        vector = np.zeros(len(members))
        vector[np.searchsorted(members, column)] = 1.0
        vector -= basis.T @ (basis @ vector)
        left = vector @ vector - np.sum((span[:, members] @ vector) ** 2)
        out[unknown[column]] = left < 1e-6
    return out


def block_knowledge(hidden: np.ndarray, block_lines: list[Line], coupling_lines: list[Line],
                    of: np.ndarray) -> np.ndarray:
    """What the system tells about the hidden cells ``of`` (cells in no block line), as
    equations over every cell: the combinations of equations that cancel every other
    hidden cell (``disclosure.known_combinations``, for block systems). Block equations
    touch no cell of ``of``, so those combinations are the coupling equations y with
    y P C = 0 on the other cells."""
    unknown, _, _, projected = project_blocks(hidden, block_lines, coupling_lines, None)
    inside = of[unknown]
    if not len(projected) or not inside.any():
        return np.zeros((0, len(hidden)))
    others = projected[:, ~inside]
    eigenvalues, vectors = np.linalg.eigh(others @ others.T)  # k x k: few coupling rows
    null = vectors[:, eigenvalues <= 1e-9 * max(eigenvalues.max(initial=0.0), 1.0)]
    combos = row_basis(null.T @ projected[:, inside])
    rows = np.zeros((len(combos), len(hidden)))
    rows[:, unknown[inside]] = combos
    return rows


def build_family(frame: pd.DataFrame, cap_percent: float, rcc_of: dict,
                 region_of: dict) -> FeeFamily:
    """The fee family of ``frame`` against a cap of ``cap_percent``% (see FeeFamily)."""
    return FeeFamily(frame, cap_percent, rcc_of, region_of)
