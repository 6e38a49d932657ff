"""The needs audit's figures: a hidden count is never drawn as a number, needs are named
in words, titles fit a projector and every value drawn is the table's."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis import needs_audit as rules
from components import needs_charts as charts
from components.charts import TITLE_WRAP

SOURCE = "Source: hand-made test table. Open Government Licence v3.0."
LABELS = {"going_missing": "Going missing", "self_harm": "Self-harm",
          "criminal_exploitation": "Criminal exploitation", "disability": "Disability"}
#: Eleven needs with labels far longer than the store's, to test wrapping.
LONG = {f"need_{i}": f"A need with a long plain-English label number {i}" for i in range(11)}


def prevalence(shares: dict, group: str = "All") -> pd.DataFrame:
    """A prevalence table (need, group, with_need, children, share_pct) from shares."""
    return pd.DataFrame({"need": list(shares), "group": group, "with_need": 10,
                         "children": 100, "share_pct": pd.Series(list(shares.values()),
                                                                 dtype=object)})


def all_text(fig) -> str:
    """Every word a figure shows: title, traces' text and names, axis labels, notes."""
    parts = [fig.layout.title.text or ""]
    for trace in fig.data:
        parts += [str(trace.name or "")]
        text = trace.text if trace.text is not None else []
        parts += [str(t) for t in np.ravel(np.asarray(text, dtype=object))]
    for axis in (fig.layout.xaxis, fig.layout.yaxis):
        parts += [str(t) for t in (axis.ticktext or [])]
    parts += [a.text for a in fig.layout.annotations]
    return " ".join(parts)


def assert_hidden_not_drawn(fig, hidden_cells: int) -> None:
    """Every value written 'c' is drawn as nothing (NaN), and as many as the table hid."""
    found = 0
    for trace in fig.data:
        if trace.type == "heatmap":
            z = np.asarray(trace.z, dtype=float)
            text = np.asarray(trace.text, dtype=object)
            found += int((text == "c").sum())
            assert np.isnan(z[text == "c"]).all()
        elif trace.type == "bar":
            values = np.asarray(trace.x if trace.orientation == "h" else trace.y, dtype=float)
            text = np.asarray(trace.text, dtype=object)
            found += int((text == "c").sum())
            assert np.isnan(values[text == "c"]).all()
    assert found == hidden_cells


def cell(fig, row: str, column: str):
    """(z, text) of a heat map's cell by its row and column names."""
    trace = fig.data[0]
    i, j = list(trace.y).index(row), list(trace.x).index(column)
    return np.asarray(trace.z, dtype=float)[i, j], np.asarray(trace.text, dtype=object)[i, j]


def notes(fig) -> str:
    """The small print under the plot (notes and source)."""
    return fig.layout.annotations[-1].text.replace("<br>", " ")


# --- prevalence ----------------------------------------------------------------------------

def test_prevalence_bars_sort_by_share_and_leave_hidden_and_blank_needs_undrawn():
    table = prevalence({"going_missing": 12.5, "self_harm": "c", "criminal_exploitation": 40.0,
                        "disability": np.nan})
    england = prevalence({"going_missing": 10.0, "self_harm": 20.0,
                          "criminal_exploitation": 30.0, "disability": 5.0})
    fig = charts.prevalence_bars(table, LABELS, "Tees Valley", england, source=SOURCE)
    bars, marks = fig.data
    assert list(fig.layout.yaxis.ticktext) == ["Criminal exploitation", "Going missing",
                                               "Self-harm", "Disability"]
    assert list(bars.x[:2]) == [40.0, 12.5] and all(math.isnan(v) for v in bars.x[2:])
    assert list(bars.text) == ["40%", "13%", "c", ""]
    assert list(marks.x) == [30.0, 10.0, 20.0, 5.0]  # England's share beside its own need
    assert_hidden_not_drawn(fig, 1)
    assert charts.HIDDEN_NOTE in notes(fig) and charts.BLANK_NOTE in notes(fig)
    assert SOURCE in notes(fig)
    assert not any(code in all_text(fig) for code in LABELS)


