"""A stock-and-flow forecast of children looked after, the kind LAs use, as a comparator.

Many LAs forecast with a stock-and-flow model (Social Finance's children's services demand
model): each child in care is in a *state* (age band x placement type); from the last
months of SSDA903 episodes one measures how often children in each state move placement,
grow into the next age band or leave care, and how many children enter each state a
month; the children in care today are then moved forward month by month. Ours does the
same, so a board can see whether Prophet beats the method its LAs already trust.

The model, in plain words:

- **States**: age band (0, 1-4, 5-9, 10-15, 16-17, DfE's bands) x placement group
  (fostering, children's homes, supported accommodation, other placements). A child's state
  is read at each month end (an episode is open at a month end if it started on or before
  it and had not ended by it, DfE's rule for 31 March). Leaving care is absorbing; a child
  of 18 has left care.
- **Ageing** is tracked exactly: each child's age in months (from the month of birth) moves
  on by one a month, so a child changes band on time and leaves care the month they turn 18
  (a cohort of 17-year-olds is gone within a year, whatever the trend). A rule from the
  band's width (1/24 of 16-17-year-olds turning 18 each month) would keep some for years;
  following each month of age costs little, as the chain is followed for all ages at once.
- **Rates**, from the ``window`` (24) months up to the origin, per state and area: the
  chance a month of leaving care (turning 18 aside) and of being in each placement group at
  the next month end. A state with few child-months borrows from all areas together: its
  rates are (its events + k x the pooled rate) / (its months + k), with k =
  ``prior_months`` (60: a state's own figures count as much as the pooled ones once it has
  five child-years). The pooled rates in turn borrow in the same way from their age band
  (all placements: leaving at the band's rate, staying in the same group).
- **Entries**: the mean monthly number of children who come into care (in care at a month
  end, not at the one before) by year of age and placement group over the window, spread
  evenly over the twelve months of that year of age, times ``entries_factor`` for a
  scenario.
- **Uncertainty**: ``sims`` simulated futures give the 80% and 95% intervals; the forecast
  is the exact expected path. Children move independently, so at each month ahead today's
  children still in care (binomial) and each month's newcomers still there (Poisson) have
  known distributions, drawn for all children of an area at once (``_draws``) instead of
  stepping each child. Entry rates drift: in each future the entry rate follows a random
  walk on the log scale whose yearly spread is measured from how much each LA's entries
  changed between the window's two halves beyond chance (a common national change plus
  each LA's own; an RCC's own changes partly cancel), so the intervals widen with the
  horizon as real entry numbers do. The walk starts at the window's centre, where its mean
  rate belongs: by the origin the rate may already have moved.
- **Levels**: an area's counts are the sums of its LAs' counts, so ``fit_levels`` and
  ``backtest_levels`` read the episodes once and count each origin's window once for every
  level (LAs, RCCs, regions, England), each level's results exactly those of ``fit`` and
  ``backtest`` for it alone (on the full store, 7 CPU seconds for all four levels instead of
  42 level by level).

What it knows that Prophet does not: the children's ages (a cohort of 16-year-olds will
leave at 18 however the line has trended) and their placement moves, so it can forecast
children's homes separately. What it does not know: policy or practice changes (a new
edge-of-care service, a change in the leaving-care age), changes in exit or move rates
(only entry rates drift), seasonality, or anything outside the window; the children of an
area are modelled as one population (a child is counted in the LA responsible for them).
Children without a recorded month of birth (Placements Standard v2) are taken to be 12 at
every month end of the window (the 10-15 band) and 12 at the origin.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from forecasting import monthly

BANDS = ("0", "1-4", "5-9", "10-15", "16-17")
_BAND_FIRST_AGE = np.array([0, 1, 5, 10, 16])
_ADULT_MONTHS = 18 * 12
_UNKNOWN_AGE = 12 * 12  # months; in 10-15, the commonest band, for an unknown birth month
#: The age band of each age in months, 0 to 17 years 11 months.
_BAND_OF_AGE = np.searchsorted(_BAND_FIRST_AGE, np.arange(_ADULT_MONTHS) // 12,
                               side="right") - 1
GROUPS = tuple(monthly.GROUPS)
_N_BANDS, _N_GROUPS = len(BANDS), len(GROUPS)
_N_STATES = _N_BANDS * _N_GROUPS
#: Outcome codes after the states 0.._N_STATES-1 in the transition counts.
_LEFT, _AGED_OUT = _N_STATES, _N_STATES + 1
_OUTCOMES = _N_STATES + 2
_OUT = -1  # not in care at a month end
WINDOW = 24
PRIOR_MONTHS = 60.0
HORIZONS = (12, 24, 36)
#: The quantiles of the simulated futures that bound the 80% and 95% intervals.
_BOUNDS = {"lower_80": 0.10, "upper_80": 0.90, "lower_95": 0.025, "upper_95": 0.975}
BACKTEST_COLUMNS = ["area_code", "model", "origin", "target", "horizon", "forecast",
                    "lower_80", "upper_80", "lower_95", "upper_95", "actual"]


def _group_codes(place: pd.Series) -> np.ndarray:
    """Each 903 PLACE code's placement group (``monthly.GROUPS``) as an index into
    ``GROUPS``."""
    return monthly.placement_group(place).map(GROUPS.index).to_numpy(int)


@dataclass(frozen=True)
class _Panel:
    """Every child's state at each month end from month index ``first`` on (``_OUT`` when
    not in care), each child's LA (index into ``la_codes``) and the month of each one's
    birth (NaN if unknown). It knows no forecast areas: an area's counts are the sums of
    its LAs' (``_Areas``), so one panel serves every level."""

    first: int
    states: np.ndarray  # (children, months) int8
    la: np.ndarray
    la_codes: list
    birth: np.ndarray  # (children,) month index

    def column(self, month: int) -> np.ndarray:
        return self.states[:, month - self.first]

    def in_care(self, month: int) -> np.ndarray:
        """Children of each LA in care at the month end ``month`` (an index)."""
        return np.bincount(self.la[self.column(month) >= 0], minlength=len(self.la_codes))

    def age(self, month: int) -> np.ndarray:
        """Each child's age in whole months at the month end ``month``."""
        return np.nan_to_num(month - self.birth, nan=_UNKNOWN_AGE).astype(int)


