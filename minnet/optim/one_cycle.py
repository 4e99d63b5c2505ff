"""OneCycleLR: up to ``max_lr`` and down far below the start, once, stepped after every batch."""

import math

from minnet.errors import ConfigError
from minnet.optim.lr_scheduler import LRScheduler, check_optimizer, per_group
from minnet.optim.optimizer import check_momentum
from minnet.optim.param_groups import set_scheduled_value
from minnet.validation import check_bool, check_choice, check_float, check_int

NAME = "OneCycleLR"


def _positive(owner, name, value):
    return check_float(owner, name, value, low=0.0, low_open=True)


class OneCycleLR(LRScheduler):
    """The 1cycle policy, PyTorch's (fastai's two phases by default).

    Over ``total_steps`` steps (one per BATCH), each group's lr goes from
    ``initial_lr = max_lr / div_factor`` up to ``max_lr`` during the first
    ``pct_start`` of the steps, then down to ``min_lr = initial_lr /
    final_div_factor``; with ``cycle_momentum`` its momentum (SGD, RMSprop)
    or beta1 (Adam, AdamW) moves the other way, from ``max_momentum`` down to
    ``base_momentum`` and back. ``three_phase=True`` is the paper's
    version: up, back down to ``initial_lr`` symmetrically, then to ``min_lr``.

    Parameters
    ----------
    optimizer : Optimizer
    max_lr : float or list of float
        > 0, the peak lr (one for all groups, or one per group).
    total_steps : int or None
        >= 1; or give ``epochs`` and ``steps_per_epoch`` (their product).
    epochs, steps_per_epoch : int or None
    pct_start : float
        In [0, 1] (default 0.3): the share of steps spent going up.
    anneal_strategy : {"cos", "linear"}
    cycle_momentum : bool
        Default True; needs an optimizer with ``momentum`` or ``betas``.
    base_momentum, max_momentum : float or list of float
        In [0, 1) (defaults 0.85 and 0.95).
    div_factor, final_div_factor : float
        > 0 (defaults 25 and 1e4).
    three_phase : bool

    Notes
    -----
    A closed form (not chainable), as in PyTorch: the lrs come from the keys
    it writes into every group (``initial_lr``, ``max_lr``, ``min_lr``,
    ``max_momentum``, ``base_momentum``), which the optimizer's state dict
    saves. Stepping more than ``total_steps`` times is an error. At the last
    allowed step (``t = total_steps``, whose lr no batch uses in the usual
    loop) PyTorch's linear strategy extrapolates below ``min_lr``, to a
    negative lr; minnet stops at 0 there.
    """

    hyperparameter_names = ("total_steps", "pct_start", "anneal_strategy", "cycle_momentum",
                            "div_factor", "final_div_factor", "three_phase")

    def __init__(self, optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None,
                 pct_start=0.3, anneal_strategy="cos", cycle_momentum=True, base_momentum=0.85,
                 max_momentum=0.95, div_factor=25.0, final_div_factor=1e4, three_phase=False):
        check_optimizer(NAME, optimizer)
        if total_steps is None:
            if epochs is None or steps_per_epoch is None:
                raise ConfigError(f"{NAME}: give total_steps, or both epochs and "
                                  f"steps_per_epoch (e.g. steps_per_epoch=len(loader))")
            total_steps = (check_int(NAME, "epochs", epochs, minimum=1)
                           * check_int(NAME, "steps_per_epoch", steps_per_epoch, minimum=1))
        checked = self._check_hyperparameters(total_steps, pct_start, anneal_strategy,
                                              cycle_momentum, div_factor, final_div_factor,
                                              three_phase)
        max_lrs = per_group(NAME, "max_lr", max_lr, optimizer, _positive)
        momentum_key = self._momentum_key(optimizer) if checked["cycle_momentum"] else None
        if momentum_key is not None:
            max_momenta = per_group(NAME, "max_momentum", max_momentum, optimizer,
                                    check_momentum)
            base_momenta = per_group(NAME, "base_momentum", base_momentum, optimizer,
                                     check_momentum)
            for group, top, bottom in zip(optimizer.param_groups, max_momenta, base_momenta,
                                          strict=True):
                for value in (top, bottom):  # the optimizer's own checks, before any change
                    group._optimizer_class._check_group_item(
                        group._owner, group, momentum_key, self._momentum_value(group, value))
        # Everything is checked: write PyTorch's keys into the groups.
        for group, peak in zip(optimizer.param_groups, max_lrs, strict=True):
            set_scheduled_value(group, "initial_lr", peak / checked["div_factor"])
            set_scheduled_value(group, "max_lr", peak)
            set_scheduled_value(group, "min_lr", group["initial_lr"] / checked["final_div_factor"])
        if momentum_key is not None:
            for group, top, bottom in zip(optimizer.param_groups, max_momenta, base_momenta,
                                          strict=True):
                group[momentum_key] = self._momentum_value(group, top)
                set_scheduled_value(group, "max_momentum", top)
                set_scheduled_value(group, "base_momentum", bottom)
        super().__init__(optimizer)
        self._assign(checked)
        self._start()

    @staticmethod
    def _momentum_key(optimizer):
        if "betas" in optimizer.defaults:
            return "betas"
        if "momentum" in optimizer.defaults:
            return "momentum"
        raise ConfigError(f"{NAME}: cycle_momentum=True needs an optimizer with momentum "
                          f"(SGD, RMSprop) or betas (Adam, AdamW), got "
                          f"{type(optimizer).__name__}; pass cycle_momentum=False")

    @staticmethod
    def _momentum_value(group, momentum):
        """What to write under the momentum key: beta1 replaces the first of Adam's betas."""
        return (momentum, group["betas"][1]) if "betas" in group else momentum

    @classmethod
    def _check_hyperparameters(cls, total_steps, pct_start, anneal_strategy, cycle_momentum,
                               div_factor, final_div_factor, three_phase):
        total_steps = check_int(NAME, "total_steps", total_steps, minimum=1)
        pct_start = check_float(NAME, "pct_start", pct_start, low=0.0, high=1.0)
        three_phase = check_bool(NAME, "three_phase", three_phase)
        ends = cls._phase_ends(total_steps, pct_start, three_phase)
        for start, end in zip((0.0,) + ends[:-1], ends):
            if end == start:
                raise ConfigError(
                    f"{NAME}: total_steps={total_steps} with pct_start={pct_start!r} gives a "
                    f"phase of zero steps (from step {start:g} to {end:g}), where PyTorch "
                    f"divides by zero; change pct_start or total_steps"
                )
        return {"total_steps": total_steps, "pct_start": pct_start,
                "anneal_strategy": check_choice(NAME, "anneal_strategy", anneal_strategy,
                                                ("cos", "linear")),
                "cycle_momentum": check_bool(NAME, "cycle_momentum", cycle_momentum),
                "div_factor": _positive(NAME, "div_factor", div_factor),
                "final_div_factor": _positive(NAME, "final_div_factor", final_div_factor),
                "three_phase": three_phase}

    @staticmethod
    def _phase_ends(total_steps, pct_start, three_phase):
        """The last step of each phase (floats, PyTorch's)."""
        if three_phase:
            return (float(pct_start * total_steps) - 1, float(2 * pct_start * total_steps) - 2,
                    total_steps - 1)
        return (float(pct_start * total_steps) - 1, total_steps - 1)

    def _phases(self):
        """``(last step, lr key from, lr key to, momentum key from, momentum key to)``."""
        ends = self._phase_ends(self.total_steps, self.pct_start, self.three_phase)
        if self.three_phase:
            keys = (("initial_lr", "max_lr", "max_momentum", "base_momentum"),
                    ("max_lr", "initial_lr", "base_momentum", "max_momentum"),
                    ("initial_lr", "min_lr", "max_momentum", "max_momentum"))
        else:
            keys = (("initial_lr", "max_lr", "max_momentum", "base_momentum"),
                    ("max_lr", "min_lr", "base_momentum", "max_momentum"))
        return list(zip(ends, *zip(*keys), strict=True))

    def _anneal(self, start, end, fraction):
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * fraction) + 1)
        return (end - start) * fraction + start

    def step(self):
        """Advance one batch; an error past ``total_steps``."""
        if self.last_epoch + 1 > self.total_steps:
            raise ConfigError(
                f"{NAME}.step: tried to step {self.last_epoch + 1} times, but total_steps is "
                f"{self.total_steps}; build the schedule with the number of batches of the "
                f"whole run (epochs * steps_per_epoch)"
            )
        super().step()

    def get_lr(self):
        t, phases = self.last_epoch, self._phases()
        lrs = []
        for group in self.optimizer.param_groups:
            start = 0.0
            for index, (end, lr_from, lr_to, momentum_from, momentum_to) in enumerate(phases):
                if t <= end or index == len(phases) - 1:
                    fraction = (t - start) / (end - start)
                    lrs.append(max(self._anneal(group[lr_from], group[lr_to], fraction), 0.0))
                    if self.cycle_momentum:
                        momentum = self._anneal(group[momentum_from], group[momentum_to],
                                                fraction)
                        key = "betas" if "betas" in group else "momentum"
                        group[key] = self._momentum_value(group, momentum)
                    break
                start = end
        return lrs
