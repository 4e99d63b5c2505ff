"""Callbacks: code that ``fit()`` calls at fixed points of the training loop.

A callback subclasses ``Callback`` and overrides the hooks it needs. ``fit``
calls them in this order::

    on_train_begin(state)
    for each epoch:  on_epoch_begin(epoch, logs)
        for each step:  on_batch_begin(step, logs) ... on_batch_end(step, logs)
        (validation)    on_epoch_end(epoch, logs)
    on_train_end(state)

``state`` is the ``TrainerState`` of the run (model, loss_fn, optimizer,
scheduler, history, ...); ``fit`` also sets it as ``callback.state`` before
``on_train_begin``, so every hook can reach the model and the optimizer.
Indices are 0-based: ``epoch`` counts epochs, ``step`` counts optimizer steps
over the whole run. Human-facing text (progress bar, stop reasons) counts from 1.

``on_epoch_begin`` logs: ``lr``. ``on_batch_begin`` logs: ``X_batch``,
``y_batch``, ``batch_size``, ``epoch``, ``batch`` (index within the epoch);
``on_batch_end`` gets the same dict plus ``loss`` (float) and ``output`` (the
model's output). There, gradients are still in ``param.grad`` (the optimizer
has stepped; the next step zeroes them). A step whose loss is not finite ends
the run before its backward pass, with no ``on_batch_end``. ``on_epoch_end``
logs: a copy of what ``History`` records
for that epoch (``train_loss``, ``train_acc``, ``val_loss``, ``val_acc``,
``lr``, ``epoch_time``; accuracy and validation keys only when defined).

Stopping: ``on_batch_end`` and ``on_epoch_end`` may return a truthy value to
stop training after the current step or epoch; a str return value is used as
the reason recorded in ``History.stopped_reason``.
"""

import math
import os
from dataclasses import dataclass

from minnet.checkpoint import save
from minnet.errors import ConfigError
from minnet.validation import check_choice, check_float, check_int


@dataclass
class TrainerState:
    """What a callback can see of a ``fit()`` run (read it, do not replace its fields)."""

    model: object
    loss_fn: object
    optimizer: object
    scheduler: object = None
    history: object = None
    epochs: int = 0
    steps_per_epoch: int = 0
    epoch: int = 0          # the current epoch (0-based)
    step: int = 0           # optimizer steps taken so far over the run
    stop_reason: str = None  # why the run stopped early (set before on_train_end)


class Callback:
    """Base class: every hook does nothing; override the ones you need."""

    state = None

    def on_train_begin(self, state):
        pass

    def on_epoch_begin(self, epoch, logs):
        pass

    def on_batch_begin(self, step, logs):
        pass

    def on_batch_end(self, step, logs):
        """Return a truthy value (a str: the reason) to stop after this step."""

    def on_epoch_end(self, epoch, logs):
        """Return a truthy value (a str: the reason) to stop after this epoch."""

    def on_train_end(self, state):
        pass

    def __repr__(self):
        return f"{type(self).__name__}()"


def _resolve_mode(owner, monitor, mode):
    """``"auto"`` watches accuracies for a maximum and everything else for a minimum."""
    check_choice(owner, "mode", mode, {"auto", "min", "max"})
    if mode == "auto":
        return "max" if "acc" in monitor else "min"
    return mode


def _monitored_value(owner, monitor, logs):
    if monitor not in logs:
        hint = ""
        if monitor.startswith("val_") and "val_loss" not in logs:
            hint = "; pass X_val and y_val to fit(), or monitor a train_ metric"
        elif "acc" in monitor:
            hint = ("; accuracy is recorded only for classification losses "
                    "(CrossEntropyLoss, BCEWithLogitsLoss)")
        raise ConfigError(
            f"{owner!r}: monitor={monitor!r} is not recorded in this run, the epoch logs "
            f"hold {sorted(logs)}{hint}"
        )
    return float(logs[monitor])


