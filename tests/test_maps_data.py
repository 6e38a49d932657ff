"""The Maps page's tables and exports against independent counts: Ofsted's list of
children's homes read with the csv module, DfE's published placement figures read with
plain SQL, and the synthetic cohort's children at 31 March 2025 counted with plain SQL.

The case-level tables are also checked for disclosure control (no count of 1-4 shown, none
alone among the hidden cells of a line whose total is known, within a table or across the
placement types) and for the synthetic-data label.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict

import pandas as pd
import pytest
from sqlalchemy import text

from analysis import flows as flow_rules
from analysis.scope import Scope
from data import cli, map_tables
from data.config import OPEN_DATA, REFERENCE
from data.errors import UserInputError
from data.store import make_engine

YEAR = 2025
DAY = "2025-03-31"
OFSTED = OPEN_DATA / "ofsted" / "ofsted_childrens_homes_at_31_march_2023.csv"
CODE_CHANGES = REFERENCE / "la_code_changes.csv"
SYNTHETIC_LINE = "# Synthetic case-level data — not real children"
CUMBRIA, CUMBERLAND, WESTMORLAND = "E10000006", "E06000063", "E06000064"
BIRMINGHAM, MANCHESTER = "E08000025", "E08000003"
WEST_MIDLANDS, ENGLAND = "E12000005", "E92000001"
GREATER_MANCHESTER = "Greater Manchester"
#: The areas holding the synthetic cohort's LAs, by level (every other area has no data).
COHORT_AREAS = {"rcc": {GREATER_MANCHESTER, "North East"}, "region": {"North West", "North East"}}
HOMES = "Children's homes (incl. secure)"
#: DfE's published placement figures, as (group, characteristic) of cla_characteristic.
OUTSIDE = ("Locality of placement", "Placed outside the local authority boundary")
FAR = ("Distance between home and placement", "Placed more than 20 miles from home")
PLACED_IN = ("LA of placement",
             "2. Other LA children externally placed within the local authority boundary")

#: Ofsted's sector and overall judgement -> the homes-by-la column suffix (a blank
#: judgement: no full inspection yet).
SECTOR_SUFFIX = {"Private": "private", "Local Authority": "la", "Voluntary": "voluntary",
                 "Health Authority": "health"}
JUDGEMENT_SUFFIX = {"Outstanding": "outstanding", "Good": "good",
                    "Requires improvement to be good": "requires_improvement",
                    "Inadequate": "inadequate", "": "not_yet_inspected"}
HOME_COLUMNS = (["homes", "places"]
                + [f"{measure}_{suffix}" for measure in ("homes", "places")
                   for suffix in SECTOR_SUFFIX.values()]
                + [f"homes_{suffix}" for suffix in JUDGEMENT_SUFFIX.values()])

#: What the area matrices count: all children, each placement type, or children with one need
#: (one or the other: the tables break down by one at a time).
NEEDS = ["mental_health", "sexual_exploitation", "self_harm"]
FILTERS = [(None, None), *((placement, None) for placement in flow_rules.PLACEMENT_GROUPS),
           *((None, need) for need in NEEDS)]
FILTER_IDS = [f"{placement or 'all'}|{need or 'all'}" for placement, need in FILTERS]
#: The placement LA as the family counts it: outside England or not recorded where the code
#: is not a current English LA (t is the placement LA's row of AREAS).
TO_CODE = f"CASE WHEN t.code IS NULL THEN '{flow_rules.ELSEWHERE}' ELSE e.placement_la END"

#: Each current LA with its region and RCC, for grouping case-level counts in SQL.
AREAS = """SELECT l.code, g.name AS region, r.name AS rcc FROM local_authority l
           JOIN region g ON g.code = l.region_code
           LEFT JOIN rcc_membership m ON m.la_code = l.code
           LEFT JOIN rcc r ON r.id = m.rcc_id
           WHERE l.is_current"""



def placed_area(level: str) -> str:
    """The placement LA's RCC or region in SQL, outside England or not recorded if none."""
    return f"COALESCE(t.{level}, '{flow_rules.ELSEWHERE}')"


# --- independent readings ------------------------------------------------------------------

def csv_rows(path) -> list[dict[str, str]]:
    """A vendored CSV read with the csv module, independently of the build's readers."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def ofsted() -> list[dict[str, str]]:
    """Ofsted's homes at 31 March 2023, each filed under today's code where ONS renamed
    the council's code ('rename' rows of the reference list; splits are left alone)."""
    renames = {row["old_code"]: row["new_code"] for row in csv_rows(CODE_CHANGES)
               if row["change"] == "rename"}
    rows = csv_rows(OFSTED)
    for row in rows:
        row["la_code"] = renames.get(row["new_la_code"], row["new_la_code"])
    return rows


@pytest.fixture(scope="module")
def tally(ofsted) -> dict[str, Counter]:
    """Per LA code: homes and places in all, by sector, and homes by judgement."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for row in ofsted:
        places = int(row["places"])
        sector = SECTOR_SUFFIX[row["sector"]]
        judgement = JUDGEMENT_SUFFIX[
            row["overall_experiences_and_progress_of_children_and_young_people"]]
        counts[row["la_code"]].update({
            "homes": 1, "places": places, f"homes_{sector}": 1, f"places_{sector}": places,
            f"homes_{judgement}": 1})
    return counts


def sql(engine, statement: str, **params) -> pd.DataFrame:
    """A plain SQL query's rows."""
    with engine.connect() as connection:
        return pd.read_sql(text(statement), connection, params=params)


