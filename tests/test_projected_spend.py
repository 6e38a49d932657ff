"""Projected spend: the pure projection against sums done by hand (month by month, year by
year) on planted forecasts and costs; no inflation gives today's cost x the forecast;
ranges never negative and always in order; no stored forecast gives an explained empty
result; the panel in AppTest on a copy of the built store with planted forecasts."""

from __future__ import annotations

import shutil
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import insert, text
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest

from analysis import projected_spend as ps
from analysis.scope import Scope
from data import schema as s
from data import spend_projection as sp
from data.errors import UserInputError
from data.store import make_engine
from analysis.access import SINGLE_USER
from tests.app_pages import words

WEEKS = 365.25 / 7  # rounded to 52.18 in the module: checked below
GROUPS = ["fostering", "children's homes", "supported accommodation", "other placements"]
#: Planted case-level forecasts of the RCC: today's children, and a monthly change.
NOW = {"fostering": 400.0, "children's homes": 70.0, "supported accommodation": 50.0,
       "other placements": 80.0}
STEP = {"fostering": -1.0, "children's homes": 0.5, "supported accommodation": 0.25,
        "other placements": 0.0}
ENGLAND_NOW, ENGLAND_AHEAD = 80000.0, [81000.0, 82000.0, 83000.0, 84000.0, 85000.0]
GM_ID, GM_NAME = "greater-manchester", "Greater Manchester"
GM_LAS = ["E08000001", "E08000002", "E08000003", "E08000004", "E08000005", "E08000006",
          "E08000007", "E08000008", "E08000009", "E08000010"]


def describe_all(area, breakdown, value) -> bool:
    return True


def months_ahead() -> list[pd.Timestamp]:
    """The 60 month ends after 31 March 2025."""
    return list(pd.date_range("2025-04-30", periods=60, freq="ME"))


def planted_month(group: str, k: int) -> float:
    """The planted forecast of ``group`` k months ahead (k = 1 is April 2025)."""
    return NOW[group] + STEP[group] * k


# --- the pure projection --------------------------------------------------------------------

def test_weeks_in_a_year():
    assert ps.WEEKS_PER_YEAR == pytest.approx(WEEKS, abs=0.005)


def planted_children() -> pd.DataFrame:
    """Years 0-5 by group, forecast = 100 x (group number + 1) + 10 x year, ranges around."""
    rows = []
    for year in range(6):
        for i, group in enumerate(GROUPS):
            point = 100.0 * (i + 1) + 10 * year
            spread = 0 if year == 0 else 5.0 * year
            rows.append({"breakdown": group, "years_ahead": year, "forecast": point,
                         "lower_80": point - spread, "upper_80": point + spread,
                         "lower_95": point - 2 * spread, "upper_95": point + 2 * spread})
    return pd.DataFrame(rows)


COSTS = pd.DataFrame({"breakdown": GROUPS, "weekly_cost": [800.0, 7000.0, 1600.0, 300.0],
                      "cost_source": "planted"})


def test_spend_by_group_is_children_times_cost_times_weeks_times_inflation():
    out = ps.project(planted_children(), COSTS, 0.03, 2025)
    for year in range(6):
        for i, group in enumerate(GROUPS):
            row = out[(out["years_ahead"] == year) & (out["placement"] == group)].iloc[0]
            children = 100.0 * (i + 1) + 10 * year
            price = COSTS["weekly_cost"].iloc[i]
            for _ in range(year):
                price *= 1.03
            assert row["spend"] == pytest.approx(children * price * 52.18)
            spread = 0 if year == 0 else 5.0 * year
            assert row["spend_upper_95"] == pytest.approx((children + 2 * spread) * price
                                                          * 52.18)
            assert row["financial_year"] == f"{2024 + year}-{(25 + year) % 100:02d}"


