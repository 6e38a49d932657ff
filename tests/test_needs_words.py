"""The Needs page's answer sentence: what it says from shown figures, and that a hidden
figure ('c') is never said."""

from __future__ import annotations

import re

import pandas as pd

from analysis import needs_words

LABELS = {"mental_health": "Mental health", "going_missing": "Going missing",
          "self_harm": "Self-harm", "disability": "Disability"}


def tables(children, mean, many, shares: dict) -> dict:
    """The two tables the answer reads, as the needs family shows them."""
    return {"summary": pd.DataFrame([{"children": children, "mean_needs": mean,
                                      "share_4_plus_pct": many}]),
            "prevalence": pd.DataFrame({"need": list(shares), "grouping": "all",
                                        "share_pct": list(shares.values())})}


def test_every_figure_shown():
    text = needs_words.answer(tables(1234, 4.1, 62.4, {"mental_health": 53.0,
                                                       "going_missing": 37.2,
                                                       "self_harm": 36.0,
                                                       "disability": 12.0}),
                              LABELS, "children in residential care", "X RCC", 2025)
    assert text == ("At 31 March 2025, of 1,234 children in residential care in X RCC, "
                    "**62% had 4 or more needs** (4.1 on average, of 4 recorded). The most "
                    "common: mental health (53%), going missing (37%), self-harm (36%).")


def test_hidden_figures_are_left_unsaid():
    text = needs_words.answer(tables("c", "c", "c", {"mental_health": "c",
                                                     "going_missing": 40.0}),
                              LABELS, "children in residential care", "Y", 2025)
    assert not re.search(r"\bc\b", text)
    assert "mental health" not in text and "going missing (40%)" in text
    assert text.startswith("At 31 March 2025, of the children in residential care in Y,")


def test_no_children():
    text = needs_words.answer(tables(0, float("nan"), float("nan"), {}), LABELS,
                              "children in residential care", "Z", 2025)
    assert text.startswith("No children in residential care in Z")
