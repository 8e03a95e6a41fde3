"""`python -m structcheck.cli`: the same as the `structcheck` command."""

from . import main

raise SystemExit(main())