def test_the_total_adds_the_groups_and_sums_their_bounds_without_a_total_forecast():
    out = ps.project(planted_children(), COSTS, 0.05, 2025)
    for year in range(6):
        rows = out[out["years_ahead"] == year]
        total = rows[rows["placement"] == ps.TOTAL].iloc[0]
        groups = rows[rows["placement"] != ps.TOTAL]
        assert total["spend"] == pytest.approx(groups["spend"].sum())
        assert total["spend_lower_80"] == pytest.approx(groups["spend_lower_80"].sum())
        assert total["interval"] == "summed"
        assert total["children"] == pytest.approx(groups["children"].sum())
        per_child = total["spend"] / (total["children"] * 52.18 * 1.05 ** year)
        assert total["weekly_cost"] == pytest.approx(per_child)
    assert list(out["placement"].iloc[:5]) == [*GROUPS, ps.TOTAL]
    assert set(out.loc[out["placement"] != ps.TOTAL, "interval"]) == {"own"}


def test_the_total_takes_its_range_from_the_total_forecast_where_there_is_one():
    children = planted_children()
    ahead = children[children["years_ahead"] > 0]
    total = ahead.groupby("years_ahead")[["forecast"]].sum().reset_index()
    total = total.assign(lower_80=total["forecast"] * 0.9, upper_80=total["forecast"] * 1.2,
                         lower_95=total["forecast"] * 0.8, upper_95=total["forecast"] * 1.5)
    out = ps.project(children, COSTS, 0.0, 2025, total)
    rows = out[out["placement"] == ps.TOTAL].set_index("years_ahead")
    for year in range(1, 6):
        assert rows.loc[year, "spend_lower_80"] == pytest.approx(0.9 * rows.loc[year, "spend"])
        assert rows.loc[year, "spend_upper_95"] == pytest.approx(1.5 * rows.loc[year, "spend"])
    assert rows.loc[0, "spend_upper_95"] == pytest.approx(rows.loc[0, "spend"])
    assert set(rows["interval"]) == {"scaled"}


def test_no_inflation_is_todays_cost_times_the_forecast():
    out = ps.project(planted_children(), COSTS, 0.0, 2025)
    costs = dict(zip(COSTS["breakdown"], COSTS["weekly_cost"]))
    groups = out[out["placement"] != ps.TOTAL]
    expected = groups["children"] * groups["placement"].map(costs) * 52.18
    assert np.allclose(groups["spend"], expected)
    assert (out["price_factor"] == 1).all()


@pytest.mark.parametrize("seed", range(5))
def test_ranges_are_never_negative_and_always_in_order(seed):
    rng = np.random.default_rng(seed)
    children = planted_children()
    point = rng.uniform(0, 50, len(children))
    gaps = np.sort(rng.uniform(0, 30, (len(children), 2)), axis=1)
    children = children.assign(forecast=point, lower_80=np.maximum(point - gaps[:, 0], 0),
                               upper_80=point + gaps[:, 0],
                               lower_95=np.maximum(point - gaps[:, 1], 0),
                               upper_95=point + gaps[:, 1])
    for total in (None, children[children["years_ahead"] > 0].groupby("years_ahead")[
            ps.FORECAST].sum().reset_index()):
        out = ps.project(children, COSTS, rng.uniform(0, 0.1), 2025, total)
        values = out[["spend_lower_95", "spend_lower_80", "spend", "spend_upper_80",
                      "spend_upper_95"]].to_numpy()
        assert (values >= 0).all()
        assert (np.diff(values, axis=1) >= -1e-6).all()


@pytest.mark.parametrize("rate", [-0.01, 0.11])
def test_inflation_outside_nought_to_ten_percent_is_refused(rate):
    with pytest.raises(ValueError, match="0 to 10%"):
        ps.project(planted_children(), COSTS, rate, 2025)


