"""The needs audit's tables: which needs the children looked after have, how many each,
which go together and how often and how intensely they show.

An RCC's strategy is meant to start from a needs audit (how many children, with what
needs, where); regional needs analyses report about four co-occurring needs out of eleven
for children in residential care, rated by frequency and intensity (Rome & Stanley). This
module counts them for any set of children (a scope: England, an RCC, an LA) and turns
counts into shares. It counts raw case-level numbers: nothing here is fit to show until
``analysis.needs_family`` has protected it, and every share is derived from counts after
protection (``share``, ``lift`` and ``co_occurrence_shares`` pass a hidden count on as
hidden), so a share never gives back a count that is shown as "c".

Frames used throughout:

* ``children``: one row per child looked after at 31 March, with ``child_id``,
  ``la_code`` (the placing LA), the grouping columns (``age_band``, ``sex``,
  ``placement``) and ``residential``;
* ``needs``: (``child_id``, ``need``, ``frequency``, ``intensity``) from each child's
  latest assessment on or before that day. A child with no recorded need has zero needs.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from analysis import flows
from analysis.disclosure import SUPPRESSED

#: Age bands at 31 March: DfE's 10-15 and 16+, with its three younger bands as one. Few
#: children under 10 are in residential care, and by DfE's five bands most of the young
#: cells of every need were counts of 1 to 4, hidden, with their partners hidden beside
#: them; needs such as exploitation or going missing are adolescent anyway.
AGE_BANDS = ["Under 10 years", "10 to 15 years", "16 years and over"]
AGE_LIMITS = [0, 10, 16]  # lower bound of each band, whole years
NOT_RECORDED = "Not recorded"
SEXES = ["Male", "Female", NOT_RECORDED]  # 903 SEX 1, 2; Placements v2 may leave it blank
SEX_CODES = {"1": "Male", "2": "Female"}
PLACEMENTS = list(flows.PLACEMENT_GROUPS)
#: Residential care: the settings whose needs regional needs analyses describe.
RESIDENTIAL = (flows.HOME_GROUP, "Residential schools, health and other residential settings")
#: The grouping columns every table can be broken down by, with their values in order.
GROUPINGS = {"age_band": AGE_BANDS, "sex": SEXES, "placement": PLACEMENTS}
ALL = "All"
#: Rome & Stanley's scales, lowest first; Placements v2 records neither ('unknown').
FREQUENCIES = ["rarely", "monthly", "weekly", "daily", NOT_RECORDED]
INTENSITIES = ["low", "medium", "high", NOT_RECORDED]
TOP_BUCKET = 6  # needs per child are shown 0, 1, ..., 5, "6+"
BUCKETS = [str(k) for k in range(TOP_BUCKET)] + [f"{TOP_BUCKET}+"]
MANY_NEEDS = 4  # "share with 4 or more needs", the regional analyses' yardstick
MOST = 0.5  # a conditional share from which a reading says "most"


# --- describing the children -------------------------------------------------------------------

def age_years(birth_year_month: pd.Series, year: int) -> pd.Series:
    """Age in whole years at 31 March ``year`` from 'YYYY-MM' (only year and month are
    kept; a child born in March has had that birthday by the 31st, so it is exact);
    missing where the month of birth is not recorded."""
    parts = birth_year_month.astype("string").str.split("-", expand=True)
    born_year = pd.to_numeric(parts[0], errors="coerce")
    born_month = pd.to_numeric(parts[1], errors="coerce") if parts.shape[1] > 1 else np.nan
    return year - born_year - (born_month > 3).astype(float)


def age_band(birth_year_month: pd.Series, year: int) -> pd.Series:
    """DfE age band at 31 March ``year`` from 'YYYY-MM'."""
    age = age_years(birth_year_month, year)
    band = pd.cut(age, [-np.inf, *AGE_LIMITS[1:], np.inf], right=False, labels=AGE_BANDS)
    return band.astype(object).where(age.notna(), NOT_RECORDED)


def sex_label(sex: pd.Series) -> pd.Series:
    """903 SEX code as a word; blank (Placements v2) is 'Not recorded'."""
    return sex.astype("string").map(SEX_CODES).astype(object).fillna(NOT_RECORDED)


def describe_children(placements: pd.DataFrame, people: pd.DataFrame,
                      year: int) -> pd.DataFrame:
    """The ``children`` frame: placements at 31 March (child_id, from_code, place,
    is_synthetic) with each child's age band, sex, placement group and whether the
    placement is residential care."""
    people = people.drop_duplicates("child_id").set_index("child_id")
    ids = placements["child_id"]
    group = flows.placement_group(placements["place"])
    return pd.DataFrame({
        "child_id": ids.to_numpy(), "la_code": placements["from_code"].to_numpy(),
        "age_band": age_band(ids.map(people["birth_year_month"]), year).to_numpy(),
        "sex": sex_label(ids.map(people["sex"])).to_numpy(),
        "placement": group.to_numpy(), "residential": group.isin(RESIDENTIAL).to_numpy(),
        "is_synthetic": placements["is_synthetic"].astype(bool).to_numpy()})


def latest_needs(assessments: pd.DataFrame) -> pd.DataFrame:
    """Each child's needs at their latest assessment (an earlier assessment's needs that
    a later one no longer records have gone); frequency and intensity 'unknown' or blank
    become 'Not recorded'."""
    if assessments.empty:
        return pd.DataFrame(columns=["child_id", "need", "frequency", "intensity"])
    latest = assessments.groupby("child_id")["assessed_on"].transform("max")
    rows = assessments[assessments["assessed_on"] == latest]
    rows = rows.drop_duplicates(["child_id", "need"])
    return pd.DataFrame({
        "child_id": rows["child_id"].to_numpy(), "need": rows["need"].to_numpy(),
        "frequency": recorded(rows["frequency"], FREQUENCIES),
        "intensity": recorded(rows["intensity"], INTENSITIES)})


def recorded(values: pd.Series, scale: list[str]) -> np.ndarray:
    """Values on a Rome & Stanley scale; anything else is 'Not recorded'."""
    return values.where(values.isin(scale[:-1]), NOT_RECORDED).to_numpy(dtype=object)


def need_matrix(children: pd.DataFrame, needs: pd.DataFrame,
                vocabulary: list[str]) -> pd.DataFrame:
    """True where a child (rows, in ``children`` order) has a need (columns)."""
    matrix = pd.crosstab(needs["child_id"], needs["need"]).reindex(
        index=children["child_id"], columns=vocabulary, fill_value=0) > 0
    return matrix.rename_axis(index="child_id", columns="need")


def bucket(count: pd.Series) -> pd.Series:
    """Needs per child as shown: '0' to '5', then '6+'."""
    return count.clip(upper=TOP_BUCKET).map(dict(enumerate(BUCKETS)))


# --- raw counts (``by``: extra key columns, e.g. ["la_code"] for the family) --------------------

def group_values(children: pd.DataFrame, grouping: str | None) -> pd.Series:
    """Each child's group: the grouping column's value, or 'All'."""
    return pd.Series(ALL, index=children.index) if grouping is None else children[grouping]


def children_counts(children: pd.DataFrame, grouping: str | None,
                    by: list[str] = ()) -> pd.DataFrame:
    """Children per group: ``by`` columns, group, children."""
    keys = [children[b] for b in by] + [group_values(children, grouping).rename("group")]
    return children.groupby(keys).size().rename("children").reset_index()


def need_counts(children: pd.DataFrame, matrix: pd.DataFrame, grouping: str | None,
                by: list[str] = ()) -> pd.DataFrame:
    """Children with each need per group: ``by`` columns, need, group, children."""
    frame = matrix.reset_index(drop=True).astype(int)
    for column in by:
        frame[column] = children[column].to_numpy()
    frame["group"] = group_values(children, grouping).to_numpy()
    summed = frame.groupby([*by, "group"]).sum()
    return summed.rename_axis(columns="need").stack().rename("children").reset_index()[
        [*by, "need", "group", "children"]]


def bucket_counts(children: pd.DataFrame, matrix: pd.DataFrame, grouping: str | None,
                  by: list[str] = ()) -> pd.DataFrame:
    """Children by number of needs (0 to 5, 6+) per group: ``by``, group, needs, children."""
    keys = [children[b].to_numpy() for b in by] + [
        group_values(children, grouping).to_numpy(),
        bucket(matrix.sum(axis=1)).to_numpy()]
    names = [*by, "group", "needs"]
    return pd.Series(1, index=pd.MultiIndex.from_arrays(keys, names=names)).groupby(
        level=names).sum().rename("children").reset_index()


def need_count_summary(children: pd.DataFrame, matrix: pd.DataFrame) -> dict:
    """Mean number of needs per child and the share with 4 or more (raw)."""
    counts = matrix.sum(axis=1)
    if not len(counts):
        return {"children": 0, "mean_needs": np.nan, "share_4_plus": np.nan}
    return {"children": len(counts), "mean_needs": float(counts.mean()),
            "share_4_plus": float((counts >= MANY_NEEDS).mean())}


def pair_counts(children: pd.DataFrame, matrix: pd.DataFrame,
                by: list[str] = ()) -> pd.DataFrame:
    """Children with both of each pair of needs: ``by``, need_a, need_b, both."""
    if not len(children):
        return pd.DataFrame(columns=[*by, "need_a", "need_b", "both"])
    values = matrix.to_numpy(dtype=float)
    keys = [children[b].to_numpy() for b in by]
    codes = (pd.MultiIndex.from_arrays(keys).factorize()[0] if by
             else np.zeros(len(children), dtype=int))
    levels = (pd.MultiIndex.from_arrays(keys).unique() if by else [()])
    rows = []
    for code, key in enumerate(levels):
        inside = values[codes == code]
        both = inside.T @ inside
        key = key if isinstance(key, tuple) else (key,)
        for (i, a), (j, b) in combinations(enumerate(matrix.columns), 2):
            rows.append((*key, a, b, int(both[i, j])))
    return pd.DataFrame(rows, columns=[*by, "need_a", "need_b", "both"])


def grid_counts(children: pd.DataFrame, needs: pd.DataFrame,
                by: list[str] = ()) -> pd.DataFrame:
    """Children per need, intensity and frequency: ``by``, need, intensity, frequency,
    children (cells that are 0 left out)."""
    rows = needs[needs["child_id"].isin(set(children["child_id"]))]
    if by:
        rows = rows.merge(children[["child_id", *by]], on="child_id")
    columns = [*by, "need", "intensity", "frequency"]
    return rows.groupby(columns).size().rename("children").reset_index() if len(rows) else \
        pd.DataFrame(columns=[*columns, "children"])


# --- tables for one set of children (raw, unprotected) --------------------------------------------

def prevalence(children: pd.DataFrame, matrix: pd.DataFrame,
               grouping: str | None = None) -> pd.DataFrame:
    """need, group, with_need, children, share_pct: how many children of each group have
    each need (every need and every group listed, zeros too)."""
    order = [ALL] if grouping is None else GROUPINGS.get(grouping,
                                                         sorted(set(children[grouping])))
    index = pd.MultiIndex.from_product([matrix.columns, order], names=["need", "group"])
    with_need = need_counts(children, matrix, grouping).set_index(["need", "group"])[
        "children"].reindex(index, fill_value=0)
    groups = children_counts(children, grouping).set_index("group")["children"]
    table = with_need.rename("with_need").reset_index()
    table["children"] = table["group"].map(groups).fillna(0).astype(int)
    table["share_pct"] = share(table["with_need"], table["children"])
    return table


def distribution(children: pd.DataFrame, matrix: pd.DataFrame) -> pd.DataFrame:
    """needs ('0' to '6+'), children: how many children have how many needs."""
    counts = bucket_counts(children, matrix, None).set_index("needs")["children"]
    return counts.reindex(BUCKETS, fill_value=0).rename_axis("needs").reset_index()


def co_occurrence(children: pd.DataFrame, matrix: pd.DataFrame) -> pd.DataFrame:
    """Every pair of needs: both, with_a, with_b, children and the shares and lift
    (``co_occurrence_shares``)."""
    pairs = pair_counts(children, matrix)
    with_need = matrix.sum(axis=0)
    pairs["with_a"] = pairs["need_a"].map(with_need).astype(int)
    pairs["with_b"] = pairs["need_b"].map(with_need).astype(int)
    pairs["children"] = len(children)
    return co_occurrence_shares(pairs)


def intensity_frequency(children: pd.DataFrame, needs: pd.DataFrame,
                        vocabulary: list[str]) -> pd.DataFrame:
    """need, intensity, frequency, children for every cell of every need's grid."""
    index = pd.MultiIndex.from_product([vocabulary, INTENSITIES, FREQUENCIES],
                                       names=["need", "intensity", "frequency"])
    counts = grid_counts(children, needs).set_index(["need", "intensity", "frequency"])
    return counts["children"].reindex(index, fill_value=0).astype(int).reset_index()


