"""Shown in place of a page the viewer may not use, when a link leads there (app.py
registers it, hidden, at that page's address): the page's name, who it is closed to and
why, and links to the pages that are open to them. Nothing of the page itself runs."""

from __future__ import annotations

import streamlit as st

import cached
from views import frame, links

page = st.session_state[frame.REFUSED_KEY]
st.title(frame.page_title(page))
st.warning(frame.page_refusal(cached.viewer(), page), icon=":material/lock:")
st.write("The pages open to you:")
links.page_links()