def test_a_year_is_the_average_of_its_twelve_month_ends():
    months = months_ahead()
    monthly = pd.DataFrame([{"breakdown": group, "period": month,
                             **{c: planted_month(group, k + 1) for c in ps.FORECAST}}
                            for group in GROUPS for k, month in enumerate(months)])
    short = monthly[monthly["period"] < pd.Timestamp("2030-03-31")]  # March 2030 missing
    out = ps.yearly(short, pd.Timestamp("2025-03-31"))
    for group in GROUPS:
        mine = out[out["breakdown"] == group].set_index("years_ahead")
        for year in range(1, 5):
            in_year = [planted_month(group, k + 1) for k, m in enumerate(months)
                       if date(2024 + year, 4, 1) <= m.date() <= date(2025 + year, 3, 31)]
            assert len(in_year) == 12
            assert mine.loc[year, "forecast"] == pytest.approx(sum(in_year) / 12)
        assert 5 not in mine.index  # only eleven months of year 5 were given


def test_weekly_costs_share_fees_over_children_and_fall_back_where_not_shown():
    fees = pd.DataFrame({"placement": ["children's homes"] * 6 + ["fostering"] * 4
                         + ["other placements"] * 5,
                         "weekly_fee": [6000.0, 7000, 8000, 5000, 9000, 7000, 700, 800, 900,
                                        1000, 4000, 4000, 4000, 4000, 4000]})
    published = pd.DataFrame({"group": GROUPS, "weekly_cost": [750.0, 7300, 1800, 1800],
                              "cost_source": ["S251 fostering", "S251 residential",
                                              "S251 per child", "S251 per child"]})
    now = pd.Series({"fostering": 10, "children's homes": 6, "supported accommodation": 0,
                     "other placements": 40})
    out = ps.weekly_costs(fees, now, published, lambda group: group != "other placements")
    costs = out.set_index("breakdown")
    assert costs.loc["children's homes", "weekly_cost"] == pytest.approx(42000 / 6)
    assert costs.loc["fostering", "cost_source"] == "S251 fostering"  # 4 fees: too few
    assert costs.loc["supported accommodation", "weekly_cost"] == 1800  # no children
    assert costs.loc["other placements", "cost_source"] == "S251 per child"  # not shown
    shown = ps.weekly_costs(fees, now, published, lambda group: True).set_index("breakdown")
    assert shown.loc["other placements", "weekly_cost"] == pytest.approx(20000 / 40)


# --- the store: planted forecasts ----------------------------------------------------------

def plant(url: str) -> None:
    """A stored run: the RCC's stock-and-flow forecasts by group (and all children), and
    England's published forecast (Prophet: the default of a run without backtests)."""
    engine = make_engine(url)
    key = {"run_id": 1, "source": "case", "level": "rcc", "area_code": GM_NAME,
           "area_name": GM_NAME, "series": "children looked after"}
    values, history = [], []
    for breakdown in [*GROUPS, "all"]:
        members = GROUPS if breakdown == "all" else [breakdown]
        history.append({**key, "breakdown": breakdown, "period": date(2025, 3, 31),
                        "value": sum(NOW[g] for g in members)})
        for k, month in enumerate(months_ahead()):
            point = sum(planted_month(g, k + 1) for g in members)
            spread = 0.1 if breakdown == "all" else 0.2
            values.append({**key, "breakdown": breakdown, "model": "stock_flow",
                           "period": month.date(), "forecast": point, "reconciled": False,
                           "lower_80": point * (1 - spread), "upper_80": point * (1 + spread),
                           "lower_95": point * (1 - 2 * spread),
                           "upper_95": point * (1 + 2 * spread)})
    england = {"run_id": 1, "source": "published", "level": "england",
               "area_code": "E92000001", "area_name": "England",
               "series": "children looked after", "breakdown": "all"}
    history.append({**england, "period": date(2025, 3, 31), "value": ENGLAND_NOW})
    for year, point in zip(range(2026, 2031), ENGLAND_AHEAD):
        values.append({**england, "model": "prophet", "period": date(year, 3, 31),
                       "forecast": point, "reconciled": False, "lower_80": point - 1000,
                       "upper_80": point + 1000, "lower_95": point - 2000,
                       "upper_95": point + 2000})
    with engine.begin() as connection:
        connection.execute(insert(s.ForecastRun).values(
            id=1, data_key="planted", settings="planted", fitted_at=datetime(2025, 6, 1),
            seconds=0.0, series=6, with_backtest=False))
        connection.execute(insert(s.ForecastHistory), history)
        connection.execute(insert(s.ForecastValue), values)
    engine.dispose()


