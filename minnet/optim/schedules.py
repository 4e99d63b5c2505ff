"""Decay schedules: StepLR, MultiStepLR and ExponentialLR (chainable), LambdaLR (closed form).

See ``minnet.optim.lr_scheduler`` for what every schedule shares: ``initial_lr``
and ``base_lrs``, PyTorch's chainable steps, ``get_last_lr()`` and state dicts.
"""

import numbers
from collections import Counter

import numpy as np

from minnet.errors import ConfigError
from minnet.optim.lr_scheduler import LRScheduler, per_group
from minnet.validation import check_float, check_int

__all__ = ["LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "LambdaLR"]


class StepLR(LRScheduler):
    """Multiply every group's lr by ``gamma`` every ``step_size`` steps.

    Alone: ``lr_t = base_lr * gamma ** (t // step_size)``.

    Parameters
    ----------
    optimizer : Optimizer
    step_size : int
        >= 1 steps (epochs) between decays.
    gamma : float
        > 0, the factor applied at each decay (default 0.1).
    """

    hyperparameter_names = ("step_size", "gamma")

    def __init__(self, optimizer, step_size, gamma=0.1):
        super().__init__(optimizer)
        self._assign(self._check_hyperparameters(step_size, gamma))
        self._start()

    @classmethod
    def _check_hyperparameters(cls, step_size, gamma):
        return {"step_size": check_int("StepLR", "step_size", step_size, minimum=1),
                "gamma": check_float("StepLR", "gamma", gamma, low=0.0, low_open=True)}

    def get_lr(self):
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]


class MultiStepLR(LRScheduler):
    """Multiply every group's lr by ``gamma`` at each milestone step.

    Alone: ``lr_t = base_lr * gamma ** (number of milestones <= t)``; a
    milestone given twice decays twice, as in PyTorch.

    Parameters
    ----------
    optimizer : Optimizer
    milestones : iterable of int
        Steps (epochs) >= 0 at which to decay, e.g. ``[30, 80]``.
    gamma : float
        > 0, the factor applied at each milestone (default 0.1).
    """

    hyperparameter_names = ("milestones", "gamma")

    def __init__(self, optimizer, milestones, gamma=0.1):
        super().__init__(optimizer)
        self._assign(self._check_hyperparameters(milestones, gamma))
        self._start()

    @classmethod
    def _check_hyperparameters(cls, milestones, gamma):
        name = "MultiStepLR"
        if isinstance(milestones, (str, bytes, numbers.Number)) or not hasattr(milestones,
                                                                                "__iter__"):
            raise ConfigError(f"{name}: the 'milestones' parameter must be a list of ints, "
                              f"e.g. [30, 80], got {milestones!r}")
        milestones = tuple(sorted(check_int(name, "milestones", step, minimum=0)
                                  for step in milestones))
        return {"milestones": milestones,
                "gamma": check_float(name, "gamma", gamma, low=0.0, low_open=True)}

    def get_lr(self):
        count = Counter(self.milestones)[self.last_epoch]
        if count == 0:
            return self._current_lrs()
        return [lr * self.gamma ** count for lr in self._current_lrs()]

    def state_dict(self):
        result = super().state_dict()
        result["milestones"] = np.array(self.milestones, dtype=np.int64)
        return result


class ExponentialLR(LRScheduler):
    """Multiply every group's lr by ``gamma`` at every step: alone, ``lr_t = base_lr * gamma ** t``.

    Parameters
    ----------
    optimizer : Optimizer
    gamma : float
        > 0, the factor applied at every step.
    """

    hyperparameter_names = ("gamma",)

    def __init__(self, optimizer, gamma):
        super().__init__(optimizer)
        self._assign(self._check_hyperparameters(gamma))
        self._start()

    @classmethod
    def _check_hyperparameters(cls, gamma):
        return {"gamma": check_float("ExponentialLR", "gamma", gamma, low=0.0, low_open=True)}

    def get_lr(self):
        if self._is_initial:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]


class LambdaLR(LRScheduler):
    """``lr_t = base_lr * lr_lambda(t)`` for each group (a closed form: not chainable).

    Parameters
    ----------
    optimizer : Optimizer
    lr_lambda : callable or list of callables
        ``t -> factor`` (a float >= 0), one for all groups or one per group.
        Applied at construction too (``t = 0``), as in PyTorch.

    Notes
    -----
    ``state_dict()`` saves the step count and ``base_lrs`` but not the
    functions (PyTorch does not save plain functions either): build the
    schedule with the same ``lr_lambda`` before loading.
    """

    def __init__(self, optimizer, lr_lambda):
        super().__init__(optimizer)
        self.lr_lambdas = per_group("LambdaLR", "lr_lambda", lr_lambda, optimizer,
                                    self._check_function)
        self._start()

    @staticmethod
    def _check_function(owner, name, function):
        if not callable(function):
            raise ConfigError(f"{owner}: the '{name}' parameter must be a function of the "
                              f"step, e.g. lambda epoch: 0.95 ** epoch, got {function!r}")
        return function

    def get_lr(self):
        lrs = []
        for index, (function, base_lr) in enumerate(zip(self.lr_lambdas, self.base_lrs,
                                                        strict=True)):
            factor = function(self.last_epoch)
            if isinstance(factor, bool) or not isinstance(factor, numbers.Real) \
                    or not np.isfinite(factor) or factor < 0:
                raise ConfigError(
                    f"LambdaLR: lr_lambda for param_groups[{index}] returned {factor!r} at "
                    f"step {self.last_epoch}; it must return a finite float >= 0 (the factor "
                    f"applied to the initial lr)"
                )
            lrs.append(base_lr * factor)
        return lrs

    def __repr__(self):
        return f"LambdaLR(lr_lambda={self.lr_lambdas!r})"
