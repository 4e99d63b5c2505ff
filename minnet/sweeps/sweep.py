"""``mn.sweep``: every setting of a grid, times the seeds, each trial a run in the store.

    def train(params, seed):
        ...                                       # build, fit, evaluate
        return {"val_loss": val_loss}             # the final metrics

    result = mn.sweep(train, {"lr": [1e-3, 1e-2, 1e-1]}, seeds=range(5), n_jobs=2)

Each trial runs inside ``Run(name, params={**params, "seed": seed},
sweep=SWEEP_ID, trial=KEY)``: it is the current run while ``train`` runs
(``current_run().log_metric(...)`` and ``fit`` record into it) and its
returned metrics are logged when it ends. The runs of one sweep share the
sweep's id, so ``RunStore.list_runs(sweep=result.sweep)`` finds them.
"""

import os
import uuid

from minnet.errors import ConfigError
from minnet.runs.store import RunStore, default_store_path
from minnet.sweeps.backends import check_backend, run_tasks
from minnet.sweeps.grid import check_grid, expand_grid
from minnet.sweeps.result import SweepResult
from minnet.sweeps.trial import Trial, run_trial


def _store_path(store):
    """The store as an absolute path: workers open the file themselves."""
    if isinstance(store, RunStore):
        return os.path.abspath(store.path)
    return os.path.abspath(os.fspath(store) if store is not None else default_store_path())


def sweep(train_fn, grid, seeds=(0,), n_jobs=1, backend="joblib", scheduler=None, store=None,
          name=None):
    """Run ``train_fn(params, seed)`` for every grid setting and seed; a ``SweepResult``.

    Parameters
    ----------
    train_fn : callable(params: dict, seed: int) -> dict of str -> float (or one float,
        recorded as "metric"); picklable (a module-level function) for "joblib" and "dask"
    grid : dict of str -> list, each parameter's values (their Cartesian product is swept)
    seeds : iterable of non-negative int, each setting is trained once per seed
    n_jobs : int, worker processes for "joblib" (-1: one per core), workers of a "local" cluster
    backend : "joblib" (processes on this machine), "dask" (needs ``scheduler``) or "serial"
    scheduler : for "dask": a scheduler's address, a ``distributed.Client``, or "local"
    store : a ``RunStore``, a path, or None for ``default_store_path()``; with "dask" on
        several machines the file must be on a file system every worker sees
    name : str, the runs' name (default: the function's name)

    A trial that raises is recorded as a failed run and reported in the result;
    the other trials go on. A worker that dies costs a re-run of the trials it
    held, on Dask and on joblib (the store keeps one run per trial). Run one
    trial per process (Dask workers
    with ``--nthreads 1``): minnet's default random generator is per process.
    """
    if not callable(train_fn):
        raise ConfigError(f"sweep: train_fn must be a function train_fn(params, seed), got "
                          f"{train_fn!r}")
    check_backend(backend, scheduler)
    grid = check_grid(grid)
    trials_to_run = expand_grid(grid, seeds)
    name = str(name) if name is not None else getattr(train_fn, "__name__", "sweep")
    sweep_id = f"{name}-{uuid.uuid4().hex[:12]}"
    path = _store_path(store)
    RunStore(path).close()  # create the file (and its schema) once, before workers race to
    tasks = [Trial(train_fn, params, seed, path, sweep_id, name)
             for params, seed in trials_to_run]
    results = run_tasks(run_trial, tasks, backend=backend, n_jobs=n_jobs, scheduler=scheduler)
    return SweepResult(sweep_id, path, results, grid)
