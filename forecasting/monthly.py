"""Case-level monthly series: children looked after at each month end, periods of care
starting and ending in each month, per LA, and summed to RCCs, regions and England.

The published series (``forecasting.series``) are annual and stop at LA totals; a board
also asks how many children of which placement type and which needs cohort, and twelve
points a year show turning points a year sooner. Episodes (903 or synthetic) give both.

Counting follows DfE's at 31 March, applied to every month end: a child is looked after
at a month end when an episode covers it (started on or before it, not ended or ended
after it: a period ending on the day does not count, as in DfE's tables). A period of
care starts in the month of its first episode's start and ceases in the month of its last
episode's end. So stock(t) = stock(t-1) + started(t) - ceased(t) holds exactly.

Breakdowns: "all"; the four placement groups (``GROUPS``: of the episode covering the
month end for the stock, of the period's first episode for starts, of its last for
ceased); and each child's needs cohort ("cohort: <name>", "cohort: not assessed"),
fixed per child (the cohort of the one fit held), so a cohort's past is the past of the
children in it now, not the cohort's size back then.

Which months: a store holds the children in care at some point of the years it covers
(a 903 return: the year to 31 March; the synthetic cohort: LAIT's years), so children who
left before are missing and earlier months would be counted short. An LA's series
therefore starts in the April of the year of its first recorded ceasing (``coverage``),
and a council created by a reorganisation starts when its data do. Months are counted up
to the month of the latest recorded date (or ``last_month``). Zeros inside that window
are real: nothing happened.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import flows

STOCK = "children looked after"
STARTED = "started to be looked after"
CEASED = "ceased to be looked after"
SERIES = (STOCK, STARTED, CEASED)
ALL = "all"
OTHER = "other placements"
COHORT_PREFIX = "cohort: "
NOT_ASSESSED = COHORT_PREFIX + "not assessed"
ENGLAND_CODE = "E92000001"
#: The board's four placement groups, as 903 PLACE codes; any code not listed (or none)
#: is "other placements".
GROUPS = {
    "fostering": flows.PLACEMENT_GROUPS["Foster care"],
    "children's homes": flows.PLACEMENT_GROUPS[flows.HOME_GROUP],
    "supported accommodation":
        flows.PLACEMENT_GROUPS["Supported accommodation and independent living"],
}
GROUPS[OTHER] = tuple(code for codes in flows.PLACEMENT_GROUPS.values() for code in codes
                      if not any(code in mine for mine in GROUPS.values()))
COUNT_COLUMNS = ["la_code", "breakdown", "series", "month", "value"]
SERIES_COLUMNS = ["level", "area_code", "area_name", "series", "breakdown", "month", "value"]
APRIL = 3  # month index (0-based) of April: years run to 31 March


def placement_group(place: pd.Series) -> pd.Series:
    """The board's placement group of each 903 PLACE code ("other placements" if unknown)."""
    lookup = {code: group for group, codes in GROUPS.items() for code in codes}
    return place.map(lookup).fillna(OTHER)


def month_index(dates: pd.Series) -> np.ndarray:
    """Months counted from year 0 (year * 12 + month - 1) as floats, NaN for NaT: integer
    month arithmetic is what the counting needs."""
    months = pd.to_datetime(dates).to_numpy().astype("datetime64[M]")
    index = months.astype(np.int64).astype(float) + 1970 * 12
    index[np.isnat(months)] = np.nan
    return index


def month_ends(index: np.ndarray) -> pd.DatetimeIndex:
    """The month-end Timestamp of each month index."""
    months = (np.asarray(index, dtype=np.int64) - 1970 * 12).astype("datetime64[M]")
    return pd.DatetimeIndex((months + 1).astype("datetime64[D]") - 1).astype("datetime64[ns]")


def year_start(index: np.ndarray) -> np.ndarray:
    """The April opening the year (to 31 March) each month index falls in."""
    return index - (index - APRIL) % 12


def periods_of_care(episodes: pd.DataFrame) -> pd.DataFrame:
    """One row per period of care: la_code, start (its first episode's), end (its last
    episode's; NaT while open), first_place, last_place, cohort."""
    child = episodes["child_id"].to_numpy()
    period = episodes["period_of_care"].to_numpy()
    order = np.lexsort((pd.to_datetime(episodes["start"]).to_numpy(), period, child))
    child, period = child[order], period[order]
    opens = np.r_[True, (child[1:] != child[:-1]) | (period[1:] != period[:-1])]
    first, last = order[opens], order[np.r_[opens[1:], True]]

    def column(name: str, rows: np.ndarray) -> np.ndarray:
        return episodes[name].to_numpy()[rows]
    return pd.DataFrame({"la_code": column("la_code", first), "start": column("start", first),
                         "end": column("end", last), "first_place": column("place", first),
                         "last_place": column("place", last),
                         "cohort": column("cohort", first)})


