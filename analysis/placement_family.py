"""Every table of children by placing area and placement area that the product can show
from one year's case-level placements, protected together so that no combination of them
gives back a count of 1 to 4.

Why together: the tables overlap. The placement types add up to all placements, LAs add
up to RCCs and regions, and a reader holding several of them can subtract one from
another (the Maps page once leaked hundreds of LA-to-LA counts of 1-4 that way). So the
cells of every table are registered in one family with the sums that tie them
(``analysis.disclosure.Line``) and suppressed jointly; the audit then checks the whole
family, not each table alone.

The family (one year, one data version), and what the reader is assumed to know:

* **LA to LA**, all children: from each placing LA to each placement LA (or outside
  England / not recorded). Each LA's children placed outside it, and each LA's children
  from other LAs placed in it, are known (DfE publishes both), as are children placed
  inside their own LA.
* **RCC x RCC and region x region**, all children, with each area's total: sums of the
  LA cells (area totals and column totals are known from DfE's LA figures).
* the same area matrices **by placement type** (the types add up to all placements) and
  **for children with one need** (needs overlap, so those tables do not add up to
  anything; each is protected with its own lines).

LA-to-LA flows are not broken down by placement type or need: at that detail almost every
count is under 5, and such tables would tie every LA cell to every area cell of every
type. Where RCCs and regions cut across each other the family works on their
intersections ("groups", never shown) so both levels stay consistent.

How it scales: the all-children family (LA and area cells) is protected first; what a
reader can work out from it about the hidden area cells is then handed to each breakdown
as extra equations (``disclosure.known_combinations``), and the breakdown's protection
runs on the area cells alone. If a breakdown hides another all-children area cell, the
all-children family is protected again with it hidden, until neither changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product

import numpy as np
import pandas as pd

from analysis import disclosure
from analysis.disclosure import Line

ALL = "All"
TOTAL = "Total"
ELSEWHERE = "Outside England or not recorded"
LEVELS = ("rcc", "region")


@dataclass
class Cells:
    """A registry of cells: key -> flat index, with values and roles."""

    values: list[float] = field(default_factory=list)
    latent: list[bool] = field(default_factory=list)
    public: list[bool] = field(default_factory=list)
    index: dict = field(default_factory=dict)

    def add(self, key, value: float, *, latent: bool = False, public: bool = False) -> int:
        """Register ``key`` (once) and return its index."""
        if key not in self.index:
            self.index[key] = len(self.values)
            self.values.append(float(value))
            self.latent.append(latent)
            self.public.append(public)
        return self.index[key]

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(values, latent, public) as arrays."""
        return (np.asarray(self.values, dtype=float), np.asarray(self.latent, dtype=bool),
                np.asarray(self.public, dtype=bool))


@dataclass(frozen=True)
class Geography:
    """Where each LA belongs: RCC and region by LA code (current and former codes)."""

    rcc: dict[str, str]
    region: dict[str, str]

    def area(self, level: str, code: str) -> str:
        """The LA's RCC or region name; anything outside England is ELSEWHERE."""
        return getattr(self, level).get(code, ELSEWHERE)

    def group(self, code: str) -> tuple[str, str] | str:
        """The (RCC, region) intersection an LA belongs to; ELSEWHERE for the rest."""
        if code not in self.rcc or code not in self.region:
            return ELSEWHERE
        return self.rcc[code], self.region[code]

    def areas(self, level: str) -> list[str]:
        """Every area of a level, sorted."""
        return sorted(set(getattr(self, level).values()))


