"""What the cohort is calibrated to, read once from the store.

The DfE 2025 breakdowns the current children reproduce are named here once (with the one
mapping from DfE placement groups to 903 PLACE codes), and ``load_calibration`` reads every
published figure the generator needs: DfE counts and breakdowns (suppressed cells filled
so each LA's cells add up to its count), LAIT starts and ceased, Ofsted homes, S251 unit
costs, populations and the miles between LA centroids. Reading everything up front keeps
the stages free of database access: an LA's rows depend only on these figures and the seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from analysis import geometry
from data import queries
from data import schema as s
from data.sources import ENGLAND
from data.synth.fitting import complete_breakdown, fit_table, largest_remainder

YEAR = 2025
REF_DAY = np.datetime64("2025-03-31")
REF_MONTH = np.datetime64("2025-03", "M").astype(int)  # months since 1970-01
AGE_GROUP = "Age group"
AGE_BANDS = ["Under 1 year", "1 to 4 years", "5 to 9 years", "10 to 15 years",
             "16 years and over"]
AGE_LIMITS = np.array([[0, 0], [1, 4], [5, 9], [10, 15], [16, 17]])
SEX_GROUP = "Sex"
SEXES = ["Male", "Female"]  # 903 SEX 1, 2
UASC_GROUP = "Unaccompanied asylum-seeking children"
UASC_STATUS = ["Non-UASC", "UASC"]
PLACEMENT_GROUP = "Placement"
PLACEMENT_GROUPS = [
    "Foster placements",
    "Secure homes and children's homes",
    "Other residential settings",
    "Residential schools",
    "Placed with parents or other person with parental responsibility",
    "Independent and semi-independent living arrangements/supported accommodation",
    "Placed for adoption",
    "Other placements",
]
FOSTER, HOMES, OTHER_RES, RES_SCHOOL, PARENTS, INDEPENDENT, ADOPTION, OTHER = range(8)
DISTANCE_GROUP = "Distance between home and placement and locality of placement"
DISTANCE_BANDS = [
    "1. Placed inside the LA boundary, 20 miles or less from home",
    "2. Placed outside the LA boundary, 20 miles or less from home",
    "3. Placed inside the LA boundary, more than 20 miles from home",
    "4. Placed outside the LA boundary, more than 20 miles from home",
    "5. Placed inside the LA boundary, distance not known or not recorded",
    "6. Placed outside the LA boundary, distance not known or not recorded",
]
DISTANCE_INSIDE = np.array([True, False, True, False, True, False])
DISTANCE_BAND = np.array([0, 0, 1, 1, 2, 2])  # 0: <= 20 miles, 1: > 20 miles, 2: not known
LEGAL_GROUP = "Legal status"
LEGAL_GROUPS = ["Full care order", "Interim care order", "Placement order granted",
                "Voluntary agreements under S20 CA 1989", "Detained for child protection",
                "Youth justice legal statuses"]
NEED_GROUP = "Category of need"
NEED_GROUPS = ["N1. Abuse or neglect", "N2. Child's disability",
               "N3. Parental illness or disability", "N4. Family in acute stress",
               "N5. Family dysfunction", "N6. Socially unacceptable behaviour",
               "N7. Low income", "N8. Absent parenting"]
ETHNICITY_GROUP = "Ethnicity"
ETHNIC_GROUPS = ["White", "Mixed or Multiple ethnic groups", "Asian or Asian British",
                 "Black, African, Caribbean or Black British", "Other ethnic group",
                 "Refused or information not yet available"]
CALIBRATED = {AGE_GROUP: AGE_BANDS, SEX_GROUP: SEXES, UASC_GROUP: UASC_STATUS,
              PLACEMENT_GROUP: PLACEMENT_GROUPS, DISTANCE_GROUP: DISTANCE_BANDS,
              LEGAL_GROUP: LEGAL_GROUPS, NEED_GROUP: NEED_GROUPS,
              ETHNICITY_GROUP: ETHNIC_GROUPS}
LOCALITY_GROUP = "Locality of placement"
LOCALITIES = ["Placed inside the local authority boundary",
              "Placed outside the local authority boundary"]
BAND_GROUP = "Distance between home and placement"
BANDS = ["Placed 20 miles or less from home", "Placed more than 20 miles from home",
         "Distance not known or not recorded"]
#: The one mapping from DfE placement groups to SSDA903 PLACE codes, with the share of
#: each code within its group and the fee basis used for ``placement_fee`` (None: no fee).
PLACEMENTS = pd.DataFrame([
    # group, PLACE, weight, fee basis, fee multiple
    (FOSTER, "U1", 0.10, "fostering", 0.75),
    (FOSTER, "U2", 0.01, "fostering", 0.8),
    (FOSTER, "U3", 0.13, "fostering", 0.75),
    (FOSTER, "U4", 0.30, "fostering", 1.05),
    (FOSTER, "U5", 0.01, "fostering", 1.0),
    (FOSTER, "U6", 0.45, "fostering", 1.05),
    (HOMES, "K1", 0.0, "residential", 1.6),  # secure: chosen separately (few, outside LA)
    (HOMES, "K2", 1.0, "residential", 1.0),
    (OTHER_RES, "R1", 0.25, "residential", 0.8),
    (OTHER_RES, "R2", 0.15, "residential", 0.9),
    (OTHER_RES, "R3", 0.30, "residential", 0.6),
    (OTHER_RES, "R5", 0.30, None, 0.0),
    (RES_SCHOOL, "S1", 1.0, "residential", 0.9),
    (PARENTS, "P1", 1.0, None, 0.0),
    (INDEPENDENT, "H5", 0.60, "residential", 0.25),
    (INDEPENDENT, "P2", 0.38, "residential", 0.2),
    (INDEPENDENT, "P3", 0.02, "residential", 0.15),
    (ADOPTION, "A3", 0.05, None, 0.0),
    (ADOPTION, "A4", 0.10, None, 0.0),
    (ADOPTION, "A5", 0.25, None, 0.0),
    (ADOPTION, "A6", 0.60, None, 0.0),
    (OTHER, "Z1", 1.0, None, 0.0),
], columns=["group", "place", "weight", "fee_basis", "fee_multiple"])
PLACE_GROUP = dict(zip(PLACEMENTS["place"], PLACEMENTS["group"]))


@dataclass
class Calibration:
    """The published figures the cohort is fitted to, read once from the store."""

    counts: pd.Series  # DfE children looked after at 31 March 2025, by LA
    skipped: list[str]  # current LAs with no published 2025 count (none generated)
    targets: dict[str, pd.DataFrame]  # cla_group -> LA x characteristic, whole numbers
    starts: pd.DataFrame  # LAIT LACnum_Start, LA x year
    ceased: pd.DataFrame  # LAIT LACceased, LA x year
    homes: pd.DataFrame  # Ofsted homes with a current LA code
    region_of: pd.Series  # LA -> region code
    unit_costs: pd.DataFrame  # region -> residential, fostering (S251 2024-25, GBP/week)
    miles: pd.DataFrame  # LA x LA distance between centroids
    population: pd.Series  # children 0-17, mid-2024, by LA

    @property
    def las(self) -> list[str]:
        """The LAs the cohort covers, in code order."""
        return sorted(self.counts.index)


def load_calibration(engine: Engine) -> Calibration:
    """Read every published figure the generator needs from the store."""
    las = queries.all_local_authorities(engine)
    current = las[las["is_current"].astype(bool)]
    counts = queries.cla_counts(engine)
    counts = counts[(counts["level"] == "la") & (counts["year"] == YEAR)]
    counts = counts[counts["area_code"].isin(current["code"])].set_index("area_code")
    published = counts["children"].dropna().astype(int)
    published = published[published > 0]
    skipped = sorted(set(current["code"]) - set(published.index))
    targets = {group: characteristic_targets(engine, group, labels, published)
               for group, labels in CALIBRATED.items() if group != DISTANCE_GROUP}
    targets[DISTANCE_GROUP] = distance_targets(engine, published)
    miles = centroid_miles(engine, sorted(current["code"]))
    population = queries.population(engine)
    population = population[(population["level"] == "la") & (population["mid_year"] == YEAR - 1)]
    return Calibration(
        counts=published, skipped=skipped, targets=targets,
        starts=lait_table(engine, "LACnum_Start"), ceased=lait_table(engine, "LACceased"),
        homes=current_homes(engine, las, population),
        region_of=las.set_index("code")["region_code"],
        unit_costs=unit_costs(engine), miles=miles,
        population=population.set_index("area_code")["population_0_17"].astype(float)
        .reindex(miles.index).fillna(1.0))


def characteristic_targets(engine: Engine, group: str, labels: list[str],
                           counts: pd.Series) -> pd.DataFrame:
    """Whole-number targets per LA for one DfE breakdown at 31 March 2025, adding up to
    the LA's count, with suppressed cells filled (see ``complete_breakdown``)."""
    table = queries.characteristic(engine, group)
    table = table[table["year"] == YEAR]
    england = table[table["level"] == "england"].set_index("characteristic")["number"]
    prior = england.reindex(labels).astype(float).fillna(1.0).to_numpy() + 1.0
    la = table[table["level"] == "la"].set_index(["area_code", "characteristic"])
    rows = {}
    for code, total in counts.items():
        if code in la.index.get_level_values(0):
            cells = la.loc[code].reindex(labels)
            numbers, symbols = cells["number"], cells["number_symbol"]
        else:  # no breakdown published: share the total by England's mix
            numbers = pd.Series([np.nan] * len(labels))
            symbols = pd.Series(["c"] * len(labels))
        rows[code] = complete_breakdown(numbers, symbols, int(total), prior)
    return pd.DataFrame.from_dict(rows, orient="index", columns=labels)


