"""Learning-rate schedules: each sets ``optimizer.lr`` from a closed form in its step count.

By convention a schedule is stepped once per EPOCH, after the optimizer
steps of that epoch (``fit(..., scheduler=...)`` does so); nothing stops you
from stepping it once per batch instead, with ``T_max`` or ``step_size``
counted in batches. The schedule records ``optimizer.lr`` at construction as
its base lr (PyTorch's ``initial_lr``) and sets the lr for step 0 at once.

Each lr is a closed form of the base lr and the step count ``t`` (PyTorch
chains multiplications instead; the two agree to round-off), so a schedule
overwrites any lr set by hand between its steps.
"""

import math

import numpy as np

from minnet.errors import ConfigError
from minnet.optim.optimizer import Optimizer
from minnet.optim.statedict import check_state_dict, to_python, type_marker
from minnet.validation import check_float, check_int


class LRScheduler:
    """Base class: counts ``step()`` calls and sets ``optimizer.lr = _lr_at(t)``.

    Attributes
    ----------
    optimizer : Optimizer
    base_lr : float
        ``optimizer.lr`` when the schedule was made.
    last_epoch : int
        Number of ``step()`` calls so far (PyTorch's name; 0 after construction).
    """

    hyperparameter_names = ()
    closed_form = True  # the lr is a function of the step count alone (LinearWarmup's after)

    def __init__(self, optimizer):
        name = type(self).__name__
        if not isinstance(optimizer, Optimizer):
            raise ConfigError(
                f"{name}: expected an optimizer (SGD, Adam, ...) as first argument, "
                f"got {type(optimizer).__name__}"
            )
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.last_epoch = 0
        self._last_lr = optimizer.lr

    def _lr_at(self, t):
        """The learning rate after ``t`` steps."""
        raise NotImplementedError(f"{type(self).__name__} must implement _lr_at")

    def _apply(self):
        self._last_lr = float(self._lr_at(self.last_epoch))
        self.optimizer._set_scheduled_lr(self._last_lr)

    def step(self):
        """Advance one step (one epoch, by convention) and set ``optimizer.lr``."""
        self.last_epoch += 1
        self._apply()

    def get_last_lr(self):
        """The lr this schedule set last, a float (minnet optimizers have a single lr)."""
        return self._last_lr

    # --- saving ------------------------------------------------------------

    def _counters(self):
        """The state besides the hyperparameters, as arrays."""
        return {"base_lr": np.array(self.base_lr), "last_epoch": np.array(self.last_epoch),
                "last_lr": np.array(self._last_lr)}

    def _check_counters(self, values):
        """Check the saved counters; return them as ``{attribute: value}``."""
        name = type(self).__name__
        return {"base_lr": check_float(name, "base_lr", values["base_lr"], low=0.0),
                "last_epoch": check_int(name, "last_epoch", values["last_epoch"], minimum=0),
                "_last_lr": check_float(name, "last_lr", values["last_lr"], low=0.0)}

    def state_dict(self):
        """A flat ``{str: ndarray}`` dict: type, hyperparameters and counters.

        The optimizer's lr is not in it: save the optimizer's state_dict too.
        """
        result = {"type": type_marker(self)}
        for key in self.hyperparameter_names:
            result[key] = np.array(getattr(self, key))
        result.update(self._counters())
        return result

    def load_state_dict(self, state_dict):
        """Restore what ``state_dict()`` saved; StateDictError on a mismatch.

        Like PyTorch's, it leaves ``optimizer.lr`` alone: load the
        optimizer's own state_dict for that. Nothing changes unless all checks pass.
        """
        self._assign(self._check_state_dict(state_dict))

    def _check_state_dict(self, state_dict):
        """Check ``state_dict`` against this schedule; return ``{attribute: value}``."""
        current = self.state_dict()
        check_state_dict(self, state_dict, {key: value.shape for key, value in current.items()})
        values = {key: to_python(state_dict[key]) for key in current if key != "type"}
        checked = self._check_hyperparameters(
            **{key: values[key] for key in self.hyperparameter_names})
        checked.update(self._check_counters(values))
        return checked

    def _assign(self, checked):
        for key, value in checked.items():
            setattr(self, key, value)

    @classmethod
    def _check_hyperparameters(cls, **hyperparameters):
        return hyperparameters

    def __repr__(self):
        items = [f"{key}={getattr(self, key)!r}" for key in self.hyperparameter_names]
        return f"{type(self).__name__}({', '.join(items)})"


