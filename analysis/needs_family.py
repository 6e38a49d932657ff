"""Every needs-audit table of one year, protected together so that no combination of them
gives back a case-level count of 1 to 4.

Why together: a reader may hold every LA's, every RCC's and England's tables at once, and
every breakdown of the same need. An RCC's count is the sum of its LAs', England's the sum
of the RCCs' (so of all LAs'); a need's children by age, by sex and by placement type each
add up to the same need total, as do the cells of its intensity x frequency grid; the
children by number of needs add up to all children; children in residential care are
those in children's homes plus those in residential schools and other residential
settings. Each of these sums is a ``disclosure.Line`` of one linked system, registered at
every area (LA, RCC, England), and the areas are tied by lines of their own. Primary and
secondary suppression (``disclosure.protect``) and the audit (``leaks``) then cover every
combination of tables, not each table alone.

Needs are not mutually exclusive (a child has several), so there is **no line across
needs**: need totals do not add up to the children. There is a weaker, weighted tie: each
child with k needs is counted under each of them (and in k(k-1)/2 pairs), so the need
totals add up to sum(k x children with exactly k needs), and the pair counts to
sum(k(k-1)/2 x ...). It pins nothing when those exact counts are unknown, so they are
never shown where they could be: children by number of needs (0, 1, ..., 5, 6+) are shown
for RCCs and England, where some child has 6 or more needs (then the 6+ children's exact
numbers, 6 to 11, are unknown and the tie is two equations in at least six free unknowns:
nothing follows from it); should an RCC or England have no child with 6+ needs, that
population's distribution is not shown at all. LAs show neither (an LA's number with 4 or more
needs, beside its need totals, could pin a count in a small LA); their mean number of
needs, from the need totals, is shown.
Inequalities (a pair count is at most either need's total, a need's count at most the
children) are not modelled: as in ``analysis.disclosure``, only exact recovery and zeros
pinned by non-negativity are prevented.

Pair counts ("children with both A and B") are cells of their own, primary-suppressed,
with the area lines (an RCC's pair count is the sum of its LAs'). Shares are never
protected separately: they are worked out from the protected counts and are hidden where a
count is (``analysis.needs_audit``). The mean number of needs per child is the sum of the shown
need totals over the shown number of children, shown only where all of those are, so it
reveals nothing they do not (its 1 decimal place is presentation, not protection).

How it scales: with no line across needs the family splits into components that share no
line (the children by group and by number of needs; each need with all its breakdowns and
grids in both populations; each pair of needs), protected one at a time: since they share
no line, auditing each is auditing them all together. Within a component the areas are
split (``Areas.parts``): the RCCs and England first, then each RCC with its LAs, given
what a reader can work out about the RCC's cells from everything else (the placement
family's approach, ``disclosure.known_combinations``); an RCC part that must hide an RCC
cell sends the upper part round again. Each round ends with an audit of the whole
component as one reader holding all of it; what the RCC parts give away goes into the
next round. Should a count of 1-4 still be pinned after a few rounds (very sparse years),
the component is withheld (every count "c") and named in ``withheld``. Intensity x
frequency grids are shown for RCCs and England only (an LA's 20 cells per need would be
almost all under 5), which keeps every LA part small. England's synthetic cohort
(81,766 children, 10,769 in residential care) protects in about 8 s on one core.

More tables: ``add_grouping`` adds a grouping column (e.g. each child's cohort) to every
need's breakdown and to the children by group; ``add_table`` adds any table of counts by
LA (e.g. children per cohort by where they are placed) with the sums that tie it to cells
already registered (a table tied to a need's cells joins that need's component). Both
must come before the first table is read (reading protects the family).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis import disclosure
from analysis import needs_audit as rules
from analysis.disclosure import SUPPRESSED, Line

ENGLAND = "England"
POPULATIONS = {"all": "All children looked after", "residential": "Children in residential care"}
#: Groupings shown for each population: residential care by placement type would repeat
#: the two residential rows of all children's table.
POPULATION_GROUPINGS = {"all": ["age_band", "sex", "placement"],
                        "residential": ["age_band", "sex"]}
MANY = f"{rules.MANY_NEEDS}+"
ROUNDS = 6  # rounds of protecting a component's parts before it is withheld
SMALL = 8000  # cells: a component this small is protected whole, not part by part


@dataclass
class Areas:
    """LAs, the RCCs they belong to and England; the matrix that sums LA counts up."""

    las: list[str]
    rcc_of: dict[str, str]
    names: list = field(init=False)
    rollup: np.ndarray = field(init=False)

    def __post_init__(self):
        self.rccs = sorted({self.rcc_of[la] for la in self.las if la in self.rcc_of})
        self.names = [*self.las, *(("rcc", r) for r in self.rccs), ENGLAND]
        member = np.array([[self.rcc_of.get(la) == r for la in self.las] for r in self.rccs],
                          dtype=float).reshape(len(self.rccs), len(self.las))
        self.rollup = np.vstack([np.eye(len(self.las)), member, np.ones((1, len(self.las)))])
        self.position = {name: i for i, name in enumerate(self.names)}
        self.is_la = np.arange(len(self.names)) < len(self.las)

    def parts(self) -> list[tuple[list[int], list[tuple[list[int], int]]]]:
        """The areas split for protection, each with its area lines (members, total): the
        upper part (RCCs, LAs in no RCC, England = their sum), then one part per RCC (its
        LAs and the RCC, their sum). The RCC cells are what the parts share."""
        n_la, england = len(self.las), len(self.names) - 1
        orphans = [i for i, la in enumerate(self.las) if la not in self.rcc_of]
        rccs = list(range(n_la, n_la + len(self.rccs)))
        out = [([*rccs, *orphans, england], [([*rccs, *orphans], england)])]
        for r, rcc in zip(rccs, self.rccs):
            las = [i for i, la in enumerate(self.las) if self.rcc_of.get(la) == rcc]
            out.append(([*las, r], [(las, r)]))
        return out

    def whole(self) -> tuple[list[int], list[tuple[list[int], int]]]:
        """Every area with every area line, as one part."""
        return list(range(len(self.names))), [line for _, lines in self.parts()
                                               for line in lines]


class NeedsFamily:
    """The protected needs tables of one year (module docstring).

    ``children``: one row per child (``analysis.needs_audit`` frames: child_id, la_code,
    age_band, sex, placement, residential); ``needs``: the latest assessment's needs;
    ``vocabulary``: the need codes; ``rcc_of``: LA code -> RCC name (LAs in none add up to
    England only); ``synthetic``: any row synthetic (every table is then labelled)."""

    def __init__(self, children: pd.DataFrame, needs: pd.DataFrame, vocabulary: list[str],
                 rcc_of: dict[str, str], synthetic: bool = False):
        self.children = children.reset_index(drop=True)
        self.needs = needs[needs["child_id"].isin(set(self.children["child_id"]))]
        self.vocabulary = list(vocabulary)
        self.synthetic = synthetic
        self.areas = Areas(sorted(set(self.children["la_code"])), rcc_of)
        self.matrix = rules.need_matrix(self.children, self.needs, self.vocabulary)
        self.keys: dict = {}
        self.values: list[np.ndarray] = []
        self.latent: list[np.ndarray] = []
        self.public: list[np.ndarray] = []
        self.upper: set = set()
        self.sums: list[tuple[tuple, tuple]] = []
        self.groupings = {pop: list(columns) for pop, columns in POPULATION_GROUPINGS.items()}
        self.orders: dict[str, list] = {}
        self.hidden: np.ndarray | None = None
        self.withheld: list[str] = []
        for pop in POPULATIONS:
            self.register_totals(pop)
            for grouping in self.groupings[pop]:
                self.register_grouping(pop, grouping)
            self.register_grids(pop)
        self.register_residential_links()

    # --- registering cells ------------------------------------------------------------------

    def population(self, pop: str) -> pd.DataFrame:
        """The children of a population."""
        return self.children if pop == "all" else self.children[self.children["residential"]]

    def add_key(self, key: tuple, counts: pd.Series | None, *, latent=False,
                public: bool = False) -> None:
        """Register ``key`` at every area from LA counts (indexed by LA code; missing LAs
        count 0). ``latent``: never shown (True, or a flag per area); ``public``: figures
        DfE publishes, known to any reader (except counts of 1-4, which DfE hides)."""
        if key in self.keys:
            raise ValueError(f"Cells {key} are registered already.")
        la = np.zeros(len(self.areas.las)) if counts is None else \
            counts.reindex(self.areas.las, fill_value=0).to_numpy(dtype=float)
        values = self.areas.rollup @ la
        self.keys[key] = len(self.values)
        self.values.append(values)
        self.latent.append(np.broadcast_to(np.asarray(latent, dtype=bool), values.shape).copy())
        self.public.append(public & ~disclosure.is_primary(values))
        self.hidden = None

    def add_sum(self, members: list[tuple], total: tuple | None) -> None:
        """At every area, the cells of ``members`` add up to the cell of ``total`` (None:
        to a number the reader knows from elsewhere)."""
        missing = [key for key in [*members, total] if key is not None and key not in self.keys]
        if missing:
            raise ValueError(f"Unknown cells {missing[:3]}: register them first.")
        self.sums.append((tuple(members), total))
        self.hidden = None

    def add_frame(self, keys: list[tuple], frame: pd.DataFrame, columns: list[str],
                  **roles) -> None:
        """Register one key per (key, tail) of ``keys`` from LA counts in ``frame``
        (la_code, ``columns``, children): the rows whose ``columns`` equal the tail."""
        by_tail = {}
        if len(frame):
            table = frame.groupby([*columns, "la_code"])["children"].sum().unstack(
                "la_code", fill_value=0)
            by_tail = {(index if isinstance(index, tuple) else (index,)): row
                       for index, row in table.iterrows()}
        for key, tail in keys:
            self.add_key(key, by_tail.get(tuple(tail)), **roles)

    def register_totals(self, pop: str) -> None:
        """A population's children, need totals, pair counts and children by number of
        needs (module docstring: where the last are shown)."""
        rows = self.population(pop)
        matrix = self.matrix.loc[rows["child_id"]]
        total = ("children", pop, None, rules.ALL)
        self.add_key(total, rows.groupby("la_code").size(), public=pop == "all")
        buckets = rules.bucket_counts(rows, matrix, None, by=["la_code"])
        bucket_keys = [("needs_count", pop, b) for b in rules.BUCKETS]
        self.add_frame([(key, (key[2],)) for key in bucket_keys], buckets, ["needs"],
                       latent=self.areas.is_la)
        self.upper.update(bucket_keys)
        if not self.tie_is_loose(rows, matrix):
            for key in bucket_keys:  # the weighted tie could pin counts: not shown
                self.latent[self.keys[key]][:] = True
        self.add_sum(bucket_keys, total)
        many = buckets[buckets["needs"].isin(rules.BUCKETS[rules.MANY_NEEDS:])]
        # Like the buckets, RCCs and England only: an LA's count with 4 or more needs, with
        # its need totals (the weighted tie), could pin a count in a small LA.
        self.add_key(("needs_count", pop, MANY), many.groupby("la_code")["children"].sum(),
                     latent=self.areas.is_la)
        self.upper.add(("needs_count", pop, MANY))
        self.add_sum(bucket_keys[rules.MANY_NEEDS:], ("needs_count", pop, MANY))
        needs = rules.need_counts(rows, matrix, None, by=["la_code"])
        self.add_frame([(("need", pop, n, None, rules.ALL), (n,)) for n in self.vocabulary],
                       needs, ["need"])
        pairs = rules.pair_counts(rows, matrix, by=["la_code"]).rename(
            columns={"both": "children"})
        self.add_frame([(("pair", pop, a, b), (a, b)) for a, b in self.pair_names()],
                       pairs, ["need_a", "need_b"])

    def tie_is_loose(self, rows: pd.DataFrame, matrix: pd.DataFrame) -> bool:
        """Whether every RCC and England has children with at least 3 different numbers
        of needs from 6 up. The 6+ children's exact numbers are unknown, tied by three
        sums (how many, how many needs, how many pairs); with 3 or more different numbers
        present, any small change of the shown counts is matched by one of those unknowns,
        so neither the sums nor counts being non-negative pin anything. With fewer (say,
        every 6+ child has exactly 6 needs) they could: the distribution is then not shown."""
        exact = matrix.sum(axis=1).to_numpy()
        tail = pd.crosstab(rows["la_code"].to_numpy(), exact).reindex(
            index=self.areas.las, columns=range(rules.TOP_BUCKET, len(self.vocabulary) + 1),
            fill_value=0)
        upper = self.areas.rollup[~self.areas.is_la] @ tail.to_numpy(dtype=float)
        return bool(len(upper)) and bool(((upper > 0).sum(axis=1) >= 3).all())

    def pair_names(self) -> list[tuple[str, str]]:
        """Every pair of needs (vocabulary order)."""
        return [(a, b) for i, a in enumerate(self.vocabulary) for b in self.vocabulary[i + 1:]]

    def register_grouping(self, pop: str, grouping: str, order: list | None = None) -> None:
        """Children and each need's children by one grouping column, for one population,
        with the sums to the population's totals."""
        rows = self.population(pop)
        order = order or rules.GROUPINGS.get(grouping) or sorted(set(rows[grouping].dropna()))
        counts = rules.children_counts(rows, grouping, by=["la_code"])
        self.add_frame([(("children", pop, grouping, g), (g,)) for g in order], counts,
                       ["group"])
        self.add_sum([("children", pop, grouping, g) for g in order],
                     ("children", pop, None, rules.ALL))
        matrix = self.matrix.loc[rows["child_id"]]
        with_need = rules.need_counts(rows, matrix, grouping, by=["la_code"])
        self.add_frame([(("need", pop, n, grouping, g), (n, g))
                        for n in self.vocabulary for g in order],
                       with_need, ["need", "group"])
        for n in self.vocabulary:
            self.add_sum([("need", pop, n, grouping, g) for g in order],
                         ("need", pop, n, None, rules.ALL))
        self.orders[grouping] = order

    def register_grids(self, pop: str) -> None:
        """Each need's intensity x frequency grid, whose cells add up to the need total:
        for RCCs and England (an LA's grid, 20 cells per need, would be almost all under 5
        and cost the protection of every other LA table for nothing)."""
        rows = self.population(pop)
        grid = rules.grid_counts(rows, self.needs, by=["la_code"])
        cells = [(i, f) for i in rules.INTENSITIES for f in rules.FREQUENCIES]
        keys = [("grid", pop, n, i, f) for n in self.vocabulary for i, f in cells]
        self.add_frame([(key, key[2:]) for key in keys], grid,
                       ["need", "intensity", "frequency"], latent=self.areas.is_la)
        self.upper.update(keys)
        for n in self.vocabulary:
            self.add_sum([("grid", pop, n, i, f) for i, f in cells],
                         ("need", pop, n, None, rules.ALL))

    def register_residential_links(self) -> None:
        """Residential care is children's homes plus the other residential settings: the
        population's children and need totals are sums of all children's placement rows."""
        self.add_sum([("children", "all", "placement", g) for g in rules.RESIDENTIAL],
                     ("children", "residential", None, rules.ALL))
        for n in self.vocabulary:
            self.add_sum([("need", "all", n, "placement", g) for g in rules.RESIDENTIAL],
                         ("need", "residential", n, None, rules.ALL))

    def add_grouping(self, column: str, values: pd.Series, order: list | None = None,
                     populations: tuple[str, ...] = tuple(POPULATIONS)) -> None:
        """A new grouping column (e.g. each child's cohort; ``values`` indexed by
        child_id, children without a value in 'Not recorded'), registered for every need
        and the children of each population in ``populations``."""
        self.children[column] = self.children["child_id"].map(values).fillna(
            rules.NOT_RECORDED).to_numpy()
        for pop in populations:
            self.register_grouping(pop, column, order)
            self.groupings[pop].append(column)

    def add_table(self, name: str, frame: pd.DataFrame, columns: list[str],
                  totals: dict | None = None, pop: str = "all") -> None:
        """A table of counts by LA (``frame``: la_code, ``columns``, children; each
        combination of ``columns`` values in ``frame`` is a cell, (name, pop, *values)).
        ``totals``: {leading values (tuple): the key their cells add up to}, e.g. children
        per cohort by where placed, each cohort's cells adding up to
        ('children', 'residential', 'cohort', c)."""
        tails = sorted({tuple(row) for row in frame[columns].itertuples(index=False)})
        self.add_frame([((name, pop, *tail), tail) for tail in tails], frame, columns)
        for lead, key in (totals or {}).items():
            self.add_sum([(name, pop, *tail) for tail in tails if tail[:len(lead)] == lead],
                         key)

    # --- protection ---------------------------------------------------------------------------

    def components(self) -> list[list]:
        """Keys linked by sums, directly or through other keys: the parts of the family
        that share no line, each protected and audited on its own."""
        parent = {key: key for key in self.keys}

        def find(key):
            while parent[key] != key:
                parent[key] = parent[parent[key]]
                key = parent[key]
            return key

        for members, total in self.sums:
            keys = [*members, *([total] if total is not None else [])]
            for key in keys[1:]:
                parent[find(key)] = find(keys[0])
        groups: dict = {}
        for key in self.keys:
            groups.setdefault(find(key), []).append(key)
        return list(groups.values())

    def system(self, keys: list, part: tuple[list[int], list[tuple[list[int], int]]]
               ) -> tuple[dict, np.ndarray, np.ndarray, np.ndarray, list]:
        """Cells of ``keys`` at a part's areas: the position of each (key, area), values,
        latent, public, and every line among them: the part's area line for each key,
        and every sum at each of its areas. An upper-only key has no LA line, and sums
        naming one hold at RCCs and England only (its LA cells are latent and tied to
        nothing else: those lines would add unknowns, not knowledge)."""
        areas, area_lines = part
        position = {(key, area): i * len(areas) + j for i, key in enumerate(keys)
                    for j, area in enumerate(areas)}
        index = [self.keys[k] for k in keys]
        values = np.concatenate([self.values[i][areas] for i in index])
        latent = np.concatenate([self.latent[i][areas] for i in index])
        public = np.concatenate([self.public[i][areas] for i in index])
        england = len(self.areas.names) - 1
        lines = [Line(tuple(position[(k, m)] for m in members), position[(k, total)])
                 for members, total in area_lines for k in keys
                 if not (k in self.upper and total != england)]
        for sum_members, sum_total in self.sums:
            if sum_members[0] not in self.keys or (sum_members[0], areas[0]) not in position:
                continue
            upper = any(k in self.upper for k in (*sum_members, sum_total))
            for area in areas:
                if not (upper and self.areas.is_la[area]):
                    lines.append(Line(tuple(position[(k, area)] for k in sum_members),
                                      None if sum_total is None else
                                      position[(sum_total, area)]))
        return position, values, latent, public, lines

    def protect(self) -> np.ndarray:
        """Hidden flags by key (registry order) x area: each component protected and
        audited (``protect_component``). Computed once."""
        if self.hidden is not None:
            return self.hidden
        hidden = np.zeros((len(self.keys), len(self.areas.names)), dtype=bool)
        self.withheld = []
        for keys in self.components():
            for (position, _, latent, _, _), mask in self.protect_component(keys):
                for (key, area), i in position.items():
                    hidden[self.keys[key], area] |= mask[i] | latent[i]
        self.hidden = hidden
        return hidden

    def protect_component(self, keys: list) -> list[tuple[tuple, np.ndarray]]:
        """One component, part by part (``Areas.parts``): the upper part first, then each
        RCC's part with the RCC cells hidden there kept hidden and what a reader can work
        out about them known (from the upper part and from what the other RCC parts gave
        away last round); an RCC part that hides another RCC cell sends the upper part
        round again. Each round ends with the audit (``leaked``); what the parts gave away
        then goes into the next round. Should a count of 1-4 still be pinned after
        ``ROUNDS``, the component is withheld: every count hidden, named in ``withheld``."""
        if len(keys) * len(self.areas.names) <= SMALL:
            return self.protect_whole(keys)
        upper, *parts = [self.system(keys, part) for part in self.areas.parts()]
        told = np.zeros((0, len(upper[1])))
        hidden_upper = disclosure.protect(upper[1], upper[4], latent=upper[2],
                                          public=upper[3])
        for _ in range(ROUNDS):
            hidden_parts = [self.protect_part(part, upper, hidden_upper, told)
                            for part in parts]
            forced = np.zeros_like(hidden_upper)
            for part, hidden in zip(parts, hidden_parts):
                mine, theirs = self.shared_cells(part, upper)
                forced[theirs] |= hidden[mine] & ~hidden_upper[theirs]
            if not forced.any():
                told = np.vstack([self.part_tells(part, hidden, upper)
                                  for part, hidden in zip(parts, hidden_parts)])
                if not self.leaked(upper, hidden_upper, parts, hidden_parts, told):
                    return [(upper, hidden_upper), *zip(parts, hidden_parts)]
            hidden_upper = disclosure.protect(upper[1], upper[4], hidden=hidden_upper | forced,
                                              latent=upper[2], public=upper[3],
                                              extra=told if len(told) else None)
        self.withheld.append(str(keys[0]))
        return [(system, ~system[3]) for system in (upper, *parts)]

    def protect_whole(self, keys: list) -> list[tuple[tuple, np.ndarray]]:
        """A small component protected and audited at once (withheld if it leaks)."""
        system = self.system(keys, self.areas.whole())
        hidden = disclosure.protect(system[1], system[4], latent=system[2], public=system[3])
        if leaks(system[1], system[4], hidden, system[2], system[3]).any():
            self.withheld.append(str(keys[0]))
            hidden = ~system[3]
        return [(system, hidden)]

    def protect_part(self, part: tuple, upper: tuple, hidden_upper: np.ndarray,
                     told: np.ndarray) -> np.ndarray:
        """One RCC's part, given the upper part and what the parts gave away (``told``)."""
        mine, theirs = self.shared_cells(part, upper)
        start = np.zeros(len(part[1]), dtype=bool)
        start[mine] = hidden_upper[theirs]
        return disclosure.protect(part[1], part[4], hidden=start, latent=part[2],
                                  public=part[3],
                                  extra=self.upper_tells(part, upper, hidden_upper, told))

    @staticmethod
    def shared_cells(part: tuple, upper: tuple) -> tuple[np.ndarray, np.ndarray]:
        """Positions of the cells a part shares with the upper part, in each."""
        shared = [cell for cell in part[0] if cell in upper[0]]
        return (np.array([part[0][c] for c in shared], dtype=int),
                np.array([upper[0][c] for c in shared], dtype=int))

    def upper_tells(self, part: tuple, upper: tuple, hidden_upper: np.ndarray,
                    told: np.ndarray) -> np.ndarray:
        """What the upper part and ``told`` give a reader about a part's RCC cells, as
        equations over the part's cells."""
        mine, theirs = self.shared_cells(part, upper)
        of = np.zeros(len(hidden_upper), dtype=bool)
        of[theirs] = (hidden_upper | upper[2])[theirs]
        known = disclosure.known_combinations(hidden_upper | upper[2], upper[4], of,
                                              told if len(told) else None)
        rows = np.zeros((len(known), len(part[1])))
        rows[:, mine] = known[:, theirs]
        return rows

    def part_tells(self, part: tuple, hidden: np.ndarray, upper: tuple) -> np.ndarray:
        """What a part's tables give a reader about its RCC cells, as equations over the
        upper part's cells."""
        mine, theirs = self.shared_cells(part, upper)
        of = np.zeros(len(hidden), dtype=bool)
        of[mine] = (hidden | part[2])[mine]
        known = disclosure.known_combinations(hidden | part[2], part[4], of)
        rows = np.zeros((len(known), len(upper[1])))
        rows[:, theirs] = known[:, mine]
        return rows

    def leaked(self, upper: tuple, hidden_upper: np.ndarray, parts: list,
               hidden_parts: list, told: np.ndarray) -> bool:
        """The audit, as one reader holding every table of the component: the upper part
        with what every RCC part gives away about its RCC cells, and each RCC part with
        what the upper part and all the parts give away about them."""
        if leaks(upper[1], upper[4], hidden_upper, upper[2], upper[3], told).any():
            return True
        return any(leaks(part[1], part[4], hidden, part[2], part[3],
                         self.upper_tells(part, upper, hidden_upper, told)).any()
                   for part, hidden in zip(parts, hidden_parts))

    # --- what is shown ---------------------------------------------------------------------------

    def shown(self, key: tuple, area) -> int | str:
        """A cell's count as shown: the number, or 'c'."""
        hidden = self.protect()
        index, position = self.keys[key], self.areas.position[area]
        return SUPPRESSED if hidden[index, position] else int(self.values[index][position])

    def ever_shown(self, key: tuple, area) -> bool:
        """False for a latent cell: one no table ever shows (e.g. an LA's children by
        number of needs), whose value the protection does not guard."""
        return not self.latent[self.keys[key]][self.areas.position[area]]

    def true_value(self, key: tuple, area) -> int:
        """A cell's count before protection (for tests and audits, never for display)."""
        return int(self.values[self.keys[key]][self.areas.position[area]])



    # --- the tables a page shows, for one area (LA code, ('rcc', name) or ENGLAND) ---------------

    def prevalence(self, area, pop: str = "all", grouping: str | None = None) -> pd.DataFrame:
        """need, group, with_need, children, share_pct, and England's share beside it."""
        groups = [rules.ALL] if grouping is None else self.orders[grouping]
        rows = []
        for need in self.vocabulary:
            for group in groups:
                rows.append({"need": need, "group": group,
                             **{f"{prefix}{name}": self.shown(key, place) for place, prefix in
                                ((area, ""), (ENGLAND, "england_"))
                                for name, key in (("with_need", ("need", pop, need, grouping,
                                                                 group)),
                                                  ("children", ("children", pop, grouping,
                                                                group)))}})
        table = pd.DataFrame(rows, columns=["need", "group", "with_need", "children",
                                            "england_with_need", "england_children"])
        table["share_pct"] = rules.share(table["with_need"], table["children"])
        table["england_share_pct"] = rules.share(table["england_with_need"],
                                                 table["england_children"])
        return table.drop(columns=["england_with_need", "england_children"])

    def distribution(self, area, pop: str = "all") -> pd.DataFrame:
        """needs ('0' to '6+'), children, share_pct: RCCs and England only ("c" for an LA
        and wherever the distribution is not shown, module docstring)."""
        children = self.shown(("children", pop, None, rules.ALL), area)
        table = pd.DataFrame({"needs": rules.BUCKETS,
                              "children": [self.shown(("needs_count", pop, b), area)
                                           for b in rules.BUCKETS]}, dtype=object)
        table["share_pct"] = rules.share(table["children"],
                                         pd.Series([children] * len(table)))
        return table

    def summary(self, area, pop: str = "all") -> dict:
        """children, mean_needs (1 dp) and share_4_plus_pct, from shown counts only."""
        children = self.shown(("children", pop, None, rules.ALL), area)
        totals = [self.shown(("need", pop, n, None, rules.ALL), area) for n in self.vocabulary]
        return {"children": children,
                "mean_needs": rules.mean_needs(pd.Series(totals, dtype=object), children),
                "share_4_plus_pct": rules.ratio(self.shown(("needs_count", pop, MANY), area),
                                                children)}

    def co_occurrence(self, area, pop: str = "all") -> pd.DataFrame:
        """Every pair of needs with both, with_a, with_b, children, shares and lift."""
        children = self.shown(("children", pop, None, rules.ALL), area)
        total = {n: self.shown(("need", pop, n, None, rules.ALL), area) for n in self.vocabulary}
        pairs = pd.DataFrame([{"need_a": a, "need_b": b,
                               "both": self.shown(("pair", pop, a, b), area),
                               "with_a": total[a], "with_b": total[b], "children": children}
                              for a, b in self.pair_names()],
                             columns=["need_a", "need_b", "both", "with_a", "with_b",
                                      "children"])
        return rules.co_occurrence_shares(pairs)

    def grid(self, area, pop: str = "all") -> pd.DataFrame:
        """need, intensity, frequency, children for every cell of every need's grid."""
        return pd.DataFrame([{"need": n, "intensity": i, "frequency": f,
                              "children": self.shown(("grid", pop, n, i, f), area)}
                             for n in self.vocabulary for i in rules.INTENSITIES
                             for f in rules.FREQUENCIES])

    def table(self, name: str, area, pop: str = "all") -> pd.DataFrame:
        """A table added with ``add_table``: its key columns (value_1, ...) and children."""
        rows = [(*key[2:], self.shown(key, area)) for key in self.keys
                if key[0] == name and key[1] == pop]
        width = max((len(row) for row in rows), default=1) - 1
        return pd.DataFrame(rows, columns=[*(f"value_{i + 1}" for i in range(width)),
                                           "children"])

def leaks(values: np.ndarray, lines: list[Line], hidden: np.ndarray, latent: np.ndarray,
          public: np.ndarray, extra: np.ndarray | None = None) -> np.ndarray:
    """Counts of 1-4 a reader pins down from what is shown, beyond what DfE's published
    figures (the public cells) pin with nothing shown."""
    leaked = disclosure.disclosed(values, lines, hidden | latent, latent, public, extra)
    if leaked.any():
        leaked &= ~disclosure.disclosed(values, lines, ~public | latent, latent, public)
    return leaked
