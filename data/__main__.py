"""Command line: ``python -m data build | export TABLE``."""

import os

# One BLAS thread, set before numpy loads: see the Makefile.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from data.cli import main  # noqa: E402

raise SystemExit(main())
