"""LinearWarmup: ramp the lr up linearly, then hand over to another schedule (minnet's own)."""

from minnet.errors import ConfigError
from minnet.optim.lr_scheduler import LRScheduler
from minnet.validation import check_int


class LinearWarmup(LRScheduler):
    """Ramp every group's lr up linearly over ``warmup_steps`` steps, then hand over to ``after``.

    With ``W = warmup_steps`` and ``t`` the number of ``step()`` calls, alone::

        lr_t = base_lr * (t + 1) / W        for t < W   (base_lr / W right away)
        lr_t = base_lr                      for t >= W

    Chainable, as PyTorch's schedules: the constructor divides each group's
    current lr by ``W`` and each warmup step multiplies it by ``(t + 1) / t``,
    so the warmup composes with a schedule stepped at the same time (their
    factors multiply), as PyTorch's ``LinearLR(start_factor=1/W,
    total_iters=W-1)`` does.

    With ``after``: step only the warmup. Its step ``t = W`` leaves the lr
    at ``base_lr``, and from ``t = W + 1`` on each warmup step steps
    ``after`` once, so ``after`` counts its own steps from the end of the
    warmup, as in PyTorch's ``SequentialLR([warmup, after], milestones=[W])``:
    ``LinearWarmup(opt, 5, after=CosineAnnealingLR(opt, T_max=95))``.

    Parameters
    ----------
    optimizer : Optimizer
    warmup_steps : int
        >= 1.
    after : LRScheduler or None
        A schedule built on the SAME optimizer, before this one (so that it
        records the full lr as its base), stepped without a metric (any
        schedule but ReduceLROnPlateau).
    """

    hyperparameter_names = ("warmup_steps",)

    def __init__(self, optimizer, warmup_steps, after=None):
        super().__init__(optimizer)
        self._assign(self._check_hyperparameters(warmup_steps))
        if after is not None:
            if not isinstance(after, LRScheduler) or after.needs_metric:
                raise ConfigError(
                    f"LinearWarmup: the 'after' parameter must be a schedule stepped without "
                    f"a metric (StepLR, CosineAnnealingLR, ...) or None, got "
                    f"{type(after).__name__}"
                )
            if after.optimizer is not optimizer:
                raise ConfigError(
                    "LinearWarmup: the 'after' schedule must be built on the same "
                    "optimizer as the warmup, got a schedule of another optimizer"
                )
        self.after = after
        self._start()

    @classmethod
    def _check_hyperparameters(cls, warmup_steps):
        return {"warmup_steps": check_int("LinearWarmup", "warmup_steps", warmup_steps,
                                          minimum=1)}

    def get_lr(self):
        t = self.last_epoch
        if self._is_initial:
            return [lr / self.warmup_steps for lr in self._current_lrs()]
        if t < self.warmup_steps:
            return [lr * (t + 1) / t for lr in self._current_lrs()]
        return self._current_lrs()

    def step(self):
        """Advance one step; past the warmup's last step, ``after`` advances instead."""
        if self.after is None or self.last_epoch < self.warmup_steps:
            super().step()
            return
        self.after.step()
        self.last_epoch += 1
        self._last_lr = self._current_lrs()

    def _upgrade(self, state_dict):
        """Also upgrade ``after``'s keys from the format before parameter groups."""
        state_dict = super()._upgrade(state_dict)
        if self.after is None:
            return state_dict
        inner = {key[len("after."):]: value for key, value in state_dict.items()
                 if key.startswith("after.")}
        return {**{key: value for key, value in state_dict.items()
                   if not key.startswith("after.")},
                **{f"after.{key}": value for key, value in self.after._upgrade(inner).items()}}

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

    def __repr__(self):
        return f"LinearWarmup(warmup_steps={self.warmup_steps!r}, after={self.after!r})"