class StepLR(LRScheduler):
    """``lr_t = base_lr * gamma ** (t // step_size)``: decay by ``gamma`` every ``step_size``.

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
        for key, value in self._check_hyperparameters(step_size, gamma).items():
            setattr(self, key, value)
        self._apply()

    @classmethod
    def _check_hyperparameters(cls, step_size, gamma):
        return {"step_size": check_int("StepLR", "step_size", step_size, minimum=1),
                "gamma": check_float("StepLR", "gamma", gamma, low=0.0, low_open=True)}

    def _lr_at(self, t):
        return self.base_lr * self.gamma ** (t // self.step_size)


class ExponentialLR(LRScheduler):
    """``lr_t = base_lr * gamma ** t``.

    Parameters
    ----------
    optimizer : Optimizer
    gamma : float
        > 0, the factor applied at every step.
    """

    hyperparameter_names = ("gamma",)

    def __init__(self, optimizer, gamma):
        super().__init__(optimizer)
        self.gamma = self._check_hyperparameters(gamma)["gamma"]
        self._apply()

    @classmethod
    def _check_hyperparameters(cls, gamma):
        return {"gamma": check_float("ExponentialLR", "gamma", gamma, low=0.0, low_open=True)}

    def _lr_at(self, t):
        return self.base_lr * self.gamma ** t


class CosineAnnealingLR(LRScheduler):
    """``lr_t = eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2``.

    The lr falls from ``base_lr`` at t = 0 to ``eta_min`` at t = T_max. As in
    PyTorch, stepping past ``T_max`` follows the cosine back up (there are no
    restarts; pick ``T_max`` = the number of epochs).

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
        for key, value in self._check_hyperparameters(T_max, eta_min).items():
            setattr(self, key, value)
        self._apply()

    @classmethod
    def _check_hyperparameters(cls, T_max, eta_min):
        return {"T_max": check_int("CosineAnnealingLR", "T_max", T_max, minimum=1),
                "eta_min": check_float("CosineAnnealingLR", "eta_min", eta_min, low=0.0)}

    def _lr_at(self, t):
        cosine = (1 + math.cos(math.pi * t / self.T_max)) / 2
        return self.eta_min + (self.base_lr - self.eta_min) * cosine


class LinearWarmup(LRScheduler):
    """Ramp the lr up linearly over ``warmup_steps`` steps, then hand over to ``after``.

    With ``W = warmup_steps`` and ``t`` the number of ``step()`` calls::

        lr_t = base_lr * (t + 1) / W        for t < W   (base_lr / W right away)
        lr_t = base_lr                      for t >= W, without ``after``
        lr_t = lr of ``after`` at its own step t - W, with ``after``

    So the lr reaches ``base_lr`` at t = W - 1, and ``after`` starts from its
    own step 0 (where cosine, step and exponential schedules give their base
    lr) at t = W. ``after`` counts its own steps from the end of warmup.

    Parameters
    ----------
    optimizer : Optimizer
    warmup_steps : int
        >= 1.
    after : LRScheduler or None
        A closed-form schedule (StepLR, ExponentialLR, CosineAnnealingLR,
        LinearWarmup) built on the SAME optimizer before this one, e.g.
        ``LinearWarmup(opt, 5, after=CosineAnnealingLR(opt, T_max=95))``.
        Its base lr is the optimizer's lr when it was built; step only the
        warmup, which steps ``after``.
    """

    hyperparameter_names = ("warmup_steps",)

    def __init__(self, optimizer, warmup_steps, after=None):
        super().__init__(optimizer)
        self.warmup_steps = self._check_hyperparameters(warmup_steps)["warmup_steps"]
        if after is not None:
            if not isinstance(after, LRScheduler) or not after.closed_form:
                raise ConfigError(
                    f"LinearWarmup: the 'after' parameter must be a closed-form schedule "
                    f"(StepLR, ExponentialLR, CosineAnnealingLR, LinearWarmup) or None, "
                    f"got {type(after).__name__}"
                )
            if after.optimizer is not optimizer:
                raise ConfigError(
                    "LinearWarmup: the 'after' schedule must be built on the same "
                    "optimizer as the warmup, got a schedule of another optimizer"
                )
        self.after = after
        self._apply()

    @classmethod
    def _check_hyperparameters(cls, warmup_steps):
        return {"warmup_steps": check_int("LinearWarmup", "warmup_steps", warmup_steps,
                                          minimum=1)}

    def _lr_at(self, t):
        if t < self.warmup_steps:
            return self.base_lr * (t + 1) / self.warmup_steps
        if self.after is None:
            return self.base_lr
        return self.after._lr_at(t - self.warmup_steps)

    def step(self):
        """Advance one step; past the warmup, ``after`` advances in step."""
        super().step()
        if self.after is not None and self.last_epoch >= self.warmup_steps:
            self.after.last_epoch = self.last_epoch - self.warmup_steps
            self.after._last_lr = self._last_lr

    def state_dict(self):
        """As LRScheduler's, plus ``after``'s state under keys ``after.*``."""
        result = super().state_dict()
        if self.after is not None:
            result.update({f"after.{key}": value
                           for key, value in self.after.state_dict().items()})
        return result

    def load_state_dict(self, state_dict):
        checked = self._check_state_dict(state_dict)
        if self.after is not None:
            self.after.load_state_dict({key[len("after."):]: value
                                        for key, value in state_dict.items()
                                        if key.startswith("after.")})
        self._assign(checked)