def test_prevalence_bars_without_anything_hidden_carry_no_note_and_show_small_shares():
    fig = charts.prevalence_bars(prevalence({"self_harm": 0.3, "disability": 0.0}), LABELS,
                                 "England", source=SOURCE)
    assert list(fig.data[0].text) == ["<1%", "0%"]  # a share under 0.5% is not "0%"
    assert len(fig.data) == 1  # no England mark at England scope
    assert charts.HIDDEN_NOTE not in notes(fig) and charts.BLANK_NOTE not in notes(fig)


def test_prevalence_bars_use_the_all_children_rows_of_a_grouped_table():
    table = pd.concat([prevalence({"self_harm": 20.0}), prevalence({"self_harm": 90.0}, "Male")])
    fig = charts.prevalence_bars(table, LABELS, "Tees Valley", source=SOURCE)
    assert list(fig.data[0].x) == [20.0]


def test_a_code_missing_from_the_labels_is_shown_in_words():
    fig = charts.prevalence_bars(prevalence({"out_of_education": 20.0}), LABELS, "England",
                                 source=SOURCE)
    assert list(fig.layout.yaxis.ticktext) == ["Out of education"]


def test_prevalence_by_group_writes_each_tables_share_in_its_cell():
    rows = []
    shares = {("going_missing", "Male"): 31.2, ("going_missing", "Female"): "c",
              ("self_harm", "Male"): 8.0, ("self_harm", "Female"): 55.4}
    for (need, group), share in shares.items():
        rows.append({"need": need, "group": group, "with_need": 1, "children": 50,
                     "share_pct": share})
    for need in ("going_missing", "self_harm"):  # a group of no children: left out
        rows.append({"need": need, "group": "Not recorded", "with_need": 0, "children": 0,
                     "share_pct": np.nan})
    fig = charts.prevalence_by_group(pd.DataFrame(rows), LABELS, "Sex", source=SOURCE)
    assert "by sex?" in fig.layout.title.text
    assert list(fig.data[0].x) == ["Male", "Female"]
    assert list(fig.data[0].y) == ["Self-harm", "Going missing"]  # higher mean share first
    for (need, group), share in shares.items():
        z, text = cell(fig, LABELS[need], group)
        if share == "c":
            assert math.isnan(z) and text == "c"
        else:
            assert z == share and text == f"{round(share)}%"
    assert_hidden_not_drawn(fig, 1)
    assert charts.HIDDEN_NOTE in notes(fig)


def test_needs_per_child_puts_the_mean_and_share_in_the_title_and_hides_what_is_hidden():
    distribution = pd.DataFrame({"needs": ["0", "1", "2", "3", "4", "5", "6+"],
                                 "children": [120, 210, "c", 400, 380, 0, 150]}, dtype=object)
    fig = charts.needs_per_child(distribution, 3.94, 41.2, source=SOURCE)
    title = fig.layout.title.text.replace("<br>", " ")
    assert "3.9 needs on average" in title and "41% have 4 or more" in title
    fewer, many = fig.data
    assert list(fewer.x) == ["0", "1", "2", "3"] and list(many.x) == ["4", "5", "6+"]
    assert list(many.y) == [380, 0, 150]
    assert_hidden_not_drawn(fig, 1)
    assert any(a.text == "c" and a.x == "2" for a in fig.layout.annotations)


def test_needs_per_child_says_when_the_mean_is_hidden():
    distribution = pd.DataFrame({"needs": ["0", "6+"], "children": [10, 20]}, dtype=object)
    fig = charts.needs_per_child(distribution, "c", np.nan, source=SOURCE)
    title = fig.layout.title.text.replace("<br>", " ")
    assert "c needs on average" in title and "4 or more" not in title
    assert charts.HIDDEN_NOTE in notes(fig)


def test_an_all_hidden_distribution_draws_no_bars_and_no_scale():
    distribution = pd.DataFrame({"needs": ["0", "1", "6+"], "children": "c"}, dtype=object)
    fig = charts.needs_per_child(distribution, "c", "c", source=SOURCE)
    assert_hidden_not_drawn(fig, 3)
    assert fig.layout.yaxis.showticklabels is False  # no "0.2 children" scale