def characteristic(engine, published: tuple[str, str], level: str = "la") -> pd.DataFrame:
    """One DfE characteristic's published rows (area_code, year, values, symbols)."""
    group, name = published
    return sql(engine, """SELECT area_code, year, number, number_symbol, percentage,
                                 percentage_symbol FROM cla_characteristic
                          WHERE cla_group = :group AND characteristic = :name
                                AND level = :level""", group=group, name=name, level=level)


def count_children(engine, keys: dict[str, str], placement: str | None = None,
                   need: str | None = None) -> pd.Series:
    """Children looked after at 31 March 2025 (an episode open that day), counted with
    plain SQL by ``keys`` (name -> SQL over episode e and the placing and placement LAs'
    areas f and t), optionally only one placement type's or one need's children."""
    where = ""
    if placement is not None:
        codes = ", ".join(f"'{code}'" for code in flow_rules.PLACEMENT_GROUPS[placement])
        where += f" AND e.placement_type IN ({codes})"
    if need is not None:
        where += """ AND e.child_id IN (SELECT n.child_id FROM needs_assessment n
                                        WHERE n.need = :need AND n.assessed_on <= :day)"""
    columns = ", ".join(f"{expression} AS {name}" for name, expression in keys.items())
    rows = sql(engine, f"""
        SELECT {columns}, COUNT(DISTINCT e.child_id) AS children FROM episode e
        LEFT JOIN ({AREAS}) f ON f.code = e.placing_la
        LEFT JOIN ({AREAS}) t ON t.code = e.placement_la
        WHERE e.start_date <= :day AND (e.end_date IS NULL OR e.end_date > :day) {where}
        GROUP BY {", ".join(str(k + 1) for k in range(len(keys)))}""", day=DAY, need=need)
    return rows.set_index(list(keys))["children"]


