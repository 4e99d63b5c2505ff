"""One trial of a sweep, as a worker runs it: a ``Run`` in the store around ``train_fn``.

A ``Trial`` is what travels to the worker (a picklable description: the
function, the parameters, the seed, the store's path, the sweep's id);
``run_trial(trial)`` runs it there and sends back a ``TrialResult``. A trial
whose function raises is recorded as a failed run and comes back with status
"failed" and the error's text: the sweep goes on.

``FileFunction("train.py", "train")`` stands for a function defined in a
file: it pickles as the file's path and imports the file in the worker, so
the command line's FILE.py need not be an importable module.
"""

import os
import time
from dataclasses import dataclass, field
from numbers import Real

from minnet.errors import ConfigError
from minnet.random import seed as seed_minnet
from minnet.runs.run import Run
from minnet.sweeps.grid import trial_key
from minnet.user_files import import_user_file


@dataclass(frozen=True)
class Trial:
    """A trial to run: ``function(params, seed)`` recorded into ``store`` (a file path)."""

    function: object
    params: dict
    seed: int
    store: str
    sweep: str
    name: str

    @property
    def key(self):
        return trial_key(self.params, self.seed)


@dataclass
class TrialResult:
    """What a trial gave: its run's id, status ("finished" or "failed"), final metrics
    (``{str: float}``, empty when failed), the error's text, and its wall time in seconds."""

    params: dict
    seed: int
    run_id: int
    status: str
    metrics: dict = field(default_factory=dict)
    error: str = None
    seconds: float = 0.0


def final_metrics(value):
    """``train_fn``'s return value as ``{str: float}``: a plain number is ``{"metric": value}``."""
    if isinstance(value, Real) and not isinstance(value, bool):
        return {"metric": float(value)}
    if isinstance(value, dict) and value and all(
            isinstance(k, str) and isinstance(v, Real) and not isinstance(v, bool)
            for k, v in value.items()):
        return {key: float(number) for key, number in value.items()}
    raise ConfigError(f"sweep: train_fn(params, seed) must return its final metrics as a "
                      f"dict {{name: number}} or a number, got {value!r}")


def run_trial(trial):
    """Run one trial inside ``Run(...)`` and return its ``TrialResult`` (never raises but for
    Ctrl-C: an exception of the trial's function is recorded as a failed run)."""
    run = Run(trial.name, params={**trial.params, "seed": trial.seed}, store=trial.store,
              sweep=trial.sweep, trial=trial.key)
    started = time.perf_counter()
    metrics, error = {}, None
    try:
        with run:
            # A worker process runs many trials: seed minnet's default generator for each
            # one, so that a trial's result does not depend on the trials run before it.
            seed_minnet(trial.seed)
            metrics = final_metrics(trial.function(dict(trial.params), trial.seed))
            run.log_metrics(metrics)
    except Exception as raised:  # recorded by Run.__exit__ as "failed"; the sweep goes on
        if run.id is None:  # the store could not be opened: every trial would fail alike
            raise
        error = f"{type(raised).__name__}: {raised}"
        metrics = {}
    return TrialResult(trial.params, trial.seed, run.id, run.status, metrics, error,
                       time.perf_counter() - started)


class FileFunction:
    """A function ``name`` defined in the Python file ``path``, imported where it is called.

    Pickling sends only the path and the name, so joblib's and Dask's workers
    import the file themselves (on another machine: from a shared file system).
    """

    def __init__(self, path, name):
        self.path, self.name = os.path.abspath(path), name
        self._function = None

    def load(self):
        """Import the file (once per process) and return its function; ConfigError when the
        file does not define a callable ``name``."""
        if self._function is None:
            module = _import_file(self.path)
            function = getattr(module, self.name, None)
            if not callable(function):
                raise ConfigError(f"{self.path} defines no {self.name}() function; it must "
                                  f"define {self.name}(params, seed) returning its final "
                                  f"metrics (a dict of numbers, or a number)")
            self._function = function
        return self._function

    def __call__(self, params, seed):
        return self.load()(params, seed)

    def __getstate__(self):
        return {"path": self.path, "name": self.name}

    def __setstate__(self, state):
        self.path, self.name, self._function = state["path"], state["name"], None

    def __repr__(self):
        return f"FileFunction({self.path!r}, {self.name!r})"


_IMPORTED = {}


def _import_file(path):
    """The module of ``path``, imported once per process."""
    if path not in _IMPORTED:
        _IMPORTED[path] = import_user_file(path, "minnet_sweep_")
    return _IMPORTED[path]