@dataclass(frozen=True)
class _Areas:
    """The forecast areas of one level (``codes``) and each LA's area (``of_la``: an index
    into ``codes``, ``len(codes)`` for an LA outside them)."""

    codes: list
    of_la: np.ndarray

    def total(self, by_la: np.ndarray) -> np.ndarray:
        """Counts per LA (LAs, ...) summed by area, with a last row for the LAs of no
        area (they still inform the pooled rates)."""
        out = np.zeros((len(self.codes) + 1, *by_la.shape[1:]), by_la.dtype)
        np.add.at(out, self.of_la, by_la)
        return out


def _areas(la_codes: list, areas: dict | None) -> _Areas:
    """``areas`` (la_code -> area code; None: every LA its own area) for the panel's LAs."""
    areas = areas if areas is not None else {code: code for code in sorted(la_codes)}
    codes = list(dict.fromkeys(areas.values()))
    position = {code: i for i, code in enumerate(codes)}
    return _Areas(codes, np.array([position.get(areas.get(code), len(codes))
                                   for code in la_codes], int))


def _panel(episodes: pd.DataFrame, first: int, last: int) -> _Panel:
    """The month-end states of ``episodes`` from month ``first`` to ``last`` (indices)."""
    child, children = pd.factorize(episodes["child_id"])
    la_of_episode, la_codes = pd.factorize(episodes["la_code"])
    la = np.zeros(len(children), dtype=int)
    la[child] = la_of_episode
    birth = np.full(len(children), np.nan)
    birth[child] = monthly.month_index(episodes["birth"])
    starts = monthly.month_index(episodes["start"])
    ends = np.nan_to_num(monthly.month_index(episodes["end"]) - 1, nan=last)
    group = _group_codes(episodes["place"])
    # Stored month by month (Fortran order): the panel is filled, and counted, a month end
    # at a time, which then reads and writes adjacent memory.
    states = np.full((len(children), last - first + 1), _OUT, dtype=np.int8, order="F")
    for month in range(first, last + 1):  # not every episode-month (millions) at once
        open_ = (starts <= month) & (ends >= month)
        who = child[open_]
        age = np.nan_to_num(month - birth[who], nan=_UNKNOWN_AGE)
        band = _BAND_OF_AGE[np.clip(age, 0, _ADULT_MONTHS - 1).astype(int)]
        child_age = age < _ADULT_MONTHS
        states[who[child_age], month - first] = (band * _N_GROUPS + group[open_])[child_age]
    return _Panel(first, states, la, list(la_codes), birth)