class PlacementFamily:
    """The protected tables of one year's placements (see the module docstring).

    ``placements``: one row per child looked after at 31 March (child_id, from_code,
    to_code, group: the board-level placement type); a to_code that is blank or outside
    England counts as ELSEWHERE. ``needs``: (child_id, need) rows. ``held``: placing LAs
    whose placements are held. ``groups``: the placement types, in order. ``synthetic``:
    whether any row is synthetic (every table then carries the label). ``every_la_held``:
    every current LA's placements are held, so the sums down each column (children placed
    in an LA or area by the others) are DfE's published figures and known to the reader;
    otherwise DfE's figures include LAs not held and pin down nothing here.
    """

    def __init__(self, placements: pd.DataFrame, needs: pd.DataFrame, geography: Geography,
                 held: set[str], groups: list[str], synthetic: bool = False,
                 every_la_held: bool = False):
        self.geo = geography
        self.synthetic = synthetic
        self.columns_known = every_la_held
        self.groups = list(groups)
        self.held = sorted(held)
        rows = placements.assign(to_code=placements["to_code"].where(
            placements["to_code"].isin(set(geography.rcc)), ELSEWHERE))
        self.rows = rows[rows["from_code"].isin(held)]
        self.needs = needs
        self.group_area = {level: {geography.group(code): geography.area(level, code)
                                   for code in geography.rcc} for level in LEVELS}
        self.all_cells, self.all_lines = self.build_all()
        self.types_withheld = False  # set by ``audit`` in very sparse years
        self.hidden_all, self.by_type = self.protect_with_types()
        self.by_need: dict[str, dict] = {}

    # --- counting -----------------------------------------------------------------------

    def la_counts(self) -> pd.DataFrame:
        """Children by placing LA (rows, the held LAs) and placement LA (columns)."""
        destinations = sorted(set(self.geo.rcc) | {ELSEWHERE})
        return pd.crosstab(self.rows["from_code"], self.rows["to_code"]).reindex(
            index=self.held, columns=destinations, fill_value=0)

    def placing_areas(self, level: str) -> list[str]:
        """Areas with at least one held LA: the rows of the area tables."""
        return sorted({self.geo.area(level, code) for code in self.held})

    def area_counts(self, rows: pd.DataFrame, level: str) -> pd.DataFrame:
        """Children by placing area and placement area (ELSEWHERE last) with a Total."""
        matrix = pd.crosstab(rows["from_code"].map(lambda c: self.geo.area(level, c)),
                             rows["to_code"].map(lambda c: self.geo.area(level, c)))
        matrix = matrix.reindex(index=self.placing_areas(level),
                                columns=self.geo.areas(level) + [ELSEWHERE], fill_value=0)
        matrix[TOTAL] = matrix.sum(axis=1)
        return matrix

    def group_counts(self, rows: pd.DataFrame) -> pd.Series:
        """Children by (placing group, placement group): the latent cells."""
        return rows.groupby([rows["from_code"].map(self.geo.group),
                             rows["to_code"].map(self.geo.group)]).size()

    # --- registering cells and the sums that tie them -------------------------------------

    def build_all(self) -> tuple[Cells, list[Line]]:
        """The all-children cells and lines: LA cells, group cells, area cells."""
        cells, lines = Cells(), []
        la = self.la_counts()
        for f in la.index:
            row = [cells.add(("la", f, t), la.at[f, t]) for t in la.columns if t != f]
            lines.append(Line(tuple(row), None))  # placed outside the LA: DfE publishes it
        for t in la.columns:
            column = [cells.add(("la", f, t), la.at[f, t]) for f in la.index if f != t]
            if self.columns_known:
                lines.append(Line(tuple(column), None))  # placed in the LA by other LAs
        blocks: dict = {}
        for f, t in product(la.index, la.columns):
            if f != t:
                blocks.setdefault((self.geo.group(f), self.geo.group(t)), []).append(
                    cells.index[("la", f, t)])
        counts = self.group_counts(self.rows)
        self.blocks = list(blocks)
        for block, members in blocks.items():
            total = cells.add(("group", *block, ALL), counts.get(block, 0), latent=True)
            lines.append(Line(tuple(members), total))  # own-LA placements are known
        self.add_area_cells(cells, lines, self.rows, ALL)
        return cells, lines

    def add_area_cells(self, cells: Cells, lines: list[Line], rows: pd.DataFrame,
                       label: str) -> None:
        """One table's area cells at both levels, each the sum of its group cells, with
        each row's Total; for all children the Totals and column sums are known."""
        counts = self.group_counts(rows)
        for block in self.blocks:  # zero blocks too: a reader does not know they are 0
            cells.add(("group", *block, label), counts.get(block, 0), latent=True)
        for level in LEVELS:
            matrix = self.area_counts(rows, level)
            destinations = matrix.columns.drop(TOTAL)
            for af in matrix.index:
                row = []
                for at in destinations:
                    index = cells.add((level, af, at, label), matrix.at[af, at])
                    row.append(index)
                    members = [cells.index[key] for key in self.group_keys(level, af, at, label)
                               if key in cells.index]
                    lines.append(Line(tuple(members), index))
                total = cells.add((level, af, TOTAL, label), matrix.at[af, TOTAL],
                                  public=label == ALL and not 1 <= matrix.at[af, TOTAL] <= 4)
                lines.append(Line(tuple(row), total))
            if label == ALL and self.columns_known:
                for at in destinations:
                    lines.append(Line(tuple(cells.index[(level, af, at, ALL)]
                                            for af in matrix.index), None))

    def group_keys(self, level: str, af: str, at: str, label: str) -> list[tuple]:
        """The group cells that make up one area cell."""
        areas = self.group_area[level]
        froms = [group for group, area in areas.items() if area == af]
        tos = [ELSEWHERE] if at == ELSEWHERE else \
            [group for group, area in areas.items() if area == at]
        return [("group", gf, gt, label) for gf in froms for gt in tos]

    def type_cells(self) -> tuple[Cells, list[Line]]:
        """The area cells by placement type, registered with the all-children area cells
        they add up to."""
        cells, lines = Cells(), []
        for key, index in self.all_cells.index.items():
            if key[0] in LEVELS or (key[0] == "group" and key[-1] == ALL):
                cells.add(key, self.all_cells.values[index],
                          latent=self.all_cells.latent[index],
                          public=self.all_cells.public[index])
        for label in self.groups:
            self.add_area_cells(cells, lines, self.rows[self.rows["group"] == label], label)
        for key, index in list(cells.index.items()):
            if key[-1] == ALL:
                members = [cells.index[key[:-1] + (label,)] for label in self.groups
                           if key[:-1] + (label,) in cells.index]
                lines.append(Line(tuple(members), index))
        return cells, lines

    # --- protection ----------------------------------------------------------------------

    def protect_with_types(self) -> tuple[np.ndarray, dict]:
        """Protect the all-children family and the placement-type tables together: the
        types are protected given what the all-children tables show and imply. An
        all-children cell the types need hidden, or a hidden all-children zero that the
        type tables pin to 0, sends the all-children family round again (with that zero
        as a known fact), until neither changes. A final audit of every table at once
        (``audit``) catches what this stepwise search can miss in very sparse years."""
        values, latent, public = self.all_cells.arrays()
        all_lines = list(self.all_lines)
        hidden_all = disclosure.protect(values, all_lines, latent=latent, public=public)
        cells, lines = self.type_cells()
        known = np.zeros(len(values), dtype=bool)  # zeros the type tables give away
        while True:
            hidden, extra = self.protect_types(cells, lines, all_lines, hidden_all, known)
            newly = self.forced_back(cells, hidden, hidden_all)
            pinned = self.pinned_back(cells, lines, hidden, extra,
                                      (hidden_all | latent) & ~known)
            if not newly.any() and not pinned.any():
                return self.audit(cells, lines, hidden_all, hidden)
            all_lines += [Line((int(index),), None) for index in np.flatnonzero(pinned)]
            known |= pinned
            hidden_all = disclosure.protect(values, all_lines,
                                            hidden=(hidden_all | newly) & ~known,
                                            latent=latent, public=public | known)

    def audit(self, cells: Cells, lines: list[Line], hidden_all: np.ndarray,
              hidden: np.ndarray) -> tuple[np.ndarray, dict]:
        """Check every table of the family at once, as one reader holding all of them
        would (``disclosure.disclosed``: sums and the fact that counts are never
        negative). Should a count of 1-4 still be pinned down, beyond what the reader knew
        before the product showed anything, the placement-type tables are withheld (every
        cell "c": they then add nothing) and, if the all-children tables alone still give
        it away, every cell of those is hidden too. This only happens in very sparse years
        (an LA or two with a child or two placed outside); it is safe by construction."""
        joint, joint_lines, remap = self.joint(cells, lines)
        values, latent, public = joint.arrays()
        hidden_joint = np.zeros(len(values), dtype=bool)
        hidden_joint[:len(hidden_all)] = hidden_all
        hidden_joint[remap] |= hidden
        if not self.leaks(values, joint_lines, hidden_joint, latent, public).any():
            return hidden_all, self.shown(cells, hidden)
        self.types_withheld = True
        all_values, all_latent, all_public = self.all_cells.arrays()
        if self.leaks(all_values, self.all_lines, hidden_all, all_latent, all_public).any():
            hidden_all = ~all_public & ~all_latent
        withheld = np.array([hidden_all[self.all_cells.index[key]]
                             if key in self.all_cells.index else True for key in cells.index])
        return hidden_all, self.shown(cells, withheld)

    @staticmethod
    def leaks(values: np.ndarray, lines: list[Line], hidden: np.ndarray,
              latent: np.ndarray, public: np.ndarray) -> np.ndarray:
        """Counts of 1-4 a reader pins down from what is shown, beyond what the known
        totals alone give away (with nothing shown: DfE's own figures, assumed known,
        can already pin a count, and no protection here can undo that)."""
        leaked = disclosure.disclosed(values, lines, hidden | latent, latent, public)
        if leaked.any():
            leaked &= ~disclosure.disclosed(values, lines, ~public | latent, latent, public)
        return leaked

    def joint(self, cells: Cells, lines: list[Line]) -> tuple[Cells, list[Line], np.ndarray]:
        """Every cell of the family (LA, group and area; all children and by type) in one
        registry, the all-children cells first with their own indices, with every line;
        and where each type-table cell went."""
        joint = Cells()
        for key, index in self.all_cells.index.items():
            joint.add(key, self.all_cells.values[index], latent=self.all_cells.latent[index],
                      public=self.all_cells.public[index])
        remap = np.array([joint.add(key, cells.values[index], latent=cells.latent[index],
                                    public=cells.public[index])
                          for key, index in cells.index.items()], dtype=int)
        moved = [Line(tuple(int(remap[m]) for m in line.members),
                      None if line.total is None else int(remap[line.total]))
                 for line in lines]
        return joint, self.all_lines + moved, remap

    def protect_types(self, cells: Cells, lines: list[Line], all_lines: list[Line],
                      hidden_all: np.ndarray, known: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
        """Protect the type cells, given what the all-children family shows and what a
        reader can work out from it about its hidden (and latent) area cells (returned
        too, as equations over the type cells); ``known``: all-children zeros already
        given away, never relied on."""
        values, latent, public = cells.arrays()
        start = np.zeros(len(values), dtype=bool)
        of = np.zeros(len(hidden_all), dtype=bool)
        all_latent = self.all_cells.arrays()[1]
        for key, index in cells.index.items():
            source = self.all_cells.index.get(key)
            if source is not None:
                start[index] = hidden_all[source]
                of[source] = hidden_all[source] or all_latent[source]
                public[index] |= known[source]
        known = disclosure.known_combinations(hidden_all | all_latent, all_lines, of)
        extra = np.zeros((len(known), len(values)))
        for key, source in self.all_cells.index.items():
            if key in cells.index:
                extra[:, cells.index[key]] = known[:, source]
        return disclosure.protect(values, lines, hidden=start, latent=latent, public=public,
                                  extra=extra), extra

    def pinned_back(self, cells: Cells, lines: list[Line], hidden: np.ndarray,
                    extra: np.ndarray, hidden_all: np.ndarray) -> np.ndarray:
        """All-children cells, hidden or latent there and 0, that the type tables pin to
        0 (e.g. every type shown as 0): the all-children protection must not rely on them."""
        values = cells.arrays()[0]
        fixed = disclosure.zeros_fixed(values, lines, hidden, extra)
        pinned = np.zeros(len(hidden_all), dtype=bool)
        for key, index in cells.index.items():
            source = self.all_cells.index.get(key)
            if source is not None and fixed[index] and hidden_all[source]:
                pinned[source] = True
        return pinned

    def forced_back(self, cells: Cells, hidden: np.ndarray,
                    hidden_all: np.ndarray) -> np.ndarray:
        """All-children cells that the type tables hid but the all-children family shows."""
        newly = np.zeros(len(hidden_all), dtype=bool)
        for key, index in cells.index.items():
            source = self.all_cells.index.get(key)
            if source is not None and hidden[index] and not hidden_all[source] \
                    and not self.all_cells.latent[source]:
                newly[source] = True
        return newly

    def need_cells(self, need: str) -> dict:
        """Area cells for children with one need, protected as a family of their own
        (needs overlap, so no sum ties them to other tables). Computed on first use."""
        if need not in self.by_need:
            with_need = set(self.needs.loc[self.needs["need"] == need, "child_id"])
            cells, lines = Cells(), []
            self.add_area_cells(cells, lines, self.rows[self.rows["child_id"].isin(with_need)],
                                need)
            values, latent, public = cells.arrays()
            self.by_need[need] = self.shown(cells, disclosure.protect(
                values, lines, latent=latent, public=public))
        return self.by_need[need]

    @staticmethod
    def shown(cells: Cells, hidden: np.ndarray) -> dict:
        """key -> the count shown, or 'c' (latent cells are never shown)."""
        return {key: (disclosure.SUPPRESSED if hidden[index] else int(cells.values[index]))
                for key, index in cells.index.items() if not cells.latent[index]}

    # --- the tables pages ask for ---------------------------------------------------------

    def la_flows(self) -> pd.DataFrame:
        """from_code, to_code, children for every LA-to-LA flow (ELSEWHERE as a to_code),
        largest first; zero flows left out unless hidden to protect another ("c")."""
        shown = self.shown(self.all_cells, self.hidden_all)
        true = self.all_cells.values
        rows = [(f, t, value, true[self.all_cells.index[("la", f, t)]])
                for (kind, *rest), value in shown.items() if kind == "la"
                for f, t in [rest] if value != 0]
        table = pd.DataFrame(rows, columns=["from_code", "to_code", "children", "order"])
        table["children"] = table["children"].astype(object)
        return table.sort_values(["order", "from_code", "to_code"],
                                 ascending=[False, True, True]).drop(columns="order") \
            .reset_index(drop=True)

    def area_table(self, level: str, placement: str | None = None,
                   need: str | None = None) -> pd.DataFrame:
        """The area x area matrix (rows: placing areas; columns: areas, ELSEWHERE, Total)
        for all children, one placement type or one need, with 'c' where hidden."""
        if placement is not None and need is not None:
            raise ValueError("Area tables break down by placement type or by need, "
                             "not both at once.")
        if need is not None:
            shown, label = self.need_cells(need), need
        else:
            shown, label = self.by_type, placement or ALL
        columns = self.geo.areas(level) + [ELSEWHERE, TOTAL]
        rows = self.placing_areas(level)
        matrix = pd.DataFrame([[shown.get((level, af, at, label), 0) for at in columns]
                               for af in rows], index=pd.Index(rows, name="area"),
                              columns=columns, dtype=object)
        if not any(value != 0 for value in matrix[ELSEWHERE]):
            matrix = matrix.drop(columns=ELSEWHERE)
        return matrix