@pytest.fixture(scope="module")
def cohort_engine(cohort_url):
    """An engine on the store holding the synthetic cohort of 22 LAs."""
    engine = make_engine(cohort_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def homes(engine) -> pd.DataFrame:
    """The homes-by-la table, by LA code."""
    return map_tables.homes_by_la(engine).set_index("la_code")


@pytest.fixture(scope="module")
def metrics(engine) -> pd.DataFrame:
    """The 2025 map metrics, by LA code."""
    return map_tables.map_metrics(engine, YEAR).set_index("la_code")


@pytest.fixture(scope="module")
def current_las(engine) -> set[str]:
    """Today's LA codes, read with plain SQL."""
    return set(sql(engine, "SELECT code FROM local_authority WHERE is_current")["code"])


def is_hidden(values: pd.Series) -> pd.Series:
    """Which values are shown as "c"."""
    return values.astype(object).eq("c")


# --- 1. children's homes equal Ofsted's file --------------------------------------------------

@pytest.mark.parametrize("column", HOME_COLUMNS)
def test_homes_by_la_equals_the_ofsted_file_for_every_la_code(homes, tally, column):
    """Every LA's homes and places, by sector and by judgement, are the file's count or
    sum for that code (0 where Ofsted lists none), and no code in the file is missing."""
    assert set(tally) <= set(homes.index)
    expected = pd.Series({code: tally.get(code, Counter())[column] for code in homes.index})
    pd.testing.assert_series_equal(homes[column], expected, check_names=False,
                                   check_dtype=False)


def test_homes_total_3119_homes_and_13528_places(homes, ofsted):
    """Nothing is lost or counted twice: England's totals are the file's."""
    assert len(ofsted) == homes["homes"].sum() == 3119
    assert sum(int(row["places"]) for row in ofsted) == homes["places"].sum() == 13528


def test_renamed_codes_are_counted_under_todays_code(homes, tally):
    """A council whose code ONS renamed appears once, under today's code, with every home
    filed under either code."""
    renames = [row for row in csv_rows(CODE_CHANGES) if row["change"] == "rename"]
    assert not {row["old_code"] for row in renames} & set(homes.index)
    for row in renames:
        assert homes.at[row["new_code"], "homes"] == tally[row["new_code"]]["homes"]


def test_every_current_la_is_listed_and_cumbria_only_as_former(homes, current_las):
    """The table is every current LA plus Cumbria, under which Ofsted still filed homes
    after the 2023 split."""
    assert set(homes.index) == current_las | {CUMBRIA}
    assert homes.at[CUMBRIA, "la_name"] == "Cumbria (former)"
    assert homes.at[CUMBRIA, "homes"] == 54


@pytest.mark.parametrize("scope, cumbria, homes_total", [
    (Scope("rcc", "north-west"), True, None),  # both successors in the RCC
    (Scope("rcc", "greater-manchester"), False, 245),
    (Scope("la", CUMBERLAND), False, 0),  # one successor only: nothing apportioned
])
def test_homes_in_scope_lists_cumbria_where_all_its_successors_are(engine, scope, cumbria,
                                                                   homes_total):
    """A scope's homes table holds Cumbria's Ofsted homes only where the whole of Cumbria
    is in scope, as every other aggregate treats a split council."""
    table = map_tables.homes_in_scope(engine, scope)
    assert (CUMBRIA in set(table["la_code"])) is cumbria
    if homes_total is not None:
        assert table["homes"].sum() == homes_total


def test_map_metrics_homes_and_places_agree_with_ofsted(metrics, tally):
    """The choropleth's homes and places are the file's for every current LA except the
    Cumbrian successors (nothing is apportioned to them)."""
    shown = metrics.drop(index=[CUMBERLAND, WESTMORLAND])
    for column in ("homes", "places"):
        expected = pd.Series({code: tally.get(code, Counter())[column] for code in shown.index})
        pd.testing.assert_series_equal(shown[column], expected, check_names=False,
                                       check_dtype=False)
        assert shown[f"{column}_symbol"].isna().all()


@pytest.mark.parametrize("code", [CUMBERLAND, WESTMORLAND])
@pytest.mark.parametrize("column", ["homes", "places", "home_places_per_10k"])
def test_cumbrian_successors_show_x_for_homes(metrics, code, column):
    """Cumberland and Westmorland and Furness get no figure but the symbol 'x': their
    homes are filed under Cumbria."""
    assert pd.isna(metrics.at[code, column])
    assert metrics.at[code, f"{column}_symbol"] == "x"


# --- 2. map metrics equal DfE's published figures ---------------------------------------------

@pytest.mark.parametrize("column, source, kind", [
    ("pct_outside_la", OUTSIDE, "percentage"), ("pct_over_20_miles", FAR, "percentage"),
    ("placed_out", OUTSIDE, "number"), ("placed_in", PLACED_IN, "number")])
def test_map_metrics_equal_dfe_published_values(engine, metrics, column, source, kind):
    """Each LA's placement metric and its symbol are DfE's published figure for 2025."""
    published = characteristic(engine, source)
    published = published[published["year"] == YEAR].set_index("area_code").reindex(
        metrics.index)
    assert published[kind].notna().sum() >= 145
    pd.testing.assert_series_equal(metrics[column].astype(float), published[kind].astype(float),
                                   check_names=False)
    pd.testing.assert_series_equal(metrics[f"{column}_symbol"].fillna("-"),
                                   published[f"{kind}_symbol"].fillna("-"), check_names=False)


def test_net_flow_is_placed_in_minus_placed_out_or_a_symbol(metrics):
    """Net flow is children placed in minus children placed out where DfE gives both,
    and otherwise no number but a DfE symbol."""
    both = metrics["placed_in"].notna() & metrics["placed_out"].notna()
    assert (metrics.loc[both, "net_flow"]
            == metrics.loc[both, "placed_in"] - metrics.loc[both, "placed_out"]).all()
    assert metrics.loc[both, "net_flow_symbol"].isna().all()
    assert metrics.loc[~both, "net_flow"].isna().all()
    assert metrics.loc[~both, "net_flow_symbol"].isin(["c", "z", "x", "low"]).all()
    assert (~both).sum() == 4  # City of London, Derby, Isles of Scilly, Rutland


@pytest.mark.parametrize("code, places, population, rate", [
    (BIRMINGHAM, 258, 287_056, 9.0),
    (MANCHESTER, 98, 129_061, 7.6),
    ("E06000052", 59, 105_468, 5.6),  # Cornwall
    ("E06000053", 0, 354, 0.0),  # Isles of Scilly: no home
])
def test_home_places_per_10k_by_hand(engine, metrics, code, places, population, rate):
    """Home places per 10,000 children is Ofsted's places over ONS mid-2022 0-17."""
    ons = sql(engine, """SELECT population_0_17 FROM population
                         WHERE area_code = :code AND mid_year = 2022""", code=code)
    assert ons["population_0_17"].tolist() == [population]
    assert metrics.at[code, "places"] == places
    assert round(places / population * 10_000, 1) == rate
    assert metrics.at[code, "home_places_per_10k"] == rate


def test_cla_rate_equals_dfe_published_rate(engine, metrics):
    """Every current LA's CLA rate per 10,000 is DfE's published rate where it has one."""
    published = sql(engine, """SELECT area_code, published_rate FROM cla_count
                               WHERE year = :year AND level = 'la' AND measure = 'at_31_march'
                                     AND published_rate IS NOT NULL""", year=YEAR)
    published = published[published["area_code"].isin(metrics.index)].set_index("area_code")
    assert len(published) >= 150
    shown = metrics.loc[published.index, "cla_rate_per_10k"]
    pd.testing.assert_series_equal(shown, published["published_rate"], check_names=False)


# --- 3. counts before disclosure control equal case-level counts -------------------------------

@pytest.fixture(scope="module")
def family(cohort_engine):
    """The cohort's 2025 placement tables, protected together, built once for the module."""
    return map_tables.placement_family(cohort_engine, YEAR)


def test_la_counts_before_disclosure_equal_sql(cohort_engine, family):
    """Before disclosure control, every (placing LA, placement LA) count is the number of
    children in care at 31 March 2025 counted with SQL (a placement LA that is not an
    English LA counts as outside England or not recorded)."""
    counted = family.la_counts().stack()
    counted = counted[counted > 0]
    expected = count_children(cohort_engine, {"from_code": "e.placing_la", "to_code": TO_CODE})
    assert counted.sum() == expected.sum() > 0
    pd.testing.assert_series_equal(counted.sort_index(), expected.sort_index(),
                                   check_dtype=False, check_names=False)


@pytest.mark.parametrize("level", ["rcc", "region"])
@pytest.mark.parametrize("placement, need", FILTERS, ids=FILTER_IDS)
def test_area_counts_before_disclosure_equal_sql(cohort_engine, family, level, placement,
                                                 need):
    """Before disclosure control, every area x area count the family protects (all
    children, one placement type, or children with one need) is the SQL count."""
    rows = family.rows
    if placement is not None:
        rows = rows[rows["group"] == placement]
    if need is not None:
        rows = rows[rows["child_id"].isin(family.needs.loc[family.needs["need"] == need,
                                                             "child_id"])]
    counted = family.area_counts(rows, level).drop(columns=flow_rules.TOTAL).stack()
    counted = counted[counted > 0]
    expected = count_children(cohort_engine, {"placing": f"f.{level}",
                                              "placed": placed_area(level)}, placement, need)
    assert counted.sum() == expected.sum() > 0
    pd.testing.assert_series_equal(counted.sort_index(), expected.sort_index(),
                                   check_dtype=False, check_names=False)


@pytest.fixture(scope="module")
def area_tables(cohort_engine, family) -> dict[tuple, pd.DataFrame]:
    """The RCC and region matrices under every filter, each computed once."""
    return {(level, placement, need): map_tables.area_flows(cohort_engine, YEAR, level, placement,
                                                            need, family)
            for level in ("rcc", "region") for placement, need in FILTERS}


@pytest.fixture(scope="module")
def area_truth(cohort_engine) -> dict[tuple, pd.Series]:
    """The SQL counts behind each matrix: (placing, placed) cells and (placing, Total)."""
    truth = {}
    for level in ("rcc", "region"):
        for placement, need in FILTERS:
            cells = count_children(cohort_engine, {"placing": f"f.{level}",
                                                   "placed": placed_area(level)},
                                   placement, need)
            totals = count_children(cohort_engine, {"area": f"f.{level}"}, placement, need)
            totals.index = pd.MultiIndex.from_tuples(
                [(area, flow_rules.TOTAL) for area in totals.index])
            truth[level, placement, need] = pd.concat([cells, totals])
    return truth


def matrix_of(table: pd.DataFrame, level: str) -> pd.DataFrame:
    """The matrix part (placement areas, ELSEWHERE if any, Total) indexed by placing area."""
    table = table.set_index(f"placing_{level}")
    areas = [column for column in table.columns if column in set(table.index)
             or column in (flow_rules.ELSEWHERE, flow_rules.TOTAL)]
    return table[areas]


@pytest.mark.parametrize("level", ["rcc", "region"])
@pytest.mark.parametrize("placement, need", FILTERS, ids=FILTER_IDS)
def test_area_matrix_equals_sql_counts(area_tables, area_truth, level, placement, need):
    """Every shown Total is the SQL count of the placing area's children, and every shown
    cell the SQL count of its placing and placement areas; an area with no case-level
    data shows 'x' (not available) across its row, never 0."""
    matrix = matrix_of(area_tables[level, placement, need], level)
    truth = area_truth[level, placement, need]
    for area, row in matrix.drop(index=no_data(matrix, level)).iterrows():
        for placed, value in row.items():
            if value != "c":
                assert value == truth.get((area, placed), 0), (area, placed)
    silent = matrix.loc[no_data(matrix, level)]
    assert len(silent) >= 7
    assert (silent.astype(object) == flow_rules.NOT_AVAILABLE).all().all()  # not 0, not "c"


def held_rows(table: pd.DataFrame, level: str) -> pd.DataFrame:
    """The matrix rows of the areas whose case-level data are held."""
    matrix = matrix_of(table, level)
    return matrix.drop(index=no_data(matrix, level))


def no_data(matrix: pd.DataFrame, level: str) -> list[str]:
    """The placing areas none of whose LAs has case-level data (all but the cohort's)."""
    return [area for area in matrix.index if area not in COHORT_AREAS[level]]


def test_unfiltered_totals_are_every_child_of_the_two_areas(cohort_engine, area_tables):
    """For all children nothing in the cohort's rows is hidden: Greater Manchester's and the
    North East's Totals are all their children, and each row's cells add up to its Total."""
    for level, areas in (("rcc", [GREATER_MANCHESTER, "North East"]),
                         ("region", ["North West", "North East"])):
        held = held_rows(area_tables[level, None, None], level)
        assert not is_hidden(held.stack()).any()
        totals = count_children(cohort_engine, {"area": f"f.{level}"})
        assert sorted(totals.index) == sorted(areas) == sorted(held.index)
        assert (held.loc[areas, flow_rules.TOTAL] == totals[areas]).all()
        assert (held.drop(columns=flow_rules.TOTAL).sum(axis=1) == held[flow_rules.TOTAL]).all()


@pytest.mark.parametrize("level", ["rcc", "region"])
@pytest.mark.parametrize("placement, need", FILTERS, ids=FILTER_IDS)
def test_area_rows_add_up_where_nothing_is_hidden(area_tables, level, placement, need):
    """A row of the matrix with no "c" adds up to its Total."""
    matrix = held_rows(area_tables[level, placement, need], level)
    whole = matrix[~is_hidden(matrix.stack()).unstack().any(axis=1)]  # may be none
    assert (whole.drop(columns=flow_rules.TOTAL).astype(int).sum(axis=1)
            == whole[flow_rules.TOTAL].astype(int)).all()


# --- 4. no count of 1-4 is shown or recoverable ------------------------------------------------

@pytest.fixture(scope="module")
def england_flows(cohort_engine, family) -> pd.DataFrame:
    """England's LA-to-LA flows (all children), cut from the family."""
    return map_tables.la_flows(cohort_engine, YEAR, Scope(), family)


@pytest.fixture(scope="module")
def columns_known(cohort_engine, current_las) -> bool:
    """Whether a reader knows each column's total: DfE's children placed in an LA by other
    LAs counts every placing LA, so only when every LA's placements are held (never in the
    22-LA cohort) do the held ones add up to it."""
    placing = set(sql(cohort_engine, "SELECT DISTINCT placing_la FROM episode")["placing_la"])
    return current_las <= placing


@pytest.fixture(scope="module")
def la_truth(cohort_engine) -> pd.Series:
    """The SQL count of every flow between two different LAs (or out of England)."""
    truth = count_children(cohort_engine, {"from_code": "e.placing_la", "to_code": TO_CODE})
    return truth[truth.index.get_level_values(0) != truth.index.get_level_values(1)]


def exposed(lines: list[tuple[str, list]], hidden, truth) -> list[str]:
    """The lines (name, members) whose total a reader knows and in which exactly one member
    is hidden while its true count is 1-4: that count could be worked out by subtraction.
    (A lone hidden 0 or 5+ may be recoverable; only 1-4 must not be.)"""
    found = []
    for name, members in lines:
        secret = [member for member in members if hidden(member)]
        if len(secret) == 1 and 1 <= truth(secret[0]) <= 4:
            found.append(f"{name}: {secret[0]}")
    return found


def exposed_flows(flows: pd.DataFrame, truth: pd.Series, columns_known: bool,
                  codes: set[str] | None = None) -> list[str]:
    """Exposed placing LAs' rows (each LA's children placed outside it are published) and,
    if ``columns_known``, placement LAs' columns of the LA-to-LA table. Unlisted flows are
    shown zeros. ``codes``: only these LAs' lines (those a scoped table holds in full)."""
    shown = flows.set_index(["from_code", "to_code"])["children"]
    lines = [(f"from {code}", list(group.index)) for code, group in shown.groupby(level=0)]
    if columns_known:
        lines += [(f"to {code}", list(group.index)) for code, group in shown.groupby(level=1)]
    lines = [(name, members) for name, members in lines
             if codes is None or name.split()[1] in codes]
    return exposed(lines, lambda key: shown[key] == "c", lambda key: truth.get(key, 0))


def test_england_flows_show_true_counts_or_c(england_flows, la_truth):
    """Every flow between two LAs is listed, as its true count of 5 or more or as "c";
    a flow of 1-4 is always "c"; any other row listed is a zero hidden as "c"; flows are
    for all children (no placement type or need column)."""
    flows = england_flows.set_index(["from_code", "to_code"])["children"]
    assert flows.index.is_unique
    assert not any(placing == placed for placing, placed in flows.index)  # no within-LA
    assert set(la_truth.index) <= set(flows.index)
    shown = flows[~is_hidden(flows)]
    assert (shown.astype(int) >= 5).all()
    assert (shown.astype(int) == la_truth.reindex(shown.index)).all()
    assert is_hidden(flows[la_truth.reindex(flows.index).fillna(0).between(0, 4)]).all()
    assert not {"placement_type", "need"} & set(england_flows.columns)


def test_england_flows_leave_no_count_of_1_to_4_alone_in_a_line(england_flows, la_truth,
                                                                columns_known):
    """Secondary suppression: no placing LA's row (and, where its total is known, no
    placement LA's column) holds a lone hidden flow of 1-4."""
    assert exposed_flows(england_flows, la_truth, columns_known) == []


@pytest.mark.parametrize("scope", [Scope("rcc", "greater-manchester"),
                                   Scope("la", MANCHESTER)], ids=["rcc", "la"])
def test_scoped_flows_are_protected_like_england(cohort_engine, family, england_flows,
                                                 la_truth, columns_known, scope):
    """In an RCC or LA scope each flow shows as in England; only flows leaving or entering
    the scope are listed, never one within an LA; every count is "c" or at least 5; and
    the scope's own LAs' rows and columns, held in full, leave no 1-4 alone."""
    flows = map_tables.la_flows(cohort_engine, YEAR, scope, family)
    codes = set(scope.members(sql(cohort_engine, """
        SELECT l.code, l.region_code, m.rcc_id FROM local_authority l
        LEFT JOIN rcc_membership m ON m.la_code = l.code WHERE l.is_current"""))["code"])
    touching = england_flows[england_flows["from_code"].isin(codes)
                             | england_flows["to_code"].isin(codes)]
    pd.testing.assert_frame_equal(flows, touching.reset_index(drop=True))
    assert not (flows["from_code"] == flows["to_code"]).any()
    shown = flows.loc[~is_hidden(flows["children"]), "children"]
    assert (shown.astype(int) >= 5).all()
    assert exposed_flows(flows, la_truth, columns_known, codes) == []


@pytest.mark.parametrize("level", ["rcc", "region"])
@pytest.mark.parametrize("placement, need", FILTERS, ids=FILTER_IDS)
def test_area_matrix_shows_c_zero_or_five_and_more(area_tables, area_truth, level,
                                                   placement, need):
    """Every count in the matrix, and each area's own children in homes there, is "c",
    0 or at least 5; every count of 1-4 is "c"."""
    table = area_tables[level, placement, need]
    counts = pd.concat([matrix_of(table, level).stack(), table["own_children_in_homes_here"]])
    numbers = ~is_hidden(counts) & counts.astype(object).ne(flow_rules.NOT_AVAILABLE)
    shown = counts[numbers].astype(int)
    assert ((shown == 0) | (shown >= 5)).all()
    held = held_rows(table, level).stack()
    small = area_truth[level, placement, need].reindex(held.index).fillna(0).between(1, 4)
    assert is_hidden(held[small]).all()


def area_lines(matrix: pd.DataFrame, columns_known: bool) -> list[tuple[str, list]]:
    """The lines of one matrix a reader can work with: each row's cells less its Total
    (whose sum is 0, so a hidden Total is one of the row's unknowns) and, where each
    area's children placed in it by the others are known (all children, every LA held),
    each column."""
    cells = matrix.columns.drop(flow_rules.TOTAL)
    lines = [(f"row {area}", [(area, column) for column in matrix.columns])
             for area in matrix.index]
    if columns_known:
        lines += [(f"column {column}", [(area, column) for area in matrix.index])
                  for column in cells]
    return lines


@pytest.mark.parametrize("level", ["rcc", "region"])
@pytest.mark.parametrize("placement, need", FILTERS, ids=FILTER_IDS)
def test_area_matrix_leaves_no_count_of_1_to_4_alone_in_a_line(area_tables, area_truth,
                                                                columns_known, level,
                                                                placement, need):
    """Secondary suppression within one table: no row (cells and Total) and, where its
    total is known, no column holds a lone hidden count of 1-4."""
    matrix = held_rows(area_tables[level, placement, need], level)
    truth = area_truth[level, placement, need]
    lines = area_lines(matrix, columns_known and placement is None and need is None)
    assert exposed(lines, lambda key: is_hidden(pd.Series([matrix.at[key]])).all(),
                   lambda key: truth.get(key, 0)) == []


@pytest.mark.parametrize("level", ["rcc", "region"])
def test_placement_types_leave_no_count_of_1_to_4_alone_across_tables(area_tables,
                                                                      area_truth, level):
    """The placement types add up to all children: for every cell and Total, the types'
    counts less the all-children count leave no lone hidden 1-4 (a reader holding every
    type's table cannot subtract one from the others)."""
    tables = {placement: held_rows(area_tables[level, placement, None], level)
              for placement in [None, *flow_rules.PLACEMENT_GROUPS]}
    everyone = tables[None]
    lines = [(f"{area} -> {column}", [(placement, area, column) for placement in tables])
             for area in everyone.index for column in everyone.columns]

    def value(key):
        placement, area, column = key
        table = tables[placement]
        return table.at[area, column] if column in table.columns else 0

    def truth(key):
        placement, area, column = key
        return area_truth[level, placement, None].get((area, column), 0)

    assert exposed(lines, lambda key: value(key) == "c", truth) == []


@pytest.mark.parametrize("level", ["rcc", "region"])
@pytest.mark.parametrize("placement, need", FILTERS, ids=FILTER_IDS)
def test_self_sufficiency_is_hidden_exactly_where_its_counts_are(area_tables, level,
                                                                 placement, need):
    """Self-sufficiency gives away nothing the matrices hide: the % placed inside is "c"
    exactly where the own cell, the Total or the count outside England is; own children in
    homes here is "c" exactly where the children's-homes table hides its own cell; the %
    of home places they use exactly where that count is "c"."""
    table = area_tables[level, placement, need].set_index(f"placing_{level}")
    table = table.drop(index=no_data(table, level))
    homes_only = area_tables[level, HOMES, None].set_index(f"placing_{level}")
    own = pd.Series({area: table.at[area, area] == "c" for area in table.index})
    counts = own | is_hidden(table[flow_rules.TOTAL])
    if flow_rules.ELSEWHERE in table.columns:
        counts |= is_hidden(table[flow_rules.ELSEWHERE])
    in_homes = pd.Series({area: homes_only.at[area, area] == "c" for area in table.index})
    for column, hidden_with in (("placed_inside_pct", counts),
                                ("own_children_in_homes_here", in_homes),
                                ("own_use_of_home_places_pct", in_homes)):
        pd.testing.assert_series_equal(is_hidden(table[column]), hidden_with,
                                       check_names=False, obj=column)


@pytest.mark.parametrize("level", ["rcc", "region"])
@pytest.mark.parametrize("placement, need", FILTERS, ids=FILTER_IDS)
def test_own_use_of_homes_agrees_with_the_homes_table(area_tables, level, placement, need):
    """An area's own children in its homes, in any table, is the own cell of the
    children's-homes table (all needs), shown or "c" alike, so no table gives away what
    that one hides; the % of places they use is that count over the places."""
    table = area_tables[level, placement, need].set_index(f"placing_{level}")
    homes_only = area_tables[level, HOMES, None].set_index(f"placing_{level}")
    for area in table.drop(index=no_data(table, level)).index:
        own = homes_only.at[area, area]
        assert table.at[area, "own_children_in_homes_here"] == own, area
        if own != "c" and table.at[area, "home_places"]:
            assert table.at[area, "own_use_of_home_places_pct"] == round(
                own / table.at[area, "home_places"] * 100, 1), area


@pytest.mark.parametrize("level", ["rcc", "region"])
@pytest.mark.parametrize("placement, need", FILTERS, ids=FILTER_IDS)
def test_placed_inside_pct_is_the_tables_own_cell_over_children_in_england(
        area_tables, level, placement, need):
    """Where shown, the % placed inside is the row's own cell over its Total less those
    placed outside England or not recorded, to one decimal place."""
    table = area_tables[level, placement, need].set_index(f"placing_{level}")
    for area in table.drop(index=no_data(table, level)).index:
        if table.at[area, "placed_inside_pct"] == "c":
            continue
        outside = table.at[area, flow_rules.ELSEWHERE] \
            if flow_rules.ELSEWHERE in table.columns else 0
        in_england = table.at[area, flow_rules.TOTAL] - outside
        expected = round(table.at[area, area] / in_england * 100, 1) if in_england else None
        shown = table.at[area, "placed_inside_pct"]
        assert (pd.isna(shown) if expected is None else shown == expected), area


# --- 5. self-sufficiency ---------------------------------------------------------------------

@pytest.mark.parametrize("level, area, by_ofsted_region", [
    ("rcc", GREATER_MANCHESTER, False), ("region", "North West", True),
    ("region", "North East", True)])
def test_self_sufficiency_by_hand(cohort_engine, area_tables, ofsted, level, area,
                                  by_ofsted_region):
    """placed_inside_pct is the area's children placed in one of its LAs over those placed
    in an English LA; own_use_of_home_places_pct its children in children's homes (K1, K2)
    inside it over Ofsted's places there (for a region, every home Ofsted files in it,
    Cumbria's included)."""
    row = area_tables[level, None, None].set_index(f"placing_{level}").loc[area]
    children = count_children(cohort_engine, {
        "area": f"f.{level}",
        "in_england": "CASE WHEN t.code IS NOT NULL THEN 1 ELSE 0 END",
        "inside": f"CASE WHEN t.{level} = f.{level} THEN 1 ELSE 0 END"}).xs(area, level="area")
    in_england = children.xs(1, level="in_england")
    assert row["placed_inside_pct"] == round(in_england.get(1, 0) / in_england.sum() * 100, 1)
    in_homes = count_children(cohort_engine, {"area": f"f.{level}", "placed": f"t.{level}"},
                              placement=HOMES).get((area, area), 0)
    members = set(sql(cohort_engine, f"SELECT code FROM ({AREAS}) a WHERE a.{level} = :area",
                      area=area)["code"])
    places = sum(int(home["places"]) for home in ofsted
                 if (home["government_office_region"] == area if by_ofsted_region
                     else home["la_code"] in members))
    assert row["home_places"] == places
    assert row["own_children_in_homes_here"] == in_homes
    assert row["own_use_of_home_places_pct"] == round(in_homes / places * 100, 1)


# --- 6. the synthetic label ------------------------------------------------------------------

@pytest.mark.parametrize("make", [
    lambda engine: map_tables.la_flows(engine, YEAR),
    lambda engine: map_tables.la_flows(engine, YEAR, Scope("la", MANCHESTER)),
    lambda engine: map_tables.area_flows(engine, YEAR, "rcc"),
    lambda engine: map_tables.area_flows(engine, YEAR, "rcc", placement=HOMES),
    lambda engine: map_tables.area_flows(engine, YEAR, "region", need="self_harm"),
], ids=["la", "la-scoped", "rcc", "rcc-placement", "region-need"])
def test_tables_from_the_cohort_are_labelled_synthetic(cohort_engine, make):
    """Every case-level table built from the synthetic cohort says so in its attrs."""
    assert make(cohort_engine).attrs["synthetic"] is True


def run_export(monkeypatch, capsys, url: str, *args: str) -> tuple[int, str, str]:
    """``python -m data export ...`` in-process against ``url``: (code, stdout, stderr)."""
    monkeypatch.setenv("DATABASE_URL", url)
    code = cli.main(["export", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_flows_export_starts_with_the_synthetic_line(monkeypatch, capsys, cohort_url):
    """The exported RCC matrix, from synthetic rows, says so in its first line."""
    code, out, err = run_export(monkeypatch, capsys, cohort_url, "flows", "--level", "rcc")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == SYNTHETIC_LINE
    assert lines[1].startswith("year,placing_rcc,")


@pytest.mark.parametrize("table, header", [("homes-by-la", "la_code,la_name,"),
                                           ("map-metrics", "la_code,la_name,"),
                                           ("out-of-area", "area_code,area_name,")])
def test_published_exports_carry_no_synthetic_line(monkeypatch, capsys, cohort_url, table,
                                                   header):
    """Ofsted and DfE tables are published data: no label, even from a store that holds
    the synthetic cohort."""
    code, out, err = run_export(monkeypatch, capsys, cohort_url, table)
    assert code == 0, err
    assert out.splitlines()[0].startswith(header)
    assert "Synthetic" not in out


# --- 7. bad input ----------------------------------------------------------------------------

@pytest.mark.parametrize("request_, words", [
    (dict(need="telepathy"), ["Unknown need 'telepathy'", "mental_health", "self_harm"]),
    (dict(placement="Boarding school"),
     ["Unknown placement type 'Boarding school'", "Foster care", HOMES]),
    (dict(year=2023), ["No case-level placements at 31 March 2023", "2025"]),
    (dict(level="district"), ["Unknown level 'district'", "la, rcc or region"]),
    (dict(level="la", placement=HOMES), ["LA-to-LA flows are for all children", "--level rcc"]),
    (dict(level="la", need="self_harm"), ["LA-to-LA flows are for all children", "region"]),
    (dict(placement=HOMES, need="self_harm"), ["Choose a placement type or a need, not both"]),
], ids=["need", "placement", "year", "level", "la-placement", "la-need", "both"])
def test_bad_flow_requests_name_the_choices(cohort_engine, request_, words):
    """An unknown need, placement type or level, a year with no case-level data, a filter
    on LA-to-LA flows or both filters at once is a UserInputError saying what can be
    chosen."""
    arguments = {"year": YEAR, "level": "rcc", **request_}
    with pytest.raises(UserInputError) as error:
        map_tables.flows(cohort_engine, **arguments)
    for word in words:
        assert word in str(error.value)


@pytest.mark.parametrize("args, words", [
    (["--level", "rcc", "--need", "telepathy"], ["telepathy", "mental_health"]),
    (["--year", "2023"], ["2023", "2025"]),
    (["--level", "la", "--placement", "Foster care"], ["LA-to-LA flows are for all children"]),
    (["--level", "rcc", "--placement", "Foster care", "--need", "self_harm"],
     ["placement type or a need, not both"]),
], ids=["need", "year", "la-placement", "both"])
def test_cli_bad_flow_request_is_one_line_and_exit_2(monkeypatch, capsys, cohort_url, args,
                                                     words):
    """From the command line: exit code 2, one line on stderr, nothing on stdout."""
    code, out, err = run_export(monkeypatch, capsys, cohort_url, "flows", *args)
    assert code == cli.EXIT_BAD_INPUT == 2
    assert out == ""
    assert len(err.splitlines()) == 1
    assert all(word in err for word in words)


@pytest.mark.parametrize("args, words", [
    (["--level", "district"], ["district", "la", "rcc", "region"]),
    (["--placement", "Boarding school"], ["Boarding school", "Foster care"]),
], ids=["level", "placement"])
def test_cli_refuses_unknown_level_or_placement_naming_the_choices(monkeypatch, capsys,
                                                                   cohort_url, args, words):
    """argparse refuses a level or placement type it does not know: exit code 2, the
    choices named in its error line (after its usage line), nothing on stdout."""
    monkeypatch.setenv("DATABASE_URL", cohort_url)
    with pytest.raises(SystemExit) as stopped:
        cli.main(["export", "flows", *args])
    captured = capsys.readouterr()
    assert stopped.value.code == 2
    assert captured.out == ""
    error = captured.err.splitlines()[-1]
    assert "invalid choice" in error and "choose from" in error
    assert all(word in error for word in words)


def test_store_without_case_rows_has_no_case_years(engine):
    """The store built from open data alone holds no case-level placements."""
    assert map_tables.case_years(engine) == []


@pytest.mark.parametrize("level", ["la", "rcc", "region"])
def test_flows_without_case_rows_say_how_to_get_some(engine, level):
    """Asking for flows from a store without case-level rows says to run the generator."""
    with pytest.raises(UserInputError, match="python -m data synth"):
        map_tables.flows(engine, YEAR, level)


# --- 8. published out-of-area placements -----------------------------------------------------

@pytest.fixture(scope="module")
def birmingham(engine) -> pd.DataFrame:
    return map_tables.out_of_area(engine, Scope("la", BIRMINGHAM))


def test_out_of_area_lists_birmingham_its_region_and_england(birmingham):
    """Birmingham's table holds Birmingham, the West Midlands and England, 2021-2025."""
    years = list(range(2021, 2026))
    assert list(zip(birmingham["area_code"], birmingham["year"])) == [
        (code, year) for code in (BIRMINGHAM, WEST_MIDLANDS, ENGLAND) for year in years]
    assert list(birmingham.drop_duplicates("area_code")["area_name"]) == [
        "Birmingham", "West Midlands", "England"]


@pytest.mark.parametrize("column, source", [("pct_outside_la", OUTSIDE),
                                            ("pct_over_20_miles", FAR)])
def test_out_of_area_values_equal_dfe(engine, birmingham, column, source):
    """Each area's % every year is DfE's published percentage, with its symbol."""
    for level, code in (("la", BIRMINGHAM), ("region", WEST_MIDLANDS), ("england", ENGLAND)):
        published = characteristic(engine, source, level)
        published = published[published["area_code"] == code].set_index("year")
        shown = birmingham[birmingham["area_code"] == code].set_index("year")
        pd.testing.assert_series_equal(shown[column], published["percentage"],
                                       check_names=False)
        assert (shown[f"{column}_symbol"].fillna("-")
                == published["percentage_symbol"].fillna("-")).all()


@pytest.mark.parametrize("scope, expected", [
    (Scope(), 153), (Scope("rcc", "greater-manchester"), 10), (Scope("region", "E12000001"), 12),
    (Scope("la", CUMBERLAND), 1)])
def test_map_metrics_follow_the_scope(engine, scope, expected):
    """The map-metrics export for a scope is its current LAs' rows of the England table."""
    table = map_tables.metrics_in_scope(engine, YEAR, scope)
    assert len(table) == expected
    england = map_tables.map_metrics(engine, YEAR).set_index("la_code")
    pd.testing.assert_frame_equal(table.set_index("la_code"), england.loc[table["la_code"]])
