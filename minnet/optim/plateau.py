"""ReduceLROnPlateau: cut the lr when a monitored metric stops improving."""

import math
import numbers

import numpy as np

from minnet.errors import ConfigError
from minnet.optim.lr_scheduler import LRScheduler, check_optimizer, per_group
from minnet.optim.param_groups import set_scheduled_value
from minnet.validation import check_choice, check_float, check_int

NAME = "ReduceLROnPlateau"


def _min_lr(owner, name, value):
    return check_float(owner, name, value, low=0.0)


class ReduceLROnPlateau(LRScheduler):
    """Multiply the lrs by ``factor`` after more than ``patience`` epochs without improvement.

    ``step(metric)`` takes the monitored value, usually the validation loss,
    once per epoch. PyTorch's semantics: in mode ``"min"`` a metric improves
    on the best so far when ``metric < best * (1 - threshold)``
    (``threshold_mode="rel"``) or ``metric < best - threshold`` (``"abs"``);
    mode ``"max"`` mirrors it. Otherwise the epoch is bad. When the count of
    bad epochs in a row exceeds ``patience``, each group's lr becomes
    ``max(lr * factor, min_lr)`` (unless that changes it by ``eps`` or less),
    the count restarts at 0, and the next ``cooldown`` epochs count no bad
    epoch. So with ``patience=2`` the lr drops at the 3rd bad epoch in a row.

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
        >= 0, the improvement that counts.
    min_lr : float or list of float
        >= 0, the floor (one for all groups, or one per group).
    threshold_mode : {"rel", "abs"}, keyword-only
        Relative (default) or absolute improvement.
    cooldown : int, keyword-only
        >= 0 epochs after a reduction during which bad epochs are not counted.
    eps : float, keyword-only
        >= 0 (default 1e-8): a reduction of the lr by this much or less is skipped.

    It multiplies the CURRENT lr, so it composes with other schedules and an
    lr set by hand is respected; it cannot be the ``after`` of a LinearWarmup.
    (The argument order is minnet's: PyTorch's starts with ``mode``.)
    """

    hyperparameter_names = ("factor", "patience", "mode", "threshold", "threshold_mode",
                            "cooldown", "eps")
    needs_metric = True

    def __init__(self, optimizer, factor=0.1, patience=10, mode="min", threshold=1e-4,
                 min_lr=0.0, *, threshold_mode="rel", cooldown=0, eps=1e-8):
        # PyTorch's ReduceLROnPlateau sets no initial_lr: not LRScheduler.__init__.
        self.optimizer = check_optimizer(NAME, optimizer)
        self._assign(self._check_hyperparameters(factor, patience, mode, threshold,
                                                 threshold_mode, cooldown, eps))
        self.min_lrs = per_group(NAME, "min_lr", min_lr, optimizer, _min_lr)
        self.best = math.inf if self.mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self.last_epoch = 0
        self._last_lr = self._current_lrs()

    @classmethod
    def _check_hyperparameters(cls, factor, patience, mode, threshold, threshold_mode,
                               cooldown, eps):
        return {
            "factor": check_float(NAME, "factor", factor, low=0.0, high=1.0,
                                  low_open=True, high_open=True),
            "patience": check_int(NAME, "patience", patience, minimum=0),
            "mode": check_choice(NAME, "mode", mode, ("min", "max")),
            "threshold": check_float(NAME, "threshold", threshold, low=0.0),
            "threshold_mode": check_choice(NAME, "threshold_mode", threshold_mode,
                                           ("rel", "abs")),
            "cooldown": check_int(NAME, "cooldown", cooldown, minimum=0),
            "eps": check_float(NAME, "eps", eps, low=0.0),
        }

    def _is_better(self, metric):
        if self.mode == "min" and self.threshold_mode == "rel":
            return metric < self.best * (1.0 - self.threshold)
        if self.mode == "min":
            return metric < self.best - self.threshold
        if self.threshold_mode == "rel":
            return metric > self.best * (self.threshold + 1.0)
        return metric > self.best + self.threshold

    def step(self, metric=None):
        """Record this epoch's ``metric``; reduce the lrs after too many bad epochs.

        Parameters
        ----------
        metric : float
            The monitored value (a NaN counts as a bad epoch, as in PyTorch).
        """
        if metric is None:
            raise ConfigError(
                f"{NAME}.step: needs the monitored metric, e.g. "
                f"scheduler.step(val_loss), got no argument"
            )
        try:
            value = np.asarray(metric)
        except ValueError:  # a ragged list
            value = None
        if value is None or value.ndim != 0 or not isinstance(value.item(), numbers.Real):
            raise ConfigError(
                f"{NAME}.step: expected the metric as a float (e.g. the "
                f"validation loss), got {metric!r}"
            )
        self._check_groups()
        metric = float(value.item())
        self.last_epoch += 1
        if self._is_better(metric):
            self.best = metric
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs during the cooldown do not count
        if self.num_bad_epochs > self.patience:
            for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs, strict=True):
                old_lr = group["lr"]
                new_lr = max(old_lr * self.factor, min_lr)
                if old_lr - new_lr > self.eps:
                    set_scheduled_value(group, "lr", new_lr)
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._current_lrs()

    def _check_groups(self):
        if len(self.optimizer.param_groups) != len(self.min_lrs):
            raise ConfigError(
                f"{NAME}.step: the optimizer has {len(self.optimizer.param_groups)} parameter "
                f"groups, but had {len(self.min_lrs)} when this schedule was built; build the "
                f"schedule after add_param_group"
            )

    # --- saving ------------------------------------------------------------

    def _counters(self):
        return {"min_lrs": np.array(self.min_lrs, dtype=np.float64),
                "best": np.array(self.best), "num_bad_epochs": np.array(self.num_bad_epochs),
                "cooldown_counter": np.array(self.cooldown_counter),
                "last_epoch": np.array(self.last_epoch), "last_lr": np.array(self._last_lr)}

    def _check_counters(self, values):
        best = values["best"]
        if isinstance(best, bool) or not isinstance(best, numbers.Real):
            raise ConfigError(f"{NAME}: the 'best' value must be a float, got {best!r}")
        counts = {key: check_int(NAME, key, values[key], minimum=0)
                  for key in ("num_bad_epochs", "cooldown_counter", "last_epoch")}
        return {"best": float(best), **counts,
                "min_lrs": [_min_lr(NAME, "min_lrs", lr) for lr in values["min_lrs"]],
                "_last_lr": [check_float(NAME, "last_lr", lr, low=0.0)
                             for lr in values["last_lr"]]}

    def _upgrade(self, state_dict):
        """Read the format before parameter groups and cooldown (one ``min_lr``, ...)."""
        if "min_lr" not in state_dict or "min_lrs" in state_dict:
            return state_dict
        state_dict = dict(state_dict)
        state_dict["min_lrs"] = np.reshape(state_dict.pop("min_lr"), (1,))
        state_dict["last_lr"] = np.reshape(state_dict["last_lr"], (1,))
        defaults = {"threshold_mode": np.array("rel"), "cooldown": np.array(0),
                    "eps": np.array(1e-8), "cooldown_counter": np.array(0)}
        return {**defaults, **state_dict}