@pytest.fixture(scope="module")
def planted(built_url, tmp_path_factory):
    """A copy of the built store (no children's records) with planted forecasts."""
    url = make_url(built_url)
    if url.get_backend_name() != "sqlite":
        pytest.skip("copies the SQLite store")
    path = tmp_path_factory.mktemp("spend") / "rcc.sqlite"
    shutil.copy(url.database, path)
    copy = f"sqlite:///{path}"
    plant(copy)
    return copy


def weighted_s251(engine, measure: str, codes: list[str]) -> float:
    """The LAs' latest S251 unit cost weighted by their children looked after, in SQL."""
    marks = ", ".join(f"'{code}'" for code in codes)
    query = text(f"""
        SELECT SUM(u.value * n.value) / SUM(n.value) FROM lait_indicator u
        JOIN lait_indicator n ON n.area_code = u.area_code AND n.year = u.year
             AND n.measure_code = 'LACnum'
        WHERE u.measure_code = :measure AND u.area_code IN ({marks})
          AND u.value IS NOT NULL AND n.value IS NOT NULL
          AND u.year = (SELECT MAX(year) FROM lait_indicator WHERE measure_code = :measure
                        AND area_code IN ({marks}) AND value IS NOT NULL)""")
    with engine.connect() as connection:
        return connection.execute(query, {"measure": measure}).scalar()


def latest(engine, measure: str, code: str) -> float:
    with engine.connect() as connection:
        return connection.execute(text(
            "SELECT value FROM lait_indicator WHERE measure_code = :m AND area_code = :c "
            "AND value IS NOT NULL ORDER BY year DESC LIMIT 1"), {"m": measure, "c": code}
        ).scalar()


def planted_fees() -> pd.DataFrame:
    """Today's fees in the RCC: 6 in children's homes, 5 in fostering, 2 supported."""
    return pd.DataFrame({"placement": ["children's homes"] * 6 + ["fostering"] * 5
                         + ["supported accommodation"] * 2,
                         "weekly_fee": [7000.0] * 3 + [8000.0] * 3 + [900.0] * 5 + [2000.0] * 2})


def test_an_rccs_spend_by_group_matches_the_sums_by_hand(planted):
    engine = make_engine(planted)
    out = sp.projection(engine, Scope("rcc", GM_ID), 0.02, may_describe=describe_all,
                        fees=planted_fees())
    costs = {"children's homes": 45000 / NOW["children's homes"],
             "fostering": 4500 / NOW["fostering"],
             "supported accommodation": weighted_s251(engine, "LACFinance", GM_LAS),
             "other placements": weighted_s251(engine, "LACFinance", GM_LAS)}
    assert out.attrs["mode"] == "groups" and out.attrs["reason"] is None
    months = months_ahead()
    for year in range(1, 6):
        total = 0.0
        for group in GROUPS:
            in_year = [planted_month(group, k + 1) for k, m in enumerate(months)
                       if date(2024 + year, 4, 1) <= m.date() <= date(2025 + year, 3, 31)]
            spend = sum(in_year) / 12 * costs[group] * 52.18 * 1.02 ** year
            total += spend
            row = out[(out["years_ahead"] == year) & (out["placement"] == group)].iloc[0]
            assert row["spend"] == pytest.approx(spend)
            assert row["spend_upper_80"] == pytest.approx(spend * 1.2)
        row = out[(out["years_ahead"] == year) & (out["placement"] == ps.TOTAL)].iloc[0]
        assert row["spend"] == pytest.approx(total)
        assert row["spend_lower_80"] == pytest.approx(total * 0.9)  # the total's own range
        assert row["spend_upper_95"] == pytest.approx(total * 1.2)
    today = out[(out["years_ahead"] == 0) & (out["placement"] == ps.TOTAL)].iloc[0]
    assert today["spend"] == pytest.approx(sum(NOW[g] * costs[g] * 52.18 for g in GROUPS))
    sources = out[out["years_ahead"] == 0].set_index("placement")["cost_source"]
    assert sources["supported accommodation"].startswith("Published S251")  # 2 fees
    assert sources["fostering"] == "Fees of today's placements"


