"""Command line: ``python -m data build | export TABLE``."""

from data.cli import main

raise SystemExit(main())
