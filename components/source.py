"""Source lines for charts and tables, read from the data_release records."""

from __future__ import annotations

import pandas as pd

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