def published_cells(engine: Engine, group: str, labels: list[str]) -> pd.DataFrame:
    """DfE's 2025 LA numbers for one breakdown as LA x characteristic (NaN: suppressed)."""
    table = queries.characteristic(engine, group)
    table = table[(table["year"] == YEAR) & (table["level"] == "la")]
    wide = table.pivot(index="area_code", columns="characteristic", values="number")
    return wide.reindex(columns=labels).astype(float)


def distance_targets(engine: Engine, counts: pd.Series) -> pd.DataFrame:
    """Targets for the six locality x distance cells that also reproduce DfE's separate
    inside/outside and distance-band counts wherever those are published.

    The six cells are a 2 x 3 table whose margins DfE also publishes (each possibly
    suppressed); hidden cells are filled from the residuals of the published margins
    (``fill_two_way``), so a filled cell never contradicts a published number.
    """
    table = queries.characteristic(engine, DISTANCE_GROUP)
    table = table[table["year"] == YEAR]
    england = table[table["level"] == "england"].set_index("characteristic")["number"]
    order = [0, 2, 4, 1, 3, 5]  # DISTANCE_BANDS as a 2 x 3 table: inside, outside
    prior = (england.reindex(DISTANCE_BANDS).astype(float).fillna(1.0).to_numpy() + 1.0)
    prior = prior[order].reshape(2, 3)
    cells = published_cells(engine, DISTANCE_GROUP, DISTANCE_BANDS)
    rows = published_cells(engine, LOCALITY_GROUP, LOCALITIES)
    cols = published_cells(engine, BAND_GROUP, BANDS)
    out = {}
    for code, total in counts.items():
        grid = cells.reindex([code]).to_numpy()[0][order].reshape(2, 3)
        filled = fill_two_way(grid, rows.reindex([code]).to_numpy()[0],
                              cols.reindex([code]).to_numpy()[0], int(total), prior)
        out[code] = filled.ravel()[np.argsort(order)]
    return pd.DataFrame.from_dict(out, orient="index", columns=DISTANCE_BANDS)


