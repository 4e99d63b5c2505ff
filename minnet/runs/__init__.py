"""Runs that are remembered: the experiment store (SQLite) and ``Run``.

``minnet.runs.store`` holds the file and its schema, ``minnet.runs.run`` the
``Run`` that records one training into it. ``fit(..., run="name")`` and
``minnet.sweep`` build on these; ``minnet runs ...`` reads them back.
"""

from minnet.runs.run import Run, current_run
from minnet.runs.store import RunRecord, RunStore, StoreError, default_store_path

__all__ = ["Run", "RunRecord", "RunStore", "StoreError", "current_run", "default_store_path"]
