"""What every page shares: the chosen filters, source captions and downloadable tables.

app.py draws the filters and calls ``remember``; pages call ``current`` to read them.
Every table shown goes through ``table``: one number format everywhere (thousands
separators, blanks rather than 'None', DfE's letters explained in the heading's tooltip),
and a CSV download named for what it holds, starting with its ``python -m data export``
table name (``benchmarks-la-E06000053-2025-model-2021.csv``). The export commands
themselves are listed only on Data & methods.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import cached
from analysis import access, disclosure
from analysis.scope import Scope
from analysis.suppression import SYMBOL_MEANINGS
from data import audit
from data.neutralise import neutralise


#: The navigation: section -> pages (file, title, icon). Only pages that work are listed.
#: Page files are named ``<page>_page.py``; each page's URL path is ``<page>`` (see url_path).
PAGES = {
    "Overview": [("views/overview_page.py", "Overview", ":material/dashboard:"),
                 ("views/rccs_page.py", "All RCCs", ":material/view_module:")],
    "Where children live": [("views/maps_page.py", "Maps", ":material/map:"),
                            ("views/needs_page.py", "Needs", ":material/diversity_3:"),
                            ("views/forecasts_page.py", "Forecasts", ":material/trending_up:"),
                            ("views/homes_needed_page.py", "Homes needed",
                             ":material/home_work:")],
    "Costs": [("views/costs_page.py", "Costs", ":material/payments:")],
    "Accountability": [("views/accountability_page.py", "Accountability", ":material/gavel:")],
    "Boards": [("views/board_pack_page.py", "Board pack", ":material/picture_as_pdf:"),
               ("views/present_page.py", "Presentation", ":material/slideshow:")],
    "Data & methods": [("views/data_methods_page.py", "Data & methods", ":material/menu_book:"),
                       ("views/audit_page.py", "Audit trail", ":material/history:")],
}
#: The page a bare link opens (open to everyone).
DEFAULT_PAGE = "views/overview_page.py"
#: Where app.py leaves, for views/refused_page.py, the page a link asked for and was refused.
REFUSED_KEY = "refused_page"
#: Pages open only to some viewers: page -> the kind of table it is made of (which the
#: viewer must be allowed at England scope) or the action it is for. Every other page is
#: open to everyone, and its parts refuse themselves (cached.py).
PAGE_KINDS = {"views/audit_page.py": access.ADMIN,  # analysts
              "views/rccs_page.py": access.AGGREGATE,  # every RCC's: NSG members, analysts
              "views/board_pack_page.py": access.MAKE_PACK}


def visible(viewer: access.Viewer, page: str) -> bool:
    """Whether the navigation lists ``page`` for ``viewer`` (a link to a page not listed
    opens a refusal in its place: views/refused_page.py)."""
    need = PAGE_KINDS.get(page)
    if need is None:
        return True
    if need in access.ACTIONS:
        return access.may_act(viewer, need)
    return access.may(viewer, need)


#: Who a role's people are, for "This page is not open to trustees".
ROLE_PEOPLE = {"anonymous": "visitors who have not signed in", "provider": "providers",
               "trustee": "trustees", "adcs": "ADCS leads",
               "nsg": "National Steering Group members", "analyst": "analysts"}


def page_refusal(viewer: access.Viewer, page: str) -> str:
    """What a viewer reads in place of a page not open to them: who it is closed to and
    why, in access's words, and nothing of what the page holds."""
    return f"This page is not open to {ROLE_PEOPLE[viewer.role]}. {why_closed(viewer, page)}"


def why_closed(viewer: access.Viewer, page: str) -> str:
    """access's sentence for what the page needs (a visitor is told to sign in)."""
    need = PAGE_KINDS[page]
    if need in access.KINDS:
        return access.refusal(viewer, need, "england")
    if viewer.role == "anonymous":
        return access.refusal(viewer, access.AGGREGATE, "england")
    try:
        access.require_action(viewer, need)
    except access.AccessDenied as denied:
        return str(denied)
    return ""


def page_title(page: str) -> str:
    """A page's title in the navigation."""
    return next(title for pages in PAGES.values() for path, title, _ in pages if path == page)


def url_path(page: str) -> str:
    """A page's URL path, set explicitly so links keep working whatever the file is called:
    ``views/maps_page.py`` -> ``maps`` (so /maps, /accountability, /data_methods)."""
    return Path(page).stem.removesuffix("_page")


@dataclass(frozen=True)
class Filters:
    """The sidebar's choices: scope, year (31 March) and the scope's plain-English name."""

    scope: Scope
    year: int
    title: str


def remember(filters: Filters) -> Filters:
    """Store this run's filters for the page about to run."""
    st.session_state.filters = filters
    return filters


def current() -> Filters:
    """The filters app.py chose for this run."""
    return st.session_state.filters


