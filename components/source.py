"""Source lines and caveats for charts and tables (source lines read data_release)."""

from __future__ import annotations

import pandas as pd

from analysis.disclosure import label_if_synthetic

OGL_ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0. "
    "Source: Office for National Statistics; Department for Education; Ofsted; MHCLG. "
    "Contains OS data © Crown copyright and database right 2023."
)


def source_line(releases: pd.DataFrame, datasets: list[str], when: str | None = None) -> str:
    """'Source: publisher, title (period); ... Open Government Licence v3.0.' for the datasets."""
    rows = releases.set_index("dataset").loc[datasets]
    parts = [f"{row.publisher}, {row.title} ({row.period})" for row in rows.itertuples()]
    licences = sorted({licence.split(";")[0] for licence in rows["licence"]})
    prefix = f"{when}. " if when else ""
    return f"{prefix}Source: {'; '.join(parts)}. {'; '.join(licences)}."


#: Publishers as a tooltip names them (the full names are in the caption under each map).
SHORT_PUBLISHERS = {"Department for Education": "DfE", "Office for National Statistics": "ONS",
                    "Ofsted": "Ofsted",
                    "Ministry of Housing, Communities and Local Government": "MHCLG"}


def short_source(releases: pd.DataFrame, datasets: list[str], when: str) -> str:
    """'DfE; ONS, 31 March 2025 (OGL v3.0)': the source as a tooltip can hold it."""
    publishers = releases.set_index("dataset").loc[datasets, "publisher"]
    names = dict.fromkeys(SHORT_PUBLISHERS.get(name, name) for name in publishers)
    return f"{'; '.join(names)}, {when} (OGL v3.0)"


def left_out_note(series: pd.DataFrame) -> str:
    """'Left out ...: 2016-2019 Bournemouth, Dorset, Poole; ...' for a trend's caveats."""
    rows = series[series["left_out"] != ""]
    if rows.empty:
        return ""
    spans: list[list] = []  # [first year, last year, names], consecutive years merged
    for year, names in zip(rows["year"].astype(int), rows["left_out"]):
        if spans and spans[-1][2] == names and spans[-1][1] == year - 1:
            spans[-1][1] = year
        else:
            spans.append([year, year, names])
    spans = [f"{a}{'' if a == b else f'-{b}'}: {names}" for a, b, names in spans]
    return ("Left out of the rate (no published count, or no ONS population on the "
            "boundaries of the time): " + "; ".join(spans) + ".")


def records_origin(synthetic: bool) -> str:
    """Where case-level records come from, as a source line names it."""
    return ("a synthetic cohort calibrated to DfE, Ofsted and ONS figures" if synthetic
            else "LAs' SSDA903 and Placements Standard v2 returns")


def monthly_source(first: pd.Timestamp, last: pd.Timestamp, synthetic: bool,
                   when: str) -> str:
    """The source line of a case-level monthly series: the months counted, where the
    records come from, and the synthetic label when they are synthetic."""
    text = (f"{when}. Children counted at each month end, {first:%B %Y} to {last:%B %Y}, "
            f"from case-level records: {records_origin(synthetic)}.")
    return label_if_synthetic(text, synthetic)


def case_level_source(year: int, synthetic: bool) -> str:
    """The source line of a figure counted from children's records: where the records
    come from, the day they describe, and the synthetic label when they are synthetic."""
    text = (f"Children looked after at 31 March {year}: case-level records from "
            f"{records_origin(synthetic)}.")
    return label_if_synthetic(text, synthetic)
