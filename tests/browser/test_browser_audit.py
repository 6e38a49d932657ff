"""A table downloaded in a real browser is in the audit trail: Streamlit makes the file on
the click (the button's lazy data, no rerun), and that is when the row is added."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import no_exception, open_page


def download(page, button) -> tuple[str, str]:
    """Click a download ``button``: (file name, the file's text)."""
    with page.expect_download() as started:
        button.click()
    return started.value.suggested_filename, Path(started.value.path()).read_text()


def test_a_download_is_in_the_audit_trail(page, app_url):
    open_page(page, f"{app_url}/data_methods?scope=england", "Data & methods")
    first = page.get_by_role("button", name="(CSV)").first
    expect(first).to_be_visible()
    downloaded, _ = download(page, first)
    open_page(page, f"{app_url}/audit?scope=england", "Audit trail")
    name, trail = download(page, page.get_by_role("button", name="Download audit trail (CSV)"))
    assert name == "audit.csv"
    assert f'""file"": ""{downloaded}""' in trail, trail[:500]
    assert "single-user analyst" in trail
    no_exception(page)
