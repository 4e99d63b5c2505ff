"""The Optimizer base class: parameter groups, per-parameter state, lr, skipping, state_dict.

A subclass names its options (``hyperparameter_names``) and its
per-parameter state arrays (``state_names``), checks the options
(``_check_hyperparameters``) and writes ``_update(data, grad, state,
group)``: the rule for one parameter, with its group's options. The base
class does the rest, as PyTorch's ``Optimizer`` does: parameter groups with
defaults from the constructor, skipping every parameter that no backward
reached since ``zero_grad()`` (PyTorch skips a None grad), state created at
a parameter's first update, in its dtype, and flat state dicts
(``optimizer_state.py``).
"""

import numpy as np

from minnet.arguments import CheckedArguments
from minnet.errors import ConfigError, ShapeError
from minnet.optim.optimizer_state import load_optimizer_state_dict, optimizer_state_dict
from minnet.optim.param_groups import (
    SCHEDULE_KEYS,
    ParamGroup,
    as_parameter_list,
    set_scheduled_value,
    split_param_groups,
)
from minnet.validation import check_float

__all__ = ["Optimizer", "as_parameter_list", "check_momentum", "current_lr", "group_values",
           "receives_update"]


def receives_update(param):
    """True when ``step()`` updates ``param``: trainable, and reached by a backward since
    ``zero_grad()`` (PyTorch's ``param.grad is not None``). Clipping skips the same ones."""
    return param.requires_grad and param.has_grad


def group_values(optimizer, key, default=None):
    """``key``'s value in each parameter group, as a list (one entry for an optimizer
    without groups: its attribute ``key``, or ``default``)."""
    groups = getattr(optimizer, "param_groups", None)
    if groups is None:
        return [getattr(optimizer, key, default)]
    return [group.get(key, default) for group in groups]


def current_lr(optimizer):
    """The learning rate of the first parameter group, a float (what fit's History and the
    doctor record; read ``param_groups`` for the others)."""
    return float(group_values(optimizer, "lr")[0])


def check_momentum(owner, name, value):
    """A momentum-like decay in [0, 1): 1 or more never forgets and grows without bound."""
    value = check_float(owner, name, value, low=0.0)
    if value >= 1.0:
        raise ConfigError(
            f"{owner}: the '{name}' parameter must be a float in the range [0.0, 1.0), got "
            f"{value!r}: with {name} >= 1 the buffer never forgets an old gradient and grows "
            f"without bound; the usual value is 0.9"
        )
    return value


