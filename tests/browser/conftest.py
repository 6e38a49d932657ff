"""Browser fixtures: the app served on a free loopback port, and Debian's Chromium.

The app runs against a store of its own (the key-flow test writes to the register).
Chromium comes from Debian's `chromium` package, driven by Playwright; no browser is
ever downloaded. Without /usr/bin/chromium these tests skip, unless
RCC_BROWSER_REQUIRED=1 (set by `make test` and CI), when they fail instead.

Tests never sleep: each waits for the state it checks with Playwright's auto-waiting
``expect`` (or an action's own waiting), with generous timeouts, so a busy machine makes
them slower, not wrong. `make test-browser-loaded` runs them beside a CPU hog to prove it.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import expect

from analysis.scope import KIND_LABELS
from views.frame import DEFAULT_PAGE, PAGES, url_path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update"]
#: Greater Manchester RCC's ten LAs, given a synthetic cohort in the browser's store.
GREATER_MANCHESTER = [f"E080000{n:02d}" for n in range(1, 11)]
SCOPES = {"england": "scope=england", "rcc": "scope=rcc&rcc=greater-manchester",
          "la": "scope=la&la=E06000009"}
#: How long any one expectation or action may wait (ms): long, as a loaded 2-core machine
#: can take tens of seconds to draw a page; a test only waits this long when it fails.
TIMEOUT = int(os.environ.get("RCC_BROWSER_TIMEOUT_MS", "120000"))
expect.set_options(timeout=TIMEOUT)
#: Any one of the sidebar's scope options, as a label reads.
ANY_SCOPE = re.compile("^(" + "|".join(map(re.escape, KIND_LABELS.values())) + ")$")


def navigation() -> list[tuple[str, str]]:
    """(title, URL path) of every page in the app's navigation ("" for the default page)."""
    pages = [page for group in PAGES.values() for page in group]
    return [(title, "" if path == DEFAULT_PAGE else url_path(path))
            for path, title, _ in pages]


def free_port() -> int:
    """A port nothing is listening on, on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(base: str, process: subprocess.Popen, log: Path,
                       seconds: float = 180) -> None:
    """Block until Streamlit's health endpoint answers, or fail with its output."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=5) as reply:
                if reply.status == 200:
                    return
        except OSError:
            pass
        try:
            process.wait(timeout=0.5)  # the pause between tries; ends early if it exits
        except subprocess.TimeoutExpired:
            continue
        raise RuntimeError(f"streamlit exited: {log.read_text()[-2000:]}")
    raise RuntimeError(f"streamlit did not become healthy in time: {log.read_text()[-2000:]}")


def refresh_some_forecasts(engine) -> None:
    """Stored forecasts for the Forecasts and Homes needed pages to draw: every case-level
    series of Greater Manchester's synthetic cohort, and the published series of its LAs,
    Blackpool (the LA the pages are opened at), the RCCs and England (not every LA and
    region: the published fits are tested elsewhere, and each costs set-up time)."""
    from data import forecast_series, forecast_store

    whole = forecast_series.annual_series

    def fewer(store):
        series = whole(store)
        return series[series["level"].isin(["rcc", "england"])
                      | series["area_code"].isin([*GREATER_MANCHESTER, "E06000009"])]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(forecast_series, "annual_series", fewer)
        patch.setattr(forecast_series, "tiers", lambda store: pd.DataFrame())
        forecast_store.refresh_store(engine)


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    """The app, served from a fresh store (with a synthetic cohort for Greater Manchester)
    on a free loopback port for this session. Its output goes to a file (a pipe nobody
    reads would block the server once full)."""
    from data import synth
    from data.build import build
    from data.store import make_engine

    folder = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{folder / 'rcc.sqlite'}"
    build(url, progress=False)
    engine = make_engine(url)
    synth.run(engine, 42, las=GREATER_MANCHESTER)  # case-level panels have data to draw
    refresh_some_forecasts(engine)
    engine.dispose()
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url}
    log = folder / "streamlit.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, process, log)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium under Playwright, shared by the session."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("RCC_BROWSER_REQUIRED") == "1":
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                              timeout=TIMEOUT)
        yield launched
        launched.close()


