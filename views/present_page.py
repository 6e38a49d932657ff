"""Presentation: the board's story for the sidebar's scope and year, one large chart per
screen with its takeaway in one sentence, for a 1024x768 projector.

The presenter moves on with the Right and Left arrow keys (or the buttons); the slide's
number is in the link (``?slide=3``), so a link opens the deck where it was left. Slides the
viewer may not see are left out of the deck; a slide with nothing to draw says so in one
line. The sidebar stays (the presenter may collapse it with its arrow for more room).
"""

from __future__ import annotations

from html import escape

import streamlit as st

import cached
from analysis.access import AccessDenied
from analysis.disclosure import SYNTHETIC_LABEL
from views import frame, slides

#: Less chrome above the slide, and the slide's words at projector sizes. Drawn by this
#: page only, so the other pages keep the app's own sizes.
CSS = """
<style>
[data-testid="stMainBlockContainer"] { padding-top: 1.5rem; padding-bottom: 1rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 18px !important; font-weight: 600;
  padding: 0; line-height: 1.3; }
[data-testid="stMarkdownContainer"] p.slide-title {
  font-size: 32px !important; font-weight: 700; line-height: 1.15; margin: 0 0 0.3rem; }
[data-testid="stMarkdownContainer"] p.slide-takeaway {
  font-size: 24px !important; line-height: 1.3; margin: 0 0 0.4rem; }
[data-testid="stMarkdownContainer"] div.slide-number {
  font-size: 22px !important; text-align: center; white-space: nowrap; }
[data-testid="stMarkdownContainer"] p.slide-source { font-size: 15px !important; color: #444; }
</style>
"""


def slide_number(count: int) -> int:
    """The slide the link asks for (``?slide=N``, 1 to ``count``), else the first."""
    try:
        number = int(st.query_params.get("slide", "1"))
    except ValueError:
        number = 1
    return min(max(number, 1), count)


def go_to(number: int) -> None:
    """Open slide ``number`` (a button's callback: the link changes before the rerun)."""
    st.query_params["slide"] = str(number)


def navigation(title: str, number: int, count: int) -> None:
    """The page's title (small: the slide's own title is the large one), Previous,
    'n of N', Next: the arrow keys press Previous and Next."""
    name, back, where, forward = st.columns([3, 2.4, 1.4, 2.4], vertical_alignment="center")
    name.title(f"Presentation: {title}", anchor=False)
    back.button("Previous", icon=":material/arrow_back:", shortcut="left",
                disabled=number == 1, on_click=go_to, args=(number - 1,), width="stretch",
                key="present_previous")
    where.markdown(f'<div class="slide-number">{number} of {count}</div>',
                   unsafe_allow_html=True)
    forward.button("Next", icon=":material/arrow_forward:", shortcut="right",
                   disabled=number == count, on_click=go_to, args=(number + 1,),
                   width="stretch", key="present_next")


def show(slide: slides.Slide) -> None:
    """The slide: its title, the takeaway, the chart filling the width, the source."""
    st.markdown(f'<p class="slide-title">{escape(slide.title, quote=False)}</p>'
                f'<p class="slide-takeaway">{escape(slide.takeaway, quote=False)}</p>',
                unsafe_allow_html=True)
    if slide.synthetic:
        st.warning(SYNTHETIC_LABEL, icon=":material/science:")
    if isinstance(slide.chart, dict):
        st.vega_lite_chart(slide.chart, width="stretch", alt=slide.description)
    elif slide.chart is not None:
        st.plotly_chart(slide.chart, width="stretch", alt=slide.description,
                        config={"displaylogo": False, "displayModeBar": False})
    if slide.source:
        st.markdown(f'<p class="slide-source">{escape(slide.source, quote=False)}</p>',
                    unsafe_allow_html=True)


def main() -> None:
    """Work out the viewer's deck, read the slide from the link, draw it."""
    st.html(CSS)
    filters = frame.current()
    deck = slides.visible(cached.viewer(), filters)
    number = slide_number(len(deck))
    st.query_params["slide"] = str(number)
    navigation(filters.title, number, len(deck))
    try:
        show(deck[number - 1].build(filters))
    except AccessDenied as refused:
        st.info(str(refused), icon=":material/lock:")
    leave, how = st.columns([1, 3], vertical_alignment="center")
    leave.page_link(frame.DEFAULT_PAGE, label="Leave presentation", icon=":material/close:")
    how.caption(f"31 March {filters.year}. The Right and Left arrow keys move between "
                "slides; collapse the sidebar for more room.")


main()