class Optimizer(CheckedArguments):
    """Base class of SGD, Adagrad, RMSprop, Adam and AdamW.

    Parameters
    ----------
    params : iterable of Parameter, or iterable of dict
        ``model.parameters()``, a list or a generator (consumed once); or
        parameter groups ``[{"params": [...], "lr": 1e-3}, ...]`` whose
        missing options take the constructor's values.
    lr : float
        Default learning rate, > 0.
    **hyperparameters
        The subclass's other options, checked by ``_check_hyperparameters``.

    Attributes
    ----------
    param_groups : list of ParamGroup
        One dict per group: ``"params"`` and every option (PyTorch's).
    defaults : dict
        The constructor's options: what ``add_param_group`` fills in.
    params : list of Parameter
        Every parameter, group after group.
    state : list of dict
        ``state[i]`` belongs to ``params[i]``: empty until its first update,
        then arrays of its shape and dtype (and Adam's ``"step"``, an int).
    lr, and each option (``momentum``, ``betas``, ...)
        Reading gives the value when every group agrees (else ConfigError:
        read ``param_groups[i][name]``); setting sets it in every group and
        in ``defaults``, checked as in the constructor.
    """

    hyperparameter_names = ()  # the options besides lr, in signature order
    state_names = ()  # every per-parameter state array this optimizer may keep
    required_state_names = ()  # the ones a parameter with any state must have

    def __init__(self, params, lr, **hyperparameters):
        name = type(self).__name__
        defaults = {"lr": check_float(name, "lr", lr, low=0.0, low_open=True)}
        defaults.update(self._check_hyperparameters(name, **hyperparameters))
        self.defaults = defaults
        self.param_groups, self.params, self.state = [], [], []
        groups, as_dicts = split_param_groups(name, params)
        for index, group in enumerate(groups):
            self._add_group(group, f"{name} (param_groups[{index}])" if as_dicts else name)
        if not self.params:
            raise ConfigError(f"{name}: every parameter group is empty; there is nothing "
                              f"to optimize")

    # --- what a subclass provides ------------------------------------------

    @classmethod
    def _check_hyperparameters(cls, owner, **hyperparameters):
        """Return the options (besides lr) checked together and converted; raise ConfigError."""
        return {}

    def _update(self, data, grad, state, group):
        """Update ``data`` in place from ``grad``, this parameter's ``state`` and its group."""
        raise NotImplementedError(f"{type(self).__name__} must implement _update")

    # --- checks of a group's options -----------------------------------------

    @classmethod
    def _check_group_values(cls, owner, values, scheduled=False):
        """Check a whole group's options (not "params"); return them converted.

        ``scheduled`` allows lr = 0, which a schedule or a checkpoint may hold.
        """
        allowed = ("lr",) + cls.hyperparameter_names + SCHEDULE_KEYS
        unknown = [key for key in values if key not in allowed]
        if unknown:
            raise ConfigError(
                f"{owner}: unknown option(s) {', '.join(map(repr, unknown))} in a parameter "
                f"group; {cls.__name__} takes "
                f"{', '.join(map(repr, ('lr',) + cls.hyperparameter_names))}"
            )
        checked = {"lr": check_float(owner, "lr", values["lr"], low=0.0,
                                     low_open=not scheduled)}
        checked.update(cls._check_hyperparameters(
            owner, **{key: values[key] for key in cls.hyperparameter_names}))
        for key in SCHEDULE_KEYS:
            if key in values:
                checked[key] = check_float(owner, key, values[key], low=0.0)
        return checked

    @classmethod
    def _check_group_item(cls, owner, group, key, value):
        """Check ``group[key] = value`` (a write by hand); return the converted value."""
        if key == "params":
            raise ConfigError(f"{owner}: the 'params' of a group cannot be replaced; add "
                              f"parameters with optimizer.add_param_group({{'params': ...}})")
        if key in cls.hyperparameter_names:
            current = {name: group[name] for name in cls.hyperparameter_names}
            return cls._check_hyperparameters(owner, **{**current, key: value})[key]
        return cls._check_group_values(owner, {"lr": group["lr"], **{
            name: group[name] for name in cls.hyperparameter_names}, key: value},
            scheduled=key != "lr")[key]

    # --- groups --------------------------------------------------------------

    def add_param_group(self, param_group):
        """Add a group ``{"params": [...], option: value, ...}``; missing options take
        ``defaults``. A parameter already held by a group is refused (ConfigError)."""
        name = type(self).__name__
        self._add_group(param_group, f"{name} (param_groups[{len(self.param_groups)}])")

    def _add_group(self, param_group, owner):
        if not isinstance(param_group, dict):
            raise ConfigError(f"{owner}: a parameter group must be a dict "
                              f"{{'params': [...], ...}}, got {type(param_group).__name__}")
        if "params" not in param_group:
            raise ConfigError(f"{owner}: a parameter group needs a 'params' key, got keys "
                              f"{sorted(param_group)}")
        params = as_parameter_list(owner, param_group["params"], allow_single=True,
                                   allow_empty=True)
        held = {id(param): index for index, group in enumerate(self.param_groups)
                for param in group["params"]}
        for index, param in enumerate(params):
            if id(param) in held:
                raise ConfigError(
                    f"{owner}: params[{index}] ({param!r}) is already in param_groups"
                    f"[{held[id(param)]}]; a parameter may belong to one group only"
                )
        options = {key: value for key, value in param_group.items() if key != "params"}
        values = self._check_group_values(owner, {**self.defaults, **options})
        self.param_groups.append(ParamGroup(type(self), owner,
                                            {"params": tuple(params), **values}))
        self.params.extend(params)
        self.state.extend({} for _ in params)

    # --- lr and the other options, over all groups ---------------------------

    def _shared(self, key):
        """``group[key]`` when every group holds the same value; else a ConfigError."""
        values = [group[key] for group in self.param_groups]
        if all(value == values[0] for value in values[1:]):
            return values[0]
        raise ConfigError(
            f"{type(self).__name__}: its {len(values)} parameter groups have different "
            f"'{key}' values ({', '.join(map(repr, values))}); read "
            f"optimizer.param_groups[i][{key!r}] for group i (setting optimizer.{key} sets "
            f"it in every group)"
        )

    def __getattr__(self, key):  # only for names that normal lookup does not find
        if key in type(self).hyperparameter_names and "param_groups" in self.__dict__:
            return self._shared(key)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {key!r}")

    def __setattr__(self, key, value):
        if key in type(self).hyperparameter_names and "param_groups" in self.__dict__:
            self._set_everywhere(key, value)
        else:
            object.__setattr__(self, key, value)

    def _set_everywhere(self, key, value):
        """Set option ``key`` in every group and in defaults: all checked before any change."""
        checked = [group._optimizer_class._check_group_item(group._owner, group, key, value)
                   for group in self.param_groups]
        default = self._check_group_item(type(self).__name__, self.defaults, key, value)
        for group, group_value in zip(self.param_groups, checked, strict=True):
            dict.__setitem__(group, key, group_value)
        self.defaults[key] = default

    @property
    def lr(self):
        """The learning rate of every group (ConfigError when the groups differ)."""
        return self._shared("lr")

    @lr.setter
    def lr(self, value):
        self._set_everywhere("lr", value)  # checked: > 0

    def _set_scheduled_lr(self, value):
        """Set every group's lr from a schedule or a checkpoint: 0 is allowed here."""
        for group in self.param_groups:
            set_scheduled_value(group, "lr", value)

    def hyperparameters(self):
        """The options other than lr, as a dict (ConfigError when the groups differ)."""
        return {key: self._shared(key) for key in self.hyperparameter_names}

    # --- training ----------------------------------------------------------

    def step(self):
        """Update, in place, every parameter that a backward reached since ``zero_grad()``.

        A frozen parameter (``requires_grad=False``) or one with ``has_grad``
        False is skipped entirely, as PyTorch skips a None grad: no momentum,
        no weight decay, and its own step count (Adam's bias correction) stays.
        """
        for index, param in enumerate(self.params):  # before anything moves
            if param.grad.shape != param.data.shape:
                raise ShapeError(
                    f"{type(self).__name__}.step: params[{index}] ({param!r}) has a grad "
                    f"of shape {param.grad.shape}, expected {param.data.shape}"
                )
        index = 0
        for group in self.param_groups:
            for param in group["params"]:
                state = self.state[index]
                index += 1
                if not receives_update(param):
                    continue
                data = param.data
                for key, value in state.items():  # follow model.to(np.float32)
                    if isinstance(value, np.ndarray) and value.dtype != data.dtype:
                        state[key] = value.astype(data.dtype)
                self._update(data, param.grad, state, group)

    def zero_grad(self):
        """Fill every parameter's ``.grad`` with zeros in place; none counts as reached."""
        for param in self.params:
            param.zero_grad()

    # --- saving ------------------------------------------------------------

    def state_dict(self):
        """A flat ``{str: ndarray}`` copy of everything ``step()`` depends on.

        Keys: ``type``; ``param_groups.{g}.params`` (the indices of group g's
        parameters in ``params``) and ``param_groups.{g}.{option}``;
        ``state.{i}.{name}`` for each parameter ``i`` that has state. Plain
        numeric or unicode arrays: ``np.savez`` writes it and ``np.load(...,
        allow_pickle=False)`` reads it back.
        """
        return optimizer_state_dict(self)

    def load_state_dict(self, state_dict):
        """Restore what ``state_dict()`` saved, so training resumes bit-identically.

        The groups must hold as many parameters as when saved; also reads the
        older single-group format. StateDictError for a dict of another
        optimizer or with missing, unexpected or mis-shaped keys; ConfigError
        for invalid values. Nothing changes unless everything checks.
        """
        load_optimizer_state_dict(self, state_dict)

    def __repr__(self):
        items = []
        for key in ("lr",) + self.hyperparameter_names:
            values = [group[key] for group in self.param_groups]
            shared = all(value == values[0] for value in values[1:])
            items.append(f"{key}={values[0] if shared else values!r}")
        return f"{type(self).__name__}({', '.join(items)})"
