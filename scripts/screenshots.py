"""Full-page screenshots of every page at England, RCC and LA scope, for looking at.

Usage: python scripts/screenshots.py [BASE_URL]  (default http://localhost:8501)
Drives Debian's Chromium through Playwright (never a downloaded browser) and writes
PNGs to tests/artifacts/.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update"]
OUT = Path(__file__).resolve().parent.parent / "tests" / "artifacts"
PAGES = ["", "maps", "accountability", "data_methods"]
#: The Maps page's views, each shot separately (one is drawn at a time).
MAP_VIEWS = ["LA map", "Children's homes", "Placed out of area (published)",
             "Where children are placed (case level)"]
SCOPES = {"england": "scope=england", "rcc": "scope=rcc&rcc=greater-manchester",
          "region": "scope=region&region=E12000009",
          "la": "scope=la&la=E06000063&year=2024"}


def fit_to_content(page) -> None:
    """Grow the viewport to the page's height: Streamlit scrolls inside its main area,
    so Playwright's full_page alone captures only the first screen."""
    height = page.evaluate(
        "() => document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight || 900")
    page.set_viewport_size({"width": 1440, "height": min(int(height) + 50, 12000)})
    page.wait_for_timeout(800)


def shoot(page, name: Path) -> None:
    """Save the whole page as a PNG and say where."""
    fit_to_content(page)
    page.screenshot(path=str(name), full_page=True)
    print(name)


def main(base: str) -> None:
    """Visit each page at each scope and save a full-page PNG."""
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        for path in PAGES:
            for scope, query in SCOPES.items():
                page.set_viewport_size({"width": 1440, "height": 900})
                page.goto(f"{base}/{path}?{query}")
                page.wait_for_selector("h1", timeout=30_000)
                page.wait_for_timeout(2500)
                for view in MAP_VIEWS if path == "maps" else [None]:
                    if view:
                        page.set_viewport_size({"width": 1440, "height": 900})
                        page.get_by_text(view, exact=True).click()
                        page.wait_for_timeout(4000)
                    suffix = f"-{MAP_VIEWS.index(view) + 1}" if view else ""
                    shoot(page, OUT / f"{path or 'overview'}-{scope}{suffix}.png")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://localhost:8501")