def fill_two_way(grid: np.ndarray, row_totals: np.ndarray, col_totals: np.ndarray,
                 total: int, prior: np.ndarray) -> np.ndarray:
    """Fill the hidden (NaN) cells of a small integer table, keeping every published cell
    and meeting every published margin (NaN margins are unknown) and the grand total.

    A margin missing on one side of a two-way split is the total less the other. Hidden
    cells then take the residuals: of both margins by fitting (IPF and controlled
    rounding restricted to the hidden cells), of the one margin that is known, or of the
    grand total, in proportion to England's mix.
    """
    hidden = np.isnan(grid)
    known = np.where(hidden, 0, grid).astype(int)
    row_totals = complete_pair(row_totals, total)
    col_totals = complete_pair(col_totals, total) if len(col_totals) == 2 else col_totals
    if np.isnan(col_totals).sum() == 1:
        col_totals = np.where(np.isnan(col_totals), total - np.nansum(col_totals), col_totals)
    rows_known, cols_known = ~np.isnan(row_totals).any(), ~np.isnan(col_totals).any()
    row_rest = np.nan_to_num(row_totals) - known.sum(1)
    col_rest = np.nan_to_num(col_totals) - known.sum(0)
    weights = np.where(hidden, prior, 0.0)
    filled = known.copy()
    if rows_known and cols_known and row_rest.min() >= 0 and col_rest.min() >= 0:
        filled += fit_table(row_rest.astype(int), col_rest.astype(int), prior, allowed=hidden)
    elif cols_known and col_rest.min() >= 0:
        for j in range(grid.shape[1]):
            filled[:, j] += largest_remainder(int(col_rest[j]), weights[:, j] + hidden[:, j] * 1e-9)
    elif rows_known and row_rest.min() >= 0:
        for i in range(grid.shape[0]):
            filled[i] += largest_remainder(int(row_rest[i]), weights[i] + hidden[i] * 1e-9)
    else:
        rest = largest_remainder(total - known.sum(), (weights + hidden * 1e-9).ravel())
        filled += rest.reshape(grid.shape)
    return filled


