"""The specificity gap: do the homes inside an RCC offer what its children need?

An RCC's task is specificity, not sufficiency: homes that match the needs of the children
who need them, in the region where they live. Ofsted does not publish which needs a home
caters for, so each home's offer comes from the provider offer register (needs accepted,
highest intensity, ages, sex, places).

The matching rule (for the page)
--------------------------------
A child matches a home's offer when all of these hold:

* the child's age is within the home's age range (both ends included);
* the home accepts the child's sex ("any" accepts every child);
* every need the child has is among the needs the home accepts (a child with no
  recorded needs meets this for every home);
* the highest intensity of the child's needs (low < medium < high) is at or below the
  highest intensity the home accepts.

What a record does not say never rules a home out: a child whose age, sex or intensity is
not recorded (Placements Standard v2 records neither birth date nor sex) is matched on
what is recorded, so missing fields do not inflate the gap.

Matching places and the gap
---------------------------
For an RCC and a cohort, *children* are the cohort's children in residential care now
whom the RCC's LAs placed, wherever they live. *Matching places* are the most of those
children that the homes inside the RCC could take at the same time, each child in a home
whose offer matches them and no home holding more children than its places: a maximum
flow from children to places (scipy), not a count of places. We chose it over a rule such
as "the places of homes matching half the cohort" because it has no threshold to argue
about, it never counts one place twice within a cohort, and it can never exceed the
children, so **gap = children - matching places** is the number of the cohort's children
the RCC's homes could not take even if every place were free for them.

Each cohort is matched against all of the RCC's places, so one home can count for
several cohorts and the cohorts' matching places can add up to more than the RCC has. The
"All children" rows match every child at once, so there a place counts once.

Where children are placed: inside their own LA, elsewhere in the RCC, outside the RCC, or
not recorded. What the RCC exports: for each need, the share of the RCC's children placed
outside the RCC who have it, beside the share among those placed inside it; the needs far
more common outside are the homes the RCC lacks.

Every function returns RAW counts, in long format with key columns (rcc, cohort, where or
measure, need) and a ``count`` column: they are case-level and must be protected by the
disclosure family before anyone sees them. The sums that tie them (lines for the family):
in ``placed_where`` an (rcc, cohort)'s four ``where`` rows add up to its ``children`` in
``specificity_gap``, and the ``ALL`` cohort's rows are the sums of the cohorts' rows
(``ALL``'s matching places are not); in ``specificity_gap`` children = matching places +
gap; in ``exports_profile`` the need ``ALL`` rows are the children placed outside
(``outside the RCC`` in ``placed_where``) and inside (``inside their LA`` plus
``elsewhere in the RCC``), while a child can have several needs, so the needs' rows do not
add up to them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import csr_array
from scipy.sparse.csgraph import maximum_flow

from analysis.disclosure import THRESHOLD

INTENSITIES = ("low", "medium", "high")
RANK = {level: rank for rank, level in enumerate(INTENSITIES)}
ALL = "All children"
NO_COHORT = "No cohort"
INSIDE_LA = "inside their LA"
ELSEWHERE_IN_RCC = "elsewhere in the RCC"
OUTSIDE_RCC = "outside the RCC"
NOT_RECORDED = "not recorded"
WHERE = (INSIDE_LA, ELSEWHERE_IN_RCC, OUTSIDE_RCC, NOT_RECORDED)
CHILDREN, MATCHING, GAP = "children", "matching places", "gap"
INSIDE_RCC = "inside the RCC"
#: A need is "what the RCC exports" when its share among the children placed outside the
#: RCC is at least this many percentage points above its share among those placed inside.
EXPORT_MARGIN = 10.0
EXPORTS_NAMED = 3  # at most this many needs named in the sentence


# --- inputs ------------------------------------------------------------------------------

def need_sets(text: pd.Series) -> pd.Series:
    """';'-separated need codes (as the register stores them) -> frozensets of codes."""
    return text.fillna("").map(
        lambda cell: frozenset(code.strip() for code in str(cell).split(";") if code.strip()))


def with_needs(children: pd.DataFrame, needs: pd.DataFrame) -> pd.DataFrame:
    """``children`` (one row per child_id) with ``needs`` (frozenset; empty for a child
    with no recorded need) and ``intensity`` (the highest known) from the long ``needs``
    frame (child_id, need, intensity), e.g. each child's latest assessment."""
    per_child = needs_by_child(needs).set_index("child_id")
    ids = children["child_id"]
    found = ids.map(per_child["needs"])
    return children.assign(
        needs=found.where(found.notna(), pd.Series([frozenset()] * len(ids), index=ids.index)),
        intensity=ids.map(per_child["intensity"]))


