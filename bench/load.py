"""Load: 20 concurrent browser sessions switching between pages; p50 / p95 time to render.

Usage: python bench/load.py [SESSIONS] [ROUNDS]   (defaults 20 and 3; prints figures)

Serves the app on a free loopback port from a fresh store, opens SESSIONS browser
contexts in Debian's Chromium one after another (each visits every page once, to warm
up), then has all sessions at the same time switch through the pages (Overview, Maps,
Accountability: whichever exist) ROUNDS times via the sidebar navigation. A page counts
as rendered when its heading shows, Streamlit's run indicator has gone and its charts
are drawn. Bounded: at most 5 minutes.
Goal: p95 <= 1 s warm.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.async_api import async_playwright  # noqa: E402

from data.build import build  # noqa: E402
from tests.browser.conftest import (  # noqa: E402
    CHROMIUM, CHROMIUM_ARGS, free_port, navigation, wait_until_healthy)

WANTED = ("Overview", "Maps", "Accountability")
CHARTS = {"Overview": 2, "Accountability": 1, "Maps": 0}
LIMIT_SECONDS = 300
RENDERED = """([title, charts]) => {
  const h1 = document.querySelector('h1');
  return h1 && h1.innerText.startsWith(title)
    && !document.querySelector('[data-testid="stStatusWidget"]')
    && document.querySelectorAll('.js-plotly-plot').length >= charts;
}"""


async def switch(page, title: str) -> float:
    """Click a page in the navigation; seconds until it has rendered."""
    started = time.perf_counter()
    await page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).click()
    await page.wait_for_timeout(50)
    await page.wait_for_function(RENDERED, arg=[title, CHARTS.get(title, 0)], timeout=60_000)
    return time.perf_counter() - started


async def open_session(browser, base: str, titles: list[str]):
    """One visitor arrives: open the app and visit each page once (warm-up)."""
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    await page.goto(f"{base}/?scope=england", timeout=120_000)
    await page.wait_for_function(RENDERED, arg=["Overview", 2], timeout=120_000)
    for title in titles[1:] + titles[:1]:
        await switch(page, title)
    return page


async def measure(page, titles: list[str], rounds: int) -> list[float]:
    """One visitor switches through the pages ``rounds`` times."""
    return [await switch(page, title) for _ in range(rounds)
            for title in titles[1:] + titles[:1]]


async def run(base: str, sessions: int, rounds: int) -> list[float]:
    """Open the sessions one after another, then switch pages in all of them at once."""
    titles = [title for title, _ in navigation() if title in WANTED]
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM,
                                                   args=CHROMIUM_ARGS)
        pages = [await open_session(browser, base, titles) for _ in range(sessions)]
        results = await asyncio.wait_for(
            asyncio.gather(*(measure(page, titles, rounds) for page in pages)), LIMIT_SECONDS)
        await browser.close()
    return [t for timings in results for t in timings]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main(sessions: int, rounds: int) -> None:
    """Serve the app, load it, print p50 / p95."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{os.path.join(folder, 'load.sqlite')}"
        build(url, progress=False)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port",
             str(port), "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=ROOT, env={**os.environ, "DATABASE_URL": url},
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_healthy(base, server)
            started, server_cpu = time.perf_counter(), cpu_seconds(server.pid)
            timings = asyncio.run(run(base, sessions, rounds))
            elapsed = time.perf_counter() - started
            server_cpu = cpu_seconds(server.pid) - server_cpu
        finally:
            server.terminate()
            server.wait(timeout=20)
    cuts = statistics.quantiles(timings, n=100)
    print(f"{sessions} concurrent sessions x {rounds} rounds: {len(timings)} page switches "
          f"in {elapsed:.0f} s")
    print(f"CPU: the app server used {server_cpu:.0f} s of the {elapsed * os.cpu_count():.0f} "
          f"core-seconds available; the browsers and the load driver used most of the rest")
    print(f"time to rendered page: p50 {statistics.median(timings) * 1000:.0f} ms, "
          f"p95 {cuts[94] * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms "
          "(goal p95 <= 1000 ms warm)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20, int(sys.argv[2]) if len(sys.argv) > 2
         else 3)
