"""``fit(..., run=...)``: which run a fit records into, and the callback that records it.

``fit_run(run)`` is a context manager around the training loop:

- ``run`` a str: a new ``Run`` of that name in the default store, started
  and finished by this fit;
- ``run`` a ``Run``: started by this fit when not started yet (then finished
  by it too); a run already open is left open for its owner to finish;
- ``run`` None: the ``current_run()`` when one is open (a ``with mn.Run``
  block, a sweep's trial), else nothing is recorded.

A fit that raises finishes the run it started as "failed" (Ctrl-C:
"interrupted"), with the error's text; the error propagates.

``RunRecorder`` is the callback fit appends last, so that it sees what the
other callbacks did in the same epoch (a checkpoint just written). It records:

- the parameters (``minnet.runs.fit_params``) when training begins;
- per step: ``loss`` (the batch loss), at ``step``; ``lr`` at the first step of
  each epoch (fit changes the lr only between epochs, so this is every change);
- per epoch: every key ``History`` records (``train_loss``, ``train_acc``,
  ``val_loss``, ``val_acc``, ``epoch_time``), at ``epoch``;
- the paths written by ``ModelCheckpoint`` callbacks, as checkpoints;
- at the end: the findings of every callback with a ``report()`` (a
  ``DoctorCallback``: minnet.diagnostics imports minnet.training, so it is
  recognised by its method, not imported here), and
  ``fit_time``, fit's wall time in seconds.
"""

import contextlib
import time

from minnet.callbacks import Callback, ModelCheckpoint
from minnet.errors import ConfigError
from minnet.runs.fit_params import fit_params
from minnet.runs.run import Run, current_run


@contextlib.contextmanager
def fit_run(run):
    """Yield the ``Run`` a fit records into (or None); finish it if this fit started it."""
    if run is None:
        yield current_run()
        return
    if isinstance(run, str):
        run = Run(run)
    elif not isinstance(run, Run):
        raise ConfigError(f"fit(): run must be a run name (str), an mn.Run or None, "
                          f"got {type(run).__name__}")
    if run.status is not None and run.status != "running":
        raise ConfigError(f"fit(): {run!r} is already {run.status}; give a new Run or a name")
    if run.status == "running":  # its owner finishes it
        yield run
        return
    with run:  # started here: finished, failed or interrupted as a `with mn.Run` block is
        yield run


class RunRecorder(Callback):
    """Record a ``fit`` into ``run`` (see the module docstring for what).

    Parameters
    ----------
    run : an open ``Run``
    settings : dict of fit's arguments, for ``fit_params`` (epochs, batch_size,
        shuffle, rng, X, y, X_val, y_val)
    callbacks : the fit's callback list, read for checkpoints and the doctor
    """

    def __init__(self, run, settings, callbacks):
        self.run = run
        self.settings = settings
        self.callbacks = callbacks
        self._saved = {}
        self._started = None

    def on_train_begin(self, state):
        self._started = time.perf_counter()
        self.run.log_params(fit_params(state, self.settings))
        self._saved = {id(c): c.last_saved for c in self._checkpoints()}

    def on_epoch_begin(self, epoch, logs):
        self.run.log_metric("lr", logs["lr"], step=self.state.step, epoch=epoch)

    def on_batch_end(self, step, logs):
        self.run.log_metric("loss", logs["loss"], step=step, epoch=logs["epoch"])

    def on_epoch_end(self, epoch, logs):
        for key, value in logs.items():
            if key != "lr":  # recorded at the epoch's first step
                self.run.log_metric(key, value, epoch=epoch)
        for checkpoint in self._checkpoints():
            if checkpoint.last_saved is not None \
                    and checkpoint.last_saved != self._saved.get(id(checkpoint)):
                self.run.log_checkpoint(checkpoint.last_saved)
                self._saved[id(checkpoint)] = checkpoint.last_saved

    def on_train_end(self, state):
        for callback in self.callbacks:
            if callable(getattr(callback, "report", None)):  # DoctorCallback and its kind
                self.run.log_findings(callback.report())
        self.run.log_metric("fit_time", time.perf_counter() - self._started)
        self.run.flush()

    def _checkpoints(self):
        return [c for c in self.callbacks if isinstance(c, ModelCheckpoint)]

    def __repr__(self):
        return f"RunRecorder({self.run!r})"
