"""The provider view on a planted example worked out by hand: North's children's homes go
from 50 now to 56, 68 and 80 in 1, 3 and 5 years (80% range +-10), South's stay at 20,
West's series is not shown. Each cohort's children now grow at their RCC's rate; the
shortfall in 5 years is that forecast minus the matching places, ranked largest first.
Disclosure: a cohort with 1-4 children now reaches the view only as "c" (the table is
protected by analysis.disclosure first; an unprotected one is refused) and gets no
forecast; an unshown series gives no forecast."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import disclosure
from forecasting import outlook

ORIGIN = pd.Timestamp("2025-03-31")
MONTHS = pd.date_range("2025-04-30", periods=60, freq="ME")
SERIES = {"series": "children looked after", "breakdown": "children's homes", "level": "rcc"}


def history() -> pd.DataFrame:
    return pd.DataFrame([{**SERIES, "area_code": rcc, "month": month, "value": now,
                          "shown": shown}
                         for rcc, now, shown in (("North", 50, True), ("South", 20, True),
                                                 ("West", 40, False))
                         for month in (pd.Timestamp("2025-02-28"), ORIGIN)])


def forecasts() -> pd.DataFrame:
    rows = []
    for rcc, slope, start in (("North", 0.5, 50), ("South", 0.0, 20), ("West", 1.0, 40)):
        values = start + slope * np.arange(1, 61)
        rows.append(pd.DataFrame({**SERIES, "area_code": rcc, "month": MONTHS,
                                  "forecast": values, "lower_80": values - 10,
                                  "upper_80": values + 10, "lower_95": values - 20,
                                  "upper_95": values + 20}))
    return pd.concat(rows, ignore_index=True)


#: Protected tables (as data.gap_tables.gap_table shows them).
NOW = pd.DataFrame([("North", "A", 10, 6), ("North", "B", "c", "c"), ("North", "C", 25, 20),
                    ("North", "All children", 40, 26), ("South", "A", 30, 12),
                    ("South", "D", 0, 5), ("South", "E", 10, "c"), ("West", "A", 40, 10)],
                   columns=["rcc", "cohort", "children", "matching_places"])


def row(table: pd.DataFrame, rcc: str, cohort: str) -> pd.Series:
    return table[(table["rcc"] == rcc) & (table["cohort"] == cohort)].iloc[0]


def test_forecasts_grow_each_cohort_at_its_rccs_rate():
    table = outlook.provider_outlook(NOW, history(), forecasts(), NOW)
    north_a = row(table, "North", "A")
    # 10 children now; North's homes x 56/50, x 68/50, x 80/50; range (80 -+ 10)/50.
    assert north_a[["in_1_year", "in_3_years", "in_5_years"]].tolist() == pytest.approx(
        [11.2, 13.6, 16.0])
    assert north_a[["in_5_years_lower_80", "in_5_years_upper_80"]].tolist() == pytest.approx(
        [14.0, 18.0])
    assert north_a["shortfall_5_years"] == pytest.approx(16 - 6)
    assert row(table, "South", "A")["in_5_years"] == pytest.approx(30)
    assert "All children" not in set(table["cohort"])


def test_rows_are_ranked_by_the_shortfall_in_five_years():
    table = outlook.provider_outlook(NOW, history(), forecasts(), NOW)
    ranked = table[table["rank"].notna()]
    # North C: 25 x 80/50 - 20 = 20; South A: 30 - 12 = 18; North A: 10; South D: 0 - 5.
    assert list(zip(ranked["rcc"], ranked["cohort"])) == [
        ("North", "C"), ("South", "A"), ("North", "A"), ("South", "D")]
    assert ranked["shortfall_5_years"].tolist() == pytest.approx([20, 18, 10, -5])
    assert ranked["rank"].tolist() == [1, 2, 3, 4]
    assert list(table.columns) == outlook.COLUMNS


def test_hidden_counts_and_unshown_series_give_no_forecast():
    table = outlook.provider_outlook(NOW, history(), forecasts(), NOW)
    hidden, west, no_places = (row(table, "North", "B"), row(table, "West", "A"),
                               row(table, "South", "E"))
    assert hidden["children_now"] == "c" and hidden["note"] == outlook.HIDDEN
    assert west["note"] == outlook.NO_SERIES
    for unknown in (hidden, west):
        assert np.isnan(unknown[["in_1_year", "in_3_years", "in_5_years",
                                 "shortfall_5_years"]].astype(float)).all()
        assert pd.isna(unknown["rank"])
    assert no_places["in_5_years"] == pytest.approx(10)
    assert pd.isna(no_places["rank"]) and no_places["note"] == outlook.NO_PLACES


def test_a_missing_forecast_or_history_gives_no_forecast():
    table = outlook.provider_outlook(NOW, history(), forecasts()[lambda f: f["area_code"]
                                                                 != "South"], NOW)
    assert row(table, "South", "A")["note"] == outlook.NO_FORECAST
    table = outlook.provider_outlook(NOW, history()[lambda h: h["area_code"] != "South"],
                                     forecasts(), NOW)
    assert row(table, "South", "A")["note"] == outlook.NO_SERIES


def test_a_cohort_of_one_to_four_children_is_protected_before_the_view():
    raw = pd.DataFrame({"rcc": "North", "cohort": ["A", "B", "C", "All children"],
                        "children": [3, 12, 25, 40]})
    with pytest.raises(ValueError, match="protected"):
        outlook.provider_outlook(raw, history(), forecasts(), NOW)
    protected = disclosure.suppress(raw, ["children"],
                                    total_rows=raw["cohort"] == "All children")
    table = outlook.provider_outlook(protected, history(), forecasts(), NOW)
    small = row(table, "North", "A")
    assert small["children_now"] == "c" and np.isnan(float(small["in_5_years"]))
    # The cohorts add up to all children, so a second cohort is hidden with it.
    assert (table["children_now"] == "c").sum() == 2


def test_empty_tables_give_an_empty_view():
    empty = NOW.iloc[:0]
    table = outlook.provider_outlook(empty, history(), forecasts(), empty)
    assert table.empty and list(table.columns) == outlook.COLUMNS
    assert outlook.outlook_sentences(table) == [
        "No shortfall can be shown: the forecasts or matching places are missing or hidden "
        "to protect children."]


def test_the_top_rows_read_as_sentences():
    table = outlook.provider_outlook(NOW, history(), forecasts(), NOW)
    first, second = outlook.outlook_sentences(table, top=2)
    assert first == ("North, cohort C: 25 children in residential care now, about 40 in "
                     "five years (80% range 35 to 45) against 20 matching places, about 20 "
                     "short.")
    assert second.startswith("South, cohort A: 30 children")
    covered = table[table["rcc"] == "South"].assign(
        shortfall_5_years=lambda t: t["shortfall_5_years"] * 0 - 1)
    assert outlook.outlook_sentences(covered)[0].startswith("In every RCC and cohort shown")


def test_synthetic_now_labels_the_view():
    table = outlook.provider_outlook(disclosure.label_if_synthetic(NOW, True), history(),
                                     forecasts(), NOW)
    assert disclosure.uses_synthetic(table)


def test_stored_frames_name_the_month_period():
    stored = outlook.provider_outlook(NOW, history().rename(columns={"month": "period"}),
                                      forecasts().rename(columns={"month": "period"}), NOW)
    pd.testing.assert_frame_equal(stored, outlook.provider_outlook(NOW, history(),
                                                                   forecasts(), NOW))


def test_several_models_forecasts_are_refused_not_picked_from():
    two = pd.concat([forecasts().assign(model="naive"), forecasts().assign(model="ets")])
    with pytest.raises(ValueError, match="one model"):
        outlook.provider_outlook(NOW, history(), two, NOW)
