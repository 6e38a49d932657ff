"""Price that is not need: how much of a placement's weekly fee its child's needs, age and
placement type explain, and which providers charge more than that.

The model (ordinary least squares, statsmodels)::

    log(weekly fee) = a + b1 needs + b2 high-intensity needs + b3 daily needs
                      + age band + placement type + needs cohort + error

Why the log: fees are skewed and effects multiply (an extra need adds a share of the fee,
not a fixed sum), so each coefficient b is reported as the % effect exp(b) - 1 with its
95% interval. Errors are heteroscedasticity-robust (HC3): dear placements vary more.
Placement type is the 903 PLACE code where that code has at least ``MIN_LEVEL``
placements, else its placement group; levels of any grouping with fewer than
``MIN_LEVEL`` placements are pooled as "Other (small groups)", whose effect is never
reported, so no effect rests on a handful of children (and every placement stays in the
model: its n is the area's count of placements, which the family protects).

Identifiable on real data with missing parts: terms are added in the order above, column
by column, and a column is kept only if it adds to the design's rank (it varies, and the
columns before it do not already determine it); what is left out is named in
``dropped``. Placement type comes before cohort because needs are recorded for some
placement types only (cohorts are fitted on children in residential care): a cohort
added first would take a children's home's price as if it were need. For the same
reason each grouping is compared with its most common *recorded* level ("Not assessed",
"Not recorded" and the small-groups pool are never the reference where another exists).

A provider's *mean residual* is how much its placements' fees differ, on average, from
what the model gives for their children: exp(mean residual) - 1, with a t interval over its
placements. It is association, not cause: anything the model leaves out (a child's
history, the home's location, staffing ratios, when the placement was bought, urgency)
shows up there too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from analysis.fee_stats import Gate, interval_words
from analysis.scope import Scope

#: Counted needs: the model's numeric terms, in the order they are added, with their words.
NUMERIC = {"needs": "Each extra need", "high_intensity": "Each extra high-intensity need",
           "daily": "Each extra daily need"}
#: Groupings: the categorical terms, in the order they are added, with their words.
CATEGORICAL = {"age_band": "Age band", "placement_kind": "Placement type",
               "cohort": "Needs cohort"}
#: 903 PLACE codes in words (shortened from the DfE SSDA903 guidance), for the model's levels.
PLACE_NAMES = {
    "H5": "supported accommodation", "K1": "secure children's home", "K2": "children's home",
    "P1": "placed with parents", "P2": "independent living", "P3": "residential employment",
    "R1": "residential care home", "R2": "NHS / health trust", "R3": "family centre or "
    "mother and baby unit", "R5": "young offender institution", "S1": "residential school",
    "U1": "foster, family or friend, long term", "U2": "foster, family or friend, fostering "
    "for adoption", "U3": "foster, family or friend, other", "U4": "foster, other carer, long "
    "term", "U5": "foster, other carer, fostering for adoption", "U6": "foster, other carer, "
    "other", "Z1": "other placement"}
MIN_LEVEL = 10  # fewest placements a level of a grouping needs to have its own effect
SMALL = "Other (small groups)"
#: Levels that say a value is missing: never a grouping's reference where another exists.
PLACEHOLDERS = {"Not assessed", "Not recorded", SMALL}
MIN_PLACEMENTS = 50  # fewest placements a model is fitted on ...
PER_PARAMETER = 10  # ... and at least this many per coefficient
MIN_PROVIDER = 5  # fewest placements a provider's residual is given for
#: How a provider's placements are shown beside its residual: (lowest count, label).
PLACEMENT_BANDS = [(MIN_PROVIDER, "5-9"), (10, "10-19"), (20, "20-49"), (50, "50 or more")]
LEVEL = 0.95
PROVIDER_COLUMNS = ["rank", "provider_id", "placements", "excess_pct", "lower_pct", "upper_pct"]


@dataclass
class FeeModel:
    """A fitted fee model, or why there is none (``fit`` None, ``note`` says why)."""

    fit: object | None
    data: pd.DataFrame
    dropped: list[str] = field(default_factory=list)
    references: dict = field(default_factory=dict)
    note: str = ""


def model_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The model's rows: placements with a positive weekly fee, with log fee, the counted
    needs, the groupings (small levels pooled, see module docstring) and provider_id."""
    rows = frame[frame["weekly_fee"].gt(0)]
    data = pd.DataFrame({
        "log_fee": np.log(rows["weekly_fee"].to_numpy(float)),
        **{name: rows[name].fillna(0).to_numpy(float) for name in NUMERIC},
        "cohort": rows["cohort"].fillna("Not assessed").to_numpy(object),
        "age_band": rows["age_band"].fillna("Not recorded").to_numpy(object),
        "placement_kind": placement_kind(rows).to_numpy(object),
        "provider_id": rows["provider_id"].to_numpy(object)}, index=rows.index)
    for name in CATEGORICAL:
        data[name] = pooled(data[name])
    return data


