"""Learning-rate schedules, PyTorch's chainable way: each step changes every group's CURRENT lr.

By convention a schedule is stepped once per EPOCH, after the optimizer
steps of that epoch (``fit(..., scheduler=...)`` does so); nothing stops you
from stepping it once per batch instead, with ``T_max`` or ``step_size``
counted in batches.

As in PyTorch, a schedule records each group's lr as ``group["initial_lr"]``
(if absent) and keeps them as ``base_lrs``; each ``step()`` computes the new
lr of every group from the group's current lr (StepLR multiplies it by
``gamma`` at a decay, ExponentialLR at every step, CosineAnnealingLR moves it
along the cosine). So two schedules on one optimizer compose: ExponentialLR
and StepLR stepped together give the product of both decays, and an lr set
by hand between steps carries on. LambdaLR, OneCycleLR and
CosineAnnealingWarmRestarts compute from ``base_lrs`` instead (PyTorch's
closed forms), and so override the others.
"""

import numbers

import numpy as np

from minnet.arguments import CheckedArguments
from minnet.errors import ConfigError
from minnet.optim.optimizer import Optimizer
from minnet.optim.param_groups import set_scheduled_value
from minnet.optim.statedict import (
    check_is_state_dict,
    check_kind,
    check_state_dict,
    to_python,
    type_marker,
)
from minnet.validation import check_float, check_int


def check_optimizer(owner, optimizer):
    """Return ``optimizer``; ConfigError unless it is a minnet Optimizer."""
    if not isinstance(optimizer, Optimizer):
        raise ConfigError(
            f"{owner}: expected an optimizer (SGD, Adam, ...) as first argument, "
            f"got {type(optimizer).__name__}"
        )
    return optimizer


def per_group(owner, name, value, optimizer, check):
    """``value`` for each parameter group: one value for all, or a list with one per group."""
    count = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != count:
            raise ConfigError(f"{owner}: the '{name}' parameter has {len(value)} values, the "
                              f"optimizer has {count} parameter group(s); give one per group "
                              f"or a single value")
        return [check(owner, f"{name}[{index}]", item) for index, item in enumerate(value)]
    return [check(owner, name, value)] * count


class LRScheduler(CheckedArguments):
    """Base class: sets every group's lr from ``get_lr()`` at each ``step()``.

    Attributes
    ----------
    optimizer : Optimizer
    base_lrs : list of float
        Each group's ``initial_lr`` (its lr when the first schedule was made).
    last_epoch : int
        Number of ``step()`` calls so far (PyTorch's name; 0 after construction).
    """

    hyperparameter_names = ()
    needs_metric = False  # ReduceLROnPlateau: step(metric)
    _is_initial = False  # True while the constructor sets the lr of step 0

    def __init__(self, optimizer):
        self.optimizer = check_optimizer(type(self).__name__, optimizer)
        for group in optimizer.param_groups:
            if "initial_lr" not in group:  # PyTorch's rule: the first schedule records it
                set_scheduled_value(group, "initial_lr", group["lr"])
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = 0
        self._last_lr = self._current_lrs()

    def _start(self):
        """The constructor's step 0 (as PyTorch's): most schedules leave the lr as it is."""
        self._is_initial = True
        try:
            self._apply(self.get_lr())
        finally:
            self._is_initial = False

    def get_lr(self):
        """The lr of every group for step ``last_epoch``, from their current lrs.

        Called by ``step()``; to read the lr, use ``get_last_lr()``.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement get_lr")

    def _current_lrs(self):
        return [group["lr"] for group in self.optimizer.param_groups]

    def _check_groups(self):
        count = len(self.optimizer.param_groups)
        if count != len(self.base_lrs):
            raise ConfigError(
                f"{type(self).__name__}.step: the optimizer has {count} parameter groups, "
                f"but had {len(self.base_lrs)} when this schedule was built; build the "
                f"schedule after add_param_group"
            )

    def _apply(self, lrs):
        """Set each group's lr (every value checked before any is set)."""
        for index, lr in enumerate(lrs):
            if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not lr >= 0 \
                    or not np.isfinite(lr):
                raise ConfigError(
                    f"{type(self).__name__}.step: computed the lr {lr!r} for param_groups"
                    f"[{index}] at step {self.last_epoch}; an lr must be a finite float >= 0"
                )
        for group, lr in zip(self.optimizer.param_groups, lrs, strict=True):
            set_scheduled_value(group, "lr", float(lr))
        self._last_lr = self._current_lrs()

    def step(self):
        """Advance one step (one epoch, by convention) and set every group's lr."""
        self._check_groups()
        self.last_epoch += 1
        try:
            self._apply(self.get_lr())
        except BaseException:
            self.last_epoch -= 1  # a refused lr leaves the schedule as it was
            raise

    def get_last_lr(self):
        """The lr of every group after the last step, a list (one float per group)."""
        return list(self._last_lr)

    # --- saving ------------------------------------------------------------

    def _counters(self):
        """The state besides the hyperparameters, as arrays."""
        return {"last_epoch": np.array(self.last_epoch, dtype=np.int64),
                "base_lrs": np.array(self.base_lrs, dtype=np.float64),
                "last_lr": np.array(self._last_lr, dtype=np.float64)}

    def _check_counters(self, values):
        """Check the saved counters; return them as ``{attribute: value}``."""
        name = type(self).__name__
        return {"last_epoch": check_int(name, "last_epoch", values["last_epoch"], minimum=0),
                "base_lrs": [check_float(name, "base_lrs", lr, low=0.0)
                             for lr in values["base_lrs"]],
                "_last_lr": [check_float(name, "last_lr", lr, low=0.0)
                             for lr in values["last_lr"]]}

    def state_dict(self):
        """A flat ``{str: ndarray}`` dict: type, hyperparameters and counters.

        The optimizer's lrs are not in it (they are in the optimizer's state
        dict, with each group's ``initial_lr``): save both.
        """
        result = {"type": type_marker(self)}
        for key in self.hyperparameter_names:
            result[key] = np.array(getattr(self, key))
        result.update(self._counters())
        return result

    def load_state_dict(self, state_dict):
        """Restore what ``state_dict()`` saved; StateDictError on a mismatch.

        Like PyTorch's, it leaves the optimizer's lrs alone: load the
        optimizer's own state_dict for those. Nothing changes unless all checks pass.
        """
        self._assign(self._check_state_dict(state_dict))

    def _upgrade(self, state_dict):
        """Read the format before parameter groups (one ``base_lr``, one ``last_lr``)."""
        if "base_lr" in state_dict and "base_lrs" not in state_dict:
            state_dict = dict(state_dict)
            state_dict["base_lrs"] = np.reshape(state_dict.pop("base_lr"), (1,))
            state_dict["last_lr"] = np.reshape(state_dict["last_lr"], (1,))
        return state_dict

    def _check_state_dict(self, state_dict):
        """Check ``state_dict`` against this schedule; return ``{attribute: value}``."""
        current = self.state_dict()
        check_is_state_dict(self, state_dict)  # not a dict, or another class: say so first
        state_dict = self._upgrade(state_dict)
        check_state_dict(self, state_dict, {key: value.shape for key, value in current.items()})
        for key, value in current.items():
            check_kind(self, key, state_dict[key], "U" if value.dtype.kind == "U" else "fiub")
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
