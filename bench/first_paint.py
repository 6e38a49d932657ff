"""How long a fresh browser tab takes to show the Overview at England scope: from
navigation to the first chart drawn (a Vega-Lite SVG in the page: the Overview draws with
Vega-Lite, whose bundle the browser evaluates far faster than Plotly's). Target: <= 2.5 s on the
idle 2-core machine (issue "Meeting-room ready").

Usage: python bench/first_paint.py [RUNS] [BASE_URL]
Without BASE_URL it serves the app itself on a free loopback port from DATABASE_URL or
var/rcc.sqlite. One tab first fills the server's caches (the first visitor after a
restart pays for that; it is printed as "first visitor"). Then two figures at 1024x768:
a browser that has never opened the app (a new context: empty cache, so Streamlit's
JavaScript bundles are fetched and compiled), and a new tab in a browser that has opened it
before (the bundle comes from the browser's cache), as a trustee's laptop opening the
link for the second meeting would. Uses Debian's Chromium, never a downloaded browser.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, VEGA_SVG, free_port  # noqa: E402

#: The first chart drawn: Vega's SVG, its marks laid out, inside the page's first chart.
FIRST_CHART = VEGA_SVG
TARGET_SECONDS = 2.5
VIEWPORT = {"width": 1024, "height": 768}


@contextmanager
def served(base: str | None):
    """The app's address: ``base`` if given, else a server started here (stopped after)."""
    if base:
        yield base
        return
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port",
         str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(url)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def wait_for_health(url: str, seconds: float = 120) -> None:
    """Block until Streamlit's health endpoint answers."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5):
                return
        except OSError:
            time.sleep(0.25)
    raise SystemExit(f"The app at {url} did not start within {seconds:.0f} s.")


def first_chart_seconds(context, url: str) -> float:
    """Seconds from opening a new tab of ``context`` at ``url`` to the first chart drawn."""
    page = context.new_page()
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(FIRST_CHART, timeout=120_000)
    elapsed = time.perf_counter() - started
    page.close()
    return elapsed


def never_opened(browser, url: str) -> float:
    """The first chart's time in a browser that has never opened the app."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        return first_chart_seconds(context, url)
    finally:
        context.close()


def summary(times: list[float]) -> str:
    """Median and worst of some runs, in seconds."""
    return f"median {statistics.median(times):.2f} s, worst {max(times):.2f} s"


def main(runs: int, base: str | None) -> None:
    """Print the first visitor's time, then the median / worst of ``runs`` first visits
    and of ``runs`` new tabs in a browser that has opened the app before."""
    with served(base) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page_url = f"{url}/?scope=england"
        first = never_opened(browser, page_url)
        cold = [never_opened(browser, page_url) for _ in range(runs)]
        returning = browser.new_context(viewport=VIEWPORT)
        first_chart_seconds(returning, page_url)  # the earlier visit that fills the cache
        warm = [first_chart_seconds(returning, page_url) for _ in range(runs)]
        browser.close()
    print(f"Overview, England, at 1024x768, from opening the link to the first chart drawn "
          f"(target <= {TARGET_SECONDS} s):")
    print(f"  first visitor after a server restart: {first:.2f} s")
    print(f"  browser that has never opened the app: {summary(cold)} over {runs} runs")
    print(f"  new tab, browser that has opened it before: {summary(warm)} over {runs} runs")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5,
         sys.argv[2] if len(sys.argv) > 2 else None)