class _BestTracker:
    """Remembers the best value of a monitored metric (NaN never counts as best)."""

    def __init__(self, mode, min_delta):
        self.mode = mode
        self.min_delta = min_delta
        self.best = None
        self.best_epoch = None

    def improved(self, value):
        if math.isnan(value):
            return False
        if self.best is None:
            return True
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def update(self, value, epoch):
        self.best, self.best_epoch = value, epoch


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved for ``patience`` epochs.

    Parameters
    ----------
    monitor : str
        A key of the epoch logs: ``"val_loss"`` (default), ``"val_acc"``,
        ``"train_loss"``, ...
    patience : int >= 1
        Epochs without improvement tolerated before stopping.
    min_delta : float >= 0
        An improvement smaller than this does not count.
    mode : {"auto", "min", "max"}
        ``"auto"`` maximises metrics whose name contains "acc", minimises the rest.
    restore_best_weights : bool
        At the end of training, load the model weights of the best epoch.

    After training: ``best``, ``best_epoch`` (0-based) and ``stopped_epoch``
    (0-based, None when training ran to the end).
    """

    def __init__(self, monitor="val_loss", patience=5, min_delta=0.0, mode="auto",
                 restore_best_weights=True):
        self.monitor = monitor
        self.patience = check_int("EarlyStopping", "patience", patience, minimum=1)
        self.min_delta = check_float("EarlyStopping", "min_delta", min_delta, low=0.0)
        self.mode = _resolve_mode("EarlyStopping", monitor, mode)
        self.restore_best_weights = bool(restore_best_weights)
        self._reset()

    def _reset(self):
        self._tracker = _BestTracker(self.mode, self.min_delta)
        self.wait = 0
        self.stopped_epoch = None
        self.best_weights = None

    @property
    def best(self):
        return self._tracker.best

    @property
    def best_epoch(self):
        return self._tracker.best_epoch

    def on_train_begin(self, state):
        self._reset()

    def on_epoch_end(self, epoch, logs):
        value = _monitored_value(self, self.monitor, logs)
        if self._tracker.improved(value):
            self._tracker.update(value, epoch)
            self.wait = 0
            if self.restore_best_weights:
                self.best_weights = self.state.model.state_dict()
            return None
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            best = "none finite" if self.best is None else f"{self.best:.6g}"
            at = "" if self.best_epoch is None else f" at epoch {self.best_epoch + 1}"
            return (f"early stopping: {self.monitor} did not improve for {self.patience} "
                    f"epoch(s) (best {best}{at})")
        return None

    def on_train_end(self, state):
        if self.restore_best_weights and self.best_weights is not None:
            state.model.load_state_dict(self.best_weights)

    def __repr__(self):
        return (f"EarlyStopping(monitor={self.monitor!r}, patience={self.patience}, "
                f"min_delta={self.min_delta}, mode={self.mode!r}, "
                f"restore_best_weights={self.restore_best_weights})")


def optimizer_path(path):
    """Where ``ModelCheckpoint(save_optimizer=True)`` writes the optimizer's state.

    ``best.npz`` -> ``best.optimizer.npz``; ``best`` -> ``best.optimizer``.
    """
    root, extension = os.path.splitext(os.fspath(path))
    return f"{root}.optimizer{extension}"


class ModelCheckpoint(Callback):
    """Save the model (with ``minnet.checkpoint.save``) at the end of epochs.

    Parameters
    ----------
    path : str or os.PathLike
        Destination, used as given. It may hold format fields filled from the
        epoch (1-based) and the epoch logs: ``"ckpt-{epoch:03d}-{val_loss:.3f}.npz"``.
    monitor : str
        The metric that decides what "best" is (see ``EarlyStopping``).
    mode : {"auto", "min", "max"}
    save_best_only : bool
        True: write only when ``monitor`` improves (the file always holds the
        best epoch so far). False: write every epoch.
    save_optimizer : bool
        Also write the optimizer's state to ``optimizer_path(path)``
        (``best.npz`` -> ``best.optimizer.npz``), for resuming training.

    After training: ``best``, ``best_epoch`` (0-based), ``last_saved`` (the
    last path written, or None).
    """

    def __init__(self, path, monitor="val_loss", mode="auto", save_best_only=True,
                 save_optimizer=False):
        self.path = os.fspath(path)
        self.monitor = monitor
        self.mode = _resolve_mode("ModelCheckpoint", monitor, mode)
        self.save_best_only = bool(save_best_only)
        self.save_optimizer = bool(save_optimizer)
        self._tracker = _BestTracker(self.mode, 0.0)
        self.last_saved = None

    @property
    def best(self):
        return self._tracker.best

    @property
    def best_epoch(self):
        return self._tracker.best_epoch

    def on_train_begin(self, state):
        self._tracker = _BestTracker(self.mode, 0.0)
        self.last_saved = None

    def on_epoch_end(self, epoch, logs):
        if self.save_best_only or self.monitor in logs:
            value = _monitored_value(self, self.monitor, logs)
            improved = self._tracker.improved(value)
            if improved:
                self._tracker.update(value, epoch)
            if self.save_best_only and not improved:
                return None
        path = self._format_path(epoch, logs)
        save(self.state.model, path)
        if self.save_optimizer:
            save(self.state.optimizer, optimizer_path(path))
        self.last_saved = path
        return None

    def _format_path(self, epoch, logs):
        if "{" not in self.path:
            return self.path
        try:
            return self.path.format(epoch=epoch + 1, **logs)
        except (KeyError, IndexError, ValueError) as error:
            raise ConfigError(
                f"{self!r}: cannot fill in the path ({type(error).__name__}: {error}); the "
                f"fields available are epoch and {sorted(logs)}"
            ) from error

    def __repr__(self):
        return (f"ModelCheckpoint(path={self.path!r}, monitor={self.monitor!r}, "
                f"mode={self.mode!r}, save_best_only={self.save_best_only}, "
                f"save_optimizer={self.save_optimizer})")


class ProgressBar(Callback):
    """fit()'s tqdm bar over all steps, showing the running epoch loss (internal).

    tqdm is imported when training starts, so importing minnet stays light.
    """

    def __init__(self, file=None):
        self.file = file
        self._bar = None
        self._loss_sum = 0.0
        self._count = 0

    def on_train_begin(self, state):
        from tqdm import tqdm

        self._bar = tqdm(total=state.epochs * state.steps_per_epoch, file=self.file,
                         unit="step", dynamic_ncols=True, leave=True)

    def on_epoch_begin(self, epoch, logs):
        self._loss_sum, self._count = 0.0, 0
        self._bar.set_description(f"epoch {epoch + 1}/{self.state.epochs}", refresh=False)

    def on_batch_end(self, step, logs):
        self._loss_sum += logs["loss"] * logs["batch_size"]
        self._count += logs["batch_size"]
        self._bar.set_postfix(loss=f"{self._loss_sum / self._count:.4g}", refresh=False)
        self._bar.update(1)

    def on_epoch_end(self, epoch, logs):
        shown = {key: f"{logs[key]:.4g}" for key in
                 ("train_loss", "train_acc", "val_loss", "val_acc") if key in logs}
        self._bar.set_postfix(shown, refresh=True)

    def on_train_end(self, state):
        if self._bar is not None:
            self._bar.close()
            self._bar = None
