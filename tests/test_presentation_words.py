"""Presentation mode's takeaways against planted tables: each sentence's figures are worked
out by hand here (a compound change, a count above England, a rank), never by the code's
own formula, and a hidden or unpublished figure is never said."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis import presentation_words as words

NAN = math.nan


def trend(own: dict[int, float], england: dict[int, float], title: str) -> pd.DataFrame:
    """A rate_trend table: the scope's series and England's."""
    rows = [{"series": title, "year": y, "rate_per_10k": r} for y, r in own.items()]
    rows += [{"series": "England", "year": y, "rate_per_10k": r} for y, r in england.items()]
    return pd.DataFrame(rows)


def test_a_rising_rate_is_compared_with_england_and_its_yearly_change_given():
    """80 in 2020 to 100 in 2024: 1.25 ** (1/4) = 1.0574, about 6% a year; 100 against
    England's 50 is 2.0 times."""
    table = trend({2019: 70, 2020: 80, 2022: 90, 2024: 100}, {2024: 50}, "Planted RCC")
    assert words.rate_takeaway(table, "Planted RCC", 2024) == (
        "Planted RCC's rate, 100 per 10,000 children at 31 March 2024, was 2.0 times "
        "England's 50, rising about 6% a year since 2020.")


def test_a_falling_rate_below_england_is_said_so():
    """100 in 2021 to 72.9 in 2024: 0.729 ** (1/3) = 0.9, 10% a year down; 73 against 81 is
    about 10% below."""
    table = trend({2021: 100, 2024: 72.9}, {2024: 81}, "Wigan")
    assert words.rate_takeaway(table, "Wigan", 2024) == (
        "Wigan's rate, 73 per 10,000 children at 31 March 2024, was 10% below England's 81, "
        "falling about 10% a year since 2021.")


def test_england_and_a_level_rate_and_a_first_year():
    table = trend({}, {2020: 69, 2024: 69}, "England")
    assert words.rate_takeaway(table, "England", 2024) == (
        "England's rate was 69 per 10,000 children at 31 March 2024, about level since 2020.")
    first = trend({2020: 69}, {2020: 70}, "Bolton")
    assert words.rate_takeaway(first, "Bolton", 2020) == (
        "Bolton's rate, 69 per 10,000 children at 31 March 2020, was about the same as "
        "England's 70.")


def test_an_unpublished_rate_is_not_worked_out():
    table = trend({2024: 60, 2025: NAN}, {2025: 67}, "Isles of Scilly")
    assert words.rate_takeaway(table, "Isles of Scilly", 2025) == (
        "DfE publishes no rate for Isles of Scilly at 31 March 2025; England's was 67 per "
        "10,000 children.")


RATES = pd.DataFrame({"name": ["Alder", "Birch", "Cedar", "Damson"],
                      "code": ["A", "B", "C", "D"], "rate_per_10k": [90, 120, 60, NAN]})


def test_the_areas_above_england_and_the_highest():
    """Above 70: Alder (90) and Birch (120), 2 of the 3 with a rate; Birch the highest."""
    assert words.comparison_takeaway(RATES, 70, 2024, "the LAs of Planted RCC") == (
        "2 of the 3 LAs of Planted RCC with a rate (of 4) were above England's 70 per 10,000 "
        "children at 31 March 2024; the highest was Birch, 120.")
    assert words.comparison_takeaway(RATES.iloc[:3], 70, 2024, "the RCCs").startswith(
        "2 of the 3 RCCs were above")


@pytest.mark.parametrize("code, rank", [("B", "highest"), ("A", "2nd highest"),
                                        ("C", "3rd highest")])
def test_one_las_place_among_its_rcc(code, rank):
    said = words.comparison_takeaway(RATES, 70, 2024, "the LAs of Planted RCC", highlight=code)
    assert f"was the {rank} of the 3 LAs of Planted RCC" in said