#: A meeting room's wide screen, where pages open unless a test says otherwise.
WIDE = {"width": 1440, "height": 900}


def new_page(browser, viewport: dict = WIDE):
    """A page in a fresh browser context at a screen size (a meeting room's unless
    given), whose actions (click, fill, goto) wait as long as expectations do."""
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(TIMEOUT)
    context.set_default_navigation_timeout(TIMEOUT)
    return context.new_page()


@pytest.fixture
def page(browser):
    """A fresh browser context and page for the test."""
    opened = new_page(browser)
    yield opened
    opened.context.close()


# --- what the tests look at, and waiting for the app -----------------------------------------

def heading(page):
    """The page's heading (its st.title)."""
    return page.locator("h1").first


def sidebar(page):
    return page.get_by_test_id("stSidebar")


def chosen_scope(page):
    """The sidebar's checked scope option (its label)."""
    return sidebar(page).locator("label:has(input[type=radio]:checked)")


def filters(page):
    """The sidebar's selectboxes (RCC, region, LA, year: those the scope shows)."""
    return sidebar(page).get_by_test_id("stSelectbox")


def app_idle(page) -> None:
    """Wait until Streamlit says no script run is in progress. Only meaningful once the
    state a click leads to has been seen (just after a click the rerun may not have begun),
    so tests first expect what they changed, then this before reading the rest."""
    expect(page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state",
                                                         "notRunning")


def no_exception(page) -> None:
    expect(page.get_by_test_id("stException")).to_have_count(0)


def open_page(page, url: str, title: str | re.Pattern | None = None) -> None:
    """Go to a URL and wait until Streamlit has drawn it: the heading (``title``, if
    given: text or pattern), the sidebar's filters, and the end of the script run."""
    page.goto(url)
    if title is None:
        expect(heading(page)).to_be_visible()
    else:
        expect(heading(page)).to_have_text(title)
    expect(chosen_scope(page)).to_have_text(ANY_SCOPE)
    app_idle(page)


#: Charts each page must draw at least (pages not named need none): Plotly's, and the
#: Overview's Vega-Lite ones (their SVG, drawn once the chart has laid itself out).
PLOTLY_CHARTS = {"Accountability": 1, "Costs": 1}
VEGA_CHARTS = {"Overview": 2, "Forecasts": 1}
VEGA_SVG = '[data-testid="stVegaLiteChart"] svg.marks'
#: Leaflet maps each page must draw (each in streamlit-folium's iframe).
LEAFLET_MAPS = {"Maps": 1}


def at_least(page, selector: str, expected: int) -> None:
    """Wait until at least ``expected`` elements match."""
    if expected:
        expect(page.locator(selector).nth(expected - 1)).to_be_attached()


def charts_drawn(page, title: str) -> None:
    """Wait for the page's charts and maps, which draw after the script run ends."""
    at_least(page, ".js-plotly-plot", PLOTLY_CHARTS.get(title, 0))
    at_least(page, VEGA_SVG, VEGA_CHARTS.get(title, 0))
    at_least(page, 'iframe[title="streamlit_folium.st_folium"]', LEAFLET_MAPS.get(title, 0))


def full_screenshot(page, name: str) -> Path:
    """A full-length PNG: Streamlit scrolls inside its main area, so grow the viewport."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    app_idle(page)
    height = page.evaluate(
        "() => document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight || 900")
    page.set_viewport_size({**WIDE, "height": min(int(height) + 50, 16000)})
    next_frames(page)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(WIDE)
    next_frames(page)
    return path


def next_frames(page) -> None:
    """Wait until the browser has laid out and painted twice (after a resize)."""
    page.evaluate("() => new Promise(done => requestAnimationFrame("
                  "() => requestAnimationFrame(done)))")