def coverage(periods: pd.DataFrame, last: float) -> pd.Series:
    """Each LA's first counted month (index), from its periods of care
    (``periods_of_care``): the April of the year of its first recorded end of a period
    (before it, children who left are not in the store). An LA with none starts in the
    year of ``last``."""
    ends = pd.Series(month_index(periods["end"]), index=periods["la_code"].to_numpy())
    first_end = ends.groupby(level=0).min()
    first_end = first_end.reindex(pd.unique(periods["la_code"])).fillna(last)
    return pd.Series(year_start(first_end.to_numpy()), index=first_end.index)


def latest_month(episodes: pd.DataFrame) -> float:
    """The month index of the latest date the episodes record."""
    return float(np.nanmax(np.concatenate([month_index(episodes["start"]),
                                           month_index(episodes["end"])])))


def monthly_counts(episodes: pd.DataFrame, first_month=None, last_month=None) -> pd.DataFrame:
    """Children looked after at each month end, periods of care started and ceased in each
    month, per LA and breakdown: la_code, breakdown, series, month (month end), value.

    ``episodes``: child_id, la_code, period_of_care, start, end (NaT while open), place
    (903 PLACE or None), cohort (name or None). ``first_month`` / ``last_month`` (any day
    of the month, or None for the data's own window: ``coverage`` and the latest recorded
    date) bound the months; an LA never starts before its own coverage. Cohort
    breakdowns appear only when some child has a cohort."""
    if episodes.empty:
        return pd.DataFrame(columns=COUNT_COLUMNS)
    last = latest_month(episodes) if last_month is None else one_month(last_month)
    periods = periods_of_care(episodes)
    starts = coverage(periods, last)
    if first_month is not None:
        starts = starts.clip(lower=one_month(first_month))
    first = float(starts.min())
    if last < first:
        return pd.DataFrame(columns=COUNT_COLUMNS)
    las = pd.Index(sorted(starts.index))
    window = np.arange(first, last + 1)
    at = Timing(las, window, episodes, periods)
    counts = pd.concat([tally(at, labels, *per) for labels, *per in
                        breakdowns(episodes, periods)], ignore_index=True)
    counts = counts[counts["month_index"] >= counts["la_code"].map(starts)]
    counts = counts.assign(month=month_ends(counts["month_index"].to_numpy()))
    return counts[COUNT_COLUMNS].reset_index(drop=True)


def one_month(day) -> float:
    """The month index of one date."""
    return float(month_index(pd.Series([day]))[0])


class Timing:
    """Where each episode and period falls: its LA's position in ``las`` and its months
    (start, end) as offsets into ``window``; worked out once for every breakdown."""

    def __init__(self, las: pd.Index, window: np.ndarray, episodes: pd.DataFrame,
                 periods: pd.DataFrame):
        self.las, self.window = las, window
        first = window[0]
        self.episode_la = las.get_indexer(episodes["la_code"])
        self.episode_start = month_index(episodes["start"]) - first
        self.episode_end = month_index(episodes["end"]) - first
        self.period_la = las.get_indexer(periods["la_code"])
        self.period_start = month_index(periods["start"]) - first
        self.period_end = month_index(periods["end"]) - first


def breakdowns(episodes: pd.DataFrame, periods: pd.DataFrame):
    """For each breakdown family (placement groups, then cohorts if any): its labels and
    the label of each episode, of each period at its start and at its end."""
    groups = list(GROUPS)
    yield (groups, placement_group(episodes["place"]), placement_group(periods["first_place"]),
           placement_group(periods["last_place"]))
    if episodes["cohort"].notna().any():
        of_episode, of_period = (COHORT_PREFIX + cohort.astype(object).where(
            cohort.notna(), "not assessed").astype(str)
            for cohort in (episodes["cohort"], periods["cohort"]))
        labels = sorted(set(of_episode) - {NOT_ASSESSED}) + [NOT_ASSESSED]
        yield labels, of_episode, of_period, of_period


