"""ReduceLROnPlateau: cut the lr when a monitored metric stops improving."""

import math
import numbers

import numpy as np

from minnet.errors import ConfigError
from minnet.optim.schedules import LRScheduler
from minnet.validation import check_choice, check_float, check_int

# PyTorch's default: a reduction smaller than this is not applied.
_MIN_CHANGE = 1e-8


class ReduceLROnPlateau(LRScheduler):
    """Multiply the lr by ``factor`` after more than ``patience`` epochs without improvement.

    ``step(metric)`` takes the monitored value, usually the validation loss,
    once per epoch. PyTorch's semantics with ``threshold_mode="rel"`` and
    ``cooldown=0``: in mode ``"min"`` a metric improves on the best so far
    when ``metric < best * (1 - threshold)`` (``"max"``: ``metric > best *
    (1 + threshold)``); otherwise the epoch is bad. When the count of bad
    epochs in a row exceeds ``patience``, the lr becomes
    ``max(lr * factor, min_lr)`` and the count restarts at 0. So with
    ``patience=2`` the lr drops at the 3rd bad epoch in a row, not before.

    Parameters
    ----------
    optimizer : Optimizer
    factor : float
        In (0, 1).
    patience : int
        >= 0 bad epochs tolerated.
    mode : {"min", "max"}
        ``"min"`` for a loss, ``"max"`` for an accuracy.
    threshold : float
        >= 0, the relative improvement that counts.
    min_lr : float
        >= 0, the floor.

    Unlike the other schedules it multiplies the CURRENT lr, so an lr set by
    hand is respected, and it cannot be the ``after`` of a LinearWarmup.
    """

    hyperparameter_names = ("factor", "patience", "mode", "threshold", "min_lr")
    closed_form = False

    def __init__(self, optimizer, factor=0.1, patience=10, mode="min", threshold=1e-4,
                 min_lr=0.0):
        super().__init__(optimizer)
        self._assign(self._check_hyperparameters(factor, patience, mode, threshold, min_lr))
        self.best = math.inf if self.mode == "min" else -math.inf
        self.num_bad_epochs = 0

    @classmethod
    def _check_hyperparameters(cls, factor, patience, mode, threshold, min_lr):
        name = "ReduceLROnPlateau"
        return {
            "factor": check_float(name, "factor", factor, low=0.0, high=1.0,
                                  low_open=True, high_open=True),
            "patience": check_int(name, "patience", patience, minimum=0),
            "mode": check_choice(name, "mode", mode, ("min", "max")),
            "threshold": check_float(name, "threshold", threshold, low=0.0),
            "min_lr": check_float(name, "min_lr", min_lr, low=0.0),
        }

    def _is_better(self, metric):
        if self.mode == "min":
            return metric < self.best * (1 - self.threshold)
        return metric > self.best * (1 + self.threshold)

    def step(self, metric=None):
        """Record this epoch's ``metric``; reduce the lr after too many bad epochs.

        Parameters
        ----------
        metric : float
            The monitored value (a NaN counts as a bad epoch, as in PyTorch).
        """
        if metric is None:
            raise ConfigError(
                "ReduceLROnPlateau.step: needs the monitored metric, e.g. "
                "scheduler.step(val_loss), got no argument"
            )
        if np.ndim(metric) != 0 or not isinstance(np.asarray(metric).item(), numbers.Real):
            raise ConfigError(
                f"ReduceLROnPlateau.step: expected the metric as a float (e.g. the "
                f"validation loss), got {metric!r}"
            )
        metric = float(np.asarray(metric).item())
        self.last_epoch += 1
        if self._is_better(metric):
            self.best = metric
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.num_bad_epochs > self.patience:
            old_lr = self.optimizer.lr
            new_lr = max(old_lr * self.factor, self.min_lr)
            if old_lr - new_lr > _MIN_CHANGE:
                self.optimizer._set_scheduled_lr(new_lr)
            self.num_bad_epochs = 0
        self._last_lr = self.optimizer.lr

    # --- saving ------------------------------------------------------------

    def _counters(self):
        return {"best": np.array(self.best), "num_bad_epochs": np.array(self.num_bad_epochs),
                "last_epoch": np.array(self.last_epoch), "last_lr": np.array(self._last_lr)}

    def _check_counters(self, values):
        name = type(self).__name__
        best = values["best"]
        if isinstance(best, bool) or not isinstance(best, numbers.Real):
            raise ConfigError(f"{name}: the 'best' value must be a float, got {best!r}")
        return {"best": float(best),
                "num_bad_epochs": check_int(name, "num_bad_epochs", values["num_bad_epochs"],
                                            minimum=0),
                "last_epoch": check_int(name, "last_epoch", values["last_epoch"], minimum=0),
                "_last_lr": check_float(name, "last_lr", values["last_lr"], low=0.0)}
