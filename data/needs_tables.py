"""The needs audit's tables for the Needs page and ``python -m data export needs``: the
children looked after at 31 March with case-level data, their needs at their latest
assessment, counted and protected together (``analysis.needs_family``) and labelled
when synthetic.

``needs_family`` is the expensive step (every table of the year protected at once): it is
made once per year and data version and kept in the store (``data.kept``), so every process
reads it back; the app also caches it in memory and hands it to ``needs_tables`` /
``needs_export``.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from analysis import needs_audit as rules
from analysis.disclosure import label_if_synthetic
from analysis.needs_family import ENGLAND, POPULATIONS, NeedsFamily
from analysis.scope import Scope
from data import gap_tables, queries
from data import schema as s
from data.errors import UserInputError
from data.kept import kept
from data.map_tables import check_case_year, placements_at
from data.tables import check_scope, las_with_history

LEVELS = ("england", "rcc", "la")


def case_children(engine: Engine, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The children looked after at 31 March ``year`` (``analysis.needs_audit`` children frame)
    and their needs at their latest assessment on or before that day."""
    placements = placements_at(engine, year)
    c, n = s.Child, s.NeedsAssessment
    people = queries.frame(engine, select(c.id.label("child_id"), c.birth_year_month, c.sex)
                           .where(c.id.in_(select(s.Episode.child_id).distinct())))
    day = pd.Timestamp(year=year, month=3, day=31).date()
    assessments = queries.frame(engine, select(n.child_id, n.assessed_on, n.need, n.frequency,
                                               n.intensity).where(n.assessed_on <= day))
    children = rules.describe_children(placements, people, year)
    needs = rules.latest_needs(assessments[assessments["child_id"].isin(
        set(children["child_id"]))])
    return children, needs


def need_labels(engine: Engine) -> dict[str, str]:
    """Need code -> its label, in the vocabulary's order."""
    table = queries.frame(engine, select(s.NeedCategory.code, s.NeedCategory.label))
    return dict(zip(table["code"], table["label"]))


def needs_family(engine: Engine, year: int) -> NeedsFamily:
    """Every needs table of 31 March ``year``, protected together, as kept in the store for
    the current data (made and kept first if it is not); a UserInputError for a year without
    case-level data."""
    return kept(engine, f"needs-family:{year}", lambda: build_needs_family(engine, year))


def build_needs_family(engine: Engine, year: int) -> NeedsFamily:
    """Every needs table of 31 March ``year``, made and protected now (``needs_family``
    keeps it); a UserInputError for a year without case-level data."""
    check_case_year(engine, year)
    children, needs = case_children(engine, year)
    everyone = las_with_history(engine)
    rcc_of = {code: rcc for code, rcc in zip(everyone["code"], everyone["rcc_name"])
              if isinstance(rcc, str)}
    family = NeedsFamily(children, needs, list(need_labels(engine)), rcc_of,
                         synthetic=bool(children["is_synthetic"].any()))
    gap_tables.register(engine, year, family)
    family.protect()
    return family


def scope_area(engine: Engine, scope: Scope, family: NeedsFamily):
    """The family's area for a scope (England, an RCC, an LA); a UserInputError for a
    region (the needs tables are by RCC) or an area without case-level data."""
    check_scope(engine, scope)
    if scope.kind == "england":
        return ENGLAND
    if scope.kind == "region":
        raise UserInputError("The needs tables are for England, an RCC or an LA, not a "
                             "region.")
    if scope.kind == "rcc":
        area = ("rcc", queries.rccs(engine).set_index("id").at[scope.code, "name"])
    else:
        area = scope.code
    if area not in family.areas.position:
        raise UserInputError(f"No case-level data for {scope.kind} '{scope.code}'.")
    return area


def check_population(population: str) -> str:
    """``population`` if known, else a UserInputError naming the choices."""
    if population not in POPULATIONS:
        raise UserInputError(f"Unknown population '{population}': use "
                             f"{' or '.join(POPULATIONS)}.")
    return population