def _month_counts(panel: _Panel, month: int) -> tuple[np.ndarray, np.ndarray]:
    """Per LA, from the month end before ``month`` to it: moves from each state to each
    outcome (a state, left care, turned 18), shape (LAs, states, outcomes); and entries (in
    care at the month end, not at the one before) by year of age and group, shape (LAs, 18,
    groups). A child recorded in care before birth counts as aged 0."""
    n_las = len(panel.la_codes)
    before, after = panel.column(month - 1), panel.column(month)
    age = panel.age(month)
    outcome = np.where(after >= 0, after, _LEFT)
    outcome = np.where(age >= _ADULT_MONTHS, _AGED_OUT, outcome)
    stayed = before >= 0
    moves = np.bincount((panel.la * _N_STATES + before)[stayed] * _OUTCOMES + outcome[stayed],
                        minlength=n_las * _N_STATES * _OUTCOMES)
    came = (before < 0) & (after >= 0)
    year = np.clip(age[came] // 12, 0, 17)
    entries = np.bincount((panel.la[came] * 18 + year) * _N_GROUPS + after[came] % _N_GROUPS,
                          minlength=n_las * 18 * _N_GROUPS)
    return (moves.reshape(n_las, _N_STATES, _OUTCOMES),
            entries.reshape(n_las, 18, _N_GROUPS))


@dataclass(frozen=True)
class _Counts:
    """What a fit at one origin counts, per LA: over the window, the moves and entries of
    ``_month_counts``; the children in care at the origin by age in months and group; and
    the entries of the window's first and second halves (for the drift of entry rates)."""

    moves: np.ndarray  # (LAs, states, outcomes)
    entries: np.ndarray  # (LAs, 18, groups)
    stock: np.ndarray  # (LAs, ages, groups)
    early: np.ndarray  # (LAs,)
    late: np.ndarray  # (LAs,)


#: The shapes (after LAs) of ``_month_counts``' two parts, moves and entries.
_PARTS = ((_N_STATES, _OUTCOMES), (18, _N_GROUPS))


class _Tally:
    """A panel's counts by LA, each month's taken once: the windows of a backtest's
    origins overlap (24 months every 6), and every level sums the same LA counts."""

    def __init__(self, panel: _Panel):
        self.panel = panel
        self._months: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def _summed(self, part: int, months: range) -> np.ndarray:
        """Part ``part`` of ``_month_counts`` (0 moves, 1 entries) summed over ``months``."""
        total = np.zeros((len(self.panel.la_codes), *_PARTS[part]), dtype=np.int64)
        for month in months:
            if month not in self._months:
                self._months[month] = _month_counts(self.panel, month)
            total += self._months[month][part]
        return total

    def counts(self, origin: int, window: int) -> _Counts:
        """The counts of the ``window`` months to ``origin``."""
        panel, half = self.panel, window // 2
        now = panel.column(origin)
        there = now >= 0
        n_las = len(panel.la_codes)
        age = np.clip(panel.age(origin)[there], 0, _ADULT_MONTHS - 1)
        stock = np.bincount((panel.la[there] * _ADULT_MONTHS + age) * _N_GROUPS
                            + now[there] % _N_GROUPS,
                            minlength=n_las * _ADULT_MONTHS * _N_GROUPS)
        start = origin - window + 1
        return _Counts(
            moves=self._summed(0, range(start, origin + 1)),
            entries=self._summed(1, range(start, origin + 1)),
            stock=stock.reshape(n_las, _ADULT_MONTHS, _N_GROUPS),
            early=self._summed(1, range(start, origin - half + 1)).sum((1, 2)).astype(float),
            late=self._summed(1, range(origin - half + 1, origin + 1)).sum((1, 2)).astype(
                float))


def _shrink(events: np.ndarray, trials: np.ndarray, prior: np.ndarray,
            strength: float) -> np.ndarray:
    """A rate that leans on ``prior`` where ``trials`` are few: the mean of a Beta
    (Dirichlet) posterior with ``strength`` pseudo-trials at the prior rate."""
    weight = trials + strength
    rate = (events + strength * prior) / np.where(weight > 0, weight, 1)
    return np.where(weight > 0, rate, prior)


def _components(moves: np.ndarray) -> dict[str, np.ndarray]:
    """Event and trial counts of the chain's two steps from transition counts (..., states,
    outcomes): leaving care (turning 18 aside: ageing is followed exactly); then, for those
    still in care, their placement group at the next month end."""
    shape = moves.shape[:-1]
    in_care = moves[..., :_N_STATES].reshape(*shape, _N_BANDS, _N_GROUPS).sum(-2)
    return {"left": moves[..., _LEFT], "months": moves.sum(-1), "to_group": in_care,
            "placed": in_care.sum(-1)}


def _pooled_rates(pool: dict[str, np.ndarray], strength: float) -> dict[str, np.ndarray]:
    """Every area's states together, each state leaning on its age band (all placements):
    leaving at the band's rate, staying in its own placement."""
    band = np.arange(_N_STATES) // _N_GROUPS

    def by_band(name):
        return np.bincount(band, pool[name], minlength=_N_BANDS)[band]

    band_leave = by_band("left") / np.maximum(by_band("months"), 1)
    own_group = np.eye(_N_GROUPS)[np.arange(_N_STATES) % _N_GROUPS]
    return {"leave": _shrink(pool["left"], pool["months"], band_leave, strength),
            "move": _shrink(pool["to_group"], pool["placed"][:, None], own_group, strength)}


@dataclass(frozen=True)
class StockFlow:
    """A fitted model: for each area (``area_codes``) the children in care at ``origin`` by
    age in months (0 to 215) and placement group, the monthly chance of leaving care and of
    each placement group at the next month end by state (age band x group), the mean monthly
    entries by age in months and group, and the yearly spread of the entry rate's drift (log
    scale) with the months it has drifted since the window's centre."""

    origin: pd.Timestamp
    area_codes: list
    stock: np.ndarray  # (areas, ages, groups)
    leave: np.ndarray  # (areas, bands, groups)
    move: np.ndarray  # (areas, bands, groups, groups)
    entries: np.ndarray  # (areas, ages, groups)
    drift: np.ndarray  # (areas,)
    drift_months: float = 0.0  # from the window's centre to the origin

    def subset(self, area_codes: list) -> StockFlow:
        """The same fit for some of its areas (a scenario refit of one area)."""
        rows = [self.area_codes.index(code) for code in area_codes]
        return replace(self, area_codes=list(area_codes), stock=self.stock[rows],
                       leave=self.leave[rows], move=self.move[rows],
                       entries=self.entries[rows], drift=self.drift[rows])


def _entry_drift(counts: _Counts, areas: _Areas, half: int) -> np.ndarray:
    """Each area's yearly spread (sd) of the log entry rate's random walk. Each LA's log
    change in entries between the window's halves (E1, E2) is a common change c plus its
    own e, less Poisson noise (1/E1 + 1/E2). An area's change is c plus its LAs' own changes
    weighted by entries, which partly cancel. The change between the means of two
    consecutive blocks of T years of a random walk has variance 2T/3 per unit yearly
    variance, hence the last factor."""
    first, second = counts.early, counts.late
    seen = (first > 0) & (second > 0)
    n_areas = len(areas.codes)
    if not seen.any():
        return np.zeros(n_areas)
    change = np.log(second[seen] / first[seen])
    common = np.average(change, weights=(first + second)[seen])
    noise = 1 / first[seen] + 1 / second[seen]
    own = max(float(np.mean((change - common) ** 2 - noise)), 0.0)
    la_entries = first + second
    total = areas.total(la_entries)[:-1]
    squares = areas.total(la_entries ** 2)[:-1]
    variance = (common ** 2 + own * squares / np.maximum(total, 1) ** 2) * 3 / (2 * half / 12)
    return np.sqrt(variance)


def _fit_counts(counts: _Counts, areas: _Areas, origin: int, window: int,
                strength: float) -> StockFlow:
    """The model of ``areas`` at month index ``origin`` from its LAs' counts."""
    moves, entries, stock = (areas.total(part) for part in
                             (counts.moves, counts.entries, counts.stock))
    own = _components(moves[:-1])
    pooled = _pooled_rates(_components(moves.sum(0)), strength)
    shape = (len(areas.codes), _N_BANDS, _N_GROUPS)
    return StockFlow(
        origin=monthly.month_ends([origin])[0], area_codes=list(areas.codes),
        stock=stock[:-1],
        leave=_shrink(own["left"], own["months"], pooled["leave"], strength).reshape(shape),
        move=_shrink(own["to_group"], own["placed"][..., None], pooled["move"],
                     strength).reshape(*shape, _N_GROUPS),
        entries=np.repeat(entries[:-1] / window / 12, 12, axis=1),
        drift=_entry_drift(counts, areas, window // 2), drift_months=window / 2)


def _month_of(day) -> int:
    """The month index of a date (``monthly.month_index``)."""
    return int(monthly.month_index(pd.Series([pd.Timestamp(day)]))[0])


def fit_levels(episodes: pd.DataFrame, origin: pd.Timestamp, levels: dict,
               window: int = WINDOW,
               prior_months: float = PRIOR_MONTHS) -> dict[object, StockFlow]:
    """``fit`` for every level at once (``levels``: level -> its ``areas``), each level's
    model as ``fit`` gives it: the episodes are read into month-end states, and the window
    counted, once for all levels, an area's counts being the sums of its LAs'."""
    at = _month_of(origin)
    panel = _panel(episodes, at - window, at)
    counts = _Tally(panel).counts(at, window)
    return {level: _fit_counts(counts, _areas(panel.la_codes, areas), at, window,
                               prior_months) for level, areas in levels.items()}


def fit(episodes: pd.DataFrame, origin: pd.Timestamp, areas: dict | None = None,
        window: int = WINDOW, prior_months: float = PRIOR_MONTHS) -> StockFlow:
    """The model of each area (``areas``: la_code -> area code; None: every LA its own area;
    LAs left out still inform the pooled rates) from the ``window`` months to ``origin``."""
    return fit_levels(episodes, origin, {None: areas}, window, prior_months)[None]


def _matrices_by_age(model: StockFlow, months: int) -> np.ndarray:
    """For a child of each age in months, the monthly matrix of its placement group now to
    its group at the next month end (areas, ages + months, groups, groups); what a row lacks
    is the chance of leaving. Zero from 17 years 11 months on: the next month end is past
    the 18th birthday."""
    placed = (1 - model.leave)[..., None] * model.move  # (areas, bands, groups, groups)
    by_age = placed[:, _BAND_OF_AGE]
    by_age[:, -1] = 0
    padding = np.zeros((by_age.shape[0], months) + by_age.shape[2:])
    return np.concatenate([by_age, padding], axis=1)


def _drift_paths(model: StockFlow, months: int, sims: int, rng) -> np.ndarray:
    """Each simulated future's multiplier of the entry rate in each month (areas, sims,
    months), mean 1: a random walk on the log scale with the area's yearly spread, which
    has already run ``drift_months`` since the window's mean rate (its centre), so even
    the first month's rate is uncertain."""
    step_sd = (model.drift / np.sqrt(12))[:, None, None]
    shape = (len(model.area_codes), sims, months)
    start = rng.normal(0, 1, shape[:2] + (1,)) * step_sd * np.sqrt(model.drift_months)
    steps = rng.normal(0, 1, shape) * step_sd
    walk = start + np.cumsum(steps, axis=-1)
    return np.exp(walk - step_sd ** 2 * (model.drift_months + np.arange(1, months + 1)) / 2)


def _still_there(stock: np.ndarray, chance: np.ndarray, sims: int, rng) -> np.ndarray:
    """``sims`` draws (areas, sims) of how many of the children now in care (``stock``, by
    cell) are still there, each cell's children with its ``chance``. The count is a sum of
    independent binomials; it is drawn from the one binomial with the same mean and
    variance (exact when every cell has the same chance, the usual close approximation
    otherwise): one draw per future instead of one per age, group and future, which would
    cost most of the time of an England run. ``stock`` and ``chance`` are (areas, cells)."""
    mean = (stock * chance).sum(-1)
    lost = (stock * chance ** 2).sum(-1)  # mean less variance
    trials = np.where(lost > 0, np.rint(mean ** 2 / np.where(lost > 0, lost, 1)), 0)
    trials = np.minimum(trials, stock.sum(-1)).astype(np.int64)
    chance_each = np.where(trials > 0, mean / np.maximum(trials, 1), 0)
    return rng.binomial(trials[:, None], np.minimum(chance_each, 1)[:, None],
                        (stock.shape[0], sims))


def _forward(model: StockFlow, months: int, breakdowns: dict[str, np.ndarray]):
    """For h = 0, 1, ..., ``months``: each breakdown's chance that a child now in care of each
    age and group is in care in that breakdown's groups h months on (areas, ages, groups),
    and the expected number of children of one month's entries still there h months after
    entering (areas,). The chain's h-month matrices are those of consecutive ages multiplied
    in order, for every age at once."""
    step = _matrices_by_age(model, months)
    reach = np.broadcast_to(np.eye(_N_GROUPS), model.stock.shape + (_N_GROUPS,))
    for h in range(months + 1):
        if h:
            reach = reach @ step[:, h - 1:h - 1 + _ADULT_MONTHS]
        chance = {name: reach[..., groups].sum(-1) for name, groups in breakdowns.items()}
        yield chance, {name: (model.entries * there).sum((1, 2))
                       for name, there in chance.items()}


def _draws(model: StockFlow, months: list[int], breakdowns: dict[str, np.ndarray],
           sims: int, rng) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each breakdown's expected count (areas, months) and ``sims`` draws of it (areas, sims,
    months) at each of ``months`` (ahead of the origin).

    Children move independently, so at h months the n children now of one age and group
    still there are Binomial(n, p) with p from the chain, independently across ages and
    groups (see ``_still_there``); the children entering in month k still there at h are
    Poisson (a thinned Poisson) with mean entries x drift_k x survival over h - k months.
    These are the monthly distributions of the chain stepped month by month (Poisson
    entries, multinomial moves), drawn for each month directly: monthly intervals need no
    paths, and it costs a fraction of stepping every child."""
    horizon = max(months, default=0)
    drift = _drift_paths(model, horizon, sims, rng)
    n_areas = len(model.area_codes)
    out = {name: (np.empty((n_areas, len(months))), np.empty((n_areas, sims, len(months))))
           for name in breakdowns}
    survivors = {name: [] for name in breakdowns}
    cells = (n_areas, _ADULT_MONTHS * _N_GROUPS)
    stock = model.stock.reshape(cells)
    for h, (chance, entering) in enumerate(_forward(model, horizon, breakdowns)):
        for name in breakdowns:
            if h in months:
                column, curve = months.index(h), np.array(survivors[name])  # (h, areas)
                mean, draws = out[name]
                mean[:, column] = (model.stock * chance[name]).sum((1, 2)) + curve.sum(0)
                arriving = np.einsum("ask,ka->as", drift[..., :h], curve[::-1]) if h \
                    else np.zeros((n_areas, sims))
                draws[:, :, column] = _still_there(
                    stock, chance[name].reshape(cells), sims, rng) + rng.poisson(arriving)
            survivors[name].append(entering[name])
    return out


def forecast(model: StockFlow, months: int = 60, entries_factor: float = 1.0,
             sims: int = 500, seed: int = 0, by_group: bool = False,
             only: list[int] | None = None) -> pd.DataFrame:
    """Children looked after in each area at each of the ``months`` month ends after the
    origin (or only at the months ahead listed in ``only``): area_code, breakdown ("all",
    or with ``by_group`` also each placement group), month, forecast (expected), lower_80,
    upper_80, lower_95, upper_95 (quantiles of ``sims`` simulated futures; never below 0)."""
    rng = np.random.default_rng(seed)
    ahead = list(only) if only is not None else list(range(1, months + 1))
    model = replace(model, entries=model.entries * entries_factor)
    breakdowns = {"all": np.arange(_N_GROUPS)}
    if by_group:
        breakdowns |= {name: np.array([g]) for g, name in enumerate(GROUPS)}
    dates = np.array([model.origin + pd.offsets.MonthEnd(h) for h in ahead])
    frames = []
    for name, (mean, draws) in _draws(model, ahead, breakdowns, sims, rng).items():
        quantiles = np.quantile(draws, list(_BOUNDS.values()), axis=1, method="inverted_cdf")
        bounds = dict(zip(_BOUNDS, quantiles.reshape(len(_BOUNDS), -1)))
        frames.append(pd.DataFrame({
            "area_code": np.repeat(model.area_codes, len(ahead)), "breakdown": name,
            "month": np.tile(dates, len(model.area_codes)), "forecast": mean.ravel(),
            **bounds}))
    return pd.concat(frames, ignore_index=True)


def project(episodes: pd.DataFrame, origin: pd.Timestamp, months: int = 60,
            areas: dict | None = None, entries_factor: float = 1.0, sims: int = 500,
            seed: int = 0, by_group: bool = False, window: int = WINDOW) -> pd.DataFrame:
    """``fit`` then ``forecast``: the stock-and-flow forecast of every area from ``origin``."""
    return forecast(fit(episodes, origin, areas, window), months, entries_factor, sims,
                    seed, by_group)


def default_origins(episodes: pd.DataFrame, first: str = "2019-03-31",
                    after: int = 12) -> list[pd.Timestamp]:
    """Every 31 March and 30 September from ``first`` to the last with ``after`` months of
    data after it."""
    last = monthly.month_ends([monthly.latest_month(episodes) - after])[0]
    return [day for day in pd.date_range(first, last, freq="ME") if day.month in (3, 9)]


def backtest_levels(episodes: pd.DataFrame, levels: dict, origins=None,
                    horizons=HORIZONS, window: int = WINDOW, sims: int = 200,
                    seed: int = 0) -> dict[object, pd.DataFrame]:
    """``backtest`` for every level at once (``levels``: level -> its ``areas``), each
    level's table as ``backtest`` gives it: the month-end states are read once, and each
    origin's window counted once, for all levels."""
    origins = default_origins(episodes) if origins is None else list(origins)
    if not origins:
        return {level: pd.DataFrame(columns=BACKTEST_COLUMNS) for level in levels}
    at = monthly.month_index(pd.Series(pd.to_datetime(origins))).astype(int)
    last = int(monthly.latest_month(episodes))
    panel = _panel(episodes, int(at.min()) - window, max(last, int(at.max())))
    tally = _Tally(panel)
    areas = {level: _areas(panel.la_codes, one) for level, one in levels.items()}
    rows = {level: [] for level in levels}
    for origin in at:
        ahead = [h for h in horizons if origin + h <= last]
        counts = tally.counts(origin, window)
        in_care = {h: panel.in_care(origin + h) for h in ahead}
        for level, one in areas.items():
            model = _fit_counts(counts, one, origin, window, PRIOR_MONTHS)
            table = forecast(model, sims=sims, seed=seed, only=ahead)
            table["horizon"] = np.tile(ahead, len(model.area_codes))
            actual = {h: dict(zip(one.codes, one.total(by_la)[:-1]))
                      for h, by_la in in_care.items()}
            rows[level].append(table.assign(origin=model.origin, actual=[
                actual[h][area] for area, h in zip(table["area_code"], table["horizon"])]))
    return {level: pd.concat(parts, ignore_index=True).rename(columns={"month": "target"})
            .assign(model="stock_flow")[BACKTEST_COLUMNS] for level, parts in rows.items()}


def backtest(episodes: pd.DataFrame, areas: dict | None = None, origins=None,
             horizons=HORIZONS, window: int = WINDOW, sims: int = 200,
             seed: int = 0) -> pd.DataFrame:
    """Past forecasts of children looked after beside what happened: one row per area,
    origin and horizon (months) whose target month end the episodes cover, model
    "stock_flow", actual = the children in care in the area at the target month end."""
    return backtest_levels(episodes, {None: areas}, origins, horizons, window, sims,
                           seed)[None]
