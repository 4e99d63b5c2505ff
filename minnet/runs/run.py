"""``Run``: one training recorded into the store, around ``fit`` or a hand-written loop.

    with mn.Run("lr-1e-3", params={"lr": 1e-3}) as run:
        for step in range(steps):
            ...
            run.log_metric("loss", loss, step=step)

The run is created in status "running" when the block starts and finished
when it ends: "finished", "failed" when the block raised (the exception's
text is kept, the exception propagates) or "interrupted" on Ctrl-C. Metrics
are buffered and written in one transaction per ``FLUSH_SECONDS`` (one commit
per step would cost more than a small model's step); a process killed
mid-run loses at most that last second, and its run stays readable, shown as
"unfinished".

While a run is open it is the *current run* (``current_run()``): ``fit()``
without ``run=`` records into it, which is how a sweep's trial function gets
its metrics recorded without passing the run around.
"""

import contextvars
import time

from minnet.runs.store import RunStore

FLUSH_SECONDS = 1.0

_CURRENT = contextvars.ContextVar("minnet_current_run", default=None)


def current_run():
    """The innermost open ``Run`` of this thread (or task), or None."""
    return _CURRENT.get()


class Run:
    """A run in the store, open from ``start()`` (or ``with``) to ``finish()``.

    Parameters
    ----------
    name : str, shown by ``minnet runs list``
    params : dict or None, parameters to record at the start (more with ``log_params``)
    store : a ``RunStore``, a path, or None for ``default_store_path()``
    sweep, trial : a sweep's id and the trial's key (set by ``minnet.sweep``)
    """

    def __init__(self, name, params=None, store=None, sweep=None, trial=None):
        self.name = str(name)
        self._initial_params = dict(params or {})
        self._owns_store = not isinstance(store, RunStore)
        self._store_arg = store
        self.store = None
        self.id = None
        self.status = None
        self._sweep, self._trial = sweep, trial
        self._pending = []
        self._last_flush = 0.0
        self._token = None

    # --- lifetime ----------------------------------------------------------------

    def start(self):
        """Create the run in the store (status "running"); return self."""
        if self.id is not None:
            raise RuntimeError(f"Run {self.name!r} was already started (id {self.id})")
        self.store = self._store_arg if not self._owns_store else RunStore(self._store_arg)
        self.id = self.store.create_run(self.name, self._initial_params, self._sweep, self._trial)
        self.status = "running"
        self._last_flush = time.monotonic()
        self._token = _CURRENT.set(self)
        return self

    def finish(self, status="finished", error=None):
        """Write what is buffered and mark the run ended; closing twice does nothing."""
        if self.status != "running":
            return
        try:
            self.flush()
            self.store.finish_run(self.id, status, error)
            self.status = status
        finally:
            if self._token is not None:
                try:
                    _CURRENT.reset(self._token)
                except ValueError:  # finished in another context than it started
                    pass
                self._token = None
            if self._owns_store:
                self.store.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, kind, error, traceback):
        if kind is None:
            self.finish("finished")
        elif issubclass(kind, KeyboardInterrupt):
            self.finish("interrupted", "KeyboardInterrupt")
        else:
            self.finish("failed", f"{kind.__name__}: {error}")
        return False

    # --- recording ---------------------------------------------------------------

    def _check_open(self, what):
        if self.status != "running":
            state = "not started" if self.id is None else f"already {self.status}"
            raise RuntimeError(f"Run {self.name!r}.{what}: the run is {state}")

    def log_params(self, params):
        """Record parameters (a dict of JSON-able values; objects are stored as their repr)."""
        self._check_open("log_params")
        self.store.log_params(self.id, params)

    def log_metric(self, key, value, step=None, epoch=None):
        """Record one value of metric ``key`` at a step and/or epoch (buffered)."""
        self._check_open("log_metric")
        self._pending.append((key, value, step, epoch, time.time()))
        if time.monotonic() - self._last_flush >= FLUSH_SECONDS:
            self.flush()

    def log_metrics(self, values, step=None, epoch=None):
        """``log_metric`` for each item of a dict."""
        for key, value in values.items():
            self.log_metric(key, value, step=step, epoch=epoch)

    def log_findings(self, report):
        """Record a doctor's ``Report`` (its findings) or a list of findings."""
        self._check_open("log_findings")
        findings = getattr(report, "findings", report)
        self.store.log_findings(self.id, list(findings))

    def log_checkpoint(self, path):
        """Record the path of a checkpoint the run wrote."""
        self._check_open("log_checkpoint")
        self.store.log_artifact(self.id, path, "checkpoint")

    def flush(self):
        """Write the buffered metrics now."""
        if self._pending:
            rows, self._pending = self._pending, []
            self.store.log_metrics(self.id, rows)
        self._last_flush = time.monotonic()

    def __repr__(self):
        return f"Run({self.name!r}, id={self.id}, status={self.status})"
