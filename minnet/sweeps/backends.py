"""Where a sweep's tasks run: in this process, in joblib's worker processes, or on Dask.

``run_tasks(function, tasks, backend, n_jobs, scheduler)`` returns
``[function(task) for task in tasks]``, in the tasks' order, whichever
backend computes them. ``minnet.sweep`` and ``minnet exercise check-all``
both use it: one engine for trials and for grading.

- "serial": in this process, one after the other (tests, debugging, pdb).
- "joblib": joblib's default backend, loky: ``n_jobs`` worker processes on
  this machine, reused between calls. A worker that dies (killed, out of
  memory) breaks loky's pool; the tasks whose results had not come back run
  again in a new pool, up to ``RETRIES`` times, as Dask re-runs a dead
  worker's tasks. The results that came back are kept.
- "dask": a ``distributed.Client`` to ``scheduler``: an address such as
  ``tcp://host:8786``, a ``Client`` or a cluster object, or "local" for a
  ``LocalCluster`` of ``n_jobs`` single-threaded worker processes that is
  started here and closed at the end.
"""

import contextlib
import os

from minnet.errors import ConfigError

BACKENDS = ("serial", "joblib", "dask")
CONNECT_TIMEOUT = "20s"  # how long to wait for a Dask scheduler that does not answer
RETRIES = 3  # new pools after dead joblib workers (Dask's allowed_failures is 3 too)


def check_backend(backend, scheduler):
    """ConfigError unless the backend is known and a scheduler is given exactly for "dask"."""
    if backend not in BACKENDS:
        raise ConfigError(f"sweep: backend must be one of {', '.join(BACKENDS)}, "
                          f"got {backend!r}")
    if backend == "dask" and scheduler is None:
        raise ConfigError("sweep: backend='dask' needs scheduler=: a scheduler's address "
                          "(tcp://host:8786), a distributed.Client, or 'local' for a "
                          "LocalCluster on this machine")
    if backend != "dask" and scheduler is not None:
        raise ConfigError(f"sweep: scheduler={scheduler!r} is for backend='dask', but "
                          f"backend={backend!r}; pass backend='dask'")


def run_tasks(function, tasks, backend="joblib", n_jobs=1, scheduler=None):
    """``[function(task) for task in tasks]`` computed on ``backend``.

    Parameters
    ----------
    function : a picklable callable of one argument (a module-level function)
    tasks : list of picklable arguments
    backend : "serial", "joblib" or "dask"
    n_jobs : int, joblib's worker processes (-1: one per core); the size of a "local" cluster
    scheduler : for "dask": an address, a ``distributed.Client``, a cluster, or "local"
    """
    check_backend(backend, scheduler)
    tasks = list(tasks)
    if backend == "serial" or not tasks:
        return [function(task) for task in tasks]
    if backend == "joblib":
        return _run_on_joblib(function, tasks, n_jobs)
    with dask_client(scheduler, n_jobs) as client:
        # client.map rather than joblib's Dask backend: one Dask task per trial, so a worker
        # that dies costs the scheduler a re-run of only the trials it held (joblib batches
        # several tasks into one), and a trial's failure surfaces as that trial's error.
        # pure=False: two equal tasks are still two runs, never one shared result.
        futures = client.map(function, tasks, pure=False)
        try:
            return client.gather(futures)
        finally:
            client.cancel(futures)


def _run_on_joblib(function, tasks, n_jobs):
    """``run_tasks`` on joblib: results as they come back, the missing ones again after a
    worker died (a task that kills every worker it runs on fails after ``RETRIES``)."""
    from joblib import Parallel, delayed
    from joblib.externals.loky.process_executor import TerminatedWorkerError

    results = {}
    for attempt in range(RETRIES + 1):
        missing = [index for index in range(len(tasks)) if index not in results]
        # unordered: every result that came back before a worker died is kept
        parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
        try:
            for index, result in parallel(delayed(_indexed)(function, index, tasks[index])
                                          for index in missing):
                results[index] = result
            break
        except TerminatedWorkerError as error:
            if attempt == RETRIES:
                lost = [index for index in range(len(tasks)) if index not in results]
                raise ConfigError(f"joblib's worker processes died {RETRIES + 1} times; "
                                  f"tasks {lost} never finished (is one of them killing its "
                                  f"process, or running out of memory?): {error}") from error
    return [results[index] for index in range(len(tasks))]


def _indexed(function, index, task):
    """``(index, function(task))``: unordered results find their task again."""
    return index, function(task)


@contextlib.contextmanager
def dask_client(scheduler, n_jobs=1):
    """A ``distributed.Client`` for ``scheduler``; what this opens, it closes on exit."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as error:
        raise ConfigError('the Dask backend needs the distributed package: pip install '
                          '"minnet[dask]"') from error
    if isinstance(scheduler, Client):
        yield scheduler
        return
    if scheduler == "local":
        workers = n_jobs if n_jobs is not None and n_jobs >= 1 else (os.cpu_count() or 1)
        # dashboard_address=None: no web server (it needs bokeh, and a port)
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            yield client
        return
    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT)
    except OSError as error:
        raise ConfigError(f"cannot reach the Dask scheduler at {scheduler!r} ({error}); "
                          f"start one with `dask scheduler` and `dask worker ADDRESS`, "
                          f"or pass --scheduler local") from error
    with client:
        yield client