def test_all_hidden_bars_draw_no_scale_unless_england_is_drawn():
    table = prevalence({"self_harm": "c", "disability": "c"})
    alone = charts.prevalence_bars(table, LABELS, "Hartlepool", source=SOURCE)
    beside = charts.prevalence_bars(table, LABELS, "Hartlepool", prevalence(
        {"self_harm": 9.0, "disability": 4.0}), source=SOURCE)
    assert alone.layout.xaxis.showticklabels is False
    assert beside.layout.xaxis.showticklabels is not False


# --- co-occurrence -------------------------------------------------------------------------

def pairs_table() -> pd.DataFrame:
    """Three needs' pairs as ``analysis.needs_audit.co_occurrence`` shapes them."""
    return pd.DataFrame({
        "need_a": ["going_missing", "going_missing", "self_harm"],
        "need_b": ["self_harm", "criminal_exploitation", "criminal_exploitation"],
        "share_of_all_pct": [12.0, 30.4, "c"], "lift": [0.5, 2.0, "c"]}, dtype=object)


def test_share_heat_map_is_symmetric_with_the_tables_values_and_a_blank_diagonal():
    fig = charts.co_occurrence_heatmap(pairs_table(), LABELS, source=SOURCE)
    z = np.asarray(fig.data[0].z, dtype=float)
    assert np.allclose(z, z.T, equal_nan=True) and np.isnan(np.diag(z)).all()
    assert cell(fig, "Going missing", "Criminal exploitation") == (30.4, "30%")
    assert cell(fig, "Criminal exploitation", "Going missing") == (30.4, "30%")
    assert_hidden_not_drawn(fig, 2)  # one hidden pair, written in both of its cells
    assert list(fig.data[0].y) == ["Going missing", "Self-harm", "Criminal exploitation"]


def test_lift_heat_map_is_centred_on_one_on_a_log_scale():
    fig = charts.co_occurrence_heatmap(pairs_table(), LABELS, "lift", source=SOURCE)
    trace = fig.data[0]
    assert trace.zmid == 0 and trace.zmin == -trace.zmax
    assert cell(fig, "Going missing", "Criminal exploitation") == (math.log2(2.0), "2.0")
    assert cell(fig, "Self-harm", "Going missing") == (math.log2(0.5), "0.5")
    assert_hidden_not_drawn(fig, 2)


def test_lift_of_zero_takes_the_bottom_colour_not_minus_infinity():
    pairs = pairs_table().assign(lift=[0.0, 1.0, 1.0])
    fig = charts.co_occurrence_heatmap(pairs, LABELS, "lift", source=SOURCE)
    assert cell(fig, "Going missing", "Self-harm")[0] == fig.data[0].zmin


def test_an_unknown_measure_is_refused():
    with pytest.raises(ValueError):
        charts.co_occurrence_heatmap(pairs_table(), LABELS, "odds", source=SOURCE)


# --- cohorts, intensity, gap, exports -------------------------------------------------------

def test_cohort_profiles_show_each_probability_as_a_percentage_with_names_wrapped():
    long_name = "Many needs: going missing, self-harm, mental health and 4 more"
    table = pd.DataFrame({"need": ["going_missing", "disability"],
                          "label": ["Going missing", "Disability"],
                          "all_children": [0.4, 0.2], "Disability": [0.1, 0.9],
                          long_name: [0.85, 0.05]})
    fig = charts.cohort_profiles(table, LABELS, source=SOURCE)
    assert list(fig.data[0].y) == ["All children", "Disability", long_name]
    assert cell(fig, long_name, "Going missing") == (pytest.approx(85.0), "85%")
    assert cell(fig, "All children", "Disability") == (pytest.approx(20.0), "20%")
    wrapped = fig.layout.yaxis.ticktext[2].split("<br>")
    assert len(wrapped) > 1 and " ".join(wrapped) == long_name