def needs_tables(engine: Engine, year: int, scope: Scope = Scope(), population: str = "all",
                 family: NeedsFamily | None = None) -> dict[str, pd.DataFrame]:
    """The Needs page's tables for a scope, protected and labelled: 'prevalence' (each
    need by each grouping, with England's share), 'needs_per_child', 'summary' (children,
    mean needs, % with 4 or more), 'co_occurrence' (every pair), 'readings' (the
    strongest pairs in words) and 'intensity_frequency' (every need's grid)."""
    check_population(population)
    family = family or needs_family(engine, year)
    area = scope_area(engine, scope, family)
    labels = need_labels(engine)
    prevalence = pd.concat([family.prevalence(area, population, grouping).assign(
        grouping=grouping or "all") for grouping in [None, *family.groupings[population]]],
        ignore_index=True)
    pairs = family.co_occurrence(area, population)
    tables = {
        "prevalence": with_labels(prevalence, labels, ["need"]),
        "needs_per_child": family.distribution(area, population),
        "summary": pd.DataFrame([family.summary(area, population)]),
        "co_occurrence": with_labels(pairs, labels, ["need_a", "need_b"]),
        "readings": pd.DataFrame({"reading": rules.pair_readings(pairs, labels)},
                                 dtype=object),
        "intensity_frequency": with_labels(family.grid(area, population), labels, ["need"]),
    }
    return {name: label_if_synthetic(table.assign(year=year, population=population),
                                     family.synthetic) for name, table in tables.items()}


def with_labels(table: pd.DataFrame, labels: dict[str, str], columns: list[str]
                ) -> pd.DataFrame:
    """A ``<column>_label`` beside each need code column."""
    out = table.copy()
    for column in columns:
        out.insert(out.columns.get_loc(column) + 1, f"{column}_label", out[column].map(labels))
    return out


def needs_export(engine: Engine, year: int, level: str = "rcc", population: str = "all",
                 family: NeedsFamily | None = None) -> pd.DataFrame:
    """The ``export needs --level england|rcc|la`` table: every area of the level, one row
    per count, long format (table: prevalence, needs_per_child, pair,
    intensity_frequency; need and group say which count; children the count,
    denominator what its share is of)."""
    if level not in LEVELS:
        raise UserInputError(f"Unknown level '{level}': use {', '.join(LEVELS)}.")
    check_population(population)
    family = family or needs_family(engine, year)
    names = area_names(engine, family)
    areas = [area for area in family.areas.names if area_level(area) == level]
    parts = [long_rows(family, area, population).assign(
        level=level, area_code=area[1] if isinstance(area, tuple) else area,
        area_name=names.get(area, area)) for area in areas]
    columns = ["year", "level", "area_code", "area_name", "population", "table", "need",
               "grouping", "group", "children", "denominator", "share_pct"]
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    table = table.assign(year=year, population=population)[columns]
    return label_if_synthetic(table, family.synthetic)


def area_level(area) -> str:
    """'england', 'rcc' or 'la' for a family area."""
    return "england" if area == ENGLAND else "rcc" if isinstance(area, tuple) else "la"


def area_names(engine: Engine, family: NeedsFamily) -> dict:
    """Family area -> its name (LA names; an RCC's name is its own)."""
    names = queries.all_local_authorities(engine).set_index("code")["name"].to_dict()
    return {**names, **{("rcc", r): r for r in family.areas.rccs}}


def long_rows(family: NeedsFamily, area, population: str) -> pd.DataFrame:
    """One area's counts as long rows (``needs_export``)."""
    parts = []
    for grouping in [None, *family.groupings[population]]:
        table = family.prevalence(area, population, grouping)
        parts.append(pd.DataFrame({
            "table": "prevalence", "need": table["need"], "grouping": grouping or "all",
            "group": table["group"], "children": table["with_need"],
            "denominator": table["children"], "share_pct": table["share_pct"]}))
    spread = family.distribution(area, population)
    children = family.summary(area, population)["children"]
    parts.append(pd.DataFrame({"table": "needs_per_child", "need": "", "grouping": "needs",
                               "group": spread["needs"], "children": spread["children"],
                               "denominator": children, "share_pct": spread["share_pct"]}))
    pairs = family.co_occurrence(area, population)
    parts.append(pd.DataFrame({"table": "pair", "need": pairs["need_a"], "grouping": "with",
                               "group": pairs["need_b"], "children": pairs["both"],
                               "denominator": pairs["children"],
                               "share_pct": pairs["share_of_all_pct"]}))
    grid = family.grid(area, population)
    totals = family.prevalence(area, population).set_index("need")["with_need"]
    parts.append(pd.DataFrame({"table": "intensity_frequency", "need": grid["need"],
                               "grouping": grid["intensity"], "group": grid["frequency"],
                               "children": grid["children"],
                               "denominator": grid["need"].map(totals)}))
    out = pd.concat(parts, ignore_index=True)
    out["share_pct"] = rules.share(out["children"], out["denominator"])
    return out.astype({"children": object, "denominator": object})