def complete_pair(values: np.ndarray, total: int) -> np.ndarray:
    """A two-way split with one side suppressed: that side is the total less the other."""
    values = np.asarray(values, dtype=float)
    if len(values) == 2 and np.isnan(values).sum() == 1:
        values = np.where(np.isnan(values), total - np.nansum(values), values)
    return values


def lait_table(engine: Engine, measure: str) -> pd.DataFrame:
    """A LAIT count as an LA x year table (years ending 31 March; NaN where unpublished)."""
    lait = queries.lait(engine, measure)
    lait = lait[lait["level"] == "la"]
    return lait.pivot(index="area_code", columns="year", values="value")


def current_homes(engine: Engine, las: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """Ofsted homes (2023) that take placements, filed under a current LA: homes offering
    only short breaks are left out, since children living in a home are what K2 counts.

    Homes Ofsted files under a council abolished since (Cumbria) are shared between its
    successors by their child population. This apportioning is for synthetic placements
    only; published figures are never apportioned (see analysis.reorganisation).
    """
    h = s.ChildrensHome
    homes = queries.frame(engine, select(h.urn, h.la_code, h.provision_type, h.sector,
                                         h.places).where(h.short_break_only.is_(False)))
    changes = queries.code_changes(engine)
    current = set(las.loc[las["is_current"].astype(bool), "code"])
    pop = population.set_index("area_code")["population_0_17"].astype(float)
    homes = homes.sort_values("urn").reset_index(drop=True)
    for old, group in homes[~homes["la_code"].isin(current)].groupby("la_code"):
        successors = sorted(set(changes.loc[changes["old_code"] == old, "new_code"]) & current)
        if not successors:
            continue
        shares = largest_remainder(len(group), pop.reindex(successors).fillna(1.0))
        homes.loc[group.index, "la_code"] = np.repeat(successors, shares)
    homes = homes[homes["la_code"].isin(current) & (homes["places"] > 0)]
    return homes.reset_index(drop=True)


def unit_costs(engine: Engine) -> pd.DataFrame:
    """S251 2024-25 weekly unit costs by region (England where a region has none)."""
    out = {}
    for name, measure in (("residential", "RescareFinance"), ("fostering", "FosteringFinance")):
        lait = queries.lait(engine, measure)
        lait = lait[(lait["year"] == YEAR) & lait["level"].isin(["region", "england"])]
        out[name] = lait.set_index("area_code")["value"]
    table = pd.DataFrame(out)
    return table.fillna(table.loc[ENGLAND]) if ENGLAND in table.index else table


def centroid_miles(engine: Engine, codes: list[str]) -> pd.DataFrame:
    """Miles between LA centroids (ONS December 2023 boundaries), for placement distances;
    an LA without a boundary stands at the mean of the others' centroids."""
    b = s.Boundary
    boundaries = queries.frame(engine, select(b.code, b.name, b.geometry).where(b.level == "la"))
    centres = geometry.outer_centroids(geometry.feature_collection(boundaries))
    fallback = np.nanmean(np.array(list(centres.values())), axis=0)
    xy = np.array([centres.get(code, fallback) for code in codes])
    return pd.DataFrame(geometry.great_circle_miles(xy[:, 0], xy[:, 1]), index=codes,
                        columns=codes)
