"""Linting at scale: directories and databases (paths.py), worker batches (batch.py), process pools
(pool.py) and Dask (dask.py).

Everything streams: paths come from a lazy directory walk, frames from ``io.iter_frames``
(or a paged ASE database reader), and parallel work goes out in a bounded window of
batches whose results come back in input order. Memory therefore stays flat in the
number of files and frames (only findings are kept, and only by the report formats
that need them all: json, sarif, --statistics).
"""


class IncompleteRun(RuntimeError):
    """The workers (a Dask cluster, a local process pool) stopped before every file was linted:
    the results so far are partial. ``str(err)`` says why."""