def needs_by_child(needs: pd.DataFrame) -> pd.DataFrame:
    """From one row per (child_id, need, intensity) to one row per child: the set of needs
    and the highest known intensity (one not on the scale, such as 'unknown' or 'Not
    recorded', is not counted)."""
    ranked = needs.assign(rank=needs["intensity"].map(RANK))
    grouped = ranked.groupby("child_id")
    out = pd.DataFrame({"needs": grouped["need"].agg(frozenset),
                        "rank": grouped["rank"].max()})
    out["intensity"] = out["rank"].map(dict(enumerate(INTENSITIES)))
    return out.drop(columns="rank").reset_index()


# --- the matching rule -------------------------------------------------------------------

def matches(children: pd.DataFrame, offers: pd.DataFrame) -> np.ndarray:
    """``result[i, j]`` is True when child ``i`` matches offer ``j`` (module docstring).

    children: age (whole years, may be missing), sex ('male' | 'female' in any case;
    anything else, e.g. 'Not recorded', counts as missing), needs
    (frozenset of codes), intensity ('low' | 'medium' | 'high' | missing); for the
    tables below also placing_la, placement_la (missing: not recorded) and cohort.
    offers: age_from, age_to, sex ('any' | 'male' | 'female'), needs (frozenset),
    max_intensity ('low' | 'medium' | 'high').
    """
    age = pd.to_numeric(children["age"], errors="coerce").to_numpy(float)[:, None]
    age_ok = np.isnan(age) | ((offers["age_from"].to_numpy(float)[None, :] <= age)
                              & (age <= offers["age_to"].to_numpy(float)[None, :]))
    child_sex = child_sexes(children["sex"])[:, None]
    home_sex = offers["sex"].to_numpy(dtype=object)[None, :]
    sex_ok = (home_sex == "any") | (child_sex == "") | (child_sex == home_sex)
    child_rank = children["intensity"].map(RANK).fillna(-1).to_numpy()[:, None]
    intensity_ok = child_rank <= offers["max_intensity"].map(RANK).to_numpy()[None, :]
    return age_ok & sex_ok & needs_accepted(children["needs"], offers["needs"]) & intensity_ok


def child_sexes(sex: pd.Series) -> np.ndarray:
    """'male' or 'female' (any case), else '' (not recorded): plain strings to compare."""
    words = sex.astype("string").str.lower().fillna("")
    return words.where(words.isin(["male", "female"]), "").to_numpy(dtype=object)


def needs_accepted(child_needs: pd.Series, home_needs: pd.Series) -> np.ndarray:
    """``[i, j]``: every need of child ``i`` is among the needs home ``j`` accepts.
    Counted as a matrix product: the child's needs that the home does not accept."""
    vocabulary = sorted(set().union(*child_needs, *home_needs))
    column = {code: k for k, code in enumerate(vocabulary)}

    def indicator(sets: pd.Series) -> np.ndarray:
        table = np.zeros((len(sets), len(vocabulary)), dtype=np.int64)
        for row, codes in enumerate(sets):
            table[row, [column[code] for code in codes]] = 1
        return table

    refused = indicator(child_needs) @ (1 - indicator(home_needs)).T
    return refused == 0


def matching_places(children: pd.DataFrame, offers: pd.DataFrame) -> int:
    """The most of these children the offered places can hold at once, each child in a home
    whose offer matches them, no home over its places: a maximum flow from a source through
    groups of identical children (same age, sex, needs, intensity), the homes they match,
    and each home's places to a sink. Grouping keeps the network small for all England."""
    if children.empty or offers.empty:
        return 0
    keys = ["age", "sex", "needs", "intensity"]
    profile = children[keys].astype(object).where(children[keys].notna(), None)
    groups = profile.groupby(keys, dropna=False, sort=False).size().reset_index(name="n")
    fits = matches(groups, offers)
    p, h = fits.shape
    source, sink = 0, p + h + 1
    rows_p, cols_h = np.nonzero(fits)
    tails = np.concatenate([np.zeros(p, int), 1 + rows_p, 1 + p + np.arange(h)])
    heads = np.concatenate([1 + np.arange(p), 1 + p + cols_h, np.full(h, sink)])
    capacity = np.concatenate([groups["n"].to_numpy(), groups["n"].to_numpy()[rows_p],
                               offers["places"].to_numpy()]).astype(np.int32)
    graph = csr_array((capacity, (tails, heads)), shape=(sink + 1, sink + 1))
    return int(maximum_flow(graph, source, sink).flow_value)


