"""``python -m bench``: every benchmark in one run, one table of ratios (see ``bench.report``)."""

from bench.report import main

raise SystemExit(main())