def case_year(year: int, version: int) -> int | None:
    """The year of case-level data a page shows for the sidebar's ``year``: that year if
    children's records are held for it, else the latest held (saying so); None, with a
    note on how to load some, if none are held."""
    years = cached.case_years(version)
    if not years:
        st.info("No children's records (case-level data) are loaded yet: an analyst can "
                "import an LA's SSDA903 or Placements v2 files on *Data & methods*.",
                icon=":material/upload_file:")
        return None
    shown = year if year in years else years[-1]
    if shown != year:
        st.info(f"Case-level placements are held for 31 March {', '.join(map(str, years))}; "
                f"showing 31 March {shown}.", icon=":material/event:")
    return shown


def chart(figure: go.Figure, description: str) -> None:
    """A plotly chart at full width, with a text alternative for screen readers."""
    st.plotly_chart(frozen(figure), width="stretch", config={"displaylogo": False},
                    alt=description)


def vega_chart(spec: dict, description: str) -> None:
    """A Vega-Lite chart (a shared, cached specification) at full width under its title,
    with its source line beneath and a text alternative for screen readers. The title and
    source are text on the page, so they wrap at any width. The cached specification is
    handed over as it is: Streamlit works on a copy of its top level and changes nothing
    below it."""
    st.subheader(spec["usermeta"]["title"], anchor=False)
    st.vega_lite_chart(spec, width="stretch", alt=description)
    st.caption(spec["usermeta"]["source"])


def frozen(figure: go.Figure) -> go.Figure:
    """``figure``, turned into a dict once instead of on every run. Streamlit calls
    ``to_dict`` (a deep copy of every trace) each time a chart is drawn: ~9 ms for the
    funnel plot. The figures come from ``cached.figure``, shared and never changed after
    they are built, so the first dict stays right for the figure's life."""
    if "to_dict" not in vars(figure):
        as_dict = figure.to_dict()
        figure.to_dict = lambda: as_dict
    return figure


#: Plain-English headings for columns that appear in many tables (downloads keep the names).
LABELS = {
    "la_code": "LA code", "la_name": "LA", "name": "Name", "code": "Code", "rcc": "RCC",
    "region_name": "Region", "year": "Year", "children_looked_after": "Children looked after",
    "population_0_17": "Children aged 0-17", "rate_per_10k": "Rate per 10,000",
    "quartile": "Quartile (4 = highest)", "rank": "Rank (1 = highest)",
    "trend_pct_per_year": "Trend, % a year", "trend_p_value": "Trend p-value",
    "trend_direction": "Direction", "flag": "Owes an explanation", "comparator": "Compared with",
    "series": "Series", "left_out": "Left out", "measure": "Measure", "note": "Note",
    "homes": "Homes", "places": "Places", "area_name": "Area", "area_code": "Area code",
    "from_name": "Placed by", "to_name": "Placed in", "children": "Children",
    "cla_rate_per_10k": "CLA per 10,000", "home_places_per_10k": "Home places per 10,000",
    "pct_outside_la": "% placed outside their LA",
    "pct_over_20_miles": "% placed more than 20 miles from home (in or outside the LA)",
    "placed_in": "Placed in by other LAs", "placed_out": "Placed outside the LA",
    "net_flow": "Net flow", "placed_inside_pct": "% placed inside",
    "home_places": "Home places (Ofsted)",
    "own_use_of_home_places_pct": "% of home places used by own LAs",
    "level": "Level",
    "pct_outside_la_symbol": "DfE symbol: outside the LA",
    "pct_over_20_miles_symbol": "DfE symbol: more than 20 miles",
    "las_with_data": "LAs with data",
}


#: Number formats (Python's format spec; Streamlit's is the same after a "%") of columns
#: that are not plain counts. Counts get thousands separators (``number_format``).
FORMATS = {"rate_per_10k": ",.0f", "target_rate_per_10k": ",.0f", "trend_pct_per_year": "+.1f",
           "trend_p_value": ".3f"}
#: Numbers that are names, not amounts: never a thousands separator in a year or an id.
PLAIN = re.compile(r"(^|_)(year|id|version)$")


def column_settings(frame: pd.DataFrame, extra: dict | None = None) -> dict:
    """Every column's heading and format: plain-English headings, thousands separators,
    and a tooltip saying what DfE's symbols mean wherever a column holds one. ``extra``
    (a page's own headings or settings) wins; a bare heading keeps the format."""
    config = {column: column_setting(column, frame[column]) for column in frame.columns}
    for column, setting in (extra or {}).items():
        if isinstance(setting, str) and isinstance(config.get(column), dict):
            setting = {**config[column], "label": setting}
        config[column] = setting
    return config


def column_setting(column: str, values: pd.Series):
    """One column's heading, format and help. Numbers with gaps are shown as text
    (``for_display``): Streamlit writes 'None' in an empty number cell."""
    label = LABELS.get(column, column.replace("_", " ").capitalize())
    if pd.api.types.is_bool_dtype(values):
        return st.column_config.CheckboxColumn(label)
    if pd.api.types.is_datetime64_any_dtype(values):
        return st.column_config.DatetimeColumn(label)
    if pd.api.types.is_numeric_dtype(values) and not values.isna().any():
        return st.column_config.NumberColumn(label, format="%" + number_format(column, values))
    numeric = pd.api.types.is_numeric_dtype(values) or values.map(is_number).any()
    return st.column_config.TextColumn(label, help=symbols_help(column, values),
                                       alignment="right" if numeric else None)