def grid(counts: dict) -> pd.DataFrame:
    """One need's intensity x frequency grid, every cell, the given counts, others 0."""
    rows = [{"need": "going_missing", "intensity": i, "frequency": f,
             "children": counts.get((i, f), 0)}
            for i in ("low", "medium", "high", "Not recorded")
            for f in ("rarely", "monthly", "weekly", "daily", "Not recorded")]
    return pd.DataFrame(rows).astype({"children": object})


def test_intensity_grid_drops_not_recorded_unless_some_child_has_it():
    fig = charts.intensity_frequency_grid(grid({("high", "daily"): 12, ("low", "rarely"): "c"}),
                                          "Going missing", source=SOURCE)
    assert list(fig.data[0].y) == ["High", "Medium", "Low"]
    assert list(fig.data[0].x) == ["Rarely", "Monthly", "Weekly", "Daily"]
    assert cell(fig, "High", "Daily") == (12.0, "12")
    assert cell(fig, "Medium", "Weekly") == (0.0, "0")
    assert_hidden_not_drawn(fig, 1)


def test_intensity_grid_keeps_a_not_recorded_column_holding_a_hidden_count():
    fig = charts.intensity_frequency_grid(grid({("high", "Not recorded"): "c"}),
                                          "Going missing", source=SOURCE)
    assert list(fig.data[0].x)[-1] == "Not recorded"
    assert list(fig.data[0].y) == ["High", "Medium", "Low"]


def test_an_all_hidden_grid_still_writes_c_in_every_cell():
    """An LA's grid is often hidden throughout: plotly draws no text on a heat map without
    a single value, so the cells' 'c' must still reach the page."""
    everything = grid({}).assign(children="c")
    fig = charts.intensity_frequency_grid(everything, "Going missing", source=SOURCE)
    cells, words = fig.data
    assert np.isnan(np.asarray(cells.z, dtype=float)).all()
    assert list(words.text) == ["c"] * 20 and words.mode == "text"
    assert (words.x[0], words.y[0]) == ("Rarely", "High")


def test_intensity_grid_refuses_several_needs():
    both = pd.concat([grid({}), grid({}).assign(need="self_harm")])
    with pytest.raises(ValueError):
        charts.intensity_frequency_grid(both, "Going missing", source=SOURCE)


def gap_summary(rcc: str = "tees-valley") -> pd.DataFrame:
    """``specificity.gap_summary`` rows of one RCC, cohorts out of order."""
    return pd.DataFrame({"rcc": rcc, "cohort": ["No cohort", "2", "All children", "1"],
                         "children": ["c", 40, 100, 57], "inside their LA": 1,
                         "elsewhere in the RCC": 1, "outside the RCC": 1, "not recorded": 0,
                         "matching places": [0, "c", 80, 50], "gap": ["c", "c", 20, 7]})


def test_gap_bars_put_all_children_first_and_write_the_gap_under_each_name():
    fig = charts.specificity_gap_bars(gap_summary(), source=SOURCE, rcc_name="Tees Valley",
                                      cohort_names={"1": "Disability", "2": "Going missing"})
    names = [t.replace("<br>", " ") for t in fig.layout.yaxis.ticktext]
    assert names == ["All children <b>Gap: 20</b>", "Disability <b>Gap: 7</b>",
                     "Going missing <b>Gap: c</b>", "No cohort <b>Gap: c</b>"]
    children, places = fig.data
    assert list(children.x[:3]) == [100, 57, 40] and math.isnan(children.x[3])
    assert places.x[0] == 80 and places.x[1] == 50 and math.isnan(places.x[2])
    assert places.x[3] == 0  # a true zero is drawn as zero
    assert_hidden_not_drawn(fig, 2)
    assert "Tees Valley" in fig.layout.title.text.replace("<br>", " ")


def test_gap_bars_read_the_stores_gap_table_with_named_cohorts():
    """``data.gap_tables.gap_table``: RCC names, cohorts already named, matching_places."""
    table = gap_summary("Tees Valley").rename(columns={"matching places": "matching_places"})
    table["cohort"] = ["No cohort", "2. Going missing", "All children", "1. Disability"]
    fig = charts.specificity_gap_bars(table)
    names = [t.split("<br>")[0] for t in fig.layout.yaxis.ticktext]
    assert names == ["All children", "1. Disability", "2. Going missing", "No cohort"]
    assert list(fig.data[1].x[:2]) == [80, 50]
    assert fig.layout.title.text.startswith("Does Tees Valley have")
    assert charts.CASE_LEVEL_SOURCE.split()[0] in notes(fig)


