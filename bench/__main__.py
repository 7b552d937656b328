"""python -m bench: every performance figure in one table (see bench/run.py)."""

from bench.run import main

raise SystemExit(main())
