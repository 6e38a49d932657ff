"""RCC Insight: the Streamlit entry point. Navigation, the shared frame and the filters.

Who is looking is decided first on every run (views/signin.py: an identity provider,
local accounts, or a single-user analyst) and kept in ``st.session_state["viewer"]``; the
navigation lists only the pages they may use (views/frame.py PAGE_KINDS).

Filters (scope, RCC, region, LA, year) live in the sidebar and are mirrored into the
URL's query string on every run, so any view can be shared as a link and reopens the
same. A link with an unknown code or year opens England / the latest year instead,
with one warning line that says what was not recognised; a link to an address without
a page opens a page saying so, with links to every page (views/links.py).
"""

from __future__ import annotations

import os

# One BLAS thread, set before numpy loads when the app is started without the Makefile
# (``streamlit run app.py``): see the Makefile.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from pathlib import Path  # noqa: E402

import streamlit as st

import cached
from analysis.access import ANONYMOUS, AccessDenied, Viewer
from analysis.scope import KIND_LABELS, KINDS, Scope
from data.errors import StoreUnavailable
from views.frame import (DEFAULT_PAGE, PAGES, REFUSED_KEY, Filters, page_title, remember,
                         url_path, visible)
from views import links, signin, style

FILTER_KEYS = ("f_scope", "f_rcc", "f_region", "f_la", "f_year")
#: The link's parameters the filters own; any other (a page's own, e.g. Maps' ?view=) is kept.
FILTER_PARAMS = ("scope", "rcc", "region", "la", "year")
#: The page shown at the address of a page the viewer may not use.
REFUSED_PAGE = "views/refused_page.py"
#: The browser tab's icon, from the repo: a Material icon would be fetched from Google.
ICON = str(Path(__file__).resolve().parent / "static" / "icon.png")


def navigation(viewer: Viewer):
    """Pages grouped by section; only pages that work, and that ``viewer`` may use, are
    listed. A link to a page the viewer may not use opens, at its address, a page saying
    so (views/refused_page.py; the page itself never runs), rather than "page not found".
    A link to an address with no page gets a hidden page there that says so (else
    Streamlit would open the Overview behind a box that names neither the address nor
    the pages)."""
    sections = {
        section: [st.Page(path, title=title, icon=icon, default=(path == DEFAULT_PAGE),
                          url_path="" if path == DEFAULT_PAGE else url_path(path))
                  for path, title, icon in pages if visible(viewer, path)]
        for section, pages in PAGES.items()
    }
    closed = {url_path(path): path for pages in PAGES.values() for path, _, _ in pages
              if not visible(viewer, path)}
    hidden = [st.Page(REFUSED_PAGE, title=page_title(path), icon=":material/lock:",
                      url_path=address, visibility="hidden")
              for address, path in closed.items()]
    unknown = links.unknown_path()
    if unknown:
        hidden.append(st.Page(links.NOT_FOUND_PAGE, title="Page not found",
                              icon=":material/link_off:", url_path=unknown,
                              visibility="hidden"))
    page = st.navigation({section: pages for section, pages in {**sections, "": hidden}.items()
                          if pages})
    if page.url_path in closed:
        st.session_state[REFUSED_KEY] = closed[page.url_path]
    return page


def from_link(las, rccs, regions, years) -> list[str]:
    """Seed the filters from the URL once per session; return what the link asked for that
    is unknown (each value shortened), for one warning line."""
    params, ignored = st.query_params, []

    def pick(name: str, valid, what: str):
        value = params.get(name)
        if value is not None and value not in valid:
            ignored.append(f"{what} {links.shown(value)}")
            return None
        return value

    codes = {"rcc": "RCC", "region": "region code", "la": "LA code"}
    scope = pick("scope", KINDS, "scope") or "england"
    rcc = pick("rcc", set(rccs["id"]), codes["rcc"])
    region = pick("region", set(regions["code"]), codes["region"])
    la = pick("la", set(las["code"]), codes["la"])
    year_text = pick("year", {str(y) for y in years}, "year")
    if (scope, rcc, region, la) in {("rcc", None, region, la), ("region", rcc, None, la),
                                     ("la", rcc, region, None)}:
        if scope not in params:  # else its unknown code is listed already
            ignored.append(f"scope {links.shown(scope)} with no {codes[scope]}")
        scope = "england"
    if la:
        rcc = las.set_index("code").at[la, "rcc_id"]
    if rcc is not None and not (las["rcc_id"] == rcc).any():  # an RCC with no LAs yet
        ignored.append(f"RCC {links.shown(rcc)} with no LAs")
        scope, rcc = "england" if scope == "rcc" else scope, None
    first_rcc = las["rcc_id"].iloc[0]  # an RCC with LAs, whatever its name sorts as
    st.session_state.update(
        f_scope=scope, f_rcc=rcc or first_rcc, f_region=region or regions["code"].iloc[0],
        f_la=la or las.loc[las["rcc_id"] == (rcc or first_rcc), "code"].iloc[0],
        f_year=int(year_text) if year_text else years[-1])
    return ignored


