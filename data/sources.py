"""The published datasets the store is built from, and how each is tidied for loading.

Each ``Dataset`` names its files (vendored under ``data/open``), its publisher, release
and licence, and a reader that returns one DataFrame per table. Readers only tidy
(rename, reshape, split values from DfE symbols, map renamed LA codes); they never
change a published figure.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from data.config import OPEN_DATA, REFERENCE
from data.errors import SourceError
from data.readers import (
    GSS_CODE,
    published,
    read_csv,
    require_known,
    require_pattern,
    require_unique,
)

OGL = "Open Government Licence v3.0"
ENGLAND = "E92000001"
GREATER_MANCHESTER = "E47000001"
GEOGRAPHY_RULE = "la_code_changes.csv"
LEVELS = {"National": "england", "Regional": "region", "Local authority": "la"}
LAIT_AREAS = {
    "England": ENGLAND, "North East": "E12000001", "North West": "E12000002",
    "Yorkshire and the Humber": "E12000003", "East Midlands": "E12000004",
    "West Midlands": "E12000005", "East of England": "E12000006", "London": "E12000007",
    "South East": "E12000008", "South West": "E12000009",
    "London (Inner)": "E13000001", "London (Outer)": "E13000002",
}
CLA_MEASURES = {
    "Children looked after on 31 March each year": "at_31_march",
    "Children starting to be looked after each year": "starting",
    "Children ceasing to be looked after each year": "ceasing",
}
DFE_CLA = ("Department for Education",
           "https://explore-education-statistics.service.gov.uk/find-statistics/"
           "children-looked-after-in-england-including-adoptions")
LAIT = ("Department for Education",
        "https://www.gov.uk/government/publications/local-authority-interactive-tool-lait")


@dataclass
class Context:
    """What later readers need from earlier ones: known LA codes and code renames."""

    la_codes: set[str] = field(default_factory=set)
    renames: dict[str, str] = field(default_factory=dict)
    dfe_numbers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Dataset:
    """A published dataset: provenance for data_release plus the reader that tidies it."""

    key: str
    title: str
    publisher: str
    period: str
    url: str
    files: tuple[str, ...]
    read: Callable[[Context], dict[str, pd.DataFrame]]
    licence: str = OGL
    reference: tuple[str, ...] = ()


def level_of(frame: pd.DataFrame, rel: str) -> pd.Series:
    """DfE geographic_level as our level names; an unknown level stops the build."""
    require_known(frame, "geographic_level", rel, set(LEVELS), "geographic level")
    level = frame["geographic_level"].map(LEVELS)
    return level.mask(frame["region_code"].str.startswith("E13") & (level == "region"), "subregion")


def area_code(frame: pd.DataFrame, rel: str, ctx: Context) -> pd.Series:
    """The GSS code of each row's area (England, region or LA), renames mapped to today's code."""
    level = frame["geographic_level"]
    code = np.where(level == "National", frame["country_code"],
                    np.where(level == "Regional", frame["region_code"], frame["new_la_code"]))
    codes = pd.Series(code, index=frame.index).replace(ctx.renames)
    checked = pd.DataFrame({"area_code": codes})
    require_pattern(checked, "area_code", rel, GSS_CODE, "a GSS code")
    is_la = level == "Local authority"
    if ctx.la_codes:
        require_known(checked[is_la], "area_code", rel, ctx.la_codes, "LA code")
    return codes


# --- geography --------------------------------------------------------------------------

def read_geography(ctx: Context) -> dict[str, pd.DataFrame]:
    """Current LAs and regions (ONS 2023), retired LAs, and the code-change rule."""
    rel = "lookups/ctyua23_to_rgn23_england.csv"
    cty = read_csv(rel, ["ctyua23cd", "ctyua23nm", "rgn23cd", "rgn23nm"])
    require_pattern(cty, "ctyua23cd", rel, GSS_CODE, "a GSS code")
    require_unique(cty, ["ctyua23cd"], rel)
    changes = read_csv(GEOGRAPHY_RULE, ["old_code", "old_name", "new_code", "new_name",
                                               "change", "effective_year", "note"], root=REFERENCE)
    changes["effective_year"] = changes["effective_year"].astype(int)
    numbers = dfe_numbers()
    region_of = dict(zip(cty["ctyua23cd"], cty["rgn23cd"]))
    current = pd.DataFrame({"code": cty["ctyua23cd"], "name": cty["ctyua23nm"],
                            "region_code": cty["rgn23cd"], "is_current": True})
    retired = changes[changes["change"] != "rename"].drop_duplicates("old_code")
    historic = pd.DataFrame({"code": retired["old_code"], "name": retired["old_name"],
                             "region_code": retired["new_code"].map(region_of),
                             "is_current": False})
    las = pd.concat([current, historic], ignore_index=True)
    las["dfe_number"] = las["code"].map(numbers)
    ctx.la_codes = set(las["code"])
    ctx.renames = dict(zip(changes.loc[changes["change"] == "rename", "old_code"],
                           changes.loc[changes["change"] == "rename", "new_code"]))
    ctx.dfe_numbers = {number: code for code, number in numbers.items() if code in ctx.la_codes}
    regions = cty[["rgn23cd", "rgn23nm"]].drop_duplicates()
    regions.columns = ["code", "name"]
    return {"region": regions, "local_authority": las, "la_code_change": changes}


def dfe_numbers() -> dict[str, str]:
    """GSS code -> DfE three-digit LA number, for English LAs (dfeR's old/new code list)."""
    rel = "lookups/dfe_old_new_la_codes.csv"
    codes = read_csv(rel, ["la_name", "old_la_code", "new_la_code"])
    english = codes[codes["new_la_code"].str.startswith("E") & codes["old_la_code"].str.isdigit()]
    return dict(zip(english["new_la_code"], english["old_la_code"]))


def read_rccs(ctx: Context) -> dict[str, pd.DataFrame]:
    """Default RCCs: one per English region, with Greater Manchester's 10 LAs as the pathfinder."""
    cty = read_csv("lookups/ctyua23_to_rgn23_england.csv", ["ctyua23cd", "rgn23nm"])
    rel = "lookups/geographr_lookup_ltla23_cauth23.csv"
    cauth = read_csv(rel, ["ltla23_code", "cauth23_code"])
    gm = set(cauth.loc[cauth["cauth23_code"] == GREATER_MANCHESTER, "ltla23_code"])
    if len(gm) != 10:
        raise SourceError(rel, f"expected the 10 Greater Manchester LAs, found {len(gm)}")
    rcc_id = cty["rgn23nm"].map(slug).where(~cty["ctyua23cd"].isin(gm), "greater-manchester")
    membership = pd.DataFrame({"la_code": cty["ctyua23cd"], "rcc_id": rcc_id})
    regions = cty.drop_duplicates("rgn23nm")
    rccs = pd.DataFrame({
        "id": regions["rgn23nm"].map(slug), "name": regions["rgn23nm"],
        "basis": "Default: the region's local authorities"
                 + np.where(regions["rgn23nm"] == "North West",
                            " other than the Greater Manchester pathfinder", ""),
    })
    pathfinder = pd.DataFrame([{"id": "greater-manchester", "name": "Greater Manchester",
                                "basis": "RCC pathfinder: the 10 Greater Manchester LAs"}])
    return {"rcc": pd.concat([rccs, pathfinder], ignore_index=True),
            "rcc_membership": membership}


def slug(name: str) -> str:
    """A URL-safe id from a name ('East of England' -> 'east-of-england')."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


# --- DfE children looked after ----------------------------------------------------------

def read_population(ctx: Context) -> dict[str, pd.DataFrame]:
    """ONS mid-year estimates of children aged 0-17 (DfE's formatted copy)."""
    rel = "population/ons_mye_children_0_17_by_la_2012_2024.csv"
    pop = read_csv(rel, ["time_period", "geographic_level", "country_code", "region_code",
                         "new_la_code", "population_estimate"])
    numbers, symbols = published(pop, "population_estimate", rel)
    out = pd.DataFrame({"area_code": area_code(pop, rel, ctx),
                        "mid_year": pop["time_period"].astype(int),
                        "level": level_of(pop, rel), "population_0_17": numbers.astype("Int64"),
                        "population_symbol": symbols})
    require_unique(out, ["area_code", "mid_year"], rel)
    return {"population": out}


def read_cla_counts(ctx: Context) -> dict[str, pd.DataFrame]:
    """DfE CLA at 31 March, starting and ceasing, 2021-2025, with DfE's published rate."""
    rel = "dfe_cla/dfe_cla_number_and_rate_per_10k_children_2021_2025.csv"
    cla = read_csv(rel, ["time_period", "geographic_level", "country_code", "region_code",
                         "new_la_code", "population_type", "population_estimate",
                         "children_count", "rate_per_10000"])
    require_known(cla, "population_type", rel, set(CLA_MEASURES), "population type")
    children, children_symbol = published(cla, "children_count", rel)
    rate, rate_symbol = published(cla, "rate_per_10000", rel)
    population, _ = published(cla, "population_estimate", rel)
    out = pd.DataFrame({
        "area_code": area_code(cla, rel, ctx), "year": cla["time_period"].astype(int),
        "measure": cla["population_type"].map(CLA_MEASURES), "level": level_of(cla, rel),
        "children": children.astype("Int64"), "children_symbol": children_symbol,
        "published_rate": rate, "rate_symbol": rate_symbol,
        "published_population": population.astype("Int64"),
    })
    require_unique(out, ["area_code", "year", "measure"], rel)
    return {"cla_count": out}


def read_characteristics(ctx: Context) -> dict[str, pd.DataFrame]:
    """DfE CLA at 31 March by characteristic, placement, locality and category of need."""
    rel = "dfe_cla/dfe_cla_on_31_march_by_characteristics_2021_2025.csv"
    chars = read_csv(rel, ["time_period", "geographic_level", "region_code", "new_la_code",
                           "cla_group", "characteristic", "number", "percentage"])
    chars["country_code"] = ENGLAND
    number, number_symbol = published(chars, "number", rel)
    percentage, percentage_symbol = published(chars, "percentage", rel)
    out = pd.DataFrame({
        "area_code": area_code(chars, rel, ctx), "year": chars["time_period"].astype(int),
        "cla_group": chars["cla_group"], "characteristic": chars["characteristic"],
        "level": level_of(chars, rel), "number": number.astype("Int64"),
        "number_symbol": number_symbol, "percentage": percentage,
        "percentage_symbol": percentage_symbol,
    })
    require_unique(out, ["area_code", "year", "cla_group", "characteristic"], rel)
    return {"cla_characteristic": out}


def read_new_placements(ctx: Context) -> dict[str, pd.DataFrame]:
    """DfE new placements during the year: where (inside/outside LA, distance) and why."""
    rel = "dfe_cla/dfe_la_cla_during_year_new_placements.csv"
    new = read_csv(rel, ["time_period", "geographic_level", "country_code", "region_code",
                         "new_la_code", "characteristic", "breakdown", "children_count",
                         "children_percent"])
    children, children_symbol = published(new, "children_count", rel)
    percent, percent_symbol = published(new, "children_percent", rel)
    out = pd.DataFrame({
        "area_code": area_code(new, rel, ctx), "year": new["time_period"].astype(int),
        "characteristic": new["characteristic"], "breakdown": new["breakdown"],
        "level": level_of(new, rel), "children": children.astype("Int64"),
        "children_symbol": children_symbol, "percent": percent, "percent_symbol": percent_symbol,
    })
    require_unique(out, ["area_code", "year", "characteristic", "breakdown"], rel)
    return {"new_placement": out}


def read_lait(ctx: Context) -> dict[str, pd.DataFrame]:
    """DfE LAIT indicators 2016-2025; finance years '2016-17 (OT)' are keyed to their 31 March."""
    rel = "dfe_cla/dfe_lait_cla_and_finance_indicators_2016_2025.csv"
    lait = read_csv(rel, ["measure_code", "measure", "year", "geographic_level", "area_name",
                          "new_la_code", "value"])
    require_known(lait, "geographic_level", rel, set(LEVELS), "geographic level")
    is_la = lait["geographic_level"] == "Local authority"
    code = lait["new_la_code"].where(is_la, lait["area_name"].map(LAIT_AREAS)).fillna("")
    lait["area_code"] = code.replace(ctx.renames)
    require_pattern(lait, "area_code", rel, GSS_CODE, "a known area (GSS code or region name)")
    require_known(lait[is_la], "area_code", rel, ctx.la_codes, "LA code")
    require_pattern(lait, "year", rel, re.compile(r"^\d{4}(-\d{2})?( \(OT\))?$"),
                    "a year such as 2025 or 2024-25 (OT)")
    value, symbol = published(lait, "value", rel)
    start = lait["year"].str[:4].astype(int)
    financial = lait["year"].str.len() > 4
    level = lait["geographic_level"].map(LEVELS)
    out = pd.DataFrame({
        "measure_code": lait["measure_code"], "area_code": lait["area_code"],
        "year": np.where(financial, start + 1, start), "year_label": lait["year"],
        "measure": lait["measure"],
        "level": level.mask(lait["area_code"].str.startswith("E13"), "subregion"),
        "value": value, "symbol": symbol,
    })
    require_unique(out, ["measure_code", "area_code", "year"], rel)
    return {"lait_indicator": out}


# --- Ofsted, MHCLG, cost benchmarks, neighbours, boundaries ---------------------------

def read_ofsted_homes(ctx: Context) -> dict[str, pd.DataFrame]:
    """Ofsted children's homes at 31 March 2023; names, addresses and constituency dropped."""
    rel = "ofsted/ofsted_childrens_homes_at_31_march_2023.csv"
    homes = read_csv(rel, ["urn", "provision_type", "registration_status", "sector", "places",
                           "short_break_only_children_s_home", "latest_full_inspection_date",
                           "overall_experiences_and_progress_of_children_and_young_people",
                           "how_well_children_and_young_people_are_helped_and_protected",
                           "the_effectiveness_of_leaders_and_managers", "new_la_code"])
    homes["new_la_code"] = homes["new_la_code"].replace(ctx.renames)
    require_known(homes, "new_la_code", rel, ctx.la_codes, "LA code")
    require_pattern(homes, "places", rel, re.compile(r"^\d+$"), "a whole number of places")
    require_unique(homes, ["urn"], rel)
    out = pd.DataFrame({
        "urn": homes["urn"], "la_code": homes["new_la_code"],
        "provision_type": homes["provision_type"].str.replace("Children's Home", "Children's home"),
        "sector": homes["sector"], "places": homes["places"].astype(int),
        "registration_status": homes["registration_status"],
        "short_break_only": homes["short_break_only_children_s_home"] != "",
        "latest_inspection_date": homes["latest_full_inspection_date"].str[:10].replace("", None),
        "overall_judgement": homes[
            "overall_experiences_and_progress_of_children_and_young_people"].replace("", None),
        "help_and_protection": homes[
            "how_well_children_and_young_people_are_helped_and_protected"].replace("", None),
        "leadership": homes["the_effectiveness_of_leaders_and_managers"].replace("", None),
    })
    return {"childrens_home": out}


RO3_LINE = re.compile(r"^(?:TOTAL CHILDREN SOCIAL CARE|Children's social care - Children Looked "
                      r"After(?: of which (?P<part>.+?))?) - (?P<measure>Total Expenditure|Net "
                      r"Current Expenditure) \(")


def read_ro3(ctx: Context) -> dict[str, pd.DataFrame]:
    """MHCLG RO3 2024-25 children's social care and CLA expenditure lines, long format."""
    rel = "costs/mhclg_ro3_2024_25_cla_expenditure_by_upper_tier_la_gbp_thousands.csv"
    ro3 = read_csv(rel, ["ONS Code", "Local authority"])
    ro3["ONS Code"] = ro3["ONS Code"].replace(ctx.renames)
    require_known(ro3, "ONS Code", rel, ctx.la_codes, "LA code")
    value_columns = [column for column in ro3.columns if RO3_LINE.match(column)]
    if len(value_columns) != 12:
        raise SourceError(rel, f"expected 12 expenditure columns, found {len(value_columns)}", 1)
    frames = []
    for column in value_columns:
        parts = RO3_LINE.match(column)
        line = "total children's social care" if column.startswith("TOTAL") else \
            (parts["part"] or "children looked after")
        values, symbols = published(ro3, column, rel)
        frames.append(pd.DataFrame({
            "la_code": ro3["ONS Code"], "line": line,
            "measure": parts["measure"].lower().replace(" ", "_"),
            "value_gbp_thousands": values, "symbol": symbols}))
    out = pd.concat(frames, ignore_index=True)
    return {"ro3_expenditure": out}


def read_cost_benchmarks(ctx: Context) -> dict[str, pd.DataFrame]:
    """Published cost figures, each with the public page it was quoted from."""
    rel = "costs/published_cost_benchmarks.csv"
    columns = ["source_id", "publisher", "publication", "published", "period", "metric",
               "value", "unit", "scope", "source_url", "note"]
    bench = read_csv(rel, columns)
    values, symbols = published(bench, "value", rel)
    if symbols.notna().any():
        raise SourceError(rel, "a benchmark value is missing", column="value")
    out = bench[columns].assign(value=values, note=bench["note"].replace("", None))
    out.insert(0, "id", range(1, len(out) + 1))
    return {"cost_benchmark": out}


def read_neighbours(ctx: Context) -> dict[str, pd.DataFrame]:
    """DfE statistical neighbours, 2021 and 2025 models, DfE numbers mapped to GSS codes."""
    frames = []
    for model, rel, first, pattern in (
        ("2021", "lookups/dfe_statistical_neighbours_april_2021.csv", "LA num", "SN{}"),
        ("2025", "lookups/dfe_statistical_neighbours_2025_wide.csv", "old_la_code", "SN_{}"),
    ):
        wide = read_csv(rel, [first])
        wide = wide[wide[first].str.fullmatch(r"\d{3}")]  # drops the 2021 file's blank/footer rows
        sn_columns = [c for c in wide.columns if re.fullmatch(pattern.format(r"\d+"), c)]
        for rank, column in enumerate(sn_columns, start=1):
            closeness = wide.columns[wide.columns.get_loc(column) + 1]
            frames.append(pd.DataFrame({
                "model": model, "la_code": wide[first].map(ctx.dfe_numbers), "rank": rank,
                "neighbour_code": wide[column].map(ctx.dfe_numbers),
                "closeness": wide[closeness].str.strip(), "_rel": rel,
            }))
    out = pd.concat(frames, ignore_index=True)
    unmapped = out["la_code"].isna() | out["neighbour_code"].isna()
    if unmapped.any():
        raise SourceError(out.loc[unmapped.idxmax(), "_rel"], "DfE LA number with no GSS code")
    return {"statistical_neighbour": out.drop(columns="_rel")}


def read_boundaries(ctx: Context) -> dict[str, pd.DataFrame]:
    """ONS December 2023 county/unitary (BUC) and region outlines as GeoJSON geometry text."""
    rows = []
    for rel, level, code_key, name_key in (
        ("boundaries/england_ctyua_dec2023_buc_valid_with_region.geojson", "la",
         "ctyua23cd", "ctyua23nm"),
        ("boundaries/england_regions_2023_dissolved_from_ctyua_buc.geojson", "region",
         "rgn23cd", "rgn23nm"),
    ):
        for number, feature in enumerate(load_features(rel), start=1):
            props = feature.get("properties") or {}
            if not GSS_CODE.match(str(props.get(code_key, ""))) or not feature.get("geometry"):
                raise SourceError(rel, f"feature {number} has no {code_key} or no geometry")
            rows.append({"code": props[code_key], "level": level, "name": props[name_key],
                         "geometry": json.dumps(feature["geometry"], separators=(",", ":"))})
    return {"boundary": pd.DataFrame(rows)}


def load_features(rel: str) -> list[dict]:
    """The features of a vendored GeoJSON file, or a SourceError naming it."""
    path = OPEN_DATA / rel
    if not path.is_file():
        raise SourceError(rel, "file is missing")
    try:
        return json.loads(path.read_text(encoding="utf-8"))["features"]
    except (ValueError, KeyError) as exc:
        raise SourceError(rel, f"is not a GeoJSON FeatureCollection ({exc})") from exc


NEEDS_VOCABULARY = "needs_vocabulary.csv"
NEEDS_FIELDS = ("code", "label", "placements_v2_fields", "description")


def read_needs_vocabulary(ctx: Context) -> dict[str, pd.DataFrame]:
    """The 11 needs categories and the Placements Standard v2 fields each maps to."""
    vocabulary = read_csv(NEEDS_VOCABULARY, list(NEEDS_FIELDS), root=REFERENCE)
    require_unique(vocabulary, ["code"], NEEDS_VOCABULARY)
    if len(vocabulary) != 11:
        raise SourceError(NEEDS_VOCABULARY, f"expected 11 needs categories, found "
                          f"{len(vocabulary)}")
    return {"need_category": vocabulary[list(NEEDS_FIELDS)]}


ONS_GEO = ("Office for National Statistics", "https://geoportal.statistics.gov.uk/")
DATASETS: tuple[Dataset, ...] = (
    Dataset("geography", "Counties and unitary authorities to regions (April 2023) and LA code "
            "changes", *ONS_GEO[:1], "April 2023", ONS_GEO[1],
            ("lookups/ctyua23_to_rgn23_england.csv", "lookups/dfe_old_new_la_codes.csv"),
            read_geography, reference=(GEOGRAPHY_RULE,)),
    Dataset("rcc", "Default RCC membership (one per region; Greater Manchester pathfinder)",
            "Office for National Statistics", "April 2023", ONS_GEO[1],
            ("lookups/ctyua23_to_rgn23_england.csv",
             "lookups/geographr_lookup_ltla23_cauth23.csv"), read_rccs),
    Dataset("population", "Mid-year population estimates, children aged 0 to 17",
            "Office for National Statistics", "mid-2012 to mid-2024",
            "https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/"
            "populationestimates", ("population/ons_mye_children_0_17_by_la_2012_2024.csv",),
            read_population),
    Dataset("cla_count", "Children looked after in England including adoptions: number and "
            "rate per 10,000 children", DFE_CLA[0], "31 March 2021 to 2025", DFE_CLA[1],
            ("dfe_cla/dfe_cla_number_and_rate_per_10k_children_2021_2025.csv",),
            read_cla_counts),
    Dataset("cla_characteristic", "Children looked after in England including adoptions: CLA "
            "on 31 March by characteristics", DFE_CLA[0], "31 March 2021 to 2025", DFE_CLA[1],
            ("dfe_cla/dfe_cla_on_31_march_by_characteristics_2021_2025.csv",),
            read_characteristics),
    Dataset("new_placement", "Children looked after in England including adoptions: new "
            "placements during the year", DFE_CLA[0], "years ending 31 March 2021 to 2025",
            DFE_CLA[1], ("dfe_cla/dfe_la_cla_during_year_new_placements.csv",),
            read_new_placements),
    Dataset("lait", "Local authority interactive tool (LAIT): children looked after and "
            "finance indicators", LAIT[0], "2016 to 2025 (finance 2016-17 to 2024-25)", LAIT[1],
            ("dfe_cla/dfe_lait_cla_and_finance_indicators_2016_2025.csv",), read_lait),
    Dataset("ofsted_homes", "Children's social care in England 2023: children's homes at "
            "31 March 2023", "Ofsted", "31 March 2023",
            "https://www.gov.uk/government/statistics/childrens-social-care-in-england-2023",
            ("ofsted/ofsted_childrens_homes_at_31_march_2023.csv",), read_ofsted_homes),
    Dataset("ro3", "Local authority revenue expenditure and financing: Revenue Outturn RO3 "
            "(children's social care)", "Ministry of Housing, Communities and Local Government",
            "2024-25", "https://www.gov.uk/government/collections/local-authority-revenue-"
            "expenditure-and-financing",
            ("costs/mhclg_ro3_2024_25_cla_expenditure_by_upper_tier_la_gbp_thousands.csv",),
            read_ro3),
    Dataset("cost_benchmarks",
            "Published cost benchmarks (CMA, NCERCC, DfE, NAO 2025, NAO via BASW)",
            "Compiled from the publishers named on each row", "2013 to 2025",
            "See source_url on each row", ("costs/published_cost_benchmarks.csv",),
            read_cost_benchmarks, licence="Figures quoted with attribution from each publisher; "
            f"government sources (CMA, DfE, NAO) under the {OGL}"),
    Dataset("statistical_neighbours", "Statistical neighbours (April 2021 and 2025 models)",
            LAIT[0], "2021 and 2025 models", LAIT[1],
            ("lookups/dfe_statistical_neighbours_april_2021.csv",
             "lookups/dfe_statistical_neighbours_2025_wide.csv"), read_neighbours),
    Dataset("boundaries", "Counties and Unitary Authorities (December 2023) Boundaries UK BUC, "
            "England, with regions dissolved from them", *ONS_GEO[:1], "December 2023",
            ONS_GEO[1], ("boundaries/england_ctyua_dec2023_buc_valid_with_region.geojson",
                         "boundaries/england_regions_2023_dissolved_from_ctyua_buc.geojson"),
            read_boundaries, licence=f"{OGL}; contains OS data © Crown copyright and database "
            "right 2023"),
    Dataset("needs_vocabulary", "Needs categories of regional needs analyses, mapped to the "
            "Placements Data Standard v2", "RCC Insight (from regional needs analyses and the "
            "SocialCareData Placements Data Standard v2)", "2025", "https://github.com/"
            "SocialCareData/placements-standard", (), read_needs_vocabulary,
            licence="Mapping: RCC Insight; Placements Data Standard v2: SocialCareData",
            reference=(NEEDS_VOCABULARY,)),
)
