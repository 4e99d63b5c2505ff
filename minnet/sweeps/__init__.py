"""Sweeps: a grid of parameters times seeds, each trial a run in the store.

``minnet.sweeps.sweep`` holds ``mn.sweep``; ``grid`` the expansion and the
command line's syntax; ``trial`` what a worker runs; ``backends`` where it
runs (serial, joblib, Dask); ``result`` and ``plot`` what comes back.
"""

from minnet.sweeps.grid import expand_grid, trial_key
from minnet.sweeps.result import SweepResult
from minnet.sweeps.sweep import sweep
from minnet.sweeps.trial import FileFunction, TrialResult

__all__ = ["FileFunction", "SweepResult", "TrialResult", "expand_grid", "sweep", "trial_key"]
