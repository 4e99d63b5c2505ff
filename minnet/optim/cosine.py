"""Cosine schedules: CosineAnnealingLR (chainable) and CosineAnnealingWarmRestarts (SGDR)."""

import math
import numbers

import numpy as np

from minnet.errors import ConfigError
from minnet.optim.lr_scheduler import LRScheduler
from minnet.validation import check_float, check_int


class CosineAnnealingLR(LRScheduler):
    """Move every group's lr along a cosine from its ``initial_lr`` down to ``eta_min``.

    Alone: ``lr_t = eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2``,
    from ``base_lr`` at t = 0 to ``eta_min`` at t = T_max. As in PyTorch,
    stepping past ``T_max`` follows the cosine back up (no restarts: pick
    ``T_max`` = the number of epochs, or use CosineAnnealingWarmRestarts).

    Each step uses PyTorch's recursive form, which scales the CURRENT lr's
    distance to ``eta_min``::

        lr_t = eta_min + (lr_{t-1} - eta_min) * (1 + cos(pi t / T)) / (1 + cos(pi (t-1) / T))

    so it composes with other schedules (and equals the closed form, to
    round-off, when alone). Composed with a decay and ``eta_min > 0``, that
    form can fall below ``eta_min`` and, on the way back up past ``T_max``,
    below 0: PyTorch then steps with a negative lr, minnet raises ConfigError.

    Parameters
    ----------
    optimizer : Optimizer
    T_max : int
        >= 1 steps (epochs) from base_lr down to eta_min.
    eta_min : float
        >= 0, the lowest lr.
    """

    hyperparameter_names = ("T_max", "eta_min")

    def __init__(self, optimizer, T_max, eta_min=0.0):
        super().__init__(optimizer)
        self._assign(self._check_hyperparameters(T_max, eta_min))
        self._start()

    @classmethod
    def _check_hyperparameters(cls, T_max, eta_min):
        return {"T_max": check_int("CosineAnnealingLR", "T_max", T_max, minimum=1),
                "eta_min": check_float("CosineAnnealingLR", "eta_min", eta_min, low=0.0)}

    def get_lr(self):
        t, period, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._current_lrs()
        if (t - 1 - period) % (2 * period) == 0:
            # Leaving the bottom (the ratio below would divide by 1 + cos(pi) = 0).
            return [lr + (base_lr - eta_min) * (1 - math.cos(math.pi / period)) / 2
                    for lr, base_lr in zip(self._current_lrs(), self.base_lrs, strict=True)]
        ratio = (1 + math.cos(math.pi * t / period)) / (1 + math.cos(math.pi * (t - 1) / period))
        return [ratio * (lr - eta_min) + eta_min for lr in self._current_lrs()]


class CosineAnnealingWarmRestarts(LRScheduler):
    """Cosine annealing from ``initial_lr`` to ``eta_min``, restarted every ``T_i`` steps (SGDR).

    ``lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2``
    with ``T_cur`` the steps since the last restart; the first period lasts
    ``T_0`` steps and each next one ``T_mult`` times longer. A closed form
    of ``base_lrs`` (PyTorch's): it overrides other schedules.

    Parameters
    ----------
    optimizer : Optimizer
    T_0 : int
        >= 1 steps until the first restart.
    T_mult : int
        >= 1 (default 1), the growth of the period after each restart.
    eta_min : float
        >= 0 (default 0), the lowest lr.

    ``step(epoch)`` also takes a fractional epoch, as PyTorch's does, for a
    schedule stepped per batch: ``scheduler.step(epoch + batch / batches)``.
    """

    hyperparameter_names = ("T_0", "T_mult", "eta_min")

    def __init__(self, optimizer, T_0, T_mult=1, eta_min=0.0):
        super().__init__(optimizer)
        self._assign(self._check_hyperparameters(T_0, T_mult, eta_min))
        self.T_i, self.T_cur = self.T_0, 0
        self._start()

    @classmethod
    def _check_hyperparameters(cls, T_0, T_mult, eta_min):
        name = "CosineAnnealingWarmRestarts"
        return {"T_0": check_int(name, "T_0", T_0, minimum=1),
                "T_mult": check_int(name, "T_mult", T_mult, minimum=1),
                "eta_min": check_float(name, "eta_min", eta_min, low=0.0)}

    def get_lr(self):
        cosine = 1 + math.cos(math.pi * self.T_cur / self.T_i)
        return [self.eta_min + (base_lr - self.eta_min) * cosine / 2
                for base_lr in self.base_lrs]

    def step(self, epoch=None):
        """Advance one step, or go to ``epoch`` (a float >= 0, for per-batch stepping)."""
        self._check_groups()
        if epoch is None:
            self.T_cur += 1
            if self.T_cur >= self.T_i:
                self.T_cur %= self.T_i
                self.T_i *= self.T_mult
            self.last_epoch += 1
        else:
            if isinstance(epoch, bool) or not isinstance(epoch, numbers.Real) \
                    or not np.isfinite(epoch) or epoch < 0:
                raise ConfigError(f"CosineAnnealingWarmRestarts.step: epoch must be a float "
                                  f">= 0, got {epoch!r}")
            self.T_i, self.T_cur = self._period_at(epoch)
            self.last_epoch = math.floor(epoch)
        self._apply(self.get_lr())

    def _period_at(self, epoch):
        """``(T_i, T_cur)`` at ``epoch``: PyTorch's formulas."""
        if epoch < self.T_0:
            return self.T_0, epoch
        if self.T_mult == 1:
            return self.T_0, epoch % self.T_0
        n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
        return (self.T_0 * self.T_mult ** n,
                epoch - self.T_0 * (self.T_mult ** n - 1) / (self.T_mult - 1))

    def _counters(self):
        return {**super()._counters(), "T_i": np.array(self.T_i, dtype=np.int64),
                "T_cur": np.array(self.T_cur, dtype=np.float64)}

    def _check_counters(self, values):
        name = type(self).__name__
        T_cur = check_float(name, "T_cur", values["T_cur"], low=0.0)
        return {**super()._check_counters(values),
                "T_i": check_int(name, "T_i", values["T_i"], minimum=1),
                "T_cur": int(T_cur) if T_cur.is_integer() else T_cur}