def tally(at: Timing, labels: list[str], of_episode: pd.Series, of_start: pd.Series,
          of_end: pd.Series) -> pd.DataFrame:
    """The three series of one breakdown family (and, for placement groups, their "all"),
    every LA x label x month, zeros included."""
    shape = (len(at.las), len(labels), len(at.window))
    code = pd.Index(labels)
    arrays = {
        STOCK: stock(shape, at.episode_la, code.get_indexer(of_episode), at.episode_start,
                     at.episode_end),
        STARTED: events(shape, at.period_la, code.get_indexer(of_start), at.period_start),
        CEASED: events(shape, at.period_la, code.get_indexer(of_end), at.period_end),
    }
    with_all = labels[0] in GROUPS  # the groups partition every child: they sum to "all"
    names = ([ALL] if with_all else []) + labels
    frames = []
    for name, array in arrays.items():
        if with_all:
            array = np.concatenate([array.sum(axis=1, keepdims=True), array], axis=1)
        frames.append(pd.DataFrame({
            "la_code": np.repeat(at.las.to_numpy(), len(names) * len(at.window)),
            "breakdown": np.tile(np.repeat(names, len(at.window)), len(at.las)),
            "series": name, "month_index": np.tile(at.window, len(at.las) * len(names)),
            "value": array.ravel().astype(np.int64)}))
    return pd.concat(frames, ignore_index=True)


def stock(shape: tuple[int, int, int], la: np.ndarray, label: np.ndarray, start: np.ndarray,
          end: np.ndarray) -> np.ndarray:
    """Episodes covering each month end, by LA and label (``start``, ``end``: month
    offsets, NaN end while open): an episode covers the month ends from its start's month
    to the month before its end's (an end on a month end is not covered), so +1 there
    and -1 at the end's month, summed over months."""
    n_months = shape[2]
    lo = np.clip(start, 0, n_months)
    hi = np.clip(np.where(np.isnan(end), n_months, end), 0, n_months)
    keep = hi > lo
    flat = [np.ravel_multi_index((la[keep], label[keep], edge[keep].astype(int)),
                                 (shape[0], shape[1], n_months + 1)) for edge in (lo, hi)]
    size = shape[0] * shape[1] * (n_months + 1)
    change = np.bincount(flat[0], minlength=size) - np.bincount(flat[1], minlength=size)
    return np.cumsum(change.reshape(shape[0], shape[1], n_months + 1), axis=2)[:, :, :n_months]


def events(shape: tuple[int, int, int], la: np.ndarray, label: np.ndarray,
           month: np.ndarray) -> np.ndarray:
    """How many events (starts or ends; ``month``: offsets, NaN for none) fall in each
    month, by LA and label."""
    keep = ~np.isnan(month) & (month >= 0) & (month < shape[2])
    flat = np.ravel_multi_index((la[keep], label[keep], month[keep].astype(int)), shape)
    return np.bincount(flat, minlength=int(np.prod(shape))).reshape(shape)


def case_series(counts: pd.DataFrame, la_rcc: dict[str, str], la_region: dict[str, str],
                names: dict[str, str], england_code: str = ENGLAND_CODE) -> pd.DataFrame:
    """The monthly series in the shared long format (level, area_code, area_name, series,
    breakdown, month, value): LAs "all" only; RCCs "all", the placement groups and the
    cohorts; regions and England "all" only.

    RCCs (area_code: the RCC's name), regions and England are sums of their LAs *with
    case-level data* (the LAs in ``counts``), and only over the months every one of those
    LAs is counted: a month is never summed short (a council created by a reorganisation
    moves its area's start to its own)."""
    if counts.empty:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    totals = counts[counts["breakdown"] == ALL]
    frames = [totals.assign(level="la", area_code=totals["la_code"]),
              summed(counts, "rcc", counts["la_code"].map(la_rcc)),
              summed(totals, "region", totals["la_code"].map(la_region)),
              summed(totals, "england", pd.Series(england_code, index=totals.index))]
    out = pd.concat(frames, ignore_index=True)
    out["area_name"] = out["area_code"].map(names).fillna(out["area_code"])
    out["level"] = pd.Categorical(out["level"], ["la", "rcc", "region", "england"])
    out = out.sort_values(["level", "area_code", "series", "breakdown", "month"])
    return out.assign(level=out["level"].astype(str))[SERIES_COLUMNS].reset_index(drop=True)


def summed(counts: pd.DataFrame, level: str, area: pd.Series) -> pd.DataFrame:
    """Sums of LA counts by area (``area``: each row's area, NaN outside any), over the
    months all the area's LAs are counted."""
    rows = counts.assign(area_code=area).dropna(subset=["area_code"])
    span = rows.groupby("la_code")["month"].agg(["min", "max"])
    span["area_code"] = rows.groupby("la_code")["area_code"].first()
    window = span.groupby("area_code").agg(first=("min", "max"), last=("max", "min"))
    bounds = window.reindex(rows["area_code"])
    inside = (rows["month"].to_numpy() >= bounds["first"].to_numpy()) & \
        (rows["month"].to_numpy() <= bounds["last"].to_numpy())
    sums = rows[inside].groupby(["area_code", "breakdown", "series", "month"],
                                as_index=False)["value"].sum()
    return sums.assign(level=level)
