"""Links into the app: the page address a link asked for, and what to say when a link
names a page or a filter value the app does not have.

Streamlit opens the Overview, behind a generic "Page not found" box, for any address it
has no page for. So app.py reads the address the session was opened with and, when it
names no page, registers a hidden page at that address (views/not_found_page.py): the
reader sees which address is unknown and the pages there are, and the address stays as
typed. Values echoed back are shortened and shown as code, as a link is anyone's text.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

import streamlit as st

import cached
from views.frame import DEFAULT_PAGE, PAGES, url_path, visible

#: The page shown for an address with no page behind it.
NOT_FOUND_PAGE = "views/not_found_page.py"
#: The longest value echoed back from a link (a link can carry thousands of characters).
LONGEST = 40


def shown(value: str, longest: int = LONGEST) -> str:
    """A link's value as it may be shown: on one line, at most ``longest`` characters (the
    rest replaced by "…"), as inline code, so that nothing in it (a link, an address, bold,
    an icon) is read as Markdown: a code span is the one place Markdown takes text as is."""
    flat = " ".join(str(value).split())
    if len(flat) > longest:
        flat = flat[:longest - 1] + "…"
    if not flat:
        return "(empty)"
    fence = "`" * (max(map(len, re.findall(r"`+", flat)), default=0) + 1)
    pad = " " if flat[0] == "`" or flat[-1] == "`" else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def path_of(url: str | None) -> str:
    """The page part of an app URL ('forecasts' for https://host/forecasts?x=1), without
    the server's base path; '' for the app's root."""
    if not url:
        return ""
    path = unquote(urlsplit(url).path).strip("/")
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    if base and (path == base or path.startswith(f"{base}/")):
        path = path[len(base):].strip("/")
    return path


def requested_path() -> str:
    """The page address this session was opened with. Read on the session's first run,
    where ``st.context.url`` is the address as typed (later runs rewrite it from the
    pages), and kept for the session: a typed address opens a new session."""
    if "requested_path" not in st.session_state:
        st.session_state.requested_path = path_of(st.context.url)
    return st.session_state.requested_path


def served_paths() -> set[str]:
    """The addresses the navigation serves a page at (the default page at the root)."""
    return {"" if path == DEFAULT_PAGE else url_path(path)
            for pages in PAGES.values() for path, _, _ in pages}


def unknown_path() -> str | None:
    """The address asked for when no page is served there, if a page can be put there
    (one path segment, as st.Page keeps it: it trims spaces, so ' maps' would clash with
    'maps'); else None, and Streamlit's own 'Page not found' box is the fallback."""
    path = requested_path()
    holdable = path and "/" not in path and path == path.strip()
    return path if holdable and path not in served_paths() else None


def page_at(path: str) -> str | None:
    """The page a near-miss address means ('/overview', '/Maps'), or None: the default
    page is served at the root, so its own name is no address Streamlit knows. A page the
    viewer may not use is not offered (it is not registered under its own file then)."""
    viewer = cached.viewer()
    for pages in PAGES.values():
        for page, _, _ in pages:
            if url_path(page).lower() == path.lower() and visible(viewer, page):
                return page
    return None


def not_found_message(path: str) -> str:
    """One sentence for an address without a page."""
    return f"There is no page called {shown(path)} in RCC Insight. The pages are:"


def page_links() -> None:
    """A link to every page the viewer may use, as in the sidebar's navigation."""
    viewer = cached.viewer()
    for pages in PAGES.values():
        for path, title, icon in pages:
            if visible(viewer, path):
                st.page_link(path, label=title, icon=icon)


def link_warning(ignored: list[str], showing: str) -> str:
    """The one line a link with unrecognised values gets: every value ignored, then what
    is shown instead."""
    return f"Ignored from this link: {', '.join(ignored)}. Showing {showing}."


def view_from_link(views: dict[str, str], default: str) -> str:
    """The view a link asks for (``?view=homes``): one of ``views`` (the link's value ->
    the name the page shows); an unknown one gets the link-warning line and ``default``."""
    asked = st.query_params.get("view")
    if asked is None or asked in views:
        return asked or default
    st.warning(link_warning([f"view {shown(asked)}"], f"the {views[default]}"),
               icon=":material/link_off:")
    return default


def chosen_view(views: dict[str, str], default: str, key: str) -> str:
    """The view a page shows, one at a time (a radio row, which wraps on a narrow screen,
    where tabs would hide their last labels): the link's the first time the page runs in a
    session, then the reader's choice; written into the link on every run, so the address
    shares it."""
    if key not in st.session_state:
        st.session_state[key] = views[view_from_link(views, default)]
    name = st.radio("Show", list(views.values()), horizontal=True, key=key,
                    label_visibility="collapsed")
    view = next(value for value, title in views.items() if title == name)
    st.query_params["view"] = view
    return view