def number_format(column: str, values: pd.Series) -> str:
    """A numeric column's format: its own, or plain for years and ids, or counts with
    thousands separators (one decimal where the values have fractions)."""
    if column in FORMATS:
        return FORMATS[column]
    if PLAIN.search(column):
        return ".0f"
    whole = values.dropna()
    return ",.0f" if (whole == whole.round()).all() else ",.1f"


def symbols_help(column: str, values: pd.Series) -> str | None:
    """What the DfE symbols in a column of figures mean, for its heading's tooltip (None if
    it has none; a column of names is not searched, as 'x' may be a name there)."""
    if values.dtype != object or not (column.endswith("_symbol") or values.map(is_number).any()):
        return None
    found = [symbol for symbol in SYMBOL_MEANINGS if (values == symbol).any()]
    return "; ".join(f"{symbol}: {SYMBOL_MEANINGS[symbol]}" for symbol in found) or None


def is_number(value) -> bool:
    """Whether a cell holds a number (not a bool, not missing)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and not pd.isna(value)


def table(frame: pd.DataFrame, export: str, label: str, *, scope: Scope | None = None,
          year: int | None = None, model: str | None = None, part: str | None = None,
          column_config: dict | None = None) -> None:
    """Show a table with a CSV download named for its content (see ``download_name``):
    ``export`` is its ``python -m data export`` table name, ``part`` what of that table is
    shown (e.g. "flagged"); scope, year and model as the table was cut."""
    if disclosure.uses_synthetic(frame):
        st.warning(disclosure.SYNTHETIC_LABEL, icon=":material/science:")
    st.dataframe(for_display(frame), hide_index=True, width="stretch",
                 column_config=column_settings(frame, column_config))
    name = download_name(export, scope, year, model, part)
    engine, viewer = cached.engine(), cached.viewer()
    st.download_button(f"Download {label} (CSV)",
                       lambda: recorded_csv(frame, export, name, engine, viewer),
                       file_name=name, mime="text/csv", key=f"download-{name}",
                       icon=":material/download:", on_click="ignore")


def recorded_csv(frame: pd.DataFrame, export: str, name: str, engine, viewer) -> bytes:
    """A download as it is made, added to the audit trail. Streamlit calls this (the
    button's lazy ``data``) on its own thread once per click, with no script run and no
    session state: so the engine and viewer are this run's, taken when the button was
    drawn, and the button is ``on_click="ignore"``: a download does not rerun the page
    (an ``on_click`` callback would record it too, but only with a rerun, and Streamlit
    cannot combine a callback with "ignore")."""
    data = csv_bytes(frame)
    audit.record(engine, viewer, "download", {"table": export, "file": name})
    return data


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table's download, made when it is asked for (not on every run of every page, for
    tables most readers never download): no formulas in it, and the synthetic label as
    its first line where it applies."""
    return disclosure.to_csv(neutralise(frame)).encode("utf-8")


def download_name(export: str, scope: Scope | None = None, year: int | None = None,
                  model: str | None = None, part: str | None = None) -> str:
    """A download's file name, unique per content so two downloads never overwrite each
    other: ``benchmarks-la-E06000053-2025-model-2021.csv``."""
    words = [export, part, scope and scope.kind, scope and scope.code,
             year and str(year), model and f"model-{model}"]
    return "-".join(slug(word) for word in words if word) + ".csv"


def slug(text: str) -> str:
    """Text safe in a file name: letters, digits and hyphens."""
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")


def for_display(frame: pd.DataFrame) -> pd.DataFrame:
    """The table as shown: text columns as text, with blanks (not 'None') where there is no
    value; count columns that hold a symbol ('c') beside numbers as text ('1,234', 'c'),
    as are number columns with gaps, formatted as ``column_settings`` formats the rest."""
    shown = {}
    for column in frame.columns:
        values = frame[column]
        if values.dtype == object:
            shown[column] = values.map(shown_text)
        elif (pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
              and values.isna().any()):
            spec = number_format(column, values)
            shown[column] = values.map(lambda v, spec=spec: "" if pd.isna(v) else format(v, spec))
    return frame.assign(**shown)


def shown_text(value) -> str:
    """A cell of a text column as shown: numbers with thousands separators, blanks for
    missing values, anything else as its text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "" if pd.isna(value) else f"{value:,.10g}"
    return "" if value is None or value is pd.NA else str(value)


def export_args(filters: Filters) -> str:
    """The scope arguments of the export command matching the current filters."""
    scope = filters.scope
    return "" if scope.kind == "england" else f" --scope {scope.kind} --code {scope.code}"