def test_gap_bars_refuse_several_rccs():
    with pytest.raises(ValueError):
        charts.specificity_gap_bars(pd.concat([gap_summary(), gap_summary("other")]),
                                    source=SOURCE)


def test_exports_bars_compare_outside_with_inside_most_exported_first():
    shares = pd.DataFrame({"need": ["self_harm", "going_missing", "disability"],
                           "placed_outside": [6, 12, "c"],
                           "pct_outside": [20.0, 40.0, "c"], "pct_inside": [25.0, 5.0, 30.0],
                           "children_outside": 30, "children_inside": 70}, dtype=object)
    fig = charts.exports_bars(shares, LABELS, source=SOURCE, rcc_name="Tees Valley")
    outside, inside = fig.data
    assert list(fig.layout.yaxis.ticktext) == ["Going missing", "Self-harm", "Disability"]
    assert list(outside.x[:2]) == [40.0, 20.0] and math.isnan(outside.x[2])
    assert list(inside.x) == [5.0, 25.0, 30.0]
    assert outside.name == "Placed outside the RCC (30 children)"
    assert inside.name == "Placed inside the RCC (70 children)"
    assert_hidden_not_drawn(fig, 1)


# --- every figure: empty tables, one need, eleven long labels --------------------------------

def figures(labels: dict, shares: list) -> list:
    """Every figure built from tables of the given needs (shares cycle through them)."""
    codes = list(labels)
    table = prevalence(dict(zip(codes, shares)))
    groups = pd.concat([prevalence(dict(zip(codes, shares)), g) for g in ("Male", "Female")])
    pairs = pd.DataFrame([{"need_a": a, "need_b": b, "share_of_all_pct": 10.0, "lift": 1.5}
                          for i, a in enumerate(codes) for b in codes[i + 1:]],
                         columns=["need_a", "need_b", "share_of_all_pct", "lift"])
    profiles = pd.DataFrame({"need": codes, "label": codes, "all_children": 0.3,
                             "A cohort with a long name of several needs and more": 0.5})
    shares_out = pd.DataFrame({"need": codes, "placed_outside": 5, "pct_outside": shares,
                               "pct_inside": 10.0, "children_outside": 9,
                               "children_inside": 9})
    return [charts.prevalence_bars(table, labels, "Somewhere with a long name", table,
                                   source=SOURCE),
            charts.prevalence_by_group(groups, labels, "sex", source=SOURCE),
            charts.co_occurrence_heatmap(pairs, labels, source=SOURCE),
            charts.co_occurrence_heatmap(pairs, labels, "lift", source=SOURCE),
            charts.cohort_profiles(profiles, labels, source=SOURCE),
            charts.exports_bars(shares_out, labels, source=SOURCE)]


def test_eleven_needs_with_long_labels_are_named_in_words_and_titles_wrap():
    shares = [5.0 * i if i % 4 else "c" for i in range(11)]
    for fig in figures(LONG, shares):
        lines = fig.layout.title.text.split("<br>")
        assert all(len(line) <= TITLE_WRAP for line in lines)
        shown = all_text(fig).replace("<br>", " ")
        assert not any(f"{code} " in shown + " " for code in LONG)
        assert any(label in shown for label in LONG.values())
        assert_no_hidden_drawn(fig)


def assert_no_hidden_drawn(fig) -> None:
    """Nothing written 'c' carries a number."""
    assert_hidden_not_drawn(fig, sum(
        int((np.asarray(t.text, dtype=object) == "c").sum()) for t in fig.data
        if t.text is not None))


def test_eleven_column_heat_maps_turn_their_column_names_upright():
    fig = figures(LONG, [10.0] * 11)[2]
    assert fig.layout.xaxis.tickangle == -90
    assert all(len(line) <= charts.TURNED_WRAP
               for name in fig.layout.xaxis.ticktext for line in name.split("<br>"))