# --- per RCC and cohort ------------------------------------------------------------------

def with_areas(children: pd.DataFrame, la_rcc: pd.Series) -> pd.DataFrame:
    """Children placed by an RCC's LAs, with their RCC, their cohort (``NO_COHORT`` when
    none) and where they are placed (``WHERE``); children of LAs in no RCC are left out."""
    rcc = children["placing_la"].map(la_rcc)
    placed_rcc = children["placement_la"].map(la_rcc)
    where = np.select(
        [children["placement_la"].isna(), children["placement_la"] == children["placing_la"],
         placed_rcc == rcc], [NOT_RECORDED, INSIDE_LA, ELSEWHERE_IN_RCC], OUTSIDE_RCC)
    out = children.assign(rcc=rcc, where=where, cohort=cohort_labels(children["cohort"]))
    return out[out["rcc"].notna()]


def cohort_labels(cohort: pd.Series) -> pd.Series:
    """Cohorts as text, so they sort beside ``ALL`` and ``NO_COHORT``: whole numbers stay
    whole ('2', not '2.0', when a missing cohort made the column float)."""
    if pd.api.types.is_float_dtype(cohort) and (cohort.dropna() % 1 == 0).all():
        cohort = cohort.astype("Int64")
    return cohort.astype(object).where(cohort.notna(), NO_COHORT).astype(str)


def with_all_children(children: pd.DataFrame) -> pd.DataFrame:
    """The children twice: once in their cohort, once in the cohort ``ALL``."""
    return pd.concat([children, children.assign(cohort=ALL)], ignore_index=True)


def placed_where(children: pd.DataFrame, la_rcc: pd.Series) -> pd.DataFrame:
    """Children in residential care per RCC, cohort and where they are placed:
    long format (rcc, cohort, where, count), every ``WHERE`` for every (rcc, cohort) present,
    zeros included. The ``ALL`` cohort's rows are the sums of the cohorts' rows."""
    placed = with_all_children(with_areas(children, la_rcc))
    counts = placed.groupby(["rcc", "cohort", "where"]).size()
    pairs = placed[["rcc", "cohort"]].drop_duplicates()
    full = pairs.merge(pd.DataFrame({"where": WHERE}), how="cross")
    out = full.merge(counts.rename("count").reset_index(), on=["rcc", "cohort", "where"],
                     how="left")
    return out.fillna({"count": 0}).astype({"count": int}).sort_values(
        ["rcc", "cohort"], kind="stable").reset_index(drop=True)


def specificity_gap(children: pd.DataFrame, offers: pd.DataFrame,
                    la_rcc: pd.Series) -> pd.DataFrame:
    """Per RCC and cohort (and ``ALL``): children, matching places inside the RCC and the
    gap, long format (rcc, cohort, measure, count) with measure in (children, matching
    places, gap); gap = children - matching places (module docstring)."""
    placed = with_all_children(with_areas(children, la_rcc))
    home_rcc = offers["la_code"].map(la_rcc)
    rows = []
    for (rcc, cohort), group in placed.groupby(["rcc", "cohort"], sort=True):
        matched = matching_places(group, offers[home_rcc == rcc])
        rows += [(rcc, cohort, CHILDREN, len(group)), (rcc, cohort, MATCHING, matched),
                 (rcc, cohort, GAP, len(group) - matched)]
    return pd.DataFrame(rows, columns=["rcc", "cohort", "measure", "count"])


def gap_summary(placed: pd.DataFrame, gap: pd.DataFrame) -> pd.DataFrame:
    """``placed_where`` and ``specificity_gap`` side by side, one row per RCC and cohort
    (children, where they are placed, matching places, gap), for the page and its
    download. Works on protected tables too: a hidden count ('c') stays as it is."""
    where = placed.pivot(index=["rcc", "cohort"], columns="where", values="count")
    measures = gap.pivot(index=["rcc", "cohort"], columns="measure", values="count")
    table = pd.concat([measures[[CHILDREN]], where[list(WHERE)],
                       measures[[MATCHING, GAP]]], axis=1)
    return table.rename_axis(columns=None).reset_index()


