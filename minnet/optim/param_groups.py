"""Parameter groups, PyTorch's way: ``params`` as Parameters, or as dicts of per-group options.

::

    SGD(model.parameters(), lr=0.1)                         # one group
    SGD([{"params": encoder.parameters(), "lr": 1e-3},      # a group with its own lr
         {"params": head.parameters(), "weight_decay": 0}],
        lr=1e-2, momentum=0.9)                              # the defaults of every group

Each group is a ``ParamGroup``: a dict holding ``"params"`` (a tuple of
Parameters) and every option of the optimizer, so ``group["lr"] = 0.01``
works as in PyTorch. Unlike a plain dict it checks every write with the
optimizer's own checks (a negative ``group["lr"]`` or an unknown key is a
ConfigError, never a silently ignored option).
"""

import numpy as np

from minnet.core import Module, Parameter
from minnet.errors import ConfigError
from minnet.validation import check_float

# Keys that schedules keep in a group, as PyTorch's do: ``initial_lr`` (every
# schedule), ``max_lr``, ``min_lr``, ``max_momentum``, ``base_momentum`` (OneCycleLR).
SCHEDULE_KEYS = ("initial_lr", "max_lr", "min_lr", "max_momentum", "base_momentum")


def as_parameter_list(owner, params, allow_single=False, allow_empty=False):
    """Return ``params`` (a list, a generator, ``model.parameters()``) as a list.

    Raises ConfigError for a Module (pass ``model.parameters()``), a bare
    array, a non-Parameter element, a duplicate, or an empty list (unless
    ``allow_empty``: one parameter group may be empty, as in PyTorch).
    """
    hint = "pass model.parameters()"
    if isinstance(params, Module):
        raise ConfigError(
            f"{owner}: expected an iterable of Parameters, got the module "
            f"{type(params).__name__} itself; {hint}"
        )
    if isinstance(params, Parameter):
        if allow_single:
            return [params]
        raise ConfigError(
            f"{owner}: expected an iterable of Parameters, got a single Parameter; "
            f"pass a list: [param]"
        )
    if isinstance(params, (np.ndarray, dict, str)) or not hasattr(params, "__iter__"):
        raise ConfigError(
            f"{owner}: expected an iterable of Parameters, got {type(params).__name__}; {hint}"
        )
    params = list(params)
    if not params and not allow_empty:
        raise ConfigError(
            f"{owner}: got an empty parameter list; does the model assign its Parameters "
            f"as attributes after super().__init__()? (a generator can be iterated only "
            f"once: a second use finds it empty)"
        )
    seen = set()
    for index, param in enumerate(params):
        if not isinstance(param, Parameter):
            raise ConfigError(
                f"{owner}: element {index} of params must be a Parameter, got "
                f"{type(param).__name__}; {hint}"
            )
        if id(param) in seen:
            raise ConfigError(
                f"{owner}: element {index} of params repeats an earlier Parameter "
                f"({param!r}); it would be updated twice per step"
            )
        seen.add(id(param))
    return params


def split_param_groups(owner, params):
    """``params`` as a list of group dicts, and whether the user gave dicts.

    A plain iterable of Parameters becomes one group ``{"params": [...]}``.
    """
    if isinstance(params, dict):
        raise ConfigError(
            f"{owner}: got a single dict; pass a list of parameter groups, e.g. "
            f"[{{'params': model.parameters(), 'lr': 0.01}}]"
        )
    if isinstance(params, (Module, Parameter, np.ndarray, str)) or not hasattr(params,
                                                                              "__iter__"):
        return [{"params": as_parameter_list(owner, params)}], False
    items = list(params)
    if not any(isinstance(item, dict) for item in items):
        return [{"params": as_parameter_list(owner, items)}], False
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise ConfigError(
                f"{owner}: element {index} of params is a {type(item).__name__} but others "
                f"are parameter-group dicts; put every Parameter inside a group "
                f"{{'params': [...]}}"
            )
    return items, True


class ParamGroup(dict):
    """One parameter group: ``"params"`` (a tuple of Parameters) and every option.

    A dict, as in PyTorch; every write is checked by the optimizer class's
    ``_check_group_item`` (the constructor's checks, together with the
    group's other options: ``nesterov`` still needs ``momentum > 0``).
    ``"params"`` cannot be replaced (use ``optimizer.add_param_group``), and
    the optimizer's options cannot be deleted.

    Parameters
    ----------
    optimizer_class : type
        The Optimizer subclass whose checks apply.
    owner : str
        Names the group in messages, e.g. ``"SGD (param_groups[1])"``.
    values : dict
        Already checked: ``"params"`` and every option.
    """

    def __init__(self, optimizer_class, owner, values):
        super().__init__(values)  # dict's own __init__: values are checked already
        self._optimizer_class = optimizer_class
        self._owner = owner

    def __setitem__(self, key, value):
        checked = self._optimizer_class._check_group_item(self._owner, self, key, value)
        dict.__setitem__(self, key, checked)

    def update(self, *args, **kwargs):
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def setdefault(self, key, default=None):
        if key not in self:
            self[key] = default
        return self[key]

    def __delitem__(self, key):
        self._check_removable(key)
        dict.__delitem__(self, key)

    def pop(self, key, *default):
        if key in self:
            self._check_removable(key)
        return dict.pop(self, key, *default)

    def popitem(self):
        raise ConfigError(f"{self._owner}: a parameter group cannot lose arbitrary items; "
                          f"delete a schedule key by name")

    def clear(self):
        raise ConfigError(f"{self._owner}: a parameter group cannot be cleared")

    def _check_removable(self, key):
        if key not in SCHEDULE_KEYS:
            raise ConfigError(
                f"{self._owner}: the key {key!r} cannot be deleted from a parameter group "
                f"(every group holds 'params' and every option of the optimizer)"
            )

    def __reduce__(self):
        # pickle and deepcopy rebuild the group whole, never item by item.
        return (ParamGroup, (self._optimizer_class, self._owner, dict(self)))


def set_scheduled_value(group, key, value):
    """Set ``group[key]`` from a schedule or a checkpoint: a float >= 0.

    A schedule may legitimately bring lr to 0 (cosine annealing to
    ``eta_min=0``); a user writing ``group["lr"] = 0`` by hand has made a
    mistake, so the checked path refuses it.
    """
    owner = group._owner if isinstance(group, ParamGroup) else "param group"
    dict.__setitem__(group, key, check_float(owner, key, value, low=0.0))