def placement_kind(rows: pd.DataFrame) -> pd.Series:
    """The 903 PLACE code (with its name) where it has ``MIN_LEVEL`` placements, else the
    placement group."""
    counts = rows["placement_type"].map(rows["placement_type"].value_counts())
    named = rows["placement_type"] + " " + rows["placement_type"].map(PLACE_NAMES).fillna("")
    return named.str.strip().where(counts >= MIN_LEVEL, rows["placement"]).fillna(
        rows["placement"])


def pooled(values: pd.Series) -> pd.Series:
    """Levels with fewer than ``MIN_LEVEL`` placements pooled as ``SMALL`` (kept in the
    model, so every placement counts and the model's n is the area's placements, but the
    pool's own effect is never reported)."""
    counts = values.map(values.value_counts())
    return values.where(counts >= MIN_LEVEL, SMALL)


def fit_fee_model(frame: pd.DataFrame) -> FeeModel:
    """The fee model fitted on ``frame`` (module docstring), or a FeeModel saying why it
    cannot be: too few placements for the terms it would need."""
    data = model_rows(frame)
    if len(data) < MIN_PLACEMENTS:
        return FeeModel(None, data, note=f"A fee model needs at least {MIN_PLACEMENTS} "
                        f"placements with a fee; this area has fewer. An LA is usually too "
                        f"small: choose its RCC or England.")
    design, dropped, references = identifiable_design(data)
    if len(data) < PER_PARAMETER * design.shape[1]:
        return FeeModel(None, data, dropped, references,
                        note=f"Too few placements ({len(data):,}) for a model with "
                        f"{design.shape[1]} coefficients (at least {PER_PARAMETER} each).")
    fit = sm.OLS(data["log_fee"], design).fit(cov_type="HC3")
    return FeeModel(fit, data, dropped, references)


def identifiable_design(data: pd.DataFrame) -> tuple[pd.DataFrame, list[str], dict]:
    """The design matrix: a constant, then each term's columns in order, each kept only if
    it adds to the design's rank (it varies, and the terms before it do not already tell
    it apart: on real data a cohort can be exactly the children of one placement type), so
    the model is identifiable on any data; the words of what was left out; and each
    grouping's reference level (``reference_level``: comparisons are with the usual case)."""
    design = pd.DataFrame({"const": 1.0}, index=data.index)
    basis = np.full((len(data), 1), 1 / np.sqrt(max(len(data), 1)))
    dropped, references = [], {}
    for name, words in {**NUMERIC, **CATEGORICAL}.items():
        if name in NUMERIC:
            columns = data[[name]]
        else:
            references[name] = reference_level(data[name])
            columns = dummies(data[name], references[name])
        kept = []
        for column in columns:
            new = new_direction(basis, columns[column].to_numpy(float))
            if new is not None:
                basis = np.column_stack([basis, new])
                design[column] = columns[column]
                kept.append(column)
        if not kept:
            dropped.append(f"{words} (no variation, or told apart by the terms before it)")
            references.pop(name, None)
        dropped += [f"{words}: {column.partition('=')[2]} (told apart by the terms before it)"
                    for column in columns if column not in kept and kept]
    return design, dropped, references


def reference_level(values: pd.Series) -> str:
    """A grouping's most common recorded level (module docstring), else its most common."""
    counts = values.value_counts()
    recorded = counts[~counts.index.isin(PLACEHOLDERS)]
    return (recorded if len(recorded) else counts).index[0]


def new_direction(basis: np.ndarray, column: np.ndarray, tolerance: float = 1e-8):
    """The unit part of ``column`` that the orthonormal ``basis`` does not span (None if
    it spans it, to ``tolerance`` of the column's length): Gram-Schmidt, twice for
    accuracy. One pass over the rows per column, so checking every term stays cheap on
    England's ~73,000 placements."""
    length = np.linalg.norm(column)
    rest = column - basis @ (basis.T @ column)
    rest -= basis @ (basis.T @ rest)
    size = np.linalg.norm(rest)
    return None if length == 0 or size <= tolerance * length else rest / size


def dummies(values: pd.Series, reference: str) -> pd.DataFrame:
    """One 0/1 column per level other than the reference, named 'term=level'."""
    levels = sorted(set(values) - {reference}, key=str)
    return pd.DataFrame({f"{values.name}={level}": (values == level).astype(float)
                         for level in levels}, index=values.index)


def summary(model: FeeModel) -> dict:
    """n, R² and adjusted R² (None where there is no model)."""
    if model.fit is None:
        return {"placements": len(model.data), "r_squared": None, "adj_r_squared": None}
    return {"placements": int(model.fit.nobs), "r_squared": float(model.fit.rsquared),
            "adj_r_squared": float(model.fit.rsquared_adj)}