def test_an_la_without_a_rate_gets_the_range_of_the_others():
    assert words.comparison_takeaway(RATES, 70, 2024, "the LAs of Planted RCC",
                                     highlight="D") == (
        "DfE publishes no rate for Damson at 31 March 2024; the LAs of Planted RCC ranged "
        "from 60 to 120 per 10,000 children.")


@pytest.mark.parametrize("rank, said", [(1, ""), (2, "2nd "), (3, "3rd "), (4, "4th "),
                                        (11, "11th "), (12, "12th "), (21, "21st "),
                                        (22, "22nd "), (113, "113th ")])
def test_ordinals(rank, said):
    assert words.ordinal(rank) == said


def flagged_las(flags: list[bool], z: list[float]) -> pd.DataFrame:
    names = [f"LA {letter}" for letter in "PQRSTU"[:len(flags)]]
    return pd.DataFrame({"la_name": names, "flag": flags, "z_score_adjusted": z,
                         "rate_per_10k": [80.0] * len(flags),
                         "flag_reason": ["Rate 80 per 10,000 against 69 for England."]
                         * len(flags)})


def test_the_flagged_las_are_named_furthest_first():
    las = flagged_las([False, True, True, False], [0.1, 2.0, 3.0, -1])
    assert words.accountability_takeaway(las, "Planted RCC", "rcc", 2024) == (
        "2 of the 4 LAs of Planted RCC owe the board an explanation at 31 March 2024: "
        "LA R and LA Q.")
    many = flagged_las([True] * 5 + [False], [1, 5, 2, 4, 3, 0])
    assert words.accountability_takeaway(many, "England", "england", 2024) == (
        "5 of England's 6 LAs owe the board an explanation at 31 March 2024; furthest above "
        "the target: LA Q, LA S and LA T.")
    assert words.accountability_takeaway(flagged_las([False, False], [0, 0]), "X", "region",
                                         2024).startswith("None of the 2 LAs of X owes")
    one = flagged_las([True, False], [3, 0])
    assert "1 of the 2 LAs of X owes the board" in words.accountability_takeaway(
        one, "X", "rcc", 2024)


def test_one_la_flagged_clear_or_without_a_rate():
    flagged = flagged_las([True], [3])
    assert words.accountability_takeaway(flagged, "Bolton", "la", 2024) == (
        "Bolton owes the board an explanation at 31 March 2024: Rate 80 per 10,000 against "
        "69 for England.")
    assert "owes the board no explanation" in words.accountability_takeaway(
        flagged_las([False], [0]), "Bolton", "la", 2024)
    unrated = flagged_las([False], [NAN]).assign(rate_per_10k=NAN)
    assert "cannot be assessed" in words.accountability_takeaway(unrated, "Isles of Scilly",
                                                                 "la", 2024)


def placed(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["area_name", "level", "pct_outside_la",
                                       "pct_outside_la_symbol", "pct_over_20_miles"])


PLACED = placed([("Alder", "la", 38.0, None, 9.0), ("Birch", "la", 54.0, None, 10.0),
                 ("Cedar", "la", NAN, "c", NAN), ("North West", "region", 41.0, None, 14.0),
                 ("England", "england", 45.0, None, 22.0)])


def test_where_children_are_placed_across_a_scope_one_la_and_england():
    assert words.out_of_area_takeaway(PLACED, "Planted RCC", "rcc", 2024) == (
        "Across Planted RCC, between 38% (Alder) and 54% (Birch) of each LA's children looked "
        "after were placed outside their own LA at 31 March 2024; England's share was 45%.")
    assert words.out_of_area_takeaway(PLACED.iloc[[1, 3, 4]], "Birch", "la", 2024) == (
        "54% of Birch's children looked after were placed outside the LA at 31 March 2024; "
        "England's share was 45%.")
    assert words.out_of_area_takeaway(PLACED.iloc[3:], "England", "england", 2024) == (
        "Across England, 45% of children looked after were placed outside their own LA at "
        "31 March 2024 and 22% more than 20 miles from home.")


