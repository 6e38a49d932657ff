"""The app's look in a meeting room: one small style sheet, applied once per run by app.py.

Trustees read the app on a 1024x768 projector and on phones, so headline numbers must fit
their cards, headings must wrap rather than run out of their box, and a chart's toolbar
must not sit on its title; a table's toolbar download, which would skip the audit trail,
is hidden; code in a caption keeps WCAG 2.2 AA contrast. Streamlit has no setting for
these, so they are CSS here (and only here): Streamlit's own test ids (``stMetricValue``,
``stMainBlockContainer``, ``stCaptionContainer``) and plotly's and
Vega's class names (``modebar-container``, ``gtitle``, ``role-title-text``) are what it
targets.
"""

from __future__ import annotations

import streamlit as st

#: Width (px) below which the sidebar starts closed and the small-screen rules apply.
NARROW = 640
#: The sidebar's width (px) where it starts open: narrower than Streamlit's default, so
#: three headline cards fit beside it on a 1024 px projector.
SIDEBAR_WIDTH = 256

CSS = f"""
<style>
/* Less empty band above the page title (Streamlit leaves ~6rem for its header). */
[data-testid="stMainBlockContainer"] {{ padding-top: 3rem; padding-bottom: 3rem; }}
/* Words wrap whole, never mid-word ("Children'/s homes"). */
[data-testid="stMain"] h1, [data-testid="stMain"] h2, [data-testid="stMain"] h3,
[data-testid="stMetricLabel"], [data-testid="stMarkdownContainer"] p {{
  overflow-wrap: normal; word-break: normal; hyphens: manual;
}}
/* Captions: Streamlit fades the whole caption to 60% opacity, which fades inline code too
   (a command in a caption) below WCAG 2.2 AA contrast on its own background. The same 60%
   as a colour fades the words alone; code keeps its own colour. */
[data-testid="stCaptionContainer"] {{
  opacity: 1; color: color-mix(in srgb, currentColor 60%, transparent);
}}
/* Date fields: each part (day, month, year) a 24-pixel touch target (WCAG 2.2 target size). */
[data-testid="stDateInput"] [role="spinbutton"] {{
  display: inline-block; min-width: 24px; min-height: 24px; line-height: 24px;
  text-align: center;
}}
/* A table's own "Download as CSV" (its toolbar) is made in the browser: unlabelled as
   synthetic, not neutralised, not in the audit trail. Each table's "Download ... (CSV)"
   button below it (views/frame.table) is the one way to download it. */
[data-testid="stBaseButton-elementToolbar"][aria-label="Download as CSV"] {{
  display: none !important;
}}
/* Headline numbers: large, but never cut to "8…". */
[data-testid="stMetricValue"] {{ font-size: 2.25rem; line-height: 1.2; }}
[data-testid="stMetricValue"] > div {{ overflow: visible; text-overflow: clip; }}
@media (max-width: 1100px) {{
  [data-testid="stMetricValue"] {{ font-size: 2rem; }}
  h1 {{ font-size: 2.2rem !important; }}
}}
@media (max-width: {NARROW}px) {{
  [data-testid="stMainBlockContainer"] {{ padding: 2.5rem 0.75rem 2rem; }}
  h1 {{ font-size: 1.6rem !important; }}
  h2 {{ font-size: 1.35rem !important; }}
  h3 {{ font-size: 1.15rem !important; }}
  /* A chart's toolbar would cover its title on a phone: its tools need a mouse anyway. */
  .js-plotly-plot .modebar-container {{ display: none !important; }}
  /* Titles are wrapped for a projector's width; smaller type keeps them inside a phone's. */
  .js-plotly-plot .gtitle {{ font-size: 13px !important; }}
  .js-plotly-plot .annotation-text {{ font-size: 10px !important; }}
  .js-plotly-plot .xtitle, .js-plotly-plot .ytitle {{ font-size: 12px !important; }}
  [data-testid="stVegaLiteChart"] .role-title-text text {{ font-size: 13px; }}
  [data-testid="stVegaLiteChart"] .role-title-subtitle text {{ font-size: 10px; }}
  [data-testid="stVegaLiteChart"] .role-axis-title text {{ font-size: 12px; }}
}}
</style>
"""


def apply() -> None:
    """Style this run's page and narrow the sidebar where it starts open. A width keeps
    app.py's "auto": the sidebar starts closed on a phone, where it would cover the page
    (a later "expanded" or "auto" would not close it, so app.py must say "auto")."""
    st.set_page_config(initial_sidebar_state=SIDEBAR_WIDTH)
    st.html(CSS)  # style only: Streamlit puts it out of the flow, taking no space