def coefficients(model: FeeModel) -> pd.DataFrame:
    """Each coefficient as a % effect on the fee with its 95% interval and p-value:
    term, group (a grouping's level; '' for counted needs), compared_with (the grouping's
    reference level), effect_pct, lower_pct, upper_pct, p_value."""
    columns = ["term", "group", "compared_with", "effect_pct", "lower_pct", "upper_pct",
               "p_value"]
    if model.fit is None:
        return pd.DataFrame(columns=columns)
    interval = model.fit.conf_int(1 - LEVEL)
    rows = []
    for name in model.fit.params.index.drop("const"):
        term, _, level = name.partition("=")
        if level == SMALL:
            continue
        words = NUMERIC.get(term) or CATEGORICAL[term]
        rows.append({"term": words, "group": level,
                     "compared_with": model.references.get(term, ""),
                     "effect_pct": pct(model.fit.params[name]),
                     "lower_pct": pct(interval.loc[name, 0]),
                     "upper_pct": pct(interval.loc[name, 1]),
                     "p_value": float(model.fit.pvalues[name])})
    return pd.DataFrame(rows, columns=columns)


def pct(log_effect: float) -> float:
    """A log-scale effect as a % change in the fee: exp(b) - 1."""
    return float(100 * np.expm1(log_effect))


def provider_residuals(model: FeeModel, area: Scope, gate: Gate) -> pd.DataFrame:
    """Each provider's mean residual as a %: how much more (or less) it charges than its
    children's needs, ages and placement types explain, with a 95% t interval over its
    placements; only providers with ``MIN_PROVIDER`` placements, dearest first, ranked.

    A provider's placements are shown as a band (``placement_band``), never as a count:
    an exact count per provider would be one more table to difference against the fee
    family's (a provider's placements above the cap, or an area's by sector), and a band
    starting at ``MIN_PROVIDER`` says only that the mean rests on at least that many. The
    area itself must be one the family lets be described (``gate``)."""
    columns = PROVIDER_COLUMNS
    if model.fit is None or not gate.may_describe(area, "all", "all"):
        return pd.DataFrame(columns=columns)
    residual = model.data.loc[model.fit.resid.index, ["provider_id"]].assign(
        residual=model.fit.resid)
    rows = []
    for provider, group in residual.dropna(subset=["provider_id"]).groupby("provider_id"):
        if len(group) >= MIN_PROVIDER:
            mean, low, high = mean_interval(group["residual"])
            rows.append({"provider_id": provider, "placements": placement_band(len(group)),
                         "excess_pct": pct(mean), "lower_pct": pct(low), "upper_pct": pct(high)})
    table = pd.DataFrame(rows, columns=columns[1:]).sort_values("excess_pct", ascending=False)
    return table.assign(rank=np.arange(1, len(table) + 1))[columns].reset_index(drop=True)


def placement_band(count: int) -> str:
    """'5-9', '10-19', '20-49' or '50 or more' placements (``PLACEMENT_BANDS``)."""
    label = next(name for low, name in reversed(PLACEMENT_BANDS) if count >= low)
    return label


def mean_interval(values: pd.Series) -> tuple[float, float, float]:
    """The mean and its 95% t interval."""
    mean, spread = values.mean(), values.std(ddof=1) / np.sqrt(len(values))
    half = stats.t.ppf(0.5 + LEVEL / 2, len(values) - 1) * spread
    return float(mean), float(mean - half), float(mean + half)


def model_sentences(model: FeeModel, table: pd.DataFrame, providers: pd.DataFrame) -> list[str]:
    """Plain words for trustees: how much the model explains, the clearest effects, and
    the providers whose charges the children's needs explain least."""
    if model.fit is None:
        return [model.note]
    fit = summary(model)
    lines = [f"Children's needs, ages and placement types explain about "
             f"{fit['r_squared']:.0%} of the differences in fees between placements here; "
             f"the rest is price these do not explain."]
    for row in table[table["term"].isin(NUMERIC.values())].itertuples():
        interval = interval_words(row.lower_pct, row.upper_pct)
        lines.append(f"{row.term} makes no clear difference to the fee ({interval}), other "
                     f"things equal." if row.lower_pct <= 0 <= row.upper_pct else
                     f"{row.term} goes with a fee about {abs(row.effect_pct):.0f}% "
                     f"{'higher' if row.effect_pct >= 0 else 'lower'} ({interval}), other "
                     f"things equal.")
    clear = providers[providers["lower_pct"] > 0].head(3)
    for row in clear.itertuples():
        lines.append(f"{row.provider_id} charges about {row.excess_pct:.0f}% more than its "
                     f"children's needs, ages and placement types explain "
                     f"({interval_words(row.lower_pct, row.upper_pct)}).")
    return lines
