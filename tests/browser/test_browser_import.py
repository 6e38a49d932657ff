"""The SSDA903 upload on Data & methods, in a real browser: a valid file pair imports and
an invalid one is refused with its report (and nothing written)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import app_idle, full_screenshot, no_exception, open_page
from tests.test_import import csv_bytes, episodes_frame, header_frame


def upload(page, app_url: str, tmp_path, header: bytes, episodes: bytes) -> None:
    """Open Data & methods, choose Manchester and 2025, attach the two files, press Import."""
    open_page(page, f"{app_url}/data_methods?scope=england", "Data & methods")
    (tmp_path / "header.csv").write_bytes(header)
    (tmp_path / "episodes.csv").write_bytes(episodes)
    form = page.get_by_test_id("stForm").filter(has_text="Imported by")
    choice = form.get_by_role("combobox", name="Local authority")
    choice.click()
    choice.fill("Manchester")  # the list is long and virtualised: type to narrow it
    page.get_by_role("option", name="Manchester", exact=True).click()
    expect(choice).to_have_value("Manchester")
    form.locator('input[type="file"]').set_input_files(
        [str(tmp_path / "header.csv"), str(tmp_path / "episodes.csv")])
    expect(form.get_by_text("header.csv", exact=True)).to_be_visible()
    expect(form.get_by_text("episodes.csv", exact=True)).to_be_visible()
    form.get_by_label("Imported by").fill("Data lead, Manchester")
    form.get_by_role("button", name="Import").click()  # waits while files still upload


def test_valid_903_upload_imports(page, app_url, tmp_path):
    """A clean Header and Episodes pair imports and the summary says so."""
    upload(page, app_url, tmp_path, csv_bytes(header_frame()), csv_bytes(episodes_frame()))
    expect(page.get_by_test_id("stAlertContentSuccess").first).to_be_visible()
    app_idle(page)
    no_exception(page)
    full_screenshot(page, "browser-import-valid")


def test_invalid_903_upload_is_refused_with_a_report(page, app_url, tmp_path):
    """A bad placement code is refused: the page says nothing was written."""
    episodes = episodes_frame()
    episodes.loc[0, "PLACE"] = "Q9"
    upload(page, app_url, tmp_path, csv_bytes(header_frame()), csv_bytes(episodes))
    expect(page.get_by_text("Nothing was written").first).to_be_visible()
    no_exception(page)
    full_screenshot(page, "browser-import-invalid")
