"""Flat state dicts for optimizers and schedules: ``{str: ndarray}`` and nothing else.

A flat dict of plain arrays can be written by ``np.savez`` and read back with
``allow_pickle=False``: a checkpoint is data, never code. Hyperparameters and
counters are 0-d or 1-d arrays, the class name is a unicode string array
(dtype ``<U..``, not object), per-parameter state is ``state.{index}.{name}``.
"""

import numpy as np

from minnet.errors import StateDictError


def type_marker(obj):
    """The class name as a 0-d unicode array, stored under the key ``"type"``."""
    return np.array(type(obj).__name__)


def to_python(value):
    """A 0-d array as a Python scalar, a 1-d array as a tuple of Python scalars."""
    array = np.asarray(value)
    if array.ndim == 0:
        return array.item()
    return tuple(array.tolist())


def check_is_state_dict(owner, state_dict):
    """Raise StateDictError unless ``state_dict`` is a mapping of str keys to array-likes
    saved by ``owner``'s class."""
    name = type(owner).__name__
    if not hasattr(state_dict, "keys") or not hasattr(state_dict, "items"):
        raise StateDictError(
            f"{name}.load_state_dict: expected a dict of str -> ndarray (from "
            f"state_dict()), got {type(state_dict).__name__}"
        )
    for key, value in state_dict.items():
        if not isinstance(key, str):
            raise StateDictError(f"{name}.load_state_dict: expected a dict of str -> ndarray "
                                 f"(from state_dict()), got the key {key!r}")
        try:
            np.asarray(value)
        except (ValueError, TypeError):  # ragged nested lists
            raise StateDictError(f"{name}.load_state_dict: '{key}' holds a ragged sequence "
                                 f"of type {type(value).__name__}, not an array") from None
    if "type" in state_dict and to_python(state_dict["type"]) != name:
        raise StateDictError(
            f"{name}.load_state_dict: this state dict was saved by "
            f"{to_python(state_dict['type'])!r}, not by {name}; load it into the same "
            f"kind of optimizer or schedule"
        )


def check_state_dict(owner, state_dict, expected_shapes, optional_shapes=None):
    """Raise StateDictError unless ``state_dict`` fits ``expected_shapes`` exactly.

    Parameters
    ----------
    owner : object
        The optimizer or schedule loading the dict (its class name leads the message).
    state_dict : mapping of str to array-like
    expected_shapes : dict of str to tuple
        Every key this owner needs, with the shape of its array; the ``"type"``
        key must hold the owner's class name.
    optional_shapes : dict of str to tuple, optional
        Keys the dict may hold or not (a parameter's state before its first
        update, a schedule's key in a parameter group), with their shapes.

    Every missing, unexpected and mis-shaped key is reported at once, with
    PyTorch's wording.
    """
    name = type(owner).__name__
    check_is_state_dict(owner, state_dict)
    optional_shapes = optional_shapes or {}
    missing = [key for key in expected_shapes if key not in state_dict]
    unexpected = [key for key in state_dict
                  if key not in expected_shapes and key not in optional_shapes]
    errors = []
    if missing:
        errors.append("Missing key(s) in state_dict: "
                      + ", ".join(f'"{key}"' for key in missing) + ".")
    if unexpected:
        errors.append("Unexpected key(s) in state_dict: "
                      + ", ".join(f'"{key}"' for key in unexpected) + ".")
    for key, shape in {**optional_shapes, **expected_shapes}.items():
        if key in state_dict and np.shape(state_dict[key]) != tuple(shape):
            errors.append(
                f"size mismatch for {key}: copying a value with shape "
                f"{np.shape(state_dict[key])} from checkpoint, the shape in current "
                f"{name} is {tuple(shape)}."
            )
    if errors:
        raise StateDictError(
            f"Error(s) in loading state_dict for {name}:\n\t" + "\n\t".join(errors)
        )


_KIND_NAMES = {"U": "a string", "iu": "an integer", "fiub": "a numeric"}


def check_kind(owner, key, value, kinds):
    """Raise StateDictError unless ``value``'s dtype kind is one of ``kinds``.

    ``kinds`` is ``"U"`` (the class name), ``"iu"`` (counters, indices) or
    ``"fiub"`` (numbers and bools). Object and complex arrays are refused.
    """
    dtype = np.asarray(value).dtype
    if dtype.kind not in kinds:
        raise StateDictError(
            f"{type(owner).__name__}.load_state_dict: '{key}' holds an array of dtype "
            f"{dtype}, expected {_KIND_NAMES.get(kinds, 'a numeric')} array"
        )