# --- what the RCC exports ----------------------------------------------------------------

def exports_profile(children: pd.DataFrame, la_rcc: pd.Series) -> pd.DataFrame:
    """Per RCC, for the children it places outside the RCC and those it places inside it
    (in its LAs or elsewhere in the RCC; placements not recorded left out): how many
    have each need. Long format (rcc, where, need, count), where in (``OUTSIDE_RCC``,
    ``INSIDE_RCC``); the need ``ALL`` row holds how many children there are."""
    placed = with_areas(children, la_rcc)
    placed = placed[placed["where"] != NOT_RECORDED]
    placed = placed.assign(where=np.where(placed["where"] == OUTSIDE_RCC, OUTSIDE_RCC,
                                          INSIDE_RCC))
    vocabulary = sorted(set().union(*children["needs"]))
    has = pd.DataFrame({need: placed["needs"].map(lambda codes, n=need: n in codes)
                        for need in vocabulary}, index=placed.index).assign(**{ALL: True})
    counts = has.groupby([placed["rcc"], placed["where"]]).sum()
    rccs = placed["rcc"].drop_duplicates()
    full = pd.MultiIndex.from_product([sorted(rccs), [OUTSIDE_RCC, INSIDE_RCC]],
                                      names=["rcc", "where"])
    long = counts.reindex(full, fill_value=0).rename_axis(columns="need").stack()
    return long.rename("count").astype(int).reset_index()


def exports_shares(profile: pd.DataFrame) -> pd.DataFrame:
    """One RCC's profile as one row per need: children with it placed outside, the % of
    the children placed outside who have it, the % among those placed inside, and how many
    children are placed outside and inside (the same on every row)."""
    wide = profile.pivot_table(index="need", columns="where", values="count", aggfunc="sum",
                               fill_value=0)
    totals = wide.loc[ALL]
    needs = wide.drop(index=ALL)
    out = pd.DataFrame({
        "placed_outside": needs[OUTSIDE_RCC],
        "pct_outside": percent(needs[OUTSIDE_RCC], totals[OUTSIDE_RCC]),
        "pct_inside": percent(needs[INSIDE_RCC], totals[INSIDE_RCC]),
        "children_outside": totals[OUTSIDE_RCC], "children_inside": totals[INSIDE_RCC]})
    return out.sort_values("pct_outside", ascending=False).reset_index()


def percent(part: pd.Series, whole: int) -> pd.Series:
    """part as a % of whole, missing when whole is 0."""
    return part * 100.0 / whole if whole else part * np.nan


def exports_sentence(shares: pd.DataFrame, labels: dict[str, str]) -> str:
    """The plain reading of one RCC's ``exports_shares``: the needs far more common among
    the children it sends outside the RCC than among those it keeps (``EXPORT_MARGIN``).
    A need is named only when at least ``disclosure.THRESHOLD`` children placed outside
    have it, so the sentence never points at one to four children."""
    outside = shares["children_outside"].max() if not shares.empty else 0
    if pd.isna(outside):
        return ("How many of our children in residential care are placed outside the RCC is "
                "hidden to protect them, so their needs are not described.")
    if outside == 0:
        return "We place none of our children in residential care outside the RCC."
    if outside < THRESHOLD:
        return ("Too few of our children in residential care are placed outside the RCC to "
                "describe their needs.")
    # No child placed inside: every need is 0% there. A share not known (hidden) names
    # nothing: a hidden share is not a zero.
    inside = shares["pct_inside"].where(shares["children_inside"].ne(0), 0.0)
    lift = shares["pct_outside"] - inside
    common = (lift >= EXPORT_MARGIN) & (shares["placed_outside"] >= THRESHOLD)
    named = shares.assign(lift=lift)[common].nlargest(EXPORTS_NAMED, "lift")
    if named.empty:
        return ("No need stands out among the children we place outside the RCC: we lack "
                "places more than any kind of home.")
    words = [labels.get(need, need).lower() for need in named["need"]]
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return (f"We send children away whose needs include {listed}: these are the homes "
            "we lack.")