def test_an_area_without_group_forecasts_projects_all_children_at_the_s251_cost(planted):
    engine = make_engine(planted)
    out = sp.projection(engine, Scope(), 0.03, may_describe=describe_all)
    cost = latest(engine, "LACFinance", "E92000001")
    assert out.attrs["mode"] == "total"
    assert list(out["placement"].unique()) == [ps.TOTAL]
    for year, children in enumerate([ENGLAND_NOW, *ENGLAND_AHEAD]):
        row = out[out["years_ahead"] == year].iloc[0]
        assert row["spend"] == pytest.approx(children * cost * 52.18 * 1.03 ** year)
        if year:
            assert row["spend_lower_95"] == pytest.approx((children - 2000) * cost * 52.18
                                                          * 1.03 ** year)
    assert out["financial_year"].iloc[-1] == "2029-30"


def test_an_area_with_no_stored_series_says_so(planted):
    out = sp.projection(make_engine(planted), Scope("la", "E08000003"),
                        may_describe=describe_all)
    assert out.empty and out.attrs["reason"] == sp.NO_SERIES


def test_no_forecast_run_gives_an_explained_empty_result(built_url):
    engine = make_engine(built_url)
    out = sp.projection(engine, Scope("rcc", GM_ID), may_describe=describe_all)
    assert out.empty and out.attrs["reason"] == sp.NO_FORECASTS
    assert "years_ahead" in out.columns
    with pytest.raises(UserInputError, match="forecasting refresh"):
        sp.projected_spend_export(engine, Scope(), 0.03, describe_all)


# --- the panel -------------------------------------------------------------------------------

def panel_page() -> None:
    """The projected spend panel for the scope in session state (kind, code, title)."""
    import streamlit as st

    from analysis.scope import Scope
    from views import frame, projected_spend_panel

    kind, code, title = st.session_state["case"]
    projected_spend_panel.render(frame.Filters(Scope(kind, code), 2025, title))


def opened_panel(url: str, monkeypatch, case: tuple, params: dict | None = None) -> AppTest:
    import cached

    monkeypatch.setenv("DATABASE_URL", url)
    cached.clear()
    at = AppTest.from_function(panel_page, default_timeout=120)
    at.session_state["case"] = case
    at.session_state["viewer"] = SINGLE_USER  # app.py's viewer on a server without sign-in
    at.query_params.update(params or {})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_panel_answers_in_words_with_chart_table_and_download(planted, monkeypatch):
    at = opened_panel(planted, monkeypatch, ("rcc", GM_ID, "Greater Manchester RCC"))
    said = words(at)
    assert "If costs rise 3% a year, Greater Manchester RCC's placements would cost about" \
        in said
    assert "in 2029-30 (80% range £" in said and "in 2024-25, cash terms" in said
    assert "not prices" in said and "Cash terms." in said
    assert len(at.get("vega_lite_chart")) == 1 and at.get("download_button")
    assert at.slider[0].value == 3.0


def test_the_inflation_setting_is_read_from_and_written_to_the_link(planted, monkeypatch):
    at = opened_panel(planted, monkeypatch, ("england", None, "England"), {"inflation": "0"})
    assert "If costs rise 0% a year, England's children in care" in words(at)
    at.slider[0].set_value(5.0).run()
    assert at.query_params["inflation"] == ["5"] or at.query_params["inflation"] == "5"
    assert "If costs rise 5% a year" in words(at)
    bad = opened_panel(planted, monkeypatch, ("england", None, "England"),
                       {"inflation": "lots"})
    assert bad.slider[0].value == 3.0


def test_the_panel_explains_when_no_forecasts_are_stored(built_url, monkeypatch):
    at = opened_panel(built_url, monkeypatch, ("rcc", GM_ID, "Greater Manchester RCC"))
    assert "Forecasts have not been made for this data yet" in words(at)
    assert not at.get("download_button")
