"""The page a link to an address without a page opens (app.py registers it, hidden, at
that address): it says which address is unknown and links to every page. A near-miss
('/overview', '/Maps') goes straight to its page."""

from __future__ import annotations

import streamlit as st

from views import links

path = links.requested_path()
meant = links.page_at(path)
if meant:
    st.switch_page(meant)
st.title("Page not found")
st.warning(links.not_found_message(path), icon=":material/link_off:")
links.page_links()
