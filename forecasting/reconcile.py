"""Coherent totals: forecasts that add up, LAs to their RCC, region and England, and an
RCC's placement groups (or needs cohorts) to its total.

Each series is forecast on its own, so a board reading the RCC's forecast and its LAs'
would find they disagree. Reconciliation (hierarchicalforecast) adjusts all of them
together so every parent is exactly the sum of its children:

- **bottom_up**: the bottom series' forecasts (LAs; placement groups) as they are, every
  total their sum. Simple, but a total inherits every small series' noise.
- **wls_struct**: MinT with each series weighted by how many bottom series it sums: needs
  no past errors.
- **mint_shrink**: MinT weighting every series by the covariance of its past one-step
  errors (shrunk towards the diagonal, Schäfer-Strimmer). The errors are those of carrying
  the last count forward, from each series' own history: the only one-step errors every
  series has (the models keep no fitted values, and the backtest has at most five one-step
  errors per series and none before its first origin).

An RCC's total sits in three hierarchies (its LAs, its placement groups, its needs
cohorts); reconciling each on its own would give it three forecasts. ``split_down`` takes
the one from the area hierarchy and scales each breakdown's forecasts to add up to it.

MinT can push a tiny series (Isles of Scilly) below 0: its bottom forecast is set to 0
and every total above it moves by as much, so the totals stay exact (``without_negatives``).
A bottom series with no base forecast (a council too new to forecast, or one whose
published counts stopped) gets its last count carried forward, with the median relative
interval width of the other series of its level, so its parents still add up.

Intervals: by default ("shifted") each series keeps its own base intervals, moved with its
forecast. hierarchicalforecast's "normality" intervals (each base forecast's standard
deviation read off its 80% and 95% intervals) treat the LAs' errors as independent, so a
total's range comes out far too narrow: in the backtest below England's 80% range held
22% of the time after bottom-up (36% after MinT) against 58% for its own forecast, and
an RCC's 61% (58%) against 70%; shifted, they held 58% (72%) and 68% (71%).

Which method, from ``compare`` on the published annual series (the refresh of 1 December
2026; origins 2020-2024, 1-3 years ahead; each series' default model, or carrying the last
count forward where that model had no forecast at an origin): mean MASE over the three
series (children looked after, starting, ceasing)::

    level     own forecast  bottom_up  wls_struct  mint_shrink
    LA            1.16         1.16       1.21        1.19
    RCC           1.35         1.33       1.33        1.29
    region        1.40         1.37       1.37        1.34
    England       1.65         1.56       1.47        1.41

mint_shrink is the method used: it is the only one that makes every total of every series
(RCC, region and England; looked after, starting and ceasing) closer to what happened
than the total's own forecast, and the best overall at RCC, region and England, for a
cost of 2% at LA level (bottom-up leaves the LAs as they are). Bottom-up is better for
children looked after alone (RCC 1.06 against 1.13; its own forecast 1.20) but worse than
the RCCs' own forecasts for children starting (1.30 against 1.24) and ceasing.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from hierarchicalforecast.core import HierarchicalReconciliation
from hierarchicalforecast.methods import BottomUp, MinTrace

from forecasting import backtest

KEY = ["level", "area_code", "area_name", "series", "breakdown"]
BOUNDS = ["lower_80", "upper_80", "lower_95", "upper_95"]
METHODS = ("bottom_up", "wls_struct", "mint_shrink")
LEVELS = (80, 95)
INTERVALS = ("shifted", "normality")
BASE = "base"  # the column name hierarchicalforecast sees for the base forecasts
MADE_UP = 0.01  # a total is reconciled in a backtest if its LAs made it up within 1%


def node(level: str, area_code: str, breakdown: str = "all") -> str:
    """The id of one series in ``S`` and ``tags``: level, area and breakdown (the series'
    name, e.g. "children looked after", is reconciled separately and not part of it)."""
    return f"{level}|{area_code}|{breakdown}"


def nodes(frame: pd.DataFrame) -> pd.Series:
    """Each row's node id (a frame without ``breakdown``, or with it empty, is totals)."""
    breakdown = (frame["breakdown"].replace("", np.nan).fillna("all")
                 if "breakdown" in frame else "all")
    return frame["level"].astype(str) + "|" + frame["area_code"].astype(str) + "|" + breakdown