# --- shares from counts that may be hidden ------------------------------------------------------

def hidden(*values) -> bool:
    """True if any value is the suppression symbol."""
    return any(isinstance(v, str) and v == SUPPRESSED for v in values)


def ratio(part, whole, scale: float = 100.0, digits: int = 1):
    """part / whole x scale rounded; 'c' if either is hidden; blank if whole is 0."""
    if hidden(part, whole):
        return SUPPRESSED
    return round(float(part) / float(whole) * scale, digits) if float(whole) else np.nan


def share(part: pd.Series, whole: pd.Series) -> pd.Series:
    """part / whole as a % (1 dp), element by element, 'c' where either is hidden."""
    return pd.Series([ratio(p, w) for p, w in zip(part, whole)], index=part.index,
                     dtype=object)


def lift(both, with_a, with_b, children):
    """P(A and B) / (P(A) P(B)): how many times more often two needs go together than
    they would by chance (2 dp); 'c' if any count is hidden."""
    if hidden(both, with_a, with_b, children):
        return SUPPRESSED
    expected = float(with_a) * float(with_b)
    return round(float(both) * float(children) / expected, 2) if expected else np.nan


def co_occurrence_shares(pairs: pd.DataFrame) -> pd.DataFrame:
    """Adds share_of_all_pct (both / children), b_given_a_pct (both / with_a),
    a_given_b_pct (both / with_b) and lift to pair counts, hidden where a count is."""
    out = pairs.copy()
    out["share_of_all_pct"] = share(out["both"], out["children"])
    out["b_given_a_pct"] = share(out["both"], out["with_a"])
    out["a_given_b_pct"] = share(out["both"], out["with_b"])
    out["lift"] = pd.Series([lift(*row) for row in zip(out["both"], out["with_a"],
                                                       out["with_b"], out["children"])],
                            index=out.index, dtype=object)
    return out


