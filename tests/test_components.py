"""Figure builders: every chart names its source and licence, and draws what it is given."""

from __future__ import annotations

import pandas as pd

from components.charts import merge_identical
from components.source import source_line

RELEASES = pd.DataFrame([
    {"dataset": "cla_count", "publisher": "Department for Education", "title": "CLA",
     "period": "2021 to 2025", "licence": "Open Government Licence v3.0"},
    {"dataset": "population", "publisher": "Office for National Statistics", "title": "MYE",
     "period": "mid-2024", "licence": "Open Government Licence v3.0"},
])


def test_source_line_names_publishers_periods_and_licence():
    """Trustees must see who published a figure, for when, and under what licence."""
    line = source_line(RELEASES, ["cla_count", "population"], "Rates computed")
    assert line.startswith("Rates computed. Source: Department for Education, CLA (2021 to")
    assert "Office for National Statistics, MYE (mid-2024)" in line
    assert line.endswith("Open Government Licence v3.0.")


def test_a_region_and_an_rcc_of_the_same_las_are_one_named_line():
    """Two comparators with the same rate every year are drawn once, named for both, so
    neither hides under the other; different series, the LA and England are kept."""
    years = [2023, 2024, 2025]
    trend = pd.concat([
        pd.DataFrame({"series": name, "year": years, "rate_per_10k": rates})
        for name, rates in [("Leeds", [80.0, 82, 85]), ("England", [70.0, 69, 67]),
                            ("Yorkshire region", [75.0, 76, 77]),
                            ("Yorkshire RCC", [75.0, 76, 77]),
                            ("Neighbours' average", [75.0, 76, 78])]])
    merged, twins = merge_identical(trend, ["Leeds", "England"])
    assert twins == {"Yorkshire RCC": "Yorkshire region"}
    assert list(merged["series"].unique()) == ["Leeds", "England",
                                               "Yorkshire region and Yorkshire RCC",
                                               "Neighbours' average"]