def test_one_need_draws_its_bar_and_has_no_pairs_to_show():
    labels = {"self_harm": "Self-harm"}
    bars, groups, share, lift, cohorts, exports = figures(labels, [25.0])
    assert list(bars.data[0].x) == [25.0]
    assert list(groups.data[0].y) == ["Self-harm"]
    for fig in (share, lift):
        assert not fig.data and "no pairs" in all_text(fig)


def test_empty_tables_say_there_is_nothing_to_show():
    empty = pd.DataFrame(columns=["need", "group", "with_need", "children", "share_pct"])
    built = [
        charts.prevalence_bars(empty, LABELS, "Hartlepool", source=SOURCE),
        charts.prevalence_by_group(empty, LABELS, "age band", source=SOURCE),
        charts.needs_per_child(pd.DataFrame(columns=["needs", "children"]), np.nan, np.nan,
                               source=SOURCE),
        charts.co_occurrence_heatmap(pd.DataFrame(columns=["need_a", "need_b", "lift"]),
                                     LABELS, "lift", source=SOURCE),
        charts.cohort_profiles(pd.DataFrame(columns=["need", "label", "all_children"]),
                               LABELS, source=SOURCE),
        charts.intensity_frequency_grid(pd.DataFrame(
            columns=["need", "intensity", "frequency", "children"]), "Self-harm", source=SOURCE),
        charts.specificity_gap_bars(gap_summary().iloc[:0], source=SOURCE),
        charts.exports_bars(pd.DataFrame(columns=["need", "pct_outside"]), LABELS,
                            source=SOURCE)]
    for fig in built:
        assert not fig.data
        assert fig.layout.annotations[0].text.startswith(("No ", "Fewer"))
        assert SOURCE in notes(fig)


def test_figures_draw_the_tables_analysis_needs_makes_from_children():
    """The shapes ``analysis.needs_audit`` produces, on eight children counted by hand."""
    children = pd.DataFrame({"child_id": [f"c{i}" for i in range(8)], "la_code": "E1",
                             "age_band": "10 to 15 years",
                             "sex": ["Male"] * 5 + ["Female"] * 3,
                             "placement": "Foster care", "residential": False})
    had = {"c0": ["going_missing", "self_harm"], "c1": ["going_missing"],
           "c2": ["going_missing", "criminal_exploitation"], "c5": ["self_harm"]}
    needs = pd.DataFrame([{"child_id": c, "need": n, "frequency": "weekly", "intensity": "high"}
                          for c, codes in had.items() for n in codes])
    matrix = rules.need_matrix(children, needs, list(LABELS))
    bars = charts.prevalence_bars(rules.prevalence(children, matrix), LABELS, "E1",
                                  source=SOURCE)
    assert list(bars.data[0].x) == [37.5, 25.0, 12.5, 0.0]  # 3, 2, 1 and 0 of 8 children
    assert list(bars.layout.yaxis.ticktext) == ["Going missing", "Self-harm",
                                                "Criminal exploitation", "Disability"]
    groups = charts.prevalence_by_group(rules.prevalence(children, matrix, "sex"), LABELS,
                                        "sex", source=SOURCE)
    assert list(groups.data[0].x) == ["Male", "Female"]  # no child of sex not recorded
    assert cell(groups, "Going missing", "Male") == (60.0, "60%")  # 3 of 5 boys
    per_child = charts.needs_per_child(rules.distribution(children, matrix), 0.75, 0.0,
                                       source=SOURCE)
    assert list(per_child.data[0].y) == [4, 2, 2, 0]  # children with 0, 1, 2, 3 needs
    pairs = charts.co_occurrence_heatmap(rules.co_occurrence(children, matrix), LABELS,
                                         source=SOURCE)
    assert cell(pairs, "Self-harm", "Going missing") == (12.5, "13%")  # c0 of 8
    grid = rules.intensity_frequency(children, needs, list(LABELS))
    drawn = charts.intensity_frequency_grid(grid[grid["need"] == "going_missing"],
                                            "Going missing", source=SOURCE)
    assert cell(drawn, "High", "Weekly") == (3.0, "3")