def mean_needs(with_need: pd.Series, children):
    """Mean needs per child from the need counts (every child's needs are counted once
    per need, so their sum over needs is the needs in total), 1 dp; 'c' if any is
    hidden. Derived from shown counts only, so it reveals nothing they do not."""
    values = list(with_need)
    if hidden(children, *values):
        return SUPPRESSED
    return round(sum(float(v) for v in values) / float(children), 1) if float(children) \
        else np.nan


# --- reading the strongest pairs in words ------------------------------------------------------

def pair_readings(pairs: pd.DataFrame, labels: dict[str, str], top: int = 3) -> list[str]:
    """Plain-English sentences about the pairs that go together most (lift over 1, highest
    lift first), each read in the direction with the larger conditional share: 'Most
    children with going missing also have criminal exploitation' from 50%, 'About 3 in
    10 ...' below. Hidden pairs are skipped."""
    rows = []
    for row in pairs.itertuples(index=False):
        if hidden(row.lift, row.b_given_a_pct, row.a_given_b_pct) or \
                not row.lift > 1 or pd.isna(row.lift):
            continue
        if row.b_given_a_pct >= row.a_given_b_pct:
            rows.append((row.lift, row.b_given_a_pct, row.need_a, row.need_b))
        else:
            rows.append((row.lift, row.a_given_b_pct, row.need_b, row.need_a))
    rows.sort(key=lambda r: (-r[0], -r[1], r[2], r[3]))
    return [reading(pct, labels.get(a, a), labels.get(b, b), value)
            for value, pct, a, b in rows[:top]]


def reading(pct: float, given: str, also: str, times: float) -> str:
    """One sentence: how many of the children with one need also have the other."""
    if pct >= MOST * 100:
        many = "Most"
    elif round(pct / 10) >= 1:
        many = f"About {round(pct / 10):.0f} in 10"
    else:
        many = "Fewer than 1 in 10"
    return (f"{many} children with {given.lower()} also have {also.lower()} recorded "
            f"({pct:.0f}%, {times:.1f} times as often as if the two were unrelated).")