def test_a_suppressed_share_is_not_said():
    said = words.out_of_area_takeaway(PLACED.iloc[[2, 3, 4]], "Cedar", "la", 2024)
    assert said.startswith("DfE publishes no share of Cedar's children placed outside the LA")
    assert "(c: " in said and "England's share was 45%" in said


def needs_tables(children, share, shares: dict) -> dict:
    summary = pd.DataFrame({"children": [children], "share_4_plus_pct": [share],
                            "mean_needs": [3.2]})
    prevalence = pd.DataFrame({"grouping": "all", "need": list(shares),
                               "share_pct": list(shares.values())})
    return {"summary": summary, "prevalence": prevalence}


LABELS = {"mh": "Mental health", "sb": "Self-harm", "ed": "Education", "cse": "Exploitation"}


def test_the_needs_takeaway_names_the_most_common_and_leaves_hidden_figures_unsaid():
    tables = needs_tables(120, 62.0, {"mh": 70.0, "sb": "c", "ed": 40.0, "cse": 55.0})
    assert words.needs_takeaway(tables, LABELS, "children in residential care", "Planted RCC",
                                2025) == (
        "Of 120 children in residential care in Planted RCC at 31 March 2025, 62% had 4 or "
        "more needs; the most common: mental health (70%), exploitation (55%), "
        "education (40%).")
    hidden = needs_tables("c", "c", {"mh": "c"})
    said = words.needs_takeaway(hidden, LABELS, "children in residential care", "Bolton", 2025)
    assert said.startswith("Of the children in residential care in Bolton")
    assert "not shown" in said and "%" not in said
    none = needs_tables(0, NAN, {})
    assert words.needs_takeaway(none, LABELS, "children in residential care", "X",
                                2025).startswith("No children in residential care in X")


def forecast_view(history: list[float], ahead: list[tuple], mape: float | None) -> dict:
    periods = pd.date_range("2021-03-31", periods=len(history), freq="12ME")
    first = periods[-1].year + 1
    forecasts = pd.DataFrame(
        [{"model": "drift", "period": pd.Timestamp(f"{first + i}-03-31"), "forecast": f,
          "lower_80": low, "upper_80": high} for i, (f, low, high) in enumerate(ahead)])
    scores = pd.DataFrame({"model": ["drift"], "mape": [mape]})
    return {"history": pd.DataFrame({"period": periods, "value": history}),
            "forecasts": forecasts, "scores": scores}


def test_the_forecast_three_years_on_with_its_range_and_past_accuracy():
    """History to 2025; the 2028 row is the third; figures to three significant figures."""
    view = forecast_view([5000, 5100, 5200, 5300, 6119],
                         [(6150, 5900, 6400), (6200, 5880, 6520), (6249, 5851, 6652),
                          (6300, 5800, 6800)], 1.4)
    assert words.forecast_takeaway(view, "drift", "Planted RCC") == (
        "Continuing the average change gives about 6,250 children looked after in Planted RCC "
        "for 2028 (80% range 5,850 to 6,650), from 6,119 at 31 March 2025; past forecasts "
        "were out by 1% on average.")
    untested = forecast_view([10, 12], [(13, 11, 15)], None)
    assert words.forecast_takeaway(untested, "drift", "X").endswith(
        "from 12 at 31 March 2022.")


def test_no_forecast_or_no_history_is_said_in_one_line():
    view = forecast_view([10, 12], [(13, 11, 15)], 2.0)
    assert words.forecast_takeaway(view, "prophet", "X") == (
        "There is no forecast for X: its history is too short.")
    empty = {"history": pd.DataFrame({"period": pd.to_datetime([]), "value": []}),
             "forecasts": view["forecasts"], "scores": view["scores"]}
    assert words.forecast_takeaway(empty, "drift", "X") == (
        "There are no figures for X to forecast from.")


def test_a_pages_two_sentences_become_one():
    assert words.one_sentence("X spent £894,000 on children in care. No figure per child can "
                              "be given. England spent more.") == (
        "X spent £894,000 on children in care; no figure per child can be given; England "
        "spent more.")
    assert words.one_sentence("£565.9 million, 17% less.") == "£565.9 million, 17% less."