def area_tiers(codes: pd.DataFrame) -> pd.DataFrame:
    """The bottom table for areas: ``codes`` has one row per bottom area and one column per
    level, bottom first (e.g. la, rcc, region, england), holding area codes; the result
    holds node ids. Works for a grouped structure too (an RCC across two regions)."""
    return pd.DataFrame({level: [node(level, code) for code in codes[level]]
                         for level in codes.columns})


def breakdown_tiers(groups: pd.DataFrame, tier: str = "breakdown") -> pd.DataFrame:
    """The bottom table for breakdowns of a total: ``groups`` has one row per bottom series
    (level, area_code, breakdown: e.g. each RCC's four placement groups, or its cohorts),
    each of which adds up to the same area's "all"."""
    return pd.DataFrame({tier: nodes(groups).to_numpy(),
                         "all": [node(level, code) for level, code
                                 in zip(groups["level"], groups["area_code"])]})


def hierarchy(bottom: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The summing matrix ``S`` (column unique_id, then one 0/1 column per bottom series;
    rows top level first, the bottom identity last, as hierarchicalforecast wants) and
    ``tags`` (tier -> its node ids) from ``bottom``: one row per bottom series, one column
    per tier, bottom tier first, holding node ids (``area_tiers``, ``breakdown_tiers``)."""
    tiers = list(bottom.columns)
    leaves = bottom[tiers[0]].to_numpy()
    if len(set(leaves)) != len(leaves):
        raise ValueError("each bottom series must appear once")
    blocks, tags = [], {}
    for tier in reversed(tiers[1:]):
        parents = np.array(sorted(set(bottom[tier])))
        blocks.append((parents[:, None] == bottom[tier].to_numpy()[None, :]).astype(float))
        tags[tier] = parents
    blocks.append(np.eye(len(leaves)))
    tags = {**tags, tiers[0]: leaves}
    ids = np.concatenate([tags[tier] for tier in reversed(tiers)])
    S = pd.DataFrame(np.vstack(blocks), columns=leaves)
    S.insert(0, "unique_id", ids)
    return S, tags


def restrict(S: pd.DataFrame, tags: dict, present) -> tuple[pd.DataFrame, dict]:
    """``S`` and ``tags`` cut to the series in ``present``: the bottom series present, and
    the totals present that still sum at least one of them."""
    present = set(present)
    leaves = [c for c in S.columns[1:] if c in present]
    rows = S["unique_id"].isin(present) & (S[leaves].sum(axis=1) > 0)
    cut = S.loc[rows, ["unique_id", *leaves]].reset_index(drop=True)
    kept = set(cut["unique_id"])
    cut_tags = {tier: np.array([i for i in ids if i in kept]) for tier, ids in tags.items()}
    return cut, {tier: ids for tier, ids in cut_tags.items() if len(ids)}


def period_of(frame: pd.DataFrame) -> str:
    """The period column: "year" for annual series, "month" for monthly ones."""
    return "year" if "year" in frame else "month"


def relative_widths(base: pd.DataFrame, rows: pd.DataFrame, period: str) -> pd.DataFrame:
    """For each of ``rows`` (level, period), the median of ``BOUNDS`` over the forecast
    among ``base``'s series of its level in its period (of all levels, if none; 1, no
    width, if no series has a forecast above 0)."""
    known = base[base["forecast"] > 0]
    ratios = known[BOUNDS].div(known["forecast"], axis=0).assign(
        level=known["level"], **{period: known[period]})
    by_level = ratios.groupby(["level", period])[BOUNDS].median()
    by_period = ratios.groupby(period)[BOUNDS].median()
    at = pd.MultiIndex.from_frame(rows[["level", period]])
    widths = by_level.reindex(at).reset_index(drop=True)
    return widths.fillna(by_period.reindex(rows[period]).reset_index(drop=True)).fillna(1.0)


def carried_forward(base: pd.DataFrame, missing: pd.DataFrame, history: pd.DataFrame,
                    period: str) -> pd.DataFrame:
    """Base rows for the bottom series and periods in ``missing`` (node, period) that have
    no forecast: the series' last count carried forward, its intervals as wide (relative
    to the forecast) as the median of the other series of its level in that period. One
    series name at a time."""
    past = history.assign(node=nodes(history))
    last = past[past["node"].isin(set(missing["node"]))].sort_values(period).groupby(
        "node").tail(1).drop(columns=[period])
    lost = set(missing["node"]) - set(last["node"])
    if lost:
        raise ValueError(f"no forecast and no history for {sorted(lost)[:5]}")
    rows = missing.merge(last, on="node")
    rows["forecast"] = rows["value"].astype(float)
    rows[BOUNDS] = relative_widths(base, rows, period).mul(rows["forecast"], axis=0)
    rows["breakdown"] = rows["breakdown"] if "breakdown" in rows else "all"
    rows["area_name"] = rows["area_name"] if "area_name" in rows else rows["area_code"]
    return rows[[*KEY, "node", period, "forecast", *BOUNDS]].assign(
        base_model="last count carried forward")


def with_missing(base: pd.DataFrame, S: pd.DataFrame, history: pd.DataFrame | None,
                 period: str) -> pd.DataFrame:
    """``base`` with a node column, and carried-forward rows for the bottom series of
    ``S`` that have no forecast of some series name and period (``carried_forward``)."""
    base = base.assign(node=nodes(base), base_model=base.get("model"))
    grid = pd.MultiIndex.from_product([S.columns[1:], sorted(base[period].unique())],
                                      names=["node", period])
    filled = []
    for name, rows in base.groupby("series"):
        missing = grid.difference(pd.MultiIndex.from_frame(rows[["node", period]]))
        if len(missing) and history is None:
            raise ValueError(f"no {name} forecast of {missing[0][0]} and no history to "
                             "carry its last count forward")
        if len(missing):
            filled.append(carried_forward(rows, missing.to_frame(index=False),
                                          history[history["series"] == name], period))
    return pd.concat([base, *filled], ignore_index=True) if filled else base


def reconciler(method: str):
    """The hierarchicalforecast reconciler for one of ``METHODS``."""
    if method == "bottom_up":
        return BottomUp()
    if method in ("wls_struct", "mint_shrink"):
        return MinTrace(method=method)
    raise ValueError(f"unknown method {method!r}: one of {METHODS}")


def one_step_errors(history: pd.DataFrame, ids, before) -> pd.DataFrame:
    """In-sample values and one-step forecasts (the period before's count) of every node in
    ``ids``, up to (not including) ``before``, as hierarchicalforecast's ``Y_df``."""
    period = period_of(history)
    past = history.assign(unique_id=nodes(history))
    past = past[past["unique_id"].isin(set(ids)) & (past[period] < before)]
    past = past.sort_values(["unique_id", period]).rename(columns={period: "ds",
                                                                   "value": "y"})
    past[BASE] = past.groupby("unique_id")["y"].shift()
    return past[["unique_id", "ds", "y", BASE]]


def without_negatives(result: pd.DataFrame, S: pd.DataFrame) -> pd.DataFrame:
    """One period's ``result`` (by node) with any bottom forecast below 0 set to 0 and
    every total moved by what its children moved (its intervals too): still exactly
    coherent. MinT can push a series of a handful of children (Isles of Scilly) just below
    0; hierarchicalforecast's own non-negative MinT (a quadratic programme) took 10 s here
    and failed outright on mint_shrink's near-singular covariance, for a change of a child
    or two."""
    leaves = S.columns[1:]
    bottom = result.loc[leaves, "forecast"].to_numpy()
    if (bottom >= 0).all():
        return result
    moved = S[leaves].to_numpy() @ (np.clip(bottom, 0, None) - bottom)
    shift = pd.Series(moved, index=S["unique_id"]).reindex(result.index)
    return result.add(shift, axis=0)


def bounds(hat: pd.DataFrame, out: pd.DataFrame, name: str, intervals: str) -> np.ndarray:
    """The reconciled intervals (``BOUNDS``, in the rows of ``out``, the library's output
    for reconciled model ``name``): its own ("normality"), or each series' base bounds
    (in ``hat``) moved by as much as its forecast ("shifted")."""
    if intervals == "normality":
        return np.column_stack([out[f"{name}-{side}-{level}"] for level in LEVELS
                                for side in ("lo", "hi")])
    base = hat.set_index(["unique_id", "ds"]).reindex(
        pd.MultiIndex.from_frame(out[["unique_id", "ds"]]))
    moved = out[name].to_numpy() - base[BASE].to_numpy()
    return np.column_stack([base[f"{BASE}-{side}-{level}"].to_numpy() + moved
                            for level in LEVELS for side in ("lo", "hi")])


def solve(rows: pd.DataFrame, S: pd.DataFrame, tags: dict, method: str,
          insample: pd.DataFrame | None, intervals: str) -> pd.DataFrame:
    """Reconciled forecasts and intervals (node, ds, forecast, ``BOUNDS``) of ``rows``
    (node, ds, forecast, ``BOUNDS``: every node of ``S`` in every period ds); intervals
    as ``reconcile`` says."""
    hat = pd.DataFrame({"unique_id": rows["node"].to_numpy(), "ds": rows["ds"].to_numpy(),
                        BASE: rows["forecast"].to_numpy(float)})
    for level in LEVELS:
        hat[f"{BASE}-lo-{level}"] = rows[f"lower_{level}"].to_numpy(float)
        hat[f"{BASE}-hi-{level}"] = rows[f"upper_{level}"].to_numpy(float)
    engine = HierarchicalReconciliation([reconciler(method)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the shrinkage's notes on series that never moved
        out = engine.reconcile(Y_hat_df=hat, tags=tags, S_df=S,
                               level=list(LEVELS) if intervals == "normality" else None,
                               Y_df=insample if method == "mint_shrink" else None)
    name = next(iter(engine.execution_times))  # "base/<the reconciler's name>"
    result = out[["unique_id", "ds", name]].set_axis(["node", "ds", "forecast"], axis=1)
    result[BOUNDS] = bounds(hat, out, name, intervals)
    return pd.concat([without_negatives(part.drop(columns="ds").set_index("node"), S)
                      .reset_index().assign(ds=when)
                      for when, part in result.groupby("ds")], ignore_index=True)


def same_series(full: pd.DataFrame, period: str) -> pd.Series:
    """A label shared by the periods of one series name that hold the same nodes: they
    are reconciled in one call (a call costs about 0.2 s whatever its size)."""
    members = full.groupby(["series", period])["node"].transform(
        lambda ids: ",".join(sorted(ids)))
    return full["series"] + "/" + members


def reconcile(base: pd.DataFrame, S: pd.DataFrame, tags: dict, method: str = "mint_shrink",
              history: pd.DataFrame | None = None, intervals: str = "shifted"
              ) -> pd.DataFrame:
    """``base`` (one row per series and period: ``KEY``, year or month, forecast and
    ``BOUNDS``; typically each series' default model) reconciled by ``method`` over the
    hierarchy ``S``/``tags``, separately for each series name and period: the same rows
    (plus carried-forward rows for bottom series with no forecast, if ``history`` is
    given), model "coherent", ``reconciled`` True, nothing below 0, every total the sum of
    its children. ``history`` (``KEY`` without area_name, period, value) gives the
    carried-forward rows and mint_shrink's one-step errors (all periods before the first
    forecast one). ``intervals``: "shifted" keeps each series' own base intervals, moved
    with its forecast; "normality" is hierarchicalforecast's (see the module docstring
    for why it is not the default)."""
    period = period_of(base)
    if intervals not in INTERVALS:
        raise ValueError(f"unknown intervals {intervals!r}: one of {INTERVALS}")
    if method == "mint_shrink" and history is None:
        raise ValueError("mint_shrink needs the series' history")
    full = with_missing(base, S, history, period)
    parts = []
    for _, rows in full.groupby(same_series(full, period), sort=False):
        cut_S, cut_tags = restrict(S, tags, rows["node"])
        rows = rows[rows["node"].isin(set(cut_S["unique_id"]))]
        name = rows["series"].iloc[0]
        insample = (one_step_errors(history[history["series"] == name], cut_S["unique_id"],
                                    full[period].min()) if method == "mint_shrink" else None)
        solved = solve(rows.assign(ds=rows[period]), cut_S, cut_tags, method, insample,
                       intervals)
        parts.append(rows.drop(columns=["forecast", *BOUNDS]).merge(
            solved.rename(columns={"ds": period}), on=["node", period]))
    out = pd.concat(parts, ignore_index=True) if parts else full.iloc[:0]
    out[["forecast", *BOUNDS]] = out[["forecast", *BOUNDS]].clip(lower=0)
    return out.drop(columns="node").assign(model="coherent", reconciled=True)


def split_down(base: pd.DataFrame, S: pd.DataFrame, totals: pd.DataFrame) -> pd.DataFrame:
    """The bottom series of a two-tier ``S`` (``breakdown_tiers``: an RCC's placement
    groups, or its cohorts) made to add up to ``totals`` already fixed elsewhere (their
    parents' reconciled rows: the RCC totals from the area hierarchy): each child's base
    forecast and intervals scaled by its total's fixed forecast over its children's base
    sum (split equally if they sum to 0). An RCC total belongs to three hierarchies (its
    LAs, its placement groups, its cohorts) and can have only one forecast: reconcile it
    once, then split it down each breakdown in the proportions its forecasts give."""
    period = period_of(base)
    leaves = S.columns[1:]
    parents = S.iloc[:-len(leaves)].set_index("unique_id")[leaves]
    if not (parents.sum() == 1).all():
        raise ValueError("split_down wants a two-tier hierarchy (breakdown_tiers)")
    parent_of = parents.idxmax().rename("parent")
    rows = base.assign(node=nodes(base))
    rows = rows[rows["node"].isin(set(leaves))].join(parent_of, on="node")
    fixed = totals.assign(parent=nodes(totals)).set_index(["parent", period])["forecast"]
    group = [rows["parent"], rows[period]]
    children = rows.groupby(group)["forecast"]
    share = (rows["forecast"] / children.transform("sum")).fillna(
        1 / children.transform("size"))
    target = fixed.reindex(pd.MultiIndex.from_arrays(group)).to_numpy() * share
    if target.isna().any():
        raise ValueError(f"no fixed total for {sorted(set(rows['parent'][target.isna()]))}")
    ratio = (target / rows["forecast"]).where(rows["forecast"] > 0, 0.0)
    out = rows.assign(forecast=target)
    out[BOUNDS] = rows[BOUNDS].mul(ratio, axis=0).where(rows["forecast"] > 0, target, axis=0)
    return out.drop(columns=["node", "parent"]).assign(model="coherent", reconciled=True)


def made_up(S: pd.DataFrame, history: pd.DataFrame, when) -> set[str]:
    """The totals of ``S`` that its bottom series made up at ``when`` (its count within
    ``MADE_UP`` of theirs summed; ``history`` has a node column). A backtest origin can
    lack a council that a total counts (one abolished since, or too new then): forcing
    the total onto the councils forecast would push its whole count onto them."""
    now = history[history[period_of(history)] == when].set_index("node")["value"]
    leaves = S.columns[1:]
    if not set(leaves) <= set(now.index):
        return set()
    sums = S[leaves].to_numpy() @ now[leaves].to_numpy(float)
    counts = now.reindex(S["unique_id"]).to_numpy(float)
    ok = np.abs(sums - counts) <= MADE_UP * np.abs(sums)
    return set(S["unique_id"][ok]) - set(leaves)


def default_or_naive(tested: pd.DataFrame) -> pd.DataFrame:
    """Each series' default model's backtest rows where it was tested at that origin, else
    carrying the last count forward (tested at every origin): a model needing a longer
    history (ETS, from 8 years) has no early forecasts, and a total without all its
    children cannot be reconciled."""
    if "default" not in tested:
        return tested
    chosen = tested["default"].astype(bool)
    key = ["level", "area_code", "series", "breakdown", "origin"]
    has_default = tested[chosen].groupby(key).size().rename("has").reset_index()
    marked = tested.merge(has_default, on=key, how="left")
    naive_instead = marked["has"].isna().to_numpy() & (tested["model"] == "naive").to_numpy()
    return tested[chosen.to_numpy() | naive_instead]


def reconciled_backtest(tested: pd.DataFrame, S: pd.DataFrame, tags: dict,
                        methods, history: pd.DataFrame, intervals: str) -> pd.DataFrame:
    """One series name's backtest forecasts, each origin's reconciled by each method,
    beside the base ones (model "base"), with a node column. The hierarchy is the
    councils counted at the origin (one with no forecast then, too new or abolished by
    the target, carried forward as in ``reconcile``) and the totals they made up
    (``made_up``); rows with no actual (a carried-forward council) are not scored."""
    period, frames = period_of(history), []
    for origin, rows in tested.groupby("origin"):
        rows = rows.assign(node=nodes(rows))
        counted = set(history.loc[history[period] == origin, "node"])
        cut_S, _ = restrict(S, tags, (counted & set(S.columns[1:])) | set(rows["node"]))
        kept = set(cut_S.columns[1:]) | made_up(cut_S, history, origin)
        cut_S, cut_tags = restrict(S, tags, kept)
        rows = rows[rows["node"].isin(kept)]
        frames.append(rows.assign(model="base"))
        base = rows.drop(columns="node").rename(columns={"target": period})
        for method in methods:
            out = reconcile(base, cut_S, cut_tags, method, history[history[period] <= origin],
                            intervals)
            frames.append(out.assign(node=nodes(out), model=method).rename(
                columns={period: "target"}))
    tested = pd.concat(frames, ignore_index=True)
    return tested[tested["actual"].notna()]


def scored(tested: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """``forecasting.backtest.scores`` of each series (node) and model of ``tested``, with
    its level and series name (``history``: with a node column)."""
    period, out = period_of(history), []
    for (name, key), rows in tested.groupby(["series", "node"]):
        past = history[(history["series"] == name) & (history["node"] == key)]
        out.append(backtest.scores(rows, past.set_index(period)["value"]).assign(
            series=name, level=rows["level"].iloc[0]))
    return pd.concat(out, ignore_index=True)


def compare(backtests: pd.DataFrame, S: pd.DataFrame, tags: dict, methods=METHODS, *,
            history: pd.DataFrame, intervals: str = "shifted") -> pd.DataFrame:
    """How each method changes the backtest's accuracy: ``backtests`` (``KEY``, origin,
    target, horizon, forecast, ``BOUNDS``, actual; the default models' only, or every
    model's with a ``default`` column: see ``default_or_naive``) reconciled origin by
    origin and scored as ``forecasting.backtest.scores`` does (MASE scaled by each
    series' whole ``history``: ``KEY`` without area_name, year or month, value).
    One row per level, series name and model ("base" and each method): mean MASE, MAPE,
    coverage of the 80% and 95% intervals over its series, and how many series and
    forecasts."""
    history = history.assign(node=nodes(history))
    frames = [reconciled_backtest(rows, S, tags, methods,
                                  history[history["series"] == name], intervals)
              for name, rows in default_or_naive(backtests).groupby("series")]
    table = scored(pd.concat(frames, ignore_index=True), history)
    return (table.groupby(["level", "series", "model"], sort=False)
            .agg(mase=("mase", "mean"), mape=("mape", "mean"),
                 coverage_80=("coverage_80", "mean"), coverage_95=("coverage_95", "mean"),
                 series_count=("mase", "size"), forecasts=("forecasts", "sum"))
            .reset_index())


def chosen(compared: pd.DataFrame, level: str = "rcc") -> str:
    """The method with the lowest MASE at ``level`` (an RCC board's), averaged over the
    series of ``compared`` (``compare``); the earlier of ``METHODS`` (the simpler) on a
    tie."""
    at = compared[(compared["level"] == level) & compared["model"].isin(METHODS)]
    mean = (at["mase"] * at["series_count"]).groupby(at["model"]).sum() / at.groupby(
        "model")["series_count"].sum()
    ranked = mean.reindex([m for m in METHODS if m in mean.index])
    return str(ranked.idxmin())
