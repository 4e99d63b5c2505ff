"""Optimizer state dicts: flat ``{str: ndarray}``, checked whole before anything changes.

Keys (PyTorch's ``{"state": ..., "param_groups": ...}``, flattened)::

    type                       the class name, e.g. "Adam"
    param_groups.{g}.params    int64 (n_g,): indices of group g's parameters in optimizer.params
    param_groups.{g}.{option}  lr, each option, and any schedule key (initial_lr, ...)
    state.{i}.{name}           parameter i's state (absent until its first update);
                               "step" is an int64 0-d array, the rest have its shape

The format before parameter groups (top-level ``lr``, ``step`` and options,
one step count for all) is still read: see ``_upgrade_single_group_format``.
"""

import inspect

import numpy as np

from minnet.errors import StateDictError
from minnet.optim.param_groups import SCHEDULE_KEYS, ParamGroup
from minnet.optim.statedict import (
    check_is_state_dict,
    check_kind,
    check_state_dict,
    to_python,
    type_marker,
)
from minnet.validation import check_int


def optimizer_state_dict(optimizer):
    """The flat state dict of ``optimizer`` (copies, never views of its arrays)."""
    result = {"type": type_marker(optimizer)}
    start = 0
    for g, group in enumerate(optimizer.param_groups):
        count = len(group["params"])
        result[f"param_groups.{g}.params"] = np.arange(start, start + count, dtype=np.int64)
        start += count
        for key, value in group.items():
            if key != "params":
                result[f"param_groups.{g}.{key}"] = np.array(value)
    for index, state in enumerate(optimizer.state):
        for key, value in state.items():
            result[f"state.{index}.{key}"] = (
                np.array(value, dtype=np.int64) if key == "step" else value.copy())
    return result


def _state_indices(state_dict):
    """The parameter indices ``i`` that have a ``state.{i}.*`` key."""
    indices = set()
    for key in state_dict:
        if key.startswith("state."):
            index = key[len("state."):].partition(".")[0]
            if index.isdigit():
                indices.add(int(index))
    return indices


def _expected_shapes(optimizer, state_dict):
    """``(expected, optional)``: the shapes of the keys a state dict must and may hold."""
    cls = type(optimizer)
    expected, optional = {"type": ()}, {}
    for g, group in enumerate(optimizer.param_groups):
        prefix = f"param_groups.{g}."
        expected[prefix + "params"] = (len(group["params"]),)
        expected[prefix + "lr"] = ()
        for key in cls.hyperparameter_names:
            expected[prefix + key] = np.shape(optimizer.defaults[key])
        optional.update({prefix + key: () for key in SCHEDULE_KEYS})
    with_state = _state_indices(state_dict)
    for index, param in enumerate(optimizer.params):
        for key in cls.state_names:
            required = index in with_state and key in cls.required_state_names
            shape = () if key == "step" else param.shape
            (expected if required else optional)[f"state.{index}.{key}"] = shape
    return expected, optional


def _check_group_count(optimizer, state_dict):
    saved = {key.split(".")[1] for key in state_dict if key.startswith("param_groups.")}
    count = len(optimizer.param_groups)
    if saved and saved != {str(g) for g in range(count)}:
        raise StateDictError(
            f"{type(optimizer).__name__}.load_state_dict: the state dict holds parameter "
            f"groups {sorted(saved)}, this optimizer has {count} group(s); build the "
            f"optimizer with the same parameter groups as the one saved"
        )


def load_optimizer_state_dict(optimizer, state_dict):
    """Check ``state_dict`` entirely against ``optimizer``; only then load it."""
    name = type(optimizer).__name__
    check_is_state_dict(optimizer, state_dict)
    state_dict = _upgrade_single_group_format(optimizer, state_dict)
    _check_group_count(optimizer, state_dict)
    expected, optional = _expected_shapes(optimizer, state_dict)
    check_state_dict(optimizer, state_dict, expected, optional)
    for key, value in state_dict.items():
        kinds = ("U" if key == "type" else
                 "iu" if key.endswith(".params") or key.endswith(".step") else "fiub")
        check_kind(optimizer, key, value, kinds)

    groups, start = [], 0
    for g, group in enumerate(optimizer.param_groups):
        prefix = f"param_groups.{g}."
        indices = np.asarray(state_dict[prefix + "params"])
        wanted = np.arange(start, start + len(group["params"]))
        start += len(group["params"])
        if not np.array_equal(indices, wanted):
            raise StateDictError(
                f"{name}.load_state_dict: '{prefix}params' holds the parameter indices "
                f"{indices.tolist()}, this optimizer's group {g} holds {wanted.tolist()}"
            )
        values = {key[len(prefix):]: to_python(value) for key, value in state_dict.items()
                  if key.startswith(prefix) and key != prefix + "params"}
        checked = optimizer._check_group_values(group._owner, values, scheduled=True)
        groups.append(ParamGroup(type(optimizer), group._owner,
                                 {"params": group["params"], **checked}))
    states = []
    for index, param in enumerate(optimizer.params):
        state = {}
        for key in type(optimizer).state_names:
            value = state_dict.get(f"state.{index}.{key}")
            if value is None:
                continue
            if key == "step":
                state[key] = check_int(name, f"state.{index}.step", to_python(value), minimum=0)
            else:
                state[key] = np.array(value, dtype=param.dtype, copy=True)
        states.append(state)
    # Everything is checked: only now change the optimizer.
    optimizer.param_groups[:] = groups
    optimizer.state = states


def _upgrade_single_group_format(optimizer, state_dict):
    """Rewrite a state dict of the format before parameter groups into today's.

    That format had top-level ``lr``, ``step`` (one count for every
    parameter) and options, and zero-filled state arrays for every
    parameter. Options it did not know take the constructor's defaults
    (PyTorch's, which are the old behaviour); its step becomes each
    parameter's own step; a dict saved before any step gives no state, so
    that SGD's first momentum step is PyTorch's (buffer = gradient).
    """
    if "lr" not in state_dict or any(key.startswith("param_groups.") for key in state_dict):
        return state_dict
    cls = type(optimizer)
    signature = inspect.signature(cls.__init__).parameters
    upgraded = {"param_groups.0.params": np.arange(len(optimizer.params)),
                "param_groups.0.lr": state_dict["lr"]}
    for key in cls.hyperparameter_names:
        if key in state_dict:
            upgraded[f"param_groups.0.{key}"] = state_dict[key]
        elif key in signature:
            upgraded[f"param_groups.0.{key}"] = np.array(signature[key].default)
    if "step" not in state_dict:
        raise StateDictError(f"Error(s) in loading state_dict for {cls.__name__}:\n\t"
                             f'Missing key(s) in state_dict: "step".')
    check_kind(optimizer, "step", state_dict["step"], "iu")
    steps = check_int(cls.__name__, "step", to_python(state_dict["step"]), minimum=0)
    for key, value in state_dict.items():
        if key.startswith("state."):
            if steps > 0:
                upgraded[key] = value
        elif key not in ("lr", "step") + cls.hyperparameter_names:
            upgraded[key] = value  # "type", or a key that will be reported as unexpected
    if steps > 0 and "step" in cls.required_state_names:
        for index in _state_indices(state_dict):
            upgraded[f"state.{index}.step"] = np.array(steps, dtype=np.int64)
    return upgraded
