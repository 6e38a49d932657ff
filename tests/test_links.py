"""Links into the app: an address without a page says so and links every page; a link's
unrecognised values give one warning line, with long values shortened."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from views.frame import PAGES

APP = str(Path(__file__).resolve().parents[1] / "app.py")
NOT_FOUND = "views/not_found_page.py"
TITLES = [title for pages in PAGES.values() for _, title, _ in pages]
TIMEOUT = 60


def opened_at(address: str, params: dict | None = None) -> AppTest:
    """The app's first run in a browser tab opened at ``address`` (path and query)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.context["url"] = f"http://localhost:8501/{address}"
    at.query_params.update(params or {})
    return at.run()


def page_at(address: str) -> AppTest:
    """The page Streamlit runs for ``address``. AppTest does not route by address, so this
    switches to the page app.py registered there; it fails if none was registered."""
    at = opened_at(address)
    return at.switch_page(NOT_FOUND).run()


@pytest.mark.parametrize("address", ["nonsense", "Board%20papers", "x" * 5000])
def test_unknown_address_says_so_and_links_every_page(app_store, address):
    at = page_at(address)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Page not found"
    [warning] = at.warning
    shown = address.replace("%20", " ")
    assert f"no page called `{shown[:39]}" in warning.value
    assert len(warning.value) < 120, "a long address is shortened"
    assert [link.value for link in at.page_link] == TITLES


def test_the_board_pack_address_opens_its_page(app_store):
    """/board_pack was once a planned page's address; it now opens the built page."""
    at = opened_at("board_pack").switch_page("views/board_pack_page.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Board pack"
    assert not [w for w in at.warning if "no page called" in w.value]


def test_a_page_name_in_another_case_opens_that_page(app_store):
    """'/overview' (the Overview lives at the root) and '/Maps' open their pages."""
    assert page_at("overview").title[0].value.startswith("Overview")
    assert page_at("Maps").title[0].value.startswith("Maps")


@pytest.mark.parametrize("address", ["%20maps", "%20", "maps%20", "a/b"])
def test_addresses_no_page_can_hold_still_open_the_app(app_store, address):
    """An address st.Page would trim into another page's (or into nothing) is left to
    Streamlit's own fallback: the Overview, never an error."""
    at = opened_at(address)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value.startswith("Overview")


def test_a_real_page_registers_no_other(app_store):
    """A link to a page that exists gets that page, and no 'not found' page beside it."""
    at = opened_at("data_methods")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(NOT_FOUND)


def test_one_warning_for_a_link_with_several_bad_values(app_store):
    at = opened_at("", {"scope": "la", "la": "E99999999", "rcc": "atlantis", "year": "2031"})
    assert not at.exception
    [warning] = at.warning
    for words in ("LA code `E99999999`", "RCC `atlantis`", "year `2031`", "Showing England"):
        assert words in warning.value, warning.value
    assert "\n" not in warning.value


def test_a_scope_without_its_code_is_named_once(app_store):
    at = opened_at("", {"scope": "rcc"})
    [warning] = at.warning
    assert "scope `rcc` with no RCC" in warning.value, warning.value


def test_a_long_link_value_is_shortened(app_store):
    """A 5,000-character value is not echoed: at most 40 characters of it, then '…'."""
    at = opened_at("", {"scope": "rcc", "rcc": "x" * 5000})
    [warning] = at.warning
    assert "x" * 40 not in warning.value and "x" * 39 + "…" in warning.value
    assert len(warning.value) < 120, warning.value


def test_link_values_cannot_add_markdown(app_store):
    """A value is shown as typed, as inline code: Markdown in it (a link, an icon, a
    backtick closing the code early) is not read as Markdown."""
    at = opened_at("", {"rcc": "[click](https://e.uk):red[x]", "la": "`a`"})
    [warning] = at.warning
    assert "RCC `[click](https://e.uk):red[x]`" in warning.value
    assert "LA code `` `a` ``" in warning.value


def test_a_pages_own_link_parameter_survives_the_filters(app_store):
    """The filters are written back into the link; a page's own parameter (Maps' view)
    stays beside them, so a shared link to a view reopens it."""
    at = opened_at("", {"scope": "rcc", "rcc": "greater-manchester", "view": "homes"})
    assert dict(at.query_params) == {"scope": "rcc", "rcc": "greater-manchester",
                                     "year": "2025", "view": "homes"}