def sidebar(las, rccs, regions, years) -> Filters:
    """The shared filters; returns what is chosen and writes it into the URL."""
    rcc_names = rccs.set_index("id")["name"]
    region_names = regions.set_index("code")["name"]
    la_names = las.set_index("code")["name"]
    with st.sidebar:
        st.header("Filters")
        scope = st.radio("Show", KINDS, format_func=KIND_LABELS.get, key="f_scope")
        if scope in ("rcc", "la"):
            st.selectbox("Regional Care Co-operative",  # those with LAs: a new one has none
                         [rcc for rcc in rcc_names.index if rcc in set(las["rcc_id"])],
                         format_func=rcc_names.get, key="f_rcc")
        if scope == "region":
            st.selectbox("Region", list(region_names.index), format_func=region_names.get,
                          key="f_region")
        if scope == "la":
            options = list(las.loc[las["rcc_id"] == st.session_state.f_rcc, "code"])
            if st.session_state.f_la not in options:
                st.session_state.f_la = options[0]
            st.selectbox("Local authority", options, format_func=la_names.get, key="f_la")
        year = st.selectbox("Year (children looked after at 31 March)", years[::-1],
                            key="f_year")
    code = {"rcc": st.session_state.f_rcc, "region": st.session_state.f_region,
            "la": st.session_state.f_la}.get(scope)
    chosen = Scope(scope, code)
    st.query_params.from_dict({**page_params(), "scope": scope, "year": str(year),
                               **({scope: code} if code else {})})
    return Filters(chosen, int(year), chosen.title(las, rccs, regions))


def page_params() -> dict[str, str]:
    """The link's parameters that are not filters: a page's own (Maps' ?view=) must
    survive the filters being written back, or a shared link would lose it."""
    return {key: st.query_params[key] for key in st.query_params if key not in FILTER_PARAMS}


def restore_hidden_filters() -> None:
    """Bring back filters whose widget was not drawn last run (Streamlit forgets those),
    e.g. the chosen RCC while the scope was Region."""
    for key in FILTER_KEYS:
        if key not in st.session_state and f"kept_{key}" in st.session_state:
            st.session_state[key] = st.session_state[f"kept_{key}"]


def apply_map_selection() -> None:
    """Choose the LA clicked on a map (the Maps page leaves it in ``pending_la``): set here,
    before the filters are drawn, as a drawn widget's value cannot change in that run."""
    code = st.session_state.pop("pending_la", None)
    if code is None:
        return
    las = cached.local_authorities().set_index("code")
    st.session_state.update(f_scope="la", f_la=code, f_rcc=las.at[code, "rcc_id"])


def keep_filters() -> None:
    """Remember this run's filter values outside the widgets' own state."""
    for key in FILTER_KEYS:
        if key in st.session_state:
            st.session_state[f"kept_{key}"] = st.session_state[key]


def main() -> None:
    """Set up the page, check the store, render the filters and run the chosen page."""
    st.set_page_config(page_title="RCC Insight", page_icon=ICON,
                       layout="wide", initial_sidebar_state="auto")
    style.apply()
    try:
        cached.store_ready()
    except StoreUnavailable as exc:
        navigation(ANONYMOUS)
        st.error(f"**The data store is not available.** {exc}")
        st.stop()
    viewer = st.session_state["viewer"] = signin.current_viewer(cached.engine())
    page = navigation(viewer)
    las, rccs, regions, years = (cached.local_authorities(), cached.rccs(), cached.regions(),
                                 cached.years())
    if "link_read" not in st.session_state:
        st.session_state.link_read = True
        st.session_state.link_ignored = from_link(las, rccs, regions, years)
    restore_hidden_filters()
    apply_map_selection()
    filters = remember(sidebar(las, rccs, regions, years))
    keep_filters()
    ignored = st.session_state.pop("link_ignored", [])
    if ignored:
        st.warning(links.link_warning(ignored, f"{filters.title}, {filters.year}"),
                   icon=":material/link_off:")
    try:
        page.run()
    except AccessDenied as refused:  # a part the viewer may not see: say why in its place
        st.info(str(refused), icon=":material/lock:")


main()
