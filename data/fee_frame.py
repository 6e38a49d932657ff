"""The fee frame: one row per current paid placement with a weekly fee, with what the Costs
page breaks fees down by (who placed the child and where, the provider, the child's needs,
age and cohort). Every fee table, statistic and model of the Costs page starts here. Made
once per data version and kept in the store (``data.kept``).

Which rows: placements open at the records' last day (31 March of the latest year held)
with a fee in ``placement_fee``; real imported children replace the synthetic ones LA by
LA, as on every case-level page. Fees are cash terms at that day.

Definitions the page states:
* ``surplus_pct`` is the provider's declared surplus / reinvestment as a % of its operating
  cost, so the operating cost is ``weekly_fee / (1 + surplus_pct / 100)``; the parts core,
  extra staffing, education and therapy add up to the fee as charged. Placements v2
  imports give only the weekly fee (parts and surplus blank).
* ``provider_size`` counts the provider's current paid placements in the whole store (a
  provider's homes and agencies are not published with their size).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from analysis import flows, needs_audit
from analysis.disclosure import label_if_synthetic
from analysis.scope import Scope
from data import queries
from data import schema as s
from data.case_series import child_cohorts, driver_rows
from data.kept import kept
from data.map_tables import case_years
from forecasting.monthly import placement_group

NOT_RECORDED = needs_audit.NOT_RECORDED
NOT_ASSESSED = "Not assessed"
SECTORS = {"Private": "Private", "Voluntary": "Voluntary", "Local Authority": "Local authority",
           "Health Authority": "Health authority"}
#: Provider size bands by current paid placements: (lowest count, label).
SIZES = [(1, "1-9 placements"), (10, "10-49 placements"), (50, "50 or more placements")]
FEE_PARTS = ["core", "extra_staffing", "education", "therapy"]
COLUMNS = ["episode_id", "child_id", "la_code", "rcc", "rcc_name", "region", "placement_la",
           "inside_la", "inside_rcc", "distance_miles", "placement_type", "placement",
           "provider_id", "sector", "provider_size", "start_date", "age", "age_band", "needs",
           "high_intensity", "daily", "cohort", "weekly_fee", *FEE_PARTS, "surplus_pct",
           "is_synthetic"]


def fee_frame(engine: Engine) -> pd.DataFrame:
    """Every current paid placement with a weekly fee, as kept in the store for the current
    data (made and kept first if it is not: ``data.kept``); callers must not change it."""
    return kept(engine, "fee-frame", lambda: build_fee_frame(engine))


def build_fee_frame(engine: Engine) -> pd.DataFrame:
    """Every current paid placement with a weekly fee (the module docstring's columns),
    made now; ``attrs``: ``as_at`` (the records' last day) and ``synthetic``."""
    as_at = records_end(engine)
    rows = fee_rows(engine)
    if rows.empty or as_at is None:
        return framed(empty_frame(), as_at, False)
    rows = flows.prefer_real(rows.rename(columns={"la_code": "from_code"})).rename(
        columns={"from_code": "la_code"})
    rows = rows[rows["end_date"].isna()]
    out = with_places(rows, queries.local_authorities(engine))
    out = with_provider(out)
    out = with_child(out, engine, as_at)
    out["is_synthetic"] = out["is_synthetic"].astype(bool)
    return framed(out[COLUMNS].reset_index(drop=True), as_at, bool(out["is_synthetic"].any()))


def empty_frame() -> pd.DataFrame:
    """No placements, with the money, distance and age columns numeric (sums, roundings
    and comparisons on them then work as on a full frame)."""
    numbers = ["distance_miles", "age", "weekly_fee", *FEE_PARTS, "surplus_pct"]
    return pd.DataFrame(columns=COLUMNS).astype({column: float for column in numbers})


def framed(frame: pd.DataFrame, as_at: pd.Timestamp | None, synthetic: bool) -> pd.DataFrame:
    """The frame with its as-at day and synthetic flag in ``attrs``."""
    out = label_if_synthetic(frame, synthetic)
    out.attrs["as_at"] = as_at
    return out


def records_end(engine: Engine) -> pd.Timestamp | None:
    """31 March of the latest year with case-level records (None without records)."""
    years = case_years(engine)
    return pd.Timestamp(year=max(years), month=3, day=31) if years else None


def fee_rows(engine: Engine) -> pd.DataFrame:
    """Fees with their episode, child and provider columns, straight from the store."""
    f, e, c, p = s.PlacementFee, s.Episode, s.Child, s.Provider
    rows = driver_rows(engine, select(
        e.id.label("episode_id"), e.child_id, c.la_code, c.birth_year_month,
        e.placement_la, e.inside_la, e.distance_miles, e.placement_type, e.provider_id,
        e.home_sector, e.start_date, e.end_date, p.sector.label("provider_sector"),
        f.weekly_fee, f.core, f.extra_staffing, f.education, f.therapy, f.surplus_pct,
        c.is_synthetic)
        .join(e, e.id == f.episode_id).join(c, c.id == e.child_id)
        .outerjoin(p, p.id == e.provider_id))
    if not rows.empty:
        rows["is_synthetic"] = rows["is_synthetic"].astype(bool)
    return rows


def with_places(rows: pd.DataFrame, las: pd.DataFrame) -> pd.DataFrame:
    """RCC and region of the placing LA, and whether the placement is inside the LA and
    inside the placing LA's RCC (None where the placement's LA is not known)."""
    rcc_of = dict(zip(las["code"], las["rcc_id"]))
    out = rows.assign(
        rcc=rows["la_code"].map(rcc_of).astype(object),
        rcc_name=rows["la_code"].map(dict(zip(las["code"], las["rcc_name"]))).astype(object),
        region=rows["la_code"].map(dict(zip(las["code"], las["region_code"]))).astype(object))
    known = out["placement_la"].notna()
    there = out["placement_la"].map(rcc_of)
    out["inside_rcc"] = np.where(known, (there == out["rcc"]) & out["rcc"].notna(), None)
    out["inside_la"] = np.where(known, out["placement_la"] == out["la_code"], None)
    out["distance_miles"] = pd.to_numeric(out["distance_miles"], errors="coerce")
    out["placement"] = placement_group(out["placement_type"]).to_numpy()
    for column in ("rcc", "rcc_name", "region"):
        out[column] = out[column].where(out[column].notna(), None)
    return out


def with_provider(rows: pd.DataFrame) -> pd.DataFrame:
    """The provider's sector (its own, else the home's) and size band."""
    sector = rows["provider_sector"].fillna(rows["home_sector"]).map(SECTORS)
    held = rows.groupby("provider_id")["episode_id"].transform("size")
    return rows.assign(sector=sector.fillna(NOT_RECORDED).to_numpy(),
                       provider_size=size_band(held).to_numpy(),
                       start_date=pd.to_datetime(rows["start_date"]))


def size_band(placements: pd.Series) -> pd.Series:
    """The ``SIZES`` band of each provider's count of placements ('Not recorded' if none)."""
    lows = [low for low, _ in SIZES]
    band = pd.cut(placements, [*lows, np.inf], right=False, labels=[name for _, name in SIZES])
    return band.astype(object).where(placements.notna(), NOT_RECORDED)


def with_child(rows: pd.DataFrame, engine: Engine, as_at: pd.Timestamp) -> pd.DataFrame:
    """Age at the as-at day, needs at the latest assessment (count, high intensity, daily)
    and needs cohort of each placement's child."""
    year = as_at.year
    counts = need_counts(engine, set(rows["child_id"]), as_at)
    cohorts = child_cohorts(engine)
    out = rows.assign(age=needs_audit.age_years(rows["birth_year_month"], year).to_numpy(),
                      age_band=needs_audit.age_band(rows["birth_year_month"], year).to_numpy(),
                      cohort=rows["child_id"].map(cohorts).fillna(NOT_ASSESSED).to_numpy())
    for column in ("needs", "high_intensity", "daily"):
        out[column] = out["child_id"].map(counts[column]).fillna(0).astype(int).to_numpy()
    return out


def need_counts(engine: Engine, children: set, as_at: pd.Timestamp) -> pd.DataFrame:
    """Per child: needs at the latest assessment on or before ``as_at``, how many of them
    are of high intensity and how many daily."""
    n = s.NeedsAssessment
    assessments = queries.frame(engine, select(n.child_id, n.assessed_on, n.need, n.frequency,
                                               n.intensity)
                                .where(n.assessed_on <= as_at.date()))
    latest = needs_audit.latest_needs(assessments[assessments["child_id"].isin(children)])
    return latest.assign(needs=1, high_intensity=latest["intensity"].eq("high"),
                         daily=latest["frequency"].eq("daily")).groupby("child_id")[
        ["needs", "high_intensity", "daily"]].sum()


def scope_rows(frame: pd.DataFrame, scope: Scope, las: set[str]) -> pd.DataFrame:
    """The placements made by the scope's LAs (``las``: the scope's current LA codes)."""
    if scope.kind == "england":
        return frame
    out = frame[frame["la_code"].isin(las)]
    out.attrs = dict(frame.attrs)
    return out
