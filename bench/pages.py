"""Server-side run time of every page at England scope via AppTest, and the size of each
map sent to the browser. Targets: warm <= 300 ms (Maps: <= 1 s); each map <= 2 MB.

Usage: python bench/pages.py [RUNS] [PAGE...]   (uses DATABASE_URL or var/rcc.sqlite; prints
figures; PAGE: only pages whose file name holds it, e.g. ``rccs`` for All RCCs)
"Warm" means Streamlit's caches are already filled by an earlier run in this process,
as they are for every visitor after the first.
"""

from __future__ import annotations

import logging
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
logging.getLogger("streamlit").setLevel(logging.ERROR)

from streamlit.testing.v1 import AppTest  # noqa: E402

from views.frame import PAGES as APP_PAGES  # noqa: E402
import cached  # noqa: E402

#: Pages shown one part at a time: page -> (the radio's key, the parts other than the
#: first). Each Maps view draws its own map and each Costs part its own tables, so each is
#: timed.
VIEWS = {"views/maps_page.py": ("map_view", ["Children's homes",
                                             "Placed out of area (published)",
                                             "Where children are placed (case level)"]),
         "views/costs_page.py": ("costs_view", ["A week of care", "Fees and the cap",
                                                "How fees vary", "Price that is not need",
                                                "Spend ahead"])}
#: (page, the view chosen or None)
PAGES = [(path, view) for pages in APP_PAGES.values() for path, _, _ in pages
         for view in [None, *VIEWS.get(path, ("", []))[1]]]


def run_page(page: str, view: str | None) -> tuple[float, list[int]]:
    """Milliseconds for the server-side run of ``page`` (and its ``view``) at England scope
    as a link opens it, and the bytes of each map (streamlit-folium component) it sends."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update(scope="england")
    if page != PAGES[0][0]:
        at.run()
        at.switch_page(page)
    if view:
        at.run()
        at.radio(key=VIEWS[page][0]).set_value(view)
    started = time.perf_counter()
    at.run()
    elapsed = (time.perf_counter() - started) * 1000
    if at.exception:
        raise SystemExit(f"{page} raised: {at.exception[0].value}")
    return elapsed, [len(element.proto.json_args) for element in at.get("component_instance")]


def main(runs: int, only: list[str]) -> None:
    """Print cold and warm (median of ``runs``) times per page (those naming one of
    ``only``, if given)."""
    print(f"{'page':50} {'cold ms':>8} {'warm median ms':>15} {'maps sent, KB':>14}"
          "  (targets: warm <= 300 ms, Maps <= 1,000 ms; each map <= 2,048 KB)")
    for page, view in PAGES:
        if only and not any(word in page for word in only):
            continue
        cached.clear()
        cold, _ = run_page(page, view)
        warm = [run_page(page, view) for _ in range(runs)]
        sizes = ", ".join(f"{size / 1024:,.0f}" for size in warm[-1][1]) or "-"
        name = f"{page}: {view}" if view else page
        print(f"{name:50} {cold:8.0f} {statistics.median(t for t, _ in warm):15.0f} "
              f"{sizes:>14}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5, sys.argv[2:])
